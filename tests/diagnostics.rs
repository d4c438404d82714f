//! Loader diagnostics for broken suite files, as golden snapshots: each must name file:line:col
//! and say what was wrong.

use scimcheck::load::{Source, validate_sources};

fn diagnose(text: &str) -> String {
    let source = Source {
        name: "suites/broken.yaml".into(),
        text: text.into(),
    };
    match validate_sources(&[source]) {
        Ok(checks) => panic!(
            "expected a diagnostic, but {} check(s) loaded",
            checks.len()
        ),
        Err(e) => e.to_string(),
    }
}

const HEAD: &str =
    "- id: users.example.check\n  title: An example\n  level: MUST\n  spec: RFC 7644 §3.3\n";

#[test]
fn malformed_yaml() {
    insta::assert_snapshot!(diagnose(
        "- id: users.x.y\n  title: [unclosed\n  level: MUST\n"
    ));
}

#[test]
fn unknown_key_is_a_typo() {
    let text = format!(
        "{HEAD}  steps:\n    - request: {{method: GET, path: /Users}}\n      expect:\n        statuss: 200\n"
    );
    insta::assert_snapshot!(diagnose(&text));
}

#[test]
fn wrong_level() {
    let text = "- id: users.x.y\n  title: T\n  level: MUSTN'T\n  spec: RFC\n  steps:\n    - request: {method: GET, path: /Users}\n";
    insta::assert_snapshot!(diagnose(text));
}

#[test]
fn missing_required_key() {
    let text = "- id: users.x.y\n  level: MUST\n  spec: RFC\n  steps:\n    - request: {method: GET, path: /Users}\n";
    insta::assert_snapshot!(diagnose(text));
}

#[test]
fn bad_check_id() {
    let text = "- id: Users Create\n  title: T\n  level: MUST\n  spec: RFC\n  steps:\n    - request: {method: GET, path: /Users}\n";
    insta::assert_snapshot!(diagnose(text));
}

#[test]
fn duplicate_check_id() {
    let check = "- id: users.x.y\n  title: T\n  level: MUST\n  spec: RFC\n  steps:\n    - request: {method: GET, path: /Users}\n";
    insta::assert_snapshot!(diagnose(&format!("{check}{check}")));
}

#[test]
fn variable_never_captured() {
    let text = format!(
        "{HEAD}  steps:\n    - request: {{method: POST, path: /Users, body: {{userName: x}}}}\n      capture: {{user_id: /id}}\n    - request: {{method: GET, path: \"/Users/${{userid}}\"}}\n"
    );
    insta::assert_snapshot!(diagnose(&text));
}

#[test]
fn capture_source_is_not_a_pointer() {
    let text = format!(
        "{HEAD}  steps:\n    - request: {{method: GET, path: /Users}}\n      capture: {{total: totalResults}}\n"
    );
    insta::assert_snapshot!(diagnose(&text));
}

#[test]
fn unknown_schema_name() {
    let text = format!(
        "{HEAD}  steps:\n    - request: {{method: GET, path: /Users}}\n      expect: {{schema: Usr}}\n"
    );
    insta::assert_snapshot!(diagnose(&text));
}

#[test]
fn invalid_regex_and_unknown_builtin() {
    let text = format!(
        "{HEAD}  steps:\n    - request: {{method: GET, path: /Users}}\n      expect:\n        headers:\n          Content-Type: {{matches: \"(unclosed\"}}\n    - builtin: no-such-step\n"
    );
    insta::assert_snapshot!(diagnose(&text));
}

#[test]
fn every_builtin_suite_file_is_valid() {
    let catalog = scimcheck::load::load(None).expect("built-in suites load");
    assert!(
        catalog.checks.len() >= 45,
        "only {} built-in checks",
        catalog.checks.len()
    );
}

