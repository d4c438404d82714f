//! The canary: a server that echoes every credential it receives back — in JSON values and keys,
//! header names and values, Location, error details — and a real run that must write none of
//! them to any report, stdout or stderr.

use base64::Engine;
use base64::engine::general_purpose::STANDARD;
use serde_json::{Map, Value, json};
use std::path::Path;
use std::process::{Command, Output};
use std::sync::{Arc, Mutex};
use wiremock::matchers::any;
use wiremock::{Mock, MockServer, Request, Respond, ResponseTemplate};

const TOKEN: &str = "CanaryTok3n-7f3a9c1e5d";
const API_KEY: &str = "CanaryApiKey-42b8d0e6";
const USER: &str = "canaryuser";
/// As typed in the URL, and as it must be sent (percent-decoded).
const PASSWORD_IN_URL: &str = "Canary%40Pass%2Fw0rd-9z";
const PASSWORD: &str = "Canary@Pass/w0rd-9z";

/// Every credential-looking value of a request, in every form the server will echo it.
fn credentials_of(request: &Request) -> Vec<String> {
    let header = |name: &str| {
        request
            .headers
            .get(name)
            .and_then(|v| v.to_str().ok())
            .map(str::to_string)
    };
    let mut found = Vec::new();
    if let Some(auth) = header("authorization") {
        if let Some((scheme, value)) = auth.split_once(' ') {
            found.push(value.to_string());
            if scheme.eq_ignore_ascii_case("basic") {
                let pair = STANDARD
                    .decode(value)
                    .map(|b| String::from_utf8_lossy(&b).into_owned())
                    .unwrap_or_default();
                if let Some((_, password)) = pair.split_once(':') {
                    found.push(password.to_string());
                }
                found.push(pair);
            }
        }
        found.push(auth);
    }
    found.extend(header("x-api-key"));
    found.retain(|s| !s.is_empty());
    found
}

/// A header name may carry only these characters (RFC 9110 tchar).
fn valid_header_name(s: &str) -> bool {
    !s.is_empty()
        && s.bytes()
            .all(|b| b.is_ascii_alphanumeric() || b"!#$%&'*+-.^_`|~".contains(&b))
}

#[derive(Clone, Default)]
struct Echo {
    /// The Authorization header of every request received.
    seen: Arc<Mutex<Vec<Option<String>>>>,
}

impl Respond for Echo {
    fn respond(&self, request: &Request) -> ResponseTemplate {
        let auth = request
            .headers
            .get("authorization")
            .and_then(|v| v.to_str().ok())
            .map(str::to_string);
        self.seen.lock().unwrap().push(auth);
        let secrets = credentials_of(request);
        let echo: Map<String, Value> = secrets
            .iter()
            .map(|s| {
                (
                    s.clone(),
                    json!({ "value": s, "note": format!("you sent {s}") }),
                )
            })
            .collect();
        let path = request.url.path().to_string();
        let (status, mut body) = if path.ends_with("/ServiceProviderConfig") {
            (
                200,
                json!({
                    "schemas": ["urn:ietf:params:scim:schemas:core:2.0:ServiceProviderConfig"],
                    "patch": {"supported": true},
                    "bulk": {"supported": false, "maxOperations": 0, "maxPayloadSize": 0},
                    "filter": {"supported": true, "maxResults": 100},
                    "changePassword": {"supported": false},
                    "sort": {"supported": false},
                    "etag": {"supported": false},
                    "authenticationSchemes": [{
                        "type": "oauthbearertoken", "name": "OAuth Bearer Token",
                        "description": format!("your credentials: {secrets:?}"),
                    }],
                }),
            )
        } else if path.ends_with("/ResourceTypes") {
            (
                200,
                json!({
                    "schemas": ["urn:ietf:params:scim:api:messages:2.0:ListResponse"],
                    "totalResults": 1,
                    "Resources": [{
                        "schemas": ["urn:ietf:params:scim:schemas:core:2.0:ResourceType"],
                        "id": "User", "name": "User", "endpoint": "/Users",
                        "schema": "urn:ietf:params:scim:schemas:core:2.0:User",
                    }],
                }),
            )
        } else {
            (
                400,
                json!({
                    "schemas": ["urn:ietf:params:scim:api:messages:2.0:Error"],
                    "status": "400",
                    "scimType": "invalidValue",
                    "detail": format!("rejected credentials {}", secrets.join(" and ")),
                }),
            )
        };
        body["echo"] = Value::Object(echo);
        let mut response = ResponseTemplate::new(status)
            .set_body_raw(serde_json::to_vec(&body).unwrap(), "application/scim+json");
        for (i, s) in secrets.iter().enumerate() {
            response = response
                .append_header(format!("x-echo-{i}").as_str(), s.as_str())
                .append_header(
                    "www-authenticate",
                    format!("Bearer realm=\"{s}\", error=\"invalid_token\"").as_str(),
                )
                .append_header("set-cookie", format!("session={s}").as_str());
            let name = format!("x-{s}-echo");
            if valid_header_name(&name) {
                response = response.append_header(name.as_str(), "named after your secret");
            }
        }
        if let Some(s) = secrets.first() {
            let location = format!(
                "http://127.0.0.1/scim/v2/Users/1?access_token={s}&code={s}&sig={s}&state=ok"
            );
            response = response.append_header("location", location.as_str());
        }
        response
    }
}

