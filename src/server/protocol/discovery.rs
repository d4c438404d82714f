//! Discovery endpoints (RFC 7644 §4): /ServiceProviderConfig, /ResourceTypes and /Schemas.
//! They ignore filter, sort and paging parameters.

use serde_json::{Map, Value, json};

use crate::server::model::schema::{ResourceType, SchemaDef};
use crate::server::model::settings::Settings;
use crate::server::protocol::error::ScimError;
use crate::server::protocol::paging::list_response;
use crate::server::protocol::reply::Reply;

const SPC_URN: &str = "urn:ietf:params:scim:schemas:core:2.0:ServiceProviderConfig";
const RESOURCE_TYPE_URN: &str = "urn:ietf:params:scim:schemas:core:2.0:ResourceType";
const SCHEMA_URN: &str = "urn:ietf:params:scim:schemas:core:2.0:Schema";

pub(crate) fn service_provider_config(settings: &Settings) -> Reply {
    let (model, policy) = (&settings.model, &settings.policies.discovery);
    let mut advertised = model.service_provider_config.clone();
    let limits = &model.limits;
    if let Some(Value::Object(bulk)) = advertised.get_mut("bulk") {
        bulk.insert("maxOperations".into(), json!(limits.bulk_max_operations));
        bulk.insert("maxPayloadSize".into(), json!(limits.bulk_max_payload_size));
    }
    if let Some(Value::Object(filter)) = advertised.get_mut("filter") {
        filter.insert("maxResults".into(), json!(limits.filter_max_results));
    }
    let mut advertised = Value::Object(advertised);
    if policy.spc_string_values {
        stringify_scalars(&mut advertised);
    }
    let mut body = Map::new();
    if !policy.spc_without_schemas {
        body.insert("schemas".into(), json!([SPC_URN]));
    }
    if let Value::Object(advertised) = advertised {
        body.extend(advertised);
    }
    body.insert(
        "meta".into(),
        json!({
            "resourceType": "ServiceProviderConfig",
            "location": model.absolute("/ServiceProviderConfig"),
        }),
    );
    if policy.spc_as_list {
        return Reply::json(
            200,
            list_response(1, 1, vec![Value::Object(body)], settings),
        );
    }
    Reply::json(200, Value::Object(body))
}

/// Turns every boolean and number into its string form (`spc-string-values`).
fn stringify_scalars(value: &mut Value) {
    match value {
        Value::Bool(b) => *value = Value::String(b.to_string()),
        Value::Number(n) => *value = Value::String(n.to_string()),
        Value::Array(items) => items.iter_mut().for_each(stringify_scalars),
        Value::Object(fields) => fields.values_mut().for_each(stringify_scalars),
        Value::String(_) | Value::Null => {}
    }
}

fn resource_type(rt: &ResourceType, settings: &Settings) -> Value {
    let extensions: Vec<Value> = rt
        .extensions
        .iter()
        .map(|ext| json!({"schema": ext.id, "required": false}))
        .collect();
    let endpoint = if settings.policies.discovery.resource_type_endpoint_absolute {
        settings.model.absolute(&rt.endpoint)
    } else {
        rt.endpoint.to_string()
    };
    json!({
        "schemas": [RESOURCE_TYPE_URN],
        "id": rt.name,
        "name": rt.name,
        "endpoint": endpoint,
        "description": rt.description,
        "schema": rt.core.id,
        "schemaExtensions": extensions,
        "meta": {
            "resourceType": "ResourceType",
            "location": settings.model.absolute(&format!("/ResourceTypes/{}", rt.name)),
        },
    })
}

pub(crate) fn resource_types(settings: &Settings) -> Reply {
    let items: Vec<Value> = settings
        .model
        .resource_types
        .iter()
        .map(|rt| resource_type(rt, settings))
        .collect();
    list_or_array(
        items,
        settings.policies.discovery.resource_types_bare_array,
        settings,
    )
}

pub(crate) fn resource_type_by_id(settings: &Settings, id: &str) -> Result<Reply, ScimError> {
    settings
        .model
        .resource_types
        .iter()
        .find(|rt| rt.name.eq_ignore_ascii_case(id))
        .map(|rt| Reply::json(200, resource_type(rt, settings)))
        .ok_or_else(|| ScimError::not_found(format!("resource type '{id}' not found")))
}

fn schema(def: &SchemaDef, settings: &Settings) -> Value {
    let mut out = Map::new();
    if !settings.policies.discovery.schema_without_schemas {
        out.insert("schemas".into(), json!([SCHEMA_URN]));
    }
    if let Value::Object(document) = &def.document {
        out.extend(document.clone());
    }
    out.insert(
        "meta".into(),
        json!({
            "resourceType": "Schema",
            "location": settings.model.absolute(&format!("/Schemas/{}", def.id)),
        }),
    );
    Value::Object(out)
}

