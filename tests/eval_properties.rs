//! Properties: evaluation never panics on any record, is deterministic (also across
//! threads), and `and`/`or`/`not` follow the three-valued truth tables.
#![allow(
    clippy::unwrap_used,
    clippy::expect_used,
    clippy::panic,
    clippy::indexing_slicing,
    reason = "tests and benches stop loudly on the unexpected"
)]

mod eval_support;

use std::sync::{Arc, OnceLock};

use proptest::prelude::*;
use serde_json::{Map, Value, json};
use service_policy::{EvalOptions, Explain, Policy};

/// A policy without a schema that reads the same fields with every kind of operator.
const LOOSE: &str = r#"policy "Loose" {
  ladder "a", "b"
  calendar hours { mon-fri 09:00-17:00 }
  table t(x) {
    "a" => 1h
    "b" => 2h
    _ => 3h
  }
  rule r1 { when x > 1 and y == "a" or not z then escalate to "a" }
  rule r2 { when x + 1 USD > 2 USD then set f to x * 2 }
  rule r3 { expect done within t(x) of start using hours excluding pauses at 50%: escalate to "b" after breach by 1h: tag "late" }
  rule r4 { limit sum(i.v for i in items where i.w) <= 10 on exceed: refund 5 USD }
  rule r5 { when len(y) > 2 or y matches "^[a-z]+$" or y contains "q" then notify y }
  rule r6 { when min(items) < max(items) or count(items) > 1 then tag "n" with { k: x } }
  rule r7 { when hour(start) < 12 and weekday(start) == "mon" and start during hours then emit "e" }
  rule r8 { when business_time(start, done, hours) > 1h or date(start) == 2026-03-02 then follow up within x }
  first of {
    rule r9 { when x is missing then tag "m" }
    rule r10 { when x in ["1", "a"] unless z then set f to 1 }
  }
}"#;

fn scalar() -> impl Strategy<Value = Value> {
    prop_oneof![
        Just(Value::Null),
        any::<bool>().prop_map(Value::Bool),
        any::<i64>().prop_map(Value::from),
        any::<u64>().prop_map(Value::from),
        (-1e300f64..1e300).prop_map(Value::from),
        Just(json!(1e308)),
        Just(json!(0.1)),
        "[a-z ]{0,8}".prop_map(Value::String),
        Just(json!("12.50 USD")),
        Just(json!("9999999999999999999999999999 USD")),
        Just(json!("2026-03-02T09:00:00Z")),
        Just(json!("2026-03-02T08:00:00+05:30")),
        Just(json!("1h30m")),
        Just(json!("PT15M")),
        Just(json!("2026-03-02")),
        Just(json!("a")),
        ".{0,32}".prop_map(Value::String),
    ]
}

fn json_tree() -> impl Strategy<Value = Value> {
    scalar().prop_recursive(4, 32, 6, |inner| {
        prop_oneof![
            prop::collection::vec(inner.clone(), 0..6).prop_map(Value::Array),
            prop::collection::vec(("[a-z]{1,2}|v|w|from|to", inner), 0..6)
                .prop_map(|pairs| Value::Object(pairs.into_iter().collect::<Map<_, _>>())),
        ]
    })
}

const FIELDS: [&str; 9] = [
    "x", "y", "z", "done", "start", "pauses", "items", "f", "customer",
];

fn record() -> impl Strategy<Value = Value> {
    prop_oneof![
        json_tree(),
        prop::collection::vec((prop::sample::select(FIELDS.to_vec()), json_tree()), 0..9).prop_map(
            |pairs| { Value::Object(pairs.into_iter().map(|(k, v)| (k.to_owned(), v)).collect()) }
        ),
    ]
}

fn loose() -> &'static Policy {
    static POLICY: OnceLock<Policy> = OnceLock::new();
    POLICY.get_or_init(|| eval_support::policy(LOOSE))
}

fn retail() -> &'static Policy {
    static POLICY: OnceLock<Policy> = OnceLock::new();
    POLICY.get_or_init(|| eval_support::policy(include_str!("eval/retail.policy")))
}

