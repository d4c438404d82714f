//! Executing one check: template → request → exchange → captures → evaluation, then cleanup.

use super::ledger::{Created, Ledger};
use super::step::{CheckState, StepEnd};
use super::{CheckResult, RunConfig, Status};
use crate::check::SchemaStore;
use crate::http::{Exchange, HttpClient, Outgoing};
use crate::outcome::Finding;
use crate::suite::{Check, Vars};
use std::sync::{Arc, Mutex};
use std::time::Instant;

/// One run's shared state: what every check of the run sees (client, schemas, run id, what the
/// run created). Runs single checks; the libtest-mimic harness runs one per trial.
#[derive(Debug)]
pub struct Session {
    pub(crate) config: RunConfig,
    pub(crate) client: HttpClient,
    pub(crate) schemas: Arc<SchemaStore>,
    pub(crate) run_id: String,
    pub(crate) created: Created,
    left_behind: Mutex<Vec<String>>,
}

impl Session {
    pub fn new(
        config: &RunConfig,
        client: HttpClient,
        schemas: Arc<SchemaStore>,
        run_id: &str,
    ) -> Self {
        Session {
            config: config.clone(),
            client,
            schemas,
            run_id: run_id.to_string(),
            created: Created::default(),
            left_behind: Mutex::new(Vec::new()),
        }
    }
    /// Deletes a resource this run created; `true` when it is gone (2xx, or 404: already gone).
    pub async fn delete_created(&self, key: &str) -> (Exchange, bool) {
        let url = format!("{}{key}", self.config.base_url);
        let out = Outgoing {
            method: "DELETE",
            url,
            headers: self.default_headers(),
            body: None,
        };
        let ex = self.client.send(out).await;
        let ok = ex
            .response
            .as_ref()
            .is_some_and(|r| (200..300).contains(&r.status) || r.status == 404);
        if ok {
            self.created.gone(key);
        }
        (ex, ok)
    }

    /// Deletes everything the run created and has not deleted yet (after an interrupt);
    /// returns what could not be deleted.
    pub async fn sweep(&self) -> Vec<String> {
        let mut failed = Vec::new();
        for key in self.created.live().into_iter().rev() {
            if !self.delete_created(&key).await.1 {
                failed.push(key);
            }
        }
        failed
    }

    /// Accept, the user's extra headers and the bearer token.
    pub fn default_headers(&self) -> Vec<(String, String)> {
        self.config.default_headers()
    }
    /// Runs one check; `seq` must differ between checks of the same run (it namespaces their data).
    pub async fn run(&self, check: &Check, seq: usize) -> CheckResult {
        run_check(self, check, seq).await
    }
    pub fn jobs(&self) -> usize {
        self.config.jobs
    }
    pub fn left_behind(&self) -> Vec<String> {
        self.left_behind
            .lock()
            .unwrap_or_else(|e| e.into_inner())
            .clone()
    }
}

fn describe_step(state: &CheckState<'_>, index: Option<usize>, n: usize) -> String {
    match index.and_then(|i| state.exchanges.get(i)) {
        Some(ex) => {
            let status = ex
                .response
                .as_ref()
                .map_or_else(|| "no response".to_string(), |r| r.status.to_string());
            format!(
                "step {n} ({} {} → {status})",
                ex.request.method, ex.request.url
            )
        }
        None => format!("step {n}"),
    }
}

/// Runs every step of one check; always cleans up what it created.
async fn run_check(shared: &Session, check: &Check, seq: usize) -> CheckResult {
    let started = Instant::now();
    let mut state = CheckState {
        shared,
        vars: Vars::new(&shared.run_id, seq),
        ledger: Ledger::default(),
        exchanges: Vec::new(),
    };
    let mut verdict = (Status::Passed, String::new());
    for (n, step) in check.steps.iter().enumerate() {
        let before = state.exchanges.len();
        let end = state.run_step(step).await;
        let last = (state.exchanges.len() > before).then(|| state.exchanges.len() - 1);
        match end {
            StepEnd::Passed => {}
            StepEnd::Failed(findings) => {
                let lines: Vec<String> = findings.iter().map(Finding::to_string).collect();
                verdict = (
                    Status::Failed,
                    format!(
                        "{}: {}",
                        describe_step(&state, last, n + 1),
                        lines.join("\n")
                    ),
                );
                break;
            }
            StepEnd::Errored(msg) => {
                verdict = (
                    Status::Errored,
                    format!("{}: {msg}", describe_step(&state, last, n + 1)),
                );
                break;
            }
        }
    }
    let failed_cleanup = state.cleanup().await;
    if !failed_cleanup.is_empty() {
        let list = failed_cleanup.join(", ");
        if !verdict.1.is_empty() {
            verdict.1.push('\n');
        }
        verdict
            .1
            .push_str(&format!("cleanup could not delete {list}"));
        shared
            .left_behind
            .lock()
            .unwrap_or_else(|e| e.into_inner())
            .extend(failed_cleanup);
    }
    let mut result = CheckResult::new(check, verdict.0, verdict.1);
    result.duration_ms = started.elapsed().as_millis() as u64;
    result.exchanges = state.exchanges;
    result
}
