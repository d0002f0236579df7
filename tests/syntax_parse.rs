//! The parser, construct by construct: what each piece of syntax becomes in the AST
//! (spans ignored, as AST equality does), and what a broken form reports.
// The stage it tests is internal: built with `--features internals` (or `--all-features`).
#![cfg(feature = "internals")]
#![allow(
    clippy::unwrap_used,
    clippy::expect_used,
    clippy::panic,
    clippy::indexing_slicing,
    reason = "tests and benches stop loudly on the unexpected"
)]

use rust_decimal::Decimal;
use service_policy::ast::*;
use service_policy::syntax::parse;
use service_policy::{Code, Diagnostic};
use service_policy::{Currency, Duration, Money};

const NO: Span = Span::new(0, 0);

fn file(body: &str) -> PolicyFile {
    let src = format!("policy \"p\" {{\n{body}\n}}");
    match parse(&src) {
        Ok(f) => f,
        Err(e) => panic!("{body}\n{e:#?}"),
    }
}

fn errors(body: &str) -> Vec<Diagnostic> {
    let src = format!("policy \"p\" {{\n{body}\n}}");
    parse(&src).expect_err(body)
}

fn item(body: &str) -> Item {
    let mut f = file(body);
    assert_eq!(f.items.len(), 1, "{body}");
    f.items.remove(0)
}

fn expr(src: &str) -> Expr {
    match item(&format!("const x = {src}")) {
        Item::Const(c) => c.value,
        other => panic!("{other:?}"),
    }
}

fn rule(body: &str) -> RuleDef {
    match item(&format!("rule r {{ {body} }}")) {
        Item::Rule(r) => r,
        other => panic!("{other:?}"),
    }
}

fn clause(body: &str) -> ClauseKind {
    let mut r = rule(body);
    assert_eq!(r.clauses.len(), 1, "{body}");
    r.clauses.remove(0).kind
}

fn action(src: &str) -> Action {
    match clause(&format!("then {src}")) {
        ClauseKind::Then(mut actions) => {
            assert_eq!(actions.len(), 1, "{src}");
            actions.remove(0)
        }
        other => panic!("{other:?}"),
    }
}

fn e(kind: ExprKind) -> Expr {
    Expr { kind, span: NO }
}

fn b(kind: ExprKind) -> Box<Expr> {
    Box::new(e(kind))
}

fn id(name: &str) -> Ident {
    Ident {
        name: name.to_owned(),
        span: NO,
    }
}

fn path(dotted: &str) -> Path {
    Path {
        segments: dotted.split('.').map(id).collect(),
        span: NO,
    }
}

fn p(dotted: &str) -> ExprKind {
    ExprKind::Path(path(dotted))
}

fn n(v: i64) -> ExprKind {
    ExprKind::Literal(Literal::Number(Decimal::from(v)))
}

fn t(s: &str) -> ExprKind {
    ExprKind::Literal(Literal::Text(s.to_owned()))
}

fn dur(s: &str) -> ExprKind {
    ExprKind::Literal(Literal::Duration(Duration::parse_literal(s).unwrap()))
}

fn money(amount: i64, code: &str) -> ExprKind {
    ExprKind::Literal(Literal::Money(Money::new(
        Decimal::from(amount),
        Currency::from_code(code).unwrap(),
    )))
}

fn bin(op: BinaryOp, l: ExprKind, r: ExprKind) -> ExprKind {
    ExprKind::Binary(op, b(l), b(r))
}

fn cmp(op: CompareOp, l: ExprKind, r: ExprKind) -> ExprKind {
    bin(BinaryOp::Compare(op), l, r)
}

fn first_error(body: &str) -> Diagnostic {
    errors(body).remove(0)
}

// ---- literals ----

#[test]
fn number_literals_are_exact() {
    assert_eq!(expr("42").kind, n(42));
    assert_eq!(expr("1_000").kind, n(1000));
    assert_eq!(
        expr("3.75").kind,
        ExprKind::Literal(Literal::Number(Decimal::new(375, 2)))
    );
    assert_eq!(
        expr("1234567890123456789012345678").kind,
        ExprKind::Literal(Literal::Number(
            "1234567890123456789012345678".parse().unwrap()
        ))
    );
    let err = first_error("const x = 12345678901234567890123456789");
    assert_eq!(err.code, Code::E0001);
    assert!(
        err.message.contains("more than 28 significant digits"),
        "{err:?}"
    );
    assert!(
        first_error("const x = 1__0")
            .message
            .contains("not a number")
    );
}

#[test]
fn percent_literals_keep_the_written_number() {
    assert_eq!(
        expr("50%").kind,
        ExprKind::Literal(Literal::Percent(Decimal::from(50)))
    );
    assert_eq!(
        expr("12.5%").kind,
        ExprKind::Literal(Literal::Percent(Decimal::new(125, 1)))
    );
}

