//! Properties of policy families (SPEC §16): a child that overrides nothing decides exactly
//! like its base, and a set of one policy decides exactly like that policy, on any record.
#![allow(
    clippy::unwrap_used,
    clippy::expect_used,
    clippy::panic,
    clippy::indexing_slicing,
    reason = "tests and benches stop loudly on the unexpected"
)]

use std::sync::OnceLock;

use proptest::prelude::*;
use serde_json::{Map, Value, json};
use service_policy::{EvalOptions, Explain, Policy, PolicySet, Resolver, SourceFile};

/// The example policies: each is a base here.
const BASES: [(&str, &str); 4] = [
    ("retail", include_str!("../examples/policies/retail.policy")),
    (
        "call_center",
        include_str!("../examples/policies/call_center.policy"),
    ),
    (
        "refunds",
        include_str!("../examples/policies/refunds.policy"),
    ),
    (
        "multilingual",
        include_str!("../examples/policies/multilingual.policy"),
    ),
];

/// Serves the example policies by name.
struct Examples;

impl Resolver for Examples {
    fn load(&self, _from: &str, target: &str) -> Result<SourceFile, String> {
        BASES
            .iter()
            .find(|(name, _)| *name == target)
            .map(|(name, text)| SourceFile {
                name: (*name).to_owned(),
                text: (*text).to_owned(),
            })
            .ok_or_else(|| format!("no `{target}`"))
    }
}

struct Loaded {
    base: Policy,
    child: Policy,
    set: PolicySet,
}

fn loaded() -> &'static Vec<Loaded> {
    static ALL: OnceLock<Vec<Loaded>> = OnceLock::new();
    ALL.get_or_init(|| {
        BASES
            .iter()
            .map(|(name, text)| {
                let base = Policy::parse_named(name, text).unwrap();
                // Same name, so decisions (action keys included) can be byte-identical.
                let child_text = format!(
                    "policy {} extends \"{name}\" {{}}",
                    serde_json::to_string(base.name()).unwrap()
                );
                let child = Policy::from_source_with("child", &child_text, &Examples).unwrap();
                let set = PolicySet::from_sources(
                    vec![SourceFile {
                        name: (*name).to_owned(),
                        text: (*text).to_owned(),
                    }],
                    &Examples,
                )
                .unwrap();
                Loaded { base, child, set }
            })
            .collect()
    })
}

/// Values of the kinds the example policies read, and some they do not expect.
fn value() -> impl Strategy<Value = Value> {
    prop_oneof![
        Just(Value::Null),
        any::<bool>().prop_map(Value::Bool),
        (0i64..10_000).prop_map(Value::from),
        prop::sample::select(vec![
            "urgent", "high", "normal", "low", "phone", "chat", "email", "gold", "platinum",
            "standard", "ta", "hi", "en", "refund", "lawyer",
        ])
        .prop_map(|s| json!(s)),
        prop::sample::select(vec![
            "2026-03-02T09:00:00Z",
            "2026-03-02T09:40:00Z",
            "2026-03-01T20:00:00Z",
            "2026-02-20T10:00:00Z",
        ])
        .prop_map(|s| json!(s)),
        prop::sample::select(vec!["120 INR", "7000 INR", "40 EUR", "500 USD"])
            .prop_map(|s| json!(s)),
        Just(json!([])),
        Just(json!([{ "amount": "3000 INR", "at": "2026-02-25T10:00:00Z" }])),
        Just(json!(["vip-handled"])),
    ]
}

/// Records over the fields the examples read, nested where they nest.
fn record() -> impl Strategy<Value = Value> {
    let keys = [
        "priority",
        "channel",
        "opened_at",
        "first_reply_at",
        "resolved_at",
        "csat",
        "message",
        "tags",
        "language",
        "amount",
        "reason",
        "tier",
        "queue",
        "answered_at",
    ];
    (
        prop::collection::vec(prop::option::of(value()), keys.len()),
        prop::option::of(value()),
        prop::option::of(value()),
        prop::option::of(value()),
    )
        .prop_map(move |(values, tier, refund, total)| {
            let mut map: Map<String, Value> = keys
                .iter()
                .zip(values)
                .filter_map(|(k, v)| v.map(|v| ((*k).to_owned(), v)))
                .collect();
            if let Some(tier) = tier {
                map.insert(
                    "customer".into(),
                    json!({ "tier": tier, "refunds": [{ "amount": "3000 INR", "at": "2026-02-25T10:00:00Z" }] }),
                );
            }
            if let Some(refund) = refund {
                map.insert("refund".into(), json!({ "requested": refund }));
            }
            if let Some(total) = total {
                map.insert("order".into(), json!({ "total": total }));
            }
            Value::Object(map)
        })
}

fn options(explain: bool) -> EvalOptions {
    EvalOptions {
        explain: if explain { Explain::On } else { Explain::Off },
        ..EvalOptions::at("2026-03-02T10:00:00Z".parse().unwrap())
    }
}

proptest! {
    #![proptest_config(ProptestConfig::with_cases(256))]

    #[test]
    fn a_child_that_overrides_nothing_decides_like_its_base(record in record(), explain in any::<bool>()) {
        let options = options(explain);
        for loaded in loaded() {
            let base = serde_json::to_string(&loaded.base.evaluate(&record, &options)).unwrap();
            let child = serde_json::to_string(&loaded.child.evaluate(&record, &options)).unwrap();
            prop_assert_eq!(base, child);
        }
    }

    #[test]
    fn a_set_of_one_policy_decides_like_that_policy(record in record(), explain in any::<bool>()) {
        let options = options(explain);
        for loaded in loaded() {
            let alone = serde_json::to_string(&loaded.base.evaluate(&record, &options)).unwrap();
            let in_set = serde_json::to_string(&loaded.set.evaluate(&record, &options).unwrap()).unwrap();
            prop_assert_eq!(alone, in_set);
        }
    }
}

#[test]
fn the_records_reach_the_rules() {
    // The properties would hold trivially if no rule ever fired: make sure some do.
    let record = json!({
        "priority": "urgent", "channel": "chat", "opened_at": "2026-03-02T09:00:00Z",
        "customer": { "tier": "gold", "refunds": [] }, "refund": { "requested": "7000 INR" },
        "order": { "total": "7000 INR" }, "tags": [], "csat": 1
    });
    let fired: usize = loaded()
        .iter()
        .map(|l| l.child.evaluate(&record, &options(false)).fired.len())
        .sum();
    assert!(fired >= 3, "only {fired} rules fired");
}
