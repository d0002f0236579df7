//! The compiled evaluator, with and without its rule index, and the reference interpreter
//! that walks the syntax tree give the same decision JSON, with explain off and on.
//!
//! Generated policies lean on what the index and the compiler could get wrong: guards that
//! are conjunctions of text tests (the index's gates) mixed with tests that can be missing
//! or fail, `first of` blocks, limits, deadlines and actions; generated records make each
//! field absent, null, a matching or other text, a text outside its enumeration, or a
//! value of the wrong type.
// The stage it tests is internal: built with `--features internals` (or `--all-features`).
#![cfg(feature = "internals")]
#![allow(
    clippy::unwrap_used,
    clippy::expect_used,
    clippy::panic,
    clippy::indexing_slicing,
    reason = "tests and benches stop loudly on the unexpected"
)]

use proptest::prelude::*;
use proptest::strategy::ValueTree;
use serde_json::{Map, Value as Json, json};
use service_policy::compile::Plan;
use service_policy::{EvalOptions, Evaluation, Explain, Policy};

const NOW: &str = "2026-03-02T10:00:00Z";

const SCHEMA: &str = r#"
  record {
    queue: text
    priority: "low" | "normal" | "high" | "urgent"
    channel: text?
    customer.tier: "standard" | "gold"
    amount: number?
    tags: list<text>?
    opened_at: time?
    first_reply_at: time?
    status_log: list<{ at: time?, status: text? }>?
  }
"#;

/// One test in a guard.
fn atom() -> impl Strategy<Value = String> {
    prop_oneof![
        4 => (0..4u8).prop_map(|k| format!("queue == \"q{k}\"")),
        3 => (0..4u8, 0..4u8).prop_map(|(a, b)| format!("queue in [\"q{a}\", \"q{b}\"]")),
        1 => (0..4u8).prop_map(|k| format!("\"q{k}\" == queue")),
        1 => (0..4u8).prop_map(|k| format!("queue != \"q{k}\"")),
        2 => prop::sample::select(vec!["low", "normal", "high", "urgent"])
            .prop_map(|p| format!("priority == \"{p}\"")),
        1 => Just("priority not in [\"low\", \"normal\"]".to_owned()),
        2 => Just("customer.tier == \"gold\"".to_owned()),
        2 => Just("channel != \"email\"".to_owned()),
        1 => Just("channel == \"chat\"".to_owned()),
        2 => (0..3u32).prop_map(|n| format!("amount > {}", n * 250)),
        1 => (1..4u32).prop_map(|n| format!("amount * {n} - 400 >= 100")),
        1 => Just("-amount < -300 or amount + 1 == 101".to_owned()),
        // Constants that are not integers: compared exactly, in either order.
        2 => prop::sample::select(vec!["99.5", "250.25", "600.50", "0.1"]).prop_map(|k| {
            format!("amount > {k}")
        }),
        1 => Just("250.25 >= amount and amount != 600.5".to_owned()),
        1 => Just("tags contains \"vip\"".to_owned()),
        1 => Just("amount is missing".to_owned()),
    ]
}

/// A guard: a conjunction of tests, sometimes with an `or` or a `not` inside.
fn guard() -> impl Strategy<Value = String> {
    let part = prop_oneof![
        6 => atom(),
        1 => (atom(), atom()).prop_map(|(a, b)| format!("({a} or {b})")),
        1 => atom().prop_map(|a| format!("not ({a})")),
    ];
    prop::collection::vec(part, 1..4).prop_map(|parts| parts.join(" and "))
}

