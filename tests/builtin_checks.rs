//! Runs every built-in check against the embedded reference server, one libtest-mimic trial each,
//! so `cargo test --test builtin_checks users.create` runs just those checks.

use scimcheck::harness::{Target, trials};
use scimcheck::server::{self, ServerConfig};
use std::sync::Arc;

fn main() {
    let args = libtest_mimic::Arguments::from_args();
    let runtime = Arc::new(tokio::runtime::Runtime::new().expect("tokio runtime"));
    let token = format!("builtin-checks-{}", std::process::id());
    let config = ServerConfig {
        token: Some(token.clone()),
        ..ServerConfig::default()
    };
    let server = runtime
        .block_on(server::start(config))
        .expect("the reference server starts");
    let target = Target::new(server.base_url()).token(token);
    let trials =
        trials(Arc::clone(&runtime), &target).expect("discovery against the reference server");
    // The reference server advertises everything the built-in checks need: none may be skipped
    // but the opt-in probes (tests/faults.rs runs those against a rate-limited and an OAuth
    // server).
    let opt_in: Vec<String> = scimcheck::load::load(None)
        .expect("the built-in suites load")
        .checks
        .into_iter()
        .filter(|c| {
            c.requires.iter().any(|r| {
                matches!(
                    r,
                    scimcheck::suite::Capability::ProbeRateLimit
                        | scimcheck::suite::Capability::ProbeAuth
                )
            })
        })
        .map(|c| c.id.as_str().to_string())
        .collect();
    let skipped: Vec<&str> = trials
        .iter()
        .filter(|t| {
            t.has_ignored_flag() && !opt_in.iter().any(|id| t.name().ends_with(id.as_str()))
        })
        .map(|t| t.name())
        .collect();
    assert!(
        skipped.is_empty(),
        "checks skipped against the reference server: {skipped:?}"
    );
    let conclusion = libtest_mimic::run(&args, trials);
    drop(server);
    conclusion.exit();
}
