//! The wiremock `Respond` implementation: routing, authentication, content negotiation and
//! body parsing in front of the endpoint handlers. Every request gets an answer; none panics.

use std::sync::{Arc, Mutex, PoisonError};

use serde_json::{Map, Value};
use wiremock::http::{HeaderMap, Method};
use wiremock::{Request, Respond, ResponseTemplate};

use super::oauth::{TOKEN_PATH, TokenIssuer};
use crate::server::http::media;
use crate::server::http::route::Route;
use crate::server::http::template::template;
use crate::server::model::settings::Settings;
use crate::server::model::{AuthMode, MeAnswer};
use crate::server::protocol::bulk;
use crate::server::protocol::crud::{self, Ctx};
use crate::server::protocol::discovery;
use crate::server::protocol::error::ScimError;
use crate::server::protocol::etag::Preconditions;
use crate::server::protocol::project::Projection;
use crate::server::protocol::query::ListQuery;
use crate::server::protocol::reply::Reply;
use crate::server::protocol::search::{self, Origin};
use crate::server::store::Store;

/// The SCIM service provider behind the wiremock server.
#[derive(Debug, Clone)]
pub(crate) struct ScimHandler {
    settings: Arc<Settings>,
    store: Arc<Mutex<Store>>,
    /// The token endpoint, when the server authenticates with OAuth.
    tokens: Option<Arc<TokenIssuer>>,
    /// The current rate-limit window.
    window: Arc<Mutex<Window>>,
}

/// A rate-limit window: when it started, how many requests it has seen, and (fault
/// rate-limit-no-recovery) until when every request is refused.
#[derive(Debug)]
struct Window {
    start: std::time::Instant,
    count: u32,
    held_until: Option<std::time::Instant>,
}

impl Respond for ScimHandler {
    fn respond(&self, request: &Request) -> ResponseTemplate {
        if let Some(tokens) = &self.tokens {
            if request.url.path() == TOKEN_PATH {
                return tokens.respond(request);
            }
        }
        let fields = self.admit();
        let answer = match fields.refusal.or_else(|| self.site(request)) {
            Some(answer) => answer,
            None => {
                let reply = self
                    .handle(request)
                    .unwrap_or_else(|err| err.into_reply(&self.settings));
                template(reply, &self.settings)
            }
        };
        match fields.headers {
            Some((policy, current)) => answer
                .insert_header("RateLimit-Policy", policy.as_str())
                .insert_header("RateLimit", current.as_str()),
            None => answer,
        }
    }
}

/// Where a request stands against the rate limit: the refusal to send, if over it, and the
/// RateLimit header fields (draft-ietf-httpapi-ratelimit-headers) every answer carries.
struct Admission {
    refusal: Option<ResponseTemplate>,
    /// `RateLimit-Policy` and `RateLimit`, when there is a limit.
    headers: Option<(String, String)>,
}

fn header<'a>(headers: &'a HeaderMap, name: &str) -> Option<&'a str> {
    headers.get(name).and_then(|v| v.to_str().ok())
}

/// The conditional headers of a request, each list joined.
fn preconditions(headers: &HeaderMap) -> Preconditions {
    let joined = |name: &str| {
        let values: Vec<&str> = headers
            .get_all(name)
            .iter()
            .filter_map(|v| v.to_str().ok())
            .collect();
        (!values.is_empty()).then(|| values.join(","))
    };
    Preconditions {
        if_match: joined("if-match"),
        if_none_match: joined("if-none-match"),
    }
}

/// Compares without an early exit, so timing does not reveal how much of a token matched.
fn same_secret(given: &str, expected: &str) -> bool {
    given.len() == expected.len()
        && given
            .bytes()
            .zip(expected.bytes())
            .fold(0u8, |acc, (a, b)| acc | (a ^ b))
            == 0
}

impl ScimHandler {
    pub(crate) fn new(settings: Arc<Settings>) -> ScimHandler {
        let store = Store::seeded(&settings.model.seed);
        let tokens = match &settings.model.auth {
            AuthMode::OAuth {
                client_id,
                secret,
                ttl,
            } => Some(Arc::new(TokenIssuer::new(
                client_id,
                secret,
                *ttl,
                &settings.policies.auth,
            ))),
            _ => None,
        };
        ScimHandler {
            settings,
            store: Arc::new(Mutex::new(store)),
            tokens,
            window: Arc::new(Mutex::new(Window {
                start: std::time::Instant::now(),
                count: 0,
                held_until: None,
            })),
        }
    }

