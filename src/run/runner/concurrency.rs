//! How many checks run at once. `--jobs N` fixes it; without it the limit adapts as TCP's
//! congestion window does: it starts at 2 and grows by one per check finished (slow start), then
//! by one per round once the server showed strain; it halves on a connection refused or reset, a
//! timeout, a 429 or a 503, drops by one when an answer stalls (a second where the fastest took
//! milliseconds: a full accept queue's SYN retry), and stays at most 2 for a server that closes
//! its connection after every answer.

use crate::http::{Exchange, TransportError};
use crate::outcome::CheckResult;
use std::sync::Mutex;
use std::time::Duration;
use tokio::sync::{Semaphore, SemaphorePermit};

/// Where an adaptive limit starts.
pub const ADAPTIVE_START: usize = 2;
/// The most checks an adaptive limit lets run at once.
pub const ADAPTIVE_MAX: usize = 16;
/// The most for a server that closes its connection after every answer.
const CLOSING_MAX: usize = 2;
/// An answer this many times slower than the fastest typical one, and by at least
/// [`STALL_MARGIN`], means the server (or its accept queue) is overloaded.
const SLOWDOWN: u32 = 4;
const STALL_MARGIN: Duration = Duration::from_millis(250);

#[derive(Debug)]
struct State {
    limit: usize,
    ceiling: usize,
    /// Permits to take out of circulation as they come back (the limit was lowered).
    debt: usize,
    /// Checks finished since the limit last changed.
    since_change: usize,
    /// Growing one per check until the server first shows strain.
    slow_start: bool,
    /// The lowest per-check median latency seen: what an unloaded server answers in.
    fastest: Option<Duration>,
    /// The highest limit reached, for the report.
    peak: usize,
}

/// The run's concurrency: a fixed number of permits, or an adaptive one.
#[derive(Debug)]
pub struct Concurrency {
    permits: Semaphore,
    /// `None` for a fixed limit.
    adaptive: Option<Mutex<State>>,
    fixed: usize,
}

/// A check's permit to run; gives the permit back (or retires it) when dropped.
pub struct Slot<'a> {
    permit: Option<SemaphorePermit<'a>>,
    owner: &'a Concurrency,
}

impl Drop for Slot<'_> {
    fn drop(&mut self) {
        if let (Some(permit), Some(state)) = (self.permit.take(), &self.owner.adaptive) {
            let mut s = state.lock().unwrap_or_else(|e| e.into_inner());
            if s.debt > 0 {
                s.debt -= 1;
                permit.forget();
            }
        }
    }
}

impl Concurrency {
    pub fn fixed(jobs: usize) -> Self {
        let jobs = jobs.max(1);
        Concurrency {
            permits: Semaphore::new(jobs),
            adaptive: None,
            fixed: jobs,
        }
    }

    pub fn adaptive() -> Self {
        Concurrency {
            permits: Semaphore::new(ADAPTIVE_START),
            adaptive: Some(Mutex::new(State {
                limit: ADAPTIVE_START,
                ceiling: ADAPTIVE_MAX,
                debt: 0,
                since_change: 0,
                slow_start: true,
                fastest: None,
                peak: ADAPTIVE_START,
            })),
            fixed: ADAPTIVE_MAX,
        }
    }

    /// The most checks that can ever run at once (the stream's buffer).
    pub fn most(&self) -> usize {
        self.fixed
    }

    /// The highest limit used.
    pub fn peak(&self) -> usize {
        match &self.adaptive {
            Some(state) => state.lock().unwrap_or_else(|e| e.into_inner()).peak,
            None => self.fixed,
        }
    }

