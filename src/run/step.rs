//! One step of a check: template → request (through the safety guard) → exchange → captures →
//! evaluation; and the per-check state (variables, ledger, exchanges) the steps share.

use super::execute::Session;
use super::fixtures::Adapted;
use super::ledger::Ledger;
use super::{builtin, bulk, own};
use crate::check::{evaluate, resolve};
use crate::http::auth::Credentials;
use crate::http::guard::{created_key, key_of, key_of_location};
use crate::http::{Exchange, Outgoing, TransportError, looks_secret};
use crate::outcome::{Finding, FindingKind, LeftBehind, StepError, StepShape};
use crate::secret::{BasicAuth, Secret};
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

/// Why a request step was not sent.
pub(crate) enum Unsent {
    Error(StepError),
    /// Its body would need what the check is about adapted to the server's schema.
    Blocked(Box<Finding>),
}

impl From<StepError> for Unsent {
    fn from(e: StepError) -> Self {
        Unsent::Error(e)
    }
}

impl From<crate::suite::TemplateError> for Unsent {
    fn from(e: crate::suite::TemplateError) -> Self {
        Unsent::Error(e.into())
    }
}

/// Per-check mutable state.
pub struct CheckState<'a> {
    pub shared: &'a Session,
    /// The names the check is about (never adapted to the server's schema).
    pub mentions: &'a std::collections::BTreeSet<String>,
    pub vars: Vars,
    pub ledger: Ledger,
    pub exchanges: Vec<Exchange>,
    /// Answers the harness could not prove safe to act on; they fail the step that got them.
    pub safety: Vec<Finding>,
    /// What the check may have created and could not prove its own (never touched).
    pub left_behind: Vec<LeftBehind>,
    /// An OAuth token the check fetched for itself (`oauth-expired-token`).
    pub own_token: Option<crate::http::auth::OwnToken>,
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

