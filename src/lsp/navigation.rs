//! Go to definition and find references, read from the name index.

use lsp_types::{Location, Position};

use super::diagnostics::range_of;
use super::documents::Analysis;
use super::position::{path_to_uri, Lines};
use crate::names::Symbol;
use crate::span::{FileId, Span};

/// The file, byte offset and symbol at a position of a file.
pub(super) fn symbol_at<'a>(
    analysis: &'a Analysis,
    path: &std::path::Path,
    position: Position,
) -> Option<(FileId, usize, &'a Symbol)> {
    let file = analysis.file_id(path)?;
    let source = analysis.source(file)?;
    let offset = Lines::new(&source.text).offset(position);
    let symbol = analysis.names.at(file, u32::try_from(offset).ok()?)?;
    Some((file, offset, symbol))
}

/// Where a span is, as an LSP location.
pub(super) fn location(analysis: &Analysis, span: Span) -> Option<Location> {
    Some(Location {
        uri: path_to_uri(analysis.path(span.file)?)?,
        range: range_of(analysis, span)?,
    })
}

/// Where the name at a position is declared.
pub(super) fn definition(
    analysis: &Analysis,
    path: &std::path::Path,
    position: Position,
) -> Option<Location> {
    let (_, _, symbol) = symbol_at(analysis, path, position)?;
    let definition = analysis.names.definition(symbol)?;
    location(analysis, definition.span)
}

/// Every use of the name at a position (and its declaration, if asked).
pub(super) fn references(
    analysis: &Analysis,
    path: &std::path::Path,
    position: Position,
    include_declaration: bool,
) -> Vec<Location> {
    let Some((_, _, symbol)) = symbol_at(analysis, path, position) else {
        return Vec::new();
    };
    let declaration = analysis
        .names
        .definition(symbol)
        .filter(|_| include_declaration)
        .map(|d| d.span);
    declaration
        .into_iter()
        .chain(analysis.names.references(symbol))
        .filter_map(|span| location(analysis, span))
        .collect()
}
