//! Golden example reports from a real run against the reference server with one fault
//! (`no-location-header`), volatile values redacted by `report::stable_report`. The snapshots live
//! in reports/examples/ so users can see what each format looks like.

use super::real_run;
use scimcheck::report::{render_html, render_markdown, stable_report, write_json, write_junit};

fn examples(f: impl FnOnce()) {
    insta::with_settings!({
        snapshot_path => concat!(env!("CARGO_MANIFEST_DIR"), "/reports/examples"),
        prepend_module_to_snapshot => false,
        omit_expression => true,
    }, { f() });
}

fn json(report: &scimcheck::run::RunReport) -> String {
    let mut out = Vec::new();
    write_json(report, &mut out).unwrap();
    String::from_utf8(out).unwrap()
}

#[test]
fn two_runs_redact_to_the_same_report() {
    let (a, b) = (stable_report(&real_run()), stable_report(&real_run()));
    assert_eq!(json(&a), json(&b));
}

#[test]
fn golden_examples() {
    let report = stable_report(&real_run());
    let mut junit = Vec::new();
    write_junit(&report, &mut junit).unwrap();
    let files = [
        "report.json".to_string(),
        "junit.xml".to_string(),
        "report.html".to_string(),
    ];
    examples(|| {
        insta::assert_snapshot!("report.json", json(&report));
        insta::assert_snapshot!("junit.xml", String::from_utf8(junit).unwrap());
        insta::assert_snapshot!("summary.md", render_markdown(&report, &files));
        insta::assert_snapshot!("report.html", render_html(&report).unwrap());
    });
}

/// report.json of a real run (and the canned one) satisfies reports/report.schema.json, the
/// published contract of the file.
#[test]
fn report_json_satisfies_its_schema() {
    let schema: serde_json::Value =
        serde_json::from_str(include_str!("../../reports/report.schema.json")).unwrap();
    let validator = jsonschema::validator_for(&schema).unwrap();
    for report in [real_run(), super::canned()] {
        let value: serde_json::Value = serde_json::from_str(&json(&report)).unwrap();
        let errors: Vec<String> = validator
            .iter_errors(&value)
            .take(5)
            .map(|e| format!("{} at {}", e, e.instance_path()))
            .collect();
        assert!(
            errors.is_empty(),
            "report.json breaks its schema: {errors:?}"
        );
    }
    // The schema is not a rubber stamp: a status outside the contract is refused.
    let mut broken: serde_json::Value = serde_json::from_str(&json(&super::canned())).unwrap();
    broken["results"][0]["status"] = "warning".into();
    assert!(!validator.is_valid(&broken));
}
