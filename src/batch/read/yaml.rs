//! A YAML stream, one record per document.
//!
//! Documents are split at their markers, line by line, so one broken
//! document is one reject and every other document is still read: `---`
//! (alone, or followed by a comment or by the document's first content)
//! starts a document, `...` ends one. Text before the first marker that is
//! only blank lines, comments or `%` directives belongs to the first
//! document. Each document is then read on its own
//! ([`crate::snapshot::read_yaml_document`]), by every verb alike.

use std::io::{self, BufRead};
use std::sync::Arc;

use super::{read_line_capped, text_of, Framer, Payload, Place, Unit};

/// A YAML stream split at document markers, one document at a time.
pub(super) struct YamlDocs {
    pub(super) input: Box<dyn BufRead + Send>,
    pub(super) source: Arc<str>,
    pub(super) line: u64,
    pub(super) doc: u64,
    pub(super) max_bytes: usize,
    /// A `---` line already read: its number and text.
    pub(super) pending: Option<(u64, String)>,
    pub(super) done: bool,
}

/// A line read for a document.
enum Line {
    /// `---`, with the content after it (empty, or the document's first line).
    Start(String),
    /// `...`
    End,
    Text(String),
}

fn classify(line: String) -> Line {
    if line == "---" || line.starts_with("--- ") || line.starts_with("---\t") {
        return Line::Start(line);
    }
    if line == "..." || line.starts_with("... ") || line.starts_with("...\t") {
        return Line::End;
    }
    Line::Text(line)
}

/// Only blank lines, comments, directives and markers: no content yet.
fn no_content(text: &str) -> bool {
    text.lines().all(|l| match classify(l.to_string()) {
        Line::Start(marker) => no_content(marker.get(3..).unwrap_or("")),
        Line::End => true,
        Line::Text(l) => {
            let l = l.trim_start();
            l.is_empty() || l.starts_with('#') || l.starts_with('%')
        }
    })
}

impl YamlDocs {
    /// Reads one document's lines: (first line, text with its marker,
    /// started by `---`, larger than the limit, first invalid UTF-8 problem).
    fn read_document(&mut self) -> io::Result<(u64, String, bool, bool, Option<String>)> {
        let mut buf = Vec::new();
        let (mut start, mut text, mut explicit) = match self.pending.take() {
            Some((line, marker)) => (line, with_newline(marker), true),
            None => (self.line + 1, String::new(), false),
        };
        let mut cut = false;
        let mut bad_utf8 = None;
        loop {
            buf.clear();
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
            match classify(line) {
                Line::Start(marker) => {
                    // (A line too long to keep, or not UTF-8, was content.)
                    if !explicit && !cut && bad_utf8.is_none() && no_content(&text) {
                        // The marker opens the document the prologue led to.
                        start = self.line;
                        text.push_str(&with_newline(marker));
                        explicit = true;
                        continue;
                    }
                    self.pending = Some((self.line, marker));
                    break;
                }
                Line::End => break,
                Line::Text(line) => {
                    if text.len() + line.len() >= self.max_bytes {
                        cut = true;
                    } else {
                        text.push_str(&line);
                        text.push('\n');
                    }
                }
            }
        }
        Ok((start, text, explicit, cut, bad_utf8))
    }
}

fn with_newline(mut line: String) -> String {
    if !line.is_empty() {
        line.push('\n');
    }
    line
}

impl Framer for YamlDocs {
    fn next_unit(&mut self, _text: &mut Vec<u8>) -> io::Result<Option<Unit>> {
        loop {
            if self.done && self.pending.is_none() {
                return Ok(None);
            }
            let (start, text, explicit, cut, bad_utf8) = self.read_document()?;
            let blank = no_content(&text);
            // Blank lines and comments between documents are not a document;
            // an explicit `---` with nothing after it is an empty one.
            if blank && !explicit && !cut && bad_utf8.is_none() {
                continue;
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
            return Ok(Some(Unit {
                source: self.source.clone(),
                place,
                payload,
            }));
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn units(text: &str) -> Vec<(u64, u64, String)> {
        let mut docs = YamlDocs {
            input: Box::new(std::io::Cursor::new(text.as_bytes().to_vec())),
            source: Arc::from("t.yaml"),
            line: 0,
            doc: 0,
            max_bytes: 1 << 20,
            pending: None,
            done: false,
        };
        let mut out = Vec::new();
        while let Some(u) = docs.next_unit(&mut Vec::new()).unwrap() {
            let body = match u.payload {
                Payload::Yaml(t) => t,
                Payload::Bad(m) => format!("BAD {m}"),
                other => format!("{other:?}"),
            };
            out.push((u.place.line, u.place.row.unwrap(), body));
        }
        out
    }

    #[test]
    fn a_comment_after_the_marker_keeps_the_first_line() {
        let got = units("--- # first\nrequest:\n  kind: unbind\n--- # second\na: 1\n");
        assert_eq!(
            got,
            vec![
                (1, 1, "--- # first\nrequest:\n  kind: unbind\n".to_string()),
                (4, 2, "--- # second\na: 1\n".to_string()),
            ]
        );
    }

    #[test]
    fn content_on_the_marker_line_is_the_first_line() {
        let got = units("--- {a: 1}\n---\nb: 2\n");
        assert_eq!(
            got,
            vec![
                (1, 1, "--- {a: 1}\n".to_string()),
                (2, 2, "---\nb: 2\n".to_string())
            ]
        );
    }

    #[test]
    fn a_prologue_of_comments_and_directives_leads_to_the_first_document() {
        let got = units("# header\n%YAML 1.2\n---\na: 1\n");
        assert_eq!(
            got,
            vec![(3, 1, "# header\n%YAML 1.2\n---\na: 1\n".to_string())]
        );
    }

    #[test]
    fn three_dots_end_a_document_and_the_next_starts_without_a_marker() {
        let got = units("a: 1\n...\nb: 2\n...\n\n# trailing\n");
        assert_eq!(
            got,
            vec![(1, 1, "a: 1\n".to_string()), (3, 2, "b: 2\n".to_string())]
        );
    }

    #[test]
    fn a_line_too_long_to_keep_is_content_of_its_document() {
        let mut docs = YamlDocs {
            input: Box::new(std::io::Cursor::new(
                b"a: xxxxxxxxxxxxxxxx\n---\nb: 1\n".to_vec(),
            )),
            source: Arc::from("t.yaml"),
            line: 0,
            doc: 0,
            max_bytes: 8,
            pending: None,
            done: false,
        };
        let first = docs.next_unit(&mut Vec::new()).unwrap().unwrap();
        assert!(matches!(first.payload, Payload::Bad(m) if m.contains("larger than 8 bytes")));
        let second = docs.next_unit(&mut Vec::new()).unwrap().unwrap();
        assert_eq!((second.place.line, second.place.row), (2, Some(2)));
        assert!(docs.next_unit(&mut Vec::new()).unwrap().is_none());
    }

    #[test]
    fn an_empty_explicit_document_is_a_bad_record() {
        let got = units("---\n---\na: 1\n");
        assert_eq!(
            got,
            vec![
                (1, 1, "BAD empty document".to_string()),
                (2, 2, "---\na: 1\n".to_string())
            ]
        );
    }
}
