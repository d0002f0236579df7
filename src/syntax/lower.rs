//! Parse tree → AST: one `lower_<rule>` function per grammar rule.
//!
//! Lowering never fails outright: a literal that is not a value, a chained comparison or
//! an expression nested too deeply records a diagnostic and yields a placeholder node,
//! so one pass reports every such problem. The caller discards the tree when any
//! diagnostic was recorded, so placeholders never reach later stages.

use std::cell::RefCell;
use std::iter::Peekable;

use pest::iterators::{Pair, Pairs};

use super::grammar::Rule;
use super::literal::{self, LiteralError};
use crate::ast::*;
use crate::diagnostic::{Code, Diagnostic};

/// The deepest expression tree accepted: later stages walk expressions recursively, so
/// a 50 000-term `1 + 1 + …` must be refused here rather than overflow their stacks.
pub const MAX_EXPR_DEPTH: usize = 256;

/// Where an operator stands and how tightly it binds.
#[derive(Clone, Copy)]
enum Affix {
    Prefix,
    Infix,
    Postfix,
}

/// SPEC §6: each operator's place and binding power, higher binding tighter. Comparisons
/// and tests share a level; chains of them are refused after folding, since this folding
/// has no non-associative operators. Every infix operator is left-associative. `None` for
/// an operand.
fn affix(rule: Rule) -> Option<(Affix, u32)> {
    Some(match rule {
        Rule::op_or => (Affix::Infix, 10),
        Rule::op_and => (Affix::Infix, 20),
        Rule::op_not => (Affix::Prefix, 30),
        Rule::op_eq
        | Rule::op_ne
        | Rule::op_lt
        | Rule::op_le
        | Rule::op_gt
        | Rule::op_ge
        | Rule::op_in
        | Rule::op_not_in
        | Rule::op_contains
        | Rule::op_matches => (Affix::Infix, 40),
        Rule::op_is_missing | Rule::op_is_present | Rule::op_during => (Affix::Postfix, 40),
        Rule::op_add | Rule::op_sub => (Affix::Infix, 50),
        Rule::op_mul | Rule::op_div => (Affix::Infix, 60),
        Rule::op_neg => (Affix::Prefix, 70),
        Rule::percent_of => (Affix::Prefix, 80),
        _ => return None,
    })
}

/// An expression while folding: whether it stood in parentheses decides whether a
/// comparison may take it as an operand.
struct Folded {
    expr: Expr,
    grouped: bool,
}

/// Lowers pairs of one parse, whose offsets start at `base` in the whole source.
pub(crate) struct Lower {
    base: usize,
    /// The comments of the parsed text (start and end, in its own offsets), in order: a
    /// pair's span ends before those pest skipped at its end.
    comments: Vec<(usize, usize)>,
    errors: RefCell<Vec<Diagnostic>>,
    /// The span of every expression written in parentheses (the parentheses not included),
    /// once per pair: the formatter keeps the author's parentheses.
    parens: RefCell<Vec<Span>>,
}

/// A placeholder for a part that already has a diagnostic.
fn placeholder(span: Span) -> Expr {
    Expr {
        kind: ExprKind::Literal(Literal::Bool(false)),
        span,
    }
}

/// Whether a pair is punctuation or a keyword that carries no meaning beyond its place.
fn is_noise(rule: Rule) -> bool {
    matches!(
        rule,
        Rule::lbrace
            | Rule::rbrace
            | Rule::lparen
            | Rule::rparen
            | Rule::lbracket
            | Rule::rbracket
            | Rule::langle
            | Rule::rangle
            | Rule::comma
            | Rule::colon
            | Rule::pipe
            | Rule::dash
            | Rule::arrow
            | Rule::eq_sign
            | Rule::EOI
    )
}

