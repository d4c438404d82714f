//! Exit codes, decided in one place (and listed in README.md).

use crate::run::{RunReport, Status};
use crate::suite::Level;

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Exit {
    /// Every MUST check that ran passed (and every SHOULD/MAY with --strict); none errored.
    Ok = 0,
    /// At least one conformance failure that counts.
    Failures = 1,
    /// Usage error (clap's own).
    Usage = 2,
    /// A suite file is invalid.
    InvalidSuite = 3,
    /// The target is unreachable, not SCIM, or a check could not be judged.
    Runtime = 4,
}

impl Exit {
    pub fn code(self) -> i32 {
        self as i32
    }

    /// The exit code a finished run earns.
    pub fn for_report(report: &RunReport, strict: bool) -> Exit {
        let counts = |r: &&crate::run::CheckResult| r.level == Level::Must || strict;
        if report
            .results
            .iter()
            .filter(counts)
            .any(|r| r.status == Status::Failed)
        {
            Exit::Failures
        } else if report.results.iter().any(|r| r.status == Status::Errored) {
            Exit::Runtime
        } else {
            Exit::Ok
        }
    }

    /// With `--baseline`, the baseline decides instead: any regression (at any level) fails the run.
    pub fn for_baseline(diff: &crate::report::Diff) -> Exit {
        if diff.regressions.is_empty() {
            Exit::Ok
        } else {
            Exit::Failures
        }
    }
}
