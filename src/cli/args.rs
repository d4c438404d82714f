//! clap definitions: the raw flags, before validation.

use crate::secret::{DebugHeaders, Secret, printable_url};
use clap::{Args, Parser, Subcommand, ValueEnum};
use std::fmt;
use std::path::PathBuf;

#[derive(Debug, Parser)]
#[command(
    name = "scimcheck",
    version,
    about = "Conformance test harness for SCIM 2.0 service providers"
)]
pub struct Cli {
    #[command(subcommand)]
    pub command: Command,
}

#[derive(Debug, Subcommand)]
pub enum Command {
    /// Run checks; with no BASE_URL, start the embedded reference server and test it.
    Run(Box<RunArgs>),
    /// List every check: id, level, spec reference, title.
    List(ListArgs),
    /// List the built-in profiles (one line each), or show one profile's contract.
    Profiles(ProfilesArgs),
    /// Run the reference server in the foreground; prints its base URL first.
    Serve(ServeArgs),
    /// Validate suite files; reports file:line:col for each problem.
    Validate(ValidateArgs),
    /// Find what a run left behind on a server (by its run id), prove it is the run's, and
    /// delete it with --yes.
    Cleanup(Box<CleanupArgs>),
    /// Find the SCIM base URL under a Tenant URL (or its origin) and say what to paste into
    /// Entra ID and Okta; replays their connection tests. Sends only GETs.
    Doctor(Box<DoctorArgs>),
}

/// How to reach a server: one set of options shared by `run` and `cleanup`.
#[derive(Args)]
pub struct ConnectionArgs {
    /// Bearer token for the target.
    #[arg(long, env = "SCIMCHECK_TOKEN", hide_env_values = true)]
    pub token: Option<Secret>,
    /// HTTP Basic credentials for the target, 'USER:PASSWORD'.
    #[arg(
        long,
        value_name = "USER:PASSWORD",
        env = "SCIMCHECK_USER",
        hide_env_values = true
    )]
    pub user: Option<Secret>,
    /// OAuth2 token endpoint: access tokens are got with the client-credentials grant, renewed
    /// before they expire and once after a 401 (needs --client-id and --client-secret).
    #[arg(long, value_name = "URL")]
    pub oauth_token_url: Option<String>,
    /// OAuth2 client id.
    #[arg(long, value_name = "ID")]
    pub client_id: Option<String>,
    /// OAuth2 client secret.
    #[arg(
        long,
        value_name = "SECRET",
        env = "SCIMCHECK_CLIENT_SECRET",
        hide_env_values = true
    )]
    pub client_secret: Option<Secret>,
    /// OAuth2 scope to ask for (space-separated scopes in one value).
    #[arg(long, value_name = "SCOPE")]
    pub scope: Option<String>,
    /// Extra request header, 'Name: value' (repeatable).
    #[arg(long = "header", value_name = "NAME: VALUE")]
    pub headers: Vec<String>,
    /// Per-request timeout in seconds.
    #[arg(long, default_value_t = 30, value_parser = clap::value_parser!(u64).range(1..=3600))]
    pub timeout: u64,
    /// Send at most this many requests: N/s, N/m or N/h (e.g. 25000/h).
    #[arg(long, value_name = "N/s|N/m|N/h")]
    pub rate: Option<crate::http::Rate>,
    /// Most seconds one request may wait out 429 and 503 answers (Retry-After) before its
    /// answer is taken; 0 never waits.
    #[arg(long, value_name = "SECS", default_value_t = 60, value_parser = clap::value_parser!(u64).range(0..=3600))]
    pub max_retry_wait: u64,
    /// Accept any TLS certificate (self-signed, expired, another host's): test tenants only.
    #[arg(long)]
    pub insecure: bool,
    /// Trust the CA certificates in this PEM file, besides the system's.
    #[arg(long, value_name = "FILE")]
    pub cacert: Option<PathBuf>,
    /// Client certificate (PEM) for servers that ask for one (mutual TLS); needs --key.
    #[arg(long, value_name = "FILE", requires = "key")]
    pub cert: Option<PathBuf>,
    /// The client certificate's private key (PEM); needs --cert.
    #[arg(long, value_name = "FILE", requires = "cert")]
    pub key: Option<PathBuf>,
    /// Send requests through this proxy (http:// or https://, user:password@ allowed; hosts in
    /// NO_PROXY go direct). Without it HTTPS_PROXY, HTTP_PROXY and ALL_PROXY apply.
    #[arg(long, value_name = "URL")]
    pub proxy: Option<String>,
}

