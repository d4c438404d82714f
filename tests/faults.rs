//! The fault model: for every named fault of the reference server, exactly the checks that
//! fixtures/faults.yaml lists fail (one check at a time); every built-in check is failed by at least one fault (a check
//! that cannot fail is a defect); and every run leaves the server as empty as it found it.

use futures::StreamExt;
use scimcheck::check::SchemaStore;
use scimcheck::load::{self, Catalog};
use scimcheck::run::{self, RunConfig, Status};
use scimcheck::server::{self, Fault, ServerConfig};
use std::collections::{BTreeMap, BTreeSet};
use std::sync::Arc;
use yaml_rust2::{Yaml, YamlLoader};

const TOKEN: &str = "fault-model-token";

fn expected() -> BTreeMap<String, BTreeSet<String>> {
    let text =
        std::fs::read_to_string(concat!(env!("CARGO_MANIFEST_DIR"), "/fixtures/faults.yaml"))
            .unwrap();
    let docs = YamlLoader::load_from_str(&text).expect("faults.yaml parses");
    let Some(Yaml::Hash(map)) = docs.into_iter().next() else {
        panic!("faults.yaml is a mapping")
    };
    map.into_iter()
        .map(|(k, v)| {
            let name = k.as_str().expect("fault names are strings").to_string();
            let ids = match v {
                Yaml::Array(items) => items
                    .iter()
                    .map(|i| i.as_str().expect("check ids").to_string())
                    .collect(),
                Yaml::Null => BTreeSet::new(),
                other => panic!("{name}: expected a list, got {other:?}"),
            };
            (name, ids)
        })
        .collect()
}

/// Users left on the server after a run (everything the run created should be gone).
async fn users_left(base_url: &str) -> u64 {
    let resp = reqwest::Client::new()
        .get(format!("{base_url}/Users"))
        .bearer_auth(TOKEN)
        .send()
        .await
        .expect("list users");
    if resp.status() == 404 {
        return 0; // `no-match-404` answers an empty list with 404
    }
    let body: serde_json::Value = resp.json().await.unwrap_or_default();
    body["totalResults"].as_u64().unwrap_or(0)
}

/// Runs every built-in check against a server with `faults`; returns the ids that did not pass.
async fn not_passing(
    catalog: &Catalog,
    schemas: Arc<SchemaStore>,
    faults: &[Fault],
) -> (BTreeSet<String>, u64) {
    let config = ServerConfig {
        token: Some(TOKEN.into()),
        faults: faults.iter().copied().collect(),
        ..ServerConfig::default()
    };
    let server = server::start(config).await.expect("server starts");
    let mut config = RunConfig::new(server.base_url());
    config.token = Some(TOKEN.into());
    // One check at a time: under a fault such as filter-ignored, other checks' users would
    // otherwise leak into a result depending on timing, and the verdict would not be exact.
    config.jobs = 1;
    let report = run::run_checks(&config, &catalog.checks, schemas)
        .await
        .expect("discovery works under every fault");
    let failing = report
        .results
        .iter()
        .filter(|r| matches!(r.status, Status::Failed | Status::Errored))
        .map(|r| r.id.clone())
        .collect();
    (failing, users_left(server.base_url()).await)
}

fn diff(name: &str, want: &BTreeSet<String>, got: &BTreeSet<String>) -> Option<String> {
    let missing: Vec<_> = want.difference(got).collect();
    let extra: Vec<_> = got.difference(want).collect();
    (!missing.is_empty() || !extra.is_empty()).then(|| {
        format!("{name}:\n  listed but passed: {missing:?}\n  failed but not listed: {extra:?}")
    })
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn each_fault_fails_exactly_its_listed_checks() {
    let catalog = load::load(None).unwrap();
    let schemas = Arc::new(SchemaStore::compile(&catalog.schemas).unwrap());
    let expected = expected();

    let declared: BTreeSet<&str> = expected.keys().map(String::as_str).collect();
    let served: BTreeSet<&str> = Fault::ALL.iter().map(|f| f.name()).collect();
    assert_eq!(
        declared, served,
        "fixtures/faults.yaml must list every fault the server has, and no other"
    );

    let (clean, left) = not_passing(&catalog, Arc::clone(&schemas), &[]).await;
    assert!(
        clean.is_empty(),
        "checks fail against the correct server: {clean:?}"
    );
    assert_eq!(left, 0, "a clean run left {left} users behind");

    let runs: Vec<(Fault, (BTreeSet<String>, u64))> =
        futures::stream::iter(Fault::ALL.iter().copied())
            .map(|f| {
                let (catalog, schemas) = (&catalog, Arc::clone(&schemas));
                async move { (f, not_passing(catalog, schemas, &[f]).await) }
            })
            .buffer_unordered(4)
            .collect()
            .await;

    let mut problems = Vec::new();
    for (fault, (got, left)) in &runs {
        let want = &expected[fault.name()];
        if want.is_empty() {
            problems.push(format!(
                "{}: fails no check, so it proves nothing",
                fault.name()
            ));
        }
        problems.extend(diff(fault.name(), want, got));
        // Cleanup must hold under every fault except those where DELETE itself does not delete.
        let deletes_work = !matches!(fault, Fault::DeleteIgnored);
        if deletes_work && *left != 0 {
            problems.push(format!(
                "{}: the run left {left} users behind",
                fault.name()
            ));
        }
    }
    assert!(
        problems.is_empty(),
        "fault model mismatch (update fixtures/faults.yaml only after reading why):\n{}",
        problems.join("\n")
    );
}

#[test]
fn every_check_is_failed_by_some_fault() {
    let catalog = load::load(None).unwrap();
    let covered: BTreeSet<String> = expected().into_values().flatten().collect();
    let uncovered: Vec<&str> = catalog
        .checks
        .iter()
        .map(|c| c.id.as_str())
        .filter(|id| !covered.contains(*id))
        .collect();
    assert!(
        uncovered.is_empty(),
        "checks no fault can fail (a check that cannot fail is a defect): {uncovered:?}"
    );
    let known: BTreeSet<&str> = catalog.checks.iter().map(|c| c.id.as_str()).collect();
    let stale: Vec<&String> = covered
        .iter()
        .filter(|id| !known.contains(id.as_str()))
        .collect();
    assert!(
        stale.is_empty(),
        "fixtures/faults.yaml names checks that do not exist: {stale:?}"
    );
}
