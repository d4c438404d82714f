//! Load diagnostics: file:line:col, what was wrong, and the offending source line with a caret.

use super::yaml::Pos;
use std::fmt;

/// One problem in one suite file.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Diagnostic {
    pub file: String,
    pub pos: Pos,
    pub message: String,
    /// The source line the position points at, when the file text is known.
    pub source_line: Option<String>,
}

impl Diagnostic {
    pub fn new(file: &str, text: &str, pos: Pos, message: impl Into<String>) -> Self {
        let source_line = text
            .lines()
            .nth(pos.line.saturating_sub(1))
            .map(str::to_string);
        Diagnostic {
            file: file.to_string(),
            pos,
            message: message.into(),
            source_line,
        }
    }
    /// A problem with no position in a file (e.g. an unreadable directory).
    pub fn general(file: &str, message: impl Into<String>) -> Self {
        Diagnostic {
            file: file.to_string(),
            pos: Pos { line: 1, col: 1 },
            message: message.into(),
            source_line: None,
        }
    }
}

impl fmt::Display for Diagnostic {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        writeln!(
            f,
            "{}:{}:{}: {}",
            self.file, self.pos.line, self.pos.col, self.message
        )?;
        if let Some(line) = &self.source_line {
            let n = self.pos.line.to_string();
            let pad = " ".repeat(n.len());
            let caret_at: usize = line.chars().take(self.pos.col.saturating_sub(1)).count();
            let (shown, caret_at) = window(line, caret_at);
            writeln!(f, "{pad} |")?;
            writeln!(f, "{n} | {shown}")?;
            writeln!(f, "{pad} | {}^", " ".repeat(caret_at))?;
        }
        Ok(())
    }
}

/// A long source line shown as a window of it around the caret (with `…` where it is cut), and
/// where the caret falls in that window.
fn window(line: &str, caret_at: usize) -> (String, usize) {
    const WIDTH: usize = 120;
    let len = line.chars().count();
    if len <= WIDTH + 40 {
        return (line.to_string(), caret_at);
    }
    let start = caret_at
        .saturating_sub(WIDTH / 2)
        .min(len.saturating_sub(WIDTH));
    let mut shown: String = line.chars().skip(start).take(WIDTH).collect();
    let mut caret = caret_at - start;
    if start > 0 {
        shown.insert(0, '…');
        caret += 1;
    }
    if start + WIDTH < len {
        shown.push('…');
    }
    (shown, caret)
}

/// Every problem found while loading; loading fails if there is at least one.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct LoadErrors(pub Vec<Diagnostic>);

impl fmt::Display for LoadErrors {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        for d in &self.0 {
            write!(f, "{d}")?;
        }
        let n = self.0.len();
        write!(
            f,
            "{n} problem{} in suite files",
            if n == 1 { "" } else { "s" }
        )
    }
}

impl std::error::Error for LoadErrors {}
