//! Proptest strategies that build valid policy syntax trees.
//!
//! Every construct of the language appears: each item, schema type, calendar line, table
//! cell, clause, trigger, action (with and without `with { … }`), literal kind and
//! operator, expressions nested up to five levels deep, field paths whose segments need
//! backticks, and names and texts in Bengali, Tamil, Devanagari and Tagalog.
//!
//! "Valid" means the tree is what the parser produces for some text: names that start a
//! bare path or name a definition are never keywords, numbers are never negative (the
//! language has no negative literal: `-5` is `-` applied to `5`), durations are whole
//! seconds, time offsets whole minutes, and money always has a currency. The trees are
//! not necessarily well typed: the checker is not part of what they exercise. All spans
//! are `Span::default()` and there are no comments; tests that need comments add them to
//! the printed text.

use proptest::collection::vec;
use proptest::option;
use proptest::prelude::*;
use rust_decimal::Decimal;
use service_policy::ast::*;
use service_policy::{Currency, Duration, Money};

/// Maximum depth of generated expressions (SPEC-sized policies rarely go deeper).
pub const MAX_EXPR_DEPTH: u32 = 5;

use service_policy::syntax::KEYWORDS;

/// Names in other scripts: Bengali, Tamil, Devanagari (Hindi) and Tagalog (Baybayin and
/// Latin), all valid identifiers.
pub const UNICODE_NAMES: &[&str] = &[
    "গ্রাহক",
    "টিকিট",
    "অগ্রাধিকার",
    "வாடிக்கையாளர்",
    "முன்னுரிமை",
    "தொகை",
    "ग्राहक",
    "प्राथमिकता",
    "राशि",
    "ᜉᜆᜃᜇᜈ᜔",
    "ᜐᜒᜄ",
    "halaga",
    "kostumer",
];

/// Texts in the same scripts, plus characters that need escaping.
pub const UNICODE_TEXTS: &[&str] = &[
    "নীতি",
    "জরুরি টিকিট",
    "கொள்கை",
    "அவசரம்",
    "नीति",
    "तत्काल",
    "ᜉᜓᜎᜒᜐᜒ",
    "patakaran sa serbisyo",
    "quote \" and backslash \\",
    "line\nbreak\ttab",
    "bell\u{7} escape\u{1b} del\u{7f}",
    "\u{1F600} smile",
    "ক্\u{200d}ষ joiner",
];

fn span() -> Span {
    Span::default()
}

fn mk_ident(name: impl Into<String>) -> Ident {
    Ident {
        name: name.into(),
        span: span(),
    }
}

fn mk_text(value: impl Into<String>) -> Text {
    Text {
        value: value.into(),
        span: span(),
    }
}

fn mk_expr(kind: ExprKind) -> Expr {
    Expr { kind, span: span() }
}

fn is_keyword(word: &str) -> bool {
    KEYWORDS.contains(&word)
}

/// A name that may name a definition or start a bare path: never a keyword, never `_`.
pub fn ident_name() -> impl Strategy<Value = String> {
    prop_oneof![
        4 => "[a-z][a-z0-9_]{0,7}".prop_filter("not a keyword", |s| !is_keyword(s)),
        1 => "_[a-z0-9]{1,4}",
        2 => proptest::sample::select(UNICODE_NAMES).prop_map(str::to_owned),
    ]
}

/// An identifier node for a definition, parameter, variable or calendar.
pub fn ident() -> impl Strategy<Value = Ident> {
    ident_name().prop_map(mk_ident)
}

/// A keyword: legal after a `.`, in a schema, as an argument key; backticked elsewhere.
fn keyword_name() -> impl Strategy<Value = String> {
    proptest::sample::select(KEYWORDS).prop_map(str::to_owned)
}

/// A segment that is no identifier and is always written in backticks.
fn odd_segment() -> impl Strategy<Value = String> {
    prop_oneof![
        Just("first reply at".to_owned()),
        Just("e-mail".to_owned()),
        Just("9lives".to_owned()),
        Just("গ্রাহক স্তর".to_owned()),
        "[a-z]{1,4}[ -][a-z]{1,4}",
    ]
}

