//! Ownership proof. A resource is this run's only if our create answered 2xx, its id is usable
//! (one path segment that names a single resource), and it carries the marker the check sent —
//! read from the create response or, if absent there, from one GET. A create that got no usable
//! answer (timed out, no id) is looked up by its marker. Anything unproven is never touched: it
//! becomes a safety finding and a `left_behind` entry that `scimcheck cleanup` can find later.

use super::step::CheckState;
use crate::http::Outgoing;
use crate::http::guard::{created_key, key_of_location, usable_id};
use crate::outcome::{Finding, FindingKind, LeftBehind};
use serde_json::Value;

/// How many list pages a marker lookup reads when the server cannot filter.
const MAX_SCAN_PAGES: usize = 10;
const SCAN_PAGE_SIZE: usize = 100;

/// Attributes a marker can be looked up by, in order of preference.
const MARKED_ATTRIBUTES: [&str; 3] = ["externalId", "userName", "displayName"];

/// Whether one of the resource's own top-level string attributes (userName, displayName,
/// externalId, …; not `id`) contains `marker`, compared case-insensitively (servers may normalise
/// case). Nested values do not count: a foreign user's `groups` may well show the display name
/// of a group this run created.
pub fn carries(resource: &Value, marker: &str) -> bool {
    marking(resource, marker).is_some()
}

/// The first of the resource's own top-level string attributes carrying `marker` (as
/// [`carries`] reads them), with its value: the evidence that proves it ours.
pub fn marking<'r>(resource: &'r Value, marker: &str) -> Option<(&'r str, &'r str)> {
    let marker = marker.to_lowercase();
    resource.as_object()?.iter().find_map(|(name, value)| {
        let s = value.as_str()?;
        (name != "id" && s.to_lowercase().contains(&marker)).then_some((name.as_str(), s))
    })
}

/// Makes a create body carry the marker: when no top-level string in it does, `externalId` gets
/// `<marker>mark` (an attribute the check is not about). Returns whether it added one.
pub fn ensure_marker(body: &mut Value, marker: &str) -> bool {
    if carries(body, marker) {
        return false;
    }
    match body {
        Value::Object(map) if !map.contains_key("externalId") => {
            map.insert("externalId".into(), Value::String(format!("{marker}mark")));
            true
        }
        _ => false,
    }
}

/// The attribute and value of a create body that carry the marker, to look the resource up by.
fn marked_attribute(body: &Value, marker: &str) -> Option<(&'static str, String)> {
    MARKED_ATTRIBUTES.into_iter().find_map(|attr| {
        let value = body.get(attr)?.as_str()?;
        value
            .to_lowercase()
            .contains(&marker.to_lowercase())
            .then(|| (attr, value.to_string()))
    })
}

/// What a create's answer says it created, before any proof.
pub enum Claim {
    /// The answer names a resource: `key` (`/Users/{id}`).
    Named { key: String, id: String },
    /// The answer names something no request may address (an id of `..`, `.` or "", a Location
    /// elsewhere): `actual` says what and `short` names it.
    Unusable { actual: String, short: String },
    /// The answer names nothing (no id, no Location): look it up by its marker.
    Nameless,
}

/// Reads a 2xx create answer: the body's `id`, else the `Location` header (which must name one
/// resource directly under the endpoint posted to).
pub fn claim(
    base_url: &str,
    endpoint: &str,
    body: Option<&Value>,
    location: Option<&str>,
) -> Claim {
    let resource = body.filter(|b| b.is_object());
    if let Some(id) = resource.and_then(|b| b.get("id")) {
        return match id.as_str() {
            Some(id) if usable_id(id) => Claim::Named {
                key: created_key(endpoint, id),
                id: id.to_string(),
            },
            _ => Claim::Unusable {
                actual: format!("id {id}, which names no single resource; nothing was sent to it"),
                short: format!("with id {id}"),
            },
        };
    }
    let Some(location) = location else {
        return Claim::Nameless;
    };
    let named = key_of_location(base_url, location).and_then(|key| {
        let (parent, last) = key.rsplit_once('/')?;
        let id = percent_encoding::percent_decode_str(last)
            .decode_utf8_lossy()
            .into_owned();
        (parent == endpoint.trim_end_matches('/') && usable_id(last)).then(|| (key.clone(), id))
    });
    match named {
        Some((key, id)) => Claim::Named { key, id },
        None => Claim::Unusable {
            actual: format!(
                "no id, and Location {location:?}, which names no single resource under {endpoint}; nothing was sent to it"
            ),
            short: format!("with Location {location:?}"),
        },
    }
}

