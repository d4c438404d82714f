//! Unit tests for value-filter paths, Entra and Okta request shapes, and the PATCH faults.

use serde_json::json;

use super::tests::{object, patch, patch_with, scim_type};
use super::*;
use crate::server::model::Policies;
use crate::server::model::schema::{ENTERPRISE_URN, group_type, user_type};
use crate::server::protocol::error::ScimType;

fn two_emails() -> Value {
    json!([{"op": "add", "path": "emails", "value": [{"value": "home@x", "type": "home"}]},
           {"op": "add", "path": "addresses", "value": [
               {"type": "work", "streetAddress": "1 Main", "locality": "Here"},
               {"type": "home", "streetAddress": "2 Side"}]}])
}

fn then(ops: Value) -> Result<Map<String, Value>, ScimError> {
    let mut all = two_emails().as_array().cloned().unwrap_or_default();
    all.extend(ops.as_array().cloned().unwrap_or_default());
    patch(Value::Array(all))
}

#[test]
fn value_filters_touch_only_matching_elements() {
    let out = then(json!([
        {"op": "Replace", "path": "emails[type eq \"work\"].value", "value": "new@x"},
        {"op": "remove", "path": "addresses[type eq \"work\"].streetAddress"},
    ]))
    .unwrap();
    assert_eq!(
        out["emails"],
        json!([{"value": "new@x", "type": "work", "primary": true},
               {"value": "home@x", "type": "home"}])
    );
    assert_eq!(
        out["addresses"],
        json!([{"type": "work", "locality": "Here"}, {"type": "home", "streetAddress": "2 Side"}])
    );
    let out = then(json!([{"op": "remove", "path": "Emails[Type eq \"HOME\"]"}])).unwrap();
    assert_eq!(out["emails"].as_array().map(Vec::len), Some(1));
    let out = then(json!([{"op": "replace", "path": "emails[type eq \"home\"]",
        "value": {"value": "h2@x", "type": "home"}}]))
    .unwrap();
    assert_eq!(out["emails"][1], json!({"value": "h2@x", "type": "home"}));
    let out =
        then(json!([{"op": "add", "path": "emails[type eq \"other\"].value", "value": "o@x"}]))
            .unwrap();
    assert_eq!(out["emails"][2], json!({"type": "other", "value": "o@x"}));
}

#[test]
fn primary_stays_unique() {
    let op = json!([{"op": "replace", "path": "emails[type eq \"home\"].primary", "value": true}]);
    let out = then(op.clone()).unwrap();
    assert_eq!(out["emails"][0]["primary"], false);
    assert_eq!(out["emails"][1]["primary"], true);
    let ops = two_emails()
        .as_array()
        .cloned()
        .unwrap()
        .into_iter()
        .chain(op.as_array().cloned().unwrap());
    let out = patch_with(
        |p| p.input.primary_not_unique = true,
        Value::Array(ops.collect()),
    )
    .unwrap();
    assert_eq!(
        (&out["emails"][0]["primary"], &out["emails"][1]["primary"]),
        (&json!(true), &json!(true))
    );
}

#[test]
fn unmatched_filters_are_no_target() {
    for op in ["replace", "remove"] {
        let ops = json!([{"op": op, "path": "emails[type eq \"pager\"].value", "value": "x"}]);
        assert_eq!(scim_type(patch(ops.clone())), Some(ScimType::NoTarget));
        assert!(patch_with(|p| p.patch.no_target_ignored = true, ops).is_ok());
    }
    let bad = json!([{"op": "remove", "path": "emails[type zz \"work\"]"}]);
    assert_eq!(scim_type(patch(bad)), Some(ScimType::InvalidFilter));
    let filtered = json!([{"op": "remove", "path": "emails[type eq \"work\"]"}]);
    let err = patch_with(|p| p.patch.value_filter_unsupported = true, filtered).unwrap_err();
    assert_eq!(err.status, 501);
}

#[test]
fn entra_shapes() {
    let out = patch(json!([
        {"op": "Replace", "path": "active", "value": "False"},
        {"op": "Add", "path": "manager", "value": [{"$ref": "http://x/Users/m", "value": "m"}]},
    ]))
    .unwrap();
    assert_eq!(out["active"], false);
    assert_eq!(
        out[ENTERPRISE_URN]["manager"],
        json!({"value": "m", "$ref": "http://x/Users/m"})
    );
    let banana = json!([{"op": "replace", "path": "active", "value": "banana"}]);
    assert_eq!(scim_type(patch(banana)), Some(ScimType::InvalidValue));
    let entra = json!([{"op": "replace", "path": "active", "value": "TRUE"}]);
    let rejected = patch_with(|p| p.patch.reject_string_booleans = true, entra);
    assert_eq!(scim_type(rejected), Some(ScimType::InvalidValue));
    let capital = json!([{"op": "Replace", "path": "title", "value": "T"}]);
    let refused = patch_with(|p| p.patch.op_case_sensitive = true, capital);
    assert_eq!(scim_type(refused), Some(ScimType::InvalidSyntax));
    let mixed = json!([{"op": "replace", "path": "Title", "value": "T"}]);
    let refused = patch_with(|p| p.patch.path_names_exact = true, mixed);
    assert_eq!(scim_type(refused), Some(ScimType::InvalidPath));
    let out =
        then(json!([{"op": "Remove", "path": "emails", "value": [{"value": "home@x"}]}])).unwrap();
    assert_eq!(out["emails"].as_array().map(Vec::len), Some(1));
}

