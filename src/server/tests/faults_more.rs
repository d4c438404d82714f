//! Probes for the faults of Groups, the enterprise extension, ETags, Bulk, /Me and PUT, split
//! from faults.rs to keep files small: `shows` answers whether a fault's deviation is
//! observable.

use reqwest::{Method, StatusCode};
use serde_json::{Value, json};

use super::{BEARER, Exchange, call, call_with, create, create_group, new_user, patch_ops};
use crate::server::model::schema::{ENTERPRISE_URN, GROUP_URN, USER_URN};
use crate::server::{Fault, RunningServer};

const BULK_URN: &str = "urn:ietf:params:scim:api:messages:2.0:BulkRequest";

async fn bulk(server: &RunningServer, operations: Value, extra: Value) -> Exchange {
    let mut body = json!({"schemas": [BULK_URN], "Operations": operations});
    if let (Value::Object(body), Value::Object(extra)) = (&mut body, extra) {
        body.extend(extra);
    }
    call(server, Method::POST, "/Bulk", Some(body)).await
}

fn post_user(bulk_id: Option<&str>, name: &str) -> Value {
    let mut op = json!({"method": "POST", "path": "/Users",
        "data": {"schemas": [USER_URN], "userName": name}});
    if let Some(bulk_id) = bulk_id {
        op["bulkId"] = json!(bulk_id);
    }
    op
}

/// A user managed by a new user, created with a client-supplied manager.displayName.
async fn managed(server: &RunningServer) -> Value {
    let manager = create(server, "boss").await;
    let body = json!({"schemas": [USER_URN, ENTERPRISE_URN], "userName": "worker",
        ENTERPRISE_URN: {"manager": {"value": manager, "displayName": "fake"}}});
    let created = call(server, Method::POST, "/Users", Some(body)).await;
    created.body[ENTERPRISE_URN]["manager"].clone()
}

/// A new user: its path, and the response that created it.
async fn user(server: &RunningServer, name: &str) -> (String, Exchange) {
    let created = call(server, Method::POST, "/Users", Some(new_user(name))).await;
    let id = created.body["id"].as_str().unwrap_or_default().to_owned();
    (format!("/Users/{id}"), created)
}