/// A rule named `name`.
fn rule(name: String, simple: bool) -> impl Strategy<Value = String> {
    // Actions known at load only: every rule may have a compiled guard.
    let simple_body = prop_oneof![
        Just("then tag \"t\"".to_owned()),
        Just("then escalate to \"supervisor\"".to_owned()),
        Just("then escalate to \"agent\"\n    tag \"low\"".to_owned()),
    ];
    let full_body = prop_oneof![
        Just("then tag \"t\"".to_owned()),
        Just("then escalate to \"supervisor\"".to_owned()),
        Just("then escalate to \"agent\"\n    tag \"low\"".to_owned()),
        Just("limit amount <= 500\n    on exceed: notify \"lead\"".to_owned()),
        Just(
            "expect first_reply_at within 1h of opened_at\n    on breach: escalate to \"supervisor\""
                .to_owned()
        ),
        Just(
            "expect first_reply_at within 1h of opened_at excluding spans(s.at for s in status_log where s.status in [\"pending\", \"hold\"])\n    at 50%: notify \"lead\"\n    on breach: escalate to \"supervisor\""
                .to_owned()
        ),
        Just(
            "expect first_reply_at within 30m of opened_at excluding spans(s.at for s in status_log)"
                .to_owned()
        ),
        Just("then set priority to \"urgent\"".to_owned()),
        Just("then set priority to \"high\"".to_owned()),
        Just("then compensate 10 USD\n    refund 10 USD\n    compensate 10 USD".to_owned()),
    ];
    let body = if simple {
        simple_body.boxed()
    } else {
        full_body.boxed()
    };
    (
        prop::option::weighted(0.9, guard()),
        prop::option::weighted(0.2, atom()),
        body,
    )
        .prop_map(move |(when, unless, body)| {
            let mut s = format!("  rule {name} {{\n");
            if let Some(w) = when {
                s.push_str(&format!("    when {w}\n"));
            }
            if let Some(u) = unless {
                s.push_str(&format!("    unless {u}\n"));
            }
            s.push_str(&format!("    {body}\n  }}\n"));
            s
        })
}

/// A policy of 1 to 8 blocks, each a rule or a `first of` of two or three.
fn policy() -> impl Strategy<Value = String> {
    policy_of(false)
}

/// A policy as [`policy`] gives, whose rules are all `simple` (see [`rule`]) when asked.
fn policy_of(simple: bool) -> impl Strategy<Value = String> {
    let block = prop_oneof![3 => Just(1usize), 1 => 2..4usize];
    (prop::collection::vec(block, 1..8), any::<bool>())
        .prop_flat_map(move |(sizes, ladder)| {
            let mut rules = Vec::new();
            let mut n = 0;
            for size in &sizes {
                for _ in 0..*size {
                    rules.push(rule(format!("r{n}"), simple));
                    n += 1;
                }
            }
            (Just(sizes), Just(ladder), rules)
        })
        .prop_map(|(sizes, ladder, rules)| {
            let mut s = String::from("policy \"Generated\" {\n");
            if ladder {
                s.push_str("  ladder \"agent\", \"supervisor\"\n");
            }
            s.push_str(SCHEMA);
            let mut rules = rules.into_iter();
            for size in sizes {
                if size == 1 {
                    s.extend(rules.next());
                } else {
                    s.push_str("  first of {\n");
                    for _ in 0..size {
                        s.extend(rules.next());
                    }
                    s.push_str("  }\n");
                }
            }
            s.push_str("}\n");
            s
        })
}

/// A field value: absent (`None`), or some JSON.
fn value(noisy: bool, valid: Vec<Json>) -> impl Strategy<Value = Option<Json>> {
    if !noisy {
        return prop::sample::select(valid).prop_map(Some).boxed();
    }
    prop_oneof![
        1 => Just(None),
        1 => Just(Some(Json::Null)),
        6 => prop::sample::select(valid).prop_map(Some),
        1 => prop_oneof![Just(json!(7)), Just(json!(true)), Just(json!("zzz")), Just(json!(["q1"]))]
            .prop_map(Some),
    ]
    .boxed()
}

fn record() -> impl Strategy<Value = Json> {
    record_of(true)
}

