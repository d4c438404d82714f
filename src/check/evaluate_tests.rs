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
        }),
        duration_ms: 0,
        error: None,
        attempts: 1,
    }
}

fn findings(status: u16, body: serde_json::Value) -> Vec<Finding> {
    let source = Source {
        name: "suites/x.yaml".into(),
        text: SUITE.into(),
    };
    let checks = validate_sources(&[source]).unwrap();
    let Step::Request(step) = &checks[0].steps[0] else {
        panic!("a request step");
    };
    let schemas = SchemaStore::compile(&BTreeMap::new()).unwrap();
    evaluate(
        &step.expect,
        &exchange(status, body),
        &Vars::default(),
        &schemas,
    )
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
