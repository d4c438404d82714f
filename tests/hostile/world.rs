//! The honest part of every hostile server: just enough SCIM (discovery, create, read, list,
//! replace, delete) that a behaviour only has to override the answers it lies in. It holds
//! somebody else's user and group from before the run, and knows which ids it minted itself.

use crate::server::{Reply, Request};
use serde_json::{Value, json};
use std::collections::{BTreeMap, BTreeSet};

pub const ROOT: &str = "/scim/v2";
pub const VICTIM_USER: &str = "victim-user-1";
pub const VICTIM_GROUP: &str = "victim-group-1";
const USER_URN: &str = "urn:ietf:params:scim:schemas:core:2.0:User";
const GROUP_URN: &str = "urn:ietf:params:scim:schemas:core:2.0:Group";
const LIST_URN: &str = "urn:ietf:params:scim:api:messages:2.0:ListResponse";

#[derive(Debug)]
pub struct World {
    port: u16,
    /// Resources by key (`/Users/{id}`).
    pub resources: BTreeMap<String, Value>,
    /// Keys of the resources this server honestly created for a request.
    pub minted: BTreeSet<String>,
    /// The pre-existing user and group as they were before the run.
    pub original_user: Value,
    pub original_group: Value,
    next: u64,
}

impl World {
    pub fn new(port: u16) -> World {
        let mut world = World {
            port,
            resources: BTreeMap::new(),
            minted: BTreeSet::new(),
            original_user: Value::Null,
            original_group: Value::Null,
            next: 0,
        };
        let user = world.located(
            "Users",
            json!({"schemas": [USER_URN], "id": VICTIM_USER, "userName": "victim@example.com",
                   "externalId": "somebody-elses"}),
        );
        let group = world.located(
            "Groups",
            json!({"schemas": [GROUP_URN], "id": VICTIM_GROUP, "displayName": "Victims",
                   "members": [{"value": VICTIM_USER}]}),
        );
        world
            .resources
            .insert(format!("/Users/{VICTIM_USER}"), user.clone());
        world
            .resources
            .insert(format!("/Groups/{VICTIM_GROUP}"), group.clone());
        world.original_user = user;
        world.original_group = group;
        world
    }

    pub fn url(&self, path: &str) -> String {
        format!("http://127.0.0.1:{}{ROOT}{path}", self.port)
    }

    fn located(&self, endpoint: &str, mut resource: Value) -> Value {
        let id = resource["id"].as_str().unwrap_or_default().to_string();
        let kind = if endpoint == "Users" { "User" } else { "Group" };
        resource["meta"] = json!({"resourceType": kind, "location": self.url(&format!("/{endpoint}/{id}")),
                                  "created": "2024-01-01T00:00:00Z", "lastModified": "2024-01-01T00:00:00Z"});
        resource
    }

    /// Stores `body` as a new resource with a fresh id, the way an honest server would.
    pub fn create(&mut self, endpoint: &str, body: &Value) -> (String, Value) {
        self.next += 1;
        let id = format!("h{:04}", self.next);
        let mut resource = body.clone();
        resource["id"] = json!(id);
        let resource = self.located(endpoint, resource);
        let key = format!("/{endpoint}/{id}");
        self.resources.insert(key.clone(), resource.clone());
        self.minted.insert(key.clone());
        (key, resource)
    }

    pub fn list(&self, endpoint: &str, query: &str) -> Value {
        let filter = query
            .split('&')
            .find_map(|p| p.strip_prefix("filter="))
            .map(|f| {
                percent_encoding::percent_decode_str(&f.replace('+', " "))
                    .decode_utf8_lossy()
                    .into_owned()
            });
        let items: Vec<Value> = self
            .resources
            .iter()
            .filter(|(k, _)| k.starts_with(&format!("/{endpoint}/")))
            .map(|(_, v)| v.clone())
            .filter(|v| filter.as_deref().is_none_or(|f| matches(v, f)))
            .collect();
        json!({"schemas": [LIST_URN], "totalResults": items.len(), "startIndex": 1,
               "itemsPerPage": items.len(), "Resources": items})
    }

