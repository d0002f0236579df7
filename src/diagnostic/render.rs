//! Rendering diagnostics with source snippets.
//!
//! The library keeps diagnostics as data; this module draws them for people with miette:
//! each [`Diagnostic`] becomes a report with its code, the file name, line and column,
//! the source lines around the span with a caret underline, labels and the help line.
//! Drawing needs miette's `fancy` feature, which the default `cli` feature turns on, so
//! [`render_human`] exists only with `cli`. The `miette::Diagnostic` implementations
//! below do not need it: an embedding service can hand a [`Diagnostics`] to its own
//! miette handler and get every problem, each as a related diagnostic.

use std::fmt;

use miette::{LabeledSpan, SourceCode, SourceSpan};

use super::{Diagnostic, Diagnostics, Severity};

fn severity_of(d: &Diagnostic) -> miette::Severity {
    match d.severity() {
        Severity::Error => miette::Severity::Error,
        Severity::Warning => miette::Severity::Warning,
    }
}

impl fmt::Display for Diagnostic {
    /// The message alone; position and code are shown by the renderer.
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(&self.message)
    }
}

impl std::error::Error for Diagnostic {}

/// Without source code of its own: shown inside a [`Diagnostics`], it borrows the file's.
impl miette::Diagnostic for Diagnostic {
    fn code<'a>(&'a self) -> Option<Box<dyn fmt::Display + 'a>> {
        Some(Box::new(self.code))
    }

    fn severity(&self) -> Option<miette::Severity> {
        Some(severity_of(self))
    }

    fn help<'a>(&'a self) -> Option<Box<dyn fmt::Display + 'a>> {
        self.help
            .as_ref()
            .map(|h| Box::new(h) as Box<dyn fmt::Display>)
    }

    fn labels(&self) -> Option<Box<dyn Iterator<Item = LabeledSpan> + '_>> {
        // Without the text, spans cannot be clamped; they come from the parser and fit it.
        let primary = LabeledSpan::new_primary_with_span(
            (!self.primary_label.is_empty()).then(|| self.primary_label.clone()),
            SourceSpan::new(
                self.span.start.into(),
                self.span.end.saturating_sub(self.span.start),
            ),
        );
        let secondary = self.labels.iter().map(|l| {
            LabeledSpan::new_with_span(
                (!l.message.is_empty()).then(|| l.message.clone()),
                SourceSpan::new(l.span.start.into(), l.span.end.saturating_sub(l.span.start)),
            )
        });
        Some(Box::new(std::iter::once(primary).chain(secondary)))
    }
}

/// For embedders: every diagnostic is a related diagnostic over the file's source.
impl miette::Diagnostic for Diagnostics {
    fn source_code(&self) -> Option<&dyn SourceCode> {
        Some(&self.source.text)
    }

    fn related<'a>(&'a self) -> Option<Box<dyn Iterator<Item = &'a dyn miette::Diagnostic> + 'a>> {
        Some(Box::new(
            self.items.iter().map(|d| d as &dyn miette::Diagnostic),
        ))
    }

    fn severity(&self) -> Option<miette::Severity> {
        Some(if self.has_errors() {
            miette::Severity::Error
        } else {
            miette::Severity::Warning
        })
    }
}

/// Drawing needs miette's `fancy` feature, on with `cli`.
#[cfg(feature = "cli")]
mod graphical {
    use std::fmt;
    use std::sync::Arc;

    use miette::{
        LabeledSpan, MietteError, MietteSpanContents, SourceCode, SourceSpan, SpanContents,
    };

    use super::severity_of;
    use crate::ast::Span;
    use crate::diagnostic::{Diagnostic, Diagnostics, SourceFile};

    /// The whole file as miette source code, named so reports show `file:line:col`.
    #[derive(Debug)]
    struct NamedFile(Arc<SourceFile>);

