//! The write guard, the first stage of the http pipeline: every request stays under the base URL,
//! and every PUT, PATCH and DELETE (bulk operations and cleanup included) targets a resource this
//! run proved it created, or an id this run invented (which names nothing that exists).

use super::Outgoing;
use serde_json::Value;
use std::collections::BTreeMap;
use std::sync::Mutex;

/// Why the guard refused a request; the text names the request (redacted by the caller).
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
#[error("safety: refusing to {method} {target}: {why}")]
pub struct Refused {
    pub method: String,
    pub target: String,
    pub why: String,
}

/// One resource this run owns (proved to have created), with the marker that proved it.
#[derive(Debug, Clone, PartialEq, Eq)]
struct Owned {
    marker: String,
    live: bool,
}

/// What the run owns, keyed by resource path (`/Users/2819c223`, the id percent-encoded as one
/// segment), and which of it still exists as far as the run knows.
#[derive(Debug)]
pub struct WriteGuard {
    base_url: String,
    namespace: String,
    owned: Mutex<BTreeMap<String, Owned>>,
    /// `--read-only`: every write is refused, whatever it targets.
    read_only: bool,
}

impl WriteGuard {
    /// `namespace` starts every value the run invents (`scimcheck-<run id>`).
    pub fn new(base_url: &str, namespace: &str) -> Self {
        WriteGuard {
            base_url: base_url.trim_end_matches('/').to_string(),
            namespace: namespace.to_string(),
            owned: Mutex::new(BTreeMap::new()),
            read_only: false,
        }
    }

    /// The same guard, refusing every POST (but to a `.search` endpoint), PUT, PATCH and DELETE.
    pub fn read_only(mut self, read_only: bool) -> Self {
        self.read_only = read_only;
        self
    }

    pub fn base_url(&self) -> &str {
        &self.base_url
    }

    pub fn namespace(&self) -> &str {
        &self.namespace
    }

    fn owned(&self) -> std::sync::MutexGuard<'_, BTreeMap<String, Owned>> {
        self.owned.lock().unwrap_or_else(|e| e.into_inner())
    }

    /// Records a resource whose ownership was proved (by `marker`); it may now be changed.
    pub fn own(&self, key: &str, marker: &str) {
        self.owned().insert(
            key.to_string(),
            Owned {
                marker: marker.to_string(),
                live: true,
            },
        );
    }

    /// The resource was deleted (by a step or by cleanup); it stays ours to address.
    pub fn gone(&self, key: &str) {
        if let Some(o) = self.owned().get_mut(key) {
            o.live = false;
        }
    }

    /// Whether this run proved it created `key` (now or earlier).
    pub fn owns(&self, key: &str) -> bool {
        self.owned().contains_key(key)
    }

    /// Owned resources not yet deleted, with their markers, in key order.
    pub fn live(&self) -> Vec<(String, String)> {
        self.owned()
            .iter()
            .filter(|(_, o)| o.live)
            .map(|(k, o)| (k.clone(), o.marker.clone()))
            .collect()
    }

    /// Whether `key` names something this run owns or an id it invented (its last segment starts
    /// with the namespace, so it cannot be anyone else's data). `key` comes from [`key_of`].
    pub fn may_modify(&self, key: &str) -> bool {
        let invented = key
            .rsplit('/')
            .next()
            .is_some_and(|last| last.starts_with(&self.namespace));
        self.owns(key) || invented
    }

    /// Decides whether `out` may be sent.
    pub fn permit(&self, out: &Outgoing) -> Result<(), Refused> {
        let refuse = |target: &str, why: &str| Refused {
            method: out.method.to_string(),
            target: target.to_string(),
            why: why.to_string(),
        };
        let Some(key) = key_of(&self.base_url, &out.url) else {
            return Err(refuse(&out.url, "it is outside the base URL"));
        };
        let search = out.method == "POST" && key.ends_with(".search");
        if self.read_only && out.method != "GET" && !search {
            return Err(refuse(&out.url, "--read-only: this run sends no write"));
        }
        match out.method {
            "PUT" | "PATCH" | "DELETE" if !self.may_modify(&key) => {
                Err(refuse(&out.url, "this run did not create that resource"))
            }
            "POST" if key.ends_with("/Bulk") || key == "/Bulk" => {
                self.permit_bulk(out.body.as_deref())
            }
            _ => Ok(()),
        }
    }

    /// A bulk request is refused when any of its PUT, PATCH or DELETE operations targets
    /// something this run did not create. A `bulkId:` reference names a resource the same request
    /// creates.
    fn permit_bulk(&self, body: Option<&[u8]>) -> Result<(), Refused> {
        let Some(request) = body.and_then(|b| serde_json::from_slice::<Value>(b).ok()) else {
            return Ok(()); // not JSON: the server will refuse it, and nothing can be targeted
        };
        for op in bulk_operations(&request) {
            let method = op
                .get("method")
                .and_then(Value::as_str)
                .unwrap_or_default()
                .to_ascii_uppercase();
            if !matches!(method.as_str(), "PUT" | "PATCH" | "DELETE") {
                continue;
            }
            let path = op.get("path").and_then(Value::as_str).unwrap_or_default();
            if path.contains("bulkId:") {
                continue;
            }
            if !bulk_path_key(&self.base_url, path).is_some_and(|k| self.may_modify(&k)) {
                return Err(Refused {
                    method: "POST".into(),
                    target: format!("a bulk request that would {method} {path}"),
                    why: "this run did not create that resource".into(),
                });
            }
        }
        Ok(())
    }
}

