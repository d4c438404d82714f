//! The rules that make scimcheck safe against a live tenant: it never modifies what it did not
//! create, it cleans up even when a check fails, and secrets never reach the record.

use scimcheck::check::SchemaStore;
use scimcheck::load::{self, Source, validate_sources};
use scimcheck::outcome::{Finding, FindingKind, StepError};
use scimcheck::run::{CheckResult, RunConfig, Runner, Silent, Status};
use scimcheck::server::{self, Fault, RunningServer, ServerConfig};
use serde_json::{Value, json};
use std::sync::Arc;

const TOKEN: &str = "safety-token-0123456789";

async fn server() -> RunningServer {
    server::start(ServerConfig {
        token: Some(TOKEN.into()),
        ..ServerConfig::default()
    })
    .await
    .unwrap()
}

async fn users(base: &str) -> Vec<Value> {
    let body: Value = reqwest::Client::new()
        .get(format!("{base}/Users"))
        .bearer_auth(TOKEN)
        .send()
        .await
        .unwrap()
        .json()
        .await
        .unwrap();
    body["Resources"].as_array().cloned().unwrap_or_default()
}

/// A user that exists before the run: somebody else's data.
async fn victim(base: &str) -> String {
    let body = json!({"schemas": ["urn:ietf:params:scim:schemas:core:2.0:User"], "userName": "victim@example.com"});
    let resp: Value = reqwest::Client::new()
        .post(format!("{base}/Users"))
        .bearer_auth(TOKEN)
        .json(&body)
        .send()
        .await
        .unwrap()
        .json()
        .await
        .unwrap();
    resp["id"].as_str().unwrap().to_string()
}

async fn run_suite(base: &str, yaml: &str) -> Vec<CheckResult> {
    let checks = validate_sources(&[Source {
        name: "safety.yaml".into(),
        text: yaml.into(),
    }])
    .unwrap();
    let catalog = load::load(None).unwrap();
    let schemas = Arc::new(SchemaStore::compile(&catalog.schemas).unwrap());
    let mut config = RunConfig::new(base);
    config.token = Some(TOKEN.into());
    Runner::with_schemas(config, checks, schemas)
        .unwrap()
        .run(&Silent)
        .await
        .unwrap()
        .results
}

/// A suite step that creates a user named `${unique.KEY}`, with extra body members.
fn create_step(key: &str, extra: &str) -> String {
    format!(
        "    - request: {{method: POST, path: /Users, body: {{schemas: [urn:ietf:params:scim:schemas:core:2.0:User], userName: \"${{unique.{key}}}\"{extra}}}}}\n"
    )
}

const HEAD: &str =
    "- id: users.safety.check\n  title: T\n  level: MUST\n  spec: RFC 7644\n  steps:\n";

#[tokio::test]
async fn refuses_to_touch_what_it_did_not_create() {
    let server = server().await;
    let base = server.base_url();
    let id = victim(base).await;
    for (method, path) in [
        ("DELETE", "/Users/${id}"),
        ("PATCH", "/Users/${id}"),
        ("PUT", "/Users/${id}"),
        ("DELETE", "/Users/${unique.x}/../${id}"),
        ("DELETE", "/Users/${unique.x}/%2e%2e/${id}"),
    ] {
        let yaml = format!(
            "{HEAD}    - request: {{method: GET, path: /Users, query: {{filter: 'userName eq \"victim@example.com\"'}}}}\n      capture: {{id: /Resources/0/id}}\n    - request: {{method: {method}, path: \"{path}\", body: {{schemas: [urn:ietf:params:scim:api:messages:2.0:PatchOp], Operations: [{{op: remove, path: nickName}}], userName: x}}}}\n"
        );
        let results = run_suite(base, &yaml).await;
        assert_eq!(
            results[0].status,
            Status::Errored,
            "{method} {path}: {}",
            results[0].message
        );
        let error = results[0].deciding_step().and_then(|s| s.error.as_ref());
        assert!(
            matches!(error, Some(StepError::Safety(_))),
            "a safety refusal, typed as one: {error:?}"
        );
        let left = users(base).await;
        assert!(
            left.iter()
                .any(|u| u["id"] == json!(id) && u.get("nickName").is_none()),
            "{method} {path} touched the victim"
        );
    }
}

