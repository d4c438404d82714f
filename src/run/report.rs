//! The RunReport every reporter reads: report.json schema_version 2 is its serialization.

use super::Capabilities;
use crate::http::Exchange;
use crate::outcome::{CheckResult, LeftBehind, Summary};
use crate::suite::Capability;
use serde::Serialize;

/// The report.json version this scimcheck writes.
pub const REPORT_VERSION: u32 = 2;

#[derive(Debug, Clone, Serialize)]
pub struct Tool {
    pub name: &'static str,
    pub version: &'static str,
}

/// Requests the run sent outside any check: discovery before, the interrupt sweep after.
#[derive(Debug, Clone, Default, Serialize)]
pub struct RunExchanges {
    pub exchanges: Vec<Exchange>,
}

impl RunExchanges {
    pub fn is_empty(&self) -> bool {
        self.exchanges.is_empty()
    }
}

/// What the server's /Schemas and /ResourceTypes made of the bodies the run sent.
#[derive(Debug, Clone, Default, Serialize)]
pub struct FixturesReport {
    /// What the server declares required beyond the RFC (`User name`), filled in when a body
    /// lacks it.
    pub required: Vec<String>,
    /// Every adaptation made, once each (`User emails.display: not declared by the server, left
    /// out`).
    pub adapted: Vec<String>,
}

/// Everything a run found; reporters turn it into bytes.
#[derive(Debug, Clone, Serialize)]
pub struct RunReport {
    pub schema_version: u32,
    pub tool: Tool,
    /// The id every value this run invented carries (`scimcheck-<run_id>-…`).
    pub run_id: String,
    pub target: String,
    /// The contract the run checked against (vendor profiles; `null` for the RFCs alone).
    pub profile: Option<String>,
    pub started_at: String,
    pub duration_ms: u64,
    /// The run was stopped (Ctrl-C, SIGTERM) before every planned check finished.
    pub interrupted: bool,
    #[serde(serialize_with = "capabilities_json")]
    pub capabilities: Capabilities,
    pub summary: Summary,
    pub discovery: RunExchanges,
    /// The OAuth token requests (client credentials), when the run used OAuth.
    #[serde(skip_serializing_if = "RunExchanges::is_empty")]
    pub authentication: RunExchanges,
    pub cleanup: RunExchanges,
    /// Resources the run created and could not delete (each check's cleanup and the sweep).
    pub left_behind: Vec<LeftBehind>,
    /// How create and replace bodies were adapted to the server's own schema.
    pub fixtures: FixturesReport,
    /// How many checks ran at once.
    pub jobs: Jobs,
    pub results: Vec<CheckResult>,
}

/// `{"adaptive": true, "most": 6}`: whether the number of checks run at once adapted to the
/// server (no `--jobs`), and the most that ran at once (the fixed number otherwise).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize)]
pub struct Jobs {
    pub adaptive: bool,
    pub most: usize,
}

impl RunReport {
    pub fn summarize(results: &[CheckResult]) -> Summary {
        Summary::of(results)
    }
}

/// `{"advertised": [...], "not_advertised": [...], "auth": bool}`.
fn capabilities_json<S: serde::Serializer>(caps: &Capabilities, s: S) -> Result<S::Ok, S::Error> {
    use serde::ser::SerializeStruct;
    let (yes, no): (Vec<_>, Vec<_>) = Capability::ADVERTISED
        .iter()
        .map(|c| (c.as_str(), caps.has(*c)))
        .partition(|(_, has)| *has);
    let names = |v: Vec<(&'static str, bool)>| v.into_iter().map(|(n, _)| n).collect::<Vec<_>>();
    let mut st = s.serialize_struct("Capabilities", 3)?;
    st.serialize_field("advertised", &names(yes))?;
    st.serialize_field("not_advertised", &names(no))?;
    st.serialize_field("auth", &caps.has(Capability::Auth))?;
    st.end()
}
