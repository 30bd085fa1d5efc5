//! Characters that change how rule text looks without changing what it
//! says (Trojan Source, CVE-2021-42574): bidirectional controls that reorder
//! what an editor shows, and zero-width characters that hide in names and
//! strings. rustc denies them; so does verdikt, wherever they are.

use crate::diagnostic::{Code, Diagnostic};
use crate::span::{FileId, Span};

/// The name of an invisible or bidirectional control character, if `c` is one.
pub(crate) fn invisible_name(c: char) -> Option<&'static str> {
    Some(match c {
        '\u{061C}' => "ARABIC LETTER MARK",
        '\u{200B}' => "ZERO WIDTH SPACE",
        '\u{200C}' => "ZERO WIDTH NON-JOINER",
        '\u{200D}' => "ZERO WIDTH JOINER",
        '\u{200E}' => "LEFT-TO-RIGHT MARK",
        '\u{200F}' => "RIGHT-TO-LEFT MARK",
        '\u{202A}' => "LEFT-TO-RIGHT EMBEDDING",
        '\u{202B}' => "RIGHT-TO-LEFT EMBEDDING",
        '\u{202C}' => "POP DIRECTIONAL FORMATTING",
        '\u{202D}' => "LEFT-TO-RIGHT OVERRIDE",
        '\u{202E}' => "RIGHT-TO-LEFT OVERRIDE",
        '\u{2060}' => "WORD JOINER",
        '\u{2061}'..='\u{2064}' => "INVISIBLE OPERATOR",
        '\u{2066}' => "LEFT-TO-RIGHT ISOLATE",
        '\u{2067}' => "RIGHT-TO-LEFT ISOLATE",
        '\u{2068}' => "FIRST STRONG ISOLATE",
        '\u{2069}' => "POP DIRECTIONAL ISOLATE",
        '\u{FEFF}' => "ZERO WIDTH NO-BREAK SPACE",
        _ => return None,
    })
}

/// How a character is shown in a diagnostic's source line: invisible ones
/// spelled out, so the line cannot reorder itself on the reader's screen.
pub(crate) fn shown(c: char) -> Option<String> {
    invisible_name(c).map(|_| format!("<U+{:04X}>", u32::from(c)))
}

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
