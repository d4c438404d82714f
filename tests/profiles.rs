//! Profiles as a user meets them: `scimcheck profiles` lists the built-ins and shows one;
//! `run --profile` names the profile in its reports, skips the RFC areas the contract drops and
//! runs the profile's own checks; a user's own profile file works, and a broken one is named at
//! file:line:col.

mod common;

use common::{Killed, scimcheck, serve_binary, text};
use std::fs;

#[test]
fn the_builtin_profiles_are_listed_and_one_is_shown() {
    let o = scimcheck(&["profiles"]);
    let said = text(&o);
    assert_eq!(o.status.code(), Some(0), "{said}");
    assert!(
        said.lines()
            .any(|l| l.starts_with("peakon ") && l.ends_with("Peakon employee provisioning: Users only, the peakon extension, 25 000 requests/hour")),
        "{said}"
    );
    for name in ["entra ", "okta ", "pexip-engage "] {
        assert!(said.lines().any(|l| l.starts_with(name)), "{name}: {said}");
    }
    let o = scimcheck(&["profiles", "peakon"]);
    let said = text(&o);
    assert!(
        said.contains("rule: userName: required, email, at most 256 characters"),
        "{said}"
    );
    assert!(said.contains("not checked: groups.*"), "{said}");
    assert!(
        said.contains("value: option_attribute = \"Department\" (change with --set profile.option_attribute=…)"),
        "{said}"
    );
    assert!(said.contains("its own checks (18):"), "{said}");
    assert!(said.contains("    MUST   peakon.users-only  "), "{said}");
    let o = scimcheck(&["profiles", "no-such-vendor"]);
    assert_eq!(o.status.code(), Some(2), "{}", text(&o));
    assert!(
        text(&o).contains("built-in: entra, okta, peakon"),
        "{}",
        text(&o)
    );
}

#[test]
fn a_run_under_a_profile_names_it_and_skips_what_the_contract_drops() {
    let out = tempfile::tempdir().unwrap();
    let dir = out.path().to_str().unwrap();
    let o = scimcheck(&[
        "run",
        "--profile",
        "peakon",
        "--rate",
        "1000/s",
        "--only",
        "groups.*",
        "--out",
        dir,
    ]);
    let said = text(&o);
    assert_eq!(o.status.code(), Some(0), "{said}");
    assert!(said.contains(" · profile peakon\n"), "{said}");
    let report: serde_json::Value =
        serde_json::from_str(&fs::read_to_string(out.path().join("report.json")).unwrap()).unwrap();
    assert_eq!(report["profile"], "peakon");
    let results = report["results"].as_array().unwrap();
    assert!(!results.is_empty());
    for r in results {
        assert_eq!(r["status"], "skipped", "{r}");
        assert!(
            r["reason"]
                .as_str()
                .unwrap()
                .starts_with("not in the peakon contract: Peakon does not support SCIM groups"),
            "{r}"
        );
    }
}

/// A check that moved from the RFC suites into a profile answers to its old id: `--only` finds
/// it and a baseline that recorded it is compared with it.
#[test]
fn a_moved_check_keeps_its_old_id_for_selection_and_baselines() {
    let out = tempfile::tempdir().unwrap();
    let dir = out.path().to_str().unwrap();
    let baseline = out.path().join("baseline.json");
    fs::write(
        &baseline,
        r#"{"schema_version": 1, "tool": "scimcheck", "checks": {"patch.entra-capitalised-add": "failed"}}"#,
    )
    .unwrap();
    let o = scimcheck(&[
        "run",
        "--profile",
        "entra",
        "--only",
        "patch.entra-capitalised-add",
        "--baseline",
        baseline.to_str().unwrap(),
        "--out",
        dir,
    ]);
    let said = text(&o);
    assert_eq!(o.status.code(), Some(0), "{said}");
    assert!(
        said.contains("entra.capitalised-add: failed → passed"),
        "{said}"
    );
    let report: serde_json::Value =
        serde_json::from_str(&fs::read_to_string(out.path().join("report.json")).unwrap()).unwrap();
    let results = report["results"].as_array().unwrap();
    assert_eq!(results.len(), 1, "{results:?}");
    assert_eq!(results[0]["id"], "entra.capitalised-add");
    assert_eq!(results[0]["level"], "MUST");
    assert_eq!(
        results[0]["aliases"],
        serde_json::json!(["patch.entra-capitalised-add"])
    );

    // Without the profile, nothing is selected, and the user is told where the check went.
    let o = scimcheck(&["run", "--only", "patch.entra-capitalised-add", "--out", dir]);
    let said = text(&o);
    assert_eq!(o.status.code(), Some(2), "{said}");
    assert!(
        said.contains("entra.capitalised-add is a check of profile entra: add --profile entra"),
        "{said}"
    );
}

