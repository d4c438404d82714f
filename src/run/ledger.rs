//! The cleanup ledger and the safety guard: the harness deletes what it created, and never
//! modifies or deletes anything it did not create in this run.

use std::collections::{BTreeSet, HashSet};
use std::sync::Mutex;

/// Resource paths (relative to the base URL, e.g. `/Users/2819c223`) created in this run, and
/// which of them still exist as far as the run knows (what an interrupted run must delete).
#[derive(Debug, Default)]
pub struct Created {
    ever: Mutex<HashSet<String>>,
    live: Mutex<BTreeSet<String>>,
}

impl Created {
    pub fn insert(&self, key: &str) {
        self.ever
            .lock()
            .unwrap_or_else(|e| e.into_inner())
            .insert(key.to_string());
        self.live
            .lock()
            .unwrap_or_else(|e| e.into_inner())
            .insert(key.to_string());
    }
    pub fn contains(&self, key: &str) -> bool {
        self.ever
            .lock()
            .unwrap_or_else(|e| e.into_inner())
            .contains(key)
    }
    /// The resource was deleted (by a step or by cleanup).
    pub fn gone(&self, key: &str) {
        self.live
            .lock()
            .unwrap_or_else(|e| e.into_inner())
            .remove(key);
    }
    /// Resources created and not yet deleted.
    pub fn live(&self) -> Vec<String> {
        self.live
            .lock()
            .unwrap_or_else(|e| e.into_inner())
            .iter()
            .cloned()
            .collect()
    }
}

/// Decides whether a state-changing request may be sent: its target must be a resource this run
/// created, or an id this run invented (its last segment starts with the run prefix, so it cannot
/// be anyone's data). `key` must come from [`key_of`], which resolves `..` and percent-escapes.
pub fn may_modify(created: &Created, key: &str, run_prefix: &str) -> bool {
    let invented = key
        .rsplit('/')
        .next()
        .is_some_and(|last| last.starts_with(run_prefix));
    created.contains(key) || invented
}

/// The key under which a created resource is recorded: `{endpoint}/{id}` with the id
/// percent-encoded as one path segment, so an id can never point somewhere else.
pub fn created_key(endpoint: &str, id: &str) -> String {
    let segment: String = url::form_urlencoded::byte_serialize(id.as_bytes()).collect();
    format!(
        "{}/{}",
        endpoint.trim_end_matches('/'),
        segment.replace('+', "%20")
    )
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

/// Like [`key_of`], but also accepts a location relative to the base URL's origin
/// (`/scim/v2/Users/1`), as some servers send in `Location` and `meta.location`.
pub fn key_of_location(base_url: &str, location: &str) -> Option<String> {
    let absolute = url::Url::parse(base_url).ok()?.join(location).ok()?;
    key_of(base_url, absolute.as_str())
}

/// The resource path of a URL under the base, after URL normalisation (`..`, `%2e%2e`):
/// `/Users/42` for `{base}/Users/42?x=1`. `None` when the URL is not under the base.
pub fn key_of(base_url: &str, url: &str) -> Option<String> {
    let base = url::Url::parse(base_url).ok()?;
    let target = url::Url::parse(url).ok()?;
    if base.origin() != target.origin() {
        return None;
    }
    let base_path = base.path().trim_end_matches('/');
    let rest = target.path().strip_prefix(base_path)?;
    if !(rest.is_empty() || rest.starts_with('/')) {
        return None;
    }
    Some(rest.trim_end_matches('/').to_string())
}

#[cfg(test)]
mod tests {
    use super::*;

    const PREFIX: &str = "scimcheck-1234";

    #[test]
    fn guard_allows_only_own_resources_and_invented_ids() {
        let created = Created::default();
        created.insert("/Users/abc");
        assert!(may_modify(&created, "/Users/abc", PREFIX));
        assert!(may_modify(
            &created,
            "/Users/scimcheck-1234-9-missing",
            PREFIX
        ));
        assert!(!may_modify(&created, "/Users/someone-elses", PREFIX));
        assert!(!may_modify(&created, "/Users/scimcheck-9999-1-x", PREFIX));
        assert!(!may_modify(
            &created,
            "/Users/scimcheck-1234-9-x/victim",
            PREFIX
        ));
    }

    #[test]
    fn dot_segments_cannot_smuggle_a_request_past_the_guard() {
        let base = "http://h/scim/v2";
        for sneaky in [
            "http://h/scim/v2/Users/scimcheck-1234-1-x/../victim",
            "http://h/scim/v2/Users/scimcheck-1234-1-x/%2e%2e/victim",
        ] {
            let key = key_of(base, sneaky).unwrap();
            assert_eq!(key, "/Users/victim");
            assert!(!may_modify(&Created::default(), &key, PREFIX));
        }
        assert_eq!(key_of(base, "http://h/scim/v2/../admin"), None);
    }

    #[test]
    fn created_keys_encode_the_id_as_one_segment() {
        assert_eq!(created_key("/Users", "abc-1"), "/Users/abc-1");
        assert_eq!(
            created_key("/Users", "../Groups/x"),
            "/Users/..%2FGroups%2Fx"
        );
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
        l.record("/Users/b");
        assert_eq!(
            l.pending()[0],
            "/Users/b",
            "a re-created resource is pending again"
        );
    }

    #[test]
    fn keys_are_paths_under_the_base() {
        let base = "http://h/scim/v2";
        assert_eq!(
            key_of(base, "http://h/scim/v2/Users/1?x=y").as_deref(),
            Some("/Users/1")
        );
        assert_eq!(key_of(base, "http://h/scim/v2x/Users/1"), None);
        assert_eq!(key_of(base, "http://other/scim/v2/Users/1"), None);
        assert_eq!(key_of(base, "https://h/scim/v2/Users/1"), None);
        assert_eq!(
            key_of_location(base, "/scim/v2/Users/1").as_deref(),
            Some("/Users/1")
        );
        assert_eq!(
            key_of_location(base, "http://h/scim/v2/Users/1").as_deref(),
            Some("/Users/1")
        );
        assert_eq!(key_of_location(base, "/other/Users/1"), None);
    }
}
