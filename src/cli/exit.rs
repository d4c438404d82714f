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

    /// The exit code a finished run earns. An errored check wins over failures: the set of
    /// verdicts is incomplete, so "what failed" is not the whole answer.
    pub fn for_report(report: &RunReport, strict: bool) -> Exit {
        let counts = |r: &&crate::run::CheckResult| r.level == Level::Must || strict;
        if any_errored(report) {
            Exit::Runtime
        } else if report
            .results
            .iter()
            .filter(counts)
            .any(|r| r.status == Status::Failed)
        {
            Exit::Failures
        } else {
            Exit::Ok
        }
    }

    /// With `--baseline`, the baseline decides between 0 and 1 instead: any regression (at any
    /// level) fails the run. An errored check still makes it 4, as without a baseline.
    pub fn for_baseline(report: &RunReport, diff: &crate::report::Diff) -> Exit {
        if any_errored(report) {
            Exit::Runtime
        } else if diff.regressions.is_empty() {
            Exit::Ok
        } else {
            Exit::Failures
        }
    }
}

impl Exit {
    /// One line that says why the run earns this exit code (`exit 1: 2 MUST checks failed`);
    /// `diff` is the comparison with a baseline, when one decided.
    pub fn explain(
        self,
        report: &RunReport,
        strict: bool,
        diff: Option<&crate::report::Diff>,
    ) -> String {
        let count = |pred: &dyn Fn(&crate::run::CheckResult) -> bool| {
            report.results.iter().filter(|r| pred(r)).count()
        };
        let checks = |n: usize| if n == 1 { "check" } else { "checks" };
        let errored = count(&|r| r.status == Status::Errored);
        let must = count(&|r| r.status == Status::Failed && r.level == Level::Must);
        let lesser = count(&|r| r.status == Status::Failed && r.level != Level::Must);
        let blocked = count(&|r| r.status == Status::Blocked);
        let mut line = match (self, diff) {
            (Exit::Runtime, _) if report.interrupted => "exit 4: the run was interrupted".into(),
            (Exit::Runtime, _) => format!(
                "exit 4: {errored} {} errored, so the verdict is incomplete",
                checks(errored)
            ),
            (Exit::Failures, Some(d)) => format!(
                "exit 1: {} regression(s) against the baseline",
                d.regressions.len()
            ),
            (Exit::Failures, None) if strict && lesser > 0 => format!(
                "exit 1: {must} MUST and {lesser} SHOULD/MAY {} failed (--strict)",
                checks(lesser)
            ),
            (Exit::Failures, None) => format!("exit 1: {must} MUST {} failed", checks(must)),
            (_, Some(_)) => "exit 0: no regressions against the baseline".into(),
            _ => {
                let mut l = "exit 0: every MUST check that ran passed".to_string();
                if lesser > 0 {
                    l.push_str(&format!(
                        "; {lesser} SHOULD/MAY {} failed (they count with --strict)",
                        checks(lesser)
                    ));
                }
                l
            }
        };
        if blocked > 0 && self != Exit::Runtime {
            line.push_str(&format!(
                "; {blocked} blocked {} not tested",
                if blocked == 1 {
                    "check was"
                } else {
                    "checks were"
                }
            ));
        }
        line
    }
}

fn any_errored(report: &RunReport) -> bool {
    report.results.iter().any(|r| r.status == Status::Errored)
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::outcome::{CheckResult, Summary};
    use crate::report::Diff;
    use crate::run::{Capabilities, RunExchanges, Tool};

    fn check(level: Level, status: Status) -> CheckResult {
        CheckResult::for_tests(&format!("a.{}", status.as_str()), level, status)
    }

    fn report(results: Vec<CheckResult>) -> RunReport {
        RunReport {
            schema_version: 2,
            tool: Tool {
                name: "scimcheck",
                version: "0",
            },
            run_id: String::new(),
            target: String::new(),
            profile: None,
            started_at: String::new(),
            duration_ms: 0,
            interrupted: false,
            capabilities: Capabilities::default(),
            summary: Summary::of(&results),
            discovery: RunExchanges::default(),
            authentication: RunExchanges::default(),
            cleanup: RunExchanges::default(),
            left_behind: Vec::new(),
            fixtures: Default::default(),
            jobs: crate::run::Jobs {
                adaptive: false,
                most: 1,
            },
            results,
        }
    }

    #[test]
    fn an_errored_check_wins_over_failures() {
        let failed = || check(Level::Must, Status::Failed);
        let errored = || check(Level::May, Status::Errored);
        let passed = || check(Level::Must, Status::Passed);
        assert_eq!(Exit::for_report(&report(vec![passed()]), false), Exit::Ok);
        assert_eq!(
            Exit::for_report(&report(vec![passed(), failed()]), false),
            Exit::Failures
        );
        assert_eq!(
            Exit::for_report(&report(vec![failed(), errored()]), false),
            Exit::Runtime
        );
        assert_eq!(
            Exit::for_report(&report(vec![errored(), failed()]), true),
            Exit::Runtime
        );
        let should = check(Level::Should, Status::Failed);
        assert_eq!(
            Exit::for_report(&report(vec![should.clone()]), false),
            Exit::Ok
        );
        assert_eq!(
            Exit::for_report(&report(vec![should]), true),
            Exit::Failures
        );
    }

    #[test]
    fn blocked_checks_do_not_change_the_exit_code_and_the_line_says_why() {
        let blocked = || check(Level::Must, Status::Blocked);
        let r = report(vec![blocked(), check(Level::Should, Status::Failed)]);
        let exit = Exit::for_report(&r, false);
        assert_eq!(exit, Exit::Ok);
        assert_eq!(
            exit.explain(&r, false, None),
            "exit 0: every MUST check that ran passed; 1 SHOULD/MAY check failed (they count with --strict); 1 blocked check was not tested"
        );
        let r = report(vec![check(Level::Must, Status::Failed), blocked()]);
        assert_eq!(
            Exit::for_report(&r, false).explain(&r, false, None),
            "exit 1: 1 MUST check failed; 1 blocked check was not tested"
        );
        let r = report(vec![check(Level::May, Status::Errored)]);
        assert_eq!(
            Exit::for_report(&r, false).explain(&r, false, None),
            "exit 4: 1 check errored, so the verdict is incomplete"
        );
    }

    #[test]
    fn under_a_baseline_regressions_exit_1_unless_something_errored() {
        let regressed = Diff {
            regressions: vec![crate::report::baseline::Change {
                id: "a.b".into(),
                before: Some(Status::Passed),
                now: Status::Failed,
            }],
            ..Default::default()
        };
        let clean = Diff::default();
        let ok = report(vec![check(Level::Must, Status::Failed)]);
        let bad = report(vec![check(Level::May, Status::Errored)]);
        assert_eq!(Exit::for_baseline(&ok, &clean), Exit::Ok);
        assert_eq!(Exit::for_baseline(&ok, &regressed), Exit::Failures);
        assert_eq!(Exit::for_baseline(&bad, &clean), Exit::Runtime);
        assert_eq!(Exit::for_baseline(&bad, &regressed), Exit::Runtime);
    }
}
