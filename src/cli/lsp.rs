//! `service-policy lsp`: the Language Server Protocol over standard input and output
//! (SPEC §21). This module only speaks the protocol; the answers come from
//! [`service_policy::ide`], which works on the text as the editor holds it.
//!
//! Documents are synchronised whole (every change sends the full text), which keeps the
//! server simple and exact; a policy is small enough for that to cost nothing noticeable.

use std::collections::{HashMap, HashSet};
use std::path::{Component, Path, PathBuf};
use std::process::ExitCode;

use lsp_server::{Connection, ErrorCode, Message, Notification, Request, RequestId, Response};
use lsp_types::notification::{
    DidChangeTextDocument, DidCloseTextDocument, DidOpenTextDocument, Notification as _,
    PublishDiagnostics,
};
use lsp_types::request::{Completion, Formatting, GotoDefinition, HoverRequest, Request as _};
use lsp_types::{
    CompletionItem, CompletionItemKind, CompletionOptions, CompletionParams, CompletionResponse,
    CompletionTextEdit, Diagnostic, DiagnosticRelatedInformation, DiagnosticSeverity,
    DidChangeTextDocumentParams, DidCloseTextDocumentParams, DidOpenTextDocumentParams,
    DocumentFormattingParams, GotoDefinitionParams, GotoDefinitionResponse, Hover, HoverContents,
    HoverParams, HoverProviderCapability, Location, MarkupContent, MarkupKind, NumberOrString,
    OneOf, Position, PublishDiagnosticsParams, Range, ServerCapabilities, ServerInfo,
    TextDocumentSyncCapability, TextDocumentSyncKind, TextEdit, Uri,
};
use service_policy::ide::{self, Analysis, CompletionKind, Declaration};

use super::{Outcome, UsageError};

pub(super) fn run() -> Outcome {
    let (connection, io_threads) = Connection::stdio();
    let capabilities = ServerCapabilities {
        text_document_sync: Some(TextDocumentSyncCapability::Kind(TextDocumentSyncKind::FULL)),
        hover_provider: Some(HoverProviderCapability::Simple(true)),
        definition_provider: Some(OneOf::Left(true)),
        document_formatting_provider: Some(OneOf::Left(true)),
        completion_provider: Some(CompletionOptions {
            trigger_characters: Some(vec![".".to_owned(), "\"".to_owned()]),
            ..CompletionOptions::default()
        }),
        ..ServerCapabilities::default()
    };
    let initialize = serde_json::json!({
        "capabilities": capabilities,
        "serverInfo": ServerInfo {
            name: "service-policy".to_owned(),
            version: Some(env!("CARGO_PKG_VERSION").to_owned()),
        },
    });
    let (id, _params) = connection.initialize_start().map_err(protocol)?;
    connection
        .initialize_finish(id, initialize)
        .map_err(protocol)?;
    let mut server = Server {
        connection: &connection,
        documents: HashMap::new(),
    };
    server.serve()?;
    drop(connection);
    io_threads.join().map_err(protocol)?;
    Ok(ExitCode::SUCCESS)
}

fn protocol(e: impl std::fmt::Display) -> UsageError {
    UsageError(format!("language server: {e}"))
}

struct Server<'c> {
    connection: &'c Connection,
    /// The open documents, by URI, as the editor last sent them.
    documents: HashMap<Uri, Analysis>,
}

