//! `report.json`, schema_version 1, exactly as ARCHITECTURE.md's report contract says.

use crate::run::RunReport;
use std::io::Write;

pub fn write_json(report: &RunReport, mut out: impl Write) -> std::io::Result<()> {
    serde_json::to_writer_pretty(&mut out, report)?;
    out.write_all(b"\n")
}
