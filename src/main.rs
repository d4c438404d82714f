//! The `scimcheck` binary: parse the command line, run, exit with the documented code.

use clap::Parser;

fn main() {
    let cli = scimcheck::cli::Cli::parse();
    std::process::exit(scimcheck::cli::main(cli).code());
}
