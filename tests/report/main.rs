//! The reporters, tested: every format rendered from a canned RunReport (snapshots under
//! tests/report/snapshots), JUnit structure and XSD validity, and golden examples from a real run
//! against the reference server (snapshots under reports/examples).

mod canned;
mod examples;
mod junit;

use scimcheck::http::{Body, Exchange, Headers, RecordedRequest, RecordedResponse, TransportError};
use scimcheck::outcome::{
    CleanupOutcome, Finding, FindingKind, LeftBehind, Role, StepError, StepOutcome,
};
use scimcheck::run::{Capabilities, CheckResult, RunExchanges, RunReport, Status, Tool};
use scimcheck::suite::{Capability, Level};
use serde_json::json;
use std::time::Duration;

pub fn result(
    id: &str,
    level: Level,
    steps: Vec<StepOutcome>,
    exchanges: Vec<Exchange>,
) -> CheckResult {
    let mut r = CheckResult {
        id: id.into(),
        title: format!("Title of {id}"),
        level,
        spec: "RFC 7644 §3.3".into(),
        catalogue_ref: Some("CREATE-002".into()),
        tags: vec!["users".into()],
        aliases: Vec::new(),
        origin: "suites/users/create.yaml:1:3".into(),
        status: Status::Passed,
        message: String::new(),
        reason: None,
        duration_ms: 3,
        steps,
        cleanup: CleanupOutcome::default(),
        exchanges,
        unscoped: None,
    };
    r.derive();
    r
}

fn step(index: usize, role: Role, exchanges: Vec<usize>) -> StepOutcome {
    StepOutcome {
        index,
        role,
        exchanges,
        findings: vec![],
        error: None,
        judged: None,
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
            truncated: false,
        }),
        duration_ms: 2,
        error: None,
        attempts: 1,
        closes: false,
    };
    let timed_out = Exchange {
        request: RecordedRequest {
            method: "GET".into(),
            url: "http://127.0.0.1:8080/scim/v2/Users/42".into(),
            headers: Headers(vec![("Authorization".into(), "Bearer [redacted]".into())]),
            body: None,
        },
        response: None,
        duration_ms: 30000,
        error: Some(TransportError::Timeout(Duration::from_secs(30))),
        attempts: 1,
        closes: false,
    };
    let mut failing = step(1, Role::Act, vec![0]);
    failing.findings = vec![
        Finding::at(
            FindingKind::Capture,
            "location",
            "header:Location present",
            "absent",
        ),
        Finding::at(FindingKind::Body, "/meta/location", "present", "absent"),
    ];
    let mut erroring = step(2, Role::Verify, vec![0]);
    erroring.error = Some(StepError::from(TransportError::Timeout(
        Duration::from_secs(30),
    )));
    let mut skipped = result("users.patch.replace-with-path", Level::Must, vec![], vec![]);
    skipped.reason =
        Some("the server does not advertise patch.supported in /ServiceProviderConfig".into());
    skipped.derive();
    let results = vec![
        result(
            "users.create.returns-201-with-id",
            Level::Must,
            vec![step(1, Role::Act, vec![])],
            vec![],
        ),
        result(
            "users.create.location-header-matches-meta",
            Level::Must,
            vec![failing],
            vec![exchange],
        ),
        skipped,
        result(
            "users.get.returns-resource",
            Level::Must,
            vec![step(1, Role::Setup, vec![]), erroring],
            vec![timed_out],
        ),
    ];
    RunReport {
        schema_version: 2,
        tool: Tool {
            name: "scimcheck",
            version: "0.0.0-test",
        },
        run_id: "ab12cd34".into(),
        target: "http://127.0.0.1:8080/scim/v2".into(),
        profile: None,
        started_at: "2026-01-01T00:00:00Z".into(),
        duration_ms: 1234,
        interrupted: false,
        capabilities: Capabilities {
            supported: [Capability::Filter, Capability::Auth].into_iter().collect(),
        },
        summary: RunReport::summarize(&results),
        discovery: RunExchanges::default(),
        authentication: RunExchanges::default(),
        cleanup: RunExchanges::default(),
        left_behind: vec![LeftBehind {
            resource: Some("/Users/42".into()),
            marker: "scimcheck-ab12cd34-3-".into(),
            reason: "the DELETE answered 500".into(),
        }],
        fixtures: Default::default(),
        jobs: scimcheck::run::Jobs {
            adaptive: false,
            most: 1,
        },
        results,
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
        let mut report = run::Runner::with_schemas(config, catalog.checks, schemas)
            .unwrap()
            .run(&run::Silent)
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
