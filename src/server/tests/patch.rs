//! PATCH over HTTP: Entra's request shapes, no-op adds, atomicity, projection and errors.

use reqwest::{Method, StatusCode};
use serde_json::json;

use super::{PATCH_OP, call, create, patch_ops, server};
use crate::server::model::schema::ENTERPRISE_URN;

#[tokio::test]
async fn entra_replace_many_in_both_styles() {
    let server = server(&[]).await;
    let path = format!("/Users/{}", create(&server, "entra").await);
    let default_job = json!([
        {"op": "Replace", "path": "displayName", "value": "D1"},
        {"op": "Replace", "path": "emails[type eq \"work\"].value", "value": "w1@example.com"},
        {"op": "Replace", "path": "name.givenName", "value": "G1"},
        {"op": "Replace", "path": "name.familyName", "value": "F1"},
        {"op": "Replace", "path": "externalId", "value": "E1"},
        {"op": "Replace", "path": format!("{ENTERPRISE_URN}:employeeNumber"), "value": "N1"},
        {"op": "Replace", "path": "active", "value": "False"},
    ]);
    let patched = patch_ops(&server, &path, default_job).await;
    assert_eq!(patched.status, StatusCode::OK, "{:?}", patched.body);
    assert_eq!(patched.body["emails"][0]["value"], "w1@example.com");
    assert_eq!(patched.body["active"], false);
    assert_eq!(patched.body[ENTERPRISE_URN]["employeeNumber"], "N1");
    assert_eq!(
        patched.header("etag"),
        patched.body["meta"]["version"].as_str()
    );
    let flagged = json!([
        {"op": "replace", "path": "emails[type eq \"work\"].value", "value": "w2@example.com"},
        {"op": "replace", "value": {"displayName": "D2", "name.givenName": "G2",
            "name.familyName": "F2", format!("{ENTERPRISE_URN}:employeeNumber"): "N2"}},
    ]);
    let patched = patch_ops(&server, &path, flagged).await;
    assert_eq!(
        patched.body["name"],
        json!({"givenName": "G2", "familyName": "F2"})
    );
    assert_eq!(patched.body[ENTERPRISE_URN]["employeeNumber"], "N2");
    assert!(patched.body.get("name.givenName").is_none());
}

#[tokio::test]
async fn no_op_add_changes_nothing() {
    let server = server(&[]).await;
    let path = format!("/Users/{}", create(&server, "noop").await);
    let before = call(&server, Method::GET, &path, None).await.body;
    let again = json!([{"op": "add", "path": "emails", "value": before["emails"].clone()}]);
    let after = patch_ops(&server, &path, again).await.body;
    assert_eq!(after["meta"], before["meta"]);
    let changed = json!([{"op": "add", "path": "nickName", "value": "N"}]);
    let after = patch_ops(&server, &path, changed).await.body;
    assert_ne!(after["meta"]["version"], before["meta"]["version"]);
    assert!(after["meta"]["lastModified"].as_str() > before["meta"]["lastModified"].as_str());
}

#[tokio::test]
async fn atomic_projected_and_refused() {
    let server = server(&[]).await;
    let path = format!("/Users/{}", create(&server, "atomic").await);
    let ops = json!([{"op": "replace", "path": "displayName", "value": "New"},
                     {"op": "replace", "path": "emails[type eq", "value": "x"}]);
    let failed = patch_ops(&server, &path, ops).await;
    assert_eq!(
        (failed.status, failed.body["scimType"].clone()),
        (StatusCode::BAD_REQUEST, json!("invalidPath"))
    );
    assert!(
        call(&server, Method::GET, &path, None)
            .await
            .body
            .get("displayName")
            .is_none()
    );

    let body = json!({"schemas": [PATCH_OP],
        "Operations": [{"op": "add", "path": "nickName", "value": "N"}]});
    let projected = call(
        &server,
        Method::PATCH,
        &format!("{path}?attributes=userName"),
        Some(body),
    )
    .await;
    assert_eq!(projected.status, StatusCode::OK);
    assert!(projected.body.get("nickName").is_none() && projected.body.get("userName").is_some());

    for (ops, keyword) in [
        (
            json!([{"op": "remove", "path": "emails[type eq \"pager\"]"}]),
            "noTarget",
        ),
        (
            json!([{"op": "replace", "path": "emails[type zz \"work\"]", "value": {}}]),
            "invalidFilter",
        ),
        (
            json!([{"op": "replace", "path": "id", "value": "x"}]),
            "mutability",
        ),
        (
            json!([{"op": "replace", "path": "active", "value": "banana"}]),
            "invalidValue",
        ),
        (json!([{"op": "move", "path": "title"}]), "invalidSyntax"),
    ] {
        let refused = patch_ops(&server, &path, ops).await;
        assert_eq!(
            (refused.status, refused.body["scimType"].clone()),
            (StatusCode::BAD_REQUEST, json!(keyword))
        );
    }
}
