//! Running a query (RFC 7644 §3.4.2): filter, sort, page and project the stored resources into
//! a ListResponse. GET /Users and /Groups, their POST .search and POST /.search all end here,
//! so they agree by construction.

use serde_json::{Map, Value};

use crate::server::model::FilterPolicy;
use crate::server::model::schema::Kind;
use crate::server::model::schema::ResourceType;
use crate::server::model::settings::Settings;
use crate::server::protocol::crud::represent;
use crate::server::protocol::error::ScimError;
use crate::server::protocol::filter::{self, Filter};
use crate::server::protocol::paging::{list_response, page_with};
use crate::server::protocol::query::ListQuery;
use crate::server::protocol::reply::Reply;
use crate::server::protocol::sort::{SortSpec, sort};
use crate::server::store::links::enrich;
use crate::server::store::render::filter_view;
use crate::server::store::{Record, Store};

/// Where a query came from; the `.search` faults only touch searches.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) enum Origin {
    Get,
    Search,
}

/// The parsed, validated filter, if any. `filter-unknown-attribute-empty` turns a filter on an
/// unknown attribute into `matches_nothing` instead of an error.
struct Selection {
    filter: Option<Filter>,
    matches_nothing: bool,
}

fn select(
    text: Option<&str>,
    rt: &ResourceType,
    options: &FilterPolicy,
    settings: &Settings,
) -> Result<Selection, ScimError> {
    let none = Selection {
        filter: None,
        matches_nothing: false,
    };
    let Some(text) = text.map(str::trim).filter(|t| !t.is_empty()) else {
        return Ok(none);
    };
    if settings.policies.filter.ignored {
        return Ok(none);
    }
    let filter = filter::parse_with(text, options)?;
    match filter::validate_with(&filter, rt, options) {
        Ok(()) => Ok(Selection {
            filter: Some(filter),
            matches_nothing: false,
        }),
        Err(refusal)
            if refusal.unknown_attribute
                && settings.policies.filter.unknown_attribute_matches_nothing =>
        {
            Ok(Selection {
                filter: None,
                matches_nothing: true,
            })
        }
        Err(refusal) => Err(refusal.into()),
    }
}

/// The sort a query asks for, resolved against the first of `kinds` that knows the attribute.
fn sort_spec(
    query: &ListQuery,
    kinds: &[Kind],
    settings: &Settings,
) -> Result<Option<SortSpec>, ScimError> {
    let mut first_error = None;
    for &kind in kinds {
        match SortSpec::parse(
            query.sort_by.as_deref(),
            query.sort_order.as_deref(),
            settings.rt(kind),
        ) {
            Ok(spec) => return Ok(spec),
            Err(err) => {
                first_error.get_or_insert(err);
            }
        }
    }
    first_error.map_or(Ok(None), Err)
}

/// The filter for each of `kinds`. A root search covers several: a filter that names an
/// attribute only some of them have matches nothing in the others, and is refused only when
/// it fits none.
fn selections(
    query: &ListQuery,
    kinds: &[Kind],
    options: &FilterPolicy,
    settings: &Settings,
) -> Result<Vec<(Kind, Selection)>, ScimError> {
    let mut out = Vec::new();
    let mut first_error = None;
    for &kind in kinds {
        match select(
            query.filter.as_deref(),
            settings.rt(kind),
            options,
            settings,
        ) {
            Ok(selection) => out.push((kind, selection)),
            Err(err) => {
                first_error.get_or_insert(err);
            }
        }
    }
    match first_error {
        Some(err) if out.is_empty() || kinds.len() == 1 => Err(err),
        _ => Ok(out),
    }
}

