//! LSP messages over a byte stream, within byte budgets: the framer reads
//! `Content-Length` headers and bodies from a `BufRead`, the writer frames
//! messages for the client.
//!
//! `lsp-server`'s own stdio reader allocates whatever `Content-Length` says
//! and ends the connection on the first malformed message, so it is not
//! used; its `Message`, `Request`, `Response` and `Notification` types are
//! (plain serde data). Budgets ([`LIMITS`]): a header line of 8 KiB, 64 KiB
//! of headers per message, a body of 64 MiB. What breaks them is answered
//! (`-32700` / `-32600`, id null) and the stream is read on:
//!
//! - a body over 64 MiB (and at most 1 GiB) is skipped exactly, never kept,
//!   so the next message is framed as the client meant it;
//! - a broken header (a line too long, no or a non-numeric
//!   `Content-Length`, a line that is not `Name: value`) leaves no length
//!   to trust: the framer skips ahead to the next `Content-Length:`;
//! - a `Content-Length` over 1 GiB is no real message (a JavaScript client
//!   cannot even build a string that long) but a broken stream: skipping
//!   it would silently swallow every later request, so the connection ends
//!   with a message on standard error and the editor can start a new
//!   server.

use std::io::{self, BufRead, Write};

use lsp_server::{ErrorCode, Message, RequestId};
use serde::{Deserialize, Serialize};

/// The framer's byte budgets.
#[derive(Debug, Clone, Copy)]
pub(super) struct Limits {
    /// The longest header line, its line end included.
    pub(super) line: usize,
    /// All header lines of one message together.
    pub(super) header: usize,
    /// The longest body kept.
    pub(super) body: usize,
    /// The longest body skipped; a longer one ends the connection.
    pub(super) skip: u64,
}

/// The budgets of `verdikt lsp`.
pub(super) const LIMITS: Limits = Limits {
    line: 8 << 10,
    header: 64 << 10,
    body: 64 << 20,
    skip: 1 << 30,
};

/// What the framer read.
#[derive(Debug, PartialEq, Eq)]
pub(super) enum Frame {
    /// One message's body: at most `Limits::body` bytes.
    Body(Vec<u8>),
    /// A message refused and passed over: the error to answer (id null).
    Refused {
        /// `-32700` for a broken header, `-32600` for a body over budget.
        code: i32,
        /// What was wrong.
        message: String,
    },
    /// The input ended; `inside` when in the middle of a message.
    End {
        /// Whether a message had begun.
        inside: bool,
    },
    /// A declared length too absurd to skip: the connection must end.
    Absurd(String),
}

/// Reads frames from `R` within [`Limits`].
#[derive(Debug)]
pub(super) struct Framer<R> {
    reader: R,
    limits: Limits,
    /// The header line being read; never longer than `limits.line`.
    line: Vec<u8>,
    /// After a broken header: skip to the next `Content-Length:` first.
    lost: bool,
}

/// What looking for a header line found.
enum Line {
    /// A whole line (or the input's last bytes), now in `Framer::line`.
    Read,
    /// A line longer than the budget; what was read of it is dropped.
    TooLong,
    /// Nothing: the input ended.
    End,
}

/// The header name that frames a message, as the resynchronising scan
/// looks for it (lower case; header names are case-insensitive).
const CONTENT_LENGTH: &[u8] = b"content-length:";

impl<R: BufRead> Framer<R> {
    pub(super) fn new(reader: R, limits: Limits) -> Framer<R> {
        Framer {
            reader,
            limits,
            line: Vec::with_capacity(limits.line),
            lost: false,
        }
    }

    /// Bytes the framer holds on to between frames (its line buffer), for
    /// tests of the budget.
    #[cfg(test)]
    fn held(&self) -> usize {
        self.line.capacity()
    }

