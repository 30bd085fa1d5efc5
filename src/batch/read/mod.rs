//! Input framing: a byte stream -> one unit per record, each with its place
//! (physical line, CSV row, YAML document). Nothing is dropped: a line that
//! cannot be a record (blank, too long, not UTF-8) is a unit too, marked bad.

mod csv;
mod json_array;
mod jsonl;
mod open;
mod yaml;

pub use jsonl::for_each_jsonl_line;
pub(crate) use open::open;
pub use open::OpenError;

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
    /// A Parquet file (read by row group; feature `parquet`).
    Parquet,
    /// An Arrow IPC file (`.arrow`) or stream (`.arrows`), told apart by
    /// its first bytes (feature `arrow`).
    Arrow,
}

impl Format {
    /// Whether records come in columns (Parquet, Arrow IPC), read by
    /// `batch::columnar` rather than framed from text.
    pub fn is_columnar(self) -> bool {
        matches!(self, Format::Parquet | Format::Arrow)
    }

    /// The format named by a file extension (`.gz` looked through).
    pub fn from_path(path: &str) -> Option<Format> {
        let path = path.strip_suffix(".gz").unwrap_or(path);
        let ext = path.rsplit_once('.').map(|(_, e)| e.to_ascii_lowercase())?;
        match ext.as_str() {
            "jsonl" | "ndjson" => Some(Format::Jsonl),
            "json" => Some(Format::Json),
            "yaml" | "yml" => Some(Format::Yaml),
            "csv" => Some(Format::Csv),
            "parquet" | "pq" => Some(Format::Parquet),
            "arrow" | "arrows" | "ipc" | "feather" => Some(Format::Arrow),
            _ => None,
        }
    }
}

/// Where a record is in its input.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) struct Place {
    /// Physical line (from 1) where the record starts.
    pub line: u64,
    /// CSV data row or YAML document number (from 1), when that applies.
    pub row: Option<u64>,
}

#[derive(Debug)]
pub(crate) enum Payload {
    Json(String),
    /// A JSON Lines record: where its bytes are in the chunk's text
    /// ([`Framer::next_unit`]). Checked as UTF-8 (and not blank) where it
    /// is read, by [`line_text`], so framing copies each line once and
    /// allocates nothing per line.
    JsonLine(std::ops::Range<usize>),
    Yaml(String),
    Csv(Vec<String>),
    /// Not a record at all; the message says why.
    Bad(String),
}

impl Payload {
    /// Heap bytes the unit holds of its own, outside the chunk's text: what
    /// it counts against a chunk's byte budget.
    pub(crate) fn held_bytes(&self) -> usize {
        let string = std::mem::size_of::<String>();
        let own = match self {
            Payload::Json(t) | Payload::Yaml(t) | Payload::Bad(t) => t.capacity(),
            Payload::JsonLine(_) => 0,
            Payload::Csv(cells) => cells
                .iter()
                .fold(cells.capacity().saturating_mul(string), |n, c| {
                    n.saturating_add(c.capacity())
                }),
        };
        own.saturating_add(std::mem::size_of::<Unit>())
    }
}

/// One input record.
#[derive(Debug)]
pub(crate) struct Unit {
    pub source: Arc<str>,
    pub place: Place,
    pub payload: Payload,
}

/// Splits an input into units.
pub(crate) trait Framer: Send {
    /// The next unit; a framer may append the unit's bytes to `text`, the
    /// text of the chunk being framed, and point into it.
    fn next_unit(&mut self, text: &mut Vec<u8>) -> io::Result<Option<Unit>>;
    /// CSV: the header, once read.
    fn csv_header(&self) -> Option<&[String]> {
        None
    }
}

pub(crate) fn framer(
    format: Format,
    source: Arc<str>,
    input: Box<dyn BufRead + Send>,
    max_bytes: usize,
) -> Box<dyn Framer> {
    match format {
        Format::Jsonl => Box::new(jsonl::JsonLines {
            input,
            source,
            line: 0,
            max_bytes,
        }),
        Format::Json => Box::new(json_array::JsonArray {
            input,
            source,
            line: 1,
            max_bytes,
            state: json_array::ArrayState::Start,
        }),
        Format::Yaml => Box::new(yaml::YamlDocs {
            input,
            source,
            line: 0,
            doc: 0,
            max_bytes,
            pending: None,
            done: false,
        }),
        Format::Csv => Box::new(csv::CsvRows::new(input, source, max_bytes)),
        Format::Parquet | Format::Arrow => Box::new(NotText {
            source,
            done: false,
        }),
    }
}

/// A columnar input where text was expected: one bad unit saying so.
struct NotText {
    source: Arc<str>,
    done: bool,
}

impl Framer for NotText {
    fn next_unit(&mut self, _text: &mut Vec<u8>) -> io::Result<Option<Unit>> {
        if std::mem::replace(&mut self.done, true) {
            return Ok(None);
        }
        Ok(Some(Unit {
            source: self.source.clone(),
            place: Place { line: 1, row: None },
            payload: Payload::Bad(
                "Parquet and Arrow inputs are read by `verdikt batch`, not as text".into(),
            ),
        }))
    }
}

/// Appends one line (without its terminator) to `buf`, keeping at most
/// `max` bytes of it; returns (bytes seen, whether it was cut). `None` at
/// the end.
pub(super) fn read_line_capped(
    input: &mut dyn BufRead,
    buf: &mut Vec<u8>,
    max: usize,
) -> io::Result<Option<(usize, bool)>> {
    let start = buf.len();
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
        let room = max.saturating_sub(buf.len() - start);
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

/// A JSON Lines record's text: valid UTF-8 and not blank, or why not (the
/// same messages as [`text_of`]).
pub(crate) fn line_text(bytes: &[u8]) -> Result<&str, String> {
    match std::str::from_utf8(bytes) {
        Ok(t) if t.trim().is_empty() => Err("blank line".into()),
        Ok(t) => Ok(t),
        Err(e) => Err(format!("invalid UTF-8 at byte {}", e.valid_up_to() + 1)),
    }
}

pub(super) fn text_of(mut bytes: Vec<u8>, first_line: bool) -> Result<String, String> {
    if bytes.last() == Some(&b'\r') {
        bytes.pop();
    }
    if first_line && bytes.starts_with(b"\xef\xbb\xbf") {
        bytes.drain(..3);
    }
    String::from_utf8(bytes)
        .map_err(|e| format!("invalid UTF-8 at byte {}", e.utf8_error().valid_up_to() + 1))
}
