//! Property tests: no input makes the parser, validator or evaluator panic, and printing a
//! filter then parsing the text gives the same tree.

use proptest::prelude::*;
use serde_json::{Number, json};

use super::*;
use crate::server::model::schema::user_type;

/// Fragments that filters are made of, so generated text often gets deep into the grammar.
const TOKENS: &[&str] = &[
    "(",
    ")",
    "[",
    "]",
    " ",
    "\"",
    "\\",
    "\"x\"",
    "\"\\\"\"",
    "'",
    "eq",
    "EQ",
    "ne",
    "co",
    "sw",
    "ew",
    "gt",
    "ge",
    "lt",
    "le",
    "pr",
    "and",
    "or",
    "not",
    "Not",
    "userName",
    "emails",
    "type",
    "value",
    "name.familyName",
    "meta.lastModified",
    "active",
    "urn:",
    ".",
    ":",
    "1",
    "-",
    "1.5e3",
    "true",
    "null",
    "é",
    "山",
    "$ref",
    "\u{0}",
    "\"2026-01-01T00:00:00+02:00\"",
    "urn:ietf:params:scim:schemas:extension:enterprise:2.0:User:employeeNumber",
];

fn view() -> serde_json::Value {
    json!({"id": "u1", "userName": "x", "active": true, "title": "",
           "name": {"familyName": "J"},
           "emails": [{"value": "a@b", "type": "work"}, {"value": "c@d"}],
           "meta": {"lastModified": "2026-01-01T00:00:00Z"}})
}

/// Runs the whole pipeline, under the RFC and under every deviation at once.
fn exercise(text: &str) {
    let every_fault = FilterPolicy {
        names_exact: true,
        operators_case_sensitive: true,
        case: CaseRule::NeverExact,
        co_as_eq: true,
        sw_as_co: true,
        ew_unsupported: true,
        ne_as_eq: true,
        and_looser_than_or: true,
        not_ignored: true,
        pr_counts_empty: true,
        datetime_as_string: true,
        cross_element: true,
        ..FilterPolicy::default()
    };
    for options in [FilterPolicy::default(), every_fault] {
        if let Ok(filter) = parse_with(text, &options) {
            let _ = validate_with(&filter, user_type(), &options);
            matches_with(&filter, &view(), user_type(), &options);
            let _ = filter.to_string();
        }
    }
}

fn path() -> impl Strategy<Value = AttrPath> + Clone {
    prop::sample::select(vec![
        "userName",
        "title",
        "name.familyName",
        "emails",
        "emails.value",
        "meta.lastModified",
        "urn:ietf:params:scim:schemas:core:2.0:User:userName",
        "urn:ietf:params:scim:schemas:extension:enterprise:2.0:User:manager.value",
    ])
    .prop_map(|p| AttrPath::parse(p).expect("valid path"))
}

fn value() -> impl Strategy<Value = CompValue> {
    prop_oneof![
        any::<String>().prop_map(CompValue::Str),
        any::<i64>().prop_map(|n| CompValue::Num(n.into())),
        any::<f64>()
            .prop_filter_map("finite", Number::from_f64)
            .prop_map(CompValue::Num),
        any::<bool>().prop_map(CompValue::Bool),
        Just(CompValue::Null),
    ]
}

fn comparison(path: impl Strategy<Value = AttrPath> + Clone) -> impl Strategy<Value = Filter> {
    prop_oneof![
        (
            path.clone(),
            prop::sample::select(CompareOp::ALL.to_vec()),
            value()
        )
            .prop_map(|(path, op, value)| Filter::Compare { path, op, value }),
        path.prop_map(Filter::Present),
    ]
}

/// Logical combinations of `leaf`, a few levels deep.
fn logic(leaf: BoxedStrategy<Filter>) -> impl Strategy<Value = Filter> {
    leaf.prop_recursive(4, 24, 2, |inner| {
        prop_oneof![
            (inner.clone(), inner.clone()).prop_map(|(l, r)| Filter::And(Box::new(l), Box::new(r))),
            (inner.clone(), inner.clone()).prop_map(|(l, r)| Filter::Or(Box::new(l), Box::new(r))),
            inner.prop_map(|f| Filter::Not(Box::new(f))),
        ]
    })
}

fn filter() -> impl Strategy<Value = Filter> {
    let element_path = prop::sample::select(vec!["type", "value", "primary"])
        .prop_map(|p| AttrPath::parse(p).expect("valid path"));
    let value_path = (
        prop::sample::select(vec!["emails", "addresses"]),
        logic(comparison(element_path).boxed()),
    )
        .prop_map(|(name, inner)| Filter::ValuePath {
            path: AttrPath::parse(name).expect("valid path"),
            filter: Box::new(inner),
        });
    logic(prop_oneof![3 => comparison(path()), 1 => value_path].boxed())
}

proptest! {
    #![proptest_config(ProptestConfig::with_cases(2048))]

    #[test]
    fn arbitrary_text_never_panics(text in any::<String>()) {
        exercise(&text);
    }

    #[test]
    fn token_soup_never_panics(parts in prop::collection::vec(prop::sample::select(TOKENS), 0..24)) {
        exercise(&parts.concat());
        exercise(&parts.join(" "));
    }

    #[test]
    fn printing_then_parsing_round_trips(filter in filter()) {
        let text = filter.to_string();
        prop_assert_eq!(parse(&text), Ok(filter.clone()), "{}", text);
        exercise(&text);
    }
}
