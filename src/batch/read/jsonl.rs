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

/// Every line of a JSON Lines input, framed exactly as `verdikt batch`
/// frames it: split at `\n` only (a `\r` before it is dropped, and a byte
/// order mark before the first line), numbered from 1, with the line's
/// text or, for a line that cannot be a record, the problem its reject
/// names (`blank line`, `invalid UTF-8 at byte 3`, `record is larger than
/// 1048576 bytes (--max-record-bytes)`). Memory is bounded by
/// `max_record_bytes` (at least 1): a longer line is not kept. `visit`
/// may stop the reading early with `ControlFlow::Break`.
///
/// A line's text is the one [`crate::Policy::read_json`] reads for it in a
/// batch, so a caller that reads each text with it gets the batch's
/// records and rejects, at the batch's line numbers.
pub fn for_each_jsonl_line(
    input: impl BufRead + Send + 'static,
    max_record_bytes: usize,
    mut visit: impl FnMut(u64, Result<&str, String>) -> std::ops::ControlFlow<()>,
) -> io::Result<()> {
    let mut framer = JsonLines {
        input: Box::new(input),
        source: Arc::from(""),
        line: 0,
        max_bytes: max_record_bytes.max(1),
    };
    let mut text = Vec::new();
    while let Some(unit) = framer.next_unit(&mut text)? {
        let line = match &unit.payload {
            Payload::JsonLine(range) => super::line_text(text.get(range.clone()).unwrap_or(&[])),
            Payload::Bad(problem) => Err(problem.clone()),
            Payload::Json(_) | Payload::Yaml(_) | Payload::Csv(_) => {
                Err("internal error: a JSON Lines framer made another unit".to_string())
            }
        };
        let flow = match line {
            Ok(t) => visit(unit.place.line, Ok(t)),
            Err(problem) => visit(unit.place.line, Err(problem)),
        };
        if flow.is_break() {
            break;
        }
        text.clear();
    }
    Ok(())
}

#[cfg(test)]
mod tests {
    use std::ops::ControlFlow;

    use super::for_each_jsonl_line;

    fn lines(input: &'static [u8], max: usize) -> Vec<(u64, Result<String, String>)> {
        let mut out = Vec::new();
        for_each_jsonl_line(input, max, |n, line| {
            out.push((n, line.map(str::to_string)));
            ControlFlow::Continue(())
        })
        .unwrap();
        out
    }

    #[test]
    fn lines_split_at_newline_only_with_the_batch_problems() {
        let input =
            "\u{feff}{\"a\":\"x\u{2028}y\u{85}\"}\r\n\n  \n{\"b\":\x0c1}\n\u{2029}".as_bytes();
        assert_eq!(
            lines(input, 1 << 20),
            vec![
                (1, Ok("{\"a\":\"x\u{2028}y\u{85}\"}".to_string())),
                (2, Err("blank line".to_string())),
                (3, Err("blank line".to_string())),
                (4, Ok("{\"b\":\x0c1}".to_string())),
                // (Unicode white space only is blank too, as `str::trim` says.)
                (5, Err("blank line".to_string())),
            ]
        );
        assert_eq!(
            lines(b"{}\n\xff\n{\"long\":1}\n{}", 8),
            vec![
                (1, Ok("{}".to_string())),
                (2, Err("invalid UTF-8 at byte 1".to_string())),
                (
                    3,
                    Err("record is larger than 8 bytes (--max-record-bytes)".to_string())
                ),
                (4, Ok("{}".to_string())),
            ]
        );
    }
}
