//! Finding, parsing, validating and compiling suite files into the typed model; the built-in
//! suites embedded in the binary.

mod args;
#[cfg(test)]
pub(crate) use args::assertion_of;
mod compile;
mod ctx;
mod diag;
mod profile;
mod raw;
mod validate;
mod yaml;

pub use diag::{Diagnostic, LoadErrors};
pub use profile::{
    builtin_profile_names, builtin_profile_sources, find_profile, parse_profile,
    profile_schema_text,
};
pub use yaml::Pos;

use crate::suite::Check;
use include_dir::{Dir, include_dir};
use serde_json::Value;
use std::collections::BTreeMap;
use std::path::{Path, PathBuf};

static BUILTIN: Dir<'static> = include_dir!("$CARGO_MANIFEST_DIR/suites");

/// The JSON Schema every suite file must satisfy (also usable by editors).
pub fn suite_schema_text() -> &'static str {
    BUILTIN
        .get_file("suite.schema.json")
        .and_then(|f| f.contents_utf8())
        .unwrap_or("{}")
}

/// Every loaded check, plus the named JSON Schemas that `expect.schema` can refer to.
#[derive(Debug, Default, Clone)]
pub struct Catalog {
    pub checks: Vec<Check>,
    pub schemas: BTreeMap<String, Value>,
}

/// One suite file's text and the name to report it under.
#[derive(Debug, Clone)]
pub struct Source {
    pub name: String,
    pub text: String,
}

fn builtin_sources() -> (Vec<Source>, Vec<Source>) {
    let mut suites = Vec::new();
    let mut schemas = Vec::new();
    fn walk(dir: &'static Dir<'static>, suites: &mut Vec<Source>, schemas: &mut Vec<Source>) {
        for f in dir.files() {
            let path = f.path().to_string_lossy().to_string();
            let Some(text) = f.contents_utf8() else {
                continue;
            };
            let source = Source {
                name: format!("suites/{path}"),
                text: text.to_string(),
            };
            if path.ends_with(".yaml") || path.ends_with(".yml") {
                suites.push(source);
            } else if path.starts_with("schemas/") && path.ends_with(".json") {
                schemas.push(source);
            }
        }
        for d in dir.dirs() {
            walk(d, suites, schemas);
        }
    }
    walk(&BUILTIN, &mut suites, &mut schemas);
    // A profile's own checks load only with the profile (`run --profile`).
    suites.retain(|s| !s.name.starts_with("suites/profiles/"));
    suites.sort_by(|a, b| a.name.cmp(&b.name));
    schemas.sort_by(|a, b| a.name.cmp(&b.name));
    (suites, schemas)
}

fn disk_sources(dir: &Path) -> Result<(Vec<Source>, Vec<Source>), LoadErrors> {
    let shown = dir.display().to_string();
    if !dir.is_dir() {
        return Err(LoadErrors(vec![Diagnostic::general(
            &shown,
            "not a directory",
        )]));
    }
    let mut files: Vec<PathBuf> = Vec::new();
    let mut stack = vec![dir.to_path_buf()];
    while let Some(d) = stack.pop() {
        let entries = std::fs::read_dir(&d).map_err(|e| {
            LoadErrors(vec![Diagnostic::general(
                &d.display().to_string(),
                format!("cannot read directory: {e}"),
            )])
        })?;
        for entry in entries.flatten() {
            let p = entry.path();
            if p.is_dir() {
                stack.push(p);
            } else {
                files.push(p);
            }
        }
    }
    files.sort();
    let mut suites = Vec::new();
    let mut schemas = Vec::new();
    let mut errors = Vec::new();
    for p in files {
        let name = p.display().to_string();
        let ext = p.extension().and_then(|e| e.to_str()).unwrap_or_default();
        let is_schema = ext == "json"
            && p.parent()
                .and_then(|d| d.file_name())
                .is_some_and(|n| n == "schemas");
        if !(ext == "yaml" || ext == "yml" || is_schema) {
            continue;
        }
        match std::fs::read_to_string(&p) {
            Ok(text) if is_schema => schemas.push(Source { name, text }),
            Ok(text) => suites.push(Source { name, text }),
            Err(e) => errors.push(Diagnostic::general(&name, format!("cannot read: {e}"))),
        }
    }
    if errors.is_empty() {
        Ok((suites, schemas))
    } else {
        Err(LoadErrors(errors))
    }
}

fn parse_schemas(
    sources: &[Source],
    into: &mut BTreeMap<String, Value>,
    errors: &mut Vec<Diagnostic>,
) {
    for s in sources {
        let stem = Path::new(&s.name)
            .file_stem()
            .and_then(|n| n.to_str())
            .unwrap_or_default()
            .to_string();
        match serde_json::from_str::<Value>(&s.text) {
            Ok(v) => {
                into.insert(stem, v);
            }
            Err(e) => errors.push(Diagnostic::new(
                &s.name,
                &s.text,
                Pos {
                    line: e.line(),
                    col: e.column(),
                },
                format!("invalid JSON Schema file: {e}"),
            )),
        }
    }
}