const ACME: &str = r#"
name: acme
description: "Acme HR: users with an employee number"
scim_version: "2.0"
base_path: /scim/v2
resource_types: [User, Group]
rules:
  - {attribute: userName, required: true, format: email}
checks: [acme-checks.yaml]
"#;

const ACME_CHECKS: &str = r#"
- id: acme.users-are-listed
  title: GET /Users answers a ListResponse
  level: MUST
  spec: Acme HR provisioning guide
  steps:
    - request: {method: GET, path: /Users, query: {count: "1"}}
      expect: {status: 200, schema: ListResponse}
"#;

#[test]
fn a_users_own_profile_runs_its_checks() {
    let dir = tempfile::tempdir().unwrap();
    fs::write(dir.path().join("acme.yaml"), ACME).unwrap();
    fs::write(dir.path().join("acme-checks.yaml"), ACME_CHECKS).unwrap();
    let profile = dir.path().join("acme.yaml");
    let out = dir.path().join("out");
    let o = scimcheck(&[
        "run",
        "--profile",
        profile.to_str().unwrap(),
        "--only",
        "acme.*",
        "--out",
        out.to_str().unwrap(),
    ]);
    let said = text(&o);
    assert_eq!(o.status.code(), Some(0), "{said}");
    assert!(said.contains("1 checks: 1 passed"), "{said}");
    // `validate` takes the profile file and checks its check files with it.
    let o = scimcheck(&["validate", profile.to_str().unwrap()]);
    assert_eq!(o.status.code(), Some(0), "{}", text(&o));
    assert!(
        text(&o).contains("1 file(s), 1 check(s): valid"),
        "{}",
        text(&o)
    );

    // A check whose id is not the profile's, and a typo in the profile, are refused (exit 3).
    fs::write(
        dir.path().join("acme-checks.yaml"),
        ACME_CHECKS.replace("acme.users", "users.acme"),
    )
    .unwrap();
    let o = scimcheck(&["run", "--profile", profile.to_str().unwrap()]);
    assert_eq!(o.status.code(), Some(3), "{}", text(&o));
    assert!(
        text(&o).contains("must have an id starting with `acme.`"),
        "{}",
        text(&o)
    );
    fs::write(&profile, ACME.replace("base_path", "basepath")).unwrap();
    let o = scimcheck(&["run", "--profile", profile.to_str().unwrap()]);
    assert_eq!(o.status.code(), Some(3), "{}", text(&o));
    let said = text(&o);
    assert!(
        said.contains("acme.yaml:5:1: unknown key `basepath`"),
        "{said}"
    );
    assert!(
        said.contains("missing required key \"base_path\""),
        "{said}"
    );
}

