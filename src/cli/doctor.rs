//! `scimcheck doctor URL`: prints what each probe found, the base URL (`base URL: <url>`), the
//! Entra and Okta replays, and what to paste where; exit 0 when a base URL was found, else 4.

use super::args::DoctorArgs;
use super::config::Connection;
use super::exit::Exit;
use crate::doctor::{Answer, Diagnosis, Verdict, diagnose};
use crate::report::inert::terminal;

pub async fn doctor_command(a: DoctorArgs) -> Exit {
    let connection = match Connection::from_args(Some(&a.url), &a.connection) {
        Ok(c) => c,
        Err(exit) => return exit,
    };
    let url = connection.url.clone().unwrap_or_default();
    let config = connection.run_config(&url);
    let diagnosis = match diagnose(&config).await {
        Ok(d) => d,
        Err(e) => {
            eprintln!("error: {}", terminal(&e));
            return Exit::Runtime;
        }
    };
    let given = match &config.base_query {
        Some(q) => format!("{}?{q}", config.base_url),
        None => config.base_url.clone(),
    };
    print!("{}", render(&diagnosis, &given));
    if diagnosis.base.is_some() {
        Exit::Ok
    } else {
        Exit::Runtime
    }
}

/// The doctor's report, as printed. Everything the server said passes through [`terminal`].
pub fn render(d: &Diagnosis, given: &str) -> String {
    let mut out = format!("scimcheck doctor: {}\n", terminal(given));
    let width = d
        .probes
        .iter()
        .map(|p| p.url.len())
        .max()
        .unwrap_or(0)
        .min(72);
    for p in &d.probes {
        out.push_str(&format!(
            "  GET {:width$}  {}  [{}]\n",
            terminal(&p.url),
            terminal(&p.answer.describe()),
            p.why.label()
        ));
    }
    let query = d
        .query
        .as_ref()
        .map(|q| format!("?{q}"))
        .unwrap_or_default();
    let Some(found) = &d.base else {
        out.push_str(&no_base(d));
        return out;
    };
    let base = terminal(&found.url);
    out.push_str(&format!("base URL: {base}{query}\n"));
    if found.advertised {
        out.push_str("  the server's ServiceProviderConfig names this base in its meta.location\n");
    }
    if found.spc_missing {
        out.push_str(
            "  /Users answers SCIM there but /ServiceProviderConfig is missing (RFC 7644 §4 \
             makes it a MUST); `scimcheck run` tests it with --assume FEATURES for what it supports\n",
        );
    }
    if let Some(q) = &d.query {
        out.push_str(&format!(
            "  the query string ?{} is kept at the end of every request, as Entra does{}\n",
            terminal(q),
            if q.to_ascii_lowercase().contains("aadoptscim062020") {
                " (aadOptscim062020 switches on its SCIM-compliant PATCH)"
            } else {
                ""
            }
        ));
    }
    out.push_str("connection tests replayed:\n");
    for r in &d.replays {
        let (mark, what) = match &r.verdict {
            Verdict::Works(w) => ("ok  ", w),
            Verdict::Breaks(w) => ("FAIL", w),
            Verdict::NotReplayed(w) => ("n/a ", w),
        };
        out.push_str(&format!(
            "  {mark} {} {}: GET {}\n       {}\n",
            r.client,
            r.what,
            terminal(&r.url),
            terminal(what)
        ));
    }
    out.push_str(&format!(
        "paste:\n  Entra ID, custom (non-gallery) app, Tenant URL: {base}{query}\n    \
         (Entra appends /Users and /Groups itself)\n  \
         Okta, SCIM connector base URL: {base}\n  \
         (a gallery app that appends a path of its own wants what its vendor documents)\n\
         next: scimcheck run {}{}\n",
        if query.is_empty() {
            base.to_string()
        } else {
            format!("'{base}{query}'")
        },
        if d.wants_credential {
            " with the credential it wants (--token, --user or the OAuth options)"
        } else {
            ""
        }
    ));
    out
}

fn no_base(d: &Diagnosis) -> String {
    let mut out = String::from("no SCIM base URL found");
    let last = d.probes.last().map(|p| &p.answer);
    match (last, &d.locked) {
        (Some(Answer::Tls(why) | Answer::Unreachable(why)), _) => {
            out.push_str(&format!(": {}\n", terminal(why)));
            if why.contains("does not speak TLS") {
                out.push_str("  try the http:// URL\n");
            }
        }
        (_, Some((url, Answer::Auth { status, challenge }))) => {
            out.push_str(&format!(
                ": {} answered {status}; a SCIM root there probably wants credentials",
                terminal(url)
            ));
            let scheme = challenge
                .as_deref()
                .and_then(|c| c.split_whitespace().next())
                .unwrap_or("");
            let hint = match scheme.to_ascii_lowercase().as_str() {
                "basic" => " (it asks for Basic: --user USER:PASSWORD)",
                "bearer" => {
                    " (it asks for a bearer token: --token, or --oauth-token-url with \
                     --client-id and --client-secret)"
                }
                _ => " (--token, --user or the OAuth options)",
            };
            out.push_str(hint);
            out.push('\n');
        }
        (_, Some((url, Answer::Redirect { location, .. }))) => out.push_str(&format!(
            ": {} redirects to a sign-in page ({}); SCIM clients do not sign in through a \
             browser, so a SCIM root there probably wants a credential (--token, --user or the \
             OAuth options)\n",
            terminal(url),
            terminal(location.as_deref().unwrap_or_default())
        )),
        _ => out.push_str(
            " (no /ServiceProviderConfig or /Users answered SCIM under the usual roots; if the \
             SCIM root is elsewhere, give its full URL, e.g. https://host/api/auth/scim/v2)\n",
        ),
    }
    out
}
