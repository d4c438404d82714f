//! `summary.md`: short enough for a GitHub job summary or a pull-request comment — counts, a table
//! by area, the failed and errored checks with their first finding; no transcripts.

use super::inert;
use super::parts::area;
use crate::run::{RunReport, Status, Summary};
use std::collections::BTreeMap;
use std::fmt::Write;

/// At most this many failed or errored checks are listed; the rest are counted.
pub const MAX_LISTED: usize = 50;

/// Renders the summary; `files` are the other report files written beside it (shown last).
pub fn render_markdown(report: &RunReport, files: &[String]) -> String {
    let mut s = String::new();
    let m = &report.summary;
    let _ = writeln!(
        s,
        "## {} {}: {}{}\n",
        report.tool.name,
        report.tool.version,
        inert::markdown(&report.target),
        report
            .profile
            .as_ref()
            .map(|p| format!(" (profile {})", inert::markdown(p)))
            .unwrap_or_default()
    );
    let _ = writeln!(
        s,
        "{} checks: **{m}** in {:.2} s\n",
        m.total,
        report.duration_ms as f64 / 1000.0
    );
    let mut areas: BTreeMap<&str, Summary> = BTreeMap::new();
    for r in &report.results {
        areas.entry(area(&r.id)).or_default().add(r.status);
    }
    let _ = writeln!(
        s,
        "| area | passed | failed | skipped | errored | blocked |"
    );
    let _ = writeln!(s, "|---|--:|--:|--:|--:|--:|");
    for (a, c) in &areas {
        let _ = writeln!(
            s,
            "| {} | {} | {} | {} | {} | {} |",
            inert::markdown(a),
            c.passed,
            c.failed,
            c.skipped,
            c.errored,
            c.blocked
        );
    }
    let shared: Vec<_> = crate::outcome::root_causes(&report.results, &report.target)
        .into_iter()
        .filter(|c| c.count() > 1)
        .collect();
    if !shared.is_empty() {
        let _ = writeln!(s, "\n### Root causes\n");
        for c in shared.iter().take(MAX_LISTED) {
            let _ = writeln!(s, "- **{}**: {}", c.tally(), inert::markdown(&c.summary));
        }
    }
    let bad: Vec<_> = report
        .results
        .iter()
        .filter(|r| matches!(r.status, Status::Failed | Status::Errored))
        .collect();
    if !bad.is_empty() {
        let _ = writeln!(s, "\n### Failed and errored\n");
        for r in bad.iter().take(MAX_LISTED) {
            let errored = if r.status == Status::Errored {
                " (errored)"
            } else {
                ""
            };
            let form = if r.unscoped.is_some() {
                " (unscoped form)"
            } else {
                ""
            };
            let _ = writeln!(
                s,
                "- **{}** `{}`{errored}{form} — {} ({}): {}",
                r.level.as_str(),
                r.id,
                inert::markdown(&r.title),
                inert::markdown(&r.spec),
                inert::markdown(&r.first_problem())
            );
        }
        if bad.len() > MAX_LISTED {
            let _ = writeln!(s, "- and {} more", bad.len() - MAX_LISTED);
        }
    }
    if !files.is_empty() {
        let names: Vec<String> = files.iter().map(|f| format!("`{f}`")).collect();
        let _ = writeln!(
            s,
            "\nEvidence (requests, responses, expected vs actual): {}.",
            names.join(", ")
        );
    }
    s
}
