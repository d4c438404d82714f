//! `${…}` templates: run-unique values, captured variables and a couple of filters.
//!
//! `${unique.KEY}` expands to `scimcheck-<runid>-<check#>-KEY`, the same value everywhere in one
//! check and different in every other check and run, so everything the harness invents is
//! namespaced by the run. `${run.id}` and `${run.prefix}` expose the run id; `${check.prefix}` is
//! `scimcheck-<runid>-<check#>`, the start of every unique value of this check, for scoping
//! queries to the check's own data (`userName sw "${check.prefix}-"`). `${profile.NAME}` is a
//! value the run's profile declares under `fixtures:` (a tenant's own attribute names, say). Any
//! other name is a variable captured by an earlier step. `${name | upper}` and `${name | lower}`
//! change case.

use serde_json::Value;
use std::collections::BTreeMap;

#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum TemplateError {
    #[error("unterminated `${{` in {0:?}")]
    Unterminated(String),
    #[error("empty `${{}}` in {0:?}")]
    Empty(String),
    #[error("unknown filter `{0}` (known: upper, lower, offset(+HH:MM))")]
    UnknownFilter(String),
    #[error("`{0}` is not an RFC 3339 timestamp, so `offset` cannot move it")]
    NotATimestamp(String),
    #[error("invalid name `{0}` in template")]
    InvalidName(String),
    #[error("${{{0}}} was not captured by an earlier step")]
    Undefined(String),
}

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum Filter {
    Upper,
    Lower,
    /// Rewrites an RFC 3339 timestamp into another UTC offset: the same instant, other text.
    Offset(time::UtcOffset),
}

fn parse_offset(arg: &str) -> Option<time::UtcOffset> {
    let fmt = time::macros::format_description!("[offset_hour sign:mandatory]:[offset_minute]");
    if arg == "Z" {
        Some(time::UtcOffset::UTC)
    } else {
        time::UtcOffset::parse(arg, &fmt).ok()
    }
}

#[derive(Debug, Clone, PartialEq, Eq)]
enum Name {
    Unique(String),
    RunId,
    RunPrefix,
    CheckPrefix,
    Profile(String),
    Var(String),
}

#[derive(Debug, Clone, PartialEq, Eq)]
enum Part {
    Lit(String),
    Ref(Name, Vec<Filter>),
}

/// A parsed template string; keeps the text it was written as, for messages.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Template {
    source: String,
    parts: Vec<Part>,
}

/// The values templates expand to within one check.
#[derive(Debug, Clone, Default)]
pub struct Vars {
    pub run_id: String,
    pub check_seq: usize,
    pub captured: BTreeMap<String, Value>,
    /// The run's profile values (`${profile.NAME}`).
    pub profile: BTreeMap<String, Value>,
}

impl Vars {
    pub fn new(run_id: &str, check_seq: usize) -> Self {
        Vars {
            run_id: run_id.to_string(),
            check_seq,
            captured: BTreeMap::new(),
            profile: BTreeMap::new(),
        }
    }
    /// The namespace every invented value starts with.
    pub fn prefix(&self) -> String {
        format!("scimcheck-{}", self.run_id)
    }
    /// The start of every unique value of this check (`${check.prefix}-`): what proves that a
    /// resource is the one this check created.
    pub fn marker(&self) -> String {
        format!("scimcheck-{}-{}-", self.run_id, self.check_seq)
    }
}

fn is_ident(s: &str) -> bool {
    let mut chars = s.chars();
    matches!(chars.next(), Some(c) if c.is_ascii_alphabetic() || c == '_')
        && chars.all(|c| c.is_ascii_alphanumeric() || c == '_' || c == '-')
}

