//! One attempt on the wire, and whether a failed one may be sent again: the bounded read of a
//! response (a hostile or broken server cannot make the harness hold more than [`MAX_BODY`]) and
//! the retry rule (only when the server cannot have acted on the request).

use std::time::Duration;

/// Largest response body kept in memory and in reports; the connection is dropped beyond it.
pub(super) const MAX_BODY: usize = 1024 * 1024;

/// The pause before the one retry a request may get.
pub(super) const RETRY_PAUSE: Duration = Duration::from_millis(200);

/// What came back for one attempt that got a status line.
#[derive(Debug)]
pub(super) struct Received {
    pub status: u16,
    pub headers: Vec<(String, String)>,
    pub bytes: Vec<u8>,
    /// The body was cut: longer than [`MAX_BODY`], or its reading failed or timed out midway.
    pub truncated: bool,
    /// Why reading stopped midway (a reset, the timeout); `None` when the cap cut it.
    pub cut_by: Option<reqwest::Error>,
    /// The server closes the connection after this answer.
    pub closes: bool,
}

/// Reads a response up to [`MAX_BODY`]. Beyond the cap it stops reading and drops the
/// response, which closes the connection instead of draining an endless body. A body that
/// fails midway (reset, or the client's total timeout, which covers the body too) keeps what
/// arrived: the status and headers can still be judged.
pub(super) async fn receive(mut resp: reqwest::Response) -> Received {
    let status = resp.status().as_u16();
    let connection = resp
        .headers()
        .get(reqwest::header::CONNECTION)
        .and_then(|v| v.to_str().ok())
        .map(str::to_ascii_lowercase)
        .unwrap_or_default();
    let closes = connection.contains("close")
        || (resp.version() <= reqwest::Version::HTTP_10 && !connection.contains("keep-alive"));
    let headers = resp
        .headers()
        .iter()
        .map(|(k, v)| {
            (
                k.as_str().to_string(),
                String::from_utf8_lossy(v.as_bytes()).into_owned(),
            )
        })
        .collect();
    let mut bytes = Vec::new();
    let mut truncated = false;
    let mut cut_by = None;
    loop {
        match resp.chunk().await {
            Ok(Some(chunk)) => {
                let room = MAX_BODY - bytes.len();
                if chunk.len() > room {
                    bytes.extend_from_slice(&chunk[..room]);
                    truncated = true;
                    break;
                }
                bytes.extend_from_slice(&chunk);
            }
            Ok(None) => break,
            Err(e) => {
                truncated = true;
                cut_by = Some(e);
                break;
            }
        }
    }
    drop(resp);
    Received {
        status,
        headers,
        bytes,
        truncated,
        cut_by,
        closes,
    }
}

/// Whether a request that got no response may be sent once more. A connection that was never
/// made carried nothing, so any method may be retried. A connection closed or reset before the
/// answer may have delivered the request: only GET, PUT and DELETE (idempotent, RFC 9110 §9.2.2)
/// are resent; a POST or PATCH is never sent twice. A timeout is never retried (the server may
/// still be working on it, and the run would wait twice as long).
pub(super) fn may_retry(e: &reqwest::Error, method: &str) -> bool {
    if e.is_timeout() {
        return false;
    }
    if e.is_connect() {
        // A certificate that is not trusted now will not be a moment later.
        return super::connect::tls_problem(&chain(e)).is_none();
    }
    matches!(method, "GET" | "PUT" | "DELETE") && closed_before_answer(e)
}

/// The texts of an error's sources, each after ": ".
pub(super) fn chain(e: &reqwest::Error) -> String {
    let mut chain = String::new();
    let mut source: Option<&dyn std::error::Error> = std::error::Error::source(e);
    while let Some(s) = source {
        chain.push_str(": ");
        chain.push_str(&s.to_string());
        source = s.source();
    }
    chain
}

