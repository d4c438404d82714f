//! The second stage of the command line (the ripgrep way): clap's raw `run` flags become one
//! validated [`RunSettings`] before anything is loaded, started or sent.

use super::args::{ConnectionArgs, RunArgs};
use super::exit::Exit;
use super::output;
use super::progress::Verbosity;
use crate::http::Connect;
use crate::http::auth::OAuthClient;
use crate::report::{self, Baseline};
use crate::run::{Pattern, RunConfig};
use crate::secret::{BasicAuth, DebugHeaders, Secret, printable_url, split_url_credentials};
use crate::server::Fault;
use crate::suite::Capability;
use std::collections::BTreeSet;
use std::fmt;
use std::path::PathBuf;
use std::str::FromStr;
use std::time::Duration;

/// What `run` tests: a URL (credentials taken out), or the embedded reference server with these faults.
#[derive(Debug, Clone)]
pub enum Target {
    Url(String),
    Embedded { faults: BTreeSet<Fault> },
}

/// Everything `run` needs, validated.
pub struct RunSettings {
    pub target: Target,
    pub token: Option<Secret>,
    /// From `--user`, or `user:password@` in BASE_URL.
    pub basic: Option<BasicAuth>,
    pub oauth: Option<OAuthClient>,
    pub rate: Option<crate::http::Rate>,
    pub max_retry_wait: Duration,
    /// TLS trust, client certificate and proxy.
    pub connect: Connect,
    pub suites: Option<PathBuf>,
    pub headers: Vec<(String, String)>,
    /// `None`: adaptive.
    pub jobs: Option<usize>,
    pub timeout: Duration,
    pub only: Vec<Pattern>,
    pub skip: Vec<Pattern>,
    /// `--set` fixture values.
    pub sets: Vec<crate::run::fixtures::Override>,
    pub out: PathBuf,
    pub formats: Vec<report::Format>,
    pub strict: bool,
    pub read_only: bool,
    pub probe_rate_limit: bool,
    pub probe_auth: bool,
    pub token_leeway: Duration,
    pub assume: Vec<Capability>,
    pub assume_not: Vec<Capability>,
    pub verbosity: Verbosity,
    pub baseline: Option<(Baseline, PathBuf)>,
    pub write_baseline: Option<PathBuf>,
    /// `--profile`: the contract, and its file for a user's own.
    pub profile: Option<(crate::profile::Profile, Option<PathBuf>)>,
}

/// Hides the token, the password and credential-looking header values.
impl fmt::Debug for RunSettings {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("RunSettings")
            .field("target", &self.target)
            .field("token", &self.token)
            .field("basic", &self.basic)
            .field("oauth", &self.oauth)
            .field("rate", &self.rate)
            .field("max_retry_wait", &self.max_retry_wait)
            .field("connect", &self.connect)
            .field("suites", &self.suites)
            .field("headers", &DebugHeaders(&self.headers))
            .field("jobs", &self.jobs)
            .field("timeout", &self.timeout)
            .field("only", &self.only)
            .field("skip", &self.skip)
            .field("out", &self.out)
            .field("formats", &self.formats)
            .field("strict", &self.strict)
            .field("read_only", &self.read_only)
            .field("probe_rate_limit", &self.probe_rate_limit)
            .field("probe_auth", &self.probe_auth)
            .field("token_leeway", &self.token_leeway)
            .field("assume", &self.assume)
            .field("assume_not", &self.assume_not)
            .field("verbosity", &self.verbosity)
            .field("baseline", &self.baseline.as_ref().map(|(_, path)| path))
            .field("write_baseline", &self.write_baseline)
            .finish()
    }
}

pub fn parse_faults(names: &[String]) -> Result<BTreeSet<Fault>, Exit> {
    names
        .iter()
        .map(|n| {
            Fault::from_str(n).map_err(|e| {
                eprintln!("error: {e}");
                Exit::Usage
            })
        })
        .collect()
}

