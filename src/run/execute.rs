//! Executing one check: template → request → exchange → captures → evaluation, then cleanup.

use super::ledger::{Created, Ledger};
use super::step::{CheckState, StepEnd};
use super::{CheckResult, RunConfig};
use crate::check::SchemaStore;
use crate::http::{Exchange, HttpClient, Outgoing};
use crate::outcome::{CleanupOutcome, StepOutcome, StepShape, infer_roles};
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
    pub(crate) left_behind: Mutex<Vec<String>>,
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
    /// returns the deletes sent and what could not be deleted.
    pub async fn sweep(&self) -> (Vec<Exchange>, Vec<String>) {
        let mut exchanges = Vec::new();
        let mut failed = Vec::new();
        for key in self.created.live().into_iter().rev() {
            let (ex, gone) = self.delete_created(&key).await;
            exchanges.push(ex);
            if !gone {
                failed.push(key);
            }
        }
        (exchanges, failed)
    }

    /// Accept, the user's extra headers and the bearer token.
    pub fn default_headers(&self) -> Vec<(String, String)> {
        self.config.default_headers()
    }
    /// Runs one check; `seq` must differ between checks of the same run (it namespaces their data).
    pub async fn run(&self, check: &Check, seq: usize) -> CheckResult {
        run_check(self, check, seq).await
    }
    pub fn left_behind(&self) -> Vec<String> {
        self.left_behind
            .lock()
            .unwrap_or_else(|e| e.into_inner())
            .clone()
    }
}

/// The server's own explanation of an error response: the `detail` of its JSON body.
fn server_detail(ex: &Exchange) -> Option<String> {
    let body = ex.response.as_ref()?.body.as_ref()?.json()?;
    let detail = body.get("detail")?.as_str()?.trim();
    (!detail.is_empty()).then(|| detail.to_string())
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
    let shapes: Vec<StepShape> = check.steps.iter().map(CheckState::shape).collect();
    let roles = infer_roles(&shapes);
    let mut steps = Vec::new();
    for (n, (step, role)) in check.steps.iter().zip(roles).enumerate() {
        let before = state.exchanges.len();
        let end = state.run_step(step).await;
        let exchanges: Vec<usize> = (before..state.exchanges.len()).collect();
        let mut outcome = StepOutcome {
            index: n + 1,
            role,
            exchanges,
            findings: Vec::new(),
            error: None,
        };
        match end {
            StepEnd::Passed => {}
            StepEnd::Failed(mut findings) => {
                let detail = outcome
                    .exchanges
                    .last()
                    .and_then(|i| server_detail(&state.exchanges[*i]));
                for f in &mut findings {
                    if f.server_detail.is_none() {
                        f.server_detail.clone_from(&detail);
                    }
                    // Built-in observations point at the step that made them.
                    if f.origin.is_none() {
                        f.origin = Some(step.origin().clone());
                    }
                }
                outcome.findings = findings;
            }
            StepEnd::Errored(e) => outcome.error = Some(e),
        }
        let stop = !outcome.passed();
        steps.push(outcome);
        if stop {
            break;
        }
    }
    let before = state.exchanges.len();
    let left_behind = state.cleanup().await;
    if !left_behind.is_empty() {
        shared
            .left_behind
            .lock()
            .unwrap_or_else(|e| e.into_inner())
            .extend(left_behind.iter().cloned());
    }
    let cleanup = CleanupOutcome {
        exchanges: (before..state.exchanges.len()).collect(),
        left_behind,
    };
    CheckResult::ran(
        check,
        steps,
        cleanup,
        state.exchanges,
        started.elapsed().as_millis() as u64,
    )
}
