//! Probes for the query faults (paging, filters, sorting, projection, `.search`), split from
//! faults.rs to keep files small: `shows` answers whether a fault's deviation is observable.

use reqwest::{Method, StatusCode};
use serde_json::{Value, json};
use time::format_description::well_known::Rfc3339;
use time::{Duration, OffsetDateTime, UtcOffset};

use super::{Exchange, call};
use crate::server::model::schema::USER_URN;
use crate::server::{Fault, RunningServer};

pub(super) const SEARCH_URN: &str = "urn:ietf:params:scim:api:messages:2.0:SearchRequest";

/// Percent-encodes everything but RFC 3986 unreserved characters.
pub(super) fn enc(text: &str) -> String {
    text.bytes()
        .map(|b| match b {
            b'A'..=b'Z' | b'a'..=b'z' | b'0'..=b'9' | b'-' | b'.' | b'_' | b'~' => {
                char::from(b).to_string()
            }
            _ => format!("%{b:02X}"),
        })
        .collect()
}

/// Creates a user named `name` with `extra` attributes; returns its representation.
pub(super) async fn add(server: &RunningServer, name: &str, extra: Value) -> Value {
    let mut body = json!({"schemas": [USER_URN], "userName": name});
    if let (Value::Object(body), Value::Object(extra)) = (&mut body, extra) {
        body.extend(extra);
    }
    let created = call(server, Method::POST, "/Users", Some(body)).await;
    assert_eq!(created.status, StatusCode::CREATED, "{:?}", created.body);
    created.body
}

pub(super) async fn list(server: &RunningServer, query: &str) -> Exchange {
    call(server, Method::GET, &format!("/Users?{query}"), None).await
}

pub(super) async fn filtered(server: &RunningServer, filter: &str) -> Exchange {
    list(server, &format!("filter={}", enc(filter))).await
}

pub(super) async fn search(server: &RunningServer, path: &str, body: Value) -> Exchange {
    call(server, Method::POST, path, Some(body)).await
}

/// The userNames in a ListResponse, in order.
pub(super) fn names(list: &Exchange) -> Vec<String> {
    list.body["Resources"]
        .as_array()
        .map(|items| {
            items
                .iter()
                .filter_map(|r| r["userName"].as_str().map(str::to_owned))
                .collect()
        })
        .unwrap_or_default()
}

async fn two_users(server: &RunningServer) {
    add(server, "a", json!({"title": "t"})).await;
    add(server, "b", json!({})).await;
}

async fn get_user(server: &RunningServer, query: &str) -> Value {
    let name = json!({"givenName": "G", "familyName": "F"});
    let id = add(server, "proj", json!({"password": "pw", "name": name})).await["id"]
        .as_str()
        .unwrap_or_default()
        .to_owned();
    call(server, Method::GET, &format!("/Users/{id}?{query}"), None)
        .await
        .body
}

/// `lastModified` − 1 h written at +05:00: chronologically earlier, but later as text.
fn an_hour_before_elsewhere(last_modified: &str) -> String {
    let offset = UtcOffset::from_hms(5, 0, 0).unwrap_or(UtcOffset::UTC);
    OffsetDateTime::parse(last_modified, &Rfc3339)
        .map(|t| (t - Duration::hours(1)).to_offset(offset))
        .ok()
        .and_then(|t| t.format(&Rfc3339).ok())
        .unwrap_or_default()
}

