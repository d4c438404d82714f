//! The run's record limit: however much a hostile server sends, the bodies a run keeps (in
//! memory until the reports are written, then in every report file) stay under one bound.

use super::{Body, Exchange};
use serde_json::Value;
use std::sync::atomic::{AtomicUsize, Ordering};

/// Default bound on the bodies one run records: reports stay well under 50 MB.
pub const RUN_RECORD_LIMIT: usize = 16 * 1024 * 1024;

/// What a run may still record. Each body costs what it takes in memory or pretty-printed in
/// report.json, whichever is more (a 1 MiB body of tiny nested arrays is many times that
/// once parsed or indented). A body that does not fit is replaced by a short placeholder;
/// smaller ones after it are still recorded while there is room.
#[derive(Debug)]
pub struct RecordLimit {
    cap: usize,
    used: AtomicUsize,
}

impl Default for RecordLimit {
    fn default() -> Self {
        RecordLimit::new(RUN_RECORD_LIMIT)
    }
}

impl RecordLimit {
    pub fn new(cap: usize) -> Self {
        RecordLimit {
            cap,
            used: AtomicUsize::new(0),
        }
    }

    /// Records an exchange's bodies against the limit, replacing those that do not fit.
    pub fn admit(&self, ex: &mut Exchange) {
        self.admit_body(&mut ex.request.body);
        if let Some(resp) = &mut ex.response {
            self.admit_body(&mut resp.body);
        }
    }

    fn admit_body(&self, body: &mut Option<Body>) {
        let Some(b) = body.as_ref() else { return };
        let cost = cost(b);
        let fits = self
            .used
            .fetch_update(Ordering::SeqCst, Ordering::SeqCst, |used| {
                used.checked_add(cost).filter(|total| *total <= self.cap)
            })
            .is_ok();
        if !fits {
            *body = Some(Body::Text(format!(
                "[{} bytes, not recorded: run record limit reached]",
                size(b)
            )));
        }
    }
}

/// The body's own size: its text, or its JSON written compactly.
fn size(b: &Body) -> usize {
    match b {
        Body::Text(t) => t.len(),
        Body::Json(v) => written_len(v, false),
    }
}

fn cost(b: &Body) -> usize {
    match b {
        Body::Text(t) => t.len(),
        Body::Json(v) => written_len(v, true).max(heap(v)),
    }
}

/// Counts what serde_json writes without keeping it.
#[derive(Default)]
struct Counter(usize);

impl std::io::Write for Counter {
    fn write(&mut self, buf: &[u8]) -> std::io::Result<usize> {
        self.0 += buf.len();
        Ok(buf.len())
    }
    fn flush(&mut self) -> std::io::Result<()> {
        Ok(())
    }
}

fn written_len(v: &Value, pretty: bool) -> usize {
    let mut c = Counter::default();
    let written = if pretty {
        serde_json::to_writer_pretty(&mut c, v)
    } else {
        serde_json::to_writer(&mut c, v)
    };
    written.map_or(usize::MAX, |()| c.0)
}

/// About what a parsed value takes in memory (depth is bounded: serde_json parses at most 128
/// levels, and suite bodies at most 64).
pub(super) fn heap(v: &Value) -> usize {
    const ENTRY: usize = size_of::<String>() + size_of::<usize>() * 2;
    size_of::<Value>()
        + match v {
            Value::String(s) => s.len(),
            Value::Array(a) => a.iter().map(heap).sum(),
            Value::Object(m) => m.iter().map(|(k, v)| ENTRY + k.len() + heap(v)).sum(),
            Value::Null | Value::Bool(_) | Value::Number(_) => 0,
        }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::http::{Headers, RecordedRequest, RecordedResponse};
    use serde_json::json;

    fn exchange(body: Body) -> Exchange {
        Exchange {
            request: RecordedRequest {
                method: "GET".into(),
                url: "http://x/Users".into(),
                headers: Headers::default(),
                body: None,
            },
            response: Some(RecordedResponse {
                status: 200,
                headers: Headers::default(),
                body: Some(body),
                truncated: false,
            }),
            duration_ms: 0,
            error: None,
            attempts: 1,
            closes: false,
        }
    }

    fn body(ex: &Exchange) -> &Body {
        ex.response.as_ref().and_then(|r| r.body.as_ref()).unwrap()
    }

    #[test]
    fn bodies_past_the_limit_become_placeholders_and_smaller_ones_still_fit() {
        let limit = RecordLimit::new(1000);
        let mut first = exchange(Body::Text("a".repeat(600)));
        limit.admit(&mut first);
        assert_eq!(body(&first), &Body::Text("a".repeat(600)));
        let mut second = exchange(Body::Text("b".repeat(600)));
        limit.admit(&mut second);
        assert_eq!(
            body(&second),
            &Body::Text("[600 bytes, not recorded: run record limit reached]".into())
        );
        let mut third = exchange(Body::Text("c".repeat(300)));
        limit.admit(&mut third);
        assert_eq!(body(&third), &Body::Text("c".repeat(300)));
    }

    #[test]
    fn a_scim_page_takes_a_few_times_its_size_parsed() {
        let user = json!({"schemas": ["urn:ietf:params:scim:schemas:core:2.0:User"],
            "id": "2819c223-7f76-453a-919d-413861904646", "userName": "bjensen@example.com",
            "name": {"givenName": "Barbara", "familyName": "Jensen"},
            "emails": [{"value": "bjensen@example.com", "type": "work", "primary": true}],
            "active": true, "meta": {"resourceType": "User",
            "location": "https://example.com/v2/Users/2819c223-7f76-453a-919d-413861904646"}});
        let page = json!({"schemas": ["urn:ietf:params:scim:api:messages:2.0:ListResponse"],
            "totalResults": 1000, "Resources": vec![user; 1000]});
        let (size, parsed) = (written_len(&page, false), heap(&page));
        assert!(
            parsed < size * 8,
            "{parsed} bytes parsed for {size} written"
        );
        eprintln!("{:.1}× parsed", parsed as f64 / size as f64);
    }

    #[test]
    fn json_costs_what_it_takes_parsed_or_indented() {
        // 2 000 empty objects: 6 KB written compactly, far more parsed and pretty-printed.
        let v = Value::Array(vec![json!({}); 2000]);
        let compact = written_len(&v, false);
        assert_eq!(compact, 2000 * 3 + 1);
        assert!(cost(&Body::Json(v.clone())) >= 2000 * size_of::<Value>());
        let limit = RecordLimit::new(20_000);
        let mut ex = exchange(Body::Json(v));
        limit.admit(&mut ex);
        assert_eq!(
            body(&ex),
            &Body::Text(format!(
                "[{compact} bytes, not recorded: run record limit reached]"
            ))
        );
    }
}
