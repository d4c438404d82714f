//! The four commands. Business logic lives in load / run / server / report; this wires them.

use super::args::{Cli, Command, ListArgs, RunArgs, ServeArgs, ValidateArgs};
use super::exit::Exit;
use super::output;
use super::progress::{Progress, Verbosity};
use crate::check::SchemaStore;
use crate::load::{self, Catalog};
use crate::report;
use crate::run::{self, Pattern, RunConfig};
use crate::server::{self, Fault, ServerConfig};
use std::collections::BTreeSet;
use std::str::FromStr;
use std::sync::Arc;
use std::time::Duration;

/// Writes to stdout; a closed pipe (`scimcheck list | head`) is not an error worth a panic.
fn say(text: &str) {
    use std::io::Write;
    let mut out = std::io::stdout().lock();
    let _ = out.write_all(text.as_bytes()).and_then(|()| out.flush());
}

pub async fn dispatch(cli: Cli) -> Exit {
    match cli.command {
        Command::Run(a) => run_command(*a).await,
        Command::List(a) => list_command(a),
        Command::Serve(a) => serve_command(a).await,
        Command::Validate(a) => validate_command(a),
    }
}

fn load_catalog(suites: Option<&std::path::Path>) -> Result<Catalog, Exit> {
    load::load(suites).map_err(|e| {
        eprintln!("{e}");
        Exit::InvalidSuite
    })
}

fn parse_faults(names: &[String]) -> Result<BTreeSet<Fault>, Exit> {
    names
        .iter()
        .map(|n| {
            Fault::from_str(n).map_err(|e| {
                eprintln!("error: {e}");
                Exit::Usage
            })
        })
        .collect()
}

fn parse_header(raw: &str) -> Result<(String, String), Exit> {
    match raw.split_once(':') {
        Some((k, v)) if !k.trim().is_empty() && k.trim().bytes().all(|b| b.is_ascii_graphic()) => {
            Ok((k.trim().to_string(), v.trim().to_string()))
        }
        _ => {
            eprintln!(
                "error: --header expects 'Name: value', got '{}'",
                raw.split(':').next().unwrap_or_default()
            );
            Err(Exit::Usage)
        }
    }
}

/// A fresh random token for the embedded server, so the auth checks always run against it.
fn generated_token() -> String {
    format!("scimcheck-local-{}", uuid::Uuid::new_v4().simple())
}

