//! The abstract syntax tree of a policy file.
//!
//! Produced by [`crate::syntax`], read by the checker, the formatter and the compiler.
//! Every node carries a [`Span`]; spans compare equal to each other, so two trees compare
//! equal when they differ only in positions (tests compare trees without positions).
//! Literals are already in their typed form (exact decimals, durations, money, dates,
//! instants), so no later stage parses text again.

mod span;

pub use span::{Span, line_col as span_line_col};

use rust_decimal::Decimal;

use crate::value::{Duration, Money};

/// A whole policy file: one `policy "Name" { … }`.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct PolicyFile {
    /// The policy's name.
    pub name: Text,
    /// `extends "PATH"`: the base this policy starts from (SPEC §16). The resolve stage
    /// merges the base in and clears it, so later stages never see it.
    pub extends: Option<Text>,
    /// The items inside the braces, in source order.
    pub items: Vec<Item>,
    /// Every comment in the file, in source order (the formatter puts them back).
    pub comments: Vec<Comment>,
    /// The whole `policy … { … }`.
    pub span: Span,
}

/// A `// …` comment.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Comment {
    /// The text after `//`, without the line end.
    pub text: String,
    /// Where the comment stands, `//` included.
    pub span: Span,
}

/// A text literal with its span.
#[derive(Clone, Debug, PartialEq, Eq, Hash)]
pub struct Text {
    /// The decoded value (escapes resolved).
    pub value: String,
    /// The quoted literal.
    pub span: Span,
}

/// A name: an identifier, or a backticked segment of a field path.
#[derive(Clone, Debug, PartialEq, Eq, Hash)]
pub struct Ident {
    /// The name without backticks.
    pub name: String,
    /// Where it stands.
    pub span: Span,
}

/// A field path: names joined by `.` (`customer.tier`, `` `from`.address ``).
#[derive(Clone, Debug, PartialEq, Eq, Hash)]
pub struct Path {
    /// The segments, at least one.
    pub segments: Vec<Ident>,
    /// The whole path.
    pub span: Span,
}

impl Path {
    /// The dotted form, without backticks (`customer.tier`).
    pub fn dotted(&self) -> String {
        let mut out = String::new();
        for (i, segment) in self.segments.iter().enumerate() {
            if i > 0 {
                out.push('.');
            }
            out.push_str(&segment.name);
        }
        out
    }
}

/// One item of a policy body.
#[derive(Clone, Debug, PartialEq, Eq)]
pub enum Item {
    /// `version "2026.1"`.
    Version(Text),
    /// `timezone "Asia/Kolkata"`.
    Timezone(Text),
    /// `ladder "agent", "team-lead", …`, lowest first.
    Ladder(Ladder),
    /// `record { … }`.
    Record(Schema),
    /// `calendar NAME { … }`.
    Calendar(CalendarDef),
    /// `const NAME = EXPR`.
    Const(ConstDef),
    /// `table NAME(…) { … }`.
    Table(TableDef),
    /// `rule NAME ["description"] { … }`.
    Rule(RuleDef),
    /// `first of { rule … }`.
    FirstOf(FirstOf),
    /// `effective 2026-04-01`: in force from the start of that day (SPEC §16).
    Effective(DateLit),
    /// `when COND` at policy level: the records the policy is for (SPEC §16).
    When(PolicyWhen),
    /// `override const|calendar|table|rule …`: replaces the base's item of that name.
    Override(Override),
    /// `remove rule NAME`: drops the base's rule.
    Remove(Remove),
}

/// A policy-level `when COND`.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct PolicyWhen {
    /// The condition.
    pub cond: Expr,
    /// The whole item.
    pub span: Span,
}

/// `override ITEM`.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Override {
    /// The replacement: a `Const`, `Calendar`, `Table` or `Rule` item.
    pub item: Box<Item>,
    /// The whole item, `override` included.
    pub span: Span,
}

/// `remove rule NAME`.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Remove {
    /// The rule removed.
    pub name: Ident,
    /// The whole item.
    pub span: Span,
}

impl Item {
    /// The name an `override` or `remove` can refer to, with its kind (`"rule"`, `"const"`,
    /// `"calendar"`, `"table"`), for items that have one.
    pub fn defined_name(&self) -> Option<(&'static str, &Ident)> {
        match self {
            Item::Const(def) => Some(("const", &def.name)),
            Item::Calendar(def) => Some(("calendar", &def.name)),
            Item::Table(def) => Some(("table", &def.name)),
            Item::Rule(def) => Some(("rule", &def.name)),
            _ => None,
        }
    }
}

