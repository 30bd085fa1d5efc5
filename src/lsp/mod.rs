//! `verdikt lsp`: a Language Server over stdio, so any LSP editor knows the
//! rule language. Everything it says comes from the checker's own passes:
//! diagnostics and quick fixes from checking the whole rule directory (open
//! buffers in place of their files), hover, definitions, references and
//! completion from the name index the checker fills as it resolves names,
//! semantic tokens from the parser, formatting from `verdikt fmt`'s printer.
//!
//! One module per job: `server` (transport and message loop), `documents`
//! (open buffers and checked directories), `position` (offsets and URIs),
//! `diagnostics`, `hover`, `navigation` (definition and references),
//! `completion`, `tokens` (semantic tokens), `actions` (quick fixes) and
//! `formatting`.

mod actions;
mod completion;
mod diagnostics;
mod documents;
mod formatting;
mod hover;
mod navigation;
mod position;
mod server;
mod tokens;

/// Serves the Language Server Protocol on standard input and output until
/// the editor says `exit`. `Err` says why the connection failed.
pub fn run() -> Result<(), String> {
    let (connection, io_threads) = lsp_server::Connection::stdio();
    server::serve(&connection)?;
    drop(connection);
    io_threads
        .join()
        .map_err(|e| format!("language server I/O failed: {e}"))
}
