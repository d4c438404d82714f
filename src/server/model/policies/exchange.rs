//! Policies of the HTTP exchange itself: error bodies, media types, authentication and /Me.

/// How SCIM errors (RFC 7644 §3.12) are shaped.
#[derive(Debug, Clone, Default)]
pub(crate) struct ErrorPolicy {
    /// `status` is a JSON number instead of a string.
    pub(crate) status_as_number: bool,
    /// The human-readable `detail` is left out.
    pub(crate) omit_detail: bool,
    /// The body is wrapped in an `{"error": …}` envelope.
    pub(crate) wrapped: bool,
    /// A 409 uniqueness error says `"conflict"`, which RFC 7644 Table 9 does not define.
    pub(crate) uniqueness_as_conflict: bool,
    /// 404 is a text/plain "Not Found" instead of a SCIM error.
    pub(crate) not_found_as_text: bool,
    /// A body that is not JSON answers 500 text/plain instead of 400 invalidSyntax.
    pub(crate) invalid_json_as_500: bool,
}

/// The media type JSON responses are labelled with.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq)]
pub(crate) enum ResponseMediaType {
    /// `application/scim+json` (RFC 7644 §8.1).
    #[default]
    Scim,
    /// `application/json`.
    Json,
    /// The misspelt `application/json+scim`.
    JsonScim,
}

impl ResponseMediaType {
    pub(crate) fn as_str(self) -> &'static str {
        match self {
            ResponseMediaType::Scim => "application/scim+json",
            ResponseMediaType::Json => "application/json",
            ResponseMediaType::JsonScim => "application/json+scim",
        }
    }
}

/// Content negotiation (RFC 7644 §3.8).
#[derive(Debug, Clone, Default)]
pub(crate) struct MediaPolicy {
    pub(crate) response: ResponseMediaType,
    /// `Accept: application/scim+json` alone answers 406.
    pub(crate) refuse_scim_accept: bool,
    /// `Accept: application/json` alone answers 406.
    pub(crate) refuse_json_accept: bool,
    /// Request bodies labelled `application/json` answer 415.
    pub(crate) refuse_json_content_type: bool,
    /// A request Content-Type with any parameter (`charset`) answers 415.
    pub(crate) refuse_content_type_parameters: bool,
}

/// How authentication failures and the discovery endpoints are treated.
#[derive(Debug, Clone, Default)]
pub(crate) struct AuthPolicy {
    /// GET on the discovery endpoints needs credentials too.
    pub(crate) discovery_requires_auth: bool,
    /// 401 answers carry no `WWW-Authenticate`.
    pub(crate) omit_www_authenticate: bool,
    /// A wrong or malformed token answers 403 instead of 401.
    pub(crate) bad_token_forbidden: bool,
    /// A wrong token's 401 says `WWW-Authenticate: Bearer` without `error="invalid_token"`.
    pub(crate) no_error_code: bool,
    /// A request without credentials gets `error="invalid_token"` too.
    pub(crate) error_code_without_token: bool,
    /// The OAuth token endpoint issues a token whatever client secret it is given.
    pub(crate) token_any_secret: bool,
    /// The token endpoint refuses a wrong client secret with 400 and no `WWW-Authenticate`.
    pub(crate) token_refusal_400: bool,
    /// Access tokens are taken however long ago they expired.
    pub(crate) token_expiry_ignored: bool,
    /// A request without credentials is redirected to a login page (302) instead of 401.
    pub(crate) login_redirect: bool,
}

/// How faithfully `serve --profile` emulates the profile (faults that model a server drifting
/// from the contract it claims).
#[derive(Debug, Clone, Default)]
pub(crate) struct EmulationPolicy {
    /// Every resource type stays served and listed, whatever the profile serves.
    pub(crate) types_ignored: bool,
    /// The profile's value rules are neither enforced nor published.
    pub(crate) rules_ignored: bool,
    /// Every discovery endpoint answers without credentials.
    pub(crate) discovery_open: bool,
    /// The User extensions stay the reference server's.
    pub(crate) extensions_ignored: bool,
}

/// What the server's host answers outside the SCIM base path.
#[derive(Debug, Clone, Default)]
pub(crate) struct SitePolicy {
    /// Every path outside the base answers 200 with a web app's HTML shell (a client-side
    /// router's catch-all), so a wrong Tenant URL looks alive.
    pub(crate) html_catch_all: bool,
}

/// How a request over the rate limit (`serve --rate-limit`) is refused.
#[derive(Debug, Clone, Default)]
pub(crate) struct RateLimitPolicy {
    /// 500 with no Retry-After instead of 429.
    pub(crate) status_500: bool,
    /// 429 without Retry-After.
    pub(crate) no_retry_after: bool,
    /// 429 with `Retry-After: soon`.
    pub(crate) bad_retry_after: bool,
    /// 429 with an HTML page instead of a SCIM error.
    pub(crate) html: bool,
    /// Retry-After says 1 s, but the limit holds for 3 windows.
    pub(crate) no_recovery: bool,
    /// The RateLimit field lacks its required `r` and gives `t` as a Decimal.
    pub(crate) malformed_fields: bool,
}

/// What /Me (RFC 7644 §3.11) answers; the server has no subject to alias.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq)]
pub(crate) enum MeAnswer {
    /// 501 Not Implemented with a SCIM error.
    #[default]
    Unimplemented,
    /// 404, as if the endpoint did not exist.
    Missing,
    /// 501 without a body.
    UnimplementedEmpty,
}

#[derive(Debug, Clone, Default)]
pub(crate) struct MePolicy {
    pub(crate) answer: MeAnswer,
}

/// How the discovery documents (RFC 7644 §4) are rendered.
#[derive(Debug, Clone, Default)]
pub(crate) struct DiscoveryPolicy {
    /// ServiceProviderConfig booleans and integers are JSON strings.
    pub(crate) spc_string_values: bool,
    /// ServiceProviderConfig lacks its `schemas`.
    pub(crate) spc_without_schemas: bool,
    /// /ServiceProviderConfig answers a ListResponse wrapping the configuration.
    pub(crate) spc_as_list: bool,
    /// /ServiceProviderConfig is not served (404).
    pub(crate) spc_missing: bool,
    /// ResourceType endpoints are absolute URLs instead of paths relative to the base URL.
    pub(crate) resource_type_endpoint_absolute: bool,
    /// GET /ResourceTypes answers a bare JSON array.
    pub(crate) resource_types_bare_array: bool,
    /// GET /Schemas answers a bare JSON array.
    pub(crate) schemas_bare_array: bool,
    /// GET /Schemas pages by startIndex and count.
    pub(crate) schemas_paged: bool,
    /// Schema resources lack their `schemas`.
    pub(crate) schema_without_schemas: bool,
    /// /Schemas also lists an API message URN (ListResponse) as a schema.
    pub(crate) publish_api_urns: bool,
}
