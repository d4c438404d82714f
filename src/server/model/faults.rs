//! Named, deliberate deviations from RFC 7643/7644 that the reference server can be started with,
//! each modelled on a bug seen in a real SCIM service provider, and each defined by the one
//! edit it makes to the server's model or policies. The protocol code never sees a fault: it
//! reads the model and the policies these edits leave behind.

use std::fmt;
use std::str::FromStr;

use super::policies::{CaseRule, CreateAnswer, MeAnswer, Policies, ResponseMediaType};
use super::server_model::{AuthMode, ServerModel};

/// What a fault does: an edit of the model, the policies, or both.
type Edit = fn(&mut ServerModel, &mut Policies);

/// Publishes an edited copy of the User schema at /Schemas (what the server declares; the
/// policies say what it enforces).
fn declare_user(model: &mut ServerModel, edit: impl FnOnce(&mut serde_json::Value)) {
    const USER: &str = "urn:ietf:params:scim:schemas:core:2.0:User";
    let Some(slot) = model.schemas.iter_mut().find(|s| s.id == USER) else {
        return;
    };
    let mut def = (*slot).clone();
    edit(&mut def.document);
    // Faults live as long as the server that runs them; the model holds `&'static` schemas.
    *slot = Box::leak(Box::new(def));
}

/// Applies `edit` to the attribute `name` of a schema document.
fn edit_attr(
    schema: &mut serde_json::Value,
    name: &str,
    edit: impl FnOnce(&mut serde_json::Value),
) {
    if let Some(attr) = schema["attributes"]
        .as_array_mut()
        .and_then(|attrs| attrs.iter_mut().find(|a| a["name"] == name))
    {
        edit(attr);
    }
}

macro_rules! faults {
    ($($variant:ident => $name:literal, $desc:literal, $edit:expr;)*) => {
        /// A deliberate, named violation of the SCIM RFCs that the reference server can exhibit.
        #[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash)]
        pub enum Fault {
            $(#[doc = $desc] $variant,)*
        }

        impl Fault {
            /// Every fault, in declaration order.
            pub const ALL: &'static [Fault] = &[$(Fault::$variant,)*];

            /// The kebab-case name used on the command line (`--fault NAME`).
            pub fn name(self) -> &'static str {
                match self {
                    $(Fault::$variant => $name,)*
                }
            }

            /// One line describing the real-world violation this fault models.
            pub fn description(self) -> &'static str {
                match self {
                    $(Fault::$variant => $desc,)*
                }
            }

            fn edit(self) -> Edit {
                match self {
                    $(Fault::$variant => $edit,)*
                }
            }
        }
    };
}