/// `ladder "a", "b", …`.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Ladder {
    /// Escalation levels, lowest first.
    pub levels: Vec<Text>,
    /// The whole item.
    pub span: Span,
}

/// `record { field: type, … }`.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Schema {
    /// Declared fields, in source order.
    pub fields: Vec<FieldDecl>,
    /// The whole block.
    pub span: Span,
}

/// `path: type` in a schema, or `name: type` in an object type.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct FieldDecl {
    /// The field path (a single segment inside an object type).
    pub path: Path,
    /// Its declared type.
    pub ty: TypeExpr,
    /// The whole declaration.
    pub span: Span,
}

/// A schema type, `?` included.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct TypeExpr {
    /// The type without `?`.
    pub kind: TypeKind,
    /// Whether the field may be absent or null (`T?`).
    pub optional: bool,
    /// The whole type.
    pub span: Span,
}

/// The kinds of schema type.
#[derive(Clone, Debug, PartialEq, Eq)]
pub enum TypeKind {
    /// `text`.
    Text,
    /// `number`.
    Number,
    /// `bool`.
    Bool,
    /// `money`.
    Money,
    /// `duration`.
    Duration,
    /// `date`.
    Date,
    /// `time`.
    Time,
    /// `"a" | "b" | …`: an enumeration of texts.
    Enum(Vec<Text>),
    /// `list<T>`.
    List(Box<TypeExpr>),
    /// `{ name: T, … }`.
    Object(Vec<FieldDecl>),
}

/// `calendar NAME { … }`.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct CalendarDef {
    /// The calendar's name.
    pub name: Ident,
    /// Its lines, in source order.
    pub lines: Vec<CalendarLine>,
    /// The whole block.
    pub span: Span,
}

/// One line of a calendar.
#[derive(Clone, Debug, PartialEq, Eq)]
pub enum CalendarLine {
    /// `timezone "Europe/Berlin"`.
    Timezone(Text),
    /// `mon-fri 09:00-13:00, 14:00-18:00`.
    Open(OpenHours),
    /// `closed 2026-12-25, 2026-12-26`.
    Closed(ClosedDays),
}

/// Open intervals on a day or a range of days.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct OpenHours {
    /// The first day (`mon`); checked by the checker, any name parses.
    pub from: Ident,
    /// The last day of a range (`fri` in `mon-fri`).
    pub to: Option<Ident>,
    /// One or more intervals.
    pub intervals: Vec<ClockInterval>,
    /// The whole line.
    pub span: Span,
}

/// `09:00-13:00`: civil times of day in the calendar's zone.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct ClockInterval {
    /// Start.
    pub start: ClockTime,
    /// End (`24:00` allowed).
    pub end: ClockTime,
    /// The whole interval.
    pub span: Span,
}

/// A time of day as minutes after midnight, `0..=1440` (`24:00` is 1440).
#[derive(Clone, Copy, Debug, PartialEq, Eq, PartialOrd, Ord, Hash)]
pub struct ClockTime {
    /// Minutes after midnight.
    pub minutes: u16,
}

impl ClockTime {
    /// Hours and minutes, or `None` outside `00:00..=24:00`.
    pub fn new(hour: u16, minute: u16) -> Option<ClockTime> {
        let valid = (hour < 24 && minute < 60) || (hour == 24 && minute == 0);
        valid.then_some(ClockTime {
            minutes: hour * 60 + minute,
        })
    }
}

impl std::fmt::Display for ClockTime {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        write!(f, "{:02}:{:02}", self.minutes / 60, self.minutes % 60)
    }
}

/// `closed DATE, …`.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct ClosedDays {
    /// The holidays.
    pub dates: Vec<DateLit>,
    /// The whole line.
    pub span: Span,
}

/// A date literal with its span.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct DateLit {
    /// The civil date.
    pub date: jiff::civil::Date,
    /// Where it stands.
    pub span: Span,
}

/// `const NAME = EXPR`.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct ConstDef {
    /// The constant's name.
    pub name: Ident,
    /// Its value (no record fields).
    pub value: Expr,
    /// The whole item.
    pub span: Span,
}

/// `table NAME(p, …) { row … }`.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct TableDef {
    /// The table's name.
    pub name: Ident,
    /// Parameter names, one per input column.
    pub params: Vec<Ident>,
    /// Rows, first match wins.
    pub rows: Vec<TableRow>,
    /// The whole block.
    pub span: Span,
}

