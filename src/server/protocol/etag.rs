//! ETags on the wire (RFC 7644 §3.14, RFC 7232): the `ETag` header on single-resource replies
//! and If-Match / If-None-Match preconditions. The version itself is kept by the store.

use crate::server::model::settings::Settings;
use crate::server::protocol::error::ScimError;
use crate::server::protocol::reply::Reply;
use crate::server::store::Record;
use crate::server::store::version::version_of;

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

#[cfg(test)]
mod tests {
    use super::*;

    fn record(version: u64) -> Record {
        Record::for_tests(version)
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
        let ignoring = Settings::with(|_, p| p.etag.if_match_ignored = true);
        assert!(pre("W/\"1\"").check_match(&current, &ignoring).is_ok());
    }
}
