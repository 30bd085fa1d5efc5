//! CSV input: a header of dotted field names, then one snapshot per record,
//! framed here (RFC 4180) in bounded memory, failing closed.
//!
//! - Cells are separated by commas; a record ends at a line break (LF or
//!   CRLF) outside quotes. A BOM at the start of the input is skipped.
//! - A cell may be quoted with `"`: inside, `""` is one quote, and commas and
//!   line breaks belong to the cell. A record's place is the physical line
//!   where it starts.
//! - Every physical line ends up in the header or in exactly one unit. A
//!   record that cannot be a snapshot is a [`Payload::Bad`] unit, never
//!   dropped: a blank line; a quote inside an unquoted cell (`ab"c`) or text
//!   after a closing quote (`"ab"c`), named by line and column (the record
//!   still ends where RFC 4180 ends it); a row whose number of cells is not
//!   the header's; invalid UTF-8 in a cell. The final line break of the
//!   input does not start a blank line.
//! - No record is held past `max_bytes`. A record that grows past it outside
//!   a quote is one reject, and the rest of its physical line is skipped
//!   without being stored (quotes there are not interpreted).
//! - **Unclosed quotes resynchronise.** When a quote is still open at the
//!   end of the input, or the record passes `max_bytes` inside a quote, the
//!   quote is taken for a typo: the record is one reject naming the line and
//!   column where the quote opened, and framing resumes at the physical line
//!   after that one. The bytes already read past that line (at most
//!   `max_bytes`: they are part of the record) are kept for this and framed
//!   again before reading on, so the rows after a stray `"abc,` are still
//!   decided. When the limit is passed on the quote's own line, the rest of
//!   that line is skipped without being stored.
//! - The header is the first record. A header that is blank, larger than
//!   `max_bytes`, malformed or not UTF-8 is an input error for the whole file
//!   ([`io::ErrorKind::InvalidData`]): without it no row can be read. An
//!   input with no bytes at all (or only a BOM) has no header and no rows.
//!
//! Columns in messages count characters from 1 on their physical line, as
//! in the JSON messages; "column N" of an invalid UTF-8 cell is its cell.

use std::io::{self, BufRead, Read};
use std::sync::Arc;

use super::{Framer, Payload, Place, Unit};

const BOM: &[u8] = b"\xef\xbb\xbf";

pub(super) struct CsvRows {
    input: Box<dyn BufRead + Send>,
    source: Arc<str>,
    max_bytes: usize,
    header: Option<Vec<String>>,
    /// Data records framed so far.
    row: u64,
    /// Bytes to frame again, from `replay_pos`, before reading `input` on
    /// (after an unclosed quote; also the first bytes when they are no BOM).
    replay: Vec<u8>,
    replay_pos: usize,
    at: Position,
    started: bool,
    /// Cell buffers of the last record, kept for the next one.
    spare: (Vec<u8>, Vec<usize>),
}

/// Where the next byte is.
#[derive(Debug, Clone, Copy)]
struct Position {
    /// Physical line, from 1.
    line: u64,
    /// Characters before the next byte on its line.
    col: u64,
}

impl CsvRows {
    pub(super) fn new(input: Box<dyn BufRead + Send>, source: Arc<str>, max_bytes: usize) -> Self {
        CsvRows {
            input,
            source,
            max_bytes,
            header: None,
            row: 0,
            replay: Vec::new(),
            replay_pos: 0,
            at: Position { line: 1, col: 0 },
            started: false,
            spare: (Vec::new(), Vec::new()),
        }
    }

    /// Reads the first bytes: a BOM is dropped, anything else is kept for
    /// framing.
    fn skip_bom(&mut self) -> io::Result<()> {
        let mut head = Vec::with_capacity(BOM.len());
        Read::by_ref(&mut self.input)
            .take(BOM.len() as u64)
            .read_to_end(&mut head)?;
        if head != BOM {
            self.replay = head;
            self.replay_pos = 0;
        }
        Ok(())
    }

