//! The command line: clap arguments → a validated configuration → the right command; exit codes.

mod args;
mod cleanup;
mod commands;
mod config;
mod doctor;
mod exit;
mod output;
mod profiles;
mod progress;
mod signals;

pub use args::Cli;
pub use exit::Exit;

/// Runs a parsed command line and returns the process exit code.
pub fn main(cli: Cli) -> Exit {
    let runtime = match tokio::runtime::Builder::new_multi_thread()
        .enable_all()
        .build()
    {
        Ok(r) => r,
        Err(e) => {
            eprintln!("error: cannot start the async runtime: {e}");
            return Exit::Runtime;
        }
    };
    runtime.block_on(commands::dispatch(cli))
}
