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

/// Drawing needs miette's `fancy` feature, on with `cli` or `render`.
#[cfg(any(feature = "cli", feature = "render"))]
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

    /// A snippet longer than this many bytes is cut to a window of the span's own line,
    /// so a 10 MB line (minified or hostile) is never echoed whole.
    pub(super) const SNIPPET_LIMIT: usize = 4096;

    /// How many bytes a cut snippet shows on each side of the span's start, and the most
    /// a label underlines on a line longer than [`SNIPPET_LIMIT`].
    const WINDOW: usize = 120;

    impl SourceCode for NamedFile {
        fn read_span<'a>(
            &'a self,
            span: &SourceSpan,
            context_lines_before: usize,
            context_lines_after: usize,
        ) -> Result<Box<dyn SpanContents<'a> + 'a>, MietteError> {
            let text = self.0.text.as_str();
            let contents = text.read_span(span, context_lines_before, context_lines_after)?;
            if contents.data().len() <= SNIPPET_LIMIT {
                // miette counts columns in bytes; the header `file:line:col` must agree with
                // `--format json` and editors, which count characters (`নাম` is 3, not 9).
                let (_, column) = crate::ast::span_line_col(text, contents.span().offset());
                return Ok(Box::new(MietteSpanContents::new_named(
                    self.0.name.clone(),
                    contents.data(),
                    *contents.span(),
                    contents.line(),
                    column.saturating_sub(1),
                    contents.line_count(),
                )));
            }
            // Too long to show: a window of the line the span starts on, without context
            // lines; the column counts characters, as above.
            let start = floor_boundary(text, span.offset());
            let (line_start, line_end) = line_around(text, start);
            let from = floor_boundary(text, start.saturating_sub(WINDOW).max(line_start));
            let span_end = span.offset().saturating_add(span.len()).max(start);
            let to = ceil_boundary(
                text,
                span_end
                    .min(start.saturating_add(WINDOW))
                    .saturating_add(WINDOW)
                    .min(line_end),
            );
            let data = text.get(from..to).unwrap_or("");
            let line = text
                .get(..from)
                .map_or(0, |before| before.matches('\n').count());
            Ok(Box::new(MietteSpanContents::new_named(
                self.0.name.clone(),
                data.as_bytes(),
                SourceSpan::new(from.into(), to - from),
                line,
                text.get(line_start..start).map_or(0, |s| s.chars().count()),
                contents.line_count(),
            )))
        }
    }

    /// The largest character boundary at or before `at`, inside the text.
    fn floor_boundary(text: &str, at: usize) -> usize {
        let mut at = at.min(text.len());
        while at > 0 && !text.is_char_boundary(at) {
            at -= 1;
        }
        at
    }

    /// The smallest character boundary at or after `at`, inside the text.
    fn ceil_boundary(text: &str, at: usize) -> usize {
        let mut at = at.min(text.len());
        while at < text.len() && !text.is_char_boundary(at) {
            at += 1;
        }
        at
    }

    /// Where the line holding byte `at` starts and ends (before its line break).
    fn line_around(text: &str, at: usize) -> (usize, usize) {
        let start = text
            .get(..at)
            .and_then(|before| before.rfind('\n'))
            .map_or(0, |i| i + 1);
        let end = text
            .get(at..)
            .and_then(|after| after.find('\n'))
            .map_or(text.len(), |i| at + i);
        (start, end)
    }

    /// Clamps a span to the text and to character boundaries, so a stray offset can never
    /// make the renderer slice inside a character. On a line too long to show whole, the
    /// span is cut to the window the snippet shows.
    fn source_span(text: &str, span: Span) -> SourceSpan {
        let start = floor_boundary(text, span.start);
        let mut end = floor_boundary(text, span.end.max(span.start));
        let (line_start, line_end) = line_around(text, start);
        if line_end - line_start > SNIPPET_LIMIT {
            end = floor_boundary(text, end.min(line_end).min(start.saturating_add(WINDOW)));
        }
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

#[cfg(any(feature = "cli", feature = "render"))]
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
    fn the_header_column_counts_characters_like_the_json_form() {
        let text = "policy \"p\" {\n  rule নিয়ম { when x = 1 }\n}\n";
        let at = text.find('=').unwrap();
        let d = Diagnostic::new(Code::E0001, Span::new(at, at + 1), "found `=`");
        let all = diags(text, vec![d]);
        let out = render_human(&all, false);
        let (line, column) = all.line_col(Span::new(at, at + 1));
        assert_eq!((line, column), (2, 23));
        assert!(out.contains("a.policy:2:23]"), "{out}");
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

    #[test]
    fn a_span_on_a_huge_line_shows_a_window_of_it() {
        // A label at the start, in the middle and at the end of a 1 MB line, and one that
        // covers most of it; a multi-byte character sits at each window's edge.
        let text = format!(
            "policy \"p\" {{\n{}x = 1{}\n}}\n",
            "é".repeat(500_000),
            "ü".repeat(500_000)
        );
        let at = text.find('x').unwrap();
        let cases = [
            (Span::new(at, at + 1), "x = 1"),
            (Span::new(13, 15), "éé"),
            (Span::new(text.len() - 4, text.len() - 2), "üü"),
            (Span::new(13, text.len() - 3), "éé"),
        ];
        for (span, shown) in cases {
            let d = Diagnostic::new(Code::E0002, span, "too long").with_primary_label("here");
            let out = render_human(&diags(&text, vec![d]), false);
            assert!(
                out.len() < 2 * graphical::SNIPPET_LIMIT,
                "{} bytes",
                out.len()
            );
            assert!(out.contains(shown), "{out}");
            assert!(out.contains("here"), "{out}");
        }
        let d = Diagnostic::new(Code::E0002, Span::new(at, at + 1), "too long");
        let out = render_human(&diags(&text, vec![d]), false);
        let column = text[text.find('\n').unwrap() + 1..at].chars().count() + 1;
        assert!(out.contains(&format!("a.policy:2:{column}")), "{out}");
    }
}