/// Answers a query over the resources of `kinds` in `store`.
pub(crate) fn run(
    store: &Store,
    settings: &Settings,
    query: &ListQuery,
    origin: Origin,
    kinds: &[Kind],
) -> Result<Reply, ScimError> {
    let mut query = query.clone();
    if origin == Origin::Search {
        if settings.policies.search.ignores_filter {
            query.filter = None;
        }
        if settings.policies.search.ignores_paging {
            (query.start_index, query.count) = (None, None);
        }
    }
    if let Some(reply) = paging_fault(&query, settings)? {
        return Ok(reply);
    }
    let options = settings.policies.filter;
    let selections = selections(&query, kinds, &options, settings)?;
    let spec = if settings.policies.sort.sort_by_ignored {
        None
    } else {
        sort_spec(&query, kinds, settings)?
    };
    let mut records: Vec<(Kind, &Record)> = selections
        .iter()
        .flat_map(|(kind, _)| store.records(kind.type_name()).iter().map(|r| (*kind, r)))
        .collect();
    // `unstable-order`: a later page is cut from the reversed order, as a server without a
    // stable ORDER BY might do once the database picks another plan for an offset.
    if settings.policies.paging.unstable_order && query.start_index.is_some_and(|s| s > 1) {
        records.reverse();
    }
    let mut matching: Vec<((Kind, &Record), Value)> = records
        .into_iter()
        .map(|(kind, r)| {
            let shown = Record {
                data: enrich(kind, r, store, settings),
                ..r.clone()
            };
            ((kind, r), filter_view(&shown, settings.rt(kind), settings))
        })
        .filter(|(_, view)| {
            !(settings.policies.list.inactive_unlisted
                && view.get("active") == Some(&Value::Bool(false)))
        })
        .filter(|((kind, _), view)| {
            selections.iter().any(|(k, selection)| {
                k == kind
                    && !selection.matches_nothing
                    && selection
                        .filter
                        .as_ref()
                        .is_none_or(|f| filter::matches_with(f, view, settings.rt(*k), &options))
            })
        })
        .collect();
    if matching.is_empty() && settings.policies.list.no_match_404 {
        return Err(ScimError::not_found("no resources match the query"));
    }
    if let Some(spec) = &spec {
        matching = sort(matching, spec, settings);
    }
    let total = matching.len();
    if settings.policies.paging.start_index_past_end_404
        && query.start_index.unwrap_or(1) > i64::try_from(total.max(1)).unwrap_or(i64::MAX)
    {
        return Err(ScimError::not_found("startIndex is past the last result"));
    }
    let limits = &settings.model.limits;
    let paging = &settings.policies.paging;
    let page = page_with(total, query.start_index, query.count, limits, paging);
    let resources = matching[page.range.clone()]
        .iter()
        .map(|((kind, r), _)| represent(store, *kind, r, settings, true, &query.projection))
        .map(|v| {
            if settings.policies.list.items_trimmed {
                trimmed(v)
            } else {
                v
            }
        })
        .collect();
    let mut body = list_response(total, page.start_index, resources, settings);
    if paging.items_per_page_is_count {
        let count = query.count.unwrap_or(limits.default_count);
        body["itemsPerPage"] = Value::from(count);
    }
    Ok(Reply::json(200, body))
}

/// The paging deviations that refuse a request outright, before anything is read.
fn paging_fault(query: &ListQuery, settings: &Settings) -> Result<Option<Reply>, ScimError> {
    let count = query.count.unwrap_or(0);
    let paging = &settings.policies.paging;
    if count < 0 && paging.negative_count_500 {
        return Ok(Some(Reply::text(500, "Internal Server Error")));
    }
    let max = settings.model.limits.filter_max_results;
    if count > max && paging.count_over_max_refused {
        return Err(ScimError::too_many(format!("count may not exceed {max}")));
    }
    Ok(None)
}

/// Only `id` and `userName` (`list-items-trimmed`).
fn trimmed(mut v: Value) -> Value {
    if let Value::Object(map) = &mut v {
        map.retain(|k, _| k == "id" || k == "userName");
    }
    v
}

/// Answers POST `.search` with a SearchRequest body, on an endpoint (one kind) or at the root
/// (every kind).
pub(crate) fn search(
    store: &Store,
    settings: &Settings,
    body: &Map<String, Value>,
    kinds: &[Kind],
) -> Result<Reply, ScimError> {
    let required = !settings.policies.search.schemas_optional;
    let query = ListQuery::from_search_body(body, required)?;
    run(store, settings, &query, Origin::Search, kinds)
}
