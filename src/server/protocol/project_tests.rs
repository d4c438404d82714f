//! Projection tests over a rendered user: `attributes`, `excludedAttributes`, `returned`
//! rules, URN and sub-attribute names, and each projection fault.

use serde_json::{Value, json};

use super::*;
use crate::server::model::Policies;
use crate::server::model::schema::{ENTERPRISE_URN, USER_URN, user_type};
use crate::server::store::render::render;
use crate::server::store::{Record, now};

fn stored() -> Map<String, Value> {
    json!({
        "userName": "bjensen", "password": "secret", "externalId": "E1",
        "name": {"givenName": "Barbara", "familyName": "Jensen"},
        "emails": [{"value": "b@x", "type": "work", "primary": true}, {"value": "c@y"}],
        ENTERPRISE_URN: {"employeeNumber": "701984", "costCenter": "4130"},
    })
    .as_object()
    .cloned()
    .unwrap_or_default()
}

fn projected(attributes: &str, excluded: &str, edit: fn(&mut Policies)) -> Value {
    let settings = Settings::with(|_, p| edit(p));
    let record = Record {
        id: "abc".into(),
        data: stored(),
        created: "2026-01-01T00:00:00.000Z".into(),
        last_modified: "2026-01-01T00:00:00.000Z".into(),
        modified_at: now(),
        version: 1,
    };
    let out = render(&record, user_type(), &settings, "abc");
    let projection = Projection {
        attributes: Projection::split(attributes),
        excluded: Projection::split(excluded),
    };
    project(out, &record.data, &projection, user_type(), &settings)
}

fn keys(value: &Value) -> Vec<&str> {
    value
        .as_object()
        .map(|m| m.keys().map(String::as_str).collect())
        .unwrap_or_default()
}

#[test]
fn no_projection_keeps_the_default_representation() {
    let out = projected("", "", |_| {});
    assert_eq!(
        keys(&out),
        [
            "schemas",
            "id",
            "externalId",
            "userName",
            "name",
            "emails",
            ENTERPRISE_URN,
            "meta"
        ]
    );
    assert_eq!(out["schemas"], json!([USER_URN, ENTERPRISE_URN]));
}

#[test]
fn attributes_select_named_and_always_returned_attributes() {
    assert_eq!(
        keys(&projected("userName", "", |_| {})),
        ["schemas", "id", "userName"]
    );
    assert_eq!(
        keys(&projected(" USERNAME ,nope", "", |_| {})),
        ["schemas", "id", "userName"]
    );
    let out = projected("name.givenName,emails.value", "", |_| {});
    assert_eq!(out["name"], json!({"givenName": "Barbara"}));
    assert_eq!(out["emails"], json!([{"value": "b@x"}, {"value": "c@y"}]));
    assert_eq!(out["schemas"], json!([USER_URN]));
    let out = projected(&format!("{ENTERPRISE_URN}:employeeNumber"), "", |_| {});
    assert_eq!(out[ENTERPRISE_URN], json!({"employeeNumber": "701984"}));
    assert_eq!(out["schemas"], json!([USER_URN, ENTERPRISE_URN]));
    let out = projected(&ENTERPRISE_URN.to_lowercase(), "", |_| {});
    assert_eq!(out[ENTERPRISE_URN]["costCenter"], "4130");
    let out = projected(
        "urn:ietf:params:scim:schemas:core:2.0:User:userName,meta.created",
        "",
        |_| {},
    );
    assert_eq!(keys(&out), ["schemas", "id", "userName", "meta"]);
    assert_eq!(keys(&out["meta"]), ["created"]);
    assert_eq!(
        keys(&projected(r#"emails[type eq "work"]"#, "", |_| {})),
        ["schemas", "id"]
    );
}

#[test]
fn excluded_attributes_remove_all_but_always_returned_ones() {
    let out = projected("", "emails,ID,name.givenName", |_| {});
    assert_eq!(
        keys(&out),
        [
            "schemas",
            "id",
            "externalId",
            "userName",
            "name",
            ENTERPRISE_URN,
            "meta"
        ]
    );
    assert_eq!(out["name"], json!({"familyName": "Jensen"}));
    let out = projected("", ENTERPRISE_URN, |_| {});
    assert!(out.get(ENTERPRISE_URN).is_none());
    assert_eq!(out["schemas"], json!([USER_URN]));
    assert_eq!(keys(&projected("", "nope", |_| {})).len(), 8);
}

#[test]
fn attributes_win_over_excluded_attributes() {
    assert_eq!(
        keys(&projected("userName", "userName", |_| {})),
        ["schemas", "id", "userName"]
    );
}

#[test]
fn password_is_never_returned() {
    assert_eq!(keys(&projected("password", "", |_| {})), ["schemas", "id"]);
    let out = projected("password", "", |p| p.projection.password_on_request = true);
    assert_eq!(out["password"], "secret");
}

#[test]
fn faults_change_the_projection() {
    assert_eq!(
        keys(&projected("userName", "", |p| p
            .projection
            .attributes_ignored =
            true))
        .len(),
        8
    );
    assert_eq!(
        keys(&projected("", "emails", |p| p
            .projection
            .excluded_ignored = true))
        .len(),
        8
    );
    let out = projected("", "id", |p| p.projection.always_excludable = true);
    assert!(out.get("id").is_none());
    let out = projected("USERNAME", "", |p| p.projection.names_exact = true);
    assert_eq!(keys(&out), ["schemas", "id"]);
    let out = projected("name.givenName", "", |p| {
        p.projection.sub_attribute_whole = true
    });
    assert_eq!(out["name"]["familyName"], "Jensen");
}
