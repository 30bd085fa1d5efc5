//! Input framing: a byte stream -> one unit per record, each with its place
//! (physical line, CSV row, YAML document). Nothing is dropped: a line that
//! cannot be a record (blank, too long, not UTF-8) is a unit too, marked bad.

use std::io::{self, BufRead};
use std::sync::Arc;

/// Input formats.
#[derive(Debug, Clone, Copy, PartialEq, Eq, clap::ValueEnum)]
pub enum Format {
    /// One JSON object per line.
    Jsonl,
    /// One JSON array of objects.
    Json,
    /// A YAML stream, one snapshot per document.
    Yaml,
    /// A header of dotted field names, one snapshot per row.
    Csv,
}

impl Format {
    /// The format named by a file extension (`.gz` looked through).
    pub fn from_path(path: &str) -> Option<Format> {
        let path = path.strip_suffix(".gz").unwrap_or(path);
        let ext = path.rsplit_once('.').map(|(_, e)| e.to_ascii_lowercase())?;
        match ext.as_str() {
            "jsonl" | "ndjson" => Some(Format::Jsonl),
            "json" => Some(Format::Json),
            "yaml" | "yml" => Some(Format::Yaml),
            "csv" => Some(Format::Csv),
            _ => None,
        }
    }
}

/// Where a record is in its input.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Place {
    /// Physical line (from 1) where the record starts.
    pub line: u64,
    /// CSV data row or YAML document number (from 1), when that applies.
    pub row: Option<u64>,
}

#[derive(Debug)]
pub enum Payload {
    Json(String),
    Yaml(String),
    Csv(Vec<String>),
    /// Not a record at all; the message says why.
    Bad(String),
}

/// One input record.
#[derive(Debug)]
pub struct Unit {
    pub source: Arc<str>,
    pub place: Place,
    pub payload: Payload,
}

/// Splits an input into units.
pub trait Framer: Send {
    fn next_unit(&mut self) -> io::Result<Option<Unit>>;
    /// CSV: the header, once read.
    fn csv_header(&self) -> Option<&[String]> {
        None
    }
}

pub fn framer(
    format: Format,
    source: Arc<str>,
    input: Box<dyn BufRead + Send>,
    max_bytes: usize,
) -> Box<dyn Framer> {
    match format {
        Format::Jsonl => Box::new(JsonLines {
            input,
            source,
            line: 0,
            max_bytes,
            buf: Vec::new(),
        }),
        Format::Json => Box::new(JsonArray {
            input,
            source,
            line: 1,
            max_bytes,
            state: ArrayState::Start,
        }),
        Format::Yaml => Box::new(YamlDocs {
            input,
            source,
            line: 0,
            doc: 0,
            max_bytes,
            pending: None,
            done: false,
        }),
        Format::Csv => Box::new(CsvRows::new(input, source)),
    }
}

/// Reads one line (without its terminator) into `buf`, keeping at most
/// `max` bytes; returns (bytes seen, whether it was cut). `None` at the end.
fn read_line_capped(
    input: &mut dyn BufRead,
    buf: &mut Vec<u8>,
    max: usize,
) -> io::Result<Option<(usize, bool)>> {
    buf.clear();
    let mut seen = 0usize;
    let mut cut = false;
    loop {
        let available = input.fill_buf()?;
        if available.is_empty() {
            return Ok(if seen == 0 { None } else { Some((seen, cut)) });
        }
        let (chunk, done) = match memchr::memchr(b'\n', available) {
            Some(i) => (available.get(..i).unwrap_or(&[]), Some(i + 1)),
            None => (available, None),
        };
        let room = max.saturating_sub(buf.len());
        if chunk.len() > room {
            cut = true;
            buf.extend_from_slice(chunk.get(..room).unwrap_or(&[]));
        } else {
            buf.extend_from_slice(chunk);
        }
        let used = done.unwrap_or(available.len());
        seen += used;
        input.consume(used);
        if done.is_some() {
            return Ok(Some((seen, cut)));
        }
    }
}

fn text_of(mut bytes: Vec<u8>, first_line: bool) -> Result<String, String> {
    if bytes.last() == Some(&b'\r') {
        bytes.pop();
    }
    if first_line && bytes.starts_with(b"\xef\xbb\xbf") {
        bytes.drain(..3);
    }
    String::from_utf8(bytes)
        .map_err(|e| format!("invalid UTF-8 at byte {}", e.utf8_error().valid_up_to() + 1))
}

struct JsonLines {
    input: Box<dyn BufRead + Send>,
    source: Arc<str>,
    line: u64,
    max_bytes: usize,
    buf: Vec<u8>,
}

