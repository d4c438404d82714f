//! Profile files: parsed with positions, validated against `profiles/profile.schema.json`, then
//! for what a schema cannot say (regular expressions compile, rule paths are attribute paths,
//! dropped areas exist), each problem at file:line:col like a suite's. Built-in profiles are
//! embedded; `--profile FILE` reads a user's.

use super::diag::{Diagnostic, LoadErrors};
use super::yaml::{self, escape};
use super::{Source, validate::closest};
use crate::profile::Profile;
use include_dir::{Dir, include_dir};
use jsonschema::error::ValidationErrorKind;
use serde_json::Value;
use std::collections::BTreeSet;
use std::path::{Path, PathBuf};
use std::sync::LazyLock;

static PROFILES: Dir<'static> = include_dir!("$CARGO_MANIFEST_DIR/profiles");

/// The JSON Schema every profile file must satisfy (also usable by editors).
pub fn profile_schema_text() -> &'static str {
    PROFILES
        .get_file("profile.schema.json")
        .and_then(|f| f.contents_utf8())
        .unwrap_or("{}")
}

static PROFILE_SCHEMA: LazyLock<jsonschema::Validator> = LazyLock::new(|| {
    let schema: Value =
        serde_json::from_str(profile_schema_text()).expect("profile.schema.json is valid JSON");
    jsonschema::validator_for(&schema).expect("profile.schema.json is a valid JSON Schema")
});

/// The built-in profiles' files, by name order.
pub fn builtin_profile_sources() -> Vec<Source> {
    let mut sources: Vec<Source> = PROFILES
        .files()
        .filter(|f| f.path().extension().is_some_and(|e| e == "yaml"))
        .filter_map(|f| {
            Some(Source {
                name: format!("profiles/{}", f.path().display()),
                text: f.contents_utf8()?.to_string(),
            })
        })
        .collect();
    sources.sort_by(|a, b| a.name.cmp(&b.name));
    sources
}

/// The built-in profiles' names (`entra`, `okta`, …), in name order.
pub fn builtin_profile_names() -> Vec<String> {
    builtin_profile_sources()
        .iter()
        .filter_map(|s| {
            Some(
                s.name
                    .strip_prefix("profiles/")?
                    .strip_suffix(".yaml")?
                    .to_string(),
            )
        })
        .collect()
}

/// A profile named by `--profile`: a built-in's name, or a path to a user's file. The path of
/// the file, for a user's, so its check files can be found beside it.
pub fn find_profile(
    name_or_path: &str,
    areas: &BTreeSet<String>,
) -> Result<(Profile, Option<PathBuf>), LoadErrors> {
    let builtin = builtin_profile_sources();
    if let Some(source) = builtin
        .iter()
        .find(|s| s.name == format!("profiles/{name_or_path}.yaml"))
    {
        return parse_profile(source, areas).map(|p| (p, None));
    }
    let path = Path::new(name_or_path);
    if !path.exists() {
        let names = builtin_profile_names();
        return Err(LoadErrors(vec![Diagnostic::general(
            name_or_path,
            format!(
                "no built-in profile of that name and no such file (built-in: {}; `scimcheck profiles` lists them)",
                names.join(", ")
            ),
        )]));
    }
    let text = std::fs::read_to_string(path).map_err(|e| {
        LoadErrors(vec![Diagnostic::general(
            name_or_path,
            format!("cannot read: {e}"),
        )])
    })?;
    let source = Source {
        name: name_or_path.to_string(),
        text,
    };
    parse_profile(&source, areas).map(|p| (p, Some(path.to_path_buf())))
}

/// Parses and validates one profile file; `areas` are the check areas it may drop.
pub fn parse_profile(source: &Source, areas: &BTreeSet<String>) -> Result<Profile, LoadErrors> {
    let doc = yaml::parse(&source.text).map_err(|e| {
        LoadErrors(vec![Diagnostic::new(
            &source.name,
            &source.text,
            e.pos,
            e.message,
        )])
    })?;
    // (pointer, at the key rather than the value, message)
    let mut found: Vec<(String, bool, String)> = Vec::new();
    for err in PROFILE_SCHEMA.iter_errors(&doc.value) {
        let path = err.instance_path().as_str().to_string();
        found.push(match err.kind() {
            ValidationErrorKind::AdditionalProperties { unexpected } => {
                let key = unexpected.first().cloned().unwrap_or_default();
                (
                    format!("{path}/{}", escape(&key)),
                    true,
                    format!("unknown key `{key}`"),
                )
            }
            ValidationErrorKind::Required { property } => {
                (path, false, format!("missing required key {property}"))
            }
            ValidationErrorKind::Enum { options } => {
                let options: Vec<String> = options
                    .as_array()
                    .map(|o| o.iter().map(|v| v.to_string()).collect())
                    .unwrap_or_default();
                (
                    path,
                    false,
                    format!("expected one of {}", options.join(", ")),
                )
            }
            _ => (path, false, err.to_string()),
        });
    }
    if found.is_empty() {
        semantic(&doc.value, areas, &mut found);
    }
    if !found.is_empty() {
        let errors = found
            .into_iter()
            .map(|(pointer, key, message)| {
                let pos = if key {
                    doc.key_pos(&pointer)
                } else {
                    doc.value_pos(&pointer)
                };
                Diagnostic::new(&source.name, &source.text, pos, message)
            })
            .collect();
        return Err(LoadErrors(errors));
    }
    serde_json::from_value(doc.value.clone()).map_err(|e| {
        LoadErrors(vec![Diagnostic::general(
            &source.name,
            format!("not a profile: {e}"),
        )])
    })
}

