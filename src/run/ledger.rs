//! The per-check cleanup ledger: what the check proved it created (with the marker that proved
//! it), deleted newest first when the check ends, pass or fail. What the whole run owns lives in
//! the http pipeline's write guard.

/// Per-check list of resources to delete when the check ends.
#[derive(Debug, Default)]
pub struct Ledger {
    entries: Vec<Entry>,
}

#[derive(Debug)]
struct Entry {
    key: String,
    marker: String,
    gone: bool,
}

impl Ledger {
    /// Records a created resource; a key deleted earlier in the check is pending again
    /// (a server may re-create it, e.g. a PUT that upserts).
    pub fn record(&mut self, key: &str, marker: &str) {
        self.entries.retain(|e| e.key != key);
        self.entries.push(Entry {
            key: key.to_string(),
            marker: marker.to_string(),
            gone: false,
        });
    }
    pub fn mark_deleted(&mut self, key: &str) {
        for e in &mut self.entries {
            if e.key == key {
                e.gone = true;
            }
        }
    }
    /// Still-existing resources and their markers, newest first (so dependents go before what
    /// they reference).
    pub fn pending(&self) -> Vec<(String, String)> {
        self.entries
            .iter()
            .rev()
            .filter(|e| !e.gone)
            .map(|e| (e.key.clone(), e.marker.clone()))
            .collect()
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn keys(l: &Ledger) -> Vec<String> {
        l.pending().into_iter().map(|(k, _)| k).collect()
    }

    #[test]
    fn ledger_returns_pending_newest_first() {
        let mut l = Ledger::default();
        l.record("/Users/a", "m-");
        l.record("/Users/b", "m-");
        l.record("/Users/a", "m-");
        l.mark_deleted("/Users/b");
        l.record("/Users/c", "m-");
        assert_eq!(
            keys(&l),
            vec!["/Users/c".to_string(), "/Users/a".to_string()]
        );
        l.record("/Users/b", "m-");
        assert_eq!(
            keys(&l)[0],
            "/Users/b",
            "a re-created resource is pending again"
        );
        assert_eq!(l.pending()[0].1, "m-");
    }
}
