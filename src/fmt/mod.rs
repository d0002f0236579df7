//! The canonical printer: AST + comments → policy text.
//!
//! Takes a [`PolicyFile`] and the source its spans point into; returns the canonical text
//! (layout in `docs/notes/fmt.md`). The printer walks the tree in source order and emits
//! one *line* at a time; each line knows the source range it stands for. Comments are
//! handed out by a single cursor that only moves forward, so each comment is printed
//! exactly once whatever the spans say: a comment before a line's range goes on its own
//! line above it, a comment inside the range or after it on the same source line goes
//! at the end of the line, and whatever is left when a block or the file ends goes before
//! the `}` or at the end of the file. Blank lines come only from the source: one is kept
//! where the author left at least one between two lines of a block.

mod expr;

pub use expr::{
    KEYWORDS, format_expr, format_literal, format_path, format_text, is_identifier, is_keyword,
};

use crate::ast::{
    Action, ActionKind, CalendarDef, CalendarLine, Clause, ClauseKind, Comment, Handler, Item,
    LimitOp, PolicyFile, RuleDef, Span, TableDef, Trigger,
};
use expr::{Level, WIDTH, Written, format_cell, format_ident, format_type};

const INDENT: &str = "  ";

/// Prints a policy in canonical form, keeping its comments and the author's spelling:
/// literals as written (`24h`, `10_000`, `"\u{e9}"`), backticked names and parentheses.
/// Lines longer than 100 columns are broken: a long `and`/`or` chain one operand per
/// line, long lists and `closed` dates filled and aligned. `source` is the text the AST's
/// spans point into.
///
/// Spans that do not fit `source` (a tree built by hand) never lose a comment: they only
/// move comments to the end of a block or of the file.
///
/// ```
/// let source = "policy \"Demo\" { rule r { when (a + b) > 90m // late\n then tag \"x\" tag \"y\" } }";
/// let ast = service_policy::syntax::parse(source).unwrap();
/// assert_eq!(
///     service_policy::fmt::format_policy(&ast, source),
///     "policy \"Demo\" {\n  rule r {\n    when (a + b) > 90m // late\n    then tag \"x\"\n         tag \"y\"\n  }\n}\n",
/// );
/// ```
pub fn format_policy(policy: &PolicyFile, source: &str) -> String {
    // Where the author wrote parentheses is not in the tree: read it from the source again.
    let parens = crate::syntax::parse_written(source)
        .map(|(_, parens)| parens)
        .unwrap_or_default();
    format_written(policy, source, &parens)
}

/// [`format_policy`] when the parser has already said where the parentheses stood.
pub(crate) fn format_written(policy: &PolicyFile, source: &str, parens: &[Span]) -> String {
    let written = Written::new(source, parens);
    let mut printer = Printer::new(policy, source, &written);
    printer.policy(policy);
    printer.finish()
}

/// The state of one run of the printer.
struct Printer<'a> {
    source: &'a str,
    /// How the author wrote literals, names and parentheses.
    written: &'a Written<'a>,
    /// The comments, ordered by position.
    comments: Vec<&'a Comment>,
    /// INVARIANT: `comments[..next]` have been printed, each once; `next` only grows.
    next: usize,
    out: String,
    /// Source position just after the last thing printed (for blank-line detection).
    last_end: usize,
    /// Right after an opening line (or at the start of the file): no blank line here.
    block_start: bool,
    /// `"override "` while printing the item of an `override`, taken by its header.
    prefix: &'static str,
}

/// Whether a blank line from the source may be kept before a line.
#[derive(Clone, Copy, PartialEq, Eq)]
enum Blank {
    Keep,
    Drop,
}

