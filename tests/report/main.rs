//! The reporters, tested: every format rendered from a canned RunReport (snapshots under
//! tests/report/snapshots), JUnit structure and XSD validity, and golden examples from a real run
//! against the reference server (snapshots under reports/examples).

mod canned;
mod examples;
mod junit;

use scimcheck::http::{Body, Exchange, Headers, RecordedRequest, RecordedResponse};
use scimcheck::run::{Capabilities, CheckResult, RunReport, Status, Tool};
use scimcheck::suite::{Capability, Level};
use serde_json::json;

pub fn result(
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

pub fn canned() -> RunReport {
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
        attempts: 1,
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

const TOKEN: &str = "report-examples-token";

/// A real run: the reference server started with `no-location-header`, the `users.create` checks,
/// one at a time (so the server's answers come in the same order every run).
pub fn real_run() -> RunReport {
    use scimcheck::check::SchemaStore;
    use scimcheck::run::{self, Pattern, RunConfig};
    use scimcheck::server::{self, Fault, ServerConfig};
    use std::str::FromStr;
    use std::sync::Arc;
    let rt = tokio::runtime::Runtime::new().unwrap();
    rt.block_on(async {
        let catalog = scimcheck::load::load(None).unwrap();
        let schemas = Arc::new(SchemaStore::compile(&catalog.schemas).unwrap());
        let server = server::start(ServerConfig {
            token: Some(TOKEN.into()),
            faults: [Fault::from_str("no-location-header").unwrap()].into(),
            ..ServerConfig::default()
        })
        .await
        .unwrap();
        let mut config = RunConfig::new(server.base_url());
        config.token = Some(TOKEN.into());
        config.jobs = 1;
        config.only = vec![Pattern::new("users.create")];
        let mut report = run::run_checks(&config, &catalog.checks, schemas)
            .await
            .unwrap();
        report
            .target
            .push_str(" (embedded reference server, faults: no-location-header)");
        report
    })
}

/// Validates `xml` against fixtures/junit.xsd with xmllint; says so and passes when it is not
/// installed (.ci/run installs it and validates a real run's junit.xml there).
pub fn validate_with_xmllint(xml: &[u8]) {
    let probe = std::process::Command::new("xmllint")
        .arg("--version")
        .output();
    if probe.is_err() {
        println!("xmllint not on PATH: XSD validation skipped here (.ci/run validates junit.xml)");
        return;
    }
    let dir = tempfile::tempdir().unwrap();
    let file = dir.path().join("junit.xml");
    std::fs::write(&file, xml).unwrap();
    let xsd = concat!(env!("CARGO_MANIFEST_DIR"), "/fixtures/junit.xsd");
    let o = std::process::Command::new("xmllint")
        .args(["--noout", "--schema", xsd])
        .arg(&file)
        .output()
        .unwrap();
    assert!(
        o.status.success(),
        "junit.xml does not validate against fixtures/junit.xsd:\n{}",
        String::from_utf8_lossy(&o.stderr)
    );
}
