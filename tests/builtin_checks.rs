//! Runs every built-in check against the embedded reference server, one libtest-mimic trial each.
fn main() {}