fn start() -> (tokio::runtime::Runtime, MockServer, Echo) {
    let rt = tokio::runtime::Runtime::new().unwrap();
    let server = rt.block_on(MockServer::start());
    let echo = Echo::default();
    rt.block_on(Mock::given(any()).respond_with(echo.clone()).mount(&server));
    (rt, server, echo)
}

fn scimcheck(args: &[&str]) -> Output {
    Command::new(env!("CARGO_BIN_EXE_scimcheck"))
        .args(args)
        .env_remove("SCIMCHECK_TOKEN")
        .env("NO_COLOR", "1")
        .output()
        .expect("the binary runs")
}

/// Runs a few checks against the echoing server, writing every report format into `out`.
fn run_canary(base_url: &str, extra: &[&str], out: &Path) -> Output {
    let mut args = vec![
        "run",
        base_url,
        "--out",
        out.to_str().unwrap(),
        "--report",
        "json,junit,md,html",
        "--only",
        "discovery.spc",
        "--only",
        "users.create",
        "--only",
        "auth.no-credentials-401",
        "--jobs",
        "2",
        "-v",
    ];
    args.extend_from_slice(extra);
    scimcheck(&args)
}

/// Asserts that no secret appears, in any case, in stdout, stderr or any file written.
fn assert_nothing_leaked(o: &Output, out: &Path, secrets: &[String]) {
    let mut texts = vec![
        (
            "stdout".to_string(),
            String::from_utf8_lossy(&o.stdout).into_owned(),
        ),
        (
            "stderr".to_string(),
            String::from_utf8_lossy(&o.stderr).into_owned(),
        ),
    ];
    let mut names = Vec::new();
    for entry in std::fs::read_dir(out).unwrap() {
        let path = entry.unwrap().path();
        names.push(path.file_name().unwrap().to_string_lossy().into_owned());
        texts.push((
            path.display().to_string(),
            std::fs::read_to_string(&path).unwrap(),
        ));
    }
    names.sort();
    assert_eq!(
        names,
        ["junit.xml", "report.html", "report.json", "summary.md"],
        "every format was written"
    );
    for (where_, text) in &texts {
        let lower = text.to_lowercase();
        for secret in secrets {
            assert!(
                !lower.contains(&secret.to_lowercase()),
                "{secret:?} leaked into {where_}:\n{text}"
            );
        }
    }
}

fn report_json(out: &Path) -> Value {
    serde_json::from_str(&std::fs::read_to_string(out.join("report.json")).unwrap()).unwrap()
}

/// The echoes were really recorded (redacted), so the absence of secrets means something.
fn assert_echoes_recorded(report: &Value) {
    let spc = &report["discovery"]["exchanges"][0]["response"];
    let headers = spc["headers"]
        .as_object()
        .expect("response headers recorded");
    assert!(
        headers.keys().any(|k| k.contains("[redacted]")),
        "a header named after a secret was recorded: {headers:?}"
    );
    assert!(
        headers["location"]
            .as_str()
            .is_some_and(|l| l.contains("access_token=[redacted]&code=[redacted]")),
        "{headers:?}"
    );
    let echo = spc["body"]["echo"]
        .as_object()
        .expect("the echo body was recorded");
    assert!(
        !echo.is_empty() && echo.keys().all(|k| k.contains("[redacted]")),
        "{echo:?}"
    );
    let text = report.to_string();
    assert!(
        text.contains("rejected credentials [redacted]"),
        "an error detail echoing the credentials was recorded"
    );
}

