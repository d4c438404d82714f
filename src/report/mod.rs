//! Reporters: each turns a RunReport into bytes, and never touches the network.

mod html;
mod json;
mod terminal;

pub use html::{render_html, transcript};
pub use json::write_json;
pub use terminal::{render_summary_line, render_terminal};
