//! Properties of the parser: it never panics, on any text and on damaged versions of a
//! real policy, and refuses inputs that would exhaust the stack with `E0002`.
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
use service_policy::Code;
use service_policy::syntax::{MAX_EXPR_DEPTH, MAX_NESTING, parse};

fn retail() -> String {
    std::fs::read_to_string("examples/policies/retail.policy").unwrap()
}

/// Every diagnostic's spans lie inside the text, on character boundaries.
fn spans_are_sound(src: &str) {
    if let Err(errors) = parse(src) {
        assert!(!errors.is_empty(), "a failed parse reports why");
        for d in errors {
            for span in std::iter::once(d.span).chain(d.labels.iter().map(|l| l.span)) {
                assert!(span.start <= span.end && span.end <= src.len(), "{d:?}");
                assert!(
                    src.is_char_boundary(span.start) && src.is_char_boundary(span.end),
                    "{d:?}"
                );
            }
            assert!(!d.message.is_empty());
        }
    }
}

#[derive(Clone, Debug)]
enum Mutation {
    Delete(usize),
    Insert(usize, char),
    Swap(usize, usize),
}

fn mutation() -> impl Strategy<Value = Mutation> {
    let interesting = prop_oneof![
        Just('{'),
        Just('}'),
        Just('('),
        Just(')'),
        Just('"'),
        Just('`'),
        Just('%'),
        Just('.'),
        Just(':'),
        Just('-'),
        Just('\\'),
        Just('/'),
        Just('\n'),
        Just('ন'),
        any::<char>()
    ];
    prop_oneof![
        any::<usize>().prop_map(Mutation::Delete),
        (any::<usize>(), interesting).prop_map(|(i, c)| Mutation::Insert(i, c)),
        (any::<usize>(), any::<usize>()).prop_map(|(i, j)| Mutation::Swap(i, j)),
    ]
}

fn apply(src: &str, mutations: &[Mutation]) -> String {
    let mut chars: Vec<char> = src.chars().collect();
    for m in mutations {
        let len = chars.len().max(1);
        match *m {
            Mutation::Delete(i) => {
                if !chars.is_empty() {
                    chars.remove(i % chars.len());
                }
            }
            Mutation::Insert(i, c) => chars.insert(i % (chars.len() + 1), c),
            Mutation::Swap(i, j) => {
                if !chars.is_empty() {
                    chars.swap(i % len, j % len);
                }
            }
        }
    }
    chars.into_iter().collect()
}

proptest! {
    #![proptest_config(ProptestConfig::with_cases(256))]

    #[test]
    fn never_panics_on_any_text(src in "\\PC{0,200}") {
        spans_are_sound(&src);
    }

    #[test]
    fn never_panics_on_policy_like_text(src in "[a-z{}()\\[\\]\"`%.:,<=>+*/ \n0-9_-]{0,200}") {
        spans_are_sound(&format!("policy \"p\" {{ {src} }}"));
    }

    #[test]
    fn never_panics_on_damaged_retail_policy(mutations in proptest::collection::vec(mutation(), 1..6)) {
        let src = apply(&retail(), &mutations);
        spans_are_sound(&src);
    }
}

#[test]
fn a_hundred_thousand_parentheses_are_refused_not_overflowed() {
    let src = format!(
        "policy \"p\" {{ const x = {}1{} }}",
        "(".repeat(100_000),
        ")".repeat(100_000)
    );
    let errors = parse(&src).unwrap_err();
    assert_eq!(errors.len(), 1);
    assert_eq!(errors[0].code, Code::E0002);
}

#[test]
fn deep_but_allowed_nesting_parses() {
    // Braces of the policy and the rule count too: stay just inside the limit.
    let depth = MAX_NESTING - 2;
    let src = format!(
        "policy \"p\" {{ const x = {}1{} }}",
        "(".repeat(depth),
        ")".repeat(depth)
    );
    parse(&src).unwrap();
    let ok = format!(
        "policy \"p\" {{ const x = {}1{} }}",
        "(".repeat(100),
        ")".repeat(100)
    );
    parse(&ok).unwrap();
}

#[test]
fn long_operator_chains_are_refused_before_building_deep_trees() {
    for (op, count) in [("+", 50_000), ("and", 5_000), ("*", 5_000), ("or", 5_000)] {
        let terms = vec!["1"; count].join(&format!(" {op} "));
        let errors = parse(&format!("policy \"p\" {{ const x = {terms} }}")).unwrap_err();
        assert_eq!(errors.len(), 1, "{op}");
        assert_eq!(errors[0].code, Code::E0002, "{op}");
    }
    let prefixes = format!("policy \"p\" {{ const x = {}1 }}", "- ".repeat(50_000));
    assert_eq!(parse(&prefixes).unwrap_err()[0].code, Code::E0002);
    let nots = format!("policy \"p\" {{ const x = {}true }}", "not ".repeat(50_000));
    assert_eq!(parse(&nots).unwrap_err()[0].code, Code::E0002);
    let fine = vec!["1"; MAX_EXPR_DEPTH - 1].join(" + ");
    parse(&format!("policy \"p\" {{ const x = {fine} }}")).unwrap();
}

#[test]
fn oversized_sources_are_refused() {
    let src = format!("policy \"p\" {{ {} }}", "// padding\n".repeat(100_000));
    let errors = parse(&src).unwrap_err();
    assert_eq!(errors[0].code, Code::E0002);
    assert!(errors[0].message.contains("larger than"));
}
