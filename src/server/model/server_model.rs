//! What the server is, as data: its SCIM version, where it is served, how clients
//! authenticate, the limits it enforces and the ServiceProviderConfig it advertises. Faults and
//! profiles edit this model; the protocol code only reads it.

use std::fmt;

use serde_json::{Map, Value};

use super::schema::{self, Kind, ResourceType, SchemaDef};

const SERVICE_PROVIDER_CONFIG_JSON: &str = include_str!("data/service_provider_config.json");

/// The SCIM version spoken; only 2.0 so far.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) enum ScimVersion {
    V2,
}

impl ScimVersion {
    /// The conventional base path of this version.
    fn base_path(self) -> &'static str {
        match self {
            ScimVersion::V2 => "/scim/v2",
        }
    }
}

/// How requests authenticate.
#[derive(Clone, PartialEq, Eq)]
pub(crate) enum AuthMode {
    /// Every request is accepted.
    None,
    /// `Authorization: Bearer <token>` (RFC 6750).
    Bearer { token: String },
    /// `Authorization: Basic base64(user:password)` (RFC 7617).
    Basic { user: String, password: String },
    /// Bearer tokens issued by the token endpoint at `<origin>/oauth/token` to one client
    /// (client credentials, RFC 6749 §4.4), each valid for `ttl`.
    OAuth {
        client_id: String,
        secret: String,
        ttl: std::time::Duration,
    },
}

impl fmt::Debug for AuthMode {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            AuthMode::None => f.write_str("None"),
            AuthMode::Bearer { .. } => f.write_str("Bearer { token: <redacted> }"),
            AuthMode::Basic { user, .. } => {
                write!(f, "Basic {{ user: {user:?}, password: <redacted> }}")
            }
            AuthMode::OAuth { client_id, ttl, .. } => {
                write!(
                    f,
                    "OAuth {{ client_id: {client_id:?}, secret: <redacted>, ttl: {ttl:?} }}"
                )
            }
        }
    }
}

/// The limits the server enforces and advertises.
#[derive(Debug, Clone, PartialEq, Eq)]
pub(crate) struct Limits {
    /// `bulk.maxOperations`: more operations answer 413.
    pub(crate) bulk_max_operations: usize,
    /// `bulk.maxPayloadSize` in bytes: larger Bulk bodies answer 413.
    pub(crate) bulk_max_payload_size: usize,
    /// `filter.maxResults`: the largest page served.
    pub(crate) filter_max_results: i64,
    /// The page size when a query sends no `count`.
    pub(crate) default_count: i64,
}

impl Default for Limits {
    /// The reference server's limits.
    fn default() -> Limits {
        Limits {
            bulk_max_operations: 10,
            bulk_max_payload_size: 1_048_576,
            filter_max_results: 200,
            default_count: 100,
        }
    }
}

/// The server as data.
#[derive(Debug, Clone)]
pub(crate) struct ServerModel {
    #[expect(dead_code, reason = "SCIM 1.1 profiles will read it")]
    pub(crate) scim_version: ScimVersion,
    /// The absolute base URL without a trailing slash, e.g. `http://127.0.0.1:8080/scim/v2`.
    pub(crate) base_url: String,
    /// The path every endpoint lives under, e.g. `/scim/v2`.
    pub(crate) base_path: String,
    pub(crate) auth: AuthMode,
    pub(crate) limits: Limits,
    /// The schemas published at /Schemas, in order.
    pub(crate) schemas: Vec<&'static SchemaDef>,
    /// The resource types served, in order.
    pub(crate) resource_types: Vec<ResourceType>,
    /// The advertised features of RFC 7643 §5 in order, without `schemas` and `meta`; the
    /// bulk and filter limits are filled in from [`Limits`] when it is served.
    pub(crate) service_provider_config: Map<String, Value>,
    /// Resources that exist before the first request (somebody else's data, for the harness
    /// never to touch), as `(resource type name, id, attributes)`.
    pub(crate) seed: Vec<(String, String, Map<String, Value>)>,
    /// At most this many requests per window; more answer 429 with `Retry-After` and a SCIM
    /// error until the window ends.
    pub(crate) rate_limit: Option<(u32, std::time::Duration)>,
    /// The discovery endpoints answered without credentials; `None`: all of them.
    pub(crate) open_discovery: Option<Vec<String>>,
    /// Value rules on User data beyond the RFC's (a profile's), checked before it is stored.
    pub(crate) rules: Vec<crate::profile::Rule>,
}

impl ServerModel {
    /// The reference server at `origin` (`http://host:port`), with bearer authentication when
    /// a token is given.
    pub(crate) fn reference(origin: &str, token: Option<String>) -> ServerModel {
        let scim_version = ScimVersion::V2;
        let base_path = scim_version.base_path().to_owned();
        let (schemas, resource_types) = schema::reference();
        let service_provider_config = serde_json::from_str(SERVICE_PROVIDER_CONFIG_JSON)
            .expect("embedded ServiceProviderConfig is a JSON object");
        ServerModel {
            scim_version,
            base_url: format!("{origin}{base_path}"),
            base_path,
            auth: token.map_or(AuthMode::None, |token| AuthMode::Bearer { token }),
            limits: Limits::default(),
            schemas,
            resource_types,
            service_provider_config,
            seed: Vec::new(),
            rate_limit: None,
            open_discovery: None,
            rules: Vec::new(),
        }
    }

    /// The resource type called `name`.
    pub(crate) fn resource_type(&self, name: &str) -> Option<&ResourceType> {
        self.resource_types.iter().find(|rt| rt.name == name)
    }

    /// The kind served at `endpoint` (e.g. `/Users`).
    pub(crate) fn kind_at(&self, endpoint: &str) -> Option<Kind> {
        let rt = self
            .resource_types
            .iter()
            .find(|rt| rt.endpoint == endpoint)?;
        Kind::named(&rt.name)
    }

    /// The kinds served, in the order of the resource types.
    pub(crate) fn kinds(&self) -> Vec<Kind> {
        self.resource_types
            .iter()
            .filter_map(|rt| Kind::named(&rt.name))
            .collect()
    }

    /// The absolute URL of `relative` (which starts with `/`) under the base URL.
    pub(crate) fn absolute(&self, relative: &str) -> String {
        format!("{}{relative}", self.base_url)
    }
}
