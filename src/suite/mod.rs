//! The suite model: checks, steps, expectations and captures, as data with no I/O.

mod template;

pub use template::{Template, TemplateError, Vars, json_strings, render_json};

use serde::{Deserialize, Serialize};
use serde_json::Value;
use std::collections::BTreeMap;
use std::fmt;

/// A stable, dotted, lowercase check id such as `users.create.returns-201-with-id`.
#[derive(Debug, Clone, PartialEq, Eq, PartialOrd, Ord, Hash, Serialize, Deserialize)]
#[serde(transparent)]
pub struct CheckId(pub String);

impl CheckId {
    pub fn as_str(&self) -> &str {
        &self.0
    }
}

impl fmt::Display for CheckId {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(&self.0)
    }
}

/// Requirement level as the RFCs use it.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash, Serialize, Deserialize)]
pub enum Level {
    #[serde(rename = "MUST")]
    Must,
    #[serde(rename = "SHOULD")]
    Should,
    #[serde(rename = "MAY")]
    May,
}

impl Level {
    pub fn as_str(self) -> &'static str {
        match self {
            Level::Must => "MUST",
            Level::Should => "SHOULD",
            Level::May => "MAY",
        }
    }
}

impl fmt::Display for Level {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.as_str())
    }
}

/// A feature a check needs from the target; checks whose capability is missing are skipped.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub enum Capability {
    Patch,
    Bulk,
    Filter,
    Sort,
    Etag,
    ChangePassword,
    /// A bearer token is configured, so unauthenticated requests can be told apart.
    Auth,
    /// /ResourceTypes lists a Group resource type.
    Groups,
    /// The User resource type lists the enterprise User extension.
    EnterpriseUser,
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

    pub fn as_str(self) -> &'static str {
        match self {
            Capability::Patch => "patch",
            Capability::Bulk => "bulk",
            Capability::Filter => "filter",
            Capability::Sort => "sort",
            Capability::Etag => "etag",
            Capability::ChangePassword => "changePassword",
            Capability::Auth => "auth",
            Capability::Groups => "groups",
            Capability::EnterpriseUser => "enterpriseUser",
        }
    }
}

/// Where a check came from, for diagnostics and reports.
#[derive(Debug, Clone, PartialEq, Eq, Default, Serialize)]
pub struct Origin {
    pub file: String,
    pub line: usize,
    pub col: usize,
}

impl fmt::Display for Origin {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "{}:{}:{}", self.file, self.line, self.col)
    }
}

/// One observable requirement.
#[derive(Debug, Clone, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct Check {
    pub id: CheckId,
    pub title: String,
    pub level: Level,
    pub spec: String,
    #[serde(default, rename = "ref")]
    pub catalogue_ref: Option<String>,
    #[serde(default)]
    pub tags: Vec<String>,
    #[serde(default)]
    pub requires: Vec<Capability>,
    pub steps: Vec<Step>,
    #[serde(skip)]
    pub origin: Origin,
}

/// A step is either an HTTP request with expectations, or a named built-in step implemented in Rust.
#[derive(Debug, Clone, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct Step {
    #[serde(default)]
    pub request: Option<Request>,
    #[serde(default)]
    pub expect: Expect,
    /// Variable name → source (`/json/pointer` in the body, or `header:Name`).
    #[serde(default)]
    pub capture: BTreeMap<String, String>,
    /// A named built-in step, for requirements that cannot be said declaratively.
    #[serde(default)]
    pub builtin: Option<String>,
    /// Arguments of the built-in step (templated like a request body).
    #[serde(default, rename = "with")]
    pub with: Option<Value>,
}

#[derive(Debug, Clone, Copy, PartialEq, Eq, Deserialize, Serialize)]
#[serde(rename_all = "UPPERCASE")]
pub enum Method {
    Get,
    Post,
    Put,
    Patch,
    Delete,
}

impl Method {
    pub fn as_str(self) -> &'static str {
        match self {
            Method::Get => "GET",
            Method::Post => "POST",
            Method::Put => "PUT",
            Method::Patch => "PATCH",
            Method::Delete => "DELETE",
        }
    }
    /// Methods that change server state, and so fall under the safety rules.
    pub fn is_mutating(self) -> bool {
        matches!(self, Method::Put | Method::Patch | Method::Delete)
    }
}

/// How a request authenticates.
#[derive(Debug, Clone, PartialEq, Eq, Default, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum Auth {
    /// The configured credential (if any).
    #[default]
    Default,
    /// No Authorization header at all.
    None,
    /// A bearer token that is certainly wrong.
    InvalidBearer,
    /// A malformed Authorization header value, as Okta's test suite sends (`non-token`).
    Malformed,
}

