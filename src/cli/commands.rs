//! The commands. Business logic lives in load / run / server / report; this wires them.

use super::args::{Cli, Command, ListArgs, RunArgs, ServeArgs, ValidateArgs};
use super::config::{RunSettings, Target, parse_faults};
use super::exit::Exit;
use super::output;
use super::progress::{Progress, Verbosity};
use super::signals;
use crate::load::{self, Catalog};
use crate::report;
use crate::run::{self, RunError, RunEvent, Runner};
use crate::server::{self, Fault, ServerConfig};

/// Writes to stdout; a closed pipe (`scimcheck list | head`) is not an error worth a panic.
pub(super) fn say(text: &str) {
    use std::io::Write;
    let mut out = std::io::stdout().lock();
    let _ = out.write_all(text.as_bytes()).and_then(|()| out.flush());
}

pub async fn dispatch(cli: Cli) -> Exit {
    match cli.command {
        Command::Run(a) => run_command(*a).await,
        Command::List(a) => list_command(a),
        Command::Profiles(a) => super::profiles::profiles_command(a),
        Command::Serve(a) => serve_command(a).await,
        Command::Validate(a) => validate_command(a),
        Command::Cleanup(a) => super::cleanup::cleanup_command(*a).await,
        Command::Doctor(a) => super::doctor::doctor_command(*a).await,
    }
}

fn load_catalog(suites: Option<&std::path::Path>) -> Result<Catalog, Exit> {
    load::load(suites).map_err(|e| {
        eprintln!("{e}");
        Exit::InvalidSuite
    })
}

/// A fresh random token for the embedded server, so the auth checks always run against it.
fn generated_token() -> String {
    format!("scimcheck-local-{}", uuid::Uuid::new_v4().simple())
}

async fn run_command(a: RunArgs) -> Exit {
    // Before anything else: a signal during start-up or discovery must stop the run, not kill it.
    let signals = signals::Signals::install();
    let settings = match RunSettings::from_args(a) {
        Ok(s) => s,
        Err(e) => return e,
    };
    let mut catalog = match load_catalog(settings.suites.as_deref()) {
        Ok(c) => c,
        Err(e) => return e,
    };
    if let Some((profile, file)) = &settings.profile {
        match load::profile_checks(profile, file.as_deref(), &catalog.schemas) {
            Ok(checks) => catalog.checks.extend(checks),
            Err(e) => {
                eprintln!("{e}");
                return Exit::InvalidSuite;
            }
        }
    }
    // Without a URL, start the embedded reference server (kept alive until the run ends).
    let mut _embedded = None;
    let (base_url, token, label) = match &settings.target {
        Target::Url(url) => (url.clone(), settings.token.clone(), String::new()),
        Target::Embedded { faults } => {
            let token = settings
                .token
                .as_ref()
                .map_or_else(generated_token, |t| t.expose().to_string());
            for fault in faults
                .iter()
                .filter(|f| f.needs() != server::Needs::Nothing)
            {
                eprintln!(
                    "warning: the fault {fault} changes nothing on the embedded server; start \
                     `scimcheck serve --fault {fault}` with --rate-limit or --oauth and run against it"
                );
            }
            let config = ServerConfig {
                port: None,
                token: Some(token.clone()),
                faults: faults.clone(),
                // The embedded server emulates the contract the run checks.
                profile: settings.profile.as_ref().map(|(p, _)| p.clone()),
                ..ServerConfig::default()
            };
            match server::start(config).await {
                Ok(s) => {
                    let url = s.base_url().to_string();
                    _embedded = Some(s);
                    let names: Vec<&str> = faults.iter().map(|f| f.name()).collect();
                    let emulating = settings
                        .profile
                        .as_ref()
                        .map(|(p, _)| format!(" as {}", p.name))
                        .unwrap_or_default();
                    let label = if names.is_empty() {
                        format!(" (embedded reference server{emulating})")
                    } else {
                        format!(
                            " (embedded reference server{emulating}, faults: {})",
                            names.join(", ")
                        )
                    };
                    (url, Some(token.into()), label)
                }
                Err(e) => {
                    eprintln!("error: cannot start the embedded server: {e}");
                    return Exit::Runtime;
                }
            }
        }
    };
    let config = settings.run_config(&base_url, token, &label);
    let mut runner = match Runner::new(config, catalog) {
        Ok(r) => r,
        Err(e) => {
            eprintln!("error: {e}");
            return match e {
                RunError::Schemas(_) => Exit::InvalidSuite,
                _ => Exit::Runtime,
            };
        }
    };
    let ledger = settings.out.join(LEDGER_FILE);
    if let Err(e) = runner.write_ledger(&ledger) {
        eprintln!(
            "error: cannot write the ledger file {}: {e}",
            ledger.display()
        );
        return Exit::Runtime;
    }
    let progress = Progress::new(settings.verbosity);
    let result = runner
        .run_until(
            &|e: &RunEvent<'_>| progress.on_event(e),
            signals.interrupt_or_terminate(),
            || signals.interrupt(),
        )
        .await;
    progress.finish();
    let report = match result {
        Ok(r) => r,
        Err(e) => {
            // Discovery errors quote the server (its Content-Type, a transport error's text).
            eprintln!("error: {}", report::inert::terminal(&e.to_string()));
            if matches!(e, RunError::NothingSelected) && settings.profile.is_none() {
                for (id, profile) in super::profiles::profile_checks_named(&settings.only) {
                    eprintln!("  {id} is a check of profile {profile}: add --profile {profile}");
                }
            }
            return match e {
                RunError::NothingSelected => Exit::Usage,
                _ => Exit::Runtime,
            };
        }
    };
    finish_run(&settings, &report)
}

