//! Editor analysis of one policy text, possibly broken: diagnostics, hover, go to
//! definition and completion, with positions in the editor's units (lines and UTF-16 code
//! units, as the Language Server Protocol counts them).
//!
//! Strategy: parse with recovery, so the items that parse give names and types even while
//! the author is half-way through a line; everything else reads the text around the
//! cursor. Nothing here speaks the protocol: `service-policy lsp` wraps these answers.
//!
//! ```
//! use service_policy::ide::{Analysis, Position};
//!
//! let text = "policy \"P\" {\n  record { নাম: text }\n  rule r { when নাম == \"x\" then tag \"t\" }\n}\n";
//! let analysis = Analysis::new(text);
//! assert!(analysis.diagnostics().is_empty());
//! // The use of `নাম` on line 2 leads to its declaration on line 1.
//! let use_at = Position { line: 2, character: 16 };
//! let target = analysis.definition(use_at).unwrap();
//! assert_eq!(target.start, Position { line: 1, character: 11 });
//! # let hover = analysis.hover(use_at).unwrap();
//! # assert!(hover.markdown.contains("text"));
//! ```

mod line_index;

use std::collections::BTreeSet;

pub use line_index::{LineIndex, Position, Range};

use crate::ast::{
    CalendarDef, CalendarLine, ConstDef, FieldDecl, Item, PolicyFile, RuleDef, Span, TableDef,
    TypeKind,
};
use crate::diagnostic::Severity;

/// The analysis of one policy text.
#[derive(Debug)]
pub struct Analysis {
    text: String,
    index: LineIndex,
    ast: Option<PolicyFile>,
}

/// A problem, positioned for an editor.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Problem {
    /// The code (`"E0103"`).
    pub code: &'static str,
    /// Error or warning.
    pub severity: Severity,
    /// The message, with the help line after it when there is one.
    pub message: String,
    /// The primary range.
    pub range: Range,
    /// Secondary ranges with their labels.
    pub related: Vec<(Range, String)>,
}

/// Hover text for the name under the cursor.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Hover {
    /// Markdown.
    pub markdown: String,
    /// The name hovered.
    pub range: Range,
}

/// What a completion inserts.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash)]
pub enum CompletionKind {
    /// A record field (or a segment of one).
    Field,
    /// A value of an enumeration or a ladder level.
    Value,
    /// A constant.
    Constant,
    /// A calendar.
    Calendar,
    /// A table or a built-in function.
    Function,
    /// A keyword.
    Keyword,
}

/// One completion.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Completion {
    /// What the list shows and inserts.
    pub label: String,
    /// What kind of thing it is.
    pub kind: CompletionKind,
    /// A short detail (a field's type, a constant's value).
    pub detail: Option<String>,
    /// The text replaced by the completion (the partial word typed so far).
    pub replace: Range,
}

/// What a declared name is.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
enum DefKind {
    Field,
    Const,
    Calendar,
    Table,
    Rule,
}

/// A declared name: what it is and where it is defined.
struct Definition {
    kind: DefKind,
    name: String,
    span: Span,
    hover: String,
}

/// Functions of SPEC §6, offered as completions.
const FUNCTIONS: [&str; 16] = [
    "len",
    "lower",
    "upper",
    "abs",
    "min",
    "max",
    "date",
    "weekday",
    "hour",
    "business_time",
    "count",
    "sum",
    "any",
    "all",
    "spans",
    "matches",
];

impl Analysis {
    /// Analyses `text`; never fails, whatever the text holds.
    pub fn new(text: &str) -> Analysis {
        let parse = |text: &str| match crate::syntax::parse_recovering(text) {
            Ok(ast) => Some(ast),
            Err((_, partial)) => partial.map(|p| *p),
        };
        // A text still being typed (`when tier == "`) stops the whole file at the scan;
        // without that one quote the other items still give names and types.
        let ast = parse(text).or_else(|| parse(&close_open_texts(text)));
        Analysis {
            text: text.to_owned(),
            index: LineIndex::new(text),
            ast,
        }
    }

    /// The text analysed.
    pub fn text(&self) -> &str {
        &self.text
    }

    /// The line index, for converting positions.
    pub fn line_index(&self) -> &LineIndex {
        &self.index
    }