/// `cell, cell => output`.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct TableRow {
    /// One cell per input.
    pub cells: Vec<Cell>,
    /// The value when the row matches.
    pub output: Expr,
    /// The whole row.
    pub span: Span,
}

/// One cell of a table row.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Cell {
    /// What the cell tests.
    pub kind: CellKind,
    /// Where it stands.
    pub span: Span,
}

/// What a table cell tests.
#[derive(Clone, Debug, PartialEq, Eq)]
pub enum CellKind {
    /// `_`: anything, missing included.
    Any,
    /// A literal: equality.
    Equals(Expr),
    /// A list of literals: membership.
    OneOf(Vec<Expr>),
    /// `>= 1000 USD`: comparison with a literal.
    Compare(CompareOp, Expr),
}

/// `first of { rule … }`.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct FirstOf {
    /// The rules, in priority order.
    pub rules: Vec<RuleDef>,
    /// The whole block.
    pub span: Span,
}

/// `rule NAME ["description"] { clause … }`.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct RuleDef {
    /// The rule's name.
    pub name: Ident,
    /// The optional description.
    pub description: Option<Text>,
    /// Clauses in source order; the checker enforces which may appear and how often.
    pub clauses: Vec<Clause>,
    /// The whole block.
    pub span: Span,
}

impl RuleDef {
    /// The `when` guard, if any (the first, when repeated).
    pub fn when(&self) -> Option<&Expr> {
        self.clauses.iter().find_map(|c| match &c.kind {
            ClauseKind::When(e) => Some(e),
            _ => None,
        })
    }

    /// The `unless` exemption, if any (the first, when repeated).
    pub fn unless(&self) -> Option<&Expr> {
        self.clauses.iter().find_map(|c| match &c.kind {
            ClauseKind::Unless(e) => Some(e),
            _ => None,
        })
    }

    /// The `expect` or `limit` check, if any (the first, when repeated).
    pub fn check(&self) -> Option<&Clause> {
        self.clauses
            .iter()
            .find(|c| matches!(c.kind, ClauseKind::Expect(_) | ClauseKind::Limit(_)))
    }

    /// All `then` actions, in source order.
    pub fn then_actions(&self) -> impl Iterator<Item = &Action> {
        self.clauses.iter().flat_map(|c| match &c.kind {
            ClauseKind::Then(actions) => actions.as_slice(),
            _ => &[],
        })
    }

    /// All handlers, in source order.
    pub fn handlers(&self) -> impl Iterator<Item = &Handler> {
        self.clauses.iter().filter_map(|c| match &c.kind {
            ClauseKind::Handler(h) => Some(h),
            _ => None,
        })
    }

    /// Every action of the rule: its `then` actions, then each handler's, in source order.
    pub fn actions(&self) -> impl Iterator<Item = &Action> {
        self.then_actions()
            .chain(self.handlers().flat_map(|h| h.actions.iter()))
    }

    /// The position of one of the rule's own actions among [`RuleDef::actions`]; a money
    /// action's key covers it, so two equal payments of one rule stay two.
    pub fn action_position(&self, action: &Action) -> Option<usize> {
        self.actions().position(|a| std::ptr::eq(a, action))
    }
}

/// One clause of a rule.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Clause {
    /// What the clause says.
    pub kind: ClauseKind,
    /// The whole clause.
    pub span: Span,
}

/// The kinds of rule clause.
#[derive(Clone, Debug, PartialEq, Eq)]
pub enum ClauseKind {
    /// `when COND`.
    When(Expr),
    /// `unless COND`.
    Unless(Expr),
    /// `then ACTION …`.
    Then(Vec<Action>),
    /// `expect DONE within DURATION of START [using CAL] [excluding INTERVALS]`.
    Expect(Deadline),
    /// `limit VALUE <= MAX` or `limit VALUE < MAX`.
    Limit(Limit),
    /// `at P%: …`, `on breach: …`, `after breach by D: …`, `on met: …`, `on exceed: …`.
    Handler(Handler),
}

/// The parts of an `expect` clause.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Deadline {
    /// The instant the work was done (missing while not done).
    pub done: Expr,
    /// How much running time is allowed.
    pub within: Expr,
    /// When the clock starts.
    pub start: Expr,
    /// `using CALENDAR`: count only open hours.
    pub using: Option<Ident>,
    /// `excluding INTERVALS`: a list of `{from, to?}` during which the clock stops.
    pub excluding: Option<Expr>,
}

/// The parts of a `limit` clause.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Limit {
    /// The value limited.
    pub value: Expr,
    /// `<=` or `<`.
    pub op: LimitOp,
    /// The maximum.
    pub max: Expr,
}

