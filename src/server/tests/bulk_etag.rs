//! ETags, Bulk and /Me over HTTP.

use reqwest::{Method, StatusCode};
use serde_json::{Value, json};

use super::{BEARER, PATCH_OP, call, call_with, create, new_user, send, server};
use crate::server::model::schema::{GROUP_URN, USER_URN};

const BULK: &str = "urn:ietf:params:scim:api:messages:2.0:BulkRequest";

async fn get_if_none_match(
    server: &crate::server::RunningServer,
    path: &str,
    tag: &str,
) -> super::Exchange {
    call_with(
        server,
        Method::GET,
        path,
        None,
        &[BEARER, ("if-none-match", tag)],
    )
    .await
}

#[tokio::test]
async fn etags_and_preconditions() {
    let server = server(&[]).await;
    let created = call(&server, Method::POST, "/Users", Some(new_user("etag"))).await;
    let version = created.body["meta"]["version"].as_str().unwrap().to_owned();
    assert_eq!(created.header("etag"), Some(version.as_str()));
    assert!(version.starts_with("W/\""));
    let path = format!("/Users/{}", created.body["id"].as_str().unwrap());
    let cached = get_if_none_match(&server, &path, &version).await;
    assert_eq!(
        (cached.status, cached.body.clone()),
        (StatusCode::NOT_MODIFIED, json!(""))
    );
    assert_eq!(cached.header("etag"), Some(version.as_str()));
    assert_eq!(
        get_if_none_match(&server, &path, "W/\"0\"").await.status,
        StatusCode::OK
    );

    let rename = json!({"schemas": [PATCH_OP],
        "Operations": [{"op": "replace", "path": "displayName", "value": "X"}]});
    let ok = call_with(
        &server,
        Method::PATCH,
        &path,
        Some(rename.clone()),
        &[BEARER, ("if-match", &version)],
    )
    .await;
    assert_eq!(ok.status, StatusCode::OK);
    let newer = ok.body["meta"]["version"].as_str().unwrap().to_owned();
    assert_ne!(newer, version);
    assert_eq!(ok.header("etag"), Some(newer.as_str()));
    for method in [Method::PATCH, Method::PUT, Method::DELETE] {
        let body = (method != Method::DELETE).then(|| {
            if method == Method::PUT {
                new_user("etag")
            } else {
                rename.clone()
            }
        });
        let stale = call_with(
            &server,
            method,
            &path,
            body,
            &[BEARER, ("if-match", &version)],
        )
        .await;
        assert_eq!(
            (stale.status, stale.body["status"].clone()),
            (StatusCode::PRECONDITION_FAILED, json!("412"))
        );
    }
    let put = call_with(
        &server,
        Method::PUT,
        &path,
        Some(new_user("etag")),
        &[BEARER, ("if-match", "*")],
    )
    .await;
    assert_eq!(put.status, StatusCode::OK);
    assert_eq!(put.header("etag"), put.body["meta"]["version"].as_str());
    let listed = call(&server, Method::GET, "/Users", None).await;
    assert!(listed.header("etag").is_none());
}

async fn bulk(server: &crate::server::RunningServer, body: Value) -> super::Exchange {
    call(server, Method::POST, "/Bulk", Some(body)).await
}

