//! The verdict on one check as data: its status, what each step did (role, exchanges, findings,
//! error) and its cleanup. The one-line `message` every format shows is derived from these.

use super::{Finding, FindingKind, Role, StepError};
use crate::http::Exchange;
use crate::suite::{Check, Level, Origin};
use serde::Serialize;
use std::fmt;

#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, serde::Deserialize)]
#[serde(rename_all = "lowercase")]
pub enum Status {
    Passed,
    Failed,
    Skipped,
    Errored,
    /// A setup step failed, so the requirement itself was never tested.
    Blocked,
}

impl Status {
    pub fn as_str(self) -> &'static str {
        match self {
            Status::Passed => "passed",
            Status::Failed => "failed",
            Status::Skipped => "skipped",
            Status::Errored => "errored",
            Status::Blocked => "blocked",
        }
    }

    /// Failed, errored or blocked: the check ran and its requirement was not shown to hold.
    pub fn is_bad(self) -> bool {
        matches!(self, Status::Failed | Status::Errored | Status::Blocked)
    }
}

/// What one step of a check did.
#[derive(Debug, Clone, Serialize)]
pub struct StepOutcome {
    /// 1-based, as messages count steps.
    pub index: usize,
    pub role: Role,
    /// Indices into the check's `exchanges`.
    pub exchanges: Vec<usize>,
    pub findings: Vec<Finding>,
    pub error: Option<StepError>,
    /// The exchange the step is judged on (a request step's own request, before any read-back
    /// that proves ownership); `None`: its last.
    #[serde(skip)]
    pub judged: Option<usize>,
}

impl StepOutcome {
    /// The exchange the step is judged on.
    pub fn judged_exchange(&self) -> Option<usize> {
        self.judged.or_else(|| self.exchanges.last().copied())
    }

    pub fn passed(&self) -> bool {
        self.findings.is_empty() && self.error.is_none()
    }
}

/// What the check's cleanup did: the deletes it sent and what it could not delete.
#[derive(Debug, Clone, Default, Serialize)]
pub struct CleanupOutcome {
    pub exchanges: Vec<usize>,
    pub left_behind: Vec<LeftBehind>,
}

/// Something the run may have created and did not delete, findable later by its marker
/// (`scimcheck cleanup --run`).
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct LeftBehind {
    /// The resource path under the base URL (`/Users/2819c223`), when the run proved it its own.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub resource: Option<String>,
    /// The run-unique marker the resource carries.
    pub marker: String,
    /// Why it was not deleted.
    pub reason: String,
}

impl fmt::Display for LeftBehind {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match &self.resource {
            Some(r) => write!(f, "{r} ({})", self.reason),
            None => write!(f, "a resource carrying {} ({})", self.marker, self.reason),
        }
    }
}

/// A check that ran one of its alternative forms: which, why (it could not scope its queries,
/// or its own steps write under `--read-only`), and what the form asserts instead.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct UnscopedRun {
    pub form: Form,
    pub why: String,
    pub asserts: String,
}

/// Which alternative form a check ran.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize)]
#[serde(rename_all = "kebab-case")]
pub enum Form {
    /// Filter-free: it reads the whole collection.
    Unscoped,
    /// Write-free: it reads the tenant's data as it is.
    ReadOnly,
}

impl Form {
    pub fn as_str(self) -> &'static str {
        match self {
            Form::Unscoped => "unscoped",
            Form::ReadOnly => "read-only",
        }
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
    /// Ids the check had before it moved; a baseline that names one still applies.
    #[serde(skip_serializing_if = "Vec::is_empty")]
    pub aliases: Vec<String>,
    /// Where the check is defined (`file:line:col`).
    pub origin: String,
    pub status: Status,
    /// Derived from the steps (or the skip reason): what every format shows in one place.
    pub message: String,
    /// Why the check did not run (skipped), if it did not.
    pub reason: Option<String>,
    pub duration_ms: u64,
    /// The steps that ran, in order; a check stops at its first step that does not pass.
    pub steps: Vec<StepOutcome>,
    pub cleanup: CleanupOutcome,
    pub exchanges: Vec<Exchange>,
    /// Set when the check ran its unscoped form.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub unscoped: Option<UnscopedRun>,
}

impl CheckResult {
    /// A bare result for unit tests of what reads results (exit codes, the breaker).
    #[cfg(test)]
    pub(crate) fn for_tests(id: &str, level: Level, status: Status) -> Self {
        CheckResult {
            id: id.to_string(),
            title: String::new(),
            level,
            spec: String::new(),
            catalogue_ref: None,
            tags: Vec::new(),
            aliases: Vec::new(),
            origin: String::new(),
            status,
            message: String::new(),
            reason: None,
            duration_ms: 0,
            steps: Vec::new(),
            cleanup: CleanupOutcome::default(),
            exchanges: Vec::new(),
            unscoped: None,
        }
    }

    fn base(check: &Check, status: Status) -> Self {
        CheckResult {
            id: check.id.0.clone(),
            title: check.title.clone(),
            level: check.level,
            spec: check.spec.clone(),
            catalogue_ref: check.catalogue_ref.clone(),
            tags: check.tags.clone(),
            aliases: check.aliases.iter().map(|a| a.0.clone()).collect(),
            origin: origin_text(&check.origin),
            status,
            message: String::new(),
            reason: None,
            duration_ms: 0,
            steps: Vec::new(),
            cleanup: CleanupOutcome::default(),
            exchanges: Vec::new(),
            unscoped: None,
        }
    }

    /// A check that did not run, and why.
    pub fn skipped(check: &Check, reason: String) -> Self {
        let mut r = CheckResult::base(check, Status::Skipped);
        r.message = reason.clone();
        r.reason = Some(reason);
        r
    }

