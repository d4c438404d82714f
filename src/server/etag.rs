//! Versioning (RFC 7644 §3.14, RFC 7232): the weak ETag behind `meta.version`, the `ETag`
//! header on single-resource replies, If-Match / If-None-Match preconditions, and [`touch`],
//! which moves a record's version and lastModified forward on every modification.

use wiremock::http::HeaderMap;

use super::error::ScimError;
use super::reply::Reply;
use super::settings::Settings;
use super::store::{Record, after, format_timestamp};

/// `meta.version` of a record: a weak validator `W/"<n>"`.
pub(crate) fn version_of(record: &Record) -> String {
    format!("W/\"{}\"", record.version)
}

/// The `ETag` header value: `meta.version`, or its strong twin under `etag-version-mismatch`.
fn header_value(record: &Record, settings: &Settings) -> String {
    if settings.policies.etag.header_strong {
        format!("\"{}\"", record.version)
    } else {
        version_of(record)
    }
}

/// `reply` with the record's `ETag` header (unless `etag-header-missing`).
pub(crate) fn with_etag(reply: Reply, record: &Record, settings: &Settings) -> Reply {
    if settings.policies.etag.header_missing {
        return reply;
    }
    reply.with_header("ETag", header_value(record, settings))
}

/// The conditional headers of a request.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub(crate) struct Preconditions {
    pub(crate) if_match: Option<String>,
    pub(crate) if_none_match: Option<String>,
}

impl Preconditions {
    pub(crate) fn from_headers(headers: &HeaderMap) -> Preconditions {
        let joined = |name: &str| {
            let values: Vec<&str> = headers
                .get_all(name)
                .iter()
                .filter_map(|v| v.to_str().ok())
                .collect();
            (!values.is_empty()).then(|| values.join(","))
        };
        Preconditions {
            if_match: joined("if-match"),
            if_none_match: joined("if-none-match"),
        }
    }

    /// If-Match on PUT/PATCH/DELETE: a list that names neither `*` nor the current version
    /// answers 412 (unless `etag-if-match-ignored`).
    pub(crate) fn check_match(
        &self,
        record: &Record,
        settings: &Settings,
    ) -> Result<(), ScimError> {
        let Some(list) = &self.if_match else {
            return Ok(());
        };
        if settings.policies.etag.if_match_ignored || lists(list, record) {
            return Ok(());
        }
        Err(ScimError::new(
            412,
            format!(
                "If-Match {list} does not match the current version {}",
                version_of(record)
            ),
        ))
    }

    /// If-None-Match on GET: whether the client's copy is current (answer 304).
    pub(crate) fn not_modified(&self, record: &Record, settings: &Settings) -> bool {
        !settings.policies.etag.if_none_match_ignored
            && self
                .if_none_match
                .as_deref()
                .is_some_and(|l| lists(l, record))
    }
}

/// Whether an If-Match / If-None-Match list names `*` or the record's version. Tags compare
/// weakly (RFC 7232 §2.3.2), as RFC 7644 §3.14's own If-Match example with a weak tag needs.
fn lists(list: &str, record: &Record) -> bool {
    let current = record.version.to_string();
    list.split(',').map(str::trim).any(|tag| {
        let tag = tag.strip_prefix("W/").unwrap_or(tag);
        tag == "*" || tag.strip_prefix('"').and_then(|t| t.strip_suffix('"')) == Some(&current)
    })
}

/// How a modification moves `meta.lastModified`.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) enum Change {
    /// A PATCH (`last-modified-unchanged-on-patch` leaves lastModified alone).
    Patch,
    /// Any other modification.
    Other,
}

/// Records a modification: the version grows (unless `etag-not-updated`) and lastModified moves
/// strictly forward (unless a fault freezes it).
pub(crate) fn touch(record: &mut Record, settings: &Settings, change: Change) {
    if !settings.policies.etag.version_frozen {
        record.version += 1;
    }
    if settings.policies.meta.last_modified_frozen
        || (change == Change::Patch && settings.policies.meta.last_modified_unchanged_on_patch)
    {
        return;
    }
    record.modified_at = after(record.modified_at);
    record.last_modified =
        format_timestamp(record.modified_at, settings.policies.meta.local_timestamps);
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::server::model::Fault;
    use crate::server::store::now;
    use serde_json::Map;

    fn record(version: u64) -> Record {
        Record {
            id: "a".into(),
            data: Map::new(),
            created: String::new(),
            last_modified: String::new(),
            modified_at: now(),
            version,
        }
    }

    #[test]
    fn preconditions_compare_weakly() {
        let settings = Settings::for_tests(&[]);
        let current = record(3);
        let pre = |m: &str| Preconditions {
            if_match: Some(m.into()),
            if_none_match: Some(m.into()),
        };
        for ok in ["W/\"3\"", "\"3\"", "*", "W/\"1\", W/\"3\""] {
            assert!(pre(ok).check_match(&current, &settings).is_ok(), "{ok}");
            assert!(pre(ok).not_modified(&current, &settings), "{ok}");
        }
        for stale in ["W/\"2\"", "3", "W/\"33\"", ""] {
            let err = pre(stale).check_match(&current, &settings).unwrap_err();
            assert_eq!(err.status, 412, "{stale}");
            assert!(!pre(stale).not_modified(&current, &settings), "{stale}");
        }
        assert!(
            Preconditions::default()
                .check_match(&current, &settings)
                .is_ok()
        );
        let ignoring = Settings::for_tests(&[Fault::EtagIfMatchIgnored]);
        assert!(pre("W/\"1\"").check_match(&current, &ignoring).is_ok());
    }

    #[test]
    fn touch_moves_version_and_time() {
        let settings = Settings::for_tests(&[]);
        let mut r = record(1);
        let before = r.modified_at;
        touch(&mut r, &settings, Change::Patch);
        assert_eq!((r.version, version_of(&r)), (2, "W/\"2\"".to_owned()));
        assert!(r.modified_at > before);
        let frozen =
            Settings::for_tests(&[Fault::EtagNotUpdated, Fault::LastModifiedUnchangedOnPatch]);
        let at = r.modified_at;
        touch(&mut r, &frozen, Change::Patch);
        assert_eq!((r.version, r.modified_at), (2, at));
        touch(&mut r, &frozen, Change::Other);
        assert!(r.modified_at > at);
    }
}