    /// Every problem `service-policy check` reports, with the same codes, messages and help.
    pub fn diagnostics(&self) -> Vec<Problem> {
        let diagnostics = crate::check_source("<policy>", &self.text);
        diagnostics
            .items()
            .iter()
            .map(|d| {
                let mut message = d.message.clone();
                if let Some(help) = &d.help {
                    message.push_str("\nhelp: ");
                    message.push_str(help);
                }
                let mut related = Vec::new();
                if !d.primary_label.is_empty() {
                    related.push((self.range(d.span), d.primary_label.clone()));
                }
                related.extend(
                    d.labels
                        .iter()
                        .map(|l| (self.range(l.span), l.message.clone())),
                );
                Problem {
                    code: d.code.as_str(),
                    severity: d.severity(),
                    message,
                    range: self.range(d.span),
                    related,
                }
            })
            .collect()
    }

    /// The text in canonical form, or `None` while it has syntax errors.
    pub fn format(&self) -> Option<String> {
        crate::format(&self.text).ok()
    }

    /// The range covering the whole text (what a formatting edit replaces).
    pub fn whole(&self) -> Range {
        self.range(Span::new(0, self.text.len()))
    }

    fn range(&self, span: Span) -> Range {
        Range {
            start: self.index.position(span.start),
            end: self.index.position(span.end),
        }
    }

    /// Hover for the name at `position`: a field's type, a rule's description, a constant's
    /// value, a calendar's hours, a table's inputs.
    pub fn hover(&self, position: Position) -> Option<Hover> {
        let offset = self.index.offset(position)?;
        let (word, span) = self.word_at(offset)?;
        let definitions = self.definitions();
        let found = self.resolve(&definitions, &word, span, offset)?;
        Some(Hover {
            markdown: found.0.hover.clone(),
            range: self.range(found.1),
        })
    }

    /// Where the name at `position` is defined: a constant, calendar, table, rule or
    /// record field.
    pub fn definition(&self, position: Position) -> Option<Range> {
        let offset = self.index.offset(position)?;
        let (word, span) = self.word_at(offset)?;
        let definitions = self.definitions();
        let found = self.resolve(&definitions, &word, span, offset)?;
        Some(self.range(found.0.span))
    }

