//! Pieces of a CheckResult that every format shows the same way: its area.

/// The area of a check id: its first dotted segment (`users` for `users.create.x`).
pub fn area(id: &str) -> &str {
    id.split('.').next().unwrap_or(id)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn area_is_the_first_segment() {
        assert_eq!(area("users.create.x"), "users");
        assert_eq!(area("me"), "me");
    }
}
