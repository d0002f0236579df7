//! Expressions, literals and names in canonical form.
//!
//! Parentheses are printed only where precedence (SPEC §6) needs them: each operator has a
//! level, each operand position a minimum level, and an operand below that minimum is
//! wrapped. The levels are chosen so that the parser reads the printed text back into the
//! same tree.

use std::collections::HashMap;
use std::fmt::Write as _;

use rust_decimal::Decimal;

use crate::ast::{
    BinaryOp, Cell, CellKind, Comprehension, Expr, ExprKind, Ident, Literal, Path, Span, Text,
    TypeExpr, TypeKind, UnaryOp,
};
use crate::syntax::literal;
use crate::value::{Duration, Money};

pub use crate::syntax::KEYWORDS;

/// Whether `word` is one of the reserved words of SPEC §3.
pub fn is_keyword(word: &str) -> bool {
    KEYWORDS.contains(&word)
}

/// Whether `name` can be written as a bare identifier: `XID_Start XID_Continue*`, or `_`
/// followed by at least one `XID_Continue` (a lone `_` is the table wildcard).
pub fn is_identifier(name: &str) -> bool {
    let mut chars = name.chars();
    let Some(first) = chars.next() else {
        return false;
    };
    if first == '_' {
        let rest = chars.as_str();
        return !rest.is_empty() && rest.chars().all(unicode_ident::is_xid_continue);
    }
    unicode_ident::is_xid_start(first) && chars.all(unicode_ident::is_xid_continue)
}

/// Binding strength, lowest first (SPEC §6). An operand printed where a higher level is
/// needed gets parentheses.
#[derive(Clone, Copy, Debug, PartialEq, Eq, PartialOrd, Ord)]
pub(crate) enum Level {
    /// `or`.
    Or = 1,
    /// `and`.
    And,
    /// `not`.
    Not,
    /// Comparisons and tests (non-associative).
    Compare,
    /// `+ -`.
    Sum,
    /// `* /`.
    Product,
    /// Unary `-`.
    Neg,
    /// `P% of X`.
    PercentOf,
    /// Literals, paths, calls, lists, parenthesised expressions.
    Primary,
}

/// The level of an expression's outermost operator.
pub(crate) fn level(expr: &Expr) -> Level {
    match &expr.kind {
        ExprKind::Binary(op, _, _) => binary_level(*op),
        ExprKind::Unary(UnaryOp::Not, _) => Level::Not,
        ExprKind::Unary(UnaryOp::Neg, _) => Level::Neg,
        ExprKind::PercentOf(_, _) => Level::PercentOf,
        ExprKind::Test(_, _, _) | ExprKind::IsMissing(_, _) | ExprKind::During(_, _) => {
            Level::Compare
        }
        ExprKind::Literal(_)
        | ExprKind::List(_)
        | ExprKind::Path(_)
        | ExprKind::Now
        | ExprKind::Call(_, _)
        | ExprKind::Comprehension(_) => Level::Primary,
    }
}

fn binary_level(op: BinaryOp) -> Level {
    match op {
        BinaryOp::Or => Level::Or,
        BinaryOp::And => Level::And,
        BinaryOp::Compare(_) => Level::Compare,
        BinaryOp::Add | BinaryOp::Sub => Level::Sum,
        BinaryOp::Mul | BinaryOp::Div => Level::Product,
    }
}

/// The level one above `level` (for the right operand of a left-associative operator and
/// the operands of a non-associative one).
fn above(level: Level) -> Level {
    match level {
        Level::Or => Level::And,
        Level::And => Level::Not,
        Level::Not => Level::Compare,
        Level::Compare => Level::Sum,
        Level::Sum => Level::Product,
        Level::Product => Level::Neg,
        Level::Neg => Level::PercentOf,
        Level::PercentOf | Level::Primary => Level::Primary,
    }
}

/// One step of indentation, in columns.
pub(crate) const INDENT_WIDTH: usize = 2;

/// The column the printer wraps at: no printed line is longer when it can be broken.
pub(crate) const WIDTH: usize = 100;

/// How the author wrote what a tree holds: the source its spans point into and where
/// parentheses stood. For a tree built by hand (spans that do not fit the source) it finds
/// nothing, and everything prints in canonical form.
#[derive(Debug, Default)]
pub(crate) struct Written<'a> {
    source: &'a str,
    /// Per span (parentheses not included), how many pairs the author wrote around it.
    parens: HashMap<(usize, usize), usize>,
}

impl<'a> Written<'a> {
    /// The source and the spans of the parenthesised expressions in it (one entry per pair).
    pub(crate) fn new(source: &'a str, parens: &[Span]) -> Written<'a> {
        let mut counts = HashMap::new();
        for span in parens {
            *counts.entry((span.start, span.end)).or_insert(0) += 1;
        }
        Written {
            source,
            parens: counts,
        }
    }

    fn slice(&self, span: Span) -> Option<&'a str> {
        if span.start >= span.end {
            return None;
        }
        self.source.get(span.range())
    }

