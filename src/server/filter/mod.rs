//! SCIM filter expressions (RFC 7644 §3.4.2.2): the AST, a recursive-descent parser and an
//! evaluator over stored resources.
//!
//! Supported today: `attrPath eq compValue`, `and`, and grouping parentheses. Every other
//! operator of the grammar is recognised by the lexer and refused with `invalidFilter`, so
//! extending the language means adding AST variants, parser arms and evaluator cases.

mod eval;
mod lexer;
mod parser;

#[cfg(test)]
mod tests;

use serde_json::Number;

use super::error::ScimError;
use super::path::AttrPath;

pub(crate) use eval::{matches, validate};

/// A parsed filter expression.
#[derive(Debug, Clone, PartialEq)]
pub(crate) enum Filter {
    /// `attrPath op compValue`.
    Compare {
        path: AttrPath,
        op: CompareOp,
        value: CompValue,
    },
    /// `left and right`.
    And(Box<Filter>, Box<Filter>),
}

/// A comparison operator.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) enum CompareOp {
    Eq,
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

/// Parses a filter expression.
pub(crate) fn parse(text: &str) -> Result<Filter, FilterError> {
    let tokens = lexer::tokenize(text)?;
    parser::Parser::new(tokens).parse_filter()
}
