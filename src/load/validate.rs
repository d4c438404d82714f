//! Suite validation: the JSON Schema of the format first; then each check is compiled (which
//! checks what a schema cannot say: variables, capture sources, schema names, built-in
//! arguments) and ids are held unique, all with positions.

use super::compile;
use super::ctx::FileCtx;
use super::diag::{Diagnostic, LoadErrors};
use super::raw::RawCheck;
use super::yaml::{self, escape};
use super::{Source, suite_schema_text};
use crate::suite::Origin;
use crate::suite::registry::{PREDICATES, names};
use jsonschema::error::ValidationErrorKind;
use serde_json::Value;
use std::collections::{BTreeMap, BTreeSet, HashMap};
use std::sync::LazyLock;

static SUITE_SCHEMA: LazyLock<jsonschema::Validator> = LazyLock::new(|| {
    let schema: Value =
        serde_json::from_str(suite_schema_text()).expect("suite.schema.json is valid JSON");
    jsonschema::validator_for(&schema).expect("suite.schema.json is a valid JSON Schema")
});

fn describe(v: &Value) -> String {
    match v {
        Value::String(s) => format!("`{s}`"),
        other => format!("`{other}`"),
    }
}

fn schema_errors(ctx: &mut FileCtx<'_>) {
    let mut seen = BTreeSet::new();
    for err in SUITE_SCHEMA.iter_errors(&ctx.doc.value) {
        let path = err.instance_path().as_str().to_string();
        if path.ends_with("/builtin") && matches!(err.kind(), ValidationErrorKind::Enum { .. }) {
            // Compiling names the unknown built-in step along with the known ones.
            continue;
        }
        let (at_key, pointer, message) = match err.kind() {
            ValidationErrorKind::AdditionalProperties { unexpected } => {
                let key = unexpected.first().cloned().unwrap_or_default();
                let allowed = allowed_keys(&path);
                let hint = match closest(&allowed, &key) {
                    Some(g) => format!("; did you mean `{g}`?"),
                    None if allowed.is_empty() => String::new(),
                    None => format!(" (expected one of: {})", allowed.join(", ")),
                };
                (
                    true,
                    format!("{path}/{}", escape(&key)),
                    format!("unknown key `{key}`{hint}"),
                )
            }
            ValidationErrorKind::Required { property } => (
                false,
                path.clone(),
                format!("missing required key {}", describe(property)),
            ),
            ValidationErrorKind::Enum { options } => {
                let opts = options
                    .as_array()
                    .map(|a| a.iter().map(describe).collect::<Vec<_>>().join(", "))
                    .unwrap_or_default();
                (
                    false,
                    path.clone(),
                    format!("{} is not one of {opts}", describe(err.instance())),
                )
            }
            ValidationErrorKind::Pattern { .. } if path.ends_with("/id") => (
                false,
                path.clone(),
                format!(
                    "check id {} must be lowercase and dotted, starting with its area (e.g. users.create.returns-201)",
                    describe(err.instance())
                ),
            ),
            ValidationErrorKind::Type { kind } => (
                false,
                path.clone(),
                format!(
                    "expected {kind:?}, found {}",
                    crate::suite::JsonType::of(err.instance())
                )
                .to_lowercase(),
            ),
            _ => (false, path.clone(), err.to_string()),
        };
        if !seen.insert((pointer.clone(), message.clone())) {
            continue;
        }
        if at_key {
            ctx.at_key(&pointer, message)
        } else {
            ctx.at_value(&pointer, message)
        }
        if ctx.errors.len() >= 20 {
            break;
        }
    }
}

/// Edit distance, for "did you mean" on misspelt keys.
fn distance(a: &str, b: &str) -> usize {
    let b: Vec<char> = b.chars().collect();
    let mut prev: Vec<usize> = (0..=b.len()).collect();
    for (i, ca) in a.chars().enumerate() {
        let mut cur = vec![i + 1];
        for (j, cb) in b.iter().enumerate() {
            cur.push(
                (prev[j] + usize::from(ca != *cb))
                    .min(prev[j + 1] + 1)
                    .min(cur[j] + 1),
            );
        }
        prev = cur;
    }
    prev[b.len()]
}

/// The option nearest to a misspelt `key`, if it is near enough to be a typo.
pub(super) fn closest<'o>(options: &[&'o str], key: &str) -> Option<&'o str> {
    options
        .iter()
        .copied()
        .min_by_key(|k| distance(k, key))
        .filter(|k| distance(k, key) <= 2)
}

/// The keys the format allows at a pointer, for "did you mean" hints on unknown keys.
fn allowed_keys(path: &str) -> Vec<&'static str> {
    let mut depth: Vec<&str> = path.split('/').skip(1).collect();
    // The steps of a check's unscoped form are written like its steps.
    if matches!(depth.get(1), Some(&"unscoped" | &"read_only")) && depth.get(2) == Some(&"steps") {
        depth.remove(1);
    }
    match depth.as_slice() {
        [_] => vec![
            "id",
            "title",
            "level",
            "spec",
            "ref",
            "tags",
            "requires",
            "steps",
            "unscoped",
            "read_only",
        ],
        [_, "unscoped" | "read_only"] => vec!["note", "steps"],
        [_, "steps", _] => vec!["request", "builtin", "with", "expect", "capture", "role"],
        [_, "steps", _, "request"] => {
            vec![
                "method", "path", "query", "headers", "auth", "body", "raw_body",
            ]
        }
        [_, "steps", _, "expect"] => {
            vec![
                "status",
                "statuses",
                "headers",
                "body",
                "schema",
                "empty_body",
            ]
        }
        [_, "steps", _, "expect", "headers" | "body", _] => names(PREDICATES, |d| d.name),
        _ => Vec::new(),
    }
}

