//! Root causes: checks that did not pass for the same reason — one request shape answered the
//! same way — grouped, so a server refusing every create shows one cause, not 186 failures.
//! Pure: every reporter calls it on the results it renders.

use super::{CheckResult, FindingKind, Status};
use serde::Serialize;
use std::sync::LazyLock;

/// One reason shared by checks that failed, were blocked or errored.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct RootCause {
    /// What every format prints: `POST /Users answered 400 invalidValue: "name.familyName is
    /// required"`.
    pub summary: String,
    pub method: String,
    /// Relative to the base URL, ids and run values replaced by placeholders, no query.
    pub path: String,
    /// `None`: the request got no response.
    pub status: Option<u16>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub scim_type: Option<String>,
    /// The server's detail with ids and run values replaced by placeholders.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub detail: Option<String>,
    pub failed: usize,
    pub blocked: usize,
    pub errored: usize,
    /// The checks, in run order.
    pub checks: Vec<String>,
    /// What groups results: the summary, plus the check id when the answer is about a value
    /// the check itself asserted (two checks expecting different things of a 200 are not one
    /// cause).
    #[serde(skip)]
    key: String,
}

impl RootCause {
    pub fn count(&self) -> usize {
        self.checks.len()
    }

    /// `186 checks blocked`, `3 checks failed, 2 blocked`.
    pub fn tally(&self) -> String {
        let parts: Vec<String> = [
            (self.failed, "failed"),
            (self.blocked, "blocked"),
            (self.errored, "errored"),
        ]
        .into_iter()
        .filter(|(n, _)| *n > 0)
        .map(|(n, w)| format!("{n} {w}"))
        .collect();
        let noun = if self.count() == 1 { "check" } else { "checks" };
        match parts.as_slice() {
            [only] => {
                let word = only.split_once(' ').map_or("", |x| x.1);
                format!("{} {noun} {word}", self.count())
            }
            _ => format!("{} {noun}: {}", self.count(), parts.join(", ")),
        }
    }
}

/// Groups the failed, blocked and errored results by the request their deciding step was judged
/// on and the way it was answered; the largest group first, then in order of first appearance.
/// `target` is the report's target: its base URL is stripped from request URLs.
pub fn root_causes(results: &[CheckResult], target: &str) -> Vec<RootCause> {
    // The embedded server's target says so after the URL.
    let base_url = target.split_whitespace().next().unwrap_or_default();
    let mut causes: Vec<RootCause> = Vec::new();
    for r in results {
        if !matches!(r.status, Status::Failed | Status::Blocked | Status::Errored) {
            continue;
        }
        let Some(cause) = cause_of(r, base_url) else {
            continue;
        };
        let group = match causes.iter_mut().find(|c| same(c, &cause)) {
            Some(g) => g,
            None => {
                causes.push(cause);
                causes.last_mut().expect("just pushed")
            }
        };
        match r.status {
            Status::Failed => group.failed += 1,
            Status::Blocked => group.blocked += 1,
            _ => group.errored += 1,
        }
        group.checks.push(r.id.clone());
    }
    // Stable: equal counts keep their order of first appearance.
    causes.sort_by_key(|c| std::cmp::Reverse(c.count()));
    causes
}

fn same(a: &RootCause, b: &RootCause) -> bool {
    a.key == b.key
}

