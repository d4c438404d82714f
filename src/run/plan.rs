//! Selecting checks (`--only`, `--skip`) and gating them on advertised capabilities.

use super::Capabilities;
use crate::suite::Check;

/// A check id pattern: an exact id, a dotted prefix (`users` or `users.create`), or a glob with `*`.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Pattern(String);

impl Pattern {
    pub fn new(s: &str) -> Self {
        Pattern(s.trim().to_string())
    }
    pub fn matches(&self, id: &str) -> bool {
        let p = &self.0;
        if p.contains('*') {
            glob(p, id)
        } else {
            id == p || id.starts_with(&format!("{p}."))
        }
    }
}

fn glob(pattern: &str, text: &str) -> bool {
    let parts: Vec<&str> = pattern.split('*').collect();
    let mut rest = text;
    for (i, part) in parts.iter().enumerate() {
        if i == 0 {
            match rest.strip_prefix(part) {
                Some(r) => rest = r,
                None => return false,
            }
        } else if i == parts.len() - 1 {
            return rest.ends_with(part);
        } else {
            match rest.find(part) {
                Some(at) => rest = &rest[at + part.len()..],
                None => return false,
            }
        }
    }
    rest.is_empty() || parts.len() > 1
}

/// A selected check and, if it cannot run, why.
#[derive(Debug, Clone)]
pub struct Planned {
    pub check: Check,
    pub skip_reason: Option<String>,
    /// Why the check cannot test its requirement on this server (it uses an attribute the
    /// server's schema does not declare): it is reported blocked without a request.
    pub block_reason: Option<String>,
}

/// Selects checks by pattern and marks those whose capability is missing as skipped.
pub fn plan(
    checks: &[Check],
    only: &[Pattern],
    skip: &[Pattern],
    caps: &Capabilities,
) -> Vec<Planned> {
    let mut selected: Vec<&Check> = checks
        .iter()
        .filter(|c| only.is_empty() || only.iter().any(|p| p.matches(c.id.as_str())))
        .filter(|c| !skip.iter().any(|p| p.matches(c.id.as_str())))
        .collect();
    selected.sort_by(|a, b| a.id.cmp(&b.id));
    selected
        .into_iter()
        .map(|c| Planned {
            block_reason: None,
            check: c.clone(),
            skip_reason: c
                .requires
                .iter()
                .find(|r| !caps.has(**r))
                .map(|r| r.skip_reason()),
        })
        .collect()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn patterns_match_ids_prefixes_and_globs() {
        assert!(Pattern::new("users").matches("users.create.x"));
        assert!(!Pattern::new("user").matches("users.create.x"));
        assert!(Pattern::new("users.create.x").matches("users.create.x"));
        assert!(Pattern::new("*.create.*").matches("users.create.x"));
        assert!(Pattern::new("users.*-404").matches("users.get.unknown-404"));
        assert!(!Pattern::new("users.*-404").matches("users.get.unknown-405"));
    }
}