faults! {
    ErrorStatusNumber => "error-status-number", "Error bodies carry `status` as a JSON number instead of a string.",
        |_, p| p.errors.status_as_number = true;
    ErrorNoDetail => "error-no-detail", "Error bodies omit the human-readable `detail`.",
        |_, p| p.errors.omit_detail = true;
    ErrorWrapped => "error-wrapped", "Error bodies are wrapped in an `{\"error\": …}` envelope.",
        |_, p| p.errors.wrapped = true;
    InvalidScimType => "invalid-scim-type", "A userName conflict uses scimType \"conflict\", which is not an RFC 7644 keyword.",
        |_, p| p.errors.uniqueness_as_conflict = true;
    ContentTypeJson => "content-type-json", "JSON responses are labelled application/json instead of application/scim+json.",
        |_, p| p.media.response = ResponseMediaType::Json;
    ContentTypeJsonScim => "content-type-json-scim", "JSON responses are labelled with the misspelt media type application/json+scim.",
        |_, p| if p.media.response == ResponseMediaType::Scim { p.media.response = ResponseMediaType::JsonScim };
    NotFoundPlain => "not-found-plain", "404 responses are a text/plain \"Not Found\" instead of a SCIM error.",
        |_, p| p.errors.not_found_as_text = true;
    NoLocationHeader => "no-location-header", "201 Created responses lack the Location header.",
        |_, p| p.create.no_location_header = true;
    MetaLocationRelative => "meta-location-relative", "meta.location and Location are relative paths, not absolute URIs.",
        |_, p| p.meta.location_relative = true;
    Delete200WithBody => "delete-200-with-body", "DELETE answers 200 with the deleted resource instead of 204 No Content.",
        |_, p| p.delete.returns_body = true;
    DeleteIgnored => "delete-ignored", "DELETE answers 204 but the resource is not removed.",
        |_, p| p.delete.ignored = true;
    DeletedUsernameReserved => "deleted-username-reserved", "A deleted user's userName stays reserved, so reusing it conflicts.",
        |_, p| p.delete.user_name_reserved = true;
    ListWithoutSchemas => "list-without-schemas", "ListResponses lack the `schemas` attribute.",
        |_, p| p.list.without_schemas = true;
    EmptyPageWithoutTotal => "empty-page-without-total", "A page with no resources (count=0, or past the end) leaves out totalResults.",
        |_, p| p.list.empty_page_without_total = true;
    NoMatch404 => "no-match-404", "A query with zero results answers 404 instead of an empty ListResponse.",
        |_, p| p.list.no_match_404 = true;
    InactiveUnlisted => "inactive-unlisted", "Deactivated users (active false) are left out of query results, as if deleted, though GET by id still finds them.",
        |_, p| p.list.inactive_unlisted = true;
    FilterIgnored => "filter-ignored", "The `filter` query parameter is ignored and every user is returned.",
        |_, p| p.filter.ignored = true;
    UsernameCaseSensitiveUniqueness => "username-case-sensitive-uniqueness", "userName uniqueness compares case-sensitively although userName is caseExact=false.",
        |_, p| p.rules.user_name_unique_case_exact = true;
    UnstableId => "unstable-id", "Every read reports a freshly generated `id`, so ids are not stable.",
        |_, p| p.render.unstable_id = true;
    SpcRequiresAuth => "spc-requires-auth", "Discovery endpoints (/ServiceProviderConfig, /ResourceTypes, /Schemas) require authentication.",
        |_, p| p.auth.discovery_requires_auth = true;
    AuthNotEnforced => "auth-not-enforced", "No request needs a bearer token.",
        |m, _| m.auth = AuthMode::None;
    NoWwwAuthenticate => "no-www-authenticate", "401 responses lack the WWW-Authenticate header.",
        |_, p| p.auth.omit_www_authenticate = true;
    BadToken403 => "bad-token-403", "A wrong or malformed token answers 403 instead of 401.",
        |_, p| p.auth.bad_token_forbidden = true;
    WwwAuthenticateWithoutError => "www-authenticate-without-error", "A wrong bearer token's 401 says WWW-Authenticate: Bearer without error=\"invalid_token\".",
        |_, p| p.auth.no_error_code = true;
    WwwAuthenticateErrorWithoutToken => "www-authenticate-error-without-token", "A request without any credential gets WWW-Authenticate: Bearer error=\"invalid_token\" too.",
        |_, p| p.auth.error_code_without_token = true;
    TokenAnySecret => "token-any-secret", "The OAuth token endpoint issues an access token for any client secret.",
        |_, p| p.auth.token_any_secret = true;
    TokenRefusal400 => "token-refusal-400", "The token endpoint refuses a wrong client secret with 400 invalid_client and no WWW-Authenticate, though the client authenticated with Basic.",
        |_, p| p.auth.token_refusal_400 = true;
    LoginRedirect => "login-redirect", "A request without credentials is redirected (302) to an HTML login page, as a single-sign-on front does, instead of 401.",
        |_, p| p.auth.login_redirect = true;
    HtmlCatchAll => "html-catch-all", "Every path outside the SCIM base answers 200 with a web app's HTML page, so a wrong Tenant URL looks alive.",
        |_, p| p.site.html_catch_all = true;
    ProfileTypesIgnored => "profile-types-ignored", "Under a profile, every resource type stays served and listed, not only the profile's.",
        |_, p| p.emulation.types_ignored = true;
    ProfileRulesIgnored => "profile-rules-ignored", "Under a profile, its value rules (required, lengths, formats, references) are neither enforced nor published.",
        |_, p| p.emulation.rules_ignored = true;
    ProfileDiscoveryOpen => "profile-discovery-open", "Under a profile, every discovery endpoint answers without credentials, not only those it leaves open.",
        |_, p| p.emulation.discovery_open = true;
    ProfileExtensionsIgnored => "profile-extensions-ignored", "Under a profile, the User extensions stay the reference server's instead of the profile's.",
        |_, p| p.emulation.extensions_ignored = true;
    TokenExpiryIgnored => "token-expiry-ignored", "The resource server takes an OAuth access token however long ago it expired.",
        |_, p| p.auth.token_expiry_ignored = true;
    RateLimit500 => "rate-limit-500", "Over the rate limit, requests answer 500 with no Retry-After instead of 429.",
        |_, p| p.rate_limit.status_500 = true;
    RateLimitNoRetryAfter => "rate-limit-no-retry-after", "Over the rate limit, the 429 has no Retry-After.",
        |_, p| p.rate_limit.no_retry_after = true;
    RateLimitBadRetryAfter => "rate-limit-bad-retry-after", "Over the rate limit, the 429 says `Retry-After: soon`.",
        |_, p| p.rate_limit.bad_retry_after = true;
    RateLimitHtml => "rate-limit-html", "Over the rate limit, the 429 is an HTML page, not a SCIM error.",
        |_, p| p.rate_limit.html = true;
    RateLimitNoRecovery => "rate-limit-no-recovery", "Over the rate limit, the 429 says Retry-After: 1 but the limit holds three times as long.",
        |_, p| p.rate_limit.no_recovery = true;
    RateLimitFieldsMalformed => "ratelimit-fields-malformed", "Under a rate limit, the RateLimit field is `\"default\";t=0.5`: no remaining count and a Decimal reset.",
        |_, p| p.rate_limit.malformed_fields = true;
    PasswordReturned => "password-returned", "The stored password is returned in user representations.",
        |_, p| p.render.password_returned = true;
    ClientIdHonoured => "client-id-honoured", "POST uses a client-supplied `id` instead of assigning one.",
        |_, p| p.create.client_id_honoured = true;
    ClientMetaHonoured => "client-meta-honoured", "POST keeps client-supplied meta.created and meta.lastModified.",
        |_, p| p.create.client_meta_honoured = true;
    ResourceTypesBareArray => "resource-types-bare-array", "GET /ResourceTypes answers a bare JSON array instead of a ListResponse.",
        |_, p| p.discovery.resource_types_bare_array = true;
    SchemasBareArray => "schemas-bare-array", "GET /Schemas answers a bare JSON array instead of a ListResponse.",
        |_, p| p.discovery.schemas_bare_array = true;
    RequiresDeclaredUserType => "requires-declared-user-type", "POST/PUT of a User without userType answers 400, and /Schemas declares userType required (the harness adapts).",
        |m, p| {
            declare_user(m, |user| edit_attr(user, "userType", |a| a["required"] = true.into()));
            p.rules.required_user_attributes.push("userType");
        };
    RequiresUndeclaredUserType => "requires-undeclared-user-type", "POST/PUT of a User without userType answers 400, though /Schemas does not declare userType required.",
        |_, p| p.rules.required_user_attributes.push("userType");
    RefusesUndeclaredMiddleName => "refuses-undeclared-middle-name", "/Schemas leaves name.middleName out, and a POST/PUT body carrying it answers 400 (the harness leaves it out).",
        |m, p| {
            declare_user(m, |user| edit_attr(user, "name", |name| {
                if let Some(subs) = name["subAttributes"].as_array_mut() {
                    subs.retain(|s| s["name"] != "middleName");
                }
            }));
            p.rules.refused_sub_attributes.push(("name", "middleName"));
        };
    RefusesNonCanonicalValues => "refuses-non-canonical-values", "A POST/PUT body whose emails/phoneNumbers/addresses… type is not one of the schema's canonicalValues answers 400.",
        |_, p| p.rules.canonical_values_only = true;
    SchemasPaged => "schemas-paged", "GET /Schemas honours startIndex and count, so a client paging by habit misses schemas.",
        |_, p| p.discovery.schemas_paged = true;
    SchemaWithoutSchemas => "schema-without-schemas", "Schema resources lack their `schemas` attribute.",
        |_, p| p.discovery.schema_without_schemas = true;
    SpcStringValues => "spc-string-values", "ServiceProviderConfig booleans and integers are JSON strings.",
        |_, p| p.discovery.spc_string_values = true;
    SpcIncomplete => "spc-incomplete", "ServiceProviderConfig lacks bulk, sort, etag, changePassword and authenticationSchemes.",
        |m, _| m.service_provider_config.retain(|name, _| {
            !["bulk", "sort", "etag", "changePassword", "authenticationSchemes"].contains(&name.as_str())
        });
    InvalidJson500 => "invalid-json-500", "A request body that is not valid JSON answers 500 with a text/plain body.",
        |_, p| p.errors.invalid_json_as_500 = true;
    RejectsScimAccept => "rejects-scim-accept", "Accept: application/scim+json alone is refused with 406.",
        |_, p| p.media.refuse_scim_accept = true;
    RejectsJsonContentType => "rejects-json-content-type", "Request bodies labelled application/json are refused with 415.",
        |_, p| p.media.refuse_json_content_type = true;
    RejectsCharset => "rejects-charset", "A request Content-Type with any parameter (such as charset) is refused with 415.",
        |_, p| p.media.refuse_content_type_parameters = true;
    UsernameNotRequired => "username-not-required", "POST and PUT without userName succeed although userName is required.",
        |_, p| p.rules.user_name_optional = true;
    UnknownSchemaRefused => "unknown-schema-refused", "A POST or PUT whose `schemas` lists a URN the server does not define (Entra's ADSCIM Group URN) is refused with 400 invalidValue.",
        |_, p| p.input.unknown_schemas_refused = true;
    SchemasNotRequired => "schemas-not-required", "POST without `schemas` succeeds.",
        |_, p| p.input.schemas_optional = true;
    LenientTypes => "lenient-types", "Values of the wrong JSON type are accepted and stored as sent.",
        |_, p| p.input.lenient_types = true;
    AsciiOnly => "ascii-only", "Non-ASCII characters in stored strings are replaced by `?`.",
        |_, p| p.input.ascii_only = true;
    ExternalidInvented => "externalid-invented", "POST without externalId gets a server-made externalId.",
        |_, p| p.create.external_id_invented = true;
    ExternalidLowercased => "externalid-lowercased", "externalId is stored lower-cased although it is caseExact.",
        |_, p| p.input.lowercase_external_id = true;
    AttributeNamesCaseSensitive => "attribute-names-case-sensitive", "Body attribute names are matched case-sensitively, so `UserName` is ignored.",
        |_, p| p.input.names_exact = true;
    NullRejected => "null-rejected", "Explicit null or [] values in POST/PUT bodies are refused with 400.",
        |_, p| p.input.reject_null = true;
    SingleValueObject => "single-value-object", "A multi-valued attribute with one element is returned as an object, not an array.",
        |_, p| p.render.single_value_object = true;
    TimestampsLocal => "timestamps-local", "meta.created and meta.lastModified carry no UTC offset.",
        |_, p| p.meta.local_timestamps = true;
    LastModifiedSkew => "last-modified-skew", "A fresh resource's lastModified is one second after created.",
        |_, p| p.meta.last_modified_skew = true;
    PatchPathlessUnsupported => "patch-pathless-unsupported", "PATCH operations without `path` are refused with 400 noTarget.",
        |_, p| p.patch.pathless_unsupported = true;
    PutUpsert => "put-upsert", "PUT on an unknown id creates the resource instead of answering 404.",
        |_, p| p.replace.upsert = true;
    ActiveString => "active-string", "Boolean attributes are emitted as the strings \"true\"/\"false\".",
        |_, p| p.render.booleans_as_strings = true;
    SpcWithoutSchemas => "spc-without-schemas", "ServiceProviderConfig lacks its `schemas` attribute.",
        |_, p| p.discovery.spc_without_schemas = true;
    SpcUnderstates => "spc-understates", "ServiceProviderConfig says patch, filter, bulk, sort, etag and changePassword are unsupported, though all of them work.",
        |m, _| {
            for feature in ["patch", "filter", "bulk", "sort", "etag", "changePassword"] {
                if let Some(serde_json::Value::Object(f)) = m.service_provider_config.get_mut(feature) {
                    f.insert("supported".into(), false.into());
                }
            }
        };
    FilterUnadvertised => "filter-unadvertised", "ServiceProviderConfig says filter is unsupported, though filtering works.",
        |m, _| {
            if let Some(serde_json::Value::Object(f)) = m.service_provider_config.get_mut("filter") {
                f.insert("supported".into(), false.into());
            }
        };
    PasswordChangeRefused => "password-change-refused", "A PUT or PATCH that changes a user's password answers 400, though changePassword is advertised.",
        |_, p| p.rules.password_change_refused = true;
    SpcMissing => "spc-missing", "/ServiceProviderConfig is not served: it answers 404 while /Users works.",
        |_, p| p.discovery.spc_missing = true;
    SpcAsList => "spc-as-list", "/ServiceProviderConfig answers a ListResponse wrapping the configuration.",
        |_, p| p.discovery.spc_as_list = true;
    ResourceTypeEndpointAbsolute => "resource-type-endpoint-absolute", "ResourceType endpoints are absolute URLs, not paths relative to the base URL.",
        |_, p| p.discovery.resource_type_endpoint_absolute = true;
    SchemasPublishApiUrns => "schemas-publish-api-urns", "/Schemas also lists an API message URN (urn:ietf:params:scim:api:…) as a schema.",
        |_, p| p.discovery.publish_api_urns = true;
    RejectsJsonAccept => "rejects-json-accept", "Accept: application/json alone is refused with 406.",
        |_, p| p.media.refuse_json_accept = true;
    Create200 => "create-200", "POST answers 200 OK instead of 201 Created.",
        |_, p| p.create.status_200 = true;
    CreateEmptyBody => "create-empty-body", "POST answers 201 with an empty body instead of the created resource.",
        |_, p| p.create.empty_body = true;
    GroupsWritable => "groups-writable", "The readOnly User `groups` attribute is stored from client input (POST, PUT and PATCH).",
        |_, p| p.input.groups_writable = true;
    MetaIncomplete => "meta-incomplete", "meta lacks resourceType and location.",
        |_, p| p.meta.incomplete = true;
    UnknownAttribute500 => "unknown-attribute-500", "An unknown attribute in a POST or PUT body answers 500.",
        |_, p| p.input.unknown_attribute_500 = true;
    ListItemsTrimmed => "list-items-trimmed", "Query results carry only id and userName, without schemas.",
        |_, p| p.list.items_trimmed = true;
    PatchIgnored => "patch-ignored", "PATCH answers 200 with the unchanged resource and applies nothing.",
        |_, p| p.patch.ignored = true;
    PutIgnored => "put-ignored", "PUT answers 200 with the unchanged resource and applies nothing.",
        |_, p| p.replace.ignored = true;
    PutKeepsOmitted => "put-keeps-omitted", "PUT keeps attributes the body leaves out instead of replacing the resource.",
        |_, p| p.replace.keeps_omitted = true;
    LastModifiedFrozen => "last-modified-frozen", "meta.lastModified never changes after creation.",
        |_, p| p.meta.last_modified_frozen = true;
    StartIndexZeroBased => "start-index-zero-based", "startIndex is treated as 0-based, so startIndex=1 skips the first match.",
        |_, p| p.paging.zero_based_start_index = true;
    ItemsPerPageIsCount => "items-per-page-is-count", "itemsPerPage echoes the requested count instead of the number of resources returned.",
        |_, p| p.paging.items_per_page_is_count = true;
    CountZeroReturnsAll => "count-zero-returns-all", "count=0 returns every match instead of none.",
        |_, p| p.paging.count_zero_returns_all = true;
    NegativeCount500 => "negative-count-500", "A negative count answers 500 instead of being treated as 0.",
        |_, p| p.paging.negative_count_500 = true;
    StartIndexPastEnd404 => "start-index-past-end-404", "A startIndex past the end answers 404 instead of an empty page.",
        |_, p| p.paging.start_index_past_end_404 = true;
    CountOverMax400 => "count-over-max-400", "A count above maxResults answers 400 tooMany instead of being capped.",
        |_, p| p.paging.count_over_max_refused = true;
    UnstableOrder => "unstable-order", "Pages after the first come from the reversed result order, so walking pages repeats and skips resources.",
        |_, p| p.paging.unstable_order = true;
    FilterNamesCaseSensitive => "filter-names-case-sensitive", "Attribute names in filters are matched case-sensitively, so `USERNAME eq …` is refused.",
        |_, p| p.filter.names_exact = true;
    FilterOperatorsCaseSensitive => "filter-operators-case-sensitive", "Filter operators and logical keywords must be lower case (`EQ`, `AND`, `Or` are refused).",
        |_, p| p.filter.operators_case_sensitive = true;
    FilterValuesCaseSensitive => "filter-values-case-sensitive", "Filters compare every string case-sensitively, ignoring caseExact=false.",
        |_, p| p.filter.case = CaseRule::AlwaysExact;
    FilterValuesCaseInsensitive => "filter-values-case-insensitive", "Filters compare every string case-insensitively, ignoring caseExact=true (externalId, id).",
        |_, p| if p.filter.case == CaseRule::Schema { p.filter.case = CaseRule::NeverExact };
    CoAsEq => "co-as-eq", "The `co` filter operator behaves like `eq`.",
        |_, p| p.filter.co_as_eq = true;
    SwAsCo => "sw-as-co", "The `sw` filter operator behaves like `co`.",
        |_, p| p.filter.sw_as_co = true;
    SwUnsupported => "sw-unsupported", "The `sw` filter operator is refused with invalidFilter (the checks that scope their queries with it are blocked).",
        |_, p| p.filter.sw_unsupported = true;
    EwUnsupported => "ew-unsupported", "The `ew` filter operator is refused with invalidFilter although filtering is advertised.",
        |_, p| p.filter.ew_unsupported = true;
    NeAsEq => "ne-as-eq", "The `ne` filter operator behaves like `eq`.",
        |_, p| p.filter.ne_as_eq = true;
    AndLooserThanOr => "and-looser-than-or", "`a or b and c` is evaluated as `(a or b) and c`.",
        |_, p| p.filter.and_looser_than_or = true;
    NotIgnored => "not-ignored", "`not (x)` is evaluated as `x`.",
        |_, p| p.filter.not_ignored = true;
    FilterUnknownAttributeEmpty => "filter-unknown-attribute-empty", "A filter on an unknown attribute answers an empty list instead of 400 invalidFilter.",
        |_, p| p.filter.unknown_attribute_matches_nothing = true;
    FilterExtensionsQualifiedOnly => "filter-extensions-qualified-only", "Filters know extension attributes only by their URN, so Entra's `manager eq \"<id>\"` is 400 invalidFilter.",
        |_, p| p.filter.extensions_qualified_only = true;
    PrCountsEmpty => "pr-counts-empty", "`pr` is true for empty strings and arrays.",
        |_, p| p.filter.pr_counts_empty = true;
    DatetimeComparedAsString => "datetime-compared-as-string", "gt/ge/lt/le on dateTime attributes compare the raw strings, which is wrong across UTC offsets.",
        |_, p| p.filter.datetime_as_string = true;
    ValueFilterCrossElement => "value-filter-cross-element", "In `attr[a and b]` the conditions may be met by different elements.",
        |_, p| p.filter.cross_element = true;
    SortOrderIgnored => "sort-order-ignored", "sortOrder=descending is ignored.",
        |_, p| p.sort.order_ignored = true;
    SortCaseSensitive => "sort-case-sensitive", "Sorting on caseExact=false strings is case-sensitive (upper case before lower case).",
        |_, p| p.sort.case_sensitive = true;
    SortMissingFirst => "sort-missing-first", "Resources without the sort attribute come first when ascending (and last when descending).",
        |_, p| p.sort.missing_first = true;
    SortByIgnored => "sort-by-ignored", "sortBy is ignored; results stay in creation order.",
        |_, p| p.sort.sort_by_ignored = true;
    AttributesIgnored => "attributes-ignored", "The `attributes` parameter is ignored.",
        |_, p| p.projection.attributes_ignored = true;
    ExcludedAttributesIgnored => "excluded-attributes-ignored", "The `excludedAttributes` parameter is ignored.",
        |_, p| p.projection.excluded_ignored = true;
    AlwaysAttributesExcludable => "always-attributes-excludable", "excludedAttributes can remove `id`, which is returned always.",
        |_, p| p.projection.always_excludable = true;
    ProjectionNamesCaseSensitive => "projection-names-case-sensitive", "Names in attributes/excludedAttributes are matched case-sensitively.",
        |_, p| p.projection.names_exact = true;
    SubAttributeProjectionWhole => "sub-attribute-projection-whole", "`attributes=name.givenName` returns the whole `name`.",
        |_, p| p.projection.sub_attribute_whole = true;
    PasswordOnRequest => "password-on-request", "`attributes=password` returns the stored password.",
        |_, p| p.projection.password_on_request = true;
    ResourcesKeyLowercase => "resources-key-lowercase", "ListResponses name their array `resources` instead of `Resources`.",
        |_, p| p.list.lowercase_resources_key = true;
    SearchAsId => "search-as-id", "POST /Users/.search and /.search answer 404 \"User '.search' not found\".",
        |_, p| p.search.served_as_id = true;
    SearchIgnoresFilter => "search-ignores-filter", "POST .search ignores the body's filter and returns every user.",
        |_, p| p.search.ignores_filter = true;
    SearchCountIgnored => "search-count-ignored", "POST .search ignores the body's count and startIndex.",
        |_, p| p.search.ignores_paging = true;
    SearchSchemaNotRequired => "search-schema-not-required", "A SearchRequest without the SearchRequest `schemas` is accepted.",
        |_, p| p.search.schemas_optional = true;
    RootSearchUnsupported => "root-search-unsupported", "POST /.search answers 404 although POST /Users/.search works.",
        |_, p| p.search.root_unsupported = true;
    ProjectionIgnoredOnWrite => "projection-ignored-on-write", "`attributes` and `excludedAttributes` are ignored on POST, PUT and PATCH responses.",
        |_, p| p.projection.ignored_on_write = true;
    PatchOpCaseSensitive => "patch-op-case-sensitive", "PATCH op names must be lower case, so Entra's `Replace` and `Add` are refused with 400 invalidSyntax.",
        |_, p| p.patch.op_case_sensitive = true;
    PatchAddReplacesMembers => "patch-add-replaces-members", "PATCH `add` on a multi-valued attribute such as members replaces the whole list instead of appending.",
        |_, p| p.patch.add_replaces = true;
    PatchRemoveFilterRemovesAll => "patch-remove-filter-removes-all", "PATCH `remove` with a value filter (members[value eq …]) removes every value of the attribute.",
        |_, p| p.patch.remove_filter_removes_all = true;
    PatchValueFilterUnsupported => "patch-value-filter-unsupported", "PATCH paths with a value filter (emails[type eq \"work\"].value) answer 501.",
        |_, p| p.patch.value_filter_unsupported = true;
    PatchStringBooleanRejected => "patch-string-boolean-rejected", "PATCH values \"True\"/\"False\" for boolean attributes (Entra's default job) are refused with 400 invalidValue.",
        |_, p| p.patch.reject_string_booleans = true;
    PatchNotAtomic => "patch-not-atomic", "When a PATCH operation fails, the operations before it stay applied.",
        |_, p| p.patch.not_atomic = true;
    PrimaryNotUnique => "primary-not-unique", "Setting primary on one value of a multi-valued attribute leaves primary set on the others.",
        |_, p| p.input.primary_not_unique = true;
    PatchReturns204 => "patch-returns-204", "Every successful PATCH answers 204 without a body, even when `attributes` asks for one.",
        |_, p| p.patch.returns_204 = true;
    PatchNoTargetIgnored => "patch-no-target-ignored", "A PATCH replace/remove whose value filter matches nothing answers 200 instead of 400 noTarget.",
        |_, p| p.patch.no_target_ignored = true;
    PatchRemoveRequiredAllowed => "patch-remove-required-allowed", "PATCH may remove a required attribute (userName, a group's displayName).",
        |_, p| p.patch.remove_required_allowed = true;
    PatchReadonlyAllowed => "patch-readonly-allowed", "PATCH may replace readOnly `id` and `meta.created`, and the new values are stored.",
        |_, p| p.patch.readonly_allowed = true;
    PatchPathNamesCaseSensitive => "patch-path-names-case-sensitive", "Attribute names in PATCH paths are matched case-sensitively, so `Emails[Type eq …]` is 400 invalidPath.",
        |_, p| p.patch.path_names_exact = true;
    PatchAddDuplicates => "patch-add-duplicates", "PATCH `add` appends values that are already present, so a member can be listed twice.",
        |_, p| p.patch.add_duplicates = true;
    GroupPathlessReplaceClearsMembers => "group-pathless-replace-clears-members", "A path-less PATCH replace on a Group that does not mention members empties the member list.",
        |_, p| p.patch.group_pathless_replace_clears_members = true;
    MemberRefMissing => "member-ref-missing", "Group members carry no `$ref` (OPTIONAL, RFC 7643 §2.3.7: the harness adapts).",
        |_, p| p.links.member_ref_missing = true;
    MemberRefWrongCollection => "member-ref-wrong-collection", "A group member's `$ref` names the other collection (`/Groups/<user id>`), so GET on it answers 404.",
        |_, p| p.links.member_ref_wrong_collection = true;
    MemberValueUnchecked => "member-value-unchecked", "A group member value that names no resource is stored instead of refused.",
        |_, p| p.rules.member_value_unchecked = true;
    UserGroupsNotMaintained => "user-groups-not-maintained", "The User `groups` attribute is never populated from group membership.",
        |_, p| p.links.user_groups_not_maintained = true;
    DeleteUserKeepsMembership => "delete-user-keeps-membership", "Deleting a user leaves it in its groups' members.",
        |_, p| p.delete.user_keeps_membership = true;
    GroupDisplayNameOptional => "group-display-name-optional", "A Group without displayName is created.",
        |_, p| p.rules.group_display_name_optional = true;
    EnterpriseUrnMissing => "enterprise-urn-missing", "Enterprise extension data is returned but its URN is missing from `schemas`.",
        |_, p| p.render.extension_urn_missing = true;
    ManagerDisplayNameWritable => "manager-display-name-writable", "A client-supplied readOnly manager.displayName is stored and returned.",
        |_, p| { p.input.manager_display_name_writable = true; p.links.manager_display_name_stored = true };
    ManagerString500 => "manager-string-500", "An enterprise manager sent as a bare id string (not {value: …}), in a POST, PUT or PATCH, answers 500.",
        |_, p| p.input.manager_string_500 = true;
    ProjectionBoth500 => "projection-both-500", "A GET with both `attributes` and `excludedAttributes` answers 500.",
        |_, p| p.projection.both_500 = true;
    ManagerRefMissing => "manager-ref-missing", "The enterprise manager carries no `$ref`.",
        |_, p| p.links.manager_ref_missing = true;
    EtagHeaderMissing => "etag-header-missing", "Single-resource responses carry no ETag header although meta.version is set.",
        |_, p| p.etag.header_missing = true;
    EtagVersionMismatch => "etag-version-mismatch", "The ETag header is the strong tag \"n\" while meta.version is W/\"n\".",
        |_, p| p.etag.header_strong = true;
    EtagIfMatchIgnored => "etag-if-match-ignored", "If-Match is ignored: a stale version never answers 412.",
        |_, p| p.etag.if_match_ignored = true;
    EtagIfNoneMatchIgnored => "etag-if-none-match-ignored", "If-None-Match is ignored: GET always answers 200 with the body, never 304.",
        |_, p| p.etag.if_none_match_ignored = true;
    EtagNotUpdated => "etag-not-updated", "meta.version and the ETag never change after creation.",
        |_, p| p.etag.version_frozen = true;
    BulkidNotResolved => "bulkid-not-resolved", "`bulkId:` references in Bulk operations are not resolved and reach validation literally.",
        |_, p| p.bulk.bulk_ids_unresolved = true;
    BulkFailOnErrorsIgnored => "bulk-fail-on-errors-ignored", "Bulk failOnErrors is ignored: every operation is tried.",
        |_, p| p.bulk.fail_on_errors_ignored = true;
    BulkMaxOperationsIgnored => "bulk-max-operations-ignored", "Bulk requests with more than maxOperations operations are processed instead of answering 413.",
        |_, p| p.bulk.max_operations_ignored = true;
    BulkMaxPayloadIgnored => "bulk-max-payload-ignored", "Bulk requests larger than maxPayloadSize are processed instead of answering 413.",
        |_, p| p.bulk.max_payload_ignored = true;
    BulkStatusNumber => "bulk-status-number", "Each Bulk result's `status` is a JSON number instead of a string.",
        |_, p| p.bulk.status_as_number = true;
    BulkPostWithoutBulkidAccepted => "bulk-post-without-bulkid-accepted", "A Bulk POST operation without bulkId is processed instead of failing with 400.",
        |_, p| p.bulk.post_without_bulk_id_accepted = true;
    Me404 => "me-404", "/Me answers 404 instead of 501 Not Implemented.",
        |_, p| p.me.answer = MeAnswer::Missing;
    Me501WithoutBody => "me-501-without-body", "/Me answers 501 with an empty body instead of a SCIM error.",
        |_, p| if p.me.answer == MeAnswer::Unimplemented { p.me.answer = MeAnswer::UnimplementedEmpty };
    PutIdChanges => "put-id-changes", "A PUT whose body `id` differs from the path id moves the resource to the body's id.",
        |_, p| p.replace.id_changes = true;
    LastModifiedUnchangedOnPatch => "last-modified-unchanged-on-patch", "PATCH does not move meta.lastModified (PUT does).",
        |_, p| p.meta.last_modified_unchanged_on_patch = true;
    CreateAnswersForeignId => "create-answers-foreign-id", "A create (single or in a Bulk) makes the resource but answers with the id, Location and representation of another user's or group's pre-existing resource.",
        |m, p| { seed_somebody_elses_data(m); p.create.answer = CreateAnswer::Foreign; };
    CreateAnswersDotId => "create-answers-dot-id", "A create (single or in a Bulk) answers with the id `..` (body and Location), which a client would resolve to the collection.",
        |_, p| p.create.answer = CreateAnswer::DotId;
}

