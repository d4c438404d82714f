//! Selecting checks (`--only`, `--skip`) and gating them on advertised capabilities.

use super::Capabilities;
use crate::outcome::UnscopedRun;
use crate::suite::{Capability, Check};

/// A check id pattern: an exact id, a dotted prefix (`users` or `users.create`), or a glob with `*`.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Pattern(String);

impl Pattern {
    pub fn new(s: &str) -> Self {
        Pattern(s.trim().to_string())
    }
    /// Whether the pattern names the check by its id or by one of its old ids.
    pub fn matches_check(&self, check: &Check) -> bool {
        self.matches(check.id.as_str()) || check.aliases.iter().any(|a| self.matches(a.as_str()))
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
    /// Why the check runs its unscoped form (it cannot scope its queries with a filter here),
    /// and what that form asserts; `check` is then that form.
    pub unscoped: Option<UnscopedRun>,
}

impl Planned {
    /// Whether the check runs with no other check in flight (and after them): an unscoped form
    /// reads the whole collection, and a rate-limit burst would slow every other check.
    pub fn runs_alone(&self) -> bool {
        self.unscoped
            .as_ref()
            .is_some_and(|u| u.form == crate::outcome::Form::Unscoped)
            || self
                .check
                .requires
                .contains(&crate::suite::Capability::ProbeRateLimit)
    }

    /// Runs the check's unscoped form instead, if it has one: `Ok` when it does.
    pub fn unscope(&mut self, why: &str) -> bool {
        let Some(form) = self.check.in_unscoped_form() else {
            return false;
        };
        let note = self.check.unscoped.as_ref().map(|u| u.note.clone());
        self.run_form(form, crate::outcome::Form::Unscoped, note, why);
        true
    }

    /// Under `--read-only`: runs the check's read-only form instead when its own steps write
    /// and it has one; `capabilities` decide whether that form is skipped.
    pub fn read_only(&mut self, capabilities: &Capabilities) {
        let (Some(write), Some(form)) = (self.check.first_write(), self.check.in_read_only_form())
        else {
            return;
        };
        let note = self.check.read_only.as_ref().map(|f| f.note.clone());
        self.skip_reason = form
            .requires
            .iter()
            .find(|r| !capabilities.has(**r))
            .map(|r| r.skip_reason());
        self.run_form(
            form,
            crate::outcome::Form::ReadOnly,
            note,
            &format!("--read-only: its own steps write ({write})"),
        );
    }

    /// Runs `form` (one of the check's alternative forms) instead, saying why and what it asserts.
    fn run_form(
        &mut self,
        form: Check,
        kind: crate::outcome::Form,
        note: Option<String>,
        why: &str,
    ) {
        self.check = form;
        self.unscoped = Some(UnscopedRun {
            form: kind,
            why: why.to_string(),
            asserts: note.unwrap_or_default(),
        });
    }
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
        .filter(|c| only.is_empty() || only.iter().any(|p| p.matches_check(c)))
        .filter(|c| !skip.iter().any(|p| p.matches_check(c)))
        .collect();
    selected.sort_by(|a, b| a.id.cmp(&b.id));
    selected
        .into_iter()
        .map(|c| {
            let missing: Vec<Capability> = c
                .requires
                .iter()
                .copied()
                .filter(|r| !caps.has(*r))
                .collect();
            let mut planned = Planned {
                block_reason: None,
                check: c.clone(),
                skip_reason: missing.first().map(|r| r.skip_reason()),
                unscoped: None,
            };
            // A check that needs a filter only to keep other data out runs its unscoped form.
            if missing == [Capability::Filter] && planned.unscope(&Capability::Filter.skip_reason())
            {
                planned.skip_reason = None;
            }
            planned
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

    #[test]
    fn a_moved_check_is_selected_by_its_old_id_too() {
        let text = "- id: entra.capitalised-add\n  aliases: [patch.entra-capitalised-add]\n  title: T\n  level: MUST\n  spec: S\n  steps:\n    - request: {method: GET, path: /Users}\n";
        let source = crate::load::Source {
            name: "t.yaml".into(),
            text: text.into(),
        };
        let checks = crate::load::validate_sources(&[source]).unwrap();
        let none = Capabilities::default();
        for pattern in [
            "patch.entra-capitalised-add",
            "patch",
            "entra",
            "*capitalised*",
        ] {
            let planned = plan(&checks, &[Pattern::new(pattern)], &[], &none);
            assert_eq!(planned.len(), 1, "{pattern}");
        }
        assert!(
            plan(
                &checks,
                &[],
                &[Pattern::new("patch.entra-capitalised-add")],
                &none
            )
            .is_empty()
        );
    }

    #[test]
    fn an_alias_may_not_repeat_an_id() {
        let text = "- id: a.one\n  title: T\n  level: MUST\n  spec: S\n  steps:\n    - request: {method: GET, path: /Users}\n- id: a.two\n  aliases: [a.one]\n  title: T\n  level: MUST\n  spec: S\n  steps:\n    - request: {method: GET, path: /Users}\n";
        let source = crate::load::Source {
            name: "t.yaml".into(),
            text: text.into(),
        };
        let e = crate::load::validate_sources(&[source])
            .unwrap_err()
            .to_string();
        assert!(
            e.contains("t.yaml:8:13") && e.contains("alias `a.one` is already a check id"),
            "{e}"
        );
    }

    fn checks(requires: &str) -> Vec<Check> {
        let text = format!(
            "- id: pagination.x.y\n  title: T\n  level: MUST\n  spec: RFC\n  requires: {requires}\n  steps:\n    - request: {{method: GET, path: /Users, query: {{filter: 'userName sw \"${{check.prefix}}-\"'}}}}\n  unscoped:\n    note: reads one page\n    steps:\n      - request: {{method: GET, path: /Users, query: {{count: '1'}}}}\n"
        );
        let source = crate::load::Source {
            name: "t.yaml".into(),
            text,
        };
        crate::load::validate_sources(&[source]).unwrap()
    }

    #[test]
    fn a_check_that_needs_a_filter_only_to_scope_runs_unscoped() {
        let none = Capabilities::default();
        let planned = plan(&checks("[filter]"), &[], &[], &none);
        let p = &planned[0];
        assert_eq!(p.skip_reason, None);
        let u = p.unscoped.as_ref().expect("runs its unscoped form");
        assert_eq!(u.asserts, "reads one page");
        assert!(u.why.contains("filter.supported"), "{}", u.why);
        assert!(!p.check.scoped && p.check.unscoped.is_none());

        // Another capability missing still skips it.
        let planned = plan(&checks("[filter, sort]"), &[], &[], &none);
        assert!(planned[0].skip_reason.is_some() && planned[0].unscoped.is_none());

        // With filtering advertised, the scoped form runs.
        let filter = Capabilities {
            supported: [Capability::Filter].into(),
        };
        let planned = plan(&checks("[filter]"), &[], &[], &filter);
        assert!(planned[0].unscoped.is_none() && planned[0].check.scoped);
    }
}
