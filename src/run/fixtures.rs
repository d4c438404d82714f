//! Schema-aware fixtures: what the server's own /Schemas and /ResourceTypes say a create or
//! replace body needs — attributes it declares required, the sub-attributes it declares — and
//! the one adaptation of request bodies to that, so a server's own (legitimate) rules do not
//! block every check. An attribute a check is about is never adapted: the check is blocked.

use serde_json::{Map, Value};
use std::collections::BTreeSet;

/// One attribute as a server's /Schemas declares it.
#[derive(Debug, Clone, PartialEq)]
struct Attr {
    name: String,
    /// `string`, `boolean`, `complex`, … (lower-cased).
    kind: String,
    multi: bool,
    required: bool,
    read_only: bool,
    canonical: Vec<String>,
    subs: Vec<Attr>,
}

/// One resource type: where it lives and what its schemas declare.
#[derive(Debug, Clone, PartialEq)]
struct TypeRules {
    name: String,
    /// The endpoint's last path segment, lower-cased (`users`).
    endpoint: String,
    core: Vec<Attr>,
    /// Extension URN, whether the resource type requires it, its attributes.
    extensions: Vec<(String, bool, Vec<Attr>)>,
}

/// A fixture value a user sets for every create and replace body of one resource type
/// (`--set User.name.formatted=Ann`).
#[derive(Debug, Clone, PartialEq)]
pub struct Override {
    /// The resource type name, lower-cased.
    resource: String,
    /// An extension URN the path is under, if any.
    container: Option<String>,
    path: Vec<String>,
    value: Value,
    /// As written, for messages.
    text: String,
}

impl Override {
    /// Parses `TYPE.PATH=VALUE` (`User.name.formatted=Ann`,
    /// `User.urn:ietf:params:scim:schemas:extension:enterprise:2.0:User.costCenter=42`); the
    /// value is JSON when it parses as JSON, else a string.
    pub fn parse(text: &str) -> Result<Override, String> {
        let (lhs, raw) = text
            .split_once('=')
            .ok_or_else(|| format!("`{text}`: expected TYPE.ATTRIBUTE=VALUE"))?;
        let (resource, rest) = lhs.split_once('.').ok_or_else(|| {
            format!("`{text}`: expected TYPE.ATTRIBUTE=VALUE (User.name.formatted=Ann)")
        })?;
        let (container, path) = if rest.to_ascii_lowercase().starts_with("urn:") {
            // The URN ends at the last `:`; the attribute path follows its first `.` after it.
            let last_colon = rest.rfind(':').unwrap_or(0);
            match rest[last_colon..].find('.') {
                Some(dot) => {
                    let (urn, path) = rest.split_at(last_colon + dot);
                    (Some(urn.to_string()), &path[1..])
                }
                None => return Err(format!("`{text}`: name an attribute after the URN")),
            }
        } else {
            (None, rest)
        };
        let path: Vec<String> = path.split('.').map(str::to_string).collect();
        if resource.is_empty() || path.iter().any(String::is_empty) {
            return Err(format!("`{text}`: expected TYPE.ATTRIBUTE=VALUE"));
        }
        let value = serde_json::from_str(raw).unwrap_or_else(|_| Value::String(raw.to_string()));
        Ok(Override {
            resource: resource.to_lowercase(),
            container,
            path,
            value,
            text: text.to_string(),
        })
    }
}

/// What adapting one body did.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Adapted {
    Unchanged,
    /// What was filled in or left out (`User name.familyName: required by the server`).
    Changed(Vec<String>),
    /// The body would need an attribute the check is about to be adapted: not sent.
    Blocked(String),
}

/// What the server's schema makes of the bodies this run sends.
#[derive(Debug, Clone, Default, PartialEq)]
pub struct Fixtures {
    types: Vec<TypeRules>,
    overrides: Vec<Override>,
}

/// The items of a ListResponse, or of a bare array (discovery checks report that form).
fn items(doc: &Value) -> Vec<Value> {
    match doc {
        Value::Array(items) => items.clone(),
        other => other
            .get("Resources")
            .and_then(Value::as_array)
            .cloned()
            .unwrap_or_default(),
    }
}

