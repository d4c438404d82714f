//! PATCH (RFC 7644 §3.5.2): parsing the PatchOp message and applying its operations to a copy
//! of a resource's attributes, so a failing operation leaves the stored resource untouched.

mod target;

#[cfg(test)]
mod tests;

use serde_json::{Map, Value};

use super::error::ScimError;
use super::fault::Fault;
use super::path::Target;
use super::resource::InputOptions;
use super::schema::ResourceType;
use super::settings::Settings;
use target::{apply_target, is_empty};

pub(crate) const PATCH_OP_URN: &str = "urn:ietf:params:scim:api:messages:2.0:PatchOp";

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(super) enum OpKind {
    Add,
    Replace,
    Remove,
}

#[derive(Debug)]
struct Operation<'a> {
    kind: OpKind,
    path: Option<&'a str>,
    value: Option<&'a Value>,
}

fn field<'a>(object: &'a Map<String, Value>, name: &str) -> Option<&'a Value> {
    object.get(name).or_else(|| {
        object
            .iter()
            .find(|(k, _)| k.eq_ignore_ascii_case(name))
            .map(|(_, v)| v)
    })
}

fn parse_operations(body: &Map<String, Value>) -> Result<Vec<Operation<'_>>, ScimError> {
    let has_urn = field(body, "schemas")
        .and_then(Value::as_array)
        .is_some_and(|s| {
            s.iter().any(|u| {
                u.as_str()
                    .is_some_and(|u| u.eq_ignore_ascii_case(PATCH_OP_URN))
            })
        });
    if !has_urn {
        return Err(ScimError::invalid_syntax(format!(
            "PATCH body 'schemas' must contain {PATCH_OP_URN}"
        )));
    }
    let operations = match field(body, "Operations") {
        Some(Value::Array(ops)) if !ops.is_empty() => ops,
        _ => {
            return Err(ScimError::invalid_syntax(
                "PATCH body needs a non-empty 'Operations' array",
            ));
        }
    };
    operations.iter().map(parse_operation).collect()
}

fn parse_operation(op: &Value) -> Result<Operation<'_>, ScimError> {
    let Value::Object(op) = op else {
        return Err(ScimError::invalid_syntax(
            "each PATCH operation must be an object",
        ));
    };
    let name = field(op, "op").and_then(Value::as_str).unwrap_or_default();
    let kind = match name.to_ascii_lowercase().as_str() {
        "add" => OpKind::Add,
        "replace" => OpKind::Replace,
        "remove" => OpKind::Remove,
        _ => {
            return Err(ScimError::invalid_syntax(format!(
                "unknown PATCH op '{name}'; expected add, replace or remove"
            )));
        }
    };
    let path = match field(op, "path") {
        None | Some(Value::Null) => None,
        Some(Value::String(path)) => Some(path.as_str()),
        Some(_) => return Err(ScimError::invalid_path("PATCH 'path' must be a string")),
    };
    Ok(Operation {
        kind,
        path,
        value: field(op, "value"),
    })
}

/// Applies the PatchOp `body` to `data`, returning the patched attributes or the first error.
pub(crate) fn apply(
    data: &Map<String, Value>,
    body: &Map<String, Value>,
    rt: &'static ResourceType,
    settings: &Settings,
    id: &str,
) -> Result<Map<String, Value>, ScimError> {
    let operations = parse_operations(body)?;
    let opts = InputOptions::for_patch(settings);
    let mut work = data.clone();
    for op in &operations {
        match (op.kind, op.path) {
            (OpKind::Remove, None) => return Err(ScimError::no_target("'remove' needs a 'path'")),
            (_, None) if settings.has(Fault::PatchPathlessUnsupported) => {
                return Err(ScimError::no_target("PATCH operations need a 'path'"));
            }
            (kind, None) => apply_pathless(&mut work, kind, op.value, rt, &opts, id)?,
            (kind, Some(path)) => {
                let target = Target::parse(path.trim(), rt, false)?;
                apply_target(&mut work, kind, target, op.value, &opts)?;
            }
        }
    }
    work.retain(|_, v| !is_empty(v));
    Ok(work)
}

/// A path-less add/replace: every key of the value object is itself a path.
fn apply_pathless(
    work: &mut Map<String, Value>,
    kind: OpKind,
    value: Option<&Value>,
    rt: &'static ResourceType,
    opts: &InputOptions,
    id: &str,
) -> Result<(), ScimError> {
    let Some(Value::Object(fields)) = value else {
        return Err(ScimError::invalid_value(
            "a PATCH operation without 'path' needs an object 'value'",
        ));
    };
    for (key, value) in fields {
        if opts.name_matches(key, "schemas") {
            continue;
        }
        // Unknown attributes are ignored, as in POST and PUT bodies.
        let Ok(target) = Target::parse(key, rt, opts.exact_names) else {
            continue;
        };
        if let Target::Attr(r) = target {
            if r.attr.name == "id" && r.ext.is_none() && value.as_str() == Some(id) {
                continue;
            }
        }
        apply_target(work, kind, target, Some(value), opts)?;
    }
    Ok(())
}
