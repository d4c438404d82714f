//! Stored records → the JSON representation clients see (schema order, returned rules, meta),
//! plus the internal view that filters are evaluated against.

use serde_json::{Map, Value, json};

use crate::server::model::schema::{AttrDef, AttrType, ResourceType, Returned};
use crate::server::model::settings::Settings;
use crate::server::store::Record;
use crate::server::store::version::version_of;

/// The client-facing representation of `record`, reporting `id` as its id.
pub(crate) fn render(record: &Record, rt: &ResourceType, settings: &Settings, id: &str) -> Value {
    let mut out = Map::new();
    let mut schemas = vec![Value::from(rt.core.id.as_str())];
    for ext in &rt.extensions {
        if record.data.contains_key(&ext.id) && !settings.policies.render.extension_urn_missing {
            schemas.push(Value::from(ext.id.as_str()));
        }
    }
    out.insert("schemas".into(), Value::Array(schemas));
    out.insert("id".into(), Value::from(id));
    if let Some(external_id) = record.data.get("externalId") {
        out.insert("externalId".into(), external_id.clone());
    }
    render_attrs(&rt.core.attributes, &record.data, settings, &mut out);
    for ext in &rt.extensions {
        if let Some(Value::Object(fields)) = record.data.get(&ext.id) {
            let mut ext_out = Map::new();
            render_attrs(&ext.attributes, fields, settings, &mut ext_out);
            out.insert(ext.id.clone(), Value::Object(ext_out));
        }
    }
    out.insert("meta".into(), meta(record, rt, settings));
    Value::Object(out)
}

/// The stored attributes plus `id` and `meta`, unshaped by output faults: what filters see.
pub(crate) fn filter_view(record: &Record, rt: &ResourceType, settings: &Settings) -> Value {
    let mut view = record.data.clone();
    view.insert("id".into(), Value::from(record.id.as_str()));
    view.insert("meta".into(), meta(record, rt, settings));
    Value::Object(view)
}

fn meta(record: &Record, rt: &ResourceType, settings: &Settings) -> Value {
    let version = version_of(record);
    if settings.policies.meta.incomplete {
        return json!({"created": record.created, "lastModified": record.last_modified,
            "version": version});
    }
    json!({
        "resourceType": rt.name,
        "created": record.created,
        "lastModified": record.last_modified,
        "location": settings.resource_location(&rt.endpoint, &record.id),
        "version": version,
    })
}

fn render_attrs(
    attrs: &[AttrDef],
    data: &Map<String, Value>,
    settings: &Settings,
    out: &mut Map<String, Value>,
) {
    for attr in attrs {
        let Some(value) = data.get(&attr.name) else {
            continue;
        };
        if attr.returned == Returned::Never && !settings.policies.render.password_returned {
            continue;
        }
        out.insert(attr.name.clone(), render_value(attr, value, settings));
    }
}

fn render_value(attr: &AttrDef, value: &Value, settings: &Settings) -> Value {
    match value {
        Value::Array(items) if attr.multi_valued => {
            if items.len() == 1 && settings.policies.render.single_value_object {
                return render_single(attr, &items[0], settings);
            }
            Value::Array(
                items
                    .iter()
                    .map(|item| render_single(attr, item, settings))
                    .collect(),
            )
        }
        other => render_single(attr, other, settings),
    }
}

fn render_single(attr: &AttrDef, value: &Value, settings: &Settings) -> Value {
    match (attr.ty, value) {
        (AttrType::Complex, Value::Object(fields)) => {
            let mut out = Map::new();
            render_attrs(&attr.sub_attributes, fields, settings, &mut out);
            for (key, value) in fields {
                if !out.contains_key(key) && attr.sub(key, true).is_none() {
                    out.insert(key.clone(), value.clone());
                }
            }
            Value::Object(out)
        }
        (AttrType::Boolean, Value::Bool(b)) if settings.policies.render.booleans_as_strings => {
            Value::String(b.to_string())
        }
        _ => value.clone(),
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::server::model::schema::{ENTERPRISE_URN, user_type};
    use crate::server::store::now;

    fn record(data: Value) -> Record {
        let Value::Object(data) = data else {
            panic!("object expected")
        };
        Record {
            id: "abc".into(),
            data,
            created: "2026-01-01T00:00:00.000Z".into(),
            last_modified: "2026-01-01T00:00:00.000Z".into(),
            modified_at: now(),
            version: 4,
        }
    }

    #[test]
    fn renders_in_schema_order_without_password() {
        let rec = record(json!({
            "password": "secret", "active": true, "userName": "bjensen",
            ENTERPRISE_URN: {"employeeNumber": "1"},
            "emails": [{"primary": true, "value": "b@x"}],
        }));
        let settings = Settings::for_tests(&[]);
        let out = render(&rec, user_type(), &settings, "abc");
        let keys: Vec<_> = out.as_object().unwrap().keys().cloned().collect();
        assert_eq!(
            keys,
            [
                "schemas",
                "id",
                "userName",
                "active",
                "emails",
                ENTERPRISE_URN,
                "meta"
            ]
        );
        assert_eq!(out["schemas"], json!([user_type().core.id, ENTERPRISE_URN]));
        assert_eq!(out["emails"], json!([{"value": "b@x", "primary": true}]));
        assert_eq!(
            out["meta"]["location"],
            "http://127.0.0.1:9/scim/v2/Users/abc"
        );
        assert_eq!(out["meta"]["version"], "W/\"4\"");
        let hidden = render(
            &rec,
            user_type(),
            &Settings::with(|_, p| p.render.extension_urn_missing = true),
            "abc",
        );
        assert_eq!(hidden["schemas"], json!([user_type().core.id]));
        assert!(hidden.get(ENTERPRISE_URN).is_some());
    }

    #[test]
    fn output_faults_shape_values() {
        let rec = record(json!({"userName": "u", "password": "p", "active": false,
            "emails": [{"value": "b@x", "primary": true}]}));
        let settings = Settings::with(|_, p| {
            p.render.password_returned = true;
            p.render.single_value_object = true;
            p.render.booleans_as_strings = true;
        });
        let out = render(&rec, user_type(), &settings, "other");
        assert_eq!(out["id"], "other");
        assert_eq!(out["password"], "p");
        assert_eq!(out["active"], "false");
        assert_eq!(out["emails"], json!({"value": "b@x", "primary": "true"}));
        assert_eq!(out["schemas"], json!([user_type().core.id]));
    }
}
