//! Credentials as a type that cannot leak by accident: `Debug` hides them, there is no `Display`,
//! and the value is read only through an explicit [`Secret::expose`].

use base64::Engine;
use base64::engine::general_purpose::STANDARD;
use std::fmt;
use std::str::FromStr;

/// A token, password or similar value. `{:?}` prints `Secret([redacted])`.
#[derive(Clone, PartialEq, Eq)]
pub struct Secret(String);

impl Secret {
    pub fn new(value: impl Into<String>) -> Self {
        Secret(value.into())
    }
    /// The value itself: for the one place that sends it (and the redactor that hides it).
    pub fn expose(&self) -> &str {
        &self.0
    }
    pub fn is_empty(&self) -> bool {
        self.0.is_empty()
    }
}

impl fmt::Debug for Secret {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str("Secret([redacted])")
    }
}

impl From<String> for Secret {
    fn from(value: String) -> Self {
        Secret(value)
    }
}

impl From<&str> for Secret {
    fn from(value: &str) -> Self {
        Secret(value.to_string())
    }
}

/// Lets clap parse a flag straight into a `Secret`.
impl FromStr for Secret {
    type Err = std::convert::Infallible;
    fn from_str(s: &str) -> Result<Self, Self::Err> {
        Ok(Secret::from(s))
    }
}

/// HTTP Basic credentials, taken out of a base URL's `user:password@`.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct BasicAuth {
    pub user: String,
    pub password: Secret,
}

impl BasicAuth {
    fn pair(&self) -> String {
        format!("{}:{}", self.user, self.password.expose())
    }

    /// The `Authorization` header value: `Basic base64(user:password)`.
    pub fn header_value(&self) -> Secret {
        Secret(format!("Basic {}", STANDARD.encode(self.pair())))
    }

    /// Every form in which these credentials could be echoed back: the password,
    /// `user:password` and its base64 form.
    pub fn secret_forms(&self) -> Vec<String> {
        let pair = self.pair();
        let encoded = STANDARD.encode(&pair);
        vec![self.password.expose().to_string(), pair, encoded]
    }
}

/// Splits `user:password@` off a base URL: the URL without them, and the percent-decoded
/// credentials. A URL without credentials, or one that does not parse, comes back unchanged.
pub fn split_url_credentials(url: &str) -> (String, Option<BasicAuth>) {
    let Ok(mut parsed) = url::Url::parse(url) else {
        return (url.to_string(), None);
    };
    if parsed.username().is_empty() && parsed.password().is_none() {
        return (url.to_string(), None);
    }
    let decode = |s: &str| {
        percent_encoding::percent_decode_str(s)
            .decode_utf8_lossy()
            .into_owned()
    };
    let basic = BasicAuth {
        user: decode(parsed.username()),
        password: Secret(decode(parsed.password().unwrap_or_default())),
    };
    // Both setters only fail for URLs that cannot carry credentials, which this one did.
    let _ = parsed.set_username("");
    let _ = parsed.set_password(None);
    (parsed.to_string(), Some(basic))
}

/// A URL safe to print even when it does not parse: any `userinfo@` is replaced.
pub fn printable_url(url: &str) -> String {
    let (scheme, rest) = match url.split_once("://") {
        Some((s, r)) => (format!("{s}://"), r),
        None => (String::new(), url),
    };
    let authority_end = rest.find(['/', '?', '#']).unwrap_or(rest.len());
    match rest[..authority_end].rfind('@') {
        Some(at) => format!("{scheme}[redacted]@{}", &rest[at + 1..]),
        None => url.to_string(),
    }
}

/// `Debug` for user-supplied headers: values of credential-looking headers are hidden.
pub struct DebugHeaders<'a>(pub &'a [(String, String)]);

impl fmt::Debug for DebugHeaders<'_> {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_list()
            .entries(self.0.iter().map(|(k, v)| {
                let shown = if crate::http::looks_secret(k) {
                    "[redacted]"
                } else {
                    v.as_str()
                };
                (k.as_str(), shown)
            }))
            .finish()
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn debug_never_shows_the_value() {
        let s = Secret::new("hunter2-token");
        assert_eq!(format!("{s:?}"), "Secret([redacted])");
        assert_eq!(format!("{:?}", Some(&s)), "Some(Secret([redacted]))");
        assert_eq!(s.expose(), "hunter2-token");
    }

    #[test]
    fn url_credentials_are_split_off_and_percent_decoded() {
        let (url, basic) = split_url_credentials("https://ad%40min:p%3Ass%20w@host:8443/scim/v2");
        assert_eq!(url, "https://host:8443/scim/v2");
        let basic = basic.unwrap();
        assert_eq!(basic.user, "ad@min");
        assert_eq!(basic.password.expose(), "p:ss w");
        assert_eq!(
            basic.header_value().expose(),
            format!("Basic {}", STANDARD.encode("ad@min:p:ss w"))
        );
        assert!(!format!("{basic:?}").contains("p:ss w"));
    }

    #[test]
    fn urls_without_credentials_are_untouched() {
        for u in ["http://host/scim/v2/", "http://host", "not a url"] {
            assert_eq!(split_url_credentials(u), (u.to_string(), None));
        }
        let (_, basic) = split_url_credentials("http://justuser@host/scim");
        assert_eq!(basic.unwrap().password.expose(), "");
    }

    #[test]
    fn printable_url_hides_userinfo_even_unparsed() {
        assert_eq!(
            printable_url("ftp://u:p w@host/x@y"),
            "ftp://[redacted]@host/x@y"
        );
        assert_eq!(printable_url("u:pw@host"), "[redacted]@host");
        assert_eq!(printable_url("http://host/a@b"), "http://host/a@b");
    }

    #[test]
    fn debug_headers_hide_credential_values() {
        let h = vec![
            ("X-Api-Key".to_string(), "k-secret".to_string()),
            ("X-Tenant".to_string(), "acme".to_string()),
        ];
        let shown = format!("{:?}", DebugHeaders(&h));
        assert!(
            !shown.contains("k-secret") && shown.contains("acme"),
            "{shown}"
        );
    }
}