    /// Finds the definition the word names: a whole dotted path first (a field), then the
    /// path up to the segment under the cursor, then that segment alone when it is the
    /// first (a constant, calendar, table or rule).
    fn resolve<'d>(
        &self,
        definitions: &'d [Definition],
        word: &str,
        span: Span,
        offset: usize,
    ) -> Option<(&'d Definition, Span)> {
        if let Some(d) = definitions
            .iter()
            .find(|d| d.kind == DefKind::Field && d.name == word)
        {
            return Some((d, span));
        }
        let mut seg_start = span.start;
        for (i, segment) in word.split('.').enumerate() {
            let seg_end = seg_start + segment.len();
            if (seg_start..=seg_end).contains(&offset) {
                let path = self.text.get(span.start..seg_end)?;
                if let Some(d) = definitions
                    .iter()
                    .find(|d| d.kind == DefKind::Field && d.name == path)
                {
                    return Some((d, Span::new(span.start, seg_end)));
                }
                if i > 0 {
                    return None;
                }
                return definitions
                    .iter()
                    .find(|d| d.kind != DefKind::Field && d.name == segment)
                    .map(|d| (d, Span::new(seg_start, seg_end)));
            }
            seg_start = seg_end + 1;
        }
        None
    }

    /// The name around `offset`: identifier characters and the dots between them.
    fn word_at(&self, offset: usize) -> Option<(String, Span)> {
        let is_word = |c: char| unicode_ident::is_xid_continue(c) || c == '.';
        let before = self.text.get(..offset)?;
        let after = self.text.get(offset..)?;
        let start = before
            .char_indices()
            .rev()
            .take_while(|(_, c)| is_word(*c))
            .last()
            .map_or(offset, |(i, _)| i);
        let end = offset
            + after
                .char_indices()
                .find(|(_, c)| !is_word(*c))
                .map_or(after.len(), |(i, _)| i);
        let word = self.text.get(start..end)?.trim_matches('.');
        if word.is_empty() {
            return None;
        }
        let lead = self.text.get(start..end)?.len()
            - self.text.get(start..end)?.trim_start_matches('.').len();
        let start = start + lead;
        Some((word.to_owned(), Span::new(start, start + word.len())))
    }

    /// Every name the policy declares.
    fn definitions(&self) -> Vec<Definition> {
        let mut out = Vec::new();
        let Some(ast) = &self.ast else {
            return out;
        };
        for item in &ast.items {
            match item {
                Item::Record(schema) => {
                    for field in &schema.fields {
                        out.push(Definition {
                            kind: DefKind::Field,
                            name: field.path.dotted(),
                            span: field.path.span,
                            hover: self.field_hover(field),
                        });
                    }
                }
                Item::Const(c) => out.push(Definition {
                    kind: DefKind::Const,
                    name: c.name.name.clone(),
                    span: c.name.span,
                    hover: self.const_hover(c),
                }),
                Item::Calendar(c) => out.push(Definition {
                    kind: DefKind::Calendar,
                    name: c.name.name.clone(),
                    span: c.name.span,
                    hover: calendar_hover(c),
                }),
                Item::Table(t) => out.push(Definition {
                    kind: DefKind::Table,
                    name: t.name.name.clone(),
                    span: t.name.span,
                    hover: table_hover(t),
                }),
                Item::Rule(r) => out.push(rule_definition(r)),
                Item::FirstOf(block) => {
                    out.extend(block.rules.iter().map(rule_definition));
                }
                Item::Version(_) | Item::Timezone(_) | Item::Ladder(_) => {}
            }
        }
        out
    }

    fn slice(&self, span: Span) -> &str {
        self.text.get(span.range()).unwrap_or_default()
    }

    fn field_hover(&self, field: &FieldDecl) -> String {
        let optional = if field.ty.optional {
            "\n\nMay be absent: a rule that needs it is not decided while it is."
        } else {
            "\n\nRequired in every record."
        };
        format!(
            "```policy\n{}: {}\n```\nRecord field{optional}",
            field.path.dotted(),
            self.slice(field.ty.span)
        )
    }

    fn const_hover(&self, c: &ConstDef) -> String {
        format!(
            "```policy\nconst {} = {}\n```",
            c.name.name,
            crate::fmt::format_expr(&c.value)
        )
    }

    /// Completions at `position`: field paths after a prefix (`customer.`, or `record.` for
    /// every field), enumeration values inside a text compared with a field, ladder levels
    /// after `escalate to "`, and otherwise names, functions and keywords.
    pub fn completions(&self, position: Position) -> Vec<Completion> {
        let Some(offset) = self.index.offset(position) else {
            return Vec::new();
        };
        let Some(before) = self.text.get(..offset) else {
            return Vec::new();
        };
        let line = before.rsplit('\n').next().unwrap_or_default();
        let definitions = self.definitions();
        if let Some(values) = self.value_completions(line, offset, &definitions) {
            return values;
        }
        let is_word = |c: char| unicode_ident::is_xid_continue(c) || c == '.';
        let typed: String = {
            let chars: Vec<char> = line.chars().rev().take_while(|c| is_word(*c)).collect();
            chars.into_iter().rev().collect()
        };
        let typed_start = offset - typed.len();
        if let Some(dot) = typed.rfind('.') {
            let head = typed.get(..dot).unwrap_or_default();
            let partial_start = typed_start + dot + 1;
            return self.field_completions(head, typed_start, partial_start, offset, &definitions);
        }
        let replace = self.range(Span::new(typed_start, offset));
        let mut out = Vec::new();
        let mut seen = BTreeSet::new();
        for d in &definitions {
            let (label, kind) = match d.kind {
                // A field completes to its first segment; the rest follows after a `.`.
                DefKind::Field => (
                    d.name.split('.').next().unwrap_or_default().to_owned(),
                    CompletionKind::Field,
                ),
                DefKind::Const => (d.name.clone(), CompletionKind::Constant),
                DefKind::Calendar => (d.name.clone(), CompletionKind::Calendar),
                DefKind::Table => (d.name.clone(), CompletionKind::Function),
                // Nothing refers to a rule by name.
                DefKind::Rule => continue,
            };
            if !seen.insert(label.clone()) {
                continue;
            }
            let detail = if d.kind == DefKind::Field && label != d.name {
                None
            } else {
                Some(first_line(&d.hover))
            };
            out.push(Completion {
                detail,
                label,
                kind,
                replace,
            });
        }
        for f in FUNCTIONS {
            if seen.insert(f.to_owned()) {
                out.push(Completion {
                    label: f.to_owned(),
                    kind: CompletionKind::Function,
                    detail: Some("built-in function".to_owned()),
                    replace,
                });
            }
        }
        for k in crate::syntax::KEYWORDS {
            if seen.insert((*k).to_owned()) {
                out.push(Completion {
                    label: (*k).to_owned(),
                    kind: CompletionKind::Keyword,
                    detail: None,
                    replace,
                });
            }
        }
        out
    }

    /// The next segments of declared fields under `head`; after `record.` every field.
    fn field_completions(
        &self,
        head: &str,
        typed_start: usize,
        partial_start: usize,
        offset: usize,
        definitions: &[Definition],
    ) -> Vec<Completion> {
        let fields = definitions.iter().filter(|d| d.kind == DefKind::Field);
        let is_field_prefix = definitions
            .iter()
            .any(|d| d.kind == DefKind::Field && d.name.starts_with(&format!("{head}.")));
        let mut out = Vec::new();
        if head == "record" && !is_field_prefix {
            let replace = self.range(Span::new(typed_start, offset));
            for d in fields {
                out.push(Completion {
                    label: d.name.clone(),
                    kind: CompletionKind::Field,
                    detail: Some(self.type_of(&d.name)),
                    replace,
                });
            }
            return out;
        }
        let replace = self.range(Span::new(partial_start, offset));
        let mut seen = BTreeSet::new();
        let prefix = format!("{head}.");
        for d in fields {
            let Some(rest) = d.name.strip_prefix(&prefix) else {
                continue;
            };
            let segment = rest.split('.').next().unwrap_or_default();
            if seen.insert(segment.to_owned()) {
                let detail = if segment == rest {
                    self.type_of(&d.name)
                } else {
                    "…".to_owned()
                };
                out.push(Completion {
                    label: segment.to_owned(),
                    kind: CompletionKind::Field,
                    detail: Some(detail),
                    replace,
                });
            }
        }
        // The element fields of a list of objects, for a comprehension variable (`r.`).
        if out.is_empty() {
            for (name, _) in self.element_fields(head) {
                out.push(Completion {
                    label: name,
                    kind: CompletionKind::Field,
                    detail: None,
                    replace,
                });
            }
        }
        out
    }

    /// When `var` is bound by `for var in LIST`, the fields of LIST's element objects.
    fn element_fields(&self, var: &str) -> Vec<(String, String)> {
        let needle = format!("for {var} in ");
        let Some(at) = self.text.find(&needle) else {
            return Vec::new();
        };
        let list: String = self
            .text
            .get(at + needle.len()..)
            .unwrap_or_default()
            .chars()
            .take_while(|c| unicode_ident::is_xid_continue(*c) || *c == '.')
            .collect();
        let Some(ast) = &self.ast else {
            return Vec::new();
        };
        for item in &ast.items {
            if let Item::Record(schema) = item {
                for field in &schema.fields {
                    if field.path.dotted() == list
                        && let TypeKind::List(element) = &field.ty.kind
                        && let TypeKind::Object(fields) = &element.kind
                    {
                        return fields
                            .iter()
                            .map(|f| (f.path.dotted(), self.slice(f.ty.span).to_owned()))
                            .collect();
                    }
                }
            }
        }
        Vec::new()
    }

    fn type_of(&self, field: &str) -> String {
        let Some(ast) = &self.ast else {
            return String::new();
        };
        for item in &ast.items {
            if let Item::Record(schema) = item {
                for f in &schema.fields {
                    if f.path.dotted() == field {
                        return self.slice(f.ty.span).to_owned();
                    }
                }
            }
        }
        String::new()
    }

    /// Inside a text literal: the enumeration values of the field it is compared with, or
    /// the ladder's levels after `escalate to` / `notify`.
    fn value_completions(
        &self,
        line: &str,
        offset: usize,
        definitions: &[Definition],
    ) -> Option<Vec<Completion>> {
        if line.matches('"').count().is_multiple_of(2) {
            return None;
        }
        let quote = line.rfind('"')?;
        let partial = line.get(quote + 1..)?;
        let head = line.get(..quote)?.trim_end();
        let replace = self.range(Span::new(offset - partial.len(), offset));
        let values: Vec<String> = if head.ends_with("escalate to") || head.ends_with("notify") {
            self.ladder()
        } else {
            let field = compared_field(head)?;
            let d = definitions
                .iter()
                .find(|d| d.kind == DefKind::Field && d.name == field)?;
            self.enum_values(&d.name)
        };
        Some(
            values
                .into_iter()
                .map(|v| Completion {
                    label: v,
                    kind: CompletionKind::Value,
                    detail: None,
                    replace,
                })
                .collect(),
        )
    }

    fn ladder(&self) -> Vec<String> {
        let Some(ast) = &self.ast else {
            return Vec::new();
        };
        ast.items
            .iter()
            .find_map(|i| match i {
                Item::Ladder(l) => Some(l.levels.iter().map(|t| t.value.clone()).collect()),
                _ => None,
            })
            .unwrap_or_default()
    }

    fn enum_values(&self, field: &str) -> Vec<String> {
        let Some(ast) = &self.ast else {
            return Vec::new();
        };
        for item in &ast.items {
            if let Item::Record(schema) = item {
                for f in &schema.fields {
                    if f.path.dotted() == field
                        && let TypeKind::Enum(values) = &f.ty.kind
                    {
                        return values.iter().map(|t| t.value.clone()).collect();
                    }
                }
            }
        }
        Vec::new()
    }
}

