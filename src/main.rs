//! The `scimcheck` binary.
fn main() {}
