//! Baselines: a deterministic, timing-free verdict file (JSON, `schema_version` 1, check id →
//! status, sorted), and the pure comparison of a run with it that decides what regressed.

use crate::run::{RunReport, Status};
use serde::{Deserialize, Serialize};
use std::collections::BTreeMap;
use std::fmt::Write;

pub const BASELINE_VERSION: u32 = 1;

/// The verdict file. No times, no target, no ports: two runs with the same verdicts write the same bytes.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct Baseline {
    pub schema_version: u32,
    pub tool: String,
    pub checks: BTreeMap<String, Status>,
}

#[derive(Debug, thiserror::Error)]
pub enum BaselineError {
    #[error("not a scimcheck baseline: {0}")]
    Parse(#[from] serde_json::Error),
    #[error(
        "baseline schema_version {0} is not supported (this scimcheck reads {BASELINE_VERSION})"
    )]
    Version(u32),
}

impl Baseline {
    pub fn from_report(report: &RunReport) -> Self {
        Baseline {
            schema_version: BASELINE_VERSION,
            tool: report.tool.name.to_string(),
            checks: report
                .results
                .iter()
                .map(|r| (r.id.clone(), r.status))
                .collect(),
        }
    }

    pub fn parse(text: &str) -> Result<Self, BaselineError> {
        let b: Baseline = serde_json::from_str(text)?;
        if b.schema_version != BASELINE_VERSION {
            return Err(BaselineError::Version(b.schema_version));
        }
        Ok(b)
    }

    /// Pretty JSON, keys sorted, ending in a newline.
    pub fn to_json(&self) -> String {
        let mut s = serde_json::to_string_pretty(self).unwrap_or_default();
        s.push('\n');
        s
    }
}

/// One check whose verdict moved; `before` is None for a check the baseline does not know.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Change {
    pub id: String,
    pub before: Option<Status>,
    pub now: Status,
}

/// What a run changed relative to a baseline, each list in run order.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct Diff {
    /// Failed or errored now, and not failed or errored in the baseline (passed, skipped, or absent).
    pub regressions: Vec<Change>,
    /// Failed or errored in the baseline, passed now.
    pub fixed: Vec<Change>,
    /// Skipped now, ran in the baseline (not a regression, but worth knowing).
    pub newly_skipped: Vec<Change>,
}

/// Compares a run with a baseline. Checks the baseline lists but this run did not plan are ignored.
pub fn compare(report: &RunReport, baseline: &Baseline) -> Diff {
    let mut diff = Diff::default();
    for r in &report.results {
        // A check that moved (into a profile, say) keeps the verdict recorded under its old id.
        let before = std::iter::once(&r.id)
            .chain(&r.aliases)
            .find_map(|id| baseline.checks.get(id))
            .copied();
        let change = Change {
            id: r.id.clone(),
            before,
            now: r.status,
        };
        let was_bad = before.is_some_and(Status::is_bad);
        if r.status.is_bad() && !was_bad {
            diff.regressions.push(change);
        } else if r.status == Status::Passed && was_bad {
            diff.fixed.push(change);
        } else if r.status == Status::Skipped && before.is_some_and(|b| b != Status::Skipped) {
            diff.newly_skipped.push(change);
        }
    }
    diff
}

fn line(s: &mut String, c: &Change) {
    let before = c.before.map_or("not in baseline", Status::as_str);
    let _ = writeln!(s, "  {}: {before} → {}", c.id, c.now.as_str());
}

