//! A profile's value rules on User data about to be stored (create, replace or the result of a
//! PATCH): required, lengths, formats, patterns, enumerations, equal values and references to
//! existing users, each refused with 400 invalidValue naming the attribute and the rule.

use serde_json::{Map, Value};

use crate::profile::{Format, Rule, UserKey};
use crate::server::protocol::error::ScimError;
use crate::server::store::Store;

/// The values at `path` in canonical user data: `a`, `a.b` (through a multi-valued `a`, each
/// element's `b`), `a[sub eq "v"].b` (only the elements whose `sub` is `v`), optionally
/// URN-qualified (`urn:…:User:a`, an extension's attribute). Names compare case-insensitively.
pub(crate) fn values_at<'d>(data: &'d Map<String, Value>, path: &str) -> Vec<&'d Value> {
    let get = |map: &'d Map<String, Value>, name: &str| -> Option<&'d Value> {
        map.iter()
            .find(|(k, _)| k.eq_ignore_ascii_case(name))
            .map(|(_, v)| v)
    };
    // An extension attribute: the URN is the longest key of `data` the path starts with.
    let (scope, rest) = match data
        .keys()
        .filter(|k| k.starts_with("urn:") && path.len() > k.len())
        .find(|k| path[..k.len()].eq_ignore_ascii_case(k) && path.as_bytes()[k.len()] == b':')
    {
        Some(urn) => match data.get(urn).and_then(Value::as_object) {
            Some(ext) => (ext, &path[urn.len() + 1..]),
            None => return Vec::new(),
        },
        None => (data, path),
    };
    let (head, sub) = match rest.split_once('.') {
        Some((h, s)) if !h.contains('[') || h.ends_with(']') => (h, Some(s)),
        _ => (rest, None),
    };
    let (name, filter) = match head.split_once('[') {
        Some((n, f)) => (n, f.strip_suffix(']').and_then(parse_eq)),
        None => (head, None),
    };
    let Some(value) = get(scope, name) else {
        return Vec::new();
    };
    let elements: Vec<&Value> = match value {
        Value::Array(items) => items.iter().collect(),
        other => vec![other],
    };
    elements
        .into_iter()
        .filter(|e| {
            filter.as_ref().is_none_or(|(attr, want)| {
                e.as_object()
                    .and_then(|o| get(o, attr))
                    .and_then(Value::as_str)
                    .is_some_and(|v| v.eq_ignore_ascii_case(want))
            })
        })
        .filter_map(|e| match sub {
            Some(s) => e.as_object().and_then(|o| get(o, s)),
            None => Some(e),
        })
        .filter(|v| !v.is_null())
        .collect()
}

/// `sub eq "value"`.
fn parse_eq(filter: &str) -> Option<(String, String)> {
    let mut parts = filter.splitn(3, ' ');
    let attr = parts.next()?;
    let op = parts.next()?;
    let value = parts.next()?.trim().strip_prefix('"')?.strip_suffix('"')?;
    op.eq_ignore_ascii_case("eq")
        .then(|| (attr.to_string(), value.to_string()))
}

fn text(v: &Value) -> String {
    match v {
        Value::String(s) => s.clone(),
        other => other.to_string(),
    }
}

fn formatted(value: &str, format: Format) -> bool {
    match format {
        Format::Email => {
            let mut parts = value.splitn(2, '@');
            let (local, domain) = (parts.next().unwrap_or(""), parts.next().unwrap_or(""));
            !local.is_empty()
                && !value.chars().any(char::is_whitespace)
                && domain.contains('.')
                && !domain.starts_with('.')
                && !domain.ends_with('.')
                && !domain.contains('@')
        }
        Format::E164 => {
            let digits = value.strip_prefix('+').unwrap_or("");
            (2..=15).contains(&digits.len())
                && digits.bytes().all(|b| b.is_ascii_digit())
                && !digits.starts_with('0')
        }
        Format::Iso8601 => {
            use time::format_description::well_known::{Iso8601, Rfc3339};
            time::OffsetDateTime::parse(value, &Rfc3339).is_ok()
                || time::OffsetDateTime::parse(value, &Iso8601::DEFAULT).is_ok()
                || time::Date::parse(
                    value,
                    time::macros::format_description!("[year]-[month]-[day]"),
                )
                .is_ok()
        }
    }
}

