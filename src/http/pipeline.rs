//! The http pipeline every request of a run goes through: the write guard, then authentication
//! (the run's credential, an OAuth token renewed as needed), then the client that sends and
//! records. Nothing outside `http` can reach the client without passing the guard.

use super::auth::{Authenticator, Credentials, unsent};
use super::guard::{Refused, WriteGuard};
use super::{Exchange, HttpClient, Outgoing, Redactor};

/// The guard, the authentication stage and the client, as one way to send.
#[derive(Debug)]
pub struct Pipeline {
    guard: WriteGuard,
    auth: Authenticator,
    client: HttpClient,
    /// Appended to every request under the base URL (the query the base URL was given with).
    base_query: Option<String>,
}

impl Pipeline {
    /// A pipeline that sends no credential; see [`Pipeline::authenticate`].
    pub fn new(client: HttpClient, guard: WriteGuard) -> Self {
        Pipeline {
            guard,
            auth: Authenticator::new(Credentials::None),
            client,
            base_query: None,
        }
    }

    /// The same pipeline, keeping `query` at the end of every request under the base URL
    /// (Entra appends its paths to a Tenant URL such as `…/scim/v2?aadOptscim062020`).
    pub fn base_query(mut self, query: Option<String>) -> Self {
        self.base_query = query;
        self
    }

    /// The same pipeline, authenticating requests of ours with `credentials`.
    pub fn authenticate(mut self, credentials: Credentials) -> Self {
        self.auth = Authenticator::new(credentials);
        self
    }

    pub fn guard(&self) -> &WriteGuard {
        &self.guard
    }

    pub fn redactor(&self) -> &Redactor {
        self.client.redactor()
    }

    /// The OAuth token requests sent so far (redacted).
    pub fn token_requests(&self) -> Vec<Exchange> {
        self.auth.requests()
    }

    /// A token request with a wrong client secret (`--probe-auth`); `None` without OAuth.
    pub async fn wrong_client_secret(&self) -> Option<Exchange> {
        self.auth.wrong_secret(&self.client).await
    }

    /// A token of a check's own (see [`Authenticator::own_token`]); `None` without OAuth.
    pub async fn own_token(&self) -> Option<(Exchange, Result<super::auth::OwnToken, String>)> {
        self.auth.own_token(&self.client).await
    }

    /// Sends `out` if the guard permits it; the refusal's text is redacted. A request of ours
    /// carries the run's credential; a 401 to an OAuth token gets one new token and one resend
    /// (a 401 means the server did not act on the request).
    pub async fn send(&self, mut out: Outgoing) -> Result<Exchange, Refused> {
        if let Some(query) = &self.base_query {
            if super::guard::key_of(self.guard.base_url(), &out.url).is_some() {
                let joint = if out.url.contains('?') { '&' } else { '?' };
                out.url = format!("{}{joint}{query}", out.url);
            }
        }
        if let Err(mut refused) = self.guard.permit(&out) {
            refused.target = self.client.redactor().text(&refused.target);
            return Err(refused);
        }
        if !out.credential {
            return Ok(self.client.send(out).await);
        }
        let (exchange, sent) = self.authenticated(out.clone()).await;
        let refused = exchange.response.as_ref().is_some_and(|r| r.status == 401);
        match sent {
            Some(sent) if refused && self.auth.rejected(&sent).await => {
                let (mut again, _) = self.authenticated(out).await;
                again.attempts += exchange.attempts;
                Ok(again)
            }
            _ => Ok(exchange),
        }
    }

    /// Sends with the current credential; the exchange and the `Authorization` value it carried.
    async fn authenticated(&self, mut out: Outgoing) -> (Exchange, Option<String>) {
        match self.auth.authorization(&self.client).await {
            Ok(value) => {
                if let Some(v) = &value {
                    out.headers
                        .retain(|(k, _)| !k.eq_ignore_ascii_case("authorization"));
                    out.headers.push(("Authorization".into(), v.clone()));
                }
                (self.client.send(out).await, value)
            }
            Err(why) => (unsent(self.client.recorded(&out), why), None),
        }
    }
}
