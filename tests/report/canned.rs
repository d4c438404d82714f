//! The terminal summary, report.json, junit.xml and summary.md rendered from a canned RunReport,
//! as golden snapshots.

use super::canned;
use scimcheck::report::{render_markdown, render_terminal, write_json, write_junit};
use scimcheck::run::Summary;
use serde_json::json;

#[test]
fn terminal_summary() {
    insta::assert_snapshot!(render_terminal(&canned(), false));
}

#[test]
fn report_json() {
    let mut out = Vec::new();
    write_json(&canned(), &mut out).unwrap();
    let text = String::from_utf8(out).unwrap();
    let value: serde_json::Value = serde_json::from_str(&text).unwrap();
    assert_eq!(
        value["summary"],
        json!(Summary {
            total: 4,
            passed: 1,
            failed: 1,
            skipped: 1,
            errored: 1,
            blocked: 0,
            safety: 0
        })
    );
    insta::assert_snapshot!(text);
}

#[test]
fn junit_xml() {
    let mut out = Vec::new();
    write_junit(&canned(), &mut out).unwrap();
    insta::assert_snapshot!(String::from_utf8(out).unwrap());
}

#[test]
fn summary_md() {
    let files = ["report.json".to_string(), "junit.xml".to_string()];
    insta::assert_snapshot!(render_markdown(&canned(), &files));
}

#[test]
fn summary_md_lists_at_most_fifty() {
    use scimcheck::report::MAX_LISTED;
    let mut report = canned();
    let failed = report.results[1].clone();
    report.results = (0..MAX_LISTED + 7)
        .map(|i| {
            let mut r = failed.clone();
            r.id = format!("users.many.check-{i}");
            r
        })
        .collect();
    report.summary = scimcheck::run::RunReport::summarize(&report.results);
    let md = render_markdown(&report, &[]);
    assert_eq!(
        md.lines().filter(|l| l.starts_with("- **MUST**")).count(),
        MAX_LISTED
    );
    assert!(md.contains("\n- and 7 more\n"), "{md}");
    assert!(!md.contains("> POST"), "no transcripts in the summary");
}

#[test]
fn html_is_self_contained_and_holds_the_transcript() {
    let html = scimcheck::report::render_html(&canned()).unwrap();
    // The template engine escapes `/` too; read the text as a browser would.
    let text = html.replace("&#x2f;", "/");
    for external in ["<script src", "<link ", "@import", "https://cdn", "<img "] {
        assert!(
            !text.contains(external),
            "report.html must not load anything: found {external}"
        );
    }
    assert!(text.contains("id=\"check-users.create.location-header-matches-meta\""));
    assert!(
        text.contains("POST http://127.0.0.1:8080/scim/v2/Users → 201"),
        "the request line of the failing exchange"
    );
    assert!(
        text.contains("&quot;password&quot;: &quot;[redacted]&quot;"),
        "bodies are escaped and stay redacted"
    );
    insta::assert_snapshot!(html);
}
