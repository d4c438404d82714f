//! Executing one check: template → request → exchange → captures → evaluation, then cleanup.

use super::bulk;
use super::ledger::{Created, Ledger, created_key, key_of, key_of_location, may_modify};
use super::{CheckResult, RunConfig, Status, builtin};
use crate::check::{Finding, SchemaStore, evaluate, resolve};
use crate::http::{Exchange, HttpClient, Outgoing, looks_secret};
use crate::suite::{
    Auth, CaptureSource, Check, Request, Step, Template, TemplateError, Vars, render_json,
};
use serde_json::Value;
use std::sync::{Arc, Mutex};
use std::time::Instant;

/// One run's shared state: what every check of the run sees (client, schemas, run id, what the
/// run created). Runs single checks; the libtest-mimic harness runs one per trial.
#[derive(Debug)]
pub struct Session {
    pub(crate) config: RunConfig,
    pub(crate) client: HttpClient,
    pub(crate) schemas: Arc<SchemaStore>,
    pub(crate) run_id: String,
    created: Created,
    left_behind: Mutex<Vec<String>>,
}

impl Session {
    pub fn new(
        config: &RunConfig,
        client: HttpClient,
        schemas: Arc<SchemaStore>,
        run_id: &str,
    ) -> Self {
        Session {
            config: config.clone(),
            client,
            schemas,
            run_id: run_id.to_string(),
            created: Created::default(),
            left_behind: Mutex::new(Vec::new()),
        }
    }
    /// Deletes a resource this run created; `true` when it is gone (2xx, or 404: already gone).
    pub async fn delete_created(&self, key: &str) -> (Exchange, bool) {
        let url = format!("{}{key}", self.config.base_url);
        let out = Outgoing {
            method: "DELETE",
            url,
            headers: self.default_headers(),
            body: None,
        };
        let ex = self.client.send(out).await;
        let ok = ex
            .response
            .as_ref()
            .is_some_and(|r| (200..300).contains(&r.status) || r.status == 404);
        if ok {
            self.created.gone(key);
        }
        (ex, ok)
    }

    /// Deletes everything the run created and has not deleted yet (after an interrupt);
    /// returns what could not be deleted.
    pub async fn sweep(&self) -> Vec<String> {
        let mut failed = Vec::new();
        for key in self.created.live().into_iter().rev() {
            if !self.delete_created(&key).await.1 {
                failed.push(key);
            }
        }
        failed
    }

    /// Accept, the user's extra headers and the bearer token.
    pub fn default_headers(&self) -> Vec<(String, String)> {
        self.config.default_headers()
    }
    /// Runs one check; `seq` must differ between checks of the same run (it namespaces their data).
    pub async fn run(&self, check: &Check, seq: usize) -> CheckResult {
        run_check(self, check, seq).await
    }
    pub fn jobs(&self) -> usize {
        self.config.jobs
    }
    pub fn left_behind(&self) -> Vec<String> {
        self.left_behind
            .lock()
            .unwrap_or_else(|e| e.into_inner())
            .clone()
    }
}

enum BuildError {
    Template(TemplateError),
    Outside(String),
}

impl From<TemplateError> for BuildError {
    fn from(e: TemplateError) -> Self {
        BuildError::Template(e)
    }
}