#[tokio::test]
async fn bulk_operations() {
    let server = server(&[]).await;
    let existing = create(&server, "existing").await;
    let body = json!({"schemas": [BULK], "Operations": [
        {"method": "POST", "path": "/Users", "bulkId": "u1",
         "data": {"schemas": [USER_URN], "userName": "bulk1"}},
        {"method": "POST", "path": "/Groups", "bulkId": "g1",
         "data": {"schemas": [GROUP_URN], "displayName": "G", "members": [{"value": "bulkId:u1"}]}},
        {"method": "PATCH", "path": "/Users/bulkId:u1",
         "data": {"schemas": [PATCH_OP], "Operations": [{"op": "add", "path": "nickName", "value": "N"}]}},
        {"method": "POST", "path": "/Users", "data": {"schemas": [USER_URN], "userName": "nobulkid"}},
        {"method": "DELETE", "path": format!("/Users/{existing}"), "version": "W/\"9\""},
        {"method": "POST", "path": "/Groups", "bulkId": "g2",
         "data": {"schemas": [GROUP_URN], "displayName": "C", "members": [{"value": "bulkId:g3"}]}},
    ]});
    let answer = bulk(&server, body).await;
    assert_eq!(answer.status, StatusCode::OK, "{:?}", answer.body);
    assert_eq!(
        answer.body["schemas"],
        json!(["urn:ietf:params:scim:api:messages:2.0:BulkResponse"])
    );
    let ops = answer.body["Operations"].as_array().unwrap();
    let statuses: Vec<&str> = ops.iter().map(|o| o["status"].as_str().unwrap()).collect();
    assert_eq!(statuses, ["201", "201", "200", "400", "412", "409"]);
    assert_eq!(ops[0]["bulkId"], "u1");
    let user_location = ops[0]["location"].as_str().unwrap();
    let user = call(
        &server,
        Method::GET,
        user_location.trim_start_matches(server.base_url()),
        None,
    )
    .await;
    assert_eq!(user.body["nickName"], "N");
    assert_eq!(ops[2]["version"], user.body["meta"]["version"]);
    let group = call(
        &server,
        Method::GET,
        ops[1]["location"]
            .as_str()
            .unwrap()
            .trim_start_matches(server.base_url()),
        None,
    )
    .await;
    assert_eq!(group.body["members"][0]["value"], user.body["id"]);
    assert_eq!(ops[3]["response"]["status"], "400");
    assert_eq!(
        ops[5]["response"]["schemas"],
        json!(["urn:ietf:params:scim:api:messages:2.0:Error"])
    );

    let stop = json!({"schemas": [BULK], "failOnErrors": 1, "Operations": [
        {"method": "DELETE", "path": "/Users/missing"},
        {"method": "POST", "path": "/Users", "bulkId": "x", "data": {"schemas": [USER_URN], "userName": "never"}},
    ]});
    assert_eq!(
        bulk(&server, stop).await.body["Operations"]
            .as_array()
            .map(Vec::len),
        Some(1)
    );
    let too_many: Vec<Value> = (0..11)
        .map(|_| json!({"method": "DELETE", "path": "/Users/x"}))
        .collect();
    let refused = bulk(&server, json!({"schemas": [BULK], "Operations": too_many})).await;
    assert_eq!(refused.status, StatusCode::PAYLOAD_TOO_LARGE);
    assert!(refused.body["detail"].as_str().unwrap().contains("10"));
    let huge = format!(
        "{{\"schemas\":[\"{BULK}\"],\"Operations\":[],\"p\":\"{}\"}}",
        "x".repeat(1_048_576)
    );
    let refused = send(
        &server,
        Method::POST,
        "/Bulk",
        Some(huge),
        &[BEARER, ("content-type", "application/scim+json")],
    )
    .await;
    assert_eq!(refused.status, StatusCode::PAYLOAD_TOO_LARGE);
    let unnamed = bulk(&server, json!({"Operations": []})).await;
    assert_eq!(unnamed.body["scimType"], "invalidSyntax");
    let never = call(
        &server,
        Method::GET,
        "/Users?filter=userName%20eq%20%22never%22",
        None,
    )
    .await;
    assert_eq!(never.body["totalResults"], 0);
}

#[tokio::test]
async fn me_is_not_implemented() {
    let server = server(&[]).await;
    for method in [Method::GET, Method::PUT, Method::PATCH, Method::DELETE] {
        let body = (method == Method::PUT || method == Method::PATCH).then(|| json!({}));
        let me = call(&server, method, "/Me", body).await;
        assert_eq!(
            (me.status, me.body["status"].clone()),
            (StatusCode::NOT_IMPLEMENTED, json!("501"))
        );
    }
    let anonymous = call_with(&server, Method::GET, "/Me", None, &[]).await;
    assert_eq!(anonymous.status, StatusCode::UNAUTHORIZED);
}