    /// Frames the next record, `None` at the end of the input.
    fn frame(&mut self, cell_limit: Option<usize>) -> io::Result<Option<Record>> {
        let mut record = Record::new(self.at.line, cell_limit, std::mem::take(&mut self.spare));
        loop {
            if self.replay_pos >= self.replay.len() && !self.replay.is_empty() {
                self.replay = Vec::new();
                self.replay_pos = 0;
            }
            let from_replay = !self.replay.is_empty();
            let chunk = if from_replay {
                self.replay.get(self.replay_pos..).unwrap_or(&[])
            } else {
                match self.input.fill_buf() {
                    Ok(chunk) => chunk,
                    Err(e) if e.kind() == io::ErrorKind::Interrupted => continue,
                    Err(e) => return Err(e),
                }
            };
            let (used, step) = if chunk.is_empty() {
                (0, record.end_of_input())
            } else {
                record.feed(chunk, &mut self.at, self.max_bytes)
            };
            if from_replay {
                self.replay_pos += used;
            } else {
                self.input.consume(used);
            }
            match step {
                Step::More => {}
                Step::Nothing => return Ok(None),
                Step::End => return Ok(Some(record)),
                Step::Resync { line } => {
                    let mut replay = std::mem::take(&mut record.tail);
                    replay.extend_from_slice(self.replay.get(self.replay_pos..).unwrap_or(&[]));
                    self.replay = replay;
                    self.replay_pos = 0;
                    self.at = Position { line, col: 0 };
                    return Ok(Some(record));
                }
            }
        }
    }

    fn read_header(&mut self) -> io::Result<Option<Vec<String>>> {
        let Some(record) = self.frame(None)? else {
            return Ok(None);
        };
        let invalid = |message: String| io::Error::new(io::ErrorKind::InvalidData, message);
        if !record.problems.is_empty() {
            return Err(invalid(format!(
                "invalid CSV header: {}",
                record.problems.join("; ")
            )));
        }
        if record.is_blank() {
            return Err(invalid(format!(
                "the CSV header (line {}) is blank",
                record.line
            )));
        }
        record
            .cells()
            .enumerate()
            .map(|(i, cell)| {
                std::str::from_utf8(cell)
                    .map(str::to_owned)
                    .map_err(|_| invalid(format!("CSV header column {} is not UTF-8", i + 1)))
            })
            .collect::<io::Result<Vec<String>>>()
            .map(Some)
    }
}

impl Framer for CsvRows {
    fn next_unit(&mut self, _text: &mut Vec<u8>) -> io::Result<Option<Unit>> {
        if !self.started {
            self.skip_bom()?;
            self.started = true;
        }
        if self.header.is_none() {
            match self.read_header()? {
                Some(header) => self.header = Some(header),
                None => return Ok(None),
            }
        }
        let width = self.header.as_ref().map_or(0, Vec::len);
        let Some(record) = self.frame(Some(width))? else {
            return Ok(None);
        };
        self.row += 1;
        let unit = Unit {
            source: self.source.clone(),
            place: Place {
                line: record.line,
                row: Some(self.row),
            },
            payload: payload(self.header.as_deref().unwrap_or(&[]), &record),
        };
        let (mut buf, mut ends) = (record.buf, record.ends);
        buf.clear();
        ends.clear();
        self.spare = (buf, ends);
        Ok(Some(unit))
    }

    fn csv_header(&self) -> Option<&[String]> {
        self.header.as_deref()
    }
}

/// What a framed data record is.
fn payload(header: &[String], record: &Record) -> Payload {
    if !record.problems.is_empty() {
        return Payload::Bad(record.problems.join("; "));
    }
    if record.is_blank() {
        return Payload::Bad("blank line".into());
    }
    if record.cells != header.len() {
        let plural = if record.cells == 1 { "" } else { "s" };
        return Payload::Bad(format!(
            "row has {} cell{plural}; the header has {}",
            record.cells,
            header.len()
        ));
    }
    let mut cells = Vec::with_capacity(header.len());
    for (i, (cell, name)) in record.cells().zip(header).enumerate() {
        match std::str::from_utf8(cell) {
            Ok(text) => cells.push(text.to_owned()),
            Err(_) => return Payload::Bad(format!("invalid UTF-8 in column {} (`{name}`)", i + 1)),
        }
    }
    Payload::Csv(cells)
}

/// Where the framer is inside a record.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum State {
    /// At the start of a cell.
    CellStart,
    /// In a cell that did not start with a quote.
    Unquoted,
    /// In a quoted cell.
    Quoted,
    /// Just after a quote in a quoted cell: it closes the cell, or it is the
    /// first of a doubled quote.
    QuoteInQuoted,
    /// After a cell's closing quote.
    Closed,
    /// Past `max_bytes`: the rest of the physical line is skipped.
    Skip,
}