    /// How many pairs of parentheses the author wrote around the expression at `span`.
    fn parens(&self, span: Span) -> usize {
        self.parens
            .get(&(span.start, span.end))
            .copied()
            .unwrap_or(0)
    }

    /// The literal as the author wrote it (`24h`, `10_000`, `"\u{e9}"`), when the source at
    /// `span` reads back as the same value; otherwise its canonical form.
    pub(crate) fn literal(&self, literal: &Literal, span: Span) -> String {
        self.literal_as_written(literal, span)
            .unwrap_or_else(|| format_literal(literal))
    }

    fn literal_as_written(&self, literal: &Literal, span: Span) -> Option<String> {
        let written = self.slice(span)?;
        let same = match literal {
            Literal::Number(n) => {
                literal::number(written).is_ok_and(|w| w.to_string() == n.to_string())
            }
            Literal::Percent(p) => {
                literal::percent(written).is_ok_and(|w| w.to_string() == p.to_string())
            }
            Literal::Money(money) => literal::money(written).is_ok_and(|w| {
                w.amount.to_string() == money.amount.to_string() && w.currency == money.currency
            }),
            Literal::Duration(d) => literal::duration(written).is_ok_and(|w| w == *d),
            Literal::Date(date) => literal::date(written).is_ok_and(|w| w == *date),
            Literal::Time(ts, offset) => {
                literal::time(written).is_ok_and(|(t, o)| t == *ts && o == *offset)
            }
            Literal::Text(value) => return self.text_as_written(value, span),
            Literal::Bool(_) => false,
        };
        // A money literal may hold several blanks before its code: one space is canonical.
        same.then(|| written.split_whitespace().collect::<Vec<_>>().join(" "))
    }

    /// A text literal as written (its escapes kept), when it reads back as `value` and holds
    /// no raw control or bidirectional character (those are always escaped).
    fn text_as_written(&self, value: &str, span: Span) -> Option<String> {
        let written = self.slice(span)?;
        let safe = !written
            .chars()
            .any(|c| c.is_control() || is_bidi_control(c));
        (safe && literal::text(written).is_ok_and(|w| w == value)).then(|| written.to_owned())
    }

    /// A text (a name, a version, a description) as written, or canonical.
    pub(crate) fn text(&self, text: &Text) -> String {
        self.text_as_written(&text.value, text.span)
            .unwrap_or_else(|| format_text(&text.value))
    }

    /// The percent number written just before `%` from `start` (`12.50` in `12.50% of x`),
    /// when it reads back as `value`.
    pub(crate) fn percent(&self, value: Decimal, start: usize) -> String {
        let written = self
            .source
            .get(start..)
            .and_then(|rest| rest.find('%').and_then(|end| rest.get(..=end)))
            .filter(|w| literal::percent(w).is_ok_and(|p| p.to_string() == value.to_string()));
        match written {
            Some(w) => w.to_owned(),
            None => format!("{}%", format_decimal(value)),
        }
    }

    /// Whether the author wrote this name in backticks.
    fn backticked(&self, ident: &Ident) -> bool {
        self.slice(ident.span)
            .is_some_and(|w| w.len() == ident.name.len() + 2 && w.starts_with('`'))
    }

    /// A path segment: backticked when the author wrote backticks or when it needs them. A
    /// keyword the author wrote bare stays bare: the grammar took it as a field where it
    /// stood (SPEC §3), and the layout keeps what follows it.
    fn segment(&self, out: &mut String, ident: &Ident, keyword_needs_quote: bool) {
        if self.backticked(ident) {
            out.push('`');
            out.push_str(&ident.name);
            out.push('`');
        } else if is_identifier(&ident.name) && self.slice(ident.span) == Some(ident.name.as_str())
        {
            out.push_str(&ident.name);
        } else {
            push_segment(out, &ident.name, keyword_needs_quote);
        }
    }

    /// A field path used as an expression or a `set` target (see [`format_path`]).
    pub(crate) fn path(&self, path: &Path) -> String {
        let dotted = path.segments.len() > 1;
        let mut out = String::new();
        for (i, segment) in path.segments.iter().enumerate() {
            if i > 0 {
                out.push('.');
            }
            let quote_keyword = i == 0 && !(dotted && may_head_a_dotted_path(&segment.name));
            self.segment(&mut out, segment, quote_keyword);
        }
        out
    }

    /// A field path in a schema declaration, where keywords are ordinary names.
    pub(crate) fn decl_path(&self, path: &Path) -> String {
        let mut out = String::new();
        for (i, segment) in path.segments.iter().enumerate() {
            if i > 0 {
                out.push('.');
            }
            self.segment(&mut out, segment, false);
        }
        out
    }

