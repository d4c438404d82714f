//! Volatile values out: a stable copy of a RunReport (ports, run ids, uuids, timestamps, HTTP dates,
//! durations, content lengths replaced by placeholders) so golden reports compare across runs.

use crate::http::{Body, Exchange, Headers};
use crate::run::{LeftBehind, RunReport};
use regex::Regex;
use serde_json::Value;
use std::sync::LazyLock;

/// Each pattern and what replaces it, applied in order to every string of the report.
static RULES: LazyLock<Vec<(Regex, &'static str)>> = LazyLock::new(|| {
    [
        // `${unique.…}` values and `${run.prefix}`: scimcheck-<8 hex run id> (`| upper` too)
        // (no leading \b: in a URL the value follows `%22`)
        (r"(scimcheck|SCIMCHECK)-[0-9a-fA-F]{8}\b", "$1-[run]"),
        (
            r"\b[0-9a-fA-F]{8}-[0-9a-fA-F]{4}-[0-9a-fA-F]{4}-[0-9a-fA-F]{4}-[0-9a-fA-F]{12}\b",
            "[uuid]",
        ),
        (
            r"\b\d{4}-\d{2}-\d{2}T\d{2}:\d{2}:\d{2}(\.\d+)?(Z|[+-]\d{2}:\d{2})",
            "[timestamp]",
        ),
        (
            r"\b(Mon|Tue|Wed|Thu|Fri|Sat|Sun), \d{2} [A-Z][a-z]{2} \d{4} \d{2}:\d{2}:\d{2} GMT",
            "[http-date]",
        ),
        (r"\b(127\.0\.0\.1|localhost|\[::1\]):\d{1,5}\b", "$1:[port]"),
    ]
    .into_iter()
    .map(|(p, r)| (Regex::new(p).expect("redaction patterns compile"), r))
    .collect()
});

/// Replaces the volatile parts of one string.
pub fn stable_text(text: &str) -> String {
    let mut s = text.to_string();
    for (re, with) in RULES.iter() {
        if re.is_match(&s) {
            s = re.replace_all(&s, *with).into_owned();
        }
    }
    s
}

fn stable_json(v: &Value) -> Value {
    match v {
        Value::String(s) => Value::String(stable_text(s)),
        Value::Array(a) => Value::Array(a.iter().map(stable_json).collect()),
        Value::Object(o) => Value::Object(
            o.iter()
                .map(|(k, v)| (stable_text(k), stable_json(v)))
                .collect(),
        ),
        other => other.clone(),
    }
}

fn stable_body(b: &Option<Body>) -> Option<Body> {
    b.as_ref().map(|b| match b {
        Body::Json(v) => Body::Json(stable_json(v)),
        Body::Text(t) => Body::Text(stable_text(t)),
    })
}

fn stable_headers(h: &Headers) -> Headers {
    Headers(
        h.0.iter()
            .map(|(k, v)| {
                // Lengths follow the redacted values (timestamps vary in digits), so they go too.
                let v = if k.eq_ignore_ascii_case("content-length") {
                    "[length]".to_string()
                } else {
                    stable_text(v)
                };
                (k.clone(), v)
            })
            .collect(),
    )
}

fn stable_exchange(x: &Exchange) -> Exchange {
    let mut x = x.clone();
    x.request.url = stable_text(&x.request.url);
    x.request.headers = stable_headers(&x.request.headers);
    x.request.body = stable_body(&x.request.body);
    if let Some(r) = x.response.as_mut() {
        r.headers = stable_headers(&r.headers);
        r.body = stable_body(&r.body);
    }
    x.error = x.error.as_ref().map(|e| e.map_text(stable_text));
    x.duration_ms = 0;
    x
}

fn stable_left(l: &LeftBehind) -> LeftBehind {
    LeftBehind {
        resource: l.resource.as_deref().map(stable_text),
        marker: stable_text(&l.marker),
        reason: stable_text(&l.reason),
    }
}

