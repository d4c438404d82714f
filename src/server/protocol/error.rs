//! SCIM error values (RFC 7644 §3.12) and how they become HTTP replies, faults included.

use serde_json::{Value, json};

use crate::server::model::settings::Settings;
use crate::server::protocol::reply::{Body, Reply};

/// The URN of a SCIM error message.
pub(crate) const ERROR_URN: &str = "urn:ietf:params:scim:api:messages:2.0:Error";

/// The `scimType` keywords of RFC 7644 Table 9 that the server uses.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) enum ScimType {
    InvalidFilter,
    Uniqueness,
    Mutability,
    InvalidSyntax,
    InvalidPath,
    NoTarget,
    InvalidValue,
    TooMany,
}

impl ScimType {
    pub(crate) fn as_str(self) -> &'static str {
        match self {
            ScimType::InvalidFilter => "invalidFilter",
            ScimType::Uniqueness => "uniqueness",
            ScimType::Mutability => "mutability",
            ScimType::InvalidSyntax => "invalidSyntax",
            ScimType::InvalidPath => "invalidPath",
            ScimType::NoTarget => "noTarget",
            ScimType::InvalidValue => "invalidValue",
            ScimType::TooMany => "tooMany",
        }
    }
}

/// A SCIM error: an HTTP status, an optional `scimType` and a human-readable detail.
#[derive(Debug, Clone, PartialEq, Eq)]
pub(crate) struct ScimError {
    pub(crate) status: u16,
    pub(crate) scim_type: Option<ScimType>,
    pub(crate) detail: String,
    /// Extra response headers (e.g. `WWW-Authenticate`, `Allow`).
    pub(crate) headers: Vec<(&'static str, String)>,
}

impl ScimError {
    pub(crate) fn new(status: u16, detail: impl Into<String>) -> Self {
        ScimError {
            status,
            scim_type: None,
            detail: detail.into(),
            headers: Vec::new(),
        }
    }

    pub(crate) fn bad_request(scim_type: ScimType, detail: impl Into<String>) -> Self {
        ScimError {
            scim_type: Some(scim_type),
            ..ScimError::new(400, detail)
        }
    }

    pub(crate) fn invalid_syntax(detail: impl Into<String>) -> Self {
        Self::bad_request(ScimType::InvalidSyntax, detail)
    }

    pub(crate) fn invalid_value(detail: impl Into<String>) -> Self {
        Self::bad_request(ScimType::InvalidValue, detail)
    }

    pub(crate) fn invalid_path(detail: impl Into<String>) -> Self {
        Self::bad_request(ScimType::InvalidPath, detail)
    }

    pub(crate) fn invalid_filter(detail: impl Into<String>) -> Self {
        Self::bad_request(ScimType::InvalidFilter, detail)
    }

    pub(crate) fn too_many(detail: impl Into<String>) -> Self {
        Self::bad_request(ScimType::TooMany, detail)
    }

    pub(crate) fn mutability(detail: impl Into<String>) -> Self {
        Self::bad_request(ScimType::Mutability, detail)
    }

    pub(crate) fn no_target(detail: impl Into<String>) -> Self {
        Self::bad_request(ScimType::NoTarget, detail)
    }

    pub(crate) fn not_found(detail: impl Into<String>) -> Self {
        ScimError::new(404, detail)
    }

    pub(crate) fn conflict(detail: impl Into<String>) -> Self {
        ScimError {
            scim_type: Some(ScimType::Uniqueness),
            ..ScimError::new(409, detail)
        }
    }

    pub(crate) fn with_header(mut self, name: &'static str, value: impl Into<String>) -> Self {
        self.headers.push((name, value.into()));
        self
    }

    /// The JSON error body, shaped by the error-format faults.
    pub(crate) fn body(&self, settings: &Settings) -> Value {
        let mut body = json!({ "schemas": [ERROR_URN] });
        body["status"] = if settings.policies.errors.status_as_number {
            json!(self.status)
        } else {
            json!(self.status.to_string())
        };
        if let Some(scim_type) = self.scim_type {
            let keyword = if scim_type == ScimType::Uniqueness
                && self.status == 409
                && settings.policies.errors.uniqueness_as_conflict
            {
                "conflict"
            } else {
                scim_type.as_str()
            };
            body["scimType"] = json!(keyword);
        }
        if !settings.policies.errors.omit_detail {
            body["detail"] = json!(self.detail);
        }
        if settings.policies.errors.wrapped {
            json!({ "error": body })
        } else {
            body
        }
    }

    /// The full HTTP reply for this error.
    pub(crate) fn into_reply(self, settings: &Settings) -> Reply {
        let body = if self.status == 404 && settings.policies.errors.not_found_as_text {
            Body::Text("Not Found".to_owned())
        } else {
            Body::Json(self.body(settings))
        };
        Reply {
            status: self.status,
            body,
            headers: self.headers,
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn default_error_body_is_rfc_shaped() {
        let settings = Settings::for_tests(&[]);
        let body = ScimError::conflict("taken").body(&settings);
        assert_eq!(
            body,
            json!({"schemas": [ERROR_URN], "status": "409", "scimType": "uniqueness", "detail": "taken"})
        );
    }

    #[test]
    fn faults_reshape_the_error_body() {
        let settings = Settings::with(|_, p| {
            p.errors.status_as_number = true;
            p.errors.omit_detail = true;
            p.errors.wrapped = true;
            p.errors.uniqueness_as_conflict = true;
        });
        let body = ScimError::conflict("taken").body(&settings);
        assert_eq!(
            body,
            json!({"error": {"schemas": [ERROR_URN], "status": 409, "scimType": "conflict"}})
        );
    }

    #[test]
    fn not_found_plain_only_affects_404() {
        let settings = Settings::with(|_, p| p.errors.not_found_as_text = true);
        let reply = ScimError::not_found("gone").into_reply(&settings);
        assert!(matches!(reply.body, Body::Text(ref t) if t == "Not Found"));
        let reply = ScimError::invalid_value("bad").into_reply(&settings);
        assert!(matches!(reply.body, Body::Json(_)));
    }
}
