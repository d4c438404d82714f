//! Compiling a check from its written shape into the typed model: templates parsed, regexes
//! compiled, capture sources and built-in arguments checked, every node given its origin.
//! Problems are diagnostics at the position they were written; the order follows the file.

use super::args::{assertion, builtin};
use super::ctx::FileCtx;
use super::raw::{RawCheck, RawExpect, RawRequest, RawStep};
use super::yaml::escape;
use crate::suite::{
    Body, BodyAssertion, Capability, Capture, CaptureSource, Check, Expect, HeaderAssertion,
    Request, RequestStep, StatusExpect, Step, Template, Unscoped,
};
use serde_json::Value;
use std::collections::BTreeMap;

/// Compiles check number `index` of the file.
pub(super) fn check(
    cx: &mut FileCtx<'_>,
    index: usize,
    raw: RawCheck,
    schemas: &BTreeMap<String, Value>,
) -> Check {
    cx.defined.clear();
    let mut requires = Vec::new();
    for (k, name) in raw.requires.iter().enumerate() {
        match Capability::from_name(name) {
            Some(c) => requires.push(c),
            None => cx.at_value(
                &format!("/{index}/requires/{k}"),
                format!("unknown capability `{name}`"),
            ),
        }
    }
    let steps = raw
        .steps
        .into_iter()
        .enumerate()
        .filter_map(|(j, s)| step(cx, &format!("/{index}/steps/{j}"), s, schemas))
        .collect();
    let mut form = |key: &str, form: super::raw::RawUnscoped| {
        // A form's steps are compiled on their own: captures of the check's steps do not reach them.
        cx.defined.clear();
        let steps = form
            .steps
            .into_iter()
            .enumerate()
            .filter_map(|(j, s)| step(cx, &format!("/{index}/{key}/steps/{j}"), s, schemas))
            .collect();
        Box::new(Unscoped {
            note: form.note,
            steps,
        })
    };
    let unscoped = raw.unscoped.map(|f| form("unscoped", f));
    let read_only = raw.read_only.map(|f| form("read_only", f));
    Check {
        id: raw.id,
        title: raw.title,
        level: raw.level,
        spec: raw.spec,
        catalogue_ref: raw.catalogue_ref,
        tags: raw.tags,
        aliases: raw.aliases,
        requires,
        steps,
        mentions: Default::default(),
        scoped: false,
        unscoped,
        read_only,
        origin: cx.value_origin(&format!("/{index}/id")),
    }
}

fn step(
    cx: &mut FileCtx<'_>,
    sp: &str,
    raw: RawStep,
    schemas: &BTreeMap<String, Value>,
) -> Option<Step> {
    let origin = cx.value_origin(sp);
    match (raw.request, &raw.builtin) {
        (Some(_), Some(_)) => {
            cx.at_value(sp, "a step has either `request` or `builtin`, not both");
            cx.defined.extend(raw.capture.into_keys());
            None
        }
        (None, None) => {
            cx.at_value(sp, "a step needs `request` or `builtin`");
            cx.defined.extend(raw.capture.into_keys());
            None
        }
        (None, Some(name)) => {
            if raw.expect.is_some() || !raw.capture.is_empty() {
                let key = if raw.expect.is_some() {
                    "expect"
                } else {
                    "capture"
                };
                cx.at_key(
                    &format!("{sp}/{key}"),
                    format!("`{key}` belongs to a `request` step; built-in step `{name}` judges what it sees itself"),
                );
            }
            cx.defined.extend(raw.capture.into_keys());
            let call = builtin(cx, sp, name, raw.with.as_ref())?;
            Some(Step::Builtin(crate::suite::BuiltinStep {
                call,
                role: raw.role,
                origin,
            }))
        }
        (Some(req), None) => {
            if raw.with.is_some() {
                cx.at_value(
                    &format!("{sp}/with"),
                    "`with` gives arguments to a `builtin` step",
                );
            }
            let request = request(cx, &format!("{sp}/request"), req);
            let capture = raw
                .capture
                .into_iter()
                .filter_map(|(name, text)| capture(cx, sp, name, text))
                .collect();
            let expect = expect(cx, &format!("{sp}/expect"), raw.expect, schemas);
            Some(Step::Request(RequestStep {
                request: request?,
                expect,
                capture,
                role: raw.role,
                origin,
            }))
        }
    }
}

