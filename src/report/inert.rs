//! Server text made inert before a terminal, a CI log or summary.md shows it: the servers we test
//! are untrusted, and their words must not recolour or hyperlink a terminal, reorder a line, run a
//! GitHub Actions workflow command or ping people from a pull-request comment.
//!
//! Every dynamic string goes through here at the print site (our own titles and ids too: user
//! suites can hold odd text, and treating all of it alike is simpler than telling it apart).
//! report.json keeps the raw text; junit.xml and report.html are escaped by quick-junit (which
//! also strips ANSI sequences and XML-invalid controls) and by minijinja's HTML autoescape.

use std::borrow::Cow;
use std::fmt::Write;

/// Characters never written raw: C0 controls, DEL and C1 controls (what starts CSI / OSC / DCS
/// sequences, moves the cursor or rewrites a line), the bidi embeddings, overrides, isolates and
/// marks (they reorder what a reader sees), and the Unicode line and paragraph separators.
fn unsafe_char(c: char) -> bool {
    c.is_control()
        || matches!(
            c,
            '\u{061c}'
                | '\u{200e}'
                | '\u{200f}'
                | '\u{202a}'..='\u{202e}'
                | '\u{2066}'..='\u{2069}'
                | '\u{2028}'
                | '\u{2029}'
        )
}

/// A visible stand-in for an unsafe character: `\n`, `\r`, `\x1b` below U+0080, `\u{9b}` above.
/// A tab is a space: it is harmless, and a space reads better than `\t`.
fn push_escape(out: &mut String, c: char) {
    match c {
        '\t' => out.push(' '),
        '\n' => out.push_str("\\n"),
        '\r' => out.push_str("\\r"),
        c if u32::from(c) < 0x80 => {
            let _ = write!(out, "\\x{:02x}", u32::from(c));
        }
        c => {
            let _ = write!(out, "\\u{{{:x}}}", u32::from(c));
        }
    }
}

/// One line of server text for a terminal or a CI log.
///
/// Unsafe characters become visible escapes (`\x1b`, `\u{202e}`; ANSI, CSI and OSC sequences are
/// thereby shown, not obeyed), so a line break in the text is shown as `\n` and the result is
/// always one line; a tab becomes a space. Two GitHub Actions command forms are defused: a line
/// whose text starts with `::` after leading whitespace gets a backslash before its first colon
/// (`\::error::…`; the runner only parses lines that start with `::` once trimmed), and every `##[`
/// (the legacy form, found anywhere in a line) becomes `#\#[`. A backslash already in the text is
/// left alone, so `\x1b` may also be the server's own four characters: report.json has the truth.
pub fn terminal(text: &str) -> Cow<'_, str> {
    let clean = !text.chars().any(unsafe_char)
        && !text.trim_start().starts_with("::")
        && !text.contains("##[");
    if clean {
        return Cow::Borrowed(text);
    }
    let mut out = String::with_capacity(text.len() + 8);
    for c in text.chars() {
        if unsafe_char(c) {
            push_escape(&mut out, c);
        } else {
            out.push(c);
        }
    }
    // Escapes and spaces cannot make a `##[`; a tab turned space can move `::` to a line start.
    let mut out = out.replace("##[", "#\\#[");
    let lead = out.len() - out.trim_start().len();
    if out[lead..].starts_with("::") {
        out.insert(lead, '\\');
    }
    Cow::Owned(out)
}

/// Text for report.html (which the template then HTML-escapes): line breaks and tabs are kept
/// (transcripts are multi-line), every other unsafe character becomes a visible escape, so no
/// bidi override reorders what a reader sees and no control character reaches a copy-paste.
pub fn html(text: &str) -> Cow<'_, str> {
    let keep = |c: char| matches!(c, '\n' | '\t');
    if !text.chars().any(|c| unsafe_char(c) && !keep(c)) {
        return Cow::Borrowed(text);
    }
    let mut out = String::with_capacity(text.len() + 8);
    for c in text.chars() {
        if unsafe_char(c) && !keep(c) {
            push_escape(&mut out, c);
        } else {
            out.push(c);
        }
    }
    Cow::Owned(out)
}

