//! Expressions through the public API: operators, functions, aggregates, tables and the
//! three-valued logic of SPEC §6.
#![allow(
    clippy::unwrap_used,
    clippy::expect_used,
    clippy::panic,
    clippy::indexing_slicing,
    reason = "tests and benches stop loudly on the unexpected"
)]

mod eval_support;

use eval_support::{calc, calc_with, truth, truth_with};
use serde_json::{Value, json};

fn ok(expr: &str, expected: Value) {
    assert_eq!(calc(expr), Ok(expected), "{expr}");
}

fn fails(expr: &str, message_part: &str) {
    match calc(expr) {
        Err(m) => assert!(m.contains(message_part), "{expr}: {m}"),
        Ok(v) => panic!("{expr} gave {v}"),
    }
}

#[test]
fn money_is_exact() {
    ok("0.10 USD + 0.20 USD == 0.30 USD", json!(true));
    ok("0.10 USD + 0.20 USD", json!("0.30 USD"));
    let schema = "record { a: money  b: money }";
    let record = json!({"a": "0.10 USD", "b": {"amount": 0.2, "currency": "USD"}});
    assert_eq!(
        calc_with(schema, "a + b == 0.30 USD", &record),
        Ok(json!(true))
    );
    assert_eq!(calc_with(schema, "a + b", &record), Ok(json!("0.30 USD")));
}

#[test]
fn arithmetic() {
    for (expr, expected) in [
        ("1 + 2", json!(3)),
        ("7 - 10", json!(-3)),
        ("1.5 * 4", json!(6)),
        ("10 / 4", json!("2.5")),
        ("-(3)", json!(-3)),
        ("12.50 USD * 2", json!("25 USD")),
        ("3 * 1.25 EUR", json!("3.75 EUR")),
        ("10 USD / 4", json!("2.50 USD")),
        ("10 USD / 4 USD", json!("2.5")),
        ("10 USD - 12.5 USD", json!("-2.50 USD")),
        ("1h + 30m", json!("1h30m")),
        ("2h - 30m", json!("1h30m")),
        ("1h * 1.5", json!("1h30m")),
        ("3h / 2", json!("1h30m")),
        ("3h / 30m", json!(6)),
        ("2026-03-02T09:00:00Z + 90m", json!("2026-03-02T10:30:00Z")),
        ("2026-03-02T09:00:00Z - 1d", json!("2026-03-01T09:00:00Z")),
        ("2026-03-02T10:00:00Z - 2026-03-02T09:15:00Z", json!("45m")),
        ("2026-02-27 + 3d", json!("2026-03-02")),
        ("2026-03-02 - 1w", json!("2026-02-23")),
        ("50% of 300 INR", json!("150 INR")),
        ("12.5% of 8h", json!("1h")),
        ("50%", json!("0.5")),
        ("now", json!("2026-03-02T10:00:00Z")),
        ("now - 30m", json!("2026-03-02T09:30:00Z")),
        ("-(5 USD)", json!("-5 USD")),
    ] {
        ok(expr, expected);
    }
}

#[test]
fn arithmetic_errors_are_rule_errors() {
    fails("1 / 0", "division by zero");
    fails("1 USD / 0", "division by zero");
    fails("1h / 0s", "division by zero");
    // Mixed types in literals are refused when the policy loads; from records they are
    // errors of the rule.
    let record = json!({"usd": "1 USD", "one": 1});
    let mismatch = calc_with("", "usd + 1 EUR", &record).unwrap_err();
    assert_eq!(mismatch, "currency mismatch: `USD` and `EUR`");
    let mixed = calc_with("", "one + 1 USD", &record).unwrap_err();
    assert_eq!(mixed, "cannot apply `+` to number and money");
    fails("9999999999999999999999999999 * 10", "overflow");
    fails("2026-03-02 + 1h", "not a whole number of days");
}

