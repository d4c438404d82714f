//! What must hold of one value: the predicates an assertion is made of. Adding one is a variant
//! here, its entry in `registry::PREDICATES` and its evaluation in `check::assertion`.

use super::{JsonTemplate, Template, TemplateError, Vars};
use serde::{Deserialize, Serialize};
use serde_json::Value;
use std::borrow::Cow;

/// One condition on a header or body value. `null` counts as absent (RFC 7643 §2.5).
#[derive(Debug, Clone)]
pub enum Predicate {
    /// The value is there (`present: true`).
    Present,
    /// The value is not there (`absent: true` or `present: false`); nothing else is then judged.
    Absent,
    /// The value may be missing (`optional: true`): an absent value passes, a present one is
    /// judged by the other predicates (for what the RFC makes OPTIONAL but constrains when sent).
    Optional,
    Type(JsonType),
    Equals(JsonTemplate),
    NotEquals(JsonTemplate),
    OneOf(Vec<JsonTemplate>),
    Matches(Pattern),
    NotMatches(Pattern),
    /// An array holding the value, or a string holding the substring.
    Contains(JsonTemplate),
    NotContains(JsonTemplate),
    /// Elements of an array, characters of a string, or members of an object.
    Length(usize),
    MinLength(usize),
    AtLeast(f64),
}

impl Predicate {
    /// Whether an absent value fails this predicate. The negative ones (`not_equals`,
    /// `not_matches`, `not_contains`) hold vacuously for an absent value.
    pub fn needs_value(&self) -> bool {
        match self {
            Predicate::Absent
            | Predicate::Optional
            | Predicate::NotEquals(_)
            | Predicate::NotMatches(_)
            | Predicate::NotContains(_) => false,
            Predicate::Present
            | Predicate::Type(_)
            | Predicate::Equals(_)
            | Predicate::OneOf(_)
            | Predicate::Matches(_)
            | Predicate::Contains(_)
            | Predicate::Length(_)
            | Predicate::MinLength(_)
            | Predicate::AtLeast(_) => true,
        }
    }
}

/// A regular expression: compiled at load, or (when it holds a template) compiled right after
/// its template is rendered.
#[derive(Debug, Clone)]
pub enum Pattern {
    Regex(regex::Regex),
    Templated(Template),
}

/// A pattern ready to match: its text (as messages show it) and the compiled regex, or why the
/// rendered text is not one.
#[derive(Debug)]
pub struct ReadyPattern<'a> {
    pub text: Cow<'a, str>,
    pub regex: Result<Cow<'a, regex::Regex>, String>,
}

impl Pattern {
    pub fn render(&self, vars: &Vars) -> Result<ReadyPattern<'_>, TemplateError> {
        Ok(match self {
            Pattern::Regex(re) => ReadyPattern {
                text: Cow::Borrowed(re.as_str()),
                regex: Ok(Cow::Borrowed(re)),
            },
            Pattern::Templated(t) => {
                let text = t.render(vars)?;
                let regex = regex::Regex::new(&text)
                    .map(Cow::Owned)
                    .map_err(|e| e.to_string());
                ReadyPattern {
                    text: Cow::Owned(text),
                    regex,
                }
            }
        })
    }
}

#[derive(Debug, Clone, Copy, PartialEq, Eq, Deserialize, Serialize)]
#[serde(rename_all = "lowercase")]
pub enum JsonType {
    String,
    Number,
    Integer,
    Boolean,
    Object,
    Array,
    Null,
}

impl JsonType {
    pub fn of(v: &Value) -> &'static str {
        match v {
            Value::Null => "null",
            Value::Bool(_) => "boolean",
            Value::Number(n) if n.is_i64() || n.is_u64() => "integer",
            Value::Number(_) => "number",
            Value::String(_) => "string",
            Value::Array(_) => "array",
            Value::Object(_) => "object",
        }
    }
    pub fn holds(self, v: &Value) -> bool {
        match self {
            JsonType::String => v.is_string(),
            JsonType::Number => v.is_number(),
            JsonType::Integer => v.is_i64() || v.is_u64(),
            JsonType::Boolean => v.is_boolean(),
            JsonType::Object => v.is_object(),
            JsonType::Array => v.is_array(),
            JsonType::Null => v.is_null(),
        }
    }
    pub fn as_str(self) -> &'static str {
        match self {
            JsonType::String => "string",
            JsonType::Number => "number",
            JsonType::Integer => "integer",
            JsonType::Boolean => "boolean",
            JsonType::Object => "object",
            JsonType::Array => "array",
            JsonType::Null => "null",
        }
    }
}
