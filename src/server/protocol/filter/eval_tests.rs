//! Evaluator and validator tests over the catalogue's fixture users (CATALOGUE §9, U1–U4), for
//! every operator, and for each fault-driven deviation in `FilterPolicy`.

use serde_json::{Value, json};

use super::*;
use crate::server::model::schema::{ENTERPRISE_URN, user_type};

fn users() -> Vec<Value> {
    vec![
        json!({"id": "u1", "userName": "bjensen@example.com", "externalId": "ExtAbc", "active": true,
               "title": "Tour Guide", "userType": "Employee",
               "name": {"familyName": "Jensen", "givenName": "Barbara"},
               "emails": [{"value": "bjensen@example.com", "type": "work"},
                          {"value": "babs@home.example.org", "type": "home"}],
               ENTERPRISE_URN: {"employeeNumber": "701984", "manager": {"value": "u4"}},
               "meta": {"created": "2026-01-01T10:00:00.000Z", "lastModified": "2026-03-01T09:30:00.000Z"}}),
        json!({"id": "U2", "userName": "JSmith@Example.com", "active": true, "userType": "Contractor",
               "title": "", "displayName": "a \"q\" b",
               "emails": [{"value": "js@example.org", "type": "work"}],
               "meta": {"created": "2026-01-01T10:00:00.000Z", "lastModified": "2026-01-01T10:00:00.000Z"}}),
        json!({"id": "u3", "userName": "carol", "active": false, "name": {"familyName": "O'Malley"},
               "meta": {"created": "2026-01-01T10:00:00.000Z", "lastModified": "2025-12-31T21:30:00.000Z"}}),
        json!({"id": "u4", "userName": "dave", "active": true,
               "emails": [{"value": "u4@other.test", "type": "work"},
                          {"value": "u4@example.com", "type": "home"}],
               "meta": {"created": "2026-01-01T10:00:00.000Z", "lastModified": "2026-01-01T10:00:00.000Z"}}),
    ]
}

fn ids_with(filter: &str, options: &FilterPolicy) -> Result<Vec<String>, String> {
    let filter = parse_with(filter, options).map_err(|e| e.0)?;
    validate_with(&filter, user_type(), options).map_err(|e| e.message)?;
    Ok(users()
        .iter()
        .filter(|u| matches_with(&filter, u, user_type(), options))
        .map(|u| u["id"].as_str().unwrap_or_default().to_owned())
        .collect())
}

fn ids(filter: &str) -> Vec<String> {
    ids_with(filter, &FilterPolicy::default()).unwrap_or_else(|e| panic!("{filter}: {e}"))
}

