//! Properties of the checker: it never panics, stays bounded on deep or long input, is
//! deterministic, and its enumeration check agrees with plain membership.
#![allow(
    clippy::unwrap_used,
    clippy::expect_used,
    clippy::panic,
    clippy::indexing_slicing,
    reason = "tests and benches stop loudly on the unexpected"
)]

use proptest::prelude::*;
use service_policy::{Code, check_source};

const RETAIL: &str = include_str!("fixtures/check/retail_valid.policy");

fn codes(text: &str) -> Vec<Code> {
    check_source("p.policy", text)
        .items()
        .iter()
        .map(|d| d.code)
        .collect()
}

#[test]
fn deep_expressions_and_long_const_chains_stay_bounded() {
    // Close to the parser's expression depth limit.
    let sum = vec!["1"; 200].join(" + ");
    let text = format!("policy \"Deep\" {{\n  rule deep {{ when {sum} > 0 then tag \"x\" }}\n}}\n");
    let found = codes(&text);
    assert!(found.iter().all(|c| *c == Code::W0002), "{found:?}");

    // Nesting through every kind of node the walks recurse into, at the parser's limit.
    let nested_calls = format!("{}1{}", "abs(".repeat(120), ")".repeat(120));
    let nested_not = format!("{}true", "not ".repeat(200));
    let nested_lists = format!("{}1{}", "[".repeat(120), "]".repeat(120));
    for guard in [
        format!("{nested_calls} > 0"),
        nested_not,
        format!("count({nested_lists}) > 0"),
        format!("any(x > 0 for x in [{nested_calls}])"),
    ] {
        let text =
            format!("policy \"Deep\" {{\n  rule deep {{ when {guard} then tag \"x\" }}\n}}\n");
        let diagnostics = check_source("deep.policy", &text);
        assert!(
            diagnostics
                .items()
                .iter()
                .all(|d| matches!(d.code, Code::W0002 | Code::E0002 | Code::E0201)),
            "{diagnostics}"
        );
    }

    // Thousands of consts, each defined by the one before: typing and folding must not
    // follow the chain without bound.
    let mut text = String::from("policy \"Chain\" {\n  const c0 = 1\n");
    for i in 1..3000 {
        text.push_str(&format!("  const c{i} = c{} + 1\n", i - 1));
    }
    text.push_str("  rule last { when c2999 > 5 then tag \"x\" }\n}\n");
    let found = codes(&text);
    assert!(
        !found
            .iter()
            .any(|c| c.severity() == service_policy::Severity::Error),
        "{found:?}"
    );
}

#[test]
fn a_const_cycle_is_reported_not_followed() {
    let text = "policy \"Cycle\" {\n  const a = b + 1\n  const b = a + 1\n  rule r { when a > 1 then tag \"x\" }\n}\n";
    assert_eq!(codes(text), vec![Code::E0102]);
}

/// Expressions over the fields of [`SCHEMA_POLICY`], well typed or not, as source text.
fn expression() -> impl Strategy<Value = String> {
    let leaf = prop::sample::select(vec![
        "priority",
        "csat",
        "opened_at",
        "refund.requested",
        "tags",
        "message",
        "now",
        "cap",
        "\"urgent\"",
        "\"urgnt\"",
        "42",
        "50%",
        "500 USD",
        "20 EUR",
        "15m",
        "2d",
        "2026-01-26",
        "2026-03-02T09:00:00Z",
        "true",
        "[\"a\", \"b\"]",
        "[1, 2]",
        "unknown_field",
    ])
    .prop_map(str::to_owned);
    leaf.prop_recursive(4, 32, 3, |inner| {
        let op = prop::sample::select(vec![
            "+", "-", "*", "/", "==", "!=", "<", ">=", "and", "or", "in", "contains",
        ]);
        let func = prop::sample::select(vec![
            "len", "abs", "min", "max", "count", "sum", "lower", "hour",
        ]);
        prop_oneof![
            (inner.clone(), op, inner.clone()).prop_map(|(a, op, b)| format!("({a} {op} {b})")),
            inner.clone().prop_map(|a| format!("not ({a})")),
            inner.clone().prop_map(|a| format!("({a} is missing)")),
            inner.clone().prop_map(|a| format!("(50% of {a})")),
            (func, inner.clone()).prop_map(|(f, a)| format!("{f}({a})")),
            (inner.clone(), inner.clone()).prop_map(|(a, b)| format!("max({a}, {b})")),
            (inner.clone(), inner).prop_map(|(a, b)| format!("sum({a} for r in {b} where r > 0)")),
        ]
    })
}

