//! The RateLimit header fields of the IETF draft (draft-ietf-httpapi-ratelimit-headers), judged
//! as Structured Fields (RFC 9651). The draft changed shape while gateways shipped it, so each
//! field is taken in every shape a published revision gave it: `RateLimit-Limit`,
//! `-Remaining`, `-Reset` (revisions 00–06), `RateLimit` as a Dictionary (07) or a List of
//! policy items (08 on), `RateLimit-Policy` with Integer (05–07) or String items (08 on).

use crate::http::Headers;
use sfv::{BareItem, Dictionary, List, ListEntry, Parameters, Parser};

/// The fields this module judges, as their names are written in the drafts.
pub const NAMES: [&str; 5] = [
    "RateLimit",
    "RateLimit-Policy",
    "RateLimit-Limit",
    "RateLimit-Remaining",
    "RateLimit-Reset",
];

/// The RateLimit fields an answer carries, each as `(name, value)` with repeated lines joined.
pub fn present(headers: &Headers) -> Vec<(&'static str, String)> {
    NAMES
        .iter()
        .filter_map(|name| headers.get(name).map(|v| (*name, v)))
        .collect()
}

/// What is wrong with one field's value, or `None` when some revision of the draft accepts it.
pub fn problem(name: &str, value: &str) -> Option<String> {
    let verdict = match name {
        "RateLimit" => ratelimit(value),
        "RateLimit-Policy" => policy(value),
        "RateLimit-Limit" => list_of(value, |item, _| non_negative(item, "the limit")),
        _ => integer_item(value),
    };
    verdict.err()
}

type Verdict = Result<(), String>;

fn non_negative(item: &BareItem, what: &str) -> Verdict {
    match item.as_integer().map(i64::from) {
        Some(n) if n >= 0 => Ok(()),
        Some(n) => Err(format!("{what} is {n}, not a non-negative Integer")),
        None => Err(format!("{what} is {}, not an Integer", shown(item))),
    }
}

fn positive(item: &BareItem, what: &str) -> Verdict {
    match item.as_integer().map(i64::from) {
        Some(n) if n > 0 => Ok(()),
        _ => Err(format!("{what} is {}, not a positive Integer", shown(item))),
    }
}

/// A bare item as it would be written in the field.
fn shown(item: &BareItem) -> String {
    sfv::ItemSerializer::new().bare_item(item).finish()
}

/// `RateLimit-Remaining` and `RateLimit-Reset`: one non-negative Integer.
fn integer_item(value: &str) -> Verdict {
    let item: sfv::Item = Parser::new(value)
        .parse()
        .map_err(|e| format!("not a Structured Field Item: {e}"))?;
    non_negative(&item.bare_item, "the value")
}

/// A List whose every member is an Item that `judge` accepts.
fn list_of(value: &str, judge: impl Fn(&BareItem, &Parameters) -> Verdict) -> Verdict {
    let list: List = Parser::new(value)
        .parse()
        .map_err(|e| format!("not a Structured Field List: {e}"))?;
    if list.is_empty() {
        return Err("an empty List".into());
    }
    for entry in &list {
        match entry {
            ListEntry::Item(item) => judge(&item.bare_item, &item.params)?,
            ListEntry::InnerList(_) => return Err("an inner list where an Item belongs".into()),
        }
    }
    Ok(())
}

fn param<'p>(params: &'p Parameters, key: &str) -> Option<&'p BareItem> {
    params
        .iter()
        .find(|(k, _)| k.as_str() == key)
        .map(|(_, v)| v)
}

/// The partition key, where given, is a Byte Sequence (revision 08 on, §3.1.4 and §4.1.3).
fn partition_key(params: &Parameters) -> Verdict {
    match param(params, "pk") {
        Some(pk) if pk.as_byte_sequence().is_none() => Err(format!(
            "pk is {}, not a Byte Sequence (:base64:)",
            shown(pk)
        )),
        _ => Ok(()),
    }
}