/// What feeding bytes to a record led to.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum Step {
    /// The record goes on.
    More,
    /// The record ended (its line break consumed).
    End,
    /// An unclosed quote: the record ends here, and the bytes read past the
    /// quote's line are framed again, from this line.
    Resync { line: u64 },
    /// The input ended before any byte of a record.
    Nothing,
}

/// One record being framed.
#[derive(Debug)]
struct Record {
    /// The physical line it starts on.
    line: u64,
    state: State,
    /// A carriage return outside quotes, not yet known to be part of a CRLF.
    pending_cr: Option<Position>,
    /// Bytes of the record so far, its final line break excluded.
    len: usize,
    /// Finished cells.
    cells: usize,
    /// Cells beyond this many are counted but not kept (the header's width).
    cell_limit: Option<usize>,
    /// Bytes of the cells, and where each finished cell ends in it.
    buf: Vec<u8>,
    ends: Vec<usize>,
    /// Whether cell bytes are still kept: not once the record is a reject.
    keep: bool,
    /// Why the record is a reject, in the order found.
    problems: Vec<String>,
    /// Where the open quote, if any, opened (line, column).
    quote: Option<(u64, u64)>,
    /// The bytes read after the line where the open quote opened, and
    /// whether that line has ended.
    tail: Vec<u8>,
    tail_on: bool,
    /// Set when the record ends: nothing was on its line.
    blank: bool,
}

impl Record {
    /// A record starting at `line`, its cells kept in `buffers` (empty).
    fn new(line: u64, cell_limit: Option<usize>, buffers: (Vec<u8>, Vec<usize>)) -> Record {
        Record {
            line,
            state: State::CellStart,
            pending_cr: None,
            len: 0,
            cells: 0,
            cell_limit,
            buf: buffers.0,
            ends: buffers.1,
            keep: true,
            problems: Vec::new(),
            quote: None,
            tail: Vec::new(),
            tail_on: false,
            blank: false,
        }
    }

    /// A line with nothing on it (but perhaps a carriage return).
    fn is_blank(&self) -> bool {
        self.blank
    }