fn parse_header(raw: &str) -> Result<(String, String), Exit> {
    match raw.split_once(':') {
        Some((k, v)) if !k.trim().is_empty() && k.trim().bytes().all(|b| b.is_ascii_graphic()) => {
            Ok((k.trim().to_string(), v.trim().to_string()))
        }
        Some((k, _)) => {
            eprintln!("error: --header expects 'Name: value', got '{k}'");
            Err(Exit::Usage)
        }
        // Without a ':' the whole text may be a credential: do not repeat it.
        None => {
            eprintln!("error: --header expects 'Name: value' (no ':' found)");
            Err(Exit::Usage)
        }
    }
}

/// The validated connection options (shared by `run` and `cleanup`): the URL without its
/// credentials, and how to authenticate.
pub struct Connection {
    /// `None` for `run` without a URL (the embedded server).
    pub url: Option<String>,
    pub token: Option<Secret>,
    /// From `--user`, or `user:password@` in the URL.
    pub basic: Option<BasicAuth>,
    pub oauth: Option<OAuthClient>,
    pub headers: Vec<(String, String)>,
    pub timeout: Duration,
    pub rate: Option<crate::http::Rate>,
    pub max_retry_wait: Duration,
    pub connect: Connect,
}

impl Connection {
    /// Validates the URL and the connection flags; a problem is printed and becomes exit 2.
    pub fn from_args(url: Option<&str>, a: &ConnectionArgs) -> Result<Connection, Exit> {
        // A line break would split the header it is sent in: refuse it, naming the option.
        let broken = |v: &str| v.contains(['\r', '\n']);
        if a.token.as_ref().is_some_and(|t| broken(t.expose())) {
            eprintln!("error: --token (or SCIMCHECK_TOKEN) contains a line break");
            return Err(Exit::Usage);
        }
        if a.headers.iter().any(|h| broken(h)) {
            eprintln!("error: --header contains a line break");
            return Err(Exit::Usage);
        }
        let headers = a
            .headers
            .iter()
            .map(|h| parse_header(h))
            .collect::<Result<Vec<_>, _>>()?;
        let (url, basic) = match url {
            Some(url) => {
                let parsed = url::Url::parse(url);
                if !matches!(parsed.as_ref().map(|u| u.scheme()), Ok("http" | "https")) {
                    eprintln!(
                        "error: BASE_URL must be an http:// or https:// URL, got '{}'",
                        printable_url(url)
                    );
                    return Err(Exit::Usage);
                }
                // Credentials in the URL are sent as Basic auth and never written with the URL.
                let (url, basic) = split_url_credentials(url);
                // An empty token (SCIMCHECK_TOKEN= in CI) counts as none, as in `run_config`.
                if basic.is_some() && a.token.as_ref().is_some_and(|t| !t.is_empty()) {
                    eprintln!(
                        "error: BASE_URL carries credentials (user:password@) and --token (or \
                         SCIMCHECK_TOKEN) is also given; use one of them"
                    );
                    return Err(Exit::Usage);
                }
                (Some(url), basic)
            }
            None => (None, None),
        };
        let token = a.token.clone().filter(|t| !t.is_empty());
        let user = match a.user.as_ref().filter(|u| !u.is_empty()) {
            Some(u) => match u.expose().split_once(':') {
                Some((name, password)) if !name.is_empty() && !broken(u.expose()) => {
                    Some(BasicAuth {
                        user: name.to_string(),
                        password: Secret::new(password),
                    })
                }
                _ => {
                    eprintln!(
                        "error: --user (or SCIMCHECK_USER) must be USER:PASSWORD on one line"
                    );
                    return Err(Exit::Usage);
                }
            },
            None => None,
        };
        let oauth = oauth_client(a)?;
        let given: Vec<&str> = [
            (token.is_some(), "--token (or SCIMCHECK_TOKEN)"),
            (user.is_some(), "--user (or SCIMCHECK_USER)"),
            (basic.is_some(), "user:password@ in BASE_URL"),
            (oauth.is_some(), "--oauth-token-url"),
        ]
        .into_iter()
        .filter_map(|(given, name)| given.then_some(name))
        .collect();
        if given.len() > 1 {
            eprintln!(
                "error: {} are all credentials; use one of them",
                given.join(" and ")
            );
            return Err(Exit::Usage);
        }
        if url.is_none() && (user.is_some() || oauth.is_some()) {
            eprintln!(
                "error: --user and --oauth-token-url need BASE_URL (the embedded server takes a token)"
            );
            return Err(Exit::Usage);
        }
        let connect = Connect::load(
            a.insecure,
            a.cacert.as_deref(),
            a.cert.as_deref().zip(a.key.as_deref()),
            a.proxy.as_deref(),
        )
        .map_err(|e| {
            eprintln!("error: {e}");
            Exit::Usage
        })?;
        Ok(Connection {
            url,
            connect,
            token,
            basic: basic.or(user),
            oauth,
            headers,
            timeout: Duration::from_secs(a.timeout),
            rate: a.rate,
            max_retry_wait: Duration::from_secs(a.max_retry_wait),
        })
    }