impl fmt::Debug for ConnectionArgs {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("ConnectionArgs")
            .field("token", &self.token)
            .field("user", &self.user)
            .field("oauth_token_url", &self.oauth_token_url)
            .field("client_id", &self.client_id)
            .field("client_secret", &self.client_secret)
            .field("scope", &self.scope)
            .field("headers", &RawHeaders(&self.headers))
            .field("timeout", &self.timeout)
            .field("rate", &self.rate)
            .field("max_retry_wait", &self.max_retry_wait)
            .field("insecure", &self.insecure)
            .field("cacert", &self.cacert)
            .field("cert", &self.cert)
            .field("key", &self.key)
            .field("proxy", &self.proxy.as_deref().map(printable_url))
            .finish()
    }
}

#[derive(Args)]
pub struct DoctorArgs {
    /// The URL to start from: a Tenant URL, a SCIM base URL, an endpoint or just the origin.
    pub url: String,
    #[command(flatten)]
    pub connection: ConnectionArgs,
}

impl fmt::Debug for DoctorArgs {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("DoctorArgs")
            .field("url", &printable_url(&self.url))
            .field("connection", &self.connection)
            .finish()
    }
}

#[derive(Args)]
pub struct CleanupArgs {
    /// SCIM base URL the run tested (user:password@ in it is sent as Basic auth).
    pub base_url: String,
    /// The run id (printed when the run started, `run_id` in report.json).
    #[arg(long = "run", value_name = "RUN_ID")]
    pub run_id: String,
    /// The run's ledger file (ledger.jsonl in its --out directory): what it lists is looked at too.
    #[arg(long, value_name = "FILE")]
    pub ledger: Option<PathBuf>,
    /// Delete what is found (without it, only list).
    #[arg(long)]
    pub yes: bool,
    #[command(flatten)]
    pub connection: ConnectionArgs,
}

impl fmt::Debug for CleanupArgs {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("CleanupArgs")
            .field("base_url", &printable_url(&self.base_url))
            .field("run_id", &self.run_id)
            .field("ledger", &self.ledger)
            .field("yes", &self.yes)
            .field("connection", &self.connection)
            .finish()
    }
}