    /// The kept cells, in order.
    fn cells(&self) -> impl Iterator<Item = &[u8]> + '_ {
        let starts = std::iter::once(0).chain(self.ends.iter().copied());
        starts
            .zip(self.ends.iter().copied())
            .map(|(start, end)| self.buf.get(start..end).unwrap_or(&[]))
    }

    /// Feeds bytes of `chunk` until the record ends; returns how many were
    /// used and what happened.
    fn feed(&mut self, chunk: &[u8], at: &mut Position, max: usize) -> (usize, Step) {
        let mut used = 0;
        while let Some(rest) = chunk.get(used..) {
            let run = self.plain_run(rest, max);
            if run > 0 {
                let plain = rest.get(..run).unwrap_or(&[]);
                self.take_plain(plain, at);
                used += run;
                continue;
            }
            let Some(&byte) = rest.first() else { break };
            used += 1;
            if byte == b',' && self.ends_cell_plainly(max) {
                // The common case of `byte`, short.
                self.len += 1;
                at.col += 1;
                self.end_cell();
                continue;
            }
            match self.byte(byte, at, max) {
                Step::More => {}
                step => return (used, step),
            }
        }
        (used, Step::More)
    }

    /// How many bytes at the start of `rest` change nothing but the cell
    /// (or are skipped), without passing the limit.
    fn plain_run(&self, rest: &[u8], max: usize) -> usize {
        if self.pending_cr.is_some() {
            return 0;
        }
        let room = max.saturating_sub(self.len);
        let run = match self.state {
            State::Skip => return memchr::memchr(b'\n', rest).unwrap_or(rest.len()),
            // A cell that starts with no quote is an unquoted cell.
            State::CellStart | State::Unquoted => unquoted_run(rest),
            State::Quoted => memchr::memchr2(b'"', b'\n', rest).unwrap_or(rest.len()),
            State::QuoteInQuoted | State::Closed => 0,
        };
        run.min(room)
    }

    /// Whether a comma now just ends a cell: outside quotes, with no
    /// carriage return pending, within the limit.
    fn ends_cell_plainly(&self, max: usize) -> bool {
        matches!(
            self.state,
            State::CellStart | State::Unquoted | State::Closed
        ) && self.pending_cr.is_none()
            && self.len < max
    }

    /// Takes bytes [`Record::plain_run`] found.
    fn take_plain(&mut self, plain: &[u8], at: &mut Position) {
        match self.state {
            State::Skip => return,
            State::CellStart => self.state = State::Unquoted,
            State::Unquoted | State::Quoted | State::QuoteInQuoted | State::Closed => {}
        }
        self.len += plain.len();
        if self.keep {
            self.buf.extend_from_slice(plain);
        }
        if self.tail_on {
            self.tail.extend_from_slice(plain);
        }
        let chars = if plain.is_ascii() {
            plain.len()
        } else {
            plain.iter().filter(|&&b| is_char_start(b)).count()
        };
        at.col += u64::try_from(chars).unwrap_or(u64::MAX);
    }

    /// Takes one byte.
    fn byte(&mut self, byte: u8, at: &mut Position, max: usize) -> Step {
        let here = Position {
            line: at.line,
            col: at.col + u64::from(is_char_start(byte)),
        };
        if byte == b'\n' {
            *at = Position {
                line: at.line + 1,
                col: 0,
            };
        } else {
            *at = here;
        }
        if self.state == State::Skip {
            return if byte == b'\n' {
                self.finish()
            } else {
                Step::More
            };
        }
        if self.tail_on {
            self.tail.push(byte);
        }
        if self.state == State::QuoteInQuoted {
            if byte == b'"' {
                self.keep_byte(b'"');
                self.state = State::Quoted;
                return self.count(max);
            }
            self.close_quote();
        }
        if byte == b'\n' {
            if self.state == State::Quoted {
                self.keep_byte(byte);
                self.tail_on = true;
                return self.count(max);
            }
            // A pending carriage return was the first half of a CRLF.
            self.pending_cr = None;
            return self.finish();
        }
        if let Some(cr) = self.pending_cr.take() {
            self.take(b'\r', cr);
        }
        if byte == b'\r' && self.state != State::Quoted {
            self.pending_cr = Some(here);
        } else {
            self.take(byte, here);
        }
        self.count(max)
    }

    /// Takes a byte that is no line break, at `here`.
    fn take(&mut self, byte: u8, here: Position) {
        match (self.state, byte) {
            (State::CellStart, b'"') => {
                self.state = State::Quoted;
                self.quote = Some((here.line, here.col));
            }
            (State::CellStart | State::Unquoted | State::Closed, b',') => self.end_cell(),
            (State::CellStart, _) => {
                self.keep_byte(byte);
                self.state = State::Unquoted;
            }
            (State::Unquoted, b'"') => {
                self.problem(format!(
                    "quote inside an unquoted cell at line {}, column {}",
                    here.line, here.col
                ));
                self.keep_byte(byte);
            }
            (State::Closed, _) => {
                self.problem(format!(
                    "text after the closing quote at line {}, column {}",
                    here.line, here.col
                ));
                self.keep_byte(byte);
                self.state = State::Unquoted;
            }
            (State::Quoted, b'"') => self.state = State::QuoteInQuoted,
            (State::Unquoted | State::Quoted, _) => self.keep_byte(byte),
            // INVARIANT: `byte` handles these states before calling `take`.
            (State::QuoteInQuoted | State::Skip, _) => {}
        }
    }

    /// Counts one more byte of the record, and acts when it passes `max`.
    fn count(&mut self, max: usize) -> Step {
        self.len += 1;
        if self.len <= max {
            return Step::More;
        }
        let limit = format!("{max} bytes (--max-record-bytes)");
        match self.quote {
            Some((line, col)) => self.problems.push(format!(
                "unclosed quote opened at line {line}, column {col}: no closing quote within {limit}"
            )),
            None => self
                .problems
                .push(format!("record is larger than {limit}")),
        }
        self.drop_cells();
        match self.quote.take() {
            Some((line, _)) if self.tail_on => Step::Resync { line: line + 1 },
            _ => {
                self.tail = Vec::new();
                self.tail_on = false;
                self.pending_cr = None;
                self.state = State::Skip;
                Step::More
            }
        }
    }

    /// The input ended.
    fn end_of_input(&mut self) -> Step {
        match self.state {
            State::CellStart if self.len == 0 && self.cells == 0 => return Step::Nothing,
            State::Skip => return self.finish(),
            State::QuoteInQuoted => self.close_quote(),
            State::Quoted => {
                if let Some((line, col)) = self.quote.take() {
                    self.problems.push(format!(
                        "unclosed quote opened at line {line}, column {col}"
                    ));
                    self.drop_cells();
                    if self.tail_on {
                        return Step::Resync { line: line + 1 };
                    }
                }
            }
            State::CellStart | State::Unquoted | State::Closed => {}
        }
        // A final carriage return ends the line, as a CRLF would.
        self.pending_cr = None;
        self.finish()
    }

    /// The record ends.
    fn finish(&mut self) -> Step {
        self.blank = self.state == State::CellStart && self.cells == 0 && self.problems.is_empty();
        if self.state != State::Skip {
            self.end_cell();
        }
        Step::End
    }

    fn close_quote(&mut self) {
        self.state = State::Closed;
        self.quote = None;
        self.tail = Vec::new();
        self.tail_on = false;
    }

    fn end_cell(&mut self) {
        self.cells += 1;
        self.state = State::CellStart;
        if self.keep {
            self.ends.push(self.buf.len());
            if self.cell_limit.is_some_and(|limit| self.cells > limit) {
                // More cells than the header: a reject, whatever they hold.
                self.drop_cells();
            }
        }
    }

    fn keep_byte(&mut self, byte: u8) {
        if self.keep {
            self.buf.push(byte);
        }
    }

    /// Records a malformed quote; only the first one is named.
    fn problem(&mut self, message: String) {
        if self.problems.is_empty() {
            self.problems.push(message);
        }
        self.drop_cells();
    }

    fn drop_cells(&mut self) {
        self.keep = false;
        self.buf = Vec::new();
        self.ends = Vec::new();
    }
}

