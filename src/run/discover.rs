//! Capability discovery from /ServiceProviderConfig, and the clear failure when the target is not a
//! SCIM service provider at all (unreachable, HTML, 5xx).

use crate::http::{Exchange, Outgoing, Pipeline};
use crate::suite::Capability;
use serde_json::Value;
use std::collections::BTreeSet;

/// What the target advertises (and whether the harness holds a credential).
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct Capabilities {
    pub supported: BTreeSet<Capability>,
}

impl Capabilities {
    pub fn has(&self, c: Capability) -> bool {
        self.supported.contains(&c)
    }
}

/// What discovery learnt, and the exchanges it learnt it from.
#[derive(Debug, Clone, Default)]
pub struct Discovered {
    pub capabilities: Capabilities,
    /// What the server's /ResourceTypes and /Schemas make of create and replace bodies.
    pub fixtures: super::fixtures::Fixtures,
    /// How the server answered the filter checks scope their queries with
    /// (`userName sw "scimcheck-<run>-"`), when it did not answer 200.
    pub scoping_refused: Option<String>,
    pub exchanges: Vec<Exchange>,
}

#[derive(Debug, thiserror::Error)]
pub enum DiscoveryError {
    #[error("cannot reach {url}: {reason}")]
    Unreachable { url: String, reason: String },
    /// The TLS handshake failed; the reason names the certificate problem.
    #[error("{url}: {reason}")]
    Tls { url: String, reason: String },
    /// No credential could be had (the OAuth token endpoint refused or was unreachable).
    #[error("cannot authenticate: {reason}")]
    Credential { reason: String },
    #[error("{url} answered {status}{hint}")]
    Status {
        url: String,
        status: u16,
        hint: String,
    },
    #[error("{url} did not answer SCIM JSON (Content-Type: {content_type}){hint}")]
    NotJson {
        url: String,
        content_type: String,
        hint: String,
    },
}

/// Reads a feature flag leniently (`true` or `"true"`): gating must not depend on the type bug
/// that a discovery check reports separately.
fn flag(spc: &Value, feature: &str) -> bool {
    match spc.get(feature).and_then(|f| f.get("supported")) {
        Some(Value::Bool(b)) => *b,
        Some(Value::String(s)) => s.eq_ignore_ascii_case("true"),
        _ => false,
    }
}

/// GETs /ServiceProviderConfig (authenticated, like any client would) and reads the features.
pub async fn discover(
    client: &Pipeline,
    config: &super::RunConfig,
    run_prefix: &str,
) -> Result<Discovered, DiscoveryError> {
    let url = format!("{}/ServiceProviderConfig", config.base_url);
    let has_token = config.has_credentials();
    let headers = config.default_headers();
    let ex = client
        .send(Outgoing {
            method: "GET",
            url: url.clone(),
            headers,
            body: None,
            credential: true,
            busy_retries: true,
        })
        .await
        .map_err(|refused| DiscoveryError::Unreachable {
            url: client.redactor().text(&url),
            reason: refused.to_string(),
        })?;
    let mut exchanges = vec![ex.clone()];
    let shown = ex.request.url.clone();
    let Some(resp) = ex.response else {
        // Never sent: the authentication stage had no credential to send it with.
        if ex.attempts == 0 {
            return Err(DiscoveryError::Credential {
                reason: ex.error.map(|e| e.to_string()).unwrap_or_default(),
            });
        }
        return Err(match ex.error {
            Some(crate::http::TransportError::Tls(reason)) => {
                DiscoveryError::Tls { url: shown, reason }
            }
            error => DiscoveryError::Unreachable {
                url: shown,
                reason: error.map(|e| e.to_string()).unwrap_or_default(),
            },
        });
    };
    // A server without /ServiceProviderConfig (404) whose /Users answers is tested all the same:
    // it advertises nothing (the discovery checks fail on the 404), so optional features count
    // as absent unless --assume says otherwise.
    let missing = resp.status == 404
        && match get_json(client, config, "/Users?count=1").await {
            Some((Some(_), ex)) => {
                exchanges.push(ex);
                true
            }
            _ => false,
        };
    let nothing = Value::Object(serde_json::Map::new());
    if !(200..300).contains(&resp.status) && !missing {
        let hint = match resp.status {
            401 | 403 if !has_token => {
                "; if it needs a credential, pass --token or set SCIMCHECK_TOKEN".to_string()
            }
            401 | 403 => "; check the token".to_string(),
            404 => "; is the base URL right? It should be the SCIM root that /Users is under"
                .to_string(),
            _ => String::new(),
        };
        return Err(DiscoveryError::Status {
            url: shown,
            status: resp.status,
            hint,
        });
    }
    let content_type = resp
        .headers
        .get("content-type")
        .unwrap_or_else(|| "none".into());
    let Some(spc) = resp
        .body
        .as_ref()
        .and_then(|b| b.json())
        .filter(|v| v.is_object())
        .or(missing.then_some(&nothing))
    else {
        let hint = if content_type.contains("html") {
            "; this looks like a web page, is the base URL right?"
        } else {
            ""
        };
        return Err(DiscoveryError::NotJson {
            url: shown,
            content_type,
            hint: hint.to_string(),
        });
    };
    let mut supported = BTreeSet::new();
    // The /ServiceProviderConfig features (named there as the capabilities are); groups and the
    // enterprise extension come from /ResourceTypes below.
    let from_spc = Capability::ADVERTISED
        .into_iter()
        .filter(|c| !matches!(c, Capability::Groups | Capability::EnterpriseUser));
    for cap in from_spc {
        if flag(spc, cap.as_str()) {
            supported.insert(cap);
        }
    }
    if matches!(
        config.credentials(),
        crate::http::auth::Credentials::Bearer(_) | crate::http::auth::Credentials::OAuth(_)
    ) {
        supported.insert(Capability::Bearer);
    }
    if has_token {
        supported.insert(Capability::Auth);
    }
    if config.probe_rate_limit {
        supported.insert(Capability::ProbeRateLimit);
    }
    if config.probe_auth && config.oauth.is_some() && config.token.is_none() {
        supported.insert(Capability::ProbeAuth);
    }
    let (caps, resource_types, ex) = resource_type_capabilities(client, config).await;
    supported.extend(caps);
    exchanges.extend(ex);
    let schemas = get_json(client, config, "/Schemas").await;
    let fixtures = super::fixtures::Fixtures::from_discovery(
        resource_types.as_ref(),
        schemas.as_ref().and_then(|(v, _)| v.as_ref()),
    );
    exchanges.extend(schemas.map(|(_, ex)| ex));
    let scoping_refused = match scoping(client, config, run_prefix).await {
        Some((refused, ex)) => {
            exchanges.push(ex);
            refused
        }
        None => None,
    };
    // What the user knows better than the server's /ServiceProviderConfig.
    supported.extend(config.assume.iter().copied());
    supported.retain(|c| !config.assume_not.contains(c));
    Ok(Discovered {
        capabilities: Capabilities { supported },
        fixtures,
        scoping_refused,
        exchanges,
    })
}

