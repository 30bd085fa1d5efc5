//! `verdikt fmt`: rule files in their one canonical layout.
//!
//! The layout, in short: two-space indentation; field, output and calendar
//! entry names padded so what follows lines up; a rule's `for`, `when`,
//! `then` and `else` each on a line of its own; group items one per line
//! with their `because` in one column; expressions with the fewest
//! parentheses that keep their meaning, broken only past [`MAX_WIDTH`]
//! columns. Literals are printed as written. Comments are kept (see
//! [`comments`]); blank lines between items are kept, at most one. Output
//! has LF line endings and no byte order mark; a lone CR, VT, FF, U+0085,
//! U+2028 or U+2029 becomes a line break before anything else is read.
//!
//! The printed text depends only on the syntax tree and the comments, so
//! formatting twice changes nothing, and it parses back to the same tree.

pub(crate) mod comments;
mod expr;
mod printer;

use std::borrow::Cow;

#[cfg(test)]
use crate::ast::{Expr, File};
use crate::diagnostic::{Code, Diagnostic};
use crate::span::{FileId, Source};

/// Lines are broken past this many columns (CJK characters count two).
/// Strings are never broken, so a long `because` may still pass it.
pub(crate) const MAX_WIDTH: usize = 100;

/// Formats one rule file. Line terminators an editor or terminal breaks at
/// (a lone CR, VT, FF, U+0085, U+2028, U+2029) become line breaks first, as
/// [`normalize_line_breaks`] does, so a file `verdikt check` refuses for them
/// is repaired. `Err` carries the diagnostics when the file does not parse
/// then; they point into the normalised text. Literal errors (`2026-02-30`)
/// do not stop formatting, since literals are printed as written.
pub(crate) fn format_source(source: &Source, file: FileId) -> Result<String, Vec<Diagnostic>> {
    let normalized;
    let source = match normalize_line_breaks(&source.text) {
        Cow::Borrowed(_) => source,
        Cow::Owned(text) => {
            normalized = Source::new(source.name.clone(), &text);
            &normalized
        }
    };
    let (tree, diagnostics) = crate::syntax::parse(source, file);
    let blocking = diagnostics
        .iter()
        .any(|d| d.is_error() && !matches!(d.code, Code::InvalidLiteral | Code::LiteralOutOfRange));
    match tree {
        Some(tree) if !blocking => {
            let comments = comments::scan(&source.text);
            Ok(printer::Printer::new(&source.text, comments).file(&tree))
        }
        _ => Err(diagnostics),
    }
}

/// `text` with every line terminator rule text may not hold (a CR without a
/// LF, VT, FF, U+0085, U+2028, U+2029) turned into a LF: the line break an
/// editor or terminal shows there. CRLF is left alone (the printer writes LF
/// anyway). Borrowed when there is nothing to change.
pub(crate) fn normalize_line_breaks(text: &str) -> Cow<'_, str> {
    let mut stray = crate::unicode::stray_line_terminators(text).peekable();
    if stray.peek().is_none() {
        return Cow::Borrowed(text);
    }
    let mut out = String::with_capacity(text.len());
    let mut copied = 0;
    for (at, c) in stray {
        out.push_str(text.get(copied..at).unwrap_or(""));
        out.push('\n');
        copied = at + c.len_utf8();
    }
    out.push_str(text.get(copied..).unwrap_or(""));
    Cow::Owned(out)
}

/// [`format_source`] for text without a file name.
#[cfg(test)]
pub(crate) fn format_text(text: &str) -> Result<String, Vec<Diagnostic>> {
    format_source(&Source::new("<input>", text), FileId(0))
}

/// A syntax tree in canonical layout, without comments (its spans are not
/// read, so a tree built by hand prints too).
#[cfg(test)]
pub(crate) fn print_file(file: &File) -> String {
    printer::Printer::new("", Vec::new()).file(file)
}

/// An expression on one line.
#[cfg(test)]
pub(crate) fn print_expr(e: &Expr) -> String {
    expr::flat(e)
}

#[cfg(test)]
mod laws;
