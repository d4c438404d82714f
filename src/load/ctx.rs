//! The state of compiling one suite file: its diagnostics (each at a position in the file), the
//! variables captured so far in the current check, and template and JSON compilation.

use super::Source;
use super::diag::Diagnostic;
use super::yaml::{Spanned, escape};
use crate::suite::{JsonTemplate, Origin, Template};
use serde_json::Value;
use std::collections::BTreeSet;

pub(super) struct FileCtx<'a> {
    pub source: &'a Source,
    pub doc: &'a Spanned,
    pub errors: Vec<Diagnostic>,
    /// Variables captured by the earlier steps of the check being compiled.
    pub defined: BTreeSet<String>,
    /// The values a profile declares (`${profile.NAME}`), when the file holds a profile's
    /// checks; `None` for other suites, which cannot use them.
    pub profile: Option<BTreeSet<String>>,
}

impl<'a> FileCtx<'a> {
    pub fn new(source: &'a Source, doc: &'a Spanned) -> Self {
        FileCtx {
            source,
            doc,
            errors: Vec::new(),
            defined: BTreeSet::new(),
            profile: None,
        }
    }

    pub fn at_value(&mut self, pointer: &str, message: impl Into<String>) {
        let pos = self.doc.value_pos(pointer);
        self.push(pos, message);
    }

    pub fn at_key(&mut self, pointer: &str, message: impl Into<String>) {
        let pos = self.doc.key_pos(pointer);
        self.push(pos, message);
    }

    fn push(&mut self, pos: super::Pos, message: impl Into<String>) {
        self.errors.push(Diagnostic::new(
            &self.source.name,
            &self.source.text,
            pos,
            message,
        ));
    }

    /// Where the value at `pointer` (or its nearest written ancestor) is.
    pub fn value_origin(&self, pointer: &str) -> Origin {
        self.origin(self.doc.value_pos(pointer))
    }

    /// Where the key naming the value at `pointer` is.
    pub fn key_origin(&self, pointer: &str) -> Origin {
        self.origin(self.doc.key_pos(pointer))
    }

    fn origin(&self, pos: super::Pos) -> Origin {
        Origin {
            file: self.source.name.clone(),
            line: pos.line,
            col: pos.col,
        }
    }

    /// Parses a template written at `pointer` (a key when `key`); every variable it reads must
    /// have been captured by an earlier step.
    pub fn template_at(&mut self, pointer: &str, text: &str, key: bool) -> Option<Template> {
        let mut problems = Vec::new();
        let parsed = match Template::parse(text) {
            Err(e) => {
                problems.push(e.to_string());
                None
            }
            Ok(t) => {
                for v in t.variables() {
                    if !self.defined.contains(v) {
                        problems.push(format!(
                            "${{{v}}} is not captured by an earlier step of this check"
                        ));
                    }
                }
                for v in t.profile_values() {
                    match &self.profile {
                        None => problems.push(format!(
                            "${{profile.{v}}} is for a profile's own checks (a profile's `fixtures:`)"
                        )),
                        Some(known) if !known.contains(v) => {
                            let known: Vec<&str> = known.iter().map(String::as_str).collect();
                            problems.push(format!(
                                "${{profile.{v}}}: the profile declares no fixture `{v}` (it declares: {})",
                                if known.is_empty() { "none".to_string() } else { known.join(", ") }
                            ));
                        }
                        Some(_) => {}
                    }
                }
                Some(t)
            }
        };
        for p in problems {
            if key {
                self.at_key(pointer, p);
            } else {
                self.at_value(pointer, p);
            }
        }
        parsed
    }

    /// A template value.
    pub fn template(&mut self, pointer: &str, text: &str) -> Option<Template> {
        self.template_at(pointer, text, false)
    }

    /// A JSON value whose strings and keys are templates, parsed once.
    pub fn json(&mut self, pointer: &str, value: &Value) -> JsonTemplate {
        match value {
            Value::String(s) if s.contains("${") => match self.template(pointer, s) {
                Some(t) => JsonTemplate::text(t),
                None => JsonTemplate::Literal(value.clone()),
            },
            Value::Array(items) => JsonTemplate::array(
                items
                    .iter()
                    .enumerate()
                    .map(|(i, v)| self.json(&format!("{pointer}/{i}"), v))
                    .collect(),
            ),
            Value::Object(map) => JsonTemplate::object(
                map.iter()
                    .map(|(k, v)| {
                        let p = format!("{pointer}/{}", escape(k));
                        let key = if k.contains("${") {
                            self.template_at(&p, k, true)
                        } else {
                            None
                        };
                        (
                            key.unwrap_or_else(|| Template::literal(k)),
                            self.json(&p, v),
                        )
                    })
                    .collect(),
            ),
            other => JsonTemplate::Literal(other.clone()),
        }
    }
}