pub(crate) fn schemas(settings: &Settings, url: &url::Url) -> Reply {
    let mut items: Vec<Value> = settings
        .model
        .schemas
        .iter()
        .map(|def| schema(def, settings))
        .collect();
    if settings.policies.discovery.publish_api_urns {
        items.push(json!({
            "schemas": [SCHEMA_URN],
            "id": "urn:ietf:params:scim:api:messages:2.0:ListResponse",
            "name": "ListResponse",
            "attributes": [{
                "name": "totalResults", "type": "integer", "multiValued": false, "required": true,
                "caseExact": false, "mutability": "readOnly", "returned": "always", "uniqueness": "none",
            }],
        }));
    }
    if settings.policies.discovery.schemas_paged {
        let param = |name: &str| {
            url.query_pairs()
                .find(|(k, _)| k.eq_ignore_ascii_case(name))
                .and_then(|(_, v)| v.parse::<usize>().ok())
        };
        let total = items.len();
        let start = param("startIndex").unwrap_or(1).max(1);
        let count = param("count").unwrap_or(total);
        let page: Vec<Value> = items.into_iter().skip(start - 1).take(count).collect();
        return Reply::json(200, list_response(total, start, page, settings));
    }
    list_or_array(
        items,
        settings.policies.discovery.schemas_bare_array,
        settings,
    )
}

pub(crate) fn schema_by_id(settings: &Settings, id: &str) -> Result<Reply, ScimError> {
    settings
        .model
        .schemas
        .iter()
        .find(|def| def.id.eq_ignore_ascii_case(id))
        .map(|def| Reply::json(200, schema(def, settings)))
        .ok_or_else(|| ScimError::not_found(format!("schema '{id}' not found")))
}

fn list_or_array(items: Vec<Value>, bare: bool, settings: &Settings) -> Reply {
    if bare {
        return Reply::json(200, Value::Array(items));
    }
    let total = items.len();
    Reply::json(200, list_response(total, 1, items, settings))
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::server::protocol::reply::Body;

    fn json_of(reply: Reply) -> Value {
        match reply.body {
            Body::Json(value) => value,
            other => panic!("JSON expected, got {other:?}"),
        }
    }

    #[test]
    fn spc_faults() {
        let spc = json_of(service_provider_config(&Settings::for_tests(&[])));
        assert_eq!(spc["filter"]["maxResults"], 200);
        assert_eq!(spc["patch"]["supported"], true);
        assert_eq!(spc["sort"]["supported"], true);
        assert_eq!(spc["etag"]["supported"], true);
        assert_eq!(
            (&spc["bulk"]["supported"], &spc["bulk"]["maxOperations"]),
            (&json!(true), &json!(10))
        );
        assert_eq!(spc["changePassword"]["supported"], true);
        let types = json_of(resource_types(&Settings::for_tests(&[])));
        assert_eq!(types["totalResults"], 2);
        assert_eq!(types["Resources"][1]["endpoint"], "/Groups");
        assert_eq!(types["Resources"][1]["schemaExtensions"], json!([]));
        let spc = json_of(service_provider_config(&Settings::with(|_, p| {
            p.discovery.spc_string_values = true
        })));
        assert_eq!(spc["filter"]["maxResults"], "200");
        assert_eq!(spc["authenticationSchemes"][0]["primary"], "true");
        let spc = json_of(service_provider_config(&Settings::with(|m, _| {
            m.service_provider_config.shift_remove("bulk");
            m.service_provider_config
                .shift_remove("authenticationSchemes");
        })));
        assert!(spc.get("bulk").is_none() && spc.get("authenticationSchemes").is_none());
        assert!(spc.get("patch").is_some());
    }

    #[test]
    fn schema_lookup_is_case_insensitive_and_complete() {
        let settings = Settings::for_tests(&[]);
        let user =
            json_of(schema_by_id(&settings, "URN:ietf:params:scim:schemas:core:2.0:user").unwrap());
        assert_eq!(user["schemas"], json!([SCHEMA_URN]));
        assert_eq!(user["id"], "urn:ietf:params:scim:schemas:core:2.0:User");
        assert!(schema_by_id(&settings, "urn:nope").is_err());
        let paging = url::Url::parse("http://h/Schemas?startIndex=2&count=1").unwrap();
        let list = json_of(schemas(&settings, &paging));
        assert_eq!(list["totalResults"], 3);
        assert_eq!(list["Resources"].as_array().map(Vec::len), Some(3));
        let bare = json_of(schemas(
            &Settings::with(|_, p| p.discovery.schemas_bare_array = true),
            &paging,
        ));
        assert_eq!(bare.as_array().map(Vec::len), Some(3));
        let paged = json_of(schemas(
            &Settings::with(|_, p| p.discovery.schemas_paged = true),
            &paging,
        ));
        assert_eq!(paged["Resources"].as_array().map(Vec::len), Some(1));
    }
}
