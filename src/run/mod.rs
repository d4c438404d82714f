//! Running checks: discovery and capability gating, concurrent execution, captures, the cleanup
//! ledger and safety guard, and the RunReport that every reporter reads.

mod advertised;
mod builtin;
mod bulk;
mod discover;
mod events;
mod execute;
pub mod fixtures;
pub mod journal;
mod ledger;
pub mod leftovers;
mod own;
mod plan;
mod probes;
mod ratelimit_fields;
mod report;
mod runner;
mod step;
mod token_expiry;

pub use discover::{Capabilities, Discovered, DiscoveryError, discover};
pub use events::{EventSink, RunEvent, Silent};
pub use execute::Session;
pub use plan::{Pattern, Planned, plan};
pub use report::{FixturesReport, Jobs, REPORT_VERSION, RunExchanges, RunReport, Tool};
pub use runner::{RunError, Runner};

pub use crate::outcome::{CheckResult, LeftBehind, Status, Summary};

use crate::http::auth::{Credentials, OAuthClient};
use crate::http::{HttpClient, Redactor};
use crate::secret::{BasicAuth, DebugHeaders, Secret, printable_url, split_url_credentials};
use std::fmt;
use std::time::Duration;

/// What the harness accepts by default: SCIM JSON, and plain JSON from servers that only speak it.
/// Checks that probe content negotiation set their own Accept.
/// The clock-skew leeway granted to a server past a token's expiry: "a few minutes" (RFC 7519
/// §4.1.4), five being the most common library default.
pub const DEFAULT_TOKEN_LEEWAY: Duration = Duration::from_secs(300);

pub const DEFAULT_ACCEPT: &str = "application/scim+json, application/json;q=0.9";

/// A validated run configuration: built once (from the command line, or by a library user) and
/// read, never changed, by everything after.
#[derive(Clone)]
pub struct RunConfig {
    /// Base URL without a trailing slash (and without credentials or query: see
    /// [`RunConfig::new`]).
    pub base_url: String,
    /// The query string the base URL was given with (`aadOptscim062020`, Entra's PATCH
    /// flag): kept at the end of every request under the base.
    pub base_query: Option<String>,
    /// Sent as `Authorization: Bearer …`.
    pub token: Option<Secret>,
    /// Sent as `Authorization: Basic …` when there is no token.
    pub basic: Option<BasicAuth>,
    /// OAuth2 client credentials: access tokens are fetched, renewed and sent as Bearer tokens
    /// (the command line allows only one of token, basic and oauth).
    pub oauth: Option<OAuthClient>,
    pub headers: Vec<(String, String)>,
    pub jobs: usize,
    /// `--probe-rate-limit`: the rate-limit checks may burst requests.
    pub probe_rate_limit: bool,
    /// `--probe-auth`: the token endpoint may be sent a wrong client secret, and a token of the
    /// run's own may be waited out until it expires.
    pub probe_auth: bool,
    /// How long after an access token expires a server may still take it (clock-skew leeway,
    /// RFC 7519 §4.1.4): the expired-token check waits this much past `expires_in`.
    pub token_leeway: Duration,
    /// Adapt how many checks run at once to how the server copes (`jobs` is then ignored).
    pub adaptive_jobs: bool,
    pub timeout: Duration,
    /// Most time one request may spend waiting out 429 and 503 answers (`--max-retry-wait`).
    pub max_retry_wait: Duration,
    /// Paces every request (`--rate`).
    pub rate: Option<crate::http::Rate>,
    /// TLS trust, client certificate and proxy.
    pub connect: crate::http::Connect,
    /// `--read-only`: only checks that write nothing run, and the guard refuses every write.
    pub read_only: bool,
    /// Capabilities taken as present (`--assume`) or absent (`--assume-not`) whatever
    /// discovery finds.
    pub assume: Vec<crate::suite::Capability>,
    pub assume_not: Vec<crate::suite::Capability>,
    pub only: Vec<Pattern>,
    pub skip: Vec<Pattern>,
    /// Fixture values the user sets for create and replace bodies (`--set`).
    pub sets: Vec<fixtures::Override>,
    /// Appended to the report's target (e.g. " (embedded reference server)").
    pub target_label: String,
    /// `--profile`: the contract the run checks against besides the RFCs.
    pub profile: Option<crate::profile::Profile>,
}

/// Hides the token, the password and credential-looking header values.
impl fmt::Debug for RunConfig {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("RunConfig")
            .field("base_url", &printable_url(&self.base_url))
            .field("base_query", &self.base_query)
            .field("token", &self.token)
            .field("basic", &self.basic)
            .field("oauth", &self.oauth)
            .field("headers", &DebugHeaders(&self.headers))
            .field("jobs", &self.jobs)
            .field("adaptive_jobs", &self.adaptive_jobs)
            .field("probe_rate_limit", &self.probe_rate_limit)
            .field("probe_auth", &self.probe_auth)
            .field("token_leeway", &self.token_leeway)
            .field("profile", &self.profile.as_ref().map(|p| &p.name))
            .field("timeout", &self.timeout)
            .field("max_retry_wait", &self.max_retry_wait)
            .field("rate", &self.rate)
            .field("connect", &self.connect)
            .field("read_only", &self.read_only)
            .field("assume", &self.assume)
            .field("assume_not", &self.assume_not)
            .field("only", &self.only)
            .field("skip", &self.skip)
            .field("sets", &self.sets)
            .field("target_label", &self.target_label)
            .finish()
    }
}