impl Framer for JsonLines {
    fn next_unit(&mut self) -> io::Result<Option<Unit>> {
        let Some((_, cut)) = read_line_capped(&mut *self.input, &mut self.buf, self.max_bytes)?
        else {
            return Ok(None);
        };
        self.line += 1;
        let place = Place {
            line: self.line,
            row: None,
        };
        let payload = if cut {
            Payload::Bad(format!(
                "record is larger than {} bytes (--max-record-bytes)",
                self.max_bytes
            ))
        } else {
            match text_of(std::mem::take(&mut self.buf), self.line == 1) {
                Ok(t) if t.trim().is_empty() => Payload::Bad("blank line".into()),
                Ok(t) => Payload::Json(t),
                Err(e) => Payload::Bad(e),
            }
        };
        Ok(Some(Unit {
            source: self.source.clone(),
            place,
            payload,
        }))
    }
}

#[derive(Debug, PartialEq)]
enum ArrayState {
    Start,
    Elements,
    Done,
}

/// A JSON array streamed element by element, never held whole.
struct JsonArray {
    input: Box<dyn BufRead + Send>,
    source: Arc<str>,
    line: u64,
    max_bytes: usize,
    state: ArrayState,
}

impl JsonArray {
    fn peek(&mut self) -> io::Result<Option<u8>> {
        Ok(self.input.fill_buf()?.first().copied())
    }

    fn bump(&mut self) -> io::Result<Option<u8>> {
        let b = self.peek()?;
        if let Some(c) = b {
            if c == b'\n' {
                self.line += 1;
            }
            self.input.consume(1);
        }
        Ok(b)
    }

    fn skip_ws(&mut self) -> io::Result<()> {
        while let Some(b' ' | b'\t' | b'\r' | b'\n') = self.peek()? {
            self.bump()?;
        }
        Ok(())
    }

    fn fail(&mut self, line: u64, message: String) -> Option<Unit> {
        self.state = ArrayState::Done;
        Some(Unit {
            source: self.source.clone(),
            place: Place { line, row: None },
            payload: Payload::Bad(message),
        })
    }
}

impl Framer for JsonArray {
    fn next_unit(&mut self) -> io::Result<Option<Unit>> {
        if self.state == ArrayState::Start {
            if self.input.fill_buf()?.starts_with(b"\xef\xbb\xbf") {
                self.input.consume(3);
            }
            self.skip_ws()?;
            if self.bump()? != Some(b'[') {
                let line = self.line;
                return Ok(self.fail(line, "expected a JSON array `[...]`".into()));
            }
            self.state = ArrayState::Elements;
            self.skip_ws()?;
            if self.peek()? == Some(b']') {
                self.state = ArrayState::Done;
            }
        }
        if self.state == ArrayState::Done {
            return Ok(None);
        }
        self.skip_ws()?;
        let start = self.line;
        let mut bytes = Vec::new();
        let (mut depth, mut in_string, mut escaped, mut cut) = (0u32, false, false, false);
        loop {
            let Some(c) = self.peek()? else {
                return Ok(self.fail(start, "the array is not closed (truncated?)".into()));
            };
            if !in_string && depth == 0 && (c == b',' || c == b']') {
                self.bump()?;
                if c == b']' {
                    self.state = ArrayState::Done;
                }
                break;
            }
            self.bump()?;
            if bytes.len() < self.max_bytes {
                bytes.push(c);
            } else {
                cut = true;
            }
            if in_string {
                match (escaped, c) {
                    (true, _) => escaped = false,
                    (false, b'\\') => escaped = true,
                    (false, b'"') => in_string = false,
                    _ => {}
                }
            } else {
                match c {
                    b'"' => in_string = true,
                    b'{' | b'[' => depth = depth.saturating_add(1),
                    b'}' | b']' => depth = depth.saturating_sub(1),
                    _ => {}
                }
            }
        }
        let place = Place {
            line: start,
            row: None,
        };
        let payload = if cut {
            Payload::Bad(format!(
                "record is larger than {} bytes (--max-record-bytes)",
                self.max_bytes
            ))
        } else {
            match String::from_utf8(bytes) {
                Ok(t) if t.trim().is_empty() => Payload::Bad("empty array element".into()),
                Ok(t) => Payload::Json(t),
                Err(e) => Payload::Bad(format!(
                    "invalid UTF-8 at byte {}",
                    e.utf8_error().valid_up_to() + 1
                )),
            }
        };
        Ok(Some(Unit {
            source: self.source.clone(),
            place,
            payload,
        }))
    }
}

/// A YAML stream split at `---` lines, one document at a time.
struct YamlDocs {
    input: Box<dyn BufRead + Send>,
    source: Arc<str>,
    line: u64,
    doc: u64,
    max_bytes: usize,
    /// A document start line already read (`--- ...` may carry content).
    pending: Option<(u64, String)>,
    done: bool,
}

