//! POST /Bulk (RFC 7644 §3.7): a list of POST/PUT/PATCH/DELETE operations on /Users and
//! /Groups, applied in order exactly as the equivalent single requests, with `bulkId:`
//! references to resources created earlier in the same request, `failOnErrors`, and the
//! advertised maxOperations / maxPayloadSize limits (413).

use serde_json::{Map, Value, json};

use crate::server::model::ServerModel;
use crate::server::model::schema::Kind;
use crate::server::model::settings::{Settings, decode_segment};
use crate::server::protocol::bulkid::{Created, resolve_data, resolve_path};
use crate::server::protocol::crud::{self, Ctx};
use crate::server::protocol::error::ScimError;
use crate::server::protocol::etag::Preconditions;
use crate::server::protocol::project::Projection;
use crate::server::protocol::reply::{Body, Reply};
use crate::server::store::Store;

pub(crate) const BULK_REQUEST_URN: &str = "urn:ietf:params:scim:api:messages:2.0:BulkRequest";
pub(crate) const BULK_RESPONSE_URN: &str = "urn:ietf:params:scim:api:messages:2.0:BulkResponse";

/// A body over maxPayloadSize answers 413 (unless `bulk-max-payload-ignored`).
pub(crate) fn check_payload_size(len: usize, settings: &Settings) -> Result<(), ScimError> {
    let max = settings.model.limits.bulk_max_payload_size;
    if len > max && !settings.policies.bulk.max_payload_ignored {
        return Err(ScimError::new(
            413,
            format!("the Bulk request is {len} bytes; maxPayloadSize is {max}"),
        ));
    }
    Ok(())
}

fn member<'a>(object: &'a Map<String, Value>, name: &str) -> Option<&'a Value> {
    object
        .iter()
        .find(|(k, _)| k.eq_ignore_ascii_case(name))
        .map(|(_, v)| v)
        .filter(|v| !v.is_null())
}

pub(crate) fn process(
    store: &mut Store,
    settings: &Settings,
    body: &Map<String, Value>,
) -> Result<Reply, ScimError> {
    let names_urn = member(body, "schemas")
        .and_then(Value::as_array)
        .is_some_and(|urns| {
            urns.iter()
                .filter_map(Value::as_str)
                .any(|u| u.eq_ignore_ascii_case(BULK_REQUEST_URN))
        });
    if !names_urn {
        return Err(ScimError::invalid_syntax(format!(
            "a Bulk request needs 'schemas' containing {BULK_REQUEST_URN}"
        )));
    }
    let Some(Value::Array(operations)) = member(body, "Operations") else {
        return Err(ScimError::invalid_syntax(
            "a Bulk request needs an 'Operations' array",
        ));
    };
    let max = settings.model.limits.bulk_max_operations;
    if operations.len() > max && !settings.policies.bulk.max_operations_ignored {
        return Err(ScimError::new(
            413,
            format!(
                "the Bulk request has {} operations; maxOperations is {max}",
                operations.len()
            ),
        ));
    }
    let fail_on_errors = match member(body, "failOnErrors") {
        None => None,
        Some(Value::Number(n)) if n.as_u64().is_some_and(|n| n >= 1) => n.as_u64(),
        Some(other) => {
            return Err(ScimError::invalid_value(format!(
                "failOnErrors must be a positive integer, got {other}"
            )));
        }
    };
    let fail_on_errors = fail_on_errors.filter(|_| !settings.policies.bulk.fail_on_errors_ignored);
    let mut created = Created::new();
    let mut results = Vec::with_capacity(operations.len());
    let mut errors = 0u64;
    for op in operations {
        if fail_on_errors.is_some_and(|limit| errors >= limit) {
            break;
        }
        let result = run(store, settings, op, &mut created);
        if result.status >= 400 {
            errors += 1;
        }
        results.push(result.into_json(settings));
    }
    Ok(Reply::json(
        200,
        json!({"schemas": [BULK_RESPONSE_URN], "Operations": results}),
    ))
}

/// The result of one operation.
#[derive(Debug, Default)]
struct Outcome {
    method: String,
    bulk_id: Option<String>,
    status: u16,
    location: Option<String>,
    version: Option<String>,
    response: Option<Value>,
    /// The resource a successful operation created or changed.
    id: Option<String>,
}

impl Outcome {
    fn into_json(self, settings: &Settings) -> Value {
        let mut out = Map::new();
        out.insert("method".into(), json!(self.method));
        if let Some(bulk_id) = self.bulk_id {
            out.insert("bulkId".into(), json!(bulk_id));
        }
        if let Some(version) = self.version {
            out.insert("version".into(), json!(version));
        }
        if let Some(location) = self.location {
            out.insert("location".into(), json!(location));
        }
        let status = if settings.policies.bulk.status_as_number {
            json!(self.status)
        } else {
            json!(self.status.to_string())
        };
        out.insert("status".into(), status);
        if let Some(response) = self.response {
            out.insert("response".into(), response);
        }
        Value::Object(out)
    }
}

