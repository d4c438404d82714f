//! Validating what a client writes: the `schemas` of a POST/PUT body, its normalisation
//! against the resource type, and the rules of that type (users.rs, groups.rs).

use serde_json::{Map, Value};

use crate::server::model::schema::Kind;
use crate::server::protocol::crud::Ctx;
use crate::server::protocol::error::ScimError;
use crate::server::protocol::groups::{Write, check_group};
use crate::server::protocol::resource::{InputOptions, normalize_resource};
use crate::server::protocol::users::check_user;
use crate::server::store::Store;

/// Case-insensitive lookup of a top-level body member.
pub(crate) fn member<'a>(
    body: &'a Map<String, Value>,
    name: &str,
    opts: &InputOptions,
) -> Option<&'a Value> {
    body.iter()
        .find(|(k, _)| opts.name_matches(k, name))
        .map(|(_, v)| v)
}

/// `schemas` must be a non-empty array of strings that includes the core schema URN; other
/// URNs (Entra adds its own to Groups) are ignored.
fn check_schemas(
    body: &Map<String, Value>,
    core: &str,
    required: bool,
    opts: &InputOptions,
) -> Result<(), ScimError> {
    match member(body, "schemas", opts) {
        None if !required => Ok(()),
        Some(Value::Array(items))
            if items.iter().all(Value::is_string)
                && items
                    .iter()
                    .any(|u| u.as_str().is_some_and(|u| u.eq_ignore_ascii_case(core))) =>
        {
            Ok(())
        }
        None => Err(ScimError::invalid_syntax(format!(
            "the body needs 'schemas' containing {core}"
        ))),
        Some(_) => Err(ScimError::invalid_syntax(format!(
            "'schemas' must be an array of URNs containing {core}"
        ))),
    }
}

/// `unknown-schema-refused`: every URN in `schemas` must be the type's core schema or one of
/// its extensions (Entra's group create adds a Microsoft URN of its own).
fn refuse_unknown_schemas(
    body: &Map<String, Value>,
    ctx: &Ctx,
    opts: &InputOptions,
) -> Result<(), ScimError> {
    let rt = ctx.rt();
    let known = |urn: &str| {
        urn.eq_ignore_ascii_case(&rt.core.id)
            || rt.extensions.iter().any(|e| e.id.eq_ignore_ascii_case(urn))
    };
    let urns = member(body, "schemas", opts).and_then(Value::as_array);
    match urns
        .into_iter()
        .flatten()
        .filter_map(Value::as_str)
        .find(|u| !known(u))
    {
        Some(urn) => Err(ScimError::invalid_value(format!(
            "unknown schema '{urn}' in 'schemas'"
        ))),
        None => Ok(()),
    }
}

/// Parses, validates and checks a POST/PUT body into canonical attributes.
pub(crate) fn validated_data(
    store: &Store,
    ctx: &Ctx,
    body: &Map<String, Value>,
    schemas_required: bool,
    id: Option<&str>,
) -> Result<Map<String, Value>, ScimError> {
    let opts = InputOptions::for_body(ctx.settings);
    check_schemas(body, &ctx.rt().core.id, schemas_required, &opts)?;
    if ctx.settings.policies.input.unknown_schemas_refused {
        refuse_unknown_schemas(body, ctx, &opts)?;
    }
    check_declared(body, ctx, &opts)?;
    let mut data = normalize_resource(body, ctx.rt(), &opts)?;
    check(store, ctx, &mut data, id, Write::Body)?;
    Ok(data)
}

/// What the server demands of bodies beyond the RFC (the fixture faults): attributes it
/// requires, sub-attributes it refuses, canonical values only.
fn check_declared(
    body: &Map<String, Value>,
    ctx: &Ctx,
    opts: &InputOptions,
) -> Result<(), ScimError> {
    let rules = &ctx.settings.policies.rules;
    if ctx.kind == Kind::User {
        for attr in &rules.required_user_attributes {
            if member(body, attr, opts).is_none_or(Value::is_null) {
                return Err(ScimError::invalid_value(format!("{attr} is required")));
            }
        }
    }
    let elements = |v: &Value| -> Vec<Map<String, Value>> {
        match v {
            Value::Array(items) => items
                .iter()
                .filter_map(|i| i.as_object().cloned())
                .collect(),
            Value::Object(o) => vec![o.clone()],
            _ => Vec::new(),
        }
    };
    for (attr, sub) in &rules.refused_sub_attributes {
        let carried = member(body, attr, opts)
            .map(elements)
            .unwrap_or_default()
            .iter()
            .any(|e| e.keys().any(|k| k.eq_ignore_ascii_case(sub)));
        if carried {
            return Err(ScimError::invalid_value(format!(
                "'{attr}.{sub}' is not supported"
            )));
        }
    }
    if rules.canonical_values_only {
        let schema = ctx
            .settings
            .model
            .schemas
            .iter()
            .find(|s| s.id == ctx.rt().core.id);
        let attrs = schema
            .and_then(|s| s.document["attributes"].as_array())
            .cloned()
            .unwrap_or_default();
        for attr in &attrs {
            let name = attr["name"].as_str().unwrap_or_default();
            let Some(value) = member(body, name, opts) else {
                continue;
            };
            for sub in attr["subAttributes"].as_array().into_iter().flatten() {
                let canonical: Vec<&str> = sub["canonicalValues"]
                    .as_array()
                    .into_iter()
                    .flatten()
                    .filter_map(Value::as_str)
                    .collect();
                let sub_name = sub["name"].as_str().unwrap_or_default();
                if canonical.is_empty() {
                    continue;
                }
                for element in elements(value) {
                    let given = element
                        .iter()
                        .find(|(k, _)| k.eq_ignore_ascii_case(sub_name))
                        .and_then(|(_, v)| v.as_str());
                    if let Some(given) = given {
                        if !canonical.iter().any(|c| c.eq_ignore_ascii_case(given)) {
                            return Err(ScimError::invalid_value(format!(
                                "'{given}' is not a canonical value of {name}.{sub_name} ({})",
                                canonical.join(", ")
                            )));
                        }
                    }
                }
            }
        }
    }
    Ok(())
}

/// The rules of the resource type.
pub(crate) fn check(
    store: &Store,
    ctx: &Ctx,
    data: &mut Map<String, Value>,
    id: Option<&str>,
    write: Write,
) -> Result<(), ScimError> {
    match ctx.kind {
        Kind::User => check_user(data, store, ctx.settings, id, write),
        Kind::Group => check_group(data, store, ctx.settings, id, write),
    }
}

/// Whether the body names an attribute the schema does not define (`unknown-attribute-500`).
pub(crate) fn has_unknown_attribute(body: &Map<String, Value>, ctx: &Ctx) -> bool {
    let opts = InputOptions::for_body(ctx.settings);
    let rt = ctx.rt();
    body.keys().any(|k| {
        !k.eq_ignore_ascii_case("schemas")
            && rt.core_attr(k, opts.exact_names).is_none()
            && !rt.extensions.iter().any(|e| e.id.eq_ignore_ascii_case(k))
    })
}
