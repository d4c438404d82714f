//! Policies of queries (RFC 7644 §3.4): filtering, sorting, paging, projection, ListResponses
//! and POST .search.

/// How string comparisons in filters treat case.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq)]
pub(crate) enum CaseRule {
    /// Each attribute's `caseExact` decides (RFC 7644 §3.4.2.2).
    #[default]
    Schema,
    /// Always case-sensitive.
    AlwaysExact,
    /// Never case-sensitive.
    NeverExact,
}

/// How filters are parsed, checked and evaluated; the default follows RFC 7644.
#[derive(Debug, Clone, Copy, Default)]
pub(crate) struct FilterPolicy {
    /// The `filter` parameter is ignored.
    pub(crate) ignored: bool,
    /// A filter on an unknown attribute matches nothing instead of answering 400.
    pub(crate) unknown_attribute_matches_nothing: bool,
    /// Attribute names match case-sensitively.
    pub(crate) names_exact: bool,
    /// Operators and logical keywords must be lower case.
    pub(crate) operators_case_sensitive: bool,
    pub(crate) case: CaseRule,
    /// `co` behaves like `eq`.
    pub(crate) co_as_eq: bool,
    /// `sw` behaves like `co`.
    pub(crate) sw_as_co: bool,
    /// `ew` is refused.
    pub(crate) ew_unsupported: bool,
    /// `sw` is refused.
    pub(crate) sw_unsupported: bool,
    /// `ne` behaves like `eq`.
    pub(crate) ne_as_eq: bool,
    /// `and` binds looser than `or`.
    pub(crate) and_looser_than_or: bool,
    /// `not (x)` is `x`.
    pub(crate) not_ignored: bool,
    /// `pr` is true for empty strings and arrays.
    pub(crate) pr_counts_empty: bool,
    /// Ordering comparisons on dateTimes compare the raw strings.
    pub(crate) datetime_as_string: bool,
    /// In `attr[a and b]` the conditions may be met by different elements.
    pub(crate) cross_element: bool,
    /// Extension attributes must be named with their URN (`manager` alone is unknown).
    pub(crate) extensions_qualified_only: bool,
}

/// Sorting (RFC 7644 §3.4.2.3).
#[derive(Debug, Clone, Default)]
pub(crate) struct SortPolicy {
    /// sortBy is ignored.
    pub(crate) sort_by_ignored: bool,
    /// sortOrder=descending is ignored.
    pub(crate) order_ignored: bool,
    /// caseExact=false strings sort case-sensitively.
    pub(crate) case_sensitive: bool,
    /// Resources without the attribute come first ascending.
    pub(crate) missing_first: bool,
}

/// Paging (RFC 7644 §3.4.2.4).
#[derive(Debug, Clone, Default)]
pub(crate) struct PagingPolicy {
    /// startIndex is read as a 0-based offset.
    pub(crate) zero_based_start_index: bool,
    /// count=0 returns every match.
    pub(crate) count_zero_returns_all: bool,
    /// A negative count answers 500.
    pub(crate) negative_count_500: bool,
    /// A count above maxResults answers 400 tooMany instead of being capped.
    pub(crate) count_over_max_refused: bool,
    /// A startIndex past the end answers 404.
    pub(crate) start_index_past_end_404: bool,
    /// itemsPerPage echoes the requested count.
    pub(crate) items_per_page_is_count: bool,
    /// Later pages are cut from the reversed order.
    pub(crate) unstable_order: bool,
}

/// The ListResponse (RFC 7644 §3.4.2).
#[derive(Debug, Clone, Default)]
pub(crate) struct ListPolicy {
    /// ListResponses lack `schemas`.
    pub(crate) without_schemas: bool,
    /// The array is called `resources`.
    pub(crate) lowercase_resources_key: bool,
    /// Zero results answer 404.
    pub(crate) no_match_404: bool,
    /// Deactivated users (`active: false`) are left out of query results, as if deleted.
    pub(crate) inactive_unlisted: bool,
    /// Items carry only id and userName.
    pub(crate) items_trimmed: bool,
    /// A page with no resources leaves out totalResults.
    pub(crate) empty_page_without_total: bool,
}

/// `attributes` and `excludedAttributes` (RFC 7644 §3.4.2.5, §3.9).
#[derive(Debug, Clone, Default)]
pub(crate) struct ProjectionPolicy {
    pub(crate) attributes_ignored: bool,
    pub(crate) excluded_ignored: bool,
    /// excludedAttributes can remove `returned: always` attributes.
    pub(crate) always_excludable: bool,
    /// Names match case-sensitively.
    pub(crate) names_exact: bool,
    /// `name.givenName` returns the whole `name`.
    pub(crate) sub_attribute_whole: bool,
    /// `attributes=password` reveals the stored password.
    pub(crate) password_on_request: bool,
    /// POST, PUT and PATCH responses ignore the projection.
    pub(crate) ignored_on_write: bool,
    /// Both `attributes` and `excludedAttributes` on one request answer 500.
    pub(crate) both_500: bool,
}

/// POST .search (RFC 7644 §3.4.3).
#[derive(Debug, Clone, Default)]
pub(crate) struct SearchPolicy {
    /// `.search` is taken for a resource id and answers 404.
    pub(crate) served_as_id: bool,
    /// POST /.search answers 404.
    pub(crate) root_unsupported: bool,
    /// The body's filter is ignored.
    pub(crate) ignores_filter: bool,
    /// The body's count and startIndex are ignored.
    pub(crate) ignores_paging: bool,
    /// A SearchRequest without its `schemas` is accepted.
    pub(crate) schemas_optional: bool,
}