/// A record; without `noisy`, every field is there with a value of its type.
fn record_of(noisy: bool) -> impl Strategy<Value = Json> {
    (
        value(
            noisy,
            vec![
                json!("q0"),
                json!("q1"),
                json!("q2"),
                json!("q3"),
                json!("q9"),
            ],
        ),
        value(
            noisy,
            vec![
                json!("low"),
                json!("normal"),
                json!("high"),
                json!("urgent"),
            ],
        ),
        value(noisy, vec![json!("chat"), json!("email")]),
        value(
            noisy,
            vec![
                json!({"tier": "gold"}),
                json!({"tier": "standard"}),
                json!({}),
            ],
        ),
        value(
            noisy,
            if noisy {
                vec![
                    json!(100),
                    json!(600),
                    json!("250"),
                    json!(12.5),
                    json!(250.25),
                    json!(0.1),
                    json!(1e-7),
                    // Overflows 64 bits once doubled; past 64 bits.
                    json!(i64::MAX),
                    json!(u64::MAX),
                ]
            } else {
                vec![json!(100), json!(600), json!(99.5)]
            },
        ),
        value(
            noisy,
            vec![json!([]), json!(["vip"]), json!(["new", "vip"])],
        ),
        value(
            noisy,
            vec![json!("2026-03-02T08:00:00Z"), json!("2026-03-02T09:30:00Z")],
        ),
        value(
            noisy,
            vec![json!("2026-03-02T08:30:00Z"), json!("2026-03-02T09:45:00Z")],
        ),
        value(
            noisy,
            vec![
                json!([]),
                // In order, reopened, and still pending at `now`.
                json!([
                    {"at": "2026-03-02T08:10:00Z", "status": "pending"},
                    {"at": "2026-03-02T08:40:00Z", "status": "open"},
                    {"at": "2026-03-02T09:00:00Z", "status": "hold"},
                    {"at": "2026-03-02T09:20:00Z", "status": "open"},
                    {"at": "2026-03-02T09:50:00Z", "status": "pending"}
                ]),
                // Unsorted, with equal times and an event after `now`.
                json!([
                    {"at": "2026-03-02T09:00:00Z", "status": "open"},
                    {"at": "2026-03-02T08:15:00Z", "status": "pending"},
                    {"at": "2026-03-02T09:00:00Z", "status": "hold"},
                    {"at": "2026-03-02T11:00:00Z", "status": "pending"}
                ]),
                // A status missing, and one of the wrong type.
                json!([
                    {"at": "2026-03-02T08:20:00Z"},
                    {"at": "2026-03-02T08:50:00Z", "status": "pending"},
                    {"at": "2026-03-02T09:10:00Z", "status": 3}
                ]),
                // An event without a time, a null element, a time that is not one.
                json!([{"at": "2026-03-02T08:20:00Z", "status": "pending"}, {"status": "open"}]),
                json!([null, {"at": "2026-03-02T08:20:00Z", "status": "pending"}]),
                json!([{"at": "yesterday", "status": "pending"}]),
            ],
        ),
        // Many fields besides: the slots are then looked up rather than walked to.
        any::<bool>(),
    )
        .prop_map(
            |(queue, priority, channel, customer, amount, tags, opened, replied, log, wide)| {
                let mut map = Map::new();
                if wide {
                    for i in 0..40 {
                        map.insert(format!("extra{i}"), json!(i));
                    }
                }
                for (key, v) in [
                    ("queue", queue),
                    ("priority", priority),
                    ("channel", channel),
                    ("customer", customer),
                    ("amount", amount),
                    ("tags", tags),
                    ("opened_at", opened),
                    ("first_reply_at", replied),
                    ("status_log", log),
                ] {
                    if let Some(v) = v {
                        map.insert(key.to_owned(), v);
                    }
                }
                Json::Object(map)
            },
        )
}

fn options(explain: Explain) -> EvalOptions {
    EvalOptions {
        explain,
        ..EvalOptions::at(NOW.parse().unwrap())
    }
}

