//! Named JSON Schemas (`expect.schema: User`), compiled once; `$ref`s between them resolve in memory.

use jsonschema::{Retrieve, Uri, Validator};
use serde_json::Value;
use std::collections::{BTreeMap, HashMap};

#[derive(Debug, thiserror::Error)]
#[error("schema `{name}` is not a valid JSON Schema: {message}")]
pub struct SchemaError {
    pub name: String,
    pub message: String,
}

struct InMemory(HashMap<String, Value>);

impl Retrieve for InMemory {
    fn retrieve(
        &self,
        uri: &Uri<String>,
    ) -> Result<Value, Box<dyn std::error::Error + Send + Sync>> {
        self.0
            .get(uri.as_str())
            .cloned()
            .ok_or_else(|| format!("no schema with $id {}", uri.as_str()).into())
    }
}

/// Compiled validators by name.
#[derive(Default)]
pub struct SchemaStore {
    validators: BTreeMap<String, Validator>,
}

impl std::fmt::Debug for SchemaStore {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("SchemaStore")
            .field("names", &self.validators.keys().collect::<Vec<_>>())
            .finish()
    }
}

impl SchemaStore {
    pub fn compile(raw: &BTreeMap<String, Value>) -> Result<SchemaStore, SchemaError> {
        let by_id: HashMap<String, Value> = raw
            .values()
            .filter_map(|v| {
                v.get("$id")
                    .and_then(Value::as_str)
                    .map(|id| (id.to_string(), v.clone()))
            })
            .collect();
        let mut validators = BTreeMap::new();
        for (name, schema) in raw {
            let v = jsonschema::options()
                .with_retriever(InMemory(by_id.clone()))
                .build(schema)
                .map_err(|e| SchemaError {
                    name: name.clone(),
                    message: e.to_string(),
                })?;
            validators.insert(name.clone(), v);
        }
        Ok(SchemaStore { validators })
    }

    /// Validation messages (empty when valid), at most five, each naming where in the body.
    pub fn validate(&self, name: &str, value: &Value) -> Vec<String> {
        let Some(v) = self.validators.get(name) else {
            return vec![format!("no schema named {name}")];
        };
        v.iter_errors(value)
            .take(5)
            .map(|e| {
                let at = e.instance_path().as_str().to_string();
                let msg = super::assertion::clip(&e.to_string());
                if at.is_empty() {
                    msg
                } else {
                    format!("{msg} at {at}")
                }
            })
            .collect()
    }
}