impl CheckState<'_> {
    /// Sends a GET the check needs for a proof or a lookup; the exchange joins the step's.
    async fn get(&mut self, path_and_query: &str) -> Option<(u16, Option<Value>)> {
        let out = Outgoing {
            method: "GET",
            url: format!("{}{path_and_query}", self.shared.config.base_url),
            headers: self.shared.default_headers(),
            body: None,
            credential: true,
            busy_retries: true,
        };
        let ex = self.shared.pipeline.send(out).await.ok()?;
        let answer = ex
            .response
            .as_ref()
            .map(|r| (r.status, r.body.as_ref().and_then(|b| b.json()).cloned()));
        self.exchanges.push(ex);
        answer
    }

    /// Proves a claimed resource ours (its answer or one GET carries the marker) and records it
    /// for cleanup; otherwise reports it and leaves it alone.
    pub(super) async fn prove(
        &mut self,
        request: &str,
        endpoint: &str,
        sent: Option<&Value>,
        claim: Claim,
    ) {
        let marker = self.vars.marker();
        let (key, id) = match claim {
            Claim::Named { key, id } => (key, id),
            Claim::Unusable { actual, short } => {
                return self.unproven(request, &actual, &short, &marker);
            }
            Claim::Nameless => return self.look_up(request, endpoint, sent).await,
        };
        // The answer alone proves nothing: a server can echo our request under somebody else's
        // id. What the server holds at that id must carry the marker.
        let proven = self.holds_marker(&key, &marker).await;
        if proven {
            self.record_owned(&key, &marker);
        } else {
            let actual =
                format!("id {id:?}, whose resource does not carry the marker; it was not modified");
            self.unproven(
                request,
                &actual,
                &format!("with id {id:?}, which is not ours"),
                &marker,
            );
        }
    }

    /// Reads `key` back: does the resource there carry `marker`? A 404 is read once more after
    /// a short pause, for servers whose reads lag their writes.
    async fn holds_marker(&mut self, key: &str, marker: &str) -> bool {
        for attempt in 0..2 {
            match self.get(key).await {
                Some((200, Some(r))) => return carries(&r, marker),
                Some((404, _)) if attempt == 0 => {
                    tokio::time::sleep(std::time::Duration::from_millis(300)).await;
                }
                _ => return false,
            }
        }
        false
    }

    pub(super) fn record_owned(&mut self, key: &str, marker: &str) {
        self.shared.pipeline.guard().own(key, marker);
        self.shared.journal_created(key, marker);
        self.ledger.record(key, marker);
    }

    /// A create answered with something that is not provably ours: the step fails with a safety
    /// finding, and what the request may have created is listed by its marker.
    fn unproven(&mut self, request: &str, actual: &str, short: &str, marker: &str) {
        self.safety.push(Finding::at(
            FindingKind::Safety,
            request,
            format!("the id of the resource it created (carrying our marker {marker})"),
            actual,
        ));
        self.left_behind.push(LeftBehind {
            resource: None,
            marker: marker.to_string(),
            reason: format!("{request} answered {short}"),
        });
    }

    /// A create got no usable answer (timed out, reset, no id): finds what carries its marker
    /// (a filter on the marked attribute, or a bounded scan of the list when the server cannot
    /// filter) and records it for cleanup; lists it as left behind when the lookup fails.
    pub(super) async fn look_up(&mut self, request: &str, endpoint: &str, sent: Option<&Value>) {
        let marker = self.vars.marker();
        match self.find_marked(endpoint, sent, &marker).await {
            Ok(found) => {
                // A listing is the server's word too: each is read back before it is ours.
                for key in found {
                    if self.holds_marker(&key, &marker).await {
                        self.record_owned(&key, &marker);
                    }
                }
            }
            Err(why) => self.left_behind.push(LeftBehind {
                resource: None,
                marker,
                reason: format!("{request} got no usable answer; looking for what it may have created failed: {why}"),
            }),
        }
    }

    async fn find_marked(
        &mut self,
        endpoint: &str,
        sent: Option<&Value>,
        marker: &str,
    ) -> Result<Vec<String>, String> {
        if let Some((attr, value)) = sent.and_then(|b| marked_attribute(b, marker)) {
            let filter = format!(
                "{attr} eq \"{}\"",
                value.replace('\\', "\\\\").replace('"', "\\\"")
            );
            let query: String = url::form_urlencoded::Serializer::new(String::new())
                .append_pair("filter", &filter)
                .finish()
                .replace('+', "%20");
            match self.get(&format!("{endpoint}?{query}")).await {
                Some((200, Some(list))) => return Ok(marked_in(&list, endpoint, marker)),
                None => return Err("the server did not answer".into()),
                Some(_) => {} // cannot filter on it: scan instead
            }
        }
        let mut found = Vec::new();
        for page in 0..MAX_SCAN_PAGES {
            let start = 1 + page * SCAN_PAGE_SIZE;
            let Some((200, Some(list))) = self
                .get(&format!(
                    "{endpoint}?startIndex={start}&count={SCAN_PAGE_SIZE}"
                ))
                .await
            else {
                return Err(format!("GET {endpoint} did not list resources"));
            };
            found.extend(marked_in(&list, endpoint, marker));
            if last_page(&list, start) {
                return Ok(found);
            }
        }
        if found.is_empty() {
            Err(format!(
                "not among the first {} resources of {endpoint}",
                MAX_SCAN_PAGES * SCAN_PAGE_SIZE
            ))
        } else {
            Ok(found)
        }
    }
}

/// Whether a ListResponse page that started at `start` is the last one (it returned nothing, or
/// reached `totalResults`).
pub fn last_page(list: &Value, start: usize) -> bool {
    let returned = list
        .get("Resources")
        .and_then(Value::as_array)
        .map_or(0, Vec::len);
    let total = list
        .get("totalResults")
        .and_then(Value::as_u64)
        .unwrap_or(0) as usize;
    returned == 0 || start - 1 + returned >= total
}

/// The resources of a ListResponse that carry the marker and have usable ids.
pub fn marked_in(list: &Value, endpoint: &str, marker: &str) -> Vec<String> {
    list.get("Resources")
        .and_then(Value::as_array)
        .map_or(&[][..], Vec::as_slice)
        .iter()
        .filter(|r| carries(r, marker))
        .filter_map(|r| r.get("id").and_then(Value::as_str))
        .filter(|id| usable_id(id))
        .map(|id| created_key(endpoint, id))
        .collect()
}

#[cfg(test)]
#[path = "own_tests.rs"]
mod tests;
