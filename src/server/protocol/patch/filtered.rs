//! PATCH operations on a value-filter path (RFC 7644 §3.5.2): `emails[type eq "work"]`,
//! `members[value eq "…"]`, `addresses[type eq "work"].streetAddress`. Only the elements the
//! filter matches are touched; replace and remove that match nothing are `noTarget`.

use serde_json::{Map, Value};

use super::target::{check_removable, check_sub_change};
use super::values::{is_empty, is_primary, keep_only_primary};
use super::{OpKind, Rules};
use crate::server::model::FilterPolicy;
use crate::server::model::schema::Mutability;
use crate::server::protocol::error::ScimError;
use crate::server::protocol::filter::{CompValue, CompareOp, Filter, element_matches};
use crate::server::protocol::path::AttrRef;
use crate::server::protocol::resource::normalize_single;

pub(super) fn apply(
    container: &mut Map<String, Value>,
    kind: OpKind,
    r: &AttrRef,
    filter: &Filter,
    value: Option<&Value>,
    rules: &Rules,
) -> Result<(), ScimError> {
    let name = r.attr.name.clone();
    if kind == OpKind::Remove && rules.remove_filter_all {
        container.remove(&name);
        return Ok(());
    }
    let options = FilterPolicy {
        names_exact: rules.path_exact,
        ..FilterPolicy::default()
    };
    let mut items = match container.remove(&name) {
        Some(Value::Array(items)) => items,
        Some(other) => vec![other],
        None => Vec::new(),
    };
    let matched: Vec<usize> = (0..items.len())
        .filter(|&i| element_matches(filter, r.attr, &items[i], rules.rt, &options))
        .collect();
    let result = if matched.is_empty() {
        unmatched(&mut items, kind, r, filter, value, rules)
    } else {
        match (kind, value) {
            (OpKind::Remove, _) => remove(&mut items, &matched, r, rules),
            (_, None) => Err(ScimError::invalid_syntax(
                "'add' and 'replace' need a 'value'",
            )),
            (kind, Some(value)) => set(&mut items, &matched, kind, r, value, rules),
        }
    };
    items.retain(|item| !is_empty(item));
    if !items.is_empty() {
        container.insert(name, Value::Array(items));
    }
    result
}

/// Nothing matched: `add` creates the element a filter of `eq` tests describes; replace and
/// remove are `noTarget` (`patch-no-target-ignored` lets them pass as no-ops).
fn unmatched(
    items: &mut Vec<Value>,
    kind: OpKind,
    r: &AttrRef,
    filter: &Filter,
    value: Option<&Value>,
    rules: &Rules,
) -> Result<(), ScimError> {
    let described = equalities(filter, r);
    match (kind, value, described) {
        (OpKind::Add, Some(value), Some(mut element)) => {
            let mut new = Map::new();
            new.append(&mut element);
            let end = items.len();
            items.push(Value::Object(new));
            set(items, &[end], OpKind::Add, r, value, rules)
        }
        _ if rules.no_target_ignored => Ok(()),
        _ => Err(ScimError::no_target(format!(
            "no value of '{}' matches the filter",
            r.attr.name
        ))),
    }
}

/// The element a filter made only of `sub eq "literal"` (joined by `and`) describes.
fn equalities(filter: &Filter, r: &AttrRef) -> Option<Map<String, Value>> {
    match filter {
        Filter::Compare {
            path,
            op: CompareOp::Eq,
            value,
        } if path.urn.is_none() && path.sub.is_none() => {
            let sub = r.attr.sub(&path.name, false)?;
            let literal = match value {
                CompValue::Str(s) => Value::from(s.as_str()),
                CompValue::Num(n) => Value::Number(n.clone()),
                CompValue::Bool(b) => Value::Bool(*b),
                CompValue::Null => return None,
            };
            let mut out = Map::new();
            out.insert(sub.name.clone(), literal);
            Some(out)
        }
        Filter::And(left, right) => {
            let mut out = equalities(left, r)?;
            out.extend(equalities(right, r)?);
            Some(out)
        }
        _ => None,
    }
}

fn remove(
    items: &mut Vec<Value>,
    matched: &[usize],
    r: &AttrRef,
    rules: &Rules,
) -> Result<(), ScimError> {
    let Some(sub) = r.sub else {
        let mut index = 0;
        items.retain(|_| {
            index += 1;
            !matched.contains(&(index - 1))
        });
        return Ok(());
    };
    check_removable(sub, rules)?;
    for &i in matched {
        if let Value::Object(fields) = &mut items[i] {
            check_sub_change(sub, fields, None)?;
            fields.remove(&sub.name);
        }
    }
    Ok(())
}

fn set(
    items: &mut [Value],
    matched: &[usize],
    kind: OpKind,
    r: &AttrRef,
    value: &Value,
    rules: &Rules,
) -> Result<(), ScimError> {
    match r.sub {
        Some(sub) => {
            let Some(new) = normalize_single(sub, value, &rules.opts)? else {
                // Setting a sub-attribute to null unassigns it.
                check_removable(sub, rules)?;
                for &i in matched {
                    if let Value::Object(fields) = &mut items[i] {
                        check_sub_change(sub, fields, None)?;
                        fields.remove(&sub.name);
                    }
                }
                return Ok(());
            };
            for &i in matched {
                if let Value::Object(fields) = &mut items[i] {
                    check_sub_change(sub, fields, Some(&new))?;
                    fields.insert(sub.name.clone(), new.clone());
                }
            }
        }
        None => {
            let element = match value {
                Value::Array(list) if list.len() == 1 => &list[0],
                other => other,
            };
            let Some(Value::Object(new)) = normalize_single(r.attr, element, &rules.opts)? else {
                return Err(ScimError::invalid_value(format!(
                    "the value for a '{}[…]' path must be an object",
                    r.attr.name
                )));
            };
            for &i in matched {
                let Value::Object(fields) = &mut items[i] else {
                    continue;
                };
                let merged = if kind == OpKind::Add {
                    let mut merged = fields.clone();
                    merged.extend(new.clone());
                    merged
                } else {
                    new.clone()
                };
                for sub in r.attr.sub_attributes.iter() {
                    if sub.mutability == Mutability::Immutable {
                        check_sub_change(sub, fields, merged.get(&sub.name))?;
                    }
                }
                *fields = merged;
            }
        }
    }
    if !rules.opts.primary_not_unique {
        if let Some(&keep) = matched.iter().rev().find(|&&i| is_primary(&items[i])) {
            keep_only_primary(items, Some(keep));
        }
    }
    Ok(())
}
