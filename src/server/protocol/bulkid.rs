//! `bulkId:<x>` references in Bulk operations (RFC 7644 §3.7.2): a later operation's path or
//! data may name a resource an earlier POST of the same request created.

use std::collections::BTreeMap;

use serde_json::Value;

use crate::server::protocol::error::ScimError;

/// The bulkIds seen so far: the id each created, or `None` when its operation failed.
pub(crate) type Created = BTreeMap<String, Option<String>>;

/// The id a `bulkId:<x>` reference stands for; 409 when `x` created nothing (yet).
fn lookup(reference: &str, created: &Created) -> Result<Option<String>, ScimError> {
    let Some(bulk_id) = reference.strip_prefix("bulkId:") else {
        return Ok(None);
    };
    match created.get(bulk_id) {
        Some(Some(id)) => Ok(Some(id.clone())),
        _ => Err(ScimError::new(
            409,
            format!(
                "'{reference}' cannot be resolved: no earlier operation created bulkId \
                 '{bulk_id}' (forward and circular references are not supported)"
            ),
        )),
    }
}

pub(crate) fn resolve_path(path: &str, created: &Created) -> Result<String, ScimError> {
    let segments: Result<Vec<String>, ScimError> = path
        .split('/')
        .map(|segment| Ok(lookup(segment, created)?.unwrap_or_else(|| segment.to_owned())))
        .collect();
    Ok(segments?.join("/"))
}

/// Replaces every string that is a `bulkId:` reference, at any depth.
pub(crate) fn resolve_data(value: &mut Value, created: &Created) -> Result<(), ScimError> {
    match value {
        Value::String(text) => {
            if let Some(id) = lookup(text, created)? {
                *text = id;
            }
        }
        Value::Array(items) => {
            for item in items {
                resolve_data(item, created)?;
            }
        }
        Value::Object(fields) => {
            for item in fields.values_mut() {
                resolve_data(item, created)?;
            }
        }
        _ => {}
    }
    Ok(())
}

#[cfg(test)]
mod tests {
    use super::*;
    use serde_json::json;

    #[test]
    fn references_resolve_or_conflict() {
        let mut created = Created::new();
        created.insert("u1".into(), Some("id-1".into()));
        created.insert("bad".into(), None);
        assert_eq!(
            resolve_path("/Users/bulkId:u1", &created).unwrap(),
            "/Users/id-1"
        );
        let mut data = json!({"members": [{"value": "bulkId:u1"}], "x": "bulkId"});
        resolve_data(&mut data, &created).unwrap();
        assert_eq!(data, json!({"members": [{"value": "id-1"}], "x": "bulkId"}));
        for missing in ["bulkId:bad", "bulkId:later"] {
            let err = resolve_data(&mut json!([missing]), &created).unwrap_err();
            assert_eq!(err.status, 409);
        }
    }
}
