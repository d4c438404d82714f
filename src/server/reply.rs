//! A transport-neutral HTTP reply and its conversion into a wiremock response.

use serde_json::Value;
use wiremock::ResponseTemplate;

use super::settings::Settings;

#[derive(Debug, Clone, PartialEq)]
pub(crate) enum Body {
    Empty,
    Json(Value),
    Text(String),
}

#[derive(Debug, Clone, PartialEq)]
pub(crate) struct Reply {
    pub(crate) status: u16,
    pub(crate) body: Body,
    pub(crate) headers: Vec<(&'static str, String)>,
}

impl Reply {
    pub(crate) fn json(status: u16, body: Value) -> Reply {
        Reply {
            status,
            body: Body::Json(body),
            headers: Vec::new(),
        }
    }

    pub(crate) fn empty(status: u16) -> Reply {
        Reply {
            status,
            body: Body::Empty,
            headers: Vec::new(),
        }
    }

    pub(crate) fn text(status: u16, text: impl Into<String>) -> Reply {
        Reply {
            status,
            body: Body::Text(text.into()),
            headers: Vec::new(),
        }
    }

    pub(crate) fn with_header(mut self, name: &'static str, value: impl Into<String>) -> Reply {
        self.headers.push((name, value.into()));
        self
    }

    /// The wiremock response; JSON bodies are labelled per the content-type faults.
    pub(crate) fn into_template(self, settings: &Settings) -> ResponseTemplate {
        let mut template = ResponseTemplate::new(self.status);
        for (name, value) in self.headers {
            if is_valid_header_value(&value) {
                template = template.insert_header(name, value.as_str());
            }
        }
        match self.body {
            Body::Empty => template,
            Body::Text(text) => {
                template.set_body_raw(text.into_bytes(), "text/plain; charset=utf-8")
            }
            Body::Json(value) => {
                let bytes = serde_json::to_vec(&value).unwrap_or_default();
                template.set_body_raw(bytes, settings.policies.media.response.as_str())
            }
        }
    }
}

/// Visible ASCII, space and tab only: what an HTTP header value may hold without panicking.
fn is_valid_header_value(value: &str) -> bool {
    value
        .bytes()
        .all(|b| b == b'\t' || (b' '..=b'~').contains(&b))
}
