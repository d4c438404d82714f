//! Running checks: discovery and capability gating, concurrent execution, captures, the cleanup
//! ledger and safety guard, and the RunReport that every reporter reads.

mod builtin;
mod bulk;
mod discover;
mod execute;
mod ledger;
mod plan;
mod step;

pub use discover::{Capabilities, DiscoveryError, discover};
pub use execute::Session;
pub use plan::{Pattern, Planned, plan};

use crate::check::SchemaStore;
use crate::http::{Exchange, HttpClient, Redactor};
use crate::suite::{Check, Level};
use futures::StreamExt;
use serde::Serialize;
use std::sync::Arc;
use std::time::{Duration, Instant};

/// What the harness accepts by default: SCIM JSON, and plain JSON from servers that only speak it.
/// Checks that probe content negotiation set their own Accept.
pub const DEFAULT_ACCEPT: &str = "application/scim+json, application/json;q=0.9";

/// A validated run configuration (built once from the command line).
#[derive(Debug, Clone)]
pub struct RunConfig {
    /// Base URL without a trailing slash.
    pub base_url: String,
    pub token: Option<String>,
    pub headers: Vec<(String, String)>,
    pub jobs: usize,
    pub timeout: Duration,
    pub only: Vec<Pattern>,
    pub skip: Vec<Pattern>,
}

impl RunConfig {
    pub fn new(base_url: &str) -> Self {
        RunConfig {
            base_url: base_url.trim_end_matches('/').to_string(),
            token: None,
            headers: Vec::new(),
            jobs: 8,
            timeout: Duration::from_secs(30),
            only: Vec::new(),
            skip: Vec::new(),
        }
    }

    /// Headers every request carries unless a step says otherwise: Accept, the user's extra
    /// headers and the bearer token.
    pub fn default_headers(&self) -> Vec<(String, String)> {
        let mut headers = vec![("Accept".to_string(), DEFAULT_ACCEPT.to_string())];
        headers.extend(self.headers.iter().cloned());
        if let Some(t) = &self.token {
            headers.push(("Authorization".to_string(), format!("Bearer {t}")));
        }
        headers
    }

    pub fn client(&self) -> Result<HttpClient, reqwest::Error> {
        let secrets: Vec<String> = self.token.iter().cloned().collect();
        HttpClient::new(self.timeout, Redactor::new(&secrets, &self.headers))
    }
}

#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, serde::Deserialize)]
#[serde(rename_all = "lowercase")]
pub enum Status {
    Passed,
    Failed,
    Skipped,
    Errored,
}

impl Status {
    pub fn as_str(self) -> &'static str {
        match self {
            Status::Passed => "passed",
            Status::Failed => "failed",
            Status::Skipped => "skipped",
            Status::Errored => "errored",
        }
    }

    /// Failed or errored: the check did not pass and was not skipped.
    pub fn is_bad(self) -> bool {
        matches!(self, Status::Failed | Status::Errored)
    }
}

/// The verdict on one check, with its evidence.
#[derive(Debug, Clone, Serialize)]
pub struct CheckResult {
    pub id: String,
    pub title: String,
    pub level: Level,
    pub spec: String,
    #[serde(rename = "ref")]
    pub catalogue_ref: Option<String>,
    pub tags: Vec<String>,
    pub status: Status,
    pub message: String,
    pub duration_ms: u64,
    pub exchanges: Vec<Exchange>,
}

impl CheckResult {
    pub(crate) fn new(check: &Check, status: Status, message: String) -> Self {
        CheckResult {
            id: check.id.0.clone(),
            title: check.title.clone(),
            level: check.level,
            spec: check.spec.clone(),
            catalogue_ref: check.catalogue_ref.clone(),
            tags: check.tags.clone(),
            status,
            message,
            duration_ms: 0,
            exchanges: Vec::new(),
        }
    }
}

#[derive(Debug, Clone, Default, Serialize, PartialEq, Eq)]
pub struct Summary {
    pub total: usize,
    pub passed: usize,
    pub failed: usize,
    pub skipped: usize,
    pub errored: usize,
}

impl std::fmt::Display for Summary {
    /// `3 passed, 1 failed, 0 skipped, 0 errored`: the counts sentence every format shows.
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        write!(
            f,
            "{} passed, {} failed, {} skipped, {} errored",
            self.passed, self.failed, self.skipped, self.errored
        )
    }
}