/// A URI reference from a response made absolute (RFC 3986 §5.2) against the service provider
/// root with its trailing slash, as RFC 7643 §2.3.7 prescribes ("the base URI for relative URI
/// resolution MUST include all URI components and path segments up to, but not including, the
/// Endpoint URI"): `Users/1` and `/scim/v2/Users/1` both name `{base}/Users/1`. Kept as sent
/// when it cannot be resolved.
fn resolve_reference(base_url: &str, reference: &str) -> String {
    let root = format!("{}/", base_url.trim_end_matches('/'));
    url::Url::parse(&root)
        .and_then(|base| base.join(reference))
        .map_or_else(|_| reference.to_string(), String::from)
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

    /// Adapts a create or replace body (and a bulk request's) to the server's schema; the
    /// finding that blocks the step when an attribute the check is about would need adapting.
    fn adapt(
        &self,
        method: Method,
        path: &str,
        body: &mut Value,
        refusal: bool,
    ) -> Option<Finding> {
        let fixtures = self.shared.fixtures()?;
        let unique = self.vars.marker();
        let trimmed = path.trim_end_matches('/');
        let bulk = trimmed.ends_with("/Bulk") || trimmed == "Bulk";
        let collection = trimmed.trim_start_matches('/').split('/').count() == 1;
        let mut outcomes = Vec::new();
        match method {
            Method::Post if bulk => {
                let ops = body.get_mut("Operations").and_then(Value::as_array_mut);
                for op in ops.into_iter().flatten() {
                    let writes = op.get("method").and_then(Value::as_str).is_some_and(|m| {
                        m.eq_ignore_ascii_case("POST") || m.eq_ignore_ascii_case("PUT")
                    });
                    let op_path = op.get("path").and_then(Value::as_str).map(str::to_string);
                    if let (true, Some(op_path), Some(data)) = (writes, op_path, op.get_mut("data"))
                    {
                        outcomes.push(fixtures.adapt(
                            &op_path,
                            data,
                            self.mentions,
                            &unique,
                            refusal,
                        ));
                    }
                }
            }
            Method::Post if collection && !trimmed.ends_with(".search") => {
                outcomes.push(fixtures.adapt(path, body, self.mentions, &unique, refusal));
            }
            Method::Put => {
                outcomes.push(fixtures.adapt(path, body, self.mentions, &unique, refusal))
            }
            _ => {}
        }
        for outcome in outcomes {
            match outcome {
                Adapted::Unchanged => {}
                Adapted::Changed(notes) => self.shared.note_adapted(notes),
                Adapted::Blocked(reason) => {
                    return Some(Finding::at(
                        FindingKind::Fixture,
                        "fixtures",
                        "a body the server's schema accepts as the check wrote it",
                        reason,
                    ));
                }
            }
        }
        None
    }

    /// Makes what a create (or a bulk request's creates) sends carry the check's marker, so that
    /// whatever it creates can be proved ours, even when the check expected it to be refused.
    fn mark(&self, method: Method, path: &str, body: &mut Value) {
        if method != Method::Post || path.ends_with(".search") {
            return;
        }
        let marker = self.vars.marker();
        if path.trim_end_matches('/').ends_with("/Bulk") || path == "Bulk" {
            if let Some(ops) = body.get_mut("Operations").and_then(Value::as_array_mut) {
                for op in ops {
                    let post = op
                        .get("method")
                        .and_then(Value::as_str)
                        .is_some_and(|m| m.eq_ignore_ascii_case("POST"));
                    if let Some(data) = op.get_mut("data").filter(|_| post) {
                        own::ensure_marker(data, &marker);
                    }
                }
            }
        } else {
            own::ensure_marker(body, &marker);
        }
    }

    /// The request to send; the error says why it cannot be built (a template or the URL guard).
    fn build(&self, req: &Request, refusal: bool) -> Result<Outgoing, Unsent> {
        let path = req.path.render_path(&self.vars)?;
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
                let mut body = b.render(&self.vars)?;
                if let Some(blocked) = self.adapt(req.method, &path, &mut body, refusal) {
                    return Err(Unsent::Blocked(Box::new(blocked)));
                }
                self.mark(req.method, &path, &mut body);
                Some(serde_json::to_vec(&body).unwrap_or_default())
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
            // A wrong credential of the scheme in use: a Basic server gets the right user with
            // a wrong password, any other a bearer token nobody issued.
            Auth::InvalidBearer => {
                let wrong = format!("{}-invalid", self.vars.prefix());
                let value = match self.shared.config.credentials() {
                    Credentials::Basic(b) => BasicAuth {
                        user: b.user,
                        password: Secret::new(wrong),
                    }
                    .header_value()
                    .expose()
                    .to_string(),
                    _ => format!("Bearer {wrong}"),
                };
                set_header(&mut headers, "Authorization", &value);
            }
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
            credential: req.auth == Auth::Default,
            busy_retries: true,
        })
    }

    /// Sends a request through the pipeline (whose guard may refuse it), then proves and records
    /// whatever it created, and forgets what it deleted.
    pub async fn send(&mut self, out: Outgoing) -> Result<usize, StepError> {
        let base = self.shared.config.base_url.clone();
        let key = key_of(&base, &out.url).unwrap_or_default();
        let method = out.method;
        let is_bulk = method == "POST" && key.ends_with("/Bulk");
        let creates = method == "POST" && !key.ends_with(".search") && !is_bulk;
        let sent: Option<Value> = (creates || is_bulk)
            .then(|| {
                out.body
                    .as_deref()
                    .and_then(|b| serde_json::from_slice(b).ok())
            })
            .flatten();
        if creates {
            self.shared.create_sent();
        }
        let sent_out = self.shared.pipeline.send(out).await;
        if creates {
            self.shared.create_answered();
        }
        let ex = sent_out.map_err(|refused| StepError::Safety(refused.to_string()))?;
        let response = ex.response.as_ref().map(|r| {
            let body = r.body.as_ref().and_then(|b| b.json()).cloned();
            (r.status, body, r.headers.get("location"))
        });
        let may_have_sent = matches!(
            ex.error,
            Some(TransportError::Timeout(_) | TransportError::Other(_))
        );
        self.exchanges.push(ex);
        let index = self.exchanges.len() - 1;
        let request = format!("{method} {key}");
        let Some((status, body, location)) = response else {
            if creates && may_have_sent {
                self.look_up(&request, &key, sent.as_ref()).await;
            }
            return Ok(index);
        };
        let ok = (200..300).contains(&status);
        if creates && ok {
            let claim = own::claim(&base, &key, body.as_ref(), location.as_deref());
            self.prove(&request, &key, sent.as_ref(), claim).await;
        } else if is_bulk && ok {
            if let (Some(response), Some(request_body)) = (&body, &sent) {
                self.bulk_effects(&base, request_body, response).await;
            }
        } else if ok && matches!(method, "PUT" | "PATCH") {
            let marker = self.vars.marker();
            if method == "PUT" && status == 201 {
                // An upsert at an id this run invented (the guard let nothing else through).
                self.record_owned(&key, &marker);
            } else if let Some(moved) = self.moved(&key, body.as_ref()) {
                self.record_owned(&moved, &marker);
            }
        } else if ok && method == "DELETE" {
            self.forget(&key);
        }
        Ok(index)
    }

    /// A PUT or PATCH answering with another id moved the resource (a server that lets a body
    /// id win): what is now at the new id is still this run's to delete. Only an id this run
    /// invented counts, so a server cannot talk the harness into deleting somebody else's
    /// resource.
    fn moved(&self, key: &str, body: Option<&Value>) -> Option<String> {
        let id = body?.get("id")?.as_str()?;
        if !id.starts_with(&self.vars.prefix()) {
            return None;
        }
        let (endpoint, _) = key.rsplit_once('/')?;
        let new = created_key(endpoint, id);
        (new != key).then_some(new)
    }

    fn forget(&mut self, key: &str) {
        self.ledger.mark_deleted(key);
        self.shared.pipeline.guard().gone(key);
        self.shared.journal_deleted(key);
    }

    /// What a bulk response says it created (each proved like a single create) and deleted.
    async fn bulk_effects(&mut self, base: &str, request: &Value, response: &Value) {
        let (created, deleted) = bulk::effects(request, response);
        for c in created {
            let label = format!("POST /Bulk operation {}", c.label);
            let claim = own::claim(
                base,
                &c.endpoint,
                c.response.as_ref(),
                c.location.as_deref(),
            );
            self.prove(&label, &c.endpoint, c.data.as_ref(), claim)
                .await;
        }
        for location in deleted {
            if let Some(key) = key_of_location(base, &location) {
                self.forget(&key);
            }
        }
    }

    /// Runs one step of the check: a request with its expectations, or a built-in.
    pub(crate) async fn run_step(&mut self, step: &Step) -> StepEnd {
        let end = match step {
            Step::Request(r) => self.request_step(r).await,
            Step::Builtin(b) => builtin::run(self, &b.call).await,
        };
        // An answer the harness could not prove safe fails the step, whatever else it showed.
        let safety = std::mem::take(&mut self.safety);
        match end {
            _ if safety.is_empty() => end,
            StepEnd::Passed => StepEnd::Failed(safety),
            StepEnd::Failed(mut findings) => {
                findings.extend(safety);
                StepEnd::Failed(findings)
            }
            StepEnd::Errored(e) => StepEnd::Errored(e),
        }
    }

    /// What the outcome module needs to infer the step's role.
    pub(crate) fn shape(step: &Step) -> StepShape {
        match step {
            Step::Request(r) => {
                let method = r.request.method;
                let path = r.request.path.as_str();
                let e = &r.expect;
                let wanted = e.status.wanted();
                StepShape::Request {
                    method,
                    plain: !wanted.is_empty()
                        && wanted.iter().all(|s| (200..300).contains(s))
                        && e.headers.is_empty()
                        && e.body.is_empty()
                        && e.schema.is_none()
                        && !e.empty_body,
                    creates: method == Method::Post
                        && !path.ends_with(".search")
                        && !path.ends_with("/Bulk")
                        && expects_created(&e.status),
                    declared: r.role,
                }
            }
            Step::Builtin(b) => StepShape::Builtin { declared: b.role },
        }
    }

    async fn request_step(&mut self, step: &RequestStep) -> StepEnd {
        let req = &step.request;
        // A step that expects only a refusal sends what the check left out as it is.
        let wanted = step.expect.status.wanted();
        let refusal = !wanted.is_empty() && wanted.iter().all(|s| (400..500).contains(s));
        let out = match self.build(req, refusal) {
            Ok(o) => o,
            Err(Unsent::Error(e)) => return StepEnd::Errored(e),
            Err(Unsent::Blocked(finding)) => return StepEnd::Failed(vec![*finding]),
        };
        let index = match self.send(out).await {
            Ok(i) => i,
            Err(e) => return StepEnd::Errored(e),
        };
        let ex = &self.exchanges[index];
        let Some(resp) = &ex.response else {
            return StepEnd::Errored(StepError::no_response(ex));
        };
        let mut findings = Vec::new();
        // Captures from a body that is not JSON all fail for that one reason: say it once.
        let json = resp.body.as_ref().and_then(|b| b.json());
        let mut no_json = false;
        for c in &step.capture {
            if json.is_none() && matches!(c.source, CaptureSource::Body(_)) {
                no_json = true;
                continue;
            }
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
                Some(Value::String(reference)) if c.resolve => {
                    let url = resolve_reference(&self.shared.config.base_url, &reference);
                    self.vars
                        .captured
                        .insert(c.name.clone(), Value::String(url));
                }
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
        let judged = evaluate(&step.expect, ex, &self.vars, &self.shared.schemas);
        let said = |f: &Finding| f.kind == FindingKind::Body && f.target.is_none();
        if no_json && !judged.iter().any(said) {
            let actual = match &resp.body {
                None => "an empty body",
                Some(_) => "a body that is not JSON",
            };
            let mut f = Finding::new(FindingKind::Body, None, "a JSON body", actual);
            f.origin = step.capture.first().map(|c| c.origin.clone());
            findings.insert(0, f);
        }
        findings.splice(0..0, judged);
        if findings.is_empty() {
            StepEnd::Passed
        } else {
            StepEnd::Failed(findings)
        }
    }

    /// Deletes what the check created (newest first); returns what is left behind, including
    /// what it could never prove its own.
    pub(crate) async fn cleanup(&mut self) -> Vec<LeftBehind> {
        let mut left = std::mem::take(&mut self.left_behind);
        for (key, marker) in self.ledger.pending() {
            let (ex, gone) = self.shared.delete_created(&key, &marker).await;
            if let Err(l) = gone {
                left.push(l);
            }
            self.ledger.mark_deleted(&key);
            self.exchanges.extend(ex);
        }
        left
    }
}

#[cfg(test)]
mod tests {
    #[test]
    fn references_resolve_against_the_service_provider_root() {
        let base = "https://h.example/scim/v2";
        let r = |x| super::resolve_reference(base, x);
        assert_eq!(r("Users/1"), "https://h.example/scim/v2/Users/1");
        assert_eq!(r("/scim/v2/Users/1"), "https://h.example/scim/v2/Users/1");
        assert_eq!(
            r("https://h.example/scim/v2/Users/1"),
            "https://h.example/scim/v2/Users/1"
        );
        assert_eq!(r("/other/Users/1"), "https://h.example/other/Users/1");
    }
}
