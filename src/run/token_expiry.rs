//! The expired-token probe (`--probe-auth`): a check fetches an OAuth access token of its own,
//! is served with it, waits out its `expires_in` plus the clock-skew leeway, and is then refused
//! with it (RFC 6749 §7). Only short-lived tokens are waited out.

use super::step::{CheckState, StepEnd};
use crate::http::{Exchange, Outgoing};
use crate::outcome::{Finding, FindingKind, StepError};
use crate::suite::ExpiryAspect;
use std::time::Duration;

/// The longest token lifetime the probe waits out.
pub const LONGEST_WAIT: Duration = Duration::from_secs(600);

fn failed(about: &str, expected: impl Into<String>, actual: impl Into<String>) -> StepEnd {
    StepEnd::Failed(vec![Finding::at(
        FindingKind::Builtin,
        about.to_string(),
        expected,
        actual,
    )])
}

/// `GET /Users?count=1` with `token` as the only credential.
fn with_token(state: &CheckState<'_>, token: &str) -> Outgoing {
    let mut headers = state.shared.default_headers();
    headers.retain(|(k, _)| !k.eq_ignore_ascii_case("authorization"));
    headers.push(("Authorization".into(), format!("Bearer {token}")));
    Outgoing {
        method: "GET",
        url: format!("{}/Users?count=1", state.shared.config.base_url),
        headers,
        body: None,
        credential: false,
        busy_retries: true,
    }
}

fn status_line(ex: &Exchange) -> String {
    match (&ex.response, &ex.error) {
        (Some(r), _) => r.status.to_string(),
        (None, Some(e)) => format!("no answer: {e}"),
        (None, None) => "no answer".into(),
    }
}

fn seconds(d: Duration) -> String {
    let s = d.as_secs_f64();
    if s.fract() == 0.0 {
        format!("{s:.0} s")
    } else {
        format!("{s:.1} s")
    }
}

pub(super) async fn expired_token(state: &mut CheckState<'_>, aspect: ExpiryAspect) -> StepEnd {
    match aspect {
        ExpiryAspect::Usable => usable(state).await,
        ExpiryAspect::Refused => refused(state).await,
    }
}

async fn usable(state: &mut CheckState<'_>) -> StepEnd {
    let about = "a token request of the check's own";
    let Some((ex, got)) = state.shared.pipeline.own_token().await else {
        return StepEnd::Errored(StepError::Builtin(
            "the run does not use OAuth client credentials".into(),
        ));
    };
    state.exchanges.push(ex);
    let token = match got {
        Ok(token) => token,
        Err(why) => return failed(about, "an access token", why),
    };
    let Some(lifetime) = token.lifetime else {
        return failed(
            about,
            "expires_in in the token answer (RFC 6749 §5.1), to know when the token expires",
            "no expires_in",
        );
    };
    if lifetime > LONGEST_WAIT {
        return failed(
            about,
            format!(
                "a token living at most {} to wait out",
                seconds(LONGEST_WAIT)
            ),
            format!("expires_in {}", seconds(lifetime)),
        );
    }
    let out = with_token(state, token.value.expose());
    let i = match state.send(out).await {
        Ok(i) => i,
        Err(e) => return StepEnd::Errored(e),
    };
    let ex = &state.exchanges[i];
    if ex
        .response
        .as_ref()
        .is_some_and(|r| (200..300).contains(&r.status))
    {
        state.own_token = Some(token);
        StepEnd::Passed
    } else {
        failed(
            "GET /Users?count=1 with the new token",
            "served while the token is valid",
            status_line(ex),
        )
    }
}

async fn refused(state: &mut CheckState<'_>) -> StepEnd {
    let Some(token) = state.own_token.take() else {
        return StepEnd::Errored(StepError::Builtin(
            "no token of the check's own was fetched".into(),
        ));
    };
    let lifetime = token.lifetime.unwrap_or_default();
    let leeway = state.shared.config.token_leeway;
    let due = token.issued + lifetime + leeway + Duration::from_millis(500);
    tokio::time::sleep_until(due.into()).await;
    let out = with_token(state, token.value.expose());
    let i = match state.send(out).await {
        Ok(i) => i,
        Err(e) => return StepEnd::Errored(e),
    };
    let ex = &state.exchanges[i];
    let expired = format!(
        "refused (401): tried {} after issue, past its expires_in of {} and {} of clock-skew leeway (--token-leeway)",
        seconds(token.issued.elapsed()),
        seconds(lifetime),
        seconds(leeway)
    );
    let about = "GET /Users?count=1 with an expired token";
    match ex.response.as_ref().map(|r| r.status) {
        Some(400..=499) => StepEnd::Passed,
        Some(status @ 200..=299) => failed(about, expired, format!("{status}: served")),
        _ => failed(about, expired, status_line(ex)),
    }
}
