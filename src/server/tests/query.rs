//! Queries over HTTP on a correct server: filters, paging, sorting, projection and `.search`.

use reqwest::{Method, StatusCode};
use serde_json::{Value, json};

use super::faults_query::{SEARCH_URN, add, enc, filtered, list, names, search};
use super::{call, server};
use crate::server::RunningServer;
use crate::server::model::schema::{ENTERPRISE_URN, USER_URN};

/// The catalogue's fixture users U1–U4 (CATALOGUE §9), created in that order.
async fn fixtures(server: &RunningServer) {
    let work = |v: &str| json!({"value": v, "type": "work"});
    let home = |v: &str| json!({"value": v, "type": "home"});
    add(
        server,
        "bjensen@example.com",
        json!({"externalId": "ExtAbc", "title": "Tour Guide",
        "userType": "Employee", "name": {"familyName": "Jensen", "givenName": "Barbara"},
        "emails": [work("bjensen@example.com"), home("babs@home.example.org")],
        ENTERPRISE_URN: {"employeeNumber": "701984"}}),
    )
    .await;
    add(
        server,
        "JSmith@Example.com",
        json!({"userType": "Contractor",
        "emails": [work("js@example.org")]}),
    )
    .await;
    add(
        server,
        "carol",
        json!({"active": false, "name": {"familyName": "O'Malley"}}),
    )
    .await;
    add(
        server,
        "dave",
        json!({"emails": [work("u4@other.test"), home("u4@example.com")]}),
    )
    .await;
}