/// The terminal account of a diff; `path` is the baseline file as the user named it.
pub fn render_diff(diff: &Diff, path: &str) -> String {
    let mut s = String::new();
    if diff.regressions.is_empty() {
        let _ = writeln!(s, "baseline {path}: no regressions");
    } else {
        let _ = writeln!(
            s,
            "baseline {path}: {} regression(s)",
            diff.regressions.len()
        );
        diff.regressions.iter().for_each(|c| line(&mut s, c));
    }
    if !diff.fixed.is_empty() {
        let _ = writeln!(
            s,
            "newly fixed: {} check(s) failed in the baseline and pass now; refresh it with --write-baseline {path}",
            diff.fixed.len()
        );
        diff.fixed.iter().for_each(|c| line(&mut s, c));
    }
    if !diff.newly_skipped.is_empty() {
        let _ = writeln!(
            s,
            "newly skipped: {} check(s) ran in the baseline and were skipped now",
            diff.newly_skipped.len()
        );
        diff.newly_skipped.iter().for_each(|c| line(&mut s, c));
    }
    s
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::run::{Capabilities, CheckResult, RunExchanges, Tool};
    use crate::suite::Level;

    fn report(verdicts: &[(&str, Status)]) -> RunReport {
        let results: Vec<CheckResult> = verdicts
            .iter()
            .map(|(id, status)| CheckResult {
                duration_ms: 7,
                ..CheckResult::for_tests(id, Level::Must, *status)
            })
            .collect();
        RunReport {
            schema_version: 2,
            tool: Tool {
                name: "scimcheck",
                version: "0",
            },
            run_id: "ab12cd34".into(),
            target: "http://127.0.0.1:1234/scim/v2".into(),
            profile: None,
            started_at: "2026-01-01T00:00:00Z".into(),
            duration_ms: 99,
            interrupted: false,
            capabilities: Capabilities::default(),
            summary: RunReport::summarize(&results),
            discovery: RunExchanges::default(),
            authentication: RunExchanges::default(),
            cleanup: RunExchanges::default(),
            left_behind: vec![],
            fixtures: Default::default(),
            jobs: crate::run::Jobs {
                adaptive: false,
                most: 1,
            },
            results,
        }
    }

    use Status::*;

    #[test]
    fn known_failures_may_still_fail() {
        let base = Baseline::from_report(&report(&[("a.x", Failed), ("a.y", Errored)]));
        let now = report(&[("a.x", Failed), ("a.y", Failed)]);
        assert_eq!(compare(&now, &base), Diff::default());
    }

    #[test]
    fn passing_then_failing_or_erroring_is_a_regression() {
        let base = Baseline::from_report(&report(&[("a.x", Passed), ("a.y", Passed)]));
        let d = compare(&report(&[("a.x", Failed), ("a.y", Errored)]), &base);
        assert_eq!(d.regressions.len(), 2);
        assert_eq!(d.regressions[1].before, Some(Passed));
        assert_eq!(d.regressions[1].now, Errored);
    }

    #[test]
    fn a_moved_check_keeps_the_verdict_recorded_under_its_old_id() {
        let base = Baseline::from_report(&report(&[("patch.old", Failed), ("patch.ok", Passed)]));
        let mut now = report(&[("entra.old", Failed), ("entra.ok", Failed)]);
        now.results[0].aliases = vec!["patch.old".into()];
        now.results[1].aliases = vec!["patch.ok".into()];
        let d = compare(&now, &base);
        assert_eq!(d.regressions.len(), 1);
        assert_eq!(d.regressions[0].id, "entra.ok");
        assert_eq!(d.regressions[0].before, Some(Passed));
    }

    #[test]
    fn a_new_failing_check_is_a_regression_and_a_new_passing_one_is_not() {
        let base = Baseline::from_report(&report(&[]));
        let d = compare(&report(&[("a.new", Failed), ("a.ok", Passed)]), &base);
        assert_eq!(
            d.regressions,
            [Change {
                id: "a.new".into(),
                before: None,
                now: Failed
            }]
        );
        assert!(d.fixed.is_empty() && d.newly_skipped.is_empty());
    }

    #[test]
    fn skipped_before_and_failing_now_is_a_regression() {
        let base = Baseline::from_report(&report(&[("a.x", Skipped)]));
        assert_eq!(
            compare(&report(&[("a.x", Failed)]), &base)
                .regressions
                .len(),
            1
        );
    }

    #[test]
    fn fixed_and_newly_skipped_are_listed_not_counted() {
        let base = Baseline::from_report(&report(&[
            ("a.f", Failed),
            ("a.e", Errored),
            ("a.s", Passed),
            ("a.t", Skipped),
        ]));
        let d = compare(
            &report(&[
                ("a.f", Passed),
                ("a.e", Passed),
                ("a.s", Skipped),
                ("a.t", Skipped),
            ]),
            &base,
        );
        assert!(d.regressions.is_empty());
        assert_eq!(d.fixed.len(), 2);
        assert_eq!(d.newly_skipped.len(), 1);
        let text = render_diff(&d, "b.json");
        assert!(text.contains("no regressions"), "{text}");
        assert!(text.contains("--write-baseline b.json"), "{text}");
        assert!(text.contains("  a.s: passed → skipped"), "{text}");
    }

    #[test]
    fn checks_missing_from_the_run_are_ignored() {
        let base = Baseline::from_report(&report(&[("a.gone", Passed)]));
        assert_eq!(compare(&report(&[]), &base), Diff::default());
    }

    #[test]
    fn the_file_is_sorted_timing_free_and_round_trips() {
        let r = report(&[("b.y", Passed), ("a.x", Failed)]);
        let json = Baseline::from_report(&r).to_json();
        assert_eq!(
            json,
            "{\n  \"schema_version\": 1,\n  \"tool\": \"scimcheck\",\n  \"checks\": {\n    \"a.x\": \"failed\",\n    \"b.y\": \"passed\"\n  }\n}\n"
        );
        assert!(!json.contains("1234") && !json.contains("99"));
        assert_eq!(Baseline::parse(&json).unwrap(), Baseline::from_report(&r));
    }

    #[test]
    fn broken_files_say_why() {
        let e = Baseline::parse("{\"schema_version\": 2, \"tool\": \"x\", \"checks\": {}}");
        assert!(e.unwrap_err().to_string().contains("schema_version 2"));
        let e = Baseline::parse("{\"checks\": {\"a\": \"green\"}}").unwrap_err();
        assert!(e.to_string().starts_with("not a scimcheck baseline"), "{e}");
        assert!(Baseline::parse("").is_err());
    }
}
