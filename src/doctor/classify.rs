//! What one probe's answer says about the URL it went to: a SCIM root, a login page, a redirect,
//! a demand for credentials, nothing — told from the recorded exchange alone.

use crate::http::{Exchange, TransportError};
use serde_json::Value;

const SPC_URN: &str = "urn:ietf:params:scim:schemas:core:2.0:ServiceProviderConfig";
const ERROR_URN: &str = "urn:ietf:params:scim:api:messages:2.0:Error";
const LIST_URN: &str = "urn:ietf:params:scim:api:messages:2.0:ListResponse";

/// What a probe found.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Answer {
    /// A SCIM ServiceProviderConfig: this is a SCIM root.
    Spc,
    /// A SCIM ListResponse (from `/Users`).
    List,
    /// A 3xx; the harness follows no redirect. `login` when it leads to a sign-in page.
    Redirect {
        status: u16,
        location: Option<String>,
        login: bool,
    },
    /// 401 or 403, with the `WWW-Authenticate` challenge if any.
    Auth {
        status: u16,
        challenge: Option<String>,
    },
    /// An HTML page; `login` when it looks like a sign-in form.
    Html {
        status: u16,
        login: bool,
        title: Option<String>,
    },
    /// 404 (or 405): nothing SCIM here.
    Nothing { status: u16 },
    /// A SCIM error answer other than 401/403 (its `detail`): SCIM is served at or near here.
    ScimError { status: u16, detail: Option<String> },
    /// Any other answer, with the server's own detail when it gave one.
    Other { status: u16, detail: Option<String> },
    /// No TLS connection: the problem and what to do.
    Tls(String),
    /// No answer at all.
    Unreachable(String),
}

impl Answer {
    /// Whether the answer ends the search: the origin cannot be talked to at all.
    pub fn dead_end(&self) -> bool {
        matches!(self, Answer::Tls(_) | Answer::Unreachable(_))
    }

    /// Whether the answer demands a signed-in caller: 401, 403, or a redirect to a sign-in page.
    pub fn wants_sign_in(&self) -> bool {
        matches!(
            self,
            Answer::Auth { .. } | Answer::Redirect { login: true, .. }
        )
    }

    /// One line for the terminal.
    pub fn describe(&self) -> String {
        match self {
            Answer::Spc => "200, a SCIM ServiceProviderConfig".into(),
            Answer::List => "200, a SCIM ListResponse".into(),
            Answer::Redirect {
                status,
                location,
                login,
            } => format!(
                "{status}, a redirect to {}{} (not followed)",
                if *login { "a sign-in page, " } else { "" },
                location.as_deref().unwrap_or("nowhere (no Location)")
            ),
            Answer::Auth { status, challenge } => match challenge {
                Some(c) => format!("{status}, wants credentials: WWW-Authenticate: {c}"),
                None => format!("{status}, refused (no WWW-Authenticate)"),
            },
            Answer::Html {
                status,
                login,
                title,
            } => {
                let what = if *login {
                    "a login page"
                } else {
                    "an HTML page"
                };
                match title {
                    Some(t) => format!("{status}, {what} (\"{t}\")"),
                    None => format!("{status}, {what}"),
                }
            }
            Answer::Nothing { status } => format!("{status}, nothing here"),
            Answer::ScimError { status, detail } => match detail {
                Some(d) => format!("{status}, a SCIM error: \"{d}\" (SCIM is served near here)"),
                None => format!("{status}, a SCIM error (SCIM is served near here)"),
            },
            Answer::Other { status, detail } => match detail {
                Some(d) => format!("{status}: {d}"),
                None => format!("{status}"),
            },
            Answer::Tls(why) | Answer::Unreachable(why) => why.clone(),
        }
    }
}

/// What `ex` (a GET of `/ServiceProviderConfig` or `/Users`) found.
pub fn classify(ex: &Exchange) -> Answer {
    let Some(resp) = &ex.response else {
        return match &ex.error {
            Some(TransportError::Tls(why)) => Answer::Tls(why.clone()),
            Some(e) => Answer::Unreachable(e.to_string()),
            None => Answer::Unreachable("no answer".into()),
        };
    };
    let status = resp.status;
    let json = resp.body.as_ref().and_then(|b| b.json());
    let text = match &resp.body {
        Some(crate::http::Body::Text(t)) => t.as_str(),
        _ => "",
    };
    if (300..400).contains(&status) {
        let location = resp.headers.get("location");
        return Answer::Redirect {
            status,
            login: location.as_deref().is_some_and(leads_to_sign_in),
            location,
        };
    }
    let html = resp
        .headers
        .get("content-type")
        .is_some_and(|c| c.to_ascii_lowercase().contains("html"))
        || text.trim_start().starts_with('<');
    if matches!(status, 401 | 403) {
        return Answer::Auth {
            status,
            challenge: resp.headers.get("www-authenticate"),
        };
    }
    if html && json.is_none() {
        return Answer::Html {
            status,
            login: looks_like_login(text),
            title: title(text),
        };
    }
    if status == 200 {
        if let Some(body) = json {
            if has_schema(body, SPC_URN) {
                return Answer::Spc;
            }
            if has_schema(body, LIST_URN) || body.get("Resources").is_some() {
                return Answer::List;
            }
        }
    }
    let detail = || {
        json.and_then(|b| b.get("detail"))
            .and_then(Value::as_str)
            .map(str::to_string)
    };
    if json.is_some_and(|b| has_schema(b, ERROR_URN)) {
        return Answer::ScimError {
            status,
            detail: detail(),
        };
    }
    if matches!(status, 404 | 405) {
        return Answer::Nothing { status };
    }
    Answer::Other {
        status,
        detail: detail(),
    }
}

