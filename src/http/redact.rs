//! Secret redaction at the source: nothing secret ever reaches an exchange record, a report or a log.

use super::{Body, Headers};
use regex::{Captures, Regex};
use serde_json::{Map, Value};
use std::fmt;
use std::sync::LazyLock;

pub const REDACTED: &str = "[redacted]";

const SECRET_HEADERS: &[&str] = &[
    "authorization",
    "proxy-authorization",
    "cookie",
    "set-cookie",
];
const SECRET_WORDS: &[&str] = &[
    "token",
    "secret",
    "password",
    "passwd",
    "api-key",
    "apikey",
    "key",
    "session",
    "signature",
    "auth",
];

/// Query parameter names that carry a credential wherever they appear in the name
/// (`access_token`, `clientSecret`, `X-Amz-Signature`).
const SECRET_QUERY_PARTS: &[&str] = &[
    "token",
    "secret",
    "passw",
    "signature",
    "apikey",
    "api_key",
    "api-key",
    "credential",
    "session",
];
/// Query parameter names that are a credential when they are the whole name or one word of it
/// (`code` of an OAuth redirect, `sig`, `key`), not inside ordinary words (`zipcode`).
const SECRET_QUERY_WORDS: &[&str] = &["key", "code", "sig", "auth", "pwd", "pass", "assertion"];