fn attrs(list: Option<&Value>) -> Vec<Attr> {
    let Some(Value::Array(list)) = list else {
        return Vec::new();
    };
    list.iter()
        .filter_map(|a| {
            let text = |k: &str| a.get(k).and_then(Value::as_str).unwrap_or_default();
            let flag = |k: &str| match a.get(k) {
                Some(Value::Bool(b)) => *b,
                Some(Value::String(s)) => s.eq_ignore_ascii_case("true"),
                _ => false,
            };
            let name = text("name");
            (!name.is_empty()).then(|| Attr {
                name: name.to_string(),
                kind: text("type").to_lowercase(),
                multi: flag("multiValued"),
                required: flag("required"),
                read_only: text("mutability").eq_ignore_ascii_case("readOnly"),
                canonical: a
                    .get("canonicalValues")
                    .and_then(Value::as_array)
                    .map(|v| {
                        v.iter()
                            .filter_map(Value::as_str)
                            .map(str::to_string)
                            .collect()
                    })
                    .unwrap_or_default(),
                subs: attrs(a.get("subAttributes")),
            })
        })
        .collect()
}

/// Attribute names of RFC 7643's User, Group and enterprise User schemas distinctive enough to
/// tell what a check uses (`value`, `type`, `primary`, `display` and `$ref` appear everywhere).
const RFC_ATTRIBUTES: &[&str] = &[
    "name",
    "formatted",
    "familyName",
    "givenName",
    "middleName",
    "honorificPrefix",
    "honorificSuffix",
    "displayName",
    "nickName",
    "profileUrl",
    "title",
    "userType",
    "preferredLanguage",
    "locale",
    "timezone",
    "active",
    "password",
    "emails",
    "phoneNumbers",
    "ims",
    "photos",
    "addresses",
    "streetAddress",
    "locality",
    "region",
    "postalCode",
    "country",
    "groups",
    "entitlements",
    "roles",
    "x509Certificates",
    "members",
    "employeeNumber",
    "costCenter",
    "organization",
    "division",
    "department",
    "manager",
];

/// Attributes the RFC itself requires (RFC 7643 §4.1.1 userName, §4.2 displayName) or that are
/// not the client's to send: checks leave these out on purpose, so they are never filled in.
fn never_filled(resource: &str, attr: &str) -> bool {
    let attr = attr.to_ascii_lowercase();
    matches!(attr.as_str(), "id" | "schemas" | "meta")
        || (resource.eq_ignore_ascii_case("User") && attr == "username")
        || (resource.eq_ignore_ascii_case("Group") && attr == "displayname")
}

fn key_of<'m>(map: &'m Map<String, Value>, name: &str) -> Option<&'m str> {
    map.keys()
        .find(|k| k.eq_ignore_ascii_case(name))
        .map(String::as_str)
}

/// A generated value of `attr`'s declared type (`unique` makes strings unique to the check);
/// `None` for what cannot be invented (a reference).
fn generate(attr: &Attr, parent: Option<&str>, unique: &str) -> Option<Value> {
    let one = match attr.kind.as_str() {
        "complex" => {
            let chosen: Vec<&Attr> = {
                let required: Vec<&Attr> = attr
                    .subs
                    .iter()
                    .filter(|s| s.required && !s.read_only)
                    .collect();
                if required.is_empty() {
                    attr.subs
                        .iter()
                        .filter(|s| !s.read_only && s.kind == "string")
                        .min_by_key(|s| !s.name.eq_ignore_ascii_case("value"))
                        .into_iter()
                        .collect()
                } else {
                    required
                }
            };
            let mut object = Map::new();
            for sub in chosen {
                object.insert(sub.name.clone(), generate(sub, Some(&attr.name), unique)?);
            }
            (!object.is_empty()).then_some(Value::Object(object))?
        }
        "string" => {
            let parent = parent.unwrap_or_default().to_ascii_lowercase();
            Value::String(match attr.canonical.first() {
                Some(c) => c.clone(),
                None if attr.name.eq_ignore_ascii_case("value") && parent == "emails" => {
                    format!("{unique}{}@example.com", attr.name)
                }
                None if attr.name.eq_ignore_ascii_case("value") && parent == "phonenumbers" => {
                    "+1-555-0100".to_string()
                }
                None => format!("{unique}{}", attr.name),
            })
        }
        "boolean" => Value::Bool(true),
        "integer" => Value::from(1),
        "decimal" => Value::from(1.5),
        "datetime" => Value::String("2026-01-01T00:00:00Z".into()),
        "binary" => Value::String("c2NpbWNoZWNr".into()),
        _ => return None,
    };
    Some(if attr.multi {
        Value::Array(vec![one])
    } else {
        one
    })
}