#[test]
fn catalogue_filters_select_the_documented_users() {
    let cases: &[(&str, &[&str])] = &[
        (r#"userType ne "Employee""#, &["U2", "u3", "u4"]),
        (r#"name.familyName co "ens""#, &["u1"]),
        (r#"userName sw "bj""#, &["u1"]),
        (r#"userName ew "example.com""#, &["u1", "U2"]),
        (r#"userName sw "JSMITH""#, &["U2"]),
        (r#"userName ne "JSMITH@example.COM""#, &["u1", "u3", "u4"]),
        ("title pr", &["u1"]),
        (r#"userName ge "c""#, &["U2", "u3", "u4"]),
        (r#"userName lt "c""#, &["u1"]),
        (r#"userType eq "Employee" and title pr"#, &["u1"]),
        (
            r#"userName eq "a" or userName eq "bjensen@example.com""#,
            &["u1"],
        ),
        (r#"not (userType eq "Employee")"#, &["U2", "u3", "u4"]),
        (
            r#"userType eq "X" and title pr or userName eq "JSmith@Example.com""#,
            &["U2"],
        ),
        (
            r#"userType eq "Employee" and (emails co "example.com" or emails.value co "example.org")"#,
            &["u1"],
        ),
        (r#"emails.value eq "babs@home.example.org""#, &["u1"]),
        (r#"emails co "example.org""#, &["u1", "U2"]),
        (
            r#"emails[type eq "work" and value co "@example.com"]"#,
            &["u1"],
        ),
        (
            r#"emails.type eq "work" and emails.value co "@example.com""#,
            &["u1", "u4"],
        ),
        (
            r#"emails[type eq "work" and value co "@example.com"] or emails[type eq "home"]"#,
            &["u1", "u4"],
        ),
        (
            r#"emails[type eq "home" and (value ew ".org" or value ew ".net")]"#,
            &["u1"],
        ),
        (r#"emails[not (type eq "work")]"#, &["u1", "u4"]),
        (
            r#"urn:ietf:params:scim:schemas:core:2.0:User:userName sw "bj""#,
            &["u1"],
        ),
        (
            r#"urn:ietf:params:scim:schemas:extension:enterprise:2.0:User:employeeNumber eq "701984""#,
            &["u1"],
        ),
        (r#"USERNAME eq "bjensen@example.com""#, &["u1"]),
        (r#"userName EQ "x" OR userName Eq "carol""#, &["u3"]),
        (r#"NOT (active eq TRUE)"#, &["u3"]),
        (r#"name.familyName co "O'Malley""#, &["u3"]),
        (r#"displayName eq "a \"q\" b""#, &["U2"]),
        ("title eq null", &["U2", "u3", "u4"]),
        ("title ne null", &["u1"]),
        ("name pr", &["u1", "u3"]),
        ("emails pr", &["u1", "U2", "u4"]),
        ("nickName pr", &[]),
    ];
    for (filter, want) in cases {
        assert_eq!(ids(filter), *want, "{filter}");
    }
}

#[test]
fn datetimes_compare_as_instants() {
    assert_eq!(
        ids(r#"meta.lastModified gt "2026-01-01T00:00:00+02:00""#),
        ["u1", "U2", "u4"]
    );
    // 2026-01-01T00:30:00+03:00 is 2025-12-31T21:30Z: u3 was modified exactly then.
    assert_eq!(
        ids(r#"meta.lastModified ge "2026-01-01T00:30:00+03:00""#),
        ["u1", "U2", "u3", "u4"]
    );
    assert_eq!(
        ids(r#"meta.lastModified lt "2026-01-01T00:30:00+03:00""#),
        Vec::<String>::new()
    );
    assert_eq!(
        ids(r#"meta.lastModified eq "2026-03-01T10:30:00+01:00""#),
        ["u1"]
    );
    let raw = FilterPolicy {
        datetime_as_string: true,
        ..FilterPolicy::default()
    };
    assert_eq!(
        ids_with(r#"meta.lastModified ge "2026-01-01T00:30:00+03:00""#, &raw).unwrap(),
        ["u1", "U2", "u4"]
    );
}

#[test]
fn schema_mismatches_are_refused() {
    for bad in [
        "active gt true",
        r#"active co "t""#,
        "x509Certificates.value lt \"a\"",
        r#"meta.created gt "yesterday""#,
        "title gt null",
        "title co 1",
        r#"nope eq "x""#,
        r#"name eq "x""#,
        r#"emails[nope eq "x"]"#,
        r#"emails[value.x eq "x"]"#,
        r#"userName[value eq "x"]"#,
        r#"name.givenName[value eq "x"]"#,
        r#"password eq "secret""#,
        "password pr",
    ] {
        assert!(ids_with(bad, &FilterPolicy::default()).is_err(), "{bad}");
    }
    let filter = parse(r#"nope eq "x""#).unwrap();
    assert!(
        validate_with(&filter, user_type(), &FilterPolicy::default())
            .unwrap_err()
            .unknown_attribute
    );
    let filter = parse("active gt true").unwrap();
    assert!(
        !validate_with(&filter, user_type(), &FilterPolicy::default())
            .unwrap_err()
            .unknown_attribute
    );
}

fn with(change: impl FnOnce(&mut FilterPolicy)) -> FilterPolicy {
    let mut options = FilterPolicy::default();
    change(&mut options);
    options
}

#[test]
fn fault_options_deviate_as_named() {
    let run = |filter: &str, options: FilterPolicy| ids_with(filter, &options);
    let names = with(|o| o.names_exact = true);
    assert!(run(r#"USERNAME eq "carol""#, names).is_err());
    let exact = with(|o| o.case = CaseRule::AlwaysExact);
    assert_eq!(run(r#"userName eq "CAROL""#, exact), Ok(vec![]));
    let loose = with(|o| o.case = CaseRule::NeverExact);
    assert_eq!(
        run(r#"externalId eq "extabc""#, loose),
        Ok(vec!["u1".into()])
    );
    let co = with(|o| o.co_as_eq = true);
    assert_eq!(run(r#"userName co "carol""#, co), Ok(vec!["u3".into()]));
    assert_eq!(run(r#"userName co "aro""#, co), Ok(vec![]));
    let sw = with(|o| o.sw_as_co = true);
    assert_eq!(run(r#"userName sw "aro""#, sw), Ok(vec!["u3".into()]));
    let ew = with(|o| o.ew_unsupported = true);
    assert!(run(r#"userName ew "ol""#, ew).is_err());
    let ne = with(|o| o.ne_as_eq = true);
    assert_eq!(run(r#"userName ne "carol""#, ne), Ok(vec!["u3".into()]));
    let not = with(|o| o.not_ignored = true);
    assert_eq!(
        run(r#"not (userName eq "carol")"#, not),
        Ok(vec!["u3".into()])
    );
    let pr = with(|o| o.pr_counts_empty = true);
    assert_eq!(run("title pr", pr), Ok(vec!["u1".into(), "U2".into()]));
    let cross = with(|o| o.cross_element = true);
    assert_eq!(
        run(
            r#"emails[type eq "work" and value co "@example.com"]"#,
            cross
        ),
        Ok(vec!["u1".into(), "u4".into()])
    );
}

#[test]
fn bare_extension_names_resolve_and_manager_compares_its_value() {
    // Entra's manager probe: `manager` unqualified, compared by its `value`.
    assert_eq!(ids(r#"id eq "u1" and manager eq "u4""#), ["u1"]);
    assert!(ids(r#"id eq "u1" and manager eq "u3""#).is_empty());
    assert_eq!(ids(r#"employeeNumber eq "701984""#), ["u1"]);
    let strict = with(|p| p.extensions_qualified_only = true);
    let refused = ids_with(r#"manager eq "u4""#, &strict).unwrap_err();
    assert!(refused.contains("unknown attribute 'manager'"), "{refused}");
    // A complex attribute without `value` still needs a sub-attribute.
    let e = ids_with(r#"name eq "x""#, &FilterPolicy::default()).unwrap_err();
    assert!(e.contains("is complex"), "{e}");
}
