//! Built-in steps for requirements a declarative step cannot state (set comparisons and the like).

use super::step::{CheckState, StepEnd};
use crate::http::Outgoing;
use crate::outcome::{Finding, FindingKind, StepError};
use crate::suite::{Step, render_json};
use serde_json::Value;
use std::collections::BTreeMap;

/// Most pages a walk reads before it gives up (a server that never ends its list).
const MAX_PAGES: usize = 200;

/// GETs a path under the base; the status and the JSON body, if any.
async fn get_json(
    state: &mut CheckState<'_>,
    path: &str,
) -> Result<(u16, Option<Value>), StepError> {
    let url = format!("{}{path}", state.shared.config.base_url);
    let headers = state.shared.default_headers();
    let i = state
        .send(
            Outgoing {
                method: "GET",
                url,
                headers,
                body: None,
            },
            false,
        )
        .await?;
    let ex = &state.exchanges[i];
    match &ex.response {
        None => Err(StepError::no_response(ex)),
        Some(r) => Ok((r.status, r.body.as_ref().and_then(|b| b.json()).cloned())),
    }
}

fn ids_in_list(list: &Value) -> Option<Vec<String>> {
    let items = list.get("Resources")?.as_array()?;
    Some(
        items
            .iter()
            .filter_map(|s| s.get("id").and_then(Value::as_str).map(str::to_string))
            .collect(),
    )
}

/// DISC-013: every schema a ResourceType names is published in /Schemas with an equal id.
async fn resource_type_schemas_published(state: &mut CheckState<'_>) -> StepEnd {
    let rts = match get_json(state, "/ResourceTypes").await {
        Ok((_, v)) => v,
        Err(e) => return StepEnd::Errored(e),
    };
    let schemas = match get_json(state, "/Schemas").await {
        Ok((_, v)) => v,
        Err(e) => return StepEnd::Errored(e),
    };
    let Some(rt_list) = rts
        .as_ref()
        .and_then(|v| v.get("Resources"))
        .and_then(Value::as_array)
    else {
        return StepEnd::Failed(vec![Finding::at(
            FindingKind::Builtin,
            "GET /ResourceTypes",
            "a ListResponse with Resources",
            "no Resources array",
        )]);
    };
    let Some(published) = schemas.as_ref().and_then(ids_in_list) else {
        return StepEnd::Failed(vec![Finding::at(
            FindingKind::Builtin,
            "GET /Schemas",
            "a ListResponse with Resources",
            "no Resources array",
        )]);
    };
    let mut findings = Vec::new();
    for rt in rt_list {
        let name = rt.get("name").and_then(Value::as_str).unwrap_or("?");
        let mut named: Vec<&str> = rt
            .get("schema")
            .and_then(Value::as_str)
            .into_iter()
            .collect();
        if let Some(exts) = rt.get("schemaExtensions").and_then(Value::as_array) {
            named.extend(
                exts.iter()
                    .filter_map(|e| e.get("schema").and_then(Value::as_str)),
            );
        }
        for s in named {
            if !published.iter().any(|p| p == s) {
                findings.push(Finding::at(
                    FindingKind::Builtin,
                    format!("ResourceType {name}"),
                    format!("{s} in /Schemas"),
                    "not published",
                ));
            }
        }
    }
    if findings.is_empty() {
        StepEnd::Passed
    } else {
        StepEnd::Failed(findings)
    }
}

/// Arguments of `page-walk`.
struct Walk {
    endpoint: String,
    filter: String,
    count: usize,
    ids: Vec<String>,
}

fn walk_args(step: &Step, state: &CheckState<'_>) -> Result<Walk, StepError> {
    let missing = |what: &str| StepError::Builtin(what.to_string());
    let raw = step
        .with
        .as_ref()
        .ok_or_else(|| missing("page-walk needs `with: {filter, count, ids}`"))?;
    let args = render_json(raw, &state.vars)?;
    let text = |k: &str| args.get(k).and_then(Value::as_str).map(str::to_string);
    let count = args
        .get("count")
        .and_then(Value::as_u64)
        .filter(|c| *c > 0)
        .ok_or_else(|| missing("page-walk needs a positive `count`"))?;
    let ids = args
        .get("ids")
        .and_then(Value::as_array)
        .map(|a| {
            a.iter()
                .filter_map(Value::as_str)
                .map(str::to_string)
                .collect::<Vec<_>>()
        })
        .filter(|ids| !ids.is_empty())
        .ok_or_else(|| {
            missing("page-walk needs `ids`: the resources that must each be seen once")
        })?;
    Ok(Walk {
        endpoint: text("endpoint").unwrap_or_else(|| "/Users".into()),
        filter: text("filter").ok_or_else(|| {
            missing("page-walk needs a `filter` scoping the walk to the check's own data")
        })?,
        count: count as usize,
        ids,
    })
}