/// The comparison of a `limit`.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash)]
pub enum LimitOp {
    /// `<=`: the maximum itself is within.
    AtMost,
    /// `<`: the maximum itself exceeds.
    Below,
}

/// A handler: a trigger and its actions.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Handler {
    /// When it runs.
    pub trigger: Trigger,
    /// What it requires.
    pub actions: Vec<Action>,
    /// The whole handler.
    pub span: Span,
}

/// When a handler runs.
#[derive(Clone, Debug, PartialEq, Eq)]
pub enum Trigger {
    /// `at P%`: pending and at least P% of the time used. Holds the written number (75).
    At(Decimal, Span),
    /// `on breach`.
    Breach,
    /// `after breach by D`.
    AfterBreach(Expr),
    /// `on met`.
    Met,
    /// `on exceed`.
    Exceed,
}

/// An action with its optional `with { … }` arguments.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Action {
    /// What the action is.
    pub kind: ActionKind,
    /// `with { key: EXPR, … }`, in source order.
    pub args: Vec<(Ident, Expr)>,
    /// The whole action.
    pub span: Span,
}

/// The kinds of action (SPEC §10).
#[derive(Clone, Debug, PartialEq, Eq)]
pub enum ActionKind {
    /// `escalate to T`.
    Escalate(Expr),
    /// `notify T`.
    Notify(Expr),
    /// `assign to Q`.
    Assign(Expr),
    /// `require approval from R`.
    RequireApproval(Expr),
    /// `follow up within D`.
    FollowUp(Expr),
    /// `refund MONEY` or `compensate MONEY` (goodwill, not a refund: a kind of its own in
    /// the decision).
    Refund {
        /// The amount.
        amount: Expr,
        /// Whether it was written `compensate`.
        compensate: bool,
    },
    /// `tag "x"`.
    Tag(Expr),
    /// `set FIELD to EXPR`.
    Set(Path, Expr),
    /// `emit "name"`.
    Emit(Expr),
}

/// An expression with its span.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Expr {
    /// What the expression is.
    pub kind: ExprKind,
    /// Where it stands (parentheses not included).
    pub span: Span,
}

/// The kinds of expression.
#[derive(Clone, Debug, PartialEq, Eq)]
pub enum ExprKind {
    /// A literal value.
    Literal(Literal),
    /// `[a, b, …]`.
    List(Vec<Expr>),
    /// A field path, a constant or a comprehension variable (the checker resolves which).
    Path(Path),
    /// `now`.
    Now,
    /// `-x` or `not x`.
    Unary(UnaryOp, Box<Expr>),
    /// `a OP b` for arithmetic, comparison and logic.
    Binary(BinaryOp, Box<Expr>, Box<Expr>),
    /// `P% of X`: holds the written percent number (50 for `50%`).
    PercentOf(Decimal, Box<Expr>),
    /// `x in LIST`, `x not in LIST`, `a contains b`, `t matches "re"`.
    Test(TestOp, Box<Expr>, Box<Expr>),
    /// `x is missing` (`true`) or `x is present` (`false`).
    IsMissing(Box<Expr>, bool),
    /// `t during CALENDAR`.
    During(Box<Expr>, Ident),
    /// `name(args…)`: a function, an aggregate over a list, or a table.
    Call(Ident, Vec<Expr>),
    /// `AGG(EXPR for VAR in LIST [where COND])`, and `spans(E for X in LIST [where COND])`.
    Comprehension(Box<Comprehension>),
}

/// `AGG(EXPR for VAR in LIST [where COND])`.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Comprehension {
    /// The aggregate.
    pub agg: Aggregate,
    /// The span of the aggregate's name.
    pub agg_span: Span,
    /// The value computed per element.
    pub body: Expr,
    /// The element variable.
    pub var: Ident,
    /// The list iterated.
    pub list: Expr,
    /// The optional filter.
    pub filter: Option<Expr>,
}

/// The aggregates of a comprehension.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash)]
pub enum Aggregate {
    /// `count`: elements whose body is true (or present, when not bool).
    Count,
    /// `sum`.
    Sum,
    /// `min`.
    Min,
    /// `max`.
    Max,
    /// `any`: true if some body is true.
    Any,
    /// `all`: true if every body is true.
    All,
    /// `spans`: not an aggregate but the pauses of a status history (SPEC §7): the
    /// elements ordered by the body (a time), and each element the filter holds for gives
    /// the interval from its time to the next element's (the last: until `now`). It stands
    /// only as the intervals of `excluding`.
    Spans,
}