    /// The next frame.
    pub(super) fn next_frame(&mut self) -> io::Result<Frame> {
        // After a broken header the length is unknown: what follows is the
        // broken message's body, then (maybe) the next header.
        let mut name_read = false;
        if self.lost {
            if !self.skip_to_content_length()? {
                return Ok(Frame::End { inside: false });
            }
            self.lost = false;
            name_read = true;
        }
        let mut length: Option<u64> = None;
        let mut header_bytes = 0usize;
        let mut started = name_read;
        loop {
            match self.read_line()? {
                Line::End => return Ok(Frame::End { inside: started }),
                Line::TooLong => {
                    return Ok(self.lose(format!(
                        "an LSP header line is longer than {} bytes",
                        self.limits.line
                    )))
                }
                Line::Read => {}
            }
            header_bytes = header_bytes.saturating_add(self.line.len());
            if header_bytes > self.limits.header {
                return Ok(self.lose(format!(
                    "the LSP headers of a message are longer than {} bytes",
                    self.limits.header
                )));
            }
            let line = trim_line_end(&self.line);
            if line.is_empty() {
                if !started {
                    // Blank lines between messages are passed over.
                    continue;
                }
                break;
            }
            started = true;
            let value = if name_read {
                name_read = false;
                Some(line)
            } else {
                let Some(colon) = line.iter().position(|b| *b == b':') else {
                    return Ok(self.lose(format!(
                        "`{}` is not an LSP header (`Name: value`)",
                        shown(line)
                    )));
                };
                let (name, value) = line.split_at(colon);
                name.trim_ascii()
                    .eq_ignore_ascii_case(b"content-length")
                    .then(|| value.get(1..).unwrap_or_default())
            };
            if let Some(value) = value {
                match parse_length(value) {
                    Some(n) => length = Some(n),
                    None => {
                        return Ok(self.lose(format!(
                            "`Content-Length: {}` is not a number of bytes",
                            shown(value.trim_ascii())
                        )))
                    }
                }
            }
        }
        let Some(length) = length else {
            return Ok(self.lose("an LSP message has no `Content-Length` header".to_string()));
        };
        if length > self.limits.skip {
            return Ok(Frame::Absurd(format!(
                "an LSP message declares `Content-Length: {length}`, more than any client sends \
                 ({} bytes at most are skipped); the connection cannot be trusted and ends",
                self.limits.skip
            )));
        }
        let body_limit = u64::try_from(self.limits.body).unwrap_or(u64::MAX);
        if length > body_limit {
            if !self.skip(length)? {
                return Ok(Frame::End { inside: true });
            }
            return Ok(Frame::Refused {
                code: ErrorCode::InvalidRequest as i32,
                message: format!(
                    "an LSP message of {length} bytes is over the {} byte limit; it was skipped",
                    self.limits.body
                ),
            });
        }
        // INVARIANT: length <= limits.body, a usize.
        let length = usize::try_from(length).unwrap_or(self.limits.body);
        match self.read_body(length)? {
            Some(body) => Ok(Frame::Body(body)),
            None => Ok(Frame::End { inside: true }),
        }
    }

    /// A broken header: answered, then the stream is searched for the
    /// next one.
    fn lose(&mut self, message: String) -> Frame {
        self.lost = true;
        Frame::Refused {
            code: ErrorCode::ParseError as i32,
            message,
        }
    }

    /// Reads one line into `self.line`, within the line budget.
    fn read_line(&mut self) -> io::Result<Line> {
        self.line.clear();
        loop {
            let buf = fill(&mut self.reader)?;
            if buf.is_empty() {
                return Ok(if self.line.is_empty() {
                    Line::End
                } else {
                    Line::Read
                });
            }
            let (take, ended) = match memchr::memchr(b'\n', buf) {
                Some(at) => (at.saturating_add(1), true),
                None => (buf.len(), false),
            };
            let room = self.limits.line.saturating_sub(self.line.len());
            if take > room {
                self.reader.consume(take);
                return Ok(Line::TooLong);
            }
            self.line
                .extend_from_slice(buf.get(..take).unwrap_or_default());
            self.reader.consume(take);
            if ended {
                return Ok(Line::Read);
            }
        }
    }

    /// Reads past the next `Content-Length:` (any case); false at the end
    /// of the input. Holds nothing: one byte of state per position.
    fn skip_to_content_length(&mut self) -> io::Result<bool> {
        let mut matched = 0usize;
        loop {
            let buf = fill(&mut self.reader)?;
            if buf.is_empty() {
                return Ok(false);
            }
            let mut used = buf.len();
            let mut found = false;
            for (i, b) in buf.iter().enumerate() {
                let b = b.to_ascii_lowercase();
                // INVARIANT: `c` occurs once in the pattern, so a mismatch
                // restarts the match at this byte or at nothing.
                matched = if CONTENT_LENGTH.get(matched) == Some(&b) {
                    matched.saturating_add(1)
                } else {
                    usize::from(CONTENT_LENGTH.first() == Some(&b))
                };
                if matched == CONTENT_LENGTH.len() {
                    used = i.saturating_add(1);
                    found = true;
                    break;
                }
            }
            self.reader.consume(used);
            if found {
                return Ok(true);
            }
        }
    }

    /// Reads and drops `length` bytes; false if the input ends first.
    fn skip(&mut self, mut length: u64) -> io::Result<bool> {
        while length > 0 {
            let buf = fill(&mut self.reader)?;
            if buf.is_empty() {
                return Ok(false);
            }
            let n = usize::try_from(length).map_or(buf.len(), |l| l.min(buf.len()));
            self.reader.consume(n);
            length = length.saturating_sub(n as u64);
        }
        Ok(true)
    }

