//! Attribute projection (RFC 7644 §3.4.2.5, §3.9): shapes a rendered resource by the
//! `attributes` / `excludedAttributes` of a request, honouring each attribute's `returned`.
//!
//! `attributes` wins when both are given (the RFC calls them mutually exclusive but names no
//! error), and names that resolve to no attribute are ignored, so a client asking for an
//! attribute the server lacks still gets the rest.

use serde_json::{Map, Value};

use crate::server::model::schema::{AttrDef, ResourceType, Returned, SchemaDef};
use crate::server::model::settings::Settings;
use crate::server::protocol::path::{AttrPath, AttrRef};

/// The projection a request asks for; empty lists mean "not given".
#[derive(Debug, Default, Clone, PartialEq, Eq)]
pub(crate) struct Projection {
    pub(crate) attributes: Vec<String>,
    pub(crate) excluded: Vec<String>,
}

impl Projection {
    /// Reads `attributes` and `excludedAttributes` (names case-insensitive) from query pairs.
    pub(crate) fn from_pairs(pairs: impl IntoIterator<Item = (String, String)>) -> Projection {
        let mut projection = Projection::default();
        for (name, value) in pairs {
            if name.eq_ignore_ascii_case("attributes") {
                projection.attributes.extend(Projection::split(&value));
            } else if name.eq_ignore_ascii_case("excludedAttributes") {
                projection.excluded.extend(Projection::split(&value));
            }
        }
        projection
    }

    /// The names of a comma-separated list.
    pub(crate) fn split(list: &str) -> Vec<String> {
        list.split(',')
            .map(str::trim)
            .filter(|name| !name.is_empty())
            .map(str::to_owned)
            .collect()
    }
}