    /// An argument key of `with { … }`.
    pub(crate) fn key(&self, key: &Ident) -> String {
        let mut out = String::new();
        self.segment(&mut out, key, false);
        out
    }

    /// `expr` printed from column `column` on a line indented by `indent` columns: the
    /// author's literals and parentheses kept, wrapped at [`WIDTH`] where it can be.
    pub(crate) fn expr_at(&self, expr: &Expr, min: Level, indent: usize, column: usize) -> String {
        let mut pen = Pen {
            written: self,
            out: String::new(),
            start: column,
            indent,
            wrap: true,
        };
        pen.expr(expr, min);
        pen.out
    }

    /// `expr` on one line, never wrapped.
    pub(crate) fn flat(&self, expr: &Expr, min: Level) -> String {
        let mut pen = Pen {
            written: self,
            out: String::new(),
            start: 0,
            indent: 0,
            wrap: false,
        };
        pen.expr(expr, min);
        pen.out
    }
}

/// Writes one expression: what it prints, and where it stands on the page so that it
/// knows when a line would grow past [`WIDTH`].
struct Pen<'w> {
    written: &'w Written<'w>,
    out: String,
    /// The column at which `out` starts.
    start: usize,
    /// The indentation of the clause being printed: continuation lines go deeper.
    indent: usize,
    /// Whether long `and`/`or` chains and lists may be broken over lines.
    wrap: bool,
}

