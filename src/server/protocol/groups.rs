//! The rules only Groups have (RFC 7643 §4.2): displayName is required, and members are
//! canonicalised on the way in: each names an existing User or Group by `value`, is listed
//! once, and keeps only what the client may set (`value`, `display`); `$ref` and `type` are
//! derived when the group is rendered (see links.rs).

use std::collections::BTreeSet;

use serde_json::{Map, Value};

use crate::server::model::schema::Kind;
use crate::server::model::settings::Settings;
use crate::server::protocol::error::ScimError;
use crate::server::store::Store;
use crate::server::store::links::member_ids;

/// How a group is being written, for the checks that depend on it.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) enum Write {
    /// POST or PUT: a whole representation.
    Body,
    /// The result of a PATCH.
    Patch,
}

/// Validates and canonicalises group attributes about to be stored for the group `id` (`None`
/// when creating). Member values the group already had are not checked again, so a dangling
/// member (kept by `delete-user-keeps-membership`) does not block every later write.
pub(crate) fn check_group(
    data: &mut Map<String, Value>,
    store: &Store,
    settings: &Settings,
    id: Option<&str>,
    write: Write,
) -> Result<(), ScimError> {
    let patching = write == Write::Patch;
    match data.get("displayName") {
        Some(Value::String(name)) if !name.trim().is_empty() => {}
        None if settings.policies.rules.group_display_name_optional => {}
        None if patching && settings.policies.patch.remove_required_allowed => {}
        _ => {
            return Err(ScimError::invalid_value(
                "displayName is required and must be a non-empty string",
            ));
        }
    }
    let dedupe = !(patching && settings.policies.patch.add_duplicates);
    if let Some(Value::Array(members)) = data.get_mut("members") {
        let previous = id
            .and_then(|id| store.get(Kind::Group.type_name(), id))
            .map(|group| member_ids(&group.data))
            .unwrap_or_default();
        let known = |value: &str| {
            previous.contains(value)
                || store.kind_of(value).is_some()
                || settings.policies.rules.member_value_unchecked
        };
        canonical_members(members, &known, dedupe)?;
        if members.is_empty() {
            data.remove("members");
        }
    }
    Ok(())
}

fn canonical_members(
    members: &mut Vec<Value>,
    known: &dyn Fn(&str) -> bool,
    dedupe: bool,
) -> Result<(), ScimError> {
    let mut seen = BTreeSet::new();
    let mut out = Vec::with_capacity(members.len());
    for member in members.drain(..) {
        let Value::Object(mut fields) = member else {
            return Err(ScimError::invalid_value("each member must be an object"));
        };
        let id = match fields.get("value") {
            Some(Value::String(id)) if !id.is_empty() => id.clone(),
            _ => {
                return Err(ScimError::invalid_value(
                    "each member needs a non-empty 'value': the id of a User or Group",
                ));
            }
        };
        if !known(&id) {
            return Err(ScimError::invalid_value(format!(
                "member '{id}' names no User or Group"
            )));
        }
        // Both are derived from `value`; what a client sends (Entra: `"$ref": null`) is ignored.
        fields.remove("$ref");
        fields.remove("type");
        if seen.insert(id) || !dedupe {
            out.push(Value::Object(fields));
        }
    }
    *members = out;
    Ok(())
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::server::model::Policies;
    use crate::server::protocol::error::ScimType;
    use crate::server::store::{Record, now};
    use serde_json::json;

    fn store_with(ids: &[&str]) -> Store {
        let mut store = Store::default();
        for id in ids {
            store.insert(
                Kind::User.type_name(),
                Record {
                    id: (*id).into(),
                    data: Map::new(),
                    created: String::new(),
                    last_modified: String::new(),
                    modified_at: now(),
                    version: 1,
                },
            );
        }
        store
    }

    fn check(data: Value, edit: fn(&mut Policies), write: Write) -> Result<Value, ScimError> {
        let Value::Object(mut data) = data else {
            panic!("object expected")
        };
        let store = store_with(&["u1", "u2"]);
        check_group(
            &mut data,
            &store,
            &Settings::with(|_, p| edit(p)),
            None,
            write,
        )?;
        Ok(Value::Object(data))
    }

    #[test]
    fn members_are_canonical() {
        let out = check(
            json!({"displayName": "G", "members": [
                {"value": "u1", "$ref": null, "type": "Nope", "display": "One"},
                {"value": "u2"}, {"value": "u1"}]}),
            |_| {},
            Write::Body,
        )
        .unwrap();
        assert_eq!(
            out["members"],
            json!([{"value": "u1", "display": "One"}, {"value": "u2"}])
        );
        let dup = json!({"displayName": "G", "members": [{"value": "u1"}, {"value": "u1"}]});
        let out = check(dup, |p| p.patch.add_duplicates = true, Write::Patch).unwrap();
        assert_eq!(out["members"].as_array().map(Vec::len), Some(2));
    }

    #[test]
    fn refusals() {
        let invalid = |data: Value| check(data, |_| {}, Write::Body).unwrap_err().scim_type;
        let value = Some(ScimType::InvalidValue);
        assert_eq!(invalid(json!({})), value);
        assert_eq!(invalid(json!({"displayName": " "})), value);
        assert_eq!(
            invalid(json!({"displayName": "G", "members": [{"value": "nope"}]})),
            value
        );
        assert_eq!(
            invalid(json!({"displayName": "G", "members": [{"display": "x"}]})),
            value
        );
        assert!(
            check(
                json!({}),
                |p| p.rules.group_display_name_optional = true,
                Write::Body
            )
            .is_ok()
        );
        let unchecked = json!({"displayName": "G", "members": [{"value": "nope"}]});
        assert!(
            check(
                unchecked,
                |p| p.rules.member_value_unchecked = true,
                Write::Body
            )
            .is_ok()
        );
    }
}