/// `${profile.NAME}` reads the profile's `fixtures:`; `--set profile.NAME=VALUE` replaces one for
/// a tenant; a check outside a profile, or a value the profile does not declare, is refused.
#[test]
fn profile_values_reach_the_checks_and_can_be_set() {
    let dir = tempfile::tempdir().unwrap();
    let profile = dir.path().join("acme.yaml");
    fs::write(&profile, format!("{ACME}fixtures:\n  resource: Users\n")).unwrap();
    fs::write(
        dir.path().join("acme-checks.yaml"),
        ACME_CHECKS.replace("path: /Users", "path: \"/${profile.resource}\""),
    )
    .unwrap();
    let out = dir.path().join("out");
    let run = |extra: &[&str]| {
        let mut args = vec![
            "run",
            "--profile",
            profile.to_str().unwrap(),
            "--only",
            "acme.*",
            "--out",
            out.to_str().unwrap(),
        ];
        args.extend_from_slice(extra);
        scimcheck(&args)
    };
    let o = run(&[]);
    assert_eq!(o.status.code(), Some(0), "{}", text(&o));
    // Another value reaches the request: /Groups is a ListResponse too.
    let o = run(&["--set", "profile.resource=Groups"]);
    assert_eq!(o.status.code(), Some(0), "{}", text(&o));
    let report = fs::read_to_string(out.join("report.json")).unwrap();
    assert!(report.contains("/scim/v2/Groups?count=1"), "{report}");
    let o = run(&["--set", "profile.nope=1"]);
    assert_eq!(o.status.code(), Some(2), "{}", text(&o));
    assert!(
        text(&o).contains("profile acme has no value `nope` (it has: resource)"),
        "{}",
        text(&o)
    );
    // A value the profile does not declare is a suite error, at its place.
    fs::write(
        dir.path().join("acme-checks.yaml"),
        ACME_CHECKS.replace("path: /Users", "path: \"/${profile.kind}\""),
    )
    .unwrap();
    let o = run(&[]);
    assert_eq!(o.status.code(), Some(3), "{}", text(&o));
    assert!(
        text(&o).contains(
            "${profile.kind}: the profile declares no fixture `kind` (it declares: resource)"
        ),
        "{}",
        text(&o)
    );
}

#[test]
fn the_readme_profile_example_is_valid() {
    let readme = fs::read_to_string(concat!(env!("CARGO_MANIFEST_DIR"), "/README.md")).unwrap();
    let section = readme
        .find("## Profiles")
        .expect("README has a Profiles section");
    let start = section + readme[section..].find("```yaml\n").unwrap() + "```yaml\n".len();
    let end = start + readme[start..].find("```").unwrap();
    let catalog = scimcheck::load::load(None).unwrap();
    let areas = catalog
        .checks
        .iter()
        .filter_map(|c| c.id.as_str().split('.').next().map(str::to_string))
        .collect();
    let source = scimcheck::load::Source {
        name: "README.md".into(),
        text: readme[start..end].to_string(),
    };
    let profile = scimcheck::load::parse_profile(&source, &areas)
        .unwrap_or_else(|e| panic!("the README profile is invalid:\n{e}"));
    assert_eq!(profile.name, "acme");
}

/// The embedded server emulates the profile the run checks: Users only, the peakon extension
/// listed, /Schemas behind the credential; every RFC check it keeps passes.
#[test]
fn the_reference_server_emulates_a_profile() {
    let out = tempfile::tempdir().unwrap();
    let dir = out.path().to_str().unwrap();
    let o = scimcheck(&[
        "run",
        "--profile",
        "peakon",
        "--rate",
        "1000/s",
        "--out",
        dir,
    ]);
    let said = text(&o);
    assert_eq!(o.status.code(), Some(0), "{said}");
    assert!(
        said.contains("(embedded reference server as peakon) · profile peakon"),
        "{said}"
    );
    assert!(said.contains("not advertised: groups"), "{said}");
    assert!(said.contains(" 0 failed, "), "{said}");
    assert!(
        said.contains("× not in the peakon contract: Peakon does not support SCIM groups"),
        "{said}"
    );

    let (server, base) = serve_binary(&["--profile", "peakon", "--token", "t0k"]);
    let _server = Killed(server);
    let get = |path: &str, token: Option<&str>| {
        let mut args = vec!["doctor".to_string(), format!("{base}{path}")];
        if let Some(t) = token {
            args.extend(["--token".to_string(), t.to_string()]);
        }
        let args: Vec<&str> = args.iter().map(String::as_str).collect();
        text(&scimcheck(&args))
    };
    // Doctor reads the emulation as a client would: the base found, Users replays passing.
    let said = get("", None);
    assert!(said.contains(&format!("base URL: {base}\n")), "{said}");
    let said = get("", Some("t0k"));
    assert_eq!(said.matches("  ok   ").count(), 3, "{said}");
}