/// How a step ended.
pub enum StepEnd {
    Passed,
    Failed(Vec<Finding>),
    Errored(String),
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

impl CheckState<'_> {
    /// Absolute URL for a templated path, refusing anything outside the base URL.
    fn url_for(&self, path: &str) -> Result<String, String> {
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
            None => Err(format!(
                "refusing to send a request to {url}: it is outside the base URL"
            )),
        }
    }

    /// The request to send; the error says why it cannot be built (a template or the URL guard).
    fn build(&self, req: &Request) -> Result<Outgoing, String> {
        self.build_inner(req).map_err(|e| match e {
            BuildError::Template(t) => format!("template: {t}"),
            BuildError::Outside(msg) => msg,
        })
    }

    fn build_inner(&self, req: &Request) -> Result<Outgoing, BuildError> {
        let render = |s: &str| Template::parse(s).and_then(|t| t.render(&self.vars));
        let path = render(&req.path)?;
        let mut url = self.url_for(&path).map_err(BuildError::Outside)?;
        if !req.query.is_empty() {
            let mut pairs = Vec::new();
            for (k, v) in &req.query {
                pairs.push((k.clone(), render(v)?));
            }
            let encoded: String = url::form_urlencoded::Serializer::new(String::new())
                .extend_pairs(pairs)
                .finish();
            // Spaces as %20: the form encoder's `+` is only meant for form bodies.
            let encoded = encoded.replace('+', "%20");
            url.push(if url.contains('?') { '&' } else { '?' });
            url.push_str(&encoded);
        }
        let body = match (&req.body, &req.raw_body) {
            (Some(b), _) => {
                Some(serde_json::to_vec(&render_json(b, &self.vars)?).unwrap_or_default())
            }
            (None, Some(raw)) => Some(render(raw)?.into_bytes()),
            (None, None) => None,
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
            set_header(&mut headers, k, &render(v)?);
        }
        Ok(Outgoing {
            method: req.method.as_str(),
            url,
            headers,
            body,
        })
    }

    /// Sends a request after the safety guard, and records anything it created.
    pub async fn send(&mut self, out: Outgoing, mutating: bool) -> Result<usize, String> {
        let key = key_of(&self.shared.config.base_url, &out.url);
        if mutating {
            let allowed = key
                .as_deref()
                .is_some_and(|k| may_modify(&self.shared.created, k, &self.vars.prefix()));
            if !allowed {
                return Err(format!(
                    "safety: refusing to {} {}: this run did not create that resource",
                    out.method,
                    self.shared.client.redactor().text(&out.url)
                ));
            }
        }
        let is_bulk = out.method == "POST" && key.as_deref().is_some_and(|k| k.ends_with("/Bulk"));
        if is_bulk {
            bulk::guard(
                out.body.as_deref(),
                &self.shared.config.base_url,
                &self.shared.created,
                &self.vars.prefix(),
            )?;
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

    async fn request_step(&mut self, step: &Step, req: &Request) -> StepEnd {
        let out = match self.build(req) {
            Ok(o) => o,
            Err(msg) => return StepEnd::Errored(msg),
        };
        let index = match self.send(out, req.method.is_mutating()).await {
            Ok(i) => i,
            Err(msg) => return StepEnd::Errored(msg),
        };
        let ex = &self.exchanges[index];
        let Some(resp) = &ex.response else {
            return StepEnd::Errored(ex.error.clone().unwrap_or_else(|| "no response".into()));
        };
        let mut findings = Vec::new();
        for (name, source) in &step.capture {
            let value = match CaptureSource::parse(source) {
                Some(CaptureSource::Header(h)) => resp.headers.get(&h).map(Value::String),
                Some(CaptureSource::Body(p)) => {
                    resp.body.as_ref().and_then(|b| b.json()).and_then(|j| {
                        resolve(j, &p)
                            .into_iter()
                            .next()
                            .and_then(|(_, v)| v.cloned())
                    })
                }
                None => None,
            };
            match value.filter(|v| !v.is_null()) {
                Some(v) => {
                    self.vars.captured.insert(name.clone(), v);
                }
                None => findings.push(Finding::new(
                    format!("capture {name}"),
                    format!("{source} present"),
                    "absent",
                )),
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

    async fn cleanup(&mut self) -> Vec<String> {
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

fn describe_step(state: &CheckState<'_>, index: Option<usize>, n: usize) -> String {
    match index.and_then(|i| state.exchanges.get(i)) {
        Some(ex) => {
            let status = ex
                .response
                .as_ref()
                .map_or_else(|| "no response".to_string(), |r| r.status.to_string());
            format!(
                "step {n} ({} {} → {status})",
                ex.request.method, ex.request.url
            )
        }
        None => format!("step {n}"),
    }
}

/// Runs every step of one check; always cleans up what it created.
async fn run_check(shared: &Session, check: &Check, seq: usize) -> CheckResult {
    let started = Instant::now();
    let mut state = CheckState {
        shared,
        vars: Vars::new(&shared.run_id, seq),
        ledger: Ledger::default(),
        exchanges: Vec::new(),
    };
    let mut verdict = (Status::Passed, String::new());
    for (n, step) in check.steps.iter().enumerate() {
        let before = state.exchanges.len();
        let end = match (&step.request, &step.builtin) {
            (Some(req), _) => state.request_step(step, req).await,
            (None, Some(name)) => builtin::run(&mut state, name, step).await,
            (None, None) => StepEnd::Errored("step has neither request nor builtin".into()),
        };
        let last = (state.exchanges.len() > before).then(|| state.exchanges.len() - 1);
        match end {
            StepEnd::Passed => {}
            StepEnd::Failed(findings) => {
                let lines: Vec<String> = findings.iter().map(Finding::to_string).collect();
                verdict = (
                    Status::Failed,
                    format!(
                        "{}: {}",
                        describe_step(&state, last, n + 1),
                        lines.join("\n")
                    ),
                );
                break;
            }
            StepEnd::Errored(msg) => {
                verdict = (
                    Status::Errored,
                    format!("{}: {msg}", describe_step(&state, last, n + 1)),
                );
                break;
            }
        }
    }
    let failed_cleanup = state.cleanup().await;
    if !failed_cleanup.is_empty() {
        let list = failed_cleanup.join(", ");
        if !verdict.1.is_empty() {
            verdict.1.push('\n');
        }
        verdict
            .1
            .push_str(&format!("cleanup could not delete {list}"));
        shared
            .left_behind
            .lock()
            .unwrap_or_else(|e| e.into_inner())
            .extend(failed_cleanup);
    }
    let mut result = CheckResult::new(check, verdict.0, verdict.1);
    result.duration_ms = started.elapsed().as_millis() as u64;
    result.exchanges = state.exchanges;
    result
}
