//! The parameters of a query (RFC 7644 §3.4.2), read from a GET query string or from a POST
//! `.search` body (§3.4.3), so that both kinds of query share one implementation.

use serde_json::{Map, Value};

use crate::server::protocol::error::ScimError;
use crate::server::protocol::project::Projection;

pub(crate) const SEARCH_REQUEST_URN: &str = "urn:ietf:params:scim:api:messages:2.0:SearchRequest";

/// The parameters of a list or search request.
#[derive(Debug, Default, Clone, PartialEq, Eq)]
pub(crate) struct ListQuery {
    pub(crate) filter: Option<String>,
    pub(crate) start_index: Option<i64>,
    pub(crate) count: Option<i64>,
    pub(crate) sort_by: Option<String>,
    pub(crate) sort_order: Option<String>,
    pub(crate) projection: Projection,
}

impl ListQuery {
    /// Reads the query parameters (names case-insensitive); others are ignored.
    pub(crate) fn from_pairs(
        pairs: impl IntoIterator<Item = (String, String)>,
    ) -> Result<ListQuery, ScimError> {
        let pairs: Vec<(String, String)> = pairs.into_iter().collect();
        let mut query = ListQuery {
            projection: Projection::from_pairs(pairs.iter().cloned()),
            ..ListQuery::default()
        };
        for (name, value) in pairs {
            if name.eq_ignore_ascii_case("filter") {
                query.filter = Some(value);
            } else if name.eq_ignore_ascii_case("startIndex") {
                query.start_index = Some(parse_integer("startIndex", &value)?);
            } else if name.eq_ignore_ascii_case("count") {
                query.count = Some(parse_integer("count", &value)?);
            } else if name.eq_ignore_ascii_case("sortBy") {
                query.sort_by = Some(value);
            } else if name.eq_ignore_ascii_case("sortOrder") {
                query.sort_order = Some(value);
            }
        }
        Ok(query)
    }

    /// Reads a SearchRequest body. Its `schemas` must name the SearchRequest URN unless
    /// `schemas_required` is off (`search-schema-not-required`).
    pub(crate) fn from_search_body(
        body: &Map<String, Value>,
        schemas_required: bool,
    ) -> Result<ListQuery, ScimError> {
        let member = |name: &str| {
            body.iter()
                .find(|(k, _)| k.eq_ignore_ascii_case(name))
                .map(|(_, v)| v)
                .filter(|v| !v.is_null())
        };
        let names_urn = member("schemas")
            .and_then(Value::as_array)
            .is_some_and(|urns| {
                urns.iter()
                    .filter_map(Value::as_str)
                    .any(|u| u.eq_ignore_ascii_case(SEARCH_REQUEST_URN))
            });
        if schemas_required && !names_urn {
            return Err(ScimError::invalid_syntax(format!(
                "a search body needs 'schemas' containing {SEARCH_REQUEST_URN}"
            )));
        }
        let text = |name: &str| match member(name) {
            None => Ok(None),
            Some(Value::String(s)) => Ok(Some(s.clone())),
            Some(_) => Err(ScimError::invalid_value(format!(
                "'{name}' must be a string"
            ))),
        };
        let integer = |name: &str| match member(name) {
            None => Ok(None),
            Some(Value::Number(n)) if n.is_i64() || n.is_u64() => {
                Ok(Some(n.as_i64().unwrap_or(i64::MAX)))
            }
            Some(Value::String(s)) => parse_integer(name, s).map(Some),
            Some(other) => Err(ScimError::invalid_value(format!(
                "'{name}' must be an integer, got {other}"
            ))),
        };
        let names = |name: &str| match member(name) {
            None => Ok(Vec::new()),
            Some(Value::String(list)) => Ok(Projection::split(list)),
            Some(Value::Array(items)) => items
                .iter()
                .map(|item| {
                    item.as_str().map(str::to_owned).ok_or_else(|| {
                        ScimError::invalid_value(format!("'{name}' must list attribute names"))
                    })
                })
                .collect(),
            Some(_) => Err(ScimError::invalid_value(format!(
                "'{name}' must be an array of attribute names"
            ))),
        };
        Ok(ListQuery {
            filter: text("filter")?,
            start_index: integer("startIndex")?,
            count: integer("count")?,
            sort_by: text("sortBy")?,
            sort_order: text("sortOrder")?,
            projection: Projection {
                attributes: names("attributes")?,
                excluded: names("excludedAttributes")?,
            },
        })
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

#[cfg(test)]
mod tests {
    use super::*;
    use serde_json::json;

    fn pairs(items: &[(&str, &str)]) -> Vec<(String, String)> {
        items
            .iter()
            .map(|(k, v)| (k.to_string(), v.to_string()))
            .collect()
    }

    #[test]
    fn query_parameters() {
        let query = ListQuery::from_pairs(pairs(&[
            ("filter", "userName eq \"x\""),
            ("StartIndex", " 3 "),
            ("count", "99999999999999999999999"),
            ("foo", "bar"),
            ("SORTBY", "name.familyName"),
            ("sortOrder", "Descending"),
            ("attributes", "userName, name.givenName,"),
            ("excludedattributes", "emails"),
        ]))
        .unwrap();
        assert_eq!(query.filter.as_deref(), Some("userName eq \"x\""));
        assert_eq!((query.start_index, query.count), (Some(3), Some(i64::MAX)));
        assert_eq!(
            (query.sort_by.as_deref(), query.sort_order.as_deref()),
            (Some("name.familyName"), Some("Descending"))
        );
        assert_eq!(query.projection.attributes, ["userName", "name.givenName"]);
        assert_eq!(query.projection.excluded, ["emails"]);
        for bad in ["abc", "", "1.5", "-", "1e3"] {
            let err = ListQuery::from_pairs(pairs(&[("count", bad)])).unwrap_err();
            assert_eq!(err.status, 400, "{bad:?}");
        }
    }

    fn body(value: Value) -> Map<String, Value> {
        value.as_object().cloned().unwrap_or_default()
    }

    #[test]
    fn search_bodies() {
        let query = ListQuery::from_search_body(
            &body(
                json!({"schemas": [SEARCH_REQUEST_URN], "filter": "title pr",
                "startIndex": 2, "Count": "5", "sortBy": "userName", "sortOrder": "descending",
                "attributes": ["userName", "emails"], "excludedAttributes": "title"}),
            ),
            true,
        )
        .unwrap();
        assert_eq!(query.filter.as_deref(), Some("title pr"));
        assert_eq!((query.start_index, query.count), (Some(2), Some(5)));
        assert_eq!(query.projection.attributes, ["userName", "emails"]);
        assert_eq!(query.projection.excluded, ["title"]);
        let missing = body(json!({"filter": "title pr"}));
        let err = ListQuery::from_search_body(&missing, true).unwrap_err();
        assert_eq!(
            err.scim_type,
            Some(crate::server::protocol::error::ScimType::InvalidSyntax)
        );
        assert!(ListQuery::from_search_body(&missing, false).is_ok());
        for bad in [
            json!({"count": 1.5}),
            json!({"count": true}),
            json!({"filter": 3}),
            json!({"attributes": [1]}),
            json!({"attributes": {}}),
        ] {
            let mut bad = body(bad);
            bad.insert("schemas".into(), json!([SEARCH_REQUEST_URN]));
            let err = ListQuery::from_search_body(&bad, true).unwrap_err();
            assert_eq!(err.status, 400, "{bad:?}");
        }
    }
}