#[test]
fn money_literals_need_an_iso_code() {
    assert_eq!(expr("500 USD").kind, money(500, "USD"));
    let m = expr("49.99 EUR");
    assert!(
        matches!(m.kind, ExprKind::Literal(Literal::Money(Money { amount, .. })) if amount == Decimal::new(4999, 2))
    );
    let err = first_error("const x = 5 ABC");
    assert!(
        err.message
            .contains("`ABC` is not an ISO 4217 currency code")
    );
    assert!(err.help.is_some());
    assert!(
        first_error("const x = 5 usd")
            .help
            .unwrap()
            .contains("`USD`")
    );
}

#[test]
fn duration_literals() {
    assert_eq!(expr("90s").kind, dur("90s"));
    assert_eq!(expr("1h30m").kind, dur("90m"));
    assert_eq!(expr("1w").kind, dur("7d"));
    for bad in ["30m1h", "1h1h", "1.5h", "3x", "500USD"] {
        let err = first_error(&format!("const x = {bad}"));
        assert_eq!(err.code, Code::E0001, "{bad}");
        assert!(err.message.contains("not a duration"), "{bad}: {err:?}");
        assert!(err.help.is_some(), "{bad}");
    }
}

#[test]
fn date_and_time_literals() {
    assert_eq!(
        expr("2026-01-26").kind,
        ExprKind::Literal(Literal::Date(jiff::civil::date(2026, 1, 26)))
    );
    let ExprKind::Literal(Literal::Time(at, offset)) = expr("2026-03-02T14:30:00+05:30").kind
    else {
        panic!("not a time")
    };
    assert_eq!(
        at,
        "2026-03-02T09:00:00Z".parse::<jiff::Timestamp>().unwrap()
    );
    assert_eq!(offset, jiff::tz::Offset::from_seconds(19_800).unwrap());
    let ExprKind::Literal(Literal::Time(_, offset)) = expr("2026-03-02T09:00:00Z").kind else {
        panic!("not a time")
    };
    assert_eq!(offset, jiff::tz::Offset::UTC);
    assert!(
        first_error("const x = 2026-02-30")
            .message
            .contains("February 2026 has 28 days")
    );
    assert!(
        first_error("const x = 2026-03-02T09:00:00")
            .message
            .contains("no offset")
    );
    assert!(
        first_error("const x = 2026-03-02T24:30:00Z")
            .message
            .contains("no hour 24")
    );
}

