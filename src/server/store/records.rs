//! The server's in-memory state: the records of each resource type in creation order,
//! reserved names, and the clock.

use std::collections::BTreeMap;

use serde_json::{Map, Value};
use time::format_description::FormatItem;
use time::macros::format_description;
use time::{Duration, OffsetDateTime};

use crate::server::model::schema::Kind;

/// One stored resource. `data` holds the canonical attributes (extension data nested under the
/// extension URN); `id` and `meta` live beside it.
#[derive(Debug, Clone, PartialEq)]
pub(crate) struct Record {
    pub(crate) id: String,
    pub(crate) data: Map<String, Value>,
    pub(crate) created: String,
    pub(crate) last_modified: String,
    /// The instant behind `last_modified`, used to keep it strictly increasing.
    pub(crate) modified_at: OffsetDateTime,
    /// The counter behind `meta.version` and the ETag; it grows with every modification.
    pub(crate) version: u64,
}

impl Record {
    /// An empty record with id `a` at `version`, for unit tests of versioning and ETags.
    #[cfg(test)]
    pub(crate) fn for_tests(version: u64) -> Record {
        Record {
            id: "a".into(),
            data: Map::new(),
            created: String::new(),
            last_modified: String::new(),
            modified_at: now(),
            version,
        }
    }

    pub(crate) fn user_name(&self) -> Option<&str> {
        self.data.get("userName").and_then(Value::as_str)
    }
}

/// Every stored resource, keyed by the name of its resource type; ids are unique across all.
#[derive(Debug, Default)]
pub(crate) struct Store {
    /// The records of each resource type, in creation order.
    by_type: BTreeMap<String, Vec<Record>>,
    /// userNames of deleted users that stay reserved (`delete.user_name_reserved`).
    reserved: Vec<String>,
}

impl Store {
    /// A store holding the resources that exist before the first request.
    pub(crate) fn seeded(seed: &[(String, String, Map<String, Value>)]) -> Store {
        let mut store = Store::default();
        let at = now();
        for (type_name, id, data) in seed {
            let stamp = format_timestamp(at, false);
            store.insert(
                type_name,
                Record {
                    id: id.clone(),
                    data: data.clone(),
                    created: stamp.clone(),
                    last_modified: stamp,
                    modified_at: at,
                    version: 1,
                },
            );
        }
        store
    }

    /// The records of the resource type `type_name`, in creation order.
    pub(crate) fn records(&self, type_name: &str) -> &[Record] {
        self.by_type.get(type_name).map_or(&[], Vec::as_slice)
    }

    pub(crate) fn records_mut(&mut self, type_name: &str) -> &mut Vec<Record> {
        self.by_type.entry(type_name.to_owned()).or_default()
    }

    pub(crate) fn get(&self, type_name: &str, id: &str) -> Option<&Record> {
        self.records(type_name).iter().find(|r| r.id == id)
    }

    pub(crate) fn get_mut(&mut self, type_name: &str, id: &str) -> Option<&mut Record> {
        self.by_type
            .get_mut(type_name)?
            .iter_mut()
            .find(|r| r.id == id)
    }

    /// The name of the resource type of the resource with this id, whatever its type.
    pub(crate) fn type_of(&self, id: &str) -> Option<&str> {
        self.by_type
            .iter()
            .find(|(_, records)| records.iter().any(|r| r.id == id))
            .map(|(name, _)| name.as_str())
    }

    /// The kind of the resource with this id, whatever its type.
    pub(crate) fn kind_of(&self, id: &str) -> Option<Kind> {
        Kind::named(self.type_of(id)?)
    }

    pub(crate) fn insert(&mut self, type_name: &str, record: Record) {
        self.records_mut(type_name).push(record);
    }

    pub(crate) fn remove(&mut self, type_name: &str, id: &str) -> Option<Record> {
        let records = self.by_type.get_mut(type_name)?;
        let index = records.iter().position(|r| r.id == id)?;
        Some(records.remove(index))
    }