fn parse_ref(inner: &str, whole: &str) -> Result<Part, TemplateError> {
    let mut pieces = inner.split('|').map(str::trim);
    let name = pieces.next().unwrap_or_default();
    if name.is_empty() {
        return Err(TemplateError::Empty(whole.to_string()));
    }
    let name = if let Some(key) = name.strip_prefix("unique.") {
        if !is_ident(key) {
            return Err(TemplateError::InvalidName(name.to_string()));
        }
        Name::Unique(key.to_string())
    } else if name == "run.id" {
        Name::RunId
    } else if name == "run.prefix" {
        Name::RunPrefix
    } else if name == "check.prefix" {
        Name::CheckPrefix
    } else if let Some(key) = name.strip_prefix("profile.") {
        if !is_ident(key) {
            return Err(TemplateError::InvalidName(name.to_string()));
        }
        Name::Profile(key.to_string())
    } else if is_ident(name) {
        Name::Var(name.to_string())
    } else {
        return Err(TemplateError::InvalidName(name.to_string()));
    };
    let filters = pieces
        .map(|f| match f {
            "upper" => Ok(Filter::Upper),
            "lower" => Ok(Filter::Lower),
            other => other
                .strip_prefix("offset(")
                .and_then(|rest| rest.strip_suffix(')'))
                .and_then(|arg| parse_offset(arg.trim()))
                .map(Filter::Offset)
                .ok_or_else(|| TemplateError::UnknownFilter(other.to_string())),
        })
        .collect::<Result<Vec<_>, _>>()?;
    Ok(Part::Ref(name, filters))
}

/// A value (a server-chosen id) as exactly one path segment: percent-encoded, and `.` / `..`
/// encoded too, since they are dot-segments even though their characters need no encoding.
pub fn path_segment(value: &str) -> String {
    const SEGMENT: &percent_encoding::AsciiSet = &percent_encoding::NON_ALPHANUMERIC
        .remove(b'-')
        .remove(b'_')
        .remove(b'.')
        .remove(b'~')
        .remove(b'@');
    match value {
        "." => "%2E".to_string(),
        ".." => "%2E%2E".to_string(),
        _ => percent_encoding::utf8_percent_encode(value, SEGMENT).to_string(),
    }
}

impl Template {
    pub fn parse(s: &str) -> Result<Template, TemplateError> {
        let mut parts = Vec::new();
        let mut rest = s;
        while let Some(start) = rest.find("${") {
            if start > 0 {
                parts.push(Part::Lit(rest[..start].to_string()));
            }
            let after = &rest[start + 2..];
            let end = after
                .find('}')
                .ok_or_else(|| TemplateError::Unterminated(s.to_string()))?;
            parts.push(parse_ref(&after[..end], s)?);
            rest = &after[end + 1..];
        }
        if !rest.is_empty() {
            parts.push(Part::Lit(rest.to_string()));
        }
        Ok(Template {
            source: s.to_string(),
            parts,
        })
    }

    /// A template that is only text (no `${…}` is looked for).
    pub fn literal(s: &str) -> Template {
        Template {
            source: s.to_string(),
            parts: vec![Part::Lit(s.to_string())],
        }
    }

    /// The text as written in the suite.
    pub fn as_str(&self) -> &str {
        &self.source
    }

    /// True when the template has no `${…}`: it renders to its own text.
    pub fn is_literal(&self) -> bool {
        self.parts.iter().all(|p| matches!(p, Part::Lit(_)))
    }

    /// Names of captured variables this template reads.
    pub fn variables(&self) -> impl Iterator<Item = &str> {
        self.parts.iter().filter_map(|p| match p {
            Part::Ref(Name::Var(v), _) => Some(v.as_str()),
            _ => None,
        })
    }

    /// Names of the profile values (`${profile.NAME}`) this template reads.
    pub fn profile_values(&self) -> impl Iterator<Item = &str> {
        self.parts.iter().filter_map(|p| match p {
            Part::Ref(Name::Profile(v), _) => Some(v.as_str()),
            _ => None,
        })
    }

    fn expand(name: &Name, vars: &Vars) -> Result<Value, TemplateError> {
        Ok(match name {
            Name::Unique(key) => {
                Value::String(format!("{}-{}-{key}", vars.prefix(), vars.check_seq))
            }
            Name::RunId => Value::String(vars.run_id.clone()),
            Name::RunPrefix => Value::String(vars.prefix()),
            Name::CheckPrefix => Value::String(format!("{}-{}", vars.prefix(), vars.check_seq)),
            Name::Profile(v) => vars
                .profile
                .get(v)
                .cloned()
                .ok_or_else(|| TemplateError::Undefined(format!("profile.{v}")))?,
            Name::Var(v) => vars
                .captured
                .get(v)
                .cloned()
                .ok_or_else(|| TemplateError::Undefined(v.clone()))?,
        })
    }

