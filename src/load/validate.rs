//! Suite validation: the JSON Schema of the format, then the rules a schema cannot say
//! (defined variables, capture sources, known schema names, unique ids), all with positions.

use super::diag::{Diagnostic, LoadErrors};
use super::yaml::{self, Spanned, escape};
use super::{Source, suite_schema_text};
use crate::suite::{
    Assertion, BUILTIN_STEPS, CaptureSource, Check, Origin, Template, json_strings,
};
use jsonschema::error::ValidationErrorKind;
use serde_json::Value;
use std::collections::{BTreeMap, BTreeSet, HashMap};
use std::sync::LazyLock;

static SUITE_SCHEMA: LazyLock<jsonschema::Validator> = LazyLock::new(|| {
    let schema: Value =
        serde_json::from_str(suite_schema_text()).expect("suite.schema.json is valid JSON");
    jsonschema::validator_for(&schema).expect("suite.schema.json is a valid JSON Schema")
});

struct FileCtx<'a> {
    source: &'a Source,
    doc: &'a Spanned,
    errors: Vec<Diagnostic>,
}

impl FileCtx<'_> {
    fn at_value(&mut self, pointer: &str, message: impl Into<String>) {
        let pos = self.doc.value_pos(pointer);
        self.errors.push(Diagnostic::new(
            &self.source.name,
            &self.source.text,
            pos,
            message,
        ));
    }
    fn at_key(&mut self, pointer: &str, message: impl Into<String>) {
        let pos = self.doc.key_pos(pointer);
        self.errors.push(Diagnostic::new(
            &self.source.name,
            &self.source.text,
            pos,
            message,
        ));
    }
}

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
        let (at_key, pointer, message) = match err.kind() {
            ValidationErrorKind::AdditionalProperties { unexpected } => {
                let key = unexpected.first().cloned().unwrap_or_default();
                let allowed = allowed_keys(&path);
                let guess = allowed
                    .split(", ")
                    .filter(|k| !k.is_empty())
                    .min_by_key(|k| distance(k, &key))
                    .filter(|k| distance(k, &key) <= 2);
                let hint = match guess {
                    Some(g) => format!("; did you mean `{g}`?"),
                    None if allowed.is_empty() => String::new(),
                    None => format!(" (expected one of: {allowed})"),
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

/// The keys the format allows at a pointer, for "did you mean" hints on unknown keys.
fn allowed_keys(path: &str) -> &'static str {
    let depth: Vec<&str> = path.split('/').skip(1).collect();
    match depth.as_slice() {
        [_] => "id, title, level, spec, ref, tags, requires, steps",
        [_, "steps", _] => "request, builtin, with, expect, capture",
        [_, "steps", _, "request"] => "method, path, query, headers, auth, body, raw_body",
        [_, "steps", _, "expect"] => "status, statuses, headers, body, schema, empty_body",
        [_, "steps", _, "expect", "headers" | "body", _] => {
            "present, absent, equals, not_equals, one_of, type, matches, not_matches, contains, not_contains, length, min_length, at_least"
        }
        _ => "",
    }
}

fn check_template(ctx: &mut FileCtx<'_>, pointer: &str, text: &str, defined: &BTreeSet<String>) {
    match Template::parse(text) {
        Err(e) => ctx.at_value(pointer, e.to_string()),
        Ok(t) => {
            for v in t.variables() {
                if !defined.contains(v) {
                    ctx.at_value(
                        pointer,
                        format!("${{{v}}} is not captured by an earlier step of this check"),
                    );
                }
            }
        }
    }
}

fn check_json_templates(
    ctx: &mut FileCtx<'_>,
    pointer: &str,
    value: &Value,
    defined: &BTreeSet<String>,
) {
    let mut strings = Vec::new();
    json_strings(value, &mut strings);
    for s in strings {
        check_template(ctx, pointer, &s, defined);
    }
}

fn check_assertion(ctx: &mut FileCtx<'_>, ptr: &str, a: &Assertion, defined: &BTreeSet<String>) {
    for (name, v) in [
        ("equals", &a.equals),
        ("not_equals", &a.not_equals),
        ("contains", &a.contains),
        ("not_contains", &a.not_contains),
    ] {
        if let Some(v) = v {
            check_json_templates(ctx, &format!("{ptr}/{name}"), v, defined);
        }
    }
    if let Some(values) = &a.one_of {
        check_json_templates(
            ctx,
            &format!("{ptr}/one_of"),
            &Value::Array(values.clone()),
            defined,
        );
    }
    for (name, re) in [("matches", &a.matches), ("not_matches", &a.not_matches)] {
        if let Some(re) = re {
            let p = format!("{ptr}/{name}");
            if re.contains("${") {
                check_template(ctx, &p, re, defined);
            } else if let Err(e) = regex::Regex::new(re) {
                let why = e
                    .to_string()
                    .lines()
                    .last()
                    .unwrap_or_default()
                    .trim_start_matches("error: ")
                    .to_string();
                ctx.at_value(&p, format!("invalid regular expression: {why}"));
            }
        }
    }
}

fn check_semantics(
    ctx: &mut FileCtx<'_>,
    index: usize,
    check: &Check,
    schemas: &BTreeMap<String, Value>,
) {
    let mut defined: BTreeSet<String> = BTreeSet::new();
    for (j, step) in check.steps.iter().enumerate() {
        let sp = format!("/{index}/steps/{j}");
        match (&step.request, &step.builtin) {
            (Some(_), Some(_)) => {
                ctx.at_value(&sp, "a step has either `request` or `builtin`, not both")
            }
            (None, None) => ctx.at_value(&sp, "a step needs `request` or `builtin`"),
            (None, Some(b)) if !BUILTIN_STEPS.contains(&b.as_str()) => ctx.at_value(
                &format!("{sp}/builtin"),
                format!(
                    "unknown built-in step `{b}` (known: {})",
                    BUILTIN_STEPS.join(", ")
                ),
            ),
            _ => {}
        }
        if let Some(w) = &step.with {
            if step.builtin.is_none() {
                ctx.at_value(
                    &format!("{sp}/with"),
                    "`with` gives arguments to a `builtin` step",
                );
            }
            check_json_templates(ctx, &format!("{sp}/with"), w, &defined);
        }
        if let Some(r) = &step.request {
            let rp = format!("{sp}/request");
            check_template(ctx, &format!("{rp}/path"), &r.path, &defined);
            for (k, v) in &r.query {
                check_template(ctx, &format!("{rp}/query/{}", escape(k)), v, &defined);
            }
            for (k, v) in &r.headers {
                check_template(ctx, &format!("{rp}/headers/{}", escape(k)), v, &defined);
            }
            if let Some(b) = &r.body {
                check_json_templates(ctx, &format!("{rp}/body"), b, &defined);
            }
            if let Some(b) = &r.raw_body {
                check_template(ctx, &format!("{rp}/raw_body"), b, &defined);
            }
            if r.body.is_some() && r.raw_body.is_some() {
                ctx.at_value(&rp, "a request has `body` or `raw_body`, not both");
            }
        }
        for (name, source) in &step.capture {
            if CaptureSource::parse(source).is_none() {
                ctx.at_value(
                    &format!("{sp}/capture/{}", escape(name)),
                    format!("capture `{name}`: `{source}` is neither a JSON Pointer (starting with /, no *) nor header:Name"),
                );
            }
            defined.insert(name.clone());
        }
        let ep = format!("{sp}/expect");
        let e = &step.expect;
        if e.status.is_some() && e.statuses.is_some() {
            ctx.at_value(&ep, "use `status` or `statuses`, not both");
        }
        if let Some(s) = &e.schema {
            if !schemas.contains_key(s) {
                let known: Vec<&str> = schemas.keys().map(String::as_str).collect();
                ctx.at_value(
                    &format!("{ep}/schema"),
                    format!("unknown schema `{s}` (known: {})", known.join(", ")),
                );
            }
        }
        for (ptr, a) in &e.body {
            let p = format!("{ep}/body/{}", escape(ptr));
            if !(ptr.is_empty() || ptr.starts_with('/')) {
                ctx.at_key(
                    &p,
                    format!("body key `{ptr}` must be a JSON Pointer starting with /"),
                );
            }
            check_assertion(ctx, &p, a, &defined);
        }
        for (name, a) in &e.headers {
            check_assertion(ctx, &format!("{ep}/headers/{}", escape(name)), a, &defined);
        }
    }
}

/// Parses and validates suite sources into checks; ids must be unique across all of them.
pub(super) fn checks_of(
    sources: &[Source],
    schemas: &BTreeMap<String, Value>,
) -> Result<Vec<Check>, LoadErrors> {
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
        let mut ctx = FileCtx {
            source,
            doc: &doc,
            errors: Vec::new(),
        };
        schema_errors(&mut ctx);
        if ctx.errors.is_empty() {
            let items = doc.value.as_array().cloned().unwrap_or_default();
            for (i, item) in items.into_iter().enumerate() {
                match serde_json::from_value::<Check>(item) {
                    Ok(mut check) => {
                        let pos = doc.value_pos(&format!("/{i}/id"));
                        check.origin = Origin {
                            file: source.name.clone(),
                            line: pos.line,
                            col: pos.col,
                        };
                        check_semantics(&mut ctx, i, &check, schemas);
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