impl Pen<'_> {
    /// The column the next character goes to.
    fn column(&self) -> usize {
        match self.out.rfind('\n') {
            Some(i) => self.out.get(i + 1..).map_or(0, |l| l.chars().count()),
            None => self.start + self.out.chars().count(),
        }
    }

    /// Whether `text` would run past [`WIDTH`] from the current column (`extra` characters
    /// follow it on the line).
    fn overflows(&self, text: &str, extra: usize) -> bool {
        self.column() + text.chars().count() + extra > WIDTH
    }

    fn newline(&mut self, column: usize) {
        self.out.push('\n');
        self.out.extend(std::iter::repeat_n(' ', column));
    }

    /// Writes `expr` in the author's parentheses, and in one pair when its level is below
    /// `min` and the author wrote none.
    fn expr(&mut self, expr: &Expr, min: Level) {
        let written = self.written.parens(expr.span);
        let pairs = if written == 0 && level(expr) < min {
            1
        } else {
            written
        };
        self.out.extend(std::iter::repeat_n('(', pairs));
        self.bare(expr);
        self.out.extend(std::iter::repeat_n(')', pairs));
    }

    fn bare(&mut self, expr: &Expr) {
        match &expr.kind {
            ExprKind::Literal(literal) => {
                let text = self.written.literal(literal, expr.span);
                self.out.push_str(&text);
            }
            ExprKind::List(items) => self.list(items),
            ExprKind::Path(path) => {
                let text = self.written.path(path);
                self.out.push_str(&text);
            }
            ExprKind::Now => self.out.push_str("now"),
            ExprKind::Unary(UnaryOp::Not, operand) => {
                self.out.push_str("not ");
                self.expr(operand, Level::Not);
            }
            ExprKind::Unary(UnaryOp::Neg, operand) => {
                let inner = self.written.flat(operand, Level::Neg);
                self.out.push('-');
                // `--x` would read as one token in many languages and is hard to see: keep
                // a space between two minus signs.
                if inner.starts_with('-') {
                    self.out.push(' ');
                }
                self.expr(operand, Level::Neg);
            }
            ExprKind::Binary(op @ (BinaryOp::And | BinaryOp::Or), _, _) if self.wrap => {
                let mut pen = Pen {
                    written: self.written,
                    out: String::new(),
                    start: 0,
                    indent: 0,
                    wrap: false,
                };
                pen.bare(expr);
                let flat = pen.out;
                if self.overflows(&flat, 0) {
                    self.chain(expr, *op);
                } else {
                    self.out.push_str(&flat);
                }
            }
            ExprKind::Binary(op, left, right) => {
                let own = binary_level(*op);
                let (left_min, right_min) = match op {
                    // Non-associative: a comparison operand that is itself a comparison is
                    // parenthesised on either side.
                    BinaryOp::Compare(_) => (above(own), above(own)),
                    // Left-associative: the right operand must bind tighter.
                    _ => (own, above(own)),
                };
                self.expr(left, left_min);
                self.out.push(' ');
                self.out.push_str(op.symbol());
                self.out.push(' ');
                self.expr(right, right_min);
            }
            ExprKind::PercentOf(percent, operand) => {
                let text = self.written.percent(*percent, expr.span.start);
                self.out.push_str(&text);
                self.out.push_str(" of ");
                self.expr(operand, Level::PercentOf);
            }
            ExprKind::Test(op, left, right) => {
                self.expr(left, Level::Sum);
                self.out.push(' ');
                self.out.push_str(op.symbol());
                self.out.push(' ');
                self.expr(right, Level::Sum);
            }
            ExprKind::IsMissing(operand, missing) => {
                self.expr(operand, Level::Sum);
                self.out.push_str(if *missing {
                    " is missing"
                } else {
                    " is present"
                });
            }
            ExprKind::During(operand, calendar) => {
                self.expr(operand, Level::Sum);
                self.out.push_str(" during ");
                self.out.push_str(&calendar.name);
            }
            ExprKind::Call(name, args) => {
                self.out.push_str(&name.name);
                self.out.push('(');
                for (i, arg) in args.iter().enumerate() {
                    if i > 0 {
                        self.out.push_str(", ");
                    }
                    self.expr(arg, Level::Or);
                }
                self.out.push(')');
            }
            ExprKind::Comprehension(c) => self.comprehension(c),
        }
    }

    /// A long `a and b and c`: the first operand where it stands, each further one on a
    /// line of its own, one indentation step deeper than the clause, led by its operator.
    fn chain(&mut self, expr: &Expr, op: BinaryOp) {
        let mut operands = Vec::new();
        let mut current = expr;
        // The chain's left spine: `(a and b) and c` written without parentheses.
        while let ExprKind::Binary(inner, left, right) = &current.kind {
            if *inner != op
                || (!std::ptr::eq(current, expr) && self.written.parens(current.span) > 0)
            {
                break;
            }
            operands.push(right.as_ref());
            current = left;
        }
        operands.push(current);
        operands.reverse();
        let own = binary_level(op);
        let indent = self.indent + INDENT_WIDTH;
        let outer = std::mem::replace(&mut self.indent, indent);
        for (i, operand) in operands.into_iter().enumerate() {
            if i == 0 {
                self.expr(operand, own);
            } else {
                self.newline(indent);
                self.out.push_str(op.symbol());
                self.out.push(' ');
                self.expr(operand, above(own));
            }
        }
        self.indent = outer;
    }

    /// `[a, b, …]`; a list too long for its line is filled line by line, each line
    /// starting under the first element.
    fn list(&mut self, items: &[Expr]) {
        let flat: Vec<String> = items
            .iter()
            .map(|item| self.written.flat(item, Level::Or))
            .collect();
        let one_line = format!("[{}]", flat.join(", "));
        if !self.wrap || !self.overflows(&one_line, 0) {
            self.out.push_str(&one_line);
            return;
        }
        self.out.push('[');
        let align = self.column();
        for (i, text) in flat.iter().enumerate() {
            if i > 0 {
                self.out.push(',');
                // The space, and the comma or bracket after the element, on this line.
                if self.overflows(text, 2) {
                    self.newline(align);
                } else {
                    self.out.push(' ');
                }
            }
            self.out.push_str(text);
        }
        self.out.push(']');
    }

    fn comprehension(&mut self, c: &Comprehension) {
        self.out.push_str(c.agg.name());
        self.out.push('(');
        self.expr(&c.body, Level::Or);
        self.out.push_str(" for ");
        self.out.push_str(&c.var.name);
        self.out.push_str(" in ");
        // The list is read up to `where` or `)`; a test or comparison there would read
        // ambiguously (`for x in a in b`), so anything below `+ -` is parenthesised.
        self.expr(&c.list, Level::Sum);
        if let Some(filter) = &c.filter {
            self.out.push_str(" where ");
            self.expr(filter, Level::Or);
        }
        self.out.push(')');
    }
}

/// Prints an expression in canonical form, with the fewest parentheses its tree needs.
///
/// ```
/// # use service_policy::ast::{BinaryOp, Expr, ExprKind, Literal, Span};
/// # use rust_decimal::Decimal;
/// let n = |v| Expr { kind: ExprKind::Literal(Literal::Number(Decimal::from(v))), span: Span::default() };
/// let sub = |a, b| Expr { kind: ExprKind::Binary(BinaryOp::Sub, Box::new(a), Box::new(b)), span: Span::default() };
/// let e = sub(n(1), sub(n(2), n(3)));
/// assert_eq!(service_policy::fmt::format_expr(&e), "1 - (2 - 3)");
/// ```
pub fn format_expr(expr: &Expr) -> String {
    Written::default().flat(expr, Level::Or)
}

/// Prints a literal from its typed value.
pub fn format_literal(literal: &Literal) -> String {
    match literal {
        Literal::Number(n) => format_decimal(*n),
        Literal::Percent(p) => format!("{}%", format_decimal(*p)),
        Literal::Money(money) => format_money(money),
        Literal::Duration(d) => format_duration(*d),
        Literal::Date(date) => date.to_string(),
        Literal::Time(ts, offset) => format_time(*ts, *offset),
        Literal::Text(text) => format_text(text),
        Literal::Bool(b) => b.to_string(),
    }
}

