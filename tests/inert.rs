//! A hostile server's words reach the terminal, the CI log and summary.md inert: no escape
//! sequence, no workflow command, no link and no mention survive; report.json keeps them as sent.

use serde_json::{Value, json};
use std::process::Command;
use wiremock::matchers::{any, method, path};
use wiremock::{Mock, MockServer, ResponseTemplate};

/// Colour, an OSC 8 hyperlink, a workflow command on its own line, a Markdown link and a mention.
const EVIL: &str = "\x1b[31mred \x1b]8;;http://evil\x07link\x1b]8;;\x07\n::error::pwned [click](http://evil) @everyone";

fn scim(body: Value) -> ResponseTemplate {
    ResponseTemplate::new(200).set_body_raw(body.to_string(), "application/scim+json")
}

/// Discovery succeeds; the one ResourceType is named with EVIL and names a schema /Schemas does
/// not publish; every other request is a SCIM error whose `detail` is EVIL.
async fn hostile() -> MockServer {
    let server = MockServer::start().await;
    let get = |p: &str| Mock::given(method("GET")).and(path(p.to_string()));
    get("/ServiceProviderConfig")
        .respond_with(scim(json!({"patch": {"supported": false}})))
        .mount(&server)
        .await;
    get("/ResourceTypes")
        .respond_with(scim(json!({
            "Resources": [{"name": EVIL, "endpoint": "/Users", "schema": "urn:evil"}]
        })))
        .mount(&server)
        .await;
    get("/Schemas")
        .respond_with(scim(json!({"Resources": []})))
        .mount(&server)
        .await;
    let error = json!({
        "schemas": ["urn:ietf:params:scim:api:messages:2.0:Error"],
        "status": "400",
        "detail": EVIL,
    });
    Mock::given(any())
        .respond_with(
            ResponseTemplate::new(400).set_body_raw(error.to_string(), "application/scim+json"),
        )
        .with_priority(10)
        .mount(&server)
        .await;
    server
}

/// Every `server_detail` in a report.json value.
fn details(v: &Value, out: &mut Vec<String>) {
    match v {
        Value::Object(m) => {
            if let Some(Value::String(d)) = m.get("server_detail") {
                out.push(d.clone());
            }
            m.values().for_each(|x| details(x, out));
        }
        Value::Array(a) => a.iter().for_each(|x| details(x, out)),
        _ => {}
    }
}

#[test]
fn server_text_is_inert_in_the_terminal_the_log_and_summary_md() {
    let rt = tokio::runtime::Runtime::new().unwrap();
    let server = rt.block_on(hostile());
    let out = tempfile::tempdir().unwrap();
    let o = Command::new(env!("CARGO_BIN_EXE_scimcheck"))
        .args(["run", &server.uri()])
        .args(["--only", "discovery.resource-types.schemas-published"])
        .args(["--only", "discovery.resource-types.user-by-name"])
        .args(["--report", "md,json", "--out", out.path().to_str().unwrap()])
        .env_remove("SCIMCHECK_TOKEN")
        .env("CI", "true")
        .output()
        .expect("the binary runs");
    let stdout = String::from_utf8_lossy(&o.stdout);
    let stderr = String::from_utf8_lossy(&o.stderr);
    assert_eq!(o.status.code(), Some(1), "{stdout}{stderr}");

    // The text did travel: report.json keeps it as sent, the terminal shows it escaped.
    let report: Value =
        serde_json::from_str(&std::fs::read_to_string(out.path().join("report.json")).unwrap())
            .unwrap();
    let mut found = Vec::new();
    details(&report, &mut found);
    assert!(found.iter().any(|d| d == EVIL), "{found:?}");
    assert!(
        stdout.contains(r"\x1b[31mred \x1b]8;;http://evil\x07"),
        "{stdout}"
    );

    for (name, text) in [("stdout", &stdout), ("stderr", &stderr)] {
        assert!(
            !text.contains(['\x1b', '\x07']),
            "{name} holds a raw control: {text:?}"
        );
        for line in text.lines() {
            assert!(
                !line.trim_start().starts_with("::"),
                "{name} holds a workflow command: {line:?}"
            );
        }
    }

    let md = std::fs::read_to_string(out.path().join("summary.md")).unwrap();
    assert!(md.contains("ResourceType"), "the finding is listed: {md}");
    assert!(!md.contains(['\x1b', '\x07']), "{md:?}");
    assert!(!md.contains("](http://evil)"), "a live link: {md}");
    assert!(
        !md.replace("`@everyone`", "").contains("@everyone"),
        "a live mention: {md}"
    );
    assert!(md.contains("`@everyone`"), "{md}");
    for line in md.lines() {
        assert!(!line.trim_start().starts_with("::"), "{line:?}");
    }
}