    fn handle(&self, request: &Request) -> Result<Reply, ScimError> {
        let settings = &*self.settings;
        let route = Route::parse(request.url.path(), &settings.model);
        if !self.public(route.as_ref(), &request.method) {
            self.authorize(&request.headers)?;
        }
        let accept: Vec<&str> = request
            .headers
            .get_all("accept")
            .iter()
            .filter_map(|v| v.to_str().ok())
            .collect();
        media::check_accept(
            (!accept.is_empty()).then(|| accept.join(",")).as_deref(),
            settings,
        )?;
        let route = route.ok_or_else(|| {
            ScimError::not_found(format!("no SCIM endpoint at {}", request.url.path()))
        })?;
        let allowed = route.allowed_methods();
        if !allowed.contains(&request.method) {
            let names: Vec<&str> = allowed.iter().map(Method::as_str).collect();
            return Err(
                ScimError::new(405, format!("{} is not allowed here", request.method))
                    .with_header("Allow", names.join(", ")),
            );
        }
        if route == Route::Me {
            return Ok(me(settings));
        }
        if route == Route::Bulk {
            bulk::check_payload_size(request.body.len(), settings)?;
        }
        let body = if matches!(request.method, Method::POST | Method::PUT | Method::PATCH) {
            media::check_content_type(header(&request.headers, "content-type"), settings)?;
            match parse_body(&request.body, settings)? {
                Ok(body) => body,
                Err(reply) => return Ok(reply),
            }
        } else {
            Map::new()
        };
        self.dispatch(route, request, &body)
    }

    /// Counts the request against the rate limit: over it, 429 with `Retry-After` (the seconds
    /// left in the window, at least 1) and a SCIM error (RFC 6585 §4, RFC 7644 §3.12), or what
    /// the rate-limit faults make of that answer.
    fn admit(&self) -> Admission {
        let settings = &*self.settings;
        let Some((limit, per)) = settings.model.rate_limit else {
            return Admission {
                refusal: None,
                headers: None,
            };
        };
        let policy = &settings.policies.rate_limit;
        let mut window = self.window.lock().unwrap_or_else(PoisonError::into_inner);
        let now = std::time::Instant::now();
        let held = window.held_until.is_some_and(|until| now < until);
        if !held && now.duration_since(window.start) >= per {
            window.start = now;
            window.count = 0;
        }
        let admitted = !held && window.count < limit;
        if admitted {
            window.count += 1;
        } else if policy.no_recovery && !held {
            window.held_until = Some(now + per * 3);
        }
        let left = per.saturating_sub(now.duration_since(window.start));
        let seconds = (left.as_secs() + u64::from(left.subsec_nanos() > 0)).max(1);
        let current = if policy.malformed_fields {
            "\"default\";t=0.5".to_string()
        } else {
            let remaining = if held { 0 } else { limit - window.count };
            format!("\"default\";r={remaining};t={seconds}")
        };
        let headers = Some((
            format!("\"default\";q={limit};w={}", per.as_secs().max(1)),
            current,
        ));
        if admitted {
            return Admission {
                refusal: None,
                headers,
            };
        }
        let refusal = |answer: ResponseTemplate| Admission {
            refusal: Some(answer),
            headers: headers.clone(),
        };
        let after = if policy.no_recovery {
            "1".to_string()
        } else if policy.bad_retry_after {
            "soon".to_string()
        } else {
            seconds.to_string()
        };
        if policy.status_500 {
            let reply = ScimError::new(500, "internal error").into_reply(settings);
            return refusal(template(reply, settings));
        }
        if policy.html {
            return refusal(ResponseTemplate::new(429)
                .insert_header("Retry-After", after.as_str())
                .set_body_raw(
                    "<html><head><title>429 Too Many Requests</title></head><body>Slow down</body></html>",
                    "text/html; charset=utf-8",
                ));
        }
        let mut error = ScimError::new(
            429,
            format!("too many requests: at most {limit} per {} s", per.as_secs()),
        );
        if !policy.no_retry_after {
            error = error.with_header("Retry-After", after);
        }
        refusal(template(error.into_reply(settings), settings))
    }

