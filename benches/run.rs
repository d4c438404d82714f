//! `cargo bench`: wall time of a full run of every built-in check against the embedded reference
//! server (discovery, all checks, cleanup), repeated, with min / median / max and checks per second.

use scimcheck::check::SchemaStore;
use scimcheck::load;
use scimcheck::run::{self, RunConfig};
use scimcheck::server::{self, ServerConfig};
use std::sync::Arc;
use std::time::{Duration, Instant};

const ROUNDS: usize = 20;

fn main() {
    let runtime = tokio::runtime::Runtime::new().expect("tokio runtime");
    let catalog = load::load(None).expect("built-in suites load");
    let schemas = Arc::new(SchemaStore::compile(&catalog.schemas).expect("schemas compile"));
    let token = "bench-token".to_string();
    let server = runtime
        .block_on(server::start(ServerConfig {
            token: Some(token.clone()),
            ..ServerConfig::default()
        }))
        .expect("server starts");
    let mut config = RunConfig::new(server.base_url());
    config.token = Some(token.into());
    let mut times: Vec<Duration> = Vec::new();
    let mut checks = 0;
    for _ in 0..ROUNDS {
        let started = Instant::now();
        let runner =
            run::Runner::with_schemas(config.clone(), catalog.checks.clone(), Arc::clone(&schemas))
                .expect("the runner builds");
        let report = runtime
            .block_on(runner.run(&run::Silent))
            .expect("discovery");
        times.push(started.elapsed());
        assert_eq!(
            report.summary.failed + report.summary.errored,
            0,
            "the reference server must pass"
        );
        checks = report.summary.total;
    }
    times.sort();
    let ms = |d: Duration| d.as_secs_f64() * 1000.0;
    let median = times[times.len() / 2];
    println!(
        "full run, {checks} checks, {ROUNDS} rounds: min {:.1} ms, median {:.1} ms, max {:.1} ms ({:.0} checks/s at the median)",
        ms(times[0]),
        ms(median),
        ms(times[times.len() - 1]),
        checks as f64 / median.as_secs_f64()
    );
}