/// The cause of one result that did not pass, from its deciding step's judged exchange.
fn cause_of(r: &CheckResult, base_url: &str) -> Option<RootCause> {
    let Some(step) = r.deciding_step() else {
        // Never sent (the run gave up on the server): the reason is the cause.
        return (!r.message.is_empty()).then(|| RootCause {
            summary: placeholder_text(&r.message, None),
            method: String::new(),
            path: String::new(),
            status: None,
            scim_type: None,
            detail: None,
            failed: 0,
            blocked: 0,
            errored: 0,
            checks: Vec::new(),
            key: r.message.clone(),
        });
    };
    let ex = step.judged_exchange().and_then(|i| r.exchanges.get(i));
    let (method, path, id) = match ex {
        Some(ex) => {
            let (path, id) = placeholder_path(&ex.request.url, base_url);
            (ex.request.method.to_string(), path, id)
        }
        None => (String::new(), String::new(), None),
    };
    let clean = |t: &str| placeholder_text(t, id.as_deref());
    let status = ex.and_then(|e| e.response.as_ref()).map(|resp| resp.status);
    let status_finding = step.findings.iter().find(|f| f.kind == FindingKind::Status);
    // The most basic finding: a body that is not JSON explains every finding on its values.
    let first = step
        .findings
        .iter()
        .find(|f| f.kind == FindingKind::Body && f.target.is_none())
        .or(step.findings.first());
    let (scim_type, detail, what) = match (&step.error, status_finding, first) {
        (Some(e), _, _) => (None, None, clean(&e.to_string())),
        (None, Some(f), _) => (
            f.scim_type.clone(),
            f.server_detail.as_deref().map(clean),
            String::new(),
        ),
        // Not the status: what the step looked at and expected (the actual values differ per
        // check and would split one cause into many).
        // A fixture refusal's reason is the cause itself.
        (None, None, Some(f)) if f.kind == FindingKind::Fixture => {
            (None, None, clean(&format!("{}: {}", f.subject(), f.actual)))
        }
        (None, None, Some(f)) => (
            f.scim_type.clone(),
            f.server_detail.as_deref().map(clean),
            clean(&format!("{}: expected {}", f.subject(), f.expected)),
        ),
        (None, None, None) => (None, None, String::new()),
    };
    let mut summary = if method.is_empty() {
        format!("step {}", step.index)
    } else {
        format!("{method} {path}")
    };
    match status {
        Some(s) => summary.push_str(&format!(" answered {s}")),
        None if ex.is_some() => summary.push_str(" got no answer"),
        None => {}
    }
    let words = match (&scim_type, &detail) {
        (Some(t), Some(d)) => format!("{t}: \"{d}\""),
        (Some(t), None) => t.clone(),
        (None, Some(d)) => format!("\"{d}\""),
        (None, None) => String::new(),
    };
    if !words.is_empty() {
        summary.push(' ');
        summary.push_str(&words);
    }
    if !what.is_empty() {
        summary.push_str(if words.is_empty() { ": " } else { "; " });
        summary.push_str(&what);
    }
    // A refusal, a missing or unreadable body, a capture that found nothing, no answer: the
    // server's answer itself, which many checks can share. A value the check asserted: its own.
    let shared = step.error.is_some()
        || first.is_none_or(|f| {
            matches!(
                (f.kind, &f.target),
                (
                    FindingKind::Status
                        | FindingKind::Capture
                        | FindingKind::Safety
                        | FindingKind::Fixture,
                    _
                ) | (FindingKind::Body, None)
            )
        });
    let key = if shared {
        summary.clone()
    } else {
        format!("{summary}\u{0}{}", r.id)
    };
    Some(RootCause {
        key,
        summary,
        method,
        path,
        status,
        scim_type,
        detail,
        failed: 0,
        blocked: 0,
        errored: 0,
        checks: Vec::new(),
    })
}

/// The request path relative to the base URL, without its query, the resource id after the
/// endpoint replaced by `{id}` (`/Users/{id}`, `/Users/.search` kept); and that id. A URL
/// outside the base (a token endpoint) keeps its path: it names no resource.
fn placeholder_path(url: &str, base_url: &str) -> (String, Option<String>) {
    let base = base_url.trim_end_matches('/');
    let (rest, resource) = match url.strip_prefix(base) {
        Some(rest) if !base.is_empty() => (rest, true),
        // Not under the base URL: the path after the authority.
        _ => (
            url.split_once("://")
                .and_then(|(_, r)| r.find('/').map(|i| &r[i..]))
                .unwrap_or(url),
            false,
        ),
    };
    let path = rest.split(['?', '#']).next().unwrap_or_default();
    let mut id = None;
    let segments: Vec<String> = path
        .split('/')
        .enumerate()
        .map(|(i, seg)| {
            if resource && i == 2 && !seg.is_empty() && !seg.starts_with('.') {
                id = Some(
                    percent_encoding::percent_decode_str(seg)
                        .decode_utf8_lossy()
                        .into_owned(),
                );
                "{id}".to_string()
            } else {
                placeholder_text(seg, None)
            }
        })
        .collect();
    (segments.join("/"), id)
}