    /// What the host answers instead of the SCIM service, under the faults that model a web app
    /// in front of it: an HTML page outside the base path, a login redirect without credentials.
    fn site(&self, request: &Request) -> Option<ResponseTemplate> {
        const PAGE: &str = "<!doctype html><html><head><title>Acme</title></head><body><div id=\"app\"></div><script src=\"/app.js\"></script></body></html>";
        let settings = &*self.settings;
        let path = request.url.path();
        let route = Route::parse(path, &settings.model);
        if settings.policies.site.html_catch_all && !path.starts_with(&settings.model.base_path) {
            return Some(ResponseTemplate::new(200).set_body_raw(PAGE, "text/html; charset=utf-8"));
        }
        let public = self.public(route.as_ref(), &request.method);
        let anonymous = !request.headers.contains_key("authorization");
        if settings.policies.auth.login_redirect
            && settings.model.auth != AuthMode::None
            && anonymous
            && !public
        {
            let next: String = url::form_urlencoded::byte_serialize(path.as_bytes()).collect();
            return Some(
                ResponseTemplate::new(302)
                    .insert_header("Location", format!("/login?next={next}").as_str())
                    .set_body_raw(PAGE, "text/html; charset=utf-8"),
            );
        }
        None
    }

    /// Whether a request needs no credentials: a GET of a discovery endpoint the model leaves
    /// open (all of them unless a profile says which).
    fn public(&self, route: Option<&Route>, method: &Method) -> bool {
        let settings = &*self.settings;
        let Some(endpoint) = route.and_then(Route::discovery_endpoint) else {
            return false;
        };
        let open = settings
            .model
            .open_discovery
            .as_ref()
            .is_none_or(|open| open.iter().any(|e| e == endpoint));
        *method == Method::GET && open && !settings.policies.auth.discovery_requires_auth
    }

    fn authorize(&self, headers: &HeaderMap) -> Result<(), ScimError> {
        let settings = &*self.settings;
        let accepted = |scheme: &str, token: &str| match &settings.model.auth {
            AuthMode::None => true,
            AuthMode::Bearer { token: expected } => {
                scheme.eq_ignore_ascii_case("bearer") && same_secret(token, expected)
            }
            AuthMode::Basic { user, password } => {
                let pair = format!("{user}:{password}");
                scheme.eq_ignore_ascii_case("basic")
                    && base64::Engine::decode(&base64::engine::general_purpose::STANDARD, token)
                        .is_ok_and(|p| same_secret(&String::from_utf8_lossy(&p), &pair))
            }
            AuthMode::OAuth { .. } => {
                scheme.eq_ignore_ascii_case("bearer")
                    && self.tokens.as_ref().is_some_and(|t| t.valid(token))
            }
        };
        if settings.model.auth == AuthMode::None {
            return Ok(());
        }
        let www_authenticate = |err: ScimError, value: &str| {
            if settings.policies.auth.omit_www_authenticate {
                err
            } else {
                err.with_header("WWW-Authenticate", value)
            }
        };
        let scheme = match &settings.model.auth {
            AuthMode::Basic { .. } => r#"Basic realm="scimcheck""#,
            _ => r#"Bearer realm="scimcheck""#,
        };
        let Some(value) = headers.get("authorization") else {
            let err = ScimError::new(
                401,
                "authentication required: send Authorization: Bearer <token>",
            );
            // RFC 6750 §3.1: without any credential, no error code.
            let challenge = if settings.policies.auth.error_code_without_token {
                r#"Bearer realm="scimcheck", error="invalid_token""#
            } else {
                scheme
            };
            return Err(www_authenticate(err, challenge));
        };
        let presented = value.to_str().ok().and_then(|v| v.trim().split_once(' '));
        if let Some((scheme, token)) = presented {
            if accepted(scheme, token.trim()) {
                return Ok(());
            }
        }
        if settings.policies.auth.bad_token_forbidden {
            return Err(ScimError::new(403, "the bearer token is not valid"));
        }
        let err = ScimError::new(401, "the credential is malformed or not valid");
        let challenge = match &settings.model.auth {
            AuthMode::Basic { .. } => scheme,
            _ if settings.policies.auth.no_error_code => scheme,
            _ => r#"Bearer realm="scimcheck", error="invalid_token""#,
        };
        Err(www_authenticate(err, challenge))
    }