/// A decimal as written: plain digits, the scale kept (`3.750`), never an exponent.
pub(crate) fn format_decimal(n: Decimal) -> String {
    n.to_string()
}

/// A duration literal, as `Duration` prints it: `1h30m`, `30d`, `1d12h`, and weeks only for
/// a whole number of weeks (`2w`).
pub(crate) fn format_duration(d: Duration) -> String {
    d.to_string()
}

/// Money as `<amount> <CODE>`, keeping the literal's scale (`49.90 EUR`).
fn format_money(money: &Money) -> String {
    match money.currency {
        Some(currency) => format!("{} {}", format_decimal(money.amount), currency.code()),
        // Only an empty sum's zero has no currency, and no literal is one; print the
        // amount so nothing is lost.
        None => format_decimal(money.amount),
    }
}

/// An instant in RFC 3339 with the offset it was written with (`Z` for zero).
fn format_time(ts: jiff::Timestamp, offset: jiff::tz::Offset) -> String {
    let civil = offset.to_datetime(ts);
    let mut out = civil.to_string();
    let seconds = offset.seconds();
    if seconds == 0 {
        out.push('Z');
        return out;
    }
    let sign = if seconds < 0 { '-' } else { '+' };
    let magnitude = seconds.unsigned_abs();
    let _ = write!(
        out,
        "{sign}{:02}:{:02}",
        magnitude / 3600,
        (magnitude % 3600) / 60
    );
    if !magnitude.is_multiple_of(60) {
        let _ = write!(out, ":{:02}", magnitude % 60);
    }
    out
}

/// A text literal, quoted and escaped canonically: `\"`, `\\`, `\n`, `\t`, and `\u{…}` for
/// other control characters and for bidirectional overrides (which could make the source
/// read differently from what it means). Every other character is written as itself.
pub fn format_text(value: &str) -> String {
    let mut out = String::with_capacity(value.len() + 2);
    out.push('"');
    for ch in value.chars() {
        match ch {
            '"' => out.push_str("\\\""),
            '\\' => out.push_str("\\\\"),
            '\n' => out.push_str("\\n"),
            '\t' => out.push_str("\\t"),
            c if c.is_control() || is_bidi_control(c) => {
                let _ = write!(out, "\\u{{{:x}}}", u32::from(c));
            }
            c => out.push(c),
        }
    }
    out.push('"');
    out
}

fn is_bidi_control(c: char) -> bool {
    matches!(c, '\u{202A}'..='\u{202E}' | '\u{2066}'..='\u{2069}')
}

/// A field path used as an expression or a `set` target. A segment that is not an
/// identifier goes in backticks. A keyword is an ordinary name after a `.`, and also
/// first when a `.` follows (`refund.requested`), except `not`, `true`, `false` and `now`;
/// a keyword alone is backticked (`` `from` ``).
pub fn format_path(path: &Path) -> String {
    Written::default().path(path)
}

/// Whether a keyword may start a path bare when a `.` follows it (`refund.requested`).
/// Not the keywords that begin an operand or a prefix operator: `not.x` would read as
/// `not` applied to `.x`.
fn may_head_a_dotted_path(name: &str) -> bool {
    !matches!(name, "not" | "true" | "false" | "now")
}

fn push_segment(out: &mut String, name: &str, keyword_needs_quote: bool) {
    if is_identifier(name) && !(keyword_needs_quote && is_keyword(name)) {
        out.push_str(name);
    } else {
        out.push('`');
        out.push_str(name);
        out.push('`');
    }
}

/// A plain name (rule, const, table, calendar, parameter, variable, argument key).
pub(crate) fn format_ident(ident: &Ident) -> &str {
    &ident.name
}

/// A schema type: `text`, `"a" | "b"`, `list<T>`, `{ a: T, b: T }`, each with `?` when
/// optional.
pub(crate) fn format_type(written: &Written<'_>, ty: &TypeExpr) -> String {
    let mut out = String::new();
    match &ty.kind {
        TypeKind::Text => out.push_str("text"),
        TypeKind::Number => out.push_str("number"),
        TypeKind::Bool => out.push_str("bool"),
        TypeKind::Money => out.push_str("money"),
        TypeKind::Duration => out.push_str("duration"),
        TypeKind::Date => out.push_str("date"),
        TypeKind::Time => out.push_str("time"),
        TypeKind::Enum(values) => {
            for (i, value) in values.iter().enumerate() {
                if i > 0 {
                    out.push_str(" | ");
                }
                out.push_str(&written.text(value));
            }
        }
        TypeKind::List(element) => {
            out.push_str("list<");
            out.push_str(&format_type(written, element));
            out.push('>');
        }
        TypeKind::Object(fields) => {
            out.push_str("{ ");
            for (i, field) in fields.iter().enumerate() {
                if i > 0 {
                    out.push_str(", ");
                }
                out.push_str(&written.decl_path(&field.path));
                out.push_str(": ");
                out.push_str(&format_type(written, &field.ty));
            }
            out.push_str(if fields.is_empty() { "}" } else { " }" });
        }
    }
    if ty.optional {
        out.push('?');
    }
    out
}

