//! The binary as a user meets it: exit codes, clear messages on bad input, and no secret in output.

mod common;

use common::{scimcheck, serve_binary, text};
use std::process::{Command, Output};
use wiremock::matchers::any;
use wiremock::{Mock, MockServer, ResponseTemplate};

#[test]
fn embedded_run_passes_and_never_prints_the_token() {
    let out = tempfile::tempdir().unwrap();
    let dir = out.path().to_str().unwrap();
    let secret = "s3cr3t-cli-token-value";
    let o = scimcheck(&["run", "--token", secret, "--out", dir]);
    let all = text(&o);
    assert_eq!(o.status.code(), Some(0), "{all}");
    assert!(all.contains("0 failed"), "{all}");
    let report = std::fs::read_to_string(out.path().join("report.json")).unwrap();
    assert!(
        !all.contains(secret) && !report.contains(secret),
        "the token leaked into the output or report"
    );
    let json: serde_json::Value = serde_json::from_str(&report).unwrap();
    assert_eq!(json["schema_version"], 2);
    assert!(json["run_id"].as_str().is_some_and(|id| id.len() == 8));
    assert_eq!(json["interrupted"], false);
    // /ServiceProviderConfig, /ResourceTypes, /Schemas, and the scoping filter.
    assert_eq!(
        json["discovery"]["exchanges"].as_array().map(Vec::len),
        Some(4)
    );
    assert_eq!(json["summary"]["failed"], 0);
    // Only the opt-in probes (--probe-rate-limit, --probe-auth) are skipped.
    assert_eq!(json["summary"]["skipped"], 9);
    let skipped = json["results"]
        .as_array()
        .unwrap()
        .iter()
        .filter(|r| r["status"] == "skipped");
    for r in skipped {
        assert!(
            r["message"].as_str().is_some_and(|m| m.contains("opt-in")),
            "{r}"
        );
    }
    let first = &json["results"][0];
    for key in [
        "id",
        "title",
        "level",
        "spec",
        "ref",
        "tags",
        "status",
        "origin",
        "message",
        "duration_ms",
        "steps",
        "cleanup",
        "exchanges",
    ] {
        assert!(first.get(key).is_some(), "result lacks {key}");
    }
    let auth = report.matches("\"Bearer [redacted]\"").count();
    assert!(auth > 0, "authorization headers are recorded, redacted");
}

#[test]
fn embedded_run_with_a_fault_exits_1() {
    let out = tempfile::tempdir().unwrap();
    let o = scimcheck(&[
        "run",
        "--fault",
        "no-location-header",
        "--only",
        "users.create",
        "--out",
        out.path().to_str().unwrap(),
    ]);
    let all = text(&o);
    assert_eq!(o.status.code(), Some(1), "{all}");
    assert!(
        all.contains("users.create.location-header-matches-meta"),
        "{all}"
    );
}

/// A server that hides its filtering gets the unscoped forms: said once in the terminal, marked in
/// report.json, and a paging fault still fails them.
#[test]
fn unscoped_forms_run_where_filtering_is_not_advertised() {
    let out = tempfile::tempdir().unwrap();
    let dir = out.path().to_str().unwrap();
    let run = |faults: &[&str]| {
        let mut args = vec!["run", "--only", "pagination", "--out", dir];
        for f in faults {
            args.extend(["--fault", f]);
        }
        scimcheck(&args)
    };
    let o = run(&["spc-understates"]);
    let all = text(&o);
    assert_eq!(o.status.code(), Some(0), "{all}");
    assert!(
        all.contains(
            "14 checks ran their unscoped form (the server does not advertise filter.supported"
        ),
        "{all}"
    );
    let report: serde_json::Value =
        serde_json::from_str(&std::fs::read_to_string(out.path().join("report.json")).unwrap())
            .unwrap();
    let one_based = report["results"]
        .as_array()
        .unwrap()
        .iter()
        .find(|r| r["id"] == "pagination.start-index-is-one-based")
        .unwrap();
    assert_eq!(one_based["status"], "passed");
    assert!(
        one_based["unscoped"]["asserts"]
            .as_str()
            .unwrap()
            .contains("startIndex=totalResults"),
        "{one_based}"
    );

    let o = run(&["spc-understates", "start-index-zero-based"]);
    let all = text(&o);
    assert_eq!(o.status.code(), Some(1), "{all}");
    assert!(
        all.contains("unscoped form: over the whole collection, run alone: startIndex=1 echoes 1"),
        "{all}"
    );
}

