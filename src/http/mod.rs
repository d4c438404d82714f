//! The HTTP side: one reqwest client, credentials, and the exchange record every verdict cites.

pub mod auth;
mod connect;
pub mod guard;
mod pipeline;
mod record;
mod redact;
mod transport;

pub use connect::{Connect, ConnectError, ProxyChoice};
pub use pipeline::Pipeline;
pub use record::{RUN_RECORD_LIMIT, RecordLimit};
pub use redact::{Redactor, looks_secret};

use serde::Serialize;
use serde_json::Value;
use std::time::{Duration, Instant};

/// Most memory a parsed response body may take; a SCIM document of 1 MiB takes about 5.
const MAX_PARSED: usize = 8 * 1024 * 1024;

/// Largest request body kept whole in the record (bulk limit probes send megabytes).
const MAX_RECORDED_REQUEST: usize = 64 * 1024;

fn recorded_request_body(bytes: &[u8]) -> Option<Body> {
    if bytes.len() <= MAX_RECORDED_REQUEST {
        return Body::from_bytes(bytes);
    }
    let head = String::from_utf8_lossy(&bytes[..1024]);
    Some(Body::Text(format!(
        "{head}… [{} bytes in all, not recorded]",
        bytes.len()
    )))
}

/// A request as the harness will send it (after templating).
#[derive(Debug, Clone)]
pub struct Outgoing {
    pub method: &'static str,
    pub url: String,
    pub headers: Vec<(String, String)>,
    pub body: Option<Vec<u8>>,
    /// The pipeline's authentication stage adds the run's credential (`Authorization`); `false`
    /// for requests that probe authentication themselves, and for token requests.
    pub credential: bool,
    /// A 429 (or 503 with Retry-After) is waited out and the request resent; `false` for
    /// requests that probe rate limiting themselves.
    pub busy_retries: bool,
}

/// A recorded body: parsed JSON when it is JSON, else the text.
#[derive(Debug, Clone, PartialEq, Serialize)]
#[serde(untagged)]
pub enum Body {
    Json(Value),
    Text(String),
}

impl Body {
    fn from_bytes(bytes: &[u8]) -> Option<Body> {
        if bytes.is_empty() {
            return None;
        }
        match serde_json::from_slice::<Value>(bytes) {
            Ok(v) => Some(Body::Json(v)),
            Err(_) => Some(Body::Text(String::from_utf8_lossy(bytes).into_owned())),
        }
    }

    /// A received body, taken over without a copy when it is text. A truncated body is text
    /// even when its start parses (`12` of `1234`); so is JSON nested deeper than serde_json's
    /// 128 levels, and JSON that would take more than [`MAX_PARSED`] in memory (a megabyte of
    /// `{},{},…` parses to tens of megabytes; a few checks in flight would hold hundreds).
    fn received(bytes: Vec<u8>, truncated: bool) -> Option<Body> {
        if bytes.is_empty() {
            return None;
        }
        if !truncated {
            if let Ok(v) = serde_json::from_slice::<Value>(&bytes) {
                if record::heap(&v) <= MAX_PARSED {
                    return Some(Body::Json(v));
                }
            }
        }
        Some(Body::Text(match String::from_utf8(bytes) {
            Ok(s) => s,
            Err(e) => String::from_utf8_lossy(e.as_bytes()).into_owned(),
        }))
    }
    pub fn json(&self) -> Option<&Value> {
        match self {
            Body::Json(v) => Some(v),
            Body::Text(_) => None,
        }
    }
}

/// Headers in the order sent or received, serialized as a JSON object.
#[derive(Debug, Clone, Default, PartialEq)]
pub struct Headers(pub Vec<(String, String)>);

impl Headers {
    /// The value of a header (case-insensitive name); repeated headers are joined with ", ".
    pub fn get(&self, name: &str) -> Option<String> {
        let values: Vec<&str> = self
            .0
            .iter()
            .filter(|(k, _)| k.eq_ignore_ascii_case(name))
            .map(|(_, v)| v.as_str())
            .collect();
        (!values.is_empty()).then(|| values.join(", "))
    }
}