/// `RateLimit`: a List of service-limit items, each a String naming a policy with a required
/// non-negative `r` and an optional non-negative `t` (08 on); or a Dictionary of `limit`,
/// `remaining` and `reset` Integers (07).
fn ratelimit(value: &str) -> Verdict {
    let as_list = list_of(value, |item, params| {
        if item.as_string().is_none() {
            return Err(format!(
                "the item {} is not a String naming a policy",
                shown(item)
            ));
        }
        match param(params, "r") {
            Some(r) => non_negative(r, "r (remaining)")?,
            None => return Err("the required r (remaining) parameter is missing".into()),
        }
        if let Some(t) = param(params, "t") {
            non_negative(t, "t (reset)")?;
        }
        partition_key(params)
    });
    let Err(list_problem) = as_list else {
        return Ok(());
    };
    let Ok(dictionary) = Parser::new(value).parse::<Dictionary>() else {
        return Err(list_problem);
    };
    let known = ["limit", "remaining", "reset"];
    if !dictionary.keys().any(|k| known.contains(&k.as_str())) {
        return Err(list_problem);
    }
    for (key, member) in &dictionary {
        if !known.contains(&key.as_str()) {
            continue;
        }
        match member {
            ListEntry::Item(item) => non_negative(&item.bare_item, key.as_str())?,
            ListEntry::InnerList(_) => return Err(format!("{} is an inner list", key.as_str())),
        }
    }
    Ok(())
}

/// `RateLimit-Policy`: a non-empty List of quota-policy items, each a String with a required
/// non-negative `q`, a String `qu`, a positive `w` (08 on); or Integer quotas with a `w` (05–07).
fn policy(value: &str) -> Verdict {
    list_of(value, |item, params| {
        if let Some(w) = param(params, "w") {
            positive(w, "w (window)")?;
        }
        if item.as_integer().is_some() {
            return non_negative(item, "the quota");
        }
        if item.as_string().is_none() {
            return Err(format!(
                "the item {} is neither a String naming a policy nor an Integer quota",
                shown(item)
            ));
        }
        match param(params, "q") {
            Some(q) => non_negative(q, "q (quota)")?,
            None => return Err("the required q (quota) parameter is missing".into()),
        }
        if let Some(qu) = param(params, "qu") {
            if qu.as_string().is_none() {
                return Err(format!("qu is {}, not a String", shown(qu)));
            }
        }
        partition_key(params)
    })
}

#[cfg(test)]
mod tests {
    use super::problem;

    #[test]
    fn every_revisions_examples_are_accepted() {
        let good = [
            ("RateLimit", r#""default";r=50;t=30"#),
            ("RateLimit", r#""default";r=999;pk=:dHJpYWwxMjEzMjM=:"#),
            ("RateLimit", r#""permin";r=0;t=12, "perhr";r=700"#),
            ("RateLimit", "limit=100, remaining=50, reset=30"),
            (
                "RateLimit-Policy",
                r#""burst";q=100;w=60,"daily";q=1000;w=86400"#,
            ),
            (
                "RateLimit-Policy",
                r#""peruser";q=65535;qu="content-bytes";w=10;pk=:sdfjLJUOUH==:"#,
            ),
            ("RateLimit-Policy", "100;w=60"),
            ("RateLimit-Policy", "10;w=1, 50;w=60;comment=\"sliding\""),
            ("RateLimit-Limit", "100"),
            ("RateLimit-Limit", "10, 10;w=1, 50;w=60"),
            ("RateLimit-Remaining", "0"),
            ("RateLimit-Reset", "30"),
        ];
        for (name, value) in good {
            assert_eq!(problem(name, value), None, "{name}: {value}");
        }
    }

    #[test]
    fn malformed_values_are_named() {
        let bad = [
            ("RateLimit", r#""default";t=1.5"#, "r (remaining)"),
            ("RateLimit", r#""default";r=-1"#, "-1"),
            ("RateLimit", "remaining 5", "List"),
            ("RateLimit", "limit=100, remaining=fifty", "remaining"),
            ("RateLimit-Policy", r#""default";w=60"#, "q (quota)"),
            ("RateLimit-Policy", r#""default";q=100;w=0"#, "w (window)"),
            ("RateLimit-Policy", "20 per second", "List"),
            ("RateLimit-Policy", r#""p";q=1;pk="user""#, "Byte Sequence"),
            ("RateLimit-Remaining", "1.5", "Integer"),
            ("RateLimit-Reset", "Wed, 21 Oct 2015 07:28:00 GMT", "Item"),
            ("RateLimit-Limit", "", "List"),
        ];
        for (name, value, says) in bad {
            let said = problem(name, value).unwrap_or_default();
            assert!(said.contains(says), "{name}: {value} -> {said:?}");
        }
    }
}
