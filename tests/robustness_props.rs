//! Properties of the whole pipeline on hostile input, beside the parser's own
//! (`syntax_props.rs`, character damage to one policy) and the evaluator's (never panics,
//! deterministic): here every example policy is damaged *line by line and token by token*
//! and goes through the full load (parse, check, compile) and the formatter; records are
//! evaluated with their fields in any order; and the limits hold at their edges.
#![allow(
    clippy::unwrap_used,
    clippy::expect_used,
    clippy::panic,
    clippy::indexing_slicing,
    reason = "tests and benches stop loudly on the unexpected"
)]

use proptest::prelude::*;
use serde_json::{Map, Value, json};
use service_policy::{EvalOptions, Policy};

const EXAMPLES: [&str; 4] = [
    include_str!("../examples/policies/retail.policy"),
    include_str!("../examples/policies/call_center.policy"),
    include_str!("../examples/policies/refunds.policy"),
    include_str!("../examples/policies/multilingual.policy"),
];

/// Words and punctuation that make a damaged policy interesting: keywords in odd places,
/// unbalanced brackets, literals at their limits.
const TOKENS: [&str; 24] = [
    "rule",
    "when",
    "then",
    "expect",
    "within",
    "limit",
    "first of",
    "{",
    "}",
    "(",
    ")",
    "[",
    "\"",
    "`",
    "//",
    "%",
    "99999999999999999999999999999",
    "9999999w",
    "0000-00-00",
    "9999-12-31T23:59:59Z",
    "1 XXX",
    "\\u{110000}",
    "not not not",
    "==",
];

#[derive(Clone, Debug)]
enum Damage {
    /// Remove a line.
    DropLine(usize),
    /// Repeat a line.
    DuplicateLine(usize),
    /// Swap two lines.
    SwapLines(usize, usize),
    /// Put a token between two words of a line.
    InsertToken(usize, usize, usize),
    /// Remove a word of a line.
    DropWord(usize, usize),
    /// Cut the text at a line.
    Truncate(usize),
}

fn damage() -> impl Strategy<Value = Damage> {
    prop_oneof![
        any::<usize>().prop_map(Damage::DropLine),
        any::<usize>().prop_map(Damage::DuplicateLine),
        (any::<usize>(), any::<usize>()).prop_map(|(a, b)| Damage::SwapLines(a, b)),
        (any::<usize>(), any::<usize>(), any::<usize>())
            .prop_map(|(l, w, t)| Damage::InsertToken(l, w, t)),
        (any::<usize>(), any::<usize>()).prop_map(|(l, w)| Damage::DropWord(l, w)),
        any::<usize>().prop_map(Damage::Truncate),
    ]
}

fn apply(src: &str, damages: &[Damage]) -> String {
    let mut lines: Vec<String> = src.lines().map(str::to_owned).collect();
    for d in damages {
        let n = lines.len().max(1);
        match *d {
            Damage::DropLine(i) if !lines.is_empty() => {
                lines.remove(i % n);
            }
            Damage::DuplicateLine(i) if !lines.is_empty() => {
                let line = lines[i % n].clone();
                lines.insert(i % n, line);
            }
            Damage::SwapLines(a, b) if !lines.is_empty() => lines.swap(a % n, b % n),
            Damage::InsertToken(l, w, t) if !lines.is_empty() => {
                let line = &mut lines[l % n];
                let mut words: Vec<&str> = line.split(' ').collect();
                let at = w % (words.len() + 1);
                words.insert(at, TOKENS[t % TOKENS.len()]);
                *line = words.join(" ");
            }
            Damage::DropWord(l, w) if !lines.is_empty() => {
                let line = &mut lines[l % n];
                let mut words: Vec<&str> = line.split(' ').collect();
                if !words.is_empty() {
                    words.remove(w % words.len());
                }
                *line = words.join(" ");
            }
            Damage::Truncate(i) => lines.truncate(i % (n + 1)),
            _ => {}
        }
    }
    lines.join("\n")
}

/// The full load either succeeds or explains itself with spans inside the text; whatever
/// parses also formats, and the formatted text parses to the same tree.
fn load_is_sound(src: &str) -> Result<(), TestCaseError> {
    match Policy::parse(src) {
        Ok(policy) => {
            for d in policy.warnings().items() {
                prop_assert!(d.span.end <= src.len(), "{d:?}");
            }
        }
        Err(diagnostics) => {
            prop_assert!(diagnostics.has_errors(), "a refused policy has an error");
            for d in diagnostics.items() {
                prop_assert!(!d.message.is_empty());
                for span in std::iter::once(d.span).chain(d.labels.iter().map(|l| l.span)) {
                    prop_assert!(span.start <= span.end && span.end <= src.len(), "{d:?}");
                    prop_assert!(
                        src.is_char_boundary(span.start) && src.is_char_boundary(span.end),
                        "{d:?}"
                    );
                }
            }
        }
    }
    #[cfg(feature = "internals")]
    if let Ok(tree) = service_policy::syntax::parse(src) {
        let formatted = service_policy::format(src).map_err(|d| {
            TestCaseError::fail(format!("parsed but did not format: {:?}", d.items()))
        })?;
        let again = service_policy::syntax::parse(&formatted).map_err(|e| {
            TestCaseError::fail(format!("formatted text does not parse: {e:?}\n{formatted}"))
        })?;
        prop_assert_eq!(&tree.items, &again.items, "{}", formatted);
    }
    Ok(())
}

