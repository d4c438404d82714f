//! A record's version and timestamps (RFC 7644 §3.14, RFC 7643 §3.1): the weak ETag behind
//! `meta.version`, and [`touch`], which moves version and lastModified forward on every
//! modification.

use crate::server::model::settings::Settings;
use crate::server::store::{Record, after, format_timestamp};

/// `meta.version` of a record: a weak validator `W/"<n>"`.
pub(crate) fn version_of(record: &Record) -> String {
    format!("W/\"{}\"", record.version)
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

    fn record(version: u64) -> Record {
        Record::for_tests(version)
    }

    #[test]
    fn touch_moves_version_and_time() {
        let settings = Settings::for_tests(&[]);
        let mut r = record(1);
        let before = r.modified_at;
        touch(&mut r, &settings, Change::Patch);
        assert_eq!((r.version, version_of(&r)), (2, "W/\"2\"".to_owned()));
        assert!(r.modified_at > before);
        let frozen = Settings::with(|_, p| {
            p.etag.version_frozen = true;
            p.meta.last_modified_unchanged_on_patch = true;
        });
        let at = r.modified_at;
        touch(&mut r, &frozen, Change::Patch);
        assert_eq!((r.version, r.modified_at), (2, at));
        touch(&mut r, &frozen, Change::Other);
        assert!(r.modified_at > at);
    }
}
