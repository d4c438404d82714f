//! Authentication, a stage of the http pipeline: the credential every request of ours carries.
//! A bearer token or Basic credentials are fixed; an OAuth2 client-credentials token (RFC 6749
//! §4.4) is fetched before the first request, fetched again before it expires and once after a
//! 401, and every token request is recorded (redacted) for the report. The redactor learns each
//! access token before anything that holds it is recorded.

use super::{Exchange, HttpClient, Outgoing, TransportError};
use crate::secret::{BasicAuth, Secret};
use base64::Engine;
use base64::engine::general_purpose::STANDARD;
use std::time::{Duration, Instant};

/// Where to get OAuth2 access tokens with the client-credentials grant.
#[derive(Clone, PartialEq, Eq)]
pub struct OAuthClient {
    pub token_url: String,
    pub client_id: String,
    pub client_secret: Secret,
    pub scope: Option<String>,
}

impl std::fmt::Debug for OAuthClient {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("OAuthClient")
            .field("token_url", &crate::secret::printable_url(&self.token_url))
            .field("client_id", &self.client_id)
            .field("client_secret", &self.client_secret)
            .field("scope", &self.scope)
            .finish()
    }
}

impl OAuthClient {
    /// Client authentication by HTTP Basic, which every authorization server supports (RFC 6749
    /// §2.3.1): id and secret form-urlencoded, then base64.
    fn basic(&self) -> String {
        let enc = |s: &str| url::form_urlencoded::byte_serialize(s.as_bytes()).collect::<String>();
        let pair = format!(
            "{}:{}",
            enc(&self.client_id),
            enc(self.client_secret.expose())
        );
        format!("Basic {}", STANDARD.encode(pair))
    }

    /// Every form in which the secret could be echoed back, for the redactor.
    pub fn secret_forms(&self) -> Vec<String> {
        let basic = self.basic();
        let encoded = basic.trim_start_matches("Basic ").to_string();
        vec![self.client_secret.expose().to_string(), encoded]
    }
}

/// How requests of ours authenticate.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub enum Credentials {
    #[default]
    None,
    Bearer(Secret),
    Basic(BasicAuth),
    OAuth(OAuthClient),
}

/// An access token and when to fetch the next one.
struct Token {
    value: Secret,
    /// Fetch a new token from this instant on (some time before it expires); `None`: only
    /// after a 401.
    renew_at: Option<Instant>,
    /// `expires_in`, when the answer gave it.
    lifetime: Option<Duration>,
    /// When the token request was answered.
    issued: Instant,
}

/// A token a check fetched for itself, to use after it has expired.
#[derive(Debug)]
pub struct OwnToken {
    pub value: Secret,
    /// `expires_in`, when the token answer gave it.
    pub lifetime: Option<Duration>,
    pub issued: Instant,
}

/// The authentication stage: the credential, the current OAuth token, and the token requests.
pub struct Authenticator {
    credentials: Credentials,
    token: tokio::sync::Mutex<Option<Token>>,
    requests: std::sync::Mutex<Vec<Exchange>>,
}

impl std::fmt::Debug for Authenticator {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("Authenticator")
            .field("credentials", &self.credentials)
            .finish_non_exhaustive()
    }
}

impl Authenticator {
    pub fn new(credentials: Credentials) -> Self {
        Authenticator {
            credentials,
            token: tokio::sync::Mutex::new(None),
            requests: std::sync::Mutex::new(Vec::new()),
        }
    }

    pub fn is_oauth(&self) -> bool {
        matches!(self.credentials, Credentials::OAuth(_))
    }

    /// The token requests sent so far (redacted), in order.
    pub fn requests(&self) -> Vec<Exchange> {
        self.requests
            .lock()
            .unwrap_or_else(|e| e.into_inner())
            .clone()
    }

    /// The `Authorization` value for a request of ours; an OAuth token is fetched when there is
    /// none or it is due for renewal. The error says why no token could be had (redacted).
    pub async fn authorization(&self, client: &HttpClient) -> Result<Option<String>, String> {
        let oauth = match &self.credentials {
            Credentials::None => return Ok(None),
            Credentials::Bearer(t) => return Ok(Some(format!("Bearer {}", t.expose()))),
            Credentials::Basic(b) => return Ok(Some(b.header_value().expose().to_string())),
            Credentials::OAuth(o) => o,
        };
        let mut token = self.token.lock().await;
        let due = match &*token {
            None => true,
            Some(t) => t.renew_at.is_some_and(|at| Instant::now() >= at),
        };
        if due {
            *token = Some(self.fetch(client, oauth).await?);
        }
        Ok(token
            .as_ref()
            .map(|t| format!("Bearer {}", t.value.expose())))
    }