/// Fills in and leaves out, in one container (the resource, or one extension's object).
struct Adapter<'a> {
    resource: &'a str,
    mentions: &'a BTreeSet<String>,
    unique: &'a str,
    /// The request is expected to be refused: a required attribute the check is about is left
    /// out as the check wrote it (its absence is the point), not blocked on.
    refusal: bool,
    notes: Vec<String>,
    blocked: Option<String>,
}

impl Adapter<'_> {
    fn about(&self, name: &str) -> bool {
        self.mentions.contains(&name.to_lowercase())
    }

    fn block(&mut self, reason: String) {
        self.blocked.get_or_insert(reason);
    }

    fn container(&mut self, container: &mut Map<String, Value>, attrs: &[Attr], fill: bool) {
        for attr in attrs {
            let present = key_of(container, &attr.name).map(str::to_string);
            match present {
                None if fill
                    && attr.required
                    && !attr.read_only
                    && !never_filled(self.resource, &attr.name) =>
                {
                    if self.about(&attr.name) && self.refusal {
                        // Left out on purpose: the check expects the refusal.
                    } else if self.about(&attr.name) {
                        self.block(format!(
                            "the server declares {} required, and this check is about {}: not adapted",
                            attr.name, attr.name
                        ));
                    } else if let Some(v) = generate(attr, None, self.unique) {
                        container.insert(attr.name.clone(), v);
                        self.notes.push(format!(
                            "{} {}: required by the server, filled in",
                            self.resource, attr.name
                        ));
                    }
                }
                None => {}
                Some(key) if attr.kind == "complex" && !attr.subs.is_empty() => {
                    let value = container.get_mut(&key).expect("present");
                    let elements: Vec<&mut Value> = match value {
                        Value::Array(items) => items.iter_mut().collect(),
                        v => vec![v],
                    };
                    for element in elements {
                        if let Value::Object(object) = element {
                            self.sub_attributes(&attr.name, object, &attr.subs);
                        }
                    }
                }
                Some(_) => {}
            }
        }
    }

    /// Leaves out sub-attributes the server does not declare; fills in the required ones.
    fn sub_attributes(&mut self, parent: &str, object: &mut Map<String, Value>, subs: &[Attr]) {
        let undeclared: Vec<String> = object
            .keys()
            .filter(|k| !subs.iter().any(|s| s.name.eq_ignore_ascii_case(k)))
            .cloned()
            .collect();
        for key in undeclared {
            if self.about(&key) {
                self.block(format!(
                    "the server does not declare {parent}.{key}, and this check is about {key}: not adapted"
                ));
            } else {
                object.remove(&key);
                self.notes.push(format!(
                    "{} {parent}.{key}: not declared by the server, left out",
                    self.resource
                ));
            }
        }
        for sub in subs.iter().filter(|s| s.required && !s.read_only) {
            if key_of(object, &sub.name).is_some() {
                continue;
            }
            if self.about(&sub.name) && self.refusal {
                // Left out on purpose: the check expects the refusal.
            } else if self.about(&sub.name) {
                self.block(format!(
                    "the server declares {parent}.{} required, and this check is about {}: not adapted",
                    sub.name, sub.name
                ));
            } else if let Some(v) = generate(sub, Some(parent), self.unique) {
                object.insert(sub.name.clone(), v);
                self.notes.push(format!(
                    "{} {parent}.{}: required by the server, filled in",
                    self.resource, sub.name
                ));
            }
        }
    }
}