/// How many bytes at the start of an unquoted cell's `rest` are its text.
fn unquoted_run(rest: &[u8]) -> usize {
    let special = |b: &u8| matches!(b, b',' | b'"' | b'\n' | b'\r');
    // Most cells are short: look at a few bytes before starting a search.
    let head = rest.get(..16).unwrap_or(rest);
    if let Some(end) = head.iter().position(special) {
        return end;
    }
    let end = memchr::memchr3(b',', b'"', b'\n', rest).unwrap_or(rest.len());
    memchr::memchr(b'\r', rest.get(..end).unwrap_or(&[])).unwrap_or(end)
}

/// Whether a byte starts a character (is no UTF-8 continuation byte).
fn is_char_start(byte: u8) -> bool {
    byte & 0xC0 != 0x80
}

#[cfg(test)]
mod tests {
    use std::io::{BufReader, Cursor};

    use proptest::prelude::*;

    use super::*;

    /// Every unit of `input` read with `capacity` bytes per buffer fill.
    fn units(input: &[u8], max: usize, capacity: usize) -> io::Result<Vec<Unit>> {
        let reader = BufReader::with_capacity(capacity, Cursor::new(input.to_vec()));
        let mut rows = CsvRows::new(Box::new(reader), Arc::from("t.csv"), max);
        let mut all = Vec::new();
        while let Some(unit) = rows.next_unit(&mut Vec::new())? {
            all.push(unit);
        }
        Ok(all)
    }

    fn render(unit: &Unit) -> String {
        let line = unit.place.line;
        match &unit.payload {
            Payload::Csv(cells) => format!("{line}: {}", cells.join("|")),
            Payload::Bad(message) => format!("{line}! {message}"),
            other => format!("{line}? {other:?}"),
        }
    }

    /// Each unit as `line: cell|cell` or `line! problem`; the same whether
    /// the input comes one byte at a time or in one piece.
    fn frame(input: &str, max: usize) -> Vec<String> {
        frame_bytes(input.as_bytes(), max)
    }

    fn frame_bytes(input: &[u8], max: usize) -> Vec<String> {
        let whole: Vec<String> = units(input, max, 1 << 16)
            .unwrap()
            .iter()
            .map(render)
            .collect();
        for capacity in [1, 2, 7] {
            let piecewise: Vec<String> = units(input, max, capacity)
                .unwrap()
                .iter()
                .map(render)
                .collect();
            assert_eq!(piecewise, whole, "read {capacity} bytes at a time");
        }
        whole
    }

