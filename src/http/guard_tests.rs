//! The guard's rules, one test per way a request could reach something that is not ours.

use super::*;
use serde_json::json;

const BASE: &str = "http://h/scim/v2";
const NS: &str = "scimcheck-1234";

fn guard() -> WriteGuard {
    WriteGuard::new(BASE, NS)
}

fn out(method: &'static str, url: &str, body: Option<Value>) -> Outgoing {
    Outgoing {
        method,
        url: url.to_string(),
        headers: Vec::new(),
        body: body.map(|b| serde_json::to_vec(&b).unwrap()),
        credential: true,
        busy_retries: true,
    }
}

#[test]
fn guard_allows_only_own_resources_and_invented_ids() {
    let g = guard();
    g.own("/Users/abc", "scimcheck-1234-1-");
    assert!(g.may_modify("/Users/abc"));
    assert!(g.may_modify("/Users/scimcheck-1234-9-missing"));
    assert!(!g.may_modify("/Users/someone-elses"));
    assert!(!g.may_modify("/Users/scimcheck-9999-1-x"));
    assert!(!g.may_modify("/Users/scimcheck-1234-9-x/victim"));
    g.gone("/Users/abc");
    assert!(g.may_modify("/Users/abc"), "a deleted resource stays ours");
    assert!(g.live().is_empty());
}

#[test]
fn every_write_passes_the_guard_and_reads_stay_under_the_base() {
    let g = guard();
    g.own("/Users/abc", "m");
    for method in ["PUT", "PATCH", "DELETE"] {
        assert!(
            g.permit(&out(method, "http://h/scim/v2/Users/abc", None))
                .is_ok()
        );
        let refused = g
            .permit(&out(method, "http://h/scim/v2/Users/other", None))
            .unwrap_err();
        assert_eq!(refused.why, "this run did not create that resource");
        // The collection itself, as an id of `..`, `.` or "" would make it.
        for collection in [
            "http://h/scim/v2/Users/",
            "http://h/scim/v2/Users/abc/..",
            "http://h/scim/v2/",
        ] {
            assert!(
                g.permit(&out(method, collection, None)).is_err(),
                "{method} {collection}"
            );
        }
    }
    assert!(
        g.permit(&out("GET", "http://h/scim/v2/Users/other", None))
            .is_ok()
    );
    assert!(
        g.permit(&out("POST", "http://h/scim/v2/Users", None))
            .is_ok()
    );
    let elsewhere = g
        .permit(&out("GET", "http://other/scim/v2/Users", None))
        .unwrap_err();
    assert_eq!(elsewhere.why, "it is outside the base URL");
}

#[test]
fn dot_segments_cannot_smuggle_a_request_past_the_guard() {
    for sneaky in [
        "http://h/scim/v2/Users/scimcheck-1234-1-x/../victim",
        "http://h/scim/v2/Users/scimcheck-1234-1-x/%2e%2e/victim",
    ] {
        let key = key_of(BASE, sneaky).unwrap();
        assert_eq!(key, "/Users/victim");
        assert!(!guard().may_modify(&key));
    }
    assert_eq!(key_of(BASE, "http://h/scim/v2/../admin"), None);
}

#[test]
fn ids_that_name_no_single_resource_are_unusable() {
    for bad in ["", " ", ".", "..", "%2e", "%2E%2e", "%252e%252e", ".%2e"] {
        assert!(!usable_id(bad), "{bad:?}");
    }
    for good in [
        "abc",
        "...",
        "a.b",
        "2819c223-7f76-453a-919d-413861904646",
        "a/b",
    ] {
        assert!(usable_id(good), "{good:?}");
    }
}

#[test]
fn created_keys_encode_the_id_as_one_segment() {
    assert_eq!(created_key("/Users", "abc-1"), "/Users/abc-1");
    assert_eq!(
        created_key("/Users", "../Groups/x"),
        "/Users/..%2FGroups%2Fx"
    );
}

#[test]
fn keys_are_paths_under_the_base() {
    assert_eq!(
        key_of(BASE, "http://h/scim/v2/Users/1?x=y").as_deref(),
        Some("/Users/1")
    );
    assert_eq!(key_of(BASE, "http://h/scim/v2x/Users/1"), None);
    assert_eq!(key_of(BASE, "http://other/scim/v2/Users/1"), None);
    assert_eq!(key_of(BASE, "https://h/scim/v2/Users/1"), None);
    assert_eq!(
        key_of_location(BASE, "/scim/v2/Users/1").as_deref(),
        Some("/Users/1")
    );
    assert_eq!(
        key_of_location(BASE, "http://h/scim/v2/Users/1").as_deref(),
        Some("/Users/1")
    );
    assert_eq!(key_of_location(BASE, "/other/Users/1"), None);
}

#[test]
fn bulk_operations_are_held_to_the_same_rules() {
    let g = guard();
    g.own("/Users/mine", "m");
    let bulk = |ops: Value| {
        out(
            "POST",
            "http://h/scim/v2/Bulk",
            Some(
                json!({"schemas": ["urn:ietf:params:scim:api:messages:2.0:BulkRequest"], "Operations": ops}),
            ),
        )
    };
    let ok = bulk(json!([
        {"method": "POST", "path": "/Users", "bulkId": "u1", "data": {}},
        {"method": "PATCH", "path": "/Users/mine", "data": {}},
        {"method": "DELETE", "path": "/Users/scimcheck-1234-1-gone"},
        {"method": "PUT", "path": "bulkId:u1", "data": {}}
    ]));
    assert!(g.permit(&ok).is_ok());
    for (method, path) in [
        ("DELETE", "/Users/someone"),
        ("patch", "/Groups/admins"),
        ("DELETE", "/Users/scimcheck-1234-1-x/../victim"),
        ("DELETE", "/Users/"),
    ] {
        let err = g
            .permit(&bulk(json!([{"method": method, "path": path}])))
            .unwrap_err();
        assert!(
            err.to_string()
                .starts_with("safety: refusing to POST a bulk request"),
            "{err}"
        );
    }
}

#[test]
fn read_only_refuses_every_write_but_search() {
    let g = guard().read_only(true);
    g.own("/Users/ours", "scimcheck-run-1-a");
    assert!(
        g.permit(&out("GET", &format!("{BASE}/Users"), None))
            .is_ok()
    );
    assert!(
        g.permit(&out("POST", &format!("{BASE}/Users/.search"), None))
            .is_ok()
    );
    for (method, path) in [
        ("POST", "/Users"),
        ("PUT", "/Users/ours"),
        ("PATCH", "/Users/ours"),
        ("DELETE", "/Users/ours"),
        ("POST", "/Bulk"),
    ] {
        let refused = g
            .permit(&out(method, &format!("{BASE}{path}"), None))
            .unwrap_err();
        assert_eq!(
            refused.why, "--read-only: this run sends no write",
            "{method} {path}"
        );
    }
}