    pub fn honest(&mut self, req: &Request) -> Reply {
        let path = req.path().trim_end_matches('/').to_string();
        let segments: Vec<&str> = path.split('/').skip(1).collect();
        match (req.method.as_str(), segments.as_slice()) {
            ("GET", ["ServiceProviderConfig"]) => Reply::json(200, &spc()),
            ("GET", ["ResourceTypes"]) => Reply::json(200, &resource_types()),
            ("GET", ["Schemas"]) => Reply::json(
                200,
                &json!({"schemas": [LIST_URN], "totalResults": 0, "Resources": []}),
            ),
            ("GET", [endpoint @ ("Users" | "Groups")]) => {
                Reply::json(200, &self.list(endpoint, req.query()))
            }
            ("POST", [endpoint @ ("Users" | "Groups")]) => {
                let Some(body) = req.json().filter(Value::is_object) else {
                    return error(400, "not a JSON object");
                };
                let (_, resource) = self.create(endpoint, &body);
                let location = resource["meta"]["location"].as_str().unwrap_or_default();
                Reply::json(201, &resource).with_header("Location", location)
            }
            (method, [_, _]) => {
                let Some(current) = self.resources.get(&path).cloned() else {
                    return error(404, "no such resource");
                };
                match method {
                    "GET" | "PATCH" => Reply::json(200, &current),
                    "PUT" => {
                        let mut next = req.json().unwrap_or(current.clone());
                        next["id"] = current["id"].clone();
                        next["meta"] = current["meta"].clone();
                        self.resources.insert(path, next.clone());
                        Reply::json(200, &next)
                    }
                    "DELETE" => {
                        self.resources.remove(&path);
                        Reply::Full {
                            status: 204,
                            headers: Vec::new(),
                            body: Vec::new(),
                        }
                    }
                    _ => error(405, "method not allowed"),
                }
            }
            _ => error(404, "no such endpoint"),
        }
    }
}

/// `attr eq "v"`, `attr sw "v"` and `attr co "v"` on top-level strings, case-insensitively;
/// anything fancier matches everything (good enough for a marker lookup).
fn matches(resource: &Value, filter: &str) -> bool {
    let mut parts = filter.splitn(3, ' ');
    let (Some(attr), Some(op), Some(value)) = (parts.next(), parts.next(), parts.next()) else {
        return true;
    };
    let value = value.trim_matches('"').to_lowercase();
    let actual = resource
        .as_object()
        .and_then(|o| o.iter().find(|(k, _)| k.eq_ignore_ascii_case(attr)))
        .and_then(|(_, v)| v.as_str())
        .map(str::to_lowercase);
    let Some(actual) = actual else {
        return false;
    };
    match op.to_lowercase().as_str() {
        "eq" => actual == value,
        "sw" => actual.starts_with(&value),
        "co" => actual.contains(&value),
        _ => true,
    }
}

pub fn error(status: u16, detail: &str) -> Reply {
    Reply::json(
        status,
        &json!({"schemas": ["urn:ietf:params:scim:api:messages:2.0:Error"],
                "status": status.to_string(), "detail": detail}),
    )
}

pub fn spc() -> Value {
    json!({
        "schemas": ["urn:ietf:params:scim:schemas:core:2.0:ServiceProviderConfig"],
        "patch": {"supported": true},
        "bulk": {"supported": true, "maxOperations": 10, "maxPayloadSize": 1_048_576},
        "filter": {"supported": true, "maxResults": 100},
        "changePassword": {"supported": false},
        "sort": {"supported": false},
        "etag": {"supported": false},
        "authenticationSchemes": [{"type": "oauthbearertoken", "name": "Bearer", "description": "a token"}]
    })
}

fn resource_types() -> Value {
    json!({"schemas": [LIST_URN], "totalResults": 2, "Resources": [
        {"schemas": ["urn:ietf:params:scim:schemas:core:2.0:ResourceType"], "id": "User", "name": "User",
         "endpoint": "/Users", "schema": USER_URN},
        {"schemas": ["urn:ietf:params:scim:schemas:core:2.0:ResourceType"], "id": "Group", "name": "Group",
         "endpoint": "/Groups", "schema": GROUP_URN}
    ]})
}