/// Checks `data` (a user about to be stored as `id`, `None` when created) against `rules`.
pub(crate) fn check_rules(
    data: &Map<String, Value>,
    rules: &[Rule],
    store: &Store,
    id: Option<&str>,
) -> Result<(), ScimError> {
    for rule in rules {
        let at = &rule.attribute;
        let values = values_at(data, at);
        let present: Vec<String> = values
            .iter()
            .map(|v| text(v))
            .filter(|v| !v.is_empty())
            .collect();
        if rule.required && present.is_empty() {
            return Err(ScimError::invalid_value(format!("{at} is required")));
        }
        for value in &present {
            if let Some(n) = rule.max_length {
                let len = value.chars().count();
                if len > n {
                    return Err(ScimError::invalid_value(format!(
                        "{at} is {len} characters long; at most {n} are allowed"
                    )));
                }
            }
            if let Some(format) = rule.format {
                if !formatted(value, format) {
                    let what = match format {
                        Format::Email => "an email address",
                        Format::E164 => "a phone number in E.164 format (+ and up to 15 digits)",
                        Format::Iso8601 => "an ISO 8601 date or date-time",
                    };
                    return Err(ScimError::invalid_value(format!(
                        "{at} must be {what}, not \"{value}\""
                    )));
                }
            }
            if let Some(pattern) = &rule.pattern {
                let anchored = regex::Regex::new(&format!("^(?:{pattern})$"));
                if anchored.is_ok_and(|r| !r.is_match(value)) {
                    return Err(ScimError::invalid_value(format!(
                        "{at} \"{value}\" does not match {pattern}"
                    )));
                }
            }
            if let Some(allowed) = &rule.one_of {
                if !allowed.iter().any(|a| a == value) {
                    return Err(ScimError::invalid_value(format!(
                        "{at} \"{value}\" is not one of {}",
                        allowed.join(", ")
                    )));
                }
            }
            if let Some(key) = rule.refers_to {
                if !refers(store, key, value, id) {
                    return Err(ScimError::invalid_value(format!(
                        "{at} \"{value}\" names no existing user"
                    )));
                }
            }
        }
        if let Some(other) = &rule.same_as {
            let theirs: Vec<String> = values_at(data, other).into_iter().map(text).collect();
            if let Some(value) = present.iter().find(|v| !theirs.contains(v)) {
                return Err(ScimError::invalid_value(format!(
                    "{at} \"{value}\" must equal {other}"
                )));
            }
        }
    }
    Ok(())
}

/// Whether an existing user other than `id` has `value` as its `key`.
fn refers(store: &Store, key: UserKey, value: &str, id: Option<&str>) -> bool {
    match key {
        UserKey::UserName => store.user_name_taken(value, id, false),
        UserKey::Id => id != Some(value) && store.get("User", value).is_some(),
        UserKey::ExternalId => store.records("User").iter().any(|r| {
            Some(r.id.as_str()) != id
                && r.data.get("externalId").and_then(Value::as_str) == Some(value)
        }),
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use serde_json::json;

    fn data(v: Value) -> Map<String, Value> {
        v.as_object().cloned().unwrap()
    }

    #[test]
    fn paths_reach_sub_attributes_filtered_elements_and_extensions() {
        let d = data(json!({
            "userName": "a@example.com",
            "name": {"givenName": "Ann"},
            "phoneNumbers": [{"type": "work", "value": "+3212"}, {"type": "mobile", "value": "0470"}],
            "urn:x:peakon:2.0:User": {"Department": "IT"}
        }));
        let at = |p| values_at(&d, p).into_iter().map(text).collect::<Vec<_>>();
        assert_eq!(at("username"), ["a@example.com"]);
        assert_eq!(at("name.givenName"), ["Ann"]);
        assert_eq!(at("phoneNumbers.value"), ["+3212", "0470"]);
        assert_eq!(at("phoneNumbers[type eq \"mobile\"].value"), ["0470"]);
        assert_eq!(at("urn:x:peakon:2.0:User:department"), ["IT"]);
        assert!(at("name.familyName").is_empty());
    }

    #[test]
    fn formats_are_judged_as_named() {
        assert!(formatted("jane.doe@example.com", Format::Email));
        assert!(!formatted("jane.doe", Format::Email));
        assert!(!formatted("jane doe@example.com", Format::Email));
        assert!(formatted("+44007007007", Format::E164));
        assert!(!formatted("0470 12 34 56", Format::E164));
        assert!(formatted("1990-01-31", Format::Iso8601));
        assert!(formatted("1990-01-31T08:00:00Z", Format::Iso8601));
        assert!(!formatted("yesterday", Format::Iso8601));
    }
}
