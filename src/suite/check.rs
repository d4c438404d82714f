//! A check and the small values that name it: id, level and the place in a file it came from.

use super::{Capability, Step};
use serde::{Deserialize, Serialize};
use std::fmt;

/// A stable, dotted, lowercase check id such as `users.create.returns-201-with-id`.
#[derive(Debug, Clone, PartialEq, Eq, PartialOrd, Ord, Hash, Serialize, Deserialize)]
#[serde(transparent)]
pub struct CheckId(pub String);

impl CheckId {
    pub fn as_str(&self) -> &str {
        &self.0
    }
}

impl fmt::Display for CheckId {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(&self.0)
    }
}

/// Requirement level as the RFCs use it.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash, Serialize, Deserialize)]
pub enum Level {
    #[serde(rename = "MUST")]
    Must,
    #[serde(rename = "SHOULD")]
    Should,
    #[serde(rename = "MAY")]
    May,
}

impl Level {
    pub fn as_str(self) -> &'static str {
        match self {
            Level::Must => "MUST",
            Level::Should => "SHOULD",
            Level::May => "MAY",
        }
    }
}

impl fmt::Display for Level {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.as_str())
    }
}

/// Where a node of a suite was written (file:line:col), for diagnostics, reports and findings.
#[derive(Debug, Clone, PartialEq, Eq, Default, Serialize)]
pub struct Origin {
    pub file: String,
    pub line: usize,
    pub col: usize,
}

impl fmt::Display for Origin {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "{}:{}:{}", self.file, self.line, self.col)
    }
}

/// One observable requirement.
#[derive(Debug, Clone)]
pub struct Check {
    pub id: CheckId,
    pub title: String,
    pub level: Level,
    pub spec: String,
    pub catalogue_ref: Option<String>,
    pub tags: Vec<String>,
    /// Ids the check had before it moved (into a profile, say): baselines and `--only`/`--skip`
    /// patterns that name them still find it.
    pub aliases: Vec<CheckId>,
    pub requires: Vec<Capability>,
    pub steps: Vec<Step>,
    /// Every name its steps write outside create and replace bodies (expectations, paths,
    /// queries, PATCH operations, filters), lower-cased and split at anything but letters,
    /// digits, `_` and `$`: what the check is about, so fixtures never adapt an attribute the
    /// check asserts or operates on.
    pub mentions: std::collections::BTreeSet<String>,
    /// Its queries keep other users out with `userName sw "${check.prefix}-"`.
    pub scoped: bool,
    /// The form it runs in when it cannot scope its queries to its own data (filtering not
    /// advertised, or `userName sw` refused).
    pub unscoped: Option<Box<Unscoped>>,
    /// The form it runs in under `--read-only` when its own steps write: reads of whatever the
    /// tenant holds, asserting only what holds for any data (none at all included).
    pub read_only: Option<Box<Unscoped>>,
    /// Where the check's id is written.
    pub origin: Origin,
}

/// A check's filter-free form: steps that keep tenant data out of the verdict without a
/// filter (GETs of the check's own ids, or a read-only walk asserting only what holds for any
/// data), and a note saying what the form asserts.
#[derive(Debug, Clone)]
pub struct Unscoped {
    pub note: String,
    pub steps: Vec<Step>,
}

impl Check {
    /// The first request of the check that would write (create, change or delete), as
    /// `METHOD path`; `None` for a check that only reads. A POST to a `.search` endpoint is a
    /// read; built-in steps that probe with writes count as writes.
    pub fn first_write(&self) -> Option<String> {
        self.steps.iter().find_map(Step::write)
    }

    /// The check in its read-only form, if it has one: it scopes nothing, so it needs no filter.
    pub fn in_read_only_form(&self) -> Option<Check> {
        let form = self.read_only.as_ref()?;
        Some(Check {
            steps: form.steps.clone(),
            requires: self
                .requires
                .iter()
                .copied()
                .filter(|c| *c != super::Capability::Filter)
                .collect(),
            scoped: false,
            unscoped: None,
            read_only: None,
            ..self.clone()
        })
    }

    /// The check in its unscoped form, if it has one.
    pub fn in_unscoped_form(&self) -> Option<Check> {
        let form = self.unscoped.as_ref()?;
        Some(Check {
            steps: form.steps.clone(),
            scoped: false,
            unscoped: None,
            ..self.clone()
        })
    }
}

