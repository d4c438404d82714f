//! The opt-in probes: a bounded burst that provokes a server's rate limit (`--probe-rate-limit`)
//! and a token request with a wrong client secret (`--probe-auth`), each judged one aspect per
//! check. Retries are off for the burst: the refusal itself is what is judged.

use super::ratelimit_fields;
use super::step::{CheckState, StepEnd};
use crate::http::{Exchange, Outgoing};
use crate::outcome::{Finding, FindingKind, StepError};
use crate::suite::{RateLimitAspect, TokenAspect};
use futures::StreamExt;
use serde_json::Value;
use std::sync::atomic::{AtomicBool, Ordering};
use std::time::Duration;

/// Requests in one burst, at most.
pub const BURST: usize = 100;
/// Requests of a burst in flight at once.
pub const IN_FLIGHT: usize = 10;

const ERROR_URN: &str = "urn:ietf:params:scim:api:messages:2.0:Error";

fn finding(about: &str, expected: impl Into<String>, actual: impl Into<String>) -> Finding {
    Finding::at(FindingKind::Builtin, about.to_string(), expected, actual)
}

fn failed(about: &str, expected: impl Into<String>, actual: impl Into<String>) -> StepEnd {
    StepEnd::Failed(vec![finding(about, expected, actual)])
}

fn probe_get(state: &CheckState<'_>) -> Outgoing {
    Outgoing {
        method: "GET",
        url: format!("{}/Users?count=1", state.shared.config.base_url),
        headers: state.shared.default_headers(),
        body: None,
        credential: true,
        busy_retries: false,
    }
}

fn is_success(ex: &Exchange) -> bool {
    ex.response
        .as_ref()
        .is_some_and(|r| (200..300).contains(&r.status))
}

/// A burst of up to [`BURST`] GETs, [`IN_FLIGHT`] at a time, that stops sending at the first
/// answer that is not a success: how many succeeded, and that answer. The first served answer
/// and the refusal are kept in the check's exchanges.
async fn burst(state: &mut CheckState<'_>) -> Result<(usize, Option<usize>), StepError> {
    let stop = AtomicBool::new(false);
    let pipeline = &state.shared.pipeline;
    let out = probe_get(state);
    let answers: Vec<Result<Exchange, String>> = futures::stream::iter(0..BURST)
        .map(|_| {
            let (out, stop) = (out.clone(), &stop);
            async move {
                if stop.load(Ordering::Relaxed) {
                    return None;
                }
                let sent = pipeline.send(out).await.map_err(|r| r.to_string());
                if sent.as_ref().map_or(true, |ex| !is_success(ex)) {
                    stop.store(true, Ordering::Relaxed);
                }
                Some(sent)
            }
        })
        .buffer_unordered(IN_FLIGHT)
        .filter_map(|a| async move { a })
        .collect()
        .await;
    let mut served = 0;
    let mut refusal = None;
    for answer in answers {
        let ex = answer.map_err(StepError::Safety)?;
        if is_success(&ex) {
            if served == 0 {
                state.exchanges.push(ex);
            }
            served += 1;
        } else if refusal.is_none() {
            refusal = Some(ex);
        }
    }
    let index = refusal.map(|ex| {
        state.exchanges.push(ex);
        state.exchanges.len() - 1
    });
    Ok((served, index))
}

fn status_of(ex: &Exchange) -> Option<u16> {
    ex.response.as_ref().map(|r| r.status)
}

fn retry_after(ex: &Exchange) -> Option<String> {
    ex.response.as_ref()?.headers.get("retry-after")
}

/// A `Retry-After` value as RFC 9110 §10.2.3 defines it: delay-seconds or an HTTP-date.
fn parse_retry_after(value: &str) -> Option<Duration> {
    let value = value.trim();
    if !value.is_empty() && value.bytes().all(|b| b.is_ascii_digit()) {
        return value.parse().ok().map(Duration::from_secs);
    }
    let at = httpdate::parse_http_date(value).ok()?;
    Some(
        at.duration_since(std::time::SystemTime::now())
            .unwrap_or(Duration::ZERO),
    )
}

/// How an answer that is not a success looks, for findings.
fn told(ex: &Exchange) -> String {
    match &ex.response {
        None => ex
            .error
            .as_ref()
            .map_or_else(|| "no answer".to_string(), |e| format!("no answer: {e}")),
        Some(r) => {
            let after = r
                .headers
                .get("retry-after")
                .map_or_else(|| "no Retry-After".into(), |v| format!("Retry-After: {v}"));
            format!("{} with {after}", r.status)
        }
    }
}

