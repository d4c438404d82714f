//! Attribute paths (`[URN:]name[.sub]`, RFC 7644 §3.10) as used by filters and PATCH, and
//! their resolution against a resource type's schemas.

use super::error::ScimError;
use super::schema::{AttrDef, ResourceType, SchemaDef};

/// A syntactically valid attribute path, not yet checked against any schema.
#[derive(Debug, Clone, PartialEq, Eq)]
pub(crate) struct AttrPath {
    pub(crate) urn: Option<String>,
    pub(crate) name: String,
    pub(crate) sub: Option<String>,
}

impl AttrPath {
    /// Parses `[URN ":"] ATTRNAME ["." subAttr]`; `None` if malformed.
    pub(crate) fn parse(text: &str) -> Option<AttrPath> {
        let (urn, rest) = if starts_with_ignore_case(text, "urn:") {
            let (urn, rest) = text.rsplit_once(':')?;
            if urn.len() <= "urn:".len() || urn.chars().any(char::is_whitespace) {
                return None;
            }
            (Some(urn.to_owned()), rest)
        } else {
            (None, text)
        };
        let (name, sub) = match rest.split_once('.') {
            Some((name, sub)) => (name, Some(sub)),
            None => (rest, None),
        };
        if !is_attr_name(name) || sub.is_some_and(|s| !is_attr_name(s)) {
            return None;
        }
        Some(AttrPath {
            urn,
            name: name.to_owned(),
            sub: sub.map(str::to_owned),
        })
    }
}

impl std::fmt::Display for AttrPath {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        if let Some(urn) = &self.urn {
            write!(f, "{urn}:")?;
        }
        f.write_str(&self.name)?;
        if let Some(sub) = &self.sub {
            write!(f, ".{sub}")?;
        }
        Ok(())
    }
}

fn starts_with_ignore_case(text: &str, prefix: &str) -> bool {
    text.get(..prefix.len())
        .is_some_and(|head| head.eq_ignore_ascii_case(prefix))
}

/// ATTRNAME = ALPHA *(ALPHA / DIGIT / "-" / "_"), plus the `$ref` sub-attribute.
fn is_attr_name(name: &str) -> bool {
    if name == "$ref" {
        return true;
    }
    let mut chars = name.chars();
    chars.next().is_some_and(|c| c.is_ascii_alphabetic())
        && chars.all(|c| c.is_ascii_alphanumeric() || c == '-' || c == '_')
}

/// An attribute path resolved to its definitions.
#[derive(Debug, Clone, Copy)]
pub(crate) struct AttrRef {
    /// The extension holding the attribute; `None` for core and common attributes.
    pub(crate) ext: Option<&'static SchemaDef>,
    pub(crate) attr: &'static AttrDef,
    pub(crate) sub: Option<&'static AttrDef>,
}

impl AttrRef {
    /// The definition of the addressed value: the sub-attribute if any, else the attribute.
    pub(crate) fn leaf(&self) -> &'static AttrDef {
        self.sub.unwrap_or(self.attr)
    }

    /// Resolves `path` against `rt`; `None` if it names no defined attribute.
    pub(crate) fn resolve(
        path: &AttrPath,
        rt: &'static ResourceType,
        exact: bool,
    ) -> Option<AttrRef> {
        let (ext, attr) = match &path.urn {
            None => (None, rt.core_attr(&path.name, exact)?),
            Some(urn) if urn.eq_ignore_ascii_case(&rt.core.id) => {
                (None, rt.core_attr(&path.name, exact)?)
            }
            Some(urn) => {
                let ext = rt.extension(urn)?;
                (Some(ext), ext.attr(&path.name, exact)?)
            }
        };
        let sub = match &path.sub {
            None => None,
            Some(sub) => Some(attr.sub(sub, exact)?),
        };
        Some(AttrRef { ext, attr, sub })
    }
}

/// What a PATCH path (or a path-less value key) addresses.
#[derive(Debug, Clone, Copy)]
pub(crate) enum Target {
    Attr(AttrRef),
    /// A whole extension object, addressed by its URN.
    Extension(&'static SchemaDef),
}

impl Target {
    /// Parses and resolves a PATCH path; malformed or unknown paths are `invalidPath`.
    pub(crate) fn parse(
        text: &str,
        rt: &'static ResourceType,
        exact: bool,
    ) -> Result<Target, ScimError> {
        if text.contains('[') {
            return Err(ScimError::invalid_path(format!(
                "value filter paths are not supported: '{text}'"
            )));
        }
        if let Some(ext) = rt.extensions.iter().copied().find(|e| {
            if exact {
                e.id == text
            } else {
                e.id.eq_ignore_ascii_case(text)
            }
        }) {
            return Ok(Target::Extension(ext));
        }
        let path = AttrPath::parse(text)
            .ok_or_else(|| ScimError::invalid_path(format!("malformed path '{text}'")))?;
        AttrRef::resolve(&path, rt, exact)
            .map(Target::Attr)
            .ok_or_else(|| {
                ScimError::invalid_path(format!("path '{text}' names no known attribute"))
            })
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::server::error::ScimType;
    use crate::server::schema::{ENTERPRISE_URN, user_type};

    fn target(text: &str) -> Result<Target, ScimError> {
        Target::parse(text, user_type(), false)
    }

    #[test]
    fn parses_plain_sub_and_urn_paths() {
        assert_eq!(
            AttrPath::parse("name.givenName"),
            Some(AttrPath {
                urn: None,
                name: "name".into(),
                sub: Some("givenName".into())
            })
        );
        let path = AttrPath::parse(&format!("{ENTERPRISE_URN}:manager.value")).unwrap();
        assert_eq!(path.urn.as_deref(), Some(ENTERPRISE_URN));
        assert_eq!(
            (path.name.as_str(), path.sub.as_deref()),
            ("manager", Some("value"))
        );
        assert!(AttrPath::parse("groups.$ref").is_some());
    }

    #[test]
    fn rejects_malformed_paths() {
        for bad in [
            "", ".", "name.", ".name", "a.b.c", "1abc", "na me", "urn:", "urn:x", "ürn", "a:b",
        ] {
            assert_eq!(AttrPath::parse(bad), None, "{bad:?}");
        }
    }

    #[test]
    fn resolves_case_insensitively_to_canonical_definitions() {
        let Ok(Target::Attr(r)) = target("NAME.GIVENNAME") else {
            panic!()
        };
        assert_eq!(
            (r.attr.name.as_str(), r.leaf().name.as_str()),
            ("name", "givenName")
        );
        let Ok(Target::Attr(r)) = target("urn:ietf:params:scim:schemas:core:2.0:User:userName")
        else {
            panic!()
        };
        assert_eq!(r.attr.name, "userName");
        let Ok(Target::Attr(r)) = target(&format!("{ENTERPRISE_URN}:employeeNumber")) else {
            panic!()
        };
        assert_eq!(r.ext.map(|e| e.id.as_str()), Some(ENTERPRISE_URN));
        assert!(matches!(target(ENTERPRISE_URN), Ok(Target::Extension(_))));
        assert!(matches!(target("meta.created"), Ok(Target::Attr(_))));
    }

    #[test]
    fn unknown_or_filtered_paths_are_invalid_path() {
        for bad in [
            "noSuchAttr",
            "name.nope",
            "urn:x:y:userName",
            "emails[type eq \"work\"].value",
            "a b",
        ] {
            let err = target(bad).unwrap_err();
            assert_eq!(err.scim_type, Some(ScimType::InvalidPath), "{bad}");
        }
        assert!(Target::parse("USERNAME", user_type(), true).is_err());
    }
}
