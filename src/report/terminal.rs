//! The terminal summary: failed checks most serious first, shared root causes once, blocked and
//! skipped checks by reason, then the counts.

use super::inert::{terminal, terminal_lines};
use crate::outcome::{RootCause, root_causes};
use crate::run::{CheckResult, RunReport, Status};
use crate::suite::{Capability, Level};
use std::fmt::Write;

fn capability_line(report: &RunReport) -> String {
    let (yes, no): (Vec<_>, Vec<_>) = Capability::ADVERTISED
        .iter()
        .partition(|c| report.capabilities.has(**c));
    let names = |v: Vec<&Capability>| {
        if v.is_empty() {
            "none".to_string()
        } else {
            v.iter().map(|c| c.as_str()).collect::<Vec<_>>().join(" ")
        }
    };
    let auth = if report.capabilities.has(Capability::Auth) {
        "token configured"
    } else {
        "no token"
    };
    format!(
        "advertised: {} · not advertised: {} · {auth}",
        names(yes),
        names(no)
    )
}

fn styled(text: String, status: Status, color: bool) -> String {
    let style = match status {
        Status::Passed => console::Style::new().green(),
        Status::Failed => console::Style::new().red().bold(),
        Status::Errored => console::Style::new().yellow().bold(),
        Status::Skipped => console::Style::new().dim(),
        Status::Blocked => console::Style::new().magenta().bold(),
    };
    style.force_styling(color).apply_to(text).to_string()
}

/// The closing counts line (all `--quiet` prints, with the report paths).
pub fn render_summary_line(report: &RunReport) -> String {
    let m = &report.summary;
    format!(
        "{} checks: {m} in {:.2}s\n",
        m.total,
        report.duration_ms as f64 / 1000.0
    )
}

/// What the run left behind on the server and how to find it again (empty when nothing is):
/// printed whatever the verbosity.
pub fn render_left_behind(report: &RunReport) -> String {
    let mut s = String::new();
    if report.left_behind.is_empty() {
        return s;
    }
    let _ = writeln!(
        s,
        "warning: {} resource(s) this run created (or may have created) are left behind; `scimcheck cleanup BASE_URL --run {}` finds them:",
        report.left_behind.len(),
        report.run_id
    );
    let left: Vec<String> = report.left_behind.iter().map(ToString::to_string).collect();
    for line in first_of(&left, 10, " (report.json lists them all)") {
        let _ = writeln!(s, "  {line}");
    }
    s
}

/// How bodies were adapted to the server's own schema, said once (empty when they were not).
fn fixtures_line(report: &RunReport) -> String {
    const SHOWN: usize = 6;
    let adapted = &report.fixtures.adapted;
    if adapted.is_empty() {
        return String::new();
    }
    let list = first_of(adapted, SHOWN, " (report.json lists them)");
    format!(
        "fixtures adapted to the server's schema: {}\n",
        list.join("; ")
    )
}

/// The checks that ran their unscoped form, counted by why (empty when none did).
fn unscoped_lines(report: &RunReport) -> String {
    let mut by_why: Vec<(&str, &str, Vec<String>)> = Vec::new();
    for r in &report.results {
        let Some(u) = &r.unscoped else { continue };
        match by_why.iter_mut().find(|(why, _, _)| *why == u.why) {
            Some((_, _, ids)) => ids.push(r.id.clone()),
            None => by_why.push((&u.why, u.form.as_str(), vec![r.id.clone()])),
        }
    }
    let mut s = String::new();
    for (why, form, ids) in by_why {
        let _ = writeln!(
            s,
            "{} checks ran their {form} form ({}): {}",
            ids.len(),
            terminal(why),
            id_list(&ids)
        );
    }
    s
}