impl Serialize for Headers {
    fn serialize<S: serde::Serializer>(&self, s: S) -> Result<S::Ok, S::Error> {
        use serde::ser::SerializeMap;
        let mut map = s.serialize_map(Some(self.0.len()))?;
        for (k, v) in &self.0 {
            map.serialize_entry(k, v)?;
        }
        map.end()
    }
}

#[derive(Debug, Clone, Serialize)]
pub struct RecordedRequest {
    pub method: String,
    pub url: String,
    pub headers: Headers,
    pub body: Option<Body>,
}

#[derive(Debug, Clone, Serialize)]
pub struct RecordedResponse {
    pub status: u16,
    pub headers: Headers,
    pub body: Option<Body>,
    /// The body is incomplete: longer than the 1 MiB the harness reads (it stopped reading and
    /// dropped the connection), or it broke off or timed out midway. What arrived is kept as text.
    #[serde(skip_serializing_if = "std::ops::Not::not")]
    pub truncated: bool,
}

/// One request/response pair, redacted at the source.
#[derive(Debug, Clone, Serialize)]
pub struct Exchange {
    pub request: RecordedRequest,
    pub response: Option<RecordedResponse>,
    pub duration_ms: u64,
    /// Why no response was received (connection refused, timeout, …).
    #[serde(skip_serializing_if = "Option::is_none")]
    pub error: Option<TransportError>,
    /// How many times the request was sent: 2 when a connection could not be made, or (GET,
    /// PUT, DELETE only) was closed before any answer, and the one retry was made.
    pub attempts: u32,
    /// The server closes the connection after this answer (HTTP/1.0, or `Connection: close`):
    /// every request costs it a new connection, so it gets few at once.
    #[serde(skip)]
    pub closes: bool,
}

impl Exchange {
    /// A bare exchange for unit tests: `method url`, answered `status` (or not at all), no
    /// headers or bodies.
    #[cfg(test)]
    pub(crate) fn for_tests(method: &str, url: &str, status: Option<u16>) -> Self {
        Exchange {
            request: RecordedRequest {
                method: method.into(),
                url: url.into(),
                headers: Headers::default(),
                body: None,
            },
            response: status.map(|status| RecordedResponse {
                status,
                headers: Headers::default(),
                body: None,
                truncated: false,
            }),
            duration_ms: 0,
            error: None,
            attempts: 1,
            closes: false,
        }
    }
}

/// A request rate: `N/s`, `N/m` or `N/h` (`--rate`, `serve --rate-limit`).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Rate {
    pub count: std::num::NonZeroU32,
    pub per: Duration,
}

impl Rate {
    fn quota(self) -> governor::Quota {
        let period = self.per / self.count.get();
        governor::Quota::with_period(period.max(Duration::from_nanos(1)))
            .unwrap_or_else(|| governor::Quota::per_second(self.count))
            .allow_burst(std::num::NonZeroU32::MIN)
    }
}

impl std::str::FromStr for Rate {
    type Err = String;
    fn from_str(s: &str) -> Result<Rate, String> {
        let bad = || format!("'{s}' is not a rate such as 25/s, 600/m or 25000/h");
        let (n, unit) = s.trim().split_once('/').ok_or_else(bad)?;
        let count = n
            .trim()
            .parse::<std::num::NonZeroU32>()
            .map_err(|_| bad())?;
        let per = match unit.trim() {
            "s" => Duration::from_secs(1),
            "m" => Duration::from_secs(60),
            "h" => Duration::from_secs(3600),
            _ => return Err(bad()),
        };
        Ok(Rate { count, per })
    }
}

/// Why a request got no response; its text is already redacted.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum TransportError {
    /// No answer within the per-request timeout.
    #[error("timed out after {}s", .0.as_secs_f64())]
    Timeout(Duration),
    /// The connection could not be made (refused, DNS, proxy).
    #[error("{0}")]
    Connect(String),
    /// The TLS handshake failed (certificate not trusted, client certificate wanted, …).
    #[error("{0}")]
    Tls(String),
    /// The request or the response failed in flight.
    #[error("{0}")]
    Other(String),
}