/// The connection was reset or closed before a complete response head arrived.
fn closed_before_answer(e: &reqwest::Error) -> bool {
    use std::io::ErrorKind;
    let mut source: Option<&dyn std::error::Error> = std::error::Error::source(e);
    while let Some(s) = source {
        if let Some(io) = s.downcast_ref::<std::io::Error>() {
            if matches!(
                io.kind(),
                ErrorKind::ConnectionReset
                    | ErrorKind::ConnectionAborted
                    | ErrorKind::BrokenPipe
                    | ErrorKind::UnexpectedEof
            ) {
                return true;
            }
        }
        // hyper's IncompleteMessage is not reachable as a type without depending on hyper.
        if s.to_string()
            .contains("connection closed before message completed")
        {
            return true;
        }
        source = s.source();
    }
    false
}

/// Most times one request is resent because the server said it was rate limited.
pub(super) const MAX_RATE_RETRIES: u32 = 8;

/// How long to wait before resending a request answered `status`, when the answer says the
/// server is busy: 429 (RFC 6585 §4; the server did not act on it, so any method is resent),
/// or 503 with `Retry-After` for GET, PUT and DELETE only (a 503 does not say nothing was done).
/// The wait is `Retry-After` (seconds or an HTTP-date, RFC 9110 §10.2.3); a 429 without it
/// waits 1 s, then 2, 4, … (`retry` counts the resends so far).
pub(super) fn busy_wait(
    status: u16,
    headers: &[(String, String)],
    method: &str,
    retry: u32,
) -> Option<Duration> {
    let after = headers
        .iter()
        .find(|(k, _)| k.eq_ignore_ascii_case("retry-after"))
        .and_then(|(_, v)| retry_after(v));
    match status {
        429 => Some(after.unwrap_or(Duration::from_secs(1 << retry.min(5)))),
        503 if matches!(method, "GET" | "PUT" | "DELETE") => after,
        _ => None,
    }
}

/// A `Retry-After` value: delay-seconds, or an HTTP-date (a date in the past is no wait).
pub(super) fn retry_after(value: &str) -> Option<Duration> {
    let value = value.trim();
    if let Ok(seconds) = value.parse::<u64>() {
        return Some(Duration::from_secs(seconds));
    }
    let at = httpdate::parse_http_date(value).ok()?;
    Some(
        at.duration_since(std::time::SystemTime::now())
            .unwrap_or(Duration::ZERO),
    )
}

#[cfg(test)]
mod busy_tests {
    use super::*;

    fn after(v: &str) -> Vec<(String, String)> {
        vec![("Retry-After".to_string(), v.to_string())]
    }

    #[test]
    fn busy_answers_are_waited_out_as_retry_after_says() {
        assert_eq!(
            busy_wait(429, &after("3"), "POST", 0),
            Some(Duration::from_secs(3))
        );
        assert_eq!(busy_wait(429, &[], "POST", 0), Some(Duration::from_secs(1)));
        assert_eq!(busy_wait(429, &[], "GET", 2), Some(Duration::from_secs(4)));
        assert_eq!(
            busy_wait(503, &after("2"), "GET", 0),
            Some(Duration::from_secs(2))
        );
        assert_eq!(
            busy_wait(503, &after("2"), "POST", 0),
            None,
            "a 503 POST may have acted"
        );
        assert_eq!(busy_wait(503, &[], "GET", 0), None);
        assert_eq!(busy_wait(500, &after("2"), "GET", 0), None);
        let later = httpdate::fmt_http_date(std::time::SystemTime::now() + Duration::from_secs(5));
        let wait = retry_after(&later).unwrap();
        assert!(wait <= Duration::from_secs(5) && wait >= Duration::from_secs(3));
        assert_eq!(
            retry_after("Wed, 21 Oct 2015 07:28:00 GMT"),
            Some(Duration::ZERO)
        );
        assert_eq!(retry_after("soon"), None);
    }
}