#[test]
fn readme_suite_example_is_valid() {
    let readme =
        std::fs::read_to_string(concat!(env!("CARGO_MANIFEST_DIR"), "/README.md")).unwrap();
    let section = readme
        .find("## Suite format")
        .expect("README has a suite format section");
    let start = section
        + readme[section..]
            .find("```yaml\n")
            .expect("README has a suite example")
        + "```yaml\n".len();
    let end = start + readme[start..].find("```").unwrap();
    let source = Source {
        name: "README.md".into(),
        text: readme[start..end].to_string(),
    };
    let checks = validate_sources(&[source])
        .unwrap_or_else(|e| panic!("the README example is invalid:\n{e}"));
    assert_eq!(checks.len(), 1);
}

#[test]
fn builtin_arguments_are_checked_at_load() {
    let text = format!(
        "{HEAD}  steps:\n    - builtin: page-walk\n      with:\n        filter: 'userName sw \"${{check.prefix}}-\"'\n        count: 0\n        idz: [a]\n    - builtin: bulk-over-max-payload\n      with: {{size: 2}}\n"
    );
    insta::assert_snapshot!(diagnose(&text));
}

#[test]
fn builtin_steps_take_no_expectations() {
    let text = format!(
        "{HEAD}  steps:\n    - builtin: resource-type-schemas-published\n      expect: {{status: 200}}\n"
    );
    insta::assert_snapshot!(diagnose(&text));
}

#[test]
fn templates_inside_bodies_point_at_their_own_line() {
    let text = format!(
        "{HEAD}  steps:\n    - request:\n        method: POST\n        path: /Users\n        body:\n          userName: \"${{unique.a}}\"\n          emails:\n            - value: \"${{mail}}\"\n"
    );
    insta::assert_snapshot!(diagnose(&text));
}

/// A file nested far deeper than any suite needs is a diagnostic, not a stack overflow, and the
/// one enormous source line is shown as a window around the caret.
#[test]
fn deep_nesting_is_refused_not_a_crash() {
    let deep = format!("{}x\n", "- ".repeat(30_000));
    let message = diagnose(&deep);
    assert!(
        message.starts_with("suites/broken.yaml:1:129: nested deeper than 64 levels"),
        "{message}"
    );
    assert!(message.len() < 1_000, "{} bytes", message.len());
    // The deepest nesting allowed still loads as far as the schema, which then says what is wrong.
    let allowed = format!("{}x\n", "- ".repeat(63));
    assert!(!diagnose(&allowed).contains("nested deeper"));
}

#[test]
fn unscoped_form_cannot_filter() {
    let text = format!(
        "{HEAD}  requires: [filter]\n  steps:\n    - request: {{method: GET, path: /Users, query: {{filter: 'userName eq \"a\"'}}}}\n  unscoped:\n    note: reads one page\n    steps:\n      - request: {{method: GET, path: /Users, query: {{filter: 'userName pr'}}}}\n"
    );
    insta::assert_snapshot!(diagnose(&text));
}

#[test]
fn unscoped_form_needs_a_scoped_check() {
    let text = format!(
        "{HEAD}  steps:\n    - request: {{method: GET, path: /Users}}\n  unscoped:\n    note: reads one page\n    steps:\n      - request: {{method: GET, path: /Users}}\n"
    );
    insta::assert_snapshot!(diagnose(&text));
}

#[test]
fn unscoped_form_steps_are_checked_like_steps() {
    let text = format!(
        "{HEAD}  requires: [filter]\n  steps:\n    - request: {{method: GET, path: /Users}}\n  unscoped:\n    note: reads one page\n    steps:\n      - request: {{method: GET, path: /Users}}\n        expect: {{statuss: 200}}\n"
    );
    insta::assert_snapshot!(diagnose(&text));
}

#[test]
fn read_only_form_sends_no_write() {
    let text = format!(
        "{HEAD}  steps:\n    - request: {{method: POST, path: /Users, body: {{userName: a}}}}\n  read_only:\n    note: reads one page\n    steps:\n      - request: {{method: GET, path: /Users}}\n      - request: {{method: DELETE, path: /Users/x}}\n"
    );
    insta::assert_snapshot!(diagnose(&text));
}
