//! Running checks: discovery and capability gating, concurrent execution, captures, the cleanup
//! ledger and safety guard, and the RunReport that every reporter reads.

mod builtin;
mod bulk;
mod discover;
mod events;
mod execute;
pub mod journal;
mod ledger;
pub mod leftovers;
mod own;
mod plan;
mod report;
mod runner;
mod step;

pub use discover::{Capabilities, Discovered, DiscoveryError, discover};
pub use events::{EventSink, RunEvent, Silent};
pub use execute::Session;
pub use plan::{Pattern, Planned, plan};
pub use report::{REPORT_VERSION, RunExchanges, RunReport, Tool};
pub use runner::{RunError, Runner};

pub use crate::outcome::{CheckResult, LeftBehind, Status, Summary};

use crate::http::{HttpClient, Redactor};
use std::time::Duration;

/// What the harness accepts by default: SCIM JSON, and plain JSON from servers that only speak it.
/// Checks that probe content negotiation set their own Accept.
pub const DEFAULT_ACCEPT: &str = "application/scim+json, application/json;q=0.9";

/// A validated run configuration: built once (from the command line, or by a library user) and
/// read, never changed, by everything after.
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
    /// Appended to the report's target (e.g. " (embedded reference server)").
    pub target_label: String,
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
            target_label: String::new(),
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

/// A short random run id; every value the run invents carries it.
pub fn new_run_id() -> String {
    uuid::Uuid::new_v4().simple().to_string()[..8].to_string()
}

fn now_rfc3339() -> String {
    time::OffsetDateTime::now_utc()
        .format(&time::format_description::well_known::Rfc3339)
        .unwrap_or_default()
}