/// Any segment that may follow a `.` or stand in a schema or argument key.
fn any_segment() -> impl Strategy<Value = String> {
    prop_oneof![4 => ident_name(), 1 => keyword_name(), 1 => odd_segment()]
}

/// A field path as written in an expression or `set`: may start with a backticked
/// keyword or odd segment.
pub fn path() -> BoxedStrategy<Path> {
    let first = prop_oneof![6 => ident_name(), 1 => keyword_name(), 1 => odd_segment()];
    (first, vec(any_segment(), 0..3))
        .prop_map(|(first, rest)| Path {
            segments: std::iter::once(first).chain(rest).map(mk_ident).collect(),
            span: span(),
        })
        .boxed()
}

/// A field path as declared in a schema (keywords are ordinary names there).
fn decl_path() -> impl Strategy<Value = Path> {
    vec(any_segment(), 1..4).prop_map(|segments| Path {
        segments: segments.into_iter().map(mk_ident).collect(),
        span: span(),
    })
}

/// Text values: ASCII, other scripts, escapes and arbitrary characters.
pub fn text_value() -> impl Strategy<Value = String> {
    prop_oneof![
        3 => "[a-z -]{0,12}",
        2 => proptest::sample::select(UNICODE_TEXTS).prop_map(str::to_owned),
        1 => any::<String>(),
    ]
}

fn text() -> impl Strategy<Value = Text> {
    text_value().prop_map(mk_text)
}

/// A non-negative decimal with up to four decimal places.
pub fn decimal() -> impl Strategy<Value = Decimal> {
    prop_oneof![
        (0i64..1_000_000, 0u32..5).prop_map(|(n, scale)| Decimal::new(n, scale)),
        (0i64..i64::MAX).prop_map(Decimal::from),
    ]
}

fn currency() -> impl Strategy<Value = Currency> {
    proptest::sample::select(&["USD", "EUR", "INR", "JPY", "BDT", "LKR", "PHP", "KWD"][..])
        .prop_map(|code| Currency::from_code(code).expect("listed currency"))
}

fn date() -> impl Strategy<Value = jiff::civil::Date> {
    (1970i16..2100, 1i8..=12, 1i8..=28).prop_map(|(y, m, d)| jiff::civil::date(y, m, d))
}

/// Every literal kind.
pub fn literal() -> BoxedStrategy<Literal> {
    prop_oneof![
        decimal().prop_map(Literal::Number),
        decimal().prop_map(Literal::Percent),
        (decimal(), currency())
            .prop_map(|(amount, currency)| { Literal::Money(Money::new(amount, currency)) }),
        (0i64..100_000_000)
            .prop_map(|secs| Literal::Duration(Duration::from_secs(secs).expect("in range"))),
        date().prop_map(Literal::Date),
        (
            0i64..4_102_444_800,
            prop_oneof![Just(0i32), 0i32..1000],
            -720i32..=840
        )
            .prop_map(|(secs, millis, offset_minutes)| {
                let ts = jiff::Timestamp::new(secs, millis * 1_000_000).expect("in range");
                let offset = jiff::tz::Offset::from_seconds(offset_minutes * 60).expect("in range");
                Literal::Time(ts, offset)
            }),
        text_value().prop_map(Literal::Text),
        any::<bool>().prop_map(Literal::Bool),
    ]
    .boxed()
}

fn compare_op() -> impl Strategy<Value = CompareOp> {
    prop_oneof![
        Just(CompareOp::Eq),
        Just(CompareOp::Ne),
        Just(CompareOp::Lt),
        Just(CompareOp::Le),
        Just(CompareOp::Gt),
        Just(CompareOp::Ge),
    ]
}