/// The run's ledger, written beside the reports as the run goes.
pub const LEDGER_FILE: &str = "ledger.jsonl";

/// Prints the summary, writes the reports and decides the exit code of a finished run.
fn finish_run(settings: &RunSettings, report: &run::RunReport) -> Exit {
    // The ledger exists to find leftovers; a run that left nothing behind needs none.
    if report.left_behind.is_empty() {
        let _ = std::fs::remove_file(settings.out.join(LEDGER_FILE));
    }
    if report.interrupted {
        // The progress display already said what the sweep did; the verdicts are incomplete.
        // What is left (a failed or abandoned cleanup) is listed with how to remove it.
        say(&report::render_left_behind(report));
        return match output::write_reports(report, &settings.formats, &settings.out) {
            Ok(written) => {
                for path in written {
                    say(&format!("wrote {}\n", path.display()));
                }
                Exit::Runtime
            }
            Err(e) => {
                eprintln!(
                    "error: cannot write reports to {}: {e}",
                    settings.out.display()
                );
                Exit::Runtime
            }
        };
    }
    if settings.verbosity == Verbosity::Quiet {
        say(&report::render_summary_line(report));
        // What is left behind on the server is never hidden.
        say(&report::render_left_behind(report));
    } else {
        say(&report::render_terminal(report, console::colors_enabled()));
    }
    let exit = match &settings.baseline {
        Some((b, path)) => {
            let diff = report::compare(report, b);
            say(&report::render_diff(&diff, &path.display().to_string()));
            let exit = Exit::for_baseline(report, &diff);
            say(&format!(
                "{}\n",
                exit.explain(report, settings.strict, Some(&diff))
            ));
            exit
        }
        None => {
            let exit = Exit::for_report(report, settings.strict);
            say(&format!(
                "{}\n",
                exit.explain(report, settings.strict, None)
            ));
            exit
        }
    };
    let mut written = match output::write_reports(report, &settings.formats, &settings.out) {
        Ok(w) => w,
        Err(e) => {
            eprintln!(
                "error: cannot write reports to {}: {e}",
                settings.out.display()
            );
            return Exit::Runtime;
        }
    };
    if let Some(path) = &settings.write_baseline {
        if let Err(e) = output::write_baseline(report, path) {
            eprintln!("error: cannot write baseline {}: {e}", path.display());
            return Exit::Runtime;
        }
        written.push(path.clone());
    }
    for path in written {
        say(&format!("wrote {}\n", path.display()));
    }
    exit
}