/// All decisions agree, with explain off and on: the compiled plan's (indexed, with compiled
/// guards), the same without its index, the same without its compiled guards, the
/// borrowed decision from one buffer reused across the records, and the reference
/// interpreter's.
fn agree(source: &str, records: &[Json]) -> Result<(), TestCaseError> {
    let policy = match Policy::parse(source) {
        Ok(p) => p,
        // The generator may write a policy the checker refuses; there is nothing to compare.
        Err(_) => return Ok(()),
    };
    let (plain, general) = match (Plan::new(policy.ast()), Plan::new(policy.ast())) {
        (Ok(plain), Ok(general)) => (plain.without_index(), general.without_fast()),
        (Err(d), _) | (_, Err(d)) => return Err(TestCaseError::fail(format!("{d:?}"))),
    };
    let mut buffer = Evaluation::new();
    for record in records {
        for explain in [Explain::Off, Explain::On] {
            let options = options(explain);
            let indexed = serde_json::to_string(&policy.evaluate(record, &options)).unwrap();
            let unindexed =
                serde_json::to_string(&service_policy::eval::evaluate(&plain, record, &options))
                    .unwrap();
            let slow =
                serde_json::to_string(&service_policy::eval::evaluate(&general, record, &options))
                    .unwrap();
            let decision = policy.evaluate_into(record, &options, &mut buffer);
            let borrowed = serde_json::to_string(&decision).unwrap();
            let mut written = String::new();
            decision.write_json(&mut written).unwrap();
            prop_assert_eq!(&borrowed, &written, "written JSON differs on {}", record);
            let reference =
                serde_json::to_string(&policy.evaluate_reference(record, &options)).unwrap();
            prop_assert_eq!(
                &indexed,
                &unindexed,
                "index changed the decision on {}",
                record
            );
            prop_assert_eq!(
                &indexed,
                &slow,
                "compiled guards changed the decision on {}",
                record
            );
            prop_assert_eq!(
                &indexed,
                &borrowed,
                "borrowed decision differs on {}",
                record
            );
            prop_assert_eq!(&indexed, &reference, "reference differs on {}", record);
            // Read straight from the text, when it can be: the same decision and echo.
            let line = record.to_string();
            if let Some((decision, id)) =
                policy.evaluate_json_line(&line, Some("queue"), &options, &mut buffer)
            {
                prop_assert_eq!(explain, Explain::Off, "a trace needs the full evaluator");
                prop_assert_eq!(
                    &indexed,
                    &serde_json::to_string(&decision).unwrap(),
                    "the line read straight differs on {}",
                    line
                );
                prop_assert_eq!(&id, record.get("queue").unwrap_or(&Json::Null));
            }
        }
    }
    Ok(())
}

proptest! {
    #![proptest_config(ProptestConfig { cases: 256, ..ProptestConfig::default() })]

    #[test]
    fn compiled_indexed_and_reference_decisions_agree(
        source in policy(),
        records in prop::collection::vec(record(), 1..6),
    ) {
        agree(&source, &records)?;
    }

    #[test]
    fn policies_of_compiled_guards_agree_read_straight_or_not(
        source in policy_of(true),
        records in prop::collection::vec(prop_oneof![record(), record_of(false)], 1..6),
    ) {
        agree(&source, &records)?;
    }
}

#[test]
fn generated_lines_are_often_read_straight() {
    // Without this, the comparison of lines read straight could pass by comparing nothing.
    let mut runner = proptest::test_runner::TestRunner::deterministic();
    let (policies, records) = (policy_of(true), record_of(false));
    let options = options(Explain::Off);
    let mut buffer = Evaluation::new();
    let (mut tried, mut straight) = (0, 0);
    for _ in 0..200 {
        let source = policies.new_tree(&mut runner).unwrap().current();
        let Ok(policy) = Policy::parse(&source) else {
            continue;
        };
        for _ in 0..5 {
            let line = records.new_tree(&mut runner).unwrap().current().to_string();
            tried += 1;
            if policy
                .evaluate_json_line(&line, Some("queue"), &options, &mut buffer)
                .is_some()
            {
                straight += 1;
            }
        }
    }
    assert!(
        straight * 2 >= tried,
        "only {straight} of {tried} lines were read straight"
    );
}

