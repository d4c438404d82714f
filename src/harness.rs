//! libtest-mimic trials from the checks, so a Rust SCIM server (and this crate's own tests) can
//! run scimcheck inside `cargo test`, one named trial per check (`cargo test users.create` filters).

use crate::check::SchemaStore;
use crate::load;
use crate::run::{self, RunConfig, Session, Status};
use libtest_mimic::{Failed, Trial};
use std::sync::Arc;

/// What to test: a base URL and, optionally, a bearer token.
#[derive(Debug, Clone)]
pub struct Target {
    pub base_url: String,
    pub token: Option<String>,
}

/// Builds one trial per built-in check against `target`, discovering capabilities first.
/// Checks the target does not advertise become ignored trials.
pub fn trials(
    runtime: Arc<tokio::runtime::Runtime>,
    target: &Target,
) -> Result<Vec<Trial>, String> {
    let catalog = load::load(None).map_err(|e| e.to_string())?;
    let schemas = Arc::new(SchemaStore::compile(&catalog.schemas).map_err(|e| e.to_string())?);
    let mut config = RunConfig::new(&target.base_url);
    config.token = target.token.clone();
    let client = config.client().map_err(|e| e.to_string())?;
    let caps = runtime
        .block_on(run::discover(&client, &config))
        .map_err(|e| e.to_string())?;
    let planned = run::plan(&catalog.checks, &[], &[], &caps);
    let session = Arc::new(Session::new(&config, client, schemas, &run::new_run_id()));
    Ok(planned
        .into_iter()
        .enumerate()
        .map(|(seq, p)| {
            let name = p.check.id.0.clone();
            let ignored = p.skip_reason.is_some();
            let level = p.check.level.as_str();
            let (runtime, session) = (Arc::clone(&runtime), Arc::clone(&session));
            Trial::test(name, move || {
                let result = runtime.block_on(session.run(&p.check, seq));
                match result.status {
                    Status::Passed | Status::Skipped => Ok(()),
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
