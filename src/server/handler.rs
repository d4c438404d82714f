//! The wiremock `Respond` implementation: routing, authentication, content negotiation and
//! body parsing in front of the endpoint handlers. Every request gets an answer; none panics.

use std::sync::{Arc, Mutex, PoisonError};

use serde_json::{Map, Value};
use wiremock::http::{HeaderMap, Method};
use wiremock::{Request, Respond, ResponseTemplate};

use super::discovery;
use super::error::ScimError;
use super::fault::Fault;
use super::media;
use super::project::Projection;
use super::query::ListQuery;
use super::reply::Reply;
use super::search::{self, Origin};
use super::settings::{BASE_PATH, Settings, decode_segment};
use super::store::Store;
use super::users;

/// The endpoints the server knows.
#[derive(Debug, Clone, PartialEq, Eq)]
pub(crate) enum Route {
    ServiceProviderConfig,
    ResourceTypes(Option<String>),
    Schemas(Option<String>),
    Users(Option<String>),
    /// POST /Users/.search (RFC 7644 §3.4.3).
    UsersSearch,
    /// POST /.search: a search over every resource type.
    RootSearch,
}

impl Route {
    /// The route for a request path, or `None` for an unknown endpoint.
    pub(crate) fn parse(path: &str) -> Option<Route> {
        let rest = path.strip_prefix(BASE_PATH)?.strip_prefix('/')?;
        let rest = rest.strip_suffix('/').unwrap_or(rest);
        let segments: Vec<String> = rest.split('/').map(decode_segment).collect();
        let id = |segment: &String| {
            (!segment.is_empty() && segment != ".search").then(|| segment.clone())
        };
        match segments.as_slice() {
            [endpoint] => match endpoint.as_str() {
                ".search" => Some(Route::RootSearch),
                "ServiceProviderConfig" => Some(Route::ServiceProviderConfig),
                "ResourceTypes" => Some(Route::ResourceTypes(None)),
                "Schemas" => Some(Route::Schemas(None)),
                "Users" => Some(Route::Users(None)),
                _ => None,
            },
            [endpoint, item] => match endpoint.as_str() {
                "ResourceTypes" => Some(Route::ResourceTypes(Some(id(item)?))),
                "Schemas" => Some(Route::Schemas(Some(id(item)?))),
                "Users" if item == ".search" => Some(Route::UsersSearch),
                "Users" => Some(Route::Users(Some(id(item)?))),
                _ => None,
            },
            _ => None,
        }
    }

    fn is_discovery(&self) -> bool {
        matches!(
            self,
            Route::ServiceProviderConfig | Route::ResourceTypes(_) | Route::Schemas(_)
        )
    }

    fn allowed_methods(&self) -> &'static [Method] {
        match self {
            Route::Users(None) => &[Method::GET, Method::POST],
            Route::Users(Some(_)) => &[Method::GET, Method::PUT, Method::PATCH, Method::DELETE],
            Route::UsersSearch | Route::RootSearch => &[Method::POST],
            _ => &[Method::GET],
        }
    }
}

/// The SCIM service provider behind the wiremock server.
#[derive(Debug, Clone)]
pub(crate) struct ScimHandler {
    settings: Arc<Settings>,
    store: Arc<Mutex<Store>>,
}

impl Respond for ScimHandler {
    fn respond(&self, request: &Request) -> ResponseTemplate {
        let reply = self
            .handle(request)
            .unwrap_or_else(|err| err.into_reply(&self.settings));
        reply.into_template(&self.settings)
    }
}

