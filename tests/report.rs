//! The terminal summary and report.json, rendered from a canned RunReport, as golden snapshots.

use scimcheck::http::{Body, Exchange, Headers, RecordedRequest, RecordedResponse};
use scimcheck::report::{render_terminal, write_json};
use scimcheck::run::{Capabilities, CheckResult, RunReport, Status, Summary, Tool};
use scimcheck::suite::{Capability, Level};
use serde_json::json;

fn result(
    id: &str,
    level: Level,
    status: Status,
    message: &str,
    exchanges: Vec<Exchange>,
) -> CheckResult {
    CheckResult {
        id: id.into(),
        title: format!("Title of {id}"),
        level,
        spec: "RFC 7644 §3.3".into(),
        catalogue_ref: Some("CREATE-002".into()),
        tags: vec!["users".into()],
        status,
        message: message.into(),
        duration_ms: 3,
        exchanges,
    }
}

fn canned() -> RunReport {
    let exchange = Exchange {
        request: RecordedRequest {
            method: "POST".into(),
            url: "http://127.0.0.1:8080/scim/v2/Users".into(),
            headers: Headers(vec![("Authorization".into(), "Bearer [redacted]".into())]),
            body: Some(Body::Json(
                json!({"userName": "scimcheck-ab12cd34-3-user@example.com", "password": "[redacted]"}),
            )),
        },
        response: Some(RecordedResponse {
            status: 201,
            headers: Headers(vec![(
                "content-type".into(),
                "application/scim+json".into(),
            )]),
            body: Some(Body::Json(json!({"id": "42"}))),
        }),
        duration_ms: 2,
        error: None,
    };
    let results = vec![
        result(
            "users.create.returns-201-with-id",
            Level::Must,
            Status::Passed,
            "",
            vec![],
        ),
        result(
            "users.create.location-header-matches-meta",
            Level::Must,
            Status::Failed,
            "step 1 (POST http://127.0.0.1:8080/scim/v2/Users → 201): capture location: expected header:Location present, got absent\nbody /meta/location: expected present, got absent",
            vec![exchange],
        ),
        result(
            "users.patch.replace-with-path",
            Level::Must,
            Status::Skipped,
            "the server does not advertise patch.supported in /ServiceProviderConfig",
            vec![],
        ),
        result(
            "users.get.returns-resource",
            Level::Must,
            Status::Errored,
            "step 2 (GET http://127.0.0.1:8080/scim/v2/Users/42 → no response): timed out after 30s",
            vec![],
        ),
    ];
    RunReport {
        schema_version: 1,
        tool: Tool {
            name: "scimcheck",
            version: "0.0.0-test",
        },
        target: "http://127.0.0.1:8080/scim/v2".into(),
        started_at: "2026-01-01T00:00:00Z".into(),
        duration_ms: 1234,
        summary: RunReport::summarize(&results),
        results,
        left_behind: vec!["/Users/42".into()],
        capabilities: Capabilities {
            supported: [Capability::Filter, Capability::Auth].into_iter().collect(),
        },
    }
}

#[test]
fn terminal_summary() {
    insta::assert_snapshot!(render_terminal(&canned(), false));
}

#[test]
fn report_json() {
    let mut out = Vec::new();
    write_json(&canned(), &mut out).unwrap();
    let text = String::from_utf8(out).unwrap();
    let value: serde_json::Value = serde_json::from_str(&text).unwrap();
    assert_eq!(
        value["summary"],
        json!(Summary {
            total: 4,
            passed: 1,
            failed: 1,
            skipped: 1,
            errored: 1
        })
    );
    insta::assert_snapshot!(text);
}

#[test]
fn html_is_self_contained_and_holds_the_transcript() {
    let html = scimcheck::report::render_html(&canned()).unwrap();
    // The template engine escapes `/` too; read the text as a browser would.
    let text = html.replace("&#x2f;", "/");
    for external in ["<script src", "<link ", "@import", "https://cdn", "<img "] {
        assert!(
            !html.contains(external),
            "report.html must not load anything: found {external}"
        );
    }
    assert!(text.contains("id=\"check-users.create.location-header-matches-meta\""));
    assert!(
        text.contains("POST http://127.0.0.1:8080/scim/v2/Users → 201"),
        "the request line of the failing exchange"
    );
    assert!(
        text.contains("&quot;password&quot;: &quot;[redacted]&quot;"),
        "bodies are escaped and stay redacted"
    );
    insta::assert_snapshot!(html);
}
