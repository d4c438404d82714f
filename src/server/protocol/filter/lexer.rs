//! Splits a filter string into tokens: parentheses, brackets, words, JSON strings and numbers.

use serde_json::Number;

use super::FilterError;

#[derive(Debug, Clone, PartialEq)]
pub(super) enum Token {
    LParen,
    RParen,
    LBracket,
    RBracket,
    /// An attribute path, operator, keyword or literal name (`true`, `false`, `null`).
    Word(String),
    Str(String),
    Num(Number),
}

fn is_word_char(c: char) -> bool {
    c.is_ascii_alphanumeric() || matches!(c, '_' | '-' | '.' | ':' | '$')
}

pub(super) fn tokenize(text: &str) -> Result<Vec<Token>, FilterError> {
    let mut tokens = Vec::new();
    let mut chars = text.char_indices().peekable();
    while let Some(&(start, c)) = chars.peek() {
        match c {
            c if c.is_whitespace() => {
                chars.next();
            }
            '(' | ')' | '[' | ']' => {
                chars.next();
                tokens.push(match c {
                    '(' => Token::LParen,
                    ')' => Token::RParen,
                    '[' => Token::LBracket,
                    _ => Token::RBracket,
                });
            }
            '"' => {
                chars.next();
                let mut escaped = false;
                let mut end = None;
                for (i, c) in chars.by_ref() {
                    match c {
                        _ if escaped => escaped = false,
                        '\\' => escaped = true,
                        '"' => {
                            end = Some(i);
                            break;
                        }
                        _ => {}
                    }
                }
                let end = end.ok_or_else(|| FilterError("unterminated string".into()))?;
                let literal = &text[start..=end];
                let value = serde_json::from_str::<String>(literal)
                    .map_err(|_| FilterError(format!("invalid string literal {literal}")))?;
                tokens.push(Token::Str(value));
            }
            c if c == '-' || c.is_ascii_digit() => {
                let end = scan(&mut chars, text.len(), |c| {
                    c.is_ascii_digit() || matches!(c, '-' | '+' | '.' | 'e' | 'E')
                });
                let literal = &text[start..end];
                let number = serde_json::from_str::<Number>(literal)
                    .map_err(|_| FilterError(format!("invalid number {literal}")))?;
                tokens.push(Token::Num(number));
            }
            c if c.is_ascii_alphabetic() || c == '$' => {
                let end = scan(&mut chars, text.len(), is_word_char);
                tokens.push(Token::Word(text[start..end].to_owned()));
            }
            other => return Err(FilterError(format!("unexpected character '{other}'"))),
        }
    }
    Ok(tokens)
}

/// Consumes characters while `keep` holds; returns the byte offset where the run ends.
fn scan(
    chars: &mut std::iter::Peekable<std::str::CharIndices<'_>>,
    len: usize,
    keep: impl Fn(char) -> bool,
) -> usize {
    while let Some(&(i, c)) = chars.peek() {
        if !keep(c) {
            return i;
        }
        chars.next();
    }
    len
}