    /// Reads a body of `length` bytes, growing the buffer only as bytes
    /// arrive (never past `length`); `None` if the input ends first.
    fn read_body(&mut self, length: usize) -> io::Result<Option<Vec<u8>>> {
        const FIRST: usize = 64 << 10;
        let mut body: Vec<u8> = Vec::new();
        while body.len() < length {
            let buf = fill(&mut self.reader)?;
            if buf.is_empty() {
                return Ok(None);
            }
            let n = buf.len().min(length.saturating_sub(body.len()));
            if body.capacity().saturating_sub(body.len()) < n {
                // Double, from 64 KiB, but never past the declared length.
                let want = body
                    .capacity()
                    .saturating_mul(2)
                    .max(FIRST)
                    .max(body.len().saturating_add(n))
                    .min(length);
                body.reserve_exact(want.saturating_sub(body.len()));
            }
            body.extend_from_slice(buf.get(..n).unwrap_or_default());
            self.reader.consume(n);
        }
        Ok(Some(body))
    }
}

/// The reader's buffered bytes, reading more if there are none (empty at
/// the end of the input); interrupted reads are retried.
fn fill<R: BufRead>(reader: &mut R) -> io::Result<&[u8]> {
    loop {
        match reader.fill_buf() {
            Ok([]) => return Ok(&[]),
            Ok(_) => break,
            Err(e) if e.kind() == io::ErrorKind::Interrupted => continue,
            Err(e) => return Err(e),
        }
    }
    // Bytes are buffered: this returns them without reading.
    reader.fill_buf()
}

/// A line without its `\r\n` or `\n`.
fn trim_line_end(line: &[u8]) -> &[u8] {
    let line = line.strip_suffix(b"\n").unwrap_or(line);
    line.strip_suffix(b"\r").unwrap_or(line)
}

/// A `Content-Length` value: decimal digits only (spaces around allowed).
fn parse_length(value: &[u8]) -> Option<u64> {
    let digits = value.trim_ascii();
    if digits.is_empty() || !digits.iter().all(u8::is_ascii_digit) {
        return None;
    }
    // Too many digits for a u64 is absurd all the same.
    Some(
        std::str::from_utf8(digits)
            .ok()?
            .parse::<u64>()
            .unwrap_or(u64::MAX),
    )
}

/// Header bytes for a message: at most 40 characters, lossily decoded.
fn shown(bytes: &[u8]) -> String {
    let text = String::from_utf8_lossy(bytes);
    let mut short: String = text.chars().take(40).collect();
    if short.len() < text.len() {
        short.push_str("...");
    }
    short.escape_debug().to_string()
}

/// A message that is not one the server can read, and the answer it gets.
#[derive(Debug)]
pub(super) struct Refusal {
    /// The id of a request whose body was JSON but not a valid message.
    pub(super) id: Option<RequestId>,
    /// `-32700` (not JSON) or `-32600` (not a JSON-RPC message).
    pub(super) code: i32,
    /// What was wrong.
    pub(super) message: String,
}

/// Reads a body as a JSON-RPC message.
pub(super) fn decode(body: &[u8]) -> Result<Message, Refusal> {
    match serde_json::from_slice::<Message>(body) {
        Ok(message) => Ok(message),
        Err(e) if e.is_syntax() || e.is_eof() => Err(Refusal {
            id: None,
            code: ErrorCode::ParseError as i32,
            message: format!("an LSP message is not JSON: {e}"),
        }),
        Err(e) => {
            /// Just the id of a message, if it has a valid one.
            #[derive(Deserialize)]
            struct Id {
                id: Option<RequestId>,
            }
            let id = serde_json::from_slice::<Id>(body).ok().and_then(|i| i.id);
            Err(Refusal {
                id,
                code: ErrorCode::InvalidRequest as i32,
                message: format!(
                    "an LSP message is JSON but not a JSON-RPC request, response or notification: {e}"
                ),
            })
        }
    }
}

/// Writes a message for the client, framed, and flushes.
pub(super) fn write_message(out: &mut impl Write, message: &Message) -> io::Result<()> {
    /// A message with its protocol version, as JSON-RPC wants it.
    #[derive(Serialize)]
    struct JsonRpc<'a> {
        jsonrpc: &'static str,
        #[serde(flatten)]
        message: &'a Message,
    }
    write_json(
        out,
        &JsonRpc {
            jsonrpc: "2.0",
            message,
        },
    )
}

/// Writes the error answer to a refused message (its id, or null).
pub(super) fn write_refusal(out: &mut impl Write, refusal: &Refusal) -> io::Result<()> {
    let answer = serde_json::json!({
        "jsonrpc": "2.0",
        "id": refusal.id,
        "error": { "code": refusal.code, "message": refusal.message },
    });
    write_json(out, &answer)
}

fn write_json(out: &mut impl Write, value: &impl Serialize) -> io::Result<()> {
    let body = serde_json::to_vec(value).map_err(io::Error::other)?;
    let mut frame = format!("Content-Length: {}\r\n\r\n", body.len()).into_bytes();
    frame.extend_from_slice(&body);
    out.write_all(&frame)?;
    out.flush()
}

#[cfg(test)]
mod tests;
