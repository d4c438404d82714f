//! Runs the real binary against a hostile server and holds it to what every run owes a user:
//! a documented exit code, bounded time, memory and report size, inert and secret-free output,
//! and no write to anything it did not create.

use crate::server::{Hostile, Request};
use crate::world::{VICTIM_GROUP, VICTIM_USER};
use serde_json::Value;
use std::path::Path;
use std::process::{Command, Stdio};
use std::time::{Duration, Instant};

pub const TOKEN: &str = "hostile-token-5f3a9c1e7b20";
const WALL_LIMIT: Duration = Duration::from_secs(60);
/// A run still going after this is killed and the case fails (rather than hanging the suite).
const KILL_AFTER: Duration = Duration::from_secs(90);
const PEAK_LIMIT_KB: u64 = 300 * 1024;
const REPORT_LIMIT: u64 = 50 * 1024 * 1024;
const EXIT_CODES: [i32; 4] = [0, 1, 2, 4];
const GNU_TIME: &str = "/usr/bin/time";

#[derive(Debug)]
pub struct Outcome {
    pub code: Option<i32>,
    pub stdout: String,
    pub stderr: String,
    stdout_bytes: Vec<u8>,
    pub wall: Duration,
    pub peak_kb: Option<u64>,
    pub out: tempfile::TempDir,
    pub report: Value,
    command: String,
}

/// `scimcheck run BASE --token T --out TMP --timeout 2 --jobs 2 --only …` for each `only`.
pub fn run(base: &str, only: &[&str]) -> Outcome {
    let mut args = Vec::new();
    for o in only {
        args.extend(["--only", o]);
    }
    run_with(base, &args)
}

pub fn run_with(base: &str, extra: &[&str]) -> Outcome {
    let out = tempfile::tempdir().expect("a temp dir");
    let logs = tempfile::tempdir().expect("a temp dir");
    let dir = out.path().to_str().expect("utf-8 path").to_string();
    let mut args: Vec<String> = [
        "run",
        base,
        "--token",
        TOKEN,
        "--out",
        &dir,
        "--timeout",
        "2",
        "--jobs",
        "2",
    ]
    .map(String::from)
    .to_vec();
    args.extend(extra.iter().map(|s| s.to_string()));
    let command = format!("scimcheck {}", args.join(" "));
    let bin = env!("CARGO_BIN_EXE_scimcheck");
    let measured = Path::new(GNU_TIME).exists();
    let peak_file = logs.path().join("peak");
    let mut cmd = if measured {
        let mut c = Command::new(GNU_TIME);
        c.arg("-f").arg("%M").arg("-o").arg(&peak_file).arg(bin);
        c
    } else {
        Command::new(bin)
    };
    let stdout_path = logs.path().join("stdout");
    let stderr_path = logs.path().join("stderr");
    let started = Instant::now();
    let mut child = cmd
        .args(&args)
        .env_remove("SCIMCHECK_TOKEN")
        .env("NO_COLOR", "1")
        .stdin(Stdio::null())
        .stdout(std::fs::File::create(&stdout_path).expect("stdout file"))
        .stderr(std::fs::File::create(&stderr_path).expect("stderr file"))
        .spawn()
        .expect("the binary starts");
    let mut polled_kb = None;
    let status = loop {
        if let Some(status) = child.try_wait().expect("wait") {
            break status;
        }
        if !measured {
            polled_kb = vm_hwm(child.id()).or(polled_kb);
        }
        if started.elapsed() > KILL_AFTER {
            for pid in children(child.id()) {
                let _ = Command::new("kill").arg("-9").arg(pid.to_string()).status();
            }
            let _ = child.kill();
            let _ = child.wait();
            panic!("{command} still running after {KILL_AFTER:?}; killed");
        }
        std::thread::sleep(Duration::from_millis(20));
    };
    let wall = started.elapsed();
    let peak_file_text = std::fs::read_to_string(&peak_file).unwrap_or_default();
    let peak_kb = if measured {
        peak_file_text
            .lines()
            .filter_map(|l| l.trim().parse::<u64>().ok())
            .next_back()
    } else {
        polled_kb
    };
    // GNU time passes the exit code on; a signal it reports in its output file.
    let signalled = peak_file_text.contains("terminated by signal");
    let stdout_bytes = std::fs::read(&stdout_path).unwrap_or_default();
    let stderr = String::from_utf8_lossy(&std::fs::read(&stderr_path).unwrap_or_default())
        .into_owned()
        + &peak_file_text;
    let report = std::fs::read_to_string(out.path().join("report.json"))
        .ok()
        .and_then(|t| serde_json::from_str(&t).ok())
        .unwrap_or(Value::Null);
    eprintln!(
        "{command}\n  exit {:?}, {:.1} s, peak {} kB",
        status.code(),
        wall.as_secs_f64(),
        peak_kb.map_or("?".into(), |k| k.to_string())
    );
    Outcome {
        code: if signalled { None } else { status.code() },
        stdout: String::from_utf8_lossy(&stdout_bytes).into_owned(),
        stderr,
        stdout_bytes,
        wall,
        peak_kb,
        out,
        report,
        command,
    }
}

fn vm_hwm(pid: u32) -> Option<u64> {
    let status = std::fs::read_to_string(format!("/proc/{pid}/status")).ok()?;
    let line = status.lines().find(|l| l.starts_with("VmHWM:"))?;
    line.split_whitespace().nth(1)?.parse().ok()
}