fn request(cx: &mut FileCtx<'_>, rp: &str, raw: RawRequest) -> Option<Request> {
    let path = cx.template(&format!("{rp}/path"), &raw.path);
    let mut query = Vec::new();
    for (k, v) in &raw.query {
        let t = cx.template(&format!("{rp}/query/{}", escape(k)), v);
        query.extend(t.map(|t| (k.clone(), t)));
    }
    let mut headers = Vec::new();
    for (k, v) in &raw.headers {
        let t = cx.template(&format!("{rp}/headers/{}", escape(k)), v);
        headers.extend(t.map(|t| (k.clone(), t)));
    }
    let json = raw.body.as_ref().map(|b| cx.json(&format!("{rp}/body"), b));
    let text = raw
        .raw_body
        .as_ref()
        .and_then(|b| cx.template(&format!("{rp}/raw_body"), b));
    if raw.body.is_some() && raw.raw_body.is_some() {
        cx.at_value(rp, "a request has `body` or `raw_body`, not both");
    }
    let body = match (json, text) {
        (Some(j), _) => Some(Body::Json(j)),
        (None, Some(t)) => Some(Body::Raw(t)),
        (None, None) => None,
    };
    Some(Request {
        method: raw.method,
        path: path?,
        query,
        headers,
        auth: raw.auth,
        body,
    })
}

/// A capture; its variable counts as defined for what follows, even when the source is bad
/// (one diagnostic is enough).
fn capture(cx: &mut FileCtx<'_>, sp: &str, name: String, text: String) -> Option<Capture> {
    let pointer = format!("{sp}/capture/{}", escape(&name));
    cx.defined.insert(name.clone());
    let (resolve, source_text) = match text.strip_prefix("url:") {
        Some(rest) => (true, rest),
        None => (false, text.as_str()),
    };
    let Some(source) = CaptureSource::parse(source_text) else {
        cx.at_value(
            &pointer,
            format!("capture `{name}`: `{text}` is neither a JSON Pointer (starting with /, no *) nor header:Name (either may follow `url:`)"),
        );
        return None;
    };
    Some(Capture {
        origin: cx.value_origin(&pointer),
        name,
        source,
        resolve,
        text,
    })
}

fn expect(
    cx: &mut FileCtx<'_>,
    ep: &str,
    raw: Option<RawExpect>,
    schemas: &BTreeMap<String, Value>,
) -> Expect {
    let origin = cx.value_origin(ep);
    let raw = raw.unwrap_or_default();
    let status = match (raw.status, raw.statuses) {
        (Some(_), Some(_)) => {
            cx.at_value(ep, "use `status` or `statuses`, not both");
            StatusExpect::Any
        }
        (Some(s), None) => StatusExpect::Exactly(s),
        (None, Some(list)) => StatusExpect::OneOf(list),
        (None, None) => StatusExpect::Any,
    };
    if let Some(s) = &raw.schema {
        if !schemas.contains_key(s) {
            let known: Vec<&str> = schemas.keys().map(String::as_str).collect();
            cx.at_value(
                &format!("{ep}/schema"),
                format!("unknown schema `{s}` (known: {})", known.join(", ")),
            );
        }
    }
    let mut body = Vec::new();
    for (ptr, predicates) in &raw.body {
        let p = format!("{ep}/body/{}", escape(ptr));
        if !(ptr.is_empty() || ptr.starts_with('/')) {
            cx.at_key(
                &p,
                format!("body key `{ptr}` must be a JSON Pointer starting with /"),
            );
        }
        let pointer = if ptr.contains("${") {
            cx.template_at(&p, ptr, true)
        } else {
            Some(Template::literal(ptr))
        };
        let assertion = assertion(cx, &p, predicates);
        body.extend(pointer.map(|pointer| BodyAssertion { pointer, assertion }));
    }
    let headers = raw
        .headers
        .iter()
        .map(|(name, predicates)| {
            let p = format!("{ep}/headers/{}", escape(name));
            HeaderAssertion {
                name: name.clone(),
                assertion: assertion(cx, &p, predicates),
            }
        })
        .collect();
    Expect {
        status,
        headers,
        body,
        schema: raw.schema,
        empty_body: raw.empty_body,
        origin,
    }
}
