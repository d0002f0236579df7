//! The printer on generated syntax trees: never panics, is deterministic, and prints
//! text whose shape is canonical.
// The stage it tests is internal: built with `--features internals` (or `--all-features`).
#![cfg(feature = "internals")]
#![allow(
    clippy::unwrap_used,
    clippy::expect_used,
    clippy::panic,
    clippy::indexing_slicing,
    reason = "tests and benches stop loudly on the unexpected"
)]

mod support;

use proptest::prelude::*;
use service_policy::fmt::format_policy;
use support::arb;

#[test]
fn printing_is_deterministic_and_canonical() {
    support::check(256, arb::policy_file, |policy| {
        let first = format_policy(&policy, "");
        let second = format_policy(&policy, "");
        prop_assert_eq!(&first, &second);
        // No comment appears from nowhere (a `//` inside a text must stay inside it).
        prop_assert!(support::comments_in(&first).is_empty(), "{}", first);
        prop_assert!(first.starts_with("policy \""), "{}", first);
        prop_assert!(first.ends_with("}\n"), "{}", first);
        for line in first.lines() {
            prop_assert!(!line.ends_with(' '), "trailing space in {:?}", line);
            prop_assert!(!line.contains('\t'), "tab in {:?}", line);
        }
        Ok(())
    });
}

#[test]
fn comments_in_skips_strings_and_backticks() {
    let source = "a // one\n\"x // no\" `y // no` // two\n//three";
    assert_eq!(support::comments_in(source), vec![" one", " two", "three"]);
}
