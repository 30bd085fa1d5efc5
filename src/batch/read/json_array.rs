//! A JSON array of records, streamed element by element.

use std::io::{self, BufRead};
use std::sync::Arc;

use super::{Framer, Payload, Place, Unit};

#[derive(Debug, PartialEq)]
pub(super) enum ArrayState {
    Start,
    Elements,
    Done,
}

/// A JSON array streamed element by element, never held whole.
pub(super) struct JsonArray {
    pub(super) input: Box<dyn BufRead + Send>,
    pub(super) source: Arc<str>,
    pub(super) line: u64,
    pub(super) max_bytes: usize,
    pub(super) state: ArrayState,
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