/// `--read-only` sends only reads: the checks that write are skipped with what they would write.
#[test]
fn read_only_sends_no_write() {
    let out = tempfile::tempdir().unwrap();
    let o = scimcheck(&["run", "--read-only", "--out", out.path().to_str().unwrap()]);
    let all = text(&o);
    assert_eq!(o.status.code(), Some(0), "{all}");
    assert!(
        all.contains("--read-only: it writes (POST /Users)"),
        "{all}"
    );
    let report: serde_json::Value =
        serde_json::from_str(&std::fs::read_to_string(out.path().join("report.json")).unwrap())
            .unwrap();
    let sent: Vec<(String, String)> = report["results"]
        .as_array()
        .unwrap()
        .iter()
        .flat_map(|r| r["exchanges"].as_array().unwrap().clone())
        .chain(report["discovery"]["exchanges"].as_array().unwrap().clone())
        .map(|e| {
            let r = &e["request"];
            (
                r["method"].as_str().unwrap().to_string(),
                r["url"].as_str().unwrap().to_string(),
            )
        })
        .collect();
    assert!(sent.len() > 20, "{sent:?}");
    assert!(
        sent.iter()
            .all(|(m, url)| m == "GET" || (m == "POST" && url.ends_with(".search"))),
        "{sent:?}"
    );
    assert!(report["summary"]["passed"].as_u64().unwrap() >= 30);
    // A check that writes but has a read-only form ran that form, and says so.
    let form = report["results"]
        .as_array()
        .unwrap()
        .iter()
        .find(|r| r["id"] == "media.response-is-scim-json")
        .map(|r| (r["status"].clone(), r["unscoped"]["form"].clone()));
    assert_eq!(
        form,
        Some((serde_json::json!("passed"), serde_json::json!("read-only")))
    );
    assert!(
        all.contains("checks ran their read-only form (--read-only: its own steps write"),
        "{all}"
    );
}

/// A server without /ServiceProviderConfig whose /Users answers is tested: the discovery checks
/// fail (MUST), optional features are absent unless assumed, and `--assume` brings them back.
#[test]
fn a_missing_service_provider_config_is_a_failure_not_the_end_of_the_run() {
    let out = tempfile::tempdir().unwrap();
    let dir = out.path().to_str().unwrap();
    let o = scimcheck(&[
        "run",
        "--fault",
        "spc-missing",
        "--only",
        "discovery.spc",
        "--only",
        "users.patch",
        "--out",
        dir,
    ]);
    let all = text(&o);
    assert_eq!(o.status.code(), Some(1), "{all}");
    assert!(
        all.contains("discovery.spc.returns-200-with-schema-urn"),
        "{all}"
    );
    assert!(
        all.contains("the server does not advertise patch.supported"),
        "{all}"
    );
    let o = scimcheck(&[
        "run",
        "--fault",
        "spc-missing",
        "--only",
        "users.patch",
        "--assume",
        "patch",
        "--out",
        dir,
    ]);
    let all = text(&o);
    assert_eq!(o.status.code(), Some(0), "{all}");
    assert!(all.contains("0 failed, 0 skipped"), "{all}");
    let o = scimcheck(&["run", "--assume", "pach", "--out", dir]);
    assert_eq!(o.status.code(), Some(2));
    assert!(text(&o).contains("unknown feature 'pach'"));
}