/// One block for a check that failed or errored: status, level, id, title, reference, and the
/// deciding step with what it found.
fn render_check(s: &mut String, r: &CheckResult, color: bool) {
    let label = styled(
        format!("{:<8}", r.status.as_str().to_uppercase()),
        r.status,
        color,
    );
    let _ = writeln!(s, "\n{label} {:<6} {}", r.level.as_str(), terminal(&r.id));
    let _ = writeln!(s, "         {}", terminal(&r.title));
    let reference = match &r.catalogue_ref {
        Some(c) => format!("{} · {c}", r.spec),
        None => r.spec.clone(),
    };
    let _ = writeln!(s, "         {}", terminal(&reference));
    if let Some(u) = &r.unscoped {
        let _ = writeln!(
            s,
            "         {} form: {}",
            u.form.as_str(),
            terminal(&u.asserts)
        );
    }
    match r.step_heading() {
        Some(heading) => {
            let _ = writeln!(s, "         {}", terminal(&heading));
            for line in r.problem_lines() {
                for l in terminal_lines(&line) {
                    let _ = writeln!(s, "           {l}");
                }
            }
            for l in &r.cleanup.left_behind {
                let _ = writeln!(s, "           left behind: {}", terminal(&l.to_string()));
            }
        }
        None => {
            for line in terminal_lines(&r.message) {
                let _ = writeln!(s, "         {line}");
            }
        }
    }
}

/// At most this many check ids are listed under one root cause.
const IDS_SHOWN: usize = 8;

fn id_list(ids: &[String]) -> String {
    first_of(ids, IDS_SHOWN, "").join(", ")
}

/// The first `shown` items made safe for a terminal, then "… and N more{more}" for the rest.
fn first_of(items: &[String], shown: usize, more: &str) -> Vec<String> {
    let mut list: Vec<String> = items
        .iter()
        .take(shown)
        .map(|i| terminal(i).into_owned())
        .collect();
    if items.len() > shown {
        list.push(format!("… and {} more{more}", items.len() - shown));
    }
    list
}

/// Renders the human summary of a run: failed checks (MUST, then SHOULD, then MAY) and errored
/// ones, one block each; causes shared by several checks, once each with their count; blocked
/// checks by what blocked them; skipped checks as counts by reason; then the counts line.
/// `color` adds ANSI styles to the status labels.
pub fn render_terminal(report: &RunReport, color: bool) -> String {
    let mut s = String::new();
    let _ = writeln!(
        s,
        "{} {} → {}{}",
        report.tool.name,
        report.tool.version,
        terminal(&report.target),
        report
            .profile
            .as_ref()
            .map(|p| format!(" · profile {}", terminal(p)))
            .unwrap_or_default()
    );
    let _ = writeln!(s, "{}", capability_line(report));
    s.push_str(&fixtures_line(report));
    s.push_str(&unscoped_lines(report));
    for level in [Level::Must, Level::Should, Level::May] {
        for r in report
            .results
            .iter()
            .filter(|r| r.status == Status::Failed && r.level == level)
        {
            render_check(&mut s, r, color);
        }
    }
    for r in report
        .results
        .iter()
        .filter(|r| r.status == Status::Errored && !r.steps.is_empty())
    {
        render_check(&mut s, r, color);
    }
    let causes = root_causes(&report.results, &report.target);
    let shared: Vec<&RootCause> = causes.iter().filter(|c| c.count() > 1).collect();
    if !shared.is_empty() {
        let _ = writeln!(s, "\nroot causes (one answer behind several checks):");
        for c in &shared {
            let _ = writeln!(s, "  {}: {}", c.tally(), terminal(&c.summary));
            let _ = writeln!(s, "    {}", id_list(&c.checks));
        }
    }
    let blocked: Vec<&RootCause> = causes
        .iter()
        .filter(|c| c.blocked > 0 && c.count() == 1)
        .collect();
    if !blocked.is_empty() {
        let _ = writeln!(
            s,
            "\n{} (setup refused, requirement not tested):",
            styled("blocked".into(), Status::Blocked, color)
        );
        for c in blocked {
            let _ = writeln!(s, "  {}: {}", id_list(&c.checks), terminal(&c.summary));
        }
    }
    let mut skipped: Vec<(&str, usize)> = Vec::new();
    for r in report
        .results
        .iter()
        .filter(|r| r.status == Status::Skipped)
    {
        let reason = r.reason.as_deref().unwrap_or(&r.message);
        match skipped.iter_mut().find(|(why, _)| *why == reason) {
            Some((_, n)) => *n += 1,
            None => skipped.push((reason, 1)),
        }
    }
    if !skipped.is_empty() {
        let _ = writeln!(s, "\nskipped:");
        for (why, n) in skipped {
            let _ = writeln!(s, "  {n} × {}", terminal(why));
        }
    }
    let _ = write!(s, "\n{}", render_summary_line(report));
    s.push_str(&render_left_behind(report));
    s
}