fn binary_op() -> impl Strategy<Value = BinaryOp> {
    prop_oneof![
        Just(BinaryOp::Or),
        Just(BinaryOp::And),
        compare_op().prop_map(BinaryOp::Compare),
        Just(BinaryOp::Add),
        Just(BinaryOp::Sub),
        Just(BinaryOp::Mul),
        Just(BinaryOp::Div),
    ]
}

fn test_op() -> impl Strategy<Value = TestOp> {
    prop_oneof![
        Just(TestOp::In),
        Just(TestOp::NotIn),
        Just(TestOp::Contains),
        Just(TestOp::Matches),
    ]
}

fn aggregate() -> impl Strategy<Value = Aggregate> {
    prop_oneof![
        Just(Aggregate::Count),
        Just(Aggregate::Sum),
        Just(Aggregate::Min),
        Just(Aggregate::Max),
        Just(Aggregate::Any),
        Just(Aggregate::All),
    ]
}

/// Expressions of every kind, nested at most [`MAX_EXPR_DEPTH`] levels.
pub fn expr() -> BoxedStrategy<Expr> {
    let leaf = prop_oneof![
        4 => literal().prop_map(ExprKind::Literal),
        3 => path().prop_map(ExprKind::Path),
        1 => Just(ExprKind::Now),
    ]
    .prop_map(mk_expr);
    leaf.prop_recursive(MAX_EXPR_DEPTH, 48, 3, |inner| {
        let boxed = inner.clone().prop_map(Box::new);
        prop_oneof![
            vec(inner.clone(), 0..4).prop_map(ExprKind::List),
            (
                prop_oneof![Just(UnaryOp::Neg), Just(UnaryOp::Not)],
                boxed.clone()
            )
                .prop_map(|(op, e)| ExprKind::Unary(op, e)),
            (binary_op(), boxed.clone(), boxed.clone())
                .prop_map(|(op, a, b)| ExprKind::Binary(op, a, b)),
            (decimal(), boxed.clone()).prop_map(|(p, e)| ExprKind::PercentOf(p, e)),
            (test_op(), boxed.clone(), boxed.clone())
                .prop_map(|(op, a, b)| ExprKind::Test(op, a, b)),
            (boxed.clone(), any::<bool>()).prop_map(|(e, m)| ExprKind::IsMissing(e, m)),
            (boxed.clone(), ident()).prop_map(|(e, cal)| ExprKind::During(e, cal)),
            (ident(), vec(inner.clone(), 0..4)).prop_map(|(f, args)| ExprKind::Call(f, args)),
            (
                aggregate(),
                inner.clone(),
                ident(),
                inner.clone(),
                option::of(inner.clone())
            )
                .prop_map(|(agg, body, var, list, filter)| {
                    ExprKind::Comprehension(Box::new(Comprehension {
                        agg,
                        agg_span: span(),
                        body,
                        var,
                        list,
                        filter,
                    }))
                }),
        ]
        .prop_map(mk_expr)
    })
    .boxed()
}

/// A schema type, nested at most three levels.
pub fn type_expr() -> BoxedStrategy<TypeExpr> {
    let base = prop_oneof![
        Just(TypeKind::Text),
        Just(TypeKind::Number),
        Just(TypeKind::Bool),
        Just(TypeKind::Money),
        Just(TypeKind::Duration),
        Just(TypeKind::Date),
        Just(TypeKind::Time),
        vec(text(), 1..4).prop_map(TypeKind::Enum),
    ];
    let leaf = (base, any::<bool>()).prop_map(|(kind, optional)| TypeExpr {
        kind,
        optional,
        span: span(),
    });
    leaf.prop_recursive(3, 16, 3, |inner| {
        let kind = prop_oneof![
            inner.clone().prop_map(|t| TypeKind::List(Box::new(t))),
            vec((any_segment(), inner), 0..4).prop_map(|fields| {
                TypeKind::Object(
                    fields
                        .into_iter()
                        .map(|(name, ty)| FieldDecl {
                            path: Path {
                                segments: vec![mk_ident(name)],
                                span: span(),
                            },
                            ty,
                            span: span(),
                        })
                        .collect(),
                )
            }),
        ];
        (kind, any::<bool>()).prop_map(|(kind, optional)| TypeExpr {
            kind,
            optional,
            span: span(),
        })
    })
    .boxed()
}

