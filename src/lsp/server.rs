//! The message loop: initialization, then notifications (buffers opened,
//! changed, saved, closed: the directory is checked again and its
//! diagnostics published) and requests, each answered from the latest
//! check; messages are framed by `transport`, within its byte budgets.

use std::collections::HashMap;
use std::path::{Path, PathBuf};

use std::io::{BufRead, Write};

use lsp_server::{ErrorCode, Message, Notification, Request, Response};
use lsp_types::notification::{
    DidChangeTextDocument, DidCloseTextDocument, DidOpenTextDocument, DidSaveTextDocument, Exit,
    Notification as _, PublishDiagnostics,
};
use lsp_types::request::{
    CodeActionRequest, Completion, Formatting, GotoDefinition, HoverRequest, Initialize,
    References, Request as _, SemanticTokensFullRequest, Shutdown,
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
use super::transport::{write_message, write_refusal, Frame, Framer, Refusal, LIMITS};
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

/// Where the conversation with the client is.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum Phase {
    /// Before `initialize`: requests are refused, notifications dropped.
    Waiting,
    /// Answering.
    Running,
    /// After `shutdown`: only `exit` is expected.
    ShuttingDown,
    /// After `exit`.
    Exited,
}

/// Answers messages from `input` on `output` until the client says `exit`
/// or the input ends. No message ends the server: one that cannot be read
/// is answered with an error (`-32700`, `-32600`) and the next one read.
/// `Err` says why the connection ended early (output closed, a length no
/// client sends).
pub(super) fn serve(input: impl BufRead, mut output: impl Write) -> Result<(), String> {
    let mut framer = Framer::new(input, LIMITS);
    let mut server = Server::default();
    let mut phase = Phase::Waiting;
    let reply_error = |e: std::io::Error| format!("language server cannot reply: {e}");
    loop {
        let frame = framer
            .next_frame()
            .map_err(|e| format!("language server cannot read its input: {e}"))?;
        let refusal = match frame {
            Frame::Body(body) => match super::transport::decode(&body) {
                Ok(message) => {
                    drop(body);
                    for m in server.answer(message, &mut phase) {
                        write_message(&mut output, &m).map_err(reply_error)?;
                    }
                    if phase == Phase::Exited {
                        return Ok(());
                    }
                    continue;
                }
                Err(refusal) => refusal,
            },
            Frame::Refused { code, message } => Refusal {
                id: None,
                code,
                message,
            },
            Frame::End { inside } => {
                if inside {
                    log("the input ended inside a message; stopping");
                }
                return Ok(());
            }
            Frame::Absurd(why) => return Err(why),
        };
        log(&refusal.message);
        write_refusal(&mut output, &refusal).map_err(reply_error)?;
    }
}

/// A line on standard error, where editors keep a server's log. If
/// standard error is gone, there is no one to tell.
fn log(message: &str) {
    let _ = writeln!(std::io::stderr().lock(), "verdikt lsp: {message}");
}

/// Reads a message's parameters.
fn params<P: DeserializeOwned>(value: serde_json::Value) -> Result<P, String> {
    serde_json::from_value(value).map_err(|e| e.to_string())
}

/// The rule directory of a file.
fn dir_of(path: &Path) -> PathBuf {
    path.parent().map(Path::to_path_buf).unwrap_or_default()
}

impl Server {
    /// The answers to one message, in order. No message is fatal: a
    /// request is always answered, a notification with bad parameters is
    /// logged.
    fn answer(&mut self, message: Message, phase: &mut Phase) -> Vec<Message> {
        match message {
            Message::Request(r) => vec![Message::Response(self.answer_request(r, phase))],
            Message::Notification(n) if n.method == Exit::METHOD => {
                *phase = Phase::Exited;
                Vec::new()
            }
            Message::Notification(n) if *phase == Phase::Running => match self.notify(n) {
                Ok(published) => published.into_iter().map(Message::Notification).collect(),
                Err(why) => {
                    log(&why);
                    Vec::new()
                }
            },
            Message::Notification(_) | Message::Response(_) => Vec::new(),
        }
    }