#[test]
fn text_literals_and_escapes() {
    assert_eq!(expr(r#""a\"b\\c\n\t""#).kind, t("a\"b\\c\n\t"));
    assert_eq!(expr(r#""\u{1F600}""#).kind, t("😀"));
    let err = first_error(r#"const x = "bad \x escape""#);
    assert_eq!(err.message, "unknown escape `\\x` in text");
    assert_eq!(
        err.span.end - err.span.start,
        2,
        "only the escape is underlined"
    );
    assert!(
        first_error("const x = \"open")
            .message
            .contains("unterminated text")
    );
}

#[test]
fn bools_lists_and_now() {
    assert_eq!(expr("true").kind, ExprKind::Literal(Literal::Bool(true)));
    assert_eq!(expr("false").kind, ExprKind::Literal(Literal::Bool(false)));
    assert_eq!(
        expr(r#"["phone", "chat",]"#).kind,
        ExprKind::List(vec![e(t("phone")), e(t("chat"))])
    );
    assert_eq!(expr("[]").kind, ExprKind::List(vec![]));
    assert_eq!(expr("now").kind, ExprKind::Now);
    assert_eq!(first_error("const x = [1, 2").code, Code::E0001);
}

// ---- paths ----

#[test]
fn field_paths_backticks_and_keywords_after_dots() {
    assert_eq!(expr("customer.tier").kind, p("customer.tier"));
    assert_eq!(expr("`first reply at`").kind, p("first reply at"));
    assert_eq!(expr("`from`.address").kind, p("from.address"));
    assert_eq!(expr("email.from").kind, p("email.from"));
    assert_eq!(expr("r.at").kind, p("r.at"));
    // A keyword followed by `.` starts a path (SPEC §2 writes `refund.requested`).
    assert_eq!(expr("refund.requested").kind, p("refund.requested"));
    // A keyword alone is a field where its own construct could not go on (SPEC §3)…
    assert_eq!(expr("from").kind, p("from"));
    // …but the words of expressions stay reserved, and backticks are the way out.
    let err = first_error("const x = missing");
    assert!(err.message.contains("found `missing`"), "{err:?}");
    assert!(err.help.unwrap().contains("`` `missing` ``"));
    let err = first_error("const x = where");
    assert!(err.message.contains("found `where`"), "{err:?}");
    assert!(err.help.unwrap().contains("`` `where` ``"));
}

#[test]
fn path_spans_cover_the_path_and_exclude_parentheses() {
    let src = "policy \"p\" { const x = (customer.tier) }";
    let f = parse(src).unwrap();
    let Item::Const(c) = &f.items[0] else {
        panic!()
    };
    assert_eq!(&src[c.value.span.range()], "customer.tier");
    let ExprKind::Path(path) = &c.value.kind else {
        panic!()
    };
    assert_eq!(&src[path.segments[1].span.range()], "tier");
    assert_eq!(&src[c.span.range()], "const x = (customer.tier)");
}

// ---- operators ----

#[test]
fn precedence_follows_the_spec() {
    use BinaryOp::*;
    assert_eq!(
        expr("a or b and c").kind,
        bin(Or, p("a"), bin(And, p("b"), p("c")))
    );
    assert_eq!(
        expr("not a == b").kind,
        ExprKind::Unary(UnaryOp::Not, b(cmp(CompareOp::Eq, p("a"), p("b"))))
    );
    assert_eq!(
        expr("a + b * c").kind,
        bin(Add, p("a"), bin(Mul, p("b"), p("c")))
    );
    assert_eq!(
        expr("(a + b) * c").kind,
        bin(Mul, bin(Add, p("a"), p("b")), p("c"))
    );
    assert_eq!(
        expr("a - b - c").kind,
        bin(Sub, bin(Sub, p("a"), p("b")), p("c"))
    );
    assert_eq!(
        expr("-a * b").kind,
        bin(Mul, ExprKind::Unary(UnaryOp::Neg, b(p("a"))), p("b"))
    );
    assert_eq!(
        expr("50% of x + 1").kind,
        bin(Add, ExprKind::PercentOf(Decimal::from(50), b(p("x"))), n(1))
    );
    assert_eq!(
        expr("-50% of x").kind,
        ExprKind::Unary(
            UnaryOp::Neg,
            b(ExprKind::PercentOf(Decimal::from(50), b(p("x"))))
        )
    );
    assert_eq!(expr("a / b").kind, bin(Div, p("a"), p("b")));
    assert_eq!(expr("now - 30d").kind, bin(Sub, ExprKind::Now, dur("30d")));
    for (src, op) in [
        ("a == b", CompareOp::Eq),
        ("a != b", CompareOp::Ne),
        ("a < b", CompareOp::Lt),
        ("a <= b", CompareOp::Le),
        ("a > b", CompareOp::Gt),
        ("a >= b", CompareOp::Ge),
    ] {
        assert_eq!(expr(src).kind, cmp(op, p("a"), p("b")), "{src}");
    }
}

#[test]
fn comparisons_do_not_chain() {
    let err = first_error("const x = 1 < a < 5");
    assert_eq!(err.code, Code::E0001);
    assert!(err.message.contains("cannot follow another comparison"));
    assert!(
        first_error("const x = a is missing == true")
            .message
            .contains("cannot follow")
    );
    assert_eq!(
        expr("(1 < a) == true").kind,
        cmp(
            CompareOp::Eq,
            cmp(CompareOp::Lt, n(1), p("a")),
            ExprKind::Literal(Literal::Bool(true))
        )
    );
}

#[test]
fn tests_in_contains_matches_missing_during() {
    let list = || ExprKind::List(vec![e(t("high"))]);
    assert_eq!(
        expr(r#"priority in ["high"]"#).kind,
        ExprKind::Test(TestOp::In, b(p("priority")), b(list()))
    );
    assert_eq!(
        expr(r#"priority not in ["high"]"#).kind,
        ExprKind::Test(TestOp::NotIn, b(p("priority")), b(list()))
    );
    assert_eq!(
        expr(r#"tags contains "x""#).kind,
        ExprKind::Test(TestOp::Contains, b(p("tags")), b(t("x")))
    );
    assert_eq!(
        expr(r#"m matches "(?i)legal""#).kind,
        ExprKind::Test(TestOp::Matches, b(p("m")), b(t("(?i)legal")))
    );
    assert_eq!(
        expr("csat is missing").kind,
        ExprKind::IsMissing(b(p("csat")), true)
    );
    assert_eq!(
        expr("csat is present").kind,
        ExprKind::IsMissing(b(p("csat")), false)
    );
    assert_eq!(
        expr("opened_at during hours").kind,
        ExprKind::During(b(p("opened_at")), id("hours"))
    );
    assert_eq!(
        expr("a + 1 is missing and b").kind,
        bin(
            BinaryOp::And,
            ExprKind::IsMissing(b(bin(BinaryOp::Add, p("a"), n(1))), true),
            p("b")
        )
    );
    assert!(
        first_error("const x = a is absent")
            .message
            .contains("expected `missing` or `present`")
    );
}

#[test]
fn calls_and_comprehensions() {
    assert_eq!(
        expr("count(tags)").kind,
        ExprKind::Call(id("count"), vec![e(p("tags"))])
    );
    assert_eq!(
        expr("min(a, b, 3)").kind,
        ExprKind::Call(id("min"), vec![e(p("a")), e(p("b")), e(n(3))])
    );
    assert_eq!(
        expr("now_ish()").kind,
        ExprKind::Call(id("now_ish"), vec![])
    );
    let ExprKind::Comprehension(c) =
        expr("sum(r.amount for r in customer.refunds where r.at >= now - 30d)").kind
    else {
        panic!("not a comprehension")
    };
    assert_eq!(c.agg, Aggregate::Sum);
    assert_eq!(c.body.kind, p("r.amount"));
    assert_eq!(c.var, id("r"));
    assert_eq!(c.list.kind, p("customer.refunds"));
    assert_eq!(
        c.filter.unwrap().kind,
        cmp(
            CompareOp::Ge,
            p("r.at"),
            bin(BinaryOp::Sub, ExprKind::Now, dur("30d"))
        )
    );
    let ExprKind::Comprehension(c) = expr("any(x == 1 for x in xs)").kind else {
        panic!()
    };
    assert_eq!((c.agg, c.filter), (Aggregate::Any, None));
    assert!(
        first_error("const x = len(x for x in xs)")
            .message
            .contains("cannot aggregate")
    );
}

// ---- items ----

#[test]
fn header_items() {
    assert_eq!(
        item(r#"version "2026.1""#),
        Item::Version(Text {
            value: "2026.1".into(),
            span: NO
        })
    );
    assert_eq!(
        item(r#"timezone "Asia/Kolkata""#),
        Item::Timezone(Text {
            value: "Asia/Kolkata".into(),
            span: NO
        })
    );
    let Item::Ladder(l) = item(r#"ladder "agent", "lead""#) else {
        panic!()
    };
    assert_eq!(
        l.levels
            .iter()
            .map(|t| t.value.as_str())
            .collect::<Vec<_>>(),
        ["agent", "lead"]
    );
    assert!(
        first_error("ladder")
            .message
            .contains("expected a text in double quotes")
    );
    assert!(
        first_error("version 2026")
            .message
            .contains("expected a text")
    );
}

fn ty(kind: TypeKind, optional: bool) -> TypeExpr {
    TypeExpr {
        kind,
        optional,
        span: NO,
    }
}

#[test]
fn schema_types() {
    let Item::Record(s) = item(
        r#"record {
            channel: "phone" | "email"
            customer.tier: text
            n: number, ok: bool?
            amount: money
            wait: duration
            day: date
            at: time?
            `first reply at`: time?
            refunds: list<{ amount: money, at: time, from: time, to: time? }>
            tags: list<text>
        }"#,
    ) else {
        panic!()
    };
    let types: Vec<(String, TypeExpr)> = s
        .fields
        .iter()
        .map(|f| (f.path.dotted(), f.ty.clone()))
        .collect();
    let text = |v: &str| Text {
        value: v.into(),
        span: NO,
    };
    let field = |name: &str, t: TypeExpr| FieldDecl {
        path: path(name),
        ty: t,
        span: NO,
    };
    assert_eq!(
        types,
        vec![
            (
                "channel".into(),
                ty(TypeKind::Enum(vec![text("phone"), text("email")]), false)
            ),
            ("customer.tier".into(), ty(TypeKind::Text, false)),
            ("n".into(), ty(TypeKind::Number, false)),
            ("ok".into(), ty(TypeKind::Bool, true)),
            ("amount".into(), ty(TypeKind::Money, false)),
            ("wait".into(), ty(TypeKind::Duration, false)),
            ("day".into(), ty(TypeKind::Date, false)),
            ("at".into(), ty(TypeKind::Time, true)),
            ("first reply at".into(), ty(TypeKind::Time, true)),
            (
                "refunds".into(),
                ty(
                    TypeKind::List(Box::new(ty(
                        TypeKind::Object(vec![
                            field("amount", ty(TypeKind::Money, false)),
                            field("at", ty(TypeKind::Time, false)),
                            field("from", ty(TypeKind::Time, false)),
                            field("to", ty(TypeKind::Time, true)),
                        ]),
                        false
                    ))),
                    false
                )
            ),
            (
                "tags".into(),
                ty(TypeKind::List(Box::new(ty(TypeKind::Text, false))), false)
            ),
        ]
    );
    let err = first_error("record { amount: integer }");
    assert_eq!(err.message, "unknown type `integer`");
    assert_eq!(
        first_error("record { amount: numbr }").help.unwrap(),
        "did you mean `number`?"
    );
    assert!(
        first_error("record { amount money }")
            .message
            .contains("expected `:`")
    );
}

#[test]
fn calendar_lines() {
    let Item::Calendar(c) = item(
        r#"calendar support_hours {
            timezone "Europe/Berlin"
            mon-fri 09:00-13:00, 14:00-18:00
            sat 10:00-24:00
            closed 2026-12-25, 2026-12-26
        }"#,
    ) else {
        panic!()
    };
    assert_eq!(c.name, id("support_hours"));
    let clock = |h, m| ClockTime::new(h, m).unwrap();
    let iv = |a, b| ClockInterval {
        start: a,
        end: b,
        span: NO,
    };
    assert_eq!(
        c.lines,
        vec![
            CalendarLine::Timezone(Text {
                value: "Europe/Berlin".into(),
                span: NO
            }),
            CalendarLine::Open(OpenHours {
                from: id("mon"),
                to: Some(id("fri")),
                intervals: vec![
                    iv(clock(9, 0), clock(13, 0)),
                    iv(clock(14, 0), clock(18, 0))
                ],
                span: NO,
            }),
            CalendarLine::Open(OpenHours {
                from: id("sat"),
                to: None,
                intervals: vec![iv(clock(10, 0), clock(24, 0))],
                span: NO
            }),
            CalendarLine::Closed(ClosedDays {
                dates: vec![
                    DateLit {
                        date: jiff::civil::date(2026, 12, 25),
                        span: NO
                    },
                    DateLit {
                        date: jiff::civil::date(2026, 12, 26),
                        span: NO
                    },
                ],
                span: NO,
            }),
        ]
    );
    assert!(
        first_error("calendar c { mon 25:00-26:00 }")
            .message
            .contains("`25:00` is not a time of day")
    );
    assert!(
        first_error("calendar c { mon 12:60-13:00 }")
            .message
            .contains("`12:60`")
    );
    assert!(
        first_error("calendar c { closed 2026-02-30 }")
            .message
            .contains("not a date")
    );
    assert!(
        first_error("calendar c { mon }")
            .message
            .contains("a time of day like `09:00`")
    );
}

#[test]
fn const_items() {
    let Item::Const(c) = item("const refund_cap = 5000 INR") else {
        panic!()
    };
    assert_eq!(
        (c.name, c.value.kind),
        (id("refund_cap"), money(5000, "INR"))
    );
    assert!(first_error("const = 5").message.contains("expected a name"));
    assert!(first_error("const x 5").message.contains("expected `=`"));
}

#[test]
fn table_cells_and_rows() {
    let Item::Table(tb) = item(
        r#"table reply_target(priority, amount) {
            "urgent", _            => 15m
            ["high", "low"], >= 1000 USD => 30m
            _, -5                   => 1h
            _, _                    => 8h
        }"#,
    ) else {
        panic!()
    };
    assert_eq!(tb.name, id("reply_target"));
    assert_eq!(tb.params, vec![id("priority"), id("amount")]);
    let cells: Vec<Vec<CellKind>> = tb
        .rows
        .iter()
        .map(|r| r.cells.iter().map(|c| c.kind.clone()).collect())
        .collect();
    assert_eq!(
        cells,
        vec![
            vec![CellKind::Equals(e(t("urgent"))), CellKind::Any],
            vec![
                CellKind::OneOf(vec![e(t("high")), e(t("low"))]),
                CellKind::Compare(CompareOp::Ge, e(money(1000, "USD")))
            ],
            vec![CellKind::Any, CellKind::Equals(e(n(-5)))],
            vec![CellKind::Any, CellKind::Any],
        ]
    );
    let outputs: Vec<ExprKind> = tb.rows.iter().map(|r| r.output.kind.clone()).collect();
    assert_eq!(outputs, vec![dur("15m"), dur("30m"), dur("1h"), dur("8h")]);
}

#[test]
fn table_rows_are_not_swallowed_by_the_previous_output() {
    let Item::Table(tb) = item("table t(a) {\n _ => 1h\n < 5 => 2h\n - 3 => x - 1\n _ => 4h }")
    else {
        panic!()
    };
    assert_eq!(tb.rows.len(), 4);
    assert_eq!(
        tb.rows[1].cells[0].kind,
        CellKind::Compare(CompareOp::Lt, e(n(5)))
    );
    assert_eq!(tb.rows[2].cells[0].kind, CellKind::Equals(e(n(-3))));
    assert_eq!(tb.rows[2].output.kind, bin(BinaryOp::Sub, p("x"), n(1)));
    assert!(
        first_error("table t(a) { foo => 1h }")
            .message
            .contains("a cell")
    );
    assert!(first_error("table t(a) { _ 1h }").message.contains("`=>`"));
}

// ---- rules ----

#[test]
fn rule_name_and_description() {
    let r = rule("then tag \"x\"");
    assert_eq!((r.name, r.description), (id("r"), None));
    let Item::Rule(r) = item(r#"rule cap "Refunds need a manager" { then tag "x" }"#) else {
        panic!()
    };
    assert_eq!(r.description.unwrap().value, "Refunds need a manager");
    assert!(
        first_error("rule { then tag \"x\" }")
            .message
            .contains("expected a name")
    );
}

#[test]
fn when_unless_then_clauses() {
    assert_eq!(
        clause(r#"when priority == "high""#),
        ClauseKind::When(e(cmp(CompareOp::Eq, p("priority"), t("high"))))
    );
    assert_eq!(
        clause(r#"unless "vip" in tags"#),
        ClauseKind::Unless(e(ExprKind::Test(TestOp::In, b(t("vip")), b(p("tags")))))
    );
    let ClauseKind::Then(actions) = clause("then tag \"a\" tag \"b\"\n emit \"c\"") else {
        panic!()
    };
    assert_eq!(actions.len(), 3);
    assert!(
        first_error("rule r { when }")
            .message
            .contains("expected a condition")
    );
    assert!(
        first_error("rule r { then }")
            .message
            .contains("expected an action")
    );
}

#[test]
fn expect_clause() {
    let ClauseKind::Expect(d) = clause(
        "expect first_reply_at within reply_target(priority, channel) of opened_at using support_hours excluding paused",
    ) else {
        panic!()
    };
    assert_eq!(d.done.kind, p("first_reply_at"));
    assert_eq!(
        d.within.kind,
        ExprKind::Call(id("reply_target"), vec![e(p("priority")), e(p("channel"))])
    );
    assert_eq!(d.start.kind, p("opened_at"));
    assert_eq!(d.using, Some(id("support_hours")));
    assert_eq!(d.excluding.map(|x| x.kind), Some(p("paused")));
    let ClauseKind::Expect(d) = clause("expect resolved_at within 2d of opened_at") else {
        panic!()
    };
    assert_eq!(
        (d.within.kind, d.using, d.excluding),
        (dur("2d"), None, None)
    );
    let err = first_error("rule r { expect done within of start }");
    assert_eq!(
        err.message,
        "expected a duration like `15m` or a field, found `of`"
    );
    assert!(
        first_error("rule r { expect done within 1h }")
            .message
            .contains("or `of`, found `}`")
    );
}

#[test]
fn limit_clause() {
    assert_eq!(
        clause("limit refund.requested <= min(refund_cap, 50% of order.total)"),
        ClauseKind::Limit(Limit {
            value: e(p("refund.requested")),
            op: LimitOp::AtMost,
            max: e(ExprKind::Call(
                id("min"),
                vec![
                    e(p("refund_cap")),
                    e(ExprKind::PercentOf(Decimal::from(50), b(p("order.total"))))
                ]
            )),
        })
    );
    let ClauseKind::Limit(l) = clause("limit a + b < 20000 INR") else {
        panic!()
    };
    assert_eq!((l.op, l.max.kind), (LimitOp::Below, money(20000, "INR")));
    let err = first_error("rule r { limit a >= 5 }");
    assert!(err.message.contains("a limit operator"), "{err:?}");
    assert!(err.help.unwrap().contains("limit VALUE <= MAX"));
}

fn handler(src: &str) -> Handler {
    match clause(src) {
        ClauseKind::Handler(h) => h,
        other => panic!("{other:?}"),
    }
}

#[test]
fn each_handler() {
    let notify = |to: &str| Action {
        kind: ActionKind::Notify(e(t(to))),
        args: vec![],
        span: NO,
    };
    let h = handler(r#"at 75%: notify "lead""#);
    assert_eq!(h.trigger, Trigger::At(Decimal::from(75), NO));
    assert_eq!(h.actions, vec![notify("lead")]);
    assert_eq!(handler(r#"on breach: notify "a""#).trigger, Trigger::Breach);
    assert_eq!(handler(r#"on met: notify "a""#).trigger, Trigger::Met);
    assert_eq!(handler(r#"on exceed: notify "a""#).trigger, Trigger::Exceed);
    assert_eq!(
        handler(r#"after breach by 2h: notify "a" notify "b""#).trigger,
        Trigger::AfterBreach(e(dur("2h")))
    );
    assert_eq!(
        handler(r#"after breach by 2h: notify "a" notify "b""#)
            .actions
            .len(),
        2
    );
    let err = first_error(r#"rule r { at 75: notify "a" }"#);
    assert_eq!(err.help.unwrap(), "write the share as a percent: `75%`");
    assert!(
        first_error(r#"rule r { on breech: notify "a" }"#)
            .help
            .unwrap()
            .contains("`breach`")
    );
    assert!(
        first_error(r#"rule r { on breach notify "a" }"#)
            .message
            .contains("expected `:`")
    );
    assert!(
        first_error(r#"rule r { on breach: }"#)
            .message
            .contains("expected an action")
    );
}

#[test]
fn each_action_with_arguments() {
    let cases: Vec<(&str, ActionKind)> = vec![
        (
            r#"escalate to "supervisor""#,
            ActionKind::Escalate(e(t("supervisor"))),
        ),
        (
            r#"notify "team-lead""#,
            ActionKind::Notify(e(t("team-lead"))),
        ),
        (
            r#"assign to "billing""#,
            ActionKind::Assign(e(t("billing"))),
        ),
        (
            r#"require approval from "store-manager""#,
            ActionKind::RequireApproval(e(t("store-manager"))),
        ),
        ("follow up within 24h", ActionKind::FollowUp(e(dur("24h")))),
        (
            "refund 12 USD",
            ActionKind::Refund {
                amount: e(money(12, "USD")),
                compensate: false,
            },
        ),
        (
            "compensate 5 EUR",
            ActionKind::Refund {
                amount: e(money(5, "EUR")),
                compensate: true,
            },
        ),
        (
            r#"tag "refund-velocity""#,
            ActionKind::Tag(e(t("refund-velocity"))),
        ),
        (
            r#"set priority to "urgent""#,
            ActionKind::Set(path("priority"), e(t("urgent"))),
        ),
        (
            r#"emit "case-closed""#,
            ActionKind::Emit(e(t("case-closed"))),
        ),
    ];
    for (src, kind) in cases {
        let plain = action(src);
        assert_eq!((plain.kind, plain.args), (kind.clone(), vec![]), "{src}");
        let with = action(&format!(
            r#"{src} with {{ reason: "late", `first try`: 2, }}"#
        ));
        assert_eq!(with.kind, kind, "{src}");
        assert_eq!(
            with.args,
            vec![(id("reason"), e(t("late"))), (id("first try"), e(n(2)))],
            "{src}"
        );
    }
    assert!(
        first_error(r#"rule r { then escalate "x" }"#)
            .message
            .contains("expected `to`")
    );
    assert!(
        first_error(r#"rule r { then escalte to "x" }"#)
            .help
            .unwrap()
            .contains("`escalate`")
    );
    assert!(
        first_error(r#"rule r { then tag "x" with { reason "y" } }"#)
            .message
            .contains("expected `:`")
    );
    assert!(
        first_error(r#"rule r { then require approval "x" }"#)
            .message
            .contains("expected `from`")
    );
}

#[test]
fn first_of_blocks() {
    let Item::FirstOf(block) =
        item("first of {\n rule a { then tag \"a\" }\n rule b { then tag \"b\" }\n}")
    else {
        panic!()
    };
    assert_eq!(
        block
            .rules
            .iter()
            .map(|r| r.name.name.as_str())
            .collect::<Vec<_>>(),
        ["a", "b"]
    );
    assert!(
        first_error("first { rule a { then tag \"a\" } }")
            .message
            .contains("expected `of`")
    );
    assert!(
        first_error("first of { const x = 1 }")
            .message
            .contains("expected `rule` or `}`, found `const`")
    );
}

#[test]
fn comments_are_collected() {
    let src = "// head\npolicy \"p\" { // after brace\n  const x = \"// not a comment\" // tail\n}\n// end";
    let f = parse(src).unwrap();
    let texts: Vec<&str> = f.comments.iter().map(|c| c.text.as_str()).collect();
    assert_eq!(texts, [" head", " after brace", " tail", " end"]);
    assert_eq!(&src[f.comments[1].span.range()], "// after brace");
    let Item::Const(c) = &f.items[0] else {
        panic!()
    };
    assert_eq!(c.value.kind, t("// not a comment"));
}

#[test]
fn whole_file_errors() {
    let err = parse("policy \"p\" { } rule x { }").unwrap_err();
    assert_eq!(err[0].message, "expected the end of the file, found `rule`");
    let err = parse("").unwrap_err();
    assert!(
        err[0].message.contains("found the end of the file"),
        "{err:?}"
    );
    let err = parse("policy \"p\" {\n  rule r { then tag \"x\" }\n").unwrap_err();
    assert!(
        err[0]
            .labels
            .iter()
            .any(|l| l.message == "this is never closed"),
        "{err:?}"
    );
}

#[test]
fn errors_are_reported_per_item() {
    let errs = errors(
        "rule a { when x == }\nconst ok = 1\nrule b { then escalate \"t\" }\nfirst of { rule c { then } rule d { when } }\nconst bad = 5 ABC",
    );
    assert_eq!(errs.len(), 5, "{errs:#?}");
    assert!(errs.iter().all(|d| d.code == Code::E0001));
}

// ---- the SPEC's own examples ----

#[test]
fn the_retail_example_parses() {
    let src = std::fs::read_to_string("examples/policies/retail.policy").unwrap();
    let f = parse(&src).unwrap();
    assert_eq!(f.name.value, "Retail customer care");
    assert_eq!(f.comments[0].text, " retail.policy");
    let kinds: Vec<&str> = f
        .items
        .iter()
        .map(|i| match i {
            Item::Version(_) => "version",
            Item::Timezone(_) => "timezone",
            Item::Ladder(_) => "ladder",
            Item::Record(_) => "record",
            Item::Calendar(_) => "calendar",
            Item::Const(_) => "const",
            Item::Table(_) => "table",
            Item::Rule(_) => "rule",
            Item::FirstOf(_) => "first of",
            Item::Effective(_) => "effective",
            Item::When(_) => "when",
            Item::Override(_) => "override",
            Item::Remove(_) => "remove",
        })
        .collect();
    assert_eq!(
        kinds,
        [
            "version", "timezone", "ladder", "record", "calendar", "const", "table", "rule",
            "rule", "first of", "rule", "rule"
        ]
    );
    let Item::Rule(velocity) = &f.items[10] else {
        panic!()
    };
    assert_eq!(velocity.then_actions().count(), 2);
    let Item::Record(schema) = &f.items[3] else {
        panic!()
    };
    assert_eq!(schema.fields.len(), 13);
}

#[test]
fn spec_calendar_table_and_rule_shapes_parse() {
    file(
        r#"calendar support_hours {
  timezone "Europe/Berlin"                 // optional; default: the policy's
  mon-fri 09:00-13:00, 14:00-18:00          // day or range, then one or more intervals
  sat 10:00-14:00
  closed 2026-12-25, 2026-12-26             // whole-day holidays
}"#,
    );
    file(
        r#"table reply_target(priority, channel) {
  "urgent", _       => 15m
  "high", "phone"   => 30m
  _, _              => 8h
}"#,
    );
    let r = rule(
        r#"when a
  unless b
  then notify "x"
  expect done within 1h of start using hours excluding paused
  at 50%: notify "y"
  on breach: notify "z"
  after breach by 2h: notify "w"
  on met: tag "ok""#,
    );
    assert_eq!(r.clauses.len(), 8);
    assert_eq!(
        rule("limit v <= m on exceed: notify \"x\"").clauses.len(),
        2
    );
    assert_eq!(rule("limit v < m").clauses.len(), 1);
}

// ---- scripts ----

#[test]
fn identifiers_and_texts_in_many_scripts() {
    let f = file(
        r#"record { গ্রাহক.স্তর: text  வாடிக்கையாளர்: text  ग्राहक: text  ᜊᜌᜈᜒ: text  kustomer.antas: text }
const সীমা = 5000 INR
rule প্রথম_উত্তর "প্রতিটি টিকিটের উত্তর" { when গ্রাহক.স্তর == "সোনা" then tag "নীতি" }
rule முதல் "தமிழ் விதி" { when வாடிக்கையாளர் == "தங்கம்" then notify "குழு" }
rule नियम "हिंदी नियम" { when ग्राहक == "स्वर्ण" then escalate to "पर्यवेक्षक" }
rule ᜆᜈ᜔ᜇ "Tagalog" { when ᜊᜌᜈᜒ == "ᜋᜑᜎ᜔" and kustomer.antas == "ginto" then tag "mahalaga" }"#,
    );
    let names: Vec<String> = f
        .items
        .iter()
        .filter_map(|i| match i {
            Item::Rule(r) => Some(r.name.name.clone()),
            _ => None,
        })
        .collect();
    assert_eq!(names, ["প্রথম_উত্তর", "முதல்", "नियम", "ᜆᜈ᜔ᜇ"]);
    let Item::Rule(r) = &f.items[2] else { panic!() };
    assert_eq!(
        r.when().unwrap().kind,
        cmp(CompareOp::Eq, p("গ্রাহক.স্তর"), t("সোনা"))
    );
}

#[test]
fn errors_show_whole_words_in_any_script() {
    // The virama (U+09CD) is a combining mark inside the Bengali word.
    let err = first_error("rule r { when x প্রথম }");
    assert!(err.message.ends_with("found `প্রথম`"), "{err:?}");
}
