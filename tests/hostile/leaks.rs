//! Servers that try to get something out of the run or keep it busy forever: escape sequences
//! in their errors, the token echoed back, deletes that never succeed, lists that never end, a
//! server that goes away midway. Plus one honest server, so the corpus knows a clean run.

use crate::harness::{Outcome, TOKEN, assert_untouched, run, run_with, snapshot};
use crate::server::{Hostile, Reply};
use crate::world::error;
use serde_json::{Value, json};
use std::time::Duration;

const CREATE: &str = "users.create.returns-201-with-id";

/// The baseline: the same little server, honest, passes and leaves nothing (not even a ledger).
#[test]
fn honest_server_passes_and_leaves_nothing() {
    let server = Hostile::start(|_, _| Reply::Honest);
    let before = snapshot(&server);
    let outcome = run(&server.base(), &[CREATE, "users.delete.returns-204-empty"]);
    outcome.assert_sane().exit(0);
    assert_untouched(&server, &before);
    assert!(outcome.left_behind().is_empty(), "{}", outcome.text());
    assert!(
        !outcome.has_ledger(),
        "the ledger stays only when something is left behind"
    );
    let left = server.world(|w| {
        w.minted
            .iter()
            .filter(|k| w.resources.contains_key(*k))
            .count()
    });
    assert_eq!(left, 0, "every created user was deleted");
}

#[test]
fn delete_always_fails_500() {
    let server = Hostile::start(|req, _| {
        if req.method == "DELETE" {
            error(500, "database on fire")
        } else {
            Reply::Honest
        }
    });
    let before = snapshot(&server);
    let outcome = run(&server.base(), &[CREATE]);
    outcome.assert_sane().says("left behind");
    assert_untouched(&server, &before);
    let left = outcome.left_behind();
    assert!(
        !left.is_empty(),
        "the undeletable user is listed\n{}",
        outcome.text()
    );
    let minted = server.world(|w| w.minted.clone());
    for entry in &left {
        let resource = entry["resource"].as_str().unwrap_or_default();
        assert!(minted.contains(resource), "left_behind names {entry}");
        assert!(
            entry["marker"]
                .as_str()
                .is_some_and(|m| m.starts_with("scimcheck-")),
            "{entry}"
        );
    }
    assert!(
        outcome.has_ledger(),
        "the ledger is kept for `scimcheck cleanup`"
    );
}

/// After ten requests the port refuses connections: the breaker stops the rest quickly.
#[test]
fn server_stops_answering_midway() {
    let server = Hostile::start_with(Some(10), |_, _| Reply::Honest);
    let before = snapshot(&server);
    let outcome = run(&server.base(), &["users"]);
    outcome.assert_sane().exit(4).says("stopped answering");
    assert!(
        outcome.wall < Duration::from_secs(30),
        "took {:?}",
        outcome.wall
    );
    assert_untouched(&server, &before);
}

const NASTY: &str = "\u{1b}[2J\u{1b}[31mpwned\u{1b}]0;title\u{7}\u{202e}evil\r\n::error::x";

/// ESC, OSC and bidi controls and a fake workflow command in an error detail, a JSON key and
/// a created id (which later checks put into a URL and the safety finding quotes).
fn nasty_run() -> Outcome {
    let server = Hostile::start(|req, _| {
        let second = req
            .json()
            .is_some_and(|b| b["userName"].as_str().is_some_and(|u| u.contains("-1-")));
        if req.is("POST", "/Users") && second {
            // Not an echo of our body: the marker is missing, so the run may not claim it.
            let body = json!({"schemas": ["urn:ietf:params:scim:schemas:core:2.0:User"],
                              "id": NASTY, "userName": NASTY});
            Reply::json(201, &body)
        } else if req.path().starts_with("/Users") {
            let body = json!({"schemas": ["urn:ietf:params:scim:api:messages:2.0:Error"],
                              "status": "400", "detail": NASTY, NASTY: NASTY});
            Reply::json(400, &body)
        } else {
            Reply::Honest
        }
    });
    let before = snapshot(&server);
    let outcome = run_with(
        &server.base(),
        &[
            "--only",
            CREATE,
            "--only",
            "users.get.returns-resource",
            "--verbose",
        ],
    );
    outcome.assert_sane().exit(1);
    assert_untouched(&server, &before);
    outcome
}

#[test]
fn control_characters_in_error_details() {
    let outcome = nasty_run();
    outcome.says("pwned").reports("pwned");
    let text = outcome.text();
    assert!(
        text.contains("\\x1b") || text.contains("\\u{1b}"),
        "the escape is shown as a visible escape\n{text}"
    );
    assert!(
        !outcome.stderr.contains('\u{1b}'),
        "an ESC byte reached stderr\n{}",
        outcome.stderr
    );
    assert!(
        !outcome.stdout.contains('\u{202e}'),
        "a bidi override reached stdout"
    );
    assert!(
        !outcome
            .stdout
            .lines()
            .any(|l| l.trim_start().starts_with("::error::")),
        "a workflow command reached stdout"
    );
}

