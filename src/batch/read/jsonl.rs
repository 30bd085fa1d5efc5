//! JSON Lines: one record per physical line.

use std::io::{self, BufRead};
use std::sync::Arc;

use super::{read_line_capped, Framer, Payload, Place, Unit};

pub(super) struct JsonLines {
    pub(super) input: Box<dyn BufRead + Send>,
    pub(super) source: Arc<str>,
    pub(super) line: u64,
    pub(super) max_bytes: usize,
}

impl Framer for JsonLines {
    fn next_unit(&mut self, text: &mut Vec<u8>) -> io::Result<Option<Unit>> {
        let start = text.len();
        let Some((_, cut)) = read_line_capped(&mut *self.input, text, self.max_bytes)? else {
            return Ok(None);
        };
        self.line += 1;
        let place = Place {
            line: self.line,
            row: None,
        };
        let payload = if cut {
            text.truncate(start);
            Payload::Bad(format!(
                "record is larger than {} bytes (--max-record-bytes)",
                self.max_bytes
            ))
        } else {
            let mut end = text.len();
            if text.last() == Some(&b'\r') {
                end -= 1;
            }
            let mut first = start;
            if self.line == 1 && text.get(start..end).is_some_and(|l| l.starts_with(BOM)) {
                first += BOM.len();
            }
            Payload::JsonLine(first..end)
        };
        Ok(Some(Unit {
            source: self.source.clone(),
            place,
            payload,
        }))
    }
}

/// A byte order mark, allowed before the first line.
const BOM: &[u8] = b"\xef\xbb\xbf";