fn schema() -> impl Strategy<Value = Schema> {
    vec((decl_path(), type_expr()), 0..5).prop_map(|fields| Schema {
        fields: fields
            .into_iter()
            .map(|(path, ty)| FieldDecl {
                path,
                ty,
                span: span(),
            })
            .collect(),
        span: span(),
    })
}

fn clock_time() -> impl Strategy<Value = ClockTime> {
    (0u16..=1440).prop_map(|minutes| ClockTime { minutes })
}

fn weekday() -> impl Strategy<Value = Ident> {
    proptest::sample::select(&["mon", "tue", "wed", "thu", "fri", "sat", "sun"][..])
        .prop_map(mk_ident)
}

fn calendar_line() -> impl Strategy<Value = CalendarLine> {
    prop_oneof![
        text().prop_map(CalendarLine::Timezone),
        (
            weekday(),
            option::of(weekday()),
            vec((clock_time(), clock_time()), 1..4)
        )
            .prop_map(|(from, to, intervals)| {
                CalendarLine::Open(OpenHours {
                    from,
                    to,
                    intervals: intervals
                        .into_iter()
                        .map(|(start, end)| ClockInterval {
                            start,
                            end,
                            span: span(),
                        })
                        .collect(),
                    span: span(),
                })
            }),
        vec(date(), 1..4).prop_map(|dates| {
            CalendarLine::Closed(ClosedDays {
                dates: dates
                    .into_iter()
                    .map(|date| DateLit { date, span: span() })
                    .collect(),
                span: span(),
            })
        }),
    ]
}

fn calendar() -> impl Strategy<Value = CalendarDef> {
    (ident(), vec(calendar_line(), 0..5)).prop_map(|(name, lines)| CalendarDef {
        name,
        lines,
        span: span(),
    })
}

fn literal_expr() -> impl Strategy<Value = Expr> {
    literal().prop_map(|l| mk_expr(ExprKind::Literal(l)))
}

/// Every kind of table cell.
pub fn cell() -> BoxedStrategy<Cell> {
    prop_oneof![
        Just(CellKind::Any),
        literal_expr().prop_map(CellKind::Equals),
        vec(literal_expr(), 1..4).prop_map(CellKind::OneOf),
        (compare_op(), literal_expr()).prop_map(|(op, e)| CellKind::Compare(op, e)),
    ]
    .prop_map(|kind| Cell { kind, span: span() })
    .boxed()
}

fn table() -> impl Strategy<Value = TableDef> {
    (ident(), 1usize..4)
        .prop_flat_map(|(name, arity)| {
            let row = (vec(cell(), arity), expr()).prop_map(|(cells, output)| TableRow {
                cells,
                output,
                span: span(),
            });
            (Just(name), vec(ident(), arity), vec(row, 0..5))
        })
        .prop_map(|(name, params, rows)| TableDef {
            name,
            params,
            rows,
            span: span(),
        })
}

/// Every kind of action, sometimes with `with { … }` arguments.
pub fn action() -> BoxedStrategy<Action> {
    let kind = prop_oneof![
        expr().prop_map(ActionKind::Escalate),
        expr().prop_map(ActionKind::Notify),
        expr().prop_map(ActionKind::Assign),
        expr().prop_map(ActionKind::RequireApproval),
        expr().prop_map(ActionKind::FollowUp),
        (expr(), any::<bool>())
            .prop_map(|(amount, compensate)| ActionKind::Refund { amount, compensate }),
        expr().prop_map(ActionKind::Tag),
        (path(), expr()).prop_map(|(p, e)| ActionKind::Set(p, e)),
        expr().prop_map(ActionKind::Emit),
    ];
    let args = prop_oneof![
        2 => Just(Vec::new()),
        1 => vec((any_segment().prop_map(mk_ident), expr()), 1..3),
    ];
    (kind, args)
        .prop_map(|(kind, args)| Action {
            kind,
            args,
            span: span(),
        })
        .boxed()
}

