//! What a finished run leaves on disk: the report files in `--out` and the baseline, each written
//! atomically (a temp name, then rename), and the baseline read before the run starts.

use super::exit::Exit;
use crate::report::{self, Baseline, Format};
use crate::run::RunReport;
use std::io::Write;
use std::path::{Path, PathBuf};

/// Writes `path` through a temp file beside it, so a reader never sees half a report.
fn write_atomic(
    path: &Path,
    fill: impl FnOnce(&mut dyn Write) -> std::io::Result<()>,
) -> std::io::Result<()> {
    let name = path
        .file_name()
        .map(|n| n.to_string_lossy().into_owned())
        .unwrap_or_default();
    let tmp = path.with_file_name(format!(".{name}.tmp"));
    let mut file = std::io::BufWriter::new(std::fs::File::create(&tmp)?);
    fill(&mut file)?;
    file.into_inner().map_err(|e| e.into_error())?.sync_all()?;
    std::fs::rename(tmp, path)
}

/// Writes the selected formats into `out`; returns the paths written, in format order.
pub fn write_reports(
    report: &RunReport,
    formats: &[Format],
    out: &Path,
) -> std::io::Result<Vec<PathBuf>> {
    std::fs::create_dir_all(out)?;
    let mut written = Vec::new();
    for &format in formats {
        let path = out.join(format.file_name());
        write_atomic(&path, |w| match format {
            Format::Json => report::write_json(report, w),
            Format::Junit => report::write_junit(report, w),
            Format::Html => {
                let page = report::render_html(report).map_err(std::io::Error::other)?;
                w.write_all(page.as_bytes())
            }
            Format::Markdown => {
                let others: Vec<String> = formats
                    .iter()
                    .filter(|f| **f != Format::Markdown)
                    .map(|f| out.join(f.file_name()).display().to_string())
                    .collect();
                w.write_all(report::render_markdown(report, &others).as_bytes())
            }
        })?;
        written.push(path);
    }
    Ok(written)
}

/// Reads `--baseline FILE`; a missing or broken file is a usage error (exit 2), found before the run.
/// Makes sure reports can be written to `out` before anything is sent: creates it and writes
/// (then removes) a probe file, so an unwritable `--out` costs no run.
pub fn check_writable(out: &Path) -> Result<(), Exit> {
    let probe = out.join(".scimcheck-write-probe");
    let result = std::fs::create_dir_all(out)
        .and_then(|()| std::fs::write(&probe, b""))
        .and_then(|()| std::fs::remove_file(&probe));
    result.map_err(|e| {
        eprintln!("error: --out {} is not writable: {e}", out.display());
        Exit::Usage
    })
}

pub fn read_baseline(path: &Path) -> Result<Baseline, Exit> {
    let text = std::fs::read_to_string(path).map_err(|e| {
        eprintln!("error: cannot read baseline {}: {e}", path.display());
        Exit::Usage
    })?;
    Baseline::parse(&text).map_err(|e| {
        eprintln!("error: baseline {}: {e}", path.display());
        Exit::Usage
    })
}

pub fn write_baseline(report: &RunReport, path: &Path) -> std::io::Result<()> {
    if let Some(dir) = path.parent().filter(|d| !d.as_os_str().is_empty()) {
        std::fs::create_dir_all(dir)?;
    }
    let json = Baseline::from_report(report).to_json();
    write_atomic(path, |w| w.write_all(json.as_bytes()))
}
