//! The checker's diagnostics as LSP diagnostics, one list per rule file.

use lsp_types::{
    DiagnosticRelatedInformation, DiagnosticSeverity, Location, NumberOrString,
    PublishDiagnosticsParams,
};

use super::documents::Analysis;
use super::position::{path_to_uri, Lines};
use crate::diagnostic::{Diagnostic, Severity};
use crate::span::{FileId, Span};

/// The diagnostics of every file of an analysed directory (an empty list
/// clears a file's old ones). Problems of the whole directory (no schema)
/// are shown at the top of its first file.
pub(super) fn publish(analysis: &Analysis) -> Vec<PublishDiagnosticsParams> {
    let mut lists: Vec<Vec<lsp_types::Diagnostic>> = vec![Vec::new(); analysis.files.len()];
    for d in &analysis.checked.diagnostics {
        let file = d.span().map_or(FileId(0), |s| s.file);
        if let (Some(list), Some(converted)) =
            (lists.get_mut(file.0 as usize), convert(analysis, d))
        {
            list.push(converted);
        }
    }
    analysis
        .files
        .iter()
        .zip(lists)
        .filter_map(|(path, diagnostics)| {
            Some(PublishDiagnosticsParams {
                uri: path_to_uri(path)?,
                diagnostics,
                version: None,
            })
        })
        .collect()
}

/// The LSP range of a span.
pub(super) fn range_of(analysis: &Analysis, span: Span) -> Option<lsp_types::Range> {
    let source = analysis.source(span.file)?;
    let lines = Lines::new(&source.text);
    Some(lines.range(span.start as usize, span.end as usize))
}

/// One diagnostic: code, severity, message with its help, related places.
pub(super) fn convert(analysis: &Analysis, d: &Diagnostic) -> Option<lsp_types::Diagnostic> {
    let range = match d.span() {
        Some(span) => range_of(analysis, span)?,
        None => lsp_types::Range::default(),
    };
    let message = match d.help() {
        Some(help) => format!("{}\nhelp: {help}", d.message()),
        None => d.message().to_string(),
    };
    let related: Vec<DiagnosticRelatedInformation> = d
        .related
        .iter()
        .filter_map(|(span, what)| {
            Some(DiagnosticRelatedInformation {
                location: Location {
                    uri: path_to_uri(analysis.path(span.file)?)?,
                    range: range_of(analysis, *span)?,
                },
                message: what.clone(),
            })
        })
        .collect();
    Some(lsp_types::Diagnostic {
        range,
        severity: Some(match d.severity() {
            Severity::Error => DiagnosticSeverity::ERROR,
            Severity::Warning => DiagnosticSeverity::WARNING,
        }),
        code: Some(NumberOrString::String(d.code().id().to_string())),
        source: Some("verdikt".to_string()),
        message,
        related_information: (!related.is_empty()).then_some(related),
        ..lsp_types::Diagnostic::default()
    })
}
