//! How many checks run at once. `--jobs N` fixes it; without it the limit adapts as TCP Vegas
//! does: from the fastest typical answer and the smoothed current one it estimates how many
//! requests wait in the server's queue, grows by one (per check in slow start, then per round)
//! while fewer than one waits and shrinks by one when more than three do — a server that works
//! one request at a time gets few, one that answers in parallel gets up to 16. It halves on a
//! connection refused or reset, a timeout, a 429 or a 503, drops by one when an answer stalls
//! for a second (a full accept queue's SYN retry), and stays at most 2 for a server that closes
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
const SLOWDOWN: u32 = 8;
const STALL_MARGIN: Duration = Duration::from_millis(900);
/// Grow while fewer requests than this wait in the server's queue (estimated).
const ALPHA: f64 = 1.0;
/// Shrink while more than this many wait.
const BETA: f64 = 3.0;
/// Latencies this close to the fastest (ms) are noise, not a queue.
const NOISE_MS: f64 = 2.0;

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
    /// The per-check median latency, smoothed (ms).
    smoothed: Option<f64>,
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
                smoothed: None,
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
        let now = typical.as_secs_f64() * 1000.0;
        let smoothed = s.smoothed.map_or(now, |a| a * 0.8 + now * 0.2);
        s.smoothed = Some(smoothed);
        let base = (fastest.as_secs_f64() * 1000.0).max(1.0);
        // Vegas: of `limit` requests in flight, the share beyond the fastest time is queueing.
        let queued = if smoothed - base < NOISE_MS {
            0.0
        } else {
            s.limit as f64 * (1.0 - base / smoothed)
        };
        let round = s.since_change >= s.limit;
        if queued > BETA {
            s.slow_start = false;
            if round && s.limit > 1 {
                self.lower(&mut s, 1);
            }
        } else if queued < ALPHA && (s.slow_start || round) && s.limit < s.ceiling {
            s.limit += 1;
            s.peak = s.peak.max(s.limit);
            s.since_change = 0;
            if s.debt > 0 {
                s.debt -= 1;
            } else {
                self.permits.add_permits(1);
            }
        } else if queued >= ALPHA {
            s.slow_start = false;
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

    #[test]
    fn a_server_answering_one_request_at_a_time_gets_few() {
        // Latency grows with the number in flight: 10 ms per request queued.
        let c = Concurrency::adaptive();
        for _ in 0..400 {
            let ms = 10 * limit(&c) as u64;
            c.observe(&finished(Some(200), ms));
        }
        let settled = limit(&c);
        assert!((2..=6).contains(&settled), "{settled}");
        // One that answers in parallel (latency flat) gets the most.
        let c = Concurrency::adaptive();
        for _ in 0..400 {
            c.observe(&finished(Some(200), 10));
        }
        assert_eq!(limit(&c), ADAPTIVE_MAX);
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