    fn header_error(input: &str, max: usize) -> String {
        let error = units(input.as_bytes(), max, 1 << 16).unwrap_err();
        assert_eq!(error.kind(), io::ErrorKind::InvalidData);
        error.to_string()
    }

    const MAX: usize = 1 << 20;

    #[test]
    fn quoted_cells_hold_commas_and_doubled_quotes() {
        assert_eq!(
            frame(
                "a,b,c\n\"x,y\",\"say \"\"hi\"\"\",\"\"\nplain,,\"\"\"\"\n",
                MAX
            ),
            ["2: x,y|say \"hi\"|", "3: plain||\""]
        );
    }

    #[test]
    fn a_multi_line_cell_is_placed_at_the_line_where_its_record_starts() {
        assert_eq!(
            frame(
                "id,note\n1,\"two\nlines\"\n2,\"three\n\nlines\"\n3,x\n",
                MAX
            ),
            ["2: 1|two\nlines", "4: 2|three\n\nlines", "7: 3|x"]
        );
    }

    #[test]
    fn crlf_ends_records_and_stays_inside_quotes() {
        assert_eq!(
            frame("a,b\r\n1,\"p\r\nq\"\r\n2,x\r\n3,y\r", MAX),
            ["2: 1|p\r\nq", "4: 2|x", "5: 3|y"]
        );
        // A carriage return that ends no line is text.
        assert_eq!(frame("a,b\n1\r2,3\n", MAX), ["2: 1\r2|3"]);
    }

    #[test]
    fn a_bom_is_skipped_at_the_start_only() {
        let rows = units(b"\xef\xbb\xbfa,b\n1,2\n", MAX, 1).unwrap();
        assert_eq!(rows.iter().map(render).collect::<Vec<_>>(), ["2: 1|2"]);
        let reader = BufReader::new(Cursor::new(b"\xef\xbb\xbfid\n\xef\xbb\xbf1\n".to_vec()));
        let mut framer = CsvRows::new(Box::new(reader), Arc::from("t.csv"), MAX);
        let unit = framer.next_unit(&mut Vec::new()).unwrap().unwrap();
        assert_eq!(framer.csv_header(), Some(&["id".to_string()][..]));
        assert_eq!(render(&unit), "2: \u{feff}1");
        // Only a BOM, or nothing: no header, no rows.
        assert!(frame_bytes(b"\xef\xbb\xbf", MAX).is_empty());
        assert!(frame("", MAX).is_empty());
        // Two bytes that are not a BOM are a header.
        assert_eq!(frame("ab\n1\n", MAX), ["2: 1"]);
    }

    #[test]
    fn blank_lines_are_rejects_but_the_final_line_break_is_not_one() {
        assert_eq!(
            frame("a\n1\n\n2\r\n\r\n3\n", MAX),
            ["2: 1", "3! blank line", "4: 2", "5! blank line", "6: 3"]
        );
        assert_eq!(frame("a\n1\n\n", MAX), ["2: 1", "3! blank line"]);
        assert_eq!(frame("a\n1", MAX), ["2: 1"]);
        // An empty quoted cell is a cell, not a blank line.
        assert_eq!(frame("a\n\"\"\n", MAX), ["2: "]);
    }

    #[test]
    fn rows_must_have_as_many_cells_as_the_header() {
        assert_eq!(
            frame("a,b,c\n1,2,3,4\n1,2\n1\n1,2,3\n", MAX),
            [
                "2! row has 4 cells; the header has 3",
                "3! row has 2 cells; the header has 3",
                "4! row has 1 cell; the header has 3",
                "5: 1|2|3"
            ]
        );
        // A row of many cells is counted, not kept.
        let wide = format!("a,b\n{}\nx,y\n", ",".repeat(100_000));
        assert_eq!(
            frame(&wide, MAX),
            ["2! row has 100001 cells; the header has 2", "3: x|y"]
        );
    }

    #[test]
    fn a_stray_quote_is_named_by_line_and_column() {
        assert_eq!(
            frame(
                "a,b\nab\"c,d\n\"ab\"c,d\n\"x\ny\"z,w\n中\"文,1\nok,1\n",
                MAX
            ),
            [
                "2! quote inside an unquoted cell at line 2, column 3",
                "3! text after the closing quote at line 3, column 5",
                "4! text after the closing quote at line 5, column 3",
                "6! quote inside an unquoted cell at line 6, column 2",
                "7: ok|1"
            ]
        );
        // The record still ends where RFC 4180 ends it: after its quoted cell.
        assert_eq!(
            frame("a,b\nx\"y,\"multi\nline\"\nok,1\n", MAX),
            [
                "2! quote inside an unquoted cell at line 2, column 2",
                "4: ok|1"
            ]
        );
    }

