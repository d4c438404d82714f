//! Evaluation of each predicate, and of absent and null values.
use super::*;
use serde_json::json;

fn a(v: Value) -> Assertion {
    crate::load::assertion_of(&v)
}

fn check(kind: FindingKind, target: &str, a: &Assertion, value: Option<&Value>) -> Vec<Finding> {
    let ready = render(a, &Vars::default()).unwrap();
    super::check(kind, target, &ready, value)
}

#[test]
fn a_templated_pattern_is_compiled_once_rendered() {
    let a = a(json!({"matches": "^${id}$", "not_matches": "${id}x"}));
    let mut vars = Vars::default();
    vars.captured.insert("id".into(), json!("a+"));
    let ready = render(&a, &vars).unwrap();
    assert!(super::check(FindingKind::Body, "x", &ready, Some(&json!("aa"))).is_empty());
    let f = super::check(FindingKind::Body, "x", &ready, Some(&json!("b")));
    assert_eq!(
        f[0].to_string(),
        "body x: expected a value matching /^a+$/, got \"b\""
    );
    vars.captured.insert("id".into(), json!("("));
    let ready = render(&a, &vars).unwrap();
    let f = super::check(FindingKind::Body, "x", &ready, Some(&json!("b")));
    assert!(
        f[0].expected
            .starts_with("a valid regular expression /^($/"),
        "{f:?}"
    );
    assert!(matches!(
        render(&a, &Vars::default()),
        Err(TemplateError::Undefined(_))
    ));
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
