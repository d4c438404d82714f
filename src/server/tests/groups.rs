//! Groups, membership and the enterprise manager over HTTP, in the request shapes Entra and
//! Okta send (CATALOGUE Part B).

use reqwest::{Method, StatusCode};
use serde_json::{Value, json};

use super::{call, create, create_group, patch_ops, server};
use crate::server::model::schema::{ENTERPRISE_URN, GROUP_URN, USER_URN};

fn ids(members: &Value) -> Vec<String> {
    members
        .as_array()
        .map(|ms| {
            ms.iter()
                .filter_map(|m| m["value"].as_str().map(str::to_owned))
                .collect()
        })
        .unwrap_or_default()
}

#[tokio::test]
async fn group_lifecycle_in_entra_and_okta_shapes() {
    let server = server(&[]).await;
    let (u1, u2) = (create(&server, "u1").await, create(&server, "u2").await);
    let entra = json!({"schemas": [GROUP_URN,
            "http://schemas.microsoft.com/2006/11/ResourceManagement/ADSCIM/2.0/Group"],
        "externalId": "obj-1", "displayName": "Sales", "meta": {"resourceType": "Group"}});
    let created = call(&server, Method::POST, "/Groups", Some(entra)).await;
    assert_eq!(created.status, StatusCode::CREATED, "{:?}", created.body);
    let gid = created.body["id"].as_str().unwrap().to_owned();
    let path = format!("/Groups/{gid}");
    assert_eq!(created.body["meta"]["resourceType"], "Group");
    assert_eq!(
        created.header("location"),
        created.body["meta"]["location"].as_str()
    );
    assert_eq!(created.body["schemas"], json!([GROUP_URN]));

    let add = json!([{"op": "Add", "path": "members", "value": [{"$ref": null, "value": u1}]}]);
    assert_eq!(patch_ops(&server, &path, add).await.status, StatusCode::OK);
    let okta = json!([{"op": "add", "path": "members", "value": [{"value": u2, "display": "Two"}]},
                      {"op": "replace", "value": {"id": gid, "displayName": "Sales EU"}}]);
    let patched = patch_ops(&server, &path, okta).await;
    assert_eq!(patched.body["displayName"], "Sales EU");
    let member = &patched.body["members"][1];
    assert_eq!(member["display"], "Two");
    assert_eq!(member["type"], "User");
    assert_eq!(member["$ref"], format!("{}/Users/{u2}", server.base_url()));
    assert_eq!(patched.body["members"][0]["display"], "u1");
    let referenced = call(&server, Method::GET, &format!("/Users/{u2}"), None).await;
    assert_eq!(referenced.status, StatusCode::OK);

    let excluded = call(
        &server,
        Method::GET,
        &format!("{path}?excludedAttributes=members"),
        None,
    )
    .await;
    assert!(excluded.body.get("members").is_none());
    for filter in [
        "displayName%20eq%20%22sales%20eu%22",
        "externalId%20eq%20%22obj-1%22",
        &format!("members%5Bvalue%20eq%20%22{u1}%22%5D"),
    ] {
        let found = call(
            &server,
            Method::GET,
            &format!("/Groups?excludedAttributes=members&filter={filter}"),
            None,
        )
        .await;
        assert_eq!(found.body["totalResults"], 1, "{filter}: {:?}", found.body);
        assert!(found.body["Resources"][0].get("members").is_none());
    }

    let entra_remove = json!([{"op": "Remove", "path": "members", "value": [{"value": u1}]}]);
    let removed = patch_ops(&server, &path, entra_remove).await;
    assert_eq!(ids(&removed.body["members"]), [u2.as_str()]);
    let push = json!([{"op": "replace", "path": "members", "value": []}]);
    assert!(
        patch_ops(&server, &path, push)
            .await
            .body
            .get("members")
            .is_none()
    );

    let put = json!({"schemas": [GROUP_URN], "displayName": "Sales", "members": [{"value": u1}]});
    let replaced = call(&server, Method::PUT, &path, Some(put)).await;
    assert_eq!(ids(&replaced.body["members"]), [u1.as_str()]);
    assert!(replaced.body.get("externalId").is_none());

    let as_user = call(&server, Method::GET, &format!("/Users/{gid}"), None).await;
    assert_eq!(as_user.status, StatusCode::NOT_FOUND);
    let deleted = call(&server, Method::DELETE, &path, None).await;
    assert_eq!(deleted.status, StatusCode::NO_CONTENT);
    assert_eq!(
        call(&server, Method::GET, &path, None).await.status,
        StatusCode::NOT_FOUND
    );
    let user = call(&server, Method::GET, &format!("/Users/{u1}"), None).await;
    assert!(user.body.get("groups").is_none());
}