impl Fixtures {
    /// Reads the documents discovery fetched (a ListResponse or a bare array each); what cannot
    /// be read adapts nothing.
    pub fn from_discovery(resource_types: Option<&Value>, schemas: Option<&Value>) -> Fixtures {
        let schemas: Vec<Value> = schemas.map(items).unwrap_or_default();
        let schema = |urn: &str| {
            schemas
                .iter()
                .find(|s| {
                    s.get("id")
                        .and_then(Value::as_str)
                        .is_some_and(|id| id.eq_ignore_ascii_case(urn))
                })
                .map(|s| attrs(s.get("attributes")))
                .unwrap_or_default()
        };
        let types = resource_types
            .map(items)
            .unwrap_or_default()
            .iter()
            .filter_map(|rt| {
                let text = |k: &str| rt.get(k).and_then(Value::as_str).unwrap_or_default();
                let endpoint = text("endpoint")
                    .trim_end_matches('/')
                    .rsplit('/')
                    .next()
                    .unwrap_or_default()
                    .to_lowercase();
                if endpoint.is_empty() || text("name").is_empty() {
                    return None;
                }
                let extensions = rt
                    .get("schemaExtensions")
                    .and_then(Value::as_array)
                    .map(|exts| {
                        exts.iter()
                            .filter_map(|e| {
                                let urn = e.get("schema").and_then(Value::as_str)?;
                                let required = matches!(e.get("required"), Some(Value::Bool(true)));
                                Some((urn.to_string(), required, schema(urn)))
                            })
                            .collect()
                    })
                    .unwrap_or_default();
                Some(TypeRules {
                    name: text("name").to_string(),
                    endpoint,
                    core: schema(text("schema")),
                    extensions,
                })
            })
            .collect();
        Fixtures {
            types,
            overrides: Vec::new(),
        }
    }

    /// The same, with the user's `--set` values.
    pub fn with_overrides(mut self, overrides: Vec<Override>) -> Fixtures {
        self.overrides = overrides;
        self
    }

    /// Why a check that uses `mentions` cannot be tested here: an RFC 7643 attribute it asserts,
    /// filters on or patches that the server's /Schemas declares nowhere. `None` when the
    /// server published no schema (nothing to go by) or declares them all.
    pub fn undeclared_used(&self, mentions: &BTreeSet<String>) -> Option<String> {
        fn names(attrs: &[Attr], out: &mut BTreeSet<String>) {
            for a in attrs {
                out.insert(a.name.to_lowercase());
                names(&a.subs, out);
            }
        }
        let mut declared = BTreeSet::new();
        for t in &self.types {
            names(&t.core, &mut declared);
            for (_, _, attrs) in &t.extensions {
                names(attrs, &mut declared);
            }
        }
        if declared.is_empty() {
            return None;
        }
        let missing: Vec<&str> = RFC_ATTRIBUTES
            .iter()
            .copied()
            .filter(|a| {
                mentions.contains(&a.to_lowercase()) && !declared.contains(&a.to_lowercase())
            })
            .collect();
        (!missing.is_empty()).then(|| {
            format!(
                "the server's /Schemas does not declare {}, which this check uses",
                missing.join(", ")
            )
        })
    }

    /// What the server requires beyond the RFC, for the run header (`User name.familyName`).
    pub fn required(&self) -> Vec<String> {
        let mut out = Vec::new();
        for t in &self.types {
            for a in t.core.iter().filter(|a| a.required && !a.read_only) {
                if !never_filled(&t.name, &a.name) {
                    out.push(format!("{} {}", t.name, a.name));
                }
            }
            for (urn, required, attrs) in &t.extensions {
                if *required {
                    out.push(format!("{} {urn}", t.name));
                }
                for a in attrs.iter().filter(|a| a.required && !a.read_only) {
                    out.push(format!("{} {urn}:{}", t.name, a.name));
                }
            }
        }
        out
    }

