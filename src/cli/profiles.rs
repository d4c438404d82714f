//! `scimcheck profiles [NAME|FILE]`: the built-in profiles one line each, or one profile's
//! contract as scimcheck reads it (so a user can see what their own file says before a run).

use super::args::ProfilesArgs;
use super::exit::Exit;
use crate::load;
use crate::profile::Profile;
use crate::run::Pattern;
use std::collections::BTreeSet;
use std::fmt::Write as _;

/// The check areas a profile may drop: the first segment of every built-in check id.
pub fn check_areas() -> Result<BTreeSet<String>, Exit> {
    let catalog = load::load(None).map_err(|e| {
        eprintln!("{e}");
        Exit::InvalidSuite
    })?;
    Ok(catalog
        .checks
        .iter()
        .filter_map(|c| c.id.as_str().split('.').next().map(str::to_string))
        .collect())
}

/// Loads `--profile NAME|FILE`: exit 2 when it names nothing, 3 when the file is invalid.
pub fn load_profile(name_or_path: &str) -> Result<(Profile, Option<std::path::PathBuf>), Exit> {
    let areas = check_areas()?;
    let builtin = load::builtin_profile_sources()
        .iter()
        .any(|s| s.name == format!("profiles/{name_or_path}.yaml"));
    if !builtin && !std::path::Path::new(name_or_path).exists() {
        let names = load::builtin_profile_names();
        eprintln!(
            "error: no built-in profile `{name_or_path}` and no such file (built-in: {})",
            names.join(", ")
        );
        return Err(Exit::Usage);
    }
    load::find_profile(name_or_path, &areas).map_err(|e| {
        eprintln!("{e}");
        Exit::InvalidSuite
    })
}

/// The built-in profiles' checks that `patterns` name (by id or old id), each with its profile:
/// what to tell a user whose `--only` selects nothing because those checks moved into a profile.
pub fn profile_checks_named(patterns: &[Pattern]) -> Vec<(String, String)> {
    let Ok(catalog) = load::load(None) else {
        return Vec::new();
    };
    let areas: BTreeSet<String> = catalog
        .checks
        .iter()
        .filter_map(|c| c.id.as_str().split('.').next().map(str::to_string))
        .collect();
    let mut found = Vec::new();
    for source in load::builtin_profile_sources() {
        let Ok(profile) = load::parse_profile(&source, &areas) else {
            continue;
        };
        let Ok(checks) = load::profile_checks(&profile, None, &catalog.schemas) else {
            continue;
        };
        found.extend(
            checks
                .iter()
                .filter(|c| patterns.iter().any(|p| p.matches_check(c)))
                .map(|c| (c.id.to_string(), profile.name.clone())),
        );
    }
    found
}

pub fn profiles_command(a: ProfilesArgs) -> Exit {
    match a.profile {
        None => list(),
        Some(name) => match load_profile(&name) {
            Ok((profile, file)) => {
                let mut checks = match load::load(None).and_then(|catalog| {
                    load::profile_checks(&profile, file.as_deref(), &catalog.schemas)
                }) {
                    Ok(checks) => checks,
                    Err(e) => {
                        eprintln!("{e}");
                        return Exit::InvalidSuite;
                    }
                };
                checks.sort_by(|a, b| a.id.cmp(&b.id));
                let width = checks
                    .iter()
                    .map(|c| c.id.as_str().len())
                    .max()
                    .unwrap_or(0);
                let mut out = describe(&profile);
                let _ = writeln!(out, "  its own checks ({}):", checks.len());
                for c in &checks {
                    let (level, id) = (c.level.as_str(), c.id.as_str());
                    let _ = writeln!(out, "    {level:<6} {id:<width$}  {}", c.title);
                }
                super::commands::say(&out);
                Exit::Ok
            }
            Err(e) => e,
        },
    }
}

fn list() -> Exit {
    let areas = match check_areas() {
        Ok(a) => a,
        Err(e) => return e,
    };
    let mut profiles = Vec::new();
    for source in load::builtin_profile_sources() {
        match load::parse_profile(&source, &areas) {
            Ok(p) => profiles.push(p),
            Err(e) => {
                eprintln!("{e}");
                return Exit::InvalidSuite;
            }
        }
    }
    let width = profiles.iter().map(|p| p.name.len()).max().unwrap_or(0);
    let mut out = String::new();
    for p in &profiles {
        let _ = writeln!(out, "{:<width$}  {}", p.name, p.description);
    }
    super::commands::say(&out);
    eprintln!(
        "{} profiles; `scimcheck profiles NAME` shows one",
        profiles.len()
    );
    Exit::Ok
}

/// One profile's contract, as scimcheck reads it.
fn describe(p: &Profile) -> String {
    let mut out = String::new();
    let _ = writeln!(out, "{}: {}", p.name, p.description);
    for s in &p.sources {
        let _ = writeln!(out, "  source: {s}");
    }
    let types: Vec<&str> = p
        .resource_types
        .iter()
        .map(|t| match t {
            crate::profile::ResourceTypeName::User => "User",
            crate::profile::ResourceTypeName::Group => "Group",
        })
        .collect();
    let _ = writeln!(
        out,
        "  SCIM {} at {}; resource types: {}",
        p.scim_version.as_str(),
        p.base_path,
        types.join(", ")
    );
    for e in &p.extensions {
        let attrs: Vec<String> = e
            .attributes
            .iter()
            .map(|a| format!("{} ({:?})", a.name, a.ty))
            .collect();
        if attrs.is_empty() {
            let _ = writeln!(out, "  extension: {}", e.urn);
        } else {
            let _ = writeln!(out, "  extension: {}: {}", e.urn, attrs.join(", "));
        }
    }
    for r in &p.rules {
        let mut says = Vec::new();
        if r.required {
            says.push("required".to_string());
        }
        if let Some(f) = r.format {
            says.push(format!("{f:?}").to_lowercase());
        }
        if let Some(n) = r.max_length {
            says.push(format!("at most {n} characters"));
        }
        if let Some(p) = &r.pattern {
            says.push(format!("matches {p}"));
        }
        if let Some(v) = &r.one_of {
            says.push(format!("one of {}", v.join(", ")));
        }
        if let Some(s) = &r.same_as {
            says.push(format!("equal to {s}"));
        }
        if let Some(k) = r.refers_to {
            says.push(format!("names an existing user by {k:?}"));
        }
        let _ = writeln!(out, "  rule: {}: {}", r.attribute, says.join(", "));
    }
    if !p.filterable.is_empty() {
        let _ = writeln!(out, "  filterable: {}", p.filterable.join(", "));
    }
    if let Some(rate) = &p.rate_limit {
        let _ = writeln!(out, "  rate limit: {rate}");
    }
    for (name, value) in &p.fixtures {
        let _ = writeln!(
            out,
            "  value: {name} = {value} (change with --set profile.{name}=…)"
        );
    }
    for (area, why) in &p.areas.drop {
        let _ = writeln!(out, "  not checked: {area}.*: {why}");
    }
    out
}
