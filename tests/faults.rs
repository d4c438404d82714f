//! The fault model: for every named fault of the reference server, exactly the checks that
//! fixtures/faults.yaml (version 2) lists fail, and exactly those it lists are blocked (one check
//! at a time, under the server configuration the fault names); every built-in check is failed by
//! at least one fault (a check that cannot fail is a defect); and every run leaves the server as
//! empty as it found it.

use futures::StreamExt;
use scimcheck::check::SchemaStore;
use scimcheck::http::auth::OAuthClient;
use scimcheck::load::{self, Catalog};
use scimcheck::profile::Profile;
use scimcheck::run::{RunConfig, Runner, Silent, Status};
use scimcheck::server::{self, Fault, Needs, ServerConfig};
use scimcheck::suite::Capability;
use std::collections::{BTreeMap, BTreeSet};
use std::sync::Arc;
use std::time::Duration;
use yaml_rust2::{Yaml, YamlLoader};

const TOKEN: &str = "fault-model-token";

/// How a fault's server is configured to run.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum Auth {
    /// The server requires a bearer token, and the harness has it.
    Bearer,
    /// No credential anywhere.
    None,
}

/// One fault's entry in fixtures/faults.yaml (version 2).
#[derive(Debug)]
struct Spec {
    fails: BTreeSet<String>,
    blocked: BTreeSet<String>,
    auth: Auth,
    /// The fault fails nothing on purpose: its point is that the harness adapts.
    adapts: bool,
    /// The fault fails nothing in a run: it misleads `scimcheck doctor`, and tests/doctor.rs
    /// runs doctor against it.
    doctor: bool,
}

fn ids(name: &str, key: &str, v: &Yaml) -> BTreeSet<String> {
    match v {
        Yaml::Array(items) => items
            .iter()
            .map(|i| i.as_str().expect("check ids are strings").to_string())
            .collect(),
        Yaml::Null => BTreeSet::new(),
        other => panic!("{name}.{key}: expected a list, got {other:?}"),
    }
}

fn spec(name: &str, v: &Yaml) -> Spec {
    let Yaml::Hash(map) = v else {
        panic!("{name}: expected a mapping with `fails`, got {v:?}")
    };
    let mut spec = Spec {
        fails: BTreeSet::new(),
        blocked: BTreeSet::new(),
        auth: Auth::Bearer,
        adapts: false,
        doctor: false,
    };
    let mut has_fails = false;
    for (k, v) in map {
        match k.as_str().unwrap_or_default() {
            "fails" => {
                spec.fails = ids(name, "fails", v);
                has_fails = true;
            }
            "blocked" => spec.blocked = ids(name, "blocked", v),
            "adapts" => spec.adapts = v.as_bool().expect("adapts is a boolean"),
            "doctor" => spec.doctor = v.as_bool().expect("doctor is a boolean"),
            "server" => {
                let Yaml::Hash(server) = v else {
                    panic!("{name}.server: expected a mapping")
                };
                for (k, v) in server {
                    match (k.as_str(), v.as_str()) {
                        (Some("auth"), Some("bearer")) => spec.auth = Auth::Bearer,
                        (Some("auth"), Some("none")) => spec.auth = Auth::None,
                        other => panic!("{name}.server: unknown setting {other:?}"),
                    }
                }
            }
            other => {
                panic!("{name}: unknown key `{other}` (fails, blocked, server, adapts, doctor)")
            }
        }
    }
    assert!(
        has_fails,
        "{name}: `fails` is required (`fails: []` for none)"
    );
    spec
}

fn expected() -> BTreeMap<String, Spec> {
    let text =
        std::fs::read_to_string(concat!(env!("CARGO_MANIFEST_DIR"), "/fixtures/faults.yaml"))
            .unwrap();
    let docs = YamlLoader::load_from_str(&text).expect("faults.yaml parses");
    let Some(Yaml::Hash(top)) = docs.into_iter().next() else {
        panic!("faults.yaml is a mapping")
    };
    assert_eq!(
        top.get(&Yaml::String("version".into())),
        Some(&Yaml::Integer(2)),
        "faults.yaml must say `version: 2`"
    );
    let Some(Yaml::Hash(faults)) = top.get(&Yaml::String("faults".into())) else {
        panic!("faults.yaml needs a `faults:` mapping")
    };
    faults
        .iter()
        .map(|(k, v)| {
            let name = k.as_str().expect("fault names are strings").to_string();
            let spec = spec(&name, v);
            (name, spec)
        })
        .collect()
}