    /// The answer to a request, as the phase allows.
    fn answer_request(&mut self, r: Request, phase: &mut Phase) -> Response {
        let refuse = |r: Request, code: ErrorCode, message: &str| {
            Response::new_err(r.id, code as i32, format!("`{}`: {message}", r.method))
        };
        match (*phase, r.method.as_str()) {
            (Phase::Waiting, Initialize::METHOD) => {
                *phase = Phase::Running;
                let result = lsp_types::InitializeResult {
                    capabilities: capabilities(),
                    server_info: Some(lsp_types::ServerInfo {
                        name: "verdikt".to_string(),
                        version: Some(env!("CARGO_PKG_VERSION").to_string()),
                    }),
                };
                match serde_json::to_value(result) {
                    Ok(value) => Response::new_ok(r.id, value),
                    Err(e) => refuse(r, ErrorCode::InternalError, &e.to_string()),
                }
            }
            (Phase::Waiting, _) => refuse(
                r,
                ErrorCode::ServerNotInitialized,
                "the server is not initialized yet (send `initialize` first)",
            ),
            (_, Initialize::METHOD) => refuse(
                r,
                ErrorCode::InvalidRequest,
                "the server is already initialized",
            ),
            (Phase::Running, Shutdown::METHOD) => {
                *phase = Phase::ShuttingDown;
                Response::new_ok(r.id, serde_json::Value::Null)
            }
            (Phase::Running, _) => self.request(r),
            (Phase::ShuttingDown | Phase::Exited, _) => refuse(
                r,
                ErrorCode::InvalidRequest,
                "the server is shutting down (only `exit` is expected)",
            ),
        }
    }

    /// A buffer changed: the returned notifications publish the
    /// diagnostics of its whole directory. `Err` says what was wrong with
    /// the notification.
    fn notify(&mut self, n: Notification) -> Result<Vec<Notification>, String> {
        let bad = |why: String| format!("invalid parameters for `{}`: {why}", n.method);
        let changed: Option<PathBuf> = match n.method.as_str() {
            DidOpenTextDocument::METHOD => {
                let p = params::<lsp_types::DidOpenTextDocumentParams>(n.params.clone())
                    .map_err(bad)?;
                uri_to_path(&p.text_document.uri).inspect(|path| {
                    self.documents.set(path.clone(), p.text_document.text);
                })
            }
            DidChangeTextDocument::METHOD => {
                let p = params::<lsp_types::DidChangeTextDocumentParams>(n.params.clone())
                    .map_err(bad)?;
                // Full sync: the last change is the whole text.
                match (
                    uri_to_path(&p.text_document.uri),
                    p.content_changes.into_iter().last(),
                ) {
                    (Some(path), Some(change)) => {
                        self.documents.set(path.clone(), change.text);
                        Some(path)
                    }
                    _ => None,
                }
            }
            DidSaveTextDocument::METHOD => {
                let p = params::<lsp_types::DidSaveTextDocumentParams>(n.params.clone())
                    .map_err(bad)?;
                uri_to_path(&p.text_document.uri)
            }
            DidCloseTextDocument::METHOD => {
                let p = params::<lsp_types::DidCloseTextDocumentParams>(n.params.clone())
                    .map_err(bad)?;
                uri_to_path(&p.text_document.uri).inspect(|path| self.documents.close(path))
            }
            _ => None,
        };
        let Some(path) = changed else {
            return Ok(Vec::new());
        };
        let dir = dir_of(&path);
        let analysis = self.reanalyze(&dir);
        Ok(super::diagnostics::publish(analysis)
            .into_iter()
            .map(|p| Notification::new(PublishDiagnostics::METHOD.to_string(), p))
            .collect())
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
            Ok(Ok(value)) => Response::new_ok(id, value),
            Ok(Err(e)) => Response::new_err(id, ErrorCode::InternalError as i32, e.to_string()),
            Err(why) => Response::new_err(
                id,
                ErrorCode::InvalidParams as i32,
                format!("invalid parameters for `{}`: {why}", r.method),
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
