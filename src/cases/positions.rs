//! Where each key and value of a YAML document is written.
//!
//! serde_yaml's `Value` keeps no positions, so the case checker reads the
//! same text a second time with yaml-rust2's event parser and keeps a small
//! tree of byte ranges, looked up by path (`cases[3].patch["store.ratng"]`).
//! The tree is built with an explicit stack: no recursion, whatever the
//! nesting.

use std::collections::BTreeMap;

use yaml_rust2::parser::{Event, Parser};
use yaml_rust2::scanner::{Marker, TScalarStyle};

/// Deeper nesting is refused (serde_yaml refuses past 128 levels already),
/// so the tree is never deep enough for its drop to exhaust the stack.
const MAX_DEPTH: usize = 256;

/// A byte range in the document.
pub(crate) type Range = (usize, usize);

/// One node of the document, with the byte range it is written at.
#[derive(Debug)]
pub(crate) enum Node {
    /// A scalar or an alias.
    Leaf(Range),
    Seq(Range, Vec<Node>),
    Map(Range, Vec<Entry>),
}

/// One `key: value` of a mapping.
#[derive(Debug)]
pub(crate) struct Entry {
    /// The key's text when it is a scalar.
    pub(crate) key: Option<String>,
    pub(crate) key_range: Range,
    pub(crate) value: Node,
}

impl Node {
    pub(crate) fn range(&self) -> Range {
        match self {
            Node::Leaf(r) | Node::Seq(r, _) | Node::Map(r, _) => *r,
        }
    }
}

/// One step of a path into the document.
#[derive(Debug, Clone, Copy)]
pub(crate) enum Step<'a> {
    /// The value under a text key.
    Key(&'a str),
    /// The value of the n-th entry of a mapping (for keys that are not text).
    Entry(usize),
    /// The n-th item of a sequence.
    Index(usize),
}

/// The positions of a whole document.
#[derive(Debug)]
pub(crate) struct Positions {
    root: Option<Node>,
    /// Where a second document starts, if the text has one.
    pub(crate) second_document: Option<usize>,
}

/// A YAML error the event parser found: its byte offset and message.
#[derive(Debug)]
pub(crate) struct ParseError {
    pub(crate) offset: usize,
    pub(crate) message: String,
}

impl Positions {
    /// Reads the positions of the first document of `text`.
    pub(crate) fn parse(text: &str) -> Result<Positions, ParseError> {
        let offsets = LineOffsets::new(text);
        let mut parser = Parser::new_from_str(text);
        let mut stack: Vec<Open> = Vec::new();
        let mut root = None;
        let mut second_document = None;
        // INVARIANT: every event consumes input or closes a collection, so a
        // well-behaved parser ends long before this bound; it only guards
        // against a parser bug turning into a hang.
        let limit = text.len().saturating_mul(4).saturating_add(64);
        for _ in 0..limit {
            let (event, mark) = parser.next_token().map_err(|e| ParseError {
                offset: offsets.byte(e.marker()),
                message: e.info().to_string(),
            })?;
            let start = offsets.byte(&mark);
            let (node, key) = match event {
                Event::StreamEnd => {
                    return Ok(Positions {
                        root,
                        second_document,
                    })
                }
                Event::DocumentStart => {
                    if root.is_some() && second_document.is_none() {
                        second_document = Some(start);
                    }
                    continue;
                }
                Event::Nothing | Event::StreamStart | Event::DocumentEnd => continue,
                Event::SequenceStart(..) | Event::MappingStart(..) if stack.len() >= MAX_DEPTH => {
                    return Err(ParseError {
                        offset: start,
                        message: format!("nesting deeper than {MAX_DEPTH} levels"),
                    });
                }
                Event::SequenceStart(..) => {
                    stack.push(Open::Seq(start, Vec::new()));
                    continue;
                }
                Event::MappingStart(..) => {
                    stack.push(Open::Map(start, Vec::new(), None));
                    continue;
                }
                Event::SequenceEnd | Event::MappingEnd => match stack.pop() {
                    Some(open) => (open.close(start), None),
                    None => continue,
                },
                Event::Scalar(value, style, ..) => {
                    let end = scalar_end(text, start, &value, style);
                    (Node::Leaf((start, end)), Some(value))
                }
                Event::Alias(_) => (Node::Leaf((start, token_end(text, start))), None),
            };
            match stack.last_mut() {
                None => {
                    // Only the first document counts (serde_yaml refuses more).
                    if root.is_none() {
                        root = Some(node);
                    }
                }
                Some(Open::Seq(_, items)) => items.push(node),
                Some(Open::Map(_, entries, pending)) => match pending.take() {
                    None => *pending = Some((key, node.range())),
                    Some((key, key_range)) => entries.push(Entry {
                        key,
                        key_range,
                        value: node,
                    }),
                },
            }
        }
        Err(ParseError {
            offset: 0,
            message: "the YAML parser did not finish".into(),
        })
    }

