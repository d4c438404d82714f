//! A finding: one way a response did not meet what a check expected, as data that every reporter
//! reads field by field (no reporter parses a message back).

use crate::suite::Origin;
use serde::Serialize;
use std::fmt;

/// What a finding is about.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize)]
#[serde(rename_all = "lowercase")]
pub enum FindingKind {
    /// The HTTP status code.
    Status,
    /// A response header; the target is its name.
    Header,
    /// A value in the JSON body; the target is its JSON Pointer.
    Body,
    /// The body against a named JSON Schema; the target is the schema's name.
    Schema,
    /// A value a step had to capture for later steps; the target is the variable's name.
    Capture,
    /// A template in an expectation that could not be expanded; the target says where.
    Template,
    /// An observation of a built-in step (a page, a resource, a limit); the target says what.
    Builtin,
    /// A server answer the harness could not prove safe to act on (a create answered with an id
    /// whose resource does not carry our marker); the target names the request.
    Safety,
    /// A request body the server's schema would need adapted in an attribute the check is
    /// about: not sent, and the check is blocked.
    Fixture,
}

/// One way an exchange did not meet its expectation.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct Finding {
    pub kind: FindingKind,
    /// A JSON Pointer, a header name, a schema or variable name; `None` for the status.
    pub target: Option<String>,
    pub expected: String,
    pub actual: String,
    /// The server's own explanation: the `detail` of a SCIM error body in the response judged.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub server_detail: Option<String>,
    /// The `scimType` of a SCIM error body in the response judged.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub scim_type: Option<String>,
    /// Where in the suite the expectation was written.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub origin: Option<Origin>,
}

impl Finding {
    pub fn new(
        kind: FindingKind,
        target: Option<String>,
        expected: impl Into<String>,
        actual: impl Into<String>,
    ) -> Self {
        Finding {
            kind,
            target,
            expected: expected.into(),
            actual: actual.into(),
            server_detail: None,
            scim_type: None,
            origin: None,
        }
    }

    /// The server's own words on the response judged, as messages quote them:
    /// `invalidValue: "name.familyName is required"`, `invalidValue`, `"…"`; `None` when the
    /// response carried neither.
    pub fn server_words(&self) -> Option<String> {
        const LIMIT: usize = 300;
        let detail = self.server_detail.as_deref().map(|d| {
            let d = d.trim();
            match d.char_indices().nth(LIMIT) {
                Some((cut, _)) => format!("\"{}…\"", &d[..cut]),
                None => format!("\"{d}\""),
            }
        });
        match (self.scim_type.as_deref(), detail) {
            (Some(t), Some(d)) => Some(format!("{t}: {d}")),
            (Some(t), None) => Some(t.to_string()),
            (None, Some(d)) => Some(d),
            (None, None) => None,
        }
    }

    /// A finding on the status code.
    pub fn status(expected: impl Into<String>, actual: impl Into<String>) -> Self {
        Finding::new(FindingKind::Status, None, expected, actual)
    }

    /// A finding on a named target (header, pointer, schema, variable, observation).
    pub fn at(
        kind: FindingKind,
        target: impl Into<String>,
        expected: impl Into<String>,
        actual: impl Into<String>,
    ) -> Self {
        Finding::new(kind, Some(target.into()), expected, actual)
    }

    /// What was looked at, as messages show it: `status`, `header Location`, `body /id`,
    /// `schema User`, `capture id`, or a built-in step's own words.
    pub fn subject(&self) -> String {
        let word = match self.kind {
            FindingKind::Status => "status",
            FindingKind::Header => "header",
            FindingKind::Body => "body",
            FindingKind::Schema => "schema",
            FindingKind::Capture => "capture",
            FindingKind::Template
            | FindingKind::Builtin
            | FindingKind::Safety
            | FindingKind::Fixture => {
                return self.target.clone().unwrap_or_default();
            }
        };
        match &self.target {
            Some(t) => format!("{word} {t}"),
            None => word.to_string(),
        }
    }
}

impl fmt::Display for Finding {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(
            f,
            "{}: expected {}, got {}",
            self.subject(),
            self.expected,
            self.actual
        )?;
        match self.server_words() {
            Some(words) => write!(f, " (server: {words})"),
            None => Ok(()),
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn subjects_read_as_before() {
        assert_eq!(
            Finding::status("201", "400").to_string(),
            "status: expected 201, got 400"
        );
        let f = Finding::at(FindingKind::Body, "/id", "present", "absent");
        assert_eq!(f.to_string(), "body /id: expected present, got absent");
        let f = Finding::at(
            FindingKind::Builtin,
            "resource x",
            "seen once",
            "never seen",
        );
        assert_eq!(f.subject(), "resource x");
    }

    #[test]
    fn the_server_s_own_words_are_quoted() {
        let mut f = Finding::status("201", "400");
        f.scim_type = Some("invalidValue".into());
        f.server_detail = Some("name.familyName is required".into());
        assert_eq!(
            f.to_string(),
            "status: expected 201, got 400 (server: invalidValue: \"name.familyName is required\")"
        );
        f.scim_type = None;
        assert_eq!(
            f.to_string(),
            "status: expected 201, got 400 (server: \"name.familyName is required\")"
        );
        f.server_detail = Some("x".repeat(400));
        assert!(f.to_string().ends_with("x…\")"));
    }
}
