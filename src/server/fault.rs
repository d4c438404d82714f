//! Named, deliberate deviations from RFC 7643/7644 that the reference server can be started with,
//! each modelled on a bug seen in a real SCIM service provider.

use std::fmt;
use std::str::FromStr;

macro_rules! faults {
    ($($variant:ident => $name:literal, $desc:literal;)*) => {
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
        }
    };
}

faults! {
    ErrorStatusNumber => "error-status-number", "Error bodies carry `status` as a JSON number instead of a string.";
    ErrorNoDetail => "error-no-detail", "Error bodies omit the human-readable `detail`.";
    ErrorWrapped => "error-wrapped", "Error bodies are wrapped in an `{\"error\": …}` envelope.";
    InvalidScimType => "invalid-scim-type", "A userName conflict uses scimType \"conflict\", which is not an RFC 7644 keyword.";
    ContentTypeJson => "content-type-json", "JSON responses are labelled application/json instead of application/scim+json.";
    ContentTypeJsonScim => "content-type-json-scim", "JSON responses are labelled with the misspelt media type application/json+scim.";
    NotFoundPlain => "not-found-plain", "404 responses are a text/plain \"Not Found\" instead of a SCIM error.";
    NoLocationHeader => "no-location-header", "201 Created responses lack the Location header.";
    MetaLocationRelative => "meta-location-relative", "meta.location and Location are relative paths, not absolute URIs.";
    Delete200WithBody => "delete-200-with-body", "DELETE answers 200 with the deleted resource instead of 204 No Content.";
    DeleteIgnored => "delete-ignored", "DELETE answers 204 but the resource is not removed.";
    DeletedUsernameReserved => "deleted-username-reserved", "A deleted user's userName stays reserved, so reusing it conflicts.";
    ListWithoutSchemas => "list-without-schemas", "ListResponses lack the `schemas` attribute.";
    NoMatch404 => "no-match-404", "A query with zero results answers 404 instead of an empty ListResponse.";
    FilterIgnored => "filter-ignored", "The `filter` query parameter is ignored and every user is returned.";
    UsernameCaseSensitiveUniqueness => "username-case-sensitive-uniqueness", "userName uniqueness compares case-sensitively although userName is caseExact=false.";
    UnstableId => "unstable-id", "Every read reports a freshly generated `id`, so ids are not stable.";
    SpcRequiresAuth => "spc-requires-auth", "Discovery endpoints (/ServiceProviderConfig, /ResourceTypes, /Schemas) require authentication.";
    AuthNotEnforced => "auth-not-enforced", "No request needs a bearer token.";
    NoWwwAuthenticate => "no-www-authenticate", "401 responses lack the WWW-Authenticate header.";
    BadToken403 => "bad-token-403", "A wrong or malformed token answers 403 instead of 401.";
    PasswordReturned => "password-returned", "The stored password is returned in user representations.";
    ClientIdHonoured => "client-id-honoured", "POST uses a client-supplied `id` instead of assigning one.";
    ClientMetaHonoured => "client-meta-honoured", "POST keeps client-supplied meta.created and meta.lastModified.";
    ResourceTypesBareArray => "resource-types-bare-array", "GET /ResourceTypes answers a bare JSON array instead of a ListResponse.";
    SchemasBareArray => "schemas-bare-array", "GET /Schemas answers a bare JSON array instead of a ListResponse.";
    SchemaWithoutSchemas => "schema-without-schemas", "Schema resources lack their `schemas` attribute.";
    SpcStringValues => "spc-string-values", "ServiceProviderConfig booleans and integers are JSON strings.";
    SpcIncomplete => "spc-incomplete", "ServiceProviderConfig lacks bulk, sort, etag, changePassword and authenticationSchemes.";
    InvalidJson500 => "invalid-json-500", "A request body that is not valid JSON answers 500 with a text/plain body.";
    RejectsScimAccept => "rejects-scim-accept", "Accept: application/scim+json alone is refused with 406.";
    RejectsJsonContentType => "rejects-json-content-type", "Request bodies labelled application/json are refused with 415.";
    RejectsCharset => "rejects-charset", "A request Content-Type with any parameter (such as charset) is refused with 415.";
    UsernameNotRequired => "username-not-required", "POST and PUT without userName succeed although userName is required.";
    SchemasNotRequired => "schemas-not-required", "POST without `schemas` succeeds.";
    LenientTypes => "lenient-types", "Values of the wrong JSON type are accepted and stored as sent.";
    AsciiOnly => "ascii-only", "Non-ASCII characters in stored strings are replaced by `?`.";
    ExternalidInvented => "externalid-invented", "POST without externalId gets a server-made externalId.";
    ExternalidLowercased => "externalid-lowercased", "externalId is stored lower-cased although it is caseExact.";
    AttributeNamesCaseSensitive => "attribute-names-case-sensitive", "Body attribute names are matched case-sensitively, so `UserName` is ignored.";
    NullRejected => "null-rejected", "Explicit null or [] values in POST/PUT bodies are refused with 400.";
    SingleValueObject => "single-value-object", "A multi-valued attribute with one element is returned as an object, not an array.";
    TimestampsLocal => "timestamps-local", "meta.created and meta.lastModified carry no UTC offset.";
    LastModifiedSkew => "last-modified-skew", "A fresh resource's lastModified is one second after created.";
    PatchPathlessUnsupported => "patch-pathless-unsupported", "PATCH operations without `path` are refused with 400 noTarget.";
    PutUpsert => "put-upsert", "PUT on an unknown id creates the resource instead of answering 404.";
    ActiveString => "active-string", "Boolean attributes are emitted as the strings \"true\"/\"false\".";
    SpcWithoutSchemas => "spc-without-schemas", "ServiceProviderConfig lacks its `schemas` attribute.";
    SpcAsList => "spc-as-list", "/ServiceProviderConfig answers a ListResponse wrapping the configuration.";
    ResourceTypeEndpointAbsolute => "resource-type-endpoint-absolute", "ResourceType endpoints are absolute URLs, not paths relative to the base URL.";
    SchemasPublishApiUrns => "schemas-publish-api-urns", "/Schemas also lists an API message URN (urn:ietf:params:scim:api:…) as a schema.";
    RejectsJsonAccept => "rejects-json-accept", "Accept: application/json alone is refused with 406.";
    Create200 => "create-200", "POST answers 200 OK instead of 201 Created.";
    CreateEmptyBody => "create-empty-body", "POST answers 201 with an empty body instead of the created resource.";
    GroupsWritable => "groups-writable", "The readOnly User `groups` attribute is stored from client input.";
    MetaIncomplete => "meta-incomplete", "meta lacks resourceType and location.";
    UnknownAttribute500 => "unknown-attribute-500", "An unknown attribute in a POST body answers 500.";
    ListItemsTrimmed => "list-items-trimmed", "Query results carry only id and userName, without schemas.";
    PatchIgnored => "patch-ignored", "PATCH answers 200 with the unchanged resource and applies nothing.";
    PutIgnored => "put-ignored", "PUT answers 200 with the unchanged resource and applies nothing.";
    PutKeepsOmitted => "put-keeps-omitted", "PUT keeps attributes the body leaves out instead of replacing the resource.";
    LastModifiedFrozen => "last-modified-frozen", "meta.lastModified never changes after creation.";
    StartIndexZeroBased => "start-index-zero-based", "startIndex is treated as 0-based, so startIndex=1 skips the first match.";
    ItemsPerPageIsCount => "items-per-page-is-count", "itemsPerPage echoes the requested count instead of the number of resources returned.";
    CountZeroReturnsAll => "count-zero-returns-all", "count=0 returns every match instead of none.";
    NegativeCount500 => "negative-count-500", "A negative count answers 500 instead of being treated as 0.";
    StartIndexPastEnd404 => "start-index-past-end-404", "A startIndex past the end answers 404 instead of an empty page.";
    CountOverMax400 => "count-over-max-400", "A count above maxResults answers 400 tooMany instead of being capped.";
    UnstableOrder => "unstable-order", "Pages after the first come from the reversed result order, so walking pages repeats and skips resources.";
    FilterNamesCaseSensitive => "filter-names-case-sensitive", "Attribute names in filters are matched case-sensitively, so `USERNAME eq …` is refused.";
    FilterOperatorsCaseSensitive => "filter-operators-case-sensitive", "Filter operators and logical keywords must be lower case (`EQ`, `AND`, `Or` are refused).";
    FilterValuesCaseSensitive => "filter-values-case-sensitive", "Filters compare every string case-sensitively, ignoring caseExact=false.";
    FilterValuesCaseInsensitive => "filter-values-case-insensitive", "Filters compare every string case-insensitively, ignoring caseExact=true (externalId, id).";
    CoAsEq => "co-as-eq", "The `co` filter operator behaves like `eq`.";
    SwAsCo => "sw-as-co", "The `sw` filter operator behaves like `co`.";
    EwUnsupported => "ew-unsupported", "The `ew` filter operator is refused with invalidFilter although filtering is advertised.";
    NeAsEq => "ne-as-eq", "The `ne` filter operator behaves like `eq`.";
    AndLooserThanOr => "and-looser-than-or", "`a or b and c` is evaluated as `(a or b) and c`.";
    NotIgnored => "not-ignored", "`not (x)` is evaluated as `x`.";
    FilterUnknownAttributeEmpty => "filter-unknown-attribute-empty", "A filter on an unknown attribute answers an empty list instead of 400 invalidFilter.";
    PrCountsEmpty => "pr-counts-empty", "`pr` is true for empty strings and arrays.";
    DatetimeComparedAsString => "datetime-compared-as-string", "gt/ge/lt/le on dateTime attributes compare the raw strings, which is wrong across UTC offsets.";
    ValueFilterCrossElement => "value-filter-cross-element", "In `attr[a and b]` the conditions may be met by different elements.";
    SortOrderIgnored => "sort-order-ignored", "sortOrder=descending is ignored.";
    SortCaseSensitive => "sort-case-sensitive", "Sorting on caseExact=false strings is case-sensitive (upper case before lower case).";
    SortMissingFirst => "sort-missing-first", "Resources without the sort attribute come first when ascending (and last when descending).";
    SortByIgnored => "sort-by-ignored", "sortBy is ignored; results stay in creation order.";
    AttributesIgnored => "attributes-ignored", "The `attributes` parameter is ignored.";
    ExcludedAttributesIgnored => "excluded-attributes-ignored", "The `excludedAttributes` parameter is ignored.";
    AlwaysAttributesExcludable => "always-attributes-excludable", "excludedAttributes can remove `id`, which is returned always.";
    ProjectionNamesCaseSensitive => "projection-names-case-sensitive", "Names in attributes/excludedAttributes are matched case-sensitively.";
    SubAttributeProjectionWhole => "sub-attribute-projection-whole", "`attributes=name.givenName` returns the whole `name`.";
    PasswordOnRequest => "password-on-request", "`attributes=password` returns the stored password.";
    ResourcesKeyLowercase => "resources-key-lowercase", "ListResponses name their array `resources` instead of `Resources`.";
    SearchAsId => "search-as-id", "POST /Users/.search and /.search answer 404 \"User '.search' not found\".";
    SearchIgnoresFilter => "search-ignores-filter", "POST .search ignores the body's filter and returns every user.";
    SearchCountIgnored => "search-count-ignored", "POST .search ignores the body's count and startIndex.";
    SearchSchemaNotRequired => "search-schema-not-required", "A SearchRequest without the SearchRequest `schemas` is accepted.";
    RootSearchUnsupported => "root-search-unsupported", "POST /.search answers 404 although POST /Users/.search works.";
    ProjectionIgnoredOnWrite => "projection-ignored-on-write", "`attributes` and `excludedAttributes` are ignored on POST, PUT and PATCH responses.";
    PatchOpCaseSensitive => "patch-op-case-sensitive", "PATCH op names must be lower case, so Entra's `Replace` and `Add` are refused with 400 invalidSyntax.";
    PatchAddReplacesMembers => "patch-add-replaces-members", "PATCH `add` on a multi-valued attribute such as members replaces the whole list instead of appending.";
    PatchRemoveFilterRemovesAll => "patch-remove-filter-removes-all", "PATCH `remove` with a value filter (members[value eq …]) removes every value of the attribute.";
    PatchValueFilterUnsupported => "patch-value-filter-unsupported", "PATCH paths with a value filter (emails[type eq \"work\"].value) answer 501.";
    PatchStringBooleanRejected => "patch-string-boolean-rejected", "PATCH values \"True\"/\"False\" for boolean attributes (Entra's default job) are refused with 400 invalidValue.";
    PatchNotAtomic => "patch-not-atomic", "When a PATCH operation fails, the operations before it stay applied.";
    PrimaryNotUnique => "primary-not-unique", "Setting primary on one value of a multi-valued attribute leaves primary set on the others.";
    PatchReturns204 => "patch-returns-204", "Every successful PATCH answers 204 without a body, even when `attributes` asks for one.";
    PatchNoTargetIgnored => "patch-no-target-ignored", "A PATCH replace/remove whose value filter matches nothing answers 200 instead of 400 noTarget.";
    PatchRemoveRequiredAllowed => "patch-remove-required-allowed", "PATCH may remove a required attribute (userName, a group's displayName).";
    PatchReadonlyAllowed => "patch-readonly-allowed", "PATCH may replace readOnly `id` and `meta.created`, and the new values are stored.";
    PatchPathNamesCaseSensitive => "patch-path-names-case-sensitive", "Attribute names in PATCH paths are matched case-sensitively, so `Emails[Type eq …]` is 400 invalidPath.";
    PatchAddDuplicates => "patch-add-duplicates", "PATCH `add` appends values that are already present, so a member can be listed twice.";
    GroupPathlessReplaceClearsMembers => "group-pathless-replace-clears-members", "A path-less PATCH replace on a Group that does not mention members empties the member list.";
    MemberRefMissing => "member-ref-missing", "Group members carry no `$ref`.";
    MemberValueUnchecked => "member-value-unchecked", "A group member value that names no resource is stored instead of refused.";
    UserGroupsNotMaintained => "user-groups-not-maintained", "The User `groups` attribute is never populated from group membership.";
    DeleteUserKeepsMembership => "delete-user-keeps-membership", "Deleting a user leaves it in its groups' members.";
    GroupDisplayNameOptional => "group-display-name-optional", "A Group without displayName is created.";
    EnterpriseUrnMissing => "enterprise-urn-missing", "Enterprise extension data is returned but its URN is missing from `schemas`.";
    ManagerDisplayNameWritable => "manager-display-name-writable", "A client-supplied readOnly manager.displayName is stored and returned.";
    ManagerRefMissing => "manager-ref-missing", "The enterprise manager carries no `$ref`.";
    EtagHeaderMissing => "etag-header-missing", "Single-resource responses carry no ETag header although meta.version is set.";
    EtagVersionMismatch => "etag-version-mismatch", "The ETag header is the strong tag \"n\" while meta.version is W/\"n\".";
    EtagIfMatchIgnored => "etag-if-match-ignored", "If-Match is ignored: a stale version never answers 412.";
    EtagIfNoneMatchIgnored => "etag-if-none-match-ignored", "If-None-Match is ignored: GET always answers 200 with the body, never 304.";
    EtagNotUpdated => "etag-not-updated", "meta.version and the ETag never change after creation.";
    BulkidNotResolved => "bulkid-not-resolved", "`bulkId:` references in Bulk operations are not resolved and reach validation literally.";
    BulkFailOnErrorsIgnored => "bulk-fail-on-errors-ignored", "Bulk failOnErrors is ignored: every operation is tried.";
    BulkMaxOperationsIgnored => "bulk-max-operations-ignored", "Bulk requests with more than maxOperations operations are processed instead of answering 413.";
    BulkMaxPayloadIgnored => "bulk-max-payload-ignored", "Bulk requests larger than maxPayloadSize are processed instead of answering 413.";
    BulkStatusNumber => "bulk-status-number", "Each Bulk result's `status` is a JSON number instead of a string.";
    BulkPostWithoutBulkidAccepted => "bulk-post-without-bulkid-accepted", "A Bulk POST operation without bulkId is processed instead of failing with 400.";
    Me404 => "me-404", "/Me answers 404 instead of 501 Not Implemented.";
    Me501WithoutBody => "me-501-without-body", "/Me answers 501 with an empty body instead of a SCIM error.";
    PutIdChanges => "put-id-changes", "A PUT whose body `id` differs from the path id moves the resource to the body's id.";
    LastModifiedUnchangedOnPatch => "last-modified-unchanged-on-patch", "PATCH does not move meta.lastModified (PUT does).";
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
    fn unknown_name_lists_valid_ones() {
        let err = "no-such-fault".parse::<Fault>().unwrap_err();
        let message = err.to_string();
        assert!(message.contains("no-such-fault"));
        assert!(message.contains("error-status-number"));
        assert!(message.contains("active-string"));
    }
}