const SCHEMA_POLICY: &str = r#"policy "Typed" {
  record {
    priority: "low" | "urgent"
    csat: number?
    opened_at: time
    refund.requested: money?
    tags: list<text>
    message: text?
  }
  const cap = 500 USD
  rule r {
    when GUARD
    then tag "x"
  }
}
"#;

proptest! {
    #![proptest_config(ProptestConfig::with_cases(128))]

    /// Any expression, well typed or not, is checked without a panic, deterministically,
    /// and a policy with an error among its diagnostics does not load.
    #[test]
    fn never_panics_on_any_guard(guard in expression()) {
        let text = SCHEMA_POLICY.replace("GUARD", &guard);
        let first = check_source("p.policy", &text);
        let second = check_source("p.policy", &text);
        prop_assert_eq!(first.to_json(), second.to_json());
        if first.has_errors() {
            prop_assert!(service_policy::Policy::parse(&text).is_err());
        }
    }

    /// Cutting any piece out of a valid policy gives syntax errors or checker diagnostics,
    /// never a panic, and the same diagnostics every time.
    #[test]
    fn never_panics_on_damaged_policies(start in 0usize..RETAIL.len(), len in 0usize..80) {
        let mut cut_start = start.min(RETAIL.len());
        while !RETAIL.is_char_boundary(cut_start) { cut_start -= 1; }
        let mut cut_end = (cut_start + len).min(RETAIL.len());
        while !RETAIL.is_char_boundary(cut_end) { cut_end -= 1; }
        let text = format!("{}{}", &RETAIL[..cut_start], &RETAIL[cut_end..]);
        let first = check_source("p.policy", &text).to_json();
        let second = check_source("p.policy", &text).to_json();
        prop_assert_eq!(first, second);
    }

    /// A text compared with an enumeration field is `E0203` exactly when it is not a member.
    #[test]
    fn enumeration_check_is_membership(value in "[a-z]{1,7}") {
        let members = ["low", "normal", "high", "urgent"];
        let text = format!(
            "policy \"E\" {{\n  record {{\n    priority: \"low\" | \"normal\" | \"high\" | \"urgent\"\n  }}\n  rule r {{ when priority == \"{value}\" then tag \"x\" }}\n}}\n"
        );
        let found = codes(&text);
        if members.contains(&value.as_str()) {
            prop_assert!(found.is_empty(), "{:?}", found);
        } else {
            prop_assert_eq!(found, vec![Code::E0203]);
        }
    }

    /// Two literal amounts in one sum: `E0202` exactly when the currencies differ.
    #[test]
    fn currency_check_compares_codes(a in prop::sample::select(vec!["USD", "EUR", "INR", "JPY"]),
                                     b in prop::sample::select(vec!["USD", "EUR", "INR", "JPY"])) {
        let text = format!(
            "policy \"M\" {{\n  rule r {{ when amount > 1 {a} + 2 {b} then tag \"x\" }}\n}}\n"
        );
        let found = codes(&text);
        if a == b {
            prop_assert!(found.is_empty(), "{:?}", found);
        } else {
            prop_assert_eq!(found, vec![Code::E0202]);
        }
    }
}
