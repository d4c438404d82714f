//! Reporters: each turns a RunReport into bytes, and never touches the network.

pub mod baseline;
mod html;
pub(crate) mod inert;
mod json;
mod junit;
mod markdown;
mod parts;
pub mod redact;
mod terminal;
mod transcript;

pub use baseline::{Baseline, BaselineError, Diff, compare, render_diff};
pub use html::render_html;
pub use json::write_json;
pub use junit::{junit_report, write_junit};
pub use markdown::{MAX_LISTED, render_markdown};
pub use redact::stable_report;
pub use terminal::{render_left_behind, render_summary_line, render_terminal};
pub use transcript::transcript;

/// A report file `--out` can receive.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash)]
pub enum Format {
    Json,
    Junit,
    Markdown,
    Html,
}

impl Format {
    pub const ALL: [Format; 4] = [Format::Json, Format::Junit, Format::Markdown, Format::Html];

    pub fn file_name(self) -> &'static str {
        match self {
            Format::Json => "report.json",
            Format::Junit => "junit.xml",
            Format::Markdown => "summary.md",
            Format::Html => "report.html",
        }
    }
}