#[test]
fn token_and_secret_header_never_leave_the_process() {
    let (_rt, server, echo) = start();
    let out = tempfile::tempdir().unwrap();
    let base = format!("{}/scim/v2", server.uri());
    let header = format!("X-Api-Key: {API_KEY}");
    let o = run_canary(&base, &["--token", TOKEN, "--header", &header], out.path());
    assert_eq!(
        o.status.code(),
        Some(1),
        "{}",
        String::from_utf8_lossy(&o.stderr)
    );
    let seen = echo.seen.lock().unwrap().clone();
    let bearer = format!("Bearer {TOKEN}");
    assert!(seen.iter().any(|a| a.as_deref() == Some(bearer.as_str())));
    let secrets = [TOKEN.to_string(), API_KEY.to_string()];
    assert_nothing_leaked(&o, out.path(), &secrets);
    assert_echoes_recorded(&report_json(out.path()));
}

#[test]
fn url_credentials_are_sent_as_basic_and_never_written() {
    let (_rt, server, echo) = start();
    let out = tempfile::tempdir().unwrap();
    let uri = server.uri();
    let host = uri.trim_start_matches("http://");
    let base = format!("http://{USER}:{PASSWORD_IN_URL}@{host}/scim/v2");
    let o = run_canary(&base, &[], out.path());
    assert_eq!(
        o.status.code(),
        Some(1),
        "{}",
        String::from_utf8_lossy(&o.stderr)
    );

    let pair = format!("{USER}:{PASSWORD}");
    let basic = format!("Basic {}", STANDARD.encode(&pair));
    let seen = echo.seen.lock().unwrap().clone();
    assert!(
        seen.iter().any(|a| a.as_deref() == Some(basic.as_str())),
        "the percent-decoded credentials were sent as Basic: {seen:?}"
    );
    assert!(
        seen.iter().flatten().all(|a| a.starts_with("Basic ")),
        "{seen:?}"
    );

    let secrets = [
        PASSWORD.to_string(),
        PASSWORD_IN_URL.to_string(),
        pair.clone(),
        STANDARD.encode(&pair),
    ];
    assert_nothing_leaked(&o, out.path(), &secrets);
    let report = report_json(out.path());
    assert_echoes_recorded(&report);
    assert_eq!(
        report["target"],
        format!("{uri}/scim/v2"),
        "the target has no credentials"
    );
}

#[test]
fn url_credentials_with_a_token_is_a_usage_error_naming_both() {
    let out = tempfile::tempdir().unwrap();
    let base = format!("http://{USER}:{PASSWORD_IN_URL}@127.0.0.1:9/scim/v2");
    let dir = out.path().to_str().unwrap();
    let by_flag = scimcheck(&["run", &base, "--token", TOKEN, "--out", dir]);
    let by_env = Command::new(env!("CARGO_BIN_EXE_scimcheck"))
        .args(["run", &base, "--out", dir])
        .env("SCIMCHECK_TOKEN", TOKEN)
        .output()
        .unwrap();
    for o in [by_flag, by_env] {
        let stderr = String::from_utf8_lossy(&o.stderr);
        assert_eq!(o.status.code(), Some(2), "{stderr}");
        assert!(
            stderr.contains("BASE_URL") && stderr.contains("--token"),
            "{stderr}"
        );
        for secret in [PASSWORD, PASSWORD_IN_URL, TOKEN] {
            assert!(!stderr.contains(secret), "{stderr}");
        }
    }
}

#[test]
fn a_bad_base_url_is_not_repeated_with_its_password() {
    let o = scimcheck(&["run", &format!("ftp://{USER}:{PASSWORD_IN_URL}@host/scim")]);
    let stderr = String::from_utf8_lossy(&o.stderr);
    assert_eq!(o.status.code(), Some(2), "{stderr}");
    assert!(
        stderr.contains("http://") && !stderr.contains(PASSWORD_IN_URL),
        "{stderr}"
    );
}
