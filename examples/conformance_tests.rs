//! How a Rust SCIM server runs scimcheck's checks from its own `cargo test`, one trial per check.
//!
//! In your server's crate, add `scimcheck`, `libtest-mimic` and `tokio` as dev-dependencies and a
//! test target without the default harness:
//!
//! ```toml
//! [[test]]
//! name = "scim_conformance"
//! harness = false
//! ```
//!
//! then put this file's `main` in `tests/scim_conformance.rs`, replacing `start_your_server` with
//! whatever starts your server on a local port. `cargo test --test scim_conformance users.create`
//! runs just the create checks; `-- --list` lists them all. This example starts scimcheck's own
//! reference server in its place: `cargo run --example conformance_tests -- --list`.

use scimcheck::harness::{Target, trials};
use std::sync::Arc;

/// Stands in for your server: returns its SCIM base URL, a bearer token, and a handle that keeps
/// it running until dropped (here scimcheck's reference server; yours would return its own).
async fn start_your_server() -> (String, Option<String>, scimcheck::server::RunningServer) {
    let token = "example-token".to_string();
    let config = scimcheck::server::ServerConfig {
        token: Some(token.clone()),
        ..Default::default()
    };
    let server = scimcheck::server::start(config)
        .await
        .expect("the server starts");
    (server.base_url().to_string(), Some(token), server)
}

fn main() {
    let args = libtest_mimic::Arguments::from_args();
    let runtime = Arc::new(tokio::runtime::Runtime::new().expect("tokio runtime"));
    let (base_url, token, server) = runtime.block_on(start_your_server());
    // Target::new(url).token(t) — add .header(..), .suites(dir), .only(pattern), .skip(pattern)
    let mut target = Target::new(base_url);
    target.token = token.map(Into::into);
    let trials = trials(Arc::clone(&runtime), &target).expect("discovery succeeds");
    let conclusion = libtest_mimic::run(&args, trials);
    drop(server);
    conclusion.exit();
}
