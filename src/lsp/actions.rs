//! Quick fixes: every diagnostic that carries a fix (each did-you-mean)
//! becomes a code action that writes the suggested name.

use std::collections::HashMap;

use lsp_types::{CodeAction, CodeActionKind, CodeActionOrCommand, Range, TextEdit, WorkspaceEdit};

use super::diagnostics::{convert, range_of};
use super::documents::Analysis;
use super::position::path_to_uri;

/// The quick fixes of a file's diagnostics that touch `range`.
pub(super) fn code_actions(
    analysis: &Analysis,
    path: &std::path::Path,
    range: Range,
) -> Vec<CodeActionOrCommand> {
    let (Some(file), Some(uri)) = (analysis.file_id(path), path_to_uri(path)) else {
        return Vec::new();
    };
    let mut actions = Vec::new();
    for d in &analysis.checked.diagnostics {
        let Some(fix) = &d.fix else { continue };
        if fix.span.file != file {
            continue;
        }
        let Some(at) = range_of(analysis, fix.span) else {
            continue;
        };
        if at.end < range.start || range.end < at.start {
            continue;
        }
        let edit = TextEdit {
            range: at,
            new_text: fix.text.clone(),
        };
        actions.push(CodeActionOrCommand::CodeAction(CodeAction {
            title: format!("Replace with `{}`", fix.text),
            kind: Some(CodeActionKind::QUICKFIX),
            diagnostics: convert(analysis, d).map(|x| vec![x]),
            edit: Some(WorkspaceEdit {
                changes: Some(HashMap::from([(uri.clone(), vec![edit])])),
                ..WorkspaceEdit::default()
            }),
            is_preferred: Some(true),
            ..CodeAction::default()
        }));
    }
    actions
}
