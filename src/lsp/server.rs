//! The message loop: initialization, then notifications (buffers opened,
//! changed, saved, closed: the directory is checked again and its
//! diagnostics published) and requests, each answered from the latest check.

use std::collections::HashMap;
use std::path::{Path, PathBuf};

use lsp_server::{Connection, ErrorCode, Message, Notification, Request, Response};
use lsp_types::notification::{
    DidChangeTextDocument, DidCloseTextDocument, DidOpenTextDocument, DidSaveTextDocument,
    Notification as _, PublishDiagnostics,
};
use lsp_types::request::{
    CodeActionRequest, Completion, Formatting, GotoDefinition, HoverRequest, References,
    Request as _, SemanticTokensFullRequest,
};
use lsp_types::{
    CodeActionParams, CodeActionProviderCapability, CompletionOptions, CompletionParams,
    CompletionResponse, DocumentFormattingParams, GotoDefinitionParams, GotoDefinitionResponse,
    HoverParams, HoverProviderCapability, OneOf, ReferenceParams, SemanticTokensFullOptions,
    SemanticTokensOptions, SemanticTokensParams, SemanticTokensResult,
    SemanticTokensServerCapabilities, ServerCapabilities, TextDocumentSyncCapability,
    TextDocumentSyncKind, Uri,
};
use serde::de::DeserializeOwned;

use super::documents::{Analysis, Documents};
use super::position::{uri_to_path, Lines};
use crate::diagnostic::Code;
use crate::names::NameIndex;

/// What the server offers.
fn capabilities() -> ServerCapabilities {
    ServerCapabilities {
        text_document_sync: Some(TextDocumentSyncCapability::Kind(TextDocumentSyncKind::FULL)),
        hover_provider: Some(HoverProviderCapability::Simple(true)),
        definition_provider: Some(OneOf::Left(true)),
        references_provider: Some(OneOf::Left(true)),
        completion_provider: Some(CompletionOptions {
            trigger_characters: Some(vec![".".into(), " ".into(), "[".into()]),
            ..CompletionOptions::default()
        }),
        semantic_tokens_provider: Some(SemanticTokensServerCapabilities::SemanticTokensOptions(
            SemanticTokensOptions {
                legend: super::tokens::legend(),
                full: Some(SemanticTokensFullOptions::Bool(true)),
                range: None,
                ..SemanticTokensOptions::default()
            },
        )),
        document_formatting_provider: Some(OneOf::Left(true)),
        code_action_provider: Some(CodeActionProviderCapability::Simple(true)),
        ..ServerCapabilities::default()
    }
}

/// The server's state: open buffers and each rule directory's last check.
#[derive(Debug, Default)]
struct Server {
    documents: Documents,
    analyses: HashMap<PathBuf, Analysis>,
    /// Each directory's last name index checked without a syntax error:
    /// completion reads it while the word being typed breaks the parse.
    whole_names: HashMap<PathBuf, NameIndex>,
}

/// Initializes and answers messages until `shutdown` and `exit`.
pub(super) fn serve(connection: &Connection) -> Result<(), String> {
    let caps = serde_json::to_value(capabilities()).map_err(|e| e.to_string())?;
    connection
        .initialize(caps)
        .map_err(|e| format!("language server initialization failed: {e}"))?;
    let mut server = Server::default();
    for message in &connection.receiver {
        let outgoing = match message {
            Message::Request(request) => {
                let shutdown = connection
                    .handle_shutdown(&request)
                    .map_err(|e| format!("language server shutdown failed: {e}"))?;
                if shutdown {
                    return Ok(());
                }
                vec![Message::Response(server.request(request))]
            }
            Message::Notification(n) => server
                .notify(n)
                .into_iter()
                .map(Message::Notification)
                .collect(),
            Message::Response(_) => Vec::new(),
        };
        for m in outgoing {
            connection
                .sender
                .send(m)
                .map_err(|e| format!("language server cannot reply: {e}"))?;
        }
    }
    Ok(())
}

