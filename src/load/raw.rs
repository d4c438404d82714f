//! The suite file's shape as written, read with serde once the JSON Schema has accepted it;
//! `compile` turns it into the typed model. Assertions stay maps: the registry reads them.

use crate::suite::{Auth, CheckId, Level, Method, Role};
use serde::Deserialize;
use serde_json::{Map, Value};
use std::collections::BTreeMap;

#[derive(Debug, Deserialize)]
#[serde(deny_unknown_fields)]
pub(super) struct RawCheck {
    pub id: CheckId,
    pub title: String,
    pub level: Level,
    pub spec: String,
    #[serde(default, rename = "ref")]
    pub catalogue_ref: Option<String>,
    #[serde(default)]
    pub tags: Vec<String>,
    #[serde(default)]
    pub aliases: Vec<CheckId>,
    /// Attributes the check is about beyond what its steps name (mentions only).
    #[serde(default)]
    #[expect(
        dead_code,
        reason = "read from the document into mentions before compiling"
    )]
    pub about: Vec<String>,
    #[serde(default)]
    pub requires: Vec<String>,
    pub steps: Vec<RawStep>,
    #[serde(default)]
    pub unscoped: Option<RawUnscoped>,
    #[serde(default)]
    pub read_only: Option<RawUnscoped>,
}

#[derive(Debug, Deserialize)]
#[serde(deny_unknown_fields)]
pub(super) struct RawUnscoped {
    pub note: String,
    pub steps: Vec<RawStep>,
}

#[derive(Debug, Deserialize)]
#[serde(deny_unknown_fields)]
pub(super) struct RawStep {
    #[serde(default)]
    pub request: Option<RawRequest>,
    #[serde(default)]
    pub expect: Option<RawExpect>,
    #[serde(default)]
    pub capture: BTreeMap<String, String>,
    #[serde(default)]
    pub builtin: Option<String>,
    #[serde(default, rename = "with")]
    pub with: Option<Map<String, Value>>,
    #[serde(default)]
    pub role: Option<Role>,
}

#[derive(Debug, Deserialize)]
#[serde(deny_unknown_fields)]
pub(super) struct RawRequest {
    pub method: Method,
    pub path: String,
    #[serde(default)]
    pub query: BTreeMap<String, String>,
    #[serde(default)]
    pub headers: BTreeMap<String, String>,
    #[serde(default)]
    pub auth: Auth,
    #[serde(default)]
    pub body: Option<Value>,
    #[serde(default)]
    pub raw_body: Option<String>,
}

#[derive(Debug, Default, Deserialize)]
#[serde(deny_unknown_fields)]
pub(super) struct RawExpect {
    #[serde(default)]
    pub status: Option<u16>,
    #[serde(default)]
    pub statuses: Option<Vec<u16>>,
    #[serde(default)]
    pub headers: BTreeMap<String, Map<String, Value>>,
    #[serde(default)]
    pub body: BTreeMap<String, Map<String, Value>>,
    #[serde(default)]
    pub schema: Option<String>,
    #[serde(default)]
    pub empty_body: bool,
}