#[test]
fn manager_forms_and_removal() {
    let path = format!("{ENTERPRISE_URN}:manager");
    let out = patch(json!([{"op": "add", "path": path, "value": "m1"}])).unwrap();
    assert_eq!(out[ENTERPRISE_URN]["manager"], json!({"value": "m1"}));
    let out = patch(json!([
        {"op": "add", "path": path, "value": {"value": "m1", "displayName": "fake"}},
        {"op": "remove", "path": format!("{path}.value")},
    ]))
    .unwrap();
    assert!(!out.contains_key(ENTERPRISE_URN), "{out:?}");
    let out = patch(json!([
        {"op": "add", "path": path, "value": "m1"},
        {"op": "replace", "path": path, "value": ""},
    ]))
    .unwrap();
    assert!(!out.contains_key(ENTERPRISE_URN));
}

#[test]
fn add_dedupes_and_faults_change_it() {
    let again = json!([{"op": "add", "path": "emails",
        "value": [{"value": "work@x", "type": "work", "primary": true}]}]);
    let out = patch(again.clone()).unwrap();
    assert_eq!(out["emails"].as_array().map(Vec::len), Some(1));
    let out = patch_with(|p| p.patch.add_duplicates = true, again).unwrap();
    assert_eq!(out["emails"].as_array().map(Vec::len), Some(2));
    let other = json!([{"op": "add", "path": "emails", "value": [{"value": "o@x"}]}]);
    let out = patch_with(|p| p.patch.add_replaces = true, other).unwrap();
    assert_eq!(out["emails"], json!([{"value": "o@x"}]));
    let filtered = json!([{"op": "add", "path": "emails", "value": [{"value": "o@x", "type": "other"}]},
        {"op": "remove", "path": "emails[type eq \"other\"]"}]);
    assert!(
        !patch_with(|p| p.patch.remove_filter_removes_all = true, filtered)
            .unwrap()
            .contains_key("emails")
    );
}

#[test]
fn failures_report_the_partial_result() {
    let body = object(json!({"schemas": [PATCH_OP_URN], "Operations": [
        {"op": "replace", "path": "title", "value": "Changed"},
        {"op": "replace", "path": "no..such", "value": 1},
    ]}));
    let settings = Settings::for_tests(&[]);
    let failure = apply(
        &object(json!({"userName": "u"})),
        &body,
        user_type(),
        &settings,
        "a",
    )
    .unwrap_err();
    assert_eq!(failure.error.scim_type, Some(ScimType::InvalidPath));
    assert_eq!(failure.partial["title"], "Changed");
}

#[test]
fn read_only_and_required_faults() {
    let ops = json!([{"op": "replace", "path": "meta.created", "value": "2001-01-01T00:00:00Z"},
                     {"op": "replace", "path": "id", "value": "new"}]);
    assert_eq!(scim_type(patch(ops.clone())), Some(ScimType::Mutability));
    let out = patch_with(|p| p.patch.readonly_allowed = true, ops).unwrap();
    assert_eq!(
        (&out["id"], &out["meta"]["created"]),
        (&json!("new"), &json!("2001-01-01T00:00:00Z"))
    );
    let groups = json!([{"op": "add", "path": "groups", "value": [{"value": "g"}]}]);
    let refused = patch_with(|p| p.patch.readonly_allowed = true, groups);
    assert_eq!(scim_type(refused), Some(ScimType::Mutability));
    let remove = json!([{"op": "remove", "path": "userName"}]);
    assert!(
        !patch_with(|p| p.patch.remove_required_allowed = true, remove)
            .unwrap()
            .contains_key("userName")
    );
}

fn group_patch(edit: fn(&mut Policies), ops: Value) -> Result<Map<String, Value>, ScimError> {
    let group = object(json!({"displayName": "G", "members": [{"value": "u1"}, {"value": "u2"}]}));
    let body = object(json!({"schemas": [PATCH_OP_URN], "Operations": ops}));
    apply(
        &group,
        &body,
        group_type(),
        &Settings::with(|_, p| edit(p)),
        "g",
    )
    .map_err(|failure| failure.error)
}

#[test]
fn group_members() {
    let out = group_patch(
        |_| {},
        json!([
            {"op": "remove", "path": "members[value eq \"u1\"]"},
            {"op": "add", "path": "members", "value": [{"value": "u3", "display": "Three"}]},
            {"op": "replace", "value": {"id": "g", "displayName": "Renamed"}},
        ]),
    )
    .unwrap();
    assert_eq!(
        out["members"],
        json!([{"value": "u2"}, {"value": "u3", "display": "Three"}])
    );
    assert_eq!(out["displayName"], "Renamed");
    let out = group_patch(
        |_| {},
        json!([{"op": "Remove", "path": "members", "value": [{"$ref": null, "value": "u2"}]}]),
    )
    .unwrap();
    assert_eq!(out["members"], json!([{"value": "u1"}]));
    let out = group_patch(
        |_| {},
        json!([{"op": "replace", "path": "members", "value": []}]),
    )
    .unwrap();
    assert!(!out.contains_key("members"));
    let rename = json!([{"op": "replace", "value": {"displayName": "R"}}]);
    let out = group_patch(
        |p| p.patch.group_pathless_replace_clears_members = true,
        rename,
    )
    .unwrap();
    assert!(!out.contains_key("members"));
    let immutable =
        json!([{"op": "replace", "path": "members[value eq \"u1\"].value", "value": "u9"}]);
    assert_eq!(
        scim_type(group_patch(|_| {}, immutable)),
        Some(ScimType::Mutability)
    );
    let required = json!([{"op": "remove", "path": "displayName"}]);
    assert_eq!(
        scim_type(group_patch(|_| {}, required)),
        Some(ScimType::Mutability)
    );
}
