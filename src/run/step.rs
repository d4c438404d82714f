//! One step of a check: template → request (through the safety guard) → exchange → captures →
//! evaluation; and the per-check state (variables, ledger, exchanges) the steps share.

use super::execute::Session;
use super::ledger::{Ledger, created_key, key_of, key_of_location, may_modify};
use super::{builtin, bulk};
use crate::check::{evaluate, resolve};
use crate::http::{Exchange, Outgoing, looks_secret};
use crate::outcome::{Finding, FindingKind, StepError, StepShape};
use crate::suite::{
    Auth, Body, CaptureSource, Method, Request, RequestStep, StatusExpect, Step, Vars,
};
use serde_json::Value;

/// How a step ended.
pub enum StepEnd {
    Passed,
    Failed(Vec<Finding>),
    Errored(StepError),
}

/// Per-check mutable state.
pub struct CheckState<'a> {
    pub shared: &'a Session,
    pub vars: Vars,
    pub ledger: Ledger,
    pub exchanges: Vec<Exchange>,
}

fn set_header(headers: &mut Vec<(String, String)>, name: &str, value: &str) {
    headers.retain(|(k, _)| !k.eq_ignore_ascii_case(name));
    if !value.is_empty() {
        headers.push((name.to_string(), value.to_string()));
    }
}

/// A create expects 201 (or `statuses: [200, 201]`, for servers that answer a create with 200):
/// success only, 201 among it.
fn expects_created(status: &StatusExpect) -> bool {
    let wanted = status.wanted();
    wanted.contains(&201) && wanted.iter().all(|s| (200..300).contains(s))
}

