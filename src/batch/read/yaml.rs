//! A YAML stream, one record per document.

use std::io::{self, BufRead};
use std::sync::Arc;

use super::{read_line_capped, text_of, Framer, Payload, Place, Unit};

/// A YAML stream split at `---` lines, one document at a time.
pub(super) struct YamlDocs {
    pub(super) input: Box<dyn BufRead + Send>,
    pub(super) source: Arc<str>,
    pub(super) line: u64,
    pub(super) doc: u64,
    pub(super) max_bytes: usize,
    /// A document start line already read (`--- ...` may carry content).
    pub(super) pending: Option<(u64, String)>,
    pub(super) done: bool,
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