/// The `Operations` of a bulk request or response.
pub fn bulk_operations(v: &Value) -> &[Value] {
    v.get("Operations")
        .and_then(Value::as_array)
        .map_or(&[], Vec::as_slice)
}

fn bulk_path_key(base_url: &str, path: &str) -> Option<String> {
    let path = if path.starts_with('/') {
        path.to_string()
    } else {
        format!("/{path}")
    };
    key_of(base_url, &format!("{base_url}{path}"))
}

/// Whether a server-assigned id can name a resource: not empty, and not `.` or `..` in any
/// encoding (as one path segment those would name the collection or its parent).
pub fn usable_id(id: &str) -> bool {
    let decoded = percent_decode(id);
    !(decoded.trim().is_empty() || decoded == "." || decoded == "..")
}

fn percent_decode(s: &str) -> String {
    let mut text = s.to_string();
    // Repeated decoding defeats double encoding (`%252e`); each pass only shrinks the text.
    for _ in 0..4 {
        let next = percent_encoding::percent_decode_str(&text)
            .decode_utf8_lossy()
            .into_owned();
        if next == text {
            break;
        }
        text = next;
    }
    text
}

/// The key under which a created resource is recorded: `{endpoint}/{id}` with the id
/// percent-encoded as one path segment, so an id can never point somewhere else.
pub fn created_key(endpoint: &str, id: &str) -> String {
    let segment: String = url::form_urlencoded::byte_serialize(id.as_bytes()).collect();
    format!(
        "{}/{}",
        endpoint.trim_end_matches('/'),
        segment.replace('+', "%20")
    )
}

/// Like [`key_of`], but also accepts a location relative to the base URL's origin
/// (`/scim/v2/Users/1`), as some servers send in `Location` and `meta.location`.
pub fn key_of_location(base_url: &str, location: &str) -> Option<String> {
    let absolute = url::Url::parse(base_url).ok()?.join(location).ok()?;
    key_of(base_url, absolute.as_str())
}

/// The resource path of a URL under the base, after URL normalisation (`..`, `%2e%2e`):
/// `/Users/42` for `{base}/Users/42?x=1`. `None` when the URL is not under the base.
pub fn key_of(base_url: &str, url: &str) -> Option<String> {
    let base = url::Url::parse(base_url).ok()?;
    let target = url::Url::parse(url).ok()?;
    if base.origin() != target.origin() {
        return None;
    }
    let base_path = base.path().trim_end_matches('/');
    let rest = target.path().strip_prefix(base_path)?;
    if !(rest.is_empty() || rest.starts_with('/')) {
        return None;
    }
    Some(rest.trim_end_matches('/').to_string())
}

#[cfg(test)]
#[path = "guard_tests.rs"]
mod tests;
