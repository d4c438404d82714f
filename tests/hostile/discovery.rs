//! Servers that are not (or not yet) SCIM where the run first looks: web pages, errors, rate
//! limits, redirects, silence. The run stops early with exit 4 and says why, and never takes its
//! credential anywhere else.

use crate::harness::{Outcome, TOKEN, assert_untouched, run, snapshot};
use crate::server::{Act, Hostile, Reply, Request};
use crate::world::{World, error};
use std::time::Duration;

const CHECKS: [&str; 2] = ["discovery.spc", "users.create.returns-201-with-id"];

fn serve(
    reply: impl Fn(&Request, &mut World) -> Reply + Send + Sync + 'static,
) -> (Hostile, Outcome) {
    let server = Hostile::start(reply);
    let before = snapshot(&server);
    let outcome = run(&server.base(), &CHECKS);
    outcome.assert_sane();
    assert_untouched(&server, &before);
    (server, outcome)
}

fn on_discovery(reply: impl Fn(&Request, &mut World) -> Reply + Send + Sync + 'static) -> Outcome {
    serve(move |req, world| {
        if req.path() == "/ServiceProviderConfig" {
            reply(req, world)
        } else {
            Reply::Honest
        }
    })
    .1
}

#[test]
fn html_200_on_discovery() {
    on_discovery(|_, _| Reply::Full {
        status: 200,
        headers: vec![("Content-Type".into(), "text/html".into())],
        body: b"<html><body><h1>Welcome to Acme</h1></body></html>".to_vec(),
    })
    .exit(4)
    .says("text/html");
}

#[test]
fn status_500_on_service_provider_config() {
    on_discovery(|_, _| error(500, "boom"))
        .exit(4)
        .says("answered 500");
}

#[test]
fn status_429_with_retry_after_on_discovery() {
    on_discovery(|_, _| error(429, "slow down").with_header("Retry-After", "120"))
        .exit(4)
        .says("429");
}

#[test]
fn status_503_everywhere() {
    serve(|_, _| error(503, "maintenance").with_header("Retry-After", "3600"))
        .1
        .exit(4)
        .says("answered 503");
}

#[test]
fn hang_before_headers_on_discovery() {
    on_discovery(|_, _| Reply::Script(vec![Act::Sleep(Duration::from_secs(30))]))
        .exit(4)
        .says("cannot reach");
}

#[test]
fn nested_json_on_discovery() {
    on_discovery(|_, _| {
        let mut body = "[".repeat(100_000);
        body.push_str(&"]".repeat(100_000));
        Reply::Full {
            status: 200,
            headers: vec![("Content-Type".into(), "application/scim+json".into())],
            body: body.into_bytes(),
        }
    })
    .exit(4);
}

/// A redirect names another port; the run must not follow it, so the credential never goes there.
fn redirect(on: fn(&Request) -> bool) -> (Outcome, Vec<Request>) {
    let elsewhere = Hostile::start(|_, _| Reply::Honest);
    let port = elsewhere.port;
    let (_server, outcome) = serve(move |req, _| {
        if on(req) {
            let target = format!("http://127.0.0.1:{port}{}", req.target);
            Reply::Full {
                status: 302,
                headers: vec![("Location".into(), target)],
                body: Vec::new(),
            }
        } else {
            Reply::Honest
        }
    });
    let heard = elsewhere.requests();
    let leaked: Vec<&Request> = heard
        .iter()
        .filter(|r| {
            r.headers
                .iter()
                .any(|(n, v)| n.contains(TOKEN) || v.contains(TOKEN))
        })
        .collect();
    assert!(
        leaked.is_empty(),
        "the token followed the redirect: {leaked:?}"
    );
    assert!(heard.is_empty(), "the redirect was followed: {heard:?}");
    (outcome, heard)
}

#[test]
fn redirect_302_to_another_port_on_discovery() {
    let (outcome, _) = redirect(|req| req.path() == "/ServiceProviderConfig");
    outcome.exit(4).says("302");
}

#[test]
fn redirect_302_to_another_port_on_create() {
    let (outcome, _) = redirect(|req| req.path().starts_with("/Users"));
    assert!(matches!(outcome.code, Some(1 | 4)), "{}", outcome.text());
    outcome.reports("redirect to http://127.0.0.1");
}