/// A table cell: `_`, a literal, a list, or a comparison with a literal.
pub(crate) fn format_cell(written: &Written<'_>, cell: &Cell) -> String {
    match &cell.kind {
        CellKind::Any => "_".to_owned(),
        CellKind::Equals(expr) => written.flat(expr, Level::Sum),
        CellKind::OneOf(items) => {
            let items: Vec<String> = items.iter().map(|i| written.flat(i, Level::Or)).collect();
            format!("[{}]", items.join(", "))
        }
        CellKind::Compare(op, expr) => {
            format!("{} {}", op.symbol(), written.flat(expr, Level::Sum))
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::ast::{Aggregate, CompareOp, Span, TestOp};
    use crate::value::Currency;

    fn e(kind: ExprKind) -> Expr {
        Expr {
            kind,
            span: Span::default(),
        }
    }
    fn num(v: i64) -> Expr {
        e(ExprKind::Literal(Literal::Number(Decimal::from(v))))
    }
    fn path(segments: &[&str]) -> Path {
        Path {
            segments: segments
                .iter()
                .map(|s| Ident {
                    name: (*s).to_owned(),
                    span: Span::default(),
                })
                .collect(),
            span: Span::default(),
        }
    }
    fn var(name: &str) -> Expr {
        e(ExprKind::Path(path(&[name])))
    }
    fn bin(op: BinaryOp, a: Expr, b: Expr) -> Expr {
        e(ExprKind::Binary(op, Box::new(a), Box::new(b)))
    }
    fn cmp(op: CompareOp, a: Expr, b: Expr) -> Expr {
        bin(BinaryOp::Compare(op), a, b)
    }
    fn un(op: UnaryOp, a: Expr) -> Expr {
        e(ExprKind::Unary(op, Box::new(a)))
    }
    fn ident(name: &str) -> Ident {
        Ident {
            name: name.to_owned(),
            span: Span::default(),
        }
    }

    #[test]
    fn arithmetic_is_left_associative() {
        let cases = [
            (
                bin(BinaryOp::Sub, bin(BinaryOp::Sub, num(1), num(2)), num(3)),
                "1 - 2 - 3",
            ),
            (
                bin(BinaryOp::Sub, num(1), bin(BinaryOp::Sub, num(2), num(3))),
                "1 - (2 - 3)",
            ),
            (
                bin(BinaryOp::Add, num(1), bin(BinaryOp::Mul, num(2), num(3))),
                "1 + 2 * 3",
            ),
            (
                bin(BinaryOp::Mul, bin(BinaryOp::Add, num(1), num(2)), num(3)),
                "(1 + 2) * 3",
            ),
            (
                bin(BinaryOp::Div, num(1), bin(BinaryOp::Mul, num(2), num(3))),
                "1 / (2 * 3)",
            ),
            (
                bin(BinaryOp::Mul, bin(BinaryOp::Div, num(1), num(2)), num(3)),
                "1 / 2 * 3",
            ),
            (
                bin(BinaryOp::Add, num(1), bin(BinaryOp::Add, num(2), num(3))),
                "1 + (2 + 3)",
            ),
        ];
        for (expr, text) in cases {
            assert_eq!(format_expr(&expr), text);
        }
    }

    #[test]
    fn logic_and_comparison_levels() {
        let a = || var("a");
        let b = || var("b");
        let c = || var("c");
        let cases = [
            (
                bin(BinaryOp::Or, a(), bin(BinaryOp::And, b(), c())),
                "a or b and c",
            ),
            (
                bin(BinaryOp::And, bin(BinaryOp::Or, a(), b()), c()),
                "(a or b) and c",
            ),
            (
                bin(BinaryOp::And, a(), bin(BinaryOp::And, b(), c())),
                "a and (b and c)",
            ),
            (
                un(UnaryOp::Not, bin(BinaryOp::And, a(), b())),
                "not (a and b)",
            ),
            (
                bin(BinaryOp::And, un(UnaryOp::Not, a()), b()),
                "not a and b",
            ),
            (un(UnaryOp::Not, un(UnaryOp::Not, a())), "not not a"),
            (un(UnaryOp::Not, cmp(CompareOp::Lt, a(), b())), "not a < b"),
            (
                cmp(CompareOp::Eq, cmp(CompareOp::Lt, a(), b()), c()),
                "(a < b) == c",
            ),
            (
                cmp(CompareOp::Eq, a(), cmp(CompareOp::Lt, b(), c())),
                "a == (b < c)",
            ),
            (
                cmp(CompareOp::Le, bin(BinaryOp::Add, a(), b()), c()),
                "a + b <= c",
            ),
            (
                cmp(CompareOp::Ne, un(UnaryOp::Not, a()), b()),
                "(not a) != b",
            ),
            (
                e(ExprKind::Test(
                    TestOp::In,
                    Box::new(cmp(CompareOp::Gt, a(), b())),
                    Box::new(c()),
                )),
                "(a > b) in c",
            ),
            (
                e(ExprKind::IsMissing(
                    Box::new(e(ExprKind::IsMissing(Box::new(a()), true))),
                    false,
                )),
                "(a is missing) is present",
            ),
            (
                e(ExprKind::During(
                    Box::new(bin(BinaryOp::Sub, e(ExprKind::Now), a())),
                    ident("hours"),
                )),
                "now - a during hours",
            ),
        ];
        for (expr, text) in cases {
            assert_eq!(format_expr(&expr), text);
        }
    }

    #[test]
    fn unary_minus_and_percent_of() {
        let a = || var("a");
        assert_eq!(format_expr(&un(UnaryOp::Neg, a())), "-a");
        assert_eq!(
            format_expr(&un(UnaryOp::Neg, un(UnaryOp::Neg, a()))),
            "- -a"
        );
        assert_eq!(
            format_expr(&un(UnaryOp::Neg, bin(BinaryOp::Mul, a(), num(2)))),
            "-(a * 2)"
        );
        assert_eq!(
            format_expr(&bin(BinaryOp::Mul, un(UnaryOp::Neg, a()), num(2))),
            "-a * 2"
        );
        assert_eq!(
            format_expr(&bin(BinaryOp::Sub, a(), un(UnaryOp::Neg, a()))),
            "a - -a"
        );
        let pct = |p: i64, x: Expr| e(ExprKind::PercentOf(Decimal::from(p), Box::new(x)));
        assert_eq!(format_expr(&pct(50, var("total"))), "50% of total");
        assert_eq!(format_expr(&pct(50, un(UnaryOp::Neg, a()))), "50% of (-a)");
        assert_eq!(format_expr(&un(UnaryOp::Neg, pct(5, a()))), "-5% of a");
        assert_eq!(
            format_expr(&pct(50, bin(BinaryOp::Add, a(), num(1)))),
            "50% of (a + 1)"
        );
        assert_eq!(
            format_expr(&bin(BinaryOp::Mul, pct(12, a()), num(2))),
            "12% of a * 2"
        );
    }

    #[test]
    fn calls_lists_and_comprehensions() {
        let body = e(ExprKind::Path(path(&["r", "amount"])));
        let filter = cmp(
            CompareOp::Ge,
            e(ExprKind::Path(path(&["r", "at"]))),
            bin(
                BinaryOp::Sub,
                e(ExprKind::Now),
                e(ExprKind::Literal(Literal::Duration(
                    Duration::from_secs(30 * 86_400).unwrap(),
                ))),
            ),
        );
        let c = e(ExprKind::Comprehension(Box::new(Comprehension {
            agg: Aggregate::Sum,
            agg_span: Span::default(),
            body,
            var: ident("r"),
            list: e(ExprKind::Path(path(&["customer", "refunds"]))),
            filter: Some(filter),
        })));
        assert_eq!(
            format_expr(&c),
            "sum(r.amount for r in customer.refunds where r.at >= now - 30d)"
        );
        let call = e(ExprKind::Call(
            ident("min"),
            vec![var("cap"), e(ExprKind::List(vec![num(1), num(2)]))],
        ));
        assert_eq!(format_expr(&call), "min(cap, [1, 2])");
        assert_eq!(format_expr(&e(ExprKind::List(vec![]))), "[]");
    }

    #[test]
    fn literals_print_from_typed_values() {
        let usd = Currency::from_code("USD").unwrap();
        let inr = Currency::from_code("INR").unwrap();
        let cases = [
            (Literal::Number(Decimal::from(1000)), "1000"),
            (Literal::Number(Decimal::new(3750, 3)), "3.750"),
            (Literal::Percent(Decimal::new(125, 1)), "12.5%"),
            (
                Literal::Money(Money::new(Decimal::from(500), usd)),
                "500 USD",
            ),
            (
                Literal::Money(Money::new(Decimal::new(4990, 2), usd)),
                "49.90 USD",
            ),
            (
                Literal::Money(Money::new(Decimal::from(5000), inr)),
                "5000 INR",
            ),
            (
                Literal::Duration(Duration::from_secs(5400).unwrap()),
                "1h30m",
            ),
            (Literal::Duration(Duration::from_secs(90).unwrap()), "1m30s"),
            (
                Literal::Duration(Duration::from_secs(86_400).unwrap()),
                "1d",
            ),
            (
                Literal::Duration(Duration::from_secs(30 * 86_400).unwrap()),
                "30d",
            ),
            (
                Literal::Duration(Duration::from_secs(90 * 86_400).unwrap()),
                "90d",
            ),
            (
                Literal::Duration(Duration::from_secs(14 * 86_400).unwrap()),
                "2w",
            ),
            (
                Literal::Duration(Duration::from_secs(36 * 3600).unwrap()),
                "1d12h",
            ),
            (
                Literal::Duration(Duration::from_secs(9 * 86_400 + 61).unwrap()),
                "9d1m1s",
            ),
            (
                Literal::Duration(Duration::from_secs(-(8 * 86_400 + 3600)).unwrap()),
                "-8d1h",
            ),
            (Literal::Duration(Duration::ZERO), "0s"),
            (Literal::Date(jiff::civil::date(2026, 1, 26)), "2026-01-26"),
            (Literal::Bool(true), "true"),
        ];
        for (literal, text) in cases {
            assert_eq!(format_literal(&literal), text);
        }
    }

    #[test]
    fn times_keep_their_offset() {
        let ts: jiff::Timestamp = "2026-03-02T09:00:00Z".parse().unwrap();
        let ist = jiff::tz::Offset::from_seconds(5 * 3600 + 1800).unwrap();
        assert_eq!(
            format_literal(&Literal::Time(ts, ist)),
            "2026-03-02T14:30:00+05:30"
        );
        assert_eq!(
            format_literal(&Literal::Time(ts, jiff::tz::Offset::UTC)),
            "2026-03-02T09:00:00Z"
        );
        let west = jiff::tz::Offset::from_seconds(-4 * 3600).unwrap();
        assert_eq!(
            format_literal(&Literal::Time(ts, west)),
            "2026-03-02T05:00:00-04:00"
        );
        let frac: jiff::Timestamp = "2026-03-02T09:00:00.25Z".parse().unwrap();
        assert_eq!(
            format_literal(&Literal::Time(frac, jiff::tz::Offset::UTC)),
            "2026-03-02T09:00:00.25Z"
        );
    }

    #[test]
    fn text_is_escaped_canonically() {
        let cases = [
            ("plain", r#""plain""#),
            ("say \"hi\"", r#""say \"hi\"""#),
            ("back\\slash", r#""back\\slash""#),
            ("two\nlines\tand tab", r#""two\nlines\tand tab""#),
            ("bell\u{7}", r#""bell\u{7}""#),
            ("cr\r", r#""cr\u{d}""#),
            ("del\u{7f}", r#""del\u{7f}""#),
            ("rtl\u{202e}x", r#""rtl\u{202e}x""#),
            ("নীতি", "\"নীতি\""),
            ("கொள்கை", "\"கொள்கை\""),
            ("नीति", "\"नीति\""),
            ("patakaran ᜉᜆᜃᜇᜈ᜔", "\"patakaran ᜉᜆᜃᜇᜈ᜔\""),
            ("\u{1F600}", "\"\u{1F600}\""),
            // Joiners shape Indic scripts: they stay as written.
            ("ক্\u{200d}ষ", "\"ক্\u{200d}ষ\""),
        ];
        for (value, text) in cases {
            assert_eq!(format_text(value), text, "{value:?}");
        }
    }

    #[test]
    fn paths_use_backticks_only_where_needed() {
        let cases: [(&[&str], &str); 12] = [
            (&["customer", "tier"], "customer.tier"),
            (&["from", "address"], "from.address"),
            (&["refund", "requested"], "refund.requested"),
            (&["refund"], "`refund`"),
            (&["not", "x"], "`not`.x"),
            (&["now", "at"], "`now`.at"),
            (&["email", "from"], "email.from"),
            (&["first reply at"], "`first reply at`"),
            (&["a", "b-c"], "a.`b-c`"),
            (&["গ্রাহক", "স্তর"], "গ্রাহক.স্তর"),
            (&["_"], "`_`"),
            (&["_private"], "_private"),
        ];
        for (segments, text) in cases {
            assert_eq!(format_path(&path(segments)), text);
        }
        assert_eq!(Written::default().decl_path(&path(&["from"])), "from");
        assert_eq!(Written::default().decl_path(&path(&["9lives"])), "`9lives`");
        assert_eq!(format_path(&path(&["mon"])), "mon");
    }

    #[test]
    fn identifiers_follow_unicode_rules() {
        for ok in ["a", "_a", "টিকিট", "வாடிக்கையாளர்", "ग्राहक", "ᜉᜆᜃ", "x1"]
        {
            assert!(is_identifier(ok), "{ok}");
        }
        for bad in ["", "_", "1a", "a b", "a-b", "a.b"] {
            assert!(!is_identifier(bad), "{bad}");
        }
    }
}