#[tokio::test]
async fn membership_is_reflected_and_kept_consistent() {
    let server = server(&[]).await;
    let uid = create(&server, "member").await;
    let inner = create_group(&server, "Inner", &[&uid]).await;
    let outer = create_group(&server, "Outer", &[&inner]).await;
    let user = call(&server, Method::GET, &format!("/Users/{uid}"), None).await;
    assert_eq!(
        user.body["groups"],
        json!([{"value": inner, "$ref": format!("{}/Groups/{inner}", server.base_url()),
                "type": "direct", "display": "Inner"},
               {"value": outer, "$ref": format!("{}/Groups/{outer}", server.base_url()),
                "type": "indirect", "display": "Outer"}])
    );
    let nested = call(&server, Method::GET, &format!("/Groups/{outer}"), None).await;
    assert_eq!(nested.body["members"][0]["type"], "Group");
    let filtered = call(
        &server,
        Method::GET,
        &format!("/Users?filter=groups.value%20eq%20%22{inner}%22"),
        None,
    )
    .await;
    assert_eq!(filtered.body["totalResults"], 1);

    let write = json!([{"op": "add", "path": "groups", "value": [{"value": outer}]}]);
    let refused = patch_ops(&server, &format!("/Users/{uid}"), write).await;
    assert_eq!(
        (refused.status, refused.body["scimType"].clone()),
        (StatusCode::BAD_REQUEST, json!("mutability"))
    );
    let put = json!({"schemas": [USER_URN], "userName": "member", "groups": []});
    let replaced = call(&server, Method::PUT, &format!("/Users/{uid}"), Some(put)).await;
    assert_eq!(replaced.body["groups"].as_array().map(Vec::len), Some(2));

    call(&server, Method::DELETE, &format!("/Groups/{inner}"), None).await;
    let user = call(&server, Method::GET, &format!("/Users/{uid}"), None).await;
    assert!(user.body.get("groups").is_none());
    assert!(
        call(&server, Method::GET, &format!("/Groups/{outer}"), None)
            .await
            .body
            .get("members")
            .is_none()
    );

    let again = create_group(&server, "Again", &[&uid]).await;
    call(&server, Method::DELETE, &format!("/Users/{uid}"), None).await;
    let group = call(&server, Method::GET, &format!("/Groups/{again}"), None).await;
    assert!(group.body.get("members").is_none());

    let search = json!({"schemas": ["urn:ietf:params:scim:api:messages:2.0:SearchRequest"],
        "filter": "displayName sw \"Ag\""});
    let found = call(&server, Method::POST, "/.search", Some(search.clone())).await;
    assert_eq!(found.body["totalResults"], 1, "{:?}", found.body);
    let found = call(&server, Method::POST, "/Groups/.search", Some(search)).await;
    assert_eq!(found.body["Resources"][0]["id"], json!(again));
}

#[tokio::test]
async fn group_input_is_validated() {
    let server = server(&[]).await;
    let post = |body: Value| call(&server, Method::POST, "/Groups", Some(body));
    let nameless = post(json!({"schemas": [GROUP_URN]})).await;
    assert_eq!(
        (nameless.status, nameless.body["scimType"].clone()),
        (StatusCode::BAD_REQUEST, json!("invalidValue"))
    );
    let junk = post(json!({"schemas": [GROUP_URN], "displayName": "G",
        "members": [{"value": "no-such-id"}]}))
    .await;
    assert_eq!(junk.body["scimType"], "invalidValue");
    let twice = create(&server, "twice").await;
    let body = json!({"schemas": [GROUP_URN], "displayName": "G",
        "members": [{"value": twice, "$ref": "http://elsewhere/x"}, {"value": twice}]});
    let created = post(body).await;
    assert_eq!(ids(&created.body["members"]), [twice.as_str()]);
    assert!(
        created.body["members"][0]["$ref"]
            .as_str()
            .unwrap()
            .starts_with(server.base_url())
    );
    let same_name = post(json!({"schemas": [GROUP_URN], "displayName": "G"})).await;
    assert_eq!(
        same_name.status,
        StatusCode::CREATED,
        "displayName is not unique (RFC)"
    );
}