fn children(pid: u32) -> Vec<u32> {
    std::fs::read_to_string(format!("/proc/{pid}/task/{pid}/children"))
        .unwrap_or_default()
        .split_whitespace()
        .filter_map(|p| p.parse().ok())
        .collect()
}

impl Outcome {
    pub fn text(&self) -> String {
        format!("{}\n{}", self.stdout, self.stderr)
    }

    fn context(&self) -> String {
        format!(
            "{}\nexit {:?} after {:?}\n--- stdout\n{}\n--- stderr\n{}",
            self.command, self.code, self.wall, self.stdout, self.stderr
        )
    }

    /// What every run owes, whatever the server did.
    pub fn assert_sane(&self) -> &Self {
        let ctx = self.context();
        assert!(
            self.code.is_some_and(|c| EXIT_CODES.contains(&c)),
            "undocumented exit (panic, abort or signal)\n{ctx}"
        );
        assert!(self.wall < WALL_LIMIT, "took {:?}\n{ctx}", self.wall);
        if let Some(kb) = self.peak_kb {
            assert!(kb < PEAK_LIMIT_KB, "peak memory {kb} kB\n{ctx}");
        }
        assert!(
            !self.stdout_bytes.contains(&0x1b),
            "an ESC byte reached stdout\n{ctx}"
        );
        assert!(!self.text().contains(TOKEN), "the token was printed\n{ctx}");
        for entry in std::fs::read_dir(self.out.path()).expect("--out exists") {
            let entry = entry.expect("an entry");
            let size = entry.metadata().expect("metadata").len();
            let name = entry.file_name().to_string_lossy().into_owned();
            assert!(size < REPORT_LIMIT, "{name} is {size} bytes\n{ctx}");
            if entry.path().is_file() {
                let bytes = std::fs::read(entry.path()).expect("readable");
                assert!(
                    !String::from_utf8_lossy(&bytes).contains(TOKEN),
                    "the token is in {name}\n{ctx}"
                );
            }
        }
        self
    }

    pub fn exit(&self, code: i32) -> &Self {
        assert_eq!(self.code, Some(code), "{}", self.context());
        self
    }

    /// `phrase` appears on the terminal (stdout or stderr).
    pub fn says(&self, phrase: &str) -> &Self {
        assert!(
            self.text().contains(phrase),
            "expected {phrase:?} on the terminal\n{}",
            self.context()
        );
        self
    }

    /// `phrase` appears in report.json (as serialised).
    pub fn reports(&self, phrase: &str) -> &Self {
        let report = self.report.to_string();
        assert!(
            report.contains(phrase),
            "expected {phrase:?} in report.json\n{}",
            self.context()
        );
        self
    }

    pub fn left_behind(&self) -> Vec<Value> {
        self.report["left_behind"]
            .as_array()
            .cloned()
            .unwrap_or_default()
    }

    pub fn has_ledger(&self) -> bool {
        self.out.path().join("ledger.jsonl").exists()
    }
}

/// Why a write the run sent is not allowed: only resources the server minted for this run may
/// be replaced, patched or deleted (directly or inside a bulk request).
fn forbidden_write(method: &str, path: &str, minted: &std::collections::BTreeSet<String>) -> bool {
    matches!(method, "PUT" | "PATCH" | "DELETE") && !minted.contains(path)
}

/// No PUT, PATCH or DELETE reached anything but what the server honestly created, and the
/// pre-existing user and group are as they were.
pub fn assert_untouched(server: &Hostile, before: &(Value, Value)) {
    let minted = server.world(|w| w.minted.clone());
    let mut bad = Vec::new();
    for req in server.requests() {
        let path = req.path().to_string();
        if forbidden_write(&req.method, &path, &minted) {
            bad.push(format!("{} {}", req.method, req.target));
        }
        if req.is("POST", "/Bulk") {
            for op in bulk_writes(&req) {
                if forbidden_write(&op.0, &op.1, &minted) {
                    bad.push(format!("bulk {} {}", op.0, op.1));
                }
            }
        }
    }
    assert!(
        bad.is_empty(),
        "writes to what the run did not create: {bad:?}"
    );
    let after = server.world(|w| {
        (
            w.resources.get(&format!("/Users/{VICTIM_USER}")).cloned(),
            w.resources.get(&format!("/Groups/{VICTIM_GROUP}")).cloned(),
        )
    });
    assert_eq!(
        after.0.as_ref(),
        Some(&before.0),
        "the pre-existing user changed"
    );
    assert_eq!(
        after.1.as_ref(),
        Some(&before.1),
        "the pre-existing group changed"
    );
}

/// The pre-existing user and group, to compare with after the run.
pub fn snapshot(server: &Hostile) -> (Value, Value) {
    server.world(|w| (w.original_user.clone(), w.original_group.clone()))
}

fn bulk_writes(req: &Request) -> Vec<(String, String)> {
    let body = req.json().unwrap_or(Value::Null);
    body["Operations"]
        .as_array()
        .into_iter()
        .flatten()
        .map(|op| {
            (
                op["method"].as_str().unwrap_or_default().to_uppercase(),
                op["path"].as_str().unwrap_or_default().to_string(),
            )
        })
        .collect()
}