/// The refusal the last burst of this check provoked.
fn last_refusal<'s>(state: &'s CheckState<'_>) -> Result<&'s Exchange, StepError> {
    state
        .exchanges
        .iter()
        .rev()
        .find(|ex| status_of(ex) == Some(429))
        .ok_or_else(|| StepError::Builtin("no 429 was provoked before this step".into()))
}

pub(super) async fn rate_limit(state: &mut CheckState<'_>, aspect: RateLimitAspect) -> StepEnd {
    use RateLimitAspect as A;
    let about = "a burst of GET /Users?count=1";
    let shape = format!("{BURST} requests, {IN_FLIGHT} at a time");
    match aspect {
        A::FieldsPresent => fields_present(state).await,
        A::FieldsValid => fields_valid(state),
        A::Refusal | A::Provoke | A::ProvokeWithRetryAfter => {
            let (served, refusal) = match burst(state).await {
                Ok(b) => b,
                Err(e) => return StepEnd::Errored(e),
            };
            let Some(i) = refusal else {
                return match aspect {
                    A::Refusal => StepEnd::Passed,
                    _ => failed(
                        about,
                        "a 429 within the burst",
                        format!(
                            "all {served} served, {IN_FLIGHT} at a time: no limit within the burst, so no refusal to judge"
                        ),
                    ),
                };
            };
            let ex = &state.exchanges[i];
            let after = retry_after(ex).as_deref().and_then(parse_retry_after);
            let status = status_of(ex);
            let at = format!("after {served} served ({shape})");
            match (aspect, status) {
                (A::Refusal, Some(429)) => StepEnd::Passed,
                (A::Refusal, Some(503)) if after.is_some() => StepEnd::Passed,
                (A::Refusal, _) => failed(
                    about,
                    "429 Too Many Requests (or 503 with Retry-After), which tells a client to slow down",
                    format!("{} {at}", told(ex)),
                ),
                (_, Some(429)) if aspect == A::Provoke => StepEnd::Passed,
                (_, Some(429)) => match after {
                    Some(wait) if wait <= state.shared.config.max_retry_wait => StepEnd::Passed,
                    Some(wait) => failed(
                        about,
                        format!(
                            "a Retry-After of at most --max-retry-wait ({} s)",
                            state.shared.config.max_retry_wait.as_secs()
                        ),
                        format!("Retry-After asks for {} s", wait.as_secs()),
                    ),
                    None => failed(about, "a 429 with a usable Retry-After", told(ex)),
                },
                _ => failed(
                    about,
                    "a 429 within the burst",
                    format!("{} {at}", told(ex)),
                ),
            }
        }
        A::RetryAfterPresent | A::RetryAfterValid | A::ScimError => {
            let ex = match last_refusal(state) {
                Ok(ex) => ex,
                Err(e) => return StepEnd::Errored(e),
            };
            judge_refusal(ex, aspect)
        }
        A::Recovers => {
            let wait = match last_refusal(state) {
                Ok(ex) => retry_after(ex).as_deref().and_then(parse_retry_after),
                Err(e) => return StepEnd::Errored(e),
            };
            let Some(wait) = wait else {
                return StepEnd::Errored(StepError::Builtin(
                    "the 429 has no usable Retry-After to wait out".into(),
                ));
            };
            tokio::time::sleep(wait + Duration::from_millis(100)).await;
            let out = probe_get(state);
            let i = match state.send(out).await {
                Ok(i) => i,
                Err(e) => return StepEnd::Errored(e),
            };
            let ex = &state.exchanges[i];
            if is_success(ex) {
                StepEnd::Passed
            } else {
                failed(
                    "GET /Users?count=1 after waiting out Retry-After",
                    format!("served again after the {} s it asked for", wait.as_secs()),
                    told(ex),
                )
            }
        }
    }
}

/// The RateLimit fields of the check's answers, each with the answer's status.
fn rate_limit_fields(state: &CheckState<'_>) -> Vec<(u16, &'static str, String)> {
    state
        .exchanges
        .iter()
        .filter_map(|ex| ex.response.as_ref())
        .flat_map(|r| {
            ratelimit_fields::present(&r.headers)
                .into_iter()
                .map(|(name, value)| (r.status, name, value))
        })
        .collect()
}

async fn fields_present(state: &mut CheckState<'_>) -> StepEnd {
    let (served, refusal) = match burst(state).await {
        Ok(b) => b,
        Err(e) => return StepEnd::Errored(e),
    };
    if !rate_limit_fields(state).is_empty() {
        return StepEnd::Passed;
    }
    let answers = if refusal.is_some() {
        format!("the first of {served} served answers and the refusal")
    } else {
        format!("{served} served answers")
    };
    failed(
        "a burst of GET /Users?count=1",
        format!("a {} field to judge", ratelimit_fields::NAMES.join(" / ")),
        format!("none in {answers}"),
    )
}

