//! `verdikt lsp`: a Language Server over stdio, so any LSP editor knows the
//! rule language. Everything it says comes from the checker's own passes:
//! diagnostics and quick fixes from checking the whole rule directory (open
//! buffers in place of their files), hover, definitions, references and
//! completion from the name index the checker fills as it resolves names,
//! semantic tokens from the parser, formatting from `verdikt fmt`'s printer.
//!
//! One module per job: `transport` (framing within byte budgets), `server`
//! (the message loop), `documents` (open buffers and checked directories),
//! `position` (offsets and URIs), `diagnostics`, `hover`, `navigation`
//! (definition and references), `completion`, `tokens` (semantic tokens),
//! `actions` (quick fixes) and `formatting`.

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
mod transport;

/// Serves the Language Server Protocol on standard input and output until
/// the editor says `exit` or closes the input. `Err` says why the
/// connection ended early.
pub fn run() -> Result<(), String> {
    serve(std::io::stdin().lock(), std::io::stdout().lock())
}

/// Serves the Language Server Protocol on any pair of byte streams, as
/// [`run`] does on standard input and output. Messages are capped at
/// 64 MiB (a header line at 8 KiB, a message's headers at 64 KiB): a
/// message over a cap, or one that is not JSON-RPC, is answered with an
/// error and the next one read; a `Content-Length` over 1 GiB ends the
/// connection (`Err`).
pub fn serve(input: impl std::io::BufRead, output: impl std::io::Write) -> Result<(), String> {
    server::serve(input, output)
}
