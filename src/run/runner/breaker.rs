//! The circuit breaker: when the server stops answering, the rest of the run is recorded as not
//! run instead of waiting out every request's timeout.

use crate::outcome::{CheckResult, Status};
use std::sync::Mutex;

/// Consecutive finished checks, every request of which got no response at all, after which
/// the remaining checks are not sent.
pub const BREAKER_THRESHOLD: usize = 10;

#[derive(Debug, Default)]
struct State {
    /// Checks finished in a row (completion order) in which every request failed in transport.
    streak: usize,
    /// The last check (completion order) that got any response.
    last_answered: Option<String>,
    /// Once open: why the remaining checks are not run.
    open: Option<String>,
}

/// Counts checks as they finish; opens after [`BREAKER_THRESHOLD`] silent ones in a row.
#[derive(Debug)]
pub struct Breaker {
    threshold: usize,
    state: Mutex<State>,
}

impl Default for Breaker {
    fn default() -> Self {
        Breaker::new(BREAKER_THRESHOLD)
    }
}

impl Breaker {
    pub fn new(threshold: usize) -> Self {
        Breaker {
            threshold,
            state: Mutex::new(State::default()),
        }
    }

    fn state(&self) -> std::sync::MutexGuard<'_, State> {
        self.state.lock().unwrap_or_else(|e| e.into_inner())
    }

    /// Why a check about to start must not run, once the breaker is open.
    pub fn refusal(&self) -> Option<String> {
        self.state().open.clone()
    }

    /// Counts a finished check. Checks that sent nothing (skipped, or refused by the breaker)
    /// neither break nor extend a streak.
    pub fn observe(&self, result: &CheckResult) {
        if result.status == Status::Skipped || result.exchanges.is_empty() {
            return;
        }
        let mut s = self.state();
        if result.exchanges.iter().all(|ex| ex.response.is_none()) {
            s.streak += 1;
            if s.streak >= self.threshold && s.open.is_none() {
                let when = match &s.last_answered {
                    Some(id) => format!("after check {id}"),
                    None => "before the first check".to_string(),
                };
                s.open = Some(format!("not run: the server stopped answering {when}"));
            }
        } else {
            s.streak = 0;
            s.last_answered = Some(result.id.clone());
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::http::Exchange;
    use crate::suite::Level;

    fn result(id: &str, status: Status, answered: Option<bool>) -> CheckResult {
        let exchanges = answered
            .map(|a| {
                vec![Exchange::for_tests(
                    "GET",
                    "http://x/Users",
                    a.then_some(200),
                )]
            })
            .unwrap_or_default();
        let mut result = CheckResult::for_tests(id, Level::Must, status);
        result.exchanges = exchanges;
        result
    }

    #[test]
    fn opens_after_the_threshold_of_silent_checks_in_a_row() {
        let b = Breaker::new(3);
        b.observe(&result("a.silent1", Status::Errored, Some(false)));
        b.observe(&result("a.silent2", Status::Errored, Some(false)));
        b.observe(&result("a.answered", Status::Failed, Some(true)));
        b.observe(&result("a.silent3", Status::Errored, Some(false)));
        // Neither a skipped check nor one that sent nothing breaks or extends the streak.
        b.observe(&result("a.skipped", Status::Skipped, None));
        b.observe(&result("a.template", Status::Errored, None));
        b.observe(&result("a.silent4", Status::Errored, Some(false)));
        assert_eq!(b.refusal(), None);
        b.observe(&result("a.silent5", Status::Errored, Some(false)));
        assert_eq!(
            b.refusal().as_deref(),
            Some("not run: the server stopped answering after check a.answered")
        );
        // Checks in flight when it opened still finish; an answer among them does not close it.
        b.observe(&result("a.late", Status::Passed, Some(true)));
        assert!(b.refusal().is_some());
    }

    #[test]
    fn a_server_silent_from_the_start_is_named_so() {
        let b = Breaker::default();
        for i in 0..BREAKER_THRESHOLD {
            assert_eq!(b.refusal(), None, "{i}");
            b.observe(&result("a.b", Status::Errored, Some(false)));
        }
        assert_eq!(
            b.refusal().as_deref(),
            Some("not run: the server stopped answering before the first check")
        );
    }
}