/// Multi-line text for a terminal: each line as [`terminal`] makes it, the line breaks kept.
pub fn terminal_lines(text: &str) -> impl Iterator<Item = Cow<'_, str>> {
    text.lines().map(terminal)
}

/// Server text inside one line of summary.md (a list item or a table cell), rendered by GitHub.
///
/// - Line breaks (CR, LF, CRLF) and tabs become a space, so the text cannot start a block (a
///   heading, a list, a table row, a `::` line for whoever prints the file); other unsafe
///   characters become the visible escapes [`terminal`] uses.
/// - `\`, `` ` ``, `*`, `_`, `~`, `<`, `>`, `|`, `&` and `$` are backslash-escaped: no code span,
///   emphasis, strikethrough, HTML tag, autolink, entity, table cell break or math. `]` followed
///   by `(` or `[` is escaped with the bracket after it, and `!` before `[`: no link or image (a
///   bare `[port]` stays as it is; summary.md has no link definitions a shortcut could use).
/// - `@name` (not after a word character, so e-mail addresses stay plain) and `#123` are wrapped
///   in a code span. GitHub resolves mentions and issue references on the rendered text, so a
///   backslash (consumed by Markdown) would not stop a ping; it skips text inside `code`.
///
/// A bare `https://…` may still be autolinked by GitHub; it then shows its real address.
pub fn markdown(text: &str) -> String {
    let chars: Vec<char> = text.chars().collect();
    let mut out = String::with_capacity(text.len() + 8);
    let mut i = 0;
    while i < chars.len() {
        let c = chars[i];
        let prev = i.checked_sub(1).map(|p| chars[p]);
        let next = chars.get(i + 1).copied();
        match c {
            '\r' if next == Some('\n') => {}
            '\r' | '\n' | '\t' => out.push(' '),
            c if unsafe_char(c) => push_escape(&mut out, c),
            '@' if !prev.is_some_and(is_word) && next.is_some_and(char::is_alphanumeric) => {
                let end = run_end(&chars, i + 1, |c| {
                    c.is_alphanumeric() || matches!(c, '-' | '_' | '/')
                });
                code_span(&mut out, &chars[i..end]);
                i = end;
                continue;
            }
            '#' if next.is_some_and(|n| n.is_ascii_digit()) => {
                let end = run_end(&chars, i + 1, |c| c.is_ascii_digit());
                code_span(&mut out, &chars[i..end]);
                i = end;
                continue;
            }
            ']' if matches!(next, Some('(' | '[')) => {
                out.push_str("\\]\\");
                out.extend(next);
                i += 2;
                continue;
            }
            '!' if next == Some('[') => out.push_str("\\!"),
            '\\' | '`' | '*' | '_' | '~' | '<' | '>' | '|' | '&' | '$' => {
                out.push('\\');
                out.push(c);
            }
            c => out.push(c),
        }
        i += 1;
    }
    out
}

fn is_word(c: char) -> bool {
    c.is_alphanumeric() || c == '_'
}

/// The index after the run of `chars` from `start` that `keep` accepts.
fn run_end(chars: &[char], start: usize, keep: impl Fn(char) -> bool) -> usize {
    chars[start..]
        .iter()
        .position(|c| !keep(*c))
        .map_or(chars.len(), |n| start + n)
}

