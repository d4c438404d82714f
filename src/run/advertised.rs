//! `advertised-matches`: does /ServiceProviderConfig tell the truth about a feature? RFC 7644 §4
//! makes it how clients discover what a server supports, so a wrong flag misleads every client:
//! one advertised and not working, or working and not advertised. Each probe touches only the
//! check's own users.

use super::builtin::{answer, get_json, send_json};
use super::step::{CheckState, StepEnd};
use crate::outcome::{Finding, FindingKind, StepError};
use crate::suite::{AdvertisedArgs, Feature};
use serde_json::{Value, json};

const USER: &str = "urn:ietf:params:scim:schemas:core:2.0:User";
const PATCH_OP: &str = "urn:ietf:params:scim:api:messages:2.0:PatchOp";
const BULK: &str = "urn:ietf:params:scim:api:messages:2.0:BulkRequest";

/// What a probe saw: whether the feature works, and the answer that shows it.
struct Seen {
    works: bool,
    evidence: String,
}

/// Sends a request with a JSON body (and extra headers); the status and JSON answer.
async fn send(
    state: &mut CheckState<'_>,
    method: &'static str,
    path: &str,
    extra: &[(&str, String)],
    body: Option<Value>,
) -> Result<(u16, Option<Value>), StepError> {
    let i = send_json(state, method, path, extra, body.as_ref()).await?;
    answer(state, i)
}

fn query(filter: &str) -> String {
    url::form_urlencoded::byte_serialize(filter.as_bytes())
        .collect::<String>()
        .replace('+', "%20")
}

fn ids(list: &Option<Value>) -> Vec<String> {
    list.as_ref()
        .and_then(|l| l.get("Resources"))
        .and_then(Value::as_array)
        .map(|items| {
            items
                .iter()
                .filter_map(|r| r.get("id").and_then(Value::as_str).map(str::to_string))
                .collect()
        })
        .unwrap_or_default()
}

/// Whether the user's displayName reads `want` now.
async fn display_name_is(
    state: &mut CheckState<'_>,
    id: &str,
    want: &str,
) -> Result<bool, StepError> {
    let (status, user) = get_json(state, &format!("/Users/{}", segment(id))).await?;
    Ok(status == 200 && user.is_some_and(|u| u["displayName"] == want))
}

fn segment(id: &str) -> String {
    crate::suite::path_segment(id)
}

/// A password no policy should refuse (long, four character classes) and that does not contain
/// the user's name, derived from it so a run is reproducible.
fn probe_password(name: &str) -> String {
    use std::hash::{Hash, Hasher};
    let mut h = std::collections::hash_map::DefaultHasher::new();
    name.hash(&mut h);
    format!("Zq8!Wx3#{:016x}-Kp5$", h.finish())
}

async fn probe(
    state: &mut CheckState<'_>,
    spc: &Value,
    feature: Feature,
    id: &str,
    name: &str,
    other: Option<&str>,
    scope: Option<&str>,
) -> Result<Seen, StepError> {
    Ok(match feature {
        Feature::Filter => {
            let filter = format!("userName eq \"{name}\"");
            let (status, list) =
                get_json(state, &format!("/Users?filter={}", query(&filter))).await?;
            let got = ids(&list);
            Seen {
                works: status == 200 && got == [id],
                evidence: format!(
                    "GET /Users?filter={filter} answered {status} with {} resource(s)",
                    got.len()
                ),
            }
        }
        Feature::Sort => {
            let filter = scope.unwrap_or_default();
            let path = format!(
                "/Users?filter={}&sortBy=userName&sortOrder=descending",
                query(filter)
            );
            let (status, list) = get_json(state, &path).await?;
            let got = ids(&list);
            let want = [other.unwrap_or_default().to_string(), id.to_string()];
            Seen {
                works: status == 200 && got == want,
                evidence: format!(
                    "GET /Users?filter=…&sortBy=userName&sortOrder=descending answered {status}, {}",
                    if got == want {
                        "in descending order"
                    } else {
                        "not in descending order"
                    }
                ),
            }
        }
        Feature::Etag => {
            // A version no resource ever had: a server that honours If-Match refuses with 412.
            let body = json!({"schemas": [USER], "userName": name, "displayName": "Etag probe"});
            let stale = [("If-Match", "W/\"scimcheck-stale\"".to_string())];
            let path = format!("/Users/{}", segment(id));
            let (status, _) = send(state, "PUT", &path, &stale, Some(body)).await?;
            Seen {
                works: status == 412,
                evidence: format!("PUT with a stale If-Match answered {status}"),
            }
        }
        Feature::Patch => {
            let body = json!({"schemas": [PATCH_OP],
                "Operations": [{"op": "replace", "path": "displayName", "value": "Patch probe"}]});
            let path = format!("/Users/{}", segment(id));
            let (status, _) = send(state, "PATCH", &path, &[], Some(body)).await?;
            let applied =
                (200..300).contains(&status) && display_name_is(state, id, "Patch probe").await?;
            Seen {
                works: applied,
                evidence: format!(
                    "PATCH replace displayName answered {status}{}",
                    if applied { " and was applied" } else { "" }
                ),
            }
        }
        Feature::ChangePassword => {
            // By PATCH where the server advertises it, else by PUT of the check's own user.
            let password = probe_password(name);
            let path = format!("/Users/{}", segment(id));
            let (method, body) = if supported(spc, "patch") {
                let op = json!({"op": "replace", "path": "password", "value": password});
                ("PATCH", json!({"schemas": [PATCH_OP], "Operations": [op]}))
            } else {
                let user = json!({"schemas": [USER], "userName": name, "password": password});
                ("PUT", user)
            };
            let (status, answer) = send(state, method, &path, &[], Some(body)).await?;
            let detail = answer
                .as_ref()
                .and_then(|a| a.get("detail"))
                .and_then(Value::as_str)
                .map(|d| format!(" (detail: {d})"))
                .unwrap_or_default();
            Seen {
                works: (200..300).contains(&status),
                evidence: format!("{method} of a new password answered {status}{detail}"),
            }
        }
        Feature::Bulk => {
            let body = json!({"schemas": [BULK], "Operations": [{
                "method": "PATCH", "path": format!("/Users/{}", segment(id)),
                "data": {"schemas": [PATCH_OP],
                    "Operations": [{"op": "replace", "path": "displayName", "value": "Bulk probe"}]}
            }]});
            let (status, _) = send(state, "POST", "/Bulk", &[], Some(body)).await?;
            let applied = status == 200 && display_name_is(state, id, "Bulk probe").await?;
            Seen {
                works: applied,
                evidence: format!(
                    "POST /Bulk with one PATCH answered {status}{}",
                    if applied { " and was applied" } else { "" }
                ),
            }
        }
    })
}

