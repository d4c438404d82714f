//! The single-resource operations of RFC 7644 §3.3–3.6 shared by /Users and /Groups: create,
//! read, replace, patch and delete, with ETag preconditions and referential integrity. The
//! rules of one resource type live in users.rs and groups.rs; listing lives in search.rs.

use serde_json::{Map, Value};
use time::Duration;

use crate::server::model::CreateAnswer;
use crate::server::model::schema::Kind;
use crate::server::model::schema::ResourceType;
use crate::server::model::settings::Settings;
use crate::server::protocol::error::ScimError;
use crate::server::protocol::etag::{Preconditions, with_etag};
use crate::server::protocol::groups::Write;
use crate::server::protocol::input::{check, has_unknown_attribute, member, validated_data};
use crate::server::protocol::project::{Projection, project};
use crate::server::protocol::reply::{Body, Reply};
use crate::server::protocol::resource::InputOptions;
use crate::server::protocol::update::{
    apply_read_only, check_immutable, check_password_change, move_id, take_read_only,
};
use crate::server::store::links::{enrich, forget, member_ids, touch_moved_members};
use crate::server::store::render::render;
use crate::server::store::version::{Change, touch, version_of};
use crate::server::store::{Record, Store, format_timestamp, now};

/// What one request is about, beyond its body.
#[derive(Debug, Clone, Copy)]
pub(crate) struct Ctx<'a> {
    pub(crate) settings: &'a Settings,
    pub(crate) kind: Kind,
    pub(crate) projection: &'a Projection,
    pub(crate) pre: &'a Preconditions,
}

impl Ctx<'_> {
    pub(crate) fn rt(&self) -> &ResourceType {
        self.settings.rt(self.kind)
    }

    fn not_found(&self, id: &str) -> ScimError {
        ScimError::not_found(format!("{} '{id}' not found", self.rt().name))
    }

    /// The projection of a POST/PUT/PATCH response (RFC 7644 §3.9 applies it to every
    /// operation that returns a resource); `projection-ignored-on-write` drops it.
    fn on_write(&self) -> Projection {
        if self.settings.policies.projection.ignored_on_write {
            Projection::default()
        } else {
            self.projection.clone()
        }
    }
}

/// A completed operation: the reply, and for Bulk the resource's id and version.
#[derive(Debug)]
pub(crate) struct Done {
    pub(crate) reply: Reply,
    pub(crate) id: String,
    pub(crate) version: Option<String>,
}

/// The representation of `record` shaped by `projection`; reads report a fresh id under
/// `unstable-id`.
pub(crate) fn represent(
    store: &Store,
    kind: Kind,
    record: &Record,
    settings: &Settings,
    read: bool,
    projection: &Projection,
) -> Value {
    let rt = settings.rt(kind);
    let id = if read && settings.policies.render.unstable_id {
        uuid::Uuid::new_v4().to_string()
    } else {
        record.id.clone()
    };
    let shown = Record {
        data: enrich(kind, record, store, settings),
        ..record.clone()
    };
    let out = render(&shown, rt, settings, &id);
    project(out, &shown.data, projection, rt, settings)
}

/// A 200/201 reply with the resource and its ETag.
fn resource_reply(store: &Store, ctx: &Ctx, status: u16, id: &str, read: bool) -> Done {
    let projection = if read {
        ctx.projection.clone()
    } else {
        ctx.on_write()
    };
    let Some(record) = store.get(ctx.kind.type_name(), id) else {
        return Done {
            reply: Reply::empty(status),
            id: id.to_owned(),
            version: None,
        };
    };
    let shown = represent(store, ctx.kind, record, ctx.settings, read, &projection);
    Done {
        reply: with_etag(Reply::json(status, shown), record, ctx.settings),
        id: id.to_owned(),
        version: Some(version_of(record)),
    }
}

