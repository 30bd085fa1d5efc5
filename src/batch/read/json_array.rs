//! A `.json` input: one array of records, streamed element by element, or
//! a single record object. Whatever follows the array or the object (a
//! second array, stray text) is one located reject: never ignored.

use std::io::{self, BufRead};
use std::sync::Arc;

use super::{Framer, Payload, Place, Unit};

#[derive(Debug, PartialEq)]
pub(super) enum ArrayState {
    Start,
    /// Inside the array, before an element.
    Elements,
    /// The input is one object, not yet read.
    Object,
    /// After the array or the object: only white space may follow.
    End {
        after: &'static str,
    },
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
    fn next_unit(&mut self, _text: &mut Vec<u8>) -> io::Result<Option<Unit>> {
        if self.state == ArrayState::Start {
            if self.input.fill_buf()?.starts_with(b"\xef\xbb\xbf") {
                self.input.consume(3);
            }
            self.skip_ws()?;
            match self.peek()? {
                Some(b'[') => {
                    self.bump()?;
                    self.state = ArrayState::Elements;
                    self.skip_ws()?;
                    if self.peek()? == Some(b']') {
                        self.bump()?;
                        self.state = ArrayState::End { after: "array" };
                    }
                }
                Some(b'{') => self.state = ArrayState::Object,
                None => self.state = ArrayState::Done,
                Some(_) => {
                    let line = self.line;
                    return Ok(self.fail(
                        line,
                        "expected a JSON array `[...]` of records or one record `{...}`".into(),
                    ));
                }
            }
        }
        match self.state {
            ArrayState::Done | ArrayState::Start => Ok(None),
            ArrayState::End { after } => {
                self.skip_ws()?;
                if self.peek()?.is_none() {
                    self.state = ArrayState::Done;
                    return Ok(None);
                }
                let line = self.line;
                let message = if after == "array" {
                    "unexpected text after the closing `]` of the array: a `.json` input is one array of records".to_string()
                } else {
                    "unexpected text after the record: a `.json` input is one object or one array of records (for one object per line, name it `.jsonl`)".to_string()
                };
                Ok(self.fail(line, message))
            }
            ArrayState::Elements => self.element(true),
            ArrayState::Object => self.element(false),
        }
    }
}

impl JsonArray {
    /// Frames the next array element (`in_array`) or the one object.
    fn element(&mut self, in_array: bool) -> io::Result<Option<Unit>> {
        self.skip_ws()?;
        let start = self.line;
        let mut bytes = Vec::new();
        let (mut depth, mut in_string, mut escaped, mut cut) = (0u32, false, false, false);
        loop {
            let Some(c) = self.peek()? else {
                let what = if in_array { "array" } else { "object" };
                return Ok(self.fail(start, format!("the {what} is not closed (truncated?)")));
            };
            if in_array && !in_string && depth == 0 && (c == b',' || c == b']') {
                self.bump()?;
                if c == b']' {
                    self.state = ArrayState::End { after: "array" };
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
                    b'}' | b']' => {
                        depth = depth.saturating_sub(1);
                        if !in_array && depth == 0 {
                            self.state = ArrayState::End { after: "object" };
                            break;
                        }
                    }
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