/// What the schema cannot say: patterns compile, rule paths read as attribute paths, and the
/// dropped areas are areas of checks.
fn semantic(doc: &Value, areas: &BTreeSet<String>, found: &mut Vec<(String, bool, String)>) {
    let mut at = |pointer: &str, key: bool, message: String| {
        found.push((pointer.to_string(), key, message));
    };
    let items = |key: &str| {
        doc.get(key)
            .and_then(Value::as_array)
            .cloned()
            .unwrap_or_default()
    };
    let mut patterns = Vec::new();
    for (i, rule) in items("rules").iter().enumerate() {
        if let Some(p) = rule.get("pattern").and_then(Value::as_str) {
            patterns.push((format!("/rules/{i}/pattern"), p.to_string()));
        }
        let path = rule
            .get("attribute")
            .and_then(Value::as_str)
            .unwrap_or_default();
        if !attribute_path(path) {
            at(
                &format!("/rules/{i}/attribute"),
                false,
                format!(
                    "`{path}` is not an attribute path (e.g. userName, name.givenName, emails[type eq \"work\"].value)"
                ),
            );
        }
    }
    for (e, ext) in items("extensions").iter().enumerate() {
        let attributes = ext
            .get("attributes")
            .and_then(Value::as_array)
            .cloned()
            .unwrap_or_default();
        for (a, attr) in attributes.iter().enumerate() {
            if let Some(p) = attr.get("pattern").and_then(Value::as_str) {
                patterns.push((
                    format!("/extensions/{e}/attributes/{a}/pattern"),
                    p.to_string(),
                ));
            }
        }
    }
    for (pointer, pattern) in patterns {
        if let Err(e) = regex::Regex::new(&format!("^(?:{pattern})$")) {
            at(&pointer, false, format!("invalid regular expression: {e}"));
        }
    }
    if let Some(drop) = doc
        .get("areas")
        .and_then(|a| a.get("drop"))
        .and_then(Value::as_object)
    {
        let known: Vec<&str> = areas.iter().map(String::as_str).collect();
        for area in drop.keys() {
            if !areas.contains(area) {
                let hint = match closest(&known, area) {
                    Some(g) => format!("; did you mean `{g}`?"),
                    None => format!(" (areas: {})", known.join(", ")),
                };
                at(
                    &format!("/areas/drop/{}", escape(area)),
                    true,
                    format!("no check area `{area}`{hint}"),
                );
            }
        }
    }
}

/// `name`, `name.sub`, `name[filter].sub`, optionally URN-qualified.
fn attribute_path(path: &str) -> bool {
    static PATH: LazyLock<regex::Regex> = LazyLock::new(|| {
        regex::Regex::new(
            r#"^(urn:[A-Za-z0-9.:_-]+:)?[A-Za-z][A-Za-z0-9_$-]*(\[[^\]]+\])?(\.[A-Za-z][A-Za-z0-9_$-]*)?$"#,
        )
        .expect("valid")
    });
    PATH.is_match(path)
}

#[cfg(test)]
mod tests {
    use super::*;

    fn areas() -> BTreeSet<String> {
        ["users", "groups", "bulk", "filter"]
            .into_iter()
            .map(String::from)
            .collect()
    }

    #[test]
    fn every_builtin_profile_is_valid() {
        let catalog = crate::load::load(None).expect("the built-in suites load");
        let areas: BTreeSet<String> = catalog
            .checks
            .iter()
            .filter_map(|c| c.id.as_str().split('.').next().map(str::to_string))
            .collect();
        let sources = builtin_profile_sources();
        assert!(!sources.is_empty());
        for source in sources {
            let profile =
                parse_profile(&source, &areas).unwrap_or_else(|e| panic!("{}: {e}", source.name));
            assert_eq!(source.name, format!("profiles/{}.yaml", profile.name));
        }
    }

    #[test]
    fn problems_are_named_at_their_position() {
        let text = "name: acme\ndescription: x\nscim_version: \"3.0\"\nbase_path: /scim\nresource_types: [User]\nrules:\n  - {attribute: \"user name\", pattern: \"(\"}\nareas:\n  drop: {grups: nope}\ncolour: blue\n";
        let source = Source {
            name: "acme.yaml".into(),
            text: text.into(),
        };
        let errors = parse_profile(&source, &areas()).unwrap_err().to_string();
        assert!(
            errors.contains("acme.yaml:3:15: expected one of \"2.0\", \"1.1\""),
            "{errors}"
        );
        assert!(
            errors.contains("acme.yaml:10:1: unknown key `colour`"),
            "{errors}"
        );
        let source = Source {
            name: "acme.yaml".into(),
            text: text
                .replace("\"3.0\"", "\"2.0\"")
                .replace("colour: blue\n", ""),
        };
        let errors = parse_profile(&source, &areas()).unwrap_err().to_string();
        assert!(
            errors.contains("`user name` is not an attribute path"),
            "{errors}"
        );
        assert!(errors.contains("invalid regular expression"), "{errors}");
        assert!(
            errors.contains("no check area `grups`; did you mean `groups`?"),
            "{errors}"
        );
    }
}