/// Stores a new resource and answers 201 with Location.
fn insert_new(
    store: &mut Store,
    ctx: &Ctx,
    id: String,
    mut data: Map<String, Value>,
    body: &Map<String, Value>,
) -> Done {
    let settings = ctx.settings;
    if ctx.settings.policies.create.external_id_invented && !data.contains_key("externalId") {
        data.insert("externalId".into(), Value::from(format!("ext-{id}")));
    }
    let local = ctx.settings.policies.meta.local_timestamps;
    let created_at = now();
    let modified_at = if ctx.settings.policies.meta.last_modified_skew {
        created_at + Duration::seconds(1)
    } else {
        created_at
    };
    let members = member_ids(&data);
    let mut record = Record {
        id,
        data,
        created: format_timestamp(created_at, local),
        last_modified: format_timestamp(modified_at, local),
        modified_at,
        version: 1,
    };
    if ctx.settings.policies.create.client_meta_honoured {
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
    let id = record.id.clone();
    let location = settings.resource_location(&ctx.rt().endpoint, &id);
    store.insert(ctx.kind.type_name(), record);
    touch_moved_members(store, &Default::default(), &members, settings);
    let mut done = resource_reply(store, ctx, 201, &id, false);
    if !ctx.settings.policies.create.no_location_header {
        done.reply = done.reply.with_header("Location", location);
    }
    done
}

/// Whether a POST or PUT body hits one of the crash faults (`unknown-attribute-500`,
/// `manager-string-500`).
fn crashes_on(body: &Map<String, Value>, ctx: &Ctx) -> bool {
    (ctx.settings.policies.input.unknown_attribute_500 && has_unknown_attribute(body, ctx))
        || bare_manager_crashes(body, ctx)
}

/// `manager-string-500`: a manager sent as a bare string, before any validation sees it.
fn bare_manager_crashes(body: &Map<String, Value>, ctx: &Ctx) -> bool {
    ctx.settings.policies.input.manager_string_500
        && body
            .iter()
            .filter(|(k, _)| k.to_ascii_lowercase().starts_with("urn:"))
            .filter_map(|(_, v)| v.get("manager"))
            .any(Value::is_string)
}

/// `manager-string-500` in a PATCH: an operation on `manager` whose value is a bare string.
fn patch_manager_crashes(body: &Map<String, Value>, ctx: &Ctx) -> bool {
    let on_manager = |op: &Value| {
        op.get("path")
            .and_then(Value::as_str)
            .is_some_and(|p| p.to_ascii_lowercase().ends_with("manager"))
            && op.get("value").is_some_and(Value::is_string)
    };
    ctx.settings.policies.input.manager_string_500
        && body
            .iter()
            .filter(|(k, _)| k.eq_ignore_ascii_case("Operations"))
            .filter_map(|(_, v)| v.as_array())
            .flatten()
            .any(on_manager)
}

/// The answer of a crash fault.
fn crash(id: String) -> Done {
    Done {
        reply: Reply::text(500, "Internal Server Error"),
        id,
        version: None,
    }
}

pub(crate) fn create(
    store: &mut Store,
    ctx: &Ctx,
    body: &Map<String, Value>,
) -> Result<Done, ScimError> {
    if bare_manager_crashes(body, ctx) {
        return Ok(crash(String::new()));
    }
    let schemas_required = !ctx.settings.policies.input.schemas_optional;
    let data = validated_data(store, ctx, body, schemas_required, None)?;
    let client_id = body.get("id").and_then(Value::as_str).filter(|id| {
        ctx.settings.policies.create.client_id_honoured
            && !id.is_empty()
            && store.kind_of(id).is_none()
    });
    let id = client_id.map_or_else(|| uuid::Uuid::new_v4().to_string(), str::to_owned);
    if crashes_on(body, ctx) {
        return Ok(crash(id));
    }
    let mut done = insert_new(store, ctx, id, data, body);
    match ctx.settings.policies.create.answer {
        CreateAnswer::Honest => {}
        CreateAnswer::Foreign => {
            let first = store
                .records(ctx.kind.type_name())
                .first()
                .map(|r| r.id.clone());
            let seeded = first.filter(|id| {
                ctx.settings
                    .model
                    .seed
                    .iter()
                    .any(|(_, seed_id, _)| seed_id == id)
            });
            if let Some(foreign) = seeded {
                let location = ctx.settings.resource_location(&ctx.rt().endpoint, &foreign);
                done = resource_reply(store, ctx, 201, &foreign, false);
                done.reply = done.reply.with_header("Location", location);
            }
        }
        CreateAnswer::DotId => {
            if let Body::Json(Value::Object(resource)) = &mut done.reply.body {
                resource.insert("id".into(), Value::from(".."));
            }
            let location = ctx.settings.resource_location(&ctx.rt().endpoint, "..");
            done.reply
                .headers
                .retain(|(k, _)| !k.eq_ignore_ascii_case("location"));
            done.reply = done.reply.with_header("Location", location);
            done.id = "..".into();
        }
    }
    if ctx.settings.policies.create.status_200 {
        done.reply.status = 200;
    }
    if ctx.settings.policies.create.empty_body {
        done.reply.body = Body::Empty;
    }
    Ok(done)
}

pub(crate) fn get(store: &Store, ctx: &Ctx, id: &str) -> Result<Done, ScimError> {
    let record = store
        .get(ctx.kind.type_name(), id)
        .ok_or_else(|| ctx.not_found(id))?;
    if ctx.pre.not_modified(record, ctx.settings) {
        return Ok(Done {
            reply: with_etag(Reply::empty(304), record, ctx.settings),
            id: id.to_owned(),
            version: Some(version_of(record)),
        });
    }
    Ok(resource_reply(store, ctx, 200, id, true))
}

/// Stores `data` as the record's new attributes and touches what the change affects.
pub(crate) fn commit(
    store: &mut Store,
    ctx: &Ctx,
    id: &str,
    data: Map<String, Value>,
    change: Change,
) {
    let Some(record) = store.get_mut(ctx.kind.type_name(), id) else {
        return;
    };
    let before = member_ids(&record.data);
    let after = member_ids(&data);
    record.data = data;
    touch(record, ctx.settings, change);
    touch_moved_members(store, &before, &after, ctx.settings);
}

pub(crate) fn replace(
    store: &mut Store,
    ctx: &Ctx,
    id: &str,
    body: &Map<String, Value>,
) -> Result<Done, ScimError> {
    let Some(record) = store.get(ctx.kind.type_name(), id) else {
        if !ctx.settings.policies.replace.upsert {
            return Err(ctx.not_found(id));
        }
        let data = validated_data(store, ctx, body, true, Some(id))?;
        return Ok(insert_new(store, ctx, id.to_owned(), data, body));
    };
    ctx.pre.check_match(record, ctx.settings)?;
    if crashes_on(body, ctx) {
        return Ok(crash(id.to_owned()));
    }
    if ctx.settings.policies.replace.ignored {
        return Ok(resource_reply(store, ctx, 200, id, false));
    }
    let mut data = validated_data(store, ctx, body, true, Some(id))?;
    check_immutable(&record.data, &data, ctx.rt())?;
    check_password_change(
        &record.data,
        &data,
        ctx.settings.policies.rules.password_change_refused,
    )?;
    if ctx.settings.policies.replace.keeps_omitted {
        let mut merged = record.data.clone();
        merged.extend(data);
        data = merged;
    }
    commit(store, ctx, id, data, Change::Other);
    let mut id = id.to_owned();
    if ctx.settings.policies.replace.id_changes {
        if let Some(new_id) = body.get("id").and_then(Value::as_str) {
            id = move_id(store, ctx, &id, new_id);
        }
    }
    Ok(resource_reply(store, ctx, 200, &id, false))
}

pub(crate) fn patch(
    store: &mut Store,
    ctx: &Ctx,
    id: &str,
    body: &Map<String, Value>,
) -> Result<Done, ScimError> {
    let record = store
        .get(ctx.kind.type_name(), id)
        .ok_or_else(|| ctx.not_found(id))?;
    ctx.pre.check_match(record, ctx.settings)?;
    if ctx.settings.policies.patch.ignored {
        return Ok(resource_reply(store, ctx, 200, id, false));
    }
    if patch_manager_crashes(body, ctx) {
        return Ok(crash(id.to_owned()));
    }
    let before = record.data.clone();
    let mut data =
        match crate::server::protocol::patch::apply(&before, body, ctx.rt(), ctx.settings, id) {
            Ok(data) => data,
            Err(failure) => {
                // `patch-not-atomic`: what the operations before the failing one did is kept.
                if ctx.settings.policies.patch.not_atomic && failure.partial != before {
                    let mut partial = failure.partial.clone();
                    if check(store, ctx, &mut partial, Some(id), Write::Patch).is_ok() {
                        commit(store, ctx, id, partial, Change::Patch);
                    }
                }
                return Err(failure.error);
            }
        };
    let moved = take_read_only(&mut data);
    check(store, ctx, &mut data, Some(id), Write::Patch)?;
    check_password_change(
        &before,
        &data,
        ctx.settings.policies.rules.password_change_refused,
    )?;
    let mut id = id.to_owned();
    // RFC 7644 §3.5.2.1: adding a value that is already there changes nothing, so neither
    // meta.lastModified nor the version moves.
    if data != before || moved.is_some() {
        commit(store, ctx, &id, data, Change::Patch);
        if let Some(moved) = moved {
            id = apply_read_only(store, ctx, &id, moved);
        }
    }
    let mut done = resource_reply(store, ctx, 200, &id, false);
    if ctx.settings.policies.patch.returns_204 {
        done.reply.status = 204;
        done.reply.body = Body::Empty;
    }
    Ok(done)
}

pub(crate) fn delete(store: &mut Store, ctx: &Ctx, id: &str) -> Result<Done, ScimError> {
    let record = store
        .get(ctx.kind.type_name(), id)
        .ok_or_else(|| ctx.not_found(id))?;
    ctx.pre.check_match(record, ctx.settings)?;
    let done = |reply| Done {
        reply,
        id: id.to_owned(),
        version: None,
    };
    if ctx.settings.policies.delete.ignored {
        return Ok(done(Reply::empty(204)));
    }
    let record = store
        .remove(ctx.kind.type_name(), id)
        .ok_or_else(|| ctx.not_found(id))?;
    if ctx.settings.policies.delete.user_name_reserved {
        if let Some(name) = record.user_name() {
            store.reserve(name);
        }
    }
    touch_moved_members(
        store,
        &member_ids(&record.data),
        &Default::default(),
        ctx.settings,
    );
    forget(store, ctx.kind, id, ctx.settings);
    if ctx.settings.policies.delete.returns_body {
        let shown = represent(
            store,
            ctx.kind,
            &record,
            ctx.settings,
            false,
            &Projection::default(),
        );
        return Ok(done(Reply::json(200, shown)));
    }
    Ok(done(Reply::empty(204)))
}
