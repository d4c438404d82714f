//! Unit tests for PATCH parsing and application, including atomicity.

use serde_json::json;

use super::*;
use crate::server::model::Policies;
use crate::server::model::schema::{ENTERPRISE_URN, user_type};
use crate::server::protocol::error::ScimType;

pub(super) fn object(value: Value) -> Map<String, Value> {
    match value {
        Value::Object(fields) => fields,
        other => panic!("object expected, got {other}"),
    }
}

fn user() -> Map<String, Value> {
    object(json!({
        "userName": "bjensen",
        "name": {"givenName": "Barbara", "familyName": "Jensen"},
        "emails": [{"value": "work@x", "type": "work", "primary": true}],
        "title": "Guide",
    }))
}

pub(super) fn patch_with(
    edit: fn(&mut Policies),
    ops: Value,
) -> Result<Map<String, Value>, ScimError> {
    let body = object(json!({"schemas": [PATCH_OP_URN], "Operations": ops}));
    apply(
        &user(),
        &body,
        user_type(),
        &Settings::with(|_, p| edit(p)),
        "abc",
    )
    .map_err(|failure| failure.error)
}

pub(super) fn patch(ops: Value) -> Result<Map<String, Value>, ScimError> {
    patch_with(|_| {}, ops)
}

pub(super) fn scim_type(result: Result<Map<String, Value>, ScimError>) -> Option<ScimType> {
    result.expect_err("patch should fail").scim_type
}

#[test]
fn add_replace_remove_simple_and_sub_attributes() {
    let out = patch(json!([
        {"op": "Add", "path": "nickName", "value": "Babs"},
        {"op": "REPLACE", "path": "name.givenName", "value": "Barb"},
        {"op": "remove", "path": "title"},
        {"op": "replace", "path": "urn:ietf:params:scim:schemas:core:2.0:User:userName", "value": "bj2"},
    ]))
    .unwrap();
    assert_eq!(out["nickName"], "Babs");
    assert_eq!(
        out["name"],
        json!({"givenName": "Barb", "familyName": "Jensen"})
    );
    assert!(!out.contains_key("title"));
    assert_eq!(out["userName"], "bj2");
}

#[test]
fn multi_valued_add_appends_and_replace_replaces() {
    let out = patch(json!([{"op": "add", "path": "emails",
        "value": [{"value": "home@x", "type": "home", "primary": true}]}]))
    .unwrap();
    assert_eq!(
        out["emails"],
        json!([{"value": "work@x", "type": "work", "primary": false},
               {"value": "home@x", "type": "home", "primary": true}])
    );
    let out =
        patch(json!([{"op": "replace", "path": "emails", "value": [{"value": "new@x"}]}])).unwrap();
    assert_eq!(out["emails"], json!([{"value": "new@x"}]));
}

#[test]
fn pathless_values_are_applied_as_paths() {
    let out = patch(json!([{"op": "replace", "value": {
        "active": false,
        "name.givenName": "B",
        "Name": {"middleName": "J"},
        "id": "abc",
        "noSuchAttr": 1,
        "urn:ietf:params:scim:schemas:extension:enterprise:2.0:User:employeeNumber": "7",
        ENTERPRISE_URN: {"department": "Tour"},
    }}]))
    .unwrap();
    assert_eq!(out["active"], false);
    assert_eq!(
        out["name"],
        json!({"givenName": "B", "familyName": "Jensen", "middleName": "J"})
    );
    assert_eq!(
        out[ENTERPRISE_URN],
        json!({"employeeNumber": "7", "department": "Tour"})
    );
    assert!(!out.contains_key("noSuchAttr") && !out.contains_key("id"));
}

#[test]
fn error_keywords() {
    assert_eq!(
        scim_type(patch(json!([{"op": "remove"}]))),
        Some(ScimType::NoTarget)
    );
    assert_eq!(
        scim_type(patch(json!([{"op": "remove", "path": "noSuch"}]))),
        Some(ScimType::InvalidPath)
    );
    assert_eq!(
        scim_type(patch(json!([{"op": "remove", "path": "name..x"}]))),
        Some(ScimType::InvalidPath)
    );
    assert_eq!(
        scim_type(patch(json!([{"op": "remove", "path": "userName"}]))),
        Some(ScimType::Mutability)
    );
    assert_eq!(
        scim_type(patch(
            json!([{"op": "replace", "path": "userName", "value": null}])
        )),
        Some(ScimType::Mutability)
    );
    assert_eq!(
        scim_type(patch(
            json!([{"op": "replace", "path": "meta.created", "value": "x"}])
        )),
        Some(ScimType::Mutability)
    );
    assert_eq!(
        scim_type(patch(
            json!([{"op": "replace", "path": "id", "value": "x"}])
        )),
        Some(ScimType::Mutability)
    );
    assert_eq!(
        scim_type(patch(
            json!([{"op": "add", "path": "groups", "value": [{"value": "g"}]}])
        )),
        Some(ScimType::Mutability)
    );
    assert_eq!(
        scim_type(patch(
            json!([{"op": "replace", "path": "active", "value": {}}])
        )),
        Some(ScimType::InvalidValue)
    );
    assert_eq!(
        scim_type(patch(json!([{"op": "move", "path": "title"}]))),
        Some(ScimType::InvalidSyntax)
    );
    assert_eq!(scim_type(patch(json!([]))), Some(ScimType::InvalidSyntax));
    assert_eq!(
        scim_type(patch(json!({"op": "add"}))),
        Some(ScimType::InvalidSyntax)
    );
    assert_eq!(
        scim_type(patch(json!([{"op": "add", "path": "title"}]))),
        Some(ScimType::InvalidSyntax)
    );
    let no_schemas = object(json!({"Operations": [{"op": "remove", "path": "title"}]}));
    let err = apply(
        &user(),
        &no_schemas,
        user_type(),
        &Settings::for_tests(&[]),
        "abc",
    )
    .unwrap_err();
    assert_eq!(err.error.scim_type, Some(ScimType::InvalidSyntax));
}

#[test]
fn failing_operation_changes_nothing() {
    let before = user();
    let body = object(json!({"schemas": [PATCH_OP_URN], "Operations": [
        {"op": "replace", "path": "title", "value": "Changed"},
        {"op": "remove", "path": "userName"},
    ]}));
    let result = apply(
        &before,
        &body,
        user_type(),
        &Settings::for_tests(&[]),
        "abc",
    );
    assert!(result.is_err());
    assert_eq!(before, user());
}

#[test]
fn removing_sub_attributes_and_extensions() {
    let out = patch(json!([
        {"op": "add", "path": ENTERPRISE_URN, "value": {"employeeNumber": "1"}},
        {"op": "remove", "path": "name.givenName"},
        {"op": "remove", "path": "name.familyName"},
        {"op": "remove", "path": "emails.value"},
    ]))
    .unwrap();
    assert!(!out.contains_key("name"));
    assert_eq!(out["emails"], json!([{"type": "work", "primary": true}]));
    assert_eq!(out[ENTERPRISE_URN], json!({"employeeNumber": "1"}));
    let out = patch(json!([{"op": "remove", "path": &format!("{ENTERPRISE_URN}:employeeNumber")}]))
        .unwrap();
    assert!(!out.contains_key(ENTERPRISE_URN));
}

#[test]
fn pathless_fault_refuses_pathless_operations() {
    let result = patch_with(
        |p| p.patch.pathless_unsupported = true,
        json!([{"op": "replace", "value": {"active": false}}]),
    );
    assert_eq!(scim_type(result), Some(ScimType::NoTarget));
}
