//! End-to-end tests: a started server exercised over HTTP with reqwest.

mod bulk_etag;
mod discovery_auth;
mod faults;
mod faults_more;
mod faults_patch;
mod faults_query;
mod groups;
mod patch;
mod put;
mod query;
mod users;

use reqwest::{Client, Method, StatusCode};
use serde_json::{Value, json};

use super::model::schema::{GROUP_URN, USER_URN};
use super::*;

pub(super) const TOKEN: &str = "s3cret";
pub(super) const SCIM: &str = "application/scim+json";
pub(super) const BEARER: (&str, &str) = ("authorization", "Bearer s3cret");

pub(super) async fn server(faults: &[Fault]) -> RunningServer {
    server_needing(faults, crate::server::Needs::Nothing).await
}

/// The OAuth client of servers started with [`crate::server::Needs::OAuth`].
pub(super) const OAUTH_CLIENT: (&str, &str) = ("probe-client", "probe-s3cret");

/// A server with `faults`, configured as `needs` says: a rate limit of 5 requests a second, or
/// OAuth with [`OAUTH_CLIENT`] (besides the bearer token).
pub(super) async fn server_needing(faults: &[Fault], needs: crate::server::Needs) -> RunningServer {
    use crate::server::Needs;
    start(ServerConfig {
        port: None,
        token: Some(TOKEN.to_owned()),
        faults: faults.iter().copied().collect(),
        rate_limit: (needs == Needs::RateLimit).then(|| "5/s".parse().expect("a rate")),
        oauth: (needs == Needs::OAuth)
            .then(|| (OAUTH_CLIENT.0.to_owned(), OAUTH_CLIENT.1.to_owned())),
        token_ttl: (needs == Needs::OAuth).then(|| std::time::Duration::from_millis(300)),
        profile: (needs == Needs::Profile).then(test_profile),
        ..ServerConfig::default()
    })
    .await
    .expect("server starts")
}

/// The profile servers started with [`crate::server::Needs::Profile`] emulate: Users only, an
/// extension of its own, a rule, only /ServiceProviderConfig open.
pub(super) fn test_profile() -> crate::profile::Profile {
    serde_json::from_value(json!({
        "name": "probe",
        "description": "a profile for the fault probes",
        "scim_version": "2.0",
        "base_path": "/scim/v2",
        "resource_types": ["User"],
        "extensions": [{"urn": PROBE_EXTENSION, "attributes": [{"name": "badge", "type": "integer"}]}],
        "rules": [{"attribute": "userName", "format": "email"}],
        "auth": {"open_discovery": ["ServiceProviderConfig"]}
    }))
    .expect("a profile")
}

/// The extension [`test_profile`] defines.
pub(super) const PROBE_EXTENSION: &str = "urn:probe:params:scim:schemas:extension:probe:2.0:User";

/// One exchange as the tests see it; a body that is not JSON becomes a JSON string.
#[derive(Debug)]
pub(super) struct Exchange {
    pub(super) status: StatusCode,
    pub(super) content_type: String,
    pub(super) headers: reqwest::header::HeaderMap,
    pub(super) body: Value,
}

impl Exchange {
    pub(super) fn header(&self, name: &str) -> Option<&str> {
        self.headers.get(name).and_then(|v| v.to_str().ok())
    }
}

/// An authenticated request with an optional `application/scim+json` body.
pub(super) async fn call(
    server: &RunningServer,
    method: Method,
    path: &str,
    body: Option<Value>,
) -> Exchange {
    call_with(server, method, path, body, &[BEARER]).await
}

/// A request with exactly the given headers (plus Content-Type when there is a body).
pub(super) async fn call_with(
    server: &RunningServer,
    method: Method,
    path: &str,
    body: Option<Value>,
    headers: &[(&str, &str)],
) -> Exchange {
    match body {
        Some(body) => {
            let mut headers = headers.to_vec();
            headers.push(("content-type", SCIM));
            send(server, method, path, Some(body.to_string()), &headers).await
        }
        None => send(server, method, path, None, headers).await,
    }
}

/// A request with a raw body and exactly the given headers.
pub(super) async fn send(
    server: &RunningServer,
    method: Method,
    path: &str,
    body: Option<String>,
    headers: &[(&str, &str)],
) -> Exchange {
    let mut request = Client::new().request(method, format!("{}{path}", server.base_url()));
    for (name, value) in headers {
        request = request.header(*name, *value);
    }
    if let Some(body) = body {
        request = request.body(body);
    }
    let response = request.send().await.expect("request succeeds");
    let status = response.status();
    let headers = response.headers().clone();
    let content_type = headers
        .get("content-type")
        .and_then(|v| v.to_str().ok())
        .unwrap_or_default()
        .to_owned();
    let text = response.text().await.expect("body");
    let body = serde_json::from_str(&text).unwrap_or(Value::String(text));
    Exchange {
        status,
        content_type,
        headers,
        body,
    }
}

pub(super) fn new_user(name: &str) -> Value {
    json!({"schemas": [USER_URN], "userName": name, "password": "pw", "active": true,
           "emails": [{"value": format!("{name}@example.com"), "type": "work", "primary": true}]})
}

/// Creates a user and returns its id.
pub(super) async fn create(server: &RunningServer, name: &str) -> String {
    let created = call(server, Method::POST, "/Users", Some(new_user(name))).await;
    assert_eq!(created.status, StatusCode::CREATED, "{:?}", created.body);
    created.body["id"].as_str().expect("id").to_owned()
}

pub(super) const PATCH_OP: &str = "urn:ietf:params:scim:api:messages:2.0:PatchOp";

/// PATCHes `path` (e.g. `/Users/{id}`) with the operations `ops`.
pub(super) async fn patch_ops(server: &RunningServer, path: &str, ops: Value) -> Exchange {
    let body = json!({"schemas": [PATCH_OP], "Operations": ops});
    call(server, Method::PATCH, path, Some(body)).await
}

/// Creates a group with the given member ids and returns its id.
pub(super) async fn create_group(server: &RunningServer, name: &str, members: &[&str]) -> String {
    let members: Vec<Value> = members.iter().map(|id| json!({"value": id})).collect();
    let body = json!({"schemas": [GROUP_URN], "displayName": name, "members": members});
    let created = call(server, Method::POST, "/Groups", Some(body)).await;
    assert_eq!(created.status, StatusCode::CREATED, "{:?}", created.body);
    created.body["id"].as_str().expect("id").to_owned()
}