impl Server<'_> {
    fn serve(&mut self) -> Result<(), UsageError> {
        for message in &self.connection.receiver {
            match message {
                Message::Request(request) => {
                    if self
                        .connection
                        .handle_shutdown(&request)
                        .map_err(protocol)?
                    {
                        return Ok(());
                    }
                    let response = self.request(request);
                    self.send(Message::Response(response))?;
                }
                Message::Notification(notification) => self.notification(notification)?,
                Message::Response(_) => {}
            }
        }
        Ok(())
    }

    fn send(&self, message: Message) -> Result<(), UsageError> {
        self.connection.sender.send(message).map_err(protocol)
    }

    fn notification(&mut self, notification: Notification) -> Result<(), UsageError> {
        let uri = match notification.method.as_str() {
            DidOpenTextDocument::METHOD => {
                let Ok(params) =
                    notification.extract::<DidOpenTextDocumentParams>(DidOpenTextDocument::METHOD)
                else {
                    return Ok(());
                };
                let uri = params.text_document.uri;
                self.documents
                    .insert(uri.clone(), Analysis::new(&params.text_document.text));
                uri
            }
            DidChangeTextDocument::METHOD => {
                let Ok(params) = notification
                    .extract::<DidChangeTextDocumentParams>(DidChangeTextDocument::METHOD)
                else {
                    return Ok(());
                };
                // Full synchronisation: the last change holds the whole text.
                let Some(change) = params.content_changes.into_iter().next_back() else {
                    return Ok(());
                };
                let uri = params.text_document.uri;
                self.documents
                    .insert(uri.clone(), Analysis::new(&change.text));
                uri
            }
            DidCloseTextDocument::METHOD => {
                if let Ok(params) =
                    notification.extract::<DidCloseTextDocumentParams>(DidCloseTextDocument::METHOD)
                {
                    self.documents.remove(&params.text_document.uri);
                    // Clear what was shown for the closed file.
                    self.publish(params.text_document.uri, Vec::new())?;
                }
                return Ok(());
            }
            _ => return Ok(()),
        };
        let diagnostics = self
            .documents
            .get(&uri)
            .map(|analysis| diagnostics(&uri, analysis))
            .unwrap_or_default();
        self.publish(uri, diagnostics)
    }

    fn publish(&self, uri: Uri, diagnostics: Vec<Diagnostic>) -> Result<(), UsageError> {
        let params = PublishDiagnosticsParams {
            uri,
            diagnostics,
            version: None,
        };
        self.send(Message::Notification(Notification::new(
            PublishDiagnostics::METHOD.to_owned(),
            params,
        )))
    }

    fn request(&self, request: Request) -> Response {
        let id = request.id.clone();
        let result = match request.method.as_str() {
            HoverRequest::METHOD => {
                request
                    .extract::<HoverParams>(HoverRequest::METHOD)
                    .map(|(_, p)| {
                        let doc = p.text_document_position_params;
                        to_json(self.hover(&doc.text_document.uri, doc.position))
                    })
            }
            GotoDefinition::METHOD => request
                .extract::<GotoDefinitionParams>(GotoDefinition::METHOD)
                .map(|(_, p)| {
                    let doc = p.text_document_position_params;
                    to_json(self.definition(doc.text_document.uri, doc.position))
                }),
            Completion::METHOD => {
                request
                    .extract::<CompletionParams>(Completion::METHOD)
                    .map(|(_, p)| {
                        let doc = p.text_document_position;
                        to_json(self.completion(&doc.text_document.uri, doc.position))
                    })
            }
            Formatting::METHOD => request
                .extract::<DocumentFormattingParams>(Formatting::METHOD)
                .map(|(_, p)| to_json(self.formatting(&p.text_document.uri))),
            _ => {
                return Response::new_err(
                    id,
                    ErrorCode::MethodNotFound as i32,
                    format!("`{}` is not supported", request.method),
                );
            }
        };
        match result {
            Ok(value) => Response::new_ok(id, value),
            Err(e) => invalid_params(id, &e.to_string()),
        }
    }

    fn hover(&self, uri: &Uri, position: Position) -> Option<Hover> {
        let analysis = self.documents.get(uri)?;
        let (markdown, range) = match analysis.hover(from_lsp(position)) {
            Some(hover) => (hover.markdown, Some(to_lsp(hover.range))),
            None => {
                let (base, declaration) = self.in_bases(uri, position)?;
                let name = base_name(&base);
                (format!("{}\n\n*from {name}*", declaration.hover), None)
            }
        };
        Some(Hover {
            contents: HoverContents::Markup(MarkupContent {
                kind: MarkupKind::Markdown,
                value: markdown,
            }),
            range,
        })
    }

    fn definition(&self, uri: Uri, position: Position) -> Option<GotoDefinitionResponse> {
        let (uri, range) = match self.documents.get(&uri)?.definition(from_lsp(position)) {
            Some(range) => (uri, range),
            None => {
                let (base, declaration) = self.in_bases(&uri, position)?;
                (base, declaration.range)
            }
        };
        Some(GotoDefinitionResponse::Scalar(Location {
            uri,
            range: to_lsp(range),
        }))
    }

    /// The declaration of the name at `position` in the bases the document `extends`,
    /// nearest base first: the open editor's text of a base when it is open, else the file.
    fn in_bases(&self, uri: &Uri, position: Position) -> Option<(Uri, Declaration)> {
        let analysis = self.documents.get(uri)?;
        let names = analysis.names_at(from_lsp(position));
        let mut base = analysis.extends();
        let mut path = uri_to_path(uri)?;
        let mut seen = HashSet::new();
        for _ in 0..MAX_BASES {
            let target = normalise(&path.parent()?.join(base?));
            if !seen.insert(target.clone()) {
                return None;
            }
            let target_uri = path_to_uri(&target)?;
            let loaded;
            let analysis = match self.documents.get(&target_uri) {
                Some(open) => open,
                None => {
                    loaded = Analysis::new(&std::fs::read_to_string(&target).ok()?);
                    &loaded
                }
            };
            if let Some(found) = names.iter().find_map(|n| analysis.declaration(n)) {
                return Some((target_uri, found));
            }
            base = analysis.extends();
            path = target;
        }
        None
    }

    fn completion(&self, uri: &Uri, position: Position) -> Option<CompletionResponse> {
        let analysis = self.documents.get(uri)?;
        let items = analysis
            .completions(from_lsp(position))
            .into_iter()
            .map(|c| CompletionItem {
                kind: Some(match c.kind {
                    CompletionKind::Field => CompletionItemKind::FIELD,
                    CompletionKind::Value => CompletionItemKind::ENUM_MEMBER,
                    CompletionKind::Constant => CompletionItemKind::CONSTANT,
                    CompletionKind::Calendar => CompletionItemKind::STRUCT,
                    CompletionKind::Function => CompletionItemKind::FUNCTION,
                    CompletionKind::Keyword => CompletionItemKind::KEYWORD,
                }),
                detail: c.detail,
                text_edit: Some(CompletionTextEdit::Edit(TextEdit {
                    range: to_lsp(c.replace),
                    new_text: c.label.clone(),
                })),
                label: c.label,
                ..CompletionItem::default()
            })
            .collect();
        Some(CompletionResponse::Array(items))
    }

    fn formatting(&self, uri: &Uri) -> Option<Vec<TextEdit>> {
        let analysis = self.documents.get(uri)?;
        // A text with syntax errors is left alone: the diagnostics say why.
        let formatted = analysis.format()?;
        if formatted == analysis.text() {
            return Some(Vec::new());
        }
        Some(vec![TextEdit {
            range: to_lsp(analysis.whole()),
            new_text: formatted,
        }])
    }
}

