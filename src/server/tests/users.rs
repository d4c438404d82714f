//! The /Users lifecycle and protocol-level errors over HTTP.

use reqwest::{Client, Method, StatusCode};
use serde_json::{Value, json};

use super::{SCIM, TOKEN, call, call_with, create, new_user, server};
use crate::server::model::schema::USER_URN;

#[tokio::test]
async fn user_lifecycle() {
    let server = server(&[]).await;
    let created = call(&server, Method::POST, "/Users", Some(new_user("bjensen"))).await;
    assert_eq!(created.status, StatusCode::CREATED);
    let id = created.body["id"].as_str().expect("id").to_owned();
    let location = format!("{}/Users/{id}", server.base_url());
    assert_eq!(created.headers["location"], location.as_str());
    assert_eq!(created.body["meta"]["location"], location);
    assert_eq!(
        created.body["meta"]["created"],
        created.body["meta"]["lastModified"]
    );
    assert!(created.body.get("password").is_none());

    let duplicate = call(&server, Method::POST, "/Users", Some(new_user("BJENSEN"))).await;
    assert_eq!(
        (duplicate.status, duplicate.body["scimType"].clone()),
        (StatusCode::CONFLICT, json!("uniqueness"))
    );

    let found = call(
        &server,
        Method::GET,
        "/Users?filter=userName%20eq%20%22BJensen%22",
        None,
    )
    .await;
    assert_eq!(
        (
            found.body["totalResults"].clone(),
            found.body["Resources"][0]["id"].clone()
        ),
        (json!(1), json!(id))
    );

    let put = call(
        &server,
        Method::PUT,
        &format!("/Users/{id}"),
        Some(json!({"schemas": [USER_URN], "userName": "bj", "nickName": "B"})),
    )
    .await;
    assert_eq!(put.status, StatusCode::OK);
    assert!(put.body.get("emails").is_none());
    assert_eq!(put.body["meta"]["created"], created.body["meta"]["created"]);
    assert!(
        put.body["meta"]["lastModified"].as_str() > created.body["meta"]["lastModified"].as_str()
    );

    let patch = json!({"schemas": ["urn:ietf:params:scim:api:messages:2.0:PatchOp"],
                       "Operations": [{"op": "Replace", "value": {"active": false, "name.givenName": "Barbara"}}]});
    let patched = call(&server, Method::PATCH, &format!("/Users/{id}"), Some(patch)).await;
    assert_eq!(
        (
            patched.body["active"].clone(),
            patched.body["name"]["givenName"].clone()
        ),
        (json!(false), json!("Barbara"))
    );

    let deleted = call(&server, Method::DELETE, &format!("/Users/{id}"), None).await;
    assert_eq!(
        (deleted.status, deleted.body.clone()),
        (StatusCode::NO_CONTENT, json!(""))
    );
    let gone = call(&server, Method::GET, &format!("/Users/{id}"), None).await;
    assert_eq!(gone.status, StatusCode::NOT_FOUND);
    let reused = call(&server, Method::POST, "/Users", Some(new_user("bjensen"))).await;
    assert_eq!(reused.status, StatusCode::CREATED);
}

