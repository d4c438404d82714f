//! Schema-driven normalisation of incoming resource JSON: canonical attribute names, type
//! checks, unassigned values dropped, readOnly attributes ignored.

use serde_json::{Map, Value};
use time::OffsetDateTime;
use time::format_description::well_known::Rfc3339;

use crate::server::model::schema::{AttrDef, AttrType, Mutability, ResourceType, SchemaDef};
use crate::server::model::settings::Settings;
use crate::server::protocol::error::ScimError;

/// How lenient or faulty the normalisation is; derived from the enabled faults.
#[derive(Debug, Clone, Copy, Default)]
pub(crate) struct InputOptions {
    pub(crate) exact_names: bool,
    pub(crate) lenient_types: bool,
    pub(crate) ascii_only: bool,
    pub(crate) lowercase_external_id: bool,
    pub(crate) reject_null: bool,
    /// `groups-writable`: the readOnly `groups` attribute is taken from the body.
    pub(crate) keep_groups: bool,
    /// `manager-display-name-writable`: the readOnly manager.displayName is taken as sent.
    pub(crate) keep_manager_display_name: bool,
    /// Entra's `"True"`/`"False"` strings count as booleans (PATCH values only).
    pub(crate) string_booleans: bool,
    /// `primary-not-unique`: several values may stay `primary: true`.
    pub(crate) primary_not_unique: bool,
}

impl InputOptions {
    /// FilterPolicy for POST/PUT bodies.
    pub(crate) fn for_body(settings: &Settings) -> Self {
        InputOptions {
            reject_null: settings.policies.input.reject_null,
            keep_groups: settings.policies.input.groups_writable,
            string_booleans: false,
            ..Self::for_patch(settings)
        }
    }

    /// FilterPolicy for PATCH values (explicit null is always allowed there).
    pub(crate) fn for_patch(settings: &Settings) -> Self {
        InputOptions {
            exact_names: settings.policies.input.names_exact,
            lenient_types: settings.policies.input.lenient_types,
            ascii_only: settings.policies.input.ascii_only,
            lowercase_external_id: settings.policies.input.lowercase_external_id,
            reject_null: false,
            keep_groups: settings.policies.input.groups_writable,
            keep_manager_display_name: settings.policies.input.manager_display_name_writable,
            string_booleans: !settings.policies.patch.reject_string_booleans,
            primary_not_unique: settings.policies.input.primary_not_unique,
        }
    }

    /// Whether a readOnly sub-attribute of `attr` is nevertheless taken from input (faults).
    fn keeps_read_only(&self, attr: &AttrDef, sub: &AttrDef) -> bool {
        (self.keep_groups && attr.name == "groups")
            || (self.keep_manager_display_name
                && attr.name == "manager"
                && sub.name == "displayName")
    }

    pub(crate) fn name_matches(&self, actual: &str, canonical: &str) -> bool {
        if self.exact_names {
            actual == canonical
        } else {
            actual.eq_ignore_ascii_case(canonical)
        }
    }
}

/// The canonical attribute map of a POST/PUT body (without `schemas`, `id` and `meta`).
pub(crate) fn normalize_resource(
    body: &Map<String, Value>,
    rt: &ResourceType,
    opts: &InputOptions,
) -> Result<Map<String, Value>, ScimError> {
    let mut out = Map::new();
    for (key, value) in body {
        if let Some(attr) = rt.core_attr(key, opts.exact_names) {
            if attr.mutability == Mutability::ReadOnly
                && !(opts.keep_groups && attr.name == "groups")
            {
                continue;
            }
            if let Some(value) = normalize_attr(attr, value, opts)? {
                out.insert(attr.name.clone(), value);
            }
        } else if let Some(ext) = extension_named(rt, key, opts) {
            if let Some(value) = normalize_extension(ext, value, opts)? {
                out.insert(ext.id.clone(), value);
            }
        }
        // Unknown attributes (and `schemas`) are ignored.
    }
    Ok(out)
}

fn extension_named(
    rt: &ResourceType,
    key: &str,
    opts: &InputOptions,
) -> Option<&'static SchemaDef> {
    rt.extensions
        .iter()
        .copied()
        .find(|e| opts.name_matches(key, &e.id))
}

/// The canonical object of an extension (e.g. the enterprise User data), or `None` if empty.
pub(crate) fn normalize_extension(
    ext: &SchemaDef,
    value: &Value,
    opts: &InputOptions,
) -> Result<Option<Value>, ScimError> {
    let fields = match value {
        Value::Object(fields) => fields,
        Value::Null if !opts.reject_null => return Ok(None),
        other => return mismatch(&ext.id, "an object", other, opts),
    };
    let mut out = Map::new();
    for (key, value) in fields {
        let Some(attr) = ext.attr(key, opts.exact_names) else {
            continue;
        };
        if attr.mutability == Mutability::ReadOnly {
            continue;
        }
        if let Some(value) = normalize_attr(attr, value, opts)? {
            out.insert(attr.name.clone(), value);
        }
    }
    Ok((!out.is_empty()).then_some(Value::Object(out)))
}

/// Normalises the value of one (top-level or extension) attribute; `None` means unassigned.
pub(crate) fn normalize_attr(
    attr: &AttrDef,
    value: &Value,
    opts: &InputOptions,
) -> Result<Option<Value>, ScimError> {
    let normalized = normalize_value(attr, value, opts)?;
    if opts.lowercase_external_id && attr.name == "externalId" {
        if let Some(Value::String(s)) = normalized {
            return Ok(Some(Value::String(s.to_lowercase())));
        }
    }
    Ok(normalized)
}