#[test]
fn comparisons() {
    let cases = [
        ("1 < 2", true),
        ("2 <= 2", true),
        ("3 > 4", false),
        ("4 >= 4.0", true),
        ("1.0 == 1", true),
        ("1 != 1", false),
        ("5 USD < 7 USD", true),
        ("7000.00 INR == 7000 INR", true),
        ("90s > 1m", true),
        ("1h == 60m", true),
        ("2026-03-02T09:00:00Z < 2026-03-02T14:30:00+05:30", false),
        ("2026-03-02T09:00:00Z == 2026-03-02T14:30:00+05:30", true),
        ("2026-01-26 < 2026-08-15", true),
        ("\"a\" == \"a\"", true),
        ("\"a\" != \"b\"", true),
        ("true == false", false),
    ];
    for (expr, expected) in cases {
        assert_eq!(truth(expr, &json!({})), Some(expected), "{expr}");
    }
    let record = json!({"eur": "1 EUR"});
    assert_eq!(
        calc_with("", "eur < 1 USD", &record),
        Err("currency mismatch: `EUR` and `USD`".to_owned())
    );
}

#[test]
fn text_converts_without_a_schema() {
    let record = json!({"amount": "150 USD", "opened": "2026-03-02T09:00:00Z", "wait": "PT20M",
                        "day": "2026-03-02", "bad": "lots"});
    assert_eq!(truth("amount > 100 USD", &record), Some(true));
    assert_eq!(truth("opened < now", &record), Some(true));
    assert_eq!(truth("wait >= 15m", &record), Some(true));
    assert_eq!(truth("day == 2026-03-02", &record), Some(true));
    assert_eq!(
        calc_with("", "bad > 100 USD", &record),
        Err("cannot convert `lots` to money".to_owned())
    );
}

#[test]
fn tests_in_contains_matches_missing() {
    let record =
        json!({"tags": ["vip", "b"], "msg": "I will take LEGAL action", "channel": "chat"});
    for (guard, expected) in [
        ("channel in [\"phone\", \"chat\"]", Some(true)),
        ("channel not in [\"phone\", \"chat\"]", Some(false)),
        ("\"vip\" in tags", Some(true)),
        ("tags contains \"b\"", Some(true)),
        ("tags contains \"c\"", Some(false)),
        ("msg contains \"LEGAL\"", Some(true)),
        ("msg contains \"legal\"", Some(false)),
        ("msg matches \"(?i)lawyer|legal action\"", Some(true)),
        ("msg matches \"^legal\"", Some(false)),
        ("nothing is missing", Some(true)),
        ("nothing is present", Some(false)),
        ("msg is present", Some(true)),
        ("nothing in [\"a\"]", None),
        ("nothing matches \"a\"", None),
        ("\"a\" in nothing", None),
    ] {
        assert_eq!(truth(guard, &record), expected, "{guard}");
    }
}

#[test]
fn three_valued_logic_tables() {
    // a and b are true, false or missing (null).
    let values = [Some(true), Some(false), None];
    let json_of = |v: Option<bool>| v.map_or(Value::Null, Value::Bool);
    for a in values {
        for b in values {
            let record = json!({"a": json_of(a), "b": json_of(b)});
            let and = match (a, b) {
                (Some(false), _) | (_, Some(false)) => Some(false),
                (Some(true), Some(true)) => Some(true),
                _ => None,
            };
            let or = match (a, b) {
                (Some(true), _) | (_, Some(true)) => Some(true),
                (Some(false), Some(false)) => Some(false),
                _ => None,
            };
            assert_eq!(truth("a and b", &record), and, "{a:?} and {b:?}");
            assert_eq!(truth("a or b", &record), or, "{a:?} or {b:?}");
        }
        assert_eq!(
            truth("not a", &json!({"a": json_of(a)})),
            a.map(|x| !x),
            "not {a:?}"
        );
    }
}

