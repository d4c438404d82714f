//! The JSON Schema editors use must name exactly what the registry defines.

use super::*;
use serde_json::{Value, json};

fn schema() -> Value {
    serde_json::from_str(include_str!("../../suites/suite.schema.json")).unwrap()
}

fn strings(v: &Value) -> Vec<&str> {
    v.as_array()
        .unwrap()
        .iter()
        .map(|s| s.as_str().unwrap())
        .collect()
}

#[test]
fn schema_capabilities_are_the_registry_capabilities() {
    let schema = schema();
    let listed = strings(&schema["$defs"]["check"]["properties"]["requires"]["items"]["enum"]);
    assert_eq!(listed, names(CAPABILITIES, |d| d.name));
}

#[test]
fn schema_builtins_are_the_registry_builtins() {
    let schema = schema();
    let listed = strings(&schema["$defs"]["step"]["properties"]["builtin"]["enum"]);
    assert_eq!(listed, names(BUILTINS, |d| d.name));
}

#[test]
fn schema_predicates_are_the_registry_predicates_with_their_operands() {
    let schema = schema();
    let props = schema["$defs"]["assertion"]["properties"]
        .as_object()
        .unwrap();
    let mut listed: Vec<&str> = props.keys().map(String::as_str).collect();
    let mut known = names(PREDICATES, |d| d.name);
    listed.sort_unstable();
    known.sort_unstable();
    assert_eq!(listed, known);
    for def in PREDICATES {
        let expected = match def.operand {
            Operand::Flag => json!({"type": "boolean"}),
            Operand::Value => json!({}),
            Operand::Values => json!({"type": "array"}),
            Operand::Type => {
                json!({"enum": ["string", "number", "integer", "boolean", "object", "array", "null"]})
            }
            Operand::Regex => json!({"type": "string"}),
            Operand::Count => json!({"type": "integer", "minimum": 0}),
            Operand::Number => json!({"type": "number"}),
        };
        assert_eq!(props[def.name], expected, "operand of `{}`", def.name);
    }
}

#[test]
fn every_capability_has_one_entry_with_a_name_and_a_reason() {
    let mut all = Capability::ADVERTISED.to_vec();
    all.extend([
        Capability::Auth,
        Capability::Bearer,
        Capability::ProbeRateLimit,
        Capability::ProbeAuth,
    ]);
    assert_eq!(all.len(), CAPABILITIES.len());
    for c in all {
        assert_eq!(
            CAPABILITIES.iter().filter(|d| d.capability == c).count(),
            1,
            "{c:?}"
        );
        assert_eq!(Capability::from_name(c.as_str()), Some(c));
        assert!(!c.skip_reason().is_empty());
    }
    assert_eq!(
        Capability::Patch.skip_reason(),
        "the server does not advertise patch.supported in /ServiceProviderConfig"
    );
}

#[test]
fn predicate_names_are_unique_and_builtins_are_described() {
    let mut seen = std::collections::BTreeSet::new();
    assert!(PREDICATES.iter().all(|d| seen.insert(d.name)));
    assert!(BUILTINS.iter().all(|d| !d.description.is_empty()));
}