/// Users left on the server after a run (everything the run created should be gone), and how
/// many of them the report does not account for (no `left_behind` entry carries their marker).
/// Users that existed before the run (a fault's seeded data) are not counted.
async fn users_left(
    base_url: &str,
    bearer: &str,
    report: &scimcheck::run::RunReport,
) -> (u64, u64) {
    let resp = reqwest::Client::new()
        .get(format!("{base_url}/Users?count=10000"))
        .bearer_auth(bearer)
        .send()
        .await
        .expect("list users");
    if resp.status() == 404 {
        return (0, 0); // `no-match-404` answers an empty list with 404
    }
    let body: serde_json::Value = resp.json().await.unwrap_or_default();
    let users = body["Resources"].as_array().cloned().unwrap_or_default();
    let ours: Vec<&serde_json::Value> = users
        .iter()
        .filter(|u| u["id"] != "pre-existing-user")
        .filter(|u| {
            !u["userName"]
                .as_str()
                .unwrap_or_default()
                .starts_with("tenant-")
        })
        .collect();
    let reported = |u: &&serde_json::Value| {
        let name = u["userName"].as_str().unwrap_or_default().to_lowercase();
        report
            .left_behind
            .iter()
            .any(|l| name.contains(&l.marker.to_lowercase()))
    };
    let unaccounted = ours.iter().filter(|u| !reported(u)).count();
    (ours.len() as u64, unaccounted as u64)
}

/// What one run under a fault gave: the ids that failed or errored, those blocked, and the
/// users left on the server.
struct Got {
    failing: BTreeSet<String>,
    /// The failing checks that ran their unscoped form.
    failing_unscoped: BTreeSet<String>,
    blocked: BTreeSet<String>,
    users_left: u64,
    /// Users left that report.json's `left_behind` does not account for.
    unaccounted: u64,
}

/// The suffix of a faults.yaml key whose run is `--read-only` against a tenant holding users.
const READ_ONLY: &str = "@read-only";

/// The profile a faults.yaml key `FAULT@NAME` runs under (any suffix but `@read-only`).
fn profile_of(name: &str) -> Option<&str> {
    let (_, suffix) = name.split_once('@')?;
    (suffix != READ_ONLY.trim_start_matches('@')).then_some(suffix)
}

/// A built-in profile, with its own checks.
fn builtin_profile(name: &str, catalog: &Catalog) -> (Profile, Vec<scimcheck::suite::Check>) {
    let areas = catalog
        .checks
        .iter()
        .filter_map(|c| c.id.as_str().split('.').next().map(str::to_string))
        .collect();
    let (profile, _) = load::find_profile(name, &areas)
        .unwrap_or_else(|e| panic!("faults.yaml: no built-in profile `{name}`: {e}"));
    let checks = load::profile_checks(&profile, None, &catalog.schemas).expect("its checks load");
    (profile, checks)
}

/// The faults a faults.yaml key names: one, or several joined with `+` (an `@…` suffix names
/// how the run is made, not a fault).
fn faults_of(name: &str) -> Vec<Fault> {
    name.split('@')
        .next()
        .unwrap_or_default()
        .split('+')
        .map(|n| {
            *Fault::ALL
                .iter()
                .find(|f| f.name() == n)
                .unwrap_or_else(|| {
                    panic!("faults.yaml: `{n}` in `{name}` is no fault of the server")
                })
        })
        .collect()
}

const OAUTH: (&str, &str) = ("fault-model-client", "fault-model-s3cret");

/// An access token from the server's own token endpoint, for reading it after an OAuth run.
async fn oauth_token(server: &server::RunningServer) -> String {
    let answer: serde_json::Value = reqwest::Client::new()
        .post(server.token_url())
        .basic_auth(OAUTH.0, Some(OAUTH.1))
        .header("content-type", "application/x-www-form-urlencoded")
        .body("grant_type=client_credentials")
        .send()
        .await
        .expect("the token endpoint answers")
        .json()
        .await
        .expect("a token answer");
    answer["access_token"]
        .as_str()
        .unwrap_or_default()
        .to_string()
}

