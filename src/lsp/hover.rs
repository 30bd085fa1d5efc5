//! Hover: what a name is. A field or output shows its declaration (type,
//! constraints, labels as written), a `let` its definition, a function its
//! signature from the built-ins table.

use lsp_types::{Hover, HoverContents, MarkupContent, MarkupKind, Position};

use super::diagnostics::range_of;
use super::documents::Analysis;
use super::navigation::symbol_at;
use crate::names::{Kind, Symbol};

/// The hover text of the name at a position.
pub(super) fn hover(
    analysis: &Analysis,
    path: &std::path::Path,
    position: Position,
) -> Option<Hover> {
    let (file, offset, symbol) = symbol_at(analysis, path, position)?;
    let text = describe(analysis, symbol)?;
    // The range of the word hovered, when the index has it at hand.
    let range = analysis
        .names
        .definitions()
        .map(|d| d.span)
        .find(|s| s.file == file && (s.start as usize..=s.end as usize).contains(&offset))
        .and_then(|s| range_of(analysis, s));
    Some(Hover {
        contents: HoverContents::Markup(MarkupContent {
            kind: MarkupKind::Markdown,
            value: text,
        }),
        range,
    })
}

/// Markdown for a symbol.
fn describe(analysis: &Analysis, symbol: &Symbol) -> Option<String> {
    if symbol.kind == Kind::Function {
        let spec = crate::builtins::lookup(&symbol.name)?;
        return Some(format!(
            "```verdikt\n{}\n```\nbuilt-in function",
            spec.signature
        ));
    }
    let definition = analysis.names.definition(symbol)?;
    let declared = analysis.checked.sources.slice(definition.decl);
    // A rule or ruleset is long: its first line says what it is.
    let shown = match symbol.kind {
        Kind::Rule | Kind::Ruleset | Kind::Calendar => declared.lines().next().unwrap_or(""),
        _ => declared,
    };
    let what = match symbol.kind {
        Kind::Field => "field",
        Kind::Let => "`let` binding",
        Kind::Rule => "rule",
        Kind::Ruleset => "ruleset",
        Kind::Calendar => "calendar",
        Kind::Outcome => "outcome",
        Kind::Output => "output",
        Kind::Function => "function",
    };
    let mut text = format!("```verdikt\n{}\n```\n{what}", shown.trim());
    if let Some(ruleset) = &symbol.ruleset {
        text.push_str(&format!(" of ruleset `{ruleset}`"));
    }
    if let Some(ty) = &definition.detail {
        text.push_str(&format!(", type `{ty}`"));
    }
    if !definition.values.is_empty() {
        text.push_str(&format!("; values: {}", definition.values.join(", ")));
    }
    Some(text)
}