#[derive(Args)]
pub struct RunArgs {
    /// SCIM base URL, e.g. https://api.example.com/scim/v2 (user:password@ in it is sent as Basic auth)
    pub base_url: Option<String>,
    #[command(flatten)]
    pub connection: ConnectionArgs,
    /// Directory of extra suite files (add to, or override, the built-in checks by id).
    #[arg(long)]
    pub suites: Option<PathBuf>,
    /// Run only checks matching: an id, a dotted prefix (users.create) or a glob (*.create.*). Repeatable.
    #[arg(long)]
    pub only: Vec<String>,
    /// Leave out checks matching (same forms as --only). Repeatable.
    #[arg(long)]
    pub skip: Vec<String>,
    /// A fixture value for every create and replace body of one resource type:
    /// TYPE.ATTRIBUTE=VALUE (User.name.formatted=Ann; VALUE is JSON if it parses). Repeatable.
    #[arg(long = "set", value_name = "TYPE.ATTR=VALUE")]
    pub sets: Vec<String>,
    /// Checks run at the same time (default: adapt, from 2 up to 16, to how the server keeps up).
    #[arg(long, value_parser = clap::value_parser!(u16).range(1..=256))]
    pub jobs: Option<u16>,
    /// Directory for report files.
    #[arg(long, default_value = "reports/latest")]
    pub out: PathBuf,
    /// SHOULD (and MAY) failures also fail the run.
    #[arg(long)]
    pub strict: bool,
    /// Take these features as supported whatever /ServiceProviderConfig says (comma-separated or
    /// repeated: patch, bulk, filter, sort, etag, changePassword, groups, enterpriseUser).
    #[arg(long, value_name = "FEATURES", value_delimiter = ',')]
    pub assume: Vec<String>,
    /// Take these features as unsupported whatever /ServiceProviderConfig says.
    #[arg(long, value_name = "FEATURES", value_delimiter = ',')]
    pub assume_not: Vec<String>,
    /// Send no write: only the checks that create, change and delete nothing run, and any
    /// POST (but to .search), PUT, PATCH or DELETE is refused. For production tenants.
    #[arg(long)]
    pub read_only: bool,
    /// Check against a client's or vendor's contract too: a built-in profile's name (see
    /// `scimcheck profiles`) or a profile file. Its own checks run, RFC areas it drops are
    /// skipped, and requests are paced below its rate limit unless --rate says otherwise.
    #[arg(long, value_name = "NAME|FILE")]
    pub profile: Option<String>,
    /// Run the opt-in rate-limit checks: bursts of 100 GETs (10 at a time, no retries) provoke
    /// the server's limit to judge its 429s.
    #[arg(long)]
    pub probe_rate_limit: bool,
    /// Run the opt-in OAuth checks: a wrong client secret sent to the token endpoint (your
    /// identity provider sees one failed sign-in), and a token waited out until it expires.
    #[arg(long)]
    pub probe_auth: bool,
    /// Seconds past a token's expiry a server may still accept it (clock skew; RFC 7519
    /// §4.1.4): the expired-token probe waits this long after `expires_in`.
    #[arg(long, value_name = "SECS", default_value_t = 300, value_parser = clap::value_parser!(u64).range(0..=3600))]
    pub token_leeway: u64,
    /// Print only the summary line and the report paths.
    #[arg(long, short = 'q', conflicts_with = "verbose")]
    pub quiet: bool,
    /// Print a line for every check as it finishes.
    #[arg(long, short = 'v')]
    pub verbose: bool,
    /// With no BASE_URL: start the embedded server with this fault (repeatable; see `serve --list-faults`).
    #[arg(long = "fault", value_name = "NAME")]
    pub faults: Vec<String>,
    /// Report files to write in --out (comma-separated, repeatable).
    #[arg(
        long = "report",
        value_name = "FORMAT",
        value_enum,
        value_delimiter = ',',
        default_values_t = [ReportArg::Json, ReportArg::Junit, ReportArg::Md, ReportArg::Html]
    )]
    pub reports: Vec<ReportArg>,
    /// Compare with this baseline file: exit 1 only for regressions against it.
    #[arg(long, value_name = "FILE")]
    pub baseline: Option<PathBuf>,
    /// Write this run's verdicts as a baseline file.
    #[arg(long, value_name = "FILE")]
    pub write_baseline: Option<PathBuf>,
}

/// Hides credentials in the URL, the token and credential-looking header values.
impl fmt::Debug for RunArgs {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("RunArgs")
            .field("base_url", &self.base_url.as_deref().map(printable_url))
            .field("connection", &self.connection)
            .field("suites", &self.suites)
            .field("only", &self.only)
            .field("skip", &self.skip)
            .field("sets", &self.sets)
            .field("jobs", &self.jobs)
            .field("out", &self.out)
            .field("strict", &self.strict)
            .field("quiet", &self.quiet)
            .field("verbose", &self.verbose)
            .field("faults", &self.faults)
            .field("reports", &self.reports)
            .field("baseline", &self.baseline)
            .field("write_baseline", &self.write_baseline)
            .finish()
    }
}

/// `--header` values as typed ('Name: value'), shown like validated headers.
struct RawHeaders<'a>(&'a [String]);

impl fmt::Debug for RawHeaders<'_> {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        let pairs: Vec<(String, String)> = self
            .0
            .iter()
            .map(|h| match h.split_once(':') {
                Some((k, v)) => (k.trim().to_string(), v.trim().to_string()),
                // Not a header at all: it may be a credential typed without its name.
                None => ("[unparsed]".to_string(), String::new()),
            })
            .collect();
        DebugHeaders(&pairs).fmt(f)
    }
}