/// Runs the built-in checks against a server with `faults`, configured as `needs` says: every
/// check as it is; under OAuth (with --probe-auth) every check; with a rate limit of 20
/// requests a second only the rate-limit checks (with --probe-rate-limit), which run alone.
/// Users a `@read-only` run finds on the server: a tenant's own data, never touched.
async fn seed_tenant(base_url: &str) {
    for i in 1..=3 {
        let user = serde_json::json!({
            "schemas": ["urn:ietf:params:scim:schemas:core:2.0:User"],
            "userName": format!("tenant-{i}@example.com"),
            "password": format!("Tenant-pw-{i}!"),
            "name": {"givenName": "Tenant", "familyName": format!("User{i}")},
            "emails": [{"value": format!("tenant-{i}@example.com"), "type": "work"}],
        });
        let answer = reqwest::Client::new()
            .post(format!("{base_url}/Users"))
            .bearer_auth(TOKEN)
            .header("content-type", "application/scim+json")
            .body(user.to_string())
            .send()
            .await
            .expect("the tenant's users are created");
        assert!(answer.status().is_success(), "seeding: {}", answer.status());
    }
}

async fn run_under(
    catalog: &Catalog,
    schemas: Arc<SchemaStore>,
    faults: &[Fault],
    auth: Auth,
    needs: Needs,
    read_only: bool,
    profile: Option<&(Profile, Vec<scimcheck::suite::Check>)>,
) -> Got {
    let token = (auth == Auth::Bearer).then(|| TOKEN.to_string());
    let config = ServerConfig {
        token: token.clone(),
        faults: faults.iter().copied().collect(),
        rate_limit: (needs == Needs::RateLimit).then(|| "20/s".parse().expect("a rate")),
        oauth: (needs == Needs::OAuth).then(|| (OAUTH.0.to_string(), OAUTH.1.to_string())),
        // Short-lived tokens: renewal mid-run is exercised, and the expired-token probe waits
        // seconds, not an hour.
        token_ttl: (needs == Needs::OAuth).then(|| Duration::from_secs(2)),
        profile: profile.map(|(p, _)| p.clone()),
        ..ServerConfig::default()
    };
    let server = server::start(config).await.expect("server starts");
    if read_only {
        seed_tenant(server.base_url()).await;
    }
    let mut config = RunConfig::new(server.base_url());
    config.token = token.map(Into::into);
    config.read_only = read_only;
    let mut checks = catalog.checks.clone();
    // Under a profile, its own checks run (the RFC checks it keeps are the default runs').
    if let Some((profile, own)) = profile {
        config.profile = Some(profile.clone());
        checks = own.clone();
    }
    match needs {
        Needs::Nothing | Needs::Profile => {}
        Needs::RateLimit => {
            config.probe_rate_limit = true;
            checks.retain(|c| c.requires.contains(&Capability::ProbeRateLimit));
        }
        Needs::OAuth => {
            config.token = None;
            config.probe_auth = true;
            config.token_leeway = Duration::ZERO;
            config.oauth = Some(OAuthClient {
                token_url: server.token_url(),
                client_id: OAUTH.0.into(),
                client_secret: OAUTH.1.into(),
                scope: None,
            });
        }
    }
    // One check at a time: under a fault such as filter-ignored, other checks' users would
    // otherwise leak into a result depending on timing, and the verdict would not be exact.
    config.jobs = 1;
    let report = Runner::with_schemas(config, checks, schemas)
        .expect("the runner builds")
        .run(&Silent)
        .await
        .expect("discovery works under every fault");
    let with = |statuses: &[Status]| {
        report
            .results
            .iter()
            .filter(|r| statuses.contains(&r.status))
            .map(|r| r.id.clone())
            .collect()
    };
    let bearer = match needs {
        Needs::OAuth => oauth_token(&server).await,
        _ => TOKEN.to_string(),
    };
    let (users_left, unaccounted) = users_left(server.base_url(), &bearer, &report).await;
    let failing_unscoped = report
        .results
        .iter()
        .filter(|r| r.unscoped.is_some() && matches!(r.status, Status::Failed | Status::Errored))
        .map(|r| r.id.clone())
        .collect();
    Got {
        failing: with(&[Status::Failed, Status::Errored]),
        failing_unscoped,
        blocked: with(&[Status::Blocked]),
        users_left,
        unaccounted,
    }
}

