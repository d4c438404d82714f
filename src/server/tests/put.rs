//! PUT over HTTP: Okta's full-object replays, readOnly and omitted attributes, and faults that
//! leave references dangling.

use reqwest::{Method, StatusCode};
use serde_json::json;

use super::{call, create, create_group, patch_ops, server};
use crate::server::Fault;
use crate::server::model::schema::{GROUP_URN, USER_URN};

#[tokio::test]
async fn okta_put_replays_what_get_returned() {
    let server = server(&[]).await;
    let uid = create(&server, "okta").await;
    let path = format!("/Users/{uid}");
    create_group(&server, "G", &[&uid]).await;
    let mut body = call(&server, Method::GET, &path, None).await.body;
    body["displayName"] = json!("Okta User");
    body["active"] = json!(false);
    body["password"] = json!("Secret-1");
    body["groups"] = json!([]);
    let put = call(&server, Method::PUT, &path, Some(body.clone())).await;
    assert_eq!(put.status, StatusCode::OK, "{:?}", put.body);
    assert_eq!(
        (&put.body["displayName"], &put.body["active"]),
        (&json!("Okta User"), &json!(false))
    );
    assert!(put.body.get("password").is_none());
    assert_eq!(put.body["groups"].as_array().map(Vec::len), Some(1));
    body["id"] = json!("someone-else");
    let moved = call(&server, Method::PUT, &path, Some(body.clone())).await;
    assert_eq!(moved.body["id"], json!(uid));
    body.as_object_mut().unwrap().remove("userName");
    let nameless = call(&server, Method::PUT, &path, Some(body)).await;
    assert_eq!(nameless.status, StatusCode::BAD_REQUEST);

    let gid = create_group(&server, "Named", &[]).await;
    let unnamed = json!({"schemas": [GROUP_URN]});
    let refused = call(
        &server,
        Method::PUT,
        &format!("/Groups/{gid}"),
        Some(unnamed),
    )
    .await;
    assert_eq!(refused.status, StatusCode::BAD_REQUEST);
    let user_body = json!({"schemas": [USER_URN], "userName": "x"});
    let wrong = call(
        &server,
        Method::PUT,
        &format!("/Groups/{gid}"),
        Some(user_body),
    )
    .await;
    assert_eq!(wrong.body["scimType"], "invalidSyntax");
}

#[tokio::test]
async fn dangling_members_do_not_block_later_writes() {
    let server = server(&[Fault::DeleteUserKeepsMembership]).await;
    let uid = create(&server, "gone").await;
    let gid = create_group(&server, "G", &[&uid]).await;
    call(&server, Method::DELETE, &format!("/Users/{uid}"), None).await;
    let ops = json!([{"op": "replace", "path": "displayName", "value": "Still"}]);
    let patched = patch_ops(&server, &format!("/Groups/{gid}"), ops).await;
    assert_eq!(patched.status, StatusCode::OK, "{:?}", patched.body);
    assert_eq!(patched.body["members"], json!([{"value": uid}]));
}
