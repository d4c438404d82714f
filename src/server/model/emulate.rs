//! A profile as an edit of the server model (`serve --profile`): where the server is served, the
//! resource types it serves, the extensions it publishes (a profile's own ones built as schema
//! data), which discovery endpoints are open, and its rate limit. Nothing here knows a vendor:
//! it reads what the profile declares.

use super::policies::EmulationPolicy;
use super::schema::{ENTERPRISE_URN, SchemaDef};
use super::server_model::ServerModel;
use crate::profile::{AttributeType, Extension, Profile, ResourceTypeName};
use serde_json::{Value, json};

/// Why a profile cannot be emulated.
#[derive(Debug, thiserror::Error)]
pub enum EmulationError {
    #[error("profile {profile}: SCIM {version} is not emulated yet")]
    Version { profile: String, version: String },
    #[error("profile {profile}: extension {urn}: {why}")]
    Extension {
        profile: String,
        urn: String,
        why: String,
    },
    #[error("profile {profile}: rate_limit {rate}: {why}")]
    Rate {
        profile: String,
        rate: String,
        why: String,
    },
}

/// Edits `model` to serve as `profile` declares, as faithfully as `policy` lets it.
pub(crate) fn emulate(
    model: &mut ServerModel,
    profile: &Profile,
    policy: &EmulationPolicy,
) -> Result<(), EmulationError> {
    if profile.scim_version != crate::profile::ScimVersion::V2 {
        return Err(EmulationError::Version {
            profile: profile.name.clone(),
            version: profile.scim_version.as_str().to_string(),
        });
    }
    let origin = model
        .base_url
        .strip_suffix(model.base_path.as_str())
        .unwrap_or(&model.base_url)
        .to_string();
    model.base_path = profile.base_path.trim_end_matches('/').to_string();
    model.base_url = format!("{origin}{}", model.base_path);

    let served = |name: &str| {
        profile.resource_types.iter().any(|t| match t {
            ResourceTypeName::User => name == "User",
            ResourceTypeName::Group => name == "Group",
        })
    };
    if !policy.types_ignored {
        model.resource_types.retain(|rt| served(&rt.name));
    }

    // The User type's extensions are exactly the profile's: the embedded enterprise one, or
    // one the profile defines.
    let mut extensions = Vec::new();
    let listed = if policy.extensions_ignored {
        &[][..]
    } else {
        &profile.extensions[..]
    };
    for ext in listed {
        let def: &'static SchemaDef = if ext.urn.eq_ignore_ascii_case(ENTERPRISE_URN) {
            model
                .schemas
                .iter()
                .copied()
                .find(|s| s.id.eq_ignore_ascii_case(ENTERPRISE_URN))
                .ok_or_else(|| EmulationError::Extension {
                    profile: profile.name.clone(),
                    urn: ext.urn.clone(),
                    why: "the enterprise schema is missing".into(),
                })?
        } else {
            SchemaDef::from_document(document(ext))
                .map_err(|why| EmulationError::Extension {
                    profile: profile.name.clone(),
                    urn: ext.urn.clone(),
                    why,
                })?
                .intern()
        };
        extensions.push(def);
    }
    if let Some(user) = model.resource_types.iter_mut().find(|rt| rt.name == "User") {
        if !policy.extensions_ignored {
            user.extensions = extensions;
        }
        // What the profile requires, /Schemas says is required (clients read it there).
        let required: Vec<&str> = profile
            .rules
            .iter()
            .filter(|r| r.required && !policy.rules_ignored)
            .map(|r| r.attribute.as_str())
            .collect();
        if !required.is_empty() {
            let mut doc = user.core.document.clone();
            mark_required(&mut doc, &required);
            user.core = SchemaDef::from_document(doc)
                .map_err(|why| EmulationError::Extension {
                    profile: profile.name.clone(),
                    urn: user.core.id.clone(),
                    why,
                })?
                .intern();
        }
    }
    // /Schemas publishes the core schemas served and their extensions.
    let mut published: Vec<&'static SchemaDef> = Vec::new();
    for rt in &model.resource_types {
        for s in std::iter::once(rt.core).chain(rt.extensions.iter().copied()) {
            if !published.iter().any(|p| std::ptr::eq(*p, s)) {
                published.push(s);
            }
        }
    }
    model.schemas = published;

    // The profile's rules, and its extension attributes' own constraints as rules on them.
    model.rules = if policy.rules_ignored {
        Vec::new()
    } else {
        profile.rules.clone()
    };
    for ext in listed.iter().filter(|_| !policy.rules_ignored) {
        for a in &ext.attributes {
            model.rules.push(crate::profile::Rule {
                attribute: format!("{}:{}", ext.urn, a.name),
                required: a.required,
                max_length: a.max_length,
                pattern: a.pattern.clone(),
                format: None,
                one_of: a.one_of.clone(),
                same_as: None,
                refers_to: a.refers_to,
                note: None,
            });
        }
    }
    if let Some(open) = profile
        .auth
        .open_discovery
        .as_ref()
        .filter(|_| !policy.discovery_open)
    {
        model.open_discovery = Some(open.clone());
    }
    if let Some(rate) = &profile.rate_limit {
        let parsed: crate::http::Rate = rate.parse().map_err(|why| EmulationError::Rate {
            profile: profile.name.clone(),
            rate: rate.clone(),
            why,
        })?;
        model
            .rate_limit
            .get_or_insert((parsed.count.get(), parsed.per));
    }
    Ok(())
}

