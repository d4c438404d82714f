//! Pieces of a CheckResult that every format shows the same way: its area and its first finding.

/// The area of a check id: its first dotted segment (`users` for `users.create.x`).
pub fn area(id: &str) -> &str {
    id.split('.').next().unwrap_or(id)
}

/// The first finding of a message: for "step N (METHOD url → status): finding\nfinding" the text
/// after the step header on the first line; otherwise the first line as it is (a skip reason).
pub fn first_finding(message: &str) -> &str {
    let first = message.lines().next().unwrap_or("");
    match first.split_once("): ") {
        Some((head, finding)) if head.starts_with("step ") => finding,
        _ => first,
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn area_is_the_first_segment() {
        assert_eq!(area("users.create.x"), "users");
        assert_eq!(area("me"), "me");
    }

    #[test]
    fn first_finding_drops_the_step_header() {
        let m = "step 1 (POST http://h/Users → 201): body /id: expected present\nsecond";
        assert_eq!(first_finding(m), "body /id: expected present");
        assert_eq!(first_finding("not advertised"), "not advertised");
        assert_eq!(first_finding(""), "");
    }
}
