//! `scimcheck doctor` as a user meets it: the base URL found from the origin alone, from a
//! pasted endpoint with a doubled prefix and Entra's query flag; a login page, a redirect and a
//! demand for Basic credentials named; Entra's test connection failing where a server answers a
//! lookup of no one with 404; a web app's HTML catch-all and a redirect to sign in from the
//! reference server's faults; and nothing but GETs sent.

mod common;

use common::{Killed, scimcheck, serve_binary, text};
use wiremock::matchers::{any, method, path};
use wiremock::{Mock, MockServer, ResponseTemplate};

fn origin(base: &str) -> &str {
    base.trim_end_matches("/scim/v2")
}

#[test]
fn the_base_url_is_found_from_the_origin_alone() {
    let (server, base) = serve_binary(&[]);
    let _server = Killed(server);
    let o = scimcheck(&["doctor", origin(&base)]);
    let said = text(&o);
    assert_eq!(o.status.code(), Some(0), "{said}");
    assert!(said.contains(&format!("\nbase URL: {base}\n")), "{said}");
    assert_eq!(said.matches("  ok   ").count(), 3, "{said}");
    assert!(
        said.contains(&format!("Tenant URL: {base}"))
            && said.contains(&format!("base URL: {base}")),
        "{said}"
    );
}

#[test]
fn a_pasted_endpoint_doubled_prefix_and_query_flag_are_untangled() {
    let (server, base) = serve_binary(&[]);
    let _server = Killed(server);
    let pasted = format!("{base}/scim/v2/Users?aadOptscim062020");
    let o = scimcheck(&["doctor", &pasted]);
    let said = text(&o);
    assert_eq!(o.status.code(), Some(0), "{said}");
    assert!(
        said.contains(&format!("base URL: {base}?aadOptscim062020\n")),
        "{said}"
    );
    assert!(said.contains("[doubled prefix collapsed]"), "{said}");
    assert!(
        said.contains("&aadOptscim062020\n"),
        "the flag stays last: {said}"
    );
}

#[test]
fn a_lookup_of_no_one_answered_404_fails_entras_test_connection_only() {
    let (server, base) = serve_binary(&["--fault", "no-match-404"]);
    let _server = Killed(server);
    let o = scimcheck(&["doctor", &base]);
    let said = text(&o);
    assert_eq!(o.status.code(), Some(0), "a base URL was found: {said}");
    assert!(
        said.contains("FAIL Entra ID test connection")
            && said.contains("Entra quarantines an app whose test connection answers 404"),
        "{said}"
    );
    assert!(
        said.contains("ok   Okta user lookup before create"),
        "{said}"
    );
}

#[test]
fn a_web_apps_html_catch_all_does_not_pass_for_the_scim_root() {
    let (server, base) = serve_binary(&["--fault", "html-catch-all"]);
    let _server = Killed(server);
    let pasted = format!("{}/app/users", origin(&base));
    let o = scimcheck(&["doctor", &pasted]);
    let said = text(&o);
    assert_eq!(o.status.code(), Some(0), "{said}");
    let probe = said
        .lines()
        .find(|l| l.contains(&format!("GET {pasted}/ServiceProviderConfig ")))
        .unwrap_or_default();
    assert!(probe.contains("200, an HTML page (\"Acme\")"), "{said}");
    assert!(said.contains(&format!("\nbase URL: {base}\n")), "{said}");
}

#[test]
fn a_redirect_to_sign_in_asks_for_the_credential_instead_of_failing_the_replays() {
    let (server, base) = serve_binary(&["--token", "doctor-token", "--fault", "login-redirect"]);
    let _server = Killed(server);
    let o = scimcheck(&["doctor", &base]);
    let said = text(&o);
    assert_eq!(o.status.code(), Some(0), "{said}");
    assert!(
        said.contains("302, a redirect to a sign-in page, /login?next="),
        "{said}"
    );
    assert_eq!(said.matches("  n/a  ").count(), 3, "{said}");
    assert!(!said.contains("FAIL"), "{said}");
    assert!(said.contains("with the credential it wants"), "{said}");
    let o = scimcheck(&["doctor", &base, "--token", "doctor-token"]);
    let said = text(&o);
    assert_eq!(said.matches("  ok   ").count(), 3, "{said}");
}

/// `scimcheck doctor URL`, run off the async test's thread (its mock server keeps serving).
async fn doctor(url: String) -> std::process::Output {
    tokio::task::spawn_blocking(move || scimcheck(&["doctor", &url]))
        .await
        .expect("the binary runs")
}

fn blocking<T>(f: impl std::future::Future<Output = T>) -> T {
    tokio::runtime::Builder::new_current_thread()
        .enable_all()
        .build()
        .unwrap()
        .block_on(f)
}

#[test]
fn login_pages_redirects_and_credential_demands_are_named() {
    blocking(async {
        let login = MockServer::start().await;
        Mock::given(any())
            .respond_with(ResponseTemplate::new(200).set_body_raw(
                "<html><head><title>Sign in - Acme</title></head><body><form>\
                 <input type=\"password\" name=\"p\"></form></body></html>",
                "text/html",
            ))
            .mount(&login)
            .await;
        let o = doctor(login.uri()).await;
        let said = text(&o);
        assert_eq!(o.status.code(), Some(4), "{said}");
        assert!(
            said.contains("200, a login page (\"Sign in - Acme\")"),
            "{said}"
        );
        assert!(said.contains("no SCIM base URL found"), "{said}");
        let requests = login.received_requests().await.unwrap();
        assert!(requests.iter().all(|r| r.method.as_str() == "GET"));

        let locked = MockServer::start().await;
        Mock::given(method("GET"))
            .and(path("/scim/ServiceProviderConfig"))
            .respond_with(
                ResponseTemplate::new(401)
                    .insert_header("WWW-Authenticate", "Basic realm=\"scim\""),
            )
            .mount(&locked)
            .await;
        Mock::given(method("GET"))
            .and(path("/ServiceProviderConfig"))
            .respond_with(
                ResponseTemplate::new(301).insert_header("Location", "https://elsewhere.example/"),
            )
            .mount(&locked)
            .await;
        let o = doctor(locked.uri()).await;
        let said = text(&o);
        assert_eq!(o.status.code(), Some(4), "{said}");
        assert!(
            said.contains("301, a redirect to https://elsewhere.example/ (not followed)"),
            "{said}"
        );
        assert!(
            said.contains("/scim answered 401; a SCIM root there probably wants credentials")
                && said.contains("--user USER:PASSWORD"),
            "{said}"
        );
    });
}

#[test]
fn the_base_the_server_names_in_meta_location_is_preferred() {
    blocking(async {
        let server = MockServer::start().await;
        let spc = serde_json::json!({
            "schemas": ["urn:ietf:params:scim:schemas:core:2.0:ServiceProviderConfig"],
            "patch": {"supported": true},
            "meta": {"location": format!("{}/v2/ServiceProviderConfig", server.uri())}
        });
        for at in ["/ServiceProviderConfig", "/v2/ServiceProviderConfig"] {
            Mock::given(method("GET"))
                .and(path(at))
                .respond_with(ResponseTemplate::new(200).set_body_json(spc.clone()))
                .mount(&server)
                .await;
        }
        let o = doctor(server.uri()).await;
        let said = text(&o);
        assert_eq!(o.status.code(), Some(0), "{said}");
        assert!(
            said.contains(&format!("base URL: {}/v2\n", server.uri())),
            "{said}"
        );
        assert!(
            said.contains("[named by the server's meta.location]"),
            "{said}"
        );
    });
}
