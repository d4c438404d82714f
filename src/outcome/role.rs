//! Step roles: which steps prepare the requirement (setup), exercise it (act), look at its effect
//! (verify), or tidy up (cleanup). A suite may declare a step's role; otherwise it is inferred
//! from the step's shape.

use crate::suite::Method;
pub use crate::suite::Role;

/// The little of a step that role inference looks at.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum StepShape {
    Request {
        method: Method,
        /// Expects only success statuses (2xx) and captures: nothing the requirement asserts.
        plain: bool,
        /// A POST to a resource collection (not `/.search`, not `/Bulk`).
        creates: bool,
        /// The role the suite declares.
        declared: Option<Role>,
    },
    Builtin {
        declared: Option<Role>,
    },
}

impl StepShape {
    fn declared(&self) -> Option<Role> {
        match self {
            StepShape::Request { declared, .. } | StepShape::Builtin { declared } => *declared,
        }
    }

    /// Shaped like preparation: a plain create, or a plain read (capturing an ETag, an id).
    /// A plain PUT, PATCH or DELETE is not: it is usually what a later read verifies.
    fn prepares(&self) -> bool {
        match self {
            StepShape::Request {
                method,
                plain,
                creates,
                ..
            } => *plain && (*creates || *method == Method::Get),
            StepShape::Builtin { .. } => false,
        }
    }
}

/// Roles for a check's steps. Declared roles stand. The act is the step declared `act`, else
/// the first step that is neither declared `setup` nor shaped like preparation (the last step
/// when every step is); undeclared steps before it are setup, after it verify.
pub fn infer_roles(steps: &[StepShape]) -> Vec<Role> {
    let act = steps
        .iter()
        .position(|s| s.declared() == Some(Role::Act))
        .or_else(|| {
            steps
                .iter()
                .position(|s| s.declared() != Some(Role::Setup) && !s.prepares())
        })
        .unwrap_or(steps.len().saturating_sub(1));
    steps
        .iter()
        .enumerate()
        .map(|(i, s)| {
            s.declared().unwrap_or(match i.cmp(&act) {
                std::cmp::Ordering::Less => Role::Setup,
                std::cmp::Ordering::Equal => Role::Act,
                std::cmp::Ordering::Greater => Role::Verify,
            })
        })
        .collect()
}

#[cfg(test)]
mod tests {
    use super::*;

    const fn req(method: Method, plain: bool, declared: Option<Role>) -> StepShape {
        StepShape::Request {
            method,
            plain,
            creates: matches!(method, Method::Post),
            declared,
        }
    }
    const CREATE: StepShape = req(Method::Post, true, None);
    const READ: StepShape = req(Method::Get, true, None);
    const CHECKED_READ: StepShape = req(Method::Get, false, None);
    const PATCH: StepShape = req(Method::Patch, true, None);

    #[test]
    fn plain_creates_and_reads_before_the_act_are_setup_and_steps_after_it_verify() {
        let roles = infer_roles(&[CREATE, PATCH, CHECKED_READ]);
        assert_eq!(roles, [Role::Setup, Role::Act, Role::Verify]);
        assert_eq!(
            infer_roles(&[CREATE, READ, CHECKED_READ]),
            [Role::Setup, Role::Setup, Role::Act]
        );
        assert_eq!(infer_roles(&[CREATE]), [Role::Act]);
        assert_eq!(infer_roles(&[CREATE, CREATE]), [Role::Setup, Role::Act]);
        let builtin = StepShape::Builtin { declared: None };
        assert_eq!(
            infer_roles(&[builtin, CHECKED_READ]),
            [Role::Act, Role::Verify]
        );
        assert!(infer_roles(&[]).is_empty());
    }

    #[test]
    fn a_create_with_assertions_is_the_act() {
        let asserted = req(Method::Post, false, None);
        assert_eq!(
            infer_roles(&[asserted, CHECKED_READ]),
            [Role::Act, Role::Verify]
        );
    }

    #[test]
    fn declared_roles_override_the_inference() {
        // users.create.*: the plain POST is the act, the read verifies it.
        let act = req(Method::Post, true, Some(Role::Act));
        assert_eq!(infer_roles(&[act, CHECKED_READ]), [Role::Act, Role::Verify]);
        // A DELETE that only prepares a 404 probe.
        let setup_delete = req(Method::Delete, true, Some(Role::Setup));
        let probe = req(Method::Patch, false, None);
        assert_eq!(
            infer_roles(&[CREATE, setup_delete, probe, CHECKED_READ]),
            [Role::Setup, Role::Setup, Role::Act, Role::Verify]
        );
    }
}
