//! YAML → JSON with a source position for every value and key, so every diagnostic can point
//! into the file the user wrote (parse errors, schema errors and semantic errors alike).

use serde_json::{Map, Number, Value};
use std::collections::HashMap;
use yaml_rust2::parser::{Event, MarkedEventReceiver, Parser};
use yaml_rust2::scanner::{Marker, TScalarStyle};

/// 1-based line and column.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default)]
pub struct Pos {
    pub line: usize,
    pub col: usize,
}

impl From<Marker> for Pos {
    fn from(m: Marker) -> Self {
        Pos {
            line: m.line(),
            col: m.col() + 1,
        }
    }
}

/// A parsed document: the JSON value, and positions keyed by JSON Pointer.
#[derive(Debug, Default)]
pub struct Spanned {
    pub value: Value,
    values: HashMap<String, Pos>,
    keys: HashMap<String, Pos>,
}

impl Spanned {
    /// Position of the value at `pointer`, or of its nearest ancestor.
    pub fn value_pos(&self, pointer: &str) -> Pos {
        let mut p = pointer.to_string();
        loop {
            if let Some(pos) = self.values.get(&p) {
                return *pos;
            }
            match p.rfind('/') {
                Some(i) => p.truncate(i),
                None => return Pos { line: 1, col: 1 },
            }
        }
    }
    /// Position of the key naming the value at `pointer`, falling back to the value.
    pub fn key_pos(&self, pointer: &str) -> Pos {
        self.keys
            .get(pointer)
            .copied()
            .unwrap_or_else(|| self.value_pos(pointer))
    }
}

#[derive(Debug, thiserror::Error)]
#[error("{message}")]
pub struct YamlError {
    pub pos: Pos,
    pub message: String,
}

enum Frame {
    Seq(Vec<Value>, String),
    Map(Map<String, Value>, String, Option<(String, Pos)>),
}

#[derive(Default)]
struct Builder {
    stack: Vec<Frame>,
    done: Option<Value>,
    values: HashMap<String, Pos>,
    keys: HashMap<String, Pos>,
    error: Option<YamlError>,
    documents: usize,
}

pub(crate) fn escape(seg: &str) -> String {
    seg.replace('~', "~0").replace('/', "~1")
}

/// The deepest nesting a suite file may have. Real checks nest a dozen levels at most; a limit
/// keeps a hostile or broken file from costing unbounded memory or the stack of anything that
/// walks the document recursively later.
const MAX_DEPTH: usize = 64;

fn scalar(s: String, style: TScalarStyle) -> Value {
    if style != TScalarStyle::Plain {
        return Value::String(s);
    }
    match s.as_str() {
        "" | "~" | "null" | "Null" | "NULL" => Value::Null,
        "true" | "True" | "TRUE" => Value::Bool(true),
        "false" | "False" | "FALSE" => Value::Bool(false),
        _ => {
            if let Ok(i) = s.parse::<i64>() {
                return Value::Number(i.into());
            }
            if s.chars().any(|c| c.is_ascii_digit())
                && !s.contains(|c: char| c.is_ascii_alphabetic() && c != 'e' && c != 'E')
            {
                if let Some(n) = s.parse::<f64>().ok().and_then(Number::from_f64) {
                    return Value::Number(n);
                }
            }
            Value::String(s)
        }
    }
}

impl Builder {
    fn fail(&mut self, pos: Pos, message: impl Into<String>) {
        if self.error.is_none() {
            self.error = Some(YamlError {
                pos,
                message: message.into(),
            });
        }
    }

    /// Pointer for the next child of the innermost container.
    fn child_pointer(&self) -> String {
        match self.stack.last() {
            None => String::new(),
            Some(Frame::Seq(items, p)) => format!("{p}/{}", items.len()),
            Some(Frame::Map(_, p, Some((k, _)))) => format!("{p}/{}", escape(k)),
            Some(Frame::Map(_, p, None)) => p.clone(),
        }
    }

    fn push_value(&mut self, v: Value, pos: Pos) {
        match self.stack.last_mut() {
            None => self.done = Some(v),
            Some(Frame::Seq(items, _)) => items.push(v),
            Some(Frame::Map(map, p, pending)) => match pending.take() {
                Some((k, _)) => {
                    map.insert(k, v);
                }
                None => {
                    // This value is a key.
                    let key = match v {
                        Value::String(s) => s,
                        Value::Null => String::new(),
                        Value::Bool(_) | Value::Number(_) => v.to_string(),
                        _ => {
                            self.fail(pos, "a mapping key must be a plain value");
                            return;
                        }
                    };
                    if map.contains_key(&key) {
                        let msg = format!("duplicate key `{key}`");
                        self.fail(pos, msg);
                        return;
                    }
                    let ptr = format!("{p}/{}", escape(&key));
                    self.keys.insert(ptr, pos);
                    *pending = Some((key, pos));
                }
            },
        }
    }
}