async fn run_command(a: RunArgs) -> Exit {
    let catalog = match load_catalog(a.suites.as_deref()) {
        Ok(c) => c,
        Err(e) => return e,
    };
    let schemas = match SchemaStore::compile(&catalog.schemas) {
        Ok(s) => Arc::new(s),
        Err(e) => {
            eprintln!("error: {e}");
            return Exit::InvalidSuite;
        }
    };
    let mut headers = Vec::new();
    for h in &a.headers {
        match parse_header(h) {
            Ok(h) => headers.push(h),
            Err(e) => return e,
        }
    }
    if a.base_url.is_some() && !a.faults.is_empty() {
        eprintln!("error: --fault applies to the embedded server; leave out BASE_URL to use it");
        return Exit::Usage;
    }
    let faults = match parse_faults(&a.faults) {
        Ok(f) => f,
        Err(e) => return e,
    };
    let baseline = match a.baseline.as_deref().map(output::read_baseline).transpose() {
        Ok(b) => b,
        Err(e) => return e,
    };
    let formats: Vec<report::Format> = a
        .reports
        .iter()
        .map(|r| r.format())
        .collect::<BTreeSet<_>>()
        .into_iter()
        .collect();
    // Without a URL, start the embedded reference server (kept alive until the run ends).
    let mut _embedded = None;
    let (base_url, token, label) = match &a.base_url {
        Some(url) => {
            let parsed = url::Url::parse(url);
            if !matches!(parsed.as_ref().map(|u| u.scheme()), Ok("http" | "https")) {
                eprintln!("error: BASE_URL must be an http:// or https:// URL, got '{url}'");
                return Exit::Usage;
            }
            (url.clone(), a.token.clone(), String::new())
        }
        None => {
            let token = a.token.clone().unwrap_or_else(generated_token);
            let config = ServerConfig {
                port: None,
                token: Some(token.clone()),
                faults: faults.clone(),
            };
            match server::start(config).await {
                Ok(s) => {
                    let url = s.base_url().to_string();
                    _embedded = Some(s);
                    let names: Vec<&str> = faults.iter().map(|f| f.name()).collect();
                    let label = if names.is_empty() {
                        " (embedded reference server)".to_string()
                    } else {
                        format!(" (embedded reference server, faults: {})", names.join(", "))
                    };
                    (url, Some(token), label)
                }
                Err(e) => {
                    eprintln!("error: cannot start the embedded server: {e}");
                    return Exit::Runtime;
                }
            }
        }
    };
    let mut config = RunConfig::new(&base_url);
    config.token = token.filter(|t| !t.is_empty());
    config.headers = headers;
    config.jobs = a.jobs as usize;
    config.timeout = Duration::from_secs(a.timeout);
    config.only = a.only.iter().map(|p| Pattern::new(p)).collect();
    config.skip = a.skip.iter().map(|p| Pattern::new(p)).collect();
    let client = match config.client() {
        Ok(c) => c,
        Err(e) => {
            eprintln!("error: cannot build the HTTP client: {e}");
            return Exit::Runtime;
        }
    };
    let caps = match run::discover(&client, &config).await {
        Ok(c) => c,
        Err(e) => {
            eprintln!("error: discovery failed: {e}");
            return Exit::Runtime;
        }
    };
    let planned = run::plan(&catalog.checks, &config.only, &config.skip, &caps);
    if planned.is_empty() {
        eprintln!("error: no check matches the --only/--skip patterns given");
        return Exit::Usage;
    }
    let run_id = run::new_run_id();
    let session = Arc::new(run::Session::new(&config, client, schemas, &run_id));
    let verbosity = match (a.quiet, a.verbose) {
        (true, _) => Verbosity::Quiet,
        (_, true) => Verbosity::Verbose,
        _ => Verbosity::Normal,
    };
    let progress = Progress::new(planned.len(), verbosity);
    let on_result = |r: &run::CheckResult| progress.on_result(r);
    let mut report = tokio::select! {
        report = run::execute_with(&session, caps, planned, &on_result) => report,
        _ = tokio::signal::ctrl_c() => {
            progress.finish();
            return interrupted(&session).await;
        }
    };
    progress.finish();
    report.target.push_str(&label);
    if verbosity == Verbosity::Quiet {
        say(&report::render_summary_line(&report));
    } else {
        say(&report::render_terminal(&report, console::colors_enabled()));
    }
    let exit = match (&baseline, &a.baseline) {
        (Some(b), Some(path)) => {
            let diff = report::compare(&report, b);
            say(&report::render_diff(&diff, &path.display().to_string()));
            Exit::for_baseline(&diff)
        }
        _ => Exit::for_report(&report, a.strict),
    };
    let mut written = match output::write_reports(&report, &formats, &a.out) {
        Ok(w) => w,
        Err(e) => {
            eprintln!("error: cannot write reports to {}: {e}", a.out.display());
            return Exit::Runtime;
        }
    };
    if let Some(path) = &a.write_baseline {
        if let Err(e) = output::write_baseline(&report, path) {
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

/// Ctrl-C during a run: stop the checks and delete everything the run created so far.
async fn interrupted(session: &run::Session) -> Exit {
    eprintln!("interrupted: deleting what this run created (Ctrl-C again to stop)");
    tokio::select! {
        left = session.sweep() => {
            if left.is_empty() {
                eprintln!("cleanup complete");
            } else {
                eprintln!("cleanup could not delete {} resource(s):", left.len());
                for k in left {
                    eprintln!("  {k}");
                }
            }
        }
        _ = tokio::signal::ctrl_c() => eprintln!("cleanup stopped; resources this run created may remain"),
    }
    Exit::Runtime
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
    let config = ServerConfig {
        port: a.port,
        token: a.token.clone(),
        faults,
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
    eprintln!(
        "serving the scimcheck reference server{}; Ctrl-C to stop",
        if a.token.is_some() {
            " (bearer token required)"
        } else {
            ""
        }
    );
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
