//! Built-in steps as typed calls: each built-in's arguments are a struct checked at load time,
//! so a run never discovers a missing or misspelt argument.

use super::{Origin, Template};

/// A built-in step and where it is written.
#[derive(Debug, Clone)]
pub struct BuiltinStep {
    pub call: BuiltinCall,
    /// The role the suite declares, if it overrides the inferred one.
    pub role: Option<super::Role>,
    pub origin: Origin,
}

/// A call of one built-in step (named in `registry::BUILTINS`) with its checked arguments.
#[derive(Debug, Clone)]
pub enum BuiltinCall {
    ResourceTypeSchemasPublished,
    PageWalk(PageWalkArgs),
    BulkOverMaxOperations,
    BulkOverMaxPayload,
    AdvertisedMatches(AdvertisedArgs),
    /// Lets more than a second pass, so a server that keeps times to the second has a later one.
    WaitASecond,
    /// A bounded burst of GETs, and one aspect of how the server refused it (`--probe-rate-limit`).
    RateLimitProbe(RateLimitAspect),
    /// A token request with a wrong client secret, and one aspect of its refusal (`--probe-auth`).
    OAuthWrongSecret(TokenAspect),
    /// A token of the check's own, used while valid and again once expired.
    OAuthExpiredToken(ExpiryAspect),
}

/// What a `rate-limit-probe` step does or judges. The `provoke*` aspects burst (as setup); the
/// others judge the refusal the last burst provoked.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum RateLimitAspect {
    /// Burst; passes unless the burst was refused otherwise than with 429 (or 503 with
    /// Retry-After).
    Refusal,
    /// Burst until a 429.
    Provoke,
    /// Burst until a 429 that carries a usable Retry-After.
    ProvokeWithRetryAfter,
    RetryAfterPresent,
    RetryAfterValid,
    ScimError,
    /// Waits out the Retry-After, then is served again.
    Recovers,
    /// Burst; passes when a served answer or the refusal carries a RateLimit field.
    FieldsPresent,
    /// Of the burst's answers: every RateLimit field is well-formed.
    FieldsValid,
}

impl RateLimitAspect {
    pub const ALL: [(RateLimitAspect, &'static str); 9] = [
        (RateLimitAspect::Refusal, "refusal"),
        (RateLimitAspect::Provoke, "provoke"),
        (
            RateLimitAspect::ProvokeWithRetryAfter,
            "provoke-with-retry-after",
        ),
        (RateLimitAspect::RetryAfterPresent, "retry-after-present"),
        (RateLimitAspect::RetryAfterValid, "retry-after-valid"),
        (RateLimitAspect::ScimError, "scim-error"),
        (RateLimitAspect::Recovers, "recovers"),
        (RateLimitAspect::FieldsPresent, "fields-present"),
        (RateLimitAspect::FieldsValid, "fields-valid"),
    ];
}

/// What an `oauth-wrong-secret` step judges.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum TokenAspect {
    /// Sends the request: no token is issued, the answer is a 400/401 `invalid_client`.
    Refused,
    /// Of the last answer: 401 with a WWW-Authenticate challenge for Basic.
    Challenge,
}

/// What an `oauth-expired-token` step does.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum ExpiryAspect {
    /// Fetches a token whose `expires_in` is short enough to wait out, and is served with it.
    Usable,
    /// Waits until that token has expired, then is refused with it.
    Refused,
}

/// Reads a one-word argument `key` naming one of `names`.
pub(crate) fn read_choice<T: Copy>(
    r: &mut dyn ArgReader,
    builtin: &str,
    key: &str,
    names: &[(T, &'static str)],
) -> Option<T> {
    let list = names.iter().map(|(_, n)| *n).collect::<Vec<_>>().join(", ");
    let given = r.required_text(key, &format!("{builtin} needs `{key}`: one of {list}"))?;
    let found = names
        .iter()
        .find(|(_, n)| *n == given.as_str())
        .map(|(v, _)| *v);
    if found.is_none() {
        r.invalid(
            key,
            &format!("unknown {key} `{}`: one of {list}", given.as_str()),
        );
    }
    found
}

impl BuiltinCall {
    /// Its name in suites.
    pub fn name(&self) -> &'static str {
        match self {
            BuiltinCall::ResourceTypeSchemasPublished => "resource-type-schemas-published",
            BuiltinCall::PageWalk(_) => "page-walk",
            BuiltinCall::BulkOverMaxOperations => "bulk-over-max-operations",
            BuiltinCall::BulkOverMaxPayload => "bulk-over-max-payload",
            BuiltinCall::AdvertisedMatches(_) => "advertised-matches",
            BuiltinCall::WaitASecond => "wait-a-second",
            BuiltinCall::RateLimitProbe(_) => "rate-limit-probe",
            BuiltinCall::OAuthWrongSecret(_) => "oauth-wrong-secret",
            BuiltinCall::OAuthExpiredToken(_) => "oauth-expired-token",
        }
    }

    /// Whether it sends a write (a bulk request, a probe PUT or PATCH).
    pub fn writes(&self) -> bool {
        matches!(
            self,
            BuiltinCall::BulkOverMaxOperations
                | BuiltinCall::BulkOverMaxPayload
                | BuiltinCall::AdvertisedMatches(_)
        )
    }
}

/// A feature /ServiceProviderConfig advertises, probed by `advertised-matches`.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Feature {
    Filter,
    Sort,
    Etag,
    Patch,
    Bulk,
    ChangePassword,
}