    /// After a 401 to a request that carried `sent`: forgets that token, unless another request
    /// already replaced it. `true` when a new token should be tried (OAuth only).
    pub async fn rejected(&self, sent: &str) -> bool {
        if !self.is_oauth() {
            return false;
        }
        let mut token = self.token.lock().await;
        if token
            .as_ref()
            .is_some_and(|t| format!("Bearer {}", t.value.expose()) == sent)
        {
            *token = None;
        }
        true
    }

    /// A token request with a wrong client secret (`--probe-auth`), for a check to judge the
    /// refusal; `None` without OAuth. An access token issued all the same is learnt by the
    /// redactor before the exchange is recorded.
    pub async fn wrong_secret(&self, client: &HttpClient) -> Option<Exchange> {
        let Credentials::OAuth(oauth) = &self.credentials else {
            return None;
        };
        let wrong = OAuthClient {
            client_secret: Secret::new(format!(
                "scimcheck-wrong-{}",
                uuid::Uuid::new_v4().simple()
            )),
            ..oauth.clone()
        };
        let (mut exchange, raw) = client.send_keeping_body(token_request(&wrong)).await;
        let issued = raw
            .as_deref()
            .and_then(|b| serde_json::from_slice::<serde_json::Value>(b).ok())
            .and_then(|j| j.get("access_token")?.as_str().map(str::to_string));
        if let Some(token) = issued {
            client.redactor().learn(&token);
            if let Some(r) = exchange.response.as_mut() {
                r.body = r.body.take().map(|b| client.redactor().body(b));
            }
        }
        Some(exchange)
    }

    /// A token of its own for a check that waits for it to expire: the token request (kept by
    /// the check, not among the run's) and the token with its lifetime, or why there is none.
    /// `None` without OAuth. The token is learnt by the redactor before anything is recorded.
    pub async fn own_token(
        &self,
        client: &HttpClient,
    ) -> Option<(Exchange, Result<OwnToken, String>)> {
        let Credentials::OAuth(oauth) = &self.credentials else {
            return None;
        };
        let (mut exchange, raw) = client.send_keeping_body(token_request(oauth)).await;
        let parsed = parse_token(exchange.response.as_ref().map(|r| r.status), raw.as_deref());
        if let Ok(t) = &parsed {
            client.redactor().learn(t.value.expose());
            if let Some(r) = exchange.response.as_mut() {
                r.body = r.body.take().map(|b| client.redactor().body(b));
            }
        }
        let own = parsed.map(|t| OwnToken {
            value: t.value,
            lifetime: t.lifetime,
            issued: t.issued,
        });
        Some((exchange, own.map_err(|e| client.redactor().text(&e))))
    }

    /// One client-credentials token request (RFC 6749 §4.4.2), recorded.
    async fn fetch(&self, client: &HttpClient, oauth: &OAuthClient) -> Result<Token, String> {
        let out = token_request(oauth);
        let (mut exchange, raw) = client.send_keeping_body(out).await;
        let parsed = parse_token(exchange.response.as_ref().map(|r| r.status), raw.as_deref());
        if let Ok(t) = &parsed {
            // Learnt before the record is kept: the answer that carried it is scrubbed again.
            client.redactor().learn(t.value.expose());
            if let Some(r) = exchange.response.as_mut() {
                r.body = r.body.take().map(|b| client.redactor().body(b));
            }
        }
        let why = match (&parsed, &exchange.error) {
            (Err(_), Some(e)) => Some(format!("the token endpoint could not be reached: {e}")),
            (Err(e), None) => Some(client.redactor().text(e)),
            (Ok(_), _) => None,
        };
        self.requests
            .lock()
            .unwrap_or_else(|e| e.into_inner())
            .push(exchange);
        match why {
            Some(why) => Err(format!(
                "no OAuth access token from {}: {why}",
                crate::secret::printable_url(&oauth.token_url)
            )),
            None => parsed,
        }
    }
}

