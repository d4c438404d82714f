//! Applying one resolved PATCH target (add, replace or remove) to a resource's attributes,
//! following the schema: multi-valued append/replace, complex merge, primary uniqueness,
//! readOnly, required and immutable attributes. Value-filter targets live in filtered.rs.

use serde_json::{Map, Value};

use super::values::{fix_primary, is_empty, remove_listed};
use super::{OpKind, Rules, filtered};
use crate::server::model::schema::{AttrDef, Mutability, SchemaDef};
use crate::server::protocol::error::ScimError;
use crate::server::protocol::path::{AttrRef, Target};
use crate::server::protocol::resource::{normalize_attr, normalize_extension, normalize_single};

pub(super) fn apply_target(
    work: &mut Map<String, Value>,
    kind: OpKind,
    target: Target,
    value: Option<&Value>,
    rules: &Rules,
) -> Result<(), ScimError> {
    match target {
        Target::Extension(ext) => apply_extension(work, kind, ext, value, rules),
        Target::Attr(r) => {
            check_writable(&r, rules)?;
            in_container(work, r.ext, |container| match (kind, value) {
                (OpKind::Remove, value) => remove(container, &r, value, rules),
                (_, None) => Err(ScimError::invalid_syntax(
                    "'add' and 'replace' need a 'value'",
                )),
                (kind, Some(value)) => set(container, kind, &r, value, rules),
            })
        }
        Target::Filtered(r, filter) => {
            check_writable(&r, rules)?;
            in_container(work, r.ext, |container| {
                filtered::apply(container, kind, &r, &filter, value, rules)
            })
        }
    }
}

/// readOnly attributes cannot be patched; `patch-readonly-allowed` lets `id` and `meta` through,
/// `groups-writable` the User `groups`.
fn check_writable(r: &AttrRef, rules: &Rules) -> Result<(), ScimError> {
    let read_only =
        r.attr.mutability == Mutability::ReadOnly || r.leaf().mutability == Mutability::ReadOnly;
    let let_through = (rules.read_only_writable
        && r.ext.is_none()
        && (r.attr.name == "id" || r.attr.name == "meta"))
        || (rules.opts.keep_groups && r.ext.is_none() && r.attr.name == "groups");
    if read_only && !let_through {
        return Err(ScimError::mutability(format!(
            "attribute '{}' is readOnly",
            r.leaf().name
        )));
    }
    Ok(())
}

fn apply_extension(
    work: &mut Map<String, Value>,
    kind: OpKind,
    ext: &'static SchemaDef,
    value: Option<&Value>,
    rules: &Rules,
) -> Result<(), ScimError> {
    if kind == OpKind::Remove {
        work.remove(&ext.id);
        return Ok(());
    }
    let value =
        value.ok_or_else(|| ScimError::invalid_syntax("'add' and 'replace' need a 'value'"))?;
    let Some(Value::Object(fields)) = normalize_extension(ext, value, &rules.opts)? else {
        if kind == OpKind::Replace {
            work.remove(&ext.id);
        }
        return Ok(());
    };
    for (name, value) in &fields {
        if let Some(attr) = ext.attr(name, true) {
            let r = AttrRef {
                ext: Some(ext),
                attr,
                sub: None,
            };
            in_container(work, Some(ext), |container| {
                set(container, kind, &r, value, rules)
            })?;
        }
    }
    Ok(())
}

/// Runs `f` on the object holding the attribute: the resource itself, or its extension object.
fn in_container<R>(
    work: &mut Map<String, Value>,
    ext: Option<&SchemaDef>,
    f: impl FnOnce(&mut Map<String, Value>) -> R,
) -> R {
    let Some(ext) = ext else { return f(work) };
    let mut fields = match work.remove(&ext.id) {
        Some(Value::Object(fields)) => fields,
        _ => Map::new(),
    };
    let result = f(&mut fields);
    work.insert(ext.id.clone(), Value::Object(fields));
    result
}

/// Removing a required attribute is refused (`patch-remove-required-allowed` allows it).
pub(super) fn check_removable(def: &AttrDef, rules: &Rules) -> Result<(), ScimError> {
    if def.required && !rules.remove_required {
        return Err(ScimError::mutability(format!(
            "required attribute '{}' cannot be removed",
            def.name
        )));
    }
    Ok(())
}

/// An immutable sub-attribute that has a value cannot be changed or removed.
pub(super) fn check_sub_change(
    sub: &AttrDef,
    element: &Map<String, Value>,
    new: Option<&Value>,
) -> Result<(), ScimError> {
    match element.get(&sub.name) {
        Some(old) if sub.mutability == Mutability::Immutable && Some(old) != new => Err(
            ScimError::mutability(format!("sub-attribute '{}' is immutable", sub.name)),
        ),
        _ => Ok(()),
    }
}

