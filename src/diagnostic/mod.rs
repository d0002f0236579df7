//! Diagnostics as data: code, severity, message, spans, labels and help.
//!
//! Every stage reports problems as [`Diagnostic`] values; nothing here prints. A
//! [`Diagnostics`] bundles them with the source they point into, implements
//! `std::error::Error` and `miette::Diagnostic`, and serialises to JSON with line and
//! column numbers for tools. Rendering with snippets is in [`render`].

pub mod render;

use std::fmt;
use std::sync::Arc;

use serde::Serialize;

use crate::ast::Span;
use crate::ast::span_line_col;

/// How serious a problem is.
#[derive(Clone, Copy, Debug, PartialEq, Eq, PartialOrd, Ord, Hash, Serialize)]
#[serde(rename_all = "lowercase")]
pub enum Severity {
    /// The policy cannot be used.
    Error,
    /// The policy works but is probably not what the author meant.
    Warning,
}

/// Every diagnostic code of SPEC §12.
#[derive(Clone, Copy, Debug, PartialEq, Eq, PartialOrd, Ord, Hash)]
pub enum Code {
    /// Syntax error.
    E0001,
    /// Nesting or size limit.
    E0002,
    /// Duplicate name.
    E0101,
    /// Unknown name (const, calendar, table, function).
    E0102,
    /// Unknown field (schema given).
    E0103,
    /// Type mismatch.
    E0201,
    /// Currency mismatch.
    E0202,
    /// Text outside the field's enumeration.
    E0203,
    /// Wrong type for `within`/`of`/`limit` operands.
    E0204,
    /// Rule without `then`/`expect`/`limit`.
    E0301,
    /// Handler not allowed for this rule.
    E0302,
    /// Escalation target not on the ladder.
    E0303,
    /// Invalid calendar.
    E0304,
    /// Invalid regex.
    E0305,
    /// Unknown time zone.
    E0306,
    /// Table arity mismatch.
    E0307,
    /// `override`/`remove` of a name the base lacks.
    E0308,
    /// `extends` cycle, or two versions of one family with the same `effective` date.
    E0309,
    /// Rule whose worst-case evaluation cost is over the limit.
    E0310,
    /// Unused const, calendar or table.
    W0001,
    /// Guard that can never be true, or is always true.
    W0002,
    /// Unreachable rule in `first of`.
    W0003,
    /// Table row that can never match.
    W0004,
    /// Table without a catch-all over an enumeration it does not cover.
    W0005,
    /// Schema field never read.
    W0006,
    /// Duration in days or weeks measured on a calendar.
    W0007,
    /// Two policies of a set whose policy-level `when` can both hold.
    W0008,
}

impl Code {
    /// The code as written (`"E0103"`).
    pub fn as_str(self) -> &'static str {
        match self {
            Code::E0001 => "E0001",
            Code::E0002 => "E0002",
            Code::E0101 => "E0101",
            Code::E0102 => "E0102",
            Code::E0103 => "E0103",
            Code::E0201 => "E0201",
            Code::E0202 => "E0202",
            Code::E0203 => "E0203",
            Code::E0204 => "E0204",
            Code::E0301 => "E0301",
            Code::E0302 => "E0302",
            Code::E0303 => "E0303",
            Code::E0304 => "E0304",
            Code::E0305 => "E0305",
            Code::E0306 => "E0306",
            Code::E0307 => "E0307",
            Code::E0308 => "E0308",
            Code::E0309 => "E0309",
            Code::E0310 => "E0310",
            Code::W0001 => "W0001",
            Code::W0002 => "W0002",
            Code::W0003 => "W0003",
            Code::W0004 => "W0004",
            Code::W0005 => "W0005",
            Code::W0006 => "W0006",
            Code::W0007 => "W0007",
            Code::W0008 => "W0008",
        }
    }

    /// Errors start with `E`, warnings with `W`.
    pub fn severity(self) -> Severity {
        if self.as_str().starts_with('W') {
            Severity::Warning
        } else {
            Severity::Error
        }
    }
}

impl fmt::Display for Code {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.as_str())
    }
}

impl Serialize for Code {
    fn serialize<S: serde::Serializer>(&self, serializer: S) -> Result<S::Ok, S::Error> {
        serializer.serialize_str(self.as_str())
    }
}

/// A secondary span with a short message.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Label {
    /// Where.
    pub span: Span,
    /// What about it (may be empty).
    pub message: String,
}

/// One problem in a policy.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Diagnostic {
    /// The code, which also gives the severity.
    pub code: Code,
    /// Lowercase, no final period, user text in backticks.
    pub message: String,
    /// The primary span.
    pub span: Span,
    /// The label under the primary span (may be empty).
    pub primary_label: String,
    /// Secondary spans.
    pub labels: Vec<Label>,
    /// How to fix it, when there is something to say.
    pub help: Option<String>,
}

impl Diagnostic {
    /// A diagnostic with a code, message and primary span.
    pub fn new(code: Code, span: Span, message: impl Into<String>) -> Diagnostic {
        Diagnostic {
            code,
            message: message.into(),
            span,
            primary_label: String::new(),
            labels: Vec::new(),
            help: None,
        }
    }

    /// Sets the label under the primary span.
    pub fn with_primary_label(mut self, message: impl Into<String>) -> Diagnostic {
        self.primary_label = message.into();
        self
    }

