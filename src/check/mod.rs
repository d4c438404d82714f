//! Pure evaluation: an expectation against a recorded exchange gives findings (expected vs actual).

mod assertion;
mod pointer;
mod schemas;

pub use pointer::resolve;
pub use schemas::{SchemaError, SchemaStore};

use crate::http::Exchange;
use crate::outcome::{Finding, FindingKind};
use crate::suite::{Expect, Template, TemplateError, Vars};

/// A template that cannot be expanded. An undefined variable means its capture failed, which the
/// runner reports already (load-time validation guarantees a capturing step exists), so that
/// case adds nothing.
fn template_finding(subject: &str, e: &TemplateError) -> Option<Finding> {
    (!matches!(e, TemplateError::Undefined(_))).then(|| {
        Finding::at(
            FindingKind::Template,
            subject,
            "a value for the template",
            e.to_string(),
        )
    })
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
        out.push(Finding::status(expected, resp.status.to_string()));
        // The other expectations describe the expected answer; against another one they are noise.
        return out;
    }
    for (name, assertion) in &expect.headers {
        let value = resp.headers.get(name).map(serde_json::Value::String);
        match assertion::render(assertion, vars) {
            Ok(a) => out.extend(assertion::check(
                FindingKind::Header,
                name,
                &a,
                value.as_ref(),
            )),
            Err(e) => out.extend(template_finding(&format!("header {name}"), &e)),
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
        out.push(Finding::new(FindingKind::Body, None, "a JSON body", actual));
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
                let target = if concrete.is_empty() { "/" } else { &concrete };
                out.extend(assertion::check(FindingKind::Body, target, &a, value));
            }
        }
    }
    if let Some(name) = &expect.schema {
        match json {
            None => out.push(Finding::at(
                FindingKind::Schema,
                name,
                "a JSON body",
                "no JSON body",
            )),
            Some(v) => out.extend(
                schemas
                    .validate(name, v)
                    .into_iter()
                    .map(|msg| Finding::at(FindingKind::Schema, name, "a valid document", msg)),
            ),
        }
    }
    if expect.empty_body {
        if let Some(body) = &resp.body {
            let shown = match body {
                crate::http::Body::Json(v) => v.to_string(),
                crate::http::Body::Text(t) => t.clone(),
            };
            out.push(Finding::new(
                FindingKind::Body,
                None,
                "no body",
                assertion::clip(&shown),
            ));
        }
    }
    out
}