/// A code span around characters that hold no backtick (names and digits only).
fn code_span(out: &mut String, chars: &[char]) {
    out.push('`');
    out.extend(chars);
    out.push('`');
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn html_text_keeps_lines_and_shows_controls() {
        assert_eq!(html("a\n\tb"), "a\n\tb");
        assert_eq!(html("x\u{1b}[2J\u{202e}y\r"), "x\\x1b[2J\\u{202e}y\\r");
    }

    #[test]
    fn plain_text_is_borrowed_unchanged() {
        let text = "body /id: expected \"x\", got \"y\" · 201 → §3.3 [port]";
        assert!(matches!(terminal(text), Cow::Borrowed(t) if t == text));
    }

    #[test]
    fn ansi_sequences_are_shown_not_obeyed() {
        assert_eq!(terminal("\x1b[31mred\x1b[0m"), r"\x1b[31mred\x1b[0m");
        assert_eq!(terminal("a\x1b[2J\x1b[Hb"), r"a\x1b[2J\x1b[Hb");
    }

    #[test]
    fn osc_8_hyperlinks_are_shown_not_obeyed() {
        let text = "\x1b]8;;http://evil\x07click\x1b]8;;\x1b\\";
        let out = terminal(text);
        assert_eq!(out, r"\x1b]8;;http://evil\x07click\x1b]8;;\x1b\");
        assert!(!out.contains('\x1b') && !out.contains('\x07'));
    }

    #[test]
    fn c0_del_and_c1_controls_are_escaped() {
        assert_eq!(
            terminal("a\0b\x08c\x7fd\r"),
            r"a\x00b\x08c\x7fd\r",
            "NUL, backspace, DEL and a carriage return"
        );
        assert_eq!(terminal("\u{9b}31m\u{85}\u{9d}"), r"\u{9b}31m\u{85}\u{9d}");
        assert_eq!(terminal("tab\there"), "tab here");
    }

    #[test]
    fn bidi_controls_are_escaped() {
        assert_eq!(
            terminal("user\u{202e}gnp.exe\u{202c}"),
            r"user\u{202e}gnp.exe\u{202c}"
        );
        assert_eq!(
            terminal("\u{2066}x\u{2069}\u{200f}"),
            r"\u{2066}x\u{2069}\u{200f}"
        );
        assert_eq!(terminal("Zoë 名前 ✓"), "Zoë 名前 ✓", "printable text stays");
    }

    #[test]
    fn workflow_commands_are_defused() {
        assert_eq!(terminal("::error::pwned"), r"\::error::pwned");
        assert_eq!(terminal("   ::add-mask::x"), r"   \::add-mask::x");
        assert_eq!(terminal("\t::stop-commands::t"), r" \::stop-commands::t");
        assert_eq!(terminal("say ::error:: mid-line"), "say ::error:: mid-line");
        assert_eq!(terminal("x ##[error]legacy"), r"x #\#[error]legacy");
    }

    #[test]
    fn a_command_after_a_line_break_stays_on_its_line() {
        let text = "expected 200\n::error::pwned\r\n  ::warning::again";
        let one = terminal(text);
        assert_eq!(
            one, r"expected 200\n::error::pwned\r\n  ::warning::again",
            "one line: the break is shown"
        );
        let lines: Vec<_> = terminal_lines(text).collect();
        assert_eq!(
            lines,
            ["expected 200", r"\::error::pwned", r"  \::warning::again"]
        );
        for line in one.lines().chain(lines.iter().map(|l| l.as_ref())) {
            assert!(!line.trim_start().starts_with("::"), "{line}");
        }
    }

    #[test]
    fn markdown_escapes_markup() {
        assert_eq!(
            markdown("a|b *c* <d> [port] ~e~ `f` $g$ &amp;"),
            r"a\|b \*c\* \<d\> [port] \~e\~ \`f\` \$g\$ \&amp;"
        );
    }

    #[test]
    fn markdown_links_and_images_are_inert() {
        let out = markdown("[click](http://evil) ![img](http://evil/x.png) [ref][x]");
        assert_eq!(
            out,
            r"[click\]\(http://evil) \![img\]\(http://evil/x.png) [ref\]\[x]"
        );
        assert!(!out.contains("](") && !out.contains("]["));
        assert_eq!(markdown("<http://evil>"), r"\<http://evil\>");
    }

    #[test]
    fn markdown_mentions_and_issue_refs_are_code() {
        assert_eq!(markdown("ping @everyone!"), "ping `@everyone`!");
        assert_eq!(markdown("@org/team-a."), "`@org/team-a`.");
        assert_eq!(markdown("see #123, o/r#45"), "see `#123`, o/r`#45`");
        assert_eq!(markdown("victim@example.com"), "victim@example.com");
        assert_eq!(markdown("a @ b #x"), "a @ b #x");
    }

    #[test]
    fn markdown_stays_on_its_line_and_in_its_cell() {
        let out = markdown("x | y\n::error::pwned\r\n# head\x1b[31m\u{202e}");
        assert_eq!(out, r"x \| y ::error::pwned # head\x1b[31m\u{202e}");
        assert!(!out.contains('\n') && !out.contains('\r') && !out.contains('\x1b'));
    }
}
