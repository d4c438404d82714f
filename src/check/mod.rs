//! Pure evaluation: an expectation against a recorded exchange gives findings (expected vs actual).

mod assertion;
mod pointer;
mod schemas;

pub use pointer::resolve;
pub use schemas::{SchemaError, SchemaStore};

use crate::http::{Body, Exchange, RecordedResponse, TransportError};
use crate::outcome::{Finding, FindingKind};
use crate::suite::{Expect, Origin, TemplateError, Vars};

/// A template that cannot be expanded. An undefined variable means its capture failed, which the
/// runner reports already (load-time validation guarantees a capturing step exists), so that
/// case adds nothing.
fn template_finding(subject: &str, e: &TemplateError, origin: &Origin) -> Option<Finding> {
    (!matches!(e, TemplateError::Undefined(_))).then(|| {
        let mut f = Finding::at(
            FindingKind::Template,
            subject,
            "a value for the template",
            e.to_string(),
        );
        f.origin = Some(origin.clone());
        f
    })
}

/// A finding about the expectation as a whole (status, schema, body shape).
fn placed(mut f: Finding, origin: &Origin) -> Finding {
    f.origin = Some(origin.clone());
    f
}

/// The status as a finding shows it, with what explains it: where a redirect points (the harness
/// never follows one) and how long a rate limit asks to wait.
fn status_actual(resp: &RecordedResponse) -> String {
    let status = resp.status;
    let note = match status {
        300..=399 => Some(match resp.headers.get("location") {
            Some(to) => format!("redirect to {}; not followed", assertion::clip(&to)),
            None => "redirect without a Location; not followed".to_string(),
        }),
        429 => Some(match resp.headers.get("retry-after") {
            Some(after) => format!("rate limited; Retry-After: {}", assertion::clip(&after)),
            None => "rate limited".to_string(),
        }),
        _ => None,
    };
    match note {
        Some(n) => format!("{status} ({n})"),
        None => status.to_string(),
    }
}

/// What came back instead of JSON: its Content-Type and the start of its text (an HTML login
/// page or a proxy's error says more than "not JSON").
fn not_json(resp: &RecordedResponse, body: &Body, cut_by: Option<&TransportError>) -> String {
    const START: usize = 60;
    let content_type = resp
        .headers
        .get("content-type")
        .unwrap_or_else(|| "no Content-Type".into());
    let text = match body {
        Body::Text(t) => t.as_str(),
        Body::Json(_) => "",
    };
    let mut start: String = text.trim_start().chars().take(START).collect();
    if text.trim_start().chars().nth(START).is_some() {
        start.push('…');
    }
    let what = if resp.truncated {
        match cut_by {
            Some(e) => format!(
                "a body cut off after {} bytes ({e}), not whole JSON",
                text.len()
            ),
            None => format!("a body cut off after {} bytes, not whole JSON", text.len()),
        }
    } else if content_type.contains("json") {
        // Labelled JSON: malformed, nested deeper than 128 levels, or too big to hold parsed.
        "a body that could not be read as JSON".to_string()
    } else {
        "a body that is not JSON".to_string()
    };
    format!(
        "{what} ({content_type}): {}",
        serde_json::Value::String(start)
    )
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
    let here = &expect.origin;
    let wanted = expect.status.wanted();
    if !wanted.is_empty() && !wanted.contains(&resp.status) {
        let expected = wanted
            .iter()
            .map(u16::to_string)
            .collect::<Vec<_>>()
            .join(" or ");
        out.push(placed(Finding::status(expected, status_actual(resp)), here));
        // The other expectations describe the expected answer; against another one they are noise.
        return out;
    }
    for h in &expect.headers {
        let value = resp.headers.get(&h.name).map(serde_json::Value::String);
        match assertion::render(&h.assertion, vars) {
            Ok(a) => out.extend(assertion::check(
                FindingKind::Header,
                &h.name,
                &a,
                value.as_ref(),
            )),
            Err(e) => out.extend(template_finding(
                &format!("header {}", h.name),
                &e,
                &h.assertion.origin,
            )),
        }
    }
    let json = resp.body.as_ref().and_then(|b| b.json());
    if !expect.body.is_empty() && json.is_none() {
        let actual = match &resp.body {
            None => "an empty body".to_string(),
            Some(body) => not_json(resp, body, exchange.error.as_ref()),
        };
        out.push(placed(
            Finding::new(FindingKind::Body, None, "a JSON body", actual),
            here,
        ));
    } else if let Some(json) = json {
        for b in &expect.body {
            let origin = &b.assertion.origin;
            let subject = || format!("body {}", b.pointer.as_str());
            let rendered = match b.pointer.render(vars) {
                Ok(p) => p,
                Err(e) => {
                    out.extend(template_finding(&subject(), &e, origin));
                    continue;
                }
            };
            let a = match assertion::render(&b.assertion, vars) {
                Ok(a) => a,
                Err(e) => {
                    out.extend(template_finding(&subject(), &e, origin));
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
            None => out.push(placed(
                Finding::at(FindingKind::Schema, name, "a JSON body", "no JSON body"),
                here,
            )),
            Some(v) => out.extend(schemas.validate(name, v).into_iter().map(|msg| {
                placed(
                    Finding::at(FindingKind::Schema, name, "a valid document", msg),
                    here,
                )
            })),
        }
    }
    if expect.empty_body {
        if let Some(body) = &resp.body {
            let shown = match body {
                Body::Json(v) => v.to_string(),
                Body::Text(t) => t.clone(),
            };
            out.push(placed(
                Finding::new(FindingKind::Body, None, "no body", assertion::clip(&shown)),
                here,
            ));
        }
    }
    out
}

#[cfg(test)]
#[path = "evaluate_tests.rs"]
mod tests;
