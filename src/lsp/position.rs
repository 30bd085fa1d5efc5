//! Byte offsets <-> LSP positions (line, UTF-16 column), and URIs <-> paths.

use std::path::{Path, PathBuf};

use lsp_types::{Position, Range, Uri};

/// Where each line of a text starts, for position conversion.
#[derive(Debug)]
pub(super) struct Lines<'t> {
    text: &'t str,
    starts: Vec<usize>,
}

impl<'t> Lines<'t> {
    /// Indexes a text's lines.
    pub(super) fn new(text: &'t str) -> Self {
        // LF, CRLF and a lone CR end a line, as the protocol says and as
        // the diagnostics count them.
        let mut starts = vec![0];
        starts.extend(crate::span::line_starts_after_first(text));
        Lines { text, starts }
    }

    /// The position of a byte offset.
    pub(super) fn position(&self, offset: usize) -> Position {
        let offset = offset.min(self.text.len());
        let line = match self.starts.binary_search(&offset) {
            Ok(i) => i,
            Err(i) => i.saturating_sub(1),
        };
        let start = self.starts.get(line).copied().unwrap_or(0);
        let column: usize = self
            .text
            .get(start..offset)
            .map_or(0, |s| s.chars().map(char::len_utf16).sum());
        Position::new(to_u32(line), to_u32(column))
    }

    /// The range of a byte range.
    pub(super) fn range(&self, start: usize, end: usize) -> Range {
        Range::new(self.position(start), self.position(end))
    }

    /// The byte offset of a position (clamped to its line and the text).
    pub(super) fn offset(&self, position: Position) -> usize {
        let Some(&start) = self.starts.get(position.line as usize) else {
            return self.text.len();
        };
        let next = self.starts.get(position.line as usize + 1).copied();
        let line = self
            .text
            .get(start..next.unwrap_or(self.text.len()))
            .unwrap_or("");
        let line_end = start + line.trim_end_matches(['\n', '\r']).len();
        let mut units = 0;
        for (i, c) in self.text.get(start..line_end).unwrap_or("").char_indices() {
            if units >= position.character as usize {
                return start + i;
            }
            units += c.len_utf16();
        }
        line_end
    }

    /// The position just past the end of the text.
    pub(super) fn end(&self) -> Position {
        self.position(self.text.len())
    }
}

fn to_u32(n: usize) -> u32 {
    u32::try_from(n).unwrap_or(u32::MAX)
}

/// The file a `file:` URI names.
pub(super) fn uri_to_path(uri: &Uri) -> Option<PathBuf> {
    let rest = uri.as_str().strip_prefix("file://")?;
    let bytes = rest.as_bytes();
    let mut out = Vec::with_capacity(bytes.len());
    let mut i = 0;
    while let Some(&b) = bytes.get(i) {
        let hex = || {
            let h = rest.get(i + 1..i + 3)?;
            u8::from_str_radix(h, 16).ok()
        };
        match (b, hex()) {
            (b'%', Some(decoded)) => {
                out.push(decoded);
                i += 3;
            }
            _ => {
                out.push(b);
                i += 1;
            }
        }
    }
    let path = String::from_utf8(out).ok()?;
    Some(PathBuf::from(path))
}

/// The `file:` URI of a path.
pub(super) fn path_to_uri(path: &Path) -> Option<Uri> {
    let mut text = String::from("file://");
    for b in path.to_string_lossy().bytes() {
        if b.is_ascii_alphanumeric() || b"/-._~".contains(&b) {
            text.push(char::from(b));
        } else {
            text.push_str(&format!("%{b:02X}"));
        }
    }
    text.parse().ok()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn positions_count_utf16_units() {
        let text = "ab\n额度 x\n";
        let lines = Lines::new(text);
        let x = text.find('x').unwrap_or(0);
        assert_eq!(lines.position(x), Position::new(1, 3));
        assert_eq!(lines.offset(Position::new(1, 3)), x);
        assert_eq!(lines.offset(Position::new(0, 99)), 2);
        assert_eq!(lines.end(), Position::new(2, 0));
    }

    #[test]
    fn lines_end_where_diagnostics_end_them() {
        let text = "a\rb\r\nc\nd\u{2028}e\r\rf";
        let lines = Lines::new(text);
        let source = crate::span::Source::new("t.vk", text);
        let mut checked = 0;
        for (at, _) in text.char_indices() {
            let (line, column) = source.line_col(u32::try_from(at).unwrap());
            let position = lines.position(at);
            assert_eq!(
                (position.line as usize + 1, position.character as usize + 1),
                (line, column),
                "at {at}"
            );
            checked += 1;
        }
        assert_eq!(checked, 13);
        let b = text.find('b').unwrap();
        assert_eq!(lines.position(b), Position::new(1, 0));
        assert_eq!(lines.offset(Position::new(1, 9)), b + 1);
        assert_eq!(lines.position(text.find('f').unwrap()), Position::new(5, 0));
    }

    #[test]
    fn uris_and_paths_round_trip() {
        let path = Path::new("/tmp/规则 dir/10-a.vk");
        let uri = path_to_uri(path);
        assert_eq!(uri.as_ref().and_then(uri_to_path).as_deref(), Some(path));
    }
}