/// The emulation enforces the profile's value rules and publishes what it requires.
#[test]
fn the_emulation_enforces_the_profiles_rules() {
    let (server, base) = serve_binary(&["--profile", "peakon", "--token", "t0k"]);
    let _server = Killed(server);
    let runtime = tokio::runtime::Builder::new_current_thread()
        .enable_all()
        .build()
        .unwrap();
    runtime.block_on(async {
        let client = reqwest::Client::new();
        let post = |body: serde_json::Value| {
            client
                .post(format!("{base}/Users"))
                .bearer_auth("t0k")
                .header("content-type", "application/scim+json")
                .body(body.to_string())
                .send()
        };
        let user = |name: &str, extra: serde_json::Value| {
            let mut u = serde_json::json!({
                "schemas": ["urn:ietf:params:scim:schemas:core:2.0:User"],
                "userName": name,
                "name": {"givenName": "Jane", "familyName": "Smith"}
            });
            u.as_object_mut()
                .unwrap()
                .extend(extra.as_object().unwrap().clone());
            u
        };
        const PEAKON: &str = "urn:ietf:params:scim:schemas:extension:peakon:2.0:User";
        let refused = |detail: &'static str| {
            move |r: reqwest::Response| async move {
                assert_eq!(r.status(), 400);
                let body: serde_json::Value = r.json().await.unwrap();
                assert_eq!(body["scimType"], "invalidValue");
                assert!(body["detail"].as_str().unwrap().contains(detail), "{body}");
            }
        };
        refused("userName must be an email address")(
            post(user("jane", serde_json::json!({}))).await.unwrap(),
        )
        .await;
        let no_given = serde_json::json!({"name": {"familyName": "Smith"}});
        refused("name.givenName is required")(post(user("j@example.com", no_given)).await.unwrap())
            .await;
        let manager = serde_json::json!({ PEAKON: {"Manager": "boss@example.com"} });
        refused("names no existing user")(
            post(user("j@example.com", manager.clone())).await.unwrap(),
        )
        .await;
        let boss = post(user("boss@example.com", serde_json::json!({})))
            .await
            .unwrap();
        assert_eq!(boss.status(), 201);
        let jane = post(user("j@example.com", manager)).await.unwrap();
        assert_eq!(jane.status(), 201);
        // /Schemas (behind the token) says what the contract requires.
        let schemas: serde_json::Value = client
            .get(format!(
                "{base}/Schemas/urn:ietf:params:scim:schemas:core:2.0:User"
            ))
            .bearer_auth("t0k")
            .send()
            .await
            .unwrap()
            .json()
            .await
            .unwrap();
        let name = schemas["attributes"]
            .as_array()
            .unwrap()
            .iter()
            .find(|a| a["name"] == "name")
            .unwrap();
        assert_eq!(name["required"], true);
        let unauthenticated = client.get(format!("{base}/Schemas")).send().await.unwrap();
        assert_eq!(unauthenticated.status(), 401);
        let groups = client
            .get(format!("{base}/Groups"))
            .bearer_auth("t0k")
            .send()
            .await
            .unwrap();
        assert_eq!(groups.status(), 404);
    });
}
