//! libtest-mimic trials from the checks, so a Rust SCIM server (and this crate's own tests) can
//! run scimcheck inside `cargo test`, one named trial per check (`cargo test users.create` filters).

use crate::load;
use crate::run::{Pattern, RunConfig, Runner, Status};
use crate::secret::{BasicAuth, DebugHeaders, Secret, printable_url, split_url_credentials};
use libtest_mimic::{Failed, Trial};
use std::fmt;
use std::path::PathBuf;
use std::sync::Arc;

/// What to test, and which checks: a base URL, credentials and headers, extra suites, patterns.
#[derive(Clone, Default)]
pub struct Target {
    /// Base URL without credentials ([`Target::new`] takes `user:password@` out into `basic`).
    pub base_url: String,
    pub token: Option<Secret>,
    /// HTTP Basic credentials, from `user:password@` in the URL given to [`Target::new`].
    pub basic: Option<BasicAuth>,
    /// Extra request headers, `(name, value)`.
    pub headers: Vec<(String, String)>,
    /// A directory of extra suite files (added to, or overriding, the built-in checks by id).
    pub suites: Option<PathBuf>,
    /// Check id patterns as `--only` / `--skip` take them.
    pub only: Vec<String>,
    pub skip: Vec<String>,
}

/// Hides the token, the password and credential-looking header values.
impl fmt::Debug for Target {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("Target")
            .field("base_url", &printable_url(&self.base_url))
            .field("token", &self.token)
            .field("basic", &self.basic)
            .field("headers", &DebugHeaders(&self.headers))
            .field("suites", &self.suites)
            .field("only", &self.only)
            .field("skip", &self.skip)
            .finish()
    }
}

impl Target {
    /// `user:password@` in the URL is taken out and sent as HTTP Basic auth; it is never
    /// recorded with the URL.
    pub fn new(base_url: impl Into<String>) -> Self {
        let (base_url, basic) = split_url_credentials(&base_url.into());
        Target {
            base_url,
            basic,
            ..Target::default()
        }
    }
    /// A bearer token; a URL that also carries credentials is an error when trials are built.
    pub fn token(mut self, token: impl Into<Secret>) -> Self {
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

    fn run_config(&self) -> Result<RunConfig, String> {
        // RunConfig::new also takes credentials out of a base_url set directly on the field.
        let mut config = RunConfig::new(&self.base_url);
        if self.basic.is_some() {
            config.basic.clone_from(&self.basic);
        }
        if config.basic.is_some() && self.token.is_some() {
            return Err(
                "the base URL carries credentials (user:password@) and a token is also set; \
                 use one of them"
                    .to_string(),
            );
        }
        config.token.clone_from(&self.token);
        config.headers.clone_from(&self.headers);
        config.only = self.only.iter().map(|p| Pattern::new(p)).collect();
        config.skip = self.skip.iter().map(|p| Pattern::new(p)).collect();
        Ok(config)
    }
}

/// Builds one trial per selected check against `target`, discovering capabilities first.
/// Checks the target does not advertise become ignored trials.
pub fn trials(
    runtime: Arc<tokio::runtime::Runtime>,
    target: &Target,
) -> Result<Vec<Trial>, String> {
    let catalog = load::load(target.suites.as_deref()).map_err(|e| e.to_string())?;
    let runner = Arc::new(Runner::new(target.run_config()?, catalog).map_err(|e| e.to_string())?);
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
                    // Never tested: not a failure of its requirement (libtest has no runtime
                    // skip, so it passes with a note).
                    Status::Blocked => {
                        eprintln!("{}: blocked: {}", result.id, result.message);
                        Ok(())
                    }
                    Status::Failed | Status::Errored => Err(Failed::from(format!(
                        "{} {}: {}",
                        result.status.as_str(),
                        result.level,
                        result.message
                    ))),
                }
            })
            .with_kind(level)
            .with_ignored_flag(ignored)
        })
        .collect())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn url_credentials_become_basic_and_never_show() {
        let t =
            Target::new("http://ann:s3cret-pw@127.0.0.1:9/scim/v2").header("X-Api-Key", "k3y-val");
        assert_eq!(t.base_url, "http://127.0.0.1:9/scim/v2");
        let config = t.run_config().unwrap();
        assert_eq!(
            config.basic.as_ref().map(|b| b.password.expose()),
            Some("s3cret-pw")
        );
        let shown = format!("{t:?} {config:?}");
        assert!(
            !shown.contains("s3cret-pw") && !shown.contains("k3y-val"),
            "{shown}"
        );
    }

    #[test]
    fn url_credentials_and_a_token_conflict() {
        let t = Target::new("http://ann:pw@127.0.0.1:9/scim/v2").token("t0ken-value");
        let err = t.run_config().unwrap_err();
        assert!(
            err.contains("credentials") && err.contains("token"),
            "{err}"
        );
        assert!(!format!("{t:?}").contains("t0ken-value"));
    }
}
