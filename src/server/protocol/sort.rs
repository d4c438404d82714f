//! Sorting query results (RFC 7644 §3.4.2.3): `sortBy` names an attribute, `sortOrder` the
//! direction; values compare by their schema type and resources without one go last
//! (ascending) or first (descending).

use std::cmp::Ordering;

use serde_json::Value;
use time::OffsetDateTime;
use time::format_description::well_known::Rfc3339;

use crate::server::model::schema::{AttrDef, AttrType, ResourceType, Returned};
use crate::server::model::settings::Settings;
use crate::server::protocol::error::ScimError;
use crate::server::protocol::path::{AttrPath, AttrRef};

/// A validated `sortBy` / `sortOrder`.
#[derive(Debug, Clone, Copy)]
pub(crate) struct SortSpec {
    at: AttrRef,
    /// The sub-attribute compared: explicit, or `value` of a multi-valued complex attribute.
    sub: Option<&'static AttrDef>,
    descending: bool,
}

impl SortSpec {
    /// The sort a request asks for; `None` without `sortBy`. Unknown attributes and orders
    /// other than ascending/descending are refused with `invalidValue`.
    pub(crate) fn parse(
        sort_by: Option<&str>,
        sort_order: Option<&str>,
        rt: &ResourceType,
    ) -> Result<Option<SortSpec>, ScimError> {
        let descending = match sort_order.map(str::trim) {
            None | Some("") => false,
            Some(order) if order.eq_ignore_ascii_case("ascending") => false,
            Some(order) if order.eq_ignore_ascii_case("descending") => true,
            Some(order) => {
                return Err(ScimError::invalid_value(format!(
                    "sortOrder must be 'ascending' or 'descending', got '{order}'"
                )));
            }
        };
        let Some(name) = sort_by.map(str::trim).filter(|n| !n.is_empty()) else {
            return Ok(None);
        };
        let unknown = || ScimError::invalid_value(format!("cannot sort by '{name}'"));
        let path = AttrPath::parse(name).ok_or_else(unknown)?;
        let at = AttrRef::resolve(&path, rt, false)
            .filter(|at| at.attr.returned != Returned::Never)
            .ok_or_else(unknown)?;
        let sub = match at.sub {
            Some(sub) => Some(sub),
            None if at.attr.is_complex() && at.attr.multi_valued => at.attr.sub("value", true),
            None if at.attr.is_complex() => return Err(unknown()),
            None => None,
        };
        Ok(Some(SortSpec {
            at,
            sub,
            descending,
        }))
    }
}

/// A sort value, comparable only with values of the same attribute.
#[derive(Debug, Clone, PartialEq)]
enum Key {
    Text(String),
    Time(OffsetDateTime),
    Number(f64),
    Bool(bool),
}

impl Key {
    fn compare(&self, other: &Key) -> Ordering {
        match (self, other) {
            (Key::Text(a), Key::Text(b)) => a.cmp(b),
            (Key::Time(a), Key::Time(b)) => a.cmp(b),
            (Key::Number(a), Key::Number(b)) => a.total_cmp(b),
            (Key::Bool(a), Key::Bool(b)) => a.cmp(b),
            // Mixed kinds only come from stored values of the wrong type; any fixed order will do.
            _ => self.rank().cmp(&other.rank()),
        }
    }

    fn rank(&self) -> u8 {
        match self {
            Key::Text(_) => 0,
            Key::Time(_) => 1,
            Key::Number(_) => 2,
            Key::Bool(_) => 3,
        }
    }
}

/// The sort key of a resource view: for a multi-valued attribute the primary element's value,
/// else the first element's.
fn key(view: &Value, spec: &SortSpec, case_sensitive: bool) -> Option<Key> {
    let container = match spec.at.ext {
        None => Some(view),
        Some(ext) => view.get(&ext.id),
    };
    let mut value = container?.get(&spec.at.attr.name)?;
    if let Value::Array(items) = value {
        value = items
            .iter()
            .find(|item| item.get("primary") == Some(&Value::Bool(true)))
            .or_else(|| items.first())?;
    }
    if let Some(sub) = spec.sub {
        value = value.get(&sub.name)?;
    }
    let def = spec.sub.unwrap_or(spec.at.attr);
    match value {
        Value::String(s) if s.is_empty() => None,
        Value::String(s) if def.ty == AttrType::DateTime => OffsetDateTime::parse(s, &Rfc3339)
            .map(Key::Time)
            .ok()
            .or_else(|| Some(Key::Text(s.clone()))),
        Value::String(s) if def.case_exact || case_sensitive => Some(Key::Text(s.clone())),
        Value::String(s) => Some(Key::Text(s.to_lowercase())),
        Value::Number(n) => n.as_f64().map(Key::Number),
        Value::Bool(b) => Some(Key::Bool(*b)),
        _ => None,
    }
}

/// Sorts `items` (in creation order, each with its filter view) by `spec`. The sort is stable,
/// so ties keep creation order in both directions.
pub(crate) fn sort<T>(
    items: Vec<(T, Value)>,
    spec: &SortSpec,
    settings: &Settings,
) -> Vec<(T, Value)> {
    let descending = spec.descending && !settings.policies.sort.order_ignored;
    let missing_first = settings.policies.sort.missing_first;
    let case_sensitive = settings.policies.sort.case_sensitive;
    let mut keyed: Vec<(Option<Key>, (T, Value))> = items
        .into_iter()
        .map(|item| (key(&item.1, spec, case_sensitive), item))
        .collect();
    keyed.sort_by(|(a, _), (b, _)| match (a, b) {
        (None, None) => Ordering::Equal,
        // RFC 7644 §3.4.2.3: missing values sort last ascending and first descending; the
        // fault treats them as the smallest value instead.
        (None, Some(_)) if missing_first => ordered(Ordering::Less, descending),
        (Some(_), None) if missing_first => ordered(Ordering::Greater, descending),
        (None, Some(_)) => ordered(Ordering::Greater, descending),
        (Some(_), None) => ordered(Ordering::Less, descending),
        (Some(a), Some(b)) => ordered(a.compare(b), descending),
    });
    keyed.into_iter().map(|(_, item)| item).collect()
}

fn ordered(order: Ordering, descending: bool) -> Ordering {
    if descending { order.reverse() } else { order }
}

#[cfg(test)]
#[path = "sort_tests.rs"]
mod tests;