impl TransportError {
    /// The same error with its text rewritten (stable reports replace ports and ids).
    pub fn map_text(&self, f: impl Fn(&str) -> String) -> TransportError {
        match self {
            TransportError::Timeout(d) => TransportError::Timeout(*d),
            TransportError::Connect(m) => TransportError::Connect(f(m)),
            TransportError::Tls(m) => TransportError::Tls(f(m)),
            TransportError::Other(m) => TransportError::Other(f(m)),
        }
    }
}

impl Serialize for TransportError {
    fn serialize<S: serde::Serializer>(&self, s: S) -> Result<S::Ok, S::Error> {
        s.collect_str(self)
    }
}

/// Sends requests and records exchanges with secrets removed.
#[derive(Debug, Clone)]
pub struct HttpClient {
    client: reqwest::Client,
    redactor: Redactor,
    timeout: Duration,
    /// Most time one request may spend waiting out 429s and 503s before its answer is taken.
    max_busy_wait: Duration,
    /// Paces every attempt (`--rate`), shared by every clone.
    pace: Option<std::sync::Arc<governor::DefaultDirectRateLimiter>>,
    /// How it reaches servers, kept to name the proxy or TLS problem in errors.
    connect: std::sync::Arc<Connect>,
}

fn describe_error(
    e: &reqwest::Error,
    url: &str,
    client: &HttpClient,
    attempts: u32,
) -> TransportError {
    if e.is_timeout() {
        return TransportError::Timeout(client.timeout);
    }
    let chain = transport::chain(e);
    let tries = if attempts > 1 {
        format!(" ({attempts} attempts)")
    } else {
        String::new()
    };
    if let Some(problem) = connect::tls_problem(&chain) {
        let msg = format!("{problem} [{}]{tries}", chain.trim_start_matches(": "));
        return TransportError::Tls(client.redactor.text(&msg));
    }
    let proxy = client.connect.proxy_for(url);
    let msg = match (e.is_connect(), proxy) {
        (true, Some(proxy)) => format!("could not connect through proxy {proxy}{chain}{tries}"),
        (true, None) => format!("could not connect{chain}{tries}"),
        (false, _) => format!("request failed{chain}{tries}"),
    };
    let msg = client.redactor.text(&msg);
    if e.is_connect() {
        TransportError::Connect(msg)
    } else {
        TransportError::Other(msg)
    }
}

impl HttpClient {
    /// A client with the system's trust and proxies; see [`HttpClient::with`].
    pub fn new(timeout: Duration, redactor: Redactor) -> Result<Self, reqwest::Error> {
        HttpClient::with(timeout, redactor, Connect::default())
    }

    /// A client reaching servers as `connect` says (trust, client certificate, proxy).
    pub fn with(
        timeout: Duration,
        redactor: Redactor,
        connect: Connect,
    ) -> Result<Self, reqwest::Error> {
        for secret in connect.secrets() {
            redactor.learn(&secret);
        }
        let builder = reqwest::Client::builder()
            .user_agent(concat!("scimcheck/", env!("CARGO_PKG_VERSION")))
            .redirect(reqwest::redirect::Policy::none())
            .timeout(timeout);
        let client = connect.apply(builder).build()?;
        Ok(HttpClient {
            client,
            redactor,
            timeout,
            max_busy_wait: Duration::from_secs(60),
            pace: None,
            connect: std::sync::Arc::new(connect),
        })
    }

    /// The same client, waiting out 429 and 503 answers for at most `max` per request
    /// (zero: never).
    pub fn max_busy_wait(mut self, max: Duration) -> Self {
        self.max_busy_wait = max;
        self
    }

    /// The same client, sending at most at `rate`.
    pub fn paced(mut self, rate: Option<Rate>) -> Self {
        self.pace = rate.map(|r| std::sync::Arc::new(governor::RateLimiter::direct(r.quota())));
        self
    }

