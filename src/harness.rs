//! libtest-mimic trials from the checks, so a Rust SCIM server (and this crate's own tests) can
//! run scimcheck inside `cargo test`, one named trial per check (`cargo test users.create` filters).

use crate::load;
use crate::run::{Pattern, RunConfig, Runner, Status};
use libtest_mimic::{Failed, Trial};
use std::path::PathBuf;
use std::sync::Arc;

/// What to test, and which checks: a base URL, credentials and headers, extra suites, patterns.
#[derive(Debug, Clone, Default)]
pub struct Target {
    pub base_url: String,
    pub token: Option<String>,
    /// Extra request headers, `(name, value)`.
    pub headers: Vec<(String, String)>,
    /// A directory of extra suite files (added to, or overriding, the built-in checks by id).
    pub suites: Option<PathBuf>,
    /// Check id patterns as `--only` / `--skip` take them.
    pub only: Vec<String>,
    pub skip: Vec<String>,
}

impl Target {
    pub fn new(base_url: impl Into<String>) -> Self {
        Target {
            base_url: base_url.into(),
            ..Target::default()
        }
    }
    pub fn token(mut self, token: impl Into<String>) -> Self {
        self.token = Some(token.into());
        self
    }
    pub fn header(mut self, name: impl Into<String>, value: impl Into<String>) -> Self {
        self.headers.push((name.into(), value.into()));
        self
    }
    pub fn suites(mut self, dir: impl Into<PathBuf>) -> Self {
        self.suites = Some(dir.into());
        self
    }
    pub fn only(mut self, pattern: impl Into<String>) -> Self {
        self.only.push(pattern.into());
        self
    }
    pub fn skip(mut self, pattern: impl Into<String>) -> Self {
        self.skip.push(pattern.into());
        self
    }

    fn run_config(&self) -> RunConfig {
        let mut config = RunConfig::new(&self.base_url);
        config.token.clone_from(&self.token);
        config.headers.clone_from(&self.headers);
        config.only = self.only.iter().map(|p| Pattern::new(p)).collect();
        config.skip = self.skip.iter().map(|p| Pattern::new(p)).collect();
        config
    }
}

/// Builds one trial per selected check against `target`, discovering capabilities first.
/// Checks the target does not advertise become ignored trials.
pub fn trials(
    runtime: Arc<tokio::runtime::Runtime>,
    target: &Target,
) -> Result<Vec<Trial>, String> {
    let catalog = load::load(target.suites.as_deref()).map_err(|e| e.to_string())?;
    let runner = Arc::new(Runner::new(target.run_config(), catalog).map_err(|e| e.to_string())?);
    let discovered = runtime
        .block_on(runner.discover())
        .map_err(|e| e.to_string())?;
    let planned = runner
        .plan(&discovered.capabilities)
        .map_err(|e| e.to_string())?;
    Ok(planned
        .into_iter()
        .enumerate()
        .map(|(seq, p)| {
            let name = p.check.id.0.clone();
            let ignored = p.skip_reason.is_some();
            let level = p.check.level.as_str();
            let (runtime, runner) = (Arc::clone(&runtime), Arc::clone(&runner));
            Trial::test(name, move || {
                let result = runtime.block_on(runner.run_one(&p, seq));
                match result.status {
                    Status::Passed | Status::Skipped => Ok(()),
                    Status::Failed | Status::Errored | Status::Blocked => {
                        Err(Failed::from(format!(
                            "{} {}: {}",
                            result.status.as_str(),
                            result.level,
                            result.message
                        )))
                    }
                }
            })
            .with_kind(level)
            .with_ignored_flag(ignored)
        })
        .collect())
}