/// Loads the built-in suites, then (optionally) a directory whose checks add to or override them.
pub fn load(extra: Option<&Path>) -> Result<Catalog, LoadErrors> {
    let (suites, schema_sources) = builtin_sources();
    let mut schemas = BTreeMap::new();
    let mut errors = Vec::new();
    parse_schemas(&schema_sources, &mut schemas, &mut errors);
    let extra_sources = match extra {
        Some(dir) => Some(disk_sources(dir)?),
        None => None,
    };
    if let Some((_, extra_schemas)) = &extra_sources {
        parse_schemas(extra_schemas, &mut schemas, &mut errors);
    }
    let mut checks = validate::checks_of(&suites, &schemas, None).unwrap_or_else(|e| {
        errors.extend(e.0);
        Vec::new()
    });
    if let Some((extra_suites, _)) = &extra_sources {
        match validate::checks_of(extra_suites, &schemas, None) {
            Ok(overrides) => {
                for o in overrides {
                    match checks.iter_mut().find(|c| c.id == o.id) {
                        Some(existing) => *existing = o,
                        None => checks.push(o),
                    }
                }
            }
            Err(e) => errors.extend(e.0),
        }
    }
    if errors.is_empty() {
        Ok(Catalog { checks, schemas })
    } else {
        Err(LoadErrors(errors))
    }
}

/// The checks of `profile`: a built-in's from `suites/profiles/<name>/`, a user's from the files
/// its `checks` lists (relative to `file`, the profile file). Every id starts with `<name>.`.
pub fn profile_checks(
    profile: &crate::profile::Profile,
    file: Option<&Path>,
    schemas: &BTreeMap<String, Value>,
) -> Result<Vec<crate::suite::Check>, LoadErrors> {
    let sources = match file {
        None => BUILTIN
            .get_dir(format!("profiles/{}", profile.name))
            .map(|dir| {
                dir.files()
                    .filter_map(|f| {
                        Some(Source {
                            name: format!("suites/{}", f.path().display()),
                            text: f.contents_utf8()?.to_string(),
                        })
                    })
                    .collect()
            })
            .unwrap_or_default(),
        Some(file) => {
            let dir = file.parent().unwrap_or(Path::new("."));
            let mut suites = Vec::new();
            for name in &profile.checks {
                let path = dir.join(name);
                let shown = path.display().to_string();
                let text = std::fs::read_to_string(&path).map_err(|e| {
                    LoadErrors(vec![Diagnostic::general(
                        &shown,
                        format!("a check file of profile {}: cannot read: {e}", profile.name),
                    )])
                })?;
                suites.push(Source { name: shown, text });
            }
            suites
        }
    };
    let mut sources = sources;
    sources.sort_by(|a, b| a.name.cmp(&b.name));
    let values = profile.fixtures.keys().cloned().collect();
    let checks = validate::checks_of(&sources, schemas, Some(&values))?;
    let prefix = format!("{}.", profile.name);
    let strays: Vec<Diagnostic> = checks
        .iter()
        .filter(|c| !c.id.as_str().starts_with(&prefix))
        .map(|c| Diagnostic {
            file: c.origin.file.clone(),
            pos: Pos {
                line: c.origin.line,
                col: c.origin.col,
            },
            message: format!(
                "check `{}` of profile {} must have an id starting with `{prefix}`",
                c.id.as_str(),
                profile.name
            ),
            source_line: None,
        })
        .collect();
    if strays.is_empty() {
        Ok(checks)
    } else {
        Err(LoadErrors(strays))
    }
}

/// Validates suite files on disk against the format and the built-in schemas. A file that is a
/// profile (a mapping, not a list of checks) is validated as one, with its own check files.
pub fn validate_files(paths: &[PathBuf]) -> Result<usize, LoadErrors> {
    let (_, schema_sources) = builtin_sources();
    let mut schemas = BTreeMap::new();
    let mut errors = Vec::new();
    parse_schemas(&schema_sources, &mut schemas, &mut errors);
    let mut sources = Vec::new();
    for p in paths {
        match std::fs::read_to_string(p) {
            Ok(text) => sources.push(Source {
                name: p.display().to_string(),
                text,
            }),
            Err(e) => errors.push(Diagnostic::general(
                &p.display().to_string(),
                format!("cannot read: {e}"),
            )),
        }
    }
    if !errors.is_empty() {
        return Err(LoadErrors(errors));
    }
    let (profiles, suites): (Vec<Source>, Vec<Source>) = sources
        .into_iter()
        .partition(|s| yaml::parse(&s.text).is_ok_and(|doc| doc.value.is_object()));
    let mut count = 0;
    if !profiles.is_empty() {
        let areas: std::collections::BTreeSet<String> = load(None)?
            .checks
            .iter()
            .filter_map(|c| c.id.as_str().split('.').next().map(str::to_string))
            .collect();
        for source in &profiles {
            let checks = parse_profile(source, &areas).and_then(|profile| {
                profile_checks(&profile, Some(Path::new(&source.name)), &schemas)
            });
            match checks {
                Ok(checks) => count += checks.len(),
                Err(e) => errors.extend(e.0),
            }
        }
    }
    match validate::checks_of(&suites, &schemas, None) {
        Ok(checks) => count += checks.len(),
        Err(e) => errors.extend(e.0),
    }
    if errors.is_empty() {
        Ok(count)
    } else {
        Err(LoadErrors(errors))
    }
}

/// Validates in-memory sources (used by tests and by `validate`).
pub fn validate_sources(sources: &[Source]) -> Result<Vec<Check>, LoadErrors> {
    let (_, schema_sources) = builtin_sources();
    let mut schemas = BTreeMap::new();
    let mut errors = Vec::new();
    parse_schemas(&schema_sources, &mut schemas, &mut errors);
    if !errors.is_empty() {
        return Err(LoadErrors(errors));
    }
    validate::checks_of(sources, &schemas, None)
}
