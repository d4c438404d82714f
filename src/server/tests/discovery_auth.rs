//! Discovery endpoints, authentication and server start-up over HTTP.

use reqwest::{Method, StatusCode};

use super::{SCIM, TOKEN, call_with, server};
use crate::server::model::schema::{ENTERPRISE_URN, USER_URN};
use crate::server::{Fault, ServerConfig, ServerError, start};

#[tokio::test]
async fn discovery_is_public_and_well_formed() {
    let server = server(&[]).await;
    assert!(server.base_url().starts_with("http://127.0.0.1:"));
    assert!(server.base_url().ends_with("/scim/v2"));
    let spc = call_with(&server, Method::GET, "/ServiceProviderConfig", None, &[]).await;
    assert_eq!(spc.status, StatusCode::OK);
    assert_eq!(spc.content_type, SCIM);
    assert_eq!(spc.body["patch"]["supported"], true);
    assert_eq!(
        spc.body["meta"]["location"],
        format!("{}/ServiceProviderConfig", server.base_url())
    );
    let types = call_with(&server, Method::GET, "/ResourceTypes?count=0", None, &[]).await;
    assert_eq!(
        types.body["Resources"][0]["schemaExtensions"][0]["schema"],
        ENTERPRISE_URN
    );
    let user_type = call_with(&server, Method::GET, "/ResourceTypes/User", None, &[]).await;
    assert_eq!(user_type.body["endpoint"], "/Users");
    let schema = call_with(
        &server,
        Method::GET,
        &format!("/Schemas/{}", USER_URN.replace(':', "%3A")),
        None,
        &[],
    )
    .await;
    assert_eq!(schema.body["id"], USER_URN);
    let missing = call_with(&server, Method::GET, "/Schemas/urn:nope", None, &[]).await;
    assert_eq!(missing.status, StatusCode::NOT_FOUND);
    assert_eq!(missing.body["status"], "404");
}

#[tokio::test]
async fn bearer_token_is_enforced() {
    let server = server(&[]).await;
    let missing = call_with(&server, Method::GET, "/Users", None, &[]).await;
    assert_eq!(missing.status, StatusCode::UNAUTHORIZED);
    assert_eq!(
        missing.headers["www-authenticate"],
        r#"Bearer realm="scimcheck""#
    );
    assert_eq!(missing.body["status"], "401");
    assert!(
        !missing.body["detail"]
            .as_str()
            .unwrap_or_default()
            .is_empty()
    );
    let wrong = call_with(
        &server,
        Method::GET,
        "/Users",
        None,
        &[("authorization", "non-token")],
    )
    .await;
    assert_eq!(wrong.status, StatusCode::UNAUTHORIZED);
    assert!(
        wrong.headers["www-authenticate"]
            .to_str()
            .unwrap()
            .contains("invalid_token")
    );
    assert!(!wrong.body.to_string().contains(TOKEN));
    let ok = call_with(
        &server,
        Method::GET,
        "/Users",
        None,
        &[("authorization", &format!("bearer {TOKEN}"))],
    )
    .await;
    assert_eq!(ok.status, StatusCode::OK);
}

#[tokio::test]
async fn auth_faults() {
    let server = server(&[
        Fault::SpcRequiresAuth,
        Fault::BadToken403,
        Fault::NoWwwAuthenticate,
    ])
    .await;
    let spc = call_with(&server, Method::GET, "/ServiceProviderConfig", None, &[]).await;
    assert_eq!(spc.status, StatusCode::UNAUTHORIZED);
    assert!(spc.headers.get("www-authenticate").is_none());
    let wrong = call_with(
        &server,
        Method::GET,
        "/Users",
        None,
        &[("authorization", "Bearer nope")],
    )
    .await;
    assert_eq!(wrong.status, StatusCode::FORBIDDEN);
    let open = super::start(ServerConfig {
        token: Some(TOKEN.into()),
        faults: [Fault::AuthNotEnforced].into(),
        ..ServerConfig::default()
    })
    .await
    .expect("starts");
    assert_eq!(
        call_with(&open, Method::GET, "/Users", None, &[])
            .await
            .status,
        StatusCode::OK
    );
}

#[tokio::test]
async fn binding_a_busy_port_fails_with_the_port() {
    let taken = std::net::TcpListener::bind("127.0.0.1:0").expect("bind");
    let port = taken.local_addr().expect("addr").port();
    let err = start(ServerConfig {
        port: Some(port),
        ..ServerConfig::default()
    })
    .await
    .expect_err("port is busy");
    assert!(matches!(err, ServerError::Bind { port: p, .. } if p == port));
    assert!(err.to_string().contains(&port.to_string()));
}

#[test]
fn config_debug_redacts_the_token() {
    let config = ServerConfig {
        token: Some(TOKEN.to_owned()),
        ..ServerConfig::default()
    };
    let debug = format!("{config:?}");
    assert!(!debug.contains(TOKEN) && debug.contains("redacted"));
}
