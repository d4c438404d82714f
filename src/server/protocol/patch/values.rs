//! Helpers on attribute values for PATCH: primary uniqueness, removing listed values, and
//! pruning what an operation left unassigned.

use serde_json::{Map, Value};

use super::Rules;

/// Entra's default job removes members with `path: "members"` and the values to remove:
/// elements whose `value` (or, without one, the whole element) equals a listed one go.
pub(super) fn remove_listed(items: &mut Vec<Value>, listed: &Value) {
    let listed: Vec<&Value> = match listed {
        Value::Array(listed) => listed.iter().collect(),
        single => vec![single],
    };
    let key = |v: &Value| v.get("value").cloned();
    items.retain(|item| {
        !listed.iter().any(|l| match (key(l), key(item)) {
            (Some(a), Some(b)) => a == b,
            (None, _) => *l == item,
            (Some(_), None) => false,
        })
    });
}

pub(super) fn is_primary(value: &Value) -> bool {
    value.get("primary") == Some(&Value::Bool(true))
}

/// When a newly supplied value is primary, every other value stops being primary (unless
/// `primary-not-unique`).
pub(super) fn fix_primary(items: &mut [Value], new: &[Value], rules: &Rules) {
    if rules.opts.primary_not_unique || !new.iter().any(is_primary) {
        return;
    }
    let keep = items.iter().rposition(is_primary);
    keep_only_primary(items, keep);
}

/// Clears `primary` on every value but the one at `keep`.
pub(super) fn keep_only_primary(items: &mut [Value], keep: Option<usize>) {
    for (index, item) in items.iter_mut().enumerate() {
        if Some(index) != keep && is_primary(item) {
            item["primary"] = Value::Bool(false);
        }
    }
}

pub(super) fn is_empty(value: &Value) -> bool {
    match value {
        Value::Null => true,
        Value::Array(items) => items.is_empty(),
        Value::Object(fields) => fields.is_empty(),
        _ => false,
    }
}

/// Drops unassigned values at every depth, so removing the last sub-attribute (or the last
/// extension attribute) leaves no empty object behind.
pub(super) fn prune(map: &mut Map<String, Value>) {
    for value in map.values_mut() {
        match value {
            Value::Object(fields) => prune(fields),
            Value::Array(items) => {
                for item in items.iter_mut() {
                    if let Value::Object(fields) = item {
                        prune(fields);
                    }
                }
                items.retain(|item| !is_empty(item));
            }
            _ => {}
        }
    }
    map.retain(|_, v| !is_empty(v));
}