impl<'a> Printer<'a> {
    fn new(policy: &'a PolicyFile, source: &'a str, written: &'a Written<'a>) -> Printer<'a> {
        let mut comments: Vec<&Comment> = policy.comments.iter().collect();
        comments.sort_by_key(|c| c.span.start);
        Printer {
            source,
            written,
            comments,
            next: 0,
            out: String::new(),
            last_end: 0,
            block_start: true,
            prefix: "",
        }
    }

    fn finish(mut self) -> String {
        self.own_line_comments_before(usize::MAX, "");
        self.out
    }

    /// Whether the source between `from` and `to` holds an empty line.
    fn blank_in_source(&self, from: usize, to: usize) -> bool {
        let Some(gap) = self.source.get(from..to) else {
            return false;
        };
        let parts: Vec<&str> = gap.split('\n').collect();
        parts.len() > 2
            && parts
                .get(1..parts.len() - 1)
                .is_some_and(|middle| middle.iter().any(|line| line.trim().is_empty()))
    }

    fn blank_line_before(&mut self, pos: usize) {
        if !self.block_start
            && self.blank_in_source(self.last_end, pos)
            && !self.out.ends_with("\n\n")
            && !self.out.is_empty()
        {
            self.out.push('\n');
        }
    }

    fn write_comment_line(&mut self, indent: &str, comment: &Comment) {
        self.out.push_str(indent);
        push_comment(&mut self.out, comment);
        self.out.push('\n');
    }

    /// Prints every pending comment that starts before `pos`, each on its own line.
    fn own_line_comments_before(&mut self, pos: usize, indent: &str) {
        while let Some(&comment) = self.comments.get(self.next) {
            if comment.span.start >= pos {
                break;
            }
            self.blank_line_before(comment.span.start);
            self.write_comment_line(indent, comment);
            self.next += 1;
            self.last_end = self.last_end.max(comment.span.end);
            self.block_start = false;
        }
    }

    /// Whether only spaces and tabs stand between `from` and `to`.
    fn same_line_gap(&self, from: usize, to: usize) -> bool {
        self.source
            .get(from..to)
            .is_some_and(|gap| gap.chars().all(|c| c == ' ' || c == '\t'))
    }

    /// `extent` without the white space and comments at its end: a parser may let a
    /// node's span run over what it skipped after the node's last token.
    fn trim_extent(&self, extent: Span) -> Span {
        let mut end = extent.end;
        loop {
            let Some(inside) = self.source.get(extent.start..end) else {
                return extent;
            };
            end = extent.start + inside.trim_end().len();
            // Only pending comments that start before `end` can hold it (they are sorted).
            let ends_in_comment = self
                .comments
                .get(self.next..)
                .unwrap_or_default()
                .iter()
                .take_while(|c| c.span.start < end)
                .find(|c| c.span.start >= extent.start && c.span.end >= end);
            match ends_in_comment {
                Some(comment) => end = comment.span.start,
                None => return Span::new(extent.start, end),
            }
        }
    }

    /// Prints one line of canonical text that stands for the source range `extent`.
    fn line(&mut self, indent: &str, extent: Span, text: &str, blank: Blank) {
        let extent = self.trim_extent(extent);
        self.own_line_comments_before(extent.start, indent);
        if blank == Blank::Keep {
            self.blank_line_before(extent.start);
        }
        // Comments inside the range, then at most one after it on the same source line.
        let first = self.next;
        let mut end = first;
        while self
            .comments
            .get(end)
            .is_some_and(|c| c.span.start < extent.end)
        {
            end += 1;
        }
        if let Some(after) = self.comments.get(end)
            && self.same_line_gap(extent.end, after.span.start)
        {
            end += 1;
        }
        // All but the last go above the line (two `//` comments cannot share a line); the
        // last ends the line.
        let trailing = if end > first {
            let upto = end - 1;
            while self.next < upto {
                if let Some(&comment) = self.comments.get(self.next) {
                    self.write_comment_line(indent, comment);
                }
                self.next += 1;
            }
            let last = self.comments.get(upto).copied();
            self.next = end;
            last
        } else {
            None
        };
        self.out.push_str(indent);
        self.out.push_str(text);
        if let Some(comment) = trailing {
            if !text.is_empty() {
                self.out.push(' ');
            }
            push_comment(&mut self.out, comment);
            self.last_end = self.last_end.max(comment.span.end);
        }
        self.out.push('\n');
        self.last_end = self.last_end.max(extent.end);
        self.block_start = false;
    }

    /// Prints the opening line of a block (`rule x {`).
    fn open(&mut self, indent: &str, extent: Span, text: &str, blank: Blank) {
        self.line(indent, extent, text, blank);
        self.block_start = true;
    }

    /// Prints what is left inside a block and its closing `}`; `block` is the whole block.
    fn close(&mut self, indent: &str, block: Span) {
        let block = self.trim_extent(block);
        let inner = format!("{indent}{INDENT}");
        let brace = block.end.saturating_sub(1);
        self.own_line_comments_before(brace, &inner);
        self.line(indent, Span::new(brace, block.end), "}", Blank::Drop);
    }

    /// The position just after the `{` that opens a block, searching from `from` over
    /// white space, comments and header punctuation; `None` when the source does not
    /// hold it (a tree built by hand).
    fn brace_after(&self, from: usize) -> Option<usize> {
        let rest = self.source.get(from..)?;
        let mut chars = rest.char_indices().peekable();
        while let Some((i, c)) = chars.next() {
            match c {
                '{' => return Some(from + i + 1),
                '"' | '}' => return None,
                '/' if chars.peek().is_some_and(|&(_, n)| n == '/') => {
                    for (_, c) in chars.by_ref() {
                        if c == '\n' {
                            break;
                        }
                    }
                }
                _ => {}
            }
        }
        None
    }

    /// The header range of a block starting at `start` whose last header token ends at
    /// `header_end`.
    fn header(&self, start: usize, header_end: usize) -> Span {
        Span::new(start, self.brace_after(header_end).unwrap_or(header_end))
    }

    /// The start of `keyword` written before `pos` (the AST keeps only the span of the
    /// text after `version` and `timezone`).
    fn keyword_start(&self, pos: usize, keyword: &str) -> usize {
        self.source
            .get(..pos)
            .map(str::trim_end)
            .filter(|before| before.ends_with(keyword))
            .map_or(pos, |before| before.len() - keyword.len())
    }

    /// Appends `expr` to a line that starts at `indent`, wrapped where it runs past
    /// [`WIDTH`]: continuation lines go one step deeper than the line.
    fn push_expr(&self, line: &mut String, indent: &str, expr: &crate::ast::Expr, min: Level) {
        let column = match line.rfind('\n') {
            Some(i) => line.get(i + 1..).map_or(0, |l| l.chars().count()),
            None => indent.len() + line.chars().count(),
        };
        line.push_str(&self.written.expr_at(expr, min, indent.len(), column));
    }

    fn policy(&mut self, policy: &PolicyFile) {
        let header_end = policy
            .extends
            .as_ref()
            .map_or(policy.name.span.end, |e| e.span.end);
        let header = self.header(policy.span.start, header_end);
        let mut text = format!("policy {}", self.written.text(&policy.name));
        if let Some(base) = &policy.extends {
            text.push_str(" extends ");
            text.push_str(&self.written.text(base));
        }
        text.push_str(" {");
        self.open("", header, &text, Blank::Keep);
        for item in &policy.items {
            self.item(INDENT, item);
        }
        self.close("", policy.span);
    }

    fn item(&mut self, indent: &str, item: &Item) {
        match item {
            Item::Version(text) => {
                let start = self.keyword_start(text.span.start, "version");
                let line = format!("version {}", self.written.text(text));
                self.line(indent, Span::new(start, text.span.end), &line, Blank::Keep);
            }
            Item::Timezone(text) => {
                let start = self.keyword_start(text.span.start, "timezone");
                let line = format!("timezone {}", self.written.text(text));
                self.line(indent, Span::new(start, text.span.end), &line, Blank::Keep);
            }
            Item::Ladder(ladder) => {
                let levels: Vec<String> =
                    ladder.levels.iter().map(|l| self.written.text(l)).collect();
                let line = aligned(indent.len(), "ladder ", &levels);
                self.line(indent, ladder.span, &line, Blank::Keep);
            }
            Item::Record(schema) => {
                let header = self.header(schema.span.start, schema.span.start);
                self.open(indent, header, "record {", Blank::Keep);
                let inner = format!("{indent}{INDENT}");
                for field in &schema.fields {
                    let line = format!(
                        "{}: {}",
                        self.written.decl_path(&field.path),
                        format_type(self.written, &field.ty)
                    );
                    self.line(&inner, field.span, &line, Blank::Keep);
                }
                self.close(indent, schema.span);
            }
            Item::Calendar(calendar) => self.calendar(indent, calendar),
            Item::Const(def) => {
                let mut line = format!(
                    "{}const {} = ",
                    std::mem::take(&mut self.prefix),
                    format_ident(&def.name)
                );
                self.push_expr(&mut line, indent, &def.value, Level::Or);
                self.line(indent, def.span, &line, Blank::Keep);
            }
            Item::Table(table) => self.table(indent, table),
            Item::Rule(rule) => self.rule(indent, rule),
            Item::FirstOf(block) => {
                let header = self.header(block.span.start, block.span.start);
                self.open(indent, header, "first of {", Blank::Keep);
                let inner = format!("{indent}{INDENT}");
                for rule in &block.rules {
                    self.rule(&inner, rule);
                }
                self.close(indent, block.span);
            }
            Item::Effective(date) => {
                let start = self.keyword_start(date.span.start, "effective");
                let line = format!("effective {}", date.date);
                self.line(indent, Span::new(start, date.span.end), &line, Blank::Keep);
            }
            Item::When(when) => {
                let mut line = String::from("when ");
                self.push_expr(&mut line, indent, &when.cond, Level::Or);
                self.line(indent, when.span, &line, Blank::Keep);
            }
            Item::Override(over) => {
                self.prefix = "override ";
                self.item(indent, &over.item);
                self.prefix = "";
            }
            Item::Remove(remove) => {
                let line = format!("remove rule {}", format_ident(&remove.name));
                self.line(indent, remove.span, &line, Blank::Keep);
            }
        }
    }

    fn calendar(&mut self, indent: &str, calendar: &CalendarDef) {
        let header = self.header(calendar.span.start, calendar.name.span.end);
        let text = format!(
            "{}calendar {} {{",
            std::mem::take(&mut self.prefix),
            format_ident(&calendar.name)
        );
        self.open(indent, header, &text, Blank::Keep);
        let inner = format!("{indent}{INDENT}");
        for line in &calendar.lines {
            match line {
                CalendarLine::Timezone(text) => {
                    let start = self.keyword_start(text.span.start, "timezone");
                    let printed = format!("timezone {}", self.written.text(text));
                    self.line(
                        &inner,
                        Span::new(start, text.span.end),
                        &printed,
                        Blank::Keep,
                    );
                }
                CalendarLine::Open(open) => {
                    let mut printed = open.from.name.clone();
                    if let Some(to) = &open.to {
                        printed.push('-');
                        printed.push_str(&to.name);
                    }
                    let intervals: Vec<String> = open
                        .intervals
                        .iter()
                        .map(|i| format!("{}-{}", i.start, i.end))
                        .collect();
                    printed.push(' ');
                    let printed = aligned(inner.len(), &printed, &intervals);
                    self.line(&inner, open.span, &printed, Blank::Keep);
                }
                CalendarLine::Closed(closed) => {
                    let dates: Vec<String> =
                        closed.dates.iter().map(|d| d.date.to_string()).collect();
                    let printed = aligned(inner.len(), "closed ", &dates);
                    self.line(&inner, closed.span, &printed, Blank::Keep);
                }
            }
        }
        self.close(indent, calendar.span);
    }

    fn table(&mut self, indent: &str, table: &TableDef) {
        let header_end = table
            .params
            .last()
            .map_or(table.name.span.end, |p| p.span.end);
        let header = self.header(table.span.start, header_end);
        let params: Vec<&str> = table.params.iter().map(format_ident).collect();
        let text = format!(
            "{}table {}({}) {{",
            std::mem::take(&mut self.prefix),
            format_ident(&table.name),
            params.join(", ")
        );
        self.open(indent, header, &text, Blank::Keep);
        let cells: Vec<Vec<String>> = table
            .rows
            .iter()
            .map(|row| {
                row.cells
                    .iter()
                    .map(|cell| format_cell(self.written, cell))
                    .collect()
            })
            .collect();
        // Column widths in characters: every column starts at the same place on every row,
        // and the arrows line up.
        let columns = cells.iter().map(Vec::len).max().unwrap_or(0);
        let widths: Vec<usize> = (0..columns)
            .map(|c| {
                cells
                    .iter()
                    .filter_map(|row| {
                        let last = c + 1 == row.len();
                        row.get(c)
                            .map(|cell| cell.chars().count() + usize::from(!last))
                    })
                    .max()
                    .unwrap_or(0)
            })
            .collect();
        let inner = format!("{indent}{INDENT}");
        for (row, row_cells) in table.rows.iter().zip(&cells) {
            let mut line = String::new();
            for (c, cell) in row_cells.iter().enumerate() {
                let last = c + 1 == row_cells.len();
                let mut piece = cell.clone();
                if !last {
                    piece.push(',');
                }
                let width = widths.get(c).copied().unwrap_or(0);
                line.push_str(&piece);
                let pad = width.saturating_sub(piece.chars().count());
                line.extend(std::iter::repeat_n(' ', pad));
                if !last {
                    line.push(' ');
                }
            }
            // Rows with fewer cells than others still line their arrows up.
            for c in row_cells.len()..columns {
                let width = widths.get(c).copied().unwrap_or(0);
                line.extend(std::iter::repeat_n(' ', width + 1));
            }
            if !line.is_empty() {
                line.push(' ');
            }
            line.push_str("=> ");
            self.push_expr(&mut line, &inner, &row.output, Level::Or);
            self.line(&inner, row.span, &line, Blank::Keep);
        }
        self.close(indent, table.span);
    }

    fn rule(&mut self, indent: &str, rule: &RuleDef) {
        let header_end = rule
            .description
            .as_ref()
            .map_or(rule.name.span.end, |d| d.span.end);
        let header = self.header(rule.span.start, header_end);
        let mut text = format!(
            "{}rule {}",
            std::mem::take(&mut self.prefix),
            format_ident(&rule.name)
        );
        if let Some(description) = &rule.description {
            text.push(' ');
            text.push_str(&self.written.text(description));
        }
        text.push_str(" {");
        self.open(indent, header, &text, Blank::Keep);
        let inner = format!("{indent}{INDENT}");
        for clause in &rule.clauses {
            self.clause(&inner, clause);
        }
        self.close(indent, rule.span);
    }

    fn clause(&mut self, indent: &str, clause: &Clause) {
        match &clause.kind {
            ClauseKind::When(cond) => {
                let mut line = String::from("when ");
                self.push_expr(&mut line, indent, cond, Level::Or);
                self.line(indent, clause.span, &line, Blank::Keep);
            }
            ClauseKind::Unless(cond) => {
                let mut line = String::from("unless ");
                self.push_expr(&mut line, indent, cond, Level::Or);
                self.line(indent, clause.span, &line, Blank::Keep);
            }
            ClauseKind::Then(actions) => self.actions(indent, clause.span, "then ", actions),
            ClauseKind::Expect(deadline) => {
                let mut line = String::from("expect ");
                self.push_expr(&mut line, indent, &deadline.done, Level::Or);
                line.push_str(" within ");
                let mut within = self.written.flat(&deadline.within, Level::Or);
                // `within 50% of start` would read as `P% of X`: a duration that ends in a
                // percent literal is parenthesised.
                if within.ends_with('%') {
                    within = format!("({within})");
                }
                line.push_str(&within);
                line.push_str(" of ");
                self.push_expr(&mut line, indent, &deadline.start, Level::Or);
                if let Some(calendar) = &deadline.using {
                    line.push_str(" using ");
                    line.push_str(format_ident(calendar));
                }
                if let Some(intervals) = &deadline.excluding {
                    // `excluding` goes on a line of its own, one step deeper, when the
                    // intervals would run past the width on the clause's line.
                    let column = match line.rfind('\n') {
                        Some(i) => line.get(i + 1..).map_or(0, |l| l.chars().count()),
                        None => indent.len() + line.chars().count(),
                    };
                    let flat = self.written.flat(intervals, Level::Or);
                    if column + " excluding ".len() + flat.chars().count() > expr::WIDTH {
                        line.push('\n');
                        line.extend(std::iter::repeat_n(' ', indent.len() + expr::INDENT_WIDTH));
                        line.push_str("excluding ");
                    } else {
                        line.push_str(" excluding ");
                    }
                    self.push_expr(&mut line, indent, intervals, Level::Or);
                }
                self.line(indent, clause.span, &line, Blank::Keep);
            }
            ClauseKind::Limit(limit) => {
                let mut line = String::from("limit ");
                self.push_expr(&mut line, indent, &limit.value, Level::Sum);
                line.push_str(match limit.op {
                    LimitOp::AtMost => " <= ",
                    LimitOp::Below => " < ",
                });
                self.push_expr(&mut line, indent, &limit.max, Level::Sum);
                self.line(indent, clause.span, &line, Blank::Keep);
            }
            ClauseKind::Handler(handler) => self.handler(indent, clause.span, handler),
        }
    }

    fn handler(&mut self, indent: &str, extent: Span, handler: &Handler) {
        let lead = match &handler.trigger {
            Trigger::At(percent, span) => {
                format!("at {}: ", self.written.percent(*percent, span.start))
            }
            Trigger::Breach => "on breach: ".to_owned(),
            Trigger::AfterBreach(by) => {
                let mut by = self.written.flat(by, Level::Or);
                // A time literal would read on through the `:` (`…00Z:`): keep them apart.
                if ends_with_time_literal(&by) {
                    by = format!("({by})");
                }
                format!("after breach by {by}: ")
            }
            Trigger::Met => "on met: ".to_owned(),
            Trigger::Exceed => "on exceed: ".to_owned(),
        };
        self.actions(indent, extent, &lead, &handler.actions);
    }

    /// `LEAD first action`, then each further action on its own line under the first.
    fn actions(&mut self, indent: &str, extent: Span, lead: &str, actions: &[Action]) {
        let Some((first, rest)) = actions.split_first() else {
            self.line(indent, extent, lead.trim_end(), Blank::Keep);
            return;
        };
        let first_extent = if rest.is_empty() {
            extent
        } else {
            Span::new(extent.start, first.span.end)
        };
        let line = format!("{lead}{}", format_action(self.written, first));
        self.line(indent, first_extent, &line, Blank::Keep);
        let under = format!("{indent}{}", " ".repeat(lead.chars().count()));
        let count = rest.len();
        for (i, action) in rest.iter().enumerate() {
            // The last action's range runs to the clause's end, so a comment inside the
            // clause after it stays on its line.
            let end = if i + 1 == count {
                extent.end.max(action.span.end)
            } else {
                action.span.end
            };
            let span = Span::new(action.span.start, end);
            self.line(
                &under,
                span,
                &format_action(self.written, action),
                Blank::Drop,
            );
        }
    }
}