fn diff(name: &str, list: &str, want: &BTreeSet<String>, got: &BTreeSet<String>) -> Option<String> {
    let missing: Vec<_> = want.difference(got).collect();
    let extra: Vec<_> = got.difference(want).collect();
    (!missing.is_empty() || !extra.is_empty()).then(|| {
        format!(
            "{name} ({list}):\n  listed but not so: {missing:?}\n  so but not listed: {extra:?}"
        )
    })
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn each_fault_fails_exactly_its_listed_checks() {
    let catalog = load::load(None).unwrap();
    let schemas = Arc::new(SchemaStore::compile(&catalog.schemas).unwrap());
    let expected = expected();

    // A key `a+b` runs faults a and b together (a server that cannot scope queries and also
    // pages wrongly, to fail checks in their unscoped form).
    let declared: BTreeSet<&str> = expected
        .keys()
        .flat_map(|k| faults_of(k))
        .map(Fault::name)
        .collect();
    let served: BTreeSet<&str> = Fault::ALL.iter().map(|f| f.name()).collect();
    assert_eq!(
        declared, served,
        "fixtures/faults.yaml must list every fault the server has, and no other"
    );

    let profiles: BTreeMap<String, (Profile, Vec<scimcheck::suite::Check>)> = expected
        .keys()
        .filter_map(|k| profile_of(k))
        .map(|name| (name.to_string(), builtin_profile(name, &catalog)))
        .collect();
    let mut setups = vec![
        (Needs::Nothing, false, None),
        (Needs::RateLimit, false, None),
        (Needs::OAuth, false, None),
        (Needs::Nothing, true, None),
    ];
    setups.extend(profiles.values().map(|p| (Needs::Profile, false, Some(p))));
    for (needs, read_only, profile) in setups {
        let clean = run_under(
            &catalog,
            Arc::clone(&schemas),
            &[],
            Auth::Bearer,
            needs,
            read_only,
            profile,
        )
        .await;
        assert!(
            clean.failing.is_empty() && clean.blocked.is_empty(),
            "checks do not pass against the correct server ({needs:?}, read-only {read_only}): {:?} {:?}",
            clean.failing,
            clean.blocked
        );
        assert_eq!(clean.users_left, 0, "a clean run left users behind");
    }

    let runs: Vec<(String, Vec<Fault>, Got)> = futures::stream::iter(expected.iter())
        .map(|(name, spec)| {
            let (catalog, schemas) = (&catalog, Arc::clone(&schemas));
            let faults = faults_of(name);
            let profile = profile_of(name).map(|p| &profiles[p]);
            async move {
                let needs = faults
                    .iter()
                    .map(|f| f.needs())
                    .find(|n| *n != Needs::Nothing)
                    .unwrap_or(Needs::Nothing);
                let read_only = name.ends_with(READ_ONLY);
                let needs = if profile.is_some() {
                    Needs::Profile
                } else {
                    needs
                };
                let got = run_under(
                    catalog, schemas, &faults, spec.auth, needs, read_only, profile,
                )
                .await;
                (name.clone(), faults, got)
            }
        })
        .buffer_unordered(4)
        .collect()
        .await;

    if let Ok(path) = std::env::var("SCIMCHECK_WRITE_FAULTS") {
        write_observed(&path, &expected, &runs);
    }

    let mut problems = Vec::new();
    for (name, faults, got) in &runs {
        let want = &expected[name.as_str()];
        // A fault proves something by failing checks; blocking them proves nothing.
        match (want.fails.is_empty(), want.adapts || want.doctor) {
            (true, false) => problems.push(format!(
                "{name}: fails no check, so it proves nothing (or declare `adapts: true` or \
                 `doctor: true`)"
            )),
            (false, true) => problems.push(format!(
                "{name}: declared `adapts` or `doctor` but lists checks that fail"
            )),
            _ => {}
        }
        if want.doctor && !include_str!("doctor.rs").contains(&format!("\"--fault\", \"{name}\"")) {
            problems.push(format!(
                "{name}: declared `doctor: true`, but tests/doctor.rs never starts a server with it"
            ));
        }
        problems.extend(diff(name, "fails", &want.fails, &got.failing));
        problems.extend(diff(name, "blocked", &want.blocked, &got.blocked));
        // Cleanup must hold under every fault except those where DELETE itself does not delete,
        // and those whose creates cannot be proved ours (then what is left must be reported).
        let deletes_work = !faults.contains(&Fault::DeleteIgnored);
        let unprovable = faults
            .iter()
            .any(|f| matches!(f, Fault::CreateAnswersForeignId | Fault::CreateAnswersDotId));
        if deletes_work && got.unaccounted != 0 {
            problems.push(format!(
                "{name}: the run left {} users behind that report.json does not list",
                got.unaccounted
            ));
        }
        if deletes_work && !unprovable && got.users_left != 0 {
            problems.push(format!(
                "{name}: the run left {} users behind",
                got.users_left
            ));
        }
    }
    // A check's unscoped form is a form of the check: it too must be able to fail; so must its
    // read-only form, in some `@read-only` run.
    let failed_unscoped: BTreeSet<&str> = runs
        .iter()
        .filter(|(name, _, _)| !name.ends_with(READ_ONLY))
        .flat_map(|(_, _, got)| got.failing_unscoped.iter().map(String::as_str))
        .collect();
    let failed_read_only: BTreeSet<&str> = runs
        .iter()
        .filter(|(name, _, _)| name.ends_with(READ_ONLY))
        .flat_map(|(_, _, got)| got.failing_unscoped.iter().map(String::as_str))
        .collect();
    for check in catalog.checks.iter().filter(|c| c.read_only.is_some()) {
        if !failed_read_only.contains(check.id.as_str()) {
            problems.push(format!(
                "{}: no fault fails its read-only form (add a `FAULT@read-only` run)",
                check.id
            ));
        }
    }
    for check in catalog.checks.iter().filter(|c| c.unscoped.is_some()) {
        if !failed_unscoped.contains(check.id.as_str()) {
            problems.push(format!(
                "{}: no fault fails its unscoped form (add a `filter-unadvertised+FAULT` run)",
                check.id
            ));
        }
    }
    assert!(
        problems.is_empty(),
        "fault model mismatch (update fixtures/faults.yaml only after reading why):\n{}",
        problems.join("\n")
    );
}

/// Writes what the runs observed in faults.yaml's own format (its header kept, faults in the
/// server's order), for a maintainer to diff against the file and read before adopting it:
/// `SCIMCHECK_WRITE_FAULTS=/tmp/faults.yaml cargo test --test faults`.
fn write_observed(
    path: &str,
    expected: &BTreeMap<String, Spec>,
    runs: &[(String, Vec<Fault>, Got)],
) {
    use std::fmt::Write;
    let current =
        std::fs::read_to_string(concat!(env!("CARGO_MANIFEST_DIR"), "/fixtures/faults.yaml"))
            .unwrap();
    let header: String = current
        .lines()
        .take_while(|l| !l.starts_with("version:"))
        .map(|l| format!("{l}\n"))
        .collect();
    let mut out = format!("{header}version: 2\nfaults:\n");
    let list = |out: &mut String, key: &str, ids: &BTreeSet<String>| {
        if ids.is_empty() {
            let _ = writeln!(out, "    {key}: []");
        } else {
            let _ = writeln!(out, "    {key}:");
            ids.iter().for_each(|id| {
                let _ = writeln!(out, "      - {id}");
            });
        }
    };
    let combined = expected
        .keys()
        .filter(|k| k.contains('+') || k.contains('@'))
        .map(String::as_str);
    let names = Fault::ALL.iter().map(|f| f.name()).chain(combined);
    for name in names {
        let Some((_, _, got)) = runs.iter().find(|(n, _, _)| n == name) else {
            continue;
        };
        let want = &expected[name];
        let _ = writeln!(out, "  {name}:");
        if want.auth == Auth::None {
            let _ = writeln!(out, "    server: {{auth: none}}");
        }
        if want.adapts {
            let _ = writeln!(out, "    adapts: true");
        }
        if want.doctor {
            let _ = writeln!(out, "    doctor: true");
        }
        list(&mut out, "fails", &got.failing);
        if !got.blocked.is_empty() {
            list(&mut out, "blocked", &got.blocked);
        }
        out.push('\n');
    }
    std::fs::write(path, out.trim_end().to_string() + "\n").expect("write observed faults");
}

#[test]
fn every_check_is_failed_by_some_fault() {
    let mut catalog = load::load(None).unwrap();
    // The built-in profiles' own checks must be failable too.
    for name in load::builtin_profile_names() {
        let (_, checks) = builtin_profile(&name, &catalog);
        catalog.checks.extend(checks);
    }
    // Only `fails` counts: a blocked check was never tested, so blocking it proves nothing.
    let covered: BTreeSet<String> = expected().into_values().flat_map(|s| s.fails).collect();
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
    let named: BTreeSet<String> = expected()
        .into_values()
        .flat_map(|s| s.fails.into_iter().chain(s.blocked))
        .collect();
    let stale: Vec<&String> = named
        .iter()
        .filter(|id| !known.contains(id.as_str()))
        .collect();
    assert!(
        stale.is_empty(),
        "fixtures/faults.yaml names checks that do not exist: {stale:?}"
    );
}
