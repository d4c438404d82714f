//! Pure evaluation: an expectation against a recorded exchange gives findings (expected vs actual).

mod assertion;
mod pointer;
mod schemas;

pub use pointer::resolve;
pub use schemas::{SchemaError, SchemaStore};

use crate::http::Exchange;
use crate::suite::{Expect, Template, TemplateError, Vars};
use std::fmt;

/// One way an exchange did not meet its expectation.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Finding {
    /// What was looked at: `status`, `header Location`, `body /id`, `schema User`, …
    pub subject: String,
    pub expected: String,
    pub actual: String,
}

impl Finding {
    pub fn new(
        subject: impl Into<String>,
        expected: impl Into<String>,
        actual: impl Into<String>,
    ) -> Self {
        Finding {
            subject: subject.into(),
            expected: expected.into(),
            actual: actual.into(),
        }
    }
}

impl fmt::Display for Finding {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(
            f,
            "{}: expected {}, got {}",
            self.subject, self.expected, self.actual
        )
    }
}

/// A template that cannot be expanded. An undefined variable means its capture failed, which the
/// runner reports already (load-time validation guarantees a capturing step exists), so that
/// case adds nothing.
fn template_finding(subject: &str, e: &TemplateError) -> Option<Finding> {
    (!matches!(e, TemplateError::Undefined(_)))
        .then(|| Finding::new(subject, "a value for the template", e.to_string()))
}

/// Evaluates every part of `expect` against the exchange's response.
/// The caller handles exchanges without a response (those are errors, not findings).
pub fn evaluate(
    expect: &Expect,
    exchange: &Exchange,
    vars: &Vars,
    schemas: &SchemaStore,
) -> Vec<Finding> {
    let mut out = Vec::new();
    let Some(resp) = &exchange.response else {
        return out;
    };
    let wanted: Vec<u16> = match (&expect.status, &expect.statuses) {
        (Some(s), _) => vec![*s],
        (None, Some(list)) => list.clone(),
        (None, None) => Vec::new(),
    };
    if !wanted.is_empty() && !wanted.contains(&resp.status) {
        let expected = wanted
            .iter()
            .map(u16::to_string)
            .collect::<Vec<_>>()
            .join(" or ");
        out.push(Finding::new("status", expected, resp.status.to_string()));
        // The other expectations describe the expected answer; against another one they are noise.
        return out;
    }
    for (name, assertion) in &expect.headers {
        let subject = format!("header {name}");
        let value = resp.headers.get(name).map(serde_json::Value::String);
        match assertion::render(assertion, vars) {
            Ok(a) => out.extend(assertion::check(&subject, &a, value.as_ref())),
            Err(e) => out.extend(template_finding(&subject, &e)),
        }
    }
    let json = resp.body.as_ref().and_then(|b| b.json());
    if !expect.body.is_empty() && json.is_none() {
        let actual = match &resp.body {
            None => "an empty body".to_string(),
            Some(_) => format!(
                "a body that is not JSON ({})",
                resp.headers
                    .get("content-type")
                    .unwrap_or_else(|| "no Content-Type".into())
            ),
        };
        out.push(Finding::new("body", "a JSON body", actual));
    } else if let Some(json) = json {
        for (ptr, assertion) in &expect.body {
            let rendered = match Template::parse(ptr).and_then(|t| t.render(vars)) {
                Ok(p) => p,
                Err(e) => {
                    out.extend(template_finding(&format!("body {ptr}"), &e));
                    continue;
                }
            };
            let a = match assertion::render(assertion, vars) {
                Ok(a) => a,
                Err(e) => {
                    out.extend(template_finding(&format!("body {ptr}"), &e));
                    continue;
                }
            };
            for (concrete, value) in resolve(json, &rendered) {
                let subject = format!("body {}", if concrete.is_empty() { "/" } else { &concrete });
                out.extend(assertion::check(&subject, &a, value));
            }
        }
    }
    if let Some(name) = &expect.schema {
        match json {
            None => out.push(Finding::new(
                format!("schema {name}"),
                "a JSON body",
                "no JSON body",
            )),
            Some(v) => out.extend(
                schemas
                    .validate(name, v)
                    .into_iter()
                    .map(|msg| Finding::new(format!("schema {name}"), "a valid document", msg)),
            ),
        }
    }
    if expect.empty_body {
        if let Some(body) = &resp.body {
            let shown = match body {
                crate::http::Body::Json(v) => v.to_string(),
                crate::http::Body::Text(t) => t.clone(),
            };
            out.push(Finding::new("body", "no body", assertion::clip(&shown)));
        }
    }
    out
}
