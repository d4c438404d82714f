//! What the tests that run the binary share: running it, reading its output, starting `serve`.
#![allow(dead_code, reason = "each test target uses part of it")]

use std::io::{BufRead, BufReader};
use std::process::{Child, Command, Output, Stdio};

/// Runs the binary to completion, without an inherited SCIMCHECK_TOKEN or proxy settings.
pub fn scimcheck(args: &[&str]) -> Output {
    let mut command = Command::new(env!("CARGO_BIN_EXE_scimcheck"));
    command.args(args).env_remove("SCIMCHECK_TOKEN");
    for proxy in ["HTTPS_PROXY", "HTTP_PROXY", "ALL_PROXY", "NO_PROXY"] {
        command
            .env_remove(proxy)
            .env_remove(proxy.to_ascii_lowercase());
    }
    command.output().expect("the binary runs")
}

/// A child process killed (and reaped) when dropped, whatever the test's outcome.
pub struct Killed(pub Child);

impl Drop for Killed {
    fn drop(&mut self) {
        let _ = self.0.kill();
        let _ = self.0.wait();
    }
}

/// stdout then stderr, as text.
pub fn text(o: &Output) -> String {
    format!(
        "{}{}",
        String::from_utf8_lossy(&o.stdout),
        String::from_utf8_lossy(&o.stderr)
    )
}

/// Starts `scimcheck serve ARGS` and returns it with its base URL (its first stdout line).
pub fn serve_binary(args: &[&str]) -> (Child, String) {
    let mut server = Command::new(env!("CARGO_BIN_EXE_scimcheck"))
        .arg("serve")
        .args(args)
        .stdout(Stdio::piped())
        .stderr(Stdio::null())
        .spawn()
        .expect("serve starts");
    let mut url = String::new();
    BufReader::new(server.stdout.take().expect("piped stdout"))
        .read_line(&mut url)
        .expect("serve prints its URL");
    (server, url.trim().to_string())
}
