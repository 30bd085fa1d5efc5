//! `verdikt fmt`: rule files in their one canonical layout.
//!
//! The layout, in short: two-space indentation; field, output and calendar
//! entry names padded so what follows lines up; a rule's `for`, `when`,
//! `then` and `else` each on a line of its own; group items one per line
//! with their `because` in one column; expressions with the fewest
//! parentheses that keep their meaning, broken only past [`MAX_WIDTH`]
//! columns. Literals are printed as written. Comments are kept (see
//! [`comments`]); blank lines between items are kept, at most one. Output
//! has LF line endings and no byte order mark.
//!
//! The printed text depends only on the syntax tree and the comments, so
//! formatting twice changes nothing, and it parses back to the same tree.

pub mod comments;
mod expr;
mod printer;

#[cfg(test)]
use crate::ast::{Expr, File};
use crate::diagnostic::{Code, Diagnostic};
use crate::span::{FileId, Source};

/// Lines are broken past this many columns (CJK characters count two).
/// Strings are never broken, so a long `because` may still pass it.
pub const MAX_WIDTH: usize = 100;

/// Formats one rule file. `Err` carries the diagnostics when the file does
/// not parse; literal errors (`2026-02-30`) do not stop formatting, since
/// literals are printed as written.
pub fn format_source(source: &Source, file: FileId) -> Result<String, Vec<Diagnostic>> {
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