/// Text with this run's unique values (`scimcheck-<run>-<check>`), UUIDs and the given id
/// replaced by placeholders, so the same refusal of different checks reads the same.
fn placeholder_text(text: &str, id: Option<&str>) -> String {
    static UNIQUE: LazyLock<regex::Regex> = LazyLock::new(|| {
        regex::Regex::new(r"(?i)scimcheck-[0-9a-z]+-[0-9]+(?:-[a-z0-9._@+-]*)?").expect("valid")
    });
    static UUID: LazyLock<regex::Regex> = LazyLock::new(|| {
        regex::Regex::new(r"(?i)\b[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}\b")
            .expect("valid")
    });
    let mut out = text.to_string();
    if let Some(id) = id.filter(|id| id.len() >= 3) {
        out = out.replace(id, "{id}");
    }
    let out = UNIQUE.replace_all(&out, "{unique}");
    UUID.replace_all(&out, "{id}").into_owned()
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::http::Exchange;
    use crate::outcome::{Finding, Role, StepOutcome};
    use crate::suite::Level;

    fn result(id: &str, status: Status, url: &str, code: u16, detail: &str) -> CheckResult {
        let mut r = CheckResult::for_tests(id, Level::Must, status);
        let mut f = Finding::status("201", code.to_string());
        f.scim_type = Some("invalidValue".into());
        f.server_detail = Some(detail.into());
        r.steps = vec![StepOutcome {
            index: 1,
            role: if status == Status::Blocked {
                Role::Setup
            } else {
                Role::Act
            },
            exchanges: vec![0],
            findings: vec![f],
            error: None,
            judged: Some(0),
        }];
        r.exchanges = vec![Exchange::for_tests("POST", url, Some(code))];
        r
    }

    #[test]
    fn one_refusal_of_many_checks_is_one_cause() {
        let base = "http://h/scim/v2";
        let results = vec![
            result(
                "a.one",
                Status::Blocked,
                "http://h/scim/v2/Users",
                400,
                "scimcheck-ab12-3-u1@example.com: name.familyName is required",
            ),
            result(
                "a.two",
                Status::Blocked,
                "http://h/scim/v2/Users",
                400,
                "scimcheck-ab12-9-u2@example.com: name.familyName is required",
            ),
            result(
                "a.three",
                Status::Failed,
                "http://h/scim/v2/Users",
                400,
                "scimcheck-ab12-4-x@example.com: name.familyName is required",
            ),
            result(
                "b.other",
                Status::Failed,
                "http://h/scim/v2/Groups/5f0c2a9e-1b7d-4c8e-9a3b-2d1e0f4a6b7c",
                409,
                "group 5f0c2a9e-1b7d-4c8e-9a3b-2d1e0f4a6b7c is locked",
            ),
            CheckResult::for_tests("c.ok", Level::Must, Status::Passed),
        ];
        let causes = root_causes(&results, base);
        assert_eq!(causes.len(), 2);
        assert_eq!(
            causes[0].summary,
            "POST /Users answered 400 invalidValue: \"{unique}: name.familyName is required\""
        );
        assert_eq!(causes[0].checks, ["a.one", "a.two", "a.three"]);
        assert_eq!((causes[0].failed, causes[0].blocked), (1, 2));
        assert_eq!(causes[0].tally(), "3 checks: 1 failed, 2 blocked");
        assert_eq!(causes[1].path, "/Groups/{id}");
        assert_eq!(
            causes[1].summary,
            "POST /Groups/{id} answered 409 invalidValue: \"group {id} is locked\""
        );
        assert_eq!(causes[1].tally(), "1 check failed");
    }

    #[test]
    fn values_two_checks_asserted_are_not_one_cause() {
        let body = |id: &str| {
            let mut r = result(id, Status::Failed, "http://h/scim/v2/Groups/g1", 200, "");
            r.steps[0].findings = vec![Finding::at(
                FindingKind::Body,
                "/members",
                "length 1",
                "length 2",
            )];
            r
        };
        let causes = root_causes(&[body("a.one"), body("a.two")], "http://h/scim/v2");
        assert_eq!(causes.len(), 2);
        assert_eq!(causes[0].summary, causes[1].summary);
    }

    #[test]
    fn a_url_outside_the_base_keeps_its_path() {
        let base = "http://h/scim/v2";
        assert_eq!(
            super::placeholder_path("http://h/oauth/token", base),
            ("/oauth/token".to_string(), None)
        );
        assert_eq!(
            super::placeholder_path("http://h/scim/v2/Users/u1?x=1", base),
            ("/Users/{id}".to_string(), Some("u1".to_string()))
        );
    }
}