#[derive(Debug, Clone, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct Request {
    pub method: Method,
    /// Path relative to the base URL, or an absolute URL under it; templated.
    pub path: String,
    #[serde(default)]
    pub query: BTreeMap<String, String>,
    #[serde(default)]
    pub headers: BTreeMap<String, String>,
    #[serde(default)]
    pub auth: Auth,
    /// JSON body, templated; sent as `application/scim+json` unless a Content-Type header is given.
    #[serde(default)]
    pub body: Option<Value>,
    /// A raw body sent verbatim (for malformed-JSON checks).
    #[serde(default)]
    pub raw_body: Option<String>,
}

#[derive(Debug, Clone, Default, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct Expect {
    #[serde(default)]
    pub status: Option<u16>,
    #[serde(default)]
    pub statuses: Option<Vec<u16>>,
    #[serde(default)]
    pub headers: BTreeMap<String, Assertion>,
    /// JSON Pointer (with `*` for every array element) → assertion.
    #[serde(default)]
    pub body: BTreeMap<String, Assertion>,
    /// Name of a JSON Schema under `suites/schemas/` that the body must satisfy.
    #[serde(default)]
    pub schema: Option<String>,
    /// The response must have no body at all.
    #[serde(default)]
    pub empty_body: bool,
}

/// What must hold of one value. Every field given must hold.
#[derive(Debug, Clone, Default, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct Assertion {
    #[serde(default)]
    pub present: Option<bool>,
    #[serde(default)]
    pub absent: Option<bool>,
    #[serde(default)]
    pub equals: Option<Value>,
    #[serde(default)]
    pub not_equals: Option<Value>,
    #[serde(default)]
    pub one_of: Option<Vec<Value>>,
    #[serde(default, rename = "type")]
    pub json_type: Option<JsonType>,
    #[serde(default)]
    pub matches: Option<String>,
    #[serde(default)]
    pub not_matches: Option<String>,
    #[serde(default)]
    pub contains: Option<Value>,
    #[serde(default)]
    pub not_contains: Option<Value>,
    #[serde(default)]
    pub length: Option<usize>,
    #[serde(default)]
    pub min_length: Option<usize>,
    #[serde(default)]
    pub at_least: Option<f64>,
}

#[derive(Debug, Clone, Copy, PartialEq, Eq, Deserialize, Serialize)]
#[serde(rename_all = "lowercase")]
pub enum JsonType {
    String,
    Number,
    Integer,
    Boolean,
    Object,
    Array,
    Null,
}

impl JsonType {
    pub fn of(v: &Value) -> &'static str {
        match v {
            Value::Null => "null",
            Value::Bool(_) => "boolean",
            Value::Number(n) if n.is_i64() || n.is_u64() => "integer",
            Value::Number(_) => "number",
            Value::String(_) => "string",
            Value::Array(_) => "array",
            Value::Object(_) => "object",
        }
    }
    pub fn holds(self, v: &Value) -> bool {
        match self {
            JsonType::String => v.is_string(),
            JsonType::Number => v.is_number(),
            JsonType::Integer => v.is_i64() || v.is_u64(),
            JsonType::Boolean => v.is_boolean(),
            JsonType::Object => v.is_object(),
            JsonType::Array => v.is_array(),
            JsonType::Null => v.is_null(),
        }
    }
    pub fn as_str(self) -> &'static str {
        match self {
            JsonType::String => "string",
            JsonType::Number => "number",
            JsonType::Integer => "integer",
            JsonType::Boolean => "boolean",
            JsonType::Object => "object",
            JsonType::Array => "array",
            JsonType::Null => "null",
        }
    }
}

/// Where a captured value comes from.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum CaptureSource {
    Body(String),
    Header(String),
}

impl CaptureSource {
    /// Parses `header:Name` or a JSON Pointer starting with `/`.
    pub fn parse(s: &str) -> Option<CaptureSource> {
        if let Some(name) = s.strip_prefix("header:") {
            let name = name.trim();
            return (!name.is_empty()).then(|| CaptureSource::Header(name.to_string()));
        }
        (s.starts_with('/') && !s.contains('*')).then(|| CaptureSource::Body(s.to_string()))
    }
}

/// Named built-in steps that suites may use (`builtin: NAME`); implemented by the runner.
pub const BUILTIN_STEPS: &[&str] = &[
    "resource-type-schemas-published",
    "page-walk",
    "bulk-over-max-operations",
    "bulk-over-max-payload",
];