/// How far up a chain of `extends` definitions are looked for: the resolver's own limit.
const MAX_BASES: usize = service_policy::MAX_EXTENDS_DEPTH;

/// The path of a `file:` URI, percent-decoded (`file:///tmp/n%C4%81m.policy`).
fn uri_to_path(uri: &Uri) -> Option<PathBuf> {
    let rest = uri.as_str().strip_prefix("file://")?;
    let path = rest.get(rest.find('/')?..)?;
    let bytes = path.as_bytes();
    let mut decoded = Vec::with_capacity(bytes.len());
    let mut i = 0;
    while let Some(&b) = bytes.get(i) {
        if b == b'%' {
            let hex = path.get(i + 1..i + 3)?;
            decoded.push(u8::from_str_radix(hex, 16).ok()?);
            i += 3;
        } else {
            decoded.push(b);
            i += 1;
        }
    }
    String::from_utf8(decoded).ok().map(PathBuf::from)
}

/// The `file:` URI of an absolute path, every byte outside the unreserved set encoded.
fn path_to_uri(path: &Path) -> Option<Uri> {
    let mut out = String::from("file://");
    for b in path.to_str()?.bytes() {
        if b.is_ascii_alphanumeric() || matches!(b, b'/' | b'-' | b'.' | b'_' | b'~') {
            out.push(char::from(b));
        } else {
            out.push_str(&format!("%{b:02X}"));
        }
    }
    out.parse().ok()
}

/// `/a/./b/../c.policy` → `/a/c.policy`, so a base reached two ways is one document.
fn normalise(path: &Path) -> PathBuf {
    let mut out = PathBuf::new();
    for part in path.components() {
        match part {
            Component::CurDir => {}
            Component::ParentDir => {
                out.pop();
            }
            other => out.push(other.as_os_str()),
        }
    }
    out
}

/// The file name of a URI, for saying where a hover came from.
fn base_name(uri: &Uri) -> String {
    uri_to_path(uri)
        .and_then(|p| p.file_name().map(|n| n.to_string_lossy().into_owned()))
        .unwrap_or_else(|| uri.as_str().to_owned())
}

fn diagnostics(uri: &Uri, analysis: &Analysis) -> Vec<Diagnostic> {
    analysis
        .diagnostics()
        .into_iter()
        .map(|p| Diagnostic {
            range: to_lsp(p.range),
            severity: Some(match p.severity {
                service_policy::Severity::Error => DiagnosticSeverity::ERROR,
                service_policy::Severity::Warning => DiagnosticSeverity::WARNING,
            }),
            code: Some(NumberOrString::String(p.code.to_owned())),
            source: Some("service-policy".to_owned()),
            message: p.message,
            related_information: (!p.related.is_empty()).then(|| {
                p.related
                    .into_iter()
                    .map(|(range, message)| DiagnosticRelatedInformation {
                        location: Location {
                            uri: uri.clone(),
                            range: to_lsp(range),
                        },
                        message,
                    })
                    .collect()
            }),
            ..Diagnostic::default()
        })
        .collect()
}

fn invalid_params(id: RequestId, message: &str) -> Response {
    Response::new_err(id, ErrorCode::InvalidParams as i32, message.to_owned())
}

fn to_json<T: serde::Serialize>(value: T) -> serde_json::Value {
    serde_json::to_value(value).unwrap_or(serde_json::Value::Null)
}

fn from_lsp(p: Position) -> ide::Position {
    ide::Position {
        line: p.line,
        character: p.character,
    }
}

fn to_lsp(r: ide::Range) -> Range {
    Range {
        start: Position::new(r.start.line, r.start.character),
        end: Position::new(r.end.line, r.end.character),
    }
}