    fn dispatch(
        &self,
        route: Route,
        request: &Request,
        body: &Map<String, Value>,
    ) -> Result<Reply, ScimError> {
        let settings = &*self.settings;
        let method = &request.method;
        match route {
            Route::ServiceProviderConfig if settings.policies.discovery.spc_missing => Err(
                ScimError::not_found("no /ServiceProviderConfig here".to_string()),
            ),
            Route::ServiceProviderConfig => Ok(discovery::service_provider_config(settings)),
            Route::ResourceTypes(None) => Ok(discovery::resource_types(settings)),
            Route::ResourceTypes(Some(id)) => discovery::resource_type_by_id(settings, &id),
            Route::Schemas(None) => Ok(discovery::schemas(settings, &request.url)),
            Route::Schemas(Some(id)) => discovery::schema_by_id(settings, &id),
            Route::Search(kind) => {
                if settings.policies.search.served_as_id {
                    return Err(ScimError::not_found("User '.search' not found"));
                }
                if kind.is_none() && settings.policies.search.root_unsupported {
                    return Err(ScimError::not_found(format!(
                        "no SCIM endpoint at {}",
                        request.url.path()
                    )));
                }
                let store = self.store.lock().unwrap_or_else(PoisonError::into_inner);
                let kinds = kind.map_or_else(|| settings.model.kinds(), |kind| vec![kind]);
                search::search(&store, settings, body, &kinds)
            }
            Route::Bulk => {
                let mut store = self.store.lock().unwrap_or_else(PoisonError::into_inner);
                bulk::process(&mut store, settings, body)
            }
            Route::Me => Ok(me(settings)),
            Route::Resource(kind, id) => {
                let pairs: Vec<(String, String)> = request
                    .url
                    .query_pairs()
                    .map(|(k, v)| (k.into_owned(), v.into_owned()))
                    .collect();
                let projection = Projection::from_pairs(pairs.iter().cloned());
                if settings.policies.projection.both_500
                    && !projection.attributes.is_empty()
                    && !projection.excluded.is_empty()
                {
                    return Ok(Reply::text(500, "Internal Server Error"));
                }
                let pre = preconditions(&request.headers);
                let ctx = Ctx {
                    settings,
                    kind,
                    projection: &projection,
                    pre: &pre,
                };
                let mut store = self.store.lock().unwrap_or_else(PoisonError::into_inner);
                let done = match (id, method) {
                    (None, &Method::POST) => crud::create(&mut store, &ctx, body),
                    (None, _) => {
                        let query = ListQuery::from_pairs(pairs)?;
                        return search::run(&store, settings, &query, Origin::Get, &[kind]);
                    }
                    (Some(id), &Method::PUT) => crud::replace(&mut store, &ctx, &id, body),
                    (Some(id), &Method::PATCH) => crud::patch(&mut store, &ctx, &id, body),
                    (Some(id), &Method::DELETE) => crud::delete(&mut store, &ctx, &id),
                    (Some(id), _) => crud::get(&store, &ctx, &id),
                };
                done.map(|done| done.reply)
            }
        }
    }
}

/// /Me (RFC 7644 §3.11): the server has no authenticated subject to alias, so it answers
/// 501 Not Implemented whatever the method.
fn me(settings: &Settings) -> Reply {
    match settings.policies.me.answer {
        MeAnswer::Missing => ScimError::not_found("no SCIM endpoint at /Me").into_reply(settings),
        MeAnswer::UnimplementedEmpty => Reply::empty(501),
        MeAnswer::Unimplemented => ScimError::new(
            501,
            "/Me is not implemented: requests are not tied to a SCIM resource of their subject",
        )
        .into_reply(settings),
    }
}

/// The JSON object in a request body; `Ok(Err(reply))` is the `invalid-json-500` answer.
fn parse_body(
    bytes: &[u8],
    settings: &Settings,
) -> Result<Result<Map<String, Value>, Reply>, ScimError> {
    match serde_json::from_slice::<Value>(bytes) {
        Ok(Value::Object(body)) => Ok(Ok(body)),
        Ok(_) => Err(ScimError::invalid_syntax(
            "the request body must be a JSON object",
        )),
        Err(_) if settings.policies.errors.invalid_json_as_500 => {
            Ok(Err(Reply::text(500, "Internal Server Error")))
        }
        Err(err) => Err(ScimError::invalid_syntax(format!(
            "the request body is not valid JSON: {err}"
        ))),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn secret_comparison() {
        assert!(same_secret("abc", "abc"));
        assert!(!same_secret("abd", "abc"));
        assert!(!same_secret("ab", "abc"));
    }
}