    /// A check that cannot test its requirement on this server (it uses what the server's
    /// schema does not declare): blocked, before any request.
    pub fn blocked_before(check: &Check, why: String) -> Self {
        let mut r = CheckResult::base(check, Status::Blocked);
        r.message = why;
        r
    }

    /// A check that was never sent because the run gave up on the server; errored, since its
    /// verdict is unknown.
    pub fn not_run(check: &Check, why: String) -> Self {
        let mut r = CheckResult::base(check, Status::Errored);
        r.message = why;
        r
    }

    /// A check that ran: its status follows from its steps.
    pub fn ran(
        check: &Check,
        steps: Vec<StepOutcome>,
        cleanup: CleanupOutcome,
        exchanges: Vec<Exchange>,
        duration_ms: u64,
    ) -> Self {
        let mut r = CheckResult::base(check, Status::Passed);
        r.steps = steps;
        r.cleanup = cleanup;
        r.exchanges = exchanges;
        r.duration_ms = duration_ms;
        r.derive();
        r
    }

    /// Sets `status` and `message` from the steps and cleanup (a skipped check keeps its reason).
    pub fn derive(&mut self) {
        if self.reason.is_some() {
            self.status = Status::Skipped;
            self.message = self.reason.clone().unwrap_or_default();
            return;
        }
        self.status = match self.deciding_step() {
            None => Status::Passed,
            Some(s) if s.error.is_some() => Status::Errored,
            // The server refused what the check prepares, or its schema would need the check's
            // own subject adapted: the requirement was never tested.
            Some(s) if s.role == Role::Setup => Status::Blocked,
            Some(s) if s.findings.iter().all(|f| f.kind == FindingKind::Fixture) => Status::Blocked,
            Some(_) => Status::Failed,
        };
        self.message = self.derive_message();
    }

    /// The step the verdict rests on: the first one that did not pass.
    pub fn deciding_step(&self) -> Option<&StepOutcome> {
        self.steps.iter().find(|s| !s.passed())
    }

    /// `step N (METHOD url → status)` for the deciding step, from its last exchange.
    pub fn step_heading(&self) -> Option<String> {
        let step = self.deciding_step()?;
        let last = step.judged_exchange().and_then(|i| self.exchanges.get(i));
        Some(match last {
            Some(ex) => {
                let status = ex
                    .response
                    .as_ref()
                    .map_or_else(|| "no response".to_string(), |r| r.status.to_string());
                format!(
                    "step {} ({} {} → {status})",
                    step.index, ex.request.method, ex.request.url
                )
            }
            None => format!("step {}", step.index),
        })
    }

    /// What went wrong, one line each: the deciding step's findings, or its error.
    pub fn problem_lines(&self) -> Vec<String> {
        match self.deciding_step() {
            Some(StepOutcome { error: Some(e), .. }) => vec![e.to_string()],
            Some(s) => s.findings.iter().map(Finding::to_string).collect(),
            None => Vec::new(),
        }
    }

    /// The first thing to say about a check that did not pass: its first finding or error, or
    /// why it was skipped or not run.
    pub fn first_problem(&self) -> String {
        match &self.reason {
            Some(reason) => reason.clone(),
            None => self
                .problem_lines()
                .into_iter()
                .next()
                .unwrap_or_else(|| self.message.clone()),
        }
    }

    /// Whether a step found an answer it could not prove safe, or the guard refused a write.
    pub fn stopped_for_safety(&self) -> bool {
        self.steps.iter().any(|s| {
            matches!(s.error, Some(StepError::Safety(_)))
                || s.findings
                    .iter()
                    .any(|f| f.kind == super::FindingKind::Safety)
        })
    }

    fn derive_message(&self) -> String {
        let mut message = match self.step_heading() {
            Some(heading) => format!("{heading}: {}", self.problem_lines().join("\n")),
            None => String::new(),
        };
        if !self.cleanup.left_behind.is_empty() {
            if !message.is_empty() {
                message.push('\n');
            }
            let list: Vec<String> = self
                .cleanup
                .left_behind
                .iter()
                .map(|l| l.to_string())
                .collect();
            message.push_str(&format!("left behind: {}", list.join("; ")));
        }
        message
    }
}

fn origin_text(origin: &Origin) -> String {
    if origin.file.is_empty() {
        String::new()
    } else {
        origin.to_string()
    }
}

#[derive(Debug, Clone, Default, Serialize, PartialEq, Eq)]
pub struct Summary {
    pub total: usize,
    pub passed: usize,
    pub failed: usize,
    pub skipped: usize,
    pub errored: usize,
    pub blocked: usize,
    /// Checks stopped because an answer could not be proved safe to act on (a create naming a
    /// resource that does not carry our marker, a write the guard refused); counted in the
    /// statuses above too.
    pub safety: usize,
}

impl std::fmt::Display for Summary {
    /// `3 passed, 1 failed, 0 skipped, 0 errored` (and `, N blocked` when there are any): the
    /// counts sentence every format shows.
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        write!(
            f,
            "{} passed, {} failed, {} skipped, {} errored",
            self.passed, self.failed, self.skipped, self.errored
        )?;
        if self.blocked > 0 {
            write!(f, ", {} blocked", self.blocked)?;
        }
        if self.safety > 0 {
            write!(f, " ({} stopped for safety)", self.safety)?;
        }
        Ok(())
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
            Status::Blocked => self.blocked += 1,
        }
    }

    pub fn of(results: &[CheckResult]) -> Summary {
        let mut s = Summary::default();
        for r in results {
            s.add(r.status);
            if r.stopped_for_safety() {
                s.safety += 1;
            }
        }
        s
    }
}
