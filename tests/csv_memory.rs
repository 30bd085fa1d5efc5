//! CSV framing holds memory to about `--max-record-bytes`, whatever the
//! input: a 300 MB cell (quoted or not) or an unclosed quote followed by
//! tens of MB are each one reject, and the rows after them still come out.
//!
//! The inputs are generated as they are read, never held whole, and go
//! through a whole batch run (framing, reading, rejecting). A counting
//! global allocator keeps the peak; this binary has one test only, so that
//! nothing else allocates while it runs.
#![allow(
    clippy::unwrap_used,
    clippy::expect_used,
    clippy::panic,
    clippy::indexing_slicing,
    clippy::string_slice,
    reason = "test code"
)]

use std::io::{BufReader, Read, Write};

use peak_alloc::PeakAlloc;
use verdikt::batch::{self, Config, Format, Input, OutputFormat};
use verdikt::Mode;

#[global_allocator]
static ALLOC: PeakAlloc = PeakAlloc;

const MAX: usize = 1 << 20;
const MB: u64 = 1 << 20;
/// The second cell of a long row.
const LONG: usize = 10_000;

/// A piece of generated input.
enum Part {
    Text(&'static str),
    /// One byte, this many times.
    Fill(u8, u64),
    /// Rows `M<i>,ok` for i in the range.
    Rows(u64, u64),
    /// Rows `M<i>,` and 10,000 `x` for i in the range.
    LongRows(u64, u64),
}

/// An input made as it is read.
struct Generated {
    parts: std::vec::IntoIter<Part>,
    part: Option<Part>,
    /// Bytes made but not yet read.
    pending: Vec<u8>,
}

impl Generated {
    fn new(parts: Vec<Part>) -> Generated {
        Generated {
            parts: parts.into_iter(),
            part: None,
            pending: Vec::new(),
        }
    }
}

impl Read for Generated {
    fn read(&mut self, buf: &mut [u8]) -> std::io::Result<usize> {
        loop {
            if !self.pending.is_empty() {
                let n = self.pending.len().min(buf.len());
                buf[..n].copy_from_slice(&self.pending[..n]);
                self.pending.drain(..n);
                return Ok(n);
            }
            match self.part.take() {
                None => match self.parts.next() {
                    Some(part) => self.part = Some(part),
                    None => return Ok(0),
                },
                Some(Part::Text(text)) => self.pending.extend_from_slice(text.as_bytes()),
                Some(Part::Fill(byte, left)) => {
                    if left == 0 {
                        continue;
                    }
                    let n = buf.len().min(usize::try_from(left).unwrap_or(usize::MAX));
                    buf[..n].fill(byte);
                    self.part = Some(Part::Fill(byte, left - n as u64));
                    return Ok(n);
                }
                Some(Part::Rows(from, to)) => {
                    if from < to {
                        self.pending
                            .extend_from_slice(format!("M{from},ok\n").as_bytes());
                        self.part = Some(Part::Rows(from + 1, to));
                    }
                }
                Some(Part::LongRows(from, to)) => {
                    if from < to {
                        self.pending
                            .extend_from_slice(format!("M{from},").as_bytes());
                        self.pending.resize(self.pending.len() + LONG, b'x');
                        self.pending.push(b'\n');
                        self.part = Some(Part::LongRows(from + 1, to));
                    }
                }
            }
        }
    }
}

/// What a batch over an input gave: the first reject's line and message,
/// then how many rows followed, each checked to be `M<i>` on its own line
/// (the rows lack the schema's fields, so each is a reject naming its line
/// and merchant).
struct Framed {
    reject_line: u64,
    reject: String,
    rows: u64,
    peak: usize,
}

/// Checks reject lines as they are written, keeping none of them.
struct Rejects {
    partial: Vec<u8>,
    first: Option<(u64, String)>,
    first_id: u64,
    first_row_line: u64,
    rows: u64,
}

impl Rejects {
    fn check(&mut self, line: &[u8]) {
        let reject: serde_json::Value = serde_json::from_slice(line).unwrap();
        let at = reject["line"].as_u64().unwrap();
        if self.first.is_none() {
            let problem = reject["problems"][0].as_str().unwrap().to_string();
            self.first = Some((at, problem));
            return;
        }
        assert_eq!(at, self.first_row_line + self.rows, "{reject}");
        let id = format!("M{}", self.first_id + self.rows);
        assert_eq!(
            reject["merchant_id"].as_str(),
            Some(id.as_str()),
            "{reject}"
        );
        self.rows += 1;
    }
}

impl Write for Rejects {
    fn write(&mut self, buf: &[u8]) -> std::io::Result<usize> {
        self.partial.extend_from_slice(buf);
        while let Some(end) = self.partial.iter().position(|b| *b == b'\n') {
            let line: Vec<u8> = self.partial.drain(..=end).collect();
            self.check(&line);
        }
        Ok(buf.len())
    }