    /// A run configuration for `base_url` that connects as these options say.
    pub fn run_config(&self, base_url: &str) -> RunConfig {
        let mut config = RunConfig::new(base_url);
        config.token.clone_from(&self.token);
        if self.basic.is_some() {
            config.basic.clone_from(&self.basic);
        }
        config.oauth.clone_from(&self.oauth);
        config.headers.clone_from(&self.headers);
        config.timeout = self.timeout;
        config.rate = self.rate;
        config.max_retry_wait = self.max_retry_wait;
        config.connect = self.connect.clone();
        config
    }
}

/// The OAuth client the flags describe: all of --oauth-token-url, --client-id and
/// --client-secret, or none of them.
fn oauth_client(a: &ConnectionArgs) -> Result<Option<OAuthClient>, Exit> {
    let secret = a.client_secret.as_ref().filter(|s| !s.is_empty());
    match (&a.oauth_token_url, &a.client_id, secret) {
        (None, None, None) if a.scope.is_none() => Ok(None),
        (Some(url), Some(id), Some(secret)) => {
            let parsed = url::Url::parse(url);
            if !matches!(parsed.as_ref().map(|u| u.scheme()), Ok("http" | "https")) {
                eprintln!(
                    "error: --oauth-token-url must be an http:// or https:// URL, got '{}'",
                    printable_url(url)
                );
                return Err(Exit::Usage);
            }
            Ok(Some(OAuthClient {
                token_url: url.clone(),
                client_id: id.clone(),
                client_secret: secret.clone(),
                scope: a.scope.clone(),
            }))
        }
        _ => {
            eprintln!(
                "error: OAuth needs --oauth-token-url, --client-id and --client-secret (or \
                 SCIMCHECK_CLIENT_SECRET) together; --scope is optional"
            );
            Err(Exit::Usage)
        }
    }
}

/// The features named by --assume or --assume-not.
fn features(flag: &str, names: &[String]) -> Result<Vec<Capability>, Exit> {
    names
        .iter()
        .filter(|n| !n.trim().is_empty())
        .map(|n| {
            Capability::from_name(n.trim())
                .filter(|c| Capability::ADVERTISED.contains(c))
                .ok_or_else(|| {
                    let known: Vec<&str> =
                        Capability::ADVERTISED.iter().map(|c| c.as_str()).collect();
                    eprintln!(
                        "error: {flag}: unknown feature '{n}' (known: {})",
                        known.join(", ")
                    );
                    Exit::Usage
                })
        })
        .collect()
}

