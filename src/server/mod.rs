//! The reference SCIM 2.0 service provider on wiremock, with named faults.
//!
//! [`start`] binds a loopback port and serves an RFC 7643/7644-conformant `/scim/v2` API
//! (discovery endpoints, Users with the enterprise extension, Groups, Bulk, ETags and a 501 /Me)
//! from memory. Each enabled [`Fault`] makes it deviate in one
//! named, real-world way; with no faults every built-in check should pass against it.
//!
//! The server is a model plus policies. `model` says what the server is (base path, auth,
//! limits, schemas, resource types, advertised configuration) and how it deviates (one policy
//! struct per concern; a fault is an edit of the model or a policy). `store` keeps the records,
//! their links and their rendering; `protocol` is the RFC logic, reading the model and
//! policies; `http` is the wiremock edge. Dependencies run http → protocol → store → model.

mod http;
mod model;
mod protocol;
mod store;

#[cfg(test)]
mod tests;

use std::collections::BTreeSet;
use std::net::{Ipv4Addr, TcpListener};
use std::sync::Arc;

use wiremock::matchers::any;
use wiremock::{Mock, MockServer};

pub use model::{Fault, Needs, UnknownFault};

use http::handler::ScimHandler;
use model::ServerModel;
use model::settings::Settings;

/// How to start the reference server. Its `Debug` output redacts the token.
#[derive(Clone, Default)]
pub struct ServerConfig {
    /// Loopback port to bind; `None` or `Some(0)` picks an ephemeral port.
    pub port: Option<u16>,
    /// When set, requests must carry `Authorization: Bearer <token>`.
    pub token: Option<String>,
    /// The deliberate deviations to exhibit.
    pub faults: BTreeSet<Fault>,
    /// When set (client id, secret), requests must carry a bearer token from the server's
    /// client-credentials token endpoint at `<origin>/oauth/token`; it wins over `token`.
    pub oauth: Option<(String, String)>,
    /// When set (user, password), requests must carry them as HTTP Basic credentials; `oauth`
    /// wins over it, and it over `token`.
    pub basic: Option<(String, String)>,
    /// At most this many requests (a fixed window); more answer 429 with `Retry-After`.
    pub rate_limit: Option<crate::http::Rate>,
    /// How long an issued OAuth token is accepted (default one hour).
    pub token_ttl: Option<std::time::Duration>,
    /// Serve as this profile declares (`serve --profile`); `rate_limit` wins over its rate.
    pub profile: Option<crate::profile::Profile>,
}

impl std::fmt::Debug for ServerConfig {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("ServerConfig")
            .field("port", &self.port)
            .field("token", &self.token.as_ref().map(|_| "<redacted>"))
            .field("faults", &self.faults)
            .field(
                "oauth",
                &self.oauth.as_ref().map(|(id, _)| (id, "<redacted>")),
            )
            .field(
                "basic",
                &self.basic.as_ref().map(|(u, _)| (u, "<redacted>")),
            )
            .field("token_ttl", &self.token_ttl)
            .field("rate_limit", &self.rate_limit)
            .field("profile", &self.profile.as_ref().map(|p| &p.name))
            .finish()
    }
}

/// Why the server could not start.
#[derive(Debug, thiserror::Error)]
pub enum ServerError {
    /// The port could not be bound (in use, or not permitted).
    #[error("cannot listen on 127.0.0.1:{port}: {source}")]
    Bind {
        port: u16,
        #[source]
        source: std::io::Error,
    },
    /// The bound socket's address could not be read.
    #[error("cannot read the listening address: {0}")]
    LocalAddr(#[source] std::io::Error),
    /// The profile asks for what the server cannot emulate.
    #[error(transparent)]
    Profile(#[from] model::EmulationError),
}

/// A started reference server; dropping it stops the server.
#[derive(Debug)]
pub struct RunningServer {
    /// Held only to keep the server alive; dropping it shuts the server down.
    _server: MockServer,
    base_url: String,
}

impl RunningServer {
    /// The SCIM base URL, e.g. `http://127.0.0.1:PORT/scim/v2` (no trailing slash).
    pub fn base_url(&self) -> &str {
        &self.base_url
    }

    /// The OAuth token endpoint (`http://127.0.0.1:PORT/oauth/token`), served when the server
    /// was started with `oauth`.
    pub fn token_url(&self) -> String {
        let origin = url::Url::parse(&self.base_url)
            .map(|u| u.origin().ascii_serialization())
            .unwrap_or_default();
        format!("{origin}{}", http::oauth::TOKEN_PATH)
    }
}

/// Binds `127.0.0.1:port` and starts serving. The server runs on its own thread and runtime.
pub async fn start(config: ServerConfig) -> Result<RunningServer, ServerError> {
    let port = config.port.unwrap_or(0);
    let listener = TcpListener::bind((Ipv4Addr::LOCALHOST, port))
        .map_err(|source| ServerError::Bind { port, source })?;
    let address = listener.local_addr().map_err(ServerError::LocalAddr)?;
    let mut model = ServerModel::reference(&format!("http://{address}"), config.token);
    model.rate_limit = config.rate_limit.map(|r| (r.count.get(), r.per));

    if let Some((user, password)) = config.basic {
        model.auth = model::AuthMode::Basic { user, password };
    }
    if let Some((client_id, secret)) = config.oauth {
        model.auth = model::AuthMode::OAuth {
            client_id,
            secret,
            ttl: config
                .token_ttl
                .unwrap_or(std::time::Duration::from_secs(3600)),
        };
    }
    let (mut model, policies) = model::exhibit(model, &config.faults);
    if let Some(profile) = &config.profile {
        model::emulate(&mut model, profile, &policies.emulation)?;
    }
    let base_url = model.base_url.clone();
    let settings = Arc::new(Settings { model, policies });
    let server = MockServer::builder()
        .listener(listener)
        .disable_request_recording()
        .start()
        .await;
    Mock::given(any())
        .respond_with(ScimHandler::new(settings))
        .mount(&server)
        .await;
    Ok(RunningServer {
        _server: server,
        base_url,
    })
}
