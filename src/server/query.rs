//! Query parameters, pagination arithmetic (RFC 7644 §3.4.2.4) and ListResponse bodies.

use std::ops::Range;

use serde_json::{Value, json};

use super::error::ScimError;
use super::fault::Fault;
use super::settings::Settings;

pub(crate) const LIST_RESPONSE_URN: &str = "urn:ietf:params:scim:api:messages:2.0:ListResponse";
/// Page size when the client sends no `count`.
pub(crate) const DEFAULT_COUNT: i64 = 100;
/// The largest page served; advertised as `filter.maxResults`.
pub(crate) const MAX_RESULTS: i64 = 200;

/// The query parameters of a list request.
#[derive(Debug, Default, Clone, PartialEq, Eq)]
pub(crate) struct ListQuery {
    pub(crate) filter: Option<String>,
    pub(crate) start_index: Option<i64>,
    pub(crate) count: Option<i64>,
}

impl ListQuery {
    /// Reads `filter`, `startIndex` and `count` (names case-insensitive); others are ignored.
    pub(crate) fn from_pairs(
        pairs: impl IntoIterator<Item = (String, String)>,
    ) -> Result<ListQuery, ScimError> {
        let mut query = ListQuery::default();
        for (name, value) in pairs {
            if name.eq_ignore_ascii_case("filter") {
                query.filter = Some(value);
            } else if name.eq_ignore_ascii_case("startIndex") {
                query.start_index = Some(parse_integer("startIndex", &value)?);
            } else if name.eq_ignore_ascii_case("count") {
                query.count = Some(parse_integer("count", &value)?);
            }
        }
        Ok(query)
    }
}

/// Parses an integer parameter; out-of-range digit strings saturate, anything else is refused.
fn parse_integer(name: &str, value: &str) -> Result<i64, ScimError> {
    let trimmed = value.trim();
    if let Ok(n) = trimmed.parse::<i64>() {
        return Ok(n);
    }
    let digits = trimmed.strip_prefix(['-', '+']).unwrap_or(trimmed);
    if !digits.is_empty() && digits.bytes().all(|b| b.is_ascii_digit()) {
        return Ok(if trimmed.starts_with('-') {
            i64::MIN
        } else {
            i64::MAX
        });
    }
    Err(ScimError::invalid_value(format!(
        "query parameter '{name}' must be an integer, got '{value}'"
    )))
}

/// One page of a result set.
#[derive(Debug, Clone, PartialEq, Eq)]
pub(crate) struct Page {
    /// The 1-based index actually used (echoed as `startIndex`).
    pub(crate) start_index: usize,
    /// The slice of the full result set to return.
    pub(crate) range: Range<usize>,
}

/// `startIndex` < 1 means 1; `count` defaults to 100, negative means 0, capped at 200.
pub(crate) fn page(total: usize, start_index: Option<i64>, count: Option<i64>) -> Page {
    let start = start_index.unwrap_or(1).max(1);
    let count = count.unwrap_or(DEFAULT_COUNT).clamp(0, MAX_RESULTS);
    let start_index = usize::try_from(start).unwrap_or(usize::MAX);
    let count = usize::try_from(count).unwrap_or(0);
    let begin = (start_index - 1).min(total);
    let end = begin.saturating_add(count).min(total);
    Page {
        start_index,
        range: begin..end,
    }
}

/// A ListResponse body (`list-without-schemas` drops its `schemas`).
pub(crate) fn list_response(
    total: usize,
    start_index: usize,
    resources: Vec<Value>,
    settings: &Settings,
) -> Value {
    let mut body = json!({
        "schemas": [LIST_RESPONSE_URN],
        "totalResults": total,
        "startIndex": start_index,
        "itemsPerPage": resources.len(),
        "Resources": resources,
    });
    if settings.has(Fault::ListWithoutSchemas) {
        if let Some(fields) = body.as_object_mut() {
            fields.remove("schemas");
        }
    }
    body
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn pagination_arithmetic() {
        assert_eq!(
            page(10, None, None),
            Page {
                start_index: 1,
                range: 0..10
            }
        );
        assert_eq!(
            page(10, Some(0), Some(2)),
            Page {
                start_index: 1,
                range: 0..2
            }
        );
        assert_eq!(
            page(10, Some(-5), Some(2)),
            Page {
                start_index: 1,
                range: 0..2
            }
        );
        assert_eq!(
            page(10, Some(9), Some(5)),
            Page {
                start_index: 9,
                range: 8..10
            }
        );
        assert_eq!(
            page(10, Some(15), Some(5)),
            Page {
                start_index: 15,
                range: 10..10
            }
        );
        assert_eq!(
            page(10, Some(3), Some(0)),
            Page {
                start_index: 3,
                range: 2..2
            }
        );
        assert_eq!(
            page(10, Some(1), Some(-1)),
            Page {
                start_index: 1,
                range: 0..0
            }
        );
        assert_eq!(page(500, None, None).range, 0..100);
        assert_eq!(page(500, Some(1), Some(100_000)).range, 0..200);
        assert_eq!(page(5, Some(i64::MAX), Some(i64::MAX)).range, 5..5);
        assert_eq!(
            page(0, None, None),
            Page {
                start_index: 1,
                range: 0..0
            }
        );
    }

    #[test]
    fn query_parameters() {
        let pairs = |items: &[(&str, &str)]| {
            items
                .iter()
                .map(|(k, v)| (k.to_string(), v.to_string()))
                .collect::<Vec<_>>()
        };
        let query = ListQuery::from_pairs(pairs(&[
            ("filter", "userName eq \"x\""),
            ("StartIndex", " 3 "),
            ("count", "99999999999999999999999"),
            ("foo", "bar"),
        ]))
        .unwrap();
        assert_eq!(query.filter.as_deref(), Some("userName eq \"x\""));
        assert_eq!((query.start_index, query.count), (Some(3), Some(i64::MAX)));
        for bad in ["abc", "", "1.5", "-", "1e3"] {
            let err = ListQuery::from_pairs(pairs(&[("count", bad)])).unwrap_err();
            assert_eq!(err.status, 400, "{bad:?}");
        }
    }

    #[test]
    fn list_response_shape() {
        let settings = Settings::for_tests(&[]);
        let body = list_response(7, 3, vec![json!({"id": "a"})], &settings);
        assert_eq!(body["schemas"], json!([LIST_RESPONSE_URN]));
        assert_eq!(
            (body["totalResults"].as_u64(), body["itemsPerPage"].as_u64()),
            (Some(7), Some(1))
        );
        let settings = Settings::for_tests(&[Fault::ListWithoutSchemas]);
        assert!(
            list_response(0, 1, vec![], &settings)
                .get("schemas")
                .is_none()
        );
    }
}