impl MarkedEventReceiver for Builder {
    fn on_event(&mut self, ev: Event, mark: Marker) {
        if self.error.is_some() {
            return;
        }
        let pos = Pos::from(mark);
        let is_key = matches!(self.stack.last(), Some(Frame::Map(_, _, None)));
        match ev {
            Event::DocumentStart => {
                self.documents += 1;
                if self.documents > 1 {
                    self.fail(pos, "a suite file holds one YAML document");
                }
            }
            Event::Alias(_) => self.fail(pos, "YAML aliases are not supported in suite files"),
            Event::Scalar(s, style, anchor, _) => {
                if anchor > 0 {
                    self.fail(pos, "YAML anchors are not supported in suite files");
                    return;
                }
                if !is_key {
                    let ptr = self.child_pointer();
                    self.values.insert(ptr, pos);
                }
                self.push_value(scalar(s, style), pos);
            }
            Event::SequenceStart(anchor, _) | Event::MappingStart(anchor, _) => {
                if anchor > 0 {
                    self.fail(pos, "YAML anchors are not supported in suite files");
                    return;
                }
                if is_key {
                    self.fail(pos, "a mapping key must be a plain value");
                    return;
                }
                if self.stack.len() >= MAX_DEPTH {
                    self.fail(
                        pos,
                        format!(
                            "nested deeper than {MAX_DEPTH} levels; a suite file never needs that"
                        ),
                    );
                    return;
                }
                let ptr = self.child_pointer();
                self.values.insert(ptr.clone(), pos);
                let frame = if matches!(ev, Event::SequenceStart(..)) {
                    Frame::Seq(Vec::new(), ptr)
                } else {
                    Frame::Map(Map::new(), ptr, None)
                };
                self.stack.push(frame);
            }
            Event::SequenceEnd | Event::MappingEnd => {
                let (v, p) = match self.stack.pop() {
                    Some(Frame::Seq(items, p)) => (Value::Array(items), p),
                    Some(Frame::Map(map, p, _)) => (Value::Object(map), p),
                    None => return,
                };
                let start = self.values.get(&p).copied().unwrap_or(pos);
                self.push_value(v, start);
            }
            _ => {}
        }
    }
}

/// Parses one YAML document into JSON with positions.
pub fn parse(text: &str) -> Result<Spanned, YamlError> {
    let mut builder = Builder::default();
    let mut parser = Parser::new_from_str(text);
    // Events one by one rather than `Parser::load`, which recurses once per nesting level and
    // overflows the stack on a deeply nested file; the builder keeps its own stack and refuses
    // nesting past MAX_DEPTH. Scanning goes on to the end, so a syntax error anywhere still wins.
    loop {
        let (event, mark) = parser.next_token().map_err(|e| YamlError {
            pos: Pos::from(*e.marker()),
            message: format!("invalid YAML: {}", e.info()),
        })?;
        let end = matches!(event, Event::StreamEnd);
        builder.on_event(event, mark);
        if end {
            break;
        }
    }
    if let Some(e) = builder.error {
        return Err(e);
    }
    Ok(Spanned {
        value: builder.done.unwrap_or(Value::Null),
        values: builder.values,
        keys: builder.keys,
    })
}

#[cfg(test)]
mod tests {
    use super::*;
    use serde_json::json;

    #[test]
    fn converts_scalars_by_yaml_rules() {
        let s =
            parse("a: 1\nb: true\nc: ~\nd: 'true'\ne: 1.5\nf: RFC 7644 §3.3\ng: [x, 2]\n").unwrap();
        assert_eq!(
            s.value,
            json!({"a": 1, "b": true, "c": null, "d": "true", "e": 1.5, "f": "RFC 7644 §3.3", "g": ["x", 2]})
        );
    }

    #[test]
    fn records_positions_of_values_and_keys() {
        let s = parse("- id: x\n  steps:\n    - request: {method: GET}\n").unwrap();
        assert_eq!(s.value_pos("/0/id"), Pos { line: 1, col: 7 });
        assert_eq!(s.key_pos("/0/steps"), Pos { line: 2, col: 3 });
        assert_eq!(
            s.key_pos("/0/steps/0/request/method"),
            Pos { line: 3, col: 17 }
        );
        assert_eq!(
            s.value_pos("/0/steps/0/request/nothing/here"),
            s.value_pos("/0/steps/0/request")
        );
    }

    #[test]
    fn rejects_duplicate_keys_with_position() {
        let e = parse("a: 1\nb: 2\na: 3\n").unwrap_err();
        assert_eq!(e.pos, Pos { line: 3, col: 1 });
        assert!(e.message.contains("duplicate key `a`"));
    }

    #[test]
    fn reports_syntax_errors_with_position() {
        let e = parse("a: [1, 2\nb: 3\n").unwrap_err();
        assert!(e.message.starts_with("invalid YAML"), "{}", e.message);
        assert!(e.pos.line >= 1);
    }
}
