//! Prints a filter back as RFC 7644 text, so that parsing the printed text gives the same tree;
//! used in error details and by the round-trip property tests.

use std::fmt;

use super::{CompValue, Filter};

impl fmt::Display for CompValue {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            // JSON string syntax is exactly what the grammar's compValue string is.
            CompValue::Str(s) => match serde_json::to_string(s) {
                Ok(quoted) => f.write_str(&quoted),
                Err(_) => Err(fmt::Error),
            },
            CompValue::Num(n) => write!(f, "{n}"),
            CompValue::Bool(b) => write!(f, "{b}"),
            CompValue::Null => f.write_str("null"),
        }
    }
}

/// A nested `and`/`or` is parenthesised even where precedence would not need it, so the tree's
/// exact shape (not just its meaning) survives a round trip.
struct Operand<'a>(&'a Filter);

impl fmt::Display for Operand<'_> {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self.0 {
            inner @ (Filter::And(..) | Filter::Or(..)) => write!(f, "({inner})"),
            inner => write!(f, "{inner}"),
        }
    }
}

impl fmt::Display for Filter {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            Filter::Compare { path, op, value } => write!(f, "{path} {} {value}", op.keyword()),
            Filter::Present(path) => write!(f, "{path} pr"),
            Filter::And(left, right) => write!(f, "{} and {}", Operand(left), Operand(right)),
            Filter::Or(left, right) => write!(f, "{} or {}", Operand(left), Operand(right)),
            Filter::Not(inner) => write!(f, "not ({inner})"),
            Filter::ValuePath { path, filter } => write!(f, "{path}[{filter}]"),
        }
    }
}