#[test]
fn missing_propagates_through_operators_and_functions() {
    for expr in [
        "x + 1",
        "x * 2",
        "-x",
        "50% of x",
        "len(x)",
        "lower(x)",
        "abs(x)",
        "min(x, 1)",
        "max(1, x)",
        "date(x)",
        "weekday(x)",
        "hour(x)",
        "x == 1",
        "x contains \"a\"",
    ] {
        assert_eq!(calc(expr), Err("missing".to_owned()), "{expr}");
    }
}

#[test]
fn undecided_names_the_fields_that_decided_it() {
    let p = eval_support::body("rule r { when csat <= 2 or message matches \"x\" then tag \"t\" }");
    let d = eval_support::decide(&p, &json!({"message": "no"}));
    assert_eq!(d["undecided"], json!([{"rule": "r", "missing": ["csat"]}]));
    // A missing operand that did not matter is not named.
    let p = eval_support::body("rule r { when (a and b) or c then tag \"t\" }");
    let d = eval_support::decide(&p, &json!({"b": false}));
    assert_eq!(d["undecided"], json!([{"rule": "r", "missing": ["c"]}]));
}

#[test]
fn functions() {
    let record = json!({"t": "2026-03-02T20:30:00Z", "name": "Ärger", "items": [1, 2, 3]});
    let tz = "timezone \"Asia/Kolkata\"";
    for (expr, expected) in [
        ("len(\"নীতি\")", json!(4)),
        ("len(items)", json!(3)),
        ("lower(name)", json!("ärger")),
        ("upper(name)", json!("ÄRGER")),
        ("abs(-3)", json!(3)),
        ("abs(-2 USD)", json!("2 USD")),
        ("abs(-(90s))", json!("1m30s")),
        ("min(3, 1, 2)", json!(1)),
        ("max(3 USD, 1 USD)", json!("3 USD")),
        ("min(2h, 90m)", json!("1h30m")),
        ("date(t)", json!("2026-03-03")),
        ("weekday(t)", json!("tue")),
        ("hour(t)", json!(2)),
    ] {
        assert_eq!(calc_with(tz, expr, &record), Ok(expected), "{expr}");
    }
    assert_eq!(calc_with("", "hour(t)", &record), Ok(json!(20)));
    assert_eq!(calc_with("", "weekday(t)", &record), Ok(json!("mon")));
    assert!(calc_with("", "min(n, 1 USD)", &json!({"n": 1})).is_err());
}

#[test]
fn calendars_during_and_business_time() {
    let cal = "calendar office { mon-fri 09:00-17:00 \n closed 2026-03-04 }";
    let record = json!({"a": "2026-03-02T16:00:00Z", "b": "2026-03-05T10:00:00Z", "sat": "2026-03-07T10:00:00Z"});
    assert_eq!(
        calc_with(cal, "business_time(a, b, office)", &record),
        Ok(json!("10h"))
    );
    assert_eq!(truth_with(cal, "a during office", &record), Some(true));
    assert_eq!(truth_with(cal, "sat during office", &record), Some(false));
    assert_eq!(truth_with(cal, "nothing during office", &record), None);
}

#[test]
fn aggregates_and_comprehensions() {
    let schema = "record { refunds: list<{ amount: money, at: time }>  scores: list<number>  none: list<money> }";
    let record = json!({
        "refunds": [
            {"amount": "100 INR", "at": "2026-02-25T00:00:00Z"},
            {"amount": "250 INR", "at": "2026-01-01T00:00:00Z"},
            {"amount": null, "at": "2026-03-01T00:00:00Z"},
            {"amount": "50 INR", "at": "2026-03-01T00:00:00Z"}
        ],
        "scores": [3, 1, null, 4],
        "none": []
    });
    for (expr, expected) in [
        ("count(scores)", json!(3)),
        ("sum(scores)", json!(8)),
        ("min(scores)", json!(1)),
        ("max(scores)", json!(4)),
        ("count(none)", json!(0)),
        ("sum(none) + 5 INR", json!("5 INR")),
        ("sum(r.amount for r in refunds)", json!("400 INR")),
        (
            "sum(r.amount for r in refunds where r.at >= now - 30d)",
            json!("150 INR"),
        ),
        (
            "count(r for r in refunds where r.amount > 60 INR)",
            json!(2),
        ),
        ("count(r.amount > 60 INR for r in refunds)", json!(2)),
        ("min(r.amount for r in refunds)", json!("50 INR")),
        ("max(r.at for r in refunds)", json!("2026-03-01T00:00:00Z")),
        ("any(r.amount > 200 INR for r in refunds)", json!(true)),
        ("all(r.amount > 10 INR for r in refunds)", json!(true)),
        ("all(r.amount > 60 INR for r in refunds)", json!(false)),
        ("any(s > 10 for s in scores)", json!(false)),
        (
            "sum(r.amount for r in refunds where r.at > now)",
            json!("0"),
        ),
        ("sum(s * 2 for s in scores)", json!(16)),
    ] {
        assert_eq!(calc_with(schema, expr, &record), Ok(expected), "{expr}");
    }
    assert_eq!(
        calc_with(schema, "min(none)", &record),
        Err("missing".to_owned())
    );
}