/// The same server text never lands raw in a report file either (report.json escapes it as
/// JSON; the others must make it visible, not live).
#[test]
fn control_characters_never_reach_report_files() {
    let outcome = nasty_run();
    for name in ["report.json", "junit.xml", "summary.md", "report.html"] {
        let bytes = std::fs::read(outcome.out.path().join(name)).unwrap_or_default();
        let raw: Vec<String> = bytes
            .iter()
            .filter(|b| matches!(b, 0x1b | 0x07))
            .map(|b| format!("{b:#04x}"))
            .collect();
        assert!(raw.is_empty(), "raw control bytes {raw:?} in {name}");
    }
}

/// An escape sequence in a response header is not HTTP: the answer is refused and said so.
#[test]
fn control_characters_in_a_header() {
    let server = Hostile::start(|req, _| {
        if req.path().starts_with("/Users") {
            crate::world::error(400, "x").with_header("X-Detail", "\u{1b}[1mbold\u{1b}[0m")
        } else {
            Reply::Honest
        }
    });
    let before = snapshot(&server);
    let outcome = run(&server.base(), &[CREATE]);
    outcome.assert_sane().exit(4).says("invalid HTTP header");
    assert_untouched(&server, &before);
}

/// The server reflects the credential in a header name and value and a JSON key and value.
#[test]
fn token_echoed_in_header_name_and_json_key() {
    let server = Hostile::start(|req, world| {
        let token = req
            .header("authorization")
            .and_then(|a| a.strip_prefix("Bearer "))
            .unwrap_or("none")
            .to_string();
        let honest = world.honest(req);
        match honest {
            Reply::Full {
                status,
                mut headers,
                body,
            } => {
                let mut json: Value = serde_json::from_slice(&body).unwrap_or(json!({}));
                if let Some(o) = json.as_object_mut() {
                    o.insert(token.clone(), json!(token));
                    o.insert("echo".into(), json!(format!("you sent Bearer {token}")));
                }
                headers.push((format!("X-{token}"), "1".into()));
                headers.push(("X-Echo".into(), format!("Bearer {token}")));
                let body = if body.is_empty() {
                    body
                } else {
                    serde_json::to_vec(&json).unwrap()
                };
                Reply::Full {
                    status,
                    headers,
                    body,
                }
            }
            other => other,
        }
    });
    let before = snapshot(&server);
    let outcome = run(
        &server.base(),
        &[CREATE, "discovery.spc", "users.get.returns-resource"],
    );
    outcome.assert_sane();
    assert!(
        outcome.report.to_string().contains("[redacted]"),
        "the echoes are recorded, redacted"
    );
    assert_untouched(&server, &before);
    assert!(TOKEN.len() > 10);
}

/// Every list page is full and claims a billion results: walks and lookups must give up.
#[test]
fn endless_pagination() {
    let server = Hostile::start(|req, world| {
        if !(req.method == "GET" && req.path() == "/Users") {
            return Reply::Honest;
        }
        let param = |name: &str| {
            req.query()
                .split('&')
                .find_map(|p| p.strip_prefix(name))
                .and_then(|v| v.parse::<u64>().ok())
        };
        let start = param("startIndex=").unwrap_or(1);
        let count = param("count=").unwrap_or(100).clamp(1, 100);
        let page: Vec<Value> = (start..start + count)
            .map(|i| json!({"schemas": ["urn:ietf:params:scim:schemas:core:2.0:User"],
                            "id": format!("phantom-{i}"), "userName": format!("phantom{i}@example.com")}))
            .collect();
        let _ = world;
        Reply::json(
            200,
            &json!({"schemas": ["urn:ietf:params:scim:api:messages:2.0:ListResponse"],
            "totalResults": 1_000_000_000u64, "startIndex": start, "itemsPerPage": count, "Resources": page}),
        )
    });
    let before = snapshot(&server);
    let outcome = run(
        &server.base(),
        &[
            "pagination.walk-sees-each-once",
            "pagination.list-without-filter",
            "pagination.start-index-past-end-is-empty",
        ],
    );
    outcome.assert_sane();
    assert!(
        matches!(outcome.code, Some(0 | 1 | 4)),
        "{}",
        outcome.text()
    );
    let lists = server
        .requests()
        .iter()
        .filter(|r| r.is("GET", "/Users"))
        .count();
    assert!(lists <= 1000, "{lists} list requests");
    assert_untouched(&server, &before);
}
