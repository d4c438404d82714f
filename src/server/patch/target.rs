//! Applying one resolved PATCH target (add, replace or remove) to a resource's attributes,
//! following the schema: multi-valued append/replace, complex merge, primary uniqueness.

use serde_json::{Map, Value};

use super::OpKind;
use crate::server::error::ScimError;
use crate::server::path::{AttrRef, Target};
use crate::server::resource::{
    InputOptions, normalize_attr, normalize_extension, normalize_single,
};
use crate::server::schema::{Mutability, SchemaDef};

pub(super) fn apply_target(
    work: &mut Map<String, Value>,
    kind: OpKind,
    target: Target,
    value: Option<&Value>,
    opts: &InputOptions,
) -> Result<(), ScimError> {
    match target {
        Target::Extension(ext) => apply_extension(work, kind, ext, value, opts),
        Target::Attr(r) => {
            if r.attr.mutability == Mutability::ReadOnly
                || r.leaf().mutability == Mutability::ReadOnly
            {
                return Err(ScimError::mutability(format!(
                    "attribute '{}' is readOnly",
                    r.leaf().name
                )));
            }
            in_container(work, r.ext, |container| match (kind, value) {
                (OpKind::Remove, _) => remove(container, &r),
                (_, None) => Err(ScimError::invalid_syntax(
                    "'add' and 'replace' need a 'value'",
                )),
                (kind, Some(value)) => set(container, kind, &r, value, opts),
            })
        }
    }
}

fn apply_extension(
    work: &mut Map<String, Value>,
    kind: OpKind,
    ext: &'static SchemaDef,
    value: Option<&Value>,
    opts: &InputOptions,
) -> Result<(), ScimError> {
    if kind == OpKind::Remove {
        work.remove(&ext.id);
        return Ok(());
    }
    let value =
        value.ok_or_else(|| ScimError::invalid_syntax("'add' and 'replace' need a 'value'"))?;
    let Some(Value::Object(fields)) = normalize_extension(ext, value, opts)? else {
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
                set(container, kind, &r, value, opts)
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

fn remove(container: &mut Map<String, Value>, r: &AttrRef) -> Result<(), ScimError> {
    if r.leaf().required {
        return Err(ScimError::mutability(format!(
            "required attribute '{}' cannot be removed",
            r.leaf().name
        )));
    }
    let name = &r.attr.name;
    match (r.sub, container.get_mut(name)) {
        (None, _) => {
            container.remove(name);
        }
        (Some(sub), Some(Value::Object(fields))) => {
            fields.remove(&sub.name);
        }
        (Some(sub), Some(Value::Array(items))) => {
            for item in items.iter_mut() {
                if let Value::Object(fields) = item {
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
    opts: &InputOptions,
) -> Result<(), ScimError> {
    let attr = r.attr;
    let name = attr.name.clone();
    if let Some(sub) = r.sub {
        return set_sub(container, r, normalize_single(sub, value, opts)?);
    }
    if attr.multi_valued {
        let wrapped = match value {
            Value::Array(_) | Value::Null => value.clone(),
            single => Value::Array(vec![single.clone()]),
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
                        if !items.contains(item) {
                            items.push(item.clone());
                        }
                    }
                    fix_primary(items, &new);
                }
            }
            (_, Some(Value::Array(mut new))) => {
                let added = new.clone();
                fix_primary(&mut new, &added);
                container.insert(name, Value::Array(new));
            }
            (_, Some(other)) => {
                container.insert(name, other);
            }
        }
        return Ok(());
    }
    match normalize_attr(attr, value, opts)? {
        None if attr.required => Err(ScimError::mutability(format!(
            "required attribute '{name}' cannot be unassigned"
        ))),
        None => {
            if kind == OpKind::Replace || !attr.is_complex() {
                container.remove(&name);
            }
            Ok(())
        }
        Some(Value::Object(fields)) if attr.is_complex() => {
            match container.get_mut(&name) {
                Some(Value::Object(existing)) => existing.extend(fields),
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
) -> Result<(), ScimError> {
    let (attr, sub) = (r.attr, r.leaf());
    let Some(value) = value else {
        return remove(container, r);
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
        fields.insert(sub.name.clone(), value);
    }
    Ok(())
}

/// When a newly supplied value is primary, every other value stops being primary.
fn fix_primary(items: &mut [Value], new: &[Value]) {
    let is_primary = |v: &Value| v.get("primary") == Some(&Value::Bool(true));
    if !new.iter().any(is_primary) {
        return;
    }
    let keep = items.iter().rposition(is_primary);
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