/// Whether /ServiceProviderConfig advertises `feature` (a `"true"` string counts: the type
/// itself is judged by the discovery checks).
fn supported(spc: &Value, feature: &str) -> bool {
    match spc.get(feature).and_then(|f| f.get("supported")) {
        Some(Value::Bool(b)) => *b,
        Some(Value::String(s)) => s.eq_ignore_ascii_case("true"),
        _ => false,
    }
}

/// Reads /ServiceProviderConfig, probes the feature, and fails when the two disagree.
pub(super) async fn advertised_matches(
    state: &mut CheckState<'_>,
    args: &AdvertisedArgs,
) -> StepEnd {
    let render = |t: &crate::suite::Template, vars: &crate::suite::Vars| t.render(vars);
    let (id, name) = match (
        render(&args.id, &state.vars),
        render(&args.name, &state.vars),
    ) {
        (Ok(id), Ok(name)) => (id, name),
        (Err(e), _) | (_, Err(e)) => return StepEnd::Errored(e.into()),
    };
    let optional =
        |t: &Option<crate::suite::Template>| t.as_ref().map(|t| render(t, &state.vars)).transpose();
    let (other, scope) = match (optional(&args.other), optional(&args.scope)) {
        (Ok(other), Ok(scope)) => (other, scope),
        (Err(e), _) | (_, Err(e)) => return StepEnd::Errored(e.into()),
    };
    let feature = args.feature.as_str();
    let spc = match get_json(state, "/ServiceProviderConfig").await {
        Ok((200, Some(spc))) => spc,
        Ok((status, _)) => {
            return StepEnd::Failed(vec![Finding::at(
                FindingKind::Builtin,
                "/ServiceProviderConfig",
                "200 with a JSON body",
                format!("{status}"),
            )]);
        }
        Err(e) => return StepEnd::Errored(e),
    };
    let advertised = supported(&spc, feature);
    let seen = match probe(
        state,
        &spc,
        args.feature,
        &id,
        &name,
        other.as_deref(),
        scope.as_deref(),
    )
    .await
    {
        Ok(seen) => seen,
        Err(e) => return StepEnd::Errored(e),
    };
    // A server that does not support password changes may ignore a password it is sent, so
    // only the advertised direction of changePassword is judged.
    let one_way = args.feature == Feature::ChangePassword && !advertised;
    if advertised == seen.works || one_way {
        return StepEnd::Passed;
    }
    let (expected, actual) = if advertised {
        (
            format!("true only if {feature} works"),
            format!("true, but {}", seen.evidence),
        )
    } else {
        (
            format!("true, since {feature} works"),
            format!("not true, though {}", seen.evidence),
        )
    };
    StepEnd::Failed(vec![Finding::at(
        FindingKind::Builtin,
        format!("{feature}.supported"),
        expected,
        actual,
    )])
}