/// A copy of the report that two runs against the same server produce identically.
pub fn stable_report(report: &RunReport) -> RunReport {
    let mut out = report.clone();
    out.target = stable_text(&out.target);
    out.started_at = stable_text(&out.started_at);
    out.duration_ms = 0;
    out.run_id = "[run]".into();
    out.left_behind = out.left_behind.iter().map(stable_left).collect();
    for x in [
        &mut out.discovery,
        &mut out.authentication,
        &mut out.cleanup,
    ] {
        x.exchanges = x.exchanges.iter().map(stable_exchange).collect();
    }
    for r in &mut out.results {
        r.message = stable_text(&r.message);
        r.title = stable_text(&r.title);
        r.duration_ms = 0;
        r.exchanges = r.exchanges.iter().map(stable_exchange).collect();
        r.cleanup.left_behind = r.cleanup.left_behind.iter().map(stable_left).collect();
        for step in &mut r.steps {
            for f in &mut step.findings {
                f.expected = stable_text(&f.expected);
                f.actual = stable_text(&f.actual);
                f.target = f.target.as_deref().map(stable_text);
                f.server_detail = f.server_detail.as_deref().map(stable_text);
            }
            step.error = step.error.as_ref().map(|e| e.map_text(stable_text));
        }
    }
    out
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::http::{RecordedRequest, RecordedResponse};
    use serde_json::json;

    #[test]
    fn each_volatile_value_has_a_placeholder() {
        assert_eq!(
            stable_text(
                "http://127.0.0.1:43121/scim/v2/Users/1b4e28ba-2fa1-11d2-883f-0016d3cca427"
            ),
            "http://127.0.0.1:[port]/scim/v2/Users/[uuid]"
        );
        assert_eq!(
            stable_text("scimcheck-ab12cd34-3-user@example.com"),
            "scimcheck-[run]-3-user@example.com"
        );
        assert_eq!(
            stable_text("SCIMCHECK-AB12CD34-3-USER"),
            "SCIMCHECK-[run]-3-USER"
        );
        assert_eq!(
            stable_text("created 2026-03-01T10:11:12.123456Z, 2026-03-01T10:11:12+14:00"),
            "created [timestamp], [timestamp]"
        );
        assert_eq!(stable_text("Sun, 01 Mar 2026 10:11:12 GMT"), "[http-date]");
    }

    #[test]
    fn stable_text_leaves_the_rest_alone() {
        let plain = "step 1 (POST /Users → 201): expected 201, got 200; scimcheck-local is fine";
        assert_eq!(stable_text(plain), plain);
        assert_eq!(stable_text("localhost:8080"), "localhost:[port]");
    }

    #[test]
    fn bodies_headers_and_durations_are_stabilized() {
        let x = Exchange {
            request: RecordedRequest {
                method: "GET".into(),
                url: "http://localhost:1234/Users".into(),
                headers: Headers(vec![]),
                body: None,
            },
            response: Some(RecordedResponse {
                status: 200,
                headers: Headers(vec![
                    ("content-length".into(), "123".into()),
                    ("date".into(), "Mon, 02 Mar 2026 10:11:12 GMT".into()),
                ]),
                body: Some(Body::Json(
                    json!({"meta": {"created": "2026-03-01T10:11:12Z"}, "n": [1, "scimcheck-0123abcd"]}),
                )),
                truncated: false,
            }),
            duration_ms: 17,
            error: None,
            attempts: 1,
            closes: false,
        };
        let s = stable_exchange(&x);
        assert_eq!(s.request.url, "http://localhost:[port]/Users");
        assert_eq!(s.duration_ms, 0);
        let r = s.response.unwrap();
        assert_eq!(r.headers.get("content-length").as_deref(), Some("[length]"));
        assert_eq!(r.headers.get("date").as_deref(), Some("[http-date]"));
        assert_eq!(
            r.body.unwrap().json().unwrap(),
            &json!({"meta": {"created": "[timestamp]"}, "n": [1, "scimcheck-[run]"]})
        );
    }
}
