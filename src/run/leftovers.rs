//! Finding a finished run's leftovers (`scimcheck cleanup`): what carries the run's marker, found
//! through a filter on the marked attributes (or a bounded scan when the server cannot filter)
//! and the run's ledger file, each proved by a GET before anything is deleted. Deletes pass the
//! same write guard as a run's.

use super::RunConfig;
use super::journal::ReadLedger;
use super::own::{last_page, marked_in, marking};
use crate::http::guard::WriteGuard;
use crate::http::{Exchange, HttpClient, Outgoing, Pipeline};
use serde_json::Value;
use std::collections::BTreeSet;

/// How many resources a scan reads per endpoint when the server cannot filter.
const MAX_SCAN: usize = 5_000;
const PAGE: usize = 100;

/// The endpoints searched and the attributes filtered on, per endpoint.
const SEARCHED: [(&str, &[&str]); 2] = [
    ("/Users", &["externalId", "userName", "displayName"]),
    ("/Groups", &["externalId", "displayName"]),
];

/// A resource proved to be the run's: it exists and carries the run's marker.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Leftover {
    /// Path under the base URL (`/Users/2819c223`).
    pub resource: String,
    /// The value that carries the marker, as `attribute=value`.
    pub evidence: String,
}

/// Why leftovers could not be looked for.
#[derive(Debug, thiserror::Error)]
pub enum LeftoverError {
    #[error("cannot build the HTTP client: {0}")]
    Client(String),
    #[error("{0}")]
    Target(String),
}

/// Looks for a run's leftovers and deletes them; every request goes through one pipeline.
#[derive(Debug)]
pub struct Cleanup {
    config: RunConfig,
    pipeline: Pipeline,
    marker: String,
    /// Every exchange sent, for `--verbose` and for tests.
    pub exchanges: Vec<Exchange>,
    /// What could not be searched and why (an endpoint that answered neither filter nor list).
    pub notes: Vec<String>,
}

impl Cleanup {
    pub fn new(config: RunConfig, run_id: &str) -> Result<Cleanup, LeftoverError> {
        let client: HttpClient = config
            .client()
            .map_err(|e| LeftoverError::Client(e.to_string()))?;
        let namespace = format!("scimcheck-{run_id}");
        let guard = WriteGuard::new(&config.base_url, &namespace);
        Ok(Cleanup {
            pipeline: Pipeline::new(client, guard)
                .authenticate(config.credentials())
                .base_query(config.base_query.clone()),
            marker: format!("{namespace}-"),
            config,
            exchanges: Vec::new(),
            notes: Vec::new(),
        })
    }

    async fn get(&mut self, path_and_query: &str) -> Option<(u16, Option<Value>)> {
        let out = Outgoing {
            method: "GET",
            url: format!("{}{path_and_query}", self.config.base_url),
            headers: self.config.default_headers(),
            body: None,
            credential: true,
            busy_retries: true,
        };
        let ex = self.pipeline.send(out).await.ok()?;
        let answer = ex
            .response
            .as_ref()
            .map(|r| (r.status, r.body.as_ref().and_then(|b| b.json()).cloned()));
        self.exchanges.push(ex);
        answer
    }

    /// Finds what carries the run's marker (and what the ledger lists), each proved by a GET.
    /// Errs when the target does not answer at all.
    pub async fn find(
        &mut self,
        ledger: Option<&ReadLedger>,
    ) -> Result<Vec<Leftover>, LeftoverError> {
        let mut candidates: BTreeSet<String> = BTreeSet::new();
        if let Some(l) = ledger {
            candidates.extend(l.live.iter().map(|(k, _)| k.clone()));
        }
        for (endpoint, attributes) in SEARCHED {
            let found = self.search(endpoint, attributes).await?;
            candidates.extend(found);
        }
        let mut proved = Vec::new();
        for key in candidates {
            match self.get(&key).await {
                Some((200, Some(resource))) => {
                    if let Some((name, value)) = marking(&resource, &self.marker) {
                        let evidence = format!("{name}={value}");
                        proved.push(Leftover {
                            resource: key,
                            evidence,
                        });
                    }
                }
                Some(_) => {} // gone (404) or not readable: nothing to prove
                None => {
                    return Err(LeftoverError::Target(format!(
                        "{} stopped answering",
                        self.pipeline.redactor().text(&self.config.base_url)
                    )));
                }
            }
        }
        Ok(proved)
    }

    /// Candidate keys under one endpoint: filters with `sw` on the marked attributes, or a
    /// bounded scan of the list when the server filters none of them.
    async fn search(
        &mut self,
        endpoint: &str,
        attributes: &[&str],
    ) -> Result<Vec<String>, LeftoverError> {
        let mut found = Vec::new();
        let mut filtered = false;
        for attr in attributes {
            let filter = format!("{attr} sw \"{}\"", self.marker);
            let query: String = url::form_urlencoded::Serializer::new(String::new())
                .append_pair("filter", &filter)
                .append_pair("count", "1000")
                .finish()
                .replace('+', "%20");
            match self.get(&format!("{endpoint}?{query}")).await {
                Some((200, Some(list))) => {
                    filtered = true;
                    found.extend(marked_in(&list, endpoint, &self.marker));
                }
                Some(_) => {}
                None => {
                    return Err(LeftoverError::Target(format!(
                        "{} did not answer",
                        self.pipeline
                            .redactor()
                            .text(&format!("{}{endpoint}", self.config.base_url))
                    )));
                }
            }
        }
        if filtered {
            return Ok(found);
        }
        for start in (1..=MAX_SCAN).step_by(PAGE) {
            let Some((200, Some(list))) = self
                .get(&format!("{endpoint}?startIndex={start}&count={PAGE}"))
                .await
            else {
                self.notes.push(format!(
                    "{endpoint}: the server answered neither a filter nor a list; not searched"
                ));
                return Ok(found);
            };
            found.extend(marked_in(&list, endpoint, &self.marker));
            if last_page(&list, start) {
                return Ok(found);
            }
        }
        self.notes.push(format!(
            "{endpoint}: searched the first {MAX_SCAN} resources only (the server cannot filter)"
        ));
        Ok(found)
    }

    /// Deletes proved leftovers; returns what could not be deleted, with why.
    pub async fn delete(&mut self, found: &[Leftover]) -> Vec<(Leftover, String)> {
        let mut failed = Vec::new();
        for l in found {
            self.pipeline.guard().own(&l.resource, &self.marker);
            let out = Outgoing {
                method: "DELETE",
                url: format!("{}{}", self.config.base_url, l.resource),
                headers: self.config.default_headers(),
                body: None,
                credential: true,
                busy_retries: true,
            };
            let why = match self.pipeline.send(out).await {
                Err(refused) => Some(refused.to_string()),
                Ok(ex) => {
                    let why = match (&ex.response, &ex.error) {
                        (Some(r), _) if (200..300).contains(&r.status) || r.status == 404 => None,
                        (Some(r), _) => Some(format!("the DELETE answered {}", r.status)),
                        (None, Some(e)) => Some(format!("the DELETE got no answer: {e}")),
                        (None, None) => Some("the DELETE got no answer".into()),
                    };
                    self.exchanges.push(ex);
                    why
                }
            };
            if let Some(why) = why {
                failed.push((l.clone(), why));
            }
        }
        failed
    }
}