/// Tries the filter most query checks add to keep a tenant's own users out of their verdicts
/// (`userName sw "scimcheck-<run>-"`; whatever it finds is this run's): `Some(answer)` when the
/// server does not answer 200, so those checks are blocked instead of failing on it.
async fn scoping(
    client: &Pipeline,
    config: &super::RunConfig,
    run_prefix: &str,
) -> Option<(Option<String>, Exchange)> {
    let filter = format!("userName sw \"{run_prefix}-\"");
    let query: String = url::form_urlencoded::byte_serialize(filter.as_bytes()).collect();
    let path = format!("/Users?filter={}", query.replace('+', "%20"));
    let (_, ex) = get_json(client, config, &path).await?;
    let status = ex.response.as_ref().map(|r| r.status);
    // Only a refusal of the filter itself counts (400 invalidFilter, 501); a 404 for an empty
    // result, or a 500, is a finding of the checks, not a reason to block them.
    let refused = match status {
        Some(status) if status != 400 && status != 501 => None,
        Some(status) => {
            let body = ex
                .response
                .as_ref()
                .and_then(|r| r.body.as_ref())
                .and_then(|b| b.json());
            let words = |k: &str| {
                body.and_then(|b| b.get(k))
                    .and_then(Value::as_str)
                    .map(str::to_string)
            };
            let said = match (words("scimType"), words("detail")) {
                (Some(t), Some(d)) => format!(" {t}: \"{d}\""),
                (Some(t), None) => format!(" {t}"),
                (None, Some(d)) => format!(" \"{d}\""),
                (None, None) => String::new(),
            };
            Some(format!(
                "GET /Users?filter={filter} answered {status}{said}"
            ))
        }
        // No answer says nothing about the filter (the breaker deals with a silent server).
        None => None,
    };
    Some((refused, ex))
}

/// GETs `path` under the base URL: its JSON body (if any) and the exchange; `None` when the
/// guard refused to send it.
async fn get_json(
    client: &Pipeline,
    config: &super::RunConfig,
    path: &str,
) -> Option<(Option<Value>, Exchange)> {
    let ex = client
        .send(Outgoing {
            method: "GET",
            url: format!("{}{path}", config.base_url),
            headers: config.default_headers(),
            body: None,
            credential: true,
            busy_retries: true,
        })
        .await
        .ok()?;
    let json = ex
        .response
        .as_ref()
        .filter(|r| (200..300).contains(&r.status))
        .and_then(|r| r.body.as_ref())
        .and_then(|b| b.json().cloned());
    Some((json, ex))
}

const ENTERPRISE_URN: &str = "urn:ietf:params:scim:schemas:extension:enterprise:2.0:User";

/// Groups and the enterprise extension, read from /ResourceTypes (with the document, for the
/// fixtures). A server whose /ResourceTypes cannot be read simply advertises neither (the
/// discovery checks report why).
async fn resource_type_capabilities(
    client: &Pipeline,
    config: &super::RunConfig,
) -> (Vec<Capability>, Option<Value>, Option<Exchange>) {
    let Some((json, ex)) = get_json(client, config, "/ResourceTypes").await else {
        return (Vec::new(), None, None);
    };
    let Some(list) = json else {
        return (Vec::new(), None, Some(ex));
    };
    let items = list
        .get("Resources")
        .and_then(Value::as_array)
        .cloned()
        .unwrap_or_default();
    let mut caps = Vec::new();
    let named = |rt: &Value, name: &str| {
        rt.get("name")
            .and_then(Value::as_str)
            .is_some_and(|n| n.eq_ignore_ascii_case(name))
    };
    if items.iter().any(|rt| named(rt, "Group")) {
        caps.push(Capability::Groups);
    }
    let has_enterprise = items.iter().filter(|rt| named(rt, "User")).any(|rt| {
        rt.get("schemaExtensions")
            .and_then(Value::as_array)
            .is_some_and(|exts| {
                exts.iter()
                    .any(|e| e.get("schema").and_then(Value::as_str) == Some(ENTERPRISE_URN))
            })
    });
    if has_enterprise {
        caps.push(Capability::EnterpriseUser);
    }
    (caps, Some(list), Some(ex))
}