/// A base URL with a query string (Entra's `?aadOptscim062020`) keeps it after every path the
/// run appends, and the report names the target with it.
#[test]
fn a_base_url_query_is_kept_after_every_appended_path() {
    let (mut server, url) = serve_binary(&[]);
    let out = tempfile::tempdir().unwrap();
    let target = format!("{url}?aadOptscim062020");
    let o = scimcheck(&[
        "run",
        &target,
        "--only",
        "users.create",
        "--only",
        "pagination",
        "--out",
        out.path().to_str().unwrap(),
    ]);
    server.kill().unwrap();
    let all = text(&o);
    assert_eq!(o.status.code(), Some(0), "{all}");
    let report: serde_json::Value =
        serde_json::from_str(&std::fs::read_to_string(out.path().join("report.json")).unwrap())
            .unwrap();
    assert_eq!(report["target"], target.as_str());
    let urls: Vec<String> = report["results"]
        .as_array()
        .unwrap()
        .iter()
        .flat_map(|r| r["exchanges"].as_array().unwrap().clone())
        .map(|e| e["request"]["url"].as_str().unwrap().to_string())
        .collect();
    assert!(urls.len() > 50);
    for u in &urls {
        let (path, query) = u.split_once('?').unwrap_or((u, ""));
        assert!(path.starts_with(&url), "{u}");
        assert!(query.split('&').any(|p| p == "aadOptscim062020"), "{u}");
    }
}

#[test]
fn unreachable_target_exits_4_with_a_message() {
    let listener = std::net::TcpListener::bind("127.0.0.1:0").unwrap();
    let port = listener.local_addr().unwrap().port();
    drop(listener);
    let o = scimcheck(&[
        "run",
        &format!("http://127.0.0.1:{port}/scim/v2"),
        "--timeout",
        "5",
    ]);
    assert_eq!(o.status.code(), Some(4), "{}", text(&o));
    assert!(text(&o).contains("cannot reach"), "{}", text(&o));
}

fn serve(status: u16, content_type: &str, body: &str) -> (tokio::runtime::Runtime, MockServer) {
    let rt = tokio::runtime::Runtime::new().unwrap();
    let server = rt.block_on(MockServer::start());
    let template =
        ResponseTemplate::new(status).set_body_raw(body.as_bytes().to_vec(), content_type);
    rt.block_on(Mock::given(any()).respond_with(template).mount(&server));
    (rt, server)
}

#[test]
fn html_target_exits_4_and_says_so() {
    let (_rt, server) = serve(200, "text/html", "<html><body>Welcome</body></html>");
    let o = scimcheck(&["run", &server.uri()]);
    assert_eq!(o.status.code(), Some(4), "{}", text(&o));
    assert!(text(&o).contains("text/html"), "{}", text(&o));
}

#[test]
fn discovery_500_exits_4() {
    let (_rt, server) = serve(500, "text/plain", "boom");
    let o = scimcheck(&["run", &server.uri()]);
    assert_eq!(o.status.code(), Some(4), "{}", text(&o));
    assert!(text(&o).contains("answered 500"), "{}", text(&o));
}

#[test]
fn broken_suite_exits_3_with_position() {
    let dir = tempfile::tempdir().unwrap();
    let file = dir.path().join("broken.yaml");
    std::fs::write(&file, "- id: users.x.y\n  title: T\n  level: MUST\n  spec: RFC\n  steps:\n    - request: {method: GET, path: /Users}\n      expect: {statuss: 200}\n").unwrap();
    let o = scimcheck(&["validate", file.to_str().unwrap()]);
    assert_eq!(o.status.code(), Some(3), "{}", text(&o));
    assert!(
        text(&o).contains("broken.yaml:7:16: unknown key `statuss`"),
        "{}",
        text(&o)
    );
    let o = scimcheck(&["run", "--suites", dir.path().to_str().unwrap()]);
    assert_eq!(o.status.code(), Some(3), "{}", text(&o));
}