    impl SourceCode for NamedFile {
        fn read_span<'a>(
            &'a self,
            span: &SourceSpan,
            context_lines_before: usize,
            context_lines_after: usize,
        ) -> Result<Box<dyn SpanContents<'a> + 'a>, MietteError> {
            let contents =
                self.0
                    .text
                    .read_span(span, context_lines_before, context_lines_after)?;
            Ok(Box::new(MietteSpanContents::new_named(
                self.0.name.clone(),
                contents.data(),
                *contents.span(),
                contents.line(),
                contents.column(),
                contents.line_count(),
            )))
        }
    }

    /// Clamps a span to the text and to character boundaries, so a stray offset can never
    /// make the renderer slice inside a character.
    fn source_span(text: &str, span: Span) -> SourceSpan {
        let clamp = |mut at: usize| {
            at = at.min(text.len());
            while at > 0 && !text.is_char_boundary(at) {
                at -= 1;
            }
            at
        };
        let start = clamp(span.start);
        let end = clamp(span.end.max(span.start));
        SourceSpan::new(start.into(), end - start)
    }

    fn labels_of<'a>(
        d: &'a Diagnostic,
        text: &'a str,
    ) -> Box<dyn Iterator<Item = LabeledSpan> + 'a> {
        let primary = LabeledSpan::new_primary_with_span(
            (!d.primary_label.is_empty()).then(|| d.primary_label.clone()),
            source_span(text, d.span),
        );
        let secondary = d.labels.iter().map(move |l| {
            LabeledSpan::new_with_span(
                (!l.message.is_empty()).then(|| l.message.clone()),
                source_span(text, l.span),
            )
        });
        Box::new(std::iter::once(primary).chain(secondary))
    }

    /// One diagnostic with the file it points into, for one report.
    #[derive(Debug)]
    struct Report<'a> {
        diagnostic: &'a Diagnostic,
        file: NamedFile,
    }

    impl fmt::Display for Report<'_> {
        fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
            f.write_str(&self.diagnostic.message)
        }
    }

    impl std::error::Error for Report<'_> {}

    impl miette::Diagnostic for Report<'_> {
        fn code<'b>(&'b self) -> Option<Box<dyn fmt::Display + 'b>> {
            Some(Box::new(self.diagnostic.code))
        }

        fn severity(&self) -> Option<miette::Severity> {
            Some(severity_of(self.diagnostic))
        }

        fn help<'b>(&'b self) -> Option<Box<dyn fmt::Display + 'b>> {
            self.diagnostic
                .help
                .as_ref()
                .map(|h| Box::new(h) as Box<dyn fmt::Display>)
        }

        fn labels(&self) -> Option<Box<dyn Iterator<Item = LabeledSpan> + '_>> {
            Some(labels_of(self.diagnostic, &self.file.0.text))
        }

        fn source_code(&self) -> Option<&dyn SourceCode> {
            Some(&self.file)
        }
    }

    /// Renders every diagnostic with its code, `file:line:col`, the source snippet with the
    /// span underlined, labels and help; one report after another. Without `color` the
    /// output has no escape codes (for logs, CI and snapshots).
    pub fn render_human(diags: &Diagnostics, color: bool) -> String {
        use miette::{GraphicalReportHandler, GraphicalTheme};

        let theme = if color {
            GraphicalTheme::unicode()
        } else {
            GraphicalTheme::unicode_nocolor()
        };
        let handler = GraphicalReportHandler::new_themed(theme)
            .with_links(false)
            .with_width(100)
            .with_context_lines(1);
        let mut out = String::new();
        for diagnostic in diags.items() {
            let report = Report {
                diagnostic,
                file: NamedFile(diags.source_arc().clone()),
            };
            let mut one = String::new();
            if handler.render_report(&mut one, &report).is_err() {
                // The handler only fails on a span outside the text; fall back to one line.
                let (line, column) = diags.line_col(diagnostic.span);
                one = format!(
                    "{}:{line}:{column}: [{}] {}\n",
                    diags.source().name,
                    diagnostic.code,
                    diagnostic.message
                );
            }
            out.push_str(&one);
        }
        out
    }
}

#[cfg(feature = "cli")]
pub use graphical::render_human;

#[cfg(all(test, feature = "cli"))]
mod tests {
    use std::sync::Arc;

    use super::*;
    use crate::ast::Span;
    use crate::diagnostic::{Code, SourceFile};

    fn diags(text: &str, items: Vec<Diagnostic>) -> Diagnostics {
        Diagnostics::new(
            Arc::new(SourceFile {
                name: "a.policy".to_owned(),
                text: text.to_owned(),
            }),
            items,
        )
    }

    #[test]
    fn renders_code_position_caret_label_and_help() {
        let text = "policy \"p\" {\n  rule r { when x = 1 }\n}\n";
        let at = text.find('=').unwrap();
        let d = Diagnostic::new(
            Code::E0001,
            Span::new(at, at + 1),
            "expected an operator, found `=`",
        )
        .with_primary_label("expected an operator")
        .with_help("compare with `==`");
        let out = render_human(&diags(text, vec![d]), false);
        assert!(out.contains("E0001"), "{out}");
        assert!(out.contains("a.policy:2:19"), "{out}");
        assert!(out.contains("rule r { when x = 1 }"), "{out}");
        assert!(out.contains("expected an operator"), "{out}");
        assert!(out.contains("help: compare with `==`"), "{out}");
        assert!(!out.contains('\u{1b}'), "no colour codes: {out}");
    }

    #[test]
    fn spans_at_the_end_and_inside_characters_do_not_break_rendering() {
        let text = "policy \"নীতি\"";
        let d = Diagnostic::new(
            Code::E0001,
            Span::new(9, 400),
            "expected `{`, found the end of the file",
        );
        let out = render_human(&diags(text, vec![d]), false);
        assert!(out.contains("expected `{`"), "{out}");
    }

    #[test]
    fn diagnostics_are_miette_reports_for_embedders() {
        let text = "abc";
        let all = diags(
            text,
            vec![Diagnostic::new(Code::W0001, Span::new(0, 1), "unused")],
        );
        let related: Vec<_> = miette::Diagnostic::related(&all).unwrap().collect();
        assert_eq!(related.len(), 1);
        assert_eq!(
            miette::Diagnostic::severity(&all),
            Some(miette::Severity::Warning)
        );
    }
}
