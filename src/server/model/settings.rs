//! The immutable configuration every request handler sees: the server's model and policies.

#[cfg(test)]
use crate::server::model::Fault;
use crate::server::model::schema::Kind;
use crate::server::model::schema::ResourceType;
use crate::server::model::{Policies, ServerModel};

#[derive(Debug)]
pub(crate) struct Settings {
    pub(crate) model: ServerModel,
    pub(crate) policies: Policies,
}

impl Settings {
    /// The resource type of a stored kind; the model serves every kind the store holds.
    pub(crate) fn rt(&self, kind: Kind) -> &ResourceType {
        self.model
            .resource_type(kind.type_name())
            .expect("the model serves Users and Groups")
    }

    /// The `meta.location` of a resource: absolute, or a path under `meta.location_relative`.
    pub(crate) fn resource_location(&self, endpoint: &str, id: &str) -> String {
        let relative = format!("{endpoint}/{}", encode_segment(id));
        if self.policies.meta.location_relative {
            format!("{}{relative}", self.model.base_path)
        } else {
            self.model.absolute(&relative)
        }
    }

    /// The reference settings after `edit`, for tests of one policy or model knob.
    #[cfg(test)]
    pub(crate) fn with(edit: impl FnOnce(&mut ServerModel, &mut Policies)) -> Settings {
        let mut settings = Settings::for_tests(&[]);
        edit(&mut settings.model, &mut settings.policies);
        settings
    }

    #[cfg(test)]
    pub(crate) fn for_tests(faults: &[Fault]) -> Settings {
        let model = ServerModel::reference("http://127.0.0.1:9", None);
        let (model, policies) = crate::server::model::exhibit(model, faults);
        Settings { model, policies }
    }
}

/// Percent-encodes everything in a path segment except RFC 3986 unreserved characters and `:`.
pub(crate) fn encode_segment(segment: &str) -> String {
    let mut out = String::with_capacity(segment.len());
    for byte in segment.bytes() {
        if byte.is_ascii_alphanumeric() || b"-._~:".contains(&byte) {
            out.push(char::from(byte));
        } else {
            out.push_str(&format!("%{byte:02X}"));
        }
    }
    out
}

/// Decodes `%XX` escapes in a path segment; invalid escapes are kept literally.
pub(crate) fn decode_segment(segment: &str) -> String {
    let bytes = segment.as_bytes();
    let mut out = Vec::with_capacity(bytes.len());
    let mut i = 0;
    while i < bytes.len() {
        let escaped = bytes
            .get(i + 1..i + 3)
            .filter(|_| bytes[i] == b'%')
            .and_then(|hex| std::str::from_utf8(hex).ok())
            .and_then(|hex| u8::from_str_radix(hex, 16).ok());
        match escaped {
            Some(byte) => {
                out.push(byte);
                i += 3;
            }
            None => {
                out.push(bytes[i]);
                i += 1;
            }
        }
    }
    String::from_utf8_lossy(&out).into_owned()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn segments_round_trip() {
        for raw in ["abc", "a b/c", "ünï", "urn:x:y", "%zz", "100%"] {
            assert_eq!(decode_segment(&encode_segment(raw)), raw);
        }
        assert_eq!(decode_segment("urn%3Aietf"), "urn:ietf");
        assert_eq!(decode_segment("%"), "%");
        assert_eq!(decode_segment("%4"), "%4");
    }

    #[test]
    fn locations_follow_the_fault() {
        let settings = Settings::for_tests(&[]);
        assert_eq!(
            settings.resource_location("/Users", "a b"),
            "http://127.0.0.1:9/scim/v2/Users/a%20b"
        );
        let settings = Settings::for_tests(&[Fault::MetaLocationRelative]);
        assert_eq!(
            settings.resource_location("/Users", "x"),
            "/scim/v2/Users/x"
        );
    }
}
