//! `scimcheck doctor URL`: finds the SCIM base URL under what a user pasted (or its origin),
//! names what stands in the way (TLS, a login page, a redirect, a demand for credentials), and
//! replays the read-only requests Entra ID and Okta send to test a connection. It only reads.

mod candidates;
mod classify;

pub use candidates::{Why, candidates};
pub use classify::{Answer, classify};

use crate::http::guard::WriteGuard;
use crate::http::{Exchange, Outgoing, Pipeline};
use crate::run::RunConfig;
use serde_json::Value;

/// One GET the doctor sent and what it found.
#[derive(Debug, Clone)]
pub struct Probe {
    /// The request as sent (redacted).
    pub url: String,
    pub why: Why,
    pub answer: Answer,
}

/// A replay of one client's request on the base found.
#[derive(Debug, Clone)]
pub struct Replay {
    pub client: &'static str,
    pub what: &'static str,
    /// The request as sent (redacted).
    pub url: String,
    pub verdict: Verdict,
}

/// What the client would make of the answer.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Verdict {
    Works(String),
    Breaks(String),
    /// It could not be told: the server wants a credential the doctor was not given.
    NotReplayed(String),
}

/// What the doctor found.
#[derive(Debug, Clone, Default)]
pub struct Diagnosis {
    pub probes: Vec<Probe>,
    /// The base URL found (no query); `spc_missing` when only `/Users` answered SCIM there.
    pub base: Option<Found>,
    /// Where a SCIM root probably is, though it wants credentials we do not have (or refused ours).
    pub locked: Option<(String, Answer)>,
    pub replays: Vec<Replay>,
    /// The query string kept after every path (`aadOptscim062020`).
    pub query: Option<String>,
    /// A probe or replay was refused for want of a credential, and none was given.
    pub wants_credential: bool,
}

#[derive(Debug, Clone)]
pub struct Found {
    pub url: String,
    pub spc_missing: bool,
    /// The base the server's own `meta.location` names, when it differs from where the probe
    /// found it and was confirmed by a probe of its own (then `url` is that base).
    pub advertised: bool,
}

/// Probes the candidates for `config.base_url` (credentials, headers, TLS and proxy from
/// `config`) until one is a SCIM root, then replays the Entra and Okta connection tests on it.
pub async fn diagnose(config: &RunConfig) -> Result<Diagnosis, String> {
    let given = url::Url::parse(&config.base_url).map_err(|e| format!("not a URL: {e}"))?;
    let origin = given.origin().ascii_serialization();
    let client = config
        .client()
        .map_err(|e| format!("cannot set up the HTTP client: {e}"))?;
    // Only GETs, and only under the origin.
    let guard = WriteGuard::new(&origin, "scimcheck-doctor").read_only(true);
    let pipeline = Pipeline::new(client.clone(), guard)
        .base_query(config.base_query.clone())
        .authenticate(config.credentials());
    // Okta never sends Entra's query flag: its replays go without the base URL's query.
    let bare = Pipeline::new(
        client,
        WriteGuard::new(&origin, "scimcheck-doctor").read_only(true),
    )
    .authenticate(config.credentials());
    let send = |url: String, keep_query: bool| {
        let pipeline = if keep_query { &pipeline } else { &bare };
        let headers = config.default_headers();
        async move {
            pipeline
                .send(Outgoing {
                    method: "GET",
                    url,
                    headers,
                    body: None,
                    credential: true,
                    busy_retries: true,
                })
                .await
                .map_err(|refused| refused.to_string())
        }
    };
    let get = |url: String| send(url, true);
    let mut diagnosis = Diagnosis {
        query: config.base_query.clone(),
        ..Diagnosis::default()
    };
    let candidates = candidates(&given);
    let mut nothing = Vec::new();
    for (base, why) in &candidates {
        let ex = get(format!("{base}/ServiceProviderConfig")).await?;
        let answer = classify(&ex);
        diagnosis.probes.push(Probe {
            url: ex.request.url.clone(),
            why: *why,
            answer: answer.clone(),
        });
        match answer {
            Answer::Spc => {
                let mut found = Found {
                    url: base.clone(),
                    spc_missing: false,
                    advertised: false,
                };
                // The server's own word on where its SCIM root is, when it differs.
                if let Some(named) = advertised_base(&ex, &origin).filter(|b| b != base) {
                    let ex = get(format!("{named}/ServiceProviderConfig")).await?;
                    let answer = classify(&ex);
                    diagnosis.probes.push(Probe {
                        url: ex.request.url.clone(),
                        why: Why::Advertised,
                        answer: answer.clone(),
                    });
                    if answer == Answer::Spc {
                        found.url = named;
                        found.advertised = true;
                    }
                }
                diagnosis.base = Some(found);
                break;
            }
            Answer::Tls(_) | Answer::Unreachable(_) => return Ok(diagnosis),
            Answer::Nothing { .. } => nothing.push((base.clone(), *why)),
            _ if answer.wants_sign_in() && diagnosis.locked.is_none() => {
                diagnosis.locked = Some((base.clone(), answer));
            }
            _ => {}
        }
    }
    // No /ServiceProviderConfig anywhere: a root whose /Users answers SCIM still is one.
    if diagnosis.base.is_none() {
        for (base, why) in nothing {
            let ex = get(format!("{base}/Users?count=1")).await?;
            let answer = classify(&ex);
            diagnosis.probes.push(Probe {
                url: ex.request.url.clone(),
                why,
                answer: answer.clone(),
            });
            if answer == Answer::List {
                diagnosis.base = Some(Found {
                    url: base,
                    spc_missing: true,
                    advertised: false,
                });
                break;
            }
        }
    }
    if let Some(found) = &diagnosis.base {
        diagnosis.locked = None;
        let guid = uuid::Uuid::new_v4().to_string();
        let entra = format!("{}/Users?filter=userName eq \"{guid}\"", found.url);
        let ex = get(entra).await?;
        diagnosis.replays.push(Replay {
            client: "Entra ID",
            what: "test connection",
            url: ex.request.url.clone(),
            verdict: entra_verdict(&ex),
        });
        let okta = format!(
            "{}/Users?filter=userName eq \"{guid}@example.invalid\"&startIndex=1&count=100",
            found.url
        );
        let ex = send(okta, false).await?;
        diagnosis.replays.push(Replay {
            client: "Okta",
            what: "user lookup before create",
            url: ex.request.url.clone(),
            verdict: okta_lookup_verdict(&ex),
        });
        let ex = send(format!("{}/Users?startIndex=1&count=100", found.url), false).await?;
        diagnosis.replays.push(Replay {
            client: "Okta",
            what: "import (first page)",
            url: ex.request.url.clone(),
            verdict: okta_import_verdict(&ex),
        });
    }
    let refused = Answer::wants_sign_in;
    diagnosis.wants_credential = !config.has_credentials()
        && (diagnosis.probes.iter().any(|p| refused(&p.answer))
            || diagnosis
                .replays
                .iter()
                .any(|r| matches!(r.verdict, Verdict::NotReplayed(_))));
    Ok(diagnosis)
}

