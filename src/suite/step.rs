//! A step: an HTTP request with its expectations and captures, or a call of a built-in step.

use super::{BuiltinStep, Expect, JsonTemplate, Origin, Template};
use serde::{Deserialize, Serialize};

/// One step of a check.
#[derive(Debug, Clone)]
pub enum Step {
    Request(RequestStep),
    /// A named built-in step, for requirements that cannot be said declaratively.
    Builtin(BuiltinStep),
}

impl Step {
    /// Where the step is written.
    pub fn origin(&self) -> &Origin {
        match self {
            Step::Request(r) => &r.origin,
            Step::Builtin(b) => &b.origin,
        }
    }
    /// The role the suite declares for the step, if any (otherwise it is inferred).
    pub fn declared_role(&self) -> Option<Role> {
        match self {
            Step::Request(r) => r.role,
            Step::Builtin(b) => b.role,
        }
    }
}

/// What a step is for within its check.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "lowercase")]
pub enum Role {
    /// Prepares what the requirement is tested on; if it fails, the requirement was never
    /// tested and the check is blocked.
    Setup,
    /// Exercises the requirement the check is about.
    Act,
    /// Reads back the effect of the act.
    Verify,
    /// Deletes what the check created (implicit; suites do not declare it).
    Cleanup,
}

#[derive(Debug, Clone)]
pub struct RequestStep {
    pub request: Request,
    pub expect: Expect,
    /// In variable-name order; each runs before the expectations are judged.
    pub capture: Vec<Capture>,
    /// The role the suite declares, if it overrides the inferred one.
    pub role: Option<Role>,
    pub origin: Origin,
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

#[derive(Debug, Clone)]
pub struct Request {
    pub method: Method,
    /// Relative to the base URL, or an absolute URL under it.
    pub path: Template,
    /// In parameter-name order.
    pub query: Vec<(String, Template)>,
    /// In header-name order.
    pub headers: Vec<(String, Template)>,
    pub auth: Auth,
    pub body: Option<Body>,
}

#[derive(Debug, Clone)]
pub enum Body {
    /// Sent as `application/scim+json` unless a Content-Type header is given.
    Json(JsonTemplate),
    /// Sent verbatim (for malformed-JSON checks).
    Raw(Template),
}

/// A response value saved into a variable for later steps.
#[derive(Debug, Clone)]
pub struct Capture {
    pub name: String,
    pub source: CaptureSource,
    /// `url:` before the source: the value is a URI reference, resolved against the service
    /// provider root (RFC 7643 §2.3.7, RFC 3986 §5.2), so a relative `location` or `$ref`
    /// becomes absolute.
    pub resolve: bool,
    /// The source as written, for messages.
    pub text: String,
    pub origin: Origin,
}

/// Where a captured value comes from.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum CaptureSource {
    Body(String),
    Header(String),
}

impl CaptureSource {
    /// Parses `header:Name` or a JSON Pointer starting with `/` (after any `url:`, see
    /// [`Capture::resolve`]).
    pub fn parse(s: &str) -> Option<CaptureSource> {
        if let Some(name) = s.strip_prefix("header:") {
            let name = name.trim();
            return (!name.is_empty()).then(|| CaptureSource::Header(name.to_string()));
        }
        (s.starts_with('/') && !s.contains('*')).then(|| CaptureSource::Body(s.to_string()))
    }
}