fn trigger() -> impl Strategy<Value = Trigger> {
    prop_oneof![
        decimal().prop_map(|p| Trigger::At(p, span())),
        Just(Trigger::Breach),
        expr().prop_map(Trigger::AfterBreach),
        Just(Trigger::Met),
        Just(Trigger::Exceed),
    ]
}

/// Every kind of rule clause.
pub fn clause() -> BoxedStrategy<Clause> {
    let kind = prop_oneof![
        expr().prop_map(ClauseKind::When),
        expr().prop_map(ClauseKind::Unless),
        vec(action(), 1..4).prop_map(ClauseKind::Then),
        (
            expr(),
            expr(),
            expr(),
            option::of(ident()),
            option::of(expr())
        )
            .prop_map(|(done, within, start, using, excluding)| {
                ClauseKind::Expect(Deadline {
                    done,
                    within,
                    start,
                    using,
                    excluding,
                })
            }),
        (
            expr(),
            prop_oneof![Just(LimitOp::AtMost), Just(LimitOp::Below)],
            expr()
        )
            .prop_map(|(value, op, max)| ClauseKind::Limit(Limit { value, op, max })),
        (trigger(), vec(action(), 1..4)).prop_map(|(trigger, actions)| {
            ClauseKind::Handler(Handler {
                trigger,
                actions,
                span: span(),
            })
        }),
    ];
    kind.prop_map(|kind| Clause { kind, span: span() }).boxed()
}

/// A rule with a name, maybe a description, and any clauses.
pub fn rule() -> BoxedStrategy<RuleDef> {
    (ident(), option::of(text()), vec(clause(), 0..6))
        .prop_map(|(name, description, clauses)| RuleDef {
            name,
            description,
            clauses,
            span: span(),
        })
        .boxed()
}

/// Every kind of item.
pub fn item() -> BoxedStrategy<Item> {
    prop_oneof![
        1 => text().prop_map(Item::Version),
        1 => text().prop_map(Item::Timezone),
        1 => vec(text(), 1..4).prop_map(|levels| Item::Ladder(Ladder {
            levels,
            span: span()
        })),
        1 => schema().prop_map(Item::Record),
        1 => calendar().prop_map(Item::Calendar),
        1 => (ident(), expr()).prop_map(|(name, value)| Item::Const(ConstDef {
            name,
            value,
            span: span()
        })),
        1 => table().prop_map(Item::Table),
        3 => rule().prop_map(Item::Rule),
        1 => vec(rule(), 0..3).prop_map(|rules| Item::FirstOf(FirstOf {
            rules,
            span: span()
        })),
        1 => date().prop_map(|date| Item::Effective(DateLit { date, span: span() })),
        1 => expr().prop_map(|cond| Item::When(PolicyWhen { cond, span: span() })),
        1 => prop_oneof![
            calendar().prop_map(Item::Calendar),
            (ident(), expr()).prop_map(|(name, value)| Item::Const(ConstDef {
                name,
                value,
                span: span()
            })),
            table().prop_map(Item::Table),
            rule().prop_map(Item::Rule),
        ]
        .prop_map(|item| Item::Override(Override {
            item: Box::new(item),
            span: span()
        })),
        1 => ident().prop_map(|name| Item::Remove(Remove { name, span: span() })),
    ]
    .boxed()
}

/// A whole policy file without comments.
pub fn policy_file() -> impl Strategy<Value = PolicyFile> {
    (text(), option::of(text()), vec(item(), 0..8)).prop_map(|(name, extends, items)| PolicyFile {
        name,
        extends,
        items,
        comments: Vec::new(),
        span: span(),
    })
}