/// Whether `fault`'s deviation is observable on `server`.
pub(super) async fn shows(server: &RunningServer, fault: Fault) -> bool {
    let total = |list: &Exchange| list.body["totalResults"].as_u64();
    match fault {
        Fault::StartIndexZeroBased => {
            two_users(server).await;
            names(&list(server, "startIndex=1&count=1").await) != ["a"]
        }
        Fault::ItemsPerPageIsCount => {
            two_users(server).await;
            list(server, "count=5").await.body["itemsPerPage"] != 2
        }
        Fault::CountZeroReturnsAll => {
            two_users(server).await;
            !names(&list(server, "count=0").await).is_empty()
        }
        Fault::NegativeCount500 => list(server, "count=-1").await.status.is_server_error(),
        Fault::StartIndexPastEnd404 => {
            two_users(server).await;
            list(server, "startIndex=10").await.status == StatusCode::NOT_FOUND
        }
        Fault::CountOverMax400 => {
            list(server, "count=100000").await.status == StatusCode::BAD_REQUEST
        }
        Fault::UnstableOrder => {
            for name in ["a", "b", "c"] {
                add(server, name, json!({})).await;
            }
            let mut seen = Vec::new();
            for start in 1..=3 {
                seen.extend(names(
                    &list(server, &format!("startIndex={start}&count=1")).await,
                ));
            }
            seen != ["a", "b", "c"]
        }
        Fault::FilterNamesCaseSensitive => {
            filtered(server, r#"USERNAME eq "a""#).await.status == StatusCode::BAD_REQUEST
        }
        Fault::FilterOperatorsCaseSensitive => {
            filtered(server, r#"userName EQ "a""#).await.status == StatusCode::BAD_REQUEST
        }
        Fault::FilterValuesCaseSensitive => {
            add(server, "bjensen", json!({})).await;
            total(&filtered(server, r#"userName eq "BJENSEN""#).await) == Some(0)
        }
        Fault::FilterValuesCaseInsensitive => {
            add(server, "ext", json!({"externalId": "ExtAbc"})).await;
            total(&filtered(server, r#"externalId eq "extabc""#).await) == Some(1)
        }
        Fault::CoAsEq => {
            add(server, "alpha", json!({})).await;
            total(&filtered(server, r#"userName co "lph""#).await) == Some(0)
        }
        Fault::SwAsCo => {
            add(server, "alpha", json!({})).await;
            total(&filtered(server, r#"userName sw "lph""#).await) == Some(1)
        }
        Fault::SwUnsupported => {
            filtered(server, r#"userName sw "a""#).await.status == StatusCode::BAD_REQUEST
        }
        Fault::EwUnsupported => {
            filtered(server, r#"userName ew "a""#).await.status == StatusCode::BAD_REQUEST
        }
        Fault::NeAsEq => {
            two_users(server).await;
            names(&filtered(server, r#"userName ne "a""#).await) == ["a"]
        }
        Fault::AndLooserThanOr => {
            two_users(server).await;
            let filter = r#"userName eq "b" or userName eq "a" and title pr"#;
            names(&filtered(server, filter).await) == ["a"]
        }
        Fault::NotIgnored => {
            two_users(server).await;
            names(&filtered(server, r#"not (userName eq "a")"#).await) == ["a"]
        }
        Fault::FilterExtensionsQualifiedOnly => {
            filtered(server, r#"employeeNumber eq "1""#).await.status == StatusCode::BAD_REQUEST
        }
        Fault::FilterUnknownAttributeEmpty => {
            filtered(server, r#"noSuchAttribute eq "x""#).await.status == StatusCode::OK
        }
        Fault::PrCountsEmpty => {
            add(server, "empty", json!({"title": ""})).await;
            total(&filtered(server, "title pr").await) == Some(1)
        }
        Fault::DatetimeComparedAsString => {
            let created = add(server, "dt", json!({})).await;
            let since = an_hour_before_elsewhere(
                created["meta"]["lastModified"].as_str().unwrap_or_default(),
            );
            let filter = format!(r#"userName eq "dt" and meta.lastModified gt "{since}""#);
            total(&filtered(server, &filter).await) == Some(0)
        }
        Fault::ValueFilterCrossElement => {
            let emails = json!([{"value": "u4@other.test", "type": "work"},
                                {"value": "u4@example.com", "type": "home"}]);
            add(server, "u4", json!({"emails": emails})).await;
            let filter = r#"emails[type eq "work" and value co "@example.com"]"#;
            total(&filtered(server, filter).await) == Some(1)
        }
        Fault::SortOrderIgnored => {
            two_users(server).await;
            names(&list(server, "sortBy=userName&sortOrder=descending").await) == ["a", "b"]
        }
        Fault::SortCaseSensitive => {
            add(server, "B", json!({})).await;
            add(server, "a", json!({})).await;
            names(&list(server, "sortBy=userName").await) == ["B", "a"]
        }
        Fault::SortMissingFirst => {
            two_users(server).await;
            names(&list(server, "sortBy=title").await) == ["b", "a"]
        }
        Fault::SortByIgnored => {
            add(server, "b", json!({})).await;
            add(server, "a", json!({})).await;
            names(&list(server, "sortBy=userName").await) == ["b", "a"]
        }
        Fault::AttributesIgnored => get_user(server, "attributes=userName")
            .await
            .get("name")
            .is_some(),
        Fault::ExcludedAttributesIgnored => get_user(server, "excludedAttributes=name")
            .await
            .get("name")
            .is_some(),
        Fault::AlwaysAttributesExcludable => get_user(server, "excludedAttributes=id")
            .await
            .get("id")
            .is_none(),
        Fault::ProjectionNamesCaseSensitive => get_user(server, "attributes=USERNAME")
            .await
            .get("userName")
            .is_none(),
        Fault::SubAttributeProjectionWhole => {
            get_user(server, "attributes=name.givenName").await["name"]
                .get("familyName")
                .is_some()
        }
        Fault::PasswordOnRequest => get_user(server, "attributes=password")
            .await
            .get("password")
            .is_some(),
        Fault::ResourcesKeyLowercase => list(server, "").await.body.get("resources").is_some(),
        Fault::SearchAsId => {
            search(server, "/Users/.search", json!({"schemas": [SEARCH_URN]}))
                .await
                .status
                == StatusCode::NOT_FOUND
        }
        Fault::SearchIgnoresFilter => {
            two_users(server).await;
            let body = json!({"schemas": [SEARCH_URN], "filter": "userName eq \"a\""});
            total(&search(server, "/Users/.search", body).await) == Some(2)
        }
        Fault::SearchCountIgnored => {
            two_users(server).await;
            let body = json!({"schemas": [SEARCH_URN], "count": 1, "startIndex": 2});
            names(&search(server, "/Users/.search", body).await) == ["a", "b"]
        }
        Fault::SearchSchemaNotRequired => {
            search(server, "/Users/.search", json!({"count": 1}))
                .await
                .status
                == StatusCode::OK
        }
        Fault::RootSearchUnsupported => {
            search(server, "/.search", json!({"schemas": [SEARCH_URN]}))
                .await
                .status
                == StatusCode::NOT_FOUND
        }
        Fault::ProjectionIgnoredOnWrite => {
            let body = json!({"schemas": [USER_URN], "userName": "w", "title": "t"});
            call(
                server,
                Method::POST,
                "/Users?attributes=userName",
                Some(body),
            )
            .await
            .body
            .get("title")
            .is_some()
        }
        _ => false,
    }
}