/// A record for the retail policy: known fields with values of any shape, sometimes
/// right, sometimes wrong, in the order generated.
fn retail_record() -> impl Strategy<Value = Map<String, Value>> {
    let value = prop_oneof![
        Just(Value::Null),
        any::<bool>().prop_map(Value::Bool),
        any::<i64>().prop_map(Value::from),
        Just(json!("urgent")),
        Just(json!("chat")),
        Just(json!("platinum")),
        Just(json!("7000 INR")),
        Just(json!({"amount": "12.5", "currency": "INR"})),
        Just(json!("2026-03-02T09:00:00Z")),
        Just(json!("2026-03-01T09:00:00+05:30")),
        Just(json!("I will call my lawyer")),
        Just(json!(["vip-handled", "x"])),
        Just(json!([{"amount": "6000 INR", "at": "2026-02-20T09:00:00Z"}, {"amount": "10 INR"}])),
        Just(
            json!([{"from": "2026-03-02T09:10:00Z", "to": "2026-03-02T09:20:00Z"}, {"from": "2026-03-02T09:30:00Z"}])
        ),
        ".{0,8}".prop_map(Value::String),
    ];
    let key = prop_oneof![
        Just("channel"),
        Just("priority"),
        Just("customer.tier"),
        Just("customer.refunds"),
        Just("opened_at"),
        Just("first_reply_at"),
        Just("resolved_at"),
        Just("paused"),
        Just("refund.requested"),
        Just("order.total"),
        Just("csat"),
        Just("tags"),
        Just("message"),
        Just("id"),
    ];
    prop::collection::vec((key, value), 0..16).prop_map(|fields| {
        let mut record = Map::new();
        for (key, value) in fields {
            // Dotted schema paths are nested objects in the record.
            match key.split_once('.') {
                Some((outer, inner)) => {
                    let entry = record
                        .entry(outer.to_owned())
                        .or_insert_with(|| Value::Object(Map::new()));
                    if let Value::Object(map) = entry {
                        map.insert(inner.to_owned(), value);
                    }
                }
                None => {
                    record.insert(key.to_owned(), value);
                }
            }
        }
        record
    })
}

/// The same object with its fields in the order given by `order` (a permutation seed),
/// nested objects too.
fn reorder(value: &Value, seed: u64) -> Value {
    match value {
        Value::Object(map) => {
            let mut fields: Vec<(&String, &Value)> = map.iter().collect();
            // A deterministic shuffle from the seed.
            let mut state = seed | 1;
            for i in (1..fields.len()).rev() {
                state ^= state << 13;
                state ^= state >> 7;
                state ^= state << 17;
                fields.swap(i, (state % (i as u64 + 1)) as usize);
            }
            Value::Object(
                fields
                    .into_iter()
                    .map(|(k, v)| (k.clone(), reorder(v, seed.rotate_left(7))))
                    .collect(),
            )
        }
        Value::Array(items) => Value::Array(items.iter().map(|v| reorder(v, seed)).collect()),
        other => other.clone(),
    }
}

fn retail() -> &'static Policy {
    static POLICY: std::sync::OnceLock<Policy> = std::sync::OnceLock::new();
    POLICY.get_or_init(|| Policy::parse(EXAMPLES[0]).unwrap())
}

proptest! {
    #![proptest_config(ProptestConfig::with_cases(128))]

    #[test]
    fn damaged_example_policies_load_or_explain(
        which in 0..EXAMPLES.len(),
        damages in prop::collection::vec(damage(), 1..5),
    ) {
        load_is_sound(&apply(EXAMPLES[which], &damages))?;
    }

    #[test]
    fn the_order_of_a_records_fields_does_not_matter(
        record in retail_record(),
        seed in any::<u64>(),
        minutes in 0i64..(60 * 24 * 10),
    ) {
        let now = jiff::Timestamp::from_second(1_772_409_600 + minutes * 60).unwrap();
        let options = EvalOptions::at(now);
        let record = Value::Object(record);
        let shuffled = reorder(&record, seed);
        let a = serde_json::to_string(&retail().evaluate(&record, &options)).unwrap();
        let b = serde_json::to_string(&retail().evaluate(&shuffled, &options)).unwrap();
        prop_assert_eq!(a, b, "{} vs {}", record, shuffled);
    }
}