fn run(store: &mut Store, settings: &Settings, op: &Value, created: &mut Created) -> Outcome {
    let mut outcome = Outcome::default();
    let result = attempt(store, settings, op, created, &mut outcome);
    if let Err(err) = result {
        outcome.status = err.status;
        outcome.response = Some(err.body(settings));
        outcome.location = None;
        outcome.version = None;
        outcome.id = None;
    }
    if outcome.method == "POST" {
        if let Some(bulk_id) = &outcome.bulk_id {
            created.insert(bulk_id.clone(), outcome.id.clone());
        }
    }
    outcome
}

fn attempt(
    store: &mut Store,
    settings: &Settings,
    op: &Value,
    created: &Created,
    outcome: &mut Outcome,
) -> Result<(), ScimError> {
    let Value::Object(op) = op else {
        return Err(ScimError::invalid_syntax(
            "each Bulk operation must be an object",
        ));
    };
    let method = member(op, "method")
        .and_then(Value::as_str)
        .unwrap_or_default();
    outcome.method = method.to_ascii_uppercase();
    outcome.bulk_id = member(op, "bulkId")
        .and_then(Value::as_str)
        .map(str::to_owned);
    if !matches!(outcome.method.as_str(), "POST" | "PUT" | "PATCH" | "DELETE") {
        return Err(ScimError::invalid_syntax(format!(
            "Bulk operation method '{method}' is not POST, PUT, PATCH or DELETE"
        )));
    }
    if outcome.method == "POST"
        && outcome.bulk_id.is_none()
        && !settings.policies.bulk.post_without_bulk_id_accepted
    {
        return Err(ScimError::invalid_syntax(
            "a Bulk POST operation needs a bulkId",
        ));
    }
    let resolve = !settings.policies.bulk.bulk_ids_unresolved;
    let mut path = member(op, "path")
        .and_then(Value::as_str)
        .unwrap_or_default()
        .to_owned();
    let mut data = member(op, "data").cloned().unwrap_or(Value::Null);
    if resolve {
        path = resolve_path(&path, created)?;
        resolve_data(&mut data, created)?;
    }
    let (kind, id) = parse_path(&path, &settings.model)?;
    let empty = Map::new();
    let body = match (&data, outcome.method.as_str()) {
        (Value::Object(body), _) => body,
        (_, "DELETE") => &empty,
        _ => {
            return Err(ScimError::invalid_syntax(
                "this Bulk operation needs a 'data' object",
            ));
        }
    };
    let pre = Preconditions {
        if_match: member(op, "version")
            .and_then(Value::as_str)
            .map(str::to_owned),
        if_none_match: None,
    };
    let projection = Projection::default();
    let ctx = Ctx {
        settings,
        kind,
        projection: &projection,
        pre: &pre,
    };
    let done = match (outcome.method.as_str(), id) {
        ("POST", None) => crud::create(store, &ctx, body)?,
        ("PUT", Some(id)) => crud::replace(store, &ctx, &id, body)?,
        ("PATCH", Some(id)) => crud::patch(store, &ctx, &id, body)?,
        ("DELETE", Some(id)) => crud::delete(store, &ctx, &id)?,
        (method, _) => {
            return Err(ScimError::invalid_value(format!(
                "{method} is not allowed on the Bulk path '{path}'"
            )));
        }
    };
    outcome.status = done.reply.status;
    if done.reply.status >= 400 {
        outcome.response = match done.reply.body {
            Body::Json(value) => Some(value),
            Body::Text(text) => Some(Value::String(text)),
            Body::Empty => None,
        };
        return Ok(());
    }
    outcome.location = Some(settings.resource_location(&settings.rt(kind).endpoint, &done.id));
    outcome.version = done.version;
    outcome.id = Some(done.id);
    Ok(())
}

/// A resource type's endpoint with an optional id: `/Users`, `/Groups/{id}`, ….
fn parse_path(path: &str, model: &ServerModel) -> Result<(Kind, Option<String>), ScimError> {
    let refuse = || ScimError::invalid_value(format!("unsupported Bulk path '{path}'"));
    let trimmed = path.trim().trim_start_matches('/');
    let mut segments = trimmed.split('/');
    let kind = segments
        .next()
        .and_then(|endpoint| model.kind_at(&format!("/{endpoint}")))
        .ok_or_else(refuse)?;
    let id = segments
        .next()
        .map(decode_segment)
        .filter(|id| !id.is_empty());
    if segments.next().is_some() {
        return Err(refuse());
    }
    Ok((kind, id))
}

#[cfg(test)]
mod tests {
    use super::*;

    fn parse(path: &str) -> Result<(Kind, Option<String>), ScimError> {
        parse_path(path, &ServerModel::reference("http://127.0.0.1:9", None))
    }

    #[test]
    fn paths() {
        assert_eq!(parse("/Users").unwrap(), (Kind::User, None));
        assert_eq!(
            parse("/Groups/a%20b").unwrap(),
            (Kind::Group, Some("a b".into()))
        );
        for bad in ["/Nope", "/Users/a/b", "", "Schemas"] {
            assert!(parse(bad).is_err(), "{bad}");
        }
    }
}
