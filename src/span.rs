//! Source text, byte spans and line/column lookup.
//!
//! A [`Span`] is a small `Copy` value: a file id and byte offsets. The text is
//! kept once, in a [`SourceMap`]; line and column are computed only when a
//! message is rendered.

use std::fmt;
use std::sync::Arc;

/// Index of a file in a [`SourceMap`].
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord, Default)]
pub struct FileId(pub u32);

/// A byte range in one source file.
///
/// INVARIANT: spans never take part in equality. `Span == Span` is always
/// true, so syntax trees compare by content only and `parse(print(x)) == x`
/// can be written as a plain `==`. Compare `start`/`end` explicitly when
/// positions matter.
#[derive(Clone, Copy, Default)]
pub struct Span {
    pub file: FileId,
    pub start: u32,
    pub end: u32,
}

impl PartialEq for Span {
    fn eq(&self, _other: &Self) -> bool {
        true
    }
}
impl Eq for Span {}

impl fmt::Debug for Span {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "{}..{}", self.start, self.end)
    }
}

impl Span {
    pub fn new(file: FileId, start: usize, end: usize) -> Self {
        Span {
            file,
            start: u32::try_from(start).unwrap_or(u32::MAX),
            end: u32::try_from(end).unwrap_or(u32::MAX),
        }
    }

    /// The smallest span covering both.
    pub fn to(self, other: Span) -> Span {
        Span {
            file: self.file,
            start: self.start.min(other.start),
            end: self.end.max(other.end),
        }
    }
}

/// One rule file's text, with its line starts precomputed.
#[derive(Debug, Clone)]
pub(crate) struct Source {
    pub name: String,
    pub text: Arc<str>,
    line_starts: Vec<u32>,
}

impl Source {
    /// Wraps rule text. A leading UTF-8 byte order mark is dropped, so that
    /// columns on the first line count from the first visible character.
    pub(crate) fn new(name: impl Into<String>, text: &str) -> Self {
        let text = text.strip_prefix('\u{feff}').unwrap_or(text);
        let mut line_starts = vec![0u32];
        line_starts
            .extend(line_starts_after_first(text).map(|i| u32::try_from(i).unwrap_or(u32::MAX)));
        Source {
            name: name.into(),
            text: Arc::from(text),
            line_starts,
        }
    }

    /// 1-based line and column (in characters) of a byte offset.
    pub(crate) fn line_col(&self, offset: u32) -> (usize, usize) {
        let line = match self.line_starts.binary_search(&offset) {
            Ok(i) => i,
            Err(i) => i.saturating_sub(1),
        };
        let start = self.line_starts.get(line).copied().unwrap_or(0) as usize;
        let offset = (offset as usize).min(self.text.len());
        let col = self
            .text
            .get(start..offset)
            .map_or(0, |prefix| prefix.chars().count());
        (line + 1, col + 1)
    }

    /// The text of a 1-based line, without its line ending (LF, CRLF or a
    /// lone CR).
    pub(crate) fn line_text(&self, line: usize) -> &str {
        let start = self
            .line_starts
            .get(line.saturating_sub(1))
            .copied()
            .unwrap_or(0) as usize;
        let end = self
            .line_starts
            .get(line)
            .map_or(self.text.len(), |&e| e as usize);
        let text = self.text.get(start..end).unwrap_or("");
        text.trim_end_matches(['\n', '\r'])
    }

    /// The text a span covers.
    pub(crate) fn slice(&self, span: Span) -> &str {
        self.text
            .get(span.start as usize..span.end as usize)
            .unwrap_or("")
    }
}

/// Where each line of `text` but the first starts: after every LF, CRLF
/// and lone CR, the line ends the Language Server Protocol counts (and
/// editors show). The one place that decides what a line is, for
/// diagnostics and the language server alike.
pub(crate) fn line_starts_after_first(text: &str) -> impl Iterator<Item = usize> + '_ {
    let bytes = text.as_bytes();
    bytes
        .iter()
        .enumerate()
        .filter(move |&(i, &b)| b == b'\n' || (b == b'\r' && bytes.get(i + 1) != Some(&b'\n')))
        .map(|(i, _)| i + 1)
}

/// The rule texts of a policy, which diagnostics point into.
#[derive(Debug, Clone, Default)]
pub struct SourceMap {
    files: Vec<Source>,
}

impl SourceMap {
    pub(crate) fn add(&mut self, source: Source) -> FileId {
        self.files.push(source);
        FileId(u32::try_from(self.files.len() - 1).unwrap_or(u32::MAX))
    }

    pub(crate) fn get(&self, id: FileId) -> Option<&Source> {
        self.files.get(id.0 as usize)
    }

    /// The text a span covers, or "" when the span is not in this map.
    pub fn slice(&self, span: Span) -> &str {
        self.get(span.file).map_or("", |s| s.slice(span))
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn lf_crlf_and_a_lone_cr_each_end_a_line() {
        let text = "a\rb\r\nc\nd\u{2028}e";
        let source = Source::new("t.vk", text);
        let at = |c: char| u32::try_from(text.find(c).unwrap()).unwrap();
        assert_eq!(source.line_col(at('a')), (1, 1));
        assert_eq!(source.line_col(at('b')), (2, 1));
        assert_eq!(source.line_col(at('c')), (3, 1));
        assert_eq!(source.line_col(at('d')), (4, 1));
        // U+2028 ends no line for the Language Server Protocol, so not here.
        assert_eq!(source.line_col(at('e')), (4, 3));
        let lines: Vec<&str> = (1..=4).map(|l| source.line_text(l)).collect();
        assert_eq!(lines, vec!["a", "b", "c", "d\u{2028}e"]);
    }
}