    #[test]
    fn invalid_utf8_names_the_column() {
        assert_eq!(
            frame_bytes(b"id,store.rating\nM1,4\xff\nM2,4\n", MAX),
            ["2! invalid UTF-8 in column 2 (`store.rating`)", "3: M2|4"]
        );
    }

    #[test]
    fn a_row_over_the_limit_is_one_reject_and_reading_goes_on() {
        let long = "x".repeat(100);
        let input = format!("a,b\n1,2\n{long},\"{long}\nend\",5\n3,4\n");
        assert_eq!(
            frame(&input, 20),
            [
                "2: 1|2",
                "3! record is larger than 20 bytes (--max-record-bytes)",
                // Past the limit quotes are not read: the next line is a record.
                "4! quote inside an unquoted cell at line 4, column 4",
                "5: 3|4"
            ]
        );
        // Exactly at the limit is fine.
        assert_eq!(frame("a,b\n1234,6789\n", 9), ["2: 1234|6789"]);
        assert_eq!(
            frame("a,b\n1234,67890\n", 9),
            ["2! record is larger than 9 bytes (--max-record-bytes)"]
        );
    }

    #[test]
    fn an_unclosed_quote_at_the_end_resumes_after_its_line() {
        // Inside the open quote, `""""` is two quotes: the quote stays open
        // to the end. Read again, it is a quoted cell holding one quote.
        assert_eq!(
            frame("a,b\n1,2\n\"abc,3\nx,y\n\"\"\"\",r\nz,w\n", MAX),
            [
                "2: 1|2",
                "3! unclosed quote opened at line 3, column 1",
                "4: x|y",
                "5: \"|r",
                "6: z|w"
            ]
        );
        // Opened on the last line: nothing to read again.
        assert_eq!(
            frame("a,b\n1,\"2\n", MAX),
            ["2! unclosed quote opened at line 2, column 3"]
        );
    }

    #[test]
    fn an_unclosed_quote_past_the_limit_resumes_after_its_line() {
        let rows = "x,y\n".repeat(20);
        let input = format!("a,b\n1,\"abc\n{rows}z,w\n");
        let mut want = vec![
            "2! unclosed quote opened at line 2, column 3: no closing quote within 30 bytes (--max-record-bytes)"
                .to_string(),
        ];
        want.extend((3..23).map(|line| format!("{line}: x|y")));
        want.push("23: z|w".into());
        assert_eq!(frame(&input, 30), want);
        // Past the limit on its own line: the rest of that line is skipped.
        let input = format!("a,b\n1,\"{}\nx,y\n", "q".repeat(100));
        assert_eq!(
            frame(&input, 30),
            [
                "2! unclosed quote opened at line 2, column 3: no closing quote within 30 bytes (--max-record-bytes)",
                "3: x|y"
            ]
        );
    }

    #[test]
    fn lines_stay_right_after_resyncs_within_resyncs() {
        // The record passes 11 bytes on the quote that ends line 4, still
        // open (it could be doubled): read again, that quote opens a cell
        // that passes the limit in its turn.
        let input = "a,b\n\"one\n1,1\n2,\"two\n3,3\n4,4\n5,5\n";
        let limit = "no closing quote within 11 bytes (--max-record-bytes)";
        assert_eq!(
            frame(input, 11),
            [
                format!("2! unclosed quote opened at line 2, column 1: {limit}"),
                "3: 1|1".into(),
                format!("4! unclosed quote opened at line 4, column 3: {limit}"),
                "5: 3|3".into(),
                "6: 4|4".into(),
                "7: 5|5".into(),
            ]
        );
        // Rows count every unit after the header.
        let rows: Vec<Option<u64>> = units(input.as_bytes(), 11, 4)
            .unwrap()
            .iter()
            .map(|u| u.place.row)
            .collect();
        assert_eq!(rows, (1..=6).map(Some).collect::<Vec<_>>());
    }

