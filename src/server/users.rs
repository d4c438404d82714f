//! The /Users endpoint (RFC 7644 §3.3–3.6): create, read, replace, patch and delete. Listing
//! and searching live in search.rs, which renders each result through [`represent`].

use serde_json::{Map, Value};
use time::Duration;

use super::error::ScimError;
use super::fault::Fault;
use super::patch;
use super::project::{Projection, project};
use super::render::render;
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

/// The representation of `record` shaped by `projection`; reads report a fresh id under
/// `unstable-id`.
pub(crate) fn represent(
    record: &Record,
    settings: &Settings,
    read: bool,
    projection: &Projection,
) -> Value {
    let id = if read && settings.has(Fault::UnstableId) {
        uuid::Uuid::new_v4().to_string()
    } else {
        record.id.clone()
    };
    let out = render(record, rt(), settings, &id);
    project(out, &record.data, projection, rt(), settings)
}

/// The projection of a POST/PUT/PATCH response (RFC 7644 §3.9 applies it to every operation
/// that returns a resource); `projection-ignored-on-write` drops it.
fn on_write(projection: &Projection, settings: &Settings) -> Projection {
    if settings.has(Fault::ProjectionIgnoredOnWrite) {
        Projection::default()
    } else {
        projection.clone()
    }
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
    projection: &Projection,
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
    let shown = represent(&record, settings, false, &on_write(projection, settings));
    let mut reply = Reply::json(201, shown);
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
    projection: &Projection,
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
    let mut reply = insert_new(store, settings, id, data, body, projection);
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

pub(crate) fn get(
    store: &Store,
    settings: &Settings,
    id: &str,
    projection: &Projection,
) -> Result<Reply, ScimError> {
    let record = store.get(id).ok_or_else(|| not_found(id))?;
    Ok(Reply::json(
        200,
        represent(record, settings, true, projection),
    ))
}

pub(crate) fn replace(
    store: &mut Store,
    settings: &Settings,
    id: &str,
    body: &Map<String, Value>,
    projection: &Projection,
) -> Result<Reply, ScimError> {
    let shown = on_write(projection, settings);
    if store.get(id).is_none() && !settings.has(Fault::PutUpsert) {
        return Err(not_found(id));
    }
    if let Some(record) = store.get(id).filter(|_| settings.has(Fault::PutIgnored)) {
        return Ok(Reply::json(200, represent(record, settings, false, &shown)));
    }
    let mut data = validated_data(body, settings, true)?;
    check_unique(store, &data, Some(id), settings)?;
    let Some(record) = store.get_mut(id) else {
        return Ok(insert_new(
            store,
            settings,
            id.to_owned(),
            data,
            body,
            projection,
        ));
    };
    if settings.has(Fault::PutKeepsOmitted) {
        let mut merged = record.data.clone();
        merged.extend(data);
        data = merged;
    }
    commit(record, data, settings);
    Ok(Reply::json(200, represent(record, settings, false, &shown)))
}

pub(crate) fn patch(
    store: &mut Store,
    settings: &Settings,
    id: &str,
    body: &Map<String, Value>,
    projection: &Projection,
) -> Result<Reply, ScimError> {
    let shown = on_write(projection, settings);
    let record = store.get(id).ok_or_else(|| not_found(id))?;
    if settings.has(Fault::PatchIgnored) {
        return Ok(Reply::json(200, represent(record, settings, false, &shown)));
    }
    let data = patch::apply(&record.data, body, rt(), settings, id)?;
    check_user_name(&data, settings)?;
    check_unique(store, &data, Some(id), settings)?;
    let Some(record) = store.get_mut(id) else {
        return Err(not_found(id));
    };
    commit(record, data, settings);
    Ok(Reply::json(200, represent(record, settings, false, &shown)))
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
        let shown = represent(&record, settings, false, &Projection::default());
        return Ok(Reply::json(200, shown));
    }
    Ok(Reply::empty(204))
}
