//! Rebuild when any suite file changes: the built-in suites are embedded with include_dir!,
//! which cargo cannot see through on its own (a new file would otherwise go unnoticed).

fn main() {
    println!("cargo:rerun-if-changed=suites");
}
