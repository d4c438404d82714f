//! A run against a server that is dead or dies: it ends quickly, says why, and exits 4; and a
//! run with any errored check exits 4 even when others failed.

mod common;

use common::{scimcheck, text};
use std::time::{Duration, Instant};

#[test]
fn a_dead_server_ends_the_run_at_once_with_exit_4() {
    let port = {
        let l = std::net::TcpListener::bind("127.0.0.1:0").unwrap();
        l.local_addr().unwrap().port()
    };
    let out = tempfile::tempdir().unwrap();
    let started = Instant::now();
    let o = scimcheck(&[
        "run",
        &format!("http://127.0.0.1:{port}/scim/v2"),
        "--out",
        out.path().to_str().unwrap(),
    ]);
    let took = started.elapsed();
    assert_eq!(o.status.code(), Some(4), "{}", text(&o));
    assert!(took < Duration::from_secs(10), "{took:?}");
    let t = text(&o);
    assert!(
        t.contains(&format!(
            "cannot reach http://127.0.0.1:{port}/scim/v2/ServiceProviderConfig: could not connect"
        )),
        "{t}"
    );
    assert!(t.contains("Connection refused"), "{t}");
    assert!(t.contains("(2 attempts)"), "{t}");
    eprintln!("dead server: exit 4 after {took:?}");
}

/// Answers the first request (discovery's /ServiceProviderConfig, with no features) and then
/// stops listening: every later connection is refused.
fn dies_after_discovery() -> String {
    use std::io::{Read, Write};
    let listener = std::net::TcpListener::bind("127.0.0.1:0").unwrap();
    let url = format!("http://{}/scim/v2", listener.local_addr().unwrap());
    std::thread::spawn(move || {
        let (mut s, _) = listener.accept().unwrap();
        drop(listener);
        let mut seen = Vec::new();
        let mut buf = [0u8; 4096];
        while !seen.windows(4).any(|w| w == b"\r\n\r\n") {
            let n = s.read(&mut buf).unwrap();
            if n == 0 {
                return;
            }
            seen.extend_from_slice(&buf[..n]);
        }
        let _ = s.write_all(
            b"HTTP/1.1 200 OK\r\nContent-Type: application/scim+json\r\nContent-Length: 2\r\nConnection: close\r\n\r\n{}",
        );
    });
    url
}

#[test]
fn when_the_server_stops_answering_the_rest_is_not_sent() {
    let url = dies_after_discovery();
    let out = tempfile::tempdir().unwrap();
    let started = Instant::now();
    let o = scimcheck(&[
        "run",
        &url,
        "--jobs",
        "1",
        "--out",
        out.path().to_str().unwrap(),
    ]);
    let took = started.elapsed();
    assert_eq!(o.status.code(), Some(4), "{}", text(&o));
    let report: serde_json::Value =
        serde_json::from_slice(&std::fs::read(out.path().join("report.json")).unwrap()).unwrap();
    let results = report["results"].as_array().unwrap();
    let sent: Vec<&serde_json::Value> = results
        .iter()
        .filter(|r| !r["exchanges"].as_array().unwrap().is_empty())
        .collect();
    assert_eq!(sent.len(), 10, "the breaker opens after 10 silent checks");
    for r in &sent {
        assert_eq!(r["status"], "errored", "{r}");
        for ex in r["exchanges"].as_array().unwrap() {
            assert!(ex["response"].is_null());
        }
    }
    let not_run: Vec<&serde_json::Value> = results
        .iter()
        .filter(|r| r["message"] == "not run: the server stopped answering before the first check")
        .collect();
    let skipped = results.iter().filter(|r| r["status"] == "skipped").count();
    assert!(!not_run.is_empty());
    assert_eq!(sent.len() + not_run.len() + skipped, results.len());
    for r in &not_run {
        assert_eq!(r["status"], "errored");
        assert_eq!(r["steps"], serde_json::json!([]));
    }
    assert!(
        text(&o).contains("not run: the server stopped answering before the first check"),
        "{}",
        text(&o)
    );
    assert!(took < Duration::from_secs(20), "{took:?}");
    eprintln!(
        "server died after discovery: {} checks sent, {} not run, exit 4 after {took:?}",
        sent.len(),
        not_run.len()
    );
}

#[test]
fn an_errored_check_makes_the_run_exit_4_even_beside_failures() {
    let dir = tempfile::tempdir().unwrap();
    let area = dir.path().join("users");
    std::fs::create_dir(&area).unwrap();
    std::fs::write(
        area.join("exit.yaml"),
        r#"- id: users.zz-exit.fails
  title: a check that fails against any server
  level: MUST
  spec: RFC 7644 §3.4.1
  steps:
    - request: {method: GET, path: /ServiceProviderConfig}
      expect: {status: 599}
- id: users.zz-exit.errors
  title: a check that cannot be judged (the guard refuses its request)
  level: MAY
  spec: RFC 7644 §3.4.1
  steps:
    - request: {method: GET, path: "http://127.0.0.1:9/elsewhere"}
      expect: {status: 200}
"#,
    )
    .unwrap();
    let out = tempfile::tempdir().unwrap();
    let suites = dir.path().to_str().unwrap();
    let out = out.path().to_str().unwrap();
    let run = |only: &str| scimcheck(&["run", "--suites", suites, "--only", only, "--out", out]);
    let o = run("users.zz-exit.fails");
    assert_eq!(o.status.code(), Some(1), "{}", text(&o));
    let o = run("users.zz-exit.errors");
    assert_eq!(o.status.code(), Some(4), "{}", text(&o));
    let o = run("users.zz-exit");
    assert_eq!(
        o.status.code(),
        Some(4),
        "errored wins over failed: {}",
        text(&o)
    );
    assert!(text(&o).contains("1 failed"), "{}", text(&o));
    assert!(text(&o).contains("1 errored"), "{}", text(&o));

    // With a baseline that knows both, the errored check still makes it 4.
    let baseline = dir.path().join("b.json");
    let b = baseline.to_str().unwrap();
    let o = scimcheck(&[
        "run",
        "--suites",
        suites,
        "--only",
        "users.zz-exit",
        "--out",
        out,
        "--write-baseline",
        b,
    ]);
    assert_eq!(o.status.code(), Some(4), "{}", text(&o));
    let o = scimcheck(&[
        "run",
        "--suites",
        suites,
        "--only",
        "users.zz-exit.fails",
        "--out",
        out,
        "--baseline",
        b,
    ]);
    assert_eq!(o.status.code(), Some(0), "a known failure: {}", text(&o));
    let o = scimcheck(&[
        "run",
        "--suites",
        suites,
        "--only",
        "users.zz-exit",
        "--out",
        out,
        "--baseline",
        b,
    ]);
    assert_eq!(o.status.code(), Some(4), "{}", text(&o));
}