    pub fn redactor(&self) -> &Redactor {
        &self.redactor
    }

    /// The request as the record keeps it: redacted, its URL as reqwest will send it.
    pub(super) fn recorded(&self, out: &Outgoing) -> RecordedRequest {
        RecordedRequest {
            method: out.method.to_string(),
            // As sent: reqwest parses (and so normalises and percent-encodes) the URL the same way.
            url: self
                .redactor
                .text(&url::Url::parse(&out.url).map_or_else(|_| out.url.clone(), String::from)),
            headers: self.redactor.request_headers(&out.headers),
            body: out
                .body
                .as_deref()
                .and_then(recorded_request_body)
                .map(|b| self.redactor.body(b)),
        }
    }

    /// Sends one request. Never fails: a transport problem is recorded in the exchange. Only the
    /// [`Pipeline`] calls it, after the write guard.
    pub(super) async fn send(&self, out: Outgoing) -> Exchange {
        self.exchange(out, false).await.0
    }

    /// [`HttpClient::send`], also handing back the body as received (before redaction), for
    /// the authentication stage to read a token from.
    pub(super) async fn send_keeping_body(&self, out: Outgoing) -> (Exchange, Option<Vec<u8>>) {
        self.exchange(out, true).await
    }

    async fn exchange(&self, out: Outgoing, keep: bool) -> (Exchange, Option<Vec<u8>>) {
        let started = Instant::now();
        let request = self.recorded(&out);
        let mut attempts = 1;
        let (mut busy, mut waited) = (0, Duration::ZERO);
        let result = loop {
            if let Some(pace) = &self.pace {
                pace.until_ready().await;
            }
            match self.attempt(&out).await {
                Err(e) if attempts == 1 && transport::may_retry(&e, out.method) => {
                    attempts += 1;
                    tokio::time::sleep(transport::RETRY_PAUSE).await;
                }
                Ok(r) => match transport::busy_wait(r.status, &r.headers, out.method, busy) {
                    Some(wait)
                        if out.busy_retries
                            && busy < transport::MAX_RATE_RETRIES
                            && waited + wait <= self.max_busy_wait =>
                    {
                        busy += 1;
                        attempts += 1;
                        waited += wait;
                        tokio::time::sleep(wait).await;
                    }
                    _ => break Ok(r),
                },
                other => break other,
            }
        };
        let duration_ms = started.elapsed().as_millis() as u64;
        match result {
            Ok(r) => {
                let raw = keep.then(|| r.bytes.clone());
                let exchange = Exchange {
                    request,
                    response: Some(RecordedResponse {
                        status: r.status,
                        headers: self.redactor.response_headers(&r.headers),
                        body: Body::received(r.bytes, r.truncated).map(|b| self.redactor.body(b)),
                        truncated: r.truncated,
                    }),
                    duration_ms,
                    // A body that broke off says why (the answer's status and headers still count).
                    error: r
                        .cut_by
                        .as_ref()
                        .map(|e| describe_error(e, &out.url, self, attempts)),
                    attempts,
                    closes: r.closes,
                };
                (exchange, raw)
            }
            Err(e) => (
                Exchange {
                    request,
                    response: None,
                    duration_ms,
                    error: Some(describe_error(&e, &out.url, self, attempts)),
                    attempts,
                    closes: false,
                },
                None,
            ),
        }
    }

    /// Sends the request once and reads its answer.
    async fn attempt(&self, out: &Outgoing) -> Result<transport::Received, reqwest::Error> {
        let method =
            reqwest::Method::from_bytes(out.method.as_bytes()).unwrap_or(reqwest::Method::GET);
        let mut builder = self.client.request(method, &out.url);
        for (k, v) in &out.headers {
            builder = builder.header(k, v);
        }
        if let Some(body) = &out.body {
            builder = builder.body(body.clone());
        }
        Ok(transport::receive(builder.send().await?).await)
    }
}