fn normalize_value(
    attr: &AttrDef,
    value: &Value,
    opts: &InputOptions,
) -> Result<Option<Value>, ScimError> {
    if !attr.multi_valued {
        return match shorthand(attr, value) {
            Some(value) => normalize_single(attr, &value, opts),
            None => normalize_single(attr, value, opts),
        };
    }
    let items = match value {
        Value::Array(items) => items,
        Value::Null => return unassigned(attr, opts),
        other => return mismatch(&attr.name, "an array", other, opts),
    };
    if items.is_empty() {
        return unassigned(attr, opts);
    }
    let mut out = Vec::with_capacity(items.len());
    for item in items {
        if let Some(item) = normalize_single(attr, item, opts)? {
            out.push(item);
        }
    }
    if !opts.primary_not_unique {
        single_primary(&mut out);
    }
    Ok((!out.is_empty()).then_some(Value::Array(out)))
}

/// The forms a single-valued complex attribute with a `value` sub-attribute (the enterprise
/// `manager`) is also sent in: a bare id string (`"manager": "123"`), or a one-element array
/// (Entra's `[{"$ref": …, "value": id}]`). `None` when `value` is already the canonical form.
fn shorthand(attr: &AttrDef, value: &Value) -> Option<Value> {
    if !attr.is_complex() || attr.sub("value", true).is_none() {
        return None;
    }
    match value {
        Value::String(id) if id.is_empty() => Some(Value::Null),
        Value::String(id) => Some(serde_json::json!({ "value": id })),
        Value::Array(items) if items.is_empty() => Some(Value::Null),
        Value::Array(items) if items.len() == 1 => Some(items[0].clone()),
        _ => None,
    }
}

/// RFC 7643 §2.4: at most one value is primary; the first one listed keeps it.
pub(crate) fn single_primary(items: &mut [Value]) {
    let mut seen = false;
    for item in items.iter_mut() {
        if item.get("primary") == Some(&Value::Bool(true)) {
            if seen {
                item["primary"] = Value::Bool(false);
            }
            seen = true;
        }
    }
}

/// Normalises one value of `attr` (an element, for multi-valued attributes).
pub(crate) fn normalize_single(
    attr: &AttrDef,
    value: &Value,
    opts: &InputOptions,
) -> Result<Option<Value>, ScimError> {
    if value.is_null() {
        return unassigned(attr, opts);
    }
    match (attr.ty, value) {
        (AttrType::Complex, Value::Object(fields)) => {
            let mut out = Map::new();
            for (key, value) in fields {
                let Some(sub) = attr.sub(key, opts.exact_names) else {
                    continue;
                };
                if sub.mutability == Mutability::ReadOnly && !opts.keeps_read_only(attr, sub) {
                    continue;
                }
                if let Some(value) = normalize_single(sub, value, opts)? {
                    out.insert(sub.name.clone(), value);
                }
            }
            Ok((!out.is_empty()).then_some(Value::Object(out)))
        }
        (AttrType::Complex, other) => mismatch(&attr.name, "an object", other, opts),
        (AttrType::String | AttrType::Reference | AttrType::Binary, Value::String(s)) => {
            Ok(Some(Value::String(clean_string(s, opts))))
        }
        (AttrType::DateTime, Value::String(s)) if OffsetDateTime::parse(s, &Rfc3339).is_ok() => {
            Ok(Some(value.clone()))
        }
        (AttrType::Boolean, Value::Bool(_)) => Ok(Some(value.clone())),
        (AttrType::Boolean, Value::String(s))
            if opts.string_booleans
                && (s.eq_ignore_ascii_case("true") || s.eq_ignore_ascii_case("false")) =>
        {
            Ok(Some(Value::Bool(s.eq_ignore_ascii_case("true"))))
        }
        (AttrType::Integer, Value::Number(n)) if n.is_i64() || n.is_u64() => {
            Ok(Some(value.clone()))
        }
        (AttrType::Decimal, Value::Number(_)) => Ok(Some(value.clone())),
        (ty, other) => mismatch(&attr.name, type_name(ty), other, opts),
    }
}

fn clean_string(s: &str, opts: &InputOptions) -> String {
    if opts.ascii_only {
        s.chars()
            .map(|c| if c.is_ascii() { c } else { '?' })
            .collect()
    } else {
        s.to_owned()
    }
}

fn unassigned(attr: &AttrDef, opts: &InputOptions) -> Result<Option<Value>, ScimError> {
    if opts.reject_null {
        Err(ScimError::invalid_value(format!(
            "attribute '{}' must not be null or empty",
            attr.name
        )))
    } else {
        Ok(None)
    }
}

fn mismatch(
    name: &str,
    expected: &str,
    got: &Value,
    opts: &InputOptions,
) -> Result<Option<Value>, ScimError> {
    if opts.lenient_types {
        return Ok(Some(got.clone()));
    }
    Err(ScimError::invalid_value(format!(
        "attribute '{name}' must be {expected}, got {}",
        json_kind(got)
    )))
}

fn type_name(ty: AttrType) -> &'static str {
    match ty {
        AttrType::String | AttrType::Reference | AttrType::Binary => "a string",
        AttrType::Boolean => "a boolean",
        AttrType::Decimal => "a number",
        AttrType::Integer => "an integer",
        AttrType::DateTime => "an RFC 3339 dateTime string",
        AttrType::Complex => "an object",
    }
}

fn json_kind(value: &Value) -> &'static str {
    match value {
        Value::Null => "null",
        Value::Bool(_) => "a boolean",
        Value::Number(_) => "a number",
        Value::String(_) => "a string",
        Value::Array(_) => "an array",
        Value::Object(_) => "an object",
    }
}

#[cfg(test)]
#[path = "resource_tests.rs"]
mod tests;