    fn apply(mut s: String, filters: &[Filter]) -> Result<String, TemplateError> {
        use time::format_description::well_known::Rfc3339;
        for f in filters {
            s = match f {
                Filter::Upper => s.to_uppercase(),
                Filter::Lower => s.to_lowercase(),
                Filter::Offset(offset) => time::OffsetDateTime::parse(&s, &Rfc3339)
                    .ok()
                    .and_then(|t| t.to_offset(*offset).format(&Rfc3339).ok())
                    .ok_or_else(|| TemplateError::NotATimestamp(s.clone()))?,
            };
        }
        Ok(s)
    }

    /// Renders to a string; non-string captured values are written as JSON.
    pub fn render(&self, vars: &Vars) -> Result<String, TemplateError> {
        self.render_with(vars, |_, value| value)
    }

    /// Renders a request path: a value substituted after a `/` (an id: `/Users/${id}`) is
    /// percent-encoded as one path segment, so a server-chosen id such as `..` or `a/../b`
    /// can never name another resource; a value that starts the path (`${location}`, a whole URL)
    /// is taken as written.
    pub fn render_path(&self, vars: &Vars) -> Result<String, TemplateError> {
        self.render_with(vars, |n, value| {
            if n == 0 {
                return value;
            }
            path_segment(&value)
        })
    }

    /// Renders with each substituted value (and its position among the parts) passed through
    /// `place`.
    fn render_with(
        &self,
        vars: &Vars,
        place: impl Fn(usize, String) -> String,
    ) -> Result<String, TemplateError> {
        let mut out = String::new();
        for (n, part) in self.parts.iter().enumerate() {
            match part {
                Part::Lit(l) => out.push_str(l),
                Part::Ref(name, filters) => {
                    let s = match Self::expand(name, vars)? {
                        Value::String(s) => s,
                        other => other.to_string(),
                    };
                    out.push_str(&place(n, Self::apply(s, filters)?));
                }
            }
        }
        Ok(out)
    }