/// The base URL a ServiceProviderConfig's `meta.location` names (same origin only).
fn advertised_base(ex: &Exchange, origin: &str) -> Option<String> {
    let body = ex.response.as_ref()?.body.as_ref()?.json()?;
    let location = body.get("meta")?.get("location")?.as_str()?;
    let url = url::Url::parse(location).ok()?;
    if url.origin().ascii_serialization() != origin {
        return None;
    }
    let path = url.path().trim_end_matches('/');
    let base = path.strip_suffix("/ServiceProviderConfig")?;
    Some(format!("{origin}{base}"))
}

/// A ListResponse's `totalResults`, when the answer is a 200 with one.
fn list_total(ex: &Exchange) -> Result<Option<u64>, String> {
    let Some(resp) = &ex.response else {
        return Err(classify(ex).describe());
    };
    let body = resp.body.as_ref().and_then(|b| b.json());
    match (resp.status, body) {
        (200, Some(b)) if classify(ex) == Answer::List => {
            Ok(b.get("totalResults").and_then(Value::as_u64))
        }
        (200, _) => Err("200, but not a SCIM ListResponse".into()),
        _ => Err(classify(ex).describe()),
    }
}

/// The replay could not be judged without the credential the client will use.
fn locked_out(ex: &Exchange) -> Option<Verdict> {
    let answer = classify(ex);
    if !answer.wants_sign_in() {
        return None;
    }
    Some(Verdict::NotReplayed(format!(
        "{}; give the credential the client will use (--token, --user or the OAuth options)",
        answer.describe()
    )))
}

impl From<Result<String, String>> for Verdict {
    fn from(r: Result<String, String>) -> Verdict {
        match r {
            Ok(w) => Verdict::Works(w),
            Err(w) => Verdict::Breaks(w),
        }
    }
}

fn entra_verdict(ex: &Exchange) -> Verdict {
    locked_out(ex).unwrap_or_else(|| entra_judged(ex).into())
}

fn entra_judged(ex: &Exchange) -> Result<String, String> {
    match list_total(ex) {
        Ok(Some(0)) => Ok("200, an empty ListResponse".into()),
        Ok(Some(n)) => Err(format!(
            "200, but totalResults {n} for a userName no one has: Entra would match the wrong user"
        )),
        Ok(None) => Err("200, but the ListResponse has no totalResults".into()),
        Err(why) if ex.response.as_ref().is_some_and(|r| r.status == 404) => Err(format!(
            "{why}: Entra quarantines an app whose test connection answers 404 (it needs 200 with an empty list)"
        )),
        Err(why) => Err(why),
    }
}

fn okta_lookup_verdict(ex: &Exchange) -> Verdict {
    locked_out(ex).unwrap_or_else(|| okta_lookup_judged(ex).into())
}

fn okta_lookup_judged(ex: &Exchange) -> Result<String, String> {
    match list_total(ex) {
        Ok(Some(0)) => Ok("200, an empty ListResponse".into()),
        Ok(_) => Err("200, but not an empty list for a userName no one has".into()),
        Err(_) if ex.response.as_ref().is_some_and(|r| r.status == 404) => Ok(
            "404: Okta accepts it, though RFC 7644 §3.4.2 and Entra want 200 with an empty list"
                .into(),
        ),
        Err(why) => Err(why),
    }
}

fn okta_import_verdict(ex: &Exchange) -> Verdict {
    locked_out(ex).unwrap_or_else(|| okta_import_judged(ex).into())
}

fn okta_import_judged(ex: &Exchange) -> Result<String, String> {
    list_total(ex)?;
    let body = ex
        .response
        .as_ref()
        .and_then(|r| r.body.as_ref())
        .and_then(|b| b.json())
        .cloned()
        .unwrap_or_default();
    let not_integers: Vec<&str> = ["totalResults", "startIndex", "itemsPerPage"]
        .into_iter()
        .filter(|k| !body.get(*k).is_some_and(Value::is_u64))
        .collect();
    if not_integers.is_empty() {
        Ok("200, a ListResponse with integer paging fields".into())
    } else {
        Err(format!(
            "200, but {} not integers (Okta pages by them)",
            not_integers.join(", ")
        ))
    }
}
