//! Built-in steps for requirements a declarative step cannot state (set comparisons and the like).

use super::bulk::{self, Limit};
use super::step::{CheckState, StepEnd};
use crate::http::Outgoing;
use crate::outcome::{Finding, FindingKind, StepError};
use crate::suite::{BuiltinCall, PageWalkArgs, Template, Vars};
use serde_json::Value;
use std::collections::BTreeMap;

/// Most pages a walk reads before it gives up (a server that never ends its list).
const MAX_PAGES: usize = 200;

/// Sends `method path` under the base, with the default headers, `extra` ones and a JSON body
/// (as application/scim+json) if given; the index of its exchange.
pub(super) async fn send_json(
    state: &mut CheckState<'_>,
    method: &'static str,
    path: &str,
    extra: &[(&str, String)],
    body: Option<&Value>,
) -> Result<usize, StepError> {
    let mut headers = state.shared.default_headers();
    if body.is_some() {
        headers.push(("Content-Type".into(), "application/scim+json".into()));
    }
    headers.extend(extra.iter().map(|(k, v)| (k.to_string(), v.clone())));
    state
        .send(Outgoing {
            method,
            url: format!("{}{path}", state.shared.config.base_url),
            headers,
            body: body.map(|b| serde_json::to_vec(b).unwrap_or_default()),
            credential: true,
            busy_retries: true,
        })
        .await
}

/// The status and JSON body (if any) of exchange `i`; an error when it got no response.
pub(super) fn answer(state: &CheckState<'_>, i: usize) -> Result<(u16, Option<Value>), StepError> {
    let ex = &state.exchanges[i];
    match &ex.response {
        None => Err(StepError::no_response(ex)),
        Some(r) => Ok((r.status, r.body.as_ref().and_then(|b| b.json()).cloned())),
    }
}

/// GETs a path under the base; the status and the JSON body, if any.
pub(super) async fn get_json(
    state: &mut CheckState<'_>,
    path: &str,
) -> Result<(u16, Option<Value>), StepError> {
    let i = send_json(state, "GET", path, &[], None).await?;
    answer(state, i)
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

/// `page-walk`'s arguments with their templates expanded.
struct Walk {
    endpoint: String,
    filter: String,
    count: usize,
    ids: Vec<String>,
}

/// A string argument; a whole-value `${var}` holding a non-string gives `None`.
fn text(t: &Template, vars: &Vars) -> Result<Option<String>, StepError> {
    Ok(t.render_value(vars)?.as_str().map(str::to_string))
}

fn walk_args(args: &PageWalkArgs, vars: &Vars) -> Result<Walk, StepError> {
    let missing = |what: &str| StepError::Builtin(what.to_string());
    let endpoint = text(&args.endpoint, vars)?;
    let filter = text(&args.filter, vars)?;
    let mut ids = Vec::new();
    for id in &args.ids {
        ids.extend(text(id, vars)?);
    }
    if ids.is_empty() {
        return Err(missing(
            "page-walk needs `ids`: the resources that must each be seen once",
        ));
    }
    Ok(Walk {
        endpoint: endpoint.unwrap_or_else(|| "/Users".into()),
        filter: filter.ok_or_else(|| {
            missing("page-walk needs a `filter` scoping the walk to the check's own data")
        })?,
        count: args.count,
        ids,
    })
}

/// PAGE-007: walking pages of `count` (startIndex 1, 1+count, …), as Okta and Entra do, sees each
/// of the check's own resources exactly once, and no page is larger than asked.
async fn page_walk(state: &mut CheckState<'_>, args: &PageWalkArgs) -> StepEnd {
    let walk = match walk_args(args, &state.vars) {
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

/// Runs a built-in step (its arguments were checked at load time).
pub async fn run(state: &mut CheckState<'_>, call: &BuiltinCall) -> StepEnd {
    match call {
        BuiltinCall::ResourceTypeSchemasPublished => resource_type_schemas_published(state).await,
        BuiltinCall::PageWalk(args) => page_walk(state, args).await,
        BuiltinCall::BulkOverMaxOperations => bulk::over_limit(state, Limit::Operations).await,
        BuiltinCall::BulkOverMaxPayload => bulk::over_limit(state, Limit::Payload).await,
        BuiltinCall::WaitASecond => {
            tokio::time::sleep(std::time::Duration::from_millis(1100)).await;
            StepEnd::Passed
        }
        BuiltinCall::AdvertisedMatches(args) => {
            super::advertised::advertised_matches(state, args).await
        }
        BuiltinCall::RateLimitProbe(aspect) => super::probes::rate_limit(state, *aspect).await,
        BuiltinCall::OAuthWrongSecret(aspect) => super::probes::wrong_secret(state, *aspect).await,
        BuiltinCall::OAuthExpiredToken(aspect) => {
            super::token_expiry::expired_token(state, *aspect).await
        }
    }
}
