//! The one list of the suite language's named parts: built-in steps, capabilities and assertion
//! predicates. `load` compiles through it, the planner reads skip reasons from it, and a test
//! holds `suites/suite.schema.json` to it.

use super::builtin::ArgReader;
use super::{
    AdvertisedArgs, BuiltinCall, Capability, JsonTemplate, JsonType, PageWalkArgs, Pattern,
    Predicate,
};

/// A built-in step: its name in suites, what it checks, its arguments and how to read them.
#[derive(Debug)]
pub(crate) struct BuiltinDef {
    pub name: &'static str,
    pub description: &'static str,
    pub arguments: &'static [&'static str],
    pub compile: fn(&mut dyn ArgReader) -> Option<BuiltinCall>,
}

pub(crate) const BUILTINS: &[BuiltinDef] = &[
    BuiltinDef {
        name: "resource-type-schemas-published",
        description: "every schema a ResourceType names is published in /Schemas with an equal id",
        arguments: &[],
        compile: |_| Some(BuiltinCall::ResourceTypeSchemasPublished),
    },
    BuiltinDef {
        name: "page-walk",
        description: "paging with `count` from startIndex 1 sees each of `ids` exactly once",
        arguments: &["endpoint", "filter", "count", "ids"],
        compile: |r| PageWalkArgs::read(r).map(BuiltinCall::PageWalk),
    },
    BuiltinDef {
        name: "bulk-over-max-operations",
        description: "a bulk request one operation over bulk.maxOperations answers 413",
        arguments: &[],
        compile: |_| Some(BuiltinCall::BulkOverMaxOperations),
    },
    BuiltinDef {
        name: "bulk-over-max-payload",
        description: "a bulk request one byte over bulk.maxPayloadSize answers 413",
        arguments: &[],
        compile: |_| Some(BuiltinCall::BulkOverMaxPayload),
    },
    BuiltinDef {
        name: "advertised-matches",
        description: "what /ServiceProviderConfig says of `feature` (filter, sort, etag, patch, bulk) is what a probe of it on the check's own user shows",
        arguments: &["feature", "id", "name", "other", "scope"],
        compile: |r| AdvertisedArgs::read(r).map(BuiltinCall::AdvertisedMatches),
    },
    BuiltinDef {
        name: "wait-a-second",
        description: "waits 1.1 s, so a server that records times to the second is in a later second",
        arguments: &[],
        compile: |_| Some(BuiltinCall::WaitASecond),
    },
    BuiltinDef {
        name: "rate-limit-probe",
        description: "bursts GET /Users?count=1 (100 requests, 10 at a time, no retries) and judges one `aspect` of the refusal: refusal, provoke, provoke-with-retry-after, retry-after-present, retry-after-valid, scim-error, recovers, fields-present, fields-valid (the RateLimit header fields of the served answers and the refusal)",
        arguments: &["aspect"],
        compile: |r| {
            super::builtin::read_choice(
                r,
                "rate-limit-probe",
                "aspect",
                &super::RateLimitAspect::ALL,
            )
            .map(BuiltinCall::RateLimitProbe)
        },
    },
    BuiltinDef {
        name: "oauth-wrong-secret",
        description: "asks the OAuth token endpoint for a token with a wrong client secret and judges one `aspect` of the refusal: refused, challenge",
        arguments: &["aspect"],
        compile: |r| {
            super::builtin::read_choice(
                r,
                "oauth-wrong-secret",
                "aspect",
                &[
                    (super::TokenAspect::Refused, "refused"),
                    (super::TokenAspect::Challenge, "challenge"),
                ],
            )
            .map(BuiltinCall::OAuthWrongSecret)
        },
    },
    BuiltinDef {
        name: "oauth-expired-token",
        description: "fetches an OAuth access token of the check's own; `aspect` usable: it serves GET /Users?count=1 and lives no longer than --max-retry-wait; refused: once expired, it is refused",
        arguments: &["aspect"],
        compile: |r| {
            super::builtin::read_choice(
                r,
                "oauth-expired-token",
                "aspect",
                &[
                    (super::ExpiryAspect::Usable, "usable"),
                    (super::ExpiryAspect::Refused, "refused"),
                ],
            )
            .map(BuiltinCall::OAuthExpiredToken)
        },
    },
];

/// A capability: its name in `requires` and why a check needing it is skipped without it.
#[derive(Debug)]
pub(crate) struct CapabilityDef {
    pub name: &'static str,
    pub capability: Capability,
    pub skip_reason: &'static str,
}

macro_rules! advertised {
    ($name:literal, $cap:ident) => {
        CapabilityDef {
            name: $name,
            capability: Capability::$cap,
            skip_reason: concat!(
                "the server does not advertise ",
                $name,
                ".supported in /ServiceProviderConfig"
            ),
        }
    };
}