    /// Waits for a slot.
    pub async fn slot(&self) -> Slot<'_> {
        Slot {
            permit: self.permits.acquire().await.ok(),
            owner: self,
        }
    }

    /// Learns from a finished check's exchanges.
    pub fn observe(&self, result: &CheckResult) {
        let Some(state) = &self.adaptive else {
            return;
        };
        if result.exchanges.is_empty() {
            return;
        }
        let mut s = state.lock().unwrap_or_else(|e| e.into_inner());
        s.since_change += 1;
        if result.exchanges.iter().any(|ex| ex.closes) && s.ceiling > CLOSING_MAX {
            s.ceiling = CLOSING_MAX;
            let over = s.limit.saturating_sub(CLOSING_MAX);
            self.lower(&mut s, over);
        }
        if result.exchanges.iter().any(congested) {
            let cut = s.limit - (s.limit / 2).max(1);
            s.slow_start = false;
            self.lower(&mut s, cut);
            return;
        }
        let (Some(typical), Some(slowest)) = (
            median_latency(&result.exchanges),
            result
                .exchanges
                .iter()
                .filter(|ex| ex.response.is_some())
                .map(|ex| Duration::from_millis(ex.duration_ms))
                .max(),
        ) else {
            return;
        };
        let fastest = s.fastest.map_or(typical, |f| f.min(typical));
        s.fastest = Some(fastest);
        let stalled = slowest > (fastest * SLOWDOWN).max(fastest + STALL_MARGIN);
        if stalled {
            s.slow_start = false;
            if s.limit > 1 {
                self.lower(&mut s, 1);
            }
            return;
        }
        let due = s.slow_start || s.since_change >= s.limit;
        if due && s.limit < s.ceiling {
            s.limit += 1;
            s.peak = s.peak.max(s.limit);
            s.since_change = 0;
            if s.debt > 0 {
                s.debt -= 1;
            } else {
                self.permits.add_permits(1);
            }
        }
    }

    fn lower(&self, s: &mut State, by: usize) {
        if by == 0 {
            return;
        }
        s.limit -= by;
        s.since_change = 0;
        // Take idle permits now; the rest as the checks holding them finish.
        let mut left = by;
        while left > 0 {
            match self.permits.try_acquire() {
                Ok(p) => {
                    p.forget();
                    left -= 1;
                }
                Err(_) => break,
            }
        }
        s.debt += left;
    }
}

/// An answer that says the server (or the path to it) is overloaded.
fn congested(ex: &Exchange) -> bool {
    let busy = ex
        .response
        .as_ref()
        .is_some_and(|r| matches!(r.status, 429 | 503));
    let refused = match &ex.error {
        Some(TransportError::Timeout(_) | TransportError::Connect(_)) => true,
        Some(TransportError::Other(m)) => m.contains("reset") || m.contains("closed"),
        _ => false,
    };
    busy || refused || ex.attempts > 1
}

fn median_latency(exchanges: &[Exchange]) -> Option<Duration> {
    let mut ms: Vec<u64> = exchanges
        .iter()
        .filter(|ex| ex.response.is_some())
        .map(|ex| ex.duration_ms)
        .collect();
    if ms.is_empty() {
        return None;
    }
    ms.sort_unstable();
    Some(Duration::from_millis(ms[ms.len() / 2]))
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::outcome::Status;
    use crate::suite::Level;

    fn finished(status: Option<u16>, ms: u64) -> CheckResult {
        let mut ex = Exchange::for_tests("GET", "http://h/scim/v2/Users", status);
        ex.duration_ms = ms;
        if status.is_none() {
            ex.error = Some(TransportError::Connect("could not connect".into()));
        }
        let mut r = CheckResult::for_tests("users.x", Level::Must, Status::Passed);
        r.exchanges = vec![ex];
        r
    }

    fn limit(c: &Concurrency) -> usize {
        c.adaptive.as_ref().unwrap().lock().unwrap().limit
    }

    #[test]
    fn grows_while_answers_stay_fast_and_halves_on_429() {
        let c = Concurrency::adaptive();
        for _ in 0..200 {
            c.observe(&finished(Some(200), 3));
        }
        assert_eq!(limit(&c), ADAPTIVE_MAX);
        assert_eq!(c.permits.available_permits(), ADAPTIVE_MAX);
        c.observe(&finished(Some(429), 3));
        assert_eq!(limit(&c), ADAPTIVE_MAX / 2);
        assert_eq!(c.permits.available_permits(), ADAPTIVE_MAX / 2);
        assert_eq!(c.peak(), ADAPTIVE_MAX);
    }

    #[test]
    fn slow_answers_stop_growth_and_a_closing_server_gets_two() {
        let c = Concurrency::adaptive();
        for _ in 0..10 {
            c.observe(&finished(Some(200), 10));
        }
        let grown = limit(&c);
        for _ in 0..3 {
            c.observe(&finished(Some(200), 1010));
        }
        assert_eq!(limit(&c), grown - 3, "each stall takes one away");
        let c = Concurrency::adaptive();
        for _ in 0..40 {
            c.observe(&finished(Some(200), 1));
        }
        let mut closing = finished(Some(200), 1);
        closing.exchanges[0].closes = true;
        c.observe(&closing);
        for _ in 0..40 {
            c.observe(&finished(Some(200), 1));
        }
        assert!(limit(&c) <= CLOSING_MAX);
    }

    #[tokio::test]
    async fn permits_held_when_the_limit_drops_are_retired_on_return() {
        let c = Concurrency::adaptive();
        let a = c.slot().await;
        let b = c.slot().await;
        c.observe(&finished(None, 0)); // a transport failure: halve 2 → 1
        assert_eq!(limit(&c), 1);
        drop(a);
        assert_eq!(c.permits.available_permits(), 0, "retired, not returned");
        drop(b);
        assert_eq!(c.permits.available_permits(), 1);
    }
}