    #[test]
    fn a_header_that_cannot_be_read_stops_the_file() {
        assert_eq!(
            header_error("\n1\n", MAX),
            "the CSV header (line 1) is blank"
        );
        assert_eq!(
            header_error("a,\"b\n1,2\n", MAX),
            "invalid CSV header: unclosed quote opened at line 1, column 3"
        );
        assert_eq!(
            header_error("abcdefghijk,l\n1,2\n", 10),
            "invalid CSV header: record is larger than 10 bytes (--max-record-bytes)"
        );
        assert_eq!(
            header_error("a,b\"\n1,2\n", MAX),
            "invalid CSV header: quote inside an unquoted cell at line 1, column 4"
        );
        let error = units(b"a,\xffb\n1,2\n", MAX, 8).unwrap_err();
        assert_eq!(error.to_string(), "CSV header column 2 is not UTF-8");
    }

    /// A valid CSV with every kind of cell, to mutate.
    const VALID: &str = "merchant_id,as_of,store.rating,note\r\nM1,2026-11-24,4.9,\"a, b\"\r\nM2,2026-11-24,4.8,\"two\nlines \"\"q\"\"\"\n\"M3\",,5,\n";

    fn check_invariants(input: &[u8], max: usize, capacity: usize) -> Result<(), TestCaseError> {
        let Ok(all) = units(input, max, capacity) else {
            return Ok(());
        };
        let lines = 1 + input.iter().filter(|&&b| b == b'\n').count() as u64;
        let mut last = 1;
        for unit in &all {
            prop_assert!(
                unit.place.line > last,
                "line {} after {last}",
                unit.place.line
            );
            prop_assert!(unit.place.line <= lines);
            last = unit.place.line;
            match &unit.payload {
                Payload::Csv(cells) => {
                    prop_assert!(cells.iter().map(String::len).sum::<usize>() <= max);
                }
                Payload::Bad(message) => prop_assert!(message.len() < 300, "{message}"),
                other => prop_assert!(false, "{other:?}"),
            }
        }
        let whole: Vec<String> = all.iter().map(render).collect();
        let again: Vec<String> = units(input, max, 1 << 16)
            .map_err(|e| TestCaseError::fail(e.to_string()))?
            .iter()
            .map(render)
            .collect();
        prop_assert_eq!(whole, again);
        Ok(())
    }

    fn csv_byte() -> impl Strategy<Value = u8> {
        prop_oneof![
            Just(b'"'),
            Just(b','),
            Just(b'\n'),
            Just(b'\r'),
            b'a'..=b'c',
            any::<u8>()
        ]
    }

    proptest! {
        #![proptest_config(ProptestConfig { cases: 500, ..ProptestConfig::default() })]

        #[test]
        fn arbitrary_bytes_frame_in_order_and_in_bounds(
            header in proptest::option::of("[a-c]{1,4}(,[a-c]{1,4}){0,3}\n"),
            body in proptest::collection::vec(csv_byte(), 0..400),
            max in 1usize..64,
            capacity in 1usize..9,
        ) {
            // Half the inputs get a readable header, so that rows are framed.
            let mut input = header.unwrap_or_default().into_bytes();
            input.extend(body);
            check_invariants(&input, max, capacity)?;
        }

        #[test]
        fn mutated_valid_csv_frames_in_order_and_in_bounds(
            edits in proptest::collection::vec((any::<prop::sample::Index>(), 0u8..3, csv_byte()), 1..6),
            max in 40usize..120,
            capacity in 1usize..9,
        ) {
            let mut input = VALID.as_bytes().to_vec();
            for (at, kind, byte) in edits {
                let i = at.index(input.len() + 1);
                match kind {
                    0 => input.insert(i, byte),
                    1 if i < input.len() => { input.remove(i); }
                    _ => if let Some(b) = input.get_mut(i) { *b = byte },
                }
            }
            check_invariants(&input, max, capacity)?;
        }

        /// Without quotes, every physical line after the header is one unit.
        #[test]
        fn without_quotes_every_line_is_one_unit(
            lines in proptest::collection::vec("[a-c,\r]{0,12}", 2..30),
        ) {
            let input = lines.join("\n");
            let Ok(all) = units(input.as_bytes(), 8, 3) else { return Ok(()) };
            let got: Vec<u64> = all.iter().map(|u| u.place.line).collect();
            let trailing = u64::from(input.ends_with('\n'));
            let want: Vec<u64> = (2..=lines.len() as u64 - trailing).collect();
            prop_assert_eq!(got, want);
        }
    }
}
