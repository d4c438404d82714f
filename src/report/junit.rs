//! `junit.xml` via quick-junit: one testsuite per area, one testcase per check; a failed check is a
//! `failure`, an errored one an `error` (kept apart), a skipped one `skipped` with its reason, a
//! blocked one `skipped` with what blocked it.

use super::parts::area;
use super::transcript::transcript;
use crate::run::{CheckResult, RunReport, Status};
use quick_junit::{NonSuccessKind, Property, Report, TestCase, TestCaseStatus, TestSuite};
use std::collections::BTreeMap;
use std::io::Write;
use std::time::Duration;

fn millis(ms: u64) -> Duration {
    Duration::from_millis(ms)
}

fn test_case(r: &CheckResult) -> TestCase {
    let status = match r.status {
        Status::Passed => TestCaseStatus::success(),
        Status::Skipped => {
            let mut s = TestCaseStatus::skipped();
            s.set_message(r.message.as_str());
            s
        }
        // Its requirement was never tested: not a failure of it, so CI does not count it as one.
        Status::Blocked => {
            let mut s = TestCaseStatus::skipped();
            s.set_message(format!("blocked: {}", r.message));
            s
        }
        Status::Failed | Status::Errored => {
            let kind = if r.status == Status::Failed {
                NonSuccessKind::Failure
            } else {
                NonSuccessKind::Error
            };
            let mut s = TestCaseStatus::non_success(kind);
            s.set_message(r.first_problem())
                .set_type(r.level.as_str())
                .set_description(r.message.as_str());
            s
        }
    };
    let mut case = TestCase::new(r.id.as_str(), status);
    case.set_classname(area(&r.id))
        .set_time(millis(r.duration_ms));
    if r.status.is_bad() && !r.exchanges.is_empty() {
        case.set_system_out(transcript(&r.exchanges));
    }
    case
}

/// The JUnit report of a run, areas in the order they first appear, checks in run order.
pub fn junit_report(report: &RunReport) -> Report {
    let mut order: Vec<&str> = Vec::new();
    let mut by_area: BTreeMap<&str, Vec<&CheckResult>> = BTreeMap::new();
    for r in &report.results {
        let a = area(&r.id);
        by_area
            .entry(a)
            .or_insert_with(|| {
                order.push(a);
                Vec::new()
            })
            .push(r);
    }
    let mut out = Report::new(report.tool.name);
    out.set_time(millis(report.duration_ms));
    for a in order {
        let results = &by_area[a];
        let mut suite = TestSuite::new(a);
        suite
            .add_property(Property::new("target", report.target.as_str()))
            .add_property(Property::new("tool.version", report.tool.version))
            .set_time(millis(results.iter().map(|r| r.duration_ms).sum()))
            .add_test_cases(results.iter().map(|r| test_case(r)));
        out.add_test_suite(suite);
    }
    out
}

pub fn write_junit(report: &RunReport, out: impl Write) -> std::io::Result<()> {
    junit_report(report)
        .serialize(out)
        .map_err(std::io::Error::other)
}