fn list_command(a: ListArgs) -> Exit {
    let catalog = match load_catalog(a.suites.as_deref()) {
        Ok(c) => c,
        Err(e) => return e,
    };
    let mut checks: Vec<_> = catalog.checks.iter().collect();
    checks.sort_by(|a, b| a.id.cmp(&b.id));
    let width = checks
        .iter()
        .map(|c| c.id.as_str().len())
        .max()
        .unwrap_or(0);
    for c in &checks {
        let reference = match &c.catalogue_ref {
            Some(r) => format!("{} ({r})", c.spec),
            None => c.spec.clone(),
        };
        say(&format!(
            "{:<width$}  {:<6}  {:<28}  {}\n",
            c.id.as_str(),
            c.level.as_str(),
            reference,
            c.title
        ));
    }
    eprintln!("{} checks", checks.len());
    Exit::Ok
}

async fn serve_command(a: ServeArgs) -> Exit {
    if a.list_faults {
        for f in Fault::ALL {
            say(&format!(
                "{}
",
                f.name()
            ));
        }
        return Exit::Ok;
    }
    let faults = match parse_faults(&a.faults) {
        Ok(f) => f,
        Err(e) => return e,
    };
    let pair = |value: Option<&str>, flag: &str, form: &str| match value.map(|v| v.split_once(':'))
    {
        None => Ok(None),
        Some(Some((a, b))) if !a.is_empty() && !b.is_empty() => {
            Ok(Some((a.to_string(), b.to_string())))
        }
        Some(_) => {
            eprintln!("error: {flag} must be {form}");
            Err(Exit::Usage)
        }
    };
    let oauth = match pair(a.oauth.as_deref(), "--oauth", "CLIENT_ID:SECRET") {
        Ok(o) => o,
        Err(e) => return e,
    };
    let basic = match pair(a.user.as_deref(), "--user", "USER:PASSWORD") {
        Ok(b) => b,
        Err(e) => return e,
    };
    for fault in &faults {
        let missing = match fault.needs() {
            server::Needs::RateLimit if a.rate_limit.is_none() => Some("--rate-limit"),
            server::Needs::OAuth if oauth.is_none() => Some("--oauth"),
            _ => None,
        };
        if let Some(flag) = missing {
            eprintln!("warning: the fault {fault} changes nothing without {flag}");
        }
    }
    let profile = match &a.profile {
        Some(name) => match super::profiles::load_profile(name) {
            Ok((profile, _)) => Some(profile),
            Err(e) => return e,
        },
        None => None,
    };
    let config = ServerConfig {
        port: a.port,
        token: a.token.clone(),
        faults,
        oauth: oauth.clone(),
        basic: basic.clone(),
        rate_limit: a.rate_limit,
        token_ttl: Some(std::time::Duration::from_secs_f64(a.token_ttl)),
        profile,
    };
    let server = match server::start(config).await {
        Ok(s) => s,
        Err(e) => {
            eprintln!("error: {e}");
            return Exit::Runtime;
        }
    };
    say(&format!(
        "{}
",
        server.base_url()
    ));
    let auth = match (&oauth, &basic, &a.token) {
        (Some(_), _, _) => format!(
            " (OAuth: bearer tokens from {}, valid {} s)",
            server.token_url(),
            a.token_ttl
        ),
        (None, Some(_), _) => " (HTTP Basic credentials required)".to_string(),
        (None, None, Some(_)) => " (bearer token required)".to_string(),
        (None, None, None) => String::new(),
    };
    eprintln!("serving the scimcheck reference server{auth}; Ctrl-C to stop");
    if let Err(e) = tokio::signal::ctrl_c().await {
        eprintln!("error: cannot wait for Ctrl-C: {e}");
        return Exit::Runtime;
    }
    drop(server);
    Exit::Ok
}

fn validate_command(a: ValidateArgs) -> Exit {
    match load::validate_files(&a.files) {
        Ok(n) => {
            say(&format!("{} file(s), {n} check(s): valid\n", a.files.len()));
            Exit::Ok
        }
        Err(e) => {
            eprintln!("{e}");
            Exit::InvalidSuite
        }
    }
}
