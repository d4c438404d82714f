//! What a request step expects of its response: status, headers, body values, a named schema.

use super::{Origin, Predicate, Template};

/// The statuses a response may have.
#[derive(Debug, Clone, PartialEq, Eq, Default)]
pub enum StatusExpect {
    /// No expectation on the status.
    #[default]
    Any,
    /// `status: 201`.
    Exactly(u16),
    /// `statuses: [200, 201]`.
    OneOf(Vec<u16>),
}

impl StatusExpect {
    /// The statuses that pass; empty means any.
    pub fn wanted(&self) -> &[u16] {
        match self {
            StatusExpect::Any => &[],
            StatusExpect::Exactly(s) => std::slice::from_ref(s),
            StatusExpect::OneOf(list) => list,
        }
    }
}

#[derive(Debug, Clone, Default)]
pub struct Expect {
    pub status: StatusExpect,
    /// In header-name order.
    pub headers: Vec<HeaderAssertion>,
    /// In pointer order.
    pub body: Vec<BodyAssertion>,
    /// Name of a JSON Schema under `suites/schemas/` that the body must satisfy.
    pub schema: Option<String>,
    /// The response must have no body at all.
    pub empty_body: bool,
    /// Where the expectation is written (the step's, when it has no `expect`).
    pub origin: Origin,
}

/// Predicates on one response header.
#[derive(Debug, Clone)]
pub struct HeaderAssertion {
    pub name: String,
    pub assertion: Assertion,
}

/// Predicates on the body values a JSON Pointer (with `*` for every array element) selects.
#[derive(Debug, Clone)]
pub struct BodyAssertion {
    pub pointer: Template,
    pub assertion: Assertion,
}

/// What must hold of one value: every predicate, in the registry's order.
#[derive(Debug, Clone, Default)]
pub struct Assertion {
    pub predicates: Vec<Predicate>,
    /// Where the header name or body pointer is written.
    pub origin: Origin,
}

impl Assertion {
    /// `absent: true` (or `present: false`): the value must not be there, nothing else counts.
    pub fn wants_absent(&self) -> bool {
        self.predicates
            .iter()
            .any(|p| matches!(p, Predicate::Absent))
    }
    /// Whether an absent value fails the assertion (`optional: true` says it does not).
    pub fn needs_value(&self) -> bool {
        !self
            .predicates
            .iter()
            .any(|p| matches!(p, Predicate::Optional))
            && self.predicates.iter().any(Predicate::needs_value)
    }
}
