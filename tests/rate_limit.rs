//! Rate limits from the client's side: a run against a reference server that answers 429 with
//! Retry-After when pushed passes, each waited-out request recorded with its attempts; without
//! waiting (`max_retry_wait` 0) the 429s reach the verdicts; `--rate` paces requests.

use scimcheck::http::guard::WriteGuard;
use scimcheck::http::{Outgoing, Pipeline, Rate};
use scimcheck::load;
use scimcheck::run::{RunConfig, Runner, Silent, Status};
use scimcheck::server::{self, ServerConfig};
use std::time::{Duration, Instant};

async fn limited(rate: &str) -> server::RunningServer {
    server::start(ServerConfig {
        rate_limit: Some(rate.parse().unwrap()),
        ..ServerConfig::default()
    })
    .await
    .expect("server starts")
}

async fn run(base_url: &str, max_retry_wait: Duration) -> scimcheck::run::RunReport {
    let mut config = RunConfig::new(base_url);
    config.only = vec![scimcheck::run::Pattern::new("users")];
    config.max_retry_wait = max_retry_wait;
    Runner::new(config, load::load(None).unwrap())
        .unwrap()
        .run(&Silent)
        .await
        .expect("discovery works")
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_rate_limited_server_is_waited_out_and_each_wait_recorded() {
    let server = limited("60/s").await;
    let report = run(server.base_url(), Duration::from_secs(60)).await;
    let bad: Vec<_> = report
        .results
        .iter()
        .filter(|r| r.status.is_bad())
        .map(|r| format!("{}: {}", r.id, r.message))
        .collect();
    assert!(bad.is_empty(), "{bad:#?}");
    let resent = report
        .results
        .iter()
        .flat_map(|r| &r.exchanges)
        .filter(|e| e.attempts > 1)
        .count();
    assert!(resent > 0, "the run must have met the limit");

    // Told not to wait, the same run meets 429s in its verdicts.
    let server = limited("60/s").await;
    let report = run(server.base_url(), Duration::ZERO).await;
    let refused = report
        .results
        .iter()
        .filter(|r| r.status != Status::Passed)
        .flat_map(|r| &r.exchanges)
        .any(|e| e.response.as_ref().is_some_and(|r| r.status == 429));
    assert!(refused, "without waiting, 429 answers reach the verdicts");
}

#[tokio::test]
async fn rate_paces_every_request() {
    let server = limited("1000/s").await;
    let base = server.base_url().to_string();
    let mut config = RunConfig::new(&base);
    config.rate = Some("20/s".parse::<Rate>().unwrap());
    let pipeline = Pipeline::new(
        config.client().unwrap(),
        WriteGuard::new(&base, "scimcheck-x"),
    );
    let started = Instant::now();
    for _ in 0..11 {
        let out = Outgoing {
            method: "GET",
            url: format!("{base}/ServiceProviderConfig"),
            headers: Vec::new(),
            body: None,
            credential: false,
            busy_retries: true,
        };
        pipeline.send(out).await.unwrap();
    }
    // Eleven requests at 20/s: ten gaps of 50 ms.
    assert!(
        started.elapsed() >= Duration::from_millis(480),
        "{:?}",
        started.elapsed()
    );
}

#[test]
fn rates_read_as_count_per_unit() {
    let r: Rate = "25000/h".parse().unwrap();
    assert_eq!((r.count.get(), r.per), (25000, Duration::from_secs(3600)));
    assert!("25".parse::<Rate>().is_err());
    assert!("0/s".parse::<Rate>().is_err());
    assert!("5/d".parse::<Rate>().is_err());
}