/// `text` with the last quote of every line that opens a text it never closes replaced by a
/// space, so byte offsets stay where they were.
fn close_open_texts(text: &str) -> String {
    let mut out = String::with_capacity(text.len());
    for line in text.split_inclusive('\n') {
        let quotes = line
            .match_indices('"')
            .filter(|(i, _)| !line.get(..*i).is_some_and(|before| before.ends_with('\\')));
        let last = quotes.clone().next_back().map(|(i, _)| i);
        match last {
            Some(i) if !quotes.count().is_multiple_of(2) => {
                out.push_str(line.get(..i).unwrap_or_default());
                out.push(' ');
                out.push_str(line.get(i + 1..).unwrap_or_default());
            }
            _ => out.push_str(line),
        }
    }
    out
}

/// The field a text being typed is compared with: `FIELD == "`, `FIELD != "`, or
/// `FIELD in [..., "`.
fn compared_field(head: &str) -> Option<String> {
    let is_word = |c: char| unicode_ident::is_xid_continue(c) || c == '.';
    let take_path = |s: &str| -> Option<String> {
        let s = s.trim_end();
        let path: String = {
            let rev: Vec<char> = s.chars().rev().take_while(|c| is_word(*c)).collect();
            rev.into_iter().rev().collect()
        };
        (!path.is_empty()).then_some(path)
    };
    if let Some(rest) = head.strip_suffix("==").or_else(|| head.strip_suffix("!=")) {
        return take_path(rest);
    }
    // Inside a list: back to its `[`, then `in` or `not in` before it.
    let open = head.rfind('[')?;
    if head.get(open..)?.contains(']') {
        return None;
    }
    let before = head.get(..open)?.trim_end();
    let before = before.strip_suffix("in")?;
    let before = before.trim_end();
    let before = before.strip_suffix("not").unwrap_or(before);
    take_path(before)
}