impl CheckState<'_> {
    /// Absolute URL for a templated path, refusing anything outside the base URL.
    fn url_for(&self, path: &str) -> Result<String, StepError> {
        let base = &self.shared.config.base_url;
        let url = if path.starts_with("http://") || path.starts_with("https://") {
            path.to_string()
        } else if path.starts_with('/') {
            format!("{base}{path}")
        } else {
            format!("{base}/{path}")
        };
        match key_of(base, &url) {
            Some(_) => Ok(url),
            None => Err(StepError::Safety(format!(
                "refusing to send a request to {url}: it is outside the base URL"
            ))),
        }
    }

    /// The request to send; the error says why it cannot be built (a template or the URL guard).
    fn build(&self, req: &Request) -> Result<Outgoing, StepError> {
        let path = req.path.render(&self.vars)?;
        let mut url = self.url_for(&path)?;
        if !req.query.is_empty() {
            let mut pairs = Vec::new();
            for (k, v) in &req.query {
                pairs.push((k.clone(), v.render(&self.vars)?));
            }
            let encoded: String = url::form_urlencoded::Serializer::new(String::new())
                .extend_pairs(pairs)
                .finish();
            // Spaces as %20: the form encoder's `+` is only meant for form bodies.
            let encoded = encoded.replace('+', "%20");
            url.push(if url.contains('?') { '&' } else { '?' });
            url.push_str(&encoded);
        }
        let body = match &req.body {
            Some(Body::Json(b)) => {
                Some(serde_json::to_vec(&b.render(&self.vars)?).unwrap_or_default())
            }
            Some(Body::Raw(raw)) => Some(raw.render(&self.vars)?.into_bytes()),
            None => None,
        };
        let mut headers = Vec::new();
        for (k, v) in self.shared.default_headers() {
            // Unauthenticated probes drop the token and any extra header that looks like a credential.
            let credential = k.eq_ignore_ascii_case("authorization") || looks_secret(&k);
            if req.auth == Auth::Default || !credential {
                headers.push((k, v));
            }
        }
        if body.is_some() {
            headers.push(("Content-Type".into(), "application/scim+json".into()));
        }
        match &req.auth {
            Auth::InvalidBearer => set_header(
                &mut headers,
                "Authorization",
                &format!("Bearer {}-invalid", self.vars.prefix()),
            ),
            Auth::Malformed => set_header(&mut headers, "Authorization", "non-token"),
            Auth::Default | Auth::None => {}
        }
        for (k, v) in &req.headers {
            set_header(&mut headers, k, &v.render(&self.vars)?);
        }
        Ok(Outgoing {
            method: req.method.as_str(),
            url,
            headers,
            body,
        })
    }

    /// Sends a request after the safety guard, and records anything it created.
    pub async fn send(&mut self, out: Outgoing, mutating: bool) -> Result<usize, StepError> {
        let key = key_of(&self.shared.config.base_url, &out.url);
        if mutating {
            let allowed = key
                .as_deref()
                .is_some_and(|k| may_modify(&self.shared.created, k, &self.vars.prefix()));
            if !allowed {
                return Err(StepError::Safety(format!(
                    "safety: refusing to {} {}: this run did not create that resource",
                    out.method,
                    self.shared.client.redactor().text(&out.url)
                )));
            }
        }
        let is_bulk = out.method == "POST" && key.as_deref().is_some_and(|k| k.ends_with("/Bulk"));
        if is_bulk {
            bulk::guard(
                out.body.as_deref(),
                &self.shared.config.base_url,
                &self.shared.created,
                &self.vars.prefix(),
            )
            .map_err(StepError::Safety)?;
        }
        let method = out.method;
        let ex = self.shared.client.send(out).await;
        if let Some(resp) = ex.response.as_ref().filter(|_| is_bulk) {
            if let Some(body) = resp.body.as_ref().and_then(|b| b.json()) {
                let (made, removed) = bulk::effects(body, &self.shared.config.base_url);
                for k in made {
                    self.shared.created.insert(&k);
                    self.ledger.record(&k);
                }
                for k in removed {
                    self.ledger.mark_deleted(&k);
                    self.shared.created.gone(&k);
                }
            }
        }
        if let (Some(resp), Some(key)) = (&ex.response, &key) {
            let id = resp
                .body
                .as_ref()
                .and_then(|b| b.json())
                .and_then(|v| v.get("id"))
                .and_then(Value::as_str);
            let creates = !key.ends_with(".search") && !key.ends_with("/Bulk");
            // Without an id in the body, the Location header still names what was created.
            let location = resp
                .headers
                .get("location")
                .and_then(|l| key_of_location(&self.shared.config.base_url, &l));
            // A PUT or PATCH answering with another id moved the resource (a server that lets
            // a body id win): what is now at the new id is still this run's to delete. Only an
            // id this run invented counts, so a server cannot talk the harness into deleting
            // somebody else's resource.
            let prefix = self.vars.prefix();
            let moved = |id: &str| {
                if !id.starts_with(&prefix) {
                    return None;
                }
                let (endpoint, old) = key.rsplit_once('/')?;
                (created_key(endpoint, id) != format!("{endpoint}/{old}"))
                    .then(|| created_key(endpoint, id))
            };
            let created = match (method, resp.status, id) {
                ("POST", 200..=299, Some(id)) if creates => Some(created_key(key, id)),
                ("POST", 201, None) if creates => location,
                ("PUT", 201, _) => Some(key.clone()),
                ("PUT" | "PATCH", 200..=299, Some(id)) => moved(id),
                _ => None,
            };
            if let Some(c) = created {
                self.shared.created.insert(&c);
                self.ledger.record(&c);
            }
            if method == "DELETE" && (200..300).contains(&resp.status) {
                self.ledger.mark_deleted(key);
                self.shared.created.gone(key);
            }
        }
        self.exchanges.push(ex);
        Ok(self.exchanges.len() - 1)
    }

    /// Runs one step of the check: a request with its expectations, or a built-in.
    pub(crate) async fn run_step(&mut self, step: &Step) -> StepEnd {
        match step {
            Step::Request(r) => self.request_step(r).await,
            Step::Builtin(b) => builtin::run(self, &b.call).await,
        }
    }

    /// What the outcome module needs to infer the step's role.
    pub(crate) fn shape(step: &Step) -> StepShape {
        match step {
            Step::Request(r) => {
                let method = r.request.method;
                let path = r.request.path.as_str();
                StepShape::Request {
                    method,
                    creates: method == Method::Post
                        && !path.ends_with(".search")
                        && !path.ends_with("/Bulk")
                        && expects_created(&r.expect.status),
                }
            }
            Step::Builtin(_) => StepShape::Builtin,
        }
    }

    async fn request_step(&mut self, step: &RequestStep) -> StepEnd {
        let req = &step.request;
        let out = match self.build(req) {
            Ok(o) => o,
            Err(e) => return StepEnd::Errored(e),
        };
        let index = match self.send(out, req.method.is_mutating()).await {
            Ok(i) => i,
            Err(e) => return StepEnd::Errored(e),
        };
        let ex = &self.exchanges[index];
        let Some(resp) = &ex.response else {
            return StepEnd::Errored(StepError::no_response(ex));
        };
        let mut findings = Vec::new();
        for c in &step.capture {
            let value = match &c.source {
                CaptureSource::Header(h) => resp.headers.get(h).map(Value::String),
                CaptureSource::Body(p) => resp.body.as_ref().and_then(|b| b.json()).and_then(|j| {
                    resolve(j, p)
                        .into_iter()
                        .next()
                        .and_then(|(_, v)| v.cloned())
                }),
            };
            match value.filter(|v| !v.is_null()) {
                Some(v) => {
                    self.vars.captured.insert(c.name.clone(), v);
                }
                None => {
                    let mut f = Finding::at(
                        FindingKind::Capture,
                        c.name.as_str(),
                        format!("{} present", c.text),
                        "absent",
                    );
                    f.origin = Some(c.origin.clone());
                    findings.push(f);
                }
            }
        }
        let ex = &self.exchanges[index];
        findings.splice(
            0..0,
            evaluate(&step.expect, ex, &self.vars, &self.shared.schemas),
        );
        if findings.is_empty() {
            StepEnd::Passed
        } else {
            StepEnd::Failed(findings)
        }
    }

    pub(crate) async fn cleanup(&mut self) -> Vec<String> {
        let mut failed = Vec::new();
        for key in self.ledger.pending() {
            let (ex, ok) = self.shared.delete_created(&key).await;
            if !ok {
                failed.push(key.clone());
            }
            self.ledger.mark_deleted(&key);
            self.exchanges.push(ex);
        }
        failed
    }
}