/// Sets `required: true` on each named core attribute (`a`, or `a.b`: both `a` and its `b`).
fn mark_required(doc: &mut Value, paths: &[&str]) {
    fn named<'v>(attrs: Option<&'v mut Value>, name: &str) -> Option<&'v mut Value> {
        attrs?.as_array_mut()?.iter_mut().find(|a| {
            a.get("name")
                .and_then(Value::as_str)
                .is_some_and(|n| n.eq_ignore_ascii_case(name))
        })
    }
    for path in paths {
        let (head, sub) = match path.split_once('.') {
            Some((h, s)) => (h, Some(s)),
            None => (*path, None),
        };
        let head = head.split('[').next().unwrap_or(head);
        let Some(attr) = named(doc.get_mut("attributes"), head) else {
            continue;
        };
        attr["required"] = Value::Bool(true);
        if let Some(sub) = sub {
            if let Some(s) = named(attr.get_mut("subAttributes"), sub) {
                s["required"] = Value::Bool(true);
            }
        }
    }
}

/// The RFC 7643 §7 document of an extension a profile defines.
fn document(ext: &Extension) -> Value {
    let attributes: Vec<Value> = ext
        .attributes
        .iter()
        .map(|a| {
            json!({
                "name": a.name,
                "type": match a.ty {
                    AttributeType::String => "string",
                    AttributeType::Boolean => "boolean",
                    AttributeType::Integer => "integer",
                    AttributeType::Decimal => "decimal",
                    AttributeType::DateTime => "dateTime",
                    AttributeType::Reference => "reference",
                },
                "multiValued": a.multi_valued,
                "description": a.description.clone().unwrap_or_default(),
                "required": a.required,
                "caseExact": false,
                "mutability": "readWrite",
                "returned": "default",
                "uniqueness": "none",
            })
        })
        .collect();
    json!({
        "id": ext.urn,
        "name": ext.name.clone().unwrap_or_default(),
        "description": ext.description.clone().unwrap_or_default(),
        "attributes": attributes,
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    fn profile(base_path: &str) -> Profile {
        serde_json::from_value(json!({
            "name": "acme",
            "description": "Acme",
            "scim_version": "2.0",
            "base_path": base_path,
            "resource_types": ["User"],
            "extensions": [{"urn": "urn:acme:params:scim:schemas:extension:acme:2.0:User",
                            "attributes": [{"name": "badge", "type": "integer"}]}],
            "auth": {"open_discovery": ["ServiceProviderConfig"]},
            "rate_limit": "10/s"
        }))
        .expect("a profile")
    }

    #[test]
    fn a_profile_edits_where_and_what_is_served() {
        let mut model = ServerModel::reference("http://127.0.0.1:9", None);
        emulate(
            &mut model,
            &profile("/api/scim/v2/"),
            &EmulationPolicy::default(),
        )
        .expect("emulated");
        assert_eq!(model.base_path, "/api/scim/v2");
        assert_eq!(model.base_url, "http://127.0.0.1:9/api/scim/v2");
        let types: Vec<&str> = model
            .resource_types
            .iter()
            .map(|t| t.name.as_str())
            .collect();
        assert_eq!(types, ["User"]);
        let user = &model.resource_types[0];
        let ext = user
            .extension("urn:acme:params:scim:schemas:extension:acme:2.0:User")
            .expect("the profile's extension");
        assert_eq!(
            ext.attr("BADGE", false).map(|a| a.ty),
            Some(super::super::schema::AttrType::Integer)
        );
        assert!(user.extension(ENTERPRISE_URN).is_none());
        let published: Vec<&str> = model.schemas.iter().map(|s| s.id.as_str()).collect();
        assert_eq!(
            published,
            [
                "urn:ietf:params:scim:schemas:core:2.0:User",
                "urn:acme:params:scim:schemas:extension:acme:2.0:User"
            ]
        );
        assert_eq!(
            model.open_discovery,
            Some(vec!["ServiceProviderConfig".into()])
        );
        assert_eq!(model.rate_limit.map(|(n, _)| n), Some(10));
        // The same definition is kept once, however many servers emulate the profile.
        let mut again = ServerModel::reference("http://127.0.0.1:10", None);
        emulate(&mut again, &profile("/scim"), &EmulationPolicy::default()).expect("emulated");
        assert!(std::ptr::eq(model.schemas[1], again.schemas[1]));
    }
}
