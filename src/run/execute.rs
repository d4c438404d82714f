//! Executing one check: template → request → exchange → captures → evaluation, then cleanup.

use super::fixtures::Fixtures;
use super::journal::Journal;
use super::ledger::Ledger;
use super::step::{CheckState, StepEnd};
use super::{CheckResult, RunConfig};
use crate::check::SchemaStore;
use crate::http::guard::WriteGuard;
use crate::http::{Exchange, HttpClient, Outgoing, Pipeline};
use crate::outcome::{CleanupOutcome, LeftBehind, StepError, StepOutcome, StepShape, infer_roles};
use crate::suite::{Check, Step, Vars};
use std::collections::BTreeSet;
use std::sync::atomic::{AtomicBool, AtomicUsize, Ordering};
use std::sync::{Arc, Mutex, OnceLock};
use std::time::Instant;

/// One run's shared state: what every check of the run sees (the http pipeline with its write
/// guard, schemas, run id, the run's ledger file). Runs single checks; the libtest-mimic harness
/// runs one per trial.
#[derive(Debug)]
pub struct Session {
    pub(crate) config: RunConfig,
    pub(crate) pipeline: Pipeline,
    pub(crate) schemas: Arc<SchemaStore>,
    pub(crate) run_id: String,
    pub(crate) left_behind: Mutex<Vec<LeftBehind>>,
    pub(crate) journal: Option<Journal>,
    /// Set when the run is interrupted: no check starts, no check sends another step.
    stopping: AtomicBool,
    /// Creates sent and not yet answered; after an interrupt's grace, a nonzero count means a
    /// create may have succeeded unseen, so the sweep looks for the run's marker.
    creates_in_flight: AtomicUsize,
    /// What the server's schema makes of create and replace bodies, once discovery read it.
    fixtures: OnceLock<Fixtures>,
    /// How bodies were adapted to it, each way once.
    adapted: Mutex<BTreeSet<String>>,
    /// How the server refused the filter that scopes queries to the run's users, if it did.
    scoping_refused: OnceLock<Option<String>>,
}

impl Session {
    pub fn new(
        config: &RunConfig,
        client: HttpClient,
        schemas: Arc<SchemaStore>,
        run_id: &str,
    ) -> Self {
        let guard = WriteGuard::new(&config.base_url, &format!("scimcheck-{run_id}"))
            .read_only(config.read_only);
        Session {
            config: config.clone(),
            pipeline: Pipeline::new(client, guard)
                .authenticate(config.credentials())
                .base_query(config.base_query.clone()),
            schemas,
            run_id: run_id.to_string(),
            left_behind: Mutex::new(Vec::new()),
            journal: None,
            stopping: AtomicBool::new(false),
            creates_in_flight: AtomicUsize::new(0),
            fixtures: OnceLock::new(),
            adapted: Mutex::new(BTreeSet::new()),
            scoping_refused: OnceLock::new(),
        }
    }

    /// Takes what discovery saw of the scoping filter (the first discovery wins).
    pub fn learn_scoping(&self, refused: Option<String>) {
        let _ = self.scoping_refused.set(refused);
    }
    /// How the server refused the scoping filter; `None` when it accepted it (or was not asked).
    pub fn scoping_refused(&self) -> Option<&str> {
        self.scoping_refused.get().and_then(Option::as_deref)
    }

    /// Takes what discovery learnt of the server's schema (the first discovery wins), with the
    /// user's `--set` values.
    pub fn learn_fixtures(&self, fixtures: Fixtures) {
        let _ = self
            .fixtures
            .set(fixtures.with_overrides(self.config.sets.clone()));
    }
    pub(crate) fn fixtures(&self) -> Option<&Fixtures> {
        self.fixtures.get()
    }
    pub(crate) fn note_adapted(&self, notes: Vec<String>) {
        self.adapted
            .lock()
            .unwrap_or_else(|e| e.into_inner())
            .extend(notes);
    }
    /// Every way a body was adapted to the server's schema, sorted.
    pub fn adapted(&self) -> Vec<String> {
        self.adapted
            .lock()
            .unwrap_or_else(|e| e.into_inner())
            .iter()
            .cloned()
            .collect()
    }

    /// Stops the run: no check starts and no check sends another step (requests in flight end).
    pub fn stop(&self) {
        self.stopping.store(true, Ordering::SeqCst);
    }
    pub fn stopping(&self) -> bool {
        self.stopping.load(Ordering::SeqCst)
    }
    pub(crate) fn create_sent(&self) {
        self.creates_in_flight.fetch_add(1, Ordering::SeqCst);
    }
    pub(crate) fn create_answered(&self) {
        self.creates_in_flight.fetch_sub(1, Ordering::SeqCst);
    }
    pub fn creates_in_flight(&self) -> usize {
        self.creates_in_flight.load(Ordering::SeqCst)
    }

