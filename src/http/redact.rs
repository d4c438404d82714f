//! Secret redaction at the source: nothing secret ever reaches an exchange record, a report or a log.

use super::{Body, Headers};
use serde_json::Value;

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

/// Knows the run's secrets (token, secret header values) and scrubs them from recorded data.
#[derive(Debug, Clone, Default)]
pub struct Redactor {
    secrets: Vec<String>,
    secret_header_names: Vec<String>,
}

pub fn looks_secret(name: &str) -> bool {
    let n = name.to_ascii_lowercase();
    SECRET_HEADERS.contains(&n.as_str()) || SECRET_WORDS.iter().any(|w| n.contains(w))
}

impl Redactor {
    /// `secrets` are literal values (the token); `headers` are user-supplied extra headers,
    /// whose values are treated as secret when the name suggests a credential.
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

    fn add_secret(&mut self, s: &str) {
        // Very short values would redact ordinary text; they are still hidden in their header.
        if s.len() >= 4 && !self.secrets.iter().any(|x| x == s) {
            self.secrets.push(s.to_string());
        }
    }

    /// Replaces every known secret in free text.
    pub fn text(&self, s: &str) -> String {
        let mut out = s.to_string();
        for secret in &self.secrets {
            if out.contains(secret.as_str()) {
                out = out.replace(secret.as_str(), REDACTED);
            }
        }
        out
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
                .map(|(k, v)| (k.clone(), self.header_value(k, v)))
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
            Value::Object(map) => Value::Object(
                map.into_iter()
                    .map(|(k, v)| {
                        let lower = k.to_ascii_lowercase();
                        let secret = lower == "password"
                            || lower.contains("secret")
                            || lower.ends_with("token");
                        let v = if secret && !v.is_null() {
                            Value::String(REDACTED.into())
                        } else {
                            self.json(v)
                        };
                        (k, v)
                    })
                    .collect(),
            ),
            other => other,
        }
    }

    /// Redacts a body: secret-named JSON members (password, …) and every known secret string.
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
}
