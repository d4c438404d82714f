//! The reference SCIM 2.0 service provider on wiremock, with named faults.
//!
//! [`start`] binds a loopback port and serves an RFC 7643/7644-conformant `/scim/v2` API
//! (discovery endpoints, Users with the enterprise extension, Groups, Bulk, ETags and a 501 /Me)
//! from memory. Each enabled [`Fault`] makes it deviate in one
//! named, real-world way; with no faults every built-in check should pass against it.

mod bulk;
mod bulkid;
mod crud;
mod discovery;
mod error;
mod etag;
mod filter;
mod groups;
mod handler;
mod input;
mod links;
mod media;
mod model;
mod paging;
mod patch;
mod path;
mod project;
mod query;
mod render;
mod reply;
mod resource;
mod route;
mod search;
mod settings;
mod sort;
mod store;
mod update;
mod users;

#[cfg(test)]
mod tests;

use std::collections::BTreeSet;
use std::net::{Ipv4Addr, TcpListener};
use std::sync::Arc;

use wiremock::matchers::any;
use wiremock::{Mock, MockServer};

pub use model::{Fault, UnknownFault};

use handler::ScimHandler;
use model::ServerModel;
use settings::Settings;

/// How to start the reference server. Its `Debug` output redacts the token.
#[derive(Clone, Default)]
pub struct ServerConfig {
    /// Loopback port to bind; `None` or `Some(0)` picks an ephemeral port.
    pub port: Option<u16>,
    /// When set, requests must carry `Authorization: Bearer <token>`.
    pub token: Option<String>,
    /// The deliberate deviations to exhibit.
    pub faults: BTreeSet<Fault>,
}

impl std::fmt::Debug for ServerConfig {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("ServerConfig")
            .field("port", &self.port)
            .field("token", &self.token.as_ref().map(|_| "<redacted>"))
            .field("faults", &self.faults)
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
}

/// Binds `127.0.0.1:port` and starts serving. The server runs on its own thread and runtime.
pub async fn start(config: ServerConfig) -> Result<RunningServer, ServerError> {
    let port = config.port.unwrap_or(0);
    let listener = TcpListener::bind((Ipv4Addr::LOCALHOST, port))
        .map_err(|source| ServerError::Bind { port, source })?;
    let address = listener.local_addr().map_err(ServerError::LocalAddr)?;
    let model = ServerModel::reference(&format!("http://{address}"), config.token);
    let (model, policies) = model::exhibit(model, &config.faults);
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