#[test]
fn one_buffer_serves_policy_after_policy() {
    // Each policy is dropped before the next is loaded, so a new one may well take the
    // place of the old in memory: the buffer must still scan for the new one's fields.
    let options = options(Explain::Off);
    let mut buffer = Evaluation::new();
    let line =
        r#"{"queue": "q1", "priority": "high", "amount": 600, "customer": {"tier": "gold"}}"#;
    let record: Json = serde_json::from_str(line).unwrap();
    for round in 0..20 {
        let guard = match round % 3 {
            0 => "queue == \"q1\"",
            1 => "amount > 500 and priority == \"high\"",
            _ => "customer.tier == \"gold\" and amount < 100",
        };
        let source = format!(
            "policy \"P{round}\" {{\n{SCHEMA}\n  rule r {{\n    when {guard}\n    then tag \"t\"\n  }}\n}}\n"
        );
        let policy = Policy::parse(&source).unwrap();
        let (decision, id) = policy
            .evaluate_json_line(line, Some("queue"), &options, &mut buffer)
            .expect("a clean line is read straight");
        assert_eq!(
            serde_json::to_string(&decision).unwrap(),
            serde_json::to_string(&policy.evaluate(&record, &options)).unwrap(),
            "round {round}"
        );
        assert_eq!(id, json!("q1"));
    }
}

#[test]
fn generated_policies_load_and_most_are_indexed() {
    // Without this, the property above could pass by comparing nothing.
    let mut runner = proptest::test_runner::TestRunner::deterministic();
    let strategy = policy();
    let (mut loaded, mut indexed, mut compiled) = (0, 0, 0);
    for _ in 0..200 {
        let source = strategy.new_tree(&mut runner).unwrap().current();
        if let Ok(p) = Policy::parse(&source) {
            loaded += 1;
            let plan = Plan::new(p.ast()).unwrap();
            if plan.is_indexed() {
                indexed += 1;
            }
            if plan.compiled_guards() > 0 {
                compiled += 1;
            }
        }
    }
    assert!(
        compiled >= 100,
        "only {compiled} of {loaded} loaded policies have compiled guards"
    );
    assert!(
        loaded >= 150,
        "only {loaded} of 200 generated policies load"
    );
    assert!(
        indexed >= 40,
        "only {indexed} of {loaded} loaded policies are indexed"
    );
}

#[test]
fn the_index_skips_only_what_cannot_apply() {
    let source = format!(
        r#"policy "P" {{ {SCHEMA}
          rule a {{ when queue == "q1" and priority == "high" then tag "a" }}
          rule b {{ when channel != "email" and queue in ["q1", "q2"] then tag "b" }}
          rule c {{ when queue == "q2" then tag "c" }}
          rule d {{ when amount > 5 and queue == "q1" then tag "d" }}
          first of {{
            rule e {{ when queue == "q3" then tag "e" }}
            rule f {{ then tag "f" }}
          }}
        }}"#
    );
    let policy = Policy::parse(&source).unwrap();
    assert!(Plan::new(policy.ast()).unwrap().is_indexed());
    let records = [
        // Gated rules out: `a` and `d` (filed under `queue`; `amount` gates too few rules
        // to be indexed) are skipped; `b`, `c` and the block are walked.
        json!({"queue": "q2", "priority": "high", "channel": "chat", "customer": {"tier": "gold"}, "amount": 9}),
        // The gate field missing: every rule must say it is undecided.
        json!({"priority": "high", "customer": {"tier": "gold"}}),
        // The gate field of the wrong type: every gated rule is an error.
        json!({"queue": 5, "priority": "high", "customer": {"tier": "gold"}}),
        // A test before a gate cannot be read: the record is walked in full.
        json!({"queue": "q9", "channel": 3, "priority": "low", "customer": {"tier": "gold"}}),
        // A priority outside its enumeration is an error of `a`, not a skip.
        json!({"queue": "q2", "priority": "unknown", "customer": {"tier": "gold"}}),
    ];
    agree(&source, &records).unwrap();
    let options = options(Explain::Off);
    let d = policy.evaluate(records.get(1).unwrap(), &options);
    assert_eq!(
        d.undecided
            .iter()
            .map(|u| u.rule.as_str())
            .collect::<Vec<_>>(),
        ["a", "b", "c", "d", "e"]
    );
    let d = policy.evaluate(records.get(2).unwrap(), &options);
    assert_eq!(d.errors.len(), 5, "{:?}", d.errors);
    // `channel` cannot be read, but `b`'s gate is false: `and` is false whatever the
    // other side holds, so nothing fails and only the rule without a guard applies.
    let d = policy.evaluate(records.get(3).unwrap(), &options);
    assert_eq!(d.fired, ["f"]);
    assert!(d.errors.is_empty(), "{:?}", d.errors);
    let d = policy.evaluate(records.first().unwrap(), &options);
    assert_eq!(d.fired, ["b", "c", "f"]);
}