impl Aggregate {
    /// The keyword.
    pub fn name(self) -> &'static str {
        match self {
            Aggregate::Count => "count",
            Aggregate::Sum => "sum",
            Aggregate::Min => "min",
            Aggregate::Max => "max",
            Aggregate::Any => "any",
            Aggregate::All => "all",
            Aggregate::Spans => "spans",
        }
    }

    /// The aggregate with this name.
    pub fn from_name(name: &str) -> Option<Aggregate> {
        Some(match name {
            "count" => Aggregate::Count,
            "sum" => Aggregate::Sum,
            "min" => Aggregate::Min,
            "max" => Aggregate::Max,
            "any" => Aggregate::Any,
            "all" => Aggregate::All,
            "spans" => Aggregate::Spans,
            _ => return None,
        })
    }
}

/// Unary operators.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash)]
pub enum UnaryOp {
    /// `-x`.
    Neg,
    /// `not x`.
    Not,
}

/// Binary operators, lowest precedence first.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash)]
pub enum BinaryOp {
    /// `or`.
    Or,
    /// `and`.
    And,
    /// A comparison.
    Compare(CompareOp),
    /// `+`.
    Add,
    /// `-`.
    Sub,
    /// `*`.
    Mul,
    /// `/`.
    Div,
}

impl BinaryOp {
    /// The operator as written.
    pub fn symbol(self) -> &'static str {
        match self {
            BinaryOp::Or => "or",
            BinaryOp::And => "and",
            BinaryOp::Compare(op) => op.symbol(),
            BinaryOp::Add => "+",
            BinaryOp::Sub => "-",
            BinaryOp::Mul => "*",
            BinaryOp::Div => "/",
        }
    }
}

/// Comparison operators.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash)]
pub enum CompareOp {
    /// `==`.
    Eq,
    /// `!=`.
    Ne,
    /// `<`.
    Lt,
    /// `<=`.
    Le,
    /// `>`.
    Gt,
    /// `>=`.
    Ge,
}

impl CompareOp {
    /// The operator with its operands swapped: `a < b` is `b > a`.
    pub(crate) fn flipped(self) -> CompareOp {
        match self {
            CompareOp::Eq => CompareOp::Eq,
            CompareOp::Ne => CompareOp::Ne,
            CompareOp::Lt => CompareOp::Gt,
            CompareOp::Le => CompareOp::Ge,
            CompareOp::Gt => CompareOp::Lt,
            CompareOp::Ge => CompareOp::Le,
        }
    }

    /// Whether `a OP b` holds, for two ordered values.
    #[inline]
    pub(crate) fn holds<T: Ord>(self, a: T, b: T) -> bool {
        match self {
            CompareOp::Eq => a == b,
            CompareOp::Ne => a != b,
            CompareOp::Lt => a < b,
            CompareOp::Le => a <= b,
            CompareOp::Gt => a > b,
            CompareOp::Ge => a >= b,
        }
    }

    /// The operator as written.
    pub fn symbol(self) -> &'static str {
        match self {
            CompareOp::Eq => "==",
            CompareOp::Ne => "!=",
            CompareOp::Lt => "<",
            CompareOp::Le => "<=",
            CompareOp::Gt => ">",
            CompareOp::Ge => ">=",
        }
    }
}

/// Test operators.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash)]
pub enum TestOp {
    /// `x in LIST`.
    In,
    /// `x not in LIST`.
    NotIn,
    /// `TEXT contains TEXT` or `LIST contains X`.
    Contains,
    /// `TEXT matches "regex"`.
    Matches,
}

impl TestOp {
    /// The operator as written.
    pub fn symbol(self) -> &'static str {
        match self {
            TestOp::In => "in",
            TestOp::NotIn => "not in",
            TestOp::Contains => "contains",
            TestOp::Matches => "matches",
        }
    }
}

/// A literal, already in its typed form.
#[derive(Clone, Debug, PartialEq, Eq)]
pub enum Literal {
    /// `42`, `3.75`, `1_000`.
    Number(Decimal),
    /// `50%`: holds the written number (50), not the fraction.
    Percent(Decimal),
    /// `500 USD`.
    Money(Money),
    /// `15m`, `1h30m`.
    Duration(Duration),
    /// `2026-01-26`.
    Date(jiff::civil::Date),
    /// `2026-03-02T09:00:00Z`: the instant and the offset it was written with.
    Time(jiff::Timestamp, jiff::tz::Offset),
    /// `"text"`.
    Text(String),
    /// `true`, `false`.
    Bool(bool),
}