pub(crate) const CAPABILITIES: &[CapabilityDef] = &[
    advertised!("patch", Patch),
    advertised!("bulk", Bulk),
    advertised!("filter", Filter),
    advertised!("sort", Sort),
    advertised!("etag", Etag),
    advertised!("changePassword", ChangePassword),
    CapabilityDef {
        name: "auth",
        capability: Capability::Auth,
        skip_reason: "no credential configured (--token, --user or the OAuth options): unauthenticated requests cannot be told apart",
    },
    CapabilityDef {
        name: "bearer",
        capability: Capability::Bearer,
        skip_reason: "the run does not authenticate with a bearer token (--token or the OAuth options)",
    },
    CapabilityDef {
        name: "probe-rate-limit",
        capability: Capability::ProbeRateLimit,
        skip_reason: "opt-in: --probe-rate-limit bursts requests at the server to provoke its rate limit",
    },
    CapabilityDef {
        name: "probe-auth",
        capability: Capability::ProbeAuth,
        skip_reason: "opt-in: --probe-auth (with the OAuth options) sends a wrong client secret to the token endpoint and waits out a token's lifetime",
    },
    CapabilityDef {
        name: "groups",
        capability: Capability::Groups,
        skip_reason: "/ResourceTypes lists no Group resource type",
    },
    CapabilityDef {
        name: "enterpriseUser",
        capability: Capability::EnterpriseUser,
        skip_reason: "the User resource type does not list the enterprise User extension",
    },
];

/// What a predicate's YAML value must be.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) enum Operand {
    /// `true` or `false`.
    Flag,
    /// Any JSON value; strings (and keys) inside are templated.
    Value,
    /// An array of JSON values, each templated.
    Values,
    /// A JSON type name.
    Type,
    /// A regular expression, possibly templated.
    Regex,
    /// An integer ≥ 0.
    Count,
    /// A number.
    Number,
}

/// A predicate's operand as `load` read it.
#[derive(Debug)]
pub(crate) enum Arg {
    Flag(bool),
    Value(JsonTemplate),
    Values(Vec<JsonTemplate>),
    Type(JsonType),
    Regex(Pattern),
    Count(usize),
    Number(f64),
}

/// A predicate: its key in an assertion, its operand, and the predicate it builds (`None`: the
/// key asks for nothing, as `absent: false` does).
#[derive(Debug)]
pub(crate) struct PredicateDef {
    pub name: &'static str,
    pub operand: Operand,
    pub build: fn(Arg) -> Option<Predicate>,
}

/// In evaluation order: findings of one assertion are listed in this order.
pub(crate) const PREDICATES: &[PredicateDef] = &[
    PredicateDef {
        name: "present",
        operand: Operand::Flag,
        build: |a| match a {
            Arg::Flag(true) => Some(Predicate::Present),
            Arg::Flag(false) => Some(Predicate::Absent),
            _ => None,
        },
    },
    PredicateDef {
        name: "absent",
        operand: Operand::Flag,
        build: |a| matches!(a, Arg::Flag(true)).then_some(Predicate::Absent),
    },
    PredicateDef {
        name: "optional",
        operand: Operand::Flag,
        build: |a| matches!(a, Arg::Flag(true)).then_some(Predicate::Optional),
    },
    PredicateDef {
        name: "type",
        operand: Operand::Type,
        build: |a| match a {
            Arg::Type(t) => Some(Predicate::Type(t)),
            _ => None,
        },
    },
    PredicateDef {
        name: "equals",
        operand: Operand::Value,
        build: |a| a.value().map(Predicate::Equals),
    },
    PredicateDef {
        name: "not_equals",
        operand: Operand::Value,
        build: |a| a.value().map(Predicate::NotEquals),
    },
    PredicateDef {
        name: "one_of",
        operand: Operand::Values,
        build: |a| match a {
            Arg::Values(v) => Some(Predicate::OneOf(v)),
            _ => None,
        },
    },
    PredicateDef {
        name: "matches",
        operand: Operand::Regex,
        build: |a| a.regex().map(Predicate::Matches),
    },
    PredicateDef {
        name: "not_matches",
        operand: Operand::Regex,
        build: |a| a.regex().map(Predicate::NotMatches),
    },
    PredicateDef {
        name: "contains",
        operand: Operand::Value,
        build: |a| a.value().map(Predicate::Contains),
    },
    PredicateDef {
        name: "not_contains",
        operand: Operand::Value,
        build: |a| a.value().map(Predicate::NotContains),
    },
    PredicateDef {
        name: "length",
        operand: Operand::Count,
        build: |a| a.count().map(Predicate::Length),
    },
    PredicateDef {
        name: "min_length",
        operand: Operand::Count,
        build: |a| a.count().map(Predicate::MinLength),
    },
    PredicateDef {
        name: "at_least",
        operand: Operand::Number,
        build: |a| match a {
            Arg::Number(n) => Some(Predicate::AtLeast(n)),
            _ => None,
        },
    },
];

impl Arg {
    fn value(self) -> Option<JsonTemplate> {
        match self {
            Arg::Value(v) => Some(v),
            _ => None,
        }
    }
    fn regex(self) -> Option<Pattern> {
        match self {
            Arg::Regex(p) => Some(p),
            _ => None,
        }
    }
    fn count(self) -> Option<usize> {
        match self {
            Arg::Count(n) => Some(n),
            _ => None,
        }
    }
}

/// The built-in steps suites may call, as (name, what it checks): for documentation and listings.
pub fn builtin_steps() -> impl Iterator<Item = (&'static str, &'static str)> {
    BUILTINS.iter().map(|d| (d.name, d.description))
}

/// Names of a registry's entries, for messages.
pub(crate) fn names<T>(defs: &[T], name: impl Fn(&T) -> &'static str) -> Vec<&'static str> {
    defs.iter().map(name).collect()
}

#[cfg(test)]
#[path = "registry_tests.rs"]
mod tests;
