//! `report.html`: one self-contained page (no network, no CDN) rendered with a template engine —
//! summary by area and level, a status filter, and every non-passed check expandable to its
//! findings, spec reference and full request / response transcript (already redacted).

use super::parts::area;
use crate::http::{Body, Exchange, Headers};
use crate::run::{RunReport, Status, Summary};
use minijinja::value::Serde;
use minijinja::{Environment, Value, context};
use serde::Serialize;
use std::collections::BTreeMap;

const TEMPLATE: &str = include_str!("templates/report.html");

/// One row of a summary table: a name (area or level) and its counts.
#[derive(Serialize)]
struct Row {
    name: String,
    #[serde(flatten)]
    counts: Summary,
}

fn rows(tally: BTreeMap<String, Summary>) -> Vec<Row> {
    tally
        .into_iter()
        .map(|(name, counts)| Row { name, counts })
        .collect()
}

#[derive(Serialize)]
struct ExchangeView {
    request_line: String,
    transcript: String,
}

#[derive(Serialize)]
struct ResultView {
    id: String,
    title: String,
    level: &'static str,
    spec: String,
    #[serde(rename = "ref")]
    catalogue_ref: Option<String>,
    status: &'static str,
    message: String,
    /// What the check's unscoped form asserted, and why it ran, when it did.
    unscoped: Option<String>,
    exchanges: Vec<ExchangeView>,
}

fn headers_text(h: &Headers, out: &mut String) {
    for (k, v) in &h.0 {
        out.push_str(&format!("{k}: {v}\n"));
    }
}

fn body_text(b: &Option<Body>, out: &mut String) {
    match b {
        Some(Body::Json(v)) => out.push_str(&serde_json::to_string_pretty(v).unwrap_or_default()),
        Some(Body::Text(t)) => out.push_str(t),
        None => {}
    }
    out.push('\n');
}

/// One exchange as HTTP-like text with pretty-printed bodies, for reading in a browser (JUnit
/// gets the compact `transcript` instead).
fn pretty_transcript(e: &Exchange) -> String {
    let mut t = format!("{} {}\n", e.request.method, e.request.url);
    if e.attempts > 1 {
        t.push_str(&format!(
            "(sent {} times; the last answer is shown)\n",
            e.attempts
        ));
    }
    headers_text(&e.request.headers, &mut t);
    t.push('\n');
    body_text(&e.request.body, &mut t);
    match &e.response {
        Some(r) => {
            t.push_str(&format!("\n← {} ({} ms)\n", r.status, e.duration_ms));
            headers_text(&r.headers, &mut t);
            t.push('\n');
            body_text(&r.body, &mut t);
        }
        None => t.push_str(&format!(
            "\n← no response: {}\n",
            e.error
                .as_ref()
                .map_or_else(|| "unknown error".to_string(), ToString::to_string)
        )),
    }
    t
}

/// Renders the report page.
pub fn render_html(report: &RunReport) -> Result<String, minijinja::Error> {
    let mut areas: BTreeMap<String, Summary> = BTreeMap::new();
    let mut levels: BTreeMap<String, Summary> = BTreeMap::new();
    for r in &report.results {
        areas
            .entry(area(&r.id).to_string())
            .or_default()
            .add(r.status);
        levels
            .entry(r.level.as_str().to_string())
            .or_default()
            .add(r.status);
    }
    let results: Vec<ResultView> = report
        .results
        .iter()
        .map(|r| ResultView {
            id: r.id.clone(),
            title: r.title.clone(),
            level: r.level.as_str(),
            spec: r.spec.clone(),
            catalogue_ref: r.catalogue_ref.clone(),
            status: r.status.as_str(),
            message: r.message.clone(),
            unscoped: r
                .unscoped
                .as_ref()
                .map(|u| format!("{} form: {} ({})", u.form.as_str(), u.asserts, u.why)),
            exchanges: if r.status == Status::Passed {
                Vec::new()
            } else {
                r.exchanges
                    .iter()
                    .map(|e| ExchangeView {
                        request_line: format!(
                            "{} {} → {}",
                            e.request.method,
                            e.request.url,
                            e.response
                                .as_ref()
                                .map_or("no response".to_string(), |r| r.status.to_string())
                        ),
                        transcript: pretty_transcript(e),
                    })
                    .collect()
            },
        })
        .collect();
    #[derive(Serialize)]
    struct CauseView {
        tally: String,
        summary: String,
        checks: Vec<String>,
    }
    let causes: Vec<CauseView> = crate::outcome::root_causes(&report.results, &report.target)
        .into_iter()
        .filter(|c| c.count() > 1)
        .map(|c| CauseView {
            tally: c.tally(),
            summary: c.summary,
            checks: c.checks,
        })
        .collect();
    let mut env = Environment::new();
    env.set_auto_escape_callback(|_| minijinja::AutoEscape::Html);
    // Server text is shown inert before it is HTML-escaped.
    env.set_formatter(|out, state, value| match value.as_str() {
        Some(text) => {
            minijinja::escape_formatter(out, state, &Value::from(super::inert::html(text).as_ref()))
        }
        None => minijinja::escape_formatter(out, state, value),
    });
    env.add_template("report.html", TEMPLATE)?;
    env.get_template("report.html")?.render(context! {
        tool => report.tool.name,
        version => report.tool.version,
        target => report.target.clone(),
        profile => report.profile.clone(),
        started_at => report.started_at.clone(),
        duration => format!("{:.2} s", report.duration_ms as f64 / 1000.0),
        summary => Value::from(Serde(&report.summary)),
        areas => Value::from(Serde(rows(areas))),
        levels => Value::from(Serde(rows(levels))),
        results => Value::from(Serde(&results)),
        root_causes => Value::from(Serde(causes)),
    })
}