impl RunSettings {
    /// Validates the flags; a problem is printed and becomes exit 2.
    pub fn from_args(a: RunArgs) -> Result<RunSettings, Exit> {
        if a.base_url.is_some() && !a.faults.is_empty() {
            eprintln!(
                "error: --fault applies to the embedded server; leave out BASE_URL to use it"
            );
            return Err(Exit::Usage);
        }
        let faults = parse_faults(&a.faults)?;
        let baseline = match &a.baseline {
            Some(path) => Some((output::read_baseline(path)?, path.clone())),
            None => None,
        };
        let connection = Connection::from_args(a.base_url.as_deref(), &a.connection)?;
        let mut profile = match &a.profile {
            Some(name) => Some(super::profiles::load_profile(name)?),
            None => None,
        };
        if a.probe_auth && connection.oauth.is_none() {
            eprintln!(
                "error: --probe-auth probes an OAuth token endpoint: it needs --oauth-token-url, \
                 --client-id and --client-secret"
            );
            return Err(Exit::Usage);
        }
        let target = match &connection.url {
            Some(url) => Target::Url(url.clone()),
            None => Target::Embedded { faults },
        };
        output::check_writable(&a.out)?;
        let mut sets = Vec::new();
        for text in &a.sets {
            if let Some(rest) = text.strip_prefix("profile.") {
                set_profile_value(profile.as_mut().map(|(p, _)| p), rest, text)?;
                continue;
            }
            match crate::run::fixtures::Override::parse(text) {
                Ok(o) => sets.push(o),
                Err(e) => {
                    eprintln!("error: --set {e}");
                    return Err(Exit::Usage);
                }
            }
        }
        let formats = a
            .reports
            .iter()
            .map(|r| r.format())
            .collect::<BTreeSet<_>>()
            .into_iter()
            .collect();
        Ok(RunSettings {
            target,
            token: connection.token,
            basic: connection.basic,
            oauth: connection.oauth,
            rate: connection.rate,
            max_retry_wait: connection.max_retry_wait,
            connect: connection.connect,
            suites: a.suites,
            headers: connection.headers,
            jobs: a.jobs.map(usize::from),
            timeout: connection.timeout,
            only: a.only.iter().map(|p| Pattern::new(p)).collect(),
            skip: a.skip.iter().map(|p| Pattern::new(p)).collect(),
            sets,
            out: a.out,
            formats,
            strict: a.strict,
            read_only: a.read_only,
            probe_rate_limit: a.probe_rate_limit,
            probe_auth: a.probe_auth,
            token_leeway: Duration::from_secs(a.token_leeway),
            assume: features("--assume", &a.assume)?,
            assume_not: features("--assume-not", &a.assume_not)?,
            verbosity: match (a.quiet, a.verbose) {
                (true, _) => Verbosity::Quiet,
                (_, true) => Verbosity::Verbose,
                _ => Verbosity::Normal,
            },
            baseline,
            write_baseline: a.write_baseline,
            profile,
        })
    }

    /// The run configuration for the target's base URL (known once an embedded server runs).
    pub fn run_config(&self, base_url: &str, token: Option<Secret>, label: &str) -> RunConfig {
        let mut config = RunConfig::new(base_url);
        config.token = token.filter(|t| !t.is_empty());
        if self.basic.is_some() {
            config.basic.clone_from(&self.basic);
        }
        config.oauth.clone_from(&self.oauth);
        config.rate = self.rate;
        config.max_retry_wait = self.max_retry_wait;
        // The embedded server is on loopback: never through a proxy from the environment.
        config.connect = match self.target {
            Target::Embedded { .. } => self.connect.clone().direct(),
            Target::Url(_) => self.connect.clone(),
        };
        config.read_only = self.read_only;
        config.probe_rate_limit = self.probe_rate_limit;
        config.probe_auth = self.probe_auth;
        if let Some((profile, _)) = &self.profile {
            // Below the contract's documented limit, unless --rate says otherwise.
            if config.rate.is_none() {
                config.rate = profile.rate_limit.as_deref().and_then(|r| r.parse().ok());
            }
            config.profile = Some(profile.clone());
        }
        config.token_leeway = self.token_leeway;
        config.assume.clone_from(&self.assume);
        config.assume_not.clone_from(&self.assume_not);
        config.headers.clone_from(&self.headers);
        match self.jobs {
            Some(jobs) => config.jobs = jobs,
            None => config.adaptive_jobs = true,
        }
        config.timeout = self.timeout;
        config.only.clone_from(&self.only);
        config.skip.clone_from(&self.skip);
        config.sets.clone_from(&self.sets);
        config.target_label = label.to_string();
        config
    }
}