    /// The node at `path`, if every step exists.
    pub(crate) fn node(&self, path: &[Step<'_>]) -> Option<&Node> {
        let mut node = self.root.as_ref()?;
        for step in path {
            node = child(node, *step)?.1;
        }
        Some(node)
    }

    /// The first key written twice in one mapping: where it is written the
    /// second time and the first.
    pub(crate) fn duplicate_key(&self) -> Option<(&str, Range, Range)> {
        let mut todo: Vec<&Node> = self.root.iter().collect();
        while let Some(node) = todo.pop() {
            match node {
                Node::Leaf(_) => {}
                Node::Seq(_, items) => todo.extend(items.iter().rev()),
                Node::Map(_, entries) => {
                    let mut seen: BTreeMap<&str, Range> = BTreeMap::new();
                    for entry in entries {
                        let Some(key) = entry.key.as_deref() else {
                            continue;
                        };
                        if let Some(&first) = seen.get(key) {
                            return Some((key, entry.key_range, first));
                        }
                        seen.insert(key, entry.key_range);
                    }
                    todo.extend(entries.iter().rev().map(|e| &e.value));
                }
            }
        }
        None
    }

    /// Where the value at `path` is written; the nearest existing ancestor
    /// when part of the path is missing (an alias, say).
    pub(crate) fn value(&self, path: &[Step<'_>]) -> Range {
        let Some(mut node) = self.root.as_ref() else {
            return (0, 0);
        };
        for step in path {
            match child(node, *step) {
                Some((_, next)) => node = next,
                None => break,
            }
        }
        node.range()
    }

    /// Where the key of the last step of `path` is written (the item itself
    /// for a sequence index); the nearest existing ancestor otherwise.
    pub(crate) fn key(&self, path: &[Step<'_>]) -> Range {
        let Some((last, parent)) = path.split_last() else {
            return self.value(path);
        };
        match self.node(parent).and_then(|n| child(n, *last)) {
            Some((Some(key_range), _)) => key_range,
            Some((None, node)) => node.range(),
            None => self.value(parent),
        }
    }
}

/// The child a step leads to, with its key's range in a mapping.
fn child<'n>(node: &'n Node, step: Step<'_>) -> Option<(Option<Range>, &'n Node)> {
    match (node, step) {
        (Node::Map(_, entries), Step::Key(key)) => entries
            .iter()
            .find(|e| e.key.as_deref() == Some(key))
            .map(|e| (Some(e.key_range), &e.value)),
        (Node::Map(_, entries), Step::Entry(i)) => {
            entries.get(i).map(|e| (Some(e.key_range), &e.value))
        }
        (Node::Seq(_, items), Step::Index(i)) => items.get(i).map(|n| (None, n)),
        _ => None,
    }
}

/// A collection whose end has not been seen yet.
enum Open {
    Seq(usize, Vec<Node>),
    /// Start, finished entries, and a key waiting for its value.
    Map(usize, Vec<Entry>, Option<(Option<String>, Range)>),
}

impl Open {
    /// The finished node. It spans its children (yaml-rust2 marks a block
    /// mapping's start after its first key), and ends where its last child
    /// ends: a flow collection's closing bracket is not needed to point at it.
    fn close(self, end_mark: usize) -> Node {
        match self {
            Open::Seq(mark, items) => {
                let start = items.first().map_or(mark, |n| n.range().0.min(mark));
                let end = items.last().map_or(end_mark, |n| n.range().1).max(start);
                Node::Seq((start, end), items)
            }
            Open::Map(mark, entries, _) => {
                let start = entries.first().map_or(mark, |e| e.key_range.0.min(mark));
                let end = entries
                    .last()
                    .map_or(end_mark, |e| e.value.range().1)
                    .max(start);
                Node::Map((start, end), entries)
            }
        }
    }
}

/// Turns yaml-rust2's markers into byte offsets.
///
/// Markers are read by line and column (in characters): yaml-rust2 (0.13)
/// advances a marker's character index by bytes inside block scalars, but
/// its line and column are right.
struct LineOffsets<'t> {
    text: &'t str,
    /// Byte offset of each line's start. A line ends at `\n`, `\r\n` or a
    /// lone `\r`, as yaml-rust2 counts lines.
    starts: Vec<usize>,
}

impl<'t> LineOffsets<'t> {
    fn new(text: &'t str) -> Self {
        let mut starts = vec![0];
        let bytes = text.as_bytes();
        for (i, &b) in bytes.iter().enumerate() {
            let lone_cr = b == b'\r' && bytes.get(i + 1) != Some(&b'\n');
            if b == b'\n' || lone_cr {
                starts.push(i + 1);
            }
        }
        LineOffsets { text, starts }
    }