#[test]
fn tables_are_first_hit() {
    let table = r#"
      table target(priority, channel) {
        "urgent", _             => 15m
        "high", ["phone", "chat"] => 30m
        "high", _               => 1h
        "normal", _             => 8h
      }
      table band(amount) {
        >= 1000 USD => "large"
        > 100 USD   => "medium"
        _           => "small"
      }"#;
    let check = |expr: &str, record: Value, expected: Result<Value, String>| {
        assert_eq!(calc_with(table, expr, &record), expected, "{expr} {record}");
    };
    check(
        "target(priority, channel)",
        json!({"priority": "urgent"}),
        Ok(json!("15m")),
    );
    check(
        "target(priority, channel)",
        json!({"priority": "high", "channel": "chat"}),
        Ok(json!("30m")),
    );
    check(
        "target(priority, channel)",
        json!({"priority": "high", "channel": "email"}),
        Ok(json!("1h")),
    );
    check(
        "target(priority, channel)",
        json!({"priority": "low", "channel": "email"}),
        Err("missing".into()),
    );
    check(
        "target(priority, channel)",
        json!({"priority": "high"}),
        Err("missing".into()),
    );
    check("band(a)", json!({"a": "1000 USD"}), Ok(json!("large")));
    check("band(a)", json!({"a": "101 USD"}), Ok(json!("medium")));
    check("band(a)", json!({"a": "100 USD"}), Ok(json!("small")));
    check("band(250 USD)", json!({}), Ok(json!("medium")));
}

#[test]
fn constants_fold_and_chain() {
    let items = "const cap = 5000 INR\nconst half = 50% of cap\nconst window = 2h + 30m";
    assert_eq!(calc_with(items, "half", &json!({})), Ok(json!("2500 INR")));
    assert_eq!(calc_with(items, "window", &json!({})), Ok(json!("2h30m")));
    // A constant that fails is an error of the rule using it, not of loading.
    let items = "const bad = 1 / 0";
    assert!(
        calc_with(items, "bad", &json!({}))
            .unwrap_err()
            .contains("division by zero")
    );
}

#[test]
fn constants_that_use_now_are_shared_not_copied() {
    // Each constant uses the previous one twice: copied, the last would be 2^300 nodes.
    // They are written last first, so the plan must order them itself, and the chain is
    // longer than recursion along it could bear.
    let mut items = Vec::new();
    items.push("const c0 = now - 2026-03-02T09:00:00Z".to_owned());
    for i in 1..=300 {
        items.push(format!("const c{i} = (c{p} + c{p}) / 2", p = i - 1));
    }
    items.reverse();
    let items = items.join("\n");
    let started = std::time::Instant::now();
    assert_eq!(calc_with(&items, "c300", &json!({})), Ok(json!("1h")));
    assert_eq!(calc_with(&items, "c300 + c3", &json!({})), Ok(json!("2h")));
    assert!(started.elapsed() < std::time::Duration::from_secs(20));
}