/// Reads a message's parameters.
fn params<P: DeserializeOwned>(value: serde_json::Value) -> Option<P> {
    serde_json::from_value(value).ok()
}

/// The rule directory of a file.
fn dir_of(path: &Path) -> PathBuf {
    path.parent().map(Path::to_path_buf).unwrap_or_default()
}

impl Server {
    /// A buffer changed: the returned notifications publish the
    /// diagnostics of its whole directory.
    fn notify(&mut self, n: Notification) -> Vec<Notification> {
        let changed: Option<PathBuf> = match n.method.as_str() {
            DidOpenTextDocument::METHOD => params::<lsp_types::DidOpenTextDocumentParams>(n.params)
                .and_then(|p| {
                    let path = uri_to_path(&p.text_document.uri)?;
                    self.documents.set(path.clone(), p.text_document.text);
                    Some(path)
                }),
            DidChangeTextDocument::METHOD => {
                params::<lsp_types::DidChangeTextDocumentParams>(n.params).and_then(|p| {
                    let path = uri_to_path(&p.text_document.uri)?;
                    // Full sync: the last change is the whole text.
                    let text = p.content_changes.into_iter().last()?.text;
                    self.documents.set(path.clone(), text);
                    Some(path)
                })
            }
            DidSaveTextDocument::METHOD => params::<lsp_types::DidSaveTextDocumentParams>(n.params)
                .and_then(|p| uri_to_path(&p.text_document.uri)),
            DidCloseTextDocument::METHOD => {
                params::<lsp_types::DidCloseTextDocumentParams>(n.params).and_then(|p| {
                    let path = uri_to_path(&p.text_document.uri)?;
                    self.documents.close(&path);
                    Some(path)
                })
            }
            _ => None,
        };
        let Some(path) = changed else {
            return Vec::new();
        };
        let dir = dir_of(&path);
        let analysis = self.reanalyze(&dir);
        super::diagnostics::publish(analysis)
            .into_iter()
            .map(|p| Notification::new(PublishDiagnostics::METHOD.to_string(), p))
            .collect()
    }

    /// Checks a directory again.
    fn reanalyze(&mut self, dir: &Path) -> &Analysis {
        let analysis = Analysis::of(dir, &self.documents);
        let parsed = !analysis
            .checked
            .diagnostics
            .iter()
            .any(|d| d.code() == Code::Syntax);
        if parsed {
            self.whole_names
                .insert(dir.to_path_buf(), analysis.names.clone());
        }
        self.analyses
            .entry(dir.to_path_buf())
            .insert_entry(analysis)
            .into_mut()
    }

    /// The last check of a file's directory (checked now if never before).
    fn analysis(&mut self, uri: &Uri) -> Option<(PathBuf, &Analysis)> {
        let path = self.prepare(uri)?;
        let analysis = self.analyses.get(&dir_of(&path))?;
        Some((path, analysis))
    }

    /// Checks a file's directory if it never was; the file's path.
    fn prepare(&mut self, uri: &Uri) -> Option<PathBuf> {
        let path = uri_to_path(uri)?;
        let dir = dir_of(&path);
        if !self.analyses.contains_key(&dir) {
            self.reanalyze(&dir);
        }
        Some(path)
    }

