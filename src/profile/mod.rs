//! Profiles: one SCIM client's or vendor's contract as data (`profiles/<name>.yaml`), read by
//! the harness (`run --profile`) and, later, by the reference server (`serve --profile`). This
//! module holds the typed form; `load::profile` parses and validates the files.

use serde::Deserialize;
use std::collections::BTreeMap;

/// A validated profile.
#[derive(Debug, Clone, Deserialize, PartialEq)]
#[serde(deny_unknown_fields)]
pub struct Profile {
    pub name: String,
    pub description: String,
    #[serde(default)]
    pub sources: Vec<String>,
    pub scim_version: ScimVersion,
    pub base_path: String,
    pub resource_types: Vec<ResourceTypeName>,
    #[serde(default)]
    pub extensions: Vec<Extension>,
    #[serde(default)]
    pub rules: Vec<Rule>,
    #[serde(default)]
    pub filterable: Vec<String>,
    #[serde(default)]
    pub paging: Paging,
    #[serde(default)]
    pub auth: AuthContract,
    pub rate_limit: Option<String>,
    #[serde(default)]
    pub areas: Areas,
    #[serde(default)]
    pub fixtures: BTreeMap<String, serde_json::Value>,
    /// Suite files of the profile's own checks, relative to the profile file.
    #[serde(default)]
    pub checks: Vec<String>,
}

#[derive(Debug, Clone, Copy, Deserialize, PartialEq, Eq)]
pub enum ScimVersion {
    #[serde(rename = "2.0")]
    V2,
    #[serde(rename = "1.1")]
    V1_1,
}

impl ScimVersion {
    pub fn as_str(self) -> &'static str {
        match self {
            ScimVersion::V2 => "2.0",
            ScimVersion::V1_1 => "1.1",
        }
    }
}

#[derive(Debug, Clone, Copy, Deserialize, PartialEq, Eq)]
pub enum ResourceTypeName {
    User,
    Group,
}

/// A schema extension of the User resource type.
#[derive(Debug, Clone, Deserialize, PartialEq)]
#[serde(deny_unknown_fields)]
pub struct Extension {
    pub urn: String,
    pub name: Option<String>,
    pub description: Option<String>,
    #[serde(default)]
    pub attributes: Vec<Attribute>,
}

/// An attribute a profile defines in an extension of its own.
#[derive(Debug, Clone, Deserialize, PartialEq)]
#[serde(deny_unknown_fields)]
pub struct Attribute {
    pub name: String,
    #[serde(rename = "type")]
    pub ty: AttributeType,
    pub description: Option<String>,
    #[serde(default)]
    pub multi_valued: bool,
    #[serde(default)]
    pub required: bool,
    pub max_length: Option<usize>,
    pub pattern: Option<String>,
    pub one_of: Option<Vec<String>>,
    pub refers_to: Option<UserKey>,
}

#[derive(Debug, Clone, Copy, Deserialize, PartialEq, Eq)]
#[serde(rename_all = "camelCase")]
pub enum AttributeType {
    String,
    Boolean,
    Integer,
    Decimal,
    DateTime,
    Reference,
}

/// The attribute by which a value names an existing user.
#[derive(Debug, Clone, Copy, Deserialize, PartialEq, Eq)]
#[serde(rename_all = "camelCase")]
pub enum UserKey {
    UserName,
    Id,
    ExternalId,
}

/// A value rule on a User attribute, beyond the RFC's.
#[derive(Debug, Clone, Deserialize, PartialEq)]
#[serde(deny_unknown_fields)]
pub struct Rule {
    pub attribute: String,
    #[serde(default)]
    pub required: bool,
    pub max_length: Option<usize>,
    pub pattern: Option<String>,
    pub format: Option<Format>,
    pub one_of: Option<Vec<String>>,
    pub same_as: Option<String>,
    pub refers_to: Option<UserKey>,
    pub note: Option<String>,
}

#[derive(Debug, Clone, Copy, Deserialize, PartialEq, Eq)]
#[serde(rename_all = "lowercase")]
pub enum Format {
    Email,
    E164,
    Iso8601,
}

#[derive(Debug, Clone, Default, Deserialize, PartialEq, Eq)]
#[serde(deny_unknown_fields)]
pub struct Paging {
    pub default_count: Option<u64>,
    pub max_count: Option<u64>,
}

#[derive(Debug, Clone, Default, Deserialize, PartialEq, Eq)]
#[serde(deny_unknown_fields)]
pub struct AuthContract {
    #[serde(default)]
    pub schemes: Vec<AuthScheme>,
    /// Discovery endpoints answered without credentials.
    pub open_discovery: Option<Vec<String>>,
    pub token_lifetime: Option<TokenLifetime>,
}

#[derive(Debug, Clone, Copy, Deserialize, PartialEq, Eq)]
#[serde(rename_all = "lowercase")]
pub enum AuthScheme {
    Bearer,
    Basic,
    Oauth,
}

#[derive(Debug, Clone, Copy, Default, Deserialize, PartialEq, Eq)]
#[serde(deny_unknown_fields)]
pub struct TokenLifetime {
    pub min: Option<u64>,
    pub max: Option<u64>,
}

#[derive(Debug, Clone, Default, Deserialize, PartialEq, Eq)]
#[serde(deny_unknown_fields)]
pub struct Areas {
    /// RFC check areas that do not apply, each with the reason.
    #[serde(default)]
    pub drop: BTreeMap<String, String>,
}

impl Profile {
    /// Why a check of this `area` (its id's first segment) does not apply, if it does not.
    pub fn dropped(&self, area: &str) -> Option<&str> {
        self.areas.drop.get(area).map(String::as_str)
    }
}
