//! Sorting tests: types, case, direction, missing values, multi-valued primaries, URN paths,
//! and each sorting fault.

use serde_json::{Value, json};

use super::*;
use crate::server::model::Policies;
use crate::server::model::schema::{ENTERPRISE_URN, user_type};

fn views() -> Vec<(&'static str, Value)> {
    vec![
        (
            "a",
            json!({"userName": "JSmith", "title": "b", "active": true,
            "emails": [{"value": "z@x"}, {"value": "a@x", "primary": true}],
            "meta": {"lastModified": "2026-01-01T10:00:00+02:00"}}),
        ),
        (
            "b",
            json!({"userName": "bjensen", "active": false, "title": "",
            "emails": [{"value": "m@x"}, {"value": "b@x"}],
            ENTERPRISE_URN: {"employeeNumber": "2"},
            "meta": {"lastModified": "2026-01-01T09:00:00Z"}}),
        ),
        (
            "c",
            json!({"userName": "Carol", "title": "a", "externalId": "x",
            ENTERPRISE_URN: {"employeeNumber": "1"},
            "meta": {"lastModified": "2026-01-01T08:30:00Z"}}),
        ),
        (
            "d",
            json!({"userName": "dave", "title": "a", "externalId": "X"}),
        ),
    ]
}

fn sorted_with(by: &str, order: Option<&str>, edit: fn(&mut Policies)) -> Vec<&'static str> {
    let spec = SortSpec::parse(Some(by), order, user_type())
        .unwrap()
        .unwrap();
    sort(views(), &spec, &Settings::with(|_, p| edit(p)))
        .into_iter()
        .map(|(id, _)| id)
        .collect()
}

fn sorted(by: &str, order: Option<&str>) -> Vec<&'static str> {
    sorted_with(by, order, |_| {})
}

#[test]
fn sorts_by_type_and_case_exactness() {
    assert_eq!(sorted("userName", None), ["b", "c", "d", "a"]);
    assert_eq!(sorted("USERNAME", Some("DESCENDING")), ["a", "d", "c", "b"]);
    assert_eq!(sorted("externalId", None), ["d", "c", "a", "b"]);
    assert_eq!(sorted("active", None), ["b", "a", "c", "d"]);
    // 10:00+02:00 is 08:00Z, the earliest instant.
    assert_eq!(sorted("meta.lastModified", None), ["a", "c", "b", "d"]);
    assert_eq!(
        sorted(&format!("{ENTERPRISE_URN}:employeeNumber"), None),
        ["c", "b", "a", "d"]
    );
    assert_eq!(
        sorted("urn:ietf:params:scim:schemas:core:2.0:User:userName", None),
        ["b", "c", "d", "a"]
    );
}

#[test]
fn missing_values_go_last_ascending_and_first_descending_ties_keep_creation_order() {
    assert_eq!(sorted("title", None), ["c", "d", "a", "b"]);
    assert_eq!(sorted("title", Some("descending")), ["b", "a", "c", "d"]);
}

#[test]
fn multi_valued_attributes_sort_by_primary_else_first_value() {
    assert_eq!(sorted("emails", None), ["a", "b", "c", "d"]);
    assert_eq!(
        sorted("emails.value", Some("descending")),
        ["c", "d", "b", "a"]
    );
}

#[test]
fn refuses_unknown_attributes_and_orders() {
    for (by, order) in [
        ("nope", None),
        ("password", None),
        ("name", None),
        ("emails[type eq \"work\"]", None),
        ("userName", Some("sideways")),
    ] {
        let err = SortSpec::parse(Some(by), order, user_type()).unwrap_err();
        assert_eq!(err.status, 400, "{by} {order:?}");
    }
    assert!(
        SortSpec::parse(None, Some("descending"), user_type())
            .unwrap()
            .is_none()
    );
}

#[test]
fn faults_change_the_order() {
    assert_eq!(
        sorted_with("userName", Some("descending"), |p| p.sort.order_ignored =
            true),
        ["b", "c", "d", "a"]
    );
    assert_eq!(
        sorted_with("userName", None, |p| p.sort.case_sensitive = true),
        ["c", "a", "b", "d"]
    );
    assert_eq!(
        sorted_with("title", None, |p| p.sort.missing_first = true),
        ["b", "c", "d", "a"]
    );
}