// ---- several gating fields and numeric bands ----

const WIDE_SCHEMA: &str = r#"
  record {
    f0: text
    f1: text
    f2: text?
    tier: "a" | "b" | "c"
    amount: number
    paid: money?
    wait: duration?
    tags: list<text>?
  }
"#;

/// One test in a guard over several text fields and numeric bands.
fn wide_atom() -> impl Strategy<Value = String> {
    prop_oneof![
        3 => (0..3u8, 0..4u8).prop_map(|(f, v)| format!("f{f} == \"v{v}\"")),
        2 => (0..3u8, 0..4u8, 0..4u8).prop_map(|(f, a, b)| format!("f{f} in [\"v{a}\", \"v{b}\"]")),
        1 => (0..3u8, 0..4u8).prop_map(|(f, v)| format!("f{f} != \"v{v}\"")),
        1 => prop::sample::select(vec!["a", "b", "c"]).prop_map(|t| format!("tier == \"{t}\"")),
        3 => (prop::sample::select(vec![">", ">=", "<", "<=", "=="]), 0..6u32)
            .prop_map(|(op, n)| format!("amount {op} {}", n * 100)),
        1 => (prop::sample::select(vec![">", "<="]), 0..6u32)
            .prop_map(|(op, n)| format!("{} {op} amount", n * 100)),
        2 => (prop::sample::select(vec![">", ">=", "<", "<="]), 0..4u32, prop::sample::select(vec!["USD", "EUR"]))
            .prop_map(|(op, n, c)| format!("paid {op} {} {c}", n * 50)),
        2 => (prop::sample::select(vec![">", "<=", "=="]), 0..4u32)
            .prop_map(|(op, n)| format!("wait {op} {}m", n * 30)),
        1 => Just("tags contains \"vip\"".to_owned()),
        1 => Just("amount is missing".to_owned()),
    ]
}

fn wide_rule(name: String) -> impl Strategy<Value = String> {
    let body = prop_oneof![
        Just("then tag \"t\"".to_owned()),
        Just("then escalate to \"supervisor\"".to_owned()),
        Just("limit amount <= 400\n    on exceed: notify \"lead\"".to_owned()),
    ];
    let part = prop_oneof![
        6 => wide_atom(),
        1 => (wide_atom(), wide_atom()).prop_map(|(a, b)| format!("({a} or {b})")),
        1 => wide_atom().prop_map(|a| format!("not ({a})")),
    ];
    (
        prop::option::weighted(0.95, prop::collection::vec(part, 1..5)),
        prop::option::weighted(0.15, wide_atom()),
        body,
    )
        .prop_map(move |(when, unless, body)| {
            let mut s = format!("  rule {name} {{\n");
            if let Some(w) = when {
                s.push_str(&format!("    when {}\n", w.join(" and ")));
            }
            if let Some(u) = unless {
                s.push_str(&format!("    unless {u}\n"));
            }
            s.push_str(&format!("    {body}\n  }}\n"));
            s
        })
}

