//! Every fault, observed over HTTP: each probe detects its deviation on a server started with
//! that fault alone, and detects nothing on a correct server. The query faults' probes live in
//! faults_query.rs, the later ones in faults_patch.rs and faults_more.rs; their arms here hand
//! over to them.

use reqwest::{Method, StatusCode};
use serde_json::{Value, json};

use super::{BEARER, SCIM, call, call_with, create, new_user, send, server};
use crate::server::model::schema::USER_URN;
use crate::server::{Fault, RunningServer};

fn user_with(extra: Value) -> Value {
    let mut user = new_user("probe");
    if let (Value::Object(user), Value::Object(extra)) = (&mut user, extra) {
        user.extend(extra);
    }
    user
}

async fn post(server: &RunningServer, body: Value) -> super::Exchange {
    call(server, Method::POST, "/Users", Some(body)).await
}

async fn post_raw(server: &RunningServer, content_type: &str, body: &str) -> StatusCode {
    send(
        server,
        Method::POST,
        "/Users",
        Some(body.to_owned()),
        &[BEARER, ("content-type", content_type)],
    )
    .await
    .status
}

/// Whether `fault`'s deviation is observable on `server`.
async fn shows(server: &RunningServer, fault: Fault) -> bool {
    let missing = || call(server, Method::GET, "/Users/missing", None);
    let spc = || call_with(server, Method::GET, "/ServiceProviderConfig", None, &[]);
    match fault {
        Fault::ErrorStatusNumber => missing().await.body["status"].is_number(),
        Fault::ErrorNoDetail => missing().await.body.get("detail").is_none(),
        Fault::ErrorWrapped => missing().await.body.get("error").is_some(),
        Fault::InvalidScimType => {
            create(server, "dup").await;
            post(server, new_user("dup")).await.body["scimType"] == "conflict"
        }
        Fault::ContentTypeJson => {
            call(server, Method::GET, "/Users", None).await.content_type == "application/json"
        }
        Fault::ContentTypeJsonScim => spc().await.content_type == "application/json+scim",
        Fault::NotFoundPlain => missing().await.content_type.starts_with("text/plain"),
        Fault::NoLocationHeader => post(server, new_user("loc"))
            .await
            .header("location")
            .is_none(),
        Fault::MetaLocationRelative => post(server, new_user("rel")).await.body["meta"]["location"]
            .as_str()
            .is_some_and(|l| l.starts_with('/')),
        Fault::Delete200WithBody => {
            let id = create(server, "del").await;
            call(server, Method::DELETE, &format!("/Users/{id}"), None)
                .await
                .status
                == StatusCode::OK
        }
        Fault::DeleteIgnored => {
            let id = create(server, "del").await;
            call(server, Method::DELETE, &format!("/Users/{id}"), None).await;
            call(server, Method::GET, &format!("/Users/{id}"), None)
                .await
                .status
                == StatusCode::OK
        }
        Fault::DeletedUsernameReserved => {
            let id = create(server, "reuse").await;
            call(server, Method::DELETE, &format!("/Users/{id}"), None).await;
            post(server, new_user("reuse")).await.status == StatusCode::CONFLICT
        }
        Fault::ListWithoutSchemas => call(server, Method::GET, "/Users", None)
            .await
            .body
            .get("schemas")
            .is_none(),
        Fault::EmptyPageWithoutTotal => {
            create(server, "a").await;
            call(server, Method::GET, "/Users?count=0", None)
                .await
                .body
                .get("totalResults")
                .is_none()
        }
        Fault::NoMatch404 => {
            let path = "/Users?filter=userName%20eq%20%22nobody%22";
            call(server, Method::GET, path, None).await.status == StatusCode::NOT_FOUND
        }
        Fault::InactiveUnlisted => {
            post(
                server,
                user_with(json!({"userName": "asleep", "active": false})),
            )
            .await;
            let found = super::faults_query::filtered(server, r#"userName eq "asleep""#).await;
            found.body["totalResults"] == 0
        }
        Fault::UnknownSchemaRefused => {
            let body = user_with(json!({"schemas": [USER_URN, "urn:example:other"]}));
            post(server, body).await.status == StatusCode::BAD_REQUEST
        }
        Fault::FilterIgnored => {
            create(server, "a").await;
            create(server, "b").await;
            let found = call(
                server,
                Method::GET,
                "/Users?filter=userName%20eq%20%22a%22",
                None,
            )
            .await;
            found.body["totalResults"] == 2
        }
        Fault::UsernameCaseSensitiveUniqueness => {
            create(server, "Case").await;
            post(server, new_user("case")).await.status == StatusCode::CREATED
        }
        Fault::UnstableId => {
            let id = create(server, "stable").await;
            call(server, Method::GET, &format!("/Users/{id}"), None)
                .await
                .body["id"]
                != json!(id)
        }
        Fault::SpcRequiresAuth => spc().await.status == StatusCode::UNAUTHORIZED,
        Fault::AuthNotEnforced => {
            call_with(server, Method::GET, "/Users", None, &[])
                .await
                .status
                == StatusCode::OK
        }
        Fault::NoWwwAuthenticate => call_with(server, Method::GET, "/Users", None, &[])
            .await
            .header("www-authenticate")
            .is_none(),
        Fault::WwwAuthenticateWithoutError => {
            let wrong = [("authorization", "Bearer wrong")];
            let challenge = call_with(server, Method::GET, "/Users", None, &wrong)
                .await
                .header("www-authenticate")
                .unwrap_or_default()
                .to_string();
            !challenge.contains("error=")
        }
        Fault::WwwAuthenticateErrorWithoutToken => {
            call_with(server, Method::GET, "/Users", None, &[])
                .await
                .header("www-authenticate")
                .is_some_and(|c| c.contains("invalid_token"))
        }
        Fault::BadToken403 => {
            let wrong = [("authorization", "Bearer wrong")];
            call_with(server, Method::GET, "/Users", None, &wrong)
                .await
                .status
                == StatusCode::FORBIDDEN
        }
        Fault::PasswordReturned => post(server, new_user("pw"))
            .await
            .body
            .get("password")
            .is_some(),
        Fault::ClientIdHonoured => {
            post(server, user_with(json!({"id": "client-id"})))
                .await
                .body["id"]
                == "client-id"
        }
        Fault::ClientMetaHonoured => {
            let meta = json!({"meta": {"created": "2001-01-01T00:00:00Z"}});
            post(server, user_with(meta)).await.body["meta"]["created"] == "2001-01-01T00:00:00Z"
        }
        Fault::ResourceTypesBareArray => call(server, Method::GET, "/ResourceTypes", None)
            .await
            .body
            .is_array(),
        Fault::SchemasBareArray => call(server, Method::GET, "/Schemas", None)
            .await
            .body
            .is_array(),
        Fault::SchemaWithoutSchemas => {
            let schema = call(server, Method::GET, &format!("/Schemas/{USER_URN}"), None).await;
            schema.body.get("schemas").is_none()
        }
        Fault::SpcStringValues => spc().await.body["patch"]["supported"].is_string(),
        Fault::SpcIncomplete => spc().await.body.get("bulk").is_none(),
        Fault::InvalidJson500 => {
            post_raw(server, SCIM, "{\"userName\":").await == StatusCode::INTERNAL_SERVER_ERROR
        }
        Fault::RejectsScimAccept => {
            let headers = [BEARER, ("accept", SCIM)];
            call_with(server, Method::GET, "/Users", None, &headers)
                .await
                .status
                == StatusCode::NOT_ACCEPTABLE
        }
        Fault::RejectsJsonContentType => {
            post_raw(server, "application/json", &new_user("j").to_string()).await
                == StatusCode::UNSUPPORTED_MEDIA_TYPE
        }
        Fault::RejectsCharset => {
            let content_type = "application/scim+json; charset=utf-8";
            post_raw(server, content_type, &new_user("c").to_string()).await
                == StatusCode::UNSUPPORTED_MEDIA_TYPE
        }
        Fault::UsernameNotRequired => {
            post(server, json!({"schemas": [USER_URN]})).await.status == StatusCode::CREATED
        }
        Fault::SchemasNotRequired => {
            post(server, json!({"userName": "s"})).await.status == StatusCode::CREATED
        }
        Fault::LenientTypes => {
            post(server, user_with(json!({"active": "banana"})))
                .await
                .status
                == StatusCode::CREATED
        }
        Fault::AsciiOnly => {
            post(server, user_with(json!({"displayName": "Ñ"})))
                .await
                .body["displayName"]
                == "?"
        }
        Fault::ExternalidInvented => post(server, new_user("ext"))
            .await
            .body
            .get("externalId")
            .is_some(),
        Fault::ExternalidLowercased => {
            post(server, user_with(json!({"externalId": "AbC"})))
                .await
                .body["externalId"]
                == "abc"
        }
        Fault::AttributeNamesCaseSensitive => {
            let body = json!({"schemas": [USER_URN], "UserName": "mixed"});
            post(server, body).await.status == StatusCode::BAD_REQUEST
        }
        Fault::NullRejected => {
            post(server, user_with(json!({"title": null}))).await.status == StatusCode::BAD_REQUEST
        }
        Fault::SingleValueObject => post(server, new_user("one")).await.body["emails"].is_object(),
        Fault::TimestampsLocal => post(server, new_user("ts")).await.body["meta"]["created"]
            .as_str()
            .is_some_and(|t| !t.ends_with('Z')),
        Fault::LastModifiedSkew => {
            let meta = post(server, new_user("skew")).await.body["meta"].clone();
            meta["created"] != meta["lastModified"]
        }
        Fault::PatchPathlessUnsupported => {
            let id = create(server, "patch").await;
            let body = json!({"schemas": ["urn:ietf:params:scim:api:messages:2.0:PatchOp"],
                              "Operations": [{"op": "replace", "value": {"active": false}}]});
            call(server, Method::PATCH, &format!("/Users/{id}"), Some(body))
                .await
                .status
                == StatusCode::BAD_REQUEST
        }
        Fault::PutUpsert => {
            let put = call(
                server,
                Method::PUT,
                "/Users/brand-new",
                Some(new_user("upsert")),
            )
            .await;
            put.status == StatusCode::CREATED
        }
        Fault::ActiveString => post(server, new_user("act")).await.body["active"] == "true",
        Fault::SpcWithoutSchemas => spc().await.body.get("schemas").is_none(),
        Fault::SpcAsList => spc().await.body.get("Resources").is_some(),
        Fault::ResourceTypeEndpointAbsolute => {
            call(server, Method::GET, "/ResourceTypes/User", None)
                .await
                .body["endpoint"]
                .as_str()
                .is_some_and(|e| e.starts_with("http"))
        }
        Fault::SchemasPublishApiUrns => {
            let list = call(server, Method::GET, "/Schemas", None).await.body;
            list["Resources"].as_array().is_some_and(|items| {
                items.iter().any(|s| {
                    s["id"]
                        .as_str()
                        .is_some_and(|id| id.starts_with("urn:ietf:params:scim:api:"))
                })
            })
        }
        Fault::RejectsJsonAccept => {
            send(
                server,
                Method::GET,
                "/Users",
                None,
                &[BEARER, ("accept", "application/json")],
            )
            .await
            .status
                == StatusCode::NOT_ACCEPTABLE
        }
        Fault::Create200 => post(server, new_user("ok200")).await.status == StatusCode::OK,
        Fault::CreateEmptyBody => post(server, new_user("empty")).await.body == json!(""),
        Fault::GroupsWritable => {
            let body = user_with(json!({"groups": [{"value": "g1"}]}));
            post(server, body).await.body["groups"][0]["value"] == "g1"
        }
        Fault::MetaIncomplete => post(server, new_user("meta")).await.body["meta"]
            .get("resourceType")
            .is_none(),
        Fault::UnknownAttribute500 => {
            let body = user_with(json!({"noSuchAttribute": 1}));
            post(server, body).await.status == StatusCode::INTERNAL_SERVER_ERROR
        }
        Fault::ListItemsTrimmed => {
            create(server, "trim").await;
            call(server, Method::GET, "/Users", None).await.body["Resources"][0]
                .get("schemas")
                .is_none()
        }
        Fault::PatchIgnored => {
            let id = create(server, "patched").await;
            let op = json!({"schemas": ["urn:ietf:params:scim:api:messages:2.0:PatchOp"],
                "Operations": [{"op": "replace", "path": "nickName", "value": "N"}]});
            call(server, Method::PATCH, &format!("/Users/{id}"), Some(op))
                .await
                .body
                .get("nickName")
                .is_none()
        }
        Fault::PutIgnored | Fault::PutKeepsOmitted => {
            let body = user_with(json!({"userName": "put", "nickName": "Old"}));
            let id = post(server, body).await.body["id"]
                .as_str()
                .unwrap_or_default()
                .to_owned();
            let replacement =
                json!({"schemas": [USER_URN], "userName": "put", "displayName": "New"});
            let put = call(
                server,
                Method::PUT,
                &format!("/Users/{id}"),
                Some(replacement),
            )
            .await;
            match fault {
                Fault::PutIgnored => put.body.get("displayName").is_none(),
                _ => put.body["nickName"] == "Old",
            }
        }
        Fault::LastModifiedFrozen => {
            let created = post(server, new_user("frozen")).await.body;
            let id = created["id"].as_str().unwrap_or_default();
            let replacement =
                json!({"schemas": [USER_URN], "userName": "frozen", "displayName": "D"});
            let put = call(
                server,
                Method::PUT,
                &format!("/Users/{id}"),
                Some(replacement),
            )
            .await;
            put.body["meta"]["lastModified"] == created["meta"]["lastModified"]
        }
        Fault::StartIndexZeroBased
        | Fault::ItemsPerPageIsCount
        | Fault::CountZeroReturnsAll
        | Fault::NegativeCount500
        | Fault::StartIndexPastEnd404
        | Fault::CountOverMax400
        | Fault::UnstableOrder
        | Fault::FilterNamesCaseSensitive
        | Fault::FilterOperatorsCaseSensitive
        | Fault::FilterValuesCaseSensitive
        | Fault::FilterValuesCaseInsensitive
        | Fault::CoAsEq
        | Fault::SwAsCo
        | Fault::EwUnsupported
        | Fault::SwUnsupported
        | Fault::NeAsEq
        | Fault::AndLooserThanOr
        | Fault::NotIgnored
        | Fault::FilterUnknownAttributeEmpty
        | Fault::FilterExtensionsQualifiedOnly
        | Fault::PrCountsEmpty
        | Fault::DatetimeComparedAsString
        | Fault::ValueFilterCrossElement
        | Fault::SortOrderIgnored
        | Fault::SortCaseSensitive
        | Fault::SortMissingFirst
        | Fault::SortByIgnored
        | Fault::AttributesIgnored
        | Fault::ExcludedAttributesIgnored
        | Fault::AlwaysAttributesExcludable
        | Fault::ProjectionNamesCaseSensitive
        | Fault::SubAttributeProjectionWhole
        | Fault::PasswordOnRequest
        | Fault::ResourcesKeyLowercase
        | Fault::SearchAsId
        | Fault::SearchIgnoresFilter
        | Fault::SearchCountIgnored
        | Fault::SearchSchemaNotRequired
        | Fault::RootSearchUnsupported
        | Fault::ProjectionIgnoredOnWrite => super::faults_query::shows(server, fault).await,
        // The PATCH, Group, extension, ETag, Bulk, /Me and PUT faults.
        _ => super::faults_patch::shows(server, fault).await,
    }
}

#[tokio::test]
async fn each_fault_is_observable_alone_and_absent_by_default() {
    for &fault in Fault::ALL {
        let faulty = super::server_needing(&[fault], fault.needs()).await;
        assert!(
            shows(&faulty, fault).await,
            "{fault} has no observable effect"
        );
        let correct = super::server_needing(&[], fault.needs()).await;
        assert!(
            !shows(&correct, fault).await,
            "a correct server shows {fault}"
        );
    }
}

#[tokio::test]
async fn faults_combine() {
    let server = server(&[
        Fault::ErrorStatusNumber,
        Fault::ContentTypeJson,
        Fault::NoLocationHeader,
        Fault::NotFoundPlain,
    ])
    .await;
    let created = post(&server, new_user("u1")).await;
    assert_eq!(created.content_type, "application/json");
    assert!(created.header("location").is_none());
    let conflict = post(&server, new_user("u1")).await;
    assert_eq!(conflict.body["status"], 409);
    let missing = call(&server, Method::GET, "/Users/none", None).await;
    assert_eq!(
        (missing.status, missing.body),
        (StatusCode::NOT_FOUND, json!("Not Found"))
    );
}
