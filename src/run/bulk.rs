//! Bulk requests under the safety rules: every operation inside a POST /Bulk is held to the same
//! guard as a single request, and what the bulk created goes into the cleanup ledger.

use super::ledger::{Created, key_of, key_of_location, may_modify};
use serde_json::Value;

fn operations(v: &Value) -> &[Value] {
    v.get("Operations")
        .and_then(Value::as_array)
        .map_or(&[], Vec::as_slice)
}

fn path_key(base_url: &str, path: &str) -> Option<String> {
    let path = if path.starts_with('/') {
        path.to_string()
    } else {
        format!("/{path}")
    };
    key_of(base_url, &format!("{base_url}{path}"))
}

/// Refuses a bulk request any of whose PUT, PATCH or DELETE operations targets something this
/// run did not create. A `bulkId:` reference names a resource the same request creates.
pub fn guard(
    body: Option<&[u8]>,
    base_url: &str,
    created: &Created,
    run_prefix: &str,
) -> Result<(), String> {
    let Some(request) = body.and_then(|b| serde_json::from_slice::<Value>(b).ok()) else {
        return Ok(()); // not JSON: the server will refuse it, and nothing can be targeted
    };
    for op in operations(&request) {
        let method = op
            .get("method")
            .and_then(Value::as_str)
            .unwrap_or_default()
            .to_ascii_uppercase();
        if !matches!(method.as_str(), "PUT" | "PATCH" | "DELETE") {
            continue;
        }
        let path = op.get("path").and_then(Value::as_str).unwrap_or_default();
        if path.contains("bulkId:") {
            continue;
        }
        let allowed = path_key(base_url, path).is_some_and(|k| may_modify(created, &k, run_prefix));
        if !allowed {
            return Err(format!(
                "safety: refusing a bulk request that would {method} {path}: this run did not create that resource"
            ));
        }
    }
    Ok(())
}

fn succeeded(result: &Value) -> bool {
    let status = match result.get("status") {
        Some(Value::String(s)) => s.parse::<u16>().ok(),
        Some(Value::Number(n)) => n.as_u64().and_then(|n| u16::try_from(n).ok()),
        _ => None,
    };
    status.is_some_and(|s| (200..300).contains(&s))
}

/// What a bulk response says was created (POST results' locations) and deleted.
pub fn effects(response: &Value, base_url: &str) -> (Vec<String>, Vec<String>) {
    let mut created = Vec::new();
    let mut deleted = Vec::new();
    for result in operations(response).iter().filter(|r| succeeded(r)) {
        let method = result
            .get("method")
            .and_then(Value::as_str)
            .unwrap_or_default()
            .to_ascii_uppercase();
        let Some(key) = result
            .get("location")
            .and_then(Value::as_str)
            .and_then(|l| key_of_location(base_url, l))
        else {
            continue;
        };
        match method.as_str() {
            "POST" => created.push(key),
            "DELETE" => deleted.push(key),
            _ => {}
        }
    }
    (created, deleted)
}

#[cfg(test)]
mod tests {
    use super::*;
    use serde_json::json;

    const BASE: &str = "http://h/scim/v2";

    fn body(ops: Value) -> Vec<u8> {
        serde_json::to_vec(&json!({"schemas": ["urn:ietf:params:scim:api:messages:2.0:BulkRequest"], "Operations": ops})).unwrap()
    }

    #[test]
    fn guard_holds_each_operation_to_the_run_rules() {
        let created = Created::default();
        created.insert("/Users/mine");
        let ok = body(json!([
            {"method": "POST", "path": "/Users", "bulkId": "u1", "data": {}},
            {"method": "PATCH", "path": "/Users/mine", "data": {}},
            {"method": "DELETE", "path": "/Users/scimcheck-1234-1-gone"},
            {"method": "PUT", "path": "bulkId:u1", "data": {}}
        ]));
        assert!(guard(Some(&ok), BASE, &created, "scimcheck-1234").is_ok());
        for (method, path) in [
            ("DELETE", "/Users/someone"),
            ("patch", "/Groups/admins"),
            ("DELETE", "/Users/scimcheck-1234-1-x/../victim"),
        ] {
            let bad = body(json!([{"method": method, "path": path}]));
            let err = guard(Some(&bad), BASE, &created, "scimcheck-1234").unwrap_err();
            assert!(err.starts_with("safety: refusing a bulk request"), "{err}");
        }
    }

    #[test]
    fn effects_read_created_and_deleted_locations() {
        let response = json!({"Operations": [
            {"method": "POST", "bulkId": "u1", "status": "201", "location": "http://h/scim/v2/Users/1"},
            {"method": "POST", "bulkId": "u2", "status": "409", "response": {}},
            {"method": "DELETE", "status": 204, "location": "http://h/scim/v2/Users/2"},
            {"method": "POST", "status": "201", "location": "http://elsewhere/Users/3"},
            {"method": "POST", "status": "201", "location": "/scim/v2/Users/4"}
        ]});
        let created = vec!["/Users/1".to_string(), "/Users/4".to_string()];
        assert_eq!(
            effects(&response, BASE),
            (created, vec!["/Users/2".to_string()])
        );
    }
}