impl Summary {
    /// Counts one more check with this status.
    pub fn add(&mut self, status: Status) {
        self.total += 1;
        match status {
            Status::Passed => self.passed += 1,
            Status::Failed => self.failed += 1,
            Status::Skipped => self.skipped += 1,
            Status::Errored => self.errored += 1,
        }
    }
}

#[derive(Debug, Clone, Serialize)]
pub struct Tool {
    pub name: &'static str,
    pub version: &'static str,
}

/// Everything a run found; reporters turn it into bytes.
#[derive(Debug, Clone, Serialize)]
pub struct RunReport {
    pub schema_version: u32,
    pub tool: Tool,
    pub target: String,
    pub started_at: String,
    pub duration_ms: u64,
    pub summary: Summary,
    pub results: Vec<CheckResult>,
    /// Resources the harness created but could not delete (not part of report.json).
    #[serde(skip)]
    pub left_behind: Vec<String>,
    #[serde(skip)]
    pub capabilities: Capabilities,
}

impl RunReport {
    pub fn summarize(results: &[CheckResult]) -> Summary {
        let mut s = Summary::default();
        for r in results {
            s.add(r.status);
        }
        s
    }
}

/// Discovery, planning (with the config's `--only` / `--skip` patterns) and execution in one call:
/// what a library user or a test needs when no live progress or interrupt handling is wanted.
pub async fn run_checks(
    config: &RunConfig,
    checks: &[Check],
    schemas: Arc<SchemaStore>,
) -> Result<RunReport, RunError> {
    let client = config
        .client()
        .map_err(|e| RunError::Client(e.to_string()))?;
    let caps = discover(&client, config).await?;
    let planned = plan(checks, &config.only, &config.skip, &caps);
    let session = Arc::new(Session::new(config, client, schemas, &new_run_id()));
    Ok(execute(&session, caps, planned).await)
}

/// Why [`run_checks`] could not run at all.
#[derive(Debug, thiserror::Error)]
pub enum RunError {
    #[error("cannot build the HTTP client: {0}")]
    Client(String),
    #[error(transparent)]
    Discovery(#[from] DiscoveryError),
}

fn now_rfc3339() -> String {
    time::OffsetDateTime::now_utc()
        .format(&time::format_description::well_known::Rfc3339)
        .unwrap_or_default()
}

/// A short random run id; every value the run invents carries it.
pub fn new_run_id() -> String {
    uuid::Uuid::new_v4().simple().to_string()[..8].to_string()
}

/// Runs the planned checks against the target. Discovery must have succeeded already.
/// If this future is dropped (an interrupt), `session.sweep()` deletes what the run created.
pub async fn execute(
    session: &Arc<Session>,
    capabilities: Capabilities,
    planned: Vec<Planned>,
) -> RunReport {
    execute_with(session, capabilities, planned, &|_: &CheckResult| {}).await
}

/// [`execute`], calling `on_result` as each check finishes (live progress).
pub async fn execute_with(
    session: &Arc<Session>,
    capabilities: Capabilities,
    planned: Vec<Planned>,
    on_result: &(dyn Fn(&CheckResult) + Sync),
) -> RunReport {
    let started_at = now_rfc3339();
    let started = Instant::now();
    let jobs = session.jobs().max(1);
    let mut indexed: Vec<(usize, CheckResult)> =
        futures::stream::iter(planned.into_iter().enumerate())
            .map(|(seq, p)| {
                let session = Arc::clone(session);
                async move {
                    let result = match p.skip_reason {
                        Some(reason) => CheckResult::new(&p.check, Status::Skipped, reason),
                        None => session.run(&p.check, seq).await,
                    };
                    on_result(&result);
                    (seq, result)
                }
            })
            .buffer_unordered(jobs)
            .collect()
            .await;
    indexed.sort_by_key(|(i, _)| *i);
    let results: Vec<CheckResult> = indexed.into_iter().map(|(_, r)| r).collect();
    RunReport {
        schema_version: 1,
        tool: Tool {
            name: "scimcheck",
            version: env!("CARGO_PKG_VERSION"),
        },
        target: session.client.redactor().text(&session.config.base_url),
        started_at,
        duration_ms: started.elapsed().as_millis() as u64,
        summary: RunReport::summarize(&results),
        results,
        left_behind: session.left_behind(),
        capabilities,
    }
}
