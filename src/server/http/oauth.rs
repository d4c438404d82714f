//! The reference server's OAuth2 token endpoint (`<origin>/oauth/token`, client-credentials grant,
//! RFC 6749 §4.4) and the short-lived bearer tokens it issues, so the harness's OAuth stage
//! (renewal before expiry, one retry after a 401) is tested against a server of ours.

use base64::Engine;
use base64::engine::general_purpose::STANDARD;
use std::collections::HashMap;
use std::sync::Mutex;
use std::time::{Duration, Instant};
use wiremock::{Request, ResponseTemplate};

/// Where the token endpoint lives, under the server's origin.
pub(crate) const TOKEN_PATH: &str = "/oauth/token";

/// Issues tokens to one client and knows which are still valid.
pub(crate) struct TokenIssuer {
    client_id: String,
    secret: String,
    ttl: Duration,
    issued: Mutex<HashMap<String, Instant>>,
    /// Fault token-any-secret: any secret is taken.
    any_secret: bool,
    /// Fault token-refusal-400: a wrong secret gets 400, no challenge.
    refusal_400: bool,
    /// Fault token-expiry-ignored: every token issued stays valid.
    expiry_ignored: bool,
}

fn oauth_error(status: u16, error: &str, description: &str) -> ResponseTemplate {
    let body = serde_json::json!({"error": error, "error_description": description});
    let template = ResponseTemplate::new(status)
        .insert_header("Cache-Control", "no-store")
        .set_body_raw(body.to_string().into_bytes(), "application/json");
    if status == 401 {
        template.insert_header("WWW-Authenticate", r#"Basic realm="scimcheck-oauth""#)
    } else {
        template
    }
}

fn form_decode(s: &str) -> String {
    url::form_urlencoded::parse(format!("x={s}").as_bytes())
        .next()
        .map(|(_, v)| v.into_owned())
        .unwrap_or_default()
}

/// Shows the client and lifetime, never the secret or a token.
impl std::fmt::Debug for TokenIssuer {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("TokenIssuer")
            .field("client_id", &self.client_id)
            .field("ttl", &self.ttl)
            .finish_non_exhaustive()
    }
}

impl TokenIssuer {
    pub(crate) fn new(
        client_id: &str,
        secret: &str,
        ttl: Duration,
        policy: &crate::server::model::AuthPolicy,
    ) -> Self {
        TokenIssuer {
            client_id: client_id.to_string(),
            secret: secret.to_string(),
            ttl,
            issued: Mutex::new(HashMap::new()),
            any_secret: policy.token_any_secret,
            refusal_400: policy.token_refusal_400,
            expiry_ignored: policy.token_expiry_ignored,
        }
    }

    /// Whether `token` was issued here and has not expired.
    pub(crate) fn valid(&self, token: &str) -> bool {
        let issued = self.issued.lock().unwrap_or_else(|e| e.into_inner());
        issued
            .get(token)
            .is_some_and(|at| self.expiry_ignored || at.elapsed() < self.ttl)
    }

    /// Answers a token request: the client authenticates with HTTP Basic (RFC 6749 §2.3.1) or
    /// with `client_id` and `client_secret` in the form; the grant must be client_credentials.
    pub(crate) fn respond(&self, request: &Request) -> ResponseTemplate {
        if request.method != wiremock::http::Method::POST {
            return oauth_error(400, "invalid_request", "the token endpoint takes POST");
        }
        let form: HashMap<String, String> = url::form_urlencoded::parse(&request.body)
            .into_owned()
            .collect();
        let basic = request
            .headers
            .get("authorization")
            .and_then(|v| v.to_str().ok())
            .and_then(|v| v.strip_prefix("Basic "))
            .and_then(|b| STANDARD.decode(b.trim()).ok())
            .and_then(|b| String::from_utf8(b).ok())
            .and_then(|pair| {
                pair.split_once(':')
                    .map(|(id, secret)| (form_decode(id), form_decode(secret)))
            });
        let (id, secret) = basic.unwrap_or_else(|| {
            let get = |k: &str| form.get(k).cloned().unwrap_or_default();
            (get("client_id"), get("client_secret"))
        });
        if id != self.client_id || (secret != self.secret && !self.any_secret) {
            let status = if self.refusal_400 { 400 } else { 401 };
            return oauth_error(status, "invalid_client", "unknown client or wrong secret");
        }
        if form.get("grant_type").map(String::as_str) != Some("client_credentials") {
            return oauth_error(
                400,
                "unsupported_grant_type",
                "only client_credentials is supported",
            );
        }
        let token = format!("scimcheck-at-{}", uuid::Uuid::new_v4().simple());
        let mut issued = self.issued.lock().unwrap_or_else(|e| e.into_inner());
        if !self.expiry_ignored {
            issued.retain(|_, at| at.elapsed() < self.ttl);
        }
        issued.insert(token.clone(), Instant::now());
        let body = serde_json::json!({
            "access_token": token,
            "token_type": "Bearer",
            "expires_in": self.ttl.as_secs_f64(),
        });
        ResponseTemplate::new(200)
            .insert_header("Cache-Control", "no-store")
            .set_body_raw(body.to_string().into_bytes(), "application/json")
    }
}
