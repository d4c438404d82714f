//! Recursive-descent parser over filter tokens, one function per precedence level
//! (or → and → not → atom), following RFC 7644 §3.4.2.2.

use super::lexer::Token;
use super::{CompValue, CompareOp, Filter, FilterError};
use crate::server::path::AttrPath;

/// Deepest parenthesis nesting accepted, so hostile input cannot exhaust the stack.
const MAX_DEPTH: usize = 32;

const UNSUPPORTED_OPERATORS: &[&str] = &["ne", "co", "sw", "ew", "gt", "ge", "lt", "le", "pr"];

pub(super) struct Parser {
    tokens: Vec<Token>,
    pos: usize,
    depth: usize,
}

fn err<T>(message: impl Into<String>) -> Result<T, FilterError> {
    Err(FilterError(message.into()))
}

impl Parser {
    pub(super) fn new(tokens: Vec<Token>) -> Parser {
        Parser {
            tokens,
            pos: 0,
            depth: 0,
        }
    }

    /// filter = expression, then end of input.
    pub(super) fn parse_filter(mut self) -> Result<Filter, FilterError> {
        if self.tokens.is_empty() {
            return err("empty filter");
        }
        let filter = self.parse_or()?;
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

    fn peek_keyword(&self, keyword: &str) -> bool {
        matches!(self.peek(), Some(Token::Word(w)) if w.eq_ignore_ascii_case(keyword))
    }

    fn parse_or(&mut self) -> Result<Filter, FilterError> {
        let left = self.parse_and()?;
        if self.peek_keyword("or") {
            return err("the 'or' operator is not supported");
        }
        Ok(left)
    }

    fn parse_and(&mut self) -> Result<Filter, FilterError> {
        let mut left = self.parse_not()?;
        while self.peek_keyword("and") {
            self.next();
            let right = self.parse_not()?;
            left = Filter::And(Box::new(left), Box::new(right));
        }
        Ok(left)
    }

    fn parse_not(&mut self) -> Result<Filter, FilterError> {
        if self.peek_keyword("not") {
            return err("the 'not' operator is not supported");
        }
        self.parse_atom()
    }

    fn parse_atom(&mut self) -> Result<Filter, FilterError> {
        match self.next() {
            Some(Token::LParen) => {
                self.depth += 1;
                if self.depth > MAX_DEPTH {
                    return err("parentheses nested too deeply");
                }
                let inner = self.parse_or()?;
                match self.next() {
                    Some(Token::RParen) => {
                        self.depth -= 1;
                        Ok(inner)
                    }
                    Some(token) => err(format!("expected ')', found {}", describe(&token))),
                    None => err("missing ')'"),
                }
            }
            Some(Token::Word(word)) => self.parse_comparison(&word),
            Some(token) => err(format!(
                "expected an attribute path, found {}",
                describe(&token)
            )),
            None => err("unexpected end of filter"),
        }
    }

    fn parse_comparison(&mut self, word: &str) -> Result<Filter, FilterError> {
        let path = AttrPath::parse(word)
            .ok_or_else(|| FilterError(format!("invalid attribute path '{word}'")))?;
        if self.peek() == Some(&Token::LBracket) {
            return err("value filters ('attr[...]') are not supported");
        }
        let op = match self.next() {
            Some(Token::Word(op)) if op.eq_ignore_ascii_case("eq") => CompareOp::Eq,
            Some(Token::Word(op))
                if UNSUPPORTED_OPERATORS
                    .iter()
                    .any(|u| op.eq_ignore_ascii_case(u)) =>
            {
                return err(format!(
                    "the '{}' operator is not supported",
                    op.to_lowercase()
                ));
            }
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