fn header<'a>(headers: &'a HeaderMap, name: &str) -> Option<&'a str> {
    headers.get(name).and_then(|v| v.to_str().ok())
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
        ScimHandler {
            settings,
            store: Arc::new(Mutex::new(Store::default())),
        }
    }

    fn handle(&self, request: &Request) -> Result<Reply, ScimError> {
        let settings = &*self.settings;
        let route = Route::parse(request.url.path());
        let public = settings.has(Fault::AuthNotEnforced)
            || matches!(&route, Some(r) if r.is_discovery()
                && request.method == Method::GET
                && !settings.has(Fault::SpcRequiresAuth));
        if !public {
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

    fn authorize(&self, headers: &HeaderMap) -> Result<(), ScimError> {
        let settings = &*self.settings;
        let Some(expected) = settings.token.as_deref() else {
            return Ok(());
        };
        let www_authenticate = |err: ScimError, value: &str| {
            if settings.has(Fault::NoWwwAuthenticate) {
                err
            } else {
                err.with_header("WWW-Authenticate", value)
            }
        };
        let Some(value) = headers.get("authorization") else {
            let err = ScimError::new(
                401,
                "authentication required: send Authorization: Bearer <token>",
            );
            return Err(www_authenticate(err, r#"Bearer realm="scimcheck""#));
        };
        let presented = value.to_str().ok().and_then(|v| v.trim().split_once(' '));
        if let Some((scheme, token)) = presented {
            if scheme.eq_ignore_ascii_case("bearer") && same_secret(token.trim(), expected) {
                return Ok(());
            }
        }
        if settings.has(Fault::BadToken403) {
            return Err(ScimError::new(403, "the bearer token is not valid"));
        }
        let err = ScimError::new(401, "the bearer token is missing, malformed or not valid");
        Err(www_authenticate(
            err,
            r#"Bearer realm="scimcheck", error="invalid_token""#,
        ))
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
            Route::ServiceProviderConfig => Ok(discovery::service_provider_config(settings)),
            Route::ResourceTypes(None) => Ok(discovery::resource_types(settings)),
            Route::ResourceTypes(Some(id)) => discovery::resource_type_by_id(settings, &id),
            Route::Schemas(None) => Ok(discovery::schemas(settings)),
            Route::Schemas(Some(id)) => discovery::schema_by_id(settings, &id),
            Route::UsersSearch | Route::RootSearch => {
                if settings.has(Fault::SearchAsId) {
                    return Err(ScimError::not_found("User '.search' not found"));
                }
                if route == Route::RootSearch && settings.has(Fault::RootSearchUnsupported) {
                    return Err(ScimError::not_found(format!(
                        "no SCIM endpoint at {}",
                        request.url.path()
                    )));
                }
                let store = self.store.lock().unwrap_or_else(PoisonError::into_inner);
                search::search(&store, settings, body)
            }
            Route::Users(id) => {
                let pairs: Vec<(String, String)> = request
                    .url
                    .query_pairs()
                    .map(|(k, v)| (k.into_owned(), v.into_owned()))
                    .collect();
                let projection = Projection::from_pairs(pairs.iter().cloned());
                let mut store = self.store.lock().unwrap_or_else(PoisonError::into_inner);
                match (id, method) {
                    (None, &Method::POST) => users::create(&mut store, settings, body, &projection),
                    (None, _) => {
                        let query = ListQuery::from_pairs(pairs)?;
                        search::run(&store, settings, &query, Origin::Get)
                    }
                    (Some(id), &Method::PUT) => {
                        users::replace(&mut store, settings, &id, body, &projection)
                    }
                    (Some(id), &Method::PATCH) => {
                        users::patch(&mut store, settings, &id, body, &projection)
                    }
                    (Some(id), &Method::DELETE) => users::delete(&mut store, settings, &id),
                    (Some(id), _) => users::get(&store, settings, &id, &projection),
                }
            }
        }
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
        Err(_) if settings.has(Fault::InvalidJson500) => {
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
    fn routes() {
        let users = |id: Option<&str>| Some(Route::Users(id.map(str::to_owned)));
        assert_eq!(Route::parse("/scim/v2/Users"), users(None));
        assert_eq!(Route::parse("/scim/v2/Users/"), users(None));
        assert_eq!(Route::parse("/scim/v2/Users/a%20b"), users(Some("a b")));
        assert_eq!(
            Route::parse("/scim/v2/Schemas/urn%3Aietf%3Aparams"),
            Some(Route::Schemas(Some("urn:ietf:params".into())))
        );
        assert_eq!(
            Route::parse("/scim/v2/ServiceProviderConfig"),
            Some(Route::ServiceProviderConfig)
        );
        assert_eq!(
            Route::parse("/scim/v2/Users/.search"),
            Some(Route::UsersSearch)
        );
        assert_eq!(Route::parse("/scim/v2/.search"), Some(Route::RootSearch));
        assert_eq!(
            Route::parse("/scim/v2/Schemas/.search"),
            None,
            "only searches that are served are routes"
        );
        for unknown in [
            "/",
            "/scim/v2",
            "/scim/v2/",
            "/scim/v2/Nope",
            "/scim/v2/Groups",
            "/scim/v2/Users/a/b",
            "/scim/v2/Users//",
            "/scim/v2/Groups/.search",
            "/scim/v2/Users/.search/x",
            "/scim/v2users",
            "/v2/Users",
            "/scim/v2/ServiceProviderConfig/x",
        ] {
            assert_eq!(Route::parse(unknown), None, "{unknown}");
        }
    }

    #[test]
    fn secret_comparison() {
        assert!(same_secret("abc", "abc"));
        assert!(!same_secret("abd", "abc"));
        assert!(!same_secret("ab", "abc"));
    }
}
