//! The cleanup ledger and the safety guard: the harness deletes what it created, and never
//! modifies or deletes anything it did not create in this run.

use std::collections::HashSet;
use std::sync::Mutex;

/// Resource paths (relative to the base URL, e.g. `/Users/2819c223`) created in this run.
#[derive(Debug, Default)]
pub struct Created(Mutex<HashSet<String>>);

impl Created {
    pub fn insert(&self, key: &str) {
        self.0
            .lock()
            .unwrap_or_else(|e| e.into_inner())
            .insert(key.to_string());
    }
    pub fn contains(&self, key: &str) -> bool {
        self.0
            .lock()
            .unwrap_or_else(|e| e.into_inner())
            .contains(key)
    }
}

/// Decides whether a state-changing request may be sent: its target must be a resource this run
/// created, or an id this run invented (it carries the run prefix, so it cannot be anyone's data).
pub fn may_modify(created: &Created, key: &str, run_prefix: &str) -> bool {
    created.contains(key) || key.contains(run_prefix)
}

/// Per-check list of resources to delete when the check ends, pass or fail.
#[derive(Debug, Default)]
pub struct Ledger {
    entries: Vec<(String, bool)>,
}

impl Ledger {
    /// Records a created resource; a key deleted earlier in the check is pending again
    /// (a server may re-create it, e.g. a PUT that upserts).
    pub fn record(&mut self, key: &str) {
        self.entries.retain(|(k, _)| k != key);
        self.entries.push((key.to_string(), false));
    }
    pub fn mark_deleted(&mut self, key: &str) {
        for (k, gone) in &mut self.entries {
            if k == key {
                *gone = true;
            }
        }
    }
    /// Still-existing resources, newest first (so dependents go before what they reference).
    pub fn pending(&self) -> Vec<String> {
        self.entries
            .iter()
            .rev()
            .filter(|(_, gone)| !gone)
            .map(|(k, _)| k.clone())
            .collect()
    }
}

/// The resource path of a URL under the base: `/Users/42` for `{base}/Users/42?x=1`.
pub fn key_of(base_url: &str, url: &str) -> Option<String> {
    let rest = url.strip_prefix(base_url)?;
    if !(rest.is_empty() || rest.starts_with('/')) {
        return None;
    }
    let path = rest.split(['?', '#']).next().unwrap_or_default();
    Some(path.trim_end_matches('/').to_string())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn guard_allows_only_own_resources_and_invented_ids() {
        let created = Created::default();
        created.insert("/Users/abc");
        assert!(may_modify(&created, "/Users/abc", "scimcheck-1234"));
        assert!(may_modify(
            &created,
            "/Users/scimcheck-1234-9-missing",
            "scimcheck-1234"
        ));
        assert!(!may_modify(
            &created,
            "/Users/someone-elses",
            "scimcheck-1234"
        ));
        assert!(!may_modify(
            &created,
            "/Users/scimcheck-9999-1-x",
            "scimcheck-1234"
        ));
    }

    #[test]
    fn ledger_returns_pending_newest_first() {
        let mut l = Ledger::default();
        l.record("/Users/a");
        l.record("/Users/b");
        l.record("/Users/a");
        l.mark_deleted("/Users/b");
        l.record("/Users/c");
        assert_eq!(
            l.pending(),
            vec!["/Users/c".to_string(), "/Users/a".to_string()]
        );
    }

    #[test]
    fn keys_are_paths_under_the_base() {
        assert_eq!(
            key_of("http://h/scim/v2", "http://h/scim/v2/Users/1?x=y").as_deref(),
            Some("/Users/1")
        );
        assert_eq!(
            key_of("http://h/scim/v2", "http://h/scim/v2x/Users/1"),
            None
        );
        assert_eq!(
            key_of("http://h/scim/v2", "http://other/scim/v2/Users/1"),
            None
        );
    }
}
