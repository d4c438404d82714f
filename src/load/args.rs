//! Reading the operands the registry describes: each assertion predicate's value, and each
//! built-in step's `with:` arguments, all checked (and templated) at load time.

use super::ctx::FileCtx;
use super::validate::closest;
use super::yaml::escape;
use crate::suite::registry::{Arg, BUILTINS, Operand, PREDICATES, names};
use crate::suite::{Assertion, BuiltinCall, JsonType, Pattern, Template};
use serde_json::{Map, Value};

/// The predicates of one assertion written at `pointer`, in the registry's order.
pub(super) fn assertion(
    cx: &mut FileCtx<'_>,
    pointer: &str,
    map: &Map<String, Value>,
) -> Assertion {
    let mut predicates = Vec::new();
    for def in PREDICATES {
        let Some(value) = map.get(def.name) else {
            continue;
        };
        let p = format!("{pointer}/{}", def.name);
        if let Some(arg) = operand(cx, &p, def.operand, value) {
            predicates.extend((def.build)(arg));
        }
    }
    Assertion {
        predicates,
        origin: cx.key_origin(pointer),
    }
}

fn operand(cx: &mut FileCtx<'_>, p: &str, kind: Operand, value: &Value) -> Option<Arg> {
    let arg = match kind {
        Operand::Flag => value.as_bool().map(Arg::Flag),
        Operand::Value => Some(Arg::Value(cx.json(p, value))),
        Operand::Values => value.as_array().map(|items| {
            Arg::Values(
                items
                    .iter()
                    .enumerate()
                    .map(|(i, v)| cx.json(&format!("{p}/{i}"), v))
                    .collect(),
            )
        }),
        Operand::Type => serde_json::from_value::<JsonType>(value.clone())
            .ok()
            .map(Arg::Type),
        Operand::Regex => {
            let text = value.as_str()?;
            return pattern(cx, p, text).map(Arg::Regex);
        }
        Operand::Count => value
            .as_u64()
            .and_then(|n| usize::try_from(n).ok())
            .map(Arg::Count),
        Operand::Number => value.as_f64().map(Arg::Number),
    };
    // The JSON Schema has checked the operand's type already; this is the typed reading.
    if arg.is_none() {
        cx.at_value(p, format!("`{value}` is not a valid operand here"));
    }
    arg
}

/// A regex compiled now, or (when it holds a template) parsed now and compiled once rendered.
fn pattern(cx: &mut FileCtx<'_>, p: &str, text: &str) -> Option<Pattern> {
    if text.contains("${") {
        return cx.template(p, text).map(Pattern::Templated);
    }
    match regex::Regex::new(text) {
        Ok(re) => Some(Pattern::Regex(re)),
        Err(e) => {
            let why = e
                .to_string()
                .lines()
                .last()
                .unwrap_or_default()
                .trim_start_matches("error: ")
                .to_string();
            cx.at_value(p, format!("invalid regular expression: {why}"));
            None
        }
    }
}

/// A built-in call: the name must be in the registry and its arguments must read.
pub(super) fn builtin(
    cx: &mut FileCtx<'_>,
    sp: &str,
    name: &str,
    with: Option<&Map<String, Value>>,
) -> Option<BuiltinCall> {
    let Some(def) = BUILTINS.iter().find(|d| d.name == name) else {
        cx.at_value(
            &format!("{sp}/builtin"),
            format!(
                "unknown built-in step `{name}` (known: {})",
                names(BUILTINS, |d| d.name).join(", ")
            ),
        );
        return None;
    };
    let empty = Map::new();
    let wp = format!("{sp}/with");
    let mut reader = WithArgs {
        cx,
        builtin_pointer: format!("{sp}/builtin"),
        with_pointer: with.is_some().then(|| wp.clone()),
        map: with.unwrap_or(&empty),
    };
    let call = (def.compile)(&mut reader);
    for key in reader.map.keys() {
        if def.arguments.contains(&key.as_str()) {
            continue;
        }
        let at = format!("{wp}/{}", escape(key));
        let message = if def.arguments.is_empty() {
            format!("built-in step `{name}` takes no arguments")
        } else {
            let hint = match closest(def.arguments, key) {
                Some(g) => format!("; did you mean `{g}`?"),
                None => format!(" (expected one of: {})", def.arguments.join(", ")),
            };
            format!("unknown argument `{key}` of `{name}`{hint}")
        };
        cx.at_key(&at, message);
    }
    call
}