#[tokio::test]
async fn enterprise_manager() {
    let server = server(&[]).await;
    let boss = call(
        &server,
        Method::POST,
        "/Users",
        Some(json!({"schemas": [USER_URN], "userName": "boss", "displayName": "The Boss"})),
    )
    .await;
    let boss = boss.body["id"].as_str().unwrap().to_owned();
    let body = json!({"schemas": [USER_URN, ENTERPRISE_URN], "userName": "worker",
        ENTERPRISE_URN: {"employeeNumber": "7", "costCenter": "c", "organization": "o",
            "division": "d", "department": "x",
            "manager": {"value": boss, "displayName": "fake", "$ref": "http://nowhere"}}});
    let created = call(&server, Method::POST, "/Users", Some(body)).await;
    assert_eq!(created.status, StatusCode::CREATED, "{:?}", created.body);
    let manager = &created.body[ENTERPRISE_URN]["manager"];
    assert_eq!(manager["displayName"], "The Boss");
    assert_eq!(
        manager["$ref"],
        format!("{}/Users/{boss}", server.base_url())
    );
    assert_eq!(created.body[ENTERPRISE_URN]["division"], "d");
    let path = format!("/Users/{}", created.body["id"].as_str().unwrap());
    let attr = format!("{ENTERPRISE_URN}:manager");

    let entra = json!([{"op": "Add", "path": "manager",
        "value": [{"$ref": format!("http://x/Users/{boss}"), "value": boss}]}]);
    assert_eq!(
        patch_ops(&server, &path, entra).await.status,
        StatusCode::OK
    );
    let cleared = patch_ops(
        &server,
        &path,
        json!([{"op": "replace", "path": attr, "value": ""}]),
    )
    .await;
    assert!(cleared.body[ENTERPRISE_URN].get("manager").is_none());
    let set = patch_ops(
        &server,
        &path,
        json!([{"op": "replace", "path": attr, "value": boss}]),
    )
    .await;
    assert_eq!(set.body[ENTERPRISE_URN]["manager"]["value"], json!(boss));
    let unknown = patch_ops(
        &server,
        &path,
        json!([{"op": "replace", "path": attr, "value": "nobody"}]),
    )
    .await;
    assert_eq!(unknown.body["scimType"], "invalidValue");

    let drop_all = json!([{"op": "remove", "path": ENTERPRISE_URN}]);
    let plain = patch_ops(&server, &path, drop_all).await;
    assert_eq!(plain.body["schemas"], json!([USER_URN]));
    let only = json!([{"op": "add", "path": format!("{ENTERPRISE_URN}:department"), "value": "D"},
                      {"op": "remove", "path": format!("{ENTERPRISE_URN}:department")}]);
    assert_eq!(
        patch_ops(&server, &path, only).await.body["schemas"],
        json!([USER_URN])
    );
    let bare = json!({"schemas": [USER_URN, ENTERPRISE_URN], "userName": "bare",
        ENTERPRISE_URN: {"manager": "123456"}});
    let refused = call(&server, Method::POST, "/Users", Some(bare)).await;
    assert_eq!(refused.status, StatusCode::BAD_REQUEST);

    let set = patch_ops(
        &server,
        &path,
        json!([{"op": "add", "path": attr, "value": {"value": boss}}]),
    )
    .await;
    assert_eq!(set.body["schemas"], json!([USER_URN, ENTERPRISE_URN]));
    call(&server, Method::DELETE, &format!("/Users/{boss}"), None).await;
    let orphan = call(&server, Method::GET, &path, None).await;
    assert_eq!(orphan.body["schemas"], json!([USER_URN]));
    assert_ne!(orphan.body["meta"]["version"], set.body["meta"]["version"]);
}
