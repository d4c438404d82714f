//! Comparing one stored value with a filter literal, typed by the attribute's schema: strings
//! by caseExact, dateTimes as instants, numbers numerically.

use std::borrow::Cow;
use std::cmp::Ordering;

use serde_json::Value;
use time::OffsetDateTime;
use time::format_description::well_known::Rfc3339;

use super::{CaseRule, CompValue, CompareOp, FilterPolicy};
use crate::server::model::schema::{AttrDef, AttrType};

fn case_exact(def: &AttrDef, options: &FilterPolicy) -> bool {
    match options.case {
        CaseRule::Schema => def.case_exact,
        CaseRule::AlwaysExact => true,
        CaseRule::NeverExact => false,
    }
}

/// The string as compared: itself when caseExact, else lower-cased.
fn folded<'s>(text: &'s str, exact: bool) -> Cow<'s, str> {
    if exact {
        Cow::Borrowed(text)
    } else {
        Cow::Owned(text.to_lowercase())
    }
}

fn parse_time(text: &str) -> Option<OffsetDateTime> {
    OffsetDateTime::parse(text, &Rfc3339).ok()
}

/// `eq`: the literal and the value are the same, by the attribute's type.
pub(super) fn equal(
    def: &AttrDef,
    actual: &Value,
    expected: &CompValue,
    options: &FilterPolicy,
) -> bool {
    match (expected, actual) {
        (CompValue::Str(e), Value::String(a)) if def.ty == AttrType::DateTime => {
            match (parse_time(a), parse_time(e)) {
                (Some(a), Some(e)) => a == e,
                _ => a == e,
            }
        }
        (CompValue::Str(e), Value::String(a)) => {
            let exact = case_exact(def, options);
            folded(a, exact) == folded(e, exact)
        }
        (CompValue::Num(e), Value::Number(a)) => match (a.as_f64(), e.as_f64()) {
            (Some(a), Some(e)) => a == e,
            _ => false,
        },
        (CompValue::Bool(e), Value::Bool(a)) => a == e,
        _ => false,
    }
}

/// `co`, `sw`, `ew` on a string value.
pub(super) fn substring(
    op: CompareOp,
    def: &AttrDef,
    actual: &Value,
    expected: &CompValue,
    options: &FilterPolicy,
) -> bool {
    let (CompValue::Str(e), Value::String(a)) = (expected, actual) else {
        return false;
    };
    let exact = case_exact(def, options);
    let (a, e) = (folded(a, exact), folded(e, exact));
    match op {
        CompareOp::Sw => a.starts_with(e.as_ref()),
        CompareOp::Ew => a.ends_with(e.as_ref()),
        _ => a.contains(e.as_ref()),
    }
}

/// How the value orders against the literal for `gt`/`ge`/`lt`/`le`; `None` when they are of
/// different types (no match). dateTimes compare as instants, so offsets do not matter, unless
/// `datetime-compared-as-string` compares the raw text.
pub(super) fn ordered(
    def: &AttrDef,
    actual: &Value,
    expected: &CompValue,
    options: &FilterPolicy,
) -> Option<Ordering> {
    match (expected, actual) {
        (CompValue::Str(e), Value::String(a)) => {
            if def.ty == AttrType::DateTime {
                if options.datetime_as_string {
                    return Some(a.as_str().cmp(e.as_str()));
                }
                return Some(parse_time(a)?.cmp(&parse_time(e)?));
            }
            let exact = case_exact(def, options);
            Some(folded(a, exact).cmp(&folded(e, exact)))
        }
        (CompValue::Num(e), Value::Number(a)) => a.as_f64()?.partial_cmp(&e.as_f64()?),
        _ => None,
    }
}
