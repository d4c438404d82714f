//! Evaluates a filter against the internal view of a resource, following each attribute's
//! schema: multi-valued attributes match when any element does, and a value filter `attr[…]`
//! needs all of its conditions to hold on one element.

use serde_json::{Map, Value};

use super::compare::{equal, ordered, substring};
use super::validate::{Context, Leaf, resolve_leaf, resolve_value_path};
use super::{CompValue, CompareOp, Filter, FilterPolicy};
use crate::server::model::schema::{AttrDef, ResourceType};

/// What paths are evaluated against.
#[derive(Debug, Clone, Copy)]
enum Scope<'v> {
    Resource(&'v Value),
    /// One element of a value filter's attribute.
    Element(&'static AttrDef, &'v Value),
}

impl Scope<'_> {
    fn context(&self) -> Context {
        match self {
            Scope::Resource(_) => Context::Resource,
            Scope::Element(parent, _) => Context::Element(parent),
        }
    }
}

/// Whether the resource view (see `render::filter_view`) satisfies `filter` as RFC 7644 reads it.
#[cfg(test)]
pub(crate) fn matches(filter: &Filter, view: &Value, rt: &ResourceType) -> bool {
    matches_with(filter, view, rt, &FilterPolicy::default())
}

/// Whether the resource view satisfies `filter`. A path that does not resolve matches nothing;
/// `validate_with` is what refuses such filters.
pub(crate) fn matches_with(
    filter: &Filter,
    view: &Value,
    rt: &ResourceType,
    options: &FilterPolicy,
) -> bool {
    eval(filter, Scope::Resource(view), rt, options)
}

/// Whether one element of the multi-valued complex attribute `parent` satisfies the inside of
/// a value filter (PATCH paths such as `emails[type eq "work"]`).
pub(crate) fn element_matches(
    filter: &Filter,
    parent: &'static AttrDef,
    element: &Value,
    rt: &ResourceType,
    options: &FilterPolicy,
) -> bool {
    eval(filter, Scope::Element(parent, element), rt, options)
}

fn eval(filter: &Filter, scope: Scope<'_>, rt: &ResourceType, options: &FilterPolicy) -> bool {
    match filter {
        Filter::And(left, right) => {
            eval(left, scope, rt, options) && eval(right, scope, rt, options)
        }
        Filter::Or(left, right) => {
            eval(left, scope, rt, options) || eval(right, scope, rt, options)
        }
        Filter::Not(inner) if options.not_ignored => eval(inner, scope, rt, options),
        Filter::Not(inner) => !eval(inner, scope, rt, options),
        Filter::Present(path) => resolve_leaf(path, scope.context(), rt, options, true)
            .is_ok_and(|leaf| present(&raw_values(&leaf, scope), options.pr_counts_empty)),
        Filter::Compare { path, op, value } => {
            let Ok(leaf) = resolve_leaf(path, scope.context(), rt, options, false) else {
                return false;
            };
            compare(*op, &leaf, scope, value, options)
        }
        Filter::ValuePath { path, filter } => {
            let Scope::Resource(view) = scope else {
                return false;
            };
            let Ok(at) = resolve_value_path(path, rt, options) else {
                return false;
            };
            let container = match at.ext {
                None => Some(view),
                Some(ext) => view.get(&ext.id),
            };
            let elements = flatten(container.and_then(|c| c.get(&at.attr.name)));
            if options.cross_element {
                let merged = merge(&elements);
                return eval(filter, Scope::Element(at.attr, &merged), rt, options);
            }
            elements
                .into_iter()
                .any(|element| eval(filter, Scope::Element(at.attr, element), rt, options))
        }
    }
}

/// `value-filter-cross-element`: one pseudo-element holding every element's values, so each
/// condition may be met by a different element.
fn merge(elements: &[&Value]) -> Value {
    let mut merged: Map<String, Value> = Map::new();
    for fields in elements.iter().filter_map(|e| e.as_object()) {
        for (key, value) in fields {
            let slot = merged
                .entry(key.clone())
                .or_insert_with(|| Value::Array(Vec::new()));
            if let Value::Array(items) = slot {
                items.push(value.clone());
            }
        }
    }
    Value::Object(merged)
}

fn compare(
    op: CompareOp,
    leaf: &Leaf,
    scope: Scope<'_>,
    expected: &CompValue,
    o: &FilterPolicy,
) -> bool {
    let op = match op {
        CompareOp::Co if o.co_as_eq => CompareOp::Eq,
        CompareOp::Sw if o.sw_as_co => CompareOp::Co,
        CompareOp::Ne if o.ne_as_eq => CompareOp::Eq,
        other => other,
    };
    let raw = raw_values(leaf, scope);
    let actual: Vec<&Value> = raw.iter().flat_map(|v| flatten(Some(v))).collect();
    let def = leaf.def;
    let any_equal = || actual.iter().any(|a| equal(def, a, expected, o));
    match (op, expected) {
        (CompareOp::Eq, CompValue::Null) => !present(&raw, false),
        (CompareOp::Ne, CompValue::Null) => present(&raw, false),
        (CompareOp::Eq, _) => any_equal(),
        // `ne` is `not eq`: a resource without the attribute is "not equal" to any value.
        (CompareOp::Ne, _) => !any_equal(),
        (CompareOp::Co | CompareOp::Sw | CompareOp::Ew, _) => {
            actual.iter().any(|a| substring(op, def, a, expected, o))
        }
        (CompareOp::Gt | CompareOp::Ge | CompareOp::Lt | CompareOp::Le, _) => {
            actual.iter().any(|a| {
                ordered(def, a, expected, o).is_some_and(|order| match op {
                    CompareOp::Gt => order.is_gt(),
                    CompareOp::Ge => order.is_ge(),
                    CompareOp::Lt => order.is_lt(),
                    _ => order.is_le(),
                })
            })
        }
    }
}

/// The values at a leaf, before multi-valued arrays are opened: one per element read.
fn raw_values<'v>(leaf: &Leaf, scope: Scope<'v>) -> Vec<&'v Value> {
    let (Some(at), Scope::Resource(view)) = (leaf.at, scope) else {
        return match scope {
            Scope::Element(_, element) => element.get(&leaf.def.name).into_iter().collect(),
            Scope::Resource(_) => Vec::new(),
        };
    };
    let container = match at.ext {
        None => Some(view),
        Some(ext) => view.get(&ext.id),
    };
    let value = container.and_then(|c| c.get(&at.attr.name));
    match leaf.sub {
        None => value.into_iter().collect(),
        Some(sub) => flatten(value)
            .into_iter()
            .filter_map(|element| element.get(&sub.name))
            .collect(),
    }
}

/// The elements of an array, or the value itself.
fn flatten(value: Option<&Value>) -> Vec<&Value> {
    match value {
        Some(Value::Array(items)) => items.iter().collect(),
        Some(other) => vec![other],
        None => Vec::new(),
    }
}

/// `pr`: some value is non-empty (RFC 7644 §3.4.2.2: not null, "", [] or {}); under
/// `pr-counts-empty` anything but null counts.
fn present(values: &[&Value], counts_empty: bool) -> bool {
    values.iter().any(|v| {
        if counts_empty {
            !v.is_null()
        } else {
            non_empty(v)
        }
    })
}

fn non_empty(value: &Value) -> bool {
    match value {
        Value::Null => false,
        Value::String(s) => !s.is_empty(),
        Value::Array(items) => items.iter().any(non_empty),
        Value::Object(fields) => fields.values().any(non_empty),
        Value::Bool(_) | Value::Number(_) => true,
    }
}
