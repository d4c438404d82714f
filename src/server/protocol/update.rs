//! The parts of PUT and PATCH (RFC 7644 §3.5) beyond storing new attributes: the immutability
//! rule, and the readOnly writes that the `put-id-changes` and `patch-readonly-allowed` faults
//! let through to the record's `id` and `meta.created`.

use serde_json::{Map, Value};

use crate::server::model::schema::{AttrDef, Mutability, ResourceType};
use crate::server::protocol::crud::Ctx;
use crate::server::protocol::error::ScimError;
use crate::server::store::Store;

/// RFC 7644 §3.5.1: an immutable attribute that already has a value may only be sent again
/// with the same value. Checked for single-valued attributes and the sub-attributes of
/// single-valued complex ones; the elements of multi-valued attributes (group members) are
/// added and removed as wholes, never changed.
pub(crate) fn check_immutable(
    old: &Map<String, Value>,
    new: &Map<String, Value>,
    rt: &ResourceType,
) -> Result<(), ScimError> {
    compare(&rt.core.attributes, old, new)?;
    for ext in &rt.extensions {
        if let (Some(Value::Object(old)), Some(Value::Object(new))) =
            (old.get(&ext.id), new.get(&ext.id))
        {
            compare(&ext.attributes, old, new)?;
        }
    }
    Ok(())
}

fn compare(
    attrs: &[AttrDef],
    old: &Map<String, Value>,
    new: &Map<String, Value>,
) -> Result<(), ScimError> {
    for attr in attrs.iter().filter(|a| !a.multi_valued) {
        let (Some(before), Some(after)) = (old.get(&attr.name), new.get(&attr.name)) else {
            continue;
        };
        if attr.mutability == Mutability::Immutable && before != after {
            return Err(ScimError::mutability(format!(
                "attribute '{}' is immutable and already has a value",
                attr.name
            )));
        }
        if let (Value::Object(before), Value::Object(after)) = (before, after) {
            compare(&attr.sub_attributes, before, after)?;
        }
    }
    Ok(())
}

/// `password-change-refused`: a write that sets a password other than the stored one is
/// refused, as by a server that does not support changing passwords.
pub(crate) fn check_password_change(
    old: &Map<String, Value>,
    new: &Map<String, Value>,
    refused: bool,
) -> Result<(), ScimError> {
    match new.get("password") {
        Some(p) if refused && old.get("password") != Some(p) => Err(ScimError::invalid_value(
            "changing a password is not supported",
        )),
        _ => Ok(()),
    }
}

/// A PATCH's writes to readOnly common attributes, stored only under `patch-readonly-allowed`.
#[derive(Debug, Clone, PartialEq)]
pub(crate) struct ReadOnlyWrites {
    id: Option<String>,
    created: Option<String>,
}

/// Takes the `id` and `meta` a faulty PATCH left in `data`; `None` when there are none.
pub(crate) fn take_read_only(data: &mut Map<String, Value>) -> Option<ReadOnlyWrites> {
    let id = data.remove("id");
    let meta = data.remove("meta");
    if id.is_none() && meta.is_none() {
        return None;
    }
    Some(ReadOnlyWrites {
        id: id.and_then(|v| v.as_str().map(str::to_owned)),
        created: meta.and_then(|m| m.get("created").and_then(Value::as_str).map(str::to_owned)),
    })
}

/// Stores the readOnly writes on the record `id`; answers the id it has afterwards.
pub(crate) fn apply_read_only(
    store: &mut Store,
    ctx: &Ctx,
    id: &str,
    writes: ReadOnlyWrites,
) -> String {
    if let (Some(created), Some(record)) = (writes.created, store.get_mut(ctx.kind.type_name(), id))
    {
        record.created = created;
    }
    match writes.id {
        Some(new_id) => move_id(store, ctx, id, &new_id),
        None => id.to_owned(),
    }
}

/// Moves a record to a new id if that id is free; answers the id it has afterwards.
pub(crate) fn move_id(store: &mut Store, ctx: &Ctx, id: &str, new_id: &str) -> String {
    if new_id.is_empty() || new_id == id || store.kind_of(new_id).is_some() {
        return id.to_owned();
    }
    if let Some(record) = store.get_mut(ctx.kind.type_name(), id) {
        record.id = new_id.to_owned();
    }
    new_id.to_owned()
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::server::model::schema::user_type;
    use serde_json::json;

    fn object(value: Value) -> Map<String, Value> {
        value.as_object().cloned().unwrap_or_default()
    }

    #[test]
    fn mutable_attributes_may_change() {
        let old = object(json!({"userName": "a", "name": {"givenName": "A"}}));
        let new = object(json!({"userName": "b", "name": {"givenName": "B"}}));
        assert!(check_immutable(&old, &new, user_type()).is_ok());
        assert!(
            user_type()
                .core
                .attributes
                .iter()
                .all(|a| a.mutability != Mutability::Immutable)
        );
    }

    #[test]
    fn readonly_writes_are_taken_out() {
        let mut data =
            object(json!({"id": "x", "meta": {"created": "2001-01-01T00:00:00Z"}, "a": 1}));
        let writes = take_read_only(&mut data).unwrap();
        assert_eq!(data, object(json!({"a": 1})));
        assert_eq!(writes.id.as_deref(), Some("x"));
        assert_eq!(writes.created.as_deref(), Some("2001-01-01T00:00:00Z"));
        assert!(take_read_only(&mut data).is_none());
    }
}
