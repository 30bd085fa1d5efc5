// Starts `verdikt lsp` for verdikt rule files (*.vk). The language server
// gives diagnostics, hover, definitions, references, completion, semantic
// tokens, formatting and quick fixes; the TextMate grammar highlights too.
const vscode = require('vscode');
const { LanguageClient } = require('vscode-languageclient/node');

let client;

function activate(context) {
  const command = vscode.workspace.getConfiguration('verdikt').get('path') || 'verdikt';
  const server = { command, args: ['lsp'] };
  client = new LanguageClient(
    'verdikt',
    'verdikt',
    { run: server, debug: server },
    { documentSelector: [{ scheme: 'file', language: 'verdikt' }] }
  );
  context.subscriptions.push(client);
  return client.start();
}

function deactivate() {
  return client ? client.stop() : undefined;
}

module.exports = { activate, deactivate };
