//! The run's ledger file (`ledger.jsonl` beside the reports): one JSON line per resource the run
//! proved it created and per delete, written and flushed as they happen, so that even a run
//! killed outright leaves a record `scimcheck cleanup --ledger` can act on.

use serde::{Deserialize, Serialize};
use std::fs::File;
use std::io::{self, BufRead, Write};
use std::path::Path;
use std::sync::Mutex;

/// One line of the ledger file.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(tag = "event", rename_all = "lowercase")]
pub enum JournalLine {
    /// The first line: which run, against which target (redacted), with which namespace.
    Run {
        run_id: String,
        target: String,
        namespace: String,
    },
    /// A resource the run proved it created (path under the base URL) and its marker.
    Created { resource: String, marker: String },
    /// A resource the run deleted (or found already gone).
    Deleted { resource: String },
}

/// Appends lines to a run's ledger file; a write that fails is reported once on stderr and the
/// run goes on (the reports still list what is left behind).
#[derive(Debug)]
pub struct Journal {
    file: Mutex<Option<File>>,
}

impl Journal {
    /// Creates (truncates) the file and writes the run line.
    pub fn create(path: &Path, run_id: &str, target: &str, namespace: &str) -> io::Result<Self> {
        let file = File::create(path)?;
        let journal = Journal {
            file: Mutex::new(Some(file)),
        };
        journal.write(&JournalLine::Run {
            run_id: run_id.to_string(),
            target: target.to_string(),
            namespace: namespace.to_string(),
        });
        Ok(journal)
    }

    pub fn created(&self, key: &str, marker: &str) {
        self.write(&JournalLine::Created {
            resource: key.to_string(),
            marker: marker.to_string(),
        });
    }

    pub fn deleted(&self, key: &str) {
        self.write(&JournalLine::Deleted {
            resource: key.to_string(),
        });
    }

    fn write(&self, line: &JournalLine) {
        let mut slot = self.file.lock().unwrap_or_else(|e| e.into_inner());
        let Some(file) = slot.as_mut() else { return };
        let mut text = serde_json::to_string(line).unwrap_or_default();
        text.push('\n');
        if let Err(e) = file.write_all(text.as_bytes()).and_then(|()| file.flush()) {
            eprintln!("warning: cannot write the ledger file any more: {e}");
            *slot = None;
        }
    }
}

/// A ledger file read back: the run line and what it created and did not delete, in order.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct ReadLedger {
    pub run_id: String,
    pub target: String,
    pub namespace: String,
    /// `(resource, marker)` of every resource created and not deleted.
    pub live: Vec<(String, String)>,
}

/// Reads a ledger file; a truncated last line (a run killed mid-write) is ignored.
pub fn read(path: &Path) -> Result<ReadLedger, String> {
    let file = File::open(path).map_err(|e| format!("cannot read {}: {e}", path.display()))?;
    let mut header = None;
    let mut live: Vec<(String, String)> = Vec::new();
    for (n, line) in io::BufReader::new(file).lines().enumerate() {
        let line = line.map_err(|e| format!("cannot read {}: {e}", path.display()))?;
        if line.trim().is_empty() {
            continue;
        }
        let parsed: JournalLine = match serde_json::from_str(&line) {
            Ok(l) => l,
            Err(_) if header.is_some() => continue,
            Err(e) => {
                return Err(format!(
                    "{}:{}: not a scimcheck ledger line: {e}",
                    path.display(),
                    n + 1
                ));
            }
        };
        match parsed {
            JournalLine::Run {
                run_id,
                target,
                namespace,
            } => header = Some((run_id, target, namespace)),
            JournalLine::Created { resource, marker } => {
                live.retain(|(r, _)| *r != resource);
                live.push((resource, marker));
            }
            JournalLine::Deleted { resource } => live.retain(|(r, _)| *r != resource),
        }
    }
    let (run_id, target, namespace) = header.ok_or_else(|| {
        format!(
            "{} is not a scimcheck ledger file (no run line)",
            path.display()
        )
    })?;
    Ok(ReadLedger {
        run_id,
        target,
        namespace,
        live,
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_ledger_reads_back_what_is_still_live() {
        let dir = std::env::temp_dir().join(format!("scimcheck-journal-{}", std::process::id()));
        std::fs::create_dir_all(&dir).unwrap();
        let path = dir.join("ledger.jsonl");
        let j =
            Journal::create(&path, "ab12cd34", "http://h/scim/v2", "scimcheck-ab12cd34").unwrap();
        j.created("/Users/1", "scimcheck-ab12cd34-1-");
        j.created("/Groups/2", "scimcheck-ab12cd34-2-");
        j.deleted("/Users/1");
        drop(j);
        // A run killed mid-write leaves half a line.
        let mut f = std::fs::OpenOptions::new()
            .append(true)
            .open(&path)
            .unwrap();
        f.write_all(b"{\"event\":\"created\",\"reso").unwrap();
        let read = read(&path).unwrap();
        assert_eq!(read.run_id, "ab12cd34");
        assert_eq!(
            read.live,
            vec![("/Groups/2".to_string(), "scimcheck-ab12cd34-2-".to_string())]
        );
        std::fs::write(&path, "not json\n").unwrap();
        assert!(read_err(&path).contains("not a scimcheck ledger line"));
        std::fs::remove_dir_all(&dir).unwrap();
    }

    fn read_err(path: &Path) -> String {
        read(path).unwrap_err()
    }
}
