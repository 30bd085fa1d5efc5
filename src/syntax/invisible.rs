//! Characters that change how rule text looks without changing what it
//! says (Trojan Source, CVE-2021-42574): bidirectional controls that reorder
//! what an editor shows, zero-width characters that hide in names and
//! strings, and line terminators other than LF and CRLF, at which an editor
//! or terminal breaks the line and verdikt would not (a lone CR in a comment
//! shows the rest of the line as code). rustc denies the first two; verdikt
//! denies all three, wherever they are: in code, comments and strings.

use crate::diagnostic::{Code, Diagnostic};
use crate::span::{FileId, Span};
use crate::unicode::{invisible_name, line_terminator_name, misleading_chars};

/// One error per invisible character or stray line terminator in `text` (a
/// leading byte-order mark is already gone), in source order, at most
/// `LIMIT` of them and then one more saying so.
pub(crate) fn check_invisible(text: &str, file: FileId) -> Vec<Diagnostic> {
    const LIMIT: usize = 20;
    let mut found = Vec::new();
    let mut total = 0usize;
    for (at, c) in misleading_chars(text) {
        total += 1;
        if found.len() < LIMIT {
            found.push(misleading(file, at, c));
        }
    }
    if total > LIMIT {
        if let Some(last) = found.last().and_then(|d| d.span) {
            found.push(Diagnostic::error(
                Code::InvisibleCharacter,
                last,
                format!("{} more misleading characters in this file", total - LIMIT),
            ));
        }
    }
    found
}

/// The error for one misleading character at byte `at`.
fn misleading(file: FileId, at: usize, c: char) -> Diagnostic {
    let span = Span::new(file, at, at + c.len_utf8());
    let code = u32::from(c);
    match (invisible_name(c), line_terminator_name(c)) {
        (Some(name), _) => Diagnostic::error(
            Code::InvisibleCharacter,
            span,
            format!("invisible character U+{code:04X} ({name}) in rule text"),
        )
        .with_help("delete it: it makes the text look different from what verdikt reads"),
        (None, name) => Diagnostic::error(
            Code::InvisibleCharacter,
            span,
            format!(
                "line terminator U+{code:04X} ({}){} in rule text",
                name.unwrap_or("LINE TERMINATOR"),
                if c == '\r' { " without a line feed" } else { "" }
            ),
        )
        .with_help(
            "run `verdikt fmt` to turn it into a line break: editors and terminals break the line here, verdikt would not",
        ),
    }
}
