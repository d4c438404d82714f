//! The /Users endpoint (RFC 7644 §3.3–3.6): create, read, list, replace, patch and delete.

use serde_json::{Map, Value};
use time::Duration;

use super::error::ScimError;
use super::fault::Fault;
use super::filter;
use super::patch;
use super::query::{ListQuery, list_response, page};
use super::render::{filter_view, render};
use super::reply::Reply;
use super::resource::{InputOptions, normalize_resource};
use super::schema::{ResourceType, user_type};
use super::settings::Settings;
use super::store::{Record, Store, after, format_timestamp, now};

fn rt() -> &'static ResourceType {
    user_type()
}

fn not_found(id: &str) -> ScimError {
    ScimError::not_found(format!("User '{id}' not found"))
}

/// The representation of `record`; reads report a fresh id under `unstable-id`.
fn represent(record: &Record, settings: &Settings, read: bool) -> Value {
    let id = if read && settings.has(Fault::UnstableId) {
        uuid::Uuid::new_v4().to_string()
    } else {
        record.id.clone()
    };
    render(record, rt(), settings, &id)
}

/// Case-insensitive lookup of a top-level body member.
fn member<'a>(body: &'a Map<String, Value>, name: &str, opts: &InputOptions) -> Option<&'a Value> {
    body.iter()
        .find(|(k, _)| opts.name_matches(k, name))
        .map(|(_, v)| v)
}

/// `schemas` must be a non-empty array of strings that includes the core User URN.
fn check_schemas(
    body: &Map<String, Value>,
    required: bool,
    opts: &InputOptions,
) -> Result<(), ScimError> {
    let core = &rt().core.id;
    match member(body, "schemas", opts) {
        None if !required => Ok(()),
        Some(Value::Array(items))
            if items.iter().all(Value::is_string)
                && items
                    .iter()
                    .any(|u| u.as_str().is_some_and(|u| u.eq_ignore_ascii_case(core))) =>
        {
            Ok(())
        }
        None => Err(ScimError::invalid_syntax(format!(
            "the body needs 'schemas' containing {core}"
        ))),
        Some(_) => Err(ScimError::invalid_syntax(format!(
            "'schemas' must be an array of URNs containing {core}"
        ))),
    }
}

/// Parses and validates a POST/PUT body into canonical attributes.
fn validated_data(
    body: &Map<String, Value>,
    settings: &Settings,
    schemas_required: bool,
) -> Result<Map<String, Value>, ScimError> {
    let opts = InputOptions::for_body(settings);
    check_schemas(body, schemas_required, &opts)?;
    let data = normalize_resource(body, rt(), &opts)?;
    check_user_name(&data, settings)?;
    Ok(data)
}

fn check_user_name(data: &Map<String, Value>, settings: &Settings) -> Result<(), ScimError> {
    match data.get("userName") {
        Some(Value::String(name)) if !name.trim().is_empty() => Ok(()),
        None if settings.has(Fault::UsernameNotRequired) => Ok(()),
        Some(other) if !other.is_string() && settings.has(Fault::LenientTypes) => Ok(()),
        _ => Err(ScimError::invalid_value(
            "userName is required and must be a non-empty string",
        )),
    }
}

fn check_unique(
    store: &Store,
    data: &Map<String, Value>,
    except: Option<&str>,
    settings: &Settings,
) -> Result<(), ScimError> {
    let Some(name) = data.get("userName").and_then(Value::as_str) else {
        return Ok(());
    };
    let case_exact = settings.has(Fault::UsernameCaseSensitiveUniqueness);
    if store.user_name_taken(name, except, case_exact) {
        return Err(ScimError::conflict(format!(
            "userName '{name}' is already taken"
        )));
    }
    Ok(())
}

/// Stores a new user and answers 201 with Location.
fn insert_new(
    store: &mut Store,
    settings: &Settings,
    id: String,
    mut data: Map<String, Value>,
    body: &Map<String, Value>,
) -> Reply {
    if settings.has(Fault::ExternalidInvented) && !data.contains_key("externalId") {
        data.insert("externalId".into(), Value::from(format!("ext-{id}")));
    }
    let local = settings.has(Fault::TimestampsLocal);
    let created_at = now();
    let modified_at = if settings.has(Fault::LastModifiedSkew) {
        created_at + Duration::seconds(1)
    } else {
        created_at
    };
    let mut record = Record {
        id,
        data,
        created: format_timestamp(created_at, local),
        last_modified: format_timestamp(modified_at, local),
        modified_at,
    };
    if settings.has(Fault::ClientMetaHonoured) {
        let opts = InputOptions::for_body(settings);
        if let Some(Value::Object(meta)) = member(body, "meta", &opts) {
            if let Some(created) = meta.get("created").and_then(Value::as_str) {
                record.created = created.to_owned();
            }
            if let Some(modified) = meta.get("lastModified").and_then(Value::as_str) {
                record.last_modified = modified.to_owned();
            }
        }
    }
    let location = settings.resource_location(rt().endpoint, &record.id);
    let mut reply = Reply::json(201, represent(&record, settings, false));
    if !settings.has(Fault::NoLocationHeader) {
        reply = reply.with_header("Location", location);
    }
    store.insert(record);
    reply
}