impl RunConfig {
    /// A `user:password@` in the URL is taken out of it and becomes [`RunConfig::basic`], so the
    /// URL can be recorded and printed as it is.
    pub fn new(base_url: &str) -> Self {
        let (base_url, basic) = split_url_credentials(base_url);
        let (base_url, base_query) = match base_url.split_once('?') {
            Some((url, query)) => {
                let query = query.split('#').next().unwrap_or_default();
                (
                    url.to_string(),
                    (!query.is_empty()).then(|| query.to_string()),
                )
            }
            None => (base_url, None),
        };
        RunConfig {
            base_query,
            base_url: base_url.trim_end_matches('/').to_string(),
            token: None,
            basic,
            oauth: None,
            headers: Vec::new(),
            jobs: 8,
            adaptive_jobs: false,
            probe_rate_limit: false,
            probe_auth: false,
            token_leeway: DEFAULT_TOKEN_LEEWAY,
            profile: None,
            timeout: Duration::from_secs(30),
            max_retry_wait: Duration::from_secs(60),
            rate: None,
            connect: crate::http::Connect::default(),
            read_only: false,
            assume: Vec::new(),
            assume_not: Vec::new(),
            only: Vec::new(),
            skip: Vec::new(),
            sets: Vec::new(),
            target_label: String::new(),
        }
    }

    /// Whether requests carry a credential of ours (so the auth checks can run).
    pub fn has_credentials(&self) -> bool {
        self.credentials() != Credentials::None
    }

    /// How requests of ours authenticate: the bearer token, else OAuth, else Basic.
    pub fn credentials(&self) -> Credentials {
        match (&self.token, &self.oauth, &self.basic) {
            (Some(t), _, _) => Credentials::Bearer(t.clone()),
            (None, Some(o), _) => Credentials::OAuth(o.clone()),
            (None, None, Some(b)) => Credentials::Basic(b.clone()),
            (None, None, None) => Credentials::None,
        }
    }

    /// Headers every request carries unless a step says otherwise: Accept and the user's extra
    /// headers. The credential is added by the pipeline's authentication stage.
    pub fn default_headers(&self) -> Vec<(String, String)> {
        let mut headers = vec![("Accept".to_string(), DEFAULT_ACCEPT.to_string())];
        headers.extend(self.headers.iter().cloned());
        headers
    }

    /// The client, with a redactor that knows every form of the run's credentials.
    pub fn client(&self) -> Result<HttpClient, reqwest::Error> {
        let mut secrets: Vec<String> = self.token.iter().map(|t| t.expose().into()).collect();
        if let Some(b) = &self.basic {
            secrets.extend(b.secret_forms());
        }
        if let Some(o) = &self.oauth {
            secrets.extend(o.secret_forms());
        }
        Ok(HttpClient::with(
            self.timeout,
            Redactor::new(&secrets, &self.headers),
            self.connect.clone(),
        )?
        .max_busy_wait(self.max_retry_wait)
        .paced(self.rate))
    }
}

/// A short random run id; every value the run invents carries it.
pub fn new_run_id() -> String {
    uuid::Uuid::new_v4().simple().to_string()[..8].to_string()
}

fn now_rfc3339() -> String {
    time::OffsetDateTime::now_utc()
        .format(&time::format_description::well_known::Rfc3339)
        .unwrap_or_default()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn debug_never_shows_credentials() {
        let mut config = RunConfig::new("https://ann:pa55-in-url@host/scim/v2");
        config.token = Some(Secret::new("tok-3ntry-value"));
        config.headers = vec![("X-Api-Key".into(), "key-v4lue".into())];
        let shown = format!("{config:?}");
        for secret in ["tok-3ntry-value", "pa55-in-url", "key-v4lue"] {
            assert!(!shown.contains(secret), "{secret} in {shown}");
        }
        assert!(shown.contains("https://host/scim/v2"), "{shown}");
    }

    #[test]
    fn url_credentials_become_basic_auth() {
        let config = RunConfig::new("http://ann:p%40ss@host/scim/v2/");
        assert_eq!(config.base_url, "http://host/scim/v2");
        assert!(config.has_credentials());
        let Credentials::Basic(basic) = config.credentials() else {
            panic!("Basic credentials expected")
        };
        // base64("ann:p@ss"); the pipeline's authentication stage sends it, not default_headers.
        assert_eq!(basic.header_value().expose(), "Basic YW5uOnBAc3M=");
        assert!(
            !config
                .default_headers()
                .iter()
                .any(|(k, _)| k == "Authorization")
        );
    }

    #[test]
    fn a_base_url_query_is_kept_apart() {
        let config = RunConfig::new("https://host/scim/v2/?aadOptscim062020#x");
        assert_eq!(config.base_url, "https://host/scim/v2");
        assert_eq!(config.base_query.as_deref(), Some("aadOptscim062020"));
        assert_eq!(RunConfig::new("https://host/scim/v2?").base_query, None);
    }
}