#[test]
fn every_example_loads_formats_and_survives_its_own_damage() {
    for src in EXAMPLES {
        let policy = Policy::parse(src).unwrap_or_else(|d| panic!("{:?}", d.items()));
        assert!(!policy.name().is_empty());
        // Deleting any one line is handled; a dozen spread over the file keep this fast.
        let lines = src.lines().count();
        for i in (0..lines).step_by((lines / 12).max(1)) {
            load_is_sound(&apply(src, &[Damage::DropLine(i)])).unwrap();
        }
    }
}

#[cfg(feature = "internals")]
#[test]
fn limits_hold_at_their_edges() {
    use service_policy::syntax::{MAX_NESTING, MAX_SOURCE_BYTES, parse};
    // Exactly at the size limit is accepted; one byte more is refused with E0002.
    let head = "policy \"p\" { rule r { then tag \"x\" } }\n";
    let fill = |total: usize| format!("{head}{}", "/".repeat(total - head.len()));
    assert!(parse(&fill(MAX_SOURCE_BYTES)).is_ok());
    let over = parse(&fill(MAX_SOURCE_BYTES + 1)).unwrap_err();
    assert_eq!(over[0].code, service_policy::Code::E0002);
    // Nesting: list brackets count like parentheses.
    let nested = |depth: usize| {
        format!(
            "policy \"p\" {{ const x = {}1{} }}",
            "[".repeat(depth),
            "]".repeat(depth)
        )
    };
    let too_deep = parse(&nested(MAX_NESTING)).unwrap_err();
    assert_eq!(too_deep[0].code, service_policy::Code::E0002);
    assert!(parse(&nested(MAX_NESTING - 2)).is_ok());
}

#[cfg(feature = "internals")]
#[test]
fn rule_count_limit_holds_at_its_edge() {
    use service_policy::syntax::{MAX_RULES, parse};
    let policy = |count: usize| {
        let mut src =
            String::from("policy \"p\" {\n  first of {\n    rule r0 { then tag \"x\" }\n  }\n");
        for i in 1..count {
            src.push_str(&format!("  rule r{i} {{ then tag \"x\" }}\n"));
        }
        src.push('}');
        src
    };
    let at_limit = parse(&policy(MAX_RULES)).unwrap();
    assert_eq!(at_limit.items.len(), MAX_RULES);
    let src = policy(MAX_RULES + 1);
    let errors = parse(&src).unwrap_err();
    assert_eq!(errors.len(), 1);
    assert_eq!(errors[0].code, service_policy::Code::E0002);
    assert_eq!(
        errors[0].message,
        format!(
            "policy has more than {MAX_RULES} rules ({} rules)",
            MAX_RULES + 1
        )
    );
    assert_eq!(&src[errors[0].span.range()], format!("r{MAX_RULES}"));
}

#[cfg(feature = "internals")]
#[test]
fn text_length_limit_counts_decoded_bytes() {
    use service_policy::syntax::{MAX_TEXT_BYTES, parse};
    let policy = |text: &str| format!("policy \"p\" {{ const t = \"{text}\" }}");
    assert!(parse(&policy(&"a".repeat(MAX_TEXT_BYTES))).is_ok());
    let over = parse(&policy(&"a".repeat(MAX_TEXT_BYTES + 1))).unwrap_err();
    assert_eq!(over[0].code, service_policy::Code::E0002);
    assert_eq!(
        over[0].message,
        format!(
            "text is longer than {MAX_TEXT_BYTES} bytes ({} bytes)",
            MAX_TEXT_BYTES + 1
        )
    );
    // An escape written in 9 bytes stands for 4: the decoded length counts.
    let emoji = "\\u{1F600}".repeat(MAX_TEXT_BYTES / 4);
    assert!(parse(&policy(&emoji)).is_ok());
    let emoji_over = format!("{emoji}a");
    assert_eq!(
        parse(&policy(&emoji_over)).unwrap_err()[0].code,
        service_policy::Code::E0002
    );
}

#[cfg(feature = "internals")]
#[test]
fn numbers_durations_and_dates_out_of_range_are_refused() {
    let cases = [
        (
            "const x = 12345678901234567890123456789",
            "more than 28 significant digits",
        ),
        (
            "const x = 0.00000000000000000000000000001",
            "more than 28 significant digits",
        ),
        (
            "const x = 99999999999999999999999999999 USD",
            "more than 28 significant digits",
        ),
        ("const x = 999999999w", "out of range"),
        ("const x = 2026-02-30", "February 2026 has 28 days"),
        ("const x = 2026-13-01T00:00:00Z", "there is no month 13"),
    ];
    for (item, words) in cases {
        let src = format!("policy \"p\" {{ {item} }}");
        let errors = service_policy::syntax::parse(&src).unwrap_err();
        assert!(
            errors.iter().any(|d| d.message.contains(words)),
            "{item}: {errors:?}"
        );
    }
}
