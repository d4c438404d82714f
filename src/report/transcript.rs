//! A compact text transcript of a check's exchanges, for JUnit's system-out: what a CI log can show.

use crate::http::{Body, Exchange, Headers};
use std::fmt::Write;

fn body_text(body: &Body) -> String {
    match body {
        Body::Json(v) => v.to_string(),
        Body::Text(t) => t.clone(),
    }
}

fn push_headers(s: &mut String, prefix: &str, headers: &Headers) {
    for (k, v) in &headers.0 {
        let _ = writeln!(s, "{prefix} {k}: {v}");
    }
}

/// `> ` lines for the request, `< ` lines for the response, a blank line between exchanges.
/// Bodies are compact (one line of JSON); exchanges are already redacted at the source.
pub fn transcript(exchanges: &[Exchange]) -> String {
    let mut s = String::new();
    for (i, x) in exchanges.iter().enumerate() {
        if i > 0 {
            s.push('\n');
        }
        let _ = writeln!(s, "> {} {}", x.request.method, x.request.url);
        if x.attempts > 1 {
            // Resent after a failed connection, a 429/503 waited out, or a 401 to an old token.
            let _ = writeln!(s, "> (sent {} times; the last answer is shown)", x.attempts);
        }
        push_headers(&mut s, ">", &x.request.headers);
        if let Some(b) = &x.request.body {
            let _ = writeln!(s, ">\n> {}", body_text(b));
        }
        match &x.response {
            Some(r) => {
                let _ = writeln!(s, "< {}", r.status);
                push_headers(&mut s, "<", &r.headers);
                if let Some(b) = &r.body {
                    let _ = writeln!(s, "<\n< {}", body_text(b));
                }
            }
            None => {
                let why = x
                    .error
                    .as_ref()
                    .map_or_else(|| "no response".to_string(), ToString::to_string);
                let _ = writeln!(s, "< no response: {why}");
            }
        }
    }
    s
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::http::{RecordedRequest, RecordedResponse};
    use serde_json::json;

    fn exchange(response: Option<RecordedResponse>) -> Exchange {
        Exchange {
            request: RecordedRequest {
                method: "POST".into(),
                url: "http://h/Users".into(),
                headers: Headers(vec![("Accept".into(), "application/scim+json".into())]),
                body: Some(Body::Json(json!({"userName": "a"}))),
            },
            response,
            duration_ms: 1,
            error: None,
            attempts: 1,
            closes: false,
        }
    }

    #[test]
    fn request_and_response_in_order() {
        let x = exchange(Some(RecordedResponse {
            status: 201,
            headers: Headers(vec![(
                "content-type".into(),
                "application/scim+json".into(),
            )]),
            body: Some(Body::Text("plain".into())),
            truncated: false,
        }));
        assert_eq!(
            transcript(&[x.clone(), x])
                .lines()
                .take(8)
                .collect::<Vec<_>>(),
            [
                "> POST http://h/Users",
                "> Accept: application/scim+json",
                ">",
                r#"> {"userName":"a"}"#,
                "< 201",
                "< content-type: application/scim+json",
                "<",
                "< plain",
            ]
        );
    }

    #[test]
    fn no_response_says_why() {
        let mut x = exchange(None);
        x.error = Some(crate::http::TransportError::Timeout(
            std::time::Duration::from_secs(2),
        ));
        assert!(transcript(&[x]).ends_with("< no response: timed out after 2s\n"));
    }
}