    fn request(&mut self, r: Request) -> Response {
        let id = r.id.clone();
        let result = match r.method.as_str() {
            HoverRequest::METHOD => params::<HoverParams>(r.params).map(|p| {
                let at = p.text_document_position_params;
                let hover = self
                    .analysis(&at.text_document.uri)
                    .and_then(|(path, a)| super::hover::hover(a, &path, at.position));
                serde_json::to_value(hover)
            }),
            GotoDefinition::METHOD => params::<GotoDefinitionParams>(r.params).map(|p| {
                let at = p.text_document_position_params;
                let location = self
                    .analysis(&at.text_document.uri)
                    .and_then(|(path, a)| super::navigation::definition(a, &path, at.position))
                    .map(GotoDefinitionResponse::Scalar);
                serde_json::to_value(location)
            }),
            References::METHOD => params::<ReferenceParams>(r.params).map(|p| {
                let at = p.text_document_position;
                let all = p.context.include_declaration;
                let found = self
                    .analysis(&at.text_document.uri)
                    .map(|(path, a)| super::navigation::references(a, &path, at.position, all));
                serde_json::to_value(found)
            }),
            Completion::METHOD => params::<CompletionParams>(r.params)
                .map(|p| serde_json::to_value(self.completion(p).map(CompletionResponse::Array))),
            SemanticTokensFullRequest::METHOD => params::<SemanticTokensParams>(r.params)
                .map(|p| serde_json::to_value(self.semantic_tokens(&p.text_document.uri))),
            Formatting::METHOD => params::<DocumentFormattingParams>(r.params).map(|p| {
                let edits = uri_to_path(&p.text_document.uri).and_then(|path| {
                    let text = self.text(&path)?;
                    super::formatting::format(&path.display().to_string(), &text)
                });
                serde_json::to_value(edits)
            }),
            CodeActionRequest::METHOD => params::<CodeActionParams>(r.params).map(|p| {
                let actions = self
                    .analysis(&p.text_document.uri)
                    .map(|(path, a)| super::actions::code_actions(a, &path, p.range));
                serde_json::to_value(actions)
            }),
            _ => {
                return Response::new_err(
                    id,
                    ErrorCode::MethodNotFound as i32,
                    format!("`{}` is not supported", r.method),
                )
            }
        };
        match result {
            Some(Ok(value)) => Response::new_ok(id, value),
            Some(Err(e)) => Response::new_err(id, ErrorCode::InternalError as i32, e.to_string()),
            None => Response::new_err(
                id,
                ErrorCode::InvalidParams as i32,
                format!("invalid parameters for `{}`", r.method),
            ),
        }
    }

    /// A file's text: its open buffer, or the file on disk.
    fn text(&self, path: &Path) -> Option<String> {
        match self.documents.text(path) {
            Some(text) => Some(text.to_string()),
            None => std::fs::read_to_string(path).ok(),
        }
    }

    fn completion(&mut self, p: CompletionParams) -> Option<Vec<lsp_types::CompletionItem>> {
        let at = p.text_document_position;
        let path = self.prepare(&at.text_document.uri)?;
        let dir = dir_of(&path);
        let analysis = self.analyses.get(&dir)?;
        let file = analysis.file_id(&path)?;
        let text = analysis.source(file)?.text.clone();
        let lines = Lines::new(&text);
        let offset = lines.offset(at.position);
        let names = match self.whole_names.get(&dir) {
            Some(whole) if has_syntax_error(analysis) => whole,
            _ => &analysis.names,
        };
        let ruleset = names.ruleset_at(file, u32::try_from(offset).ok()?);
        Some(super::completion::complete(
            names,
            &text,
            offset,
            ruleset,
            |a, b| lines.range(a, b),
        ))
    }

    fn semantic_tokens(&mut self, uri: &Uri) -> Option<SemanticTokensResult> {
        let path = uri_to_path(uri)?;
        let text = self.text(&path)?;
        let (_, analysis) = self.analysis(uri)?;
        let names = analysis
            .file_id(&path)
            .filter(|f| analysis.source(*f).is_some_and(|s| *s.text == *text))
            .map(|f| (&analysis.names, f));
        Some(SemanticTokensResult::Tokens(
            super::tokens::semantic_tokens(&text, names),
        ))
    }
}

fn has_syntax_error(analysis: &Analysis) -> bool {
    analysis
        .checked
        .diagnostics
        .iter()
        .any(|d| d.code() == Code::Syntax)
}