/// The names in a check's steps as [`Check::mentions`] holds them.
pub fn mentions_of(steps: &serde_json::Value) -> std::collections::BTreeSet<String> {
    fn words(s: &str, out: &mut std::collections::BTreeSet<String>) {
        for w in s.split(|c: char| !(c.is_alphanumeric() || c == '_' || c == '$')) {
            if !w.is_empty() {
                out.insert(w.to_lowercase());
            }
        }
    }
    fn walk(v: &serde_json::Value, out: &mut std::collections::BTreeSet<String>) {
        match v {
            serde_json::Value::String(s) => words(s, out),
            serde_json::Value::Array(items) => items.iter().for_each(|i| walk(i, out)),
            serde_json::Value::Object(map) => {
                for (k, v) in map {
                    words(k, out);
                    walk(v, out);
                }
            }
            _ => {}
        }
    }
    let mut out = std::collections::BTreeSet::new();
    for step in steps.as_array().into_iter().flatten() {
        let Some(step) = step.as_object() else {
            continue;
        };
        for (key, value) in step {
            // The body of a create or replace is what fixtures adapt, not what the check is
            // about; what it is about shows in its expectations, paths, queries and PATCHes.
            let request = value.as_object();
            let method = request
                .and_then(|r| r.get("method"))
                .and_then(serde_json::Value::as_str)
                .unwrap_or_default();
            let path = request
                .and_then(|r| r.get("path"))
                .and_then(serde_json::Value::as_str)
                .unwrap_or_default();
            let adapted = key == "request"
                && (method.eq_ignore_ascii_case("POST") || method.eq_ignore_ascii_case("PUT"))
                && !path.ends_with(".search");
            // The URL path names endpoints (`/Groups`), not attributes, and header names
            // (`Content-Type`) are HTTP's.
            let skipped = |k: &str| k == "path" || k == "headers" || (adapted && k == "body");
            match (key.as_str(), request) {
                ("request", Some(request)) => {
                    for (k, v) in request.iter().filter(|(k, _)| !skipped(k)) {
                        words(k, &mut out);
                        walk(v, &mut out);
                    }
                }
                // Pointers and operands count; predicate names (`type`, `present`) do not.
                ("expect", Some(expect)) => {
                    for part in ["body", "headers"] {
                        let asserted = expect.get(part).and_then(serde_json::Value::as_object);
                        for (target, assertion) in asserted.into_iter().flatten() {
                            words(target, &mut out);
                            if let Some(predicates) = assertion.as_object() {
                                predicates.values().for_each(|v| walk(v, &mut out));
                            }
                        }
                    }
                }
                // Variable names are the check's own; what they capture counts.
                ("capture", Some(captures)) => {
                    captures.values().for_each(|v| walk(v, &mut out));
                }
                ("role", _) => {}
                _ => walk(value, &mut out),
            }
        }
    }
    out
}

impl Step {
    /// What the step would write (create, change or delete), as `METHOD path` or
    /// `built-in NAME`; `None` for a read. A POST to a `.search` endpoint is a read.
    pub fn write(&self) -> Option<String> {
        match self {
            Step::Request(r) => {
                let path = r.request.path.as_str();
                let search = r.request.method == super::Method::Post && path.ends_with(".search");
                (r.request.method != super::Method::Get && !search)
                    .then(|| format!("{} {path}", r.request.method.as_str()))
            }
            Step::Builtin(b) => b
                .call
                .writes()
                .then(|| format!("built-in {}", b.call.name())),
        }
    }
}

#[cfg(test)]
mod tests {
    use super::mentions_of;
    use serde_json::json;

    #[test]
    fn header_names_are_not_attributes_a_check_is_about() {
        let steps = json!([{"request": {"method": "POST", "path": "/Users",
            "headers": {"Content-Type": "application/json"},
            "body": {"emails": [{"type": "work"}]}},
            "expect": {"status": 201, "body": {"/id": {"type": "string"}}}}]);
        let said = mentions_of(&steps);
        assert!(
            !said.contains("type") && !said.contains("content"),
            "{said:?}"
        );
        assert!(said.contains("id"), "{said:?}");
    }
}
