//! What a run tells its observers as it goes: the progress display, the report builder and any
//! library user consume the same events.

use crate::outcome::{CheckResult, LeftBehind};

/// One thing that happened during a run.
#[derive(Debug, Clone, Copy)]
pub enum RunEvent<'a> {
    /// Discovery succeeded and the plan is made.
    Started { run_id: &'a str, planned: usize },
    /// A check finished (or was skipped); events arrive in completion order.
    CheckFinished(&'a CheckResult),
    /// The run was asked to stop; what it created is being deleted.
    Interrupted,
    /// The sweep after an interrupt ended; `abandoned` when a second interrupt cut it short.
    SweepFinished {
        left_behind: &'a [LeftBehind],
        abandoned: bool,
    },
}

/// Receives run events, from the run's tasks (so it must be `Sync`).
pub trait EventSink: Sync {
    fn event(&self, event: &RunEvent<'_>);
}

impl<F: Fn(&RunEvent<'_>) + Sync> EventSink for F {
    fn event(&self, event: &RunEvent<'_>) {
        self(event)
    }
}

/// A sink that ignores everything.
#[derive(Debug, Clone, Copy, Default)]
pub struct Silent;

impl EventSink for Silent {
    fn event(&self, _: &RunEvent<'_>) {}
}
