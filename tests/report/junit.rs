//! junit.xml, read back as XML: one testsuite per area, counts that add up, failure vs error vs
//! skipped kept apart, transcripts in system-out; and valid against fixtures/junit.xsd.

use super::{canned, result, validate_with_xmllint};
use quick_xml::XmlVersion;
use quick_xml::events::{BytesStart, Event};
use scimcheck::outcome::{Finding, FindingKind, Role, StepOutcome};
use scimcheck::report::write_junit;
use scimcheck::run::RunReport;
use scimcheck::suite::Level;
use std::collections::BTreeMap;

#[derive(Debug, Default)]
struct Case {
    name: String,
    classname: String,
    /// failure / error / skipped, with its message and type attributes.
    outcome: Option<(String, String, String)>,
    system_out: String,
}

#[derive(Debug, Default)]
struct Suite {
    attrs: BTreeMap<String, String>,
    properties: BTreeMap<String, String>,
    cases: Vec<Case>,
}

fn attrs(e: &BytesStart) -> BTreeMap<String, String> {
    e.attributes()
        .map(|a| {
            let a = a.unwrap();
            let key = String::from_utf8(a.key.as_ref().to_vec()).unwrap();
            (
                key,
                a.normalized_value(XmlVersion::Explicit1_0)
                    .unwrap()
                    .into_owned(),
            )
        })
        .collect()
}

/// A small reader for the shape quick-junit writes.
fn parse(xml: &str) -> Vec<Suite> {
    let mut reader = quick_xml::Reader::from_str(xml);
    let mut suites: Vec<Suite> = Vec::new();
    let mut in_system_out = false;
    loop {
        let event = reader.read_event().unwrap();
        let (e, empty) = match &event {
            Event::Start(e) => (e, false),
            Event::Empty(e) => (e, true),
            Event::Text(t) if in_system_out => {
                let case = suites.last_mut().unwrap().cases.last_mut().unwrap();
                case.system_out.push_str(&t.decode().unwrap());
                continue;
            }
            Event::GeneralRef(r) if in_system_out => {
                let case = suites.last_mut().unwrap().cases.last_mut().unwrap();
                let text = match r.decode().unwrap().as_ref() {
                    "lt" => "<",
                    "gt" => ">",
                    "amp" => "&",
                    "quot" => "\"",
                    "apos" => "'",
                    other => panic!("unexpected entity {other}"),
                };
                case.system_out.push_str(text);
                continue;
            }
            Event::End(e) => {
                if e.name().as_ref() == b"system-out" {
                    in_system_out = false;
                }
                continue;
            }
            Event::Eof => break,
            _ => continue,
        };
        let a = attrs(e);
        match e.name().as_ref() {
            b"testsuite" => suites.push(Suite {
                attrs: a,
                ..Suite::default()
            }),
            b"property" => {
                let s = suites.last_mut().unwrap();
                s.properties.insert(a["name"].clone(), a["value"].clone());
            }
            b"testcase" => suites.last_mut().unwrap().cases.push(Case {
                name: a["name"].clone(),
                classname: a["classname"].clone(),
                ..Case::default()
            }),
            tag @ (b"failure" | b"error" | b"skipped") => {
                let case = suites.last_mut().unwrap().cases.last_mut().unwrap();
                assert!(case.outcome.is_none(), "{}: two outcomes", case.name);
                case.outcome = Some((
                    String::from_utf8(tag.to_vec()).unwrap(),
                    a.get("message").cloned().unwrap_or_default(),
                    a.get("type").cloned().unwrap_or_default(),
                ));
            }
            b"system-out" if !empty => in_system_out = true,
            _ => {}
        }
    }
    suites
}

/// The canned report plus a second area, so suites per area show.
fn two_areas() -> RunReport {
    let mut report = canned();
    let mut failing = StepOutcome {
        index: 1,
        role: Role::Act,
        exchanges: vec![],
        findings: vec![Finding::new(
            FindingKind::Body,
            None,
            "a JSON body",
            "an empty body",
        )],
        error: None,
        judged: None,
    };
    report.results.push(result(
        "discovery.spc.is-json",
        Level::Should,
        vec![failing.clone()],
        vec![],
    ));
    failing.findings.clear();
    report.results.push(result(
        "discovery.spc.has-schemas",
        Level::Must,
        vec![failing],
        vec![],
    ));
    report.summary = RunReport::summarize(&report.results);
    report
}

fn render(report: &RunReport) -> Vec<u8> {
    let mut out = Vec::new();
    write_junit(report, &mut out).unwrap();
    out
}

#[test]
fn one_suite_per_area_with_counts_and_outcomes_apart() {
    let xml = render(&two_areas());
    let suites = parse(std::str::from_utf8(&xml).unwrap());
    let names: Vec<&str> = suites.iter().map(|s| s.attrs["name"].as_str()).collect();
    assert_eq!(names, ["users", "discovery"]);
    let users = &suites[0];
    for (attr, n) in [("tests", 4), ("failures", 1), ("errors", 1), ("skipped", 1)] {
        assert_eq!(users.attrs[attr], n.to_string(), "users {attr}");
    }
    assert_eq!(suites[1].attrs["tests"], "2");
    assert_eq!(suites[1].attrs["failures"], "1");
    assert_eq!(suites[1].attrs["errors"], "0");
    assert_eq!(users.properties["target"], "http://127.0.0.1:8080/scim/v2");
    assert_eq!(users.properties["tool.version"], "0.0.0-test");

    let by_name: BTreeMap<&str, &Case> = users.cases.iter().map(|c| (c.name.as_str(), c)).collect();
    assert!(users.cases.iter().all(|c| c.classname == "users"));
    assert_eq!(by_name["users.create.returns-201-with-id"].outcome, None);
    let failed = by_name["users.create.location-header-matches-meta"];
    assert_eq!(
        failed.outcome,
        Some((
            "failure".into(),
            "capture location: expected header:Location present, got absent".into(),
            "MUST".into()
        ))
    );
    assert!(
        failed
            .system_out
            .starts_with("> POST http://127.0.0.1:8080/scim/v2/Users\n"),
        "{}",
        failed.system_out
    );
    assert!(
        failed.system_out.contains("< 201\n"),
        "{}",
        failed.system_out
    );
    let errored = by_name["users.get.returns-resource"];
    assert_eq!(
        errored
            .outcome
            .as_ref()
            .map(|o| (o.0.as_str(), o.1.as_str())),
        Some(("error", "timed out after 30s"))
    );
    let skipped = by_name["users.patch.replace-with-path"];
    assert_eq!(
        skipped
            .outcome
            .as_ref()
            .map(|o| (o.0.as_str(), o.1.as_str())),
        Some((
            "skipped",
            "the server does not advertise patch.supported in /ServiceProviderConfig"
        ))
    );
    validate_with_xmllint(&xml);
}

#[test]
fn a_real_run_validates() {
    let report = super::real_run();
    let xml = render(&report);
    let suites = parse(std::str::from_utf8(&xml).unwrap());
    assert_eq!(suites.len(), 1);
    assert_eq!(suites[0].attrs["failures"], "1");
    validate_with_xmllint(&xml);
}