/// A user and a group that exist before any request: somebody else's data, which a run must
/// never modify.
fn seed_somebody_elses_data(model: &mut ServerModel) {
    let user = serde_json::json!({"userName": "somebody@example.org", "externalId": "hr-000042", "displayName": "Somebody Else"});
    let group = serde_json::json!({"displayName": "Somebody else's team"});
    for (type_name, id, data) in [
        ("User", "pre-existing-user", user),
        ("Group", "pre-existing-group", group),
    ] {
        if let serde_json::Value::Object(data) = data {
            model.seed.push((type_name.into(), id.into(), data));
        }
    }
}

/// The server configuration a fault shows itself under.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Needs {
    /// Any: it edits what every server does.
    Nothing,
    /// A rate limit (`serve --rate-limit`): it changes how requests over it are refused.
    RateLimit,
    /// OAuth (`serve --oauth`): it changes the token endpoint.
    OAuth,
    /// A profile (`serve --profile`): it changes how faithfully the server emulates it.
    Profile,
}

impl Fault {
    /// What the server must be configured with for this fault to show.
    pub fn needs(self) -> Needs {
        match self {
            Fault::RateLimit500
            | Fault::RateLimitNoRetryAfter
            | Fault::RateLimitBadRetryAfter
            | Fault::RateLimitHtml
            | Fault::RateLimitNoRecovery
            | Fault::RateLimitFieldsMalformed => Needs::RateLimit,
            Fault::TokenAnySecret | Fault::TokenRefusal400 | Fault::TokenExpiryIgnored => {
                Needs::OAuth
            }
            Fault::ProfileTypesIgnored
            | Fault::ProfileRulesIgnored
            | Fault::ProfileDiscoveryOpen
            | Fault::ProfileExtensionsIgnored => Needs::Profile,
            _ => Needs::Nothing,
        }
    }