    /// Deletes a resource this run owns; `Ok` when it is gone (2xx, or 404: already gone), else
    /// what is left behind and why. The DELETE passes the write guard like any other.
    pub async fn delete_created(
        &self,
        key: &str,
        marker: &str,
    ) -> (Option<Exchange>, Result<(), LeftBehind>) {
        let out = Outgoing {
            method: "DELETE",
            url: format!("{}{key}", self.config.base_url),
            headers: self.default_headers(),
            body: None,
            credential: true,
            busy_retries: true,
        };
        let left = |reason: String| LeftBehind {
            resource: Some(key.to_string()),
            marker: marker.to_string(),
            reason,
        };
        let ex = match self.pipeline.send(out).await {
            Ok(ex) => ex,
            Err(refused) => return (None, Err(left(refused.to_string()))),
        };
        let result = match (&ex.response, &ex.error) {
            (Some(r), _) if (200..300).contains(&r.status) || r.status == 404 => {
                self.pipeline.guard().gone(key);
                self.journal_deleted(key);
                Ok(())
            }
            (Some(r), _) => Err(left(format!("the DELETE answered {}", r.status))),
            (None, Some(e)) => Err(left(format!("the DELETE got no answer: {e}"))),
            (None, None) => Err(left("the DELETE got no answer".into())),
        };
        (Some(ex), result)
    }

    /// Deletes everything the run owns and has not deleted yet (after an interrupt); returns the
    /// deletes sent and what could not be deleted.
    pub async fn sweep(&self) -> (Vec<Exchange>, Vec<LeftBehind>) {
        let mut exchanges = Vec::new();
        let mut failed = Vec::new();
        for (key, marker) in self.pipeline.guard().live().into_iter().rev() {
            let (ex, gone) = self.delete_created(&key, &marker).await;
            exchanges.extend(ex);
            if let Err(l) = gone {
                failed.push(l);
            }
        }
        (exchanges, failed)
    }

    /// What the run still owns, as left behind when a second interrupt abandons the sweep.
    pub fn abandoned(&self) -> Vec<LeftBehind> {
        self.pipeline
            .guard()
            .live()
            .into_iter()
            .map(|(key, marker)| LeftBehind {
                resource: Some(key),
                marker,
                reason: "the cleanup was interrupted".into(),
            })
            .collect()
    }

    /// Accept, the user's extra headers and the bearer token.
    pub fn default_headers(&self) -> Vec<(String, String)> {
        self.config.default_headers()
    }
    /// Runs one check; `seq` must differ between checks of the same run (it namespaces their data).
    pub async fn run(&self, check: &Check, seq: usize) -> CheckResult {
        run_check(self, check, seq).await
    }
    pub fn left_behind(&self) -> Vec<LeftBehind> {
        self.left_behind
            .lock()
            .unwrap_or_else(|e| e.into_inner())
            .clone()
    }

    pub(crate) fn journal_created(&self, key: &str, marker: &str) {
        if let Some(j) = &self.journal {
            j.created(key, marker);
        }
    }
    pub(crate) fn journal_deleted(&self, key: &str) {
        if let Some(j) = &self.journal {
            j.deleted(key);
        }
    }
}

/// The server's own explanation of an error response: the `scimType` and `detail` of its JSON
/// body (a non-empty string each, or `None`).
fn server_words(ex: &Exchange) -> (Option<String>, Option<String>) {
    let Some(body) = ex
        .response
        .as_ref()
        .and_then(|r| r.body.as_ref())
        .and_then(|b| b.json())
    else {
        return (None, None);
    };
    let text = |key: &str| {
        let v = body.get(key)?.as_str()?.trim();
        (!v.is_empty()).then(|| v.to_string())
    };
    (text("scimType"), text("detail"))
}

/// Runs every step of one check; always cleans up what it created.
async fn run_check(shared: &Session, check: &Check, seq: usize) -> CheckResult {
    let started = Instant::now();
    let mut state = CheckState {
        shared,
        mentions: &check.mentions,
        vars: Vars {
            profile: shared
                .config
                .profile
                .as_ref()
                .map(|p| p.fixtures.clone())
                .unwrap_or_default(),
            ..Vars::new(&shared.run_id, seq)
        },
        ledger: Ledger::default(),
        exchanges: Vec::new(),
        safety: Vec::new(),
        left_behind: Vec::new(),
        own_token: None,
    };
    let shapes: Vec<StepShape> = check.steps.iter().map(CheckState::shape).collect();
    let roles = infer_roles(&shapes);
    let mut steps = Vec::new();
    for (n, (step, role)) in check.steps.iter().zip(roles).enumerate() {
        if shared.stopping() {
            steps.push(StepOutcome {
                index: n + 1,
                role,
                exchanges: Vec::new(),
                findings: Vec::new(),
                error: Some(StepError::Interrupted),
                judged: None,
            });
            break;
        }
        let before = state.exchanges.len();
        let end = state.run_step(step).await;
        let exchanges: Vec<usize> = (before..state.exchanges.len()).collect();
        // A request step is judged on its first exchange (later ones prove ownership); a
        // built-in on its last.
        let judged = match step {
            Step::Request(_) => exchanges.first().copied(),
            Step::Builtin(_) => exchanges.last().copied(),
        };
        let mut outcome = StepOutcome {
            index: n + 1,
            role,
            exchanges,
            findings: Vec::new(),
            error: None,
            judged,
        };
        match end {
            StepEnd::Passed => {}
            StepEnd::Failed(mut findings) => {
                let (scim_type, detail) =
                    judged.map_or((None, None), |i| server_words(&state.exchanges[i]));
                for f in &mut findings {
                    if f.server_detail.is_none() {
                        f.server_detail.clone_from(&detail);
                    }
                    if f.scim_type.is_none() {
                        f.scim_type.clone_from(&scim_type);
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