fn rule_definition(rule: &RuleDef) -> Definition {
    let mut hover = format!("```policy\nrule {}\n```", rule.name.name);
    if let Some(d) = &rule.description {
        hover.push_str("\n\n");
        hover.push_str(&d.value);
    }
    Definition {
        kind: DefKind::Rule,
        name: rule.name.name.clone(),
        span: rule.name.span,
        hover,
    }
}

fn calendar_hover(calendar: &CalendarDef) -> String {
    let mut out = format!(
        "```policy\ncalendar {}\n```\nOpen hours:\n",
        calendar.name.name
    );
    for line in &calendar.lines {
        match line {
            CalendarLine::Timezone(zone) => {
                out.push_str(&format!("\n- time zone {}", zone.value));
            }
            CalendarLine::Open(open) => {
                let days = match &open.to {
                    Some(to) => format!("{}–{}", open.from.name, to.name),
                    None => open.from.name.clone(),
                };
                let hours: Vec<String> = open
                    .intervals
                    .iter()
                    .map(|i| format!("{}–{}", i.start, i.end))
                    .collect();
                out.push_str(&format!("\n- {days}: {}", hours.join(", ")));
            }
            CalendarLine::Closed(closed) => {
                let dates: Vec<String> = closed.dates.iter().map(|d| d.date.to_string()).collect();
                out.push_str(&format!("\n- closed {}", dates.join(", ")));
            }
        }
    }
    out
}

fn table_hover(table: &TableDef) -> String {
    let params: Vec<&str> = table.params.iter().map(|p| p.name.as_str()).collect();
    format!(
        "```policy\ntable {}({})\n```\n{} row(s), the first match gives the value",
        table.name.name,
        params.join(", "),
        table.rows.len()
    )
}

fn first_line(text: &str) -> String {
    text.lines()
        .find(|l| !l.starts_with("```") && !l.is_empty())
        .unwrap_or_default()
        .to_owned()
}
