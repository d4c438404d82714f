//! Bulk requests under the safety rules: what a bulk response says it created and deleted (each
//! create is then proved ours like a single one; the write guard holds every operation to the
//! same rules as a single request); and the built-in probes of the advertised bulk limits.

use super::builtin::{get_json, send_json};
use super::step::{CheckState, StepEnd};
use crate::http::guard::bulk_operations;
use crate::outcome::{Finding, FindingKind, StepError};
use serde_json::Value;

fn succeeded(result: &Value) -> bool {
    let status = match result.get("status") {
        Some(Value::String(s)) => s.parse::<u16>().ok(),
        Some(Value::Number(n)) => n.as_u64().and_then(|n| u16::try_from(n).ok()),
        _ => None,
    };
    status.is_some_and(|s| (200..300).contains(&s))
}

fn method_of(op: &Value) -> String {
    op.get("method")
        .and_then(Value::as_str)
        .unwrap_or_default()
        .to_ascii_uppercase()
}

/// A POST operation a bulk response says succeeded, with what the request sent for it.
#[derive(Debug, PartialEq)]
pub struct BulkCreate {
    /// How messages name the operation (`bulkId u1`).
    pub label: String,
    /// The endpoint the operation posted to (`/Users`).
    pub endpoint: String,
    /// The operation's `data`, as sent.
    pub data: Option<Value>,
    pub location: Option<String>,
    /// The result's `response`, when the server included the resource.
    pub response: Option<Value>,
}

/// What a bulk response says was created (its successful POST results, matched to the request's
/// operations by bulkId) and deleted (the locations of its successful DELETE results).
pub fn effects(request: &Value, response: &Value) -> (Vec<BulkCreate>, Vec<String>) {
    let sent = bulk_operations(request);
    let mut created = Vec::new();
    let mut deleted = Vec::new();
    for (n, result) in bulk_operations(response)
        .iter()
        .filter(|r| succeeded(r))
        .enumerate()
    {
        let location = result
            .get("location")
            .and_then(Value::as_str)
            .map(str::to_string);
        match method_of(result).as_str() {
            "POST" => {
                let bulk_id = result.get("bulkId").and_then(Value::as_str);
                let op = sent.iter().find(|op| {
                    method_of(op) == "POST"
                        && bulk_id.is_some()
                        && op.get("bulkId").and_then(Value::as_str) == bulk_id
                });
                let endpoint = op
                    .and_then(|op| op.get("path"))
                    .and_then(Value::as_str)
                    .map(|p| format!("/{}", p.trim_matches('/')));
                created.push(BulkCreate {
                    label: bulk_id.map_or_else(|| format!("#{}", n + 1), |b| format!("bulkId {b}")),
                    // Without its request operation, the location's own collection is the endpoint.
                    endpoint: endpoint.unwrap_or_else(|| {
                        location
                            .as_deref()
                            .and_then(|l| l.trim_end_matches('/').rsplit_once('/'))
                            .and_then(|(parent, _)| parent.rsplit_once('/'))
                            .map_or_else(String::new, |(_, collection)| format!("/{collection}"))
                    }),
                    data: op.and_then(|op| op.get("data")).cloned(),
                    location,
                    response: result.get("response").cloned(),
                });
            }
            "DELETE" => deleted.extend(location),
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
    let i = match send_json(state, "POST", "/Bulk", &[], Some(&body)).await {
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

    #[test]
    fn effects_match_created_results_to_their_operations() {
        let request = json!({"Operations": [
            {"method": "POST", "path": "/Users", "bulkId": "u1", "data": {"userName": "a"}},
            {"method": "POST", "path": "Groups", "bulkId": "g1", "data": {"displayName": "g"}}
        ]});
        let response = json!({"Operations": [
            {"method": "POST", "bulkId": "u1", "status": "201", "location": "http://h/scim/v2/Users/1"},
            {"method": "POST", "bulkId": "u2", "status": "409", "response": {}},
            {"method": "DELETE", "status": 204, "location": "http://h/scim/v2/Users/2"},
            {"method": "POST", "status": "201", "location": "http://elsewhere/Things/3"},
            {"method": "POST", "bulkId": "g1", "status": 201, "location": "/scim/v2/Groups/4", "response": {"id": "4"}}
        ]});
        let (created, deleted) = effects(&request, &response);
        assert_eq!(deleted, vec!["http://h/scim/v2/Users/2".to_string()]);
        let summary: Vec<(&str, &str, Option<&str>)> = created
            .iter()
            .map(|c| (c.label.as_str(), c.endpoint.as_str(), c.location.as_deref()))
            .collect();
        assert_eq!(
            summary,
            vec![
                ("bulkId u1", "/Users", Some("http://h/scim/v2/Users/1")),
                ("#3", "/Things", Some("http://elsewhere/Things/3")),
                ("bulkId g1", "/Groups", Some("/scim/v2/Groups/4")),
            ]
        );
        assert_eq!(created[0].data, Some(json!({"userName": "a"})));
        assert_eq!(created[2].response, Some(json!({"id": "4"})));
    }
}