impl Framer for YamlDocs {
    fn next_unit(&mut self) -> io::Result<Option<Unit>> {
        if self.done {
            return Ok(None);
        }
        let mut buf = Vec::new();
        let (mut start, mut text, mut explicit) = match self.pending.take() {
            Some((line, rest)) => (line, rest, true),
            None => (self.line + 1, String::new(), false),
        };
        let mut cut = false;
        let mut bad_utf8 = None;
        loop {
            let Some((_, line_cut)) = read_line_capped(&mut *self.input, &mut buf, self.max_bytes)?
            else {
                self.done = true;
                break;
            };
            self.line += 1;
            cut |= line_cut;
            let line = match text_of(std::mem::take(&mut buf), self.line == 1) {
                Ok(l) => l,
                Err(e) => {
                    bad_utf8.get_or_insert(e);
                    continue;
                }
            };
            if line == "---" || line.starts_with("--- ") {
                let rest = line.get(4..).unwrap_or("").to_string();
                // Content before the first marker that is only blank or comments is not a document.
                let empty_prologue = !explicit
                    && text
                        .lines()
                        .all(|l| l.trim().is_empty() || l.trim_start().starts_with('#'));
                if empty_prologue && self.doc == 0 {
                    start = self.line;
                    text = rest;
                    explicit = true;
                    continue;
                }
                self.pending = Some((self.line, rest));
                break;
            }
            if line == "..." {
                continue;
            }
            if text.len() + line.len() > self.max_bytes {
                cut = true;
            } else {
                text.push_str(&line);
                text.push('\n');
            }
        }
        let blank = text
            .lines()
            .all(|l| l.trim().is_empty() || l.trim_start().starts_with('#'));
        if blank && !explicit && self.doc == 0 {
            return Ok(None);
        }
        if blank && self.done && !explicit {
            return Ok(None);
        }
        self.doc += 1;
        let place = Place {
            line: start,
            row: Some(self.doc),
        };
        let payload = if cut {
            Payload::Bad(format!(
                "document is larger than {} bytes (--max-record-bytes)",
                self.max_bytes
            ))
        } else if let Some(e) = bad_utf8 {
            Payload::Bad(e)
        } else if blank {
            Payload::Bad("empty document".into())
        } else {
            Payload::Yaml(text)
        };
        Ok(Some(Unit {
            source: self.source.clone(),
            place,
            payload,
        }))
    }
}

struct CsvRows {
    reader: csv::Reader<Box<dyn BufRead + Send>>,
    source: Arc<str>,
    header: Option<Vec<String>>,
    row: u64,
    record: csv::ByteRecord,
}

impl CsvRows {
    fn new(input: Box<dyn BufRead + Send>, source: Arc<str>) -> Self {
        let reader = csv::ReaderBuilder::new()
            .flexible(true)
            .has_headers(false)
            .from_reader(input);
        CsvRows {
            reader,
            source,
            header: None,
            row: 0,
            record: csv::ByteRecord::new(),
        }
    }
}

impl Framer for CsvRows {
    fn next_unit(&mut self) -> io::Result<Option<Unit>> {
        loop {
            let line = self.reader.position().line();
            let more = match self.reader.read_byte_record(&mut self.record) {
                Ok(more) => more,
                Err(e) => {
                    self.row += 1;
                    let place = Place {
                        line,
                        row: Some(self.row),
                    };
                    return Ok(Some(Unit {
                        source: self.source.clone(),
                        place,
                        payload: Payload::Bad(format!("invalid CSV: {e}")),
                    }));
                }
            };
            if !more {
                return Ok(None);
            }
            let line = self.record.position().map_or(line, |p| p.line());
            let cells: Result<Vec<String>, usize> = self
                .record
                .iter()
                .enumerate()
                .map(|(i, c)| String::from_utf8(c.to_vec()).map_err(|_| i + 1))
                .collect();
            if self.header.is_none() {
                match cells {
                    Ok(mut h) => {
                        if let Some(first) = h.first_mut() {
                            *first = first.trim_start_matches('\u{feff}').to_string();
                        }
                        self.header = Some(h);
                        continue;
                    }
                    Err(col) => {
                        return Err(io::Error::new(
                            io::ErrorKind::InvalidData,
                            format!("CSV header column {col} is not UTF-8"),
                        ))
                    }
                }
            }
            self.row += 1;
            let place = Place {
                line,
                row: Some(self.row),
            };
            let payload = match cells {
                Ok(c) => Payload::Csv(c),
                Err(col) => Payload::Bad(format!("invalid UTF-8 in column {col}")),
            };
            return Ok(Some(Unit {
                source: self.source.clone(),
                place,
                payload,
            }));
        }
    }

    fn csv_header(&self) -> Option<&[String]> {
        self.header.as_deref()
    }
}
