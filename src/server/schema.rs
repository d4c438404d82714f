//! The RFC 7643 §8.7.1 schema definitions as data, and name lookup over them.
//!
//! Every decision about attribute names, types, mutability and case sensitivity is driven by
//! these definitions, so adding a resource type or extension is mostly a matter of data.

use std::sync::LazyLock;

use serde::Deserialize;
use serde_json::Value;

use super::store::Kind;

#[cfg(test)]
pub(crate) const USER_URN: &str = "urn:ietf:params:scim:schemas:core:2.0:User";
#[cfg(test)]
pub(crate) const GROUP_URN: &str = "urn:ietf:params:scim:schemas:core:2.0:Group";
#[cfg(test)]
pub(crate) const ENTERPRISE_URN: &str =
    "urn:ietf:params:scim:schemas:extension:enterprise:2.0:User";

const USER_JSON: &str = include_str!("schemas/user.json");
const GROUP_JSON: &str = include_str!("schemas/group.json");
const ENTERPRISE_JSON: &str = include_str!("schemas/enterprise_user.json");
const COMMON_JSON: &str = include_str!("schemas/common.json");

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
#[derive(Debug)]
pub(crate) struct ResourceType {
    pub(crate) name: &'static str,
    pub(crate) endpoint: &'static str,
    pub(crate) core: &'static SchemaDef,
    pub(crate) extensions: Vec<&'static SchemaDef>,
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
            .or_else(|| registry().common.attr(name, exact))
    }
}

/// Every schema the server knows.
#[derive(Debug)]
pub(crate) struct Registry {
    pub(crate) user: SchemaDef,
    pub(crate) group: SchemaDef,
    pub(crate) enterprise_user: SchemaDef,
    /// The common attributes of RFC 7643 §3.1; not published at /Schemas.
    pub(crate) common: SchemaDef,
}

impl Registry {
    /// The schemas published at /Schemas, in order.
    pub(crate) fn published(&self) -> [&SchemaDef; 3] {
        [&self.user, &self.group, &self.enterprise_user]
    }
}

static REGISTRY: LazyLock<Registry> = LazyLock::new(|| Registry {
    user: SchemaDef::load(USER_JSON),
    group: SchemaDef::load(GROUP_JSON),
    enterprise_user: SchemaDef::load(ENTERPRISE_JSON),
    common: SchemaDef::load(COMMON_JSON),
});

static USER_TYPE: LazyLock<ResourceType> = LazyLock::new(|| ResourceType {
    name: "User",
    endpoint: "/Users",
    core: &registry().user,
    extensions: vec![&registry().enterprise_user],
});

static GROUP_TYPE: LazyLock<ResourceType> = LazyLock::new(|| ResourceType {
    name: "Group",
    endpoint: "/Groups",
    core: &registry().group,
    extensions: Vec::new(),
});

pub(crate) fn registry() -> &'static Registry {
    &REGISTRY
}

pub(crate) fn user_type() -> &'static ResourceType {
    &USER_TYPE
}

pub(crate) fn group_type() -> &'static ResourceType {
    &GROUP_TYPE
}

/// The resource type of a stored kind.
pub(crate) fn type_of(kind: Kind) -> &'static ResourceType {
    match kind {
        Kind::User => user_type(),
        Kind::Group => group_type(),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn embedded_schemas_load_with_expected_ids() {
        let reg = registry();
        assert_eq!(reg.user.id, USER_URN);
        assert_eq!(reg.group.id, GROUP_URN);
        assert_eq!(reg.enterprise_user.id, ENTERPRISE_URN);
        let password = reg.user.attr("PASSWORD", false).unwrap();
        assert_eq!(password.mutability, Mutability::WriteOnly);
        assert_eq!(password.returned, Returned::Never);
        assert!(reg.user.attr("PASSWORD", true).is_none());
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
        for schema in registry().published() {
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
        let rt = type_of(Kind::Group);
        assert_eq!((rt.name, rt.endpoint), ("Group", "/Groups"));
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
