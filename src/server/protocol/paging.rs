//! Pagination arithmetic (RFC 7644 §3.4.2.4) and ListResponse bodies, shared by every list.

use std::ops::Range;

use serde_json::{Value, json};

use crate::server::model::settings::Settings;
use crate::server::model::{Limits, PagingPolicy};

pub(crate) const LIST_RESPONSE_URN: &str = "urn:ietf:params:scim:api:messages:2.0:ListResponse";

/// One page of a result set.
#[derive(Debug, Clone, PartialEq, Eq)]
pub(crate) struct Page {
    /// The 1-based index actually used (echoed as `startIndex`).
    pub(crate) start_index: usize,
    /// The slice of the full result set to return.
    pub(crate) range: Range<usize>,
}

/// `startIndex` < 1 means 1; `count` defaults to 100, negative means 0, capped at 200.
#[cfg(test)]
pub(crate) fn page(total: usize, start_index: Option<i64>, count: Option<i64>) -> Page {
    page_with(
        total,
        start_index,
        count,
        &Limits::default(),
        &PagingPolicy::default(),
    )
}

/// [`page`] under `limits`, with the deviations `rules` asks for.
pub(crate) fn page_with(
    total: usize,
    start_index: Option<i64>,
    count: Option<i64>,
    limits: &Limits,
    rules: &PagingPolicy,
) -> Page {
    let given = start_index;
    let start = given.unwrap_or(1).max(1);
    let start_index = usize::try_from(start).unwrap_or(usize::MAX);
    let count = match count.unwrap_or(limits.default_count) {
        0 if rules.count_zero_returns_all => total,
        n => usize::try_from(n.clamp(0, limits.filter_max_results)).unwrap_or(0),
    };
    // A zero-based server reads the given index as an offset (so 1 skips one resource) and
    // starts at offset 0 when none is given.
    let offset = if rules.zero_based_start_index {
        usize::try_from(given.unwrap_or(0).max(0)).unwrap_or(usize::MAX)
    } else {
        start_index - 1
    };
    let begin = offset.min(total);
    let end = begin.saturating_add(count).min(total);
    Page {
        start_index,
        range: begin..end,
    }
}

/// A ListResponse body (`list-without-schemas` drops its `schemas`; `resources-key-lowercase`
/// misspells `Resources`).
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
    if settings.policies.list.without_schemas {
        if let Some(fields) = body.as_object_mut() {
            fields.remove("schemas");
        }
    }
    if settings.policies.list.empty_page_without_total && resources_empty(&body) {
        if let Some(fields) = body.as_object_mut() {
            fields.remove("totalResults");
        }
    }
    if settings.policies.list.lowercase_resources_key {
        if let Some(fields) = body.as_object_mut() {
            if let Some(resources) = fields.shift_remove("Resources") {
                fields.insert("resources".into(), resources);
            }
        }
    }
    body
}

fn resources_empty(body: &Value) -> bool {
    body["Resources"].as_array().is_some_and(Vec::is_empty)
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
    fn faulty_arithmetic() {
        let zero_based = PagingPolicy {
            zero_based_start_index: true,
            ..PagingPolicy::default()
        };
        assert_eq!(
            page_with(10, Some(1), Some(2), &Limits::default(), &zero_based).range,
            1..3
        );
        assert_eq!(
            page_with(10, None, Some(2), &Limits::default(), &zero_based).range,
            0..2
        );
        assert_eq!(
            page_with(10, Some(1), Some(2), &Limits::default(), &zero_based).start_index,
            1
        );
        let all = PagingPolicy {
            count_zero_returns_all: true,
            ..PagingPolicy::default()
        };
        assert_eq!(
            page_with(500, Some(1), Some(0), &Limits::default(), &all).range,
            0..500
        );
        assert_eq!(
            page_with(500, Some(1), Some(-1), &Limits::default(), &all).range,
            0..0
        );
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
        let settings = Settings::with(|_, p| p.list.without_schemas = true);
        assert!(
            list_response(0, 1, vec![], &settings)
                .get("schemas")
                .is_none()
        );
        let settings = Settings::with(|_, p| p.list.lowercase_resources_key = true);
        let body = list_response(0, 1, vec![], &settings);
        assert_eq!(
            (body.get("Resources"), &body["resources"]),
            (None, &json!([]))
        );
    }
}
