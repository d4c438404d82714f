//! `scimcheck cleanup BASE_URL --run RUN_ID`: find what a run left behind (by its marker, and in
//! its ledger file), prove each resource is the run's, list it, and delete it only with `--yes`.

use super::args::CleanupArgs;
use super::config::Connection;
use super::exit::Exit;
use crate::report::inert::terminal;
use crate::run::journal;
use crate::run::leftovers::{Cleanup, LeftoverError};

/// A run id as scimcheck makes them (8 lowercase hex digits); anything else cannot be a run's
/// marker, and an empty one would match too much.
fn valid_run_id(id: &str) -> bool {
    (4..=64).contains(&id.len())
        && id
            .bytes()
            .all(|b| b.is_ascii_lowercase() || b.is_ascii_digit())
}

pub async fn cleanup_command(a: CleanupArgs) -> Exit {
    if !valid_run_id(&a.run_id) {
        eprintln!(
            "error: --run expects a run id as printed by `scimcheck run` (e.g. 1a2b3c4d), got '{}'",
            terminal(&a.run_id)
        );
        return Exit::Usage;
    }
    let connection = match Connection::from_args(Some(&a.base_url), &a.connection) {
        Ok(c) => c,
        Err(exit) => return exit,
    };
    let ledger = match &a.ledger {
        Some(path) => match journal::read(path) {
            Ok(l) if l.run_id == a.run_id => Some(l),
            Ok(l) => {
                eprintln!(
                    "error: {} is the ledger of run {}, not {}",
                    path.display(),
                    l.run_id,
                    a.run_id
                );
                return Exit::Usage;
            }
            Err(e) => {
                eprintln!("error: {e}");
                return Exit::Usage;
            }
        },
        None => None,
    };
    let url = connection.url.clone().unwrap_or_default();
    let mut cleanup = match Cleanup::new(connection.run_config(&url), &a.run_id) {
        Ok(c) => c,
        Err(e) => {
            eprintln!("error: {e}");
            return Exit::Runtime;
        }
    };
    let found = match cleanup.find(ledger.as_ref()).await {
        Ok(found) => found,
        Err(LeftoverError::Target(e) | LeftoverError::Client(e)) => {
            eprintln!("error: {}", terminal(&e));
            return Exit::Runtime;
        }
    };
    for note in &cleanup.notes {
        eprintln!("note: {}", terminal(note));
    }
    if found.is_empty() {
        println!("nothing of run {} found", a.run_id);
        return Exit::Ok;
    }
    println!(
        "{} resource(s) of run {} (each read back carrying its marker):",
        found.len(),
        a.run_id
    );
    for l in &found {
        println!("  {}  {}", l.resource, terminal(&l.evidence));
    }
    if !a.yes {
        println!("nothing deleted; add --yes to delete them");
        return Exit::Failures;
    }
    let failed = cleanup.delete(&found).await;
    if failed.is_empty() {
        println!("deleted {}", found.len());
        return Exit::Ok;
    }
    println!(
        "deleted {}; {} could not be deleted:",
        found.len() - failed.len(),
        failed.len()
    );
    for (l, why) in &failed {
        println!("  {}  {}", l.resource, terminal(why));
    }
    Exit::Failures
}

#[cfg(test)]
mod tests {
    use super::valid_run_id;

    #[test]
    fn run_ids_are_what_scimcheck_prints() {
        assert!(valid_run_id("1a2b3c4d"));
        for bad in ["", "x", "1A2B3C4D", "1a2b-3c4d", "../x", "1a2b3c4d\n"] {
            assert!(!valid_run_id(bad), "{bad:?}");
        }
    }
}