    fn byte(&self, mark: &Marker) -> usize {
        self.byte_at(mark.line(), mark.col())
    }

    /// The byte offset of 1-based `line`, 0-based character `col`.
    fn byte_at(&self, line: usize, col: usize) -> usize {
        let Some(&start) = self.starts.get(line.saturating_sub(1)) else {
            return self.text.len();
        };
        let rest = self.text.get(start..).unwrap_or("");
        let column = rest.char_indices().nth(col).map_or(rest.len(), |(i, _)| i);
        start + column
    }
}

/// The byte offset of a place the YAML parser names (1-based `line`,
/// 0-based character `col`) in `text`.
pub(crate) fn byte_at(text: &str, line: usize, col: usize) -> usize {
    LineOffsets::new(text).byte_at(line, col)
}

/// Where a scalar starting at `start` ends in the text.
fn scalar_end(text: &str, start: usize, value: &str, style: TScalarStyle) -> usize {
    let rest = text.get(start..).unwrap_or("");
    let end = match style {
        TScalarStyle::Plain if !value.is_empty() && rest.starts_with(value) => value.len(),
        TScalarStyle::Plain => line_len(rest),
        TScalarStyle::SingleQuoted => quoted_len(rest, '\''),
        TScalarStyle::DoubleQuoted => quoted_len(rest, '"'),
        TScalarStyle::Literal | TScalarStyle::Folded => line_len(rest),
    };
    start.saturating_add(end).min(text.len())
}

/// The length of a quoted scalar at the start of `rest`, quotes included
/// (`''` inside single quotes and `\"` inside double quotes do not end it).
fn quoted_len(rest: &str, quote: char) -> usize {
    let mut chars = rest.char_indices().skip(1).peekable();
    while let Some((i, c)) = chars.next() {
        if quote == '"' && c == '\\' {
            chars.next();
        } else if c == quote {
            if quote == '\'' && chars.peek().is_some_and(|&(_, n)| n == '\'') {
                chars.next();
            } else {
                return i + c.len_utf8();
            }
        }
    }
    line_len(rest)
}

/// The length of the first line of `rest`, without trailing blanks.
fn line_len(rest: &str) -> usize {
    let line = rest.split(['\n', '\r']).next().unwrap_or("");
    line.trim_end().len()
}

/// The length of an alias token (`*name`).
fn token_end(text: &str, start: usize) -> usize {
    let rest = text.get(start..).unwrap_or("");
    let len = rest
        .find(|c: char| c.is_whitespace() || matches!(c, ',' | ']' | '}'))
        .unwrap_or(rest.len());
    start + len
}
