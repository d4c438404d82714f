//! Step roles: which steps prepare the requirement (setup), exercise it (act), look at its effect
//! (verify), or tidy up (cleanup). Inferred from a step's shape until suites declare roles.

use crate::suite::Method;
use serde::Serialize;

/// What a step is for within its check.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize)]
#[serde(rename_all = "lowercase")]
pub enum Role {
    /// Creates what the requirement is tested on; if it fails, the requirement was never tested.
    Setup,
    /// Exercises the requirement the check is about.
    Act,
    /// Reads back the effect of the act.
    Verify,
    /// Deletes what the check created.
    Cleanup,
}

/// The little of a step that role inference looks at.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum StepShape {
    Request {
        method: Method,
        /// A POST to a resource collection that expects 201 Created.
        creates: bool,
    },
    Builtin,
}

/// Roles for a check's steps: the first step that is not a plain create is the act (the last
/// step when all of them create); the steps before it are setup and the steps after it verify.
pub fn infer_roles(steps: &[StepShape]) -> Vec<Role> {
    let creates = |s: &StepShape| matches!(s, StepShape::Request { creates: true, .. });
    let act = steps
        .iter()
        .position(|s| !creates(s))
        .unwrap_or(steps.len().saturating_sub(1));
    (0..steps.len())
        .map(|i| match i.cmp(&act) {
            std::cmp::Ordering::Less => Role::Setup,
            std::cmp::Ordering::Equal => Role::Act,
            std::cmp::Ordering::Greater => Role::Verify,
        })
        .collect()
}

#[cfg(test)]
mod tests {
    use super::*;

    const CREATE: StepShape = StepShape::Request {
        method: Method::Post,
        creates: true,
    };
    const fn req(method: Method) -> StepShape {
        StepShape::Request {
            method,
            creates: false,
        }
    }

    #[test]
    fn creates_before_the_act_are_setup_and_reads_after_it_verify() {
        let roles = infer_roles(&[CREATE, req(Method::Patch), req(Method::Get)]);
        assert_eq!(roles, [Role::Setup, Role::Act, Role::Verify]);
        assert_eq!(infer_roles(&[CREATE]), [Role::Act]);
        assert_eq!(infer_roles(&[CREATE, CREATE]), [Role::Setup, Role::Act]);
        assert_eq!(
            infer_roles(&[StepShape::Builtin, req(Method::Get)]),
            [Role::Act, Role::Verify]
        );
        assert!(infer_roles(&[]).is_empty());
    }
}