/// Whether `fault`'s deviation is observable on `server`.
pub(super) async fn shows(server: &RunningServer, fault: Fault) -> bool {
    let rename = json!([{"op": "replace", "path": "displayName", "value": "Changed"}]);
    match fault {
        Fault::MemberRefMissing => {
            let uid = create(server, "ref").await;
            let gid = create_group(server, "g", &[&uid]).await;
            let group = call(server, Method::GET, &format!("/Groups/{gid}"), None).await;
            group.body["members"][0].get("$ref").is_none()
        }
        Fault::MemberRefWrongCollection => {
            let uid = create(server, "ref").await;
            let gid = create_group(server, "g", &[&uid]).await;
            let group = call(server, Method::GET, &format!("/Groups/{gid}"), None).await;
            let reference = group.body["members"][0]["$ref"]
                .as_str()
                .unwrap_or_default();
            reference.ends_with(&format!("/Groups/{uid}"))
        }
        Fault::MemberValueUnchecked => {
            let body = json!({"schemas": [GROUP_URN], "displayName": "g",
                "members": [{"value": "no-such-resource"}]});
            call(server, Method::POST, "/Groups", Some(body))
                .await
                .status
                == StatusCode::CREATED
        }
        Fault::UserGroupsNotMaintained => {
            let uid = create(server, "member").await;
            create_group(server, "g", &[&uid]).await;
            let got = call(server, Method::GET, &format!("/Users/{uid}"), None).await;
            got.body.get("groups").is_none()
        }
        Fault::DeleteUserKeepsMembership => {
            let uid = create(server, "leaver").await;
            let gid = create_group(server, "g", &[&uid]).await;
            call(server, Method::DELETE, &format!("/Users/{uid}"), None).await;
            let group = call(server, Method::GET, &format!("/Groups/{gid}"), None).await;
            group.body.get("members").is_some()
        }
        Fault::GroupDisplayNameOptional => {
            let body = json!({"schemas": [GROUP_URN]});
            call(server, Method::POST, "/Groups", Some(body))
                .await
                .status
                == StatusCode::CREATED
        }
        Fault::EnterpriseUrnMissing => {
            let body = json!({"schemas": [USER_URN, ENTERPRISE_URN], "userName": "ent",
                ENTERPRISE_URN: {"employeeNumber": "7"}});
            let created = call(server, Method::POST, "/Users", Some(body)).await;
            !created.body["schemas"]
                .as_array()
                .is_some_and(|s| s.contains(&json!(ENTERPRISE_URN)))
        }
        Fault::ManagerDisplayNameWritable => managed(server).await["displayName"] == "fake",
        Fault::ManagerRefMissing => managed(server).await.get("$ref").is_none(),
        Fault::EtagHeaderMissing => user(server, "etag").await.1.header("etag").is_none(),
        Fault::EtagVersionMismatch => {
            let created = user(server, "etag").await.1;
            created.header("etag").map(str::to_owned)
                != created.body["meta"]["version"].as_str().map(str::to_owned)
        }
        Fault::EtagIfMatchIgnored => {
            let (path, _) = user(server, "ifmatch").await;
            let body = json!({"schemas": [super::PATCH_OP], "Operations": rename});
            let stale = [BEARER, ("if-match", "W/\"999\"")];
            call_with(server, Method::PATCH, &path, Some(body), &stale)
                .await
                .status
                != StatusCode::PRECONDITION_FAILED
        }
        Fault::EtagIfNoneMatchIgnored => {
            let (path, created) = user(server, "ifnone").await;
            let version = created.body["meta"]["version"]
                .as_str()
                .unwrap_or_default()
                .to_owned();
            let headers = [BEARER, ("if-none-match", version.as_str())];
            call_with(server, Method::GET, &path, None, &headers)
                .await
                .status
                == StatusCode::OK
        }
        Fault::EtagNotUpdated => {
            let (path, created) = user(server, "version").await;
            let patched = patch_ops(server, &path, rename).await;
            patched.body["meta"]["version"] == created.body["meta"]["version"]
        }
        Fault::BulkidNotResolved => {
            let group = json!({"method": "POST", "path": "/Groups", "bulkId": "g1",
                "data": {"schemas": [GROUP_URN], "displayName": "g",
                         "members": [{"value": "bulkId:u1"}]}});
            let answer = bulk(
                server,
                json!([post_user(Some("u1"), "bulk"), group]),
                json!({}),
            )
            .await;
            answer.body["Operations"][1]["status"] != "201"
        }
        Fault::BulkFailOnErrorsIgnored => {
            let ops = json!([post_user(Some("bad"), ""), post_user(Some("good"), "good")]);
            let answer = bulk(server, ops, json!({"failOnErrors": 1})).await;
            answer.body["Operations"].as_array().map(Vec::len) == Some(2)
        }
        Fault::BulkMaxOperationsIgnored => {
            let ops: Vec<Value> = (0..11)
                .map(|i| json!({"method": "DELETE", "path": format!("/Users/missing-{i}")}))
                .collect();
            bulk(server, json!(ops), json!({})).await.status == StatusCode::OK
        }
        Fault::BulkMaxPayloadIgnored => {
            let padding = "x".repeat(1_100_000);
            bulk(server, json!([]), json!({"padding": padding}))
                .await
                .status
                == StatusCode::OK
        }
        Fault::BulkStatusNumber => {
            let answer = bulk(server, json!([post_user(Some("n"), "number")]), json!({})).await;
            answer.body["Operations"][0]["status"].is_number()
        }
        Fault::BulkPostWithoutBulkidAccepted => {
            let answer = bulk(server, json!([post_user(None, "nobulkid")]), json!({})).await;
            answer.body["Operations"][0]["status"] == "201"
        }
        Fault::Me404 => {
            call(server, Method::GET, "/Me", None).await.status == StatusCode::NOT_FOUND
        }
        Fault::Me501WithoutBody => call(server, Method::GET, "/Me", None).await.body == json!(""),
        Fault::PutIdChanges => {
            let (path, _) = user(server, "mover").await;
            let body = json!({"schemas": [USER_URN], "id": "moved-id", "userName": "mover"});
            call(server, Method::PUT, &path, Some(body)).await.body["id"] == "moved-id"
        }
        Fault::CreateAnswersForeignId => {
            let (_, created) = user(server, "liar").await;
            created.body["id"] == "pre-existing-user" && created.body["userName"] != "liar"
        }
        Fault::CreateAnswersDotId => {
            let (path, created) = user(server, "dots").await;
            path == "/Users/.." && created.body["userName"] == "dots"
        }
        Fault::SchemasPaged => {
            let page = call(server, Method::GET, "/Schemas?startIndex=2&count=1", None).await;
            page.body["Resources"].as_array().map(Vec::len) == Some(1)
        }
        Fault::ManagerString500 => {
            let body = json!({"schemas": [USER_URN, ENTERPRISE_URN], "userName": "bare",
                ENTERPRISE_URN: {"manager": "someone"}});
            call(server, Method::POST, "/Users", Some(body))
                .await
                .status
                == StatusCode::INTERNAL_SERVER_ERROR
        }
        Fault::ProjectionBoth500 => {
            let (path, _) = user(server, "both").await;
            let both = format!("{path}?attributes=userName&excludedAttributes=name");
            call(server, Method::GET, &both, None).await.status == StatusCode::INTERNAL_SERVER_ERROR
        }
        Fault::RequiresDeclaredUserType | Fault::RequiresUndeclaredUserType => {
            let refused = call(server, Method::POST, "/Users", Some(new_user("typeless"))).await;
            let schema = call(server, Method::GET, &format!("/Schemas/{USER_URN}"), None).await;
            let declared = schema.body["attributes"]
                .as_array()
                .into_iter()
                .flatten()
                .any(|a| a["name"] == "userType" && a["required"] == true);
            refused.status == StatusCode::BAD_REQUEST
                && declared == (fault == Fault::RequiresDeclaredUserType)
        }
        Fault::RefusesUndeclaredMiddleName => {
            let body = json!({"schemas": [USER_URN], "userName": "mid",
                "name": {"givenName": "A", "middleName": "B"}});
            let refused = call(server, Method::POST, "/Users", Some(body)).await;
            let schema = call(server, Method::GET, &format!("/Schemas/{USER_URN}"), None).await;
            let declared = schema.body.to_string().contains("\"middleName\"");
            refused.status == StatusCode::BAD_REQUEST && !declared
        }
        Fault::RefusesNonCanonicalValues => {
            let body = json!({"schemas": [USER_URN], "userName": "pager",
                "emails": [{"value": "p@example.com", "type": "pager"}]});
            call(server, Method::POST, "/Users", Some(body))
                .await
                .status
                == StatusCode::BAD_REQUEST
        }
        Fault::SpcUnderstates => {
            let spc = call(server, Method::GET, "/ServiceProviderConfig", None).await;
            let (path, _) = user(server, "understated").await;
            let ops = json!([{"op": "replace", "path": "displayName", "value": "Works"}]);
            let patched = patch_ops(server, &path, ops).await;
            spc.body["patch"]["supported"] == false && patched.status.is_success()
        }
        Fault::SpcMissing => {
            let spc = call(server, Method::GET, "/ServiceProviderConfig", None).await;
            let users = call(server, Method::GET, "/Users", None).await;
            spc.status == StatusCode::NOT_FOUND && users.status == StatusCode::OK
        }
        Fault::FilterUnadvertised => {
            let spc = call(server, Method::GET, "/ServiceProviderConfig", None).await;
            create(server, "a").await;
            create(server, "b").await;
            let path = "/Users?filter=userName%20eq%20%22a%22";
            let found = call(server, Method::GET, path, None).await;
            spc.body["filter"]["supported"] == false && found.body["totalResults"] == 1
        }
        Fault::PasswordChangeRefused => {
            let (path, _) = user(server, "password").await;
            let ops = json!([{"op": "replace", "path": "password", "value": "Zq8!Wx3#-new"}]);
            let spc = call(server, Method::GET, "/ServiceProviderConfig", None).await;
            spc.body["changePassword"]["supported"] == true
                && patch_ops(server, &path, ops).await.status == StatusCode::BAD_REQUEST
        }
        Fault::RateLimit500
        | Fault::RateLimitNoRetryAfter
        | Fault::RateLimitBadRetryAfter
        | Fault::RateLimitHtml => {
            let answers = burst(server).await;
            let refused: Vec<&Exchange> = answers.iter().filter(|a| a.status == 429).collect();
            let after = |a: &&Exchange| a.header("retry-after").map(str::to_string);
            match fault {
                Fault::RateLimit500 => answers.iter().any(|a| a.status == 500),
                Fault::RateLimitNoRetryAfter => {
                    !refused.is_empty() && refused.iter().all(|a| after(a).is_none())
                }
                Fault::RateLimitBadRetryAfter => {
                    refused.iter().any(|a| after(a).as_deref() == Some("soon"))
                }
                _ => refused
                    .iter()
                    .any(|a| a.content_type.starts_with("text/html")),
            }
        }
        Fault::RateLimitNoRecovery => {
            let answers = burst(server).await;
            let Some(wait) = answers
                .iter()
                .find(|a| a.status == 429)
                .and_then(|a| a.header("retry-after")?.parse::<u64>().ok())
            else {
                return false;
            };
            tokio::time::sleep(std::time::Duration::from_millis(wait * 1000 + 100)).await;
            call(server, Method::GET, "/ServiceProviderConfig", None)
                .await
                .status
                == StatusCode::TOO_MANY_REQUESTS
        }
        Fault::TokenAnySecret | Fault::TokenRefusal400 => {
            let basic = format!(
                "Basic {}",
                base64::Engine::encode(
                    &base64::engine::general_purpose::STANDARD,
                    format!("{}:wrong-secret", super::OAUTH_CLIENT.0)
                )
            );
            let token_url = server.token_url();
            let answer = reqwest::Client::new()
                .post(token_url)
                .header("authorization", basic)
                .header("content-type", "application/x-www-form-urlencoded")
                .body("grant_type=client_credentials")
                .send()
                .await
                .expect("the token endpoint answers");
            let status = answer.status().as_u16();
            match fault {
                Fault::TokenAnySecret => status == 200,
                _ => status == 400 && answer.headers().get("www-authenticate").is_none(),
            }
        }
        Fault::TokenExpiryIgnored => {
            let token_url = server.token_url();
            let answer: Value = reqwest::Client::new()
                .post(token_url)
                .basic_auth(super::OAUTH_CLIENT.0, Some(super::OAUTH_CLIENT.1))
                .header("content-type", "application/x-www-form-urlencoded")
                .body("grant_type=client_credentials")
                .send()
                .await
                .expect("the token endpoint answers")
                .json()
                .await
                .expect("a token answer");
            let lifetime = answer["expires_in"].as_f64().expect("expires_in");
            tokio::time::sleep(std::time::Duration::from_secs_f64(lifetime + 0.2)).await;
            let bearer = format!(
                "Bearer {}",
                answer["access_token"].as_str().expect("a token")
            );
            let headers = [("authorization", bearer.as_str())];
            call_with(server, Method::GET, "/Users", None, &headers)
                .await
                .status
                == StatusCode::OK
        }
        Fault::RateLimitFieldsMalformed => {
            let answers = burst(server).await;
            answers
                .iter()
                .all(|a| a.header("ratelimit") == Some("\"default\";t=0.5"))
        }
        Fault::LoginRedirect => {
            let client = reqwest::Client::builder()
                .redirect(reqwest::redirect::Policy::none())
                .build()
                .expect("a client");
            let answer = client
                .get(format!("{}/Users", server.base_url()))
                .send()
                .await
                .expect("the server answers");
            answer.status() == StatusCode::FOUND
                && answer
                    .headers()
                    .get("location")
                    .is_some_and(|l| l.as_bytes().starts_with(b"/login?next="))
        }
        Fault::HtmlCatchAll => {
            let origin = server.base_url().trim_end_matches("/scim/v2").to_string();
            let answer = reqwest::Client::new()
                .get(format!("{origin}/api/scim/v2/Users"))
                .send()
                .await
                .expect("the server answers");
            answer.status() == StatusCode::OK
                && answer
                    .headers()
                    .get("content-type")
                    .is_some_and(|c| c.as_bytes().starts_with(b"text/html"))
        }
        Fault::ProfileTypesIgnored => {
            call(server, Method::GET, "/Groups", None).await.status == StatusCode::OK
        }
        Fault::ProfileRulesIgnored => {
            let body = json!({"schemas": [USER_URN], "userName": "not-an-email"});
            call(server, Method::POST, "/Users", Some(body))
                .await
                .status
                == StatusCode::CREATED
        }
        Fault::ProfileDiscoveryOpen => {
            call_with(server, Method::GET, "/Schemas", None, &[])
                .await
                .status
                == StatusCode::OK
        }
        Fault::ProfileExtensionsIgnored => {
            let path = format!("/Schemas/{}", super::PROBE_EXTENSION);
            call(server, Method::GET, &path, None).await.status == StatusCode::NOT_FOUND
        }
        other => panic!("no probe for the fault {other}"),
    }
}

/// Twenty GETs of /ServiceProviderConfig at once: over a 5/s limit, most are refused.
async fn burst(server: &RunningServer) -> Vec<Exchange> {
    let sends = (0..20).map(|_| call(server, Method::GET, "/ServiceProviderConfig", None));
    futures::future::join_all(sends).await
}