/// `?name=value` / `&name=value` anywhere in text.
static QUERY_PARAM: LazyLock<Regex> = LazyLock::new(|| {
    Regex::new(r#"(?P<lead>[?&])(?P<key>[^=&#?\s"'<>]+)=(?P<value>[^&#\s"'<>]*)"#)
        .expect("query parameter pattern")
});
/// The `user:password@` of a URL anywhere in text.
static USERINFO: LazyLock<Regex> = LazyLock::new(|| {
    Regex::new(r#"(?i)\b(?P<scheme>[a-z][a-z0-9+.\-]*://)[^/\s@?#"'<>]+@"#)
        .expect("userinfo pattern")
});

/// Knows the run's secrets (token, secret header values) and scrubs them from recorded data.
#[derive(Clone, Default)]
pub struct Redactor {
    /// Shared by every clone, so a secret learnt mid-run (an OAuth access token) is scrubbed
    /// everywhere from then on; longest first, so a secret that contains another goes whole.
    secrets: std::sync::Arc<std::sync::RwLock<Vec<String>>>,
    secret_header_names: Vec<String>,
}

/// Shows how many secrets are known, never which.
impl fmt::Debug for Redactor {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("Redactor")
            .field("secrets", &self.secrets().len())
            .field("secret_header_names", &self.secret_header_names)
            .finish()
    }
}

pub fn looks_secret(name: &str) -> bool {
    let n = name.to_ascii_lowercase();
    SECRET_HEADERS.contains(&n.as_str()) || SECRET_WORDS.iter().any(|w| n.contains(w))
}

/// Whether a URL query parameter of this name carries a credential.
fn query_key_looks_secret(key: &str) -> bool {
    let k = percent_encoding::percent_decode_str(key)
        .decode_utf8_lossy()
        .to_ascii_lowercase();
    SECRET_QUERY_PARTS.iter().any(|p| k.contains(p))
        || k.split(|c: char| !c.is_ascii_alphanumeric())
            .any(|w| SECRET_QUERY_WORDS.contains(&w))
        || k.ends_with("key")
}

impl Redactor {
    /// `secrets` are literal values (the token, Basic credentials); `headers` are user-supplied
    /// extra headers, whose values are treated as secret when the name suggests a credential.
    pub fn new(secrets: &[String], headers: &[(String, String)]) -> Self {
        let mut r = Redactor::default();
        for s in secrets {
            r.add_secret(s);
        }
        for (k, v) in headers {
            if looks_secret(k) {
                r.secret_header_names.push(k.to_ascii_lowercase());
                r.add_secret(v);
            }
        }
        r
    }

    /// Learns a secret the run came to know after it started (an access token): from now on
    /// it is scrubbed from everything recorded, by this redactor and all its clones.
    pub fn learn(&self, secret: &str) {
        self.add_secret(secret);
    }

    fn add_secret(&self, s: &str) {
        // Very short values would redact ordinary text; they are still hidden in their header.
        let mut secrets = self.secrets.write().unwrap_or_else(|e| e.into_inner());
        if s.len() >= 4 && !secrets.iter().any(|x| x == s) {
            secrets.push(s.to_string());
            secrets.sort_by_key(|s| std::cmp::Reverse(s.len()));
        }
    }

    fn secrets(&self) -> std::sync::RwLockReadGuard<'_, Vec<String>> {
        self.secrets.read().unwrap_or_else(|e| e.into_inner())
    }

    fn known_secrets(&self, s: &str) -> String {
        let mut out = s.to_string();
        for secret in self.secrets().iter() {
            if out.contains(secret.as_str()) {
                out = out.replace(secret.as_str(), REDACTED);
            }
        }
        out
    }

    /// Replaces every known secret in free text, the values of credential-looking (or
    /// credential-carrying) URL query parameters, and the `user:password@` of URLs.
    pub fn text(&self, s: &str) -> String {
        let mut out = self.known_secrets(s);
        if out.contains('=') {
            out = QUERY_PARAM
                .replace_all(&out, |c: &Captures<'_>| {
                    let value = &c["value"];
                    let decoded = percent_encoding::percent_decode_str(value).decode_utf8_lossy();
                    let secret = !value.is_empty()
                        && value != REDACTED
                        && (query_key_looks_secret(&c["key"])
                            || self.known_secrets(&decoded) != decoded);
                    let value = if secret { REDACTED } else { value };
                    format!("{}{}={value}", &c["lead"], &c["key"])
                })
                .into_owned();
        }
        if out.contains('@') {
            out = USERINFO
                .replace_all(&out, |c: &Captures<'_>| {
                    format!("{}{REDACTED}@", &c["scheme"])
                })
                .into_owned();
        }
        out
    }

    /// A header name with any known secret in it replaced, matched regardless of case (servers
    /// and HTTP libraries lowercase names); also says whether anything was replaced.
    fn header_name(&self, name: &str) -> (String, bool) {
        let mut out = name.to_string();
        let mut found = false;
        for secret in self.secrets().iter() {
            let needle = secret.to_ascii_lowercase();
            // ASCII lowercasing keeps byte offsets, so positions found in the copy fit the name.
            while let Some(at) = out.to_ascii_lowercase().find(&needle) {
                out.replace_range(at..at + needle.len(), REDACTED);
                found = true;
            }
        }
        (out, found)
    }

    fn header_value(&self, name: &str, value: &str) -> String {
        let lower = name.to_ascii_lowercase();
        if lower == "authorization" || lower == "proxy-authorization" {
            // Keep the scheme so a transcript still shows how the request authenticated.
            return match value.split_once(' ') {
                Some((scheme, _)) => format!("{scheme} {REDACTED}"),
                None => REDACTED.to_string(),
            };
        }
        if SECRET_HEADERS.contains(&lower.as_str()) || self.secret_header_names.contains(&lower) {
            return REDACTED.to_string();
        }
        self.text(value)
    }

    pub fn request_headers(&self, headers: &[(String, String)]) -> Headers {
        Headers(
            headers
                .iter()
                .map(|(k, v)| {
                    let (name, secret_name) = self.header_name(k);
                    // A header named after a secret says nothing its value may repeat.
                    let value = if secret_name {
                        REDACTED.to_string()
                    } else {
                        self.header_value(k, v)
                    };
                    (name, value)
                })
                .collect(),
        )
    }

    pub fn response_headers(&self, headers: &[(String, String)]) -> Headers {
        self.request_headers(headers)
    }

    fn json(&self, v: Value) -> Value {
        match v {
            Value::String(s) => Value::String(self.text(&s)),
            Value::Array(items) => Value::Array(items.into_iter().map(|i| self.json(i)).collect()),
            Value::Object(map) => {
                let mut out = Map::with_capacity(map.len());
                for (k, v) in map {
                    let lower = k.to_ascii_lowercase();
                    let secret =
                        lower == "password" || lower.contains("secret") || lower.ends_with("token");
                    let v = if secret && !v.is_null() {
                        Value::String(REDACTED.into())
                    } else {
                        self.json(v)
                    };
                    let mut key = self.text(&k);
                    // A redacted key can meet another (original keys are unique): number the later one
                    // so no member is lost.
                    if out.contains_key(&key) {
                        let base = key;
                        key = (2..)
                            .map(|n| format!("{base}#{n}"))
                            .find(|candidate| !out.contains_key(candidate))
                            .unwrap_or_default();
                    }
                    out.insert(key, v);
                }
                Value::Object(out)
            }
            other => other,
        }
    }

    /// Redacts a body: secret-named JSON members (password, …) and every known secret string,
    /// in values and in member names.
    pub fn body(&self, body: Body) -> Body {
        match body {
            Body::Json(v) => Body::Json(self.json(v)),
            Body::Text(t) => Body::Text(self.text(&t)),
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use serde_json::json;

    fn r() -> Redactor {
        Redactor::new(
            &["s3cr3t-token".into()],
            &[
                ("X-Api-Key".into(), "k-123456".into()),
                ("X-Tenant".into(), "acme".into()),
            ],
        )
    }

    #[test]
    fn authorization_keeps_only_the_scheme() {
        let h = r().request_headers(&[("Authorization".into(), "Bearer s3cr3t-token".into())]);
        assert_eq!(h.get("authorization").unwrap(), "Bearer [redacted]");
    }

    #[test]
    fn secret_headers_are_hidden_and_others_kept() {
        let h = r().request_headers(&[
            ("X-Api-Key".into(), "k-123456".into()),
            ("X-Tenant".into(), "acme".into()),
        ]);
        assert_eq!(h.get("x-api-key").unwrap(), REDACTED);
        assert_eq!(h.get("x-tenant").unwrap(), "acme");
    }

    #[test]
    fn secrets_are_scrubbed_everywhere() {
        assert_eq!(
            r().text("url?t=s3cr3t-token&k=k-123456"),
            "url?t=[redacted]&k=[redacted]"
        );
        let b = r().body(Body::Json(
            json!({"userName": "a", "password": "pw", "nested": [{"note": "s3cr3t-token"}]}),
        ));
        assert_eq!(
            b,
            Body::Json(
                json!({"userName": "a", "password": "[redacted]", "nested": [{"note": "[redacted]"}]})
            )
        );
    }

    #[test]
    fn redacted_password_key_stays_visible_as_evidence() {
        let b = r().body(Body::Json(json!({"password": "leaked"})));
        assert_eq!(
            b.json().unwrap().get("password"),
            Some(&json!("[redacted]"))
        );
    }

    #[test]
    fn secrets_as_json_keys_are_scrubbed_and_members_kept() {
        let b = r().body(Body::Json(json!({
            "s3cr3t-token": "a",
            "s3cr3t-token.x": {"k-123456": 1},
            "[redacted]": "already",
        })));
        let shown = serde_json::to_string(&b).unwrap();
        assert!(
            !shown.contains("s3cr3t") && !shown.contains("k-123456"),
            "{shown}"
        );
        let obj = b.json().unwrap().as_object().unwrap();
        assert_eq!(obj.len(), 3, "{shown}");
        assert_eq!(obj["[redacted].x"], json!({"[redacted]": 1}));
        assert_eq!(obj["[redacted]#2"], json!("already"));
    }

    #[test]
    fn secrets_in_header_names_hide_name_part_and_value() {
        let h = r().response_headers(&[
            ("x-S3CR3T-token-echo".into(), "anything".into()),
            ("X-Tenant".into(), "acme".into()),
        ]);
        assert_eq!(
            h.0,
            vec![
                ("x-[redacted]-echo".to_string(), REDACTED.to_string()),
                ("X-Tenant".to_string(), "acme".to_string()),
            ]
        );
    }

    #[test]
    fn secret_query_values_are_scrubbed_in_urls() {
        let r = r();
        assert_eq!(
            r.text("https://h/cb?code=abc123&state=xyz&access_token=t0k&X-Amz-Signature=ff"),
            "https://h/cb?code=[redacted]&state=xyz&access_token=[redacted]&X-Amz-Signature=[redacted]"
        );
        assert_eq!(
            r.text("/Users?filter=userName%20eq%20%22a%22&count=5&startIndex=1&attributes=id"),
            "/Users?filter=userName%20eq%20%22a%22&count=5&startIndex=1&attributes=id"
        );
        // A known secret, percent-encoded under an innocent name.
        let r = Redactor::new(&["pa ss+word".into()], &[]);
        assert_eq!(
            r.text("http://h/x?zipcode=12345&q=pa%20ss%2Bword"),
            "http://h/x?zipcode=12345&q=[redacted]"
        );
    }

    #[test]
    fn url_userinfo_is_scrubbed_in_text() {
        assert_eq!(
            Redactor::default().text("error sending request for url (http://bob:pw@h:8/scim/v2)"),
            "error sending request for url (http://[redacted]@h:8/scim/v2)"
        );
        assert_eq!(
            Redactor::default().text("mailto a@b.c and http://h/x@y"),
            "mailto a@b.c and http://h/x@y"
        );
    }

    #[test]
    fn debug_does_not_show_secrets() {
        let shown = format!("{:?}", r());
        assert!(
            !shown.contains("s3cr3t") && !shown.contains("k-123456"),
            "{shown}"
        );
    }
}