fn deeply_nested(depth: usize) -> Value {
    let mut v = json!(1);
    for _ in 0..depth {
        v = json!({ "x": v, "items": [1] });
    }
    v
}

proptest! {
    #![proptest_config(ProptestConfig::with_cases(256))]

    #[test]
    fn evaluation_never_panics_and_is_deterministic(record in record(), explain in any::<bool>()) {
        let options = EvalOptions {
            explain: if explain { Explain::On } else { Explain::Off },
            ..EvalOptions::at(eval_support::NOW.parse().unwrap())
        };
        for policy in [loose(), retail()] {
            let first = serde_json::to_string(&policy.evaluate(&record, &options)).unwrap();
            let second = serde_json::to_string(&policy.evaluate(&record, &options)).unwrap();
            prop_assert_eq!(first, second);
        }
    }

    #[test]
    fn retail_fields_of_any_shape_never_panic(
        values in prop::collection::vec(json_tree(), 12),
    ) {
        let keys = ["channel", "priority", "customer", "opened_at", "first_reply_at",
                    "resolved_at", "paused", "refund", "order", "csat", "tags", "message"];
        let record: Map<String, Value> =
            keys.iter().map(|k| (*k).to_owned()).zip(values).collect();
        let d = retail().evaluate(&Value::Object(record), &EvalOptions::at(eval_support::NOW.parse().unwrap()));
        // Every rule ends in exactly one place, or none when it did not apply.
        prop_assert!(d.fired.len() + d.undecided.len() <= 7);
    }

    #[test]
    fn and_or_not_follow_the_truth_tables(a in prop::option::of(any::<bool>()), b in prop::option::of(any::<bool>())) {
        let as_json = |v: Option<bool>| v.map_or(Value::Null, Value::Bool);
        let record = json!({"a": as_json(a), "b": as_json(b)});
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
        prop_assert_eq!(eval_support::truth("a and b", &record), and);
        prop_assert_eq!(eval_support::truth("a or b", &record), or);
        prop_assert_eq!(eval_support::truth("not (a and b)", &record), and.map(|x| !x));
        prop_assert_eq!(eval_support::truth("not a or not b", &record), and.map(|x| !x));
    }
}

#[test]
fn deep_nesting_and_huge_values_do_not_panic() {
    let options = EvalOptions::at(eval_support::NOW.parse().unwrap());
    for record in [
        deeply_nested(64),
        json!({"x": 1e308, "items": [1e308, -1e308], "start": "9999-12-31T23:59:59Z", "done": "-009999-01-01T00:00:00Z"}),
        json!({"x": "9999999999999999999999999999", "items": [{"v": 9e27, "w": true}, {"v": 9e27, "w": true}]}),
        json!({"start": "2026-03-02T09:00:00Z", "x": 1, "pauses": [{"from": "2026-03-02T09:00:00Z"}, {"to": 1}, 7]}),
        json!({"x": "PT99999999999999H"}),
    ] {
        let _ = loose().evaluate(&record, &options);
        let _ = retail().evaluate(&record, &options);
    }
}

#[test]
fn identical_decisions_across_threads() {
    let policy = Arc::new(eval_support::policy(include_str!("eval/retail.policy")));
    let records: Vec<Value> = (0..8)
        .map(|i| {
            json!({
                "channel": "chat", "priority": if i % 2 == 0 { "urgent" } else { "low" },
                "customer": {"tier": "gold", "refunds": [{"amount": format!("{} INR", i * 1000), "at": "2026-02-25T00:00:00Z"}]},
                "opened_at": "2026-03-02T04:00:00Z", "refund": {"requested": format!("{} INR", i * 900)},
                "order": {"total": "9000 INR"}, "tags": [], "csat": i
            })
        })
        .collect();
    let options = EvalOptions::at(eval_support::NOW.parse().unwrap());
    let expected: Vec<String> = records
        .iter()
        .map(|r| serde_json::to_string(&policy.evaluate(r, &options)).unwrap())
        .collect();
    std::thread::scope(|scope| {
        let handles: Vec<_> = (0..4)
            .map(|_| {
                let policy = Arc::clone(&policy);
                let (records, options) = (&records, &options);
                scope.spawn(move || {
                    records
                        .iter()
                        .map(|r| serde_json::to_string(&policy.evaluate(r, options)).unwrap())
                        .collect::<Vec<String>>()
                })
            })
            .collect();
        for handle in handles {
            assert_eq!(handle.join().unwrap(), expected);
        }
    });
}

