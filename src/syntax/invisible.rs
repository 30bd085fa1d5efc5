//! Characters that change how rule text looks without changing what it
//! says (Trojan Source, CVE-2021-42574): bidirectional controls that reorder
//! what an editor shows, and zero-width characters that hide in names and
//! strings. rustc denies them; so does verdikt, wherever they are.

use crate::diagnostic::{Code, Diagnostic};
use crate::span::{FileId, Span};
use crate::unicode::invisible_name;

/// One error per invisible character in `text` (a leading byte-order mark
/// is already gone), at most `LIMIT` of them and then one more saying so.
pub(crate) fn check_invisible(text: &str, file: FileId) -> Vec<Diagnostic> {
    const LIMIT: usize = 20;
    let mut found = Vec::new();
    let mut total = 0usize;
    for (at, c) in text.char_indices() {
        let Some(name) = invisible_name(c) else {
            continue;
        };
        total += 1;
        if found.len() < LIMIT {
            found.push(
                Diagnostic::error(
                    Code::InvisibleCharacter,
                    Span::new(file, at, at + c.len_utf8()),
                    format!(
                        "invisible character U+{:04X} ({name}) in rule text",
                        u32::from(c)
                    ),
                )
                .with_help("delete it: it makes the text look different from what verdikt reads"),
            );
        }
    }
    if total > LIMIT {
        if let Some(last) = found.last().and_then(|d| d.span) {
            found.push(Diagnostic::error(
                Code::InvisibleCharacter,
                last,
                format!("{} more invisible characters in this file", total - LIMIT),
            ));
        }
    }
    found
}
