//! Findings point at where their expectation was written.

use super::*;
use crate::http::{Body, Headers, RecordedRequest, RecordedResponse};
use crate::load::{Source, validate_sources};
use crate::suite::Step;
use serde_json::json;
use std::collections::BTreeMap;

const SUITE: &str = "- id: users.example.origin
  title: T
  level: MUST
  spec: RFC 7644 §3.3
  steps:
    - request: {method: GET, path: /Users}
      expect:
        status: 200
        headers:
          Content-Type: {matches: '^application/scim\\+json'}
        body:
          /id: {present: true}
          /userName: {equals: bjensen}
";

fn exchange(status: u16, body: serde_json::Value) -> Exchange {
    Exchange {
        request: RecordedRequest {
            method: "GET".into(),
            url: "http://h/Users".into(),
            headers: Headers(Vec::new()),
            body: None,
        },
        response: Some(RecordedResponse {
            status,
            headers: Headers(vec![("Content-Type".into(), "application/json".into())]),
            body: Some(Body::Json(body)),
            truncated: false,
        }),
        duration_ms: 0,
        error: None,
        attempts: 1,
        closes: false,
    }
}

fn findings(status: u16, body: serde_json::Value) -> Vec<Finding> {
    judge(&exchange(status, body))
}

fn judge(ex: &Exchange) -> Vec<Finding> {
    let source = Source {
        name: "suites/x.yaml".into(),
        text: SUITE.into(),
    };
    let checks = validate_sources(&[source]).unwrap();
    let Step::Request(step) = &checks[0].steps[0] else {
        panic!("a request step");
    };
    let schemas = SchemaStore::compile(&BTreeMap::new()).unwrap();
    evaluate(&step.expect, ex, &Vars::default(), &schemas)
}

/// An exchange answered with `status`, these headers and this text body.
fn answered(
    status: u16,
    headers: &[(&str, &str)],
    text: Option<&str>,
    truncated: bool,
) -> Exchange {
    let mut ex = exchange(status, json!({}));
    let resp = ex.response.as_mut().unwrap();
    resp.headers = Headers(
        headers
            .iter()
            .map(|(k, v)| (k.to_string(), v.to_string()))
            .collect(),
    );
    resp.body = text.map(|t| Body::Text(t.into()));
    resp.truncated = truncated;
    ex
}

#[test]
fn a_status_finding_says_where_a_redirect_points_and_how_long_a_rate_limit_asks_to_wait() {
    let shown = |ex: Exchange| judge(&ex)[0].to_string();
    assert_eq!(
        shown(answered(
            302,
            &[("Location", "http://other:1234/x")],
            None,
            false
        )),
        "status: expected 200, got 302 (redirect to http://other:1234/x; not followed)"
    );
    assert_eq!(
        shown(answered(307, &[], None, false)),
        "status: expected 200, got 307 (redirect without a Location; not followed)"
    );
    assert_eq!(
        shown(answered(429, &[("Retry-After", "5")], None, false)),
        "status: expected 200, got 429 (rate limited; Retry-After: 5)"
    );
    assert_eq!(
        shown(answered(429, &[], None, false)),
        "status: expected 200, got 429 (rate limited)"
    );
    assert_eq!(
        shown(answered(500, &[("Location", "http://x/")], None, false)),
        "status: expected 200, got 500"
    );
}

#[test]
fn a_body_that_is_not_json_is_shown_by_its_type_and_start() {
    let page = "<html><head><title>Sign in</title></head><body><form action=\"/login\">…</form></body></html>";
    let found = judge(&answered(
        200,
        &[("Content-Type", "text/html; charset=utf-8")],
        Some(page),
        false,
    ));
    let body = found.iter().find(|f| f.kind == FindingKind::Body).unwrap();
    assert_eq!(body.expected, "a JSON body");
    assert_eq!(
        body.actual,
        "a body that is not JSON (text/html; charset=utf-8): \"<html><head><title>Sign in</title></head><body><form action=…\""
    );
    let found = judge(&answered(200, &[], Some("\n  Bad Gateway\n"), false));
    assert_eq!(
        found[found.len() - 1].actual,
        "a body that is not JSON (no Content-Type): \"Bad Gateway\\n\""
    );
    let deep = judge(&answered(
        200,
        &[("Content-Type", "application/scim+json")],
        Some(&"[".repeat(200)),
        false,
    ));
    let body = deep.iter().find(|f| f.kind == FindingKind::Body).unwrap();
    assert_eq!(
        body.actual,
        format!(
            "a body that could not be read as JSON (application/scim+json): \"{}…\"",
            "[".repeat(60)
        )
    );
    let cut = judge(&answered(
        200,
        &[("Content-Type", "application/scim+json")],
        Some("{\"id\": \"1\", \"userName\": \"b"),
        true,
    ));
    let body = cut.iter().find(|f| f.kind == FindingKind::Body).unwrap();
    assert_eq!(
        body.actual,
        "a body cut off after 26 bytes, not whole JSON (application/scim+json): \"{\\\"id\\\": \\\"1\\\", \\\"userName\\\": \\\"b\""
    );
}

#[test]
fn each_finding_carries_the_line_its_assertion_is_written_on() {
    let found = findings(200, json!({"userName": "someone"}));
    let shown: Vec<(String, usize)> = found
        .iter()
        .map(|f| (f.to_string(), f.origin.as_ref().map_or(0, |o| o.line)))
        .collect();
    assert_eq!(
        shown,
        [
            (
                "header Content-Type: expected a value matching /^application/scim\\+json/, got \"application/json\"".to_string(),
                10
            ),
            ("body /id: expected present, got absent".to_string(), 12),
            (
                "body /userName: expected \"bjensen\", got \"someone\"".to_string(),
                13
            ),
        ]
    );
    let status = findings(404, json!({}));
    assert_eq!(status[0].to_string(), "status: expected 200, got 404");
    assert_eq!(status[0].origin.as_ref().map(|o| o.line), Some(8));
}