#[test]
fn usage_errors_exit_2() {
    assert_eq!(scimcheck(&["run", "--jobs", "0"]).status.code(), Some(2));
    assert_eq!(
        scimcheck(&["run", "--fault", "no-such-fault"])
            .status
            .code(),
        Some(2)
    );
    assert_eq!(
        scimcheck(&["run", "ftp://example.com"]).status.code(),
        Some(2)
    );
    // A line break would split the header it is sent in; the message names the option.
    let o = scimcheck(&["run", "--header", "X-A: b\r\nX-Evil: 1"]);
    assert_eq!(o.status.code(), Some(2));
    assert!(
        text(&o).contains("--header contains a line break"),
        "{}",
        text(&o)
    );
    let o = scimcheck(&["run", "--token", "abc\ndef"]);
    assert_eq!(o.status.code(), Some(2));
    assert!(text(&o).contains("--token"), "{}", text(&o));
    assert!(!text(&o).contains("abc"), "the token is not echoed");
    let o = scimcheck(&["run", "--set", "name.formatted"]);
    assert_eq!(o.status.code(), Some(2));
    assert!(
        text(&o).contains("--set `name.formatted`: expected TYPE.ATTRIBUTE=VALUE"),
        "{}",
        text(&o)
    );
}

/// An --out that cannot be written is found before the run, not after it (where every result
/// would be lost): exit 2, and the target never hears a request.
#[test]
fn unwritable_out_exits_2_before_any_request() {
    let (rt, server) = serve(200, "application/scim+json", "{}");
    let file = tempfile::NamedTempFile::new().unwrap();
    let o = scimcheck(&["run", &server.uri(), "--out", file.path().to_str().unwrap()]);
    assert_eq!(o.status.code(), Some(2), "{}", text(&o));
    assert!(text(&o).contains("is not writable"), "{}", text(&o));
    let received = rt
        .block_on(server.received_requests())
        .expect("the mock records requests");
    assert!(received.is_empty(), "{} requests sent", received.len());
}

#[test]
fn list_and_list_faults() {
    let o = scimcheck(&["list"]);
    assert_eq!(o.status.code(), Some(0));
    assert!(String::from_utf8_lossy(&o.stdout).contains("users.create.returns-201-with-id"));
    let o = scimcheck(&["serve", "--list-faults"]);
    assert_eq!(o.status.code(), Some(0));
    assert!(
        String::from_utf8_lossy(&o.stdout)
            .lines()
            .any(|l| l == "error-status-number")
    );
}

#[test]
fn serve_prints_its_url_first_and_run_reports_its_faults() {
    use std::io::{BufRead, BufReader};
    let mut child = Command::new(env!("CARGO_BIN_EXE_scimcheck"))
        .args([
            "serve",
            "--token",
            "serve-token",
            "--fault",
            "no-location-header",
        ])
        .stdout(std::process::Stdio::piped())
        .stderr(std::process::Stdio::null())
        .spawn()
        .unwrap();
    let mut first = String::new();
    BufReader::new(child.stdout.take().unwrap())
        .read_line(&mut first)
        .unwrap();
    let url = first.trim().to_string();
    assert!(
        url.starts_with("http://127.0.0.1:") && url.ends_with("/scim/v2"),
        "{url}"
    );
    let out = tempfile::tempdir().unwrap();
    let o = scimcheck(&[
        "run",
        &url,
        "--token",
        "serve-token",
        "--out",
        out.path().to_str().unwrap(),
    ]);
    child.kill().unwrap();
    child.wait().unwrap();
    let all = text(&o);
    assert_eq!(o.status.code(), Some(1), "{all}");
    assert!(
        all.contains("1 failed"),
        "exactly the fault's one check fails: {all}"
    );
    assert!(
        all.contains("users.create.location-header-matches-meta"),
        "{all}"
    );
}

/// Ctrl-C (SIGINT) or SIGTERM in the middle of a run deletes what the run created so far,
/// writes the reports (marked interrupted), then exits 4.
#[test]
fn interrupt_cleans_up_what_the_run_created() {
    interrupted_by("-INT");
}

#[test]
fn sigterm_cleans_up_like_ctrl_c() {
    interrupted_by("-TERM");
}

