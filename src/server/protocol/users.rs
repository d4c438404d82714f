//! The rules only Users have: userName is required and unique (case-insensitively, RFC 7643
//! §4.1.1), and the enterprise manager names an existing User. The endpoint operations shared
//! with /Groups live in crud.rs, which calls [`check_user`].

use serde_json::{Map, Value};

use crate::server::model::schema::ENTERPRISE_URN;
use crate::server::model::schema::Kind;
use crate::server::model::settings::Settings;
use crate::server::protocol::error::ScimError;
use crate::server::protocol::groups::Write;
use crate::server::store::Store;

fn check_user_name(
    data: &Map<String, Value>,
    settings: &Settings,
    write: Write,
) -> Result<(), ScimError> {
    match data.get("userName") {
        Some(Value::String(name)) if !name.trim().is_empty() => Ok(()),
        None if settings.policies.rules.user_name_optional => Ok(()),
        None if write == Write::Patch && settings.policies.patch.remove_required_allowed => Ok(()),
        Some(other) if !other.is_string() && settings.policies.input.lenient_types => Ok(()),
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
    let case_exact = settings.policies.rules.user_name_unique_case_exact;
    if store.user_name_taken(name, except, case_exact) {
        return Err(ScimError::conflict(format!(
            "userName '{name}' is already taken"
        )));
    }
    Ok(())
}

/// Validates user attributes about to be stored for the user `id` (`None` when creating).
pub(crate) fn check_user(
    data: &mut Map<String, Value>,
    store: &Store,
    settings: &Settings,
    id: Option<&str>,
    write: Write,
) -> Result<(), ScimError> {
    check_user_name(data, settings, write)?;
    check_unique(store, data, id, settings)?;
    check_manager(data, store)?;
    super::rules::check_rules(data, &settings.model.rules, store, id)
}

/// Validates the enterprise manager of user data about to be stored: its `value` must name an
/// existing User; the client's `$ref` is dropped (it is derived) and an empty manager removed.
pub(crate) fn check_manager(data: &mut Map<String, Value>, store: &Store) -> Result<(), ScimError> {
    let ext = ENTERPRISE_URN;
    let Some(Value::Object(fields)) = data.get_mut(ext) else {
        return Ok(());
    };
    if let Some(Value::Object(manager)) = fields.get_mut("manager") {
        manager.remove("$ref");
        match manager.get("value").and_then(Value::as_str) {
            None | Some("") => {
                fields.remove("manager");
            }
            Some(id) if store.get(Kind::User.type_name(), id).is_none() => {
                return Err(ScimError::invalid_value(format!(
                    "manager.value '{id}' names no User"
                )));
            }
            Some(_) => {}
        }
    }
    if fields.is_empty() {
        data.remove(ext);
    }
    Ok(())
}
