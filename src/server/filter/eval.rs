//! Evaluates a filter against the internal view of a resource, following each attribute's
//! schema (type, caseExact, multi-valued "any element matches").

use serde_json::Value;
use time::OffsetDateTime;
use time::format_description::well_known::Rfc3339;

use super::{CompValue, CompareOp, Filter};
use crate::server::error::ScimError;
use crate::server::path::{AttrPath, AttrRef};
use crate::server::schema::{AttrDef, AttrType, ResourceType};

/// A filter's attribute path resolved for comparison: where to look and how to compare.
struct Operand {
    at: AttrRef,
    /// The sub-attribute to read (explicit, or `value` for a bare multi-valued complex attribute).
    sub: Option<&'static AttrDef>,
}

impl Operand {
    fn definition(&self) -> &'static AttrDef {
        self.sub.unwrap_or(self.at.attr)
    }
}

fn resolve(path: &AttrPath, rt: &'static ResourceType) -> Result<Operand, ScimError> {
    let at = AttrRef::resolve(path, rt, false).ok_or_else(|| {
        ScimError::invalid_filter(format!(
            "filter names an unknown attribute '{}'",
            display(path)
        ))
    })?;
    let sub = match at.sub {
        Some(sub) => Some(sub),
        None if at.attr.is_complex() && at.attr.multi_valued => {
            Some(at.attr.sub("value", true).ok_or_else(|| {
                ScimError::invalid_filter(format!("'{}' has no value sub-attribute", at.attr.name))
            })?)
        }
        None if at.attr.is_complex() => {
            return Err(ScimError::invalid_filter(format!(
                "'{}' is complex: filter on one of its sub-attributes",
                at.attr.name
            )));
        }
        None => None,
    };
    Ok(Operand { at, sub })
}

fn display(path: &AttrPath) -> String {
    let mut out = path
        .urn
        .as_ref()
        .map(|u| format!("{u}:"))
        .unwrap_or_default();
    out.push_str(&path.name);
    if let Some(sub) = &path.sub {
        out.push('.');
        out.push_str(sub);
    }
    out
}

/// Checks that every attribute path in `filter` names a filterable attribute of `rt`.
pub(crate) fn validate(filter: &Filter, rt: &'static ResourceType) -> Result<(), ScimError> {
    match filter {
        Filter::Compare { path, .. } => resolve(path, rt).map(|_| ()),
        Filter::And(left, right) => {
            validate(left, rt)?;
            validate(right, rt)
        }
    }
}

/// Whether the resource view (see `render::filter_view`) satisfies `filter`.
pub(crate) fn matches(filter: &Filter, view: &Value, rt: &'static ResourceType) -> bool {
    match filter {
        Filter::Compare { path, op, value } => {
            let Ok(operand) = resolve(path, rt) else {
                return false;
            };
            let actual = values(view, &operand);
            match op {
                CompareOp::Eq => match value {
                    CompValue::Null => actual.is_empty(),
                    expected => actual
                        .iter()
                        .any(|a| equals(operand.definition(), a, expected)),
                },
            }
        }
        Filter::And(left, right) => matches(left, view, rt) && matches(right, view, rt),
    }
}

/// Every value at the operand's location; multi-valued attributes contribute each element.
fn values<'v>(view: &'v Value, operand: &Operand) -> Vec<&'v Value> {
    let container = match operand.at.ext {
        None => Some(view),
        Some(ext) => view.get(&ext.id),
    };
    let Some(value) = container.and_then(|c| c.get(&operand.at.attr.name)) else {
        return Vec::new();
    };
    let elements: Vec<&Value> = match value {
        Value::Array(items) => items.iter().collect(),
        other => vec![other],
    };
    match operand.sub {
        None => elements,
        Some(sub) => elements
            .into_iter()
            .filter_map(|e| e.get(&sub.name))
            .collect(),
    }
}

fn equals(def: &AttrDef, actual: &Value, expected: &CompValue) -> bool {
    match (expected, actual) {
        (CompValue::Str(e), Value::String(a)) => match def.ty {
            AttrType::DateTime => match (parse_time(a), parse_time(e)) {
                (Some(a), Some(e)) => a == e,
                _ => a == e,
            },
            _ if def.case_exact => a == e,
            _ => a.to_lowercase() == e.to_lowercase(),
        },
        (CompValue::Num(e), Value::Number(a)) => match (a.as_f64(), e.as_f64()) {
            (Some(a), Some(e)) => a == e,
            _ => false,
        },
        (CompValue::Bool(e), Value::Bool(a)) => a == e,
        _ => false,
    }
}

fn parse_time(text: &str) -> Option<OffsetDateTime> {
    OffsetDateTime::parse(text, &Rfc3339).ok()
}
