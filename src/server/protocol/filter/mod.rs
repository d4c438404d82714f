//! SCIM filter expressions (RFC 7644 §3.4.2.2): the AST, a recursive-descent parser, a printer,
//! schema validation and an evaluator over stored resources.
//!
//! The whole grammar is supported: every comparison operator, `pr`, `and`/`or`/`not`, grouping
//! and value filters (`emails[type eq "work"]`). [`FilterPolicy`] carries the deviations that the
//! server's faults ask for; its default is the RFC.

mod compare;
mod eval;
mod lexer;
mod parser;
mod print;
mod validate;

#[cfg(test)]
mod eval_tests;
#[cfg(test)]
mod prop_tests;
#[cfg(test)]
mod tests;

use serde_json::Number;

use crate::server::model::{CaseRule, FilterPolicy};
use crate::server::protocol::error::ScimError;
use crate::server::protocol::path::AttrPath;

#[cfg(test)]
pub(crate) use eval::matches;
pub(crate) use eval::{element_matches, matches_with};
#[cfg(test)]
pub(crate) use validate::validate;
pub(crate) use validate::validate_with;

/// A parsed filter expression.
#[derive(Debug, Clone, PartialEq)]
pub(crate) enum Filter {
    /// `attrPath op compValue`.
    Compare {
        path: AttrPath,
        op: CompareOp,
        value: CompValue,
    },
    /// `attrPath pr`.
    Present(AttrPath),
    /// `left and right`.
    And(Box<Filter>, Box<Filter>),
    /// `left or right`.
    Or(Box<Filter>, Box<Filter>),
    /// `not (inner)`.
    Not(Box<Filter>),
    /// `attr[inner]`: the paths of `inner` name sub-attributes of one element of `attr`.
    ValuePath { path: AttrPath, filter: Box<Filter> },
}

/// A comparison operator (every one of RFC 7644 Table 3 except `pr`, which takes no value).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) enum CompareOp {
    Eq,
    Ne,
    Co,
    Sw,
    Ew,
    Gt,
    Ge,
    Lt,
    Le,
}

impl CompareOp {
    pub(crate) const ALL: [CompareOp; 9] = [
        CompareOp::Eq,
        CompareOp::Ne,
        CompareOp::Co,
        CompareOp::Sw,
        CompareOp::Ew,
        CompareOp::Gt,
        CompareOp::Ge,
        CompareOp::Lt,
        CompareOp::Le,
    ];

    pub(crate) fn keyword(self) -> &'static str {
        match self {
            CompareOp::Eq => "eq",
            CompareOp::Ne => "ne",
            CompareOp::Co => "co",
            CompareOp::Sw => "sw",
            CompareOp::Ew => "ew",
            CompareOp::Gt => "gt",
            CompareOp::Ge => "ge",
            CompareOp::Lt => "lt",
            CompareOp::Le => "le",
        }
    }

    /// `gt`, `ge`, `lt` and `le`: the operators that need an ordered type.
    pub(crate) fn is_ordering(self) -> bool {
        matches!(
            self,
            CompareOp::Gt | CompareOp::Ge | CompareOp::Lt | CompareOp::Le
        )
    }

    /// `co`, `sw` and `ew`: the operators that only make sense on strings.
    pub(crate) fn is_substring(self) -> bool {
        matches!(self, CompareOp::Co | CompareOp::Sw | CompareOp::Ew)
    }
}

/// A literal on the right-hand side of a comparison.
#[derive(Debug, Clone, PartialEq)]
pub(crate) enum CompValue {
    Str(String),
    Num(Number),
    Bool(bool),
    Null,
}

/// Why a filter was refused; becomes a 400 `invalidFilter`.
#[derive(Debug, Clone, PartialEq, Eq)]
pub(crate) struct FilterError(pub(crate) String);

impl From<FilterError> for ScimError {
    fn from(err: FilterError) -> Self {
        ScimError::invalid_filter(format!("invalid filter: {}", err.0))
    }
}

/// Parses a filter expression as RFC 7644 reads it.
#[cfg(test)]
pub(crate) fn parse(text: &str) -> Result<Filter, FilterError> {
    parse_with(text, &FilterPolicy::default())
}

/// Parses a filter expression, with the syntax deviations `options` asks for.
pub(crate) fn parse_with(text: &str, options: &FilterPolicy) -> Result<Filter, FilterError> {
    let tokens = lexer::tokenize(text)?;
    parser::Parser::new(tokens, options).parse_filter()
}