fn wide_policy() -> impl Strategy<Value = String> {
    (2..14usize)
        .prop_flat_map(|n| {
            let rules: Vec<_> = (0..n).map(|i| wide_rule(format!("r{i}"))).collect();
            (rules, 0..n)
        })
        .prop_map(|(rules, first_of_at)| {
            let mut s = String::from("policy \"Wide\" {\n");
            s.push_str(WIDE_SCHEMA);
            for (i, rule) in rules.iter().enumerate() {
                // One `first of` around a pair of rules, somewhere.
                if i == first_of_at && i + 1 < rules.len() {
                    s.push_str("  first of {\n");
                    s.push_str(rule);
                } else if i == first_of_at + 1 {
                    s.push_str(rule);
                    s.push_str("  }\n");
                } else {
                    s.push_str(rule);
                }
            }
            s.push_str("}\n");
            s
        })
}

fn wide_record() -> impl Strategy<Value = Json> {
    let text = || {
        value(
            true,
            vec![
                json!("v0"),
                json!("v1"),
                json!("v2"),
                json!("v3"),
                json!("v7"),
            ],
        )
    };
    (
        (text(), text(), text()),
        value(true, vec![json!("a"), json!("b"), json!("c")]),
        value(
            true,
            vec![
                json!(0),
                json!(100),
                json!(150),
                json!(300),
                json!(500),
                json!("250"),
                json!(99.5),
            ],
        ),
        value(
            true,
            vec![
                json!("50 USD"),
                json!("100 USD"),
                json!("150.00 USD"),
                json!("100 EUR"),
                json!({"amount": 25, "currency": "USD"}),
            ],
        ),
        value(
            true,
            vec![json!("30m"), json!("1h"), json!("2h"), json!("0s")],
        ),
        value(true, vec![json!([]), json!(["vip"])]),
    )
        .prop_map(|((f0, f1, f2), tier, amount, paid, wait, tags)| {
            let mut map = Map::new();
            for (key, v) in [
                ("f0", f0),
                ("f1", f1),
                ("f2", f2),
                ("tier", tier),
                ("amount", amount),
                ("paid", paid),
                ("wait", wait),
                ("tags", tags),
            ] {
                if let Some(v) = v {
                    map.insert(key.to_owned(), v);
                }
            }
            Json::Object(map)
        })
}

/// The indexed and unindexed plans agree under a per-rule budget too (a budget small
/// enough to stop a rule before its gate decides must not let the index skip it).
fn agree_with_budget(source: &str, records: &[Json], steps: u64) -> Result<(), TestCaseError> {
    let Ok(policy) = Policy::parse(source) else {
        return Ok(());
    };
    let plain = Plan::new(policy.ast()).unwrap().without_index();
    let general = Plan::new(policy.ast()).unwrap().without_fast();
    let options =
        options(Explain::Off).with_budget(service_policy::eval::Budget { rule_steps: steps });
    for record in records {
        let indexed = serde_json::to_string(&policy.evaluate(record, &options)).unwrap();
        let unindexed =
            serde_json::to_string(&service_policy::eval::evaluate(&plain, record, &options))
                .unwrap();
        let slow =
            serde_json::to_string(&service_policy::eval::evaluate(&general, record, &options))
                .unwrap();
        prop_assert_eq!(
            &indexed,
            &unindexed,
            "budget {} changed the decision on {}",
            steps,
            record
        );
        prop_assert_eq!(
            &indexed,
            &slow,
            "budget {} with compiled guards changed the decision on {}",
            steps,
            record
        );
    }
    Ok(())
}

