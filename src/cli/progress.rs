//! Live progress while checks run: a bar on an interactive terminal, plain lines in CI logs and
//! pipes, nothing with --quiet. Progress goes to stderr; the summary and paths go to stdout.

use crate::report::inert::terminal;
use crate::run::{CheckResult, RunEvent, Status};
use indicatif::{ProgressBar, ProgressStyle};
use std::io::IsTerminal;
use std::sync::OnceLock;
use std::sync::atomic::{AtomicUsize, Ordering};

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Verbosity {
    Quiet,
    Normal,
    Verbose,
}

/// Follows a run's events on stderr.
#[derive(Debug)]
pub struct Progress {
    /// Made when the run starts (the plan gives its length); `None` inside when no bar is wanted.
    bar: OnceLock<Option<ProgressBar>>,
    verbosity: Verbosity,
    done: AtomicUsize,
    total: AtomicUsize,
}

fn label(status: Status) -> String {
    let style = match status {
        Status::Passed => console::Style::new().green(),
        Status::Failed => console::Style::new().red().bold(),
        Status::Errored => console::Style::new().yellow().bold(),
        Status::Skipped => console::Style::new().dim(),
        Status::Blocked => console::Style::new().magenta(),
    };
    style
        .for_stderr()
        .apply_to(format!("{:<7}", status.as_str()))
        .to_string()
}

impl Progress {
    pub fn new(verbosity: Verbosity) -> Self {
        Progress {
            bar: OnceLock::new(),
            verbosity,
            done: AtomicUsize::new(0),
            total: AtomicUsize::new(0),
        }
    }

    /// A bar only on a terminal outside CI (`CI` set means a log, however it is attached).
    fn start(&self, total: usize) {
        self.total.store(total, Ordering::Relaxed);
        let interactive = std::io::stderr().is_terminal() && std::env::var_os("CI").is_none();
        let bar = (interactive && self.verbosity != Verbosity::Quiet).then(|| {
            let bar = ProgressBar::new(total as u64);
            if let Ok(style) =
                ProgressStyle::with_template("{bar:30} {pos}/{len} {elapsed} {wide_msg}")
            {
                bar.set_style(style);
            }
            bar
        });
        let _ = self.bar.set(bar);
    }

    fn bar(&self) -> Option<&ProgressBar> {
        self.bar.get().and_then(Option::as_ref)
    }

    /// Called for every run event, from the run's tasks.
    pub fn on_event(&self, event: &RunEvent<'_>) {
        match event {
            RunEvent::Started { planned, run_id } => {
                if self.verbosity != Verbosity::Quiet {
                    eprintln!(
                        "run {run_id}: everything this run creates is named scimcheck-{run_id}-…"
                    );
                }
                self.start(*planned);
            }
            RunEvent::CheckFinished(r) => self.on_result(r),
            RunEvent::Interrupted => {
                self.finish();
                eprintln!("interrupted: deleting what this run created (Ctrl-C again to stop)");
            }
            RunEvent::SweepFinished {
                abandoned: true, ..
            } => eprintln!("cleanup stopped; what this run still owns is listed below"),
            RunEvent::SweepFinished {
                left_behind: [], ..
            } => eprintln!("cleanup complete"),
            RunEvent::SweepFinished { left_behind, .. } => {
                eprintln!(
                    "cleanup left {} resource(s) behind (listed below)",
                    left_behind.len()
                );
            }
        }
    }

    /// Called as each check finishes, from the run's tasks.
    fn on_result(&self, r: &CheckResult) {
        let n = self.done.fetch_add(1, Ordering::Relaxed) + 1;
        let notable = r.status.is_bad();
        let total = self.total.load(Ordering::Relaxed);
        let id = terminal(&r.id);
        let line = format!("[{n}/{total}] {} {id}", label(r.status));
        match self.bar() {
            Some(bar) => {
                if notable || self.verbosity == Verbosity::Verbose {
                    bar.println(line);
                }
                bar.set_message(id.into_owned());
                bar.inc(1);
            }
            None if self.verbosity == Verbosity::Verbose
                || (notable && self.verbosity == Verbosity::Normal) =>
            {
                eprintln!("{line}");
            }
            None => {}
        }
    }

    pub fn finish(&self) {
        if let Some(bar) = self.bar() {
            bar.finish_and_clear();
        }
    }
}