fn interrupted_by(signal: &str) {
    use std::time::{Duration, Instant};
    let suites = tempfile::tempdir().unwrap();
    let mut yaml = String::from(
        "- id: users.slow.many-reads\n  title: Creates three users, then reads for a long time\n  level: MAY\n  spec: test\n  steps:\n",
    );
    for i in 0..3 {
        yaml.push_str(&format!(
            "    - request: {{method: POST, path: /Users, body: {{schemas: [\"urn:ietf:params:scim:schemas:core:2.0:User\"], userName: \"${{unique.u{i}}}\"}}}}\n      capture: {{id{i}: /id}}\n"
        ));
    }
    for _ in 0..20_000 {
        yaml.push_str("    - request: {method: GET, path: \"/Users/${id0}\"}\n");
    }
    std::fs::write(suites.path().join("slow.yaml"), yaml).unwrap();

    let (mut server, url) = serve_binary(&["--token", "int-token"]);
    let rt = tokio::runtime::Runtime::new().unwrap();
    let users = |url: &str| -> u64 {
        rt.block_on(async {
            let resp = reqwest::Client::new()
                .get(format!("{url}/Users"))
                .bearer_auth("int-token")
                .send()
                .await
                .unwrap();
            resp.json::<serde_json::Value>().await.unwrap()["totalResults"]
                .as_u64()
                .unwrap()
        })
    };
    let out = tempfile::tempdir().unwrap();
    let run = Command::new(env!("CARGO_BIN_EXE_scimcheck"))
        .args([
            "run",
            &url,
            "--token",
            "int-token",
            "--suites",
            suites.path().to_str().unwrap(),
            "--only",
            "users.slow",
        ])
        .args(["--out", out.path().to_str().unwrap()])
        .stdout(std::process::Stdio::null())
        .stderr(std::process::Stdio::piped())
        .spawn()
        .unwrap();
    let deadline = Instant::now() + Duration::from_secs(60);
    while users(&url) < 3 {
        assert!(Instant::now() < deadline, "the run never created its users");
        std::thread::sleep(Duration::from_millis(20));
    }
    let killed = Command::new("kill")
        .args([signal, &run.id().to_string()])
        .status()
        .unwrap();
    assert!(killed.success());
    let done = run.wait_with_output().unwrap();
    let left = users(&url);
    server.kill().unwrap();
    server.wait().unwrap();
    let stderr = String::from_utf8_lossy(&done.stderr);
    assert_eq!(done.status.code(), Some(4), "{stderr}");
    assert!(stderr.contains("cleanup complete"), "{stderr}");
    assert_eq!(left, 0, "the interrupted run left users behind");
    let report: serde_json::Value = serde_json::from_str(
        &std::fs::read_to_string(out.path().join("report.json")).expect("report.json written"),
    )
    .unwrap();
    assert_eq!(report["interrupted"], true);
    // The check in flight stopped before its next step and deleted its own three users; the
    // sweep found nothing more to delete.
    let check = &report["results"][0];
    assert_eq!(check["id"], "users.slow.many-reads");
    assert_eq!(check["status"], "errored");
    let steps = check["steps"].as_array().unwrap();
    assert_eq!(steps.last().unwrap()["error"]["kind"], "interrupted");
    assert_eq!(
        check["cleanup"]["exchanges"].as_array().map(Vec::len),
        Some(3)
    );
    assert_eq!(
        report["cleanup"]["exchanges"].as_array().map(Vec::len),
        Some(0)
    );
    assert_eq!(report["left_behind"].as_array().map(Vec::len), Some(0));
    assert!(
        !out.path().join("ledger.jsonl").exists(),
        "nothing left, so no ledger kept"
    );
}

fn wrote(o: &Output) -> Vec<String> {
    String::from_utf8_lossy(&o.stdout)
        .lines()
        .filter_map(|l| l.strip_prefix("wrote ").map(str::to_string))
        .collect()
}