/// A report format as named on the command line.
#[derive(Debug, Clone, Copy, PartialEq, Eq, ValueEnum)]
pub enum ReportArg {
    /// report.json
    Json,
    /// junit.xml
    Junit,
    /// summary.md
    Md,
    /// report.html
    Html,
}

impl ReportArg {
    pub fn format(self) -> crate::report::Format {
        use crate::report::Format;
        match self {
            ReportArg::Json => Format::Json,
            ReportArg::Junit => Format::Junit,
            ReportArg::Md => Format::Markdown,
            ReportArg::Html => Format::Html,
        }
    }
}

#[derive(Debug, Args)]
pub struct ListArgs {
    /// Directory of extra suite files.
    #[arg(long)]
    pub suites: Option<PathBuf>,
}

#[derive(Debug, Args)]
pub struct ProfilesArgs {
    /// A built-in profile's name or a profile file: show its contract.
    #[arg(value_name = "NAME|FILE")]
    pub profile: Option<String>,
}

#[derive(Args)]
pub struct ServeArgs {
    /// Port on 127.0.0.1 (default: any free port).
    #[arg(long)]
    pub port: Option<u16>,
    /// Require this bearer token on resource endpoints.
    #[arg(long, env = "SCIMCHECK_SERVE_TOKEN", hide_env_values = true)]
    pub token: Option<String>,
    /// Start with a named fault (repeatable).
    #[arg(long = "fault", value_name = "NAME")]
    pub faults: Vec<String>,
    /// Require OAuth2 bearer tokens, issued to this one client by a client-credentials token
    /// endpoint at <origin>/oauth/token (wins over --token).
    #[arg(
        long,
        value_name = "CLIENT_ID:SECRET",
        env = "SCIMCHECK_SERVE_OAUTH",
        hide_env_values = true
    )]
    pub oauth: Option<String>,
    /// Serve as a profile declares (a built-in's name or a profile file): its base path,
    /// resource types, extensions, open discovery endpoints and rate limit.
    #[arg(long, value_name = "NAME|FILE")]
    pub profile: Option<String>,
    /// Answer at most N requests per second, minute or hour (a fixed window); more get 429 with
    /// Retry-After and a SCIM error; every answer carries RateLimit-Policy and RateLimit fields.
    #[arg(long, value_name = "N/s|N/m|N/h")]
    pub rate_limit: Option<crate::http::Rate>,
    /// Require HTTP Basic credentials USER:PASSWORD instead of a bearer token.
    #[arg(
        long,
        value_name = "USER:PASSWORD",
        env = "SCIMCHECK_SERVE_USER",
        hide_env_values = true
    )]
    pub user: Option<String>,
    /// Seconds an issued OAuth token is accepted (fractions allowed, for tests).
    #[arg(long, value_name = "SECS", default_value_t = 3600.0, value_parser = ttl)]
    pub token_ttl: f64,
    /// Print one fault name per line and exit.
    #[arg(long)]
    pub list_faults: bool,
}

fn ttl(s: &str) -> Result<f64, String> {
    match s.parse::<f64>() {
        Ok(v) if v > 0.0 && v <= 86_400.0 => Ok(v),
        _ => Err(format!(
            "'{s}' is not a number of seconds above 0 and at most 86400"
        )),
    }
}

/// Hides the token.
impl fmt::Debug for ServeArgs {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("ServeArgs")
            .field("port", &self.port)
            .field("token", &self.token.as_ref().map(|_| "[redacted]"))
            .field("faults", &self.faults)
            .field("oauth", &self.oauth.as_ref().map(|_| "[redacted]"))
            .field("user", &self.user.as_ref().map(|_| "[redacted]"))
            .field("token_ttl", &self.token_ttl)
            .field("rate_limit", &self.rate_limit)
            .field("profile", &self.profile)
            .field("list_faults", &self.list_faults)
            .finish()
    }
}

#[derive(Debug, Args)]
pub struct ValidateArgs {
    /// Suite files to validate.
    #[arg(required = true)]
    pub files: Vec<PathBuf>,
}