/// `//` and the comment's text. A parsed comment never holds a line end; one in a tree
/// built by hand would turn the rest of its text into code, so it becomes a space.
/// A comment as written, byte for byte — a lone CR inside it included. Only what would
/// change its meaning is replaced by a space: a line feed (never in a parsed comment; a
/// tree built by hand may hold one) would end it, and a CR at its very end would join the
/// line end that follows and vanish on the next reading.
fn push_comment(out: &mut String, comment: &Comment) {
    out.push_str("//");
    let text = comment.text.as_str();
    let (body, last_cr) = match text.strip_suffix('\r') {
        Some(body) => (body, true),
        None => (text, false),
    };
    out.extend(body.chars().map(|c| if c == '\n' { ' ' } else { c }));
    if last_cr {
        out.push(' ');
    }
}

/// Whether printed expression text ends with a time literal (`2026-03-02T09:00:00Z`).
fn ends_with_time_literal(text: &str) -> bool {
    let last = text
        .rsplit([' ', '(', '[', ','])
        .next()
        .unwrap_or_default()
        .trim_start_matches('-');
    let bytes = last.as_bytes();
    // Parentheses (the author's, or added on an earlier run) already keep them apart.
    !last.ends_with(')')
        && bytes.len() > 11
        && bytes
            .get(..4)
            .is_some_and(|y| y.iter().all(u8::is_ascii_digit))
        && bytes.get(4) == Some(&b'-')
        && last.contains(['T', 't'])
}