/// `--set profile.NAME=VALUE`: one of the profile's own values (`fixtures:`), for a tenant whose
/// contract differs (its own attribute names, say). VALUE is JSON if it parses.
fn set_profile_value(
    profile: Option<&mut crate::profile::Profile>,
    assignment: &str,
    text: &str,
) -> Result<(), Exit> {
    let Some(profile) = profile else {
        eprintln!("error: --set {text}: profile values need --profile");
        return Err(Exit::Usage);
    };
    let Some((name, raw)) = assignment.split_once('=') else {
        eprintln!("error: --set {text}: expected profile.NAME=VALUE");
        return Err(Exit::Usage);
    };
    if !profile.fixtures.contains_key(name) {
        let known: Vec<&str> = profile.fixtures.keys().map(String::as_str).collect();
        eprintln!(
            "error: --set {text}: profile {} has no value `{name}` (it has: {})",
            profile.name,
            if known.is_empty() {
                "none".to_string()
            } else {
                known.join(", ")
            }
        );
        return Err(Exit::Usage);
    }
    let value =
        serde_json::from_str(raw).unwrap_or_else(|_| serde_json::Value::String(raw.to_string()));
    profile.fixtures.insert(name.to_string(), value);
    Ok(())
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::cli::Cli;
    use crate::cli::args::Command;
    use clap::Parser;

    fn settings(extra: &[&str]) -> Result<RunSettings, Exit> {
        let out = tempfile::tempdir().unwrap();
        let mut argv = vec!["scimcheck", "run", "--out", out.path().to_str().unwrap()];
        argv.extend_from_slice(extra);
        let Command::Run(a) = Cli::try_parse_from(argv).unwrap().command else {
            unreachable!("a run command")
        };
        RunSettings::from_args(*a)
    }

    #[test]
    fn url_credentials_become_basic_and_debug_hides_them() {
        let s = settings(&["http://ann:pa%24%24-w0rd@host/scim/v2"]).unwrap();
        assert!(matches!(&s.target, Target::Url(u) if u == "http://host/scim/v2"));
        assert_eq!(s.basic.as_ref().unwrap().password.expose(), "pa$$-w0rd");
        let config = s.run_config("http://host/scim/v2", None, "");
        assert!(config.basic.is_some());
        let shown = format!("{s:?} {config:?}");
        assert!(
            !shown.contains("pa$$-w0rd") && !shown.contains("pa%24%24"),
            "{shown}"
        );
    }

    #[test]
    fn debug_hides_the_token_and_secret_headers() {
        let s = settings(&[
            "http://host/scim/v2",
            "--token",
            "t0ken-in-debug",
            "--header",
            "X-Api-Key: k3y-in-debug",
        ])
        .unwrap();
        let config = s.run_config("http://host/scim/v2", s.token.clone(), "");
        let shown = format!("{s:?} {config:?}");
        assert!(
            !shown.contains("t0ken-in-debug") && !shown.contains("k3y-in-debug"),
            "{shown}"
        );
    }

    #[test]
    fn url_credentials_and_a_token_are_a_usage_error() {
        let both = settings(&["http://ann:pw@host/scim/v2", "--token", "t"]);
        assert_eq!(both.err(), Some(Exit::Usage));
        // An empty token (SCIMCHECK_TOKEN= in CI) is no token.
        assert!(settings(&["http://ann:pw@host/scim/v2", "--token", ""]).is_ok());
    }

    #[test]
    fn one_credential_at_a_time_and_oauth_needs_all_three_parts() {
        let err = |args: &[&str]| settings(args).err();
        assert_eq!(
            err(&["http://h/scim/v2", "--token", "t", "--user", "a:b"]),
            Some(Exit::Usage)
        );
        assert_eq!(
            err(&["http://h/scim/v2", "--user", "no-colon"]),
            Some(Exit::Usage)
        );
        assert_eq!(
            err(&["http://h/scim/v2", "--oauth-token-url", "http://idp/token"]),
            Some(Exit::Usage)
        );
        assert_eq!(err(&["--user", "a:b"]), Some(Exit::Usage), "needs BASE_URL");
        let ok = settings(&[
            "http://h/scim/v2",
            "--oauth-token-url",
            "http://idp/token",
            "--client-id",
            "app",
            "--client-secret",
            "s3cret-value",
        ])
        .unwrap();
        let config = ok.run_config("http://h/scim/v2", ok.token.clone(), "");
        assert!(matches!(
            config.credentials(),
            crate::http::auth::Credentials::OAuth(_)
        ));
        assert!(!format!("{ok:?} {config:?}").contains("s3cret-value"));
        let basic = settings(&["http://h/scim/v2", "--user", "ann:pw:with:colons"]).unwrap();
        assert_eq!(
            basic.basic.as_ref().unwrap().password.expose(),
            "pw:with:colons"
        );
    }
}
