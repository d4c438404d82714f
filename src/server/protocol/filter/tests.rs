//! Filter parser tests and the original eq evaluator tests, including a no-panic sweep over
//! generated garbage.

use serde_json::{Value, json};

use super::*;
use crate::server::model::schema::{ENTERPRISE_URN, user_type};

fn eq(path: &str, value: CompValue) -> Filter {
    Filter::Compare {
        path: AttrPath::parse(path).unwrap(),
        op: CompareOp::Eq,
        value,
    }
}

#[test]
fn parses_eq_with_every_literal_kind() {
    assert_eq!(
        parse(r#"userName eq "bjensen""#),
        Ok(eq("userName", CompValue::Str("bjensen".into())))
    );
    assert_eq!(
        parse("active EQ TRUE"),
        Ok(eq("active", CompValue::Bool(true)))
    );
    assert_eq!(
        parse("active eq false"),
        Ok(eq("active", CompValue::Bool(false)))
    );
    assert_eq!(parse("title eq null"), Ok(eq("title", CompValue::Null)));
    assert_eq!(
        parse("x eq -1.5e3"),
        Ok(eq(
            "x",
            CompValue::Num(serde_json::Number::from_f64(-1500.0).unwrap())
        ))
    );
    assert_eq!(
        parse(r#"title eq "a \"quoted\" \u00e9""#),
        Ok(eq("title", CompValue::Str("a \"quoted\" é".into())))
    );
}

#[test]
fn parses_and_left_associatively_with_groups() {
    let a = eq("a", CompValue::Bool(true));
    let b = eq("b", CompValue::Bool(true));
    let c = eq("c", CompValue::Bool(true));
    let and = |l: Filter, r: Filter| Filter::And(Box::new(l), Box::new(r));
    assert_eq!(
        parse("a eq true and b eq true AND c eq true"),
        Ok(and(and(a.clone(), b.clone()), c.clone()))
    );
    assert_eq!(
        parse("a eq true and (b eq true and c eq true)"),
        Ok(and(a, and(b, c)))
    );
}

#[test]
fn parses_urn_and_sub_attribute_paths() {
    let filter = parse(&format!(r#"{ENTERPRISE_URN}:manager.value eq "x""#)).unwrap();
    let Filter::Compare { path, .. } = filter else {
        panic!("comparison expected")
    };
    assert_eq!(path.urn.as_deref(), Some(ENTERPRISE_URN));
    assert_eq!(path.sub.as_deref(), Some("value"));
}

#[test]
fn refuses_invalid_and_unsupported_filters() {
    for bad in [
        "",
        "   ",
        "userName",
        "userName eq",
        r#"userName eq "x" and"#,
        r#"userName eq "x" or"#,
        r#"not userName eq "x""#,
        r#"not (userName eq "x""#,
        "title pr pr",
        r#"emails[type eq "work""#,
        r#"emails[type eq "work"))"#,
        r#"emails[roles[value eq "x"]]"#,
        r#"emails[type eq "work"].value eq "x""#,
        "emails[]",
        r#"userName eq "unterminated"#,
        r#"userName eq bare"#,
        r#"(userName eq "x""#,
        r#"userName eq "x")"#,
        r#"userName zz "x""#,
        r#""x" eq userName"#,
        "1abc eq 1",
        "user name eq 1",
        r#"userName eq "x" userName eq "y""#,
        &"(".repeat(10_000),
        &format!("{}title pr{}", "(".repeat(33), ")".repeat(33)),
        &format!("{}title pr{}", "not (".repeat(33), ")".repeat(33)),
        &vec!["title pr"; 1001].join(" or "),
    ] {
        assert!(parse(bad).is_err(), "{bad:?} should not parse");
    }
}

#[test]
fn never_panics_on_garbage() {
    const ALPHABET: &[&str] = &[
        "(", ")", "[", "]", "\"", "\\", " ", "eq", "and", "or", "not", "pr", "userName", ".", ":",
        "urn:", "1", "-", "e", "true", "null", "é", "山", "$ref", "\u{0}", "\"x\"", "emails",
    ];
    let mut state: u64 = 0x9E37_79B9_7F4A_7C15;
    let mut next = || {
        state ^= state << 13;
        state ^= state >> 7;
        state ^= state << 17;
        state
    };
    let rt = user_type();
    let view = json!({"userName": "x", "emails": [{"value": "a"}]});
    for _ in 0..5_000 {
        let len = (next() % 12) as usize;
        let text: String = (0..len)
            .map(|_| ALPHABET[(next() % ALPHABET.len() as u64) as usize])
            .collect();
        if let Ok(filter) = parse(&text) {
            if validate(&filter, rt).is_ok() {
                matches(&filter, &view, rt);
            }
        }
    }
}

fn users() -> Vec<Value> {
    vec![
        json!({"id": "u1", "userName": "bjensen@example.com", "externalId": "ExtAbc", "active": true,
               "name": {"familyName": "Jensen"},
               "emails": [{"value": "bjensen@example.com", "type": "work"}, {"value": "babs@home.example.org", "type": "home"}],
               ENTERPRISE_URN: {"employeeNumber": "701984"}}),
        json!({"id": "U2", "userName": "JSmith@Example.com", "active": false,
               "emails": [{"value": "js@example.org", "type": "work"}]}),
    ]
}

fn ids(filter: &str) -> Vec<String> {
    let filter = parse(filter).unwrap();
    validate(&filter, user_type()).unwrap();
    users()
        .iter()
        .filter(|u| matches(&filter, u, user_type()))
        .map(|u| u["id"].as_str().unwrap().to_owned())
        .collect()
}

#[test]
fn evaluates_eq_per_schema_case_exactness() {
    assert_eq!(ids(r#"userName eq "BJENSEN@EXAMPLE.COM""#), ["u1"]);
    assert_eq!(ids(r#"USERNAME Eq "jsmith@example.com""#), ["U2"]);
    assert_eq!(ids(r#"externalId eq "extabc""#), Vec::<String>::new());
    assert_eq!(ids(r#"externalId eq "ExtAbc""#), ["u1"]);
    assert_eq!(ids(r#"id eq "u2""#), Vec::<String>::new());
    assert_eq!(ids(r#"id eq "U2""#), ["U2"]);
    assert_eq!(ids("active eq false"), ["U2"]);
    assert_eq!(ids(r#"name.familyName eq "jensen""#), ["u1"]);
    assert_eq!(ids(r#"emails.value eq "babs@home.example.org""#), ["u1"]);
    assert_eq!(ids(r#"emails eq "JS@example.org""#), ["U2"]);
    assert_eq!(
        ids(&format!(r#"{ENTERPRISE_URN}:employeeNumber eq "701984""#)),
        ["u1"]
    );
    assert_eq!(ids(r#"emails.type eq "work" and active eq true"#), ["u1"]);
    assert_eq!(ids("externalId eq null"), ["U2"]);
    assert_eq!(ids(r#"active eq "true""#), Vec::<String>::new());
}

#[test]
fn validation_refuses_unknown_or_complex_attributes() {
    for bad in [
        r#"nope eq "x""#,
        r#"name eq "x""#,
        r#"name.nope eq "x""#,
        r#"urn:x:y eq 1"#,
    ] {
        let filter = parse(bad).unwrap();
        let err = validate(&filter, user_type()).unwrap_err();
        assert_eq!(err.status, 400, "{bad}");
    }
}

fn pr(path: &str) -> Filter {
    Filter::Present(AttrPath::parse(path).unwrap())
}

fn cmp(path: &str, op: CompareOp, value: &str) -> Filter {
    Filter::Compare {
        path: AttrPath::parse(path).unwrap(),
        op,
        value: CompValue::Str(value.into()),
    }
}

fn and(l: Filter, r: Filter) -> Filter {
    Filter::And(Box::new(l), Box::new(r))
}

fn or(l: Filter, r: Filter) -> Filter {
    Filter::Or(Box::new(l), Box::new(r))
}

#[test]
fn parses_every_operator_in_any_case() {
    for op in CompareOp::ALL {
        for spelled in [op.keyword().to_owned(), op.keyword().to_uppercase()] {
            assert_eq!(
                parse(&format!(r#"title {spelled} "x""#)),
                Ok(cmp("title", op, "x"))
            );
        }
    }
    assert_eq!(parse("title PR"), Ok(pr("title")));
    let strict = FilterPolicy {
        operators_case_sensitive: true,
        ..FilterPolicy::default()
    };
    assert!(parse_with(r#"title EQ "x""#, &strict).is_err());
    assert!(parse_with(r#"title pr AND title pr"#, &strict).is_err());
    assert!(parse_with(r#"NOT (title pr)"#, &strict).is_err());
    assert_eq!(parse_with("title pr", &strict), Ok(pr("title")));
}

#[test]
fn precedence_is_not_then_and_then_or() {
    let (a, b, c) = (pr("a"), pr("b"), pr("c"));
    assert_eq!(
        parse("a pr or b pr and c pr"),
        Ok(or(a.clone(), and(b.clone(), c.clone())))
    );
    assert_eq!(
        parse("a pr AND b pr Or c pr"),
        Ok(or(and(a.clone(), b.clone()), c.clone()))
    );
    assert_eq!(
        parse("(a pr or b pr) and c pr"),
        Ok(and(or(a.clone(), b.clone()), c.clone()))
    );
    assert_eq!(
        parse("not (a pr) and b pr"),
        Ok(and(Filter::Not(Box::new(a.clone())), b.clone()))
    );
    let loose = FilterPolicy {
        and_looser_than_or: true,
        ..FilterPolicy::default()
    };
    assert_eq!(
        parse_with("a pr or b pr and c pr", &loose),
        Ok(and(or(a, b), c))
    );
}

#[test]
fn parses_value_filters() {
    let inner = and(
        cmp("type", CompareOp::Eq, "home"),
        or(
            cmp("value", CompareOp::Ew, ".org"),
            cmp("value", CompareOp::Ew, ".net"),
        ),
    );
    assert_eq!(
        parse(r#"emails[type eq "home" and (value ew ".org" or value ew ".net")]"#),
        Ok(Filter::ValuePath {
            path: AttrPath::parse("emails").unwrap(),
            filter: Box::new(inner),
        })
    );
    let filter = parse(r#"emails[type eq "work"] or userName eq "x""#).unwrap();
    assert!(matches!(filter, Filter::Or(ref l, _) if matches!(**l, Filter::ValuePath { .. })));
}

#[test]
fn an_attribute_named_not_is_still_a_path() {
    assert_eq!(parse("not pr"), Ok(pr("not")));
}

#[test]
fn prints_what_it_parses() {
    for text in [
        r#"userName eq "a \"q\" b" and not (title pr or title co "O'Malley")"#,
        r#"emails[type eq "work" and (value ew ".org" or value ew ".net")] or active eq false"#,
        "meta.lastModified gt \"2026-01-01T00:00:00+02:00\" and x le -1.5",
        "urn:ietf:params:scim:schemas:core:2.0:User:userName sw \"bj\"",
        "(a pr and b pr) and c eq null",
    ] {
        let filter = parse(text).unwrap();
        assert_eq!(filter.to_string(), text);
        assert_eq!(parse(&filter.to_string()), Ok(filter));
    }
}
