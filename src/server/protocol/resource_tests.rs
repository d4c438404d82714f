//! Unit tests for input normalisation: name canonicalisation, types, unassigned values.

use serde_json::json;

use super::*;
use crate::server::model::schema::{ENTERPRISE_URN, user_type};
use crate::server::protocol::error::ScimType;

fn normalize(body: Value, opts: InputOptions) -> Result<Value, ScimError> {
    let Value::Object(body) = body else {
        panic!("test body must be an object")
    };
    normalize_resource(&body, user_type(), &opts).map(Value::Object)
}

#[test]
fn names_are_canonicalised_case_insensitively() {
    let out = normalize(
        json!({
            "UserName": "bjensen",
            "NAME": {"GivenName": "Barbara", "familyname": "Jensen"},
            "Emails": [{"Value": "b@example.com", "PRIMARY": true}],
            "urn:ietf:params:scim:schemas:extension:enterprise:2.0:user": {"EmployeeNumber": "42"},
            "noSuchAttribute": 1,
        }),
        InputOptions::default(),
    )
    .unwrap();
    assert_eq!(
        out,
        json!({
            "userName": "bjensen",
            "name": {"givenName": "Barbara", "familyName": "Jensen"},
            "emails": [{"value": "b@example.com", "primary": true}],
            ENTERPRISE_URN: {"employeeNumber": "42"},
        })
    );
}

#[test]
fn exact_names_ignore_miscased_attributes() {
    let opts = InputOptions {
        exact_names: true,
        ..InputOptions::default()
    };
    let out = normalize(json!({"UserName": "x", "userName": "y"}), opts).unwrap();
    assert_eq!(out, json!({"userName": "y"}));
}

#[test]
fn read_only_and_unassigned_values_are_dropped() {
    let out = normalize(
        json!({
            "userName": "x", "id": "client", "meta": {"created": "2001-01-01T00:00:00Z"},
            "groups": [{"value": "g"}], "title": null, "roles": [], "addresses": null,
            "urn:ietf:params:scim:schemas:extension:enterprise:2.0:User": {"manager": null},
        }),
        InputOptions::default(),
    )
    .unwrap();
    assert_eq!(out, json!({"userName": "x"}));
}

#[test]
fn wrong_types_are_invalid_values() {
    for body in [
        json!({"active": "banana"}),
        json!({"emails": {"value": "x"}}),
        json!({"name": "Barbara"}),
        json!({"emails": [{"primary": "yes"}]}),
        json!({"userName": 7}),
        json!({"urn:ietf:params:scim:schemas:extension:enterprise:2.0:User": "x"}),
    ] {
        let err = normalize(body.clone(), InputOptions::default()).unwrap_err();
        assert_eq!(err.scim_type, Some(ScimType::InvalidValue), "{body}");
    }
}

#[test]
fn lenient_types_store_values_as_sent() {
    let opts = InputOptions {
        lenient_types: true,
        ..InputOptions::default()
    };
    let out = normalize(json!({"active": "banana"}), opts).unwrap();
    assert_eq!(out, json!({"active": "banana"}));
}

#[test]
fn null_rejected_refuses_null_and_empty_arrays() {
    let opts = InputOptions {
        reject_null: true,
        ..InputOptions::default()
    };
    assert!(normalize(json!({"title": null}), opts).is_err());
    assert!(normalize(json!({"roles": []}), opts).is_err());
    assert!(normalize(json!({"title": "x"}), opts).is_ok());
}

#[test]
fn string_faults_transform_values() {
    let opts = InputOptions {
        ascii_only: true,
        lowercase_external_id: true,
        ..InputOptions::default()
    };
    let out = normalize(
        json!({"displayName": "Ñúñez 山田", "externalId": "AbC"}),
        opts,
    )
    .unwrap();
    assert_eq!(out, json!({"displayName": "???ez ??", "externalId": "abc"}));
}
