//! Servers that lie about what a create made: somebody else's id, an id that is a path trick, a
//! Location elsewhere, a bulk result naming a pre-existing resource. The run must refuse to
//! treat any of it as its own: no PUT, PATCH or DELETE ever reaches it.

use crate::harness::{assert_untouched, run, snapshot};
use crate::server::{Hostile, Reply, Request};
use crate::world::{VICTIM_GROUP, VICTIM_USER, World};
use serde_json::{Value, json};

/// Checks that create a user and then replace, patch or delete it.
const WRITERS: [&str; 6] = [
    "users.create.returns-201-with-id",
    "users.put.replaces-attributes",
    "users.patch.replace-with-path",
    "users.delete.returns-204-empty",
    "groups.patch-add-member-appends",
    "users.create.username-reusable-after-delete",
];

fn is_create(req: &Request) -> bool {
    req.method == "POST" && matches!(req.path(), "/Users" | "/Groups")
}

/// Runs the writing checks against a server whose creates answer `lie`, then audits the writes.
fn lying_create(
    lie: impl Fn(&Request, &mut World) -> Reply + Send + Sync + 'static,
) -> crate::harness::Outcome {
    let server = Hostile::start(move |req, world| {
        if is_create(req) {
            lie(req, world)
        } else {
            Reply::Honest
        }
    });
    let before = snapshot(&server);
    let outcome = run(&server.base(), &WRITERS);
    outcome.assert_sane();
    assert_untouched(&server, &before);
    outcome
}

/// The pre-existing resource of the endpoint posted to (as it was, even if a run deleted it).
fn victim_of(req: &Request, world: &World) -> (Value, String) {
    if req.path() == "/Groups" {
        (
            world.original_group.clone(),
            world.url(&format!("/Groups/{VICTIM_GROUP}")),
        )
    } else {
        (
            world.original_user.clone(),
            world.url(&format!("/Users/{VICTIM_USER}")),
        )
    }
}

fn created(body: &Value, location: &str) -> Reply {
    Reply::json(201, body).with_header("Location", location)
}

/// The run's safety verdict: a safety finding counted, and what may exist listed by marker.
fn refused_as_not_ours(outcome: &crate::harness::Outcome) {
    let safety = outcome.report["summary"]["safety"].as_u64().unwrap_or(0);
    assert!(safety > 0, "no safety finding counted\n{}", outcome.text());
    let left = outcome.left_behind();
    assert!(
        left.iter().all(|l| l["marker"]
            .as_str()
            .is_some_and(|m| m.starts_with("scimcheck-"))
            && l["reason"].is_string()),
        "left_behind entries name a marker and a reason: {left:?}"
    );
    assert!(
        !left.is_empty(),
        "the unproven creates are listed\n{}",
        outcome.text()
    );
    assert!(
        matches!(outcome.code, Some(1 | 4)),
        "a lying server does not pass\n{}",
        outcome.text()
    );
}

#[test]
fn create_answers_a_pre_existing_user() {
    let outcome = lying_create(|req, world| {
        let (victim, location) = victim_of(req, world);
        created(&victim, &location)
    });
    refused_as_not_ours(&outcome);
    outcome.says("not ours");
}

#[test]
fn create_echoes_our_body_with_a_pre_existing_id() {
    let outcome = lying_create(|req, world| {
        let (victim, location) = victim_of(req, world);
        let mut body = req.json().unwrap_or(json!({}));
        body["id"] = victim["id"].clone();
        created(&body, &location)
    });
    refused_as_not_ours(&outcome);
}

fn dot_id(id: &'static str) -> impl Fn(&Request, &mut World) -> Reply + Send + Sync + 'static {
    move |req, world| {
        let mut body = req.json().unwrap_or(json!({}));
        body["id"] = json!(id);
        let location = format!("{}/{id}", world.url(req.path()));
        created(&body, &location)
    }
}

#[test]
fn create_answers_id_dot_dot() {
    refused_as_not_ours(&lying_create(dot_id("..")));
}

#[test]
fn create_answers_id_dot() {
    refused_as_not_ours(&lying_create(dot_id(".")));
}

#[test]
fn create_answers_an_empty_id() {
    refused_as_not_ours(&lying_create(dot_id("")));
}

#[test]
fn create_answers_id_percent_encoded_dot_dot() {
    refused_as_not_ours(&lying_create(dot_id("%2e%2e")));
}

/// No id in the body, only a Location on another port: nothing may be sent there.
#[test]
fn create_answers_a_location_on_another_host() {
    let elsewhere = Hostile::start(|_, _| Reply::Honest);
    let port = elsewhere.port;
    let outcome = lying_create(move |req, _| {
        let mut body = req.json().unwrap_or(json!({}));
        body.as_object_mut().map(|o| o.remove("id"));
        let location = format!(
            "http://127.0.0.1:{port}/scim/v2{}/{VICTIM_USER}",
            req.path()
        );
        created(&body, &location)
    });
    refused_as_not_ours(&outcome);
    let heard: Vec<String> = elsewhere
        .requests()
        .iter()
        .map(|r| format!("{} {}", r.method, r.target))
        .collect();
    assert!(heard.is_empty(), "the other host heard {heard:?}");
}

/// A BulkResponse whose POST results claim the pre-existing user and group as created.
#[test]
fn bulk_claims_it_created_pre_existing_resources() {
    let server = Hostile::start(|req, world| {
        if !req.is("POST", "/Bulk") {
            return Reply::Honest;
        }
        let body = req.json().unwrap_or(Value::Null);
        let results: Vec<Value> = body["Operations"]
            .as_array()
            .into_iter()
            .flatten()
            .map(|op| {
                let path = op["path"].as_str().unwrap_or("/Users");
                let location = if path.starts_with("/Groups") {
                    world.url(&format!("/Groups/{VICTIM_GROUP}"))
                } else {
                    world.url(&format!("/Users/{VICTIM_USER}"))
                };
                json!({"method": op["method"], "bulkId": op["bulkId"], "status": "201", "location": location})
            })
            .collect();
        Reply::json(
            200,
            &json!({"schemas": ["urn:ietf:params:scim:api:messages:2.0:BulkResponse"], "Operations": results}),
        )
    });
    let before = snapshot(&server);
    let outcome = run(
        &server.base(),
        &[
            "bulk.post-operation-result",
            "bulk.put-patch-delete-operations",
            "bulk.bulkid-resolved-in-data",
        ],
    );
    outcome.assert_sane();
    assert_untouched(&server, &before);
    assert!(
        outcome.code == Some(1) || outcome.code == Some(4),
        "the lying bulk checks do not pass\n{}",
        outcome.text()
    );
}
