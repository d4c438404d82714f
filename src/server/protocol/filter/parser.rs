//! Recursive-descent parser over filter tokens, one function per precedence level
//! (or → and → not → atom), following RFC 7644 §3.4.2.2.

use super::lexer::Token;
use super::{CompValue, CompareOp, Filter, FilterError, FilterPolicy};
use crate::server::protocol::path::AttrPath;

/// Deepest nesting of parentheses and brackets accepted, so hostile input cannot exhaust the
/// stack while parsing.
const MAX_DEPTH: usize = 32;

/// Most attribute expressions one filter may hold. A chain of `and`/`or` nests one level deeper
/// in the tree per link, and evaluating, printing and dropping the tree recurse over it, so the
/// chain length has to be bounded as well as the parentheses.
const MAX_TERMS: usize = 1000;

pub(super) struct Parser<'o> {
    tokens: Vec<Token>,
    pos: usize,
    depth: usize,
    terms: usize,
    in_value_path: bool,
    options: &'o FilterPolicy,
}

fn err<T>(message: impl Into<String>) -> Result<T, FilterError> {
    Err(FilterError(message.into()))
}

impl<'o> Parser<'o> {
    pub(super) fn new(tokens: Vec<Token>, options: &'o FilterPolicy) -> Parser<'o> {
        Parser {
            tokens,
            pos: 0,
            depth: 0,
            terms: 0,
            in_value_path: false,
            options,
        }
    }

    /// filter = expression, then end of input.
    pub(super) fn parse_filter(mut self) -> Result<Filter, FilterError> {
        if self.tokens.is_empty() {
            return err("empty filter");
        }
        let filter = self.parse_expr()?;
        match self.peek() {
            None => Ok(filter),
            Some(token) => err(format!("unexpected {}", describe(token))),
        }
    }

    fn peek(&self) -> Option<&Token> {
        self.tokens.get(self.pos)
    }

    fn next(&mut self) -> Option<Token> {
        let token = self.tokens.get(self.pos).cloned();
        self.pos += 1;
        token
    }

    fn is_keyword(&self, word: &str, keyword: &str) -> bool {
        if self.options.operators_case_sensitive {
            word == keyword
        } else {
            word.eq_ignore_ascii_case(keyword)
        }
    }

    fn peek_keyword(&self, keyword: &str) -> bool {
        matches!(self.peek(), Some(Token::Word(w)) if self.is_keyword(w, keyword))
    }

    fn parse_expr(&mut self) -> Result<Filter, FilterError> {
        self.parse_level(0)
    }

    /// Level 0 is the loosest binary operator (`or`), level 1 the tighter one (`and`); the
    /// `and-looser-than-or` fault swaps them.
    fn parse_level(&mut self, level: u8) -> Result<Filter, FilterError> {
        if level >= 2 {
            return self.parse_not();
        }
        let or_is_loosest = !self.options.and_looser_than_or;
        let keyword = if (level == 0) == or_is_loosest {
            "or"
        } else {
            "and"
        };
        let mut left = self.parse_level(level + 1)?;
        while self.peek_keyword(keyword) {
            self.next();
            let right = Box::new(self.parse_level(level + 1)?);
            left = if keyword == "or" {
                Filter::Or(Box::new(left), right)
            } else {
                Filter::And(Box::new(left), right)
            };
        }
        Ok(left)
    }

    /// `not` is only the operator when a parenthesis follows (the grammar demands one), so an
    /// attribute that happens to be called `not` still parses as a path.
    fn parse_not(&mut self) -> Result<Filter, FilterError> {
        let group_follows = matches!(self.tokens.get(self.pos + 1), Some(Token::LParen));
        if self.peek_keyword("not") && group_follows {
            self.next();
            self.next();
            let inner = self.parse_group(Token::RParen)?;
            return Ok(Filter::Not(Box::new(inner)));
        }
        self.parse_atom()
    }

    /// The inside of a group whose opening token has been consumed, up to its `close`.
    fn parse_group(&mut self, close: Token) -> Result<Filter, FilterError> {
        self.depth += 1;
        if self.depth > MAX_DEPTH {
            return err("filter nested too deeply");
        }
        let inner = self.parse_expr()?;
        match self.next() {
            Some(token) if token == close => {
                self.depth -= 1;
                Ok(inner)
            }
            Some(token) => err(format!(
                "expected {}, found {}",
                describe(&close),
                describe(&token)
            )),
            None => err(format!("missing {}", describe(&close))),
        }
    }

    fn parse_atom(&mut self) -> Result<Filter, FilterError> {
        match self.next() {
            Some(Token::LParen) => self.parse_group(Token::RParen),
            Some(Token::Word(word)) => self.parse_attr_expr(&word),
            Some(token) => err(format!(
                "expected an attribute path, found {}",
                describe(&token)
            )),
            None => err("unexpected end of filter"),
        }
    }

    fn parse_attr_expr(&mut self, word: &str) -> Result<Filter, FilterError> {
        let path = AttrPath::parse(word)
            .ok_or_else(|| FilterError(format!("invalid attribute path '{word}'")))?;
        self.terms += 1;
        if self.terms > MAX_TERMS {
            return err(format!("more than {MAX_TERMS} conditions in one filter"));
        }
        if self.peek() == Some(&Token::LBracket) {
            if self.in_value_path {
                return err("value filters cannot be nested");
            }
            self.next();
            self.in_value_path = true;
            let inner = self.parse_group(Token::RBracket);
            self.in_value_path = false;
            return Ok(Filter::ValuePath {
                path,
                filter: Box::new(inner?),
            });
        }
        let op = match self.next() {
            Some(Token::Word(op)) if self.is_keyword(&op, "pr") => {
                return Ok(Filter::Present(path));
            }
            Some(Token::Word(op)) => CompareOp::ALL
                .into_iter()
                .find(|known| self.is_keyword(&op, known.keyword()))
                .ok_or_else(|| FilterError(format!("unknown operator '{op}'")))?,
            Some(token) => return err(format!("expected an operator, found {}", describe(&token))),
            None => return err(format!("missing operator after '{word}'")),
        };
        let value = match self.next() {
            Some(Token::Str(s)) => CompValue::Str(s),
            Some(Token::Num(n)) => CompValue::Num(n),
            Some(Token::Word(w)) if w.eq_ignore_ascii_case("true") => CompValue::Bool(true),
            Some(Token::Word(w)) if w.eq_ignore_ascii_case("false") => CompValue::Bool(false),
            Some(Token::Word(w)) if w.eq_ignore_ascii_case("null") => CompValue::Null,
            Some(token) => return err(format!("expected a value, found {}", describe(&token))),
            None => return err("missing comparison value"),
        };
        Ok(Filter::Compare { path, op, value })
    }
}

fn describe(token: &Token) -> String {
    match token {
        Token::LParen => "'('".into(),
        Token::RParen => "')'".into(),
        Token::LBracket => "'['".into(),
        Token::RBracket => "']'".into(),
        Token::Word(w) => format!("'{w}'"),
        Token::Str(s) => format!("string {s:?}"),
        Token::Num(n) => format!("number {n}"),
    }
}
