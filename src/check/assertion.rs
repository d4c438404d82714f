//! One assertion on one value: its predicates (present / absent / equals / type / matches /
//! contains / length …), each operand rendered once per evaluation, judged in registry order.
//!
//! `null` counts as absent: RFC 7643 §2.5 treats null and unassigned alike.

use crate::outcome::{Finding, FindingKind};
use crate::suite::{Assertion, JsonType, Predicate, ReadyPattern, TemplateError, Vars};
use serde_json::Value;

/// Shortens long values for messages.
pub fn clip(s: &str) -> String {
    const MAX: usize = 160;
    if s.chars().count() <= MAX {
        s.to_string()
    } else {
        format!("{}…", s.chars().take(MAX).collect::<String>())
    }
}

fn show(v: &Value) -> String {
    clip(&v.to_string())
}

/// A predicate's operand with its templates expanded.
enum Operand<'a> {
    Nothing,
    Value(Value),
    Values(Vec<Value>),
    Pattern(ReadyPattern<'a>),
}

fn operand<'a>(p: &'a Predicate, vars: &Vars) -> Result<Operand<'a>, TemplateError> {
    Ok(match p {
        Predicate::Equals(t)
        | Predicate::NotEquals(t)
        | Predicate::Contains(t)
        | Predicate::NotContains(t) => Operand::Value(t.render(vars)?),
        Predicate::OneOf(list) => Operand::Values(
            list.iter()
                .map(|t| t.render(vars))
                .collect::<Result<_, _>>()?,
        ),
        Predicate::Matches(pat) | Predicate::NotMatches(pat) => Operand::Pattern(pat.render(vars)?),
        Predicate::Present
        | Predicate::Absent
        | Predicate::Optional
        | Predicate::Type(_)
        | Predicate::Length(_)
        | Predicate::MinLength(_)
        | Predicate::AtLeast(_) => Operand::Nothing,
    })
}

/// An assertion with every template expanded, ready to judge one or more values.
pub struct Ready<'a> {
    assertion: &'a Assertion,
    operands: Vec<Operand<'a>>,
}

/// Expands the templates in an assertion's operands; the first that cannot be expanded is the error.
pub fn render<'a>(a: &'a Assertion, vars: &Vars) -> Result<Ready<'a>, TemplateError> {
    Ok(Ready {
        assertion: a,
        operands: a
            .predicates
            .iter()
            .map(|p| operand(p, vars))
            .collect::<Result<_, _>>()?,
    })
}

fn contains(hay: &Value, needle: &Value) -> Option<bool> {
    match (hay, needle) {
        (Value::Array(items), n) => Some(items.contains(n)),
        (Value::String(s), Value::String(n)) => Some(s.contains(n.as_str())),
        _ => None,
    }
}

fn size(v: &Value) -> Option<usize> {
    match v {
        Value::Array(a) => Some(a.len()),
        Value::String(s) => Some(s.chars().count()),
        Value::Object(o) => Some(o.len()),
        _ => None,
    }
}

fn regex_check(
    pattern: &ReadyPattern<'_>,
    v: &Value,
    want_match: bool,
) -> Option<(String, String)> {
    let text = &pattern.text;
    let Value::String(s) = v else {
        return Some((format!("a string matching /{text}/"), show(v)));
    };
    match &pattern.regex {
        Err(e) => Some((format!("a valid regular expression /{text}/"), e.clone())),
        Ok(re) if re.is_match(s) != want_match => {
            let expected = if want_match {
                format!("a value matching /{text}/")
            } else {
                format!("a value not matching /{text}/")
            };
            Some((expected, show(v)))
        }
        Ok(_) => None,
    }
}

/// What an assertion looks at (a header or a body pointer), and where it was written.
struct At<'a> {
    kind: FindingKind,
    target: &'a str,
    assertion: &'a Assertion,
}

impl At<'_> {
    fn finding(&self, expected: impl Into<String>, actual: impl Into<String>) -> Finding {
        let mut f = Finding::at(self.kind, self.target, expected, actual);
        f.origin = Some(self.assertion.origin.clone());
        f
    }
}

/// Judges one value, which may be absent, against a rendered assertion.
pub fn check(
    kind: FindingKind,
    target: &str,
    ready: &Ready<'_>,
    value: Option<&Value>,
) -> Vec<Finding> {
    let a = ready.assertion;
    let at = At {
        kind,
        target,
        assertion: a,
    };
    let mut out = Vec::new();
    let value = value.filter(|v| !v.is_null());
    if a.wants_absent() {
        if let Some(v) = value {
            out.push(at.finding("absent", format!("present: {}", show(v))));
        }
        return out;
    }
    let Some(v) = value else {
        if a.needs_value() {
            out.push(at.finding("present", "absent"));
        }
        return out;
    };
    for (p, operand) in a.predicates.iter().zip(&ready.operands) {
        if let Some((expected, actual)) = judge(p, operand, v) {
            out.push(at.finding(expected, actual));
        }
    }
    out
}

/// One predicate on a present value: `(expected, actual)` when it does not hold.
fn judge(p: &Predicate, operand: &Operand<'_>, v: &Value) -> Option<(String, String)> {
    let length = |v: &Value| size(v).map_or_else(|| show(v), |s| format!("length {s}"));
    match (p, operand) {
        (Predicate::Type(t), _) => (!t.holds(v)).then(|| {
            (
                format!("a JSON {}", t.as_str()),
                format!("{} {}", JsonType::of(v), show(v)),
            )
        }),
        (Predicate::Equals(_), Operand::Value(e)) => (v != e).then(|| (show(e), show(v))),
        (Predicate::NotEquals(_), Operand::Value(e)) => {
            (v == e).then(|| (format!("anything but {}", show(e)), show(v)))
        }
        (Predicate::OneOf(_), Operand::Values(list)) => (!list.contains(v)).then(|| {
            let opts = list.iter().map(show).collect::<Vec<_>>().join(", ");
            (format!("one of {opts}"), show(v))
        }),
        (Predicate::Matches(_), Operand::Pattern(pat)) => regex_check(pat, v, true),
        (Predicate::NotMatches(_), Operand::Pattern(pat)) => regex_check(pat, v, false),
        (Predicate::Contains(_), Operand::Value(n)) => (contains(v, n) != Some(true))
            .then(|| (format!("a value containing {}", show(n)), show(v))),
        (Predicate::NotContains(_), Operand::Value(n)) => (contains(v, n) != Some(false))
            .then(|| (format!("a value not containing {}", show(n)), show(v))),
        (Predicate::Length(len), _) => {
            (size(v) != Some(*len)).then(|| (format!("length {len}"), length(v)))
        }
        (Predicate::MinLength(min), _) => size(v)
            .is_none_or(|s| s < *min)
            .then(|| (format!("length at least {min}"), length(v))),
        (Predicate::AtLeast(min), _) => v
            .as_f64()
            .is_none_or(|n| n < *min)
            .then(|| (format!("a number ≥ {min}"), show(v))),
        // Present holds for any present value; Absent was judged before; every other operand
        // matches its predicate by construction.
        _ => None,
    }
}

#[cfg(test)]
#[path = "assertion_tests.rs"]
mod tests;