#[tokio::test]
async fn filters_follow_rfc_7644() {
    let server = server(&[]).await;
    fixtures(&server).await;
    let (u1, u2) = ("bjensen@example.com", "JSmith@Example.com");
    let cases: &[(&str, &[&str])] = &[
        (r#"userName ew "example.com""#, &[u1, u2]),
        (r#"USERNAME Eq "BJENSEN@EXAMPLE.COM""#, &[u1]),
        (r#"externalId eq "extabc""#, &[]),
        ("title pr", &[u1]),
        (
            r#"userType eq "X" and title pr OR userName eq "JSmith@Example.com""#,
            &[u2],
        ),
        (
            r#"emails[type eq "work" and value co "@example.com"]"#,
            &[u1],
        ),
        (
            r#"emails[type eq "home" and (value ew ".org" or value ew ".net")]"#,
            &[u1],
        ),
        (
            r#"NOT (userType eq "Employee") and active eq false"#,
            &["carol"],
        ),
        (r#"name.familyName co "O'Malley""#, &["carol"]),
        (
            &format!(r#"{ENTERPRISE_URN}:employeeNumber eq "701984""#),
            &[u1],
        ),
        (
            r#"urn:ietf:params:scim:schemas:core:2.0:User:userName sw "bj""#,
            &[u1],
        ),
        (
            r#"meta.lastModified gt "2000-01-01T00:00:00+02:00""#,
            &[u1, u2, "carol", "dave"],
        ),
    ];
    for (filter, want) in cases {
        let found = filtered(&server, filter).await;
        assert_eq!(found.status, StatusCode::OK, "{filter}: {:?}", found.body);
        assert_eq!(names(&found), *want, "{filter}");
    }
    // The Entra validator sends `+` for spaces.
    let plus = list(&server, "filter=userName+eq+%22carol%22").await;
    assert_eq!(names(&plus), ["carol"]);
    for bad in [
        "userName eq",
        r#"userName xx "a""#,
        "active gt true",
        r#"nope eq "x""#,
    ] {
        let refused = filtered(&server, bad).await;
        assert_eq!(
            (refused.status, refused.body["scimType"].clone()),
            (StatusCode::BAD_REQUEST, json!("invalidFilter")),
            "{bad}"
        );
    }
}

#[tokio::test]
async fn paging_and_sorting_give_one_global_order() {
    let server = server(&[]).await;
    fixtures(&server).await;
    let sorted = names(&list(&server, "sortBy=userName").await);
    assert_eq!(
        sorted,
        ["bjensen@example.com", "carol", "dave", "JSmith@Example.com"]
    );
    let mut paged = Vec::new();
    for start in [1, 3] {
        paged.extend(names(
            &list(
                &server,
                &format!("sortBy=userName&startIndex={start}&count=2"),
            )
            .await,
        ));
    }
    assert_eq!(paged, sorted);
    let by_title = names(&list(&server, "sortBy=title&sortOrder=DESCENDING").await);
    assert_eq!(
        by_title[3], "bjensen@example.com",
        "resources without a title come first"
    );
    let by_email = names(&list(&server, "sortBy=emails.value&count=1").await);
    assert_eq!(by_email, ["bjensen@example.com"]);
    let unknown = list(&server, "sortBy=nope").await;
    assert_eq!(unknown.body["scimType"], "invalidValue");
    let past = list(&server, "startIndex=9&count=2").await;
    assert_eq!(
        (
            past.status,
            past.body["totalResults"].clone(),
            past.body["Resources"].clone()
        ),
        (StatusCode::OK, json!(4), json!([]))
    );
    let zero = list(&server, "count=0&startIndex=abc").await;
    assert_eq!(zero.body["scimType"], "invalidValue");
    let spc = call(&server, Method::GET, "/ServiceProviderConfig", None).await;
    assert_eq!(spc.body["sort"]["supported"], true);
}

#[tokio::test]
async fn projection_applies_to_reads_lists_and_writes() {
    let server = server(&[]).await;
    let created = call(
        &server,
        Method::POST,
        "/Users?attributes=userName,name.givenName",
        Some(
            json!({"schemas": [USER_URN], "userName": "p", "password": "pw", "title": "T",
                    "name": {"givenName": "G", "familyName": "F"}}),
        ),
    )
    .await;
    assert_eq!(created.status, StatusCode::CREATED);
    assert!(created.header("location").is_some());
    let keys = |v: &Value| v.as_object().map(|m| m.keys().cloned().collect::<Vec<_>>());
    assert_eq!(
        keys(&created.body),
        Some(vec![
            "schemas".into(),
            "id".into(),
            "userName".into(),
            "name".into()
        ])
    );
    assert_eq!(created.body["name"], json!({"givenName": "G"}));
    let id = created.body["id"].as_str().unwrap_or_default().to_owned();
    let read = call(
        &server,
        Method::GET,
        &format!("/Users/{id}?excludedAttributes=title,ID"),
        None,
    )
    .await;
    assert!(read.body.get("title").is_none() && read.body["id"] == json!(id));
    let listed = list(&server, "attributes=PASSWORD,title").await;
    assert_eq!(
        listed.body["Resources"],
        json!([{"schemas": [USER_URN], "id": id, "title": "T"}])
    );
    let put = call(
        &server,
        Method::PUT,
        &format!("/Users/{id}?attributes=nickName"),
        Some(json!({"schemas": [USER_URN], "userName": "p", "nickName": "N"})),
    )
    .await;
    assert_eq!(
        put.body,
        json!({"schemas": [USER_URN], "id": id, "nickName": "N"})
    );
    let op = json!({"schemas": ["urn:ietf:params:scim:api:messages:2.0:PatchOp"],
                    "Operations": [{"op": "add", "path": "title", "value": "X"}]});
    let patched = call(
        &server,
        Method::PATCH,
        &format!("/Users/{id}?excludedAttributes=meta"),
        Some(op),
    )
    .await;
    assert_eq!(
        (patched.body["title"].clone(), patched.body.get("meta")),
        (json!("X"), None)
    );
}

#[tokio::test]
async fn search_matches_the_equivalent_get() {
    let server = server(&[]).await;
    fixtures(&server).await;
    let filter = r#"emails co "example.org""#;
    let get = list(
        &server,
        &format!("filter={}&sortBy=userName&attributes=userName", enc(filter)),
    )
    .await;
    let body = json!({"schemas": [SEARCH_URN], "filter": filter, "sortBy": "userName",
                      "attributes": ["userName"], "startIndex": 1, "count": 10});
    for path in ["/Users/.search", "/.search"] {
        let found = search(&server, path, body.clone()).await;
        assert_eq!(found.status, StatusCode::OK, "{path}");
        assert_eq!(found.body, get.body, "{path}");
    }
    let all = search(
        &server,
        "/.search",
        json!({"schemas": [SEARCH_URN], "count": 2}),
    )
    .await;
    assert_eq!(all.body["totalResults"], 4);
    assert_eq!(all.body["Resources"][1]["meta"]["resourceType"], "User");
    let none = search(
        &server,
        "/Users/.search",
        json!({"schemas": [SEARCH_URN], "count": 0}),
    )
    .await;
    assert_eq!(
        (
            none.body["totalResults"].clone(),
            none.body["Resources"].clone()
        ),
        (json!(4), json!([]))
    );
    let bare = search(&server, "/Users/.search", json!({"filter": filter})).await;
    assert_eq!(bare.body["scimType"], "invalidSyntax");
    let bad = search(
        &server,
        "/.search",
        json!({"schemas": [SEARCH_URN], "filter": "x eq"}),
    )
    .await;
    assert_eq!(bad.body["scimType"], "invalidFilter");
    let get_search = call(&server, Method::GET, "/Users/.search", None).await;
    assert_eq!(get_search.status, StatusCode::METHOD_NOT_ALLOWED);
    assert_eq!(get_search.header("allow"), Some("POST"));
}

#[tokio::test]
async fn long_and_deep_filters_are_answered_without_crashing() {
    let server = server(&[]).await;
    add(&server, "x", json!({})).await;
    let chain = |n: usize, op: &str| vec![r#"userName eq "x""#; n].join(op);
    let deep = format!("{}title pr{}", "not (".repeat(32), ")".repeat(32));
    for (filter, status) in [
        (chain(1000, " or "), StatusCode::OK),
        (chain(1000, " and "), StatusCode::OK),
        (chain(1001, " or "), StatusCode::BAD_REQUEST),
        (deep, StatusCode::OK),
        ("(".repeat(100_000), StatusCode::BAD_REQUEST),
    ] {
        let body = json!({"schemas": [SEARCH_URN], "filter": filter});
        let found = search(&server, "/Users/.search", body).await;
        assert_eq!(found.status, status, "{:.40}", found.body);
    }
}
