//! The immutable configuration every request handler sees: base URL, token and the policies.

use std::fmt;

#[cfg(test)]
use super::model::Fault;
use super::model::Policies;

/// The path under which every SCIM endpoint lives.
pub(crate) const BASE_PATH: &str = "/scim/v2";

pub(crate) struct Settings {
    /// Absolute base URL, e.g. `http://127.0.0.1:8080/scim/v2`, without a trailing slash.
    pub(crate) base_url: String,
    pub(crate) token: Option<String>,
    pub(crate) policies: Policies,
}

impl fmt::Debug for Settings {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("Settings")
            .field("base_url", &self.base_url)
            .field("token", &self.token.as_ref().map(|_| "<redacted>"))
            .field("policies", &self.policies)
            .finish()
    }
}

impl Settings {
    /// The absolute URL of `relative` (which starts with `/`) under the base URL.
    pub(crate) fn absolute(&self, relative: &str) -> String {
        format!("{}{relative}", self.base_url)
    }

    /// The `meta.location` of a resource, honouring `meta-location-relative`.
    pub(crate) fn resource_location(&self, endpoint: &str, id: &str) -> String {
        let relative = format!("{endpoint}/{}", encode_segment(id));
        if self.policies.meta.location_relative {
            format!("{BASE_PATH}{relative}")
        } else {
            self.absolute(&relative)
        }
    }

    #[cfg(test)]
    pub(crate) fn for_tests(faults: &[Fault]) -> Settings {
        Settings {
            base_url: "http://127.0.0.1:9/scim/v2".to_owned(),
            token: None,
            policies: Policies::with_faults(faults),
        }
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
