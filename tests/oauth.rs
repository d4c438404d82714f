//! OAuth2 client credentials end to end: a whole run against the reference server whose tokens
//! live a fraction of the run passes (tokens renewed before expiry, recorded and redacted); a 401
//! to a token gets one new token and one resend; a refused client secret stops the run at
//! discovery with the token endpoint's own words.

use scimcheck::http::auth::OAuthClient;
use scimcheck::http::guard::WriteGuard;
use scimcheck::http::{Outgoing, Pipeline};
use scimcheck::load;
use scimcheck::run::{RunConfig, Runner, Silent};
use scimcheck::secret::Secret;
use scimcheck::server::{self, ServerConfig};
use std::sync::atomic::{AtomicUsize, Ordering};
use std::time::Duration;
use wiremock::matchers::{method, path};
use wiremock::{Mock, MockServer, Request, Respond, ResponseTemplate};

const SECRET: &str = "client-s3cret-value";

fn oauth(token_url: String, secret: &str) -> OAuthClient {
    OAuthClient {
        token_url,
        client_id: "scimcheck-test".into(),
        client_secret: Secret::new(secret),
        scope: Some("scim".into()),
    }
}

async fn oauth_server(ttl: f64) -> server::RunningServer {
    server::start(ServerConfig {
        oauth: Some(("scimcheck-test".into(), SECRET.into())),
        token_ttl: Some(Duration::from_secs_f64(ttl)),
        ..ServerConfig::default()
    })
    .await
    .expect("server starts")
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_run_outliving_its_tokens_passes_and_records_each_token_request() {
    let server = oauth_server(0.4).await;
    let mut config = RunConfig::new(server.base_url());
    config.oauth = Some(oauth(server.token_url(), SECRET));
    let catalog = load::load(None).unwrap();
    let report = Runner::new(config, catalog)
        .unwrap()
        .run(&Silent)
        .await
        .expect("discovery works");
    let bad: Vec<_> = report
        .results
        .iter()
        .filter(|r| r.status.is_bad())
        .map(|r| format!("{}: {}", r.id, r.message))
        .collect();
    assert!(bad.is_empty(), "{bad:#?}");
    assert!(
        report.duration_ms > 400,
        "the run must outlive a token ({} ms)",
        report.duration_ms
    );
    let requests = &report.authentication.exchanges;
    assert!(requests.len() >= 2, "tokens renewed: {}", requests.len());
    let json = serde_json::to_string(&report).unwrap();
    assert!(!json.contains(SECRET), "the client secret leaked");
    assert!(!json.contains("scimcheck-at-"), "an access token leaked");
    assert!(json.contains("grant_type=client_credentials&scope=scim"));
}

/// Tokens `t1`, `t2`, … in order; `/scim/v2/Users` accepts only `t2`.
struct Tokens(AtomicUsize);

impl Respond for Tokens {
    fn respond(&self, _: &Request) -> ResponseTemplate {
        let n = self.0.fetch_add(1, Ordering::SeqCst) + 1;
        ResponseTemplate::new(200).set_body_json(serde_json::json!({
            "access_token": format!("token-number-{n}"),
            "token_type": "bearer",
        }))
    }
}

struct OnlySecond;

impl Respond for OnlySecond {
    fn respond(&self, request: &Request) -> ResponseTemplate {
        let auth = request
            .headers
            .get("authorization")
            .and_then(|v| v.to_str().ok());
        if auth == Some("Bearer token-number-2") {
            ResponseTemplate::new(200).set_body_json(serde_json::json!({"totalResults": 0}))
        } else {
            ResponseTemplate::new(401)
        }
    }
}

#[tokio::test]
async fn a_401_gets_one_new_token_and_one_resend() {
    let idp = MockServer::start().await;
    Mock::given(method("POST"))
        .and(path("/token"))
        .respond_with(Tokens(AtomicUsize::new(0)))
        .mount(&idp)
        .await;
    Mock::given(path("/scim/v2/Users"))
        .respond_with(OnlySecond)
        .mount(&idp)
        .await;
    let base = format!("{}/scim/v2", idp.uri());
    let mut config = RunConfig::new(&base);
    config.oauth = Some(oauth(format!("{}/token", idp.uri()), SECRET));
    let pipeline = Pipeline::new(
        config.client().unwrap(),
        WriteGuard::new(&base, "scimcheck-x"),
    )
    .authenticate(config.credentials());
    let get = |credential| Outgoing {
        method: "GET",
        url: format!("{base}/Users"),
        headers: Vec::new(),
        body: None,
        credential,
        busy_retries: true,
    };
    let ex = pipeline.send(get(true)).await.unwrap();
    assert_eq!(ex.response.as_ref().map(|r| r.status), Some(200));
    assert_eq!(ex.attempts, 2, "one resend after the 401");
    assert_eq!(pipeline.token_requests().len(), 2);
    // The token in use is kept: no new token request for the next request.
    pipeline.send(get(true)).await.unwrap();
    assert_eq!(pipeline.token_requests().len(), 2);
    // A request that probes authentication itself carries no credential and is not retried.
    let probe = pipeline.send(get(false)).await.unwrap();
    assert_eq!(probe.response.as_ref().map(|r| r.status), Some(401));
    assert_eq!(probe.attempts, 1);
    assert!(
        !probe
            .request
            .headers
            .0
            .iter()
            .any(|(k, _)| k.eq_ignore_ascii_case("authorization"))
    );
}

#[test]
fn a_refused_client_secret_stops_the_run_at_discovery_with_the_endpoint_words() {
    let rt = tokio::runtime::Runtime::new().unwrap();
    let server = rt.block_on(oauth_server(60.0));
    let out = tempfile::tempdir().unwrap();
    let o = std::process::Command::new(env!("CARGO_BIN_EXE_scimcheck"))
        .args([
            "run",
            server.base_url(),
            "--oauth-token-url",
            &server.token_url(),
            "--client-id",
            "scimcheck-test",
            "--out",
            out.path().to_str().unwrap(),
        ])
        .env("SCIMCHECK_CLIENT_SECRET", "not-the-secret")
        .output()
        .unwrap();
    let err = String::from_utf8_lossy(&o.stderr);
    assert_eq!(o.status.code(), Some(4), "{err}");
    assert!(
        err.contains("cannot authenticate: no OAuth access token from"),
        "{err}"
    );
    assert!(err.contains("401 invalid_client"), "{err}");
    assert!(!err.contains("not-the-secret"), "{err}");
}