    /// Makes this fault's edit. Where two faults set the same knob (the response media type,
    /// the filter case rule, the /Me answer), the one declared first wins whatever the order.
    pub(crate) fn apply(self, model: &mut ServerModel, policies: &mut Policies) {
        (self.edit())(model, policies);
    }
}

/// The model and policies of a server that starts as `model` and exhibits `faults`.
pub(crate) fn exhibit<'f>(
    mut model: ServerModel,
    faults: impl IntoIterator<Item = &'f Fault>,
) -> (ServerModel, Policies) {
    let mut policies = Policies::default();
    for fault in faults {
        fault.apply(&mut model, &mut policies);
    }
    (model, policies)
}

impl fmt::Display for Fault {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.name())
    }
}

/// The error for a name that is not a known fault; its message lists the valid names.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
#[error("unknown fault `{name}`; valid faults are: {}", valid_names())]
pub struct UnknownFault {
    name: String,
}

fn valid_names() -> String {
    Fault::ALL
        .iter()
        .map(|f| f.name())
        .collect::<Vec<_>>()
        .join(", ")
}

impl FromStr for Fault {
    type Err = UnknownFault;

    fn from_str(s: &str) -> Result<Self, Self::Err> {
        let wanted = s.trim();
        Fault::ALL
            .iter()
            .copied()
            .find(|f| f.name().eq_ignore_ascii_case(wanted))
            .ok_or_else(|| UnknownFault { name: s.to_owned() })
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use std::collections::BTreeSet;

    #[test]
    fn names_are_unique_kebab_case_and_round_trip() {
        let mut seen = BTreeSet::new();
        for &fault in Fault::ALL {
            let name = fault.name();
            assert!(seen.insert(name), "duplicate fault name {name}");
            assert!(
                name.chars()
                    .all(|c| c.is_ascii_lowercase() || c.is_ascii_digit() || c == '-'),
                "{name} is not kebab-case"
            );
            assert_eq!(name.parse::<Fault>(), Ok(fault));
            assert!(!fault.description().is_empty());
        }
    }

    #[test]
    fn every_fault_edits_the_model_or_a_policy() {
        let reference = || ServerModel::reference("http://127.0.0.1:9", Some("t".into()));
        let conformant = format!("{:?}", exhibit(reference(), []));
        for &fault in Fault::ALL {
            let faulty = format!("{:?}", exhibit(reference(), [&fault]));
            assert_ne!(faulty, conformant, "{fault} changes nothing");
        }
    }

    #[test]
    fn unknown_name_lists_valid_ones() {
        let err = "no-such-fault".parse::<Fault>().unwrap_err();
        let message = err.to_string();
        assert!(message.contains("no-such-fault"));
        assert!(message.contains("error-status-number"));
        assert!(message.contains("active-string"));
    }
}
