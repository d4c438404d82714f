//! Attribute paths (`[URN:]name[.sub]`, RFC 7644 §3.10) as used by filters and PATCH, and
//! their resolution against a resource type's schemas.

use crate::server::model::FilterPolicy;
use crate::server::model::schema::{AttrDef, ResourceType, SchemaDef};
use crate::server::protocol::error::ScimError;
use crate::server::protocol::filter::{self, Filter};

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
    pub(crate) fn resolve(path: &AttrPath, rt: &ResourceType, exact: bool) -> Option<AttrRef> {
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
#[derive(Debug, Clone)]
pub(crate) enum Target {
    Attr(AttrRef),
    /// A whole extension object, addressed by its URN.
    Extension(&'static SchemaDef),
    /// `attr[filter]` or `attr[filter].sub`: the elements of a multi-valued complex attribute
    /// that match a value filter (the reference's `sub` is the one after the brackets).
    Filtered(AttrRef, Box<Filter>),
}

impl Target {
    /// Parses and resolves a PATCH path: malformed or unknown paths are `invalidPath`, a value
    /// filter that does not parse or fit the attribute is `invalidFilter`. An unqualified name
    /// that only an extension defines (Entra's `manager`) resolves to that extension.
    pub(crate) fn parse(text: &str, rt: &ResourceType, exact: bool) -> Result<Target, ScimError> {
        if let Some(open) = text.find('[') {
            return parse_filtered(text, open, rt, exact);
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
        resolve_patch(&path, rt, exact)
            .map(Target::Attr)
            .ok_or_else(|| {
                ScimError::invalid_path(format!("path '{text}' names no known attribute"))
            })
    }
}

/// [`AttrRef::resolve`], falling back to the extensions for unqualified names: RFC 7644 §3.10
/// lets clients omit URNs ("SHOULD fully qualify extended attributes"), and Entra sends
/// `manager` bare in PATCH paths and filters.
pub(crate) fn resolve_patch(path: &AttrPath, rt: &ResourceType, exact: bool) -> Option<AttrRef> {
    AttrRef::resolve(path, rt, exact).or_else(|| {
        if path.urn.is_some() {
            return None;
        }
        rt.extensions.iter().find_map(|ext| {
            let qualified = AttrPath {
                urn: Some(ext.id.clone()),
                ..path.clone()
            };
            AttrRef::resolve(&qualified, rt, exact)
        })
    })
}

/// The index of the `]` closing the `[` at `open`, skipping quoted strings.
fn closing_bracket(text: &str, open: usize) -> Option<usize> {
    let mut in_string = false;
    let mut escaped = false;
    for (i, c) in text.char_indices().skip_while(|(i, _)| *i <= open) {
        match c {
            _ if escaped => escaped = false,
            '\\' if in_string => escaped = true,
            '"' => in_string = !in_string,
            ']' if !in_string => return Some(i),
            _ => {}
        }
    }
    None
}

fn parse_filtered(
    text: &str,
    open: usize,
    rt: &ResourceType,
    exact: bool,
) -> Result<Target, ScimError> {
    let malformed = || ScimError::invalid_path(format!("malformed path '{text}'"));
    let close = closing_bracket(text, open).ok_or_else(malformed)?;
    let sub = match &text[close + 1..] {
        "" => None,
        rest => Some(rest.strip_prefix('.').ok_or_else(malformed)?),
    };
    let path = AttrPath::parse(&text[..open])
        .filter(|p| p.sub.is_none())
        .ok_or_else(malformed)?;
    let unknown = || ScimError::invalid_path(format!("path '{text}' names no known attribute"));
    let at = resolve_patch(&path, rt, exact).ok_or_else(unknown)?;
    if !at.attr.multi_valued || !at.attr.is_complex() {
        return Err(ScimError::invalid_path(format!(
            "'{}' is not a multi-valued complex attribute, so it takes no value filter",
            at.attr.name
        )));
    }
    let sub = match sub {
        None => None,
        Some(name) if !is_attr_name(name) => return Err(malformed()),
        Some(name) => Some(at.attr.sub(name, exact).ok_or_else(unknown)?),
    };
    let options = FilterPolicy {
        names_exact: exact,
        ..FilterPolicy::default()
    };
    let inner = filter::parse_with(&text[open + 1..close], &options).map_err(ScimError::from)?;
    let whole = Filter::ValuePath {
        path,
        filter: Box::new(inner),
    };
    filter::validate_with(&whole, rt, &options).map_err(ScimError::from)?;
    let Filter::ValuePath { filter: inner, .. } = whole else {
        return Err(malformed());
    };
    Ok(Target::Filtered(AttrRef { sub, ..at }, inner))
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::server::model::schema::{ENTERPRISE_URN, user_type};
    use crate::server::protocol::error::ScimType;

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
            "a b",
            "emails[type eq \"work\"",
            "emails[type eq \"work\"]value",
            "emails[type eq \"work\"].nope",
            "emails.value[type eq \"work\"]",
            "nope[type eq \"work\"]",
            "userName[value eq \"x\"]",
            "name[givenName eq \"x\"]",
        ] {
            let err = target(bad).unwrap_err();
            assert_eq!(err.scim_type, Some(ScimType::InvalidPath), "{bad}");
        }
        assert!(Target::parse("USERNAME", user_type(), true).is_err());
        for bad in ["emails[type zz \"work\"]", "emails[]", "emails[nope eq 1]"] {
            let err = target(bad).unwrap_err();
            assert_eq!(err.scim_type, Some(ScimType::InvalidFilter), "{bad}");
        }
    }

    #[test]
    fn value_filter_paths_resolve() {
        let Ok(Target::Filtered(r, _)) = target("Emails[Type eq \"wo]rk\"].Value") else {
            panic!()
        };
        assert_eq!(
            (r.attr.name.as_str(), r.leaf().name.as_str()),
            ("emails", "value")
        );
        let Ok(Target::Filtered(r, _)) = target("addresses[type eq \"work\"]") else {
            panic!()
        };
        assert!(r.sub.is_none());
        assert!(Target::parse("Emails[type eq \"x\"]", user_type(), true).is_err());
        let Ok(Target::Attr(r)) = target("manager") else {
            panic!()
        };
        assert_eq!(r.ext.map(|e| e.id.as_str()), Some(ENTERPRISE_URN));
    }
}
