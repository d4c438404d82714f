//! Live progress while checks run: a bar on an interactive terminal, plain lines in CI logs and
//! pipes, nothing with --quiet. Progress goes to stderr; the summary and paths go to stdout.

use crate::run::{CheckResult, Status};
use indicatif::{ProgressBar, ProgressStyle};
use std::io::IsTerminal;
use std::sync::atomic::{AtomicUsize, Ordering};

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Verbosity {
    Quiet,
    Normal,
    Verbose,
}

#[derive(Debug)]
pub struct Progress {
    bar: Option<ProgressBar>,
    verbosity: Verbosity,
    done: AtomicUsize,
    total: usize,
}

fn label(status: Status) -> String {
    let style = match status {
        Status::Passed => console::Style::new().green(),
        Status::Failed => console::Style::new().red().bold(),
        Status::Errored => console::Style::new().yellow().bold(),
        Status::Skipped => console::Style::new().dim(),
    };
    style
        .for_stderr()
        .apply_to(format!("{:<7}", status.as_str()))
        .to_string()
}

impl Progress {
    /// A bar only on a terminal outside CI (`CI` set means a log, however it is attached).
    pub fn new(total: usize, verbosity: Verbosity) -> Self {
        let interactive = std::io::stderr().is_terminal() && std::env::var_os("CI").is_none();
        let bar = (interactive && verbosity != Verbosity::Quiet).then(|| {
            let bar = ProgressBar::new(total as u64);
            if let Ok(style) =
                ProgressStyle::with_template("{bar:30} {pos}/{len} {elapsed} {wide_msg}")
            {
                bar.set_style(style);
            }
            bar
        });
        Progress {
            bar,
            verbosity,
            done: AtomicUsize::new(0),
            total,
        }
    }

    /// Called as each check finishes, from the run's tasks.
    pub fn on_result(&self, r: &CheckResult) {
        let n = self.done.fetch_add(1, Ordering::Relaxed) + 1;
        let notable = matches!(r.status, Status::Failed | Status::Errored);
        let line = format!("[{n}/{}] {} {}", self.total, label(r.status), r.id);
        match &self.bar {
            Some(bar) => {
                if notable || self.verbosity == Verbosity::Verbose {
                    bar.println(line);
                }
                bar.set_message(r.id.clone());
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
        if let Some(bar) = &self.bar {
            bar.finish_and_clear();
        }
    }
}