/// A client-credentials token request, the client authenticated with HTTP Basic.
fn token_request(oauth: &OAuthClient) -> Outgoing {
    let mut form = url::form_urlencoded::Serializer::new(String::new());
    form.append_pair("grant_type", "client_credentials");
    if let Some(scope) = &oauth.scope {
        form.append_pair("scope", scope);
    }
    Outgoing {
        method: "POST",
        url: oauth.token_url.clone(),
        headers: vec![
            ("Accept".into(), "application/json".into()),
            (
                "Content-Type".into(),
                "application/x-www-form-urlencoded".into(),
            ),
            ("Authorization".into(), oauth.basic()),
        ],
        body: Some(form.finish().into_bytes()),
        credential: false,
        busy_retries: true,
    }
}

/// Reads a token response (RFC 6749 §5.1): `access_token`, `token_type` Bearer, and
/// `expires_in`; renewal is due a quarter of the lifetime (at most a minute) before expiry.
fn parse_token(status: Option<u16>, raw: Option<&[u8]>) -> Result<Token, String> {
    let json: Option<serde_json::Value> = raw.and_then(|b| serde_json::from_slice(b).ok());
    let status = status.unwrap_or_default();
    let Some(json) = json.as_ref().filter(|_| status == 200) else {
        // RFC 6749 §5.2: an error answer names `error` and maybe `error_description`.
        let error = json
            .as_ref()
            .and_then(|j| j.get("error"))
            .and_then(serde_json::Value::as_str)
            .map(|e| {
                let detail = json
                    .as_ref()
                    .and_then(|j| j.get("error_description"))
                    .and_then(serde_json::Value::as_str)
                    .map(|d| format!(": {d}"))
                    .unwrap_or_default();
                format!(" {e}{detail}")
            })
            .unwrap_or_default();
        return Err(format!("it answered {status}{error}"));
    };
    let value = json
        .get("access_token")
        .and_then(serde_json::Value::as_str)
        .filter(|t| !t.is_empty())
        .ok_or("its answer has no access_token")?;
    let kind = json
        .get("token_type")
        .and_then(serde_json::Value::as_str)
        .unwrap_or("Bearer");
    if !kind.eq_ignore_ascii_case("bearer") {
        return Err(format!(
            "it issued a {kind} token; only Bearer tokens are supported"
        ));
    }
    let lifetime = json
        .get("expires_in")
        .and_then(|e| {
            e.as_f64()
                .or_else(|| e.as_str().and_then(|s| s.parse().ok()))
        })
        .filter(|s| *s > 0.0)
        .map(Duration::from_secs_f64);
    let issued = Instant::now();
    let renew_at = lifetime.map(|l| issued + l - (l / 4).min(Duration::from_secs(60)));
    Ok(Token {
        value: Secret::new(value),
        renew_at,
        lifetime,
        issued,
    })
}

/// An exchange for a request that was never sent because no credential could be had.
pub(super) fn unsent(request: super::RecordedRequest, why: String) -> Exchange {
    Exchange {
        request,
        response: None,
        duration_ms: 0,
        error: Some(TransportError::Other(why)),
        attempts: 0,
        closes: false,
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn token_answers_are_read_as_rfc_6749_says() {
        let ok = br#"{"access_token":"abc","token_type":"bearer","expires_in":100}"#;
        let t = parse_token(Some(200), Some(ok)).unwrap();
        assert_eq!(t.value.expose(), "abc");
        let renew = t.renew_at.unwrap() - Instant::now();
        assert!(renew > Duration::from_secs(70) && renew <= Duration::from_secs(75));

        let no_expiry = br#"{"access_token":"abc"}"#;
        assert!(
            parse_token(Some(200), Some(no_expiry))
                .unwrap()
                .renew_at
                .is_none()
        );

        let refused = br#"{"error":"invalid_client","error_description":"bad secret"}"#;
        let e = parse_token(Some(401), Some(refused)).err().unwrap();
        assert_eq!(e, "it answered 401 invalid_client: bad secret");

        let mac = br#"{"access_token":"abc","token_type":"mac"}"#;
        assert!(parse_token(Some(200), Some(mac)).is_err());
        assert!(parse_token(Some(200), Some(b"<html>")).is_err());
    }

    #[test]
    fn client_authentication_is_basic_with_form_encoded_parts() {
        let o = OAuthClient {
            token_url: "http://idp/token".into(),
            client_id: "my app".into(),
            client_secret: Secret::new("s:cr&t"),
            scope: None,
        };
        // "my+app:s%3Acr%26t"
        assert_eq!(
            o.basic(),
            format!("Basic {}", STANDARD.encode("my+app:s%3Acr%26t"))
        );
        assert!(!format!("{o:?}").contains("s:cr&t"));
    }
}