/// Prints one action with its `with { … }` arguments, on one line.
fn format_action(written: &Written<'_>, action: &Action) -> String {
    let e = |expr| written.flat(expr, Level::Or);
    let mut out = match &action.kind {
        ActionKind::Escalate(to) => format!("escalate to {}", e(to)),
        ActionKind::Notify(to) => format!("notify {}", e(to)),
        ActionKind::Assign(to) => format!("assign to {}", e(to)),
        ActionKind::RequireApproval(from) => format!("require approval from {}", e(from)),
        ActionKind::FollowUp(within) => format!("follow up within {}", e(within)),
        ActionKind::Refund { amount, compensate } => {
            let word = if *compensate { "compensate" } else { "refund" };
            format!("{word} {}", e(amount))
        }
        ActionKind::Tag(tag) => format!("tag {}", e(tag)),
        ActionKind::Set(path, value) => format!("set {} to {}", written.path(path), e(value)),
        ActionKind::Emit(name) => format!("emit {}", e(name)),
    };
    if !action.args.is_empty() {
        let args: Vec<String> = action
            .args
            .iter()
            .map(|(key, value)| format!("{}: {}", written.key(key), e(value)))
            .collect();
        out.push_str(" with { ");
        out.push_str(&args.join(", "));
        out.push_str(" }");
    }
    out
}