/// PAGE-007: walking pages of `count` (startIndex 1, 1+count, …), as Okta and Entra do, sees each
/// of the check's own resources exactly once, and no page is larger than asked.
async fn page_walk(state: &mut CheckState<'_>, step: &Step) -> StepEnd {
    let walk = match walk_args(step, state) {
        Ok(w) => w,
        Err(e) => return StepEnd::Errored(e),
    };
    let mut seen: BTreeMap<String, usize> = BTreeMap::new();
    let mut findings = Vec::new();
    let mut start = 1;
    for _ in 0..MAX_PAGES {
        let filter: String = url::form_urlencoded::byte_serialize(walk.filter.as_bytes()).collect();
        let path = format!(
            "{}?filter={}&startIndex={start}&count={}",
            walk.endpoint,
            filter.replace('+', "%20"),
            walk.count
        );
        let subject = format!("page at startIndex {start}");
        let page = match get_json(state, &path).await {
            Ok((200, Some(v))) => v,
            Ok((200, None)) => {
                return StepEnd::Failed(vec![Finding::at(
                    FindingKind::Builtin,
                    subject,
                    "a JSON ListResponse",
                    "no JSON body",
                )]);
            }
            Ok((status, _)) => {
                return StepEnd::Failed(vec![Finding::at(
                    FindingKind::Builtin,
                    subject,
                    "status 200",
                    status.to_string(),
                )]);
            }
            Err(e) => return StepEnd::Errored(e),
        };
        let items = page
            .get("Resources")
            .and_then(Value::as_array)
            .cloned()
            .unwrap_or_default();
        if items.len() > walk.count {
            findings.push(Finding::at(
                FindingKind::Builtin,
                format!("page at startIndex {start}"),
                format!("at most {} resources", walk.count),
                items.len().to_string(),
            ));
        }
        for item in &items {
            if let Some(id) = item.get("id").and_then(Value::as_str) {
                *seen.entry(id.to_string()).or_default() += 1;
            }
        }
        let total = page
            .get("totalResults")
            .and_then(Value::as_u64)
            .unwrap_or(0) as usize;
        if items.is_empty() || start + walk.count > total {
            break;
        }
        start += walk.count;
    }
    for id in &walk.ids {
        match seen.get(id).copied().unwrap_or(0) {
            1 => {}
            0 => findings.push(Finding::at(
                FindingKind::Builtin,
                format!("resource {id}"),
                "seen once while paging",
                "never seen",
            )),
            n => findings.push(Finding::at(
                FindingKind::Builtin,
                format!("resource {id}"),
                "seen once while paging",
                format!("seen {n} times"),
            )),
        }
    }
    if findings.is_empty() {
        StepEnd::Passed
    } else {
        StepEnd::Failed(findings)
    }
}

/// Which advertised bulk limit to exceed.
#[derive(Clone, Copy)]
enum Limit {
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
async fn bulk_limit(state: &mut CheckState<'_>, limit: Limit) -> StepEnd {
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

/// Dispatches a built-in step by name (names are validated at load time).
pub async fn run(state: &mut CheckState<'_>, name: &str, step: &Step) -> StepEnd {
    match name {
        "resource-type-schemas-published" => resource_type_schemas_published(state).await,
        "page-walk" => page_walk(state, step).await,
        "bulk-over-max-operations" => bulk_limit(state, Limit::Operations).await,
        "bulk-over-max-payload" => bulk_limit(state, Limit::Payload).await,
        other => StepEnd::Errored(StepError::Builtin(format!(
            "unknown built-in step `{other}`"
        ))),
    }
}
