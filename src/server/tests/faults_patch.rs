//! Probes for the PATCH faults, split from faults.rs to keep files small: `shows` answers
//! whether a fault's deviation is observable; faults that are not about PATCH go on to
//! faults_more.rs.

use reqwest::{Method, StatusCode};
use serde_json::{Value, json};

use super::{Exchange, call, create, create_group, patch_ops};
use crate::server::{Fault, RunningServer};

async fn user_patch(server: &RunningServer, name: &str, ops: Value) -> Exchange {
    let id = create(server, name).await;
    patch_ops(server, &format!("/Users/{id}"), ops).await
}

/// A group holding the new users `names`: its path and the users' ids.
async fn group_of(server: &RunningServer, names: &[&str]) -> (String, Vec<String>) {
    let mut ids = Vec::new();
    for name in names {
        ids.push(create(server, name).await);
    }
    let first: Vec<&str> = ids.iter().take(1).map(String::as_str).collect();
    let gid = create_group(server, "probe-group", &first).await;
    (format!("/Groups/{gid}"), ids)
}

async fn members(server: &RunningServer, group: &str) -> Vec<Value> {
    let got = call(server, Method::GET, group, None).await;
    got.body["members"].as_array().cloned().unwrap_or_default()
}

/// Whether `fault`'s deviation is observable on `server`.
pub(super) async fn shows(server: &RunningServer, fault: Fault) -> bool {
    let bad = StatusCode::BAD_REQUEST;
    match fault {
        Fault::PatchOpCaseSensitive => {
            let ops = json!([{"op": "Replace", "path": "displayName", "value": "X"}]);
            user_patch(server, "op", ops).await.status == bad
        }
        Fault::PatchAddReplacesMembers => {
            let (group, ids) = group_of(server, &["m1", "m2"]).await;
            let ops = json!([{"op": "add", "path": "members", "value": [{"value": ids[1]}]}]);
            patch_ops(server, &group, ops).await;
            members(server, &group).await.len() == 1
        }
        Fault::PatchAddDuplicates => {
            let (group, ids) = group_of(server, &["d1"]).await;
            let ops = json!([{"op": "add", "path": "members", "value": [{"value": ids[0]}]}]);
            patch_ops(server, &group, ops).await;
            members(server, &group).await.len() == 2
        }
        Fault::PatchRemoveFilterRemovesAll => {
            let (group, ids) = group_of(server, &["r1", "r2"]).await;
            let add = json!([{"op": "add", "path": "members", "value": [{"value": ids[1]}]}]);
            patch_ops(server, &group, add).await;
            let filter = format!("members[value eq \"{}\"]", ids[0]);
            patch_ops(server, &group, json!([{"op": "remove", "path": filter}])).await;
            members(server, &group).await.is_empty()
        }
        Fault::PatchValueFilterUnsupported => {
            let ops = json!([{"op": "replace", "path": "emails[type eq \"work\"].value",
                "value": "new@example.com"}]);
            user_patch(server, "vf", ops).await.status == StatusCode::NOT_IMPLEMENTED
        }
        Fault::PatchStringBooleanRejected => {
            let ops = json!([{"op": "Replace", "path": "active", "value": "False"}]);
            user_patch(server, "sb", ops).await.status == bad
        }
        Fault::PatchNotAtomic => {
            let id = create(server, "atomic").await;
            let ops = json!([{"op": "replace", "path": "displayName", "value": "New"},
                             {"op": "replace", "path": "no..such", "value": "x"}]);
            patch_ops(server, &format!("/Users/{id}"), ops).await;
            let got = call(server, Method::GET, &format!("/Users/{id}"), None).await;
            got.body["displayName"] == "New"
        }
        Fault::PrimaryNotUnique => {
            let ops = json!([{"op": "add", "path": "emails",
                "value": [{"value": "h@example.com", "type": "home", "primary": true}]}]);
            let patched = user_patch(server, "prim", ops).await;
            let emails = patched.body["emails"]
                .as_array()
                .cloned()
                .unwrap_or_default();
            emails.iter().filter(|e| e["primary"] == true).count() > 1
        }
        Fault::PatchReturns204 => {
            let id = create(server, "p204").await;
            let body = json!({"schemas": [super::PATCH_OP],
                "Operations": [{"op": "replace", "path": "displayName", "value": "D"}]});
            let path = format!("/Users/{id}?attributes=userName");
            call(server, Method::PATCH, &path, Some(body)).await.status == StatusCode::NO_CONTENT
        }
        Fault::PatchNoTargetIgnored => {
            let ops = json!([{"op": "replace", "path": "emails[type eq \"pager\"].value",
                "value": "x@example.com"}]);
            user_patch(server, "nt", ops).await.status == StatusCode::OK
        }
        Fault::PatchRemoveRequiredAllowed => {
            let ops = json!([{"op": "remove", "path": "userName"}]);
            user_patch(server, "req", ops).await.status == StatusCode::OK
        }
        Fault::PatchReadonlyAllowed => {
            let when = "2001-01-01T00:00:00Z";
            let ops = json!([{"op": "replace", "path": "meta.created", "value": when}]);
            user_patch(server, "ro", ops).await.body["meta"]["created"] == when
        }
        Fault::PatchPathNamesCaseSensitive => {
            let ops = json!([{"op": "replace", "path": "DisplayName", "value": "X"}]);
            user_patch(server, "case", ops).await.status == bad
        }
        Fault::GroupPathlessReplaceClearsMembers => {
            let (group, _) = group_of(server, &["pl"]).await;
            let ops = json!([{"op": "replace", "value": {"displayName": "Renamed"}}]);
            patch_ops(server, &group, ops).await;
            members(server, &group).await.is_empty()
        }
        Fault::LastModifiedUnchangedOnPatch => {
            let id = create(server, "lm").await;
            let path = format!("/Users/{id}");
            let before = call(server, Method::GET, &path, None).await.body;
            let ops = json!([{"op": "replace", "path": "displayName", "value": "Changed"}]);
            let after = patch_ops(server, &path, ops).await.body;
            after["meta"]["lastModified"] == before["meta"]["lastModified"]
        }
        other => super::faults_more::shows(server, other).await,
    }
}