    /// Adapts the body of a create (POST to a collection) or replace (PUT to a resource) to the
    /// server's schema: fills in what it declares required and the body lacks, leaves out
    /// sub-attributes it does not declare, applies `--set` values. `path` is relative to the base
    /// URL; `mentions` are the names the check is about; `unique` starts every value invented.
    pub fn adapt(
        &self,
        path: &str,
        body: &mut Value,
        mentions: &BTreeSet<String>,
        unique: &str,
        refusal: bool,
    ) -> Adapted {
        let segment = path
            .trim_start_matches('/')
            .split(['/', '?'])
            .next()
            .unwrap_or_default()
            .to_lowercase();
        let Some(rules) = self.types.iter().find(|t| t.endpoint == segment) else {
            return Adapted::Unchanged;
        };
        let Value::Object(resource) = body else {
            return Adapted::Unchanged;
        };
        let mut adapter = Adapter {
            resource: &rules.name,
            mentions,
            unique,
            refusal,
            notes: Vec::new(),
            blocked: None,
        };
        adapter.container(resource, &rules.core, true);
        for (urn, required, attrs) in &rules.extensions {
            let present = key_of(resource, urn).map(str::to_string);
            let key = match present {
                Some(key) => key,
                None if *required => {
                    resource.insert(urn.clone(), Value::Object(Map::new()));
                    add_schema(resource, urn);
                    adapter.notes.push(format!(
                        "{} {urn}: required by the server, added",
                        rules.name
                    ));
                    urn.clone()
                }
                None => continue,
            };
            if let Some(Value::Object(ext)) = resource.get_mut(&key) {
                adapter.container(ext, attrs, true);
            }
        }
        for o in self
            .overrides
            .iter()
            .filter(|o| o.resource == rules.name.to_lowercase())
        {
            let mut at = &mut *resource;
            if let Some(urn) = &o.container {
                if key_of(at, urn).is_none() {
                    at.insert(urn.clone(), Value::Object(Map::new()));
                    add_schema(at, urn);
                }
                let key = key_of(at, urn).expect("inserted").to_string();
                match at.get_mut(&key) {
                    Some(Value::Object(ext)) => at = ext,
                    _ => continue,
                }
            }
            set_path(at, &o.path, with_unique(&o.value, unique));
            adapter.notes.push(format!("{}: --set", o.text));
        }
        match (adapter.blocked, adapter.notes.is_empty()) {
            (Some(reason), _) => Adapted::Blocked(reason),
            (None, true) => Adapted::Unchanged,
            (None, false) => Adapted::Changed(adapter.notes),
        }
    }
}

/// A `--set` value with `${unique}` in its strings replaced by the check's unique prefix, so a
/// value that must be unique (an email) differs between the resources a run creates.
fn with_unique(value: &Value, unique: &str) -> Value {
    match value {
        Value::String(s) => Value::String(s.replace("${unique}", unique.trim_end_matches('-'))),
        Value::Array(items) => Value::Array(items.iter().map(|v| with_unique(v, unique)).collect()),
        Value::Object(map) => Value::Object(
            map.iter()
                .map(|(k, v)| (k.clone(), with_unique(v, unique)))
                .collect(),
        ),
        other => other.clone(),
    }
}

fn add_schema(resource: &mut Map<String, Value>, urn: &str) {
    if let Some(Value::Array(schemas)) = resource.get_mut("schemas") {
        if !schemas.iter().any(|s| s.as_str() == Some(urn)) {
            schemas.push(Value::String(urn.to_string()));
        }
    }
}

fn set_path(map: &mut Map<String, Value>, path: &[String], value: Value) {
    let Some((last, parents)) = path.split_last() else {
        return;
    };
    let mut at = map;
    for p in parents {
        let key = key_of(at, p).unwrap_or(p).to_string();
        let slot = at.entry(key).or_insert_with(|| Value::Object(Map::new()));
        if !slot.is_object() {
            *slot = Value::Object(Map::new());
        }
        at = slot.as_object_mut().expect("an object");
    }
    let key = key_of(at, last).unwrap_or(last).to_string();
    at.insert(key, value);
}

#[cfg(test)]
#[path = "fixtures_tests.rs"]
mod tests;
