//! A check and the small values that name it: id, level and the place in a file it came from.

use super::{Capability, Step};
use serde::{Deserialize, Serialize};
use std::fmt;

/// A stable, dotted, lowercase check id such as `users.create.returns-201-with-id`.
#[derive(Debug, Clone, PartialEq, Eq, PartialOrd, Ord, Hash, Serialize, Deserialize)]
#[serde(transparent)]
pub struct CheckId(pub String);

impl CheckId {
    pub fn as_str(&self) -> &str {
        &self.0
    }
}

impl fmt::Display for CheckId {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(&self.0)
    }
}

/// Requirement level as the RFCs use it.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash, Serialize, Deserialize)]
pub enum Level {
    #[serde(rename = "MUST")]
    Must,
    #[serde(rename = "SHOULD")]
    Should,
    #[serde(rename = "MAY")]
    May,
}

impl Level {
    pub fn as_str(self) -> &'static str {
        match self {
            Level::Must => "MUST",
            Level::Should => "SHOULD",
            Level::May => "MAY",
        }
    }
}

impl fmt::Display for Level {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.as_str())
    }
}

/// Where a node of a suite was written (file:line:col), for diagnostics, reports and findings.
#[derive(Debug, Clone, PartialEq, Eq, Default, Serialize)]
pub struct Origin {
    pub file: String,
    pub line: usize,
    pub col: usize,
}

impl fmt::Display for Origin {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "{}:{}:{}", self.file, self.line, self.col)
    }
}

/// One observable requirement.
#[derive(Debug, Clone)]
pub struct Check {
    pub id: CheckId,
    pub title: String,
    pub level: Level,
    pub spec: String,
    pub catalogue_ref: Option<String>,
    pub tags: Vec<String>,
    pub requires: Vec<Capability>,
    pub steps: Vec<Step>,
    /// Where the check's id is written.
    pub origin: Origin,
}
