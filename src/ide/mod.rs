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

/// A name declared in this text: where, and what hovering over a use of it shows.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Declaration {
    /// The declaring name.
    pub range: Range,
    /// Markdown, as [`Analysis::hover`] gives it.
    pub hover: String,
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
const FUNCTIONS: [&str; 15] = crate::check::BUILTINS;

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

    /// The names the cursor may refer to, most specific first: the whole dotted path, the
    /// path up to the cursor's segment, and the first segment alone. With
    /// [`Analysis::declaration`] on the analysis of a base policy, this finds what a use in
    /// a policy that `extends` it refers to.
    pub fn names_at(&self, position: Position) -> Vec<String> {
        let Some(offset) = self.index.offset(position) else {
            return Vec::new();
        };
        let Some((word, span)) = self.word_at(offset) else {
            return Vec::new();
        };
        let mut out = vec![word.clone()];
        let mut seg_start = span.start;
        for (i, segment) in word.split('.').enumerate() {
            let seg_end = seg_start + segment.len();
            if (seg_start..=seg_end).contains(&offset) {
                if let Some(path) = self.text.get(span.start..seg_end) {
                    out.push(path.to_owned());
                }
                if i == 0 {
                    out.push(segment.to_owned());
                }
                break;
            }
            seg_start = seg_end + 1;
        }
        out.dedup();
        out
    }

    /// Where `name` (a record field path, constant, calendar, table or rule) is declared in
    /// this text, if it is.
    pub fn declaration(&self, name: &str) -> Option<Declaration> {
        let definitions = self.definitions();
        let found = definitions
            .iter()
            .find(|d| d.kind == DefKind::Field && d.name == name)
            .or_else(|| definitions.iter().find(|d| d.name == name))?;
        Some(Declaration {
            range: self.range(found.span),
            hover: found.hover.clone(),
        })
    }

    /// The base this policy `extends`, as written (a path relative to this file).
    pub fn extends(&self) -> Option<String> {
        if let Some(base) = self.ast.as_ref().and_then(|a| a.extends.as_ref()) {
            return Some(base.value.clone());
        }
        // A file that does not parse yet: read the header as written.
        let after = self.text.split_once("extends")?.1.trim_start();
        let quoted = after.strip_prefix('"')?;
        let (base, _) = quoted.split_once('"')?;
        let header = self
            .text
            .split_once('{')
            .map_or(self.text.as_str(), |h| h.0);
        header.contains("extends").then(|| base.to_owned())
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
        // An `override` defines its item anew in this file; go to definition lands there.
        let items = ast.items.iter().map(|item| match item {
            Item::Override(o) => o.item.as_ref(),
            other => other,
        });
        for item in items {
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
                Item::Version(_)
                | Item::Timezone(_)
                | Item::Ladder(_)
                | Item::Effective(_)
                | Item::When(_)
                | Item::Override(_)
                | Item::Remove(_) => {}
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

#[cfg(test)]
mod tests {
    use super::*;

    const RETAIL: &str = include_str!("../../examples/policies/retail.policy");

    /// The position of the `nth` occurrence of `needle`, plus `ahead` characters.
    fn at(text: &str, needle: &str, nth: usize, ahead: usize) -> Position {
        let offset = text.match_indices(needle).nth(nth).unwrap().0;
        let offset = offset
            + needle
                .chars()
                .take(ahead)
                .map(char::len_utf8)
                .sum::<usize>();
        LineIndex::new(text).position(offset)
    }

    fn labels(completions: &[Completion]) -> Vec<&str> {
        completions.iter().map(|c| c.label.as_str()).collect()
    }

    #[test]
    fn hover_tells_a_calendars_hours_a_tables_inputs_and_a_rules_description() {
        let analysis = Analysis::new(RETAIL);
        let calendar = analysis
            .hover(at(RETAIL, "using support_hours", 0, 8))
            .unwrap();
        assert!(
            calendar
                .markdown
                .contains("- mon–fri: 09:00–13:00, 14:00–18:00")
        );
        assert!(
            calendar
                .markdown
                .contains("- closed 2026-01-26, 2026-08-15")
        );
        let table = analysis
            .hover(at(RETAIL, "reply_target(priority", 1, 2))
            .unwrap();
        assert!(
            table
                .markdown
                .contains("table reply_target(priority, channel)")
        );
        assert!(table.markdown.contains("4 row(s)"));
        let rule = analysis.hover(at(RETAIL, "first_reply \"", 0, 1)).unwrap();
        assert!(
            rule.markdown
                .contains("Every ticket gets a first reply in time")
        );
        let optional = analysis
            .hover(at(RETAIL, "first_reply_at within", 0, 3))
            .unwrap();
        assert!(optional.markdown.contains("first_reply_at: time?"));
        assert!(optional.markdown.contains("May be absent"));
        // Keywords, literals and comprehension variables have nothing to show.
        assert_eq!(analysis.hover(at(RETAIL, "expect", 0, 2)), None);
        assert_eq!(analysis.hover(at(RETAIL, "r.amount", 0, 0)), None);
    }

    #[test]
    fn definition_leads_to_calendars_tables_and_fields_from_any_segment() {
        let analysis = Analysis::new(RETAIL);
        let calendar = analysis.definition(at(RETAIL, "using support_hours", 0, 10));
        assert_eq!(
            calendar.map(|r| r.start),
            Some(at(RETAIL, "support_hours {", 0, 0))
        );
        let table = analysis.definition(at(RETAIL, "reply_target(priority", 1, 0));
        assert_eq!(
            table.map(|r| r.start),
            Some(at(RETAIL, "reply_target(priority", 0, 0))
        );
        // Both segments of `customer.tier` lead to its declaration.
        let declared = at(RETAIL, "customer.tier:", 0, 0);
        for ahead in [2, 11] {
            let found = analysis.definition(at(RETAIL, "customer.tier ==", 0, ahead));
            assert_eq!(found.map(|r| r.start), Some(declared), "{ahead}");
        }
    }

    #[test]
    fn completion_knows_list_elements_names_and_keywords() {
        let text = RETAIL.replace("where r.at >= now - 30d", "where r.");
        let analysis = Analysis::new(&text);
        let position = at(&text, "where r.", 0, 8);
        assert_eq!(labels(&analysis.completions(position)), ["amount", "at"]);

        let text = RETAIL.replace("unless \"vip-handled\" in tags", "unless re");
        let analysis = Analysis::new(&text);
        let all = analysis.completions(at(&text, "unless re", 0, 9));
        let names = labels(&all);
        for expected in [
            "refund_cap",
            "support_hours",
            "reply_target",
            "customer",
            "sum",
            "within",
        ] {
            assert!(
                names.contains(&expected),
                "{expected} missing from {names:?}"
            );
        }
        let field = all.iter().find(|c| c.label == "priority").unwrap();
        assert_eq!(field.kind, CompletionKind::Field);
        assert!(
            !names.contains(&"first_reply"),
            "rules are never referred to by name"
        );
        // The typed prefix is what a completion replaces.
        let replace = all[0].replace;
        assert_eq!(replace.end.character - replace.start.character, 2);

        let text = RETAIL.replace(
            "escalate to \"supervisor\"\n    after",
            "escalate to \"su\n    after",
        );
        let analysis = Analysis::new(&text);
        let levels = analysis.completions(at(&text, "escalate to \"su", 0, 15));
        assert_eq!(
            labels(&levels),
            ["agent", "team-lead", "supervisor", "duty-manager"]
        );
    }

    #[test]
    fn a_child_policy_names_its_base_and_the_names_under_the_cursor() {
        let child = "policy \"C\" extends \"../base.policy\" {\n  rule r { when customer.tier == cap then tag \"x\" }\n}\n";
        let analysis = Analysis::new(child);
        assert_eq!(analysis.extends().as_deref(), Some("../base.policy"));
        let on_tier = at(child, "customer.tier", 0, 10);
        assert_eq!(analysis.names_at(on_tier), ["customer.tier"]);
        let on_customer = at(child, "customer.tier", 0, 2);
        assert_eq!(
            analysis.names_at(on_customer),
            ["customer.tier", "customer"]
        );
        // Still found while the file does not parse.
        let broken = child.replace("then tag", "then tag tag");
        assert_eq!(
            Analysis::new(&broken).extends().as_deref(),
            Some("../base.policy")
        );
        assert_eq!(Analysis::new(RETAIL).extends(), None);

        let base = Analysis::new(RETAIL);
        let declared = base.declaration("customer.tier").unwrap();
        assert_eq!(declared.range.start, at(RETAIL, "customer.tier:", 0, 0));
        assert!(
            declared
                .hover
                .contains("\"standard\" | \"gold\" | \"platinum\"")
        );
        assert!(base.declaration("refund_cap").is_some());
        assert_eq!(base.declaration("customer"), None);
    }

    #[test]
    fn diagnostics_match_check_and_survive_any_text() {
        let broken = RETAIL.replace("opened_at using", "opened_at usin");
        let problems = Analysis::new(&broken).diagnostics();
        assert!(problems.iter().any(|p| p.code == "E0001"));
        let from_check = crate::check_source("x", &broken);
        assert_eq!(problems.len(), from_check.len());
        for text in [
            "",
            "policy",
            "\"",
            "policy \"P\" { rule",
            "`",
            "\u{1F600}\n\"",
        ] {
            let analysis = Analysis::new(text);
            let _ = analysis.diagnostics();
            let end = analysis.line_index().position(text.len());
            let _ = analysis.completions(end);
            let _ = analysis.hover(end);
            let _ = analysis.definition(Position {
                line: 99,
                character: 99,
            });
        }
    }
}
