//! The endpoints of the API: which request path goes where, and which methods each allows.

use wiremock::http::Method;

use crate::server::model::ServerModel;
use crate::server::model::schema::Kind;
use crate::server::model::settings::decode_segment;

/// The endpoints the server knows.
#[derive(Debug, Clone, PartialEq, Eq)]
pub(crate) enum Route {
    ServiceProviderConfig,
    ResourceTypes(Option<String>),
    Schemas(Option<String>),
    /// /Users or /Groups, with an id for a single resource.
    Resource(Kind, Option<String>),
    /// POST {endpoint}/.search (RFC 7644 §3.4.3); `None` is POST /.search over every type.
    Search(Option<Kind>),
    /// POST /Bulk (RFC 7644 §3.7).
    Bulk,
    /// The /Me alias (RFC 7644 §3.11).
    Me,
}

/// The kind of resource the model serves at `/{segment}`.
fn endpoint_kind(segment: &str, model: &ServerModel) -> Option<Kind> {
    model.kind_at(&format!("/{segment}"))
}

impl Route {
    /// The route for a request path, or `None` for an unknown endpoint.
    pub(crate) fn parse(path: &str, model: &ServerModel) -> Option<Route> {
        let rest = path
            .strip_prefix(model.base_path.as_str())?
            .strip_prefix('/')?;
        let rest = rest.strip_suffix('/').unwrap_or(rest);
        let segments: Vec<String> = rest.split('/').map(decode_segment).collect();
        let id = |segment: &String| {
            (!segment.is_empty() && segment != ".search").then(|| segment.clone())
        };
        match segments.as_slice() {
            [endpoint] => match endpoint.as_str() {
                ".search" => Some(Route::Search(None)),
                "ServiceProviderConfig" => Some(Route::ServiceProviderConfig),
                "ResourceTypes" => Some(Route::ResourceTypes(None)),
                "Schemas" => Some(Route::Schemas(None)),
                "Bulk" => Some(Route::Bulk),
                "Me" => Some(Route::Me),
                other => endpoint_kind(other, model).map(|kind| Route::Resource(kind, None)),
            },
            [endpoint, item] => match endpoint.as_str() {
                "ResourceTypes" => Some(Route::ResourceTypes(Some(id(item)?))),
                "Schemas" => Some(Route::Schemas(Some(id(item)?))),
                other => {
                    let kind = endpoint_kind(other, model)?;
                    if item == ".search" {
                        Some(Route::Search(Some(kind)))
                    } else {
                        Some(Route::Resource(kind, Some(id(item)?)))
                    }
                }
            },
            _ => None,
        }
    }

    /// The discovery endpoint's name (`ServiceProviderConfig`, `ResourceTypes`, `Schemas`).
    pub(crate) fn discovery_endpoint(&self) -> Option<&'static str> {
        match self {
            Route::ServiceProviderConfig => Some("ServiceProviderConfig"),
            Route::ResourceTypes(_) => Some("ResourceTypes"),
            Route::Schemas(_) => Some("Schemas"),
            _ => None,
        }
    }

    pub(crate) fn allowed_methods(&self) -> &'static [Method] {
        match self {
            Route::Resource(_, None) => &[Method::GET, Method::POST],
            Route::Resource(_, Some(_)) => {
                &[Method::GET, Method::PUT, Method::PATCH, Method::DELETE]
            }
            Route::Search(_) | Route::Bulk => &[Method::POST],
            Route::Me => &[
                Method::GET,
                Method::POST,
                Method::PUT,
                Method::PATCH,
                Method::DELETE,
            ],
            _ => &[Method::GET],
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn parse(path: &str) -> Option<Route> {
        Route::parse(path, &ServerModel::reference("http://127.0.0.1:9", None))
    }

    #[test]
    fn routes() {
        let users = |id: Option<&str>| Some(Route::Resource(Kind::User, id.map(str::to_owned)));
        assert_eq!(parse("/scim/v2/Users"), users(None));
        assert_eq!(parse("/scim/v2/Users/"), users(None));
        assert_eq!(parse("/scim/v2/Users/a%20b"), users(Some("a b")));
        assert_eq!(
            parse("/scim/v2/Schemas/urn%3Aietf%3Aparams"),
            Some(Route::Schemas(Some("urn:ietf:params".into())))
        );
        assert_eq!(
            parse("/scim/v2/ServiceProviderConfig"),
            Some(Route::ServiceProviderConfig)
        );
        assert_eq!(
            parse("/scim/v2/Users/.search"),
            Some(Route::Search(Some(Kind::User)))
        );
        assert_eq!(
            parse("/scim/v2/Groups/.search"),
            Some(Route::Search(Some(Kind::Group)))
        );
        assert_eq!(
            parse("/scim/v2/Groups/g1"),
            Some(Route::Resource(Kind::Group, Some("g1".into())))
        );
        assert_eq!(parse("/scim/v2/.search"), Some(Route::Search(None)));
        assert_eq!(parse("/scim/v2/Bulk"), Some(Route::Bulk));
        assert_eq!(parse("/scim/v2/Me"), Some(Route::Me));
        assert_eq!(
            parse("/scim/v2/Schemas/.search"),
            None,
            "only searches that are served are routes"
        );
        for unknown in [
            "/",
            "/scim/v2",
            "/scim/v2/",
            "/scim/v2/Nope",
            "/scim/v2/Users/a/b",
            "/scim/v2/Users//",
            "/scim/v2/Bulk/x",
            "/scim/v2/Me/x",
            "/scim/v2/Users/.search/x",
            "/scim/v2users",
            "/v2/Users",
            "/scim/v2/ServiceProviderConfig/x",
        ] {
            assert_eq!(parse(unknown), None, "{unknown}");
        }
    }
}
