//! JSON Lines: one record per physical line.

use std::io::{self, BufRead};
use std::sync::Arc;

use super::{read_line_capped, text_of, Framer, Payload, Place, Unit};

pub(super) struct JsonLines {
    pub(super) input: Box<dyn BufRead + Send>,
    pub(super) source: Arc<str>,
    pub(super) line: u64,
    pub(super) max_bytes: usize,
    pub(super) buf: Vec<u8>,
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
