//! PATCH (RFC 7644 §3.5.2): parsing the PatchOp message and applying its operations to a copy
//! of a resource's attributes, so a failing operation leaves the stored resource untouched.

mod filtered;
mod target;
mod values;

#[cfg(test)]
mod filtered_tests;
#[cfg(test)]
mod tests;

use serde_json::{Map, Value};

use crate::server::model::schema::ResourceType;
use crate::server::model::settings::Settings;
use crate::server::protocol::error::ScimError;
use crate::server::protocol::path::Target;
use crate::server::protocol::resource::InputOptions;
use target::apply_target;
use values::prune;

pub(crate) const PATCH_OP_URN: &str = "urn:ietf:params:scim:api:messages:2.0:PatchOp";

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(super) enum OpKind {
    Add,
    Replace,
    Remove,
}

/// How operations are applied: input options, plus the deviations PATCH faults ask for.
#[derive(Debug, Clone, Copy)]
pub(super) struct Rules<'a> {
    pub(super) opts: InputOptions,
    pub(super) rt: &'a ResourceType,
    pub(super) add_replaces: bool,
    pub(super) add_duplicates: bool,
    pub(super) remove_filter_all: bool,
    pub(super) no_target_ignored: bool,
    pub(super) remove_required: bool,
    pub(super) read_only_writable: bool,
    /// `patch-path-names-case-sensitive`: names in paths must match exactly.
    pub(super) path_exact: bool,
}

impl Rules<'_> {
    fn new<'a>(rt: &'a ResourceType, settings: &Settings) -> Rules<'a> {
        Rules {
            opts: InputOptions::for_patch(settings),
            rt,
            add_replaces: settings.policies.patch.add_replaces,
            add_duplicates: settings.policies.patch.add_duplicates,
            remove_filter_all: settings.policies.patch.remove_filter_removes_all,
            no_target_ignored: settings.policies.patch.no_target_ignored,
            remove_required: settings.policies.patch.remove_required_allowed,
            read_only_writable: settings.policies.patch.readonly_allowed,
            path_exact: settings.policies.patch.path_names_exact,
        }
    }
}

/// A PATCH that failed: the error, and the attributes as the operations before the failing
/// one left them (which only `patch-not-atomic` keeps).
#[derive(Debug)]
pub(crate) struct Failure {
    pub(crate) error: ScimError,
    pub(crate) partial: Map<String, Value>,
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

fn parse_operations<'a>(
    body: &'a Map<String, Value>,
    settings: &Settings,
) -> Result<Vec<Operation<'a>>, ScimError> {
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
    let case_sensitive = settings.policies.patch.op_case_sensitive;
    operations
        .iter()
        .map(|op| parse_operation(op, case_sensitive))
        .collect()
}

fn parse_operation(op: &Value, case_sensitive: bool) -> Result<Operation<'_>, ScimError> {
    let Value::Object(op) = op else {
        return Err(ScimError::invalid_syntax(
            "each PATCH operation must be an object",
        ));
    };
    let name = field(op, "op").and_then(Value::as_str).unwrap_or_default();
    let folded = if case_sensitive {
        name.to_owned()
    } else {
        name.to_ascii_lowercase()
    };
    let kind = match folded.as_str() {
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

/// Applies the PatchOp `body` to `data`, returning the patched attributes, or the first error
/// with what the operations before it did.
pub(crate) fn apply(
    data: &Map<String, Value>,
    body: &Map<String, Value>,
    rt: &ResourceType,
    settings: &Settings,
    id: &str,
) -> Result<Map<String, Value>, Box<Failure>> {
    let operations = parse_operations(body, settings).map_err(|error| {
        Box::new(Failure {
            error,
            partial: data.clone(),
        })
    })?;
    let rules = Rules::new(rt, settings);
    let mut work = data.clone();
    for op in &operations {
        if let Err(error) = apply_one(&mut work, op, &rules, settings, id) {
            prune(&mut work);
            return Err(Box::new(Failure {
                error,
                partial: work,
            }));
        }
    }
    prune(&mut work);
    Ok(work)
}

fn apply_one(
    work: &mut Map<String, Value>,
    op: &Operation,
    rules: &Rules,
    settings: &Settings,
    id: &str,
) -> Result<(), ScimError> {
    match (op.kind, op.path) {
        (OpKind::Remove, None) => Err(ScimError::no_target("'remove' needs a 'path'")),
        (_, None) if settings.policies.patch.pathless_unsupported => {
            Err(ScimError::no_target("PATCH operations need a 'path'"))
        }
        (kind, None) => {
            let clears = kind == OpKind::Replace
                && rules.rt.name == "Group"
                && settings
                    .policies
                    .patch
                    .group_pathless_replace_clears_members;
            if clears {
                work.remove("members");
            }
            apply_pathless(work, kind, op.value, rules, id)
        }
        (_, Some(path))
            if path.contains('[') && settings.policies.patch.value_filter_unsupported =>
        {
            Err(ScimError::new(
                501,
                format!("PATCH paths with a value filter are not supported: '{path}'"),
            ))
        }
        (kind, Some(path)) => {
            let target = Target::parse(path.trim(), rules.rt, rules.path_exact)?;
            apply_target(work, kind, target, op.value, rules)
        }
    }
}

/// A path-less add/replace: every key of the value object is itself a path.
fn apply_pathless(
    work: &mut Map<String, Value>,
    kind: OpKind,
    value: Option<&Value>,
    rules: &Rules,
    id: &str,
) -> Result<(), ScimError> {
    let Some(Value::Object(fields)) = value else {
        return Err(ScimError::invalid_value(
            "a PATCH operation without 'path' needs an object 'value'",
        ));
    };
    for (key, value) in fields {
        if rules.opts.name_matches(key, "schemas") {
            continue;
        }
        // Unknown attributes are ignored, as in POST and PUT bodies.
        let exact = rules.opts.exact_names || rules.path_exact;
        let Ok(target) = Target::parse(key, rules.rt, exact) else {
            continue;
        };
        if let Target::Attr(r) = &target {
            // Okta repeats the unchanged id in a group rename.
            if r.attr.name == "id" && r.ext.is_none() && value.as_str() == Some(id) {
                continue;
            }
        }
        apply_target(work, kind, target, Some(value), rules)?;
    }
    Ok(())
}