/// `head` and `items` joined by `, `; when that runs past [`WIDTH`] on a line indented by
/// `indent` columns, further lines start under the first item.
fn aligned(indent: usize, head: &str, items: &[String]) -> String {
    let mut out = head.to_owned();
    let align = indent + head.chars().count();
    let mut column = align;
    for (i, item) in items.iter().enumerate() {
        let width = item.chars().count();
        if i > 0 {
            out.push(',');
            column += 1;
            // The comma after the item stays on its line.
            let tail = usize::from(i + 1 < items.len());
            if column + 1 + width + tail > WIDTH {
                out.push('\n');
                out.extend(std::iter::repeat_n(' ', align));
                column = align;
            } else {
                out.push(' ');
                column += 1;
            }
        }
        out.push_str(item);
        column += width;
    }
    out
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::ast::{ConstDef, Expr, ExprKind, Ident, Literal, Text};

    fn policy_with(comments: &[(&str, usize)], items: Vec<Item>) -> PolicyFile {
        PolicyFile {
            name: Text {
                value: "p".to_owned(),
                span: Span::default(),
            },
            extends: None,
            items,
            comments: comments
                .iter()
                .map(|(text, at)| Comment {
                    text: (*text).to_owned(),
                    span: Span::new(*at, *at + 2 + text.len()),
                })
                .collect(),
            span: Span::default(),
        }
    }

    fn const_item(name: &str) -> Item {
        Item::Const(ConstDef {
            name: Ident {
                name: name.to_owned(),
                span: Span::default(),
            },
            value: Expr {
                kind: ExprKind::Literal(Literal::Bool(true)),
                span: Span::default(),
            },
            span: Span::default(),
        })
    }

    /// A tree whose spans do not point into the source still keeps every comment, once,
    /// in order.
    #[test]
    fn comments_survive_spans_that_do_not_fit() {
        let policy = policy_with(
            &[(" one", 0), (" two", 0), (" three", 50)],
            vec![const_item("a"), const_item("b")],
        );
        let out = format_policy(&policy, "");
        let found: Vec<&str> = out
            .lines()
            .filter_map(|l| l.split_once("//").map(|(_, c)| c))
            .collect();
        assert_eq!(found, vec![" one", " two", " three"], "{out}");
        let a = out.find("const a = true").unwrap();
        let b = out.find("const b = true").unwrap();
        assert!(a < b, "{out}");
    }

    #[test]
    fn blank_lines_come_from_the_source_only() {
        let source =
            "policy \"p\" {\n\n\n  const a = true\n\n\n\n  const b = true\n  const c = true\n}\n";
        let span_of = |needle: &str| {
            let start = source.find(needle).unwrap();
            Span::new(start, start + needle.len())
        };
        let mut items = vec![const_item("a"), const_item("b"), const_item("c")];
        for (item, text) in
            items
                .iter_mut()
                .zip(["const a = true", "const b = true", "const c = true"])
        {
            if let Item::Const(def) = item {
                def.span = span_of(text);
            }
        }
        let mut policy = policy_with(&[], items);
        policy.name.span = span_of("\"p\"");
        policy.span = Span::new(0, source.trim_end().len());
        let out = format_policy(&policy, source);
        assert_eq!(
            out,
            "policy \"p\" {\n  const a = true\n\n  const b = true\n  const c = true\n}\n"
        );
    }

    /// Spans that run over the blanks and comments after a node's last token (as pest's
    /// implicit white space can make them) place comments as tight spans would.
    #[test]
    fn loose_span_ends_are_trimmed() {
        let source = "policy \"p\" {\n  const a = true // c\n\n  // d\n} // e\n";
        let at = |needle: &str| source.find(needle).unwrap();
        let mut item = const_item("a");
        if let Item::Const(def) = &mut item {
            def.span = Span::new(at("const"), at("// d"));
        }
        let mut policy = policy_with(
            &[(" c", at("// c")), (" d", at("// d")), (" e", at("// e"))],
            vec![item],
        );
        policy.name.span = Span::new(at("\"p\""), at("\"p\"") + 3);
        policy.span = Span::new(0, source.len());
        assert_eq!(
            format_policy(&policy, source),
            "policy \"p\" {\n  const a = true // c\n\n  // d\n} // e\n"
        );
    }

    #[test]
    fn a_line_end_in_a_comment_cannot_become_code() {
        let policy = policy_with(&[("a\nconst x = 1", 0)], vec![]);
        let out = format_policy(&policy, "");
        assert!(out.contains("//a const x = 1"), "{out}");
        assert!(
            !out.lines().any(|l| l.trim_start().starts_with("const")),
            "{out}"
        );
    }

    #[test]
    fn time_literals_before_a_colon_are_parenthesised() {
        assert!(ends_with_time_literal("2026-03-02T09:00:00Z"));
        assert!(ends_with_time_literal("x - -2026-03-02T09:00:00+05:30"));
        assert!(!ends_with_time_literal("2h"));
        assert!(!ends_with_time_literal("(a or 2026-03-02T09:00:00Z)"));
        assert!(!ends_with_time_literal("2026-03-02"));
        assert!(!ends_with_time_literal("\"2026-03-02T09:00:00Z\""));
    }
}
