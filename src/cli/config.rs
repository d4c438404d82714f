//! The second stage of the command line (the ripgrep way): clap's raw `run` flags become one
//! validated [`RunSettings`] before anything is loaded, started or sent.

use super::args::RunArgs;
use super::exit::Exit;
use super::output;
use super::progress::Verbosity;
use crate::report::{self, Baseline};
use crate::run::{Pattern, RunConfig};
use crate::server::Fault;
use std::collections::BTreeSet;
use std::path::PathBuf;
use std::str::FromStr;
use std::time::Duration;

/// What `run` tests: a URL, or the embedded reference server with these faults.
#[derive(Debug, Clone)]
pub enum Target {
    Url(String),
    Embedded { faults: BTreeSet<Fault> },
}

/// Everything `run` needs, validated.
#[derive(Debug)]
pub struct RunSettings {
    pub target: Target,
    pub token: Option<String>,
    pub suites: Option<PathBuf>,
    pub headers: Vec<(String, String)>,
    pub jobs: usize,
    pub timeout: Duration,
    pub only: Vec<Pattern>,
    pub skip: Vec<Pattern>,
    pub out: PathBuf,
    pub formats: Vec<report::Format>,
    pub strict: bool,
    pub verbosity: Verbosity,
    pub baseline: Option<(Baseline, PathBuf)>,
    pub write_baseline: Option<PathBuf>,
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
        _ => {
            eprintln!(
                "error: --header expects 'Name: value', got '{}'",
                raw.split(':').next().unwrap_or_default()
            );
            Err(Exit::Usage)
        }
    }
}

impl RunSettings {
    /// Validates the flags; a problem is printed and becomes exit 2.
    pub fn from_args(a: RunArgs) -> Result<RunSettings, Exit> {
        // A line break would split the header it is sent in: refuse it, naming the option.
        let broken = |v: &str| v.contains(['\r', '\n']);
        if a.token.as_deref().is_some_and(broken) {
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
        let target = match a.base_url {
            Some(url) => {
                let parsed = url::Url::parse(&url);
                if !matches!(parsed.as_ref().map(|u| u.scheme()), Ok("http" | "https")) {
                    eprintln!("error: BASE_URL must be an http:// or https:// URL, got '{url}'");
                    return Err(Exit::Usage);
                }
                Target::Url(url)
            }
            None => Target::Embedded { faults },
        };
        output::check_writable(&a.out)?;
        let formats = a
            .reports
            .iter()
            .map(|r| r.format())
            .collect::<BTreeSet<_>>()
            .into_iter()
            .collect();
        Ok(RunSettings {
            target,
            token: a.token,
            suites: a.suites,
            headers,
            jobs: usize::from(a.jobs),
            timeout: Duration::from_secs(a.timeout),
            only: a.only.iter().map(|p| Pattern::new(p)).collect(),
            skip: a.skip.iter().map(|p| Pattern::new(p)).collect(),
            out: a.out,
            formats,
            strict: a.strict,
            verbosity: match (a.quiet, a.verbose) {
                (true, _) => Verbosity::Quiet,
                (_, true) => Verbosity::Verbose,
                _ => Verbosity::Normal,
            },
            baseline,
            write_baseline: a.write_baseline,
        })
    }

    /// The run configuration for the target's base URL (known once an embedded server runs).
    pub fn run_config(&self, base_url: &str, token: Option<String>, label: &str) -> RunConfig {
        let mut config = RunConfig::new(base_url);
        config.token = token.filter(|t| !t.is_empty());
        config.headers.clone_from(&self.headers);
        config.jobs = self.jobs;
        config.timeout = self.timeout;
        config.only.clone_from(&self.only);
        config.skip.clone_from(&self.skip);
        config.target_label = label.to_string();
        config
    }
}