    /// Adds a secondary label.
    pub fn with_label(mut self, span: Span, message: impl Into<String>) -> Diagnostic {
        self.labels.push(Label {
            span,
            message: message.into(),
        });
        self
    }

    /// Sets the help line.
    pub fn with_help(mut self, help: impl Into<String>) -> Diagnostic {
        self.help = Some(help.into());
        self
    }

    /// The severity of the code.
    pub fn severity(&self) -> Severity {
        self.code.severity()
    }
}

/// A policy's source text and the name it is reported under (usually its path).
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct SourceFile {
    /// The name shown in diagnostics.
    pub name: String,
    /// The text.
    pub text: String,
}

/// All diagnostics of one source file, in source order.
#[derive(Clone, Debug)]
pub struct Diagnostics {
    source: Arc<SourceFile>,
    items: Vec<Diagnostic>,
}

impl Diagnostics {
    /// Bundles diagnostics with their source, sorting them by position then code.
    pub fn new(source: Arc<SourceFile>, mut items: Vec<Diagnostic>) -> Diagnostics {
        items.sort_by_key(|d| (d.span.start, d.span.end, d.code));
        Diagnostics { source, items }
    }

    /// The source the spans point into.
    pub fn source(&self) -> &SourceFile {
        &self.source
    }

    /// The shared source.
    pub fn source_arc(&self) -> &Arc<SourceFile> {
        &self.source
    }

    /// The diagnostics.
    pub fn items(&self) -> &[Diagnostic] {
        &self.items
    }

    /// Whether there are none.
    pub fn is_empty(&self) -> bool {
        self.items.is_empty()
    }

    /// How many there are.
    pub fn len(&self) -> usize {
        self.items.len()
    }

    /// Whether any is an error.
    pub fn has_errors(&self) -> bool {
        self.items.iter().any(|d| d.severity() == Severity::Error)
    }

    /// The errors only.
    pub fn errors(&self) -> impl Iterator<Item = &Diagnostic> {
        self.items
            .iter()
            .filter(|d| d.severity() == Severity::Error)
    }

    /// The warnings only.
    pub fn warnings(&self) -> impl Iterator<Item = &Diagnostic> {
        self.items
            .iter()
            .filter(|d| d.severity() == Severity::Warning)
    }

    /// 1-based line and column of a span's start.
    pub fn line_col(&self, span: Span) -> (usize, usize) {
        span_line_col(&self.source.text, span.start)
    }

    /// The JSON form for tools: one object per diagnostic with file, line and column.
    pub fn to_json(&self) -> Vec<JsonDiagnostic> {
        self.items
            .iter()
            .map(|d| JsonDiagnostic::new(&self.source, d))
            .collect()
    }
}

impl fmt::Display for Diagnostics {
    /// One line per diagnostic: `file:line:col: error[E0103]: message`.
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        for (i, d) in self.items.iter().enumerate() {
            if i > 0 {
                f.write_str("\n")?;
            }
            let (line, column) = self.line_col(d.span);
            let severity = match d.severity() {
                Severity::Error => "error",
                Severity::Warning => "warning",
            };
            write!(
                f,
                "{}:{line}:{column}: {severity}[{}]: {}",
                self.source.name, d.code, d.message
            )?;
            if let Some(help) = &d.help {
                write!(f, " (help: {help})")?;
            }
        }
        Ok(())
    }
}

impl std::error::Error for Diagnostics {}

/// A position in the JSON form.
#[derive(Clone, Debug, PartialEq, Eq, Serialize)]
pub struct JsonPosition {
    /// 1-based line.
    pub line: usize,
    /// 1-based column, in characters.
    pub column: usize,
    /// Byte offset.
    pub offset: usize,
}

/// A label in the JSON form.
#[derive(Clone, Debug, PartialEq, Eq, Serialize)]
pub struct JsonLabel {
    /// Start of the span.
    pub start: JsonPosition,
    /// End of the span.
    pub end: JsonPosition,
    /// The label's text.
    pub message: String,
}

/// One diagnostic in the JSON form (`check --format json`).
#[derive(Clone, Debug, PartialEq, Eq, Serialize)]
pub struct JsonDiagnostic {
    /// The file name.
    pub file: String,
    /// `"E0103"`.
    pub code: Code,
    /// `"error"` or `"warning"`.
    pub severity: Severity,
    /// The message.
    pub message: String,
    /// Start of the primary span.
    pub start: JsonPosition,
    /// End of the primary span.
    pub end: JsonPosition,
    /// Primary label first, then the secondary ones.
    pub labels: Vec<JsonLabel>,
    /// The help line.
    pub help: Option<String>,
}

impl JsonDiagnostic {
    fn new(source: &SourceFile, d: &Diagnostic) -> JsonDiagnostic {
        let position = |offset: usize| {
            let (line, column) = span_line_col(&source.text, offset);
            JsonPosition {
                line,
                column,
                offset,
            }
        };
        let label = |span: Span, message: &str| JsonLabel {
            start: position(span.start),
            end: position(span.end),
            message: message.to_owned(),
        };
        let mut labels = vec![label(d.span, &d.primary_label)];
        labels.extend(d.labels.iter().map(|l| label(l.span, &l.message)));
        JsonDiagnostic {
            file: source.name.clone(),
            code: d.code,
            severity: d.severity(),
            message: d.message.clone(),
            start: position(d.span.start),
            end: position(d.span.end),
            labels,
            help: d.help.clone(),
        }
    }
}