    pub(crate) fn reserve(&mut self, user_name: &str) {
        self.reserved.push(user_name.to_owned());
    }

    /// Whether `name` is taken by a user other than `except`, or reserved.
    pub(crate) fn user_name_taken(
        &self,
        name: &str,
        except: Option<&str>,
        case_exact: bool,
    ) -> bool {
        let same = |other: &str| {
            if case_exact {
                other == name
            } else {
                other.to_lowercase() == name.to_lowercase()
            }
        };
        self.records(Kind::User.type_name())
            .iter()
            .filter(|r| Some(r.id.as_str()) != except)
            .filter_map(Record::user_name)
            .any(same)
            || self.reserved.iter().any(|r| same(r))
    }
}

const UTC_FORMAT: &[FormatItem<'static>] =
    format_description!("[year]-[month]-[day]T[hour]:[minute]:[second].[subsecond digits:3]Z");
const LOCAL_FORMAT: &[FormatItem<'static>] =
    format_description!("[year]-[month]-[day]T[hour]:[minute]:[second].[subsecond digits:3]");

/// The current UTC time truncated to milliseconds.
pub(crate) fn now() -> OffsetDateTime {
    let now = OffsetDateTime::now_utc();
    let millis = now.millisecond();
    now.replace_millisecond(millis).unwrap_or(now)
}

/// A timestamp strictly after `previous`: now, or `previous` + 1 ms if the clock has not moved.
pub(crate) fn after(previous: OffsetDateTime) -> OffsetDateTime {
    let now = now();
    if now > previous {
        now
    } else {
        previous + Duration::milliseconds(1)
    }
}

/// RFC 3339 UTC with milliseconds and `Z`, or without an offset when `local`.
pub(crate) fn format_timestamp(at: OffsetDateTime, local: bool) -> String {
    let format = if local { LOCAL_FORMAT } else { UTC_FORMAT };
    at.to_offset(time::UtcOffset::UTC)
        .format(format)
        .unwrap_or_default()
}

#[cfg(test)]
mod tests {
    use super::*;
    use time::macros::datetime;

    fn record(id: &str, user_name: &str) -> Record {
        let mut data = Map::new();
        data.insert("userName".into(), Value::from(user_name));
        let at = now();
        Record {
            id: id.into(),
            data,
            created: String::new(),
            last_modified: String::new(),
            modified_at: at,
            version: 1,
        }
    }

    #[test]
    fn timestamps_are_rfc3339_with_millis() {
        let at = datetime!(2026-11-22 10:00:00.123456 UTC);
        assert_eq!(format_timestamp(at, false), "2026-11-22T10:00:00.123Z");
        assert_eq!(format_timestamp(at, true), "2026-11-22T10:00:00.123");
    }

    #[test]
    fn after_is_strictly_increasing() {
        let future = now() + Duration::hours(1);
        assert_eq!(after(future), future + Duration::milliseconds(1));
        let past = datetime!(2000-01-01 0:00 UTC);
        assert!(after(past) > past);
        assert_eq!(now().nanosecond() % 1_000_000, 0);
    }

    #[test]
    fn user_name_uniqueness() {
        let mut store = Store::default();
        store.insert(Kind::User.type_name(), record("1", "Alice"));
        assert_eq!(store.kind_of("1"), Some(Kind::User));
        assert!(store.get(Kind::Group.type_name(), "1").is_none());
        assert!(store.user_name_taken("ALICE", None, false));
        assert!(!store.user_name_taken("ALICE", None, true));
        assert!(!store.user_name_taken("alice", Some("1"), false));
        store.remove(Kind::User.type_name(), "1");
        assert!(!store.user_name_taken("alice", None, false));
        store.reserve("Alice");
        assert!(store.user_name_taken("alice", None, false));
    }
}