/// One resolved name: a whole extension, or an attribute with an optional sub-attribute.
#[derive(Debug, Clone, Copy)]
enum Selector {
    Extension(&'static str),
    Attr(AttrRef),
}

/// The names that resolve against `rt`; the rest are ignored.
fn resolve(names: &[String], rt: &ResourceType, exact: bool) -> Vec<Selector> {
    names
        .iter()
        .filter_map(|name| {
            let ext = rt.extensions.iter().find(|e| {
                if exact {
                    e.id == *name
                } else {
                    e.id.eq_ignore_ascii_case(name)
                }
            });
            if let Some(ext) = ext {
                return Some(Selector::Extension(ext.id.as_str()));
            }
            let path = AttrPath::parse(name)?;
            AttrRef::resolve(&path, rt, exact).map(Selector::Attr)
        })
        .collect()
}

/// What to do with one attribute: keep all of it, or only (or all but) some sub-attributes.
#[derive(Debug, PartialEq)]
enum Pick {
    All,
    Subs(Vec<&'static str>),
}

/// What `selectors` say about `attr` (in the extension `ext`, or the core when `None`).
fn pick(selectors: &[Selector], ext: Option<&str>, attr: &AttrDef) -> Option<Pick> {
    let mut subs = Vec::new();
    for selector in selectors {
        match selector {
            Selector::Extension(id) if Some(*id) == ext => return Some(Pick::All),
            Selector::Attr(r)
                if r.ext.map(|e| e.id.as_str()) == ext && r.attr.name == attr.name =>
            {
                match r.sub {
                    None => return Some(Pick::All),
                    Some(sub) => subs.push(sub.name.as_str()),
                }
            }
            _ => {}
        }
    }
    (!subs.is_empty()).then_some(Pick::Subs(subs))
}

/// `value` with only (`keep`) or without (`!keep`) the sub-attributes `subs`, element by
/// element; `None` when nothing is left.
fn reshape(value: Value, attr: &AttrDef, subs: &[&str], keep: bool) -> Option<Value> {
    let shape = |fields: Map<String, Value>| -> Option<Value> {
        let kept: Map<String, Value> = fields
            .into_iter()
            .filter(|(name, _)| {
                let named = subs.contains(&name.as_str());
                let always = attr
                    .sub(name, true)
                    .is_some_and(|s| s.returned == Returned::Always);
                always || named == keep
            })
            .collect();
        (!kept.is_empty()).then_some(Value::Object(kept))
    };
    match value {
        Value::Object(fields) => shape(fields),
        Value::Array(items) => {
            let items: Vec<Value> = items
                .into_iter()
                .filter_map(|item| match item {
                    Value::Object(fields) => shape(fields),
                    other => Some(other),
                })
                .collect();
            (!items.is_empty()).then_some(Value::Array(items))
        }
        other => Some(other),
    }
}

/// What becomes of one attribute's value (`None`: left out).
fn shape(
    attr: &AttrDef,
    ext: Option<&str>,
    value: Value,
    selectors: &[Selector],
    including: bool,
    rules: &Rules,
) -> Option<Value> {
    let always = attr.returned == Returned::Always;
    let picked = pick(selectors, ext, attr);
    if including {
        match picked {
            _ if always => Some(value),
            Some(Pick::All) => Some(value),
            Some(Pick::Subs(_)) if rules.sub_whole => Some(value),
            Some(Pick::Subs(subs)) => reshape(value, attr, &subs, true),
            None => None,
        }
    } else {
        match picked {
            _ if attr.returned == Returned::Request => None,
            _ if always && !rules.always_excludable => Some(value),
            Some(Pick::All) => None,
            Some(Pick::Subs(subs)) => reshape(value, attr, &subs, false),
            None => Some(value),
        }
    }
}

/// Shapes an extension object; `None` when nothing of it is left.
fn shape_extension(
    ext: &SchemaDef,
    fields: Map<String, Value>,
    selectors: &[Selector],
    including: bool,
    rules: &Rules,
) -> Option<Value> {
    let whole = selectors
        .iter()
        .any(|s| matches!(s, Selector::Extension(id) if *id == ext.id));
    let shaped: Map<String, Value> = match (whole, including) {
        (true, true) => fields,
        (true, false) => Map::new(),
        (false, _) => fields
            .into_iter()
            .filter_map(|(name, value)| match ext.attr(&name, true) {
                None => Some((name, value)),
                Some(attr) => shape(attr, Some(&ext.id), value, selectors, including, rules)
                    .map(|value| (name, value)),
            })
            .collect(),
    };
    (!shaped.is_empty()).then_some(Value::Object(shaped))
}

/// The deviations the projection faults ask for.
#[derive(Debug, Default)]
struct Rules {
    names_exact: bool,
    sub_whole: bool,
    always_excludable: bool,
}

/// Applies `projection` to a rendered resource `out` of type `rt`. `stored` is the record's
/// data, read only by the `password-on-request` fault.
pub(crate) fn project(
    out: Value,
    stored: &Map<String, Value>,
    projection: &Projection,
    rt: &ResourceType,
    settings: &Settings,
) -> Value {
    let Value::Object(fields) = out else {
        return out;
    };
    let rules = Rules {
        names_exact: settings.policies.projection.names_exact,
        sub_whole: settings.policies.projection.sub_attribute_whole,
        always_excludable: settings.policies.projection.always_excludable,
    };
    let attributes =
        (!settings.policies.projection.attributes_ignored).then_some(&projection.attributes);
    let excluded = (!settings.policies.projection.excluded_ignored).then_some(&projection.excluded);
    let (names, including) = match (attributes, excluded) {
        (Some(names), _) if !names.is_empty() => (names.as_slice(), true),
        (_, Some(names)) => (names.as_slice(), false),
        (_, None) => (&[][..], false),
    };
    let selectors = resolve(names, rt, rules.names_exact);
    let mut out = Map::new();
    for (name, value) in fields {
        let shaped = match (rt.extensions.iter().find(|e| e.id == name), value) {
            (Some(ext), Value::Object(ext_fields)) => {
                shape_extension(ext, ext_fields, &selectors, including, &rules)
            }
            (_, value) => match rt.core_attr(&name, true) {
                // Not a schema attribute (`schemas`): kept, and fixed up below.
                None => Some(value),
                Some(attr) => shape(attr, None, value, &selectors, including, &rules),
            },
        };
        if let Some(value) = shaped {
            out.insert(name, value);
        }
    }
    if including && settings.policies.projection.password_on_request {
        reveal_requested_never(&mut out, stored, &selectors);
    }
    if let Some(Value::Array(schemas)) = out.get("schemas") {
        let listed: Vec<Value> = schemas
            .iter()
            .filter(|urn| {
                urn.as_str().is_none_or(|urn| {
                    !rt.extensions.iter().any(|e| e.id == urn) || out.contains_key(urn)
                })
            })
            .cloned()
            .collect();
        out.insert("schemas".into(), Value::Array(listed));
    }
    Value::Object(out)
}

/// `password-on-request`: a `returned: never` core attribute named in `attributes` is copied
/// from storage.
fn reveal_requested_never(
    out: &mut Map<String, Value>,
    stored: &Map<String, Value>,
    selectors: &[Selector],
) {
    for selector in selectors {
        if let Selector::Attr(r) = selector {
            if r.ext.is_none() && r.attr.returned == Returned::Never {
                if let Some(value) = stored.get(&r.attr.name) {
                    out.insert(r.attr.name.clone(), value.clone());
                }
            }
        }
    }
}

#[cfg(test)]
#[path = "project_tests.rs"]
mod tests;