/// The meaningful children of a pair.
fn inner(pair: Pair<'_, Rule>) -> impl Iterator<Item = Pair<'_, Rule>> {
    pair.into_inner().filter(|p| !is_noise(p.as_rule()))
}

impl Lower {
    /// A lowering of a parse whose offsets start at `base` in the whole source, with the
    /// comments of the parsed text (start and end, in its own offsets, in order).
    pub(crate) fn new(base: usize, comments: Vec<(usize, usize)>) -> Lower {
        Lower {
            base,
            comments,
            errors: RefCell::new(Vec::new()),
            parens: RefCell::new(Vec::new()),
        }
    }

    /// Where the author wrote parentheses (see the field).
    pub(crate) fn take_parens(&self) -> Vec<Span> {
        self.parens.take()
    }

    /// The diagnostics recorded.
    pub(crate) fn finish(self) -> Vec<Diagnostic> {
        self.errors.into_inner()
    }

    /// The pair's span without the white space and comments pest leaves at the end of a
    /// rule that closes with an optional part (`const x = a ` → `const x = a`).
    fn span(&self, pair: &Pair<'_, Rule>) -> Span {
        let span = pair.as_span();
        let start = span.start();
        Span::new(self.base + start, self.base + self.end_of(start, span.as_str()))
    }

    /// Where the pair starting at `start` with `text` ends once the white space and comments
    /// after its last token are left out. The grammar puts nothing else after a rule's last
    /// token, so this is where its last token ends, found without walking the tree.
    fn end_of(&self, start: usize, mut text: &str) -> usize {
        // INVARIANT: each turn but the last shortens `text`, so the loop ends.
        loop {
            text = text.trim_end_matches([' ', '\t', '\r', '\n', '\u{FEFF}']);
            let end = start + text.len();
            // The last comment that starts before `end`, if it holds the last character.
            let before = self.comments.partition_point(|&(s, _)| s < end);
            match before.checked_sub(1).and_then(|i| self.comments.get(i)) {
                Some(&(s, e)) if e >= end && s >= start => {
                    text = text.get(..s - start).unwrap_or("");
                }
                _ => return end,
            }
        }
    }

    fn error(&self, diagnostic: Diagnostic) {
        self.errors.borrow_mut().push(diagnostic);
    }

    fn literal_error(&self, span: Span, err: &LiteralError, sub: Option<(usize, usize)>) {
        let span = match sub.or(err.sub_span()) {
            Some((s, e)) => Span::new(span.start + s, span.start + e),
            None => span,
        };
        let label = match err {
            LiteralError::BadEscape(escape, ..) if escape.starts_with("\\u") => {
                "not a Unicode character"
            }
            LiteralError::BadEscape(..) => "not an escape",
            LiteralError::UnknownCurrency(_) => "not a currency",
            LiteralError::TextTooLong(_) => "too long",
            _ => "not a valid literal",
        };
        // A literal over a size limit is a limit (E0002), not a syntax mistake.
        let code = match err {
            LiteralError::TextTooLong(_) => Code::E0002,
            _ => Code::E0001,
        };
        self.error(
            Diagnostic::new(code, span, err.to_string())
                .with_primary_label(label)
                .with_help(err.help()),
        );
    }

    /// Reports a pair the grammar should never put here; kept so a grammar change shows
    /// up as a diagnostic instead of a panic.
    fn unexpected(&self, pair: &Pair<'_, Rule>) {
        self.error(Diagnostic::new(
            Code::E0001,
            self.span(pair),
            format!("unexpected `{}`", pair.as_str()),
        ));
    }

    // ---- file and items ----

    pub(crate) fn lower_file(
        &self,
        pair: Pair<'_, Rule>,
        comments: Vec<Comment>,
    ) -> Option<PolicyFile> {
        let policy = inner(pair).find(|p| p.as_rule() == Rule::policy)?;
        Some(self.lower_policy(policy, comments))
    }

    fn lower_policy(&self, pair: Pair<'_, Rule>, comments: Vec<Comment>) -> PolicyFile {
        let span = self.span(&pair);
        let mut name = Text {
            value: String::new(),
            span,
        };
        let mut items = Vec::new();
        let mut extends = None;
        for p in inner(pair) {
            match p.as_rule() {
                Rule::kw_policy => {}
                Rule::string => name = self.lower_string(p),
                Rule::extends_clause => extends = Some(self.first_string(p)),
                Rule::item => items.extend(self.lower_item(p)),
                _ => self.unexpected(&p),
            }
        }
        PolicyFile {
            name,
            extends,
            items,
            comments,
            span,
        }
    }

    /// `item_entry`: one item parsed on its own while recovering.
    pub(crate) fn lower_item_entry(&self, pair: Pair<'_, Rule>) -> Option<Item> {
        inner(pair)
            .find(|p| p.as_rule() == Rule::item)
            .and_then(|p| self.lower_item(p))
    }

    /// `rule_entry`: one rule of a `first of` parsed on its own while recovering.
    pub(crate) fn lower_rule_entry(&self, pair: Pair<'_, Rule>) -> Option<RuleDef> {
        inner(pair)
            .find(|p| p.as_rule() == Rule::rule_item)
            .map(|p| self.lower_rule_item(p))
    }

    fn lower_item(&self, pair: Pair<'_, Rule>) -> Option<Item> {
        let p = inner(pair).next()?;
        Some(match p.as_rule() {
            Rule::version_item => Item::Version(self.lower_version_item(p)),
            Rule::timezone_item => Item::Timezone(self.lower_timezone_item(p)),
            Rule::ladder_item => Item::Ladder(self.lower_ladder_item(p)),
            Rule::record_item => Item::Record(self.lower_record_item(p)),
            Rule::calendar_item => Item::Calendar(self.lower_calendar_item(p)),
            Rule::const_item => Item::Const(self.lower_const_item(p)),
            Rule::table_item => Item::Table(self.lower_table_item(p)),
            Rule::rule_item => Item::Rule(self.lower_rule_item(p)),
            Rule::first_of_item => Item::FirstOf(self.lower_first_of_item(p)),
            Rule::effective_item => {
                let date = inner(p).find(|p| p.as_rule() == Rule::date_lit)?;
                Item::Effective(self.lower_date_lit(date))
            }
            Rule::policy_when_item => {
                let span = self.span(&p);
                Item::When(PolicyWhen {
                    cond: self.only_expr(p),
                    span,
                })
            }
            Rule::override_item => {
                let span = self.span(&p);
                let replacement = inner(p).find(|p| p.as_rule() != Rule::kw_override)?;
                let item = match replacement.as_rule() {
                    Rule::calendar_item => Item::Calendar(self.lower_calendar_item(replacement)),
                    Rule::const_item => Item::Const(self.lower_const_item(replacement)),
                    Rule::table_item => Item::Table(self.lower_table_item(replacement)),
                    Rule::rule_item => Item::Rule(self.lower_rule_item(replacement)),
                    _ => {
                        self.unexpected(&replacement);
                        return None;
                    }
                };
                Item::Override(Override {
                    item: Box::new(item),
                    span,
                })
            }
            Rule::remove_item => {
                let span = self.span(&p);
                let name = inner(p).find(|p| p.as_rule() == Rule::ident)?;
                Item::Remove(Remove {
                    name: self.lower_ident(name),
                    span,
                })
            }
            _ => {
                self.unexpected(&p);
                return None;
            }
        })
    }

    fn first_string(&self, pair: Pair<'_, Rule>) -> Text {
        let span = self.span(&pair);
        inner(pair).find(|p| p.as_rule() == Rule::string).map_or(
            Text {
                value: String::new(),
                span,
            },
            |p| self.lower_string(p),
        )
    }

    fn lower_version_item(&self, pair: Pair<'_, Rule>) -> Text {
        self.first_string(pair)
    }

    fn lower_timezone_item(&self, pair: Pair<'_, Rule>) -> Text {
        self.first_string(pair)
    }

    fn lower_calendar_timezone(&self, pair: Pair<'_, Rule>) -> Text {
        self.first_string(pair)
    }

    fn lower_ladder_item(&self, pair: Pair<'_, Rule>) -> Ladder {
        let span = self.span(&pair);
        let levels = inner(pair)
            .filter(|p| p.as_rule() == Rule::string)
            .map(|p| self.lower_string(p))
            .collect();
        Ladder { levels, span }
    }

    // ---- schema ----

    fn lower_record_item(&self, pair: Pair<'_, Rule>) -> Schema {
        let span = self.span(&pair);
        let fields = inner(pair)
            .filter(|p| p.as_rule() == Rule::field_decl)
            .map(|p| self.lower_field_decl(p))
            .collect();
        Schema { fields, span }
    }

    fn lower_field_decl(&self, pair: Pair<'_, Rule>) -> FieldDecl {
        let span = self.span(&pair);
        let mut path = Path {
            segments: Vec::new(),
            span,
        };
        let mut ty = None;
        for p in inner(pair) {
            match p.as_rule() {
                Rule::field_path => path = self.lower_path(p),
                Rule::type_expr => ty = Some(self.lower_type_expr(p)),
                _ => self.unexpected(&p),
            }
        }
        FieldDecl {
            path,
            ty: ty.unwrap_or(TypeExpr {
                kind: TypeKind::Text,
                optional: false,
                span,
            }),
            span,
        }
    }

    fn lower_type_expr(&self, pair: Pair<'_, Rule>) -> TypeExpr {
        let span = self.span(&pair);
        let mut kind = TypeKind::Text;
        let mut optional = false;
        for p in inner(pair) {
            match p.as_rule() {
                Rule::list_type => kind = self.lower_list_type(p),
                Rule::object_type => kind = self.lower_object_type(p),
                Rule::enum_type => kind = self.lower_enum_type(p),
                Rule::named_type => kind = self.lower_named_type(p),
                Rule::question => optional = true,
                _ => self.unexpected(&p),
            }
        }
        TypeExpr {
            kind,
            optional,
            span,
        }
    }

    fn lower_list_type(&self, pair: Pair<'_, Rule>) -> TypeKind {
        let span = self.span(&pair);
        let element = inner(pair).find(|p| p.as_rule() == Rule::type_expr).map_or(
            TypeExpr {
                kind: TypeKind::Text,
                optional: false,
                span,
            },
            |p| self.lower_type_expr(p),
        );
        TypeKind::List(Box::new(element))
    }

    fn lower_object_type(&self, pair: Pair<'_, Rule>) -> TypeKind {
        TypeKind::Object(
            inner(pair)
                .filter(|p| p.as_rule() == Rule::object_field)
                .map(|p| self.lower_object_field(p))
                .collect(),
        )
    }

    fn lower_object_field(&self, pair: Pair<'_, Rule>) -> FieldDecl {
        let span = self.span(&pair);
        let mut path = Path {
            segments: Vec::new(),
            span,
        };
        let mut ty = TypeExpr {
            kind: TypeKind::Text,
            optional: false,
            span,
        };
        for p in inner(pair) {
            match p.as_rule() {
                Rule::name | Rule::backtick => {
                    let segment = self.lower_segment(p);
                    path = Path {
                        span: segment.span,
                        segments: vec![segment],
                    };
                }
                Rule::type_expr => ty = self.lower_type_expr(p),
                _ => self.unexpected(&p),
            }
        }
        FieldDecl { path, ty, span }
    }

    fn lower_enum_type(&self, pair: Pair<'_, Rule>) -> TypeKind {
        TypeKind::Enum(
            inner(pair)
                .filter(|p| p.as_rule() == Rule::string)
                .map(|p| self.lower_string(p))
                .collect(),
        )
    }

    fn lower_named_type(&self, pair: Pair<'_, Rule>) -> TypeKind {
        const NAMES: [&str; 7] = [
            "text", "number", "bool", "money", "duration", "date", "time",
        ];
        match pair.as_str() {
            "text" => TypeKind::Text,
            "number" => TypeKind::Number,
            "bool" => TypeKind::Bool,
            "money" => TypeKind::Money,
            "duration" => TypeKind::Duration,
            "date" => TypeKind::Date,
            "time" => TypeKind::Time,
            other => {
                let mut help = "the types are `text`, `number`, `bool`, `money`, `duration`, `date`, `time`, `\"a\" | \"b\"`, `list<T>` and `{ name: T }`".to_owned();
                if let Some(best) = super::error::closest(other, &NAMES) {
                    help = format!("did you mean `{best}`?");
                }
                self.error(
                    Diagnostic::new(
                        Code::E0001,
                        self.span(&pair),
                        format!("unknown type `{other}`"),
                    )
                    .with_primary_label("not a type")
                    .with_help(help),
                );
                TypeKind::Text
            }
        }
    }

    // ---- calendars ----

    fn lower_calendar_item(&self, pair: Pair<'_, Rule>) -> CalendarDef {
        let span = self.span(&pair);
        let mut name = Ident {
            name: String::new(),
            span,
        };
        let mut lines = Vec::new();
        for p in inner(pair) {
            match p.as_rule() {
                Rule::kw_calendar => {}
                Rule::ident => name = self.lower_ident(p),
                Rule::calendar_timezone => {
                    lines.push(CalendarLine::Timezone(self.lower_calendar_timezone(p)))
                }
                Rule::closed_line => lines.push(CalendarLine::Closed(self.lower_closed_line(p))),
                Rule::open_line => lines.push(CalendarLine::Open(self.lower_open_line(p))),
                _ => self.unexpected(&p),
            }
        }
        CalendarDef { name, lines, span }
    }

    fn lower_closed_line(&self, pair: Pair<'_, Rule>) -> ClosedDays {
        let span = self.span(&pair);
        let dates = inner(pair)
            .filter(|p| p.as_rule() == Rule::date_lit)
            .map(|p| self.lower_date_lit(p))
            .collect();
        ClosedDays { dates, span }
    }

    fn lower_date_lit(&self, pair: Pair<'_, Rule>) -> DateLit {
        let span = self.span(&pair);
        let date = literal::date(pair.as_str()).unwrap_or_else(|e| {
            self.literal_error(span, &e, None);
            jiff::civil::Date::ZERO
        });
        DateLit { date, span }
    }

    fn lower_open_line(&self, pair: Pair<'_, Rule>) -> OpenHours {
        let span = self.span(&pair);
        let mut days = Vec::new();
        let mut intervals = Vec::new();
        for p in inner(pair) {
            match p.as_rule() {
                Rule::day => days.push(self.lower_day(p)),
                Rule::clock_interval => intervals.push(self.lower_clock_interval(p)),
                _ => self.unexpected(&p),
            }
        }
        let mut days = days.into_iter();
        let from = days.next().unwrap_or(Ident {
            name: String::new(),
            span,
        });
        OpenHours {
            from,
            to: days.next(),
            intervals,
            span,
        }
    }

    fn lower_day(&self, pair: Pair<'_, Rule>) -> Ident {
        Ident {
            name: pair.as_str().to_owned(),
            span: self.span(&pair),
        }
    }

    fn lower_clock_interval(&self, pair: Pair<'_, Rule>) -> ClockInterval {
        let span = self.span(&pair);
        let mut clocks = inner(pair)
            .filter(|p| p.as_rule() == Rule::clock)
            .map(|p| self.lower_clock(p));
        let start = clocks.next().unwrap_or(ClockTime { minutes: 0 });
        let end = clocks.next().unwrap_or(ClockTime { minutes: 0 });
        ClockInterval { start, end, span }
    }

    fn lower_clock(&self, pair: Pair<'_, Rule>) -> ClockTime {
        literal::clock(pair.as_str()).unwrap_or_else(|e| {
            self.literal_error(self.span(&pair), &e, None);
            ClockTime { minutes: 0 }
        })
    }

    // ---- const and table ----

    fn lower_const_item(&self, pair: Pair<'_, Rule>) -> ConstDef {
        let span = self.span(&pair);
        let mut name = Ident {
            name: String::new(),
            span,
        };
        let mut value = placeholder(span);
        for p in inner(pair) {
            match p.as_rule() {
                Rule::kw_const => {}
                Rule::ident => name = self.lower_ident(p),
                Rule::expr => value = self.lower_expr(p, 0),
                _ => self.unexpected(&p),
            }
        }
        ConstDef { name, value, span }
    }

    fn lower_table_item(&self, pair: Pair<'_, Rule>) -> TableDef {
        let span = self.span(&pair);
        let mut idents = Vec::new();
        let mut rows = Vec::new();
        for p in inner(pair) {
            match p.as_rule() {
                Rule::kw_table => {}
                Rule::ident => idents.push(self.lower_ident(p)),
                Rule::table_row => rows.push(self.lower_table_row(p)),
                _ => self.unexpected(&p),
            }
        }
        let mut idents = idents.into_iter();
        let name = idents.next().unwrap_or(Ident {
            name: String::new(),
            span,
        });
        TableDef {
            name,
            params: idents.collect(),
            rows,
            span,
        }
    }

    fn lower_table_row(&self, pair: Pair<'_, Rule>) -> TableRow {
        let span = self.span(&pair);
        let mut cells = Vec::new();
        let mut output = placeholder(span);
        for p in inner(pair) {
            match p.as_rule() {
                Rule::cell => cells.push(self.lower_cell(p)),
                Rule::table_output => output = self.lower_expr(p, 0),
                _ => self.unexpected(&p),
            }
        }
        TableRow {
            cells,
            output,
            span,
        }
    }

    fn lower_cell(&self, pair: Pair<'_, Rule>) -> Cell {
        let span = self.span(&pair);
        let kind = match inner(pair).next() {
            Some(p) => match p.as_rule() {
                Rule::cell_any => CellKind::Any,
                Rule::cell_list => self.lower_cell_list(p),
                Rule::cell_compare => self.lower_cell_compare(p),
                Rule::cell_value => CellKind::Equals(self.lower_cell_value(p)),
                _ => {
                    self.unexpected(&p);
                    CellKind::Any
                }
            },
            None => CellKind::Any,
        };
        Cell { kind, span }
    }

    fn lower_cell_list(&self, pair: Pair<'_, Rule>) -> CellKind {
        CellKind::OneOf(
            inner(pair)
                .filter(|p| p.as_rule() == Rule::cell_value)
                .map(|p| self.lower_cell_value(p))
                .collect(),
        )
    }

    fn lower_cell_compare(&self, pair: Pair<'_, Rule>) -> CellKind {
        let span = self.span(&pair);
        let mut op = CompareOp::Eq;
        let mut value = placeholder(span);
        for p in inner(pair) {
            match p.as_rule() {
                Rule::cell_value => value = self.lower_cell_value(p),
                rule => match compare_op(rule) {
                    Some(o) => op = o,
                    None => self.unexpected(&p),
                },
            }
        }
        CellKind::Compare(op, value)
    }

    /// A literal cell; a leading `-` is folded into the number, money, percent or duration.
    fn lower_cell_value(&self, pair: Pair<'_, Rule>) -> Expr {
        let span = self.span(&pair);
        let mut negative = false;
        let mut value = placeholder(span);
        for p in inner(pair) {
            match p.as_rule() {
                Rule::op_neg => negative = true,
                _ => value = self.lower_literal(p),
            }
        }
        if negative {
            let negated = match value.kind {
                ExprKind::Literal(Literal::Number(n)) => Some(Literal::Number(-n)),
                ExprKind::Literal(Literal::Percent(n)) => Some(Literal::Percent(-n)),
                ExprKind::Literal(Literal::Money(m)) => Some(Literal::Money(crate::value::Money {
                    amount: -m.amount,
                    ..m
                })),
                ExprKind::Literal(Literal::Duration(d)) => d.checked_neg().map(Literal::Duration),
                _ => None,
            };
            match negated {
                Some(lit) => {
                    value = Expr {
                        kind: ExprKind::Literal(lit),
                        span,
                    }
                }
                None => self.error(
                    Diagnostic::new(
                        Code::E0001,
                        span,
                        "`-` can only stand before a number, percent, money or duration",
                    )
                    .with_primary_label("cannot be negated"),
                ),
            }
        }
        value
    }

    // ---- rules ----

    fn lower_first_of_item(&self, pair: Pair<'_, Rule>) -> FirstOf {
        let span = self.span(&pair);
        let rules = inner(pair)
            .filter(|p| p.as_rule() == Rule::rule_item)
            .map(|p| self.lower_rule_item(p))
            .collect();
        FirstOf { rules, span }
    }

    fn lower_rule_item(&self, pair: Pair<'_, Rule>) -> RuleDef {
        let span = self.span(&pair);
        let mut name = Ident {
            name: String::new(),
            span,
        };
        let mut description = None;
        let mut clauses = Vec::new();
        for p in inner(pair) {
            match p.as_rule() {
                Rule::kw_rule => {}
                Rule::ident => name = self.lower_ident(p),
                Rule::string => description = Some(self.lower_string(p)),
                Rule::clause => clauses.extend(self.lower_clause(p)),
                _ => self.unexpected(&p),
            }
        }
        RuleDef {
            name,
            description,
            clauses,
            span,
        }
    }

    fn lower_clause(&self, pair: Pair<'_, Rule>) -> Option<Clause> {
        let p = inner(pair).next()?;
        let span = self.span(&p);
        let kind = match p.as_rule() {
            Rule::when_clause => ClauseKind::When(self.lower_when_clause(p)),
            Rule::unless_clause => ClauseKind::Unless(self.lower_unless_clause(p)),
            Rule::then_clause => ClauseKind::Then(self.lower_then_clause(p)),
            Rule::expect_clause => ClauseKind::Expect(self.lower_expect_clause(p)),
            Rule::limit_clause => ClauseKind::Limit(self.lower_limit_clause(p)),
            Rule::at_handler => ClauseKind::Handler(self.lower_at_handler(p)),
            Rule::on_handler => ClauseKind::Handler(self.lower_on_handler(p)),
            Rule::after_handler => ClauseKind::Handler(self.lower_after_handler(p)),
            _ => {
                self.unexpected(&p);
                return None;
            }
        };
        Some(Clause { kind, span })
    }

    fn only_expr(&self, pair: Pair<'_, Rule>) -> Expr {
        let span = self.span(&pair);
        inner(pair)
            .find(|p| is_expr_rule(p.as_rule()))
            .map_or_else(|| placeholder(span), |p| self.lower_expr(p, 0))
    }

    fn lower_when_clause(&self, pair: Pair<'_, Rule>) -> Expr {
        self.only_expr(pair)
    }

    fn lower_unless_clause(&self, pair: Pair<'_, Rule>) -> Expr {
        self.only_expr(pair)
    }

    fn lower_then_clause(&self, pair: Pair<'_, Rule>) -> Vec<Action> {
        inner(pair)
            .filter(|p| p.as_rule() == Rule::action)
            .map(|p| self.lower_action(p))
            .collect()
    }

    fn lower_expect_clause(&self, pair: Pair<'_, Rule>) -> Deadline {
        let span = self.span(&pair);
        let mut deadline = Deadline {
            done: placeholder(span),
            within: placeholder(span),
            start: placeholder(span),
            using: None,
            excluding: None,
        };
        for p in inner(pair) {
            match p.as_rule() {
                Rule::kw_expect
                | Rule::kw_within
                | Rule::kw_of
                | Rule::kw_using
                | Rule::kw_excluding => {}
                Rule::done_expr => deadline.done = self.lower_expr(p, 0),
                Rule::within_expr => deadline.within = self.lower_expr(p, 0),
                Rule::start_expr => deadline.start = self.lower_expr(p, 0),
                Rule::ident => deadline.using = Some(self.lower_ident(p)),
                Rule::excluding_expr => deadline.excluding = Some(self.lower_expr(p, 0)),
                _ => self.unexpected(&p),
            }
        }
        deadline
    }

    fn lower_limit_clause(&self, pair: Pair<'_, Rule>) -> Limit {
        let span = self.span(&pair);
        let mut limit = Limit {
            value: placeholder(span),
            op: LimitOp::AtMost,
            max: placeholder(span),
        };
        for p in inner(pair) {
            match p.as_rule() {
                Rule::kw_limit => {}
                Rule::limit_value => limit.value = self.lower_expr(p, 0),
                Rule::limit_op => limit.op = self.lower_limit_op(p),
                Rule::limit_max => limit.max = self.lower_expr(p, 0),
                _ => self.unexpected(&p),
            }
        }
        limit
    }

    fn lower_limit_op(&self, pair: Pair<'_, Rule>) -> LimitOp {
        if pair.as_str() == "<" {
            LimitOp::Below
        } else {
            LimitOp::AtMost
        }
    }

    fn handler_actions(&self, pair: Pair<'_, Rule>) -> Vec<Action> {
        inner(pair)
            .filter(|p| p.as_rule() == Rule::action)
            .map(|p| self.lower_action(p))
            .collect()
    }

    fn lower_at_handler(&self, pair: Pair<'_, Rule>) -> Handler {
        let span = self.span(&pair);
        let mut trigger = Trigger::At(rust_decimal::Decimal::ZERO, span);
        if let Some(p) = inner(pair.clone()).find(|p| p.as_rule() == Rule::percent_lit) {
            let at = self.span(&p);
            let value = literal::percent(p.as_str()).unwrap_or_else(|e| {
                self.literal_error(at, &e, None);
                rust_decimal::Decimal::ZERO
            });
            trigger = Trigger::At(value, at);
        }
        Handler {
            trigger,
            actions: self.handler_actions(pair),
            span,
        }
    }

    fn lower_on_handler(&self, pair: Pair<'_, Rule>) -> Handler {
        let span = self.span(&pair);
        let mut trigger = Trigger::Breach;
        for p in inner(pair.clone()) {
            match p.as_rule() {
                Rule::kw_breach => trigger = Trigger::Breach,
                Rule::kw_met => trigger = Trigger::Met,
                Rule::kw_exceed => trigger = Trigger::Exceed,
                _ => {}
            }
        }
        Handler {
            trigger,
            actions: self.handler_actions(pair),
            span,
        }
    }

    fn lower_after_handler(&self, pair: Pair<'_, Rule>) -> Handler {
        let span = self.span(&pair);
        let by = inner(pair.clone())
            .find(|p| p.as_rule() == Rule::by_expr)
            .map_or_else(|| placeholder(span), |p| self.lower_expr(p, 0));
        Handler {
            trigger: Trigger::AfterBreach(by),
            actions: self.handler_actions(pair),
            span,
        }
    }

    // ---- actions ----

    fn lower_action(&self, pair: Pair<'_, Rule>) -> Action {
        let span = self.span(&pair);
        let mut kind = ActionKind::Tag(placeholder(span));
        let mut args = Vec::new();
        for p in inner(pair) {
            match p.as_rule() {
                Rule::escalate_action => kind = ActionKind::Escalate(self.only_expr(p)),
                Rule::notify_action => kind = ActionKind::Notify(self.only_expr(p)),
                Rule::assign_action => kind = ActionKind::Assign(self.only_expr(p)),
                Rule::approval_action => kind = ActionKind::RequireApproval(self.only_expr(p)),
                Rule::follow_up_action => kind = ActionKind::FollowUp(self.only_expr(p)),
                Rule::refund_action => kind = self.lower_refund_action(p),
                Rule::tag_action => kind = ActionKind::Tag(self.only_expr(p)),
                Rule::set_action => kind = self.lower_set_action(p),
                Rule::emit_action => kind = ActionKind::Emit(self.only_expr(p)),
                Rule::with_args => args = self.lower_with_args(p),
                _ => self.unexpected(&p),
            }
        }
        Action { kind, args, span }
    }

    fn lower_refund_action(&self, pair: Pair<'_, Rule>) -> ActionKind {
        let compensate = inner(pair.clone()).any(|p| p.as_rule() == Rule::kw_compensate);
        ActionKind::Refund {
            amount: self.only_expr(pair),
            compensate,
        }
    }

    fn lower_set_action(&self, pair: Pair<'_, Rule>) -> ActionKind {
        let span = self.span(&pair);
        let mut path = Path {
            segments: Vec::new(),
            span,
        };
        let mut value = placeholder(span);
        for p in inner(pair) {
            match p.as_rule() {
                Rule::kw_set | Rule::kw_to => {}
                Rule::path | Rule::set_path => path = self.lower_path(p),
                Rule::expr => value = self.lower_expr(p, 0),
                _ => self.unexpected(&p),
            }
        }
        ActionKind::Set(path, value)
    }

    fn lower_with_args(&self, pair: Pair<'_, Rule>) -> Vec<(Ident, Expr)> {
        inner(pair)
            .filter(|p| p.as_rule() == Rule::with_arg)
            .map(|p| self.lower_with_arg(p))
            .collect()
    }

    fn lower_with_arg(&self, pair: Pair<'_, Rule>) -> (Ident, Expr) {
        let span = self.span(&pair);
        let mut key = Ident {
            name: String::new(),
            span,
        };
        let mut value = placeholder(span);
        for p in inner(pair) {
            match p.as_rule() {
                Rule::name | Rule::backtick => key = self.lower_segment(p),
                Rule::expr => value = self.lower_expr(p, 0),
                _ => self.unexpected(&p),
            }
        }
        (key, value)
    }

    // ---- expressions ----

    /// Any of the expression rules (`expr`, `cond`, `within_expr`, …, `table_output`):
    /// a flat sequence folded by the Pratt parser. `depth` is the nesting so far.
    fn lower_expr(&self, pair: Pair<'_, Rule>, depth: usize) -> Expr {
        let span = self.span(&pair);
        // INVARIANT: no tree deeper than MAX_EXPR_DEPTH is built. An expression with n
        // operators folds into a tree at most n deep, so the check comes before folding.
        let operators = pair
            .clone()
            .into_inner()
            .filter(|p| p.as_rule() != Rule::operand)
            .count();
        let depth = depth.saturating_add(operators).saturating_add(1);
        if depth > MAX_EXPR_DEPTH {
            // Point at the first operator past the limit rather than the whole expression.
            let allowed = MAX_EXPR_DEPTH.saturating_sub(depth - operators);
            let at = pair
                .clone()
                .into_inner()
                .filter(|p| p.as_rule() != Rule::operand)
                .nth(allowed)
                .map_or(span, |p| self.span(&p));
            self.error(
                Diagnostic::new(
                    Code::E0002,
                    at,
                    format!("expression nests deeper than {MAX_EXPR_DEPTH} levels"),
                )
                .with_primary_label("too many operators or nested parts")
                .with_help("split it, for example into `const` definitions or several rules"),
            );
            return placeholder(span);
        }
        self.fold(&mut pair.into_inner().peekable(), 0, depth, span)
            .expr
    }

    /// Folds the flat sequence of an expression by binding power (a Pratt parser): an
    /// operand or a prefix operator and what it binds, then every operator binding tighter
    /// than `bound` with what follows it. `span` stands for a part the grammar left out.
    // INVARIANT: recursion goes one operator further each time, and `lower_expr` refused
    // an expression with more than MAX_EXPR_DEPTH operators before calling it.
    fn fold(
        &self,
        pairs: &mut Peekable<Pairs<'_, Rule>>,
        bound: u32,
        depth: usize,
        span: Span,
    ) -> Folded {
        let mut lhs = match pairs.next() {
            None => Folded {
                expr: placeholder(span),
                grouped: false,
            },
            Some(op) => match affix(op.as_rule()) {
                Some((Affix::Prefix, power)) => {
                    let rhs = self.fold(pairs, power - 1, depth, span);
                    self.fold_prefix(op, rhs)
                }
                _ => self.lower_operand(op, depth),
            },
        };
        while let Some((place, power)) = pairs.peek().and_then(|op| affix(op.as_rule())) {
            if power <= bound {
                break;
            }
            let Some(op) = pairs.next() else { break };
            lhs = match place {
                Affix::Infix => {
                    let rhs = self.fold(pairs, power, depth, span);
                    self.fold_infix(lhs, op, rhs)
                }
                Affix::Postfix => self.fold_postfix(lhs, op),
                // The grammar puts a prefix operator only before an operand.
                Affix::Prefix => {
                    self.unexpected(&op);
                    lhs
                }
            };
        }
        lhs
    }

    /// Refuses `a < b < c`: comparisons and tests do not chain (SPEC §6).
    fn check_chain(&self, operand: &Folded, op: &Pair<'_, Rule>) {
        let chained = !operand.grouped
            && matches!(
                &operand.expr.kind,
                ExprKind::Binary(BinaryOp::Compare(_), ..)
                    | ExprKind::Test(..)
                    | ExprKind::IsMissing(..)
                    | ExprKind::During(..)
            );
        if chained {
            self.error(
                Diagnostic::new(
                    Code::E0001,
                    self.span(op),
                    format!("`{}` cannot follow another comparison or test", op.as_str()),
                )
                .with_primary_label("comparisons do not chain")
                .with_label(operand.expr.span, "this is already a comparison or test")
                .with_help(
                    "join two comparisons with `and` (`a < b and b < c`), or add parentheses",
                ),
            );
        }
    }

    fn fold_prefix(&self, op: Pair<'_, Rule>, rhs: Folded) -> Folded {
        let span = self.span(&op).to(rhs.expr.span);
        let kind = match op.as_rule() {
            Rule::op_neg => ExprKind::Unary(UnaryOp::Neg, Box::new(rhs.expr)),
            Rule::op_not => ExprKind::Unary(UnaryOp::Not, Box::new(rhs.expr)),
            Rule::percent_of => {
                let percent = inner(op.clone()).find(|p| p.as_rule() == Rule::percent_lit);
                let value = percent.map_or(rust_decimal::Decimal::ZERO, |p| {
                    literal::percent(p.as_str()).unwrap_or_else(|e| {
                        self.literal_error(self.span(&p), &e, None);
                        rust_decimal::Decimal::ZERO
                    })
                });
                ExprKind::PercentOf(value, Box::new(rhs.expr))
            }
            _ => {
                self.unexpected(&op);
                return rhs;
            }
        };
        Folded {
            expr: Expr { kind, span },
            grouped: false,
        }
    }

    fn fold_postfix(&self, lhs: Folded, op: Pair<'_, Rule>) -> Folded {
        self.check_chain(&lhs, &op);
        let span = lhs.expr.span.to(self.span(&op));
        let kind = match op.as_rule() {
            Rule::op_is_missing => ExprKind::IsMissing(Box::new(lhs.expr), true),
            Rule::op_is_present => ExprKind::IsMissing(Box::new(lhs.expr), false),
            Rule::op_during => {
                let calendar = inner(op.clone())
                    .find(|p| p.as_rule() == Rule::ident)
                    .map_or(
                        Ident {
                            name: String::new(),
                            span,
                        },
                        |p| self.lower_ident(p),
                    );
                ExprKind::During(Box::new(lhs.expr), calendar)
            }
            _ => {
                self.unexpected(&op);
                return lhs;
            }
        };
        Folded {
            expr: Expr { kind, span },
            grouped: false,
        }
    }

    fn fold_infix(&self, lhs: Folded, op: Pair<'_, Rule>, rhs: Folded) -> Folded {
        let span = lhs.expr.span.to(rhs.expr.span);
        let rule = op.as_rule();
        if compare_op(rule).is_some()
            || matches!(
                rule,
                Rule::op_in | Rule::op_not_in | Rule::op_contains | Rule::op_matches
            )
        {
            self.check_chain(&lhs, &op);
        }
        let (l, r) = (Box::new(lhs.expr), Box::new(rhs.expr));
        let kind = if let Some(cmp) = compare_op(rule) {
            ExprKind::Binary(BinaryOp::Compare(cmp), l, r)
        } else {
            match rule {
                Rule::op_or => ExprKind::Binary(BinaryOp::Or, l, r),
                Rule::op_and => ExprKind::Binary(BinaryOp::And, l, r),
                Rule::op_add => ExprKind::Binary(BinaryOp::Add, l, r),
                Rule::op_sub => ExprKind::Binary(BinaryOp::Sub, l, r),
                Rule::op_mul => ExprKind::Binary(BinaryOp::Mul, l, r),
                Rule::op_div => ExprKind::Binary(BinaryOp::Div, l, r),
                Rule::op_in | Rule::op_not_in | Rule::op_contains | Rule::op_matches => {
                    let test = match rule {
                        Rule::op_in => TestOp::In,
                        Rule::op_not_in => TestOp::NotIn,
                        Rule::op_contains => TestOp::Contains,
                        _ => TestOp::Matches,
                    };
                    ExprKind::Test(test, l, r)
                }
                _ => {
                    self.unexpected(&op);
                    return Folded {
                        expr: *l,
                        grouped: false,
                    };
                }
            }
        };
        Folded {
            expr: Expr { kind, span },
            grouped: false,
        }
    }

    fn lower_operand(&self, pair: Pair<'_, Rule>, depth: usize) -> Folded {
        let span = self.span(&pair);
        let Some(p) = inner(pair).next() else {
            return Folded {
                expr: placeholder(span),
                grouped: false,
            };
        };
        match p.as_rule() {
            Rule::paren => Folded {
                expr: self.lower_paren(p, depth),
                grouped: true,
            },
            Rule::list => Folded {
                expr: self.lower_list(p, depth),
                grouped: false,
            },
            Rule::call => Folded {
                expr: self.lower_call(p, depth),
                grouped: false,
            },
            Rule::path => {
                let path = self.lower_path(p);
                Folded {
                    expr: Expr {
                        span: path.span,
                        kind: ExprKind::Path(path),
                    },
                    grouped: false,
                }
            }
            Rule::kw_now => Folded {
                expr: Expr {
                    kind: ExprKind::Now,
                    span,
                },
                grouped: false,
            },
            _ => Folded {
                expr: self.lower_literal(p),
                grouped: false,
            },
        }
    }

    fn lower_paren(&self, pair: Pair<'_, Rule>, depth: usize) -> Expr {
        let span = self.span(&pair);
        let expr = inner(pair)
            .find(|p| p.as_rule() == Rule::expr)
            .map_or_else(|| placeholder(span), |p| self.lower_expr(p, depth));
        self.parens.borrow_mut().push(expr.span);
        expr
    }

    fn lower_list(&self, pair: Pair<'_, Rule>, depth: usize) -> Expr {
        let span = self.span(&pair);
        let items = inner(pair)
            .filter(|p| p.as_rule() == Rule::expr)
            .map(|p| self.lower_expr(p, depth))
            .collect();
        Expr {
            kind: ExprKind::List(items),
            span,
        }
    }

    fn lower_call(&self, pair: Pair<'_, Rule>, depth: usize) -> Expr {
        let span = self.span(&pair);
        let mut name = Ident {
            name: String::new(),
            span,
        };
        let mut kind = None;
        for p in inner(pair) {
            match p.as_rule() {
                Rule::ident => name = self.lower_ident(p),
                Rule::call_args => kind = Some(self.lower_call_args(p, &name, depth)),
                _ => self.unexpected(&p),
            }
        }
        let kind = kind.unwrap_or_else(|| ExprKind::Call(name, Vec::new()));
        Expr { kind, span }
    }

    fn lower_call_args(&self, pair: Pair<'_, Rule>, name: &Ident, depth: usize) -> ExprKind {
        let mut args = Vec::new();
        let mut tail = None;
        for p in inner(pair) {
            match p.as_rule() {
                Rule::expr => args.push(self.lower_expr(p, depth)),
                Rule::comprehension_tail => tail = Some(p),
                _ => self.unexpected(&p),
            }
        }
        let Some(tail) = tail else {
            return ExprKind::Call(name.clone(), args);
        };
        let span = self.span(&tail);
        let body = args.into_iter().next().unwrap_or_else(|| placeholder(span));
        self.lower_comprehension_tail(tail, name, body, depth)
    }

    fn lower_comprehension_tail(
        &self,
        pair: Pair<'_, Rule>,
        name: &Ident,
        body: Expr,
        depth: usize,
    ) -> ExprKind {
        let span = self.span(&pair);
        let mut var = Ident {
            name: String::new(),
            span,
        };
        let mut exprs = Vec::new();
        for p in inner(pair) {
            match p.as_rule() {
                Rule::kw_for | Rule::kw_in | Rule::kw_where => {}
                Rule::ident => var = self.lower_ident(p),
                Rule::expr => exprs.push(self.lower_expr(p, depth)),
                _ => self.unexpected(&p),
            }
        }
        let mut exprs = exprs.into_iter();
        let list = exprs.next().unwrap_or_else(|| placeholder(span));
        let filter = exprs.next();
        let Some(agg) = Aggregate::from_name(&name.name) else {
            self.error(
                Diagnostic::new(
                    Code::E0001,
                    name.span,
                    format!("`{}` cannot aggregate a `for` comprehension", name.name),
                )
                .with_primary_label("not an aggregate")
                .with_help(
                    "a comprehension starts with `count`, `sum`, `min`, `max`, `any`, `all` or `spans`",
                ),
            );
            return ExprKind::Call(name.clone(), vec![body, list]);
        };
        ExprKind::Comprehension(Box::new(Comprehension {
            agg,
            agg_span: name.span,
            body,
            var,
            list,
            filter,
        }))
    }

    fn lower_literal(&self, pair: Pair<'_, Rule>) -> Expr {
        let span = self.span(&pair);
        let text = pair.as_str();
        let result = match pair.as_rule() {
            Rule::number_lit => literal::number(text)
                .map(Literal::Number)
                .map_err(|e| (e, None)),
            Rule::percent_lit => literal::percent(text)
                .map(Literal::Percent)
                .map_err(|e| (e, None)),
            Rule::money_lit => literal::money(text).map(Literal::Money),
            Rule::duration_lit => literal::duration(text)
                .map(Literal::Duration)
                .map_err(|e| (e, None)),
            Rule::date_lit => literal::date(text)
                .map(Literal::Date)
                .map_err(|e| (e, None)),
            Rule::time_lit => literal::time(text)
                .map(|(t, o)| Literal::Time(t, o))
                .map_err(|e| (e, None)),
            Rule::string => Ok(Literal::Text(self.lower_string(pair).value)),
            Rule::kw_true => Ok(Literal::Bool(true)),
            Rule::kw_false => Ok(Literal::Bool(false)),
            _ => {
                self.unexpected(&pair);
                return placeholder(span);
            }
        };
        match result {
            Ok(lit) => Expr {
                kind: ExprKind::Literal(lit),
                span,
            },
            Err((e, sub)) => {
                self.literal_error(span, &e, sub);
                placeholder(span)
            }
        }
    }

    // ---- names and texts ----

    fn lower_string(&self, pair: Pair<'_, Rule>) -> Text {
        let span = self.span(&pair);
        let value = literal::text(pair.as_str()).unwrap_or_else(|e| {
            self.literal_error(span, &e, None);
            String::new()
        });
        Text { value, span }
    }

    fn lower_ident(&self, pair: Pair<'_, Rule>) -> Ident {
        Ident {
            name: pair.as_str().to_owned(),
            span: self.span(&pair),
        }
    }

    /// A path segment: a name, or a backticked name without its backticks.
    fn lower_segment(&self, pair: Pair<'_, Rule>) -> Ident {
        let text = pair.as_str();
        let name = match pair.as_rule() {
            Rule::backtick => text
                .strip_prefix('`')
                .and_then(|t| t.strip_suffix('`'))
                .unwrap_or(text),
            _ => text,
        };
        Ident {
            name: name.to_owned(),
            span: self.span(&pair),
        }
    }

    /// `path` and `field_path`.
    fn lower_path(&self, pair: Pair<'_, Rule>) -> Path {
        let span = self.span(&pair);
        let segments = pair.into_inner().map(|p| self.lower_segment(p)).collect();
        Path { segments, span }
    }
}

fn compare_op(rule: Rule) -> Option<CompareOp> {
    Some(match rule {
        Rule::op_eq => CompareOp::Eq,
        Rule::op_ne => CompareOp::Ne,
        Rule::op_lt => CompareOp::Lt,
        Rule::op_le => CompareOp::Le,
        Rule::op_gt => CompareOp::Gt,
        Rule::op_ge => CompareOp::Ge,
        _ => return None,
    })
}

/// Whether a rule is one of the grammar's expression positions (each folds to one `Expr`).
fn is_expr_rule(rule: Rule) -> bool {
    matches!(rule, super::grammar::expression_rules!(Rule))
}
