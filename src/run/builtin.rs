//! Built-in steps for requirements a declarative step cannot state (set comparisons and the like).

use super::execute::{CheckState, StepEnd};
use crate::check::Finding;
use crate::http::Outgoing;
use crate::suite::Step;
use serde_json::Value;

async fn get_json(state: &mut CheckState<'_>, path: &str) -> Result<Option<Value>, String> {
    let url = format!("{}{path}", state.shared.base_url);
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
        None => Err(ex.error.clone().unwrap_or_default()),
        Some(r) => Ok(r.body.as_ref().and_then(|b| b.json()).cloned()),
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
        Ok(v) => v,
        Err(e) => return StepEnd::Errored(e),
    };
    let schemas = match get_json(state, "/Schemas").await {
        Ok(v) => v,
        Err(e) => return StepEnd::Errored(e),
    };
    let Some(rt_list) = rts
        .as_ref()
        .and_then(|v| v.get("Resources"))
        .and_then(Value::as_array)
    else {
        return StepEnd::Failed(vec![Finding::new(
            "GET /ResourceTypes",
            "a ListResponse with Resources",
            "no Resources array",
        )]);
    };
    let Some(published) = schemas.as_ref().and_then(ids_in_list) else {
        return StepEnd::Failed(vec![Finding::new(
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
                findings.push(Finding::new(
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

/// Dispatches a built-in step by name (names are validated at load time).
pub async fn run(state: &mut CheckState<'_>, name: &str, _step: &Step) -> StepEnd {
    match name {
        "resource-type-schemas-published" => resource_type_schemas_published(state).await,
        other => StepEnd::Errored(format!("unknown built-in step `{other}`")),
    }
}
