//! One assertion on one value: present / absent / equals / type / matches / contains / length …
//!
//! `null` counts as absent: RFC 7643 §2.5 treats null and unassigned alike.

use crate::outcome::{Finding, FindingKind};
use crate::suite::{Assertion, Template, TemplateError, Vars, render_json};
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

/// Expands templates inside the assertion's values.
pub fn render(a: &Assertion, vars: &Vars) -> Result<Assertion, TemplateError> {
    let opt = |v: &Option<Value>| v.as_ref().map(|v| render_json(v, vars)).transpose();
    let re = |s: &Option<String>| {
        s.as_ref()
            .map(|s| Template::parse(s).and_then(|t| t.render(vars)))
            .transpose()
    };
    Ok(Assertion {
        equals: opt(&a.equals)?,
        not_equals: opt(&a.not_equals)?,
        contains: opt(&a.contains)?,
        not_contains: opt(&a.not_contains)?,
        one_of: a
            .one_of
            .as_ref()
            .map(|l| {
                l.iter()
                    .map(|v| render_json(v, vars))
                    .collect::<Result<Vec<_>, _>>()
            })
            .transpose()?,
        matches: re(&a.matches)?,
        not_matches: re(&a.not_matches)?,
        ..a.clone()
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

fn regex_check(at: &At<'_>, pattern: &str, v: &Value, want_match: bool, out: &mut Vec<Finding>) {
    let Value::String(s) = v else {
        out.push(at.finding(format!("a string matching /{pattern}/"), show(v)));
        return;
    };
    match regex::Regex::new(pattern) {
        Err(e) => out.push(at.finding(
            format!("a valid regular expression /{pattern}/"),
            e.to_string(),
        )),
        Ok(re) if re.is_match(s) != want_match => {
            let expected = if want_match {
                format!("a value matching /{pattern}/")
            } else {
                format!("a value not matching /{pattern}/")
            };
            out.push(at.finding(expected, show(v)));
        }
        Ok(_) => {}
    }
}

/// What an assertion looks at: a header or a body pointer.
struct At<'a> {
    kind: FindingKind,
    target: &'a str,
}

impl At<'_> {
    fn finding(&self, expected: impl Into<String>, actual: impl Into<String>) -> Finding {
        Finding::at(self.kind, self.target, expected, actual)
    }
}

/// Checks one (already rendered) assertion against a value that may be absent.
pub fn check(
    kind: FindingKind,
    target: &str,
    a: &Assertion,
    value: Option<&Value>,
) -> Vec<Finding> {
    let at = At { kind, target };
    let mut out = Vec::new();
    let value = value.filter(|v| !v.is_null());
    let wants_absent = a.absent == Some(true) || a.present == Some(false);
    if wants_absent {
        if let Some(v) = value {
            out.push(at.finding("absent", format!("present: {}", show(v))));
        }
        return out;
    }
    // Negative assertions (not_equals, not_matches, not_contains) hold vacuously for an absent
    // value; everything else needs the value to be there.
    let positive = a.present == Some(true)
        || a.equals.is_some()
        || a.one_of.is_some()
        || a.json_type.is_some()
        || a.matches.is_some()
        || a.contains.is_some()
        || a.length.is_some()
        || a.min_length.is_some()
        || a.at_least.is_some();
    let Some(v) = value else {
        if positive {
            out.push(at.finding("present", "absent"));
        }
        return out;
    };
    if let Some(t) = a.json_type {
        if !t.holds(v) {
            out.push(at.finding(
                format!("a JSON {}", t.as_str()),
                format!("{} {}", crate::suite::JsonType::of(v), show(v)),
            ));
        }
    }
    if let Some(e) = &a.equals {
        if v != e {
            out.push(at.finding(show(e), show(v)));
        }
    }
    if let Some(e) = &a.not_equals {
        if v == e {
            out.push(at.finding(format!("anything but {}", show(e)), show(v)));
        }
    }
    if let Some(list) = &a.one_of {
        if !list.contains(v) {
            let opts = list.iter().map(show).collect::<Vec<_>>().join(", ");
            out.push(at.finding(format!("one of {opts}"), show(v)));
        }
    }
    if let Some(p) = &a.matches {
        regex_check(&at, p, v, true, &mut out);
    }
    if let Some(p) = &a.not_matches {
        regex_check(&at, p, v, false, &mut out);
    }
    if let Some(n) = &a.contains {
        if contains(v, n) != Some(true) {
            out.push(at.finding(format!("a value containing {}", show(n)), show(v)));
        }
    }
    if let Some(n) = &a.not_contains {
        if contains(v, n) != Some(false) {
            out.push(at.finding(format!("a value not containing {}", show(n)), show(v)));
        }
    }
    if let Some(len) = a.length {
        if size(v) != Some(len) {
            out.push(at.finding(
                format!("length {len}"),
                size(v).map_or_else(|| show(v), |s| format!("length {s}")),
            ));
        }
    }
    if let Some(min) = a.min_length {
        if size(v).is_none_or(|s| s < min) {
            out.push(at.finding(
                format!("length at least {min}"),
                size(v).map_or_else(|| show(v), |s| format!("length {s}")),
            ));
        }
    }
    if let Some(min) = a.at_least {
        if v.as_f64().is_none_or(|n| n < min) {
            out.push(at.finding(format!("a number ≥ {min}"), show(v)));
        }
    }
    out
}

#[cfg(test)]
mod tests {
    use super::*;
    use serde_json::json;

    fn a(v: Value) -> Assertion {
        serde_json::from_value(v).unwrap()
    }

    #[test]
    fn negative_assertions_hold_for_absent_values() {
        assert!(check(FindingKind::Body, "x", &a(json!({"not_equals": "v"})), None).is_empty());
        assert!(
            check(
                FindingKind::Body,
                "x",
                &a(json!({"not_contains": {"value": "g"}})),
                None
            )
            .is_empty()
        );
        assert_eq!(
            check(
                FindingKind::Body,
                "x",
                &a(json!({"not_equals": "v", "type": "string"})),
                None
            )
            .len(),
            1
        );
    }

    #[test]
    fn present_and_absent_treat_null_as_absent() {
        assert!(
            check(
                FindingKind::Body,
                "x",
                &a(json!({"present": true})),
                Some(&json!(1))
            )
            .is_empty()
        );
        assert_eq!(
            check(
                FindingKind::Body,
                "x",
                &a(json!({"present": true})),
                Some(&Value::Null)
            )
            .len(),
            1
        );
        assert!(check(FindingKind::Body, "x", &a(json!({"absent": true})), None).is_empty());
        assert_eq!(
            check(
                FindingKind::Body,
                "x",
                &a(json!({"absent": true})),
                Some(&json!("pw"))
            )
            .len(),
            1
        );
    }

    #[test]
    fn equals_is_exact_including_type() {
        assert!(
            check(
                FindingKind::Body,
                "s",
                &a(json!({"equals": "404"})),
                Some(&json!("404"))
            )
            .is_empty()
        );
        let f = check(
            FindingKind::Body,
            "s",
            &a(json!({"equals": "404"})),
            Some(&json!(404)),
        );
        assert_eq!(f[0].to_string(), "body s: expected \"404\", got 404");
    }

    #[test]
    fn type_matches_contains_length() {
        assert_eq!(
            check(
                FindingKind::Body,
                "t",
                &a(json!({"type": "boolean"})),
                Some(&json!("true"))
            )
            .len(),
            1
        );
        assert!(
            check(
                FindingKind::Body,
                "t",
                &a(json!({"type": "integer"})),
                Some(&json!(3))
            )
            .is_empty()
        );
        assert!(
            check(
                FindingKind::Body,
                "m",
                &a(json!({"matches": "^application/scim\\+json"})),
                Some(&json!("application/scim+json; charset=utf-8"))
            )
            .is_empty()
        );
        assert_eq!(
            check(
                FindingKind::Body,
                "m",
                &a(json!({"matches": "^a"})),
                Some(&json!(1))
            )
            .len(),
            1
        );
        assert!(
            check(
                FindingKind::Body,
                "c",
                &a(json!({"contains": "u"})),
                Some(&json!(["u", "v"]))
            )
            .is_empty()
        );
        assert_eq!(
            check(
                FindingKind::Body,
                "c",
                &a(json!({"not_contains": "u"})),
                Some(&json!(["u"]))
            )
            .len(),
            1
        );
        assert!(
            check(
                FindingKind::Body,
                "l",
                &a(json!({"length": 0})),
                Some(&json!([]))
            )
            .is_empty()
        );
        assert_eq!(
            check(
                FindingKind::Body,
                "l",
                &a(json!({"min_length": 1})),
                Some(&json!(""))
            )
            .len(),
            1
        );
        assert!(
            check(
                FindingKind::Body,
                "n",
                &a(json!({"at_least": 1})),
                Some(&json!(2))
            )
            .is_empty()
        );
        assert!(
            check(
                FindingKind::Body,
                "o",
                &a(json!({"one_of": [200, 204]})),
                Some(&json!(204))
            )
            .is_empty()
        );
    }
}