fn has_schema(body: &Value, urn: &str) -> bool {
    body.get("schemas")
        .and_then(Value::as_array)
        .is_some_and(|s| {
            s.iter()
                .any(|v| v.as_str().is_some_and(|v| v.eq_ignore_ascii_case(urn)))
        })
}

/// A redirect target that names a sign-in page or an identity provider (`/login?next=…`,
/// `/oauth2/authorize`, `/saml/sso`), judged by its path alone.
fn leads_to_sign_in(location: &str) -> bool {
    let path = location.split_once("://").map_or(location, |(_, rest)| {
        rest.find('/').map_or("", |i| &rest[i..])
    });
    let path = path
        .split(['?', '#'])
        .next()
        .unwrap_or_default()
        .to_ascii_lowercase();
    [
        "login",
        "signin",
        "sign-in",
        "sso",
        "saml",
        "authorize",
        "oauth",
        "auth/",
    ]
    .iter()
    .any(|w| path.contains(w))
}

fn looks_like_login(html: &str) -> bool {
    let lower = html.to_ascii_lowercase();
    lower.contains("type=\"password\"")
        || lower.contains("type='password'")
        || ["sign in", "log in", "login", "signin"]
            .iter()
            .any(|w| title(&lower).is_some_and(|t| t.contains(w)))
}

/// The page's `<title>`, trimmed to one short line.
fn title(html: &str) -> Option<String> {
    let lower = html.to_ascii_lowercase();
    let start = lower.find("<title")?;
    let open_end = start + lower[start..].find('>')? + 1;
    let end = open_end + lower[open_end..].find("</title")?;
    let t: String = html[open_end..end]
        .split_whitespace()
        .collect::<Vec<_>>()
        .join(" ");
    (!t.is_empty()).then(|| t.chars().take(80).collect())
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::http::{Body, Headers, RecordedResponse};
    use serde_json::json;

    fn answered(status: u16, headers: &[(&str, &str)], body: Option<Body>) -> Answer {
        let mut ex = Exchange::for_tests("GET", "https://h/ServiceProviderConfig", None);
        ex.response = Some(RecordedResponse {
            status,
            headers: Headers(
                headers
                    .iter()
                    .map(|(k, v)| (k.to_string(), v.to_string()))
                    .collect(),
            ),
            body,
            truncated: false,
        });
        classify(&ex)
    }

    #[test]
    fn a_service_provider_config_and_a_list_are_scim() {
        let spc = Body::Json(json!({"schemas": [SPC_URN], "patch": {"supported": true}}));
        assert_eq!(answered(200, &[], Some(spc)), Answer::Spc);
        let list = Body::Json(json!({"schemas": [LIST_URN], "totalResults": 0}));
        assert_eq!(answered(200, &[], Some(list)), Answer::List);
    }

    #[test]
    fn login_pages_redirects_and_challenges_are_told_apart() {
        let page = "<!DOCTYPE html><html><head><title>\n Sign in to Acme </title></head>\
                    <form><input type=\"password\"></form></html>";
        assert_eq!(
            answered(
                200,
                &[("Content-Type", "text/html")],
                Some(Body::Text(page.into()))
            ),
            Answer::Html {
                status: 200,
                login: true,
                title: Some("Sign in to Acme".into())
            }
        );
        assert_eq!(
            answered(302, &[("Location", "/login")], None),
            Answer::Redirect {
                status: 302,
                location: Some("/login".into()),
                login: true,
            }
        );
        assert_eq!(
            answered(301, &[("Location", "https://h/scim/v2/Users/")], None),
            Answer::Redirect {
                status: 301,
                location: Some("https://h/scim/v2/Users/".into()),
                login: false,
            }
        );
        assert_eq!(
            answered(401, &[("WWW-Authenticate", "Basic realm=\"x\"")], None),
            Answer::Auth {
                status: 401,
                challenge: Some("Basic realm=\"x\"".into())
            }
        );
        let error = Body::Json(json!({"status": "500", "detail": "db down"}));
        assert_eq!(
            answered(500, &[], Some(error)),
            Answer::Other {
                status: 500,
                detail: Some("db down".into())
            }
        );
        let scim =
            Body::Json(json!({"schemas": [ERROR_URN], "status": "404", "detail": "no user"}));
        assert_eq!(
            answered(404, &[], Some(scim)),
            Answer::ScimError {
                status: 404,
                detail: Some("no user".into())
            }
        );
    }
}