fn fields_valid(state: &CheckState<'_>) -> StepEnd {
    let findings: Vec<Finding> = rate_limit_fields(state)
        .into_iter()
        .filter_map(|(status, name, value)| {
            let problem = ratelimit_fields::problem(name, &value)?;
            Some(finding(
                &format!("{name} of the {status} answer"),
                "a Structured Field (RFC 9651) in a shape draft-ietf-httpapi-ratelimit-headers gives it",
                format!("{name}: {value} ({problem})"),
            ))
        })
        .collect();
    if findings.is_empty() {
        StepEnd::Passed
    } else {
        StepEnd::Failed(findings)
    }
}

fn judge_refusal(ex: &Exchange, aspect: RateLimitAspect) -> StepEnd {
    let about = "the 429 answer";
    let Some(r) = &ex.response else {
        return StepEnd::Errored(StepError::no_response(ex));
    };
    match aspect {
        RateLimitAspect::RetryAfterPresent => match r.headers.get("retry-after") {
            Some(_) => StepEnd::Passed,
            None => failed(
                about,
                "a Retry-After header saying when to try again",
                "none",
            ),
        },
        RateLimitAspect::RetryAfterValid => match r.headers.get("retry-after") {
            Some(v) if parse_retry_after(&v).is_some() => StepEnd::Passed,
            Some(v) => failed(
                about,
                "Retry-After as delay-seconds (e.g. 30) or an HTTP-date",
                format!("Retry-After: {v}"),
            ),
            None => StepEnd::Errored(StepError::Builtin("the 429 has no Retry-After".into())),
        },
        _ => {
            let body = r.body.as_ref().and_then(|b| b.json());
            let schemas_ok = body
                .and_then(|b| b.get("schemas"))
                .and_then(Value::as_array)
                .is_some_and(|s| s.iter().any(|v| v.as_str() == Some(ERROR_URN)));
            let status = body.and_then(|b| b.get("status"));
            if schemas_ok && status.and_then(Value::as_str) == Some("429") {
                return StepEnd::Passed;
            }
            let actual = match (body, &r.body) {
                (Some(b), _) => b.to_string().chars().take(200).collect(),
                (None, Some(crate::http::Body::Text(t))) => format!(
                    "{} ({})",
                    t.chars().take(120).collect::<String>(),
                    r.headers.get("content-type").unwrap_or_default()
                ),
                (None, _) => "no body".into(),
            };
            failed(
                about,
                format!("a SCIM Error ({ERROR_URN}) with status \"429\""),
                actual,
            )
        }
    }
}

pub(super) async fn wrong_secret(state: &mut CheckState<'_>, aspect: TokenAspect) -> StepEnd {
    let about = "a token request with a wrong client secret";
    match aspect {
        TokenAspect::Refused => {
            let Some(ex) = state.shared.pipeline.wrong_client_secret().await else {
                return StepEnd::Errored(StepError::Builtin(
                    "the run does not use OAuth client credentials".into(),
                ));
            };
            state.exchanges.push(ex);
            let ex = &state.exchanges[state.exchanges.len() - 1];
            let Some(r) = &ex.response else {
                return StepEnd::Errored(StepError::no_response(ex));
            };
            let error = r
                .body
                .as_ref()
                .and_then(|b| b.json())
                .and_then(|b| b.get("error"))
                .and_then(Value::as_str);
            match (r.status, error) {
                (400 | 401, Some("invalid_client")) => StepEnd::Passed,
                (200..=299, _) => failed(
                    about,
                    "refused: no access token for a client that failed to authenticate",
                    format!("{}: a token was issued", r.status),
                ),
                (status, error) => failed(
                    about,
                    "400 or 401 with a JSON body {\"error\": \"invalid_client\"}",
                    format!(
                        "{status}{}",
                        error.map(|e| format!(", error {e}")).unwrap_or_default()
                    ),
                ),
            }
        }
        TokenAspect::Challenge => {
            let Some(ex) = state.exchanges.last() else {
                return StepEnd::Errored(StepError::Builtin("no token request was sent".into()));
            };
            let Some(r) = &ex.response else {
                return StepEnd::Errored(StepError::no_response(ex));
            };
            let challenge = r.headers.get("www-authenticate");
            let basic = challenge
                .as_deref()
                .is_some_and(|c| c.to_ascii_lowercase().contains("basic"));
            if r.status == 401 && basic {
                StepEnd::Passed
            } else {
                failed(
                    about,
                    "401 with WWW-Authenticate naming Basic, the scheme the client authenticated with",
                    format!(
                        "{}{}",
                        r.status,
                        challenge
                            .map(|c| format!(", WWW-Authenticate: {c}"))
                            .unwrap_or_else(|| ", no WWW-Authenticate".into())
                    ),
                )
            }
        }
    }
}