pub(crate) fn create(
    store: &mut Store,
    settings: &Settings,
    body: &Map<String, Value>,
) -> Result<Reply, ScimError> {
    let data = validated_data(body, settings, !settings.has(Fault::SchemasNotRequired))?;
    check_unique(store, &data, None, settings)?;
    let client_id = body.get("id").and_then(Value::as_str).filter(|id| {
        settings.has(Fault::ClientIdHonoured) && !id.is_empty() && store.get(id).is_none()
    });
    let id = client_id.map_or_else(|| uuid::Uuid::new_v4().to_string(), str::to_owned);
    if settings.has(Fault::UnknownAttribute500) && has_unknown_attribute(body, settings) {
        return Ok(Reply::text(500, "Internal Server Error"));
    }
    let mut reply = insert_new(store, settings, id, data, body);
    if settings.has(Fault::Create200) {
        reply.status = 200;
    }
    if settings.has(Fault::CreateEmptyBody) {
        reply.body = super::reply::Body::Empty;
    }
    Ok(reply)
}

/// Whether the body names an attribute the User schema does not define (`unknown-attribute-500`).
fn has_unknown_attribute(body: &Map<String, Value>, settings: &Settings) -> bool {
    let opts = InputOptions::for_body(settings);
    body.keys().any(|k| {
        !k.eq_ignore_ascii_case("schemas")
            && rt().core_attr(k, opts.exact_names).is_none()
            && !rt().extensions.iter().any(|e| e.id.eq_ignore_ascii_case(k))
    })
}

pub(crate) fn get(store: &Store, settings: &Settings, id: &str) -> Result<Reply, ScimError> {
    let record = store.get(id).ok_or_else(|| not_found(id))?;
    Ok(Reply::json(200, represent(record, settings, true)))
}

pub(crate) fn list(
    store: &Store,
    settings: &Settings,
    query: &ListQuery,
) -> Result<Reply, ScimError> {
    let filter = match query.filter.as_deref().map(str::trim) {
        Some(text) if !text.is_empty() && !settings.has(Fault::FilterIgnored) => {
            let filter = filter::parse(text)?;
            filter::validate(&filter, rt())?;
            Some(filter)
        }
        _ => None,
    };
    let matching: Vec<&Record> = store
        .users()
        .iter()
        .filter(|r| {
            filter
                .as_ref()
                .is_none_or(|f| filter::matches(f, &filter_view(r, rt(), settings), rt()))
        })
        .collect();
    if matching.is_empty() && settings.has(Fault::NoMatch404) {
        return Err(ScimError::not_found("no users match the query"));
    }
    let page = page(matching.len(), query.start_index, query.count);
    let resources = matching[page.range]
        .iter()
        .map(|r| represent(r, settings, true))
        .map(|v| {
            if settings.has(Fault::ListItemsTrimmed) {
                trimmed(v)
            } else {
                v
            }
        })
        .collect();
    Ok(Reply::json(
        200,
        list_response(matching.len(), page.start_index, resources, settings),
    ))
}

/// Only `id` and `userName` (`list-items-trimmed`).
fn trimmed(mut v: Value) -> Value {
    if let Value::Object(map) = &mut v {
        map.retain(|k, _| k == "id" || k == "userName");
    }
    v
}

pub(crate) fn replace(
    store: &mut Store,
    settings: &Settings,
    id: &str,
    body: &Map<String, Value>,
) -> Result<Reply, ScimError> {
    if store.get(id).is_none() && !settings.has(Fault::PutUpsert) {
        return Err(not_found(id));
    }
    if let Some(record) = store.get(id).filter(|_| settings.has(Fault::PutIgnored)) {
        return Ok(Reply::json(200, represent(record, settings, false)));
    }
    let mut data = validated_data(body, settings, true)?;
    check_unique(store, &data, Some(id), settings)?;
    let Some(record) = store.get_mut(id) else {
        return Ok(insert_new(store, settings, id.to_owned(), data, body));
    };
    if settings.has(Fault::PutKeepsOmitted) {
        let mut merged = record.data.clone();
        merged.extend(data);
        data = merged;
    }
    commit(record, data, settings);
    Ok(Reply::json(200, represent(record, settings, false)))
}

pub(crate) fn patch(
    store: &mut Store,
    settings: &Settings,
    id: &str,
    body: &Map<String, Value>,
) -> Result<Reply, ScimError> {
    let record = store.get(id).ok_or_else(|| not_found(id))?;
    if settings.has(Fault::PatchIgnored) {
        return Ok(Reply::json(200, represent(record, settings, false)));
    }
    let data = patch::apply(&record.data, body, rt(), settings, id)?;
    check_user_name(&data, settings)?;
    check_unique(store, &data, Some(id), settings)?;
    let Some(record) = store.get_mut(id) else {
        return Err(not_found(id));
    };
    commit(record, data, settings);
    Ok(Reply::json(200, represent(record, settings, false)))
}

/// Replaces a record's attributes and moves lastModified strictly forward.
fn commit(record: &mut Record, data: Map<String, Value>, settings: &Settings) {
    record.data = data;
    if settings.has(Fault::LastModifiedFrozen) {
        return;
    }
    record.modified_at = after(record.modified_at);
    record.last_modified =
        format_timestamp(record.modified_at, settings.has(Fault::TimestampsLocal));
}

pub(crate) fn delete(store: &mut Store, settings: &Settings, id: &str) -> Result<Reply, ScimError> {
    if settings.has(Fault::DeleteIgnored) {
        store.get(id).ok_or_else(|| not_found(id))?;
        return Ok(Reply::empty(204));
    }
    let record = store.remove(id).ok_or_else(|| not_found(id))?;
    if settings.has(Fault::DeletedUsernameReserved) {
        if let Some(name) = record.user_name() {
            store.reserve(name);
        }
    }
    if settings.has(Fault::Delete200WithBody) {
        return Ok(Reply::json(200, represent(&record, settings, false)));
    }
    Ok(Reply::empty(204))
}
