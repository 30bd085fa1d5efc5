//! Formatting: the whole buffer through the formatter of `verdikt fmt`.

use lsp_types::TextEdit;

use super::position::Lines;
use crate::span::{FileId, Source};

/// One edit that replaces the text with its canonical layout; none when it
/// is already canonical, `None` when it does not parse.
pub(super) fn format(name: &str, text: &str) -> Option<Vec<TextEdit>> {
    let formatted = crate::format::format_source(&Source::new(name, text), FileId(0)).ok()?;
    if formatted == text {
        return Some(Vec::new());
    }
    let lines = Lines::new(text);
    Some(vec![TextEdit {
        range: lsp_types::Range::new(lsp_types::Position::new(0, 0), lines.end()),
        new_text: formatted,
    }])
}
