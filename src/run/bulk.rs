//! Bulk requests under the safety rules: every operation inside a POST /Bulk is held to the same
//! guard as a single request, and what the bulk created goes into the cleanup ledger; and the
//! built-in probes of the advertised bulk limits.

use super::builtin::get_json;
use super::ledger::{Created, key_of, key_of_location, may_modify};
use super::step::{CheckState, StepEnd};
use crate::http::Outgoing;
use crate::outcome::{Finding, FindingKind, StepError};
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

/// Which advertised bulk limit to exceed.
#[derive(Clone, Copy)]
pub(super) enum Limit {
    Operations,
    Payload,
}

/// Largest probe the harness will send, whatever a server advertises.
const MAX_PROBE_OPERATIONS: u64 = 100_000;
const MAX_PROBE_BYTES: u64 = 64 * 1024 * 1024;

/// BULK-008/009: a bulk request one over the advertised maxOperations (or maxPayloadSize) answers
/// 413 with a SCIM error. The limits are read from /ServiceProviderConfig, so a server with large
/// limits is probed at its own limit, never judged by an assumed one. Every operation targets an
/// id this run invented, so nothing can be touched even if the server processes the request.
pub(super) async fn over_limit(state: &mut CheckState<'_>, limit: Limit) -> StepEnd {
    let spc = match get_json(state, "/ServiceProviderConfig").await {
        Ok((_, Some(v))) => v,
        Ok((status, None)) => {
            return StepEnd::Failed(vec![Finding::at(
                FindingKind::Builtin,
                "GET /ServiceProviderConfig",
                "a JSON body",
                format!("status {status} without JSON"),
            )]);
        }
        Err(e) => return StepEnd::Errored(e),
    };
    let field = match limit {
        Limit::Operations => "maxOperations",
        Limit::Payload => "maxPayloadSize",
    };
    let Some(max) = spc
        .get("bulk")
        .and_then(|b| b.get(field))
        .and_then(Value::as_u64)
    else {
        return StepEnd::Failed(vec![Finding::at(
            FindingKind::Builtin,
            format!("bulk.{field}"),
            "an integer in /ServiceProviderConfig",
            "absent",
        )]);
    };
    let prefix = format!("{}-{}", state.vars.prefix(), state.vars.check_seq);
    let schemas = serde_json::json!(["urn:ietf:params:scim:api:messages:2.0:BulkRequest"]);
    let body = match limit {
        Limit::Operations if max < MAX_PROBE_OPERATIONS => {
            let ops: Vec<Value> = (0..=max)
                .map(|i| serde_json::json!({"method": "DELETE", "path": format!("/Users/{prefix}-bulk{i}")}))
                .collect();
            serde_json::json!({"schemas": schemas, "Operations": ops})
        }
        Limit::Payload if max < MAX_PROBE_BYTES => {
            let patch = |pad: String| {
                serde_json::json!({"schemas": schemas, "Operations": [{"method": "PATCH", "path": format!("/Users/{prefix}-bulk"),
                    "data": {"schemas": ["urn:ietf:params:scim:api:messages:2.0:PatchOp"],
                             "Operations": [{"op": "replace", "path": "nickName", "value": pad}]}}]})
            };
            let frame = serde_json::to_vec(&patch(String::new())).map_or(0, |v| v.len() as u64);
            patch("x".repeat((max + 1).saturating_sub(frame) as usize))
        }
        _ => {
            return StepEnd::Errored(StepError::Builtin(format!(
                "bulk.{field} is {max}: too large to probe"
            )));
        }
    };
    let url = format!("{}/Bulk", state.shared.config.base_url);
    let mut headers = state.shared.default_headers();
    headers.push(("Content-Type".into(), "application/scim+json".into()));
    let out = Outgoing {
        method: "POST",
        url,
        headers,
        body: Some(serde_json::to_vec(&body).unwrap_or_default()),
    };
    let i = match state.send(out, false).await {
        Ok(i) => i,
        Err(e) => return StepEnd::Errored(e),
    };
    let Some(resp) = &state.exchanges[i].response else {
        return StepEnd::Errored(StepError::no_response(&state.exchanges[i]));
    };
    let over = match limit {
        Limit::Operations => format!("{} operations (maxOperations {max})", max + 1),
        Limit::Payload => format!("{} bytes (maxPayloadSize {max})", max + 1),
    };
    let mut findings = Vec::new();
    if resp.status != 413 {
        findings.push(Finding::at(
            FindingKind::Builtin,
            format!("status for {over}"),
            "413",
            resp.status.to_string(),
        ));
    } else {
        let json = resp.body.as_ref().and_then(|b| b.json());
        let urn = "urn:ietf:params:scim:api:messages:2.0:Error";
        if !json
            .and_then(|j| j.get("schemas"))
            .and_then(Value::as_array)
            .is_some_and(|a| a.iter().any(|u| u == urn))
        {
            findings.push(Finding::at(
                FindingKind::Body,
                "/schemas",
                format!("containing {urn}"),
                "absent",
            ));
        }
        if json.and_then(|j| j.get("status")) != Some(&Value::String("413".into())) {
            let got = json
                .and_then(|j| j.get("status"))
                .map_or("absent".to_string(), Value::to_string);
            findings.push(Finding::at(FindingKind::Body, "/status", "\"413\"", got));
        }
    }
    if findings.is_empty() {
        StepEnd::Passed
    } else {
        StepEnd::Failed(findings)
    }
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
