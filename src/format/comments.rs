//! Comments, found by a lexical scan: the grammar drops them (`COMMENT` is
//! silent), so the syntax tree cannot carry them.

use std::ops::ControlFlow;

use crate::syntax::lexical::{walk, Lexeme};

/// One `# ...` comment of the source.
#[derive(Debug, Clone, PartialEq, Eq)]
pub(crate) struct Comment {
    /// Byte offset of the `#`.
    pub start: usize,
    /// From `#` to the end of the line, trailing white space removed.
    pub text: String,
    /// Only white space before it on its line (otherwise it trails code).
    pub own_line: bool,
    /// An own-line comment with a blank line above it.
    pub blank_before: bool,
}

/// Every comment outside string text, in source order. Strings are
/// `"..."` with `\` escapes and `{expr}` placeholders, which are code again
/// and may hold strings and comments of their own.
pub(crate) fn scan(src: &str) -> Vec<Comment> {
    let mut comments = Vec::new();
    walk(src, |lexeme| {
        if let Lexeme::Comment { start, end } = lexeme {
            let text = src.get(start..end).unwrap_or("#").trim_end().to_string();
            let line_start = src
                .get(..start)
                .and_then(|s| s.rfind('\n'))
                .map_or(0, |n| n + 1);
            let own_line = src
                .get(line_start..start)
                .is_some_and(|s| s.chars().all(char::is_whitespace));
            comments.push(Comment {
                start,
                text,
                own_line,
                blank_before: own_line && blank_line_before(src, start),
            });
        }
        ControlFlow::Continue(())
    });
    comments
}

/// The offset of the first code character at or after `from`, skipping
/// white space and comments: where the next construct really begins.
pub(crate) fn next_code(src: &str, from: usize) -> usize {
    let bytes = src.as_bytes();
    let mut i = from;
    loop {
        match bytes.get(i) {
            Some(b' ' | b'\t' | b'\r' | b'\n') => i += 1,
            Some(b'#') => {
                while bytes.get(i).is_some_and(|&b| b != b'\n') {
                    i += 1;
                }
            }
            Some(_) => return i,
            None => return bytes.len(),
        }
    }
}

/// Whether the white space just before `at` holds an empty line.
pub(crate) fn blank_line_before(src: &str, at: usize) -> bool {
    let before = src.get(..at.min(src.len())).unwrap_or("");
    let gap = before.len() - before.trim_end_matches([' ', '\t', '\r', '\n']).len();
    before
        .get(before.len() - gap..)
        .is_some_and(|ws| ws.matches('\n').count() >= 2)
}

#[cfg(test)]
mod tests {
    use super::*;

    fn texts(src: &str) -> Vec<String> {
        scan(src).into_iter().map(|c| c.text).collect()
    }

    #[test]
    fn hashes_in_strings_and_placeholders_are_not_comments() {
        let src = "let a = \"# no {f(\"#no\", x)} \\\" # no\" # yes\n# own {\n";
        assert_eq!(texts(src), ["# yes", "# own {"]);
        let c = scan(src);
        assert!(!c.iter().any(|c| c.blank_before));
        assert_eq!(
            c.iter().map(|c| c.own_line).collect::<Vec<_>>(),
            [false, true]
        );
    }

    #[test]
    fn comments_inside_placeholders_are_found() {
        assert_eq!(texts("x \"a {b # c\n} d\" # e"), ["# c", "# e"]);
    }

    #[test]
    fn blank_lines_and_next_code() {
        let src = "a\n\n  # c\r\n  # d\nb";
        let c = scan(src);
        assert!(c.iter().all(|c| c.own_line));
        assert_eq!(
            c.iter().map(|c| c.blank_before).collect::<Vec<_>>(),
            [true, false]
        );
        assert_eq!(next_code(src, 1), src.len() - 1);
        assert!(!blank_line_before(src, src.len() - 1));
        assert!(blank_line_before("a\n \n b", 5));
    }
}
