//! Capabilities: features a check needs from the target. Names and skip reasons live in
//! `registry::CAPABILITIES`; this is the type the planner and discovery work with.

use super::registry::CAPABILITIES;
use serde::{Serialize, Serializer};

/// A feature a check needs from the target; checks whose capability is missing are skipped.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash)]
pub enum Capability {
    Patch,
    Bulk,
    Filter,
    Sort,
    Etag,
    ChangePassword,
    /// A bearer token is configured, so unauthenticated requests can be told apart.
    Auth,
    /// The run authenticates with a bearer token (`--token`, or OAuth access tokens), so the
    /// target speaks RFC 6750.
    Bearer,
    /// /ResourceTypes lists a Group resource type.
    Groups,
    /// The User resource type lists the enterprise User extension.
    EnterpriseUser,
    /// `--probe-rate-limit`: the run may burst requests to provoke the server's rate limit.
    ProbeRateLimit,
    /// `--probe-auth` with the OAuth options: the run may send a wrong client secret to the
    /// token endpoint and wait out a token of its own.
    ProbeAuth,
}

impl Capability {
    /// The features a server advertises (in /ServiceProviderConfig or /ResourceTypes), in the
    /// order reports list them; `Auth` is the harness's own and not among them.
    pub const ADVERTISED: [Capability; 8] = [
        Capability::Patch,
        Capability::Bulk,
        Capability::Filter,
        Capability::Sort,
        Capability::Etag,
        Capability::ChangePassword,
        Capability::Groups,
        Capability::EnterpriseUser,
    ];

    /// The name suites use in `requires` (and /ServiceProviderConfig in its feature keys).
    pub fn as_str(self) -> &'static str {
        CAPABILITIES
            .iter()
            .find(|d| d.capability == self)
            .map_or("?", |d| d.name)
    }

    /// The capability a suite names, if any.
    pub fn from_name(name: &str) -> Option<Capability> {
        CAPABILITIES
            .iter()
            .find(|d| d.name == name)
            .map(|d| d.capability)
    }

    /// Why a check that requires this capability is skipped when the target lacks it.
    pub fn skip_reason(self) -> String {
        CAPABILITIES
            .iter()
            .find(|d| d.capability == self)
            .map_or_else(
                || format!("the target lacks {self:?}"),
                |d| d.skip_reason.to_string(),
            )
    }
}

impl Serialize for Capability {
    fn serialize<S: Serializer>(&self, s: S) -> Result<S::Ok, S::Error> {
        s.serialize_str(self.as_str())
    }
}