/// Parses, validates and compiles suite sources; ids must be unique across all of them.
pub(super) fn checks_of(
    sources: &[Source],
    schemas: &BTreeMap<String, Value>,
    profile_values: Option<&std::collections::BTreeSet<String>>,
) -> Result<Vec<crate::suite::Check>, LoadErrors> {
    let mut all = Vec::new();
    let mut errors = Vec::new();
    let mut ids: HashMap<String, Origin> = HashMap::new();
    for source in sources {
        let doc = match yaml::parse(&source.text) {
            Ok(doc) => doc,
            Err(e) => {
                errors.push(Diagnostic::new(
                    &source.name,
                    &source.text,
                    e.pos,
                    e.message,
                ));
                continue;
            }
        };
        let mut ctx = FileCtx::new(source, &doc);
        ctx.profile = profile_values.cloned();
        schema_errors(&mut ctx);
        if ctx.errors.is_empty() {
            let items = doc.value.as_array().cloned().unwrap_or_default();
            for (i, item) in items.into_iter().enumerate() {
                let mut mentions = crate::suite::mentions_of(&item["steps"]);
                mentions.extend(crate::suite::mentions_of(&item["unscoped"]["steps"]));
                mentions.extend(crate::suite::mentions_of(&item["read_only"]["steps"]));
                // `about: [name.givenName]`: what a check leaves out on purpose is what it is about.
                for about in item["about"].as_array().into_iter().flatten() {
                    for word in about
                        .as_str()
                        .unwrap_or_default()
                        .split(|c: char| !(c.is_alphanumeric() || c == '_' || c == '$'))
                        .filter(|w| !w.is_empty())
                    {
                        mentions.insert(word.to_lowercase());
                    }
                }
                let text = item["steps"].to_string();
                let unscoped_text = item["unscoped"]["steps"].to_string();
                // As a query value, or already encoded in a path.
                let scoped = [
                    r#"sw \"${check.prefix}"#,
                    "sw%20%22${check.prefix}",
                    "sw+%22${check.prefix}",
                ]
                .iter()
                .any(|form| text.contains(form));
                let needs_filter = item["requires"]
                    .as_array()
                    .is_some_and(|r| r.iter().any(|c| c == "filter"));
                if item.get("unscoped").is_some() {
                    if !(scoped || needs_filter) {
                        ctx.at_key(
                            &format!("/{i}/unscoped"),
                            "an unscoped form is for a check that scopes its queries with a filter \
                             (`requires: [filter]` or `userName sw \"${check.prefix}-\"`); this one does not",
                        );
                    }
                    if unscoped_text.contains("\"filter\"") {
                        ctx.at_key(
                            &format!("/{i}/unscoped"),
                            "the unscoped form runs where filtering is unavailable, so it cannot use `filter`",
                        );
                    }
                }
                match serde_json::from_value::<RawCheck>(item) {
                    Ok(raw) => {
                        let mut check = compile::check(&mut ctx, i, raw, schemas);
                        let writes = check
                            .read_only
                            .as_ref()
                            .and_then(|f| f.steps.iter().find_map(crate::suite::Step::write));
                        if let Some(write) = writes {
                            ctx.at_key(
                                &format!("/{i}/read_only"),
                                format!(
                                    "a read-only form sends no write, but this one sends {write}"
                                ),
                            );
                        }
                        check.mentions = mentions;
                        check.scoped = scoped;
                        if let Some(first) = ids.get(check.id.as_str()) {
                            ctx.at_value(
                                &format!("/{i}/id"),
                                format!(
                                    "duplicate check id `{}` (first defined at {first})",
                                    check.id
                                ),
                            );
                        } else {
                            ids.insert(check.id.0.clone(), check.origin.clone());
                        }
                        // An alias stands for the check wherever an id is looked up, so it
                        // shares their namespace.
                        for (k, alias) in check.aliases.iter().enumerate() {
                            if let Some(first) = ids.get(alias.as_str()) {
                                ctx.at_value(
                                    &format!("/{i}/aliases/{k}"),
                                    format!(
                                        "alias `{alias}` is already a check id or alias (at {first})"
                                    ),
                                );
                            } else {
                                ids.insert(alias.0.clone(), check.origin.clone());
                            }
                        }
                        all.push(check);
                    }
                    Err(e) => ctx.at_value(&format!("/{i}"), format!("invalid check: {e}")),
                }
            }
        }
        errors.extend(ctx.errors);
    }
    if errors.is_empty() {
        Ok(all)
    } else {
        Err(LoadErrors(errors))
    }
}