    fn flush(&mut self) -> std::io::Result<()> {
        Ok(())
    }
}

/// Decides `parts` (the reject at line 2, then rows `M<first>`... one per
/// line from `first_row_line`) and measures the peak of allocated bytes.
fn frame(parts: Vec<Part>, first: u64, first_row_line: u64) -> Framed {
    let policy = verdikt::check_dir(std::path::Path::new("tests/fixtures/reference/rules"))
        .unwrap()
        .policy
        .unwrap();
    let pool = rayon::ThreadPoolBuilder::new()
        .num_threads(2)
        .build()
        .unwrap();
    let config = Config {
        mode: Mode {
            reasons: true,
            explain: false,
            trace: false,
        },
        output: OutputFormat::Jsonl,
        chunk: 64,
        chunk_bytes: verdikt::batch::DEFAULT_CHUNK_BYTES,
        max_rejects: None,
        max_record_bytes: MAX,
        read_ahead: true,
    };
    let mut rejects = Rejects {
        partial: Vec::new(),
        first: None,
        first_id: first,
        first_row_line,
        rows: 0,
    };
    let base = ALLOC.current_usage();
    ALLOC.reset_peak_usage();
    let input = BufReader::with_capacity(64 << 10, Generated::new(parts));
    let input = Input::from_reader("gen.csv", Format::Csv, input, MAX);
    let summary = pool
        .install(|| {
            batch::run(
                &policy,
                vec![input],
                &config,
                &mut std::io::sink(),
                &mut rejects,
                |_| {},
            )
        })
        .unwrap();
    let peak = ALLOC.peak_usage().saturating_sub(base);
    assert_eq!(
        summary.read, summary.rejected,
        "rows lack fields: all rejected"
    );
    let (reject_line, reject) = rejects.first.take().unwrap();
    Framed {
        reject_line,
        reject,
        rows: rejects.rows,
        peak,
    }
}

#[test]
fn huge_cells_and_unclosed_quotes_frame_in_bounded_memory() {
    let budget = 8 * MAX;
    let too_large = "record is larger than 1048576 bytes (--max-record-bytes)";

    // A 300 MB unquoted cell.
    let got = frame(
        vec![
            Part::Text("merchant_id,note\nM0,"),
            Part::Fill(b'a', 300 * MB),
            Part::Text("\n"),
            Part::Rows(1, 1001),
        ],
        1,
        3,
    );
    assert_eq!((got.reject_line, got.reject.as_str()), (2, too_large));
    assert_eq!(got.rows, 1000);
    assert!(got.peak < budget, "peak {} bytes", got.peak);

    // A 300 MB quoted cell, closed at its end: past the limit inside a
    // quote, on the quote's own line, so the rest of that line is skipped.
    let got = frame(
        vec![
            Part::Text("merchant_id,note\nM0,\""),
            Part::Fill(b'a', 300 * MB),
            Part::Text("\"\n"),
            Part::Rows(1, 1001),
        ],
        1,
        3,
    );
    assert_eq!(got.reject_line, 2);
    assert!(
        got.reject.starts_with(
            "unclosed quote opened at line 2, column 4: no closing quote within 1048576 bytes"
        ),
        "{}",
        got.reject
    );
    assert_eq!(got.rows, 1000);
    assert!(got.peak < budget, "peak {} bytes", got.peak);

    // An unclosed quote, then 20 MB of good rows: the record passes the
    // limit after about 100 of them, which are read again.
    let got = frame(
        vec![
            Part::Text("merchant_id,note\nM0,\"oops\n"),
            Part::LongRows(1, 2001),
            Part::Rows(2001, 3001),
        ],
        1,
        3,
    );
    assert_eq!(got.reject_line, 2);
    assert!(
        got.reject
            .starts_with("unclosed quote opened at line 2, column 4: no closing quote"),
        "{}",
        got.reject
    );
    assert_eq!(got.rows, 3000);
    assert!(got.peak < budget, "peak {} bytes", got.peak);
}