    /// Renders to JSON: a string that is exactly one `${var}` keeps the captured value's type.
    pub fn render_value(&self, vars: &Vars) -> Result<Value, TemplateError> {
        if let [Part::Ref(name, filters)] = self.parts.as_slice() {
            if filters.is_empty() {
                return Self::expand(name, vars);
            }
        }
        self.render(vars).map(Value::String)
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use serde_json::json;

    fn vars() -> Vars {
        let mut v = Vars::new("ab12cd34", 7);
        v.captured.insert("user_id".into(), json!("42"));
        v.captured
            .insert("emails".into(), json!([{"value": "a@b"}]));
        v
    }

    #[test]
    fn profile_values_render_typed_and_a_missing_one_is_named() {
        let mut v = vars();
        v.profile.insert("option".into(), json!("Department"));
        v.profile.insert("number".into(), json!(42));
        let t = Template::parse("${profile.option}").unwrap();
        assert_eq!(t.profile_values().collect::<Vec<_>>(), ["option"]);
        assert_eq!(t.render(&v).unwrap(), "Department");
        let n = Template::parse("${profile.number}").unwrap();
        assert_eq!(n.render_value(&v).unwrap(), json!(42));
        let missing = Template::parse("${profile.date}").unwrap().render(&v);
        assert_eq!(
            missing,
            Err(TemplateError::Undefined("profile.date".into()))
        );
        assert!(Template::parse("${profile.}").is_err());
    }

    #[test]
    fn ids_in_paths_are_one_encoded_segment() {
        let mut v = vars();
        for (id, sent) in [
            ("42", "/Users/42"),
            ("..", "/Users/%2E%2E"),
            (".", "/Users/%2E"),
            ("a/../b", "/Users/a%2F..%2Fb"),
            ("a b?c#d", "/Users/a%20b%3Fc%23d"),
            ("\u{1b}[2J", "/Users/%1B%5B2J"),
        ] {
            v.captured.insert("id".into(), json!(id));
            let t = Template::parse("/Users/${id}").unwrap();
            assert_eq!(t.render_path(&v).unwrap(), sent, "{id:?}");
        }
        v.captured
            .insert("loc".into(), json!("http://h/scim/v2/Users/1"));
        let t = Template::parse("${loc}").unwrap();
        assert_eq!(t.render_path(&v).unwrap(), "http://h/scim/v2/Users/1");
    }

    #[test]
    fn unique_values_are_namespaced_by_run_and_check() {
        let t = Template::parse("${unique.user}@example.com").unwrap();
        assert_eq!(
            t.render(&vars()).unwrap(),
            "scimcheck-ab12cd34-7-user@example.com"
        );
        let other = Vars::new("ab12cd34", 8);
        assert_ne!(t.render(&vars()).unwrap(), t.render(&other).unwrap());
    }

    #[test]
    fn check_prefix_starts_every_unique_value_of_the_check() {
        let prefix = Template::parse("${check.prefix}-")
            .unwrap()
            .render(&vars())
            .unwrap();
        let unique = Template::parse("${unique.user}")
            .unwrap()
            .render(&vars())
            .unwrap();
        assert!(unique.starts_with(&prefix), "{unique} / {prefix}");
        let other = Template::parse("${unique.user}")
            .unwrap()
            .render(&Vars::new("ab12cd34", 70))
            .unwrap();
        assert!(
            !other.starts_with(&prefix),
            "check 70's data is outside check 7's scope"
        );
    }

    #[test]
    fn offset_moves_a_timestamp_to_another_zone() {
        let mut v = vars();
        v.captured
            .insert("t".into(), json!("2026-11-22T10:58:00.123Z"));
        let east = Template::parse("${t | offset(+14:00)}")
            .unwrap()
            .render(&v)
            .unwrap();
        assert_eq!(east, "2026-11-23T00:58:00.123+14:00");
        let west = Template::parse("${t | offset(-05:30)}")
            .unwrap()
            .render(&v)
            .unwrap();
        assert_eq!(west, "2026-11-22T05:28:00.123-05:30");
        assert!(matches!(
            Template::parse("${t | offset(14)}"),
            Err(TemplateError::UnknownFilter(_))
        ));
        v.captured.insert("t".into(), json!("yesterday"));
        assert!(matches!(
            Template::parse("${t | offset(+01:00)}").unwrap().render(&v),
            Err(TemplateError::NotATimestamp(_))
        ));
    }

    #[test]
    fn filters_change_case() {
        let t = Template::parse("${unique.User | upper}").unwrap();
        assert_eq!(t.render(&vars()).unwrap(), "SCIMCHECK-AB12CD34-7-USER");
    }

    #[test]
    fn whole_string_reference_keeps_json_type() {
        let t = Template::parse("${emails}").unwrap();
        assert_eq!(t.render_value(&vars()).unwrap(), json!([{"value": "a@b"}]));
        let t = Template::parse("/Users/${user_id}").unwrap();
        assert_eq!(t.render_value(&vars()).unwrap(), json!("/Users/42"));
        assert!(!t.is_literal() && t.as_str() == "/Users/${user_id}");
    }

    #[test]
    fn errors_are_reported() {
        assert!(matches!(
            Template::parse("${x"),
            Err(TemplateError::Unterminated(_))
        ));
        assert!(matches!(
            Template::parse("${}"),
            Err(TemplateError::Empty(_))
        ));
        assert!(matches!(
            Template::parse("${x | shout}"),
            Err(TemplateError::UnknownFilter(_))
        ));
        assert!(matches!(
            Template::parse("${a b}"),
            Err(TemplateError::InvalidName(_))
        ));
        let t = Template::parse("${missing}").unwrap();
        assert_eq!(t.variables().collect::<Vec<_>>(), vec!["missing"]);
        assert!(matches!(
            t.render(&vars()),
            Err(TemplateError::Undefined(_))
        ));
    }

    #[test]
    fn plain_strings_pass_through() {
        assert_eq!(
            Template::parse("no templates $ here {}")
                .unwrap()
                .render(&vars())
                .unwrap(),
            "no templates $ here {}"
        );
    }
}