/// A built-in's `with:` mapping, read by the argument struct through `ArgReader`.
struct WithArgs<'c, 'a, 'm> {
    cx: &'c mut FileCtx<'a>,
    builtin_pointer: String,
    /// `None` when the step has no `with`.
    with_pointer: Option<String>,
    map: &'m Map<String, Value>,
}

impl WithArgs<'_, '_, '_> {
    fn at(&self, key: &str) -> String {
        let with = self.with_pointer.as_deref().unwrap_or_default();
        format!("{with}/{}", escape(key))
    }

    /// A required argument is missing: point at the `with` key, or at the built-in's name when
    /// there is no `with`.
    fn missing(&mut self, why: &str) {
        match &self.with_pointer {
            Some(w) => self.cx.at_key(w, why),
            None => self.cx.at_value(&self.builtin_pointer, why),
        }
    }

    /// A present argument is wrong, or a missing one is needed.
    fn wrong(&mut self, key: &str, why: &str) {
        if self.map.contains_key(key) {
            let at = self.at(key);
            self.cx.at_value(&at, why);
        } else {
            self.missing(why);
        }
    }
}

impl crate::suite::ArgReader for WithArgs<'_, '_, '_> {
    fn text(&mut self, key: &str) -> Option<Template> {
        let at = self.at(key);
        match self.map.get(key)? {
            Value::String(s) => self.cx.template(&at, s),
            _ => {
                self.cx.at_value(&at, format!("`{key}` must be a string"));
                None
            }
        }
    }

    fn required_text(&mut self, key: &str, why: &str) -> Option<Template> {
        if !self.map.contains_key(key) {
            self.missing(why);
            return None;
        }
        self.text(key)
    }

    fn positive(&mut self, key: &str, why: &str) -> Option<usize> {
        let n = self
            .map
            .get(key)
            .and_then(Value::as_u64)
            .filter(|n| *n > 0)
            .and_then(|n| usize::try_from(n).ok());
        if n.is_none() {
            self.wrong(key, why);
        }
        n
    }

    fn text_list(&mut self, key: &str, why: &str) -> Option<Vec<Template>> {
        let at = self.at(key);
        let items = self.map.get(key).and_then(Value::as_array);
        let Some(items) = items.filter(|i| !i.is_empty() && i.iter().all(Value::is_string)) else {
            self.wrong(key, why);
            return None;
        };
        let templates: Vec<Option<Template>> = items
            .iter()
            .enumerate()
            .map(|(i, item)| {
                let s = item.as_str().unwrap_or_default();
                self.cx.template(&format!("{at}/{i}"), s)
            })
            .collect();
        templates.into_iter().collect()
    }

    fn invalid(&mut self, key: &str, why: &str) {
        let at = self.at(key);
        self.cx.at_value(&at, why.to_string());
    }
}

/// An assertion compiled from its JSON form, for unit tests of evaluation.
#[cfg(test)]
pub(crate) fn assertion_of(v: &Value) -> Assertion {
    let source = super::Source {
        name: "test.yaml".into(),
        text: String::new(),
    };
    let doc = super::yaml::Spanned::default();
    let mut cx = FileCtx::new(&source, &doc);
    cx.defined.insert("id".into());
    let a = assertion(
        &mut cx,
        "",
        v.as_object().expect("an assertion is a mapping"),
    );
    assert!(cx.errors.is_empty(), "{:?}", cx.errors);
    a
}