#[tokio::test]
async fn cleans_up_when_a_check_fails_midway() {
    let server = server().await;
    let base = server.base_url();
    let yaml = format!(
        "{HEAD}{}{}      expect: {{status: 418}}\n{}",
        create_step("a", ""),
        create_step("b", ""),
        create_step("c", "")
    );
    let results = run_suite(base, &yaml).await;
    assert_eq!(results[0].status, Status::Failed);
    let step = results[0].deciding_step().expect("a step failed");
    let found: Vec<String> = step.findings.iter().map(Finding::to_string).collect();
    assert_eq!(found, ["status: expected 418, got 201"]);
    assert_eq!(step.findings[0].kind, FindingKind::Status);
    assert!(
        step.findings[0].origin.is_some(),
        "the finding points at its expectation"
    );
    assert!(
        results[0].message.contains("status: expected 418, got 201"),
        "{}",
        results[0].message
    );
    assert!(
        users(base).await.is_empty(),
        "both created users were deleted although the check failed"
    );
    let deletes = results[0]
        .exchanges
        .iter()
        .filter(|e| e.request.method == "DELETE")
        .count();
    assert_eq!(deletes, 2, "the cleanup DELETEs are part of the evidence");
}

#[tokio::test]
async fn secrets_never_reach_the_record() {
    let server = server().await;
    let base = server.base_url();
    let yaml = format!(
        "{HEAD}{}      expect: {{status: 201}}\n",
        create_step("a", ", password: \"Hunter2-secret\"")
    );
    let results = run_suite(base, &yaml).await;
    assert_eq!(results[0].status, Status::Passed, "{}", results[0].message);
    let recorded = serde_json::to_string(&results).unwrap();
    assert!(!recorded.contains(TOKEN), "the bearer token was recorded");
    assert!(
        !recorded.contains("Hunter2-secret"),
        "the password was recorded"
    );
    assert!(recorded.contains("Bearer [redacted]"));
}

/// A server that answers creates with somebody else's resource (or an id of `..`): every built-in
/// check runs against it, and the pre-existing user and group are never written to.
#[tokio::test]
async fn lying_create_answers_never_reach_somebody_elses_data() {
    for fault in [Fault::CreateAnswersForeignId, Fault::CreateAnswersDotId] {
        let server = server::start(ServerConfig {
            token: Some(TOKEN.into()),
            faults: [fault].into_iter().collect(),
            ..ServerConfig::default()
        })
        .await
        .unwrap();
        let base = server.base_url();
        let before = users(base).await;
        let mut config = RunConfig::new(base);
        config.token = Some(TOKEN.into());
        config.jobs = 4;
        let report = Runner::new(config, load::load(None).unwrap())
            .unwrap()
            .run(&Silent)
            .await
            .unwrap();
        let writes: Vec<String> = report
            .results
            .iter()
            .flat_map(|r| &r.exchanges)
            .chain(&report.cleanup.exchanges)
            .filter(|e| {
                let url = e.request.url.trim_end_matches('/');
                let collection =
                    url.ends_with("/Users") || url.ends_with("/Groups") || url.ends_with("/v2");
                let write = matches!(e.request.method.as_str(), "PUT" | "PATCH" | "DELETE");
                (e.request.method != "GET" && url.contains("pre-existing"))
                    || (write && (collection || url.ends_with("/..") || url.ends_with("/.")))
            })
            .map(|e| format!("{} {}", e.request.method, e.request.url))
            .collect();
        assert_eq!(
            writes,
            Vec::<String>::new(),
            "{fault:?}: writes to somebody else's data"
        );
        // Still there, with its own attributes as they were. Its read-only `groups` (and so its
        // meta) may change: the lying server itself resolves a bulk request's `bulkId:` member to
        // the foreign user, which no client can prevent.
        let own_attributes = |u: &Value| {
            let mut u = u.clone();
            if let Some(o) = u.as_object_mut() {
                o.remove("meta");
                o.remove("groups");
            }
            u
        };
        let now = users(base).await;
        for seeded in &before {
            let same = now.iter().find(|u| u["id"] == seeded["id"]);
            assert_eq!(
                same.map(own_attributes),
                Some(own_attributes(seeded)),
                "{fault:?}"
            );
        }
        let safety: usize = report
            .results
            .iter()
            .flat_map(|r| &r.steps)
            .flat_map(|s| &s.findings)
            .filter(|f| f.kind == FindingKind::Safety)
            .count();
        assert!(
            safety > 100,
            "{fault:?}: every lying create is a safety finding ({safety})"
        );
        assert!(
            report
                .left_behind
                .iter()
                .all(|l| l.resource.is_none() && l.marker.starts_with("scimcheck-")),
            "{fault:?}: what was never proven ours is listed by marker only"
        );
    }
}
