//! The RFC 7643 §8.7.1 schema definitions and the resource types built on them, loaded from
//! the JSON files under `model/data/`, and name lookup over them.
//!
//! Every decision about attribute names, types, mutability and case sensitivity is driven by
//! these definitions, so adding a resource type or extension is mostly a matter of data. The
//! embedded definitions are parsed once per process and shared, read-only, by every server; a
//! server's model lists which of them it publishes and serves.

use std::sync::LazyLock;

use serde::Deserialize;
use serde_json::Value;

#[cfg(test)]
pub(crate) const USER_URN: &str = "urn:ietf:params:scim:schemas:core:2.0:User";
#[cfg(test)]
pub(crate) const GROUP_URN: &str = "urn:ietf:params:scim:schemas:core:2.0:Group";
/// The enterprise User extension (RFC 7643 §4.3), whose `manager` links users.
pub(crate) const ENTERPRISE_URN: &str =
    "urn:ietf:params:scim:schemas:extension:enterprise:2.0:User";

const USER_JSON: &str = include_str!("data/schemas/user.json");
const GROUP_JSON: &str = include_str!("data/schemas/group.json");
const ENTERPRISE_JSON: &str = include_str!("data/schemas/enterprise_user.json");
const COMMON_JSON: &str = include_str!("data/schemas/common.json");
const RESOURCE_TYPES_JSON: &str = include_str!("data/resource_types.json");

#[derive(Debug, Clone, Copy, PartialEq, Eq, Deserialize)]
#[serde(rename_all = "camelCase")]
pub(crate) enum AttrType {
    String,
    Boolean,
    Decimal,
    Integer,
    DateTime,
    Reference,
    Binary,
    Complex,
}

#[derive(Debug, Clone, Copy, PartialEq, Eq, Deserialize)]
#[serde(rename_all = "camelCase")]
pub(crate) enum Mutability {
    ReadOnly,
    ReadWrite,
    Immutable,
    WriteOnly,
}

#[derive(Debug, Clone, Copy, PartialEq, Eq, Deserialize)]
#[serde(rename_all = "camelCase")]
pub(crate) enum Returned {
    Always,
    Never,
    Default,
    Request,
}

/// One attribute definition (RFC 7643 §7).
#[derive(Debug, Clone, Deserialize)]
#[serde(rename_all = "camelCase")]
pub(crate) struct AttrDef {
    pub(crate) name: String,
    #[serde(rename = "type")]
    pub(crate) ty: AttrType,
    pub(crate) multi_valued: bool,
    pub(crate) required: bool,
    pub(crate) case_exact: bool,
    pub(crate) mutability: Mutability,
    pub(crate) returned: Returned,
    #[serde(default)]
    pub(crate) sub_attributes: Vec<AttrDef>,
}

impl AttrDef {
    pub(crate) fn is_complex(&self) -> bool {
        self.ty == AttrType::Complex
    }

    pub(crate) fn sub(&self, name: &str, exact: bool) -> Option<&AttrDef> {
        find_attr(&self.sub_attributes, name, exact)
    }
}

/// One schema (RFC 7643 §7): its URN, attributes, and the JSON served at /Schemas.
#[derive(Debug, Clone)]
pub(crate) struct SchemaDef {
    pub(crate) id: String,
    pub(crate) attributes: Vec<AttrDef>,
    pub(crate) document: Value,
}

impl SchemaDef {
    /// A definition from its RFC 7643 §7 document (`id`, `attributes`, …).
    pub(crate) fn from_document(document: Value) -> Result<SchemaDef, String> {
        #[derive(Deserialize)]
        struct Raw {
            id: String,
            attributes: Vec<AttrDef>,
        }
        let raw: Raw = serde_json::from_value(document.clone()).map_err(|e| e.to_string())?;
        Ok(SchemaDef {
            id: raw.id,
            attributes: raw.attributes,
            document,
        })
    }