#[test]
fn report_selection_writes_only_what_was_asked_and_prints_each_path() {
    let out = tempfile::tempdir().unwrap();
    let dir = out.path().to_str().unwrap();
    let o = scimcheck(&["run", "--only", "me", "--out", dir]);
    assert_eq!(o.status.code(), Some(0), "{}", text(&o));
    let all: Vec<String> = ["report.json", "junit.xml", "summary.md", "report.html"]
        .iter()
        .map(|f| out.path().join(f).display().to_string())
        .collect();
    assert_eq!(wrote(&o), all, "by default every format, one line each");

    let only = tempfile::tempdir().unwrap();
    let dir = only.path().to_str().unwrap();
    let o = scimcheck(&[
        "run", "--only", "me", "--out", dir, "--report", "md", "--report", "junit,md",
    ]);
    assert_eq!(o.status.code(), Some(0), "{}", text(&o));
    assert_eq!(wrote(&o).len(), 2, "{}", text(&o));
    assert!(!only.path().join("report.json").exists());
    let md = std::fs::read_to_string(only.path().join("summary.md")).unwrap();
    assert!(md.contains("| me |"), "{md}");
    assert!(md.contains("junit.xml"), "{md}");
    let names: Vec<_> = std::fs::read_dir(only.path())
        .unwrap()
        .map(|e| e.unwrap().file_name())
        .collect();
    assert_eq!(names.len(), 2, "no temp files left behind: {names:?}");

    let o = scimcheck(&["run", "--report", "pdf"]);
    assert_eq!(o.status.code(), Some(2), "{}", text(&o));
    assert!(text(&o).contains("invalid value 'pdf'"), "{}", text(&o));
}

/// The baseline workflow: record a clean run, then a fault is a regression (exit 1); record the
/// faulty run, then it is a known failure (exit 0) and the clean run lists it as newly fixed.
#[test]
fn baselines_tell_regressions_from_known_failures() {
    let dir = tempfile::tempdir().unwrap();
    let out = dir.path().join("out");
    let out = out.to_str().unwrap();
    let clean = dir.path().join("clean.json");
    let faulty = dir.path().join("faulty.json");
    let (clean, faulty) = (clean.to_str().unwrap(), faulty.to_str().unwrap());
    let base = ["run", "--only", "users.create", "--out", out];
    let with = |extra: &[&str]| scimcheck(&[&base[..], extra].concat());

    let o = with(&["--write-baseline", clean]);
    assert_eq!(o.status.code(), Some(0), "{}", text(&o));
    assert!(wrote(&o).contains(&clean.to_string()), "{}", text(&o));
    let first = std::fs::read_to_string(clean).unwrap();
    assert!(first.contains("\"users.create.location-header-matches-meta\": \"passed\""));
    with(&["--write-baseline", clean]);
    assert_eq!(
        std::fs::read_to_string(clean).unwrap(),
        first,
        "deterministic"
    );

    let o = with(&[
        "--fault",
        "no-location-header",
        "--baseline",
        clean,
        "--write-baseline",
        faulty,
    ]);
    assert_eq!(o.status.code(), Some(1), "{}", text(&o));
    assert!(
        text(&o).contains(
            "1 regression(s)\n  users.create.location-header-matches-meta: passed → failed"
        ),
        "{}",
        text(&o)
    );

    let o = with(&["--fault", "no-location-header", "--baseline", faulty]);
    assert_eq!(
        o.status.code(),
        Some(0),
        "a known failure is not a regression: {}",
        text(&o)
    );
    assert!(text(&o).contains("no regressions"), "{}", text(&o));

    let o = with(&["--baseline", faulty]);
    assert_eq!(o.status.code(), Some(0), "{}", text(&o));
    assert!(
        text(&o).contains(&format!("refresh it with --write-baseline {faulty}")),
        "{}",
        text(&o)
    );
    assert!(
        text(&o).contains("  users.create.location-header-matches-meta: failed → passed"),
        "{}",
        text(&o)
    );
}

