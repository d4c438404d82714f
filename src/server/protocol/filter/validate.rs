//! Checks a parsed filter against a resource type's schemas before it is evaluated: every path
//! must name a known attribute, and every operator must suit the attribute's type. Also resolves
//! paths for the evaluator, which reuses the same rules.

use time::OffsetDateTime;
use time::format_description::well_known::Rfc3339;

use super::{CompValue, CompareOp, Filter, FilterPolicy};
use crate::server::model::schema::{AttrDef, AttrType, ResourceType, Returned};
use crate::server::protocol::error::ScimError;
use crate::server::protocol::path::{AttrPath, AttrRef, resolve_patch};

/// Why a filter does not fit the schema; a 400 `invalidFilter`. `unknown_attribute` lets the
/// `filter-unknown-attribute-empty` fault tell that case apart.
#[derive(Debug, Clone, PartialEq, Eq)]
pub(crate) struct Refusal {
    pub(crate) unknown_attribute: bool,
    pub(crate) message: String,
}

impl Refusal {
    fn unknown(path: &AttrPath) -> Refusal {
        Refusal {
            unknown_attribute: true,
            message: format!("filter names an unknown attribute '{path}'"),
        }
    }
}

fn refuse<T>(message: impl Into<String>) -> Result<T, Refusal> {
    Err(Refusal {
        unknown_attribute: false,
        message: message.into(),
    })
}

impl From<Refusal> for ScimError {
    fn from(refusal: Refusal) -> Self {
        ScimError::invalid_filter(refusal.message)
    }
}