    /// Makes a definition built at run time (a profile's extension) as lasting as the embedded
    /// ones, so the protocol code holds `&'static` references to both: each distinct definition
    /// is kept once per process (interned by its document), never once per server.
    pub(crate) fn intern(self) -> &'static SchemaDef {
        static INTERNED: LazyLock<std::sync::Mutex<Vec<&'static SchemaDef>>> =
            LazyLock::new(Default::default);
        let mut interned = INTERNED.lock().unwrap_or_else(|e| e.into_inner());
        if let Some(found) = interned.iter().find(|d| d.document == self.document) {
            return found;
        }
        let kept: &'static SchemaDef = Box::leak(Box::new(self));
        interned.push(kept);
        kept
    }

    fn load(json: &str) -> SchemaDef {
        #[derive(Deserialize)]
        struct Raw {
            id: String,
            attributes: Vec<AttrDef>,
        }
        let document: Value = serde_json::from_str(json).expect("embedded schema is valid JSON");
        let raw: Raw =
            serde_json::from_value(document.clone()).expect("embedded schema matches AttrDef");
        SchemaDef {
            id: raw.id,
            attributes: raw.attributes,
            document,
        }
    }

    pub(crate) fn attr(&self, name: &str, exact: bool) -> Option<&AttrDef> {
        find_attr(&self.attributes, name, exact)
    }
}

/// Finds an attribute by name, case-insensitively unless `exact`.
pub(crate) fn find_attr<'a>(attrs: &'a [AttrDef], name: &str, exact: bool) -> Option<&'a AttrDef> {
    attrs.iter().find(|a| {
        if exact {
            a.name == name
        } else {
            a.name.eq_ignore_ascii_case(name)
        }
    })
}

/// A resource type: its endpoint, core schema and extensions (RFC 7643 §6).
#[derive(Debug, Clone)]
pub(crate) struct ResourceType {
    pub(crate) name: String,
    pub(crate) endpoint: String,
    pub(crate) description: String,
    pub(crate) core: &'static SchemaDef,
    pub(crate) extensions: Vec<&'static SchemaDef>,
    /// The common attributes of RFC 7643 §3.1 (id, externalId, meta).
    common: &'static SchemaDef,
}

impl ResourceType {
    /// The extension with this URN (case-insensitive).
    pub(crate) fn extension(&self, urn: &str) -> Option<&'static SchemaDef> {
        self.extensions
            .iter()
            .copied()
            .find(|e| e.id.eq_ignore_ascii_case(urn))
    }

    /// A top-level attribute of the core schema or the common attributes (id, externalId, meta).
    pub(crate) fn core_attr(&self, name: &str, exact: bool) -> Option<&'static AttrDef> {
        self.core
            .attr(name, exact)
            .or_else(|| self.common.attr(name, exact))
    }
}

/// The resource types whose RFC 7643 rules the server implements. The store is keyed by
/// resource type name; a kind picks the type-specific rules (userName, members, manager).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) enum Kind {
    User,
    Group,
}

impl Kind {
    pub(crate) const ALL: [Kind; 2] = [Kind::User, Kind::Group];

    /// The kind whose resource type is called `name`.
    pub(crate) fn named(name: &str) -> Option<Kind> {
        Kind::ALL.into_iter().find(|k| k.type_name() == name)
    }

    /// The name of the model's resource type for this kind.
    pub(crate) fn type_name(self) -> &'static str {
        match self {
            Kind::User => "User",
            Kind::Group => "Group",
        }
    }
}

/// The embedded schema definitions: those published at /Schemas, in order, and the common
/// attributes, which are not.
#[derive(Debug)]
struct Embedded {
    published: Vec<SchemaDef>,
    common: SchemaDef,
}

static EMBEDDED: LazyLock<Embedded> = LazyLock::new(|| Embedded {
    published: [USER_JSON, GROUP_JSON, ENTERPRISE_JSON]
        .into_iter()
        .map(SchemaDef::load)
        .collect(),
    common: SchemaDef::load(COMMON_JSON),
});