#[tokio::test]
async fn protocol_errors() {
    let server = server(&[]).await;
    let auth = format!("Bearer {TOKEN}");
    let auth = ("authorization", auth.as_str());
    let nope = call(&server, Method::GET, "/Nope", None).await;
    assert_eq!(
        (nope.status, nope.content_type.as_str()),
        (StatusCode::NOT_FOUND, SCIM)
    );
    let method = call(&server, Method::DELETE, "/Users", None).await;
    assert_eq!(method.status, StatusCode::METHOD_NOT_ALLOWED);
    let accept = call_with(
        &server,
        Method::GET,
        "/Users",
        None,
        &[auth, ("accept", "text/html")],
    )
    .await;
    assert_eq!(accept.status, StatusCode::NOT_ACCEPTABLE);
    let media = call_with(
        &server,
        Method::POST,
        "/Users",
        None,
        &[auth, ("content-type", "text/plain")],
    )
    .await;
    assert_eq!(media.status, StatusCode::UNSUPPORTED_MEDIA_TYPE);
    let client = Client::new();
    let response = client
        .post(format!("{}/Users", server.base_url()))
        .header("authorization", auth.1)
        .header("content-type", "application/json; charset=utf-8")
        .body(r#"{"userName":"#)
        .send()
        .await
        .expect("request");
    assert_eq!(response.status(), StatusCode::BAD_REQUEST);
    let body: Value = response.json().await.expect("json error");
    assert_eq!(body["scimType"], "invalidSyntax");
    let paging = call(&server, Method::GET, "/Users?count=abc", None).await;
    assert_eq!(paging.body["scimType"], "invalidValue");
    let filter = call(
        &server,
        Method::GET,
        "/Users?filter=userName%20zz%20%22x%22",
        None,
    )
    .await;
    assert_eq!(filter.body["scimType"], "invalidFilter");
    let empty = call(&server, Method::GET, "/Users?startIndex=0&count=-1", None).await;
    assert_eq!(
        (
            empty.body["startIndex"].clone(),
            empty.body["Resources"].clone()
        ),
        (json!(1), json!([]))
    );
}

#[tokio::test]
async fn pages_walk_every_user_once_in_creation_order() {
    let server = server(&[]).await;
    let mut ids = Vec::new();
    for n in 0..5 {
        ids.push(create(&server, &format!("user{n}")).await);
    }
    let mut seen = Vec::new();
    for start in [1, 3, 5, 7] {
        let page = call(
            &server,
            Method::GET,
            &format!("/Users?startIndex={start}&count=2"),
            None,
        )
        .await;
        assert_eq!(page.body["totalResults"], 5);
        assert_eq!(page.body["startIndex"], start);
        let resources = page.body["Resources"]
            .as_array()
            .expect("Resources")
            .clone();
        assert_eq!(page.body["itemsPerPage"], resources.len());
        seen.extend(
            resources
                .iter()
                .map(|r| r["id"].as_str().unwrap_or_default().to_owned()),
        );
    }
    assert_eq!(seen, ids);
    let none = call(&server, Method::GET, "/Users?count=0", None).await;
    assert_eq!(
        (
            none.body["totalResults"].clone(),
            none.body["Resources"].clone()
        ),
        (json!(5), json!([]))
    );
    let capped = call(&server, Method::GET, "/Users?count=100000", None).await;
    assert_eq!(capped.body["itemsPerPage"], 5);
}

#[tokio::test]
async fn missing_users_stay_missing() {
    let server = server(&[]).await;
    let put = call(
        &server,
        Method::PUT,
        "/Users/ghost",
        Some(new_user("ghost")),
    )
    .await;
    assert_eq!(put.status, StatusCode::NOT_FOUND);
    assert_eq!(
        call(&server, Method::GET, "/Users", None).await.body["totalResults"],
        0
    );
    let patch = json!({"schemas": ["urn:ietf:params:scim:api:messages:2.0:PatchOp"],
                       "Operations": [{"op": "add", "path": "nickName", "value": "x"}]});
    let patched = call(&server, Method::PATCH, "/Users/ghost", Some(patch)).await;
    assert_eq!(patched.status, StatusCode::NOT_FOUND);
    let deleted = call(&server, Method::DELETE, "/Users/ghost", None).await;
    assert_eq!(
        (deleted.status, deleted.body["status"].clone()),
        (StatusCode::NOT_FOUND, json!("404"))
    );
}

#[tokio::test]
async fn put_and_patch_keep_user_names_unique_and_time_moving() {
    let server = server(&[]).await;
    create(&server, "taken").await;
    let id = create(&server, "mine").await;
    let path = format!("/Users/{id}");
    let clash = call(&server, Method::PUT, &path, Some(new_user("TAKEN"))).await;
    assert_eq!(
        (clash.status, clash.body["scimType"].clone()),
        (StatusCode::CONFLICT, json!("uniqueness"))
    );
    let same = call(&server, Method::PUT, &path, Some(new_user("MINE"))).await;
    assert_eq!(same.status, StatusCode::OK);
    let mut last = same.body["meta"]["lastModified"]
        .as_str()
        .unwrap_or_default()
        .to_owned();
    for n in 0..3 {
        let patch = json!({"schemas": ["urn:ietf:params:scim:api:messages:2.0:PatchOp"],
                           "Operations": [{"op": "replace", "path": "title", "value": format!("t{n}")}]});
        let patched = call(&server, Method::PATCH, &path, Some(patch)).await;
        let now = patched.body["meta"]["lastModified"]
            .as_str()
            .unwrap_or_default()
            .to_owned();
        assert!(now > last, "{now} should be after {last}");
        last = now;
    }
    let patch = json!({"schemas": ["urn:ietf:params:scim:api:messages:2.0:PatchOp"],
                       "Operations": [{"op": "replace", "path": "userName", "value": "taken"}]});
    let clash = call(&server, Method::PATCH, &path, Some(patch)).await;
    assert_eq!(clash.status, StatusCode::CONFLICT);
    let unchanged = call(&server, Method::GET, &path, None).await;
    assert_eq!(
        (
            unchanged.body["userName"].clone(),
            unchanged.body["title"].clone()
        ),
        (json!("MINE"), json!("t2"))
    );
}