impl Feature {
    pub const ALL: [Feature; 6] = [
        Feature::Filter,
        Feature::Sort,
        Feature::Etag,
        Feature::Patch,
        Feature::Bulk,
        Feature::ChangePassword,
    ];
    /// Its name in /ServiceProviderConfig (and in `with: {feature: …}`).
    pub fn as_str(self) -> &'static str {
        match self {
            Feature::Filter => "filter",
            Feature::Sort => "sort",
            Feature::Etag => "etag",
            Feature::Patch => "patch",
            Feature::Bulk => "bulk",
            Feature::ChangePassword => "changePassword",
        }
    }
}

/// Arguments of `advertised-matches`.
#[derive(Debug, Clone)]
pub struct AdvertisedArgs {
    pub feature: Feature,
    /// A user the check created (probes read, patch or sort it).
    pub id: Template,
    /// Its userName.
    pub name: Template,
    /// A second user, whose userName sorts after the first (`sort`).
    pub other: Option<Template>,
    /// A filter scoping a list to the check's own users (`sort`).
    pub scope: Option<Template>,
}

/// Arguments of `page-walk`.
#[derive(Debug, Clone)]
pub struct PageWalkArgs {
    /// The collection to walk (default `/Users`).
    pub endpoint: Template,
    /// A filter scoping the walk to the check's own data.
    pub filter: Template,
    /// The page size asked for.
    pub count: usize,
    /// The resources that must each be seen exactly once.
    pub ids: Vec<Template>,
}

/// How a built-in's arguments are read from its `with:` mapping; `load` implements it and
/// reports every problem at the argument's position.
pub(crate) trait ArgReader {
    /// An optional string argument (templated).
    fn text(&mut self, key: &str) -> Option<Template>;
    /// A required string argument; `why` is the message when it is missing.
    fn required_text(&mut self, key: &str, why: &str) -> Option<Template>;
    /// A required integer above zero.
    fn positive(&mut self, key: &str, why: &str) -> Option<usize>;
    /// A required, non-empty list of strings (each templated).
    fn text_list(&mut self, key: &str, why: &str) -> Option<Vec<Template>>;
    /// Reports an argument that is present but not acceptable.
    fn invalid(&mut self, key: &str, why: &str);
}

impl AdvertisedArgs {
    pub(crate) fn read(r: &mut dyn ArgReader) -> Option<AdvertisedArgs> {
        let feature = r.required_text(
            "feature",
            "advertised-matches needs a `feature`: filter, sort, etag, patch or bulk",
        );
        let id = r.required_text(
            "id",
            "advertised-matches needs the `id` of a user it created",
        );
        let name = r.required_text("name", "advertised-matches needs that user's `name`");
        let other = r.text("other");
        let scope = r.text("scope");
        let feature = feature?;
        let Some(feature) = Feature::ALL
            .into_iter()
            .find(|f| f.as_str() == feature.as_str())
        else {
            r.invalid(
                "feature",
                &format!(
                    "unknown feature `{}`: filter, sort, etag, patch or bulk",
                    feature.as_str()
                ),
            );
            return None;
        };
        if feature == Feature::Sort && (other.is_none() || scope.is_none()) {
            r.invalid(
                "feature",
                "sort needs `other` (a second user) and `scope` (a filter for the check's users)",
            );
            return None;
        }
        Some(AdvertisedArgs {
            feature,
            id: id?,
            name: name?,
            other,
            scope,
        })
    }
}

impl PageWalkArgs {
    pub(crate) fn read(r: &mut dyn ArgReader) -> Option<PageWalkArgs> {
        let endpoint = r.text("endpoint");
        let filter = r.required_text(
            "filter",
            "page-walk needs a `filter` scoping the walk to the check's own data",
        );
        let count = r.positive("count", "page-walk needs a positive `count`");
        let ids = r.text_list(
            "ids",
            "page-walk needs `ids`: the resources that must each be seen once",
        );
        Some(PageWalkArgs {
            endpoint: endpoint.unwrap_or_else(|| Template::literal("/Users")),
            filter: filter?,
            count: count?,
            ids: ids?,
        })
    }
}