#[test]
fn policies_are_send_and_sync() {
    fn assert_send_sync<T: Send + Sync>() {}
    assert_send_sync::<Policy>();
    assert_send_sync::<service_policy::Decision>();
}

#[test]
fn no_binary_floating_point_in_values() {
    let dir = std::path::Path::new(env!("CARGO_MANIFEST_DIR")).join("src/value");
    for entry in std::fs::read_dir(&dir).unwrap() {
        let path = entry.unwrap().path();
        let text = std::fs::read_to_string(&path).unwrap();
        for (n, line) in text.lines().enumerate() {
            assert!(
                !line.contains("f64") && !line.contains("f32"),
                "{}:{}: {line}",
                path.display(),
                n + 1
            );
        }
    }
}

/// An arithmetic expression over numbers, written with literals and with fields.
#[derive(Clone, Debug)]
enum Arith {
    Leaf(String),
    Neg(Box<Arith>),
    Op(&'static str, Box<Arith>, Box<Arith>),
}

impl Arith {
    fn text(&self, fields: bool, leaves: &mut Vec<String>) -> String {
        match self {
            Arith::Leaf(n) => {
                leaves.push(n.clone());
                if fields {
                    format!("x{}", leaves.len() - 1)
                } else {
                    n.clone()
                }
            }
            Arith::Neg(x) => format!("-({})", x.text(fields, leaves)),
            Arith::Op(op, a, b) => {
                format!(
                    "({} {op} {})",
                    a.text(fields, leaves),
                    b.text(fields, leaves)
                )
            }
        }
    }
}

fn arith_tree() -> impl Strategy<Value = Arith> {
    let leaf = prop_oneof![
        Just("0".to_owned()),
        Just("1".to_owned()),
        Just("9999999999999999999999999999".to_owned()),
        (0u32..1000, 0u32..3)
            .prop_map(|(n, scale)| { rust_decimal::Decimal::new(i64::from(n), scale).to_string() }),
    ]
    .prop_map(Arith::Leaf);
    leaf.prop_recursive(4, 16, 2, |inner| {
        prop_oneof![
            inner.clone().prop_map(|x| Arith::Neg(Box::new(x))),
            (
                prop::sample::select(vec!["+", "-", "*", "/"]),
                inner.clone(),
                inner
            )
                .prop_map(|(op, a, b)| Arith::Op(op, Box::new(a), Box::new(b))),
        ]
    })
}

proptest! {
    #![proptest_config(ProptestConfig::with_cases(64))]

    /// Folding at load and evaluating from the record give the same value or error.
    #[test]
    fn folded_and_evaluated_arithmetic_agree(tree in arith_tree()) {
        let mut leaves = Vec::new();
        let literal = tree.text(false, &mut leaves);
        let mut names = Vec::new();
        let with_fields = tree.text(true, &mut names);
        let schema: Vec<String> = (0..leaves.len()).map(|i| format!("x{i}: number")).collect();
        let schema = format!("record {{ {} }}", schema.join("  "));
        let record: Map<String, Value> = leaves
            .iter()
            .enumerate()
            .map(|(i, n)| (format!("x{i}"), Value::String(n.clone())))
            .collect();
        let folded = eval_support::calc_with("", &literal, &json!({}));
        let evaluated = eval_support::calc_with(&schema, &with_fields, &Value::Object(record));
        prop_assert_eq!(folded, evaluated, "{} / {}", literal, with_fields);
    }
}