#[test]
fn a_broken_baseline_is_a_usage_error() {
    let dir = tempfile::tempdir().unwrap();
    let file = dir.path().join("b.json");
    std::fs::write(
        &file,
        "{\"schema_version\": 1, \"checks\": {\"a.b\": \"green\"}}",
    )
    .unwrap();
    let o = scimcheck(&["run", "--baseline", file.to_str().unwrap()]);
    assert_eq!(o.status.code(), Some(2), "{}", text(&o));
    assert!(text(&o).contains("error: baseline"), "{}", text(&o));
    let o = scimcheck(&[
        "run",
        "--baseline",
        dir.path().join("missing.json").to_str().unwrap(),
    ]);
    assert_eq!(o.status.code(), Some(2), "{}", text(&o));
    assert!(text(&o).contains("cannot read baseline"), "{}", text(&o));
}

/// `cleanup` finds what a run left behind by its marker, lists it, deletes it only with --yes,
/// and leaves what another run left alone.
#[test]
fn cleanup_finds_lists_and_deletes_only_the_runs_leftovers() {
    let (mut server, url) = serve_binary(&["--fault", "create-answers-dot-id"]);
    let out = tempfile::tempdir().unwrap();
    let dir = out.path().to_str().unwrap();
    // Every create answers id "..": nothing can be proved, so everything is left behind.
    let o = scimcheck(&["run", &url, "--only", "users.create", "--out", dir, "-q"]);
    let report: serde_json::Value =
        serde_json::from_str(&std::fs::read_to_string(out.path().join("report.json")).unwrap())
            .unwrap();
    let run = report["run_id"].as_str().unwrap().to_string();
    assert!(
        !report["left_behind"].as_array().unwrap().is_empty(),
        "{}",
        text(&o)
    );
    assert!(
        text(&o).contains("left behind"),
        "printed even with --quiet: {}",
        text(&o)
    );
    let ledger = out.path().join("ledger.jsonl");
    assert!(ledger.exists(), "kept because something is left behind");
    // A second run leaves its own users; cleaning up the first must not touch them.
    let second = tempfile::tempdir().unwrap();
    let dir2 = second.path().to_str().unwrap();
    scimcheck(&["run", &url, "--only", "users.create", "--out", dir2, "-q"]);
    let report2: serde_json::Value =
        serde_json::from_str(&std::fs::read_to_string(second.path().join("report.json")).unwrap())
            .unwrap();
    let run2 = report2["run_id"].as_str().unwrap().to_string();

    let listed = scimcheck(&[
        "cleanup",
        &url,
        "--run",
        &run,
        "--ledger",
        ledger.to_str().unwrap(),
    ]);
    assert_eq!(listed.status.code(), Some(1), "{}", text(&listed));
    assert!(
        text(&listed).contains(&format!("userName=scimcheck-{run}-")),
        "{}",
        text(&listed)
    );
    assert!(text(&listed).contains("add --yes"), "{}", text(&listed));

    let deleted = scimcheck(&["cleanup", &url, "--run", &run, "--yes"]);
    assert_eq!(deleted.status.code(), Some(0), "{}", text(&deleted));
    let again = scimcheck(&["cleanup", &url, "--run", &run]);
    assert_eq!(again.status.code(), Some(0), "{}", text(&again));
    assert!(text(&again).contains("nothing of run"), "{}", text(&again));
    let others = scimcheck(&["cleanup", &url, "--run", &run2]);
    assert_eq!(
        others.status.code(),
        Some(1),
        "the other run's users are still there: {}",
        text(&others)
    );

    let bad = scimcheck(&["cleanup", &url, "--run", ""]);
    assert_eq!(bad.status.code(), Some(2), "{}", text(&bad));
    let other = scimcheck(&[
        "cleanup",
        &url,
        "--run",
        "0000ffff",
        "--ledger",
        ledger.to_str().unwrap(),
    ]);
    assert_eq!(
        other.status.code(),
        Some(2),
        "a ledger of another run: {}",
        text(&other)
    );
    server.kill().unwrap();
    server.wait().unwrap();
}
