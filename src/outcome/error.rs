//! Why a step could not be judged: typed, so a safety refusal never reads like a transport error.

use crate::http::TransportError;
use crate::suite::TemplateError;
use serde::Serialize;

/// What stopped a step from being judged. A check with one of these is *errored*, not failed.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum StepError {
    /// The request got no response (connection refused, reset, DNS, TLS).
    #[error("{0}")]
    Transport(TransportError),
    /// The request got no response within the timeout.
    #[error("{0}")]
    Timeout(TransportError),
    /// The safety guard refused to send a write (or a request outside the base URL).
    #[error("{0}")]
    Safety(String),
    /// A request template could not be expanded.
    #[error("template: {0}")]
    Template(TemplateError),
    /// A built-in step could not run its probe (arguments, limits too large to probe, …).
    #[error("{0}")]
    Builtin(String),
    /// The run was interrupted (Ctrl-C, SIGTERM) before this step was sent.
    #[error("interrupted before this step was sent")]
    Interrupted,
}

impl StepError {
    /// The error of an exchange that got no response.
    pub fn no_response(exchange: &crate::http::Exchange) -> StepError {
        exchange.error.clone().map_or_else(
            || StepError::Transport(TransportError::Other("no response".into())),
            StepError::from,
        )
    }

    /// The same error with its text rewritten (stable reports replace ports and ids).
    pub fn map_text(&self, f: impl Fn(&str) -> String) -> StepError {
        match self {
            StepError::Transport(e) => StepError::Transport(e.map_text(f)),
            StepError::Timeout(e) => StepError::Timeout(e.map_text(f)),
            StepError::Safety(m) => StepError::Safety(f(m)),
            StepError::Template(e) => StepError::Template(e.clone()),
            StepError::Builtin(m) => StepError::Builtin(f(m)),
            StepError::Interrupted => StepError::Interrupted,
        }
    }

    /// The stable name reports use for the error's kind.
    pub fn kind(&self) -> &'static str {
        match self {
            StepError::Transport(_) => "transport",
            StepError::Timeout(_) => "timeout",
            StepError::Safety(_) => "safety",
            StepError::Template(_) => "template",
            StepError::Builtin(_) => "builtin",
            StepError::Interrupted => "interrupted",
        }
    }
}

impl From<TransportError> for StepError {
    fn from(e: TransportError) -> Self {
        match e {
            TransportError::Timeout(_) => StepError::Timeout(e),
            other => StepError::Transport(other),
        }
    }
}

impl From<TemplateError> for StepError {
    fn from(e: TemplateError) -> Self {
        StepError::Template(e)
    }
}

impl Serialize for StepError {
    /// `{"kind": "safety", "message": "…"}`.
    fn serialize<S: serde::Serializer>(&self, s: S) -> Result<S::Ok, S::Error> {
        use serde::ser::SerializeStruct;
        let mut st = s.serialize_struct("StepError", 2)?;
        st.serialize_field("kind", self.kind())?;
        st.serialize_field("message", &self.to_string())?;
        st.end()
    }
}
