//! `report.json`, schema_version 2 (reports/report.schema.json): the RunReport, plus the root
//! causes every reporter derives from it.

use crate::outcome::{RootCause, root_causes};
use crate::run::RunReport;
use serde::Serialize;
use std::io::Write;

#[derive(Serialize)]
struct JsonReport<'a> {
    #[serde(flatten)]
    report: &'a RunReport,
    /// Failed, blocked and errored checks grouped by the answer behind them, largest first.
    root_causes: Vec<RootCause>,
}

pub fn write_json(report: &RunReport, mut out: impl Write) -> std::io::Result<()> {
    let json = JsonReport {
        report,
        root_causes: root_causes(&report.results, &report.target),
    };
    serde_json::to_writer_pretty(&mut out, &json)?;
    out.write_all(b"\n")
}
