// Starts `service-policy lsp` for *.policy files. Everything the editor shows (diagnostics,
// formatting, hover, definitions, completion) comes from the server; this file only
// launches it.
"use strict";

const vscode = require("vscode");
const { LanguageClient, TransportKind } = require("vscode-languageclient/node");

let client;

function activate(context) {
  const command = vscode.workspace
    .getConfiguration("servicePolicy")
    .get("server.path", "service-policy");
  const server = { command, args: ["lsp"], transport: TransportKind.stdio };
  client = new LanguageClient(
    "servicePolicy",
    "service-policy",
    { run: server, debug: server },
    { documentSelector: [{ scheme: "file", language: "policy" }] }
  );
  context.subscriptions.push(client);
  return client.start();
}

function deactivate() {
  return client ? client.stop() : undefined;
}

module.exports = { activate, deactivate };
