//! JSON Pointer (RFC 6901) with one extension: a `*` segment stands for every element of an array.

use serde_json::Value;

fn unescape(seg: &str) -> String {
    seg.replace("~1", "/").replace("~0", "~")
}

/// Resolves `pointer` in `root`. Each result is a concrete pointer and the value there, or
/// `None` when nothing is there. A `*` over an empty array yields no results at all.
pub fn resolve<'v>(root: &'v Value, pointer: &str) -> Vec<(String, Option<&'v Value>)> {
    if pointer.is_empty() {
        return vec![(String::new(), Some(root))];
    }
    let segments: Vec<String> = pointer.split('/').skip(1).map(unescape).collect();
    let mut current: Vec<(String, Option<&'v Value>)> = vec![(String::new(), Some(root))];
    for seg in &segments {
        let mut next = Vec::new();
        for (path, value) in current {
            match (value, seg.as_str()) {
                (Some(Value::Array(items)), "*") => {
                    next.extend(
                        items
                            .iter()
                            .enumerate()
                            .map(|(i, v)| (format!("{path}/{i}"), Some(v))),
                    );
                }
                (Some(Value::Array(items)), s) => {
                    let v = s.parse::<usize>().ok().and_then(|i| items.get(i));
                    next.push((format!("{path}/{s}"), v));
                }
                (Some(Value::Object(map)), s) => {
                    next.push((
                        format!("{path}/{}", s.replace('~', "~0").replace('/', "~1")),
                        map.get(s),
                    ));
                }
                (_, s) => next.push((format!("{path}/{s}"), None)),
            }
        }
        current = next;
    }
    current
}

#[cfg(test)]
mod tests {
    use super::*;
    use serde_json::json;

    #[test]
    fn resolves_plain_pointers() {
        let v = json!({"a": {"b/c": [1, 2]}, "urn:x:y": {"z": true}});
        assert_eq!(
            resolve(&v, "/a/b~1c/1"),
            vec![("/a/b~1c/1".to_string(), Some(&json!(2)))]
        );
        assert_eq!(resolve(&v, "/urn:x:y/z")[0].1, Some(&json!(true)));
        assert_eq!(resolve(&v, "/missing/deeper")[0].1, None);
        assert_eq!(resolve(&v, "")[0].1, Some(&v));
    }

    #[test]
    fn star_expands_every_element() {
        let v = json!({"Resources": [{"id": "1"}, {"x": 1}]});
        let r = resolve(&v, "/Resources/*/id");
        assert_eq!(
            r,
            vec![
                ("/Resources/0/id".to_string(), Some(&json!("1"))),
                ("/Resources/1/id".to_string(), None)
            ]
        );
        assert!(resolve(&json!({"Resources": []}), "/Resources/*/id").is_empty());
        assert_eq!(
            resolve(&json!({"Resources": 3}), "/Resources/*/id")[0].1,
            None
        );
    }
}