proptest! {
    #![proptest_config(ProptestConfig { cases: 256, ..ProptestConfig::default() })]

    #[test]
    fn several_gating_fields_and_bands_never_change_a_decision(
        source in wide_policy(),
        records in prop::collection::vec(wide_record(), 1..6),
        steps in prop_oneof![1u64..40, Just(10_000_000)],
    ) {
        agree(&source, &records)?;
        agree_with_budget(&source, &records, steps)?;
    }
}

#[test]
fn wide_policies_index_several_fields_and_bands() {
    // Without this, the property above could pass by comparing nothing.
    let mut runner = proptest::test_runner::TestRunner::deterministic();
    let strategy = wide_policy();
    let (mut loaded, mut several) = (0, 0);
    for _ in 0..200 {
        let source = strategy.new_tree(&mut runner).unwrap().current();
        if let Ok(p) = Policy::parse(&source) {
            loaded += 1;
            if Plan::new(p.ast()).unwrap().indexed_fields() >= 2 {
                several += 1;
            }
        }
    }
    assert!(
        loaded >= 150,
        "only {loaded} of 200 generated policies load"
    );
    assert!(
        several >= 60,
        "only {several} of {loaded} index two fields or more"
    );
}

#[test]
fn bands_skip_only_what_cannot_apply() {
    let source = format!(
        r#"policy "P" {{ {WIDE_SCHEMA}
          rule low {{ when amount > 0 and amount <= 100 then tag "low" }}
          rule mid {{ when amount > 100 and amount <= 300 then tag "mid" }}
          rule high {{ when 300 < amount then tag "high" }}
          rule usd {{ when paid >= 100 USD then tag "usd" }}
          rule usd_small {{ when paid < 100 USD then tag "usd-small" }}
          rule slow {{ when wait > 1h then tag "slow" }}
          rule fast {{ when wait <= 1h then tag "fast" }}
          rule v1 {{ when f1 == "v1" then tag "v1" }}
          rule v2 {{ when f1 in ["v2", "v3"] then tag "v2" }}
        }}"#
    );
    let policy = Policy::parse(&source).unwrap();
    assert_eq!(Plan::new(policy.ast()).unwrap().indexed_fields(), 4);
    let options = options(Explain::Off);
    let fired = |record: Json| policy.evaluate(&record, &options).fired;
    assert_eq!(
        fired(
            json!({"f0": "x", "f1": "v3", "tier": "a", "amount": 100, "paid": "100.00 USD", "wait": "61m"})
        ),
        ["low", "usd", "slow", "v2"]
    );
    assert_eq!(
        fired(json!({"f0": "x", "f1": "v1", "tier": "a", "amount": "300.5", "wait": "1h"})),
        ["high", "fast", "v1"]
    );
    // Money in another currency cannot be compared: both money rules are errors, not skips.
    let d = policy.evaluate(
        &json!({"f0": "x", "f1": "v0", "tier": "a", "amount": 5, "paid": "100 EUR"}),
        &options,
    );
    assert_eq!(d.fired, ["low"]);
    assert_eq!(
        d.errors
            .iter()
            .filter_map(|e| e.rule.as_deref())
            .collect::<Vec<_>>(),
        ["usd", "usd_small"]
    );
    // A missing amount leaves the amount rules undecided.
    let d = policy.evaluate(&json!({"f0": "x", "f1": "v0", "tier": "a"}), &options);
    assert_eq!(
        d.undecided
            .iter()
            .map(|u| u.rule.as_str())
            .collect::<Vec<_>>(),
        ["low", "mid", "high"]
    );
    let records = [
        json!({"f0": "x", "f1": "v3", "tier": "a", "amount": 100, "paid": "100.00 USD", "wait": "61m"}),
        json!({"f0": "x", "f1": 3, "tier": "z", "amount": true, "paid": "100 EUR", "wait": 5}),
        json!({"f1": "v2", "amount": -1, "paid": {"amount": 99.99, "currency": "USD"}}),
    ];
    agree(&source, &records).unwrap();
    for steps in 1..12 {
        agree_with_budget(&source, &records, steps).unwrap();
    }
}
