//! References between resources, which the store keeps as bare ids: group members, the
//! readOnly User `groups`, and the enterprise `manager`. [`enrich`] derives what clients see
//! ($ref, type, display names, groups) when a resource is rendered, and [`forget`] keeps
//! referential integrity when a resource is deleted.

use std::collections::BTreeSet;

use serde_json::{Map, Value, json};

use crate::server::model::schema::ENTERPRISE_URN;
use crate::server::model::schema::Kind;
use crate::server::model::settings::Settings;
use crate::server::store::version::{Change, touch};
use crate::server::store::{Record, Store};

/// The id a stored member or manager points at.
fn target(value: &Value) -> Option<&str> {
    value.get("value").and_then(Value::as_str)
}

/// The name a referenced resource is shown by: its displayName, or a user's userName.
fn display_name(store: &Store, kind: Kind, id: &str) -> Option<Value> {
    let record = store.get(kind.type_name(), id)?;
    record
        .data
        .get("displayName")
        .or_else(|| record.data.get("userName"))
        .cloned()
}

fn location(settings: &Settings, kind: Kind, id: &str) -> String {
    settings.resource_location(&settings.rt(kind).endpoint, id)
}

/// The stored attributes of `record` plus everything derived from other resources.
pub(crate) fn enrich(
    kind: Kind,
    record: &Record,
    store: &Store,
    settings: &Settings,
) -> Map<String, Value> {
    let mut data = record.data.clone();
    match kind {
        Kind::Group => {
            if let Some(Value::Array(members)) = data.get_mut("members") {
                for member in members.iter_mut() {
                    enrich_member(member, store, settings);
                }
            }
        }
        Kind::User => {
            let groups = groups_of(store, &record.id, settings);
            if !groups.is_empty() {
                data.insert("groups".into(), Value::Array(groups));
            }
            let ext = ENTERPRISE_URN;
            if let Some(Value::Object(manager)) =
                data.get_mut(ext).and_then(|e| e.get_mut("manager"))
            {
                enrich_manager(manager, store, settings);
            }
        }
    }
    data
}

fn enrich_member(member: &mut Value, store: &Store, settings: &Settings) {
    let Some(id) = target(member).map(str::to_owned) else {
        return;
    };
    let Value::Object(fields) = member else {
        return;
    };
    let Some(kind) = store.kind_of(&id) else {
        return;
    };
    if !settings.policies.links.member_ref_missing {
        let collection = match (settings.policies.links.member_ref_wrong_collection, kind) {
            (true, Kind::User) => Kind::Group,
            (true, Kind::Group) => Kind::User,
            (false, kind) => kind,
        };
        fields.insert("$ref".into(), json!(location(settings, collection, &id)));
    }
    let type_name = settings.rt(kind).name.as_str();
    fields.insert("type".into(), json!(type_name));
    if !fields.contains_key("display") {
        if let Some(name) = display_name(store, kind, &id) {
            fields.insert("display".into(), name);
        }
    }
}

fn enrich_manager(manager: &mut Map<String, Value>, store: &Store, settings: &Settings) {
    let Some(id) = manager
        .get("value")
        .and_then(Value::as_str)
        .map(str::to_owned)
    else {
        return;
    };
    if settings.policies.links.manager_ref_missing {
        manager.remove("$ref");
    } else {
        manager.insert("$ref".into(), json!(location(settings, Kind::User, &id)));
    }
    if !settings.policies.links.manager_display_name_stored {
        match display_name(store, Kind::User, &id) {
            Some(name) => manager.insert("displayName".into(), name),
            None => manager.remove("displayName"),
        };
    }
}

/// The groups whose members list `member` directly.
fn direct_groups<'s>(store: &'s Store, member: &str) -> impl Iterator<Item = &'s Record> {
    store
        .records(Kind::Group.type_name())
        .iter()
        .filter(move |g| {
            g.data
                .get("members")
                .and_then(Value::as_array)
                .is_some_and(|ms| ms.iter().any(|m| target(m) == Some(member)))
        })
}

/// A user's `groups` (RFC 7643 §4.1.2): direct memberships, then those through nested groups.
fn groups_of(store: &Store, user: &str, settings: &Settings) -> Vec<Value> {
    if settings.policies.links.user_groups_not_maintained {
        return Vec::new();
    }
    let entry = |group: &Record, how: &str| {
        let mut out = json!({
            "value": group.id,
            "$ref": location(settings, Kind::Group, &group.id),
            "type": how,
        });
        if let Some(name) = group.data.get("displayName") {
            out["display"] = name.clone();
        }
        out
    };
    let mut seen: BTreeSet<&str> = BTreeSet::new();
    let mut out = Vec::new();
    let mut frontier: Vec<&Record> = direct_groups(store, user).collect();
    for group in &frontier {
        seen.insert(&group.id);
        out.push(entry(group, "direct"));
    }
    while let Some(group) = frontier.pop() {
        for parent in direct_groups(store, &group.id) {
            if parent.id != user && seen.insert(&parent.id) {
                out.push(entry(parent, "indirect"));
                frontier.push(parent);
            }
        }
    }
    out
}

/// Removes references to the deleted resource `id`: it leaves every group's members (unless
/// `delete-user-keeps-membership` and it is a user) and every user it managed loses its manager.
/// Each record changed is touched.
pub(crate) fn forget(store: &mut Store, kind: Kind, id: &str, settings: &Settings) {
    let keep_members = kind == Kind::User && settings.policies.delete.user_keeps_membership;
    if !keep_members {
        for group in store.records_mut(Kind::Group.type_name()).iter_mut() {
            let Some(Value::Array(members)) = group.data.get_mut("members") else {
                continue;
            };
            let before = members.len();
            members.retain(|m| target(m) != Some(id));
            if members.len() != before {
                if members.is_empty() {
                    group.data.remove("members");
                }
                touch(group, settings, Change::Other);
            }
        }
    }
    if kind != Kind::User {
        return;
    }
    let ext = ENTERPRISE_URN;
    for user in store.records_mut(Kind::User.type_name()).iter_mut() {
        let Some(Value::Object(fields)) = user.data.get_mut(ext) else {
            continue;
        };
        if fields.get("manager").and_then(target) == Some(id) {
            fields.remove("manager");
            if fields.is_empty() {
                user.data.remove(ext);
            }
            touch(user, settings, Change::Other);
        }
    }
}

/// The ids listed in a group's members.
pub(crate) fn member_ids(data: &Map<String, Value>) -> BTreeSet<String> {
    data.get("members")
        .and_then(Value::as_array)
        .map(|ms| ms.iter().filter_map(target).map(str::to_owned).collect())
        .unwrap_or_default()
}

/// After a group's members changed from `before` to `after`, touches the users who joined or
/// left, whose `groups` changed with it.
pub(crate) fn touch_moved_members(
    store: &mut Store,
    before: &BTreeSet<String>,
    after: &BTreeSet<String>,
    settings: &Settings,
) {
    for id in before.symmetric_difference(after) {
        if let Some(user) = store.get_mut(Kind::User.type_name(), id) {
            touch(user, settings, Change::Other);
        }
    }
}