fn remove(
    container: &mut Map<String, Value>,
    r: &AttrRef,
    value: Option<&Value>,
    rules: &Rules,
) -> Result<(), ScimError> {
    check_removable(r.leaf(), rules)?;
    let name = &r.attr.name;
    match (r.sub, container.get_mut(name)) {
        (None, Some(Value::Array(items))) if value.is_some_and(|v| !v.is_null()) => {
            remove_listed(items, value.unwrap_or(&Value::Null));
        }
        (None, _) => {
            container.remove(name);
        }
        (Some(sub), Some(Value::Object(fields))) => {
            check_sub_change(sub, fields, None)?;
            fields.remove(&sub.name);
        }
        (Some(sub), Some(Value::Array(items))) => {
            for item in items.iter_mut() {
                if let Value::Object(fields) = item {
                    check_sub_change(sub, fields, None)?;
                    fields.remove(&sub.name);
                }
            }
            items.retain(|item| !is_empty(item));
        }
        (Some(_), _) => {}
    }
    if container.get(name).is_some_and(is_empty) {
        container.remove(name);
    }
    Ok(())
}

fn set(
    container: &mut Map<String, Value>,
    kind: OpKind,
    r: &AttrRef,
    value: &Value,
    rules: &Rules,
) -> Result<(), ScimError> {
    let opts = &rules.opts;
    let attr = r.attr;
    let name = attr.name.clone();
    if let Some(sub) = r.sub {
        return set_sub(container, r, normalize_single(sub, value, opts)?, rules);
    }
    if attr.multi_valued {
        let wrapped = match value {
            Value::Array(_) | Value::Null => value.clone(),
            single => Value::Array(vec![single.clone()]),
        };
        let kind = if rules.add_replaces {
            OpKind::Replace
        } else {
            kind
        };
        match (kind, normalize_attr(attr, &wrapped, opts)?) {
            (OpKind::Add, None) => {}
            (_, None) => {
                container.remove(&name);
            }
            (OpKind::Add, Some(Value::Array(new))) => {
                let slot = container
                    .entry(name)
                    .or_insert_with(|| Value::Array(Vec::new()));
                if !slot.is_array() {
                    *slot = Value::Array(Vec::new());
                }
                if let Value::Array(items) = slot {
                    for item in &new {
                        if rules.add_duplicates || !items.contains(item) {
                            items.push(item.clone());
                        }
                    }
                    fix_primary(items, &new, rules);
                }
            }
            (_, Some(Value::Array(mut new))) => {
                let added = new.clone();
                fix_primary(&mut new, &added, rules);
                container.insert(name, Value::Array(new));
            }
            (_, Some(other)) => {
                container.insert(name, other);
            }
        }
        return Ok(());
    }
    match normalize_attr(attr, value, opts)? {
        None => {
            if attr.required && !rules.remove_required {
                return Err(ScimError::mutability(format!(
                    "required attribute '{name}' cannot be unassigned"
                )));
            }
            if kind == OpKind::Replace || !attr.is_complex() {
                container.remove(&name);
            }
            Ok(())
        }
        Some(Value::Object(fields)) if attr.is_complex() => {
            match container.get_mut(&name) {
                Some(Value::Object(existing)) => {
                    for (key, value) in &fields {
                        if let Some(sub) = attr.sub(key, true) {
                            check_sub_change(sub, existing, Some(value))?;
                        }
                    }
                    existing.extend(fields);
                }
                _ => {
                    container.insert(name, Value::Object(fields));
                }
            }
            Ok(())
        }
        Some(other) => {
            container.insert(name, other);
            Ok(())
        }
    }
}

/// Sets (or, for `None`, removes) a sub-attribute on the complex value or on every element.
fn set_sub(
    container: &mut Map<String, Value>,
    r: &AttrRef,
    value: Option<Value>,
    rules: &Rules,
) -> Result<(), ScimError> {
    let (attr, sub) = (r.attr, r.leaf());
    let Some(value) = value else {
        return remove(container, r, None, rules);
    };
    if attr.multi_valued {
        let Some(Value::Array(items)) = container.get_mut(&attr.name).filter(|v| !is_empty(v))
        else {
            return Err(ScimError::no_target(format!(
                "'{}' has no values to update",
                attr.name
            )));
        };
        for item in items.iter_mut() {
            if let Value::Object(fields) = item {
                check_sub_change(sub, fields, Some(&value))?;
                fields.insert(sub.name.clone(), value.clone());
            }
        }
        return Ok(());
    }
    let slot = container
        .entry(attr.name.clone())
        .or_insert_with(|| Value::Object(Map::new()));
    if !slot.is_object() {
        *slot = Value::Object(Map::new());
    }
    if let Value::Object(fields) = slot {
        check_sub_change(sub, fields, Some(&value))?;
        fields.insert(sub.name.clone(), value);
    }
    Ok(())
}