/// Where paths are resolved: against the resource, or inside one element of a value filter.
#[derive(Debug, Clone, Copy)]
pub(super) enum Context {
    Resource,
    Element(&'static AttrDef),
}

/// A path resolved to what the evaluator reads and the definition that governs comparison.
#[derive(Debug, Clone, Copy)]
pub(super) struct Leaf {
    /// The attribute on the resource; `None` inside a value filter.
    pub(super) at: Option<AttrRef>,
    /// The sub-attribute to read from each value (explicit, or the implicit `value`).
    pub(super) sub: Option<&'static AttrDef>,
    /// The definition whose type and caseExact apply.
    pub(super) def: &'static AttrDef,
}

/// Resolves a comparison or `pr` path. A multi-valued complex attribute without a
/// sub-attribute compares its `value` (RFC 7644 §3.4.2.2); `pr` may test a complex attribute
/// as a whole.
pub(super) fn resolve_leaf(
    path: &AttrPath,
    context: Context,
    rt: &ResourceType,
    options: &FilterPolicy,
    presence: bool,
) -> Result<Leaf, Refusal> {
    let parent = match context {
        Context::Resource => None,
        Context::Element(parent) => Some(parent),
    };
    if let Some(parent) = parent {
        if path.urn.is_some() || path.sub.is_some() {
            return refuse(format!(
                "'{path}' inside '{}[…]' must be a plain sub-attribute name",
                parent.name
            ));
        }
        let def = parent
            .sub(&path.name, options.names_exact)
            .ok_or_else(|| Refusal::unknown(path))?;
        return Ok(Leaf {
            at: None,
            sub: None,
            def,
        });
    }
    let at = if options.extensions_qualified_only {
        AttrRef::resolve(path, rt, options.names_exact)
    } else {
        resolve_patch(path, rt, options.names_exact)
    }
    .ok_or_else(|| Refusal::unknown(path))?;
    let sub = match at.sub {
        Some(sub) => Some(sub),
        None if presence || !at.attr.is_complex() => None,
        // A single-valued complex attribute with a `value` (the enterprise `manager`) compares
        // it too, as Entra's `manager eq "<id>"` expects.
        None if at.attr.multi_valued || at.attr.sub("value", true).is_some() => {
            Some(at.attr.sub("value", true).ok_or_else(|| Refusal {
                unknown_attribute: false,
                message: format!("'{}' has no value sub-attribute", at.attr.name),
            })?)
        }
        None => {
            return refuse(format!(
                "'{}' is complex: filter on one of its sub-attributes",
                at.attr.name
            ));
        }
    };
    if at.attr.returned == Returned::Never {
        // Matching on a never-returned attribute (password) would leak it one guess at a time.
        return refuse(format!("'{}' cannot be filtered on", at.attr.name));
    }
    Ok(Leaf {
        at: Some(at),
        sub,
        def: sub.unwrap_or(at.attr),
    })
}

/// Resolves the attribute of a value filter `attr[…]`: a complex attribute of the resource.
pub(super) fn resolve_value_path(
    path: &AttrPath,
    rt: &ResourceType,
    options: &FilterPolicy,
) -> Result<AttrRef, Refusal> {
    let at =
        AttrRef::resolve(path, rt, options.names_exact).ok_or_else(|| Refusal::unknown(path))?;
    if path.sub.is_some() || !at.attr.is_complex() {
        return refuse(format!(
            "'{path}[…]' needs a complex attribute without a sub-attribute"
        ));
    }
    Ok(at)
}

/// Checks that `filter` fits `rt` as RFC 7644 reads it.
#[cfg(test)]
pub(crate) fn validate(filter: &Filter, rt: &ResourceType) -> Result<(), ScimError> {
    validate_with(filter, rt, &FilterPolicy::default()).map_err(ScimError::from)
}

/// Checks that every path of `filter` names a filterable attribute of `rt` and every operator
/// suits its attribute.
pub(crate) fn validate_with(
    filter: &Filter,
    rt: &ResourceType,
    options: &FilterPolicy,
) -> Result<(), Refusal> {
    check(filter, Context::Resource, rt, options)
}

fn check(
    filter: &Filter,
    context: Context,
    rt: &ResourceType,
    options: &FilterPolicy,
) -> Result<(), Refusal> {
    match filter {
        Filter::Compare { path, op, value } => {
            let leaf = resolve_leaf(path, context, rt, options, false)?;
            check_operator(*op, leaf.def, value, options)
        }
        Filter::Present(path) => resolve_leaf(path, context, rt, options, true).map(|_| ()),
        Filter::And(left, right) | Filter::Or(left, right) => {
            check(left, context, rt, options)?;
            check(right, context, rt, options)
        }
        Filter::Not(inner) => check(inner, context, rt, options),
        Filter::ValuePath { path, filter } => {
            if let Context::Element(parent) = context {
                return refuse(format!(
                    "'{path}[…]' cannot appear inside '{}[…]'",
                    parent.name
                ));
            }
            let at = resolve_value_path(path, rt, options)?;
            check(filter, Context::Element(at.attr), rt, options)
        }
    }
}

fn check_operator(
    op: CompareOp,
    def: &AttrDef,
    value: &CompValue,
    options: &FilterPolicy,
) -> Result<(), Refusal> {
    let keyword = op.keyword();
    if op == CompareOp::Ew && options.ew_unsupported {
        return refuse("the 'ew' operator is not supported");
    }
    if op == CompareOp::Sw && options.sw_unsupported {
        return refuse("the 'sw' operator is not supported");
    }
    if op.is_ordering() {
        if matches!(def.ty, AttrType::Boolean | AttrType::Binary) {
            return refuse(format!(
                "'{keyword}' cannot order the {:?} attribute '{}'",
                def.ty, def.name
            ));
        }
        match value {
            CompValue::Str(text)
                if def.ty == AttrType::DateTime
                    && !options.datetime_as_string
                    && OffsetDateTime::parse(text, &Rfc3339).is_err() =>
            {
                return refuse(format!(
                    "'{}' is a dateTime: {text:?} is not an RFC 3339 timestamp",
                    def.name
                ));
            }
            CompValue::Str(_) | CompValue::Num(_) => {}
            CompValue::Bool(_) | CompValue::Null => {
                return refuse(format!(
                    "'{keyword}' needs a string or number to compare with"
                ));
            }
        }
    }
    if op.is_substring() {
        if def.ty == AttrType::Boolean {
            return refuse(format!(
                "'{keyword}' cannot match inside the boolean attribute '{}'",
                def.name
            ));
        }
        if !matches!(value, CompValue::Str(_)) {
            return refuse(format!("'{keyword}' needs a string to match"));
        }
    }
    Ok(())
}