/// The schemas the reference server publishes, in order, and the resource types of
/// `resource_types.json` built on them.
pub(crate) fn reference() -> (Vec<&'static SchemaDef>, Vec<ResourceType>) {
    #[derive(Deserialize)]
    #[serde(rename_all = "camelCase")]
    struct Raw {
        name: String,
        endpoint: String,
        description: String,
        schema: String,
        schema_extensions: Vec<String>,
    }
    let embedded: &'static Embedded = &EMBEDDED;
    let schema = |urn: &str| {
        embedded
            .published
            .iter()
            .find(|s| s.id == urn)
            .expect("resource_types.json names embedded schemas")
    };
    let raw: Vec<Raw> =
        serde_json::from_str(RESOURCE_TYPES_JSON).expect("embedded resource types are valid");
    let resource_types = raw
        .into_iter()
        .map(|raw| ResourceType {
            core: schema(&raw.schema),
            extensions: raw
                .schema_extensions
                .iter()
                .map(|urn| schema(urn))
                .collect(),
            name: raw.name,
            endpoint: raw.endpoint,
            description: raw.description,
            common: &embedded.common,
        })
        .collect();
    (embedded.published.iter().collect(), resource_types)
}

#[cfg(test)]
static REFERENCE_TYPES: LazyLock<Vec<ResourceType>> = LazyLock::new(|| reference().1);

/// The reference User type, for tests.
#[cfg(test)]
pub(crate) fn user_type() -> &'static ResourceType {
    &REFERENCE_TYPES[0]
}

/// The reference Group type, for tests.
#[cfg(test)]
pub(crate) fn group_type() -> &'static ResourceType {
    &REFERENCE_TYPES[1]
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn embedded_schemas_load_with_expected_ids() {
        let (published, _) = reference();
        let ids: Vec<&str> = published.iter().map(|s| s.id.as_str()).collect();
        assert_eq!(ids, [USER_URN, GROUP_URN, ENTERPRISE_URN]);
        let user = published[0];
        let password = user.attr("PASSWORD", false).unwrap();
        assert_eq!(password.mutability, Mutability::WriteOnly);
        assert_eq!(password.returned, Returned::Never);
        assert!(user.attr("PASSWORD", true).is_none());
    }

    #[test]
    fn every_attribute_states_its_characteristics() {
        fn check(attrs: &[Value]) {
            for attr in attrs {
                for key in [
                    "name",
                    "type",
                    "multiValued",
                    "description",
                    "required",
                    "caseExact",
                    "mutability",
                    "returned",
                    "uniqueness",
                ] {
                    assert!(attr.get(key).is_some(), "{attr} lacks {key}");
                }
                if let Some(subs) = attr.get("subAttributes").and_then(Value::as_array) {
                    check(subs);
                }
            }
        }
        for schema in reference().0 {
            check(schema.document["attributes"].as_array().unwrap());
        }
    }

    #[test]
    fn user_type_resolves_common_and_extension_attributes() {
        let rt = user_type();
        assert_eq!(
            rt.core_attr("EXTERNALID", false).unwrap().name,
            "externalId"
        );
        assert!(rt.core_attr("id", false).unwrap().case_exact);
        assert!(rt.extension(&ENTERPRISE_URN.to_uppercase()).is_some());
        let emails = rt.core_attr("emails", false).unwrap();
        assert_eq!(emails.sub("VALUE", false).unwrap().name, "value");
    }

    #[test]
    fn group_type_requires_display_name_and_has_immutable_members() {
        let rt = group_type();
        assert_eq!(
            (rt.name.as_str(), rt.endpoint.as_str()),
            ("Group", "/Groups")
        );
        assert!(rt.core_attr("DISPLAYNAME", false).unwrap().required);
        let members = rt.core_attr("members", false).unwrap();
        for sub in ["value", "$ref", "type", "display"] {
            assert_eq!(
                members.sub(sub, true).unwrap().mutability,
                Mutability::Immutable
            );
        }
    }
}
