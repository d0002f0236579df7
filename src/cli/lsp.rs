//! `service-policy lsp`: the Language Server Protocol over standard input and output
//! (SPEC §21). This module only speaks the protocol; the answers come from
//! [`service_policy::ide`], which works on the text as the editor holds it.
//!
//! Documents are synchronised whole (every change sends the full text), which keeps the
//! server simple and exact; a policy is small enough for that to cost nothing noticeable.

use std::collections::HashMap;
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
use service_policy::ide::{self, Analysis, CompletionKind};

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
        let hover = self.documents.get(uri)?.hover(from_lsp(position))?;
        Some(Hover {
            contents: HoverContents::Markup(MarkupContent {
                kind: MarkupKind::Markdown,
                value: hover.markdown,
            }),
            range: Some(to_lsp(hover.range)),
        })
    }

    fn definition(&self, uri: Uri, position: Position) -> Option<GotoDefinitionResponse> {
        let range = self.documents.get(&uri)?.definition(from_lsp(position))?;
        Some(GotoDefinitionResponse::Scalar(Location {
            uri,
            range: to_lsp(range),
        }))
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
