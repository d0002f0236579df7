//! Messy policies in `tests/fixtures/fmt/` and their canonical form, as snapshots.
//!
//! Besides the snapshot, every fixture is checked for the formatter's promises: the
//! output parses to the same tree (comments included), keeps every comment exactly once
//! and in order, and formats to itself.
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

use service_policy::format;
use service_policy::syntax::parse;
use support::comments_in;

#[test]
fn fixtures_format_canonically() {
    insta::glob!("fixtures/fmt/*.policy", |path| {
        let source = std::fs::read_to_string(path).unwrap();
        let formatted = format(&source).unwrap();

        assert_eq!(
            comments_in(&formatted),
            comments_in(&source),
            "comments changed"
        );
        let before = parse(&source).unwrap();
        let after = parse(&formatted).unwrap();
        assert_eq!(after, before, "formatting changed the meaning");
        assert_eq!(
            format(&formatted).unwrap(),
            formatted,
            "formatting is not idempotent"
        );

        insta::assert_snapshot!(formatted);
    });
}

/// Names and texts in other scripts come out exactly as written: only layout changes.
#[test]
fn multilingual_names_and_texts_are_kept() {
    let source = std::fs::read_to_string("tests/fixtures/fmt/multilingual.policy").unwrap();
    let formatted = format(&source).unwrap();
    for word in [
        "গ্রাহক সেবা নীতি",
        "অগ্রাধিকার",
        "வாடிக்கையாளர்.நிலை",
        "राशि",
        "ᜉᜆᜃᜇᜈ᜔",
        "\"ᜉᜓᜎᜒᜐᜒ\"",
        "\"राशि बहुत अधिक है\"",
        "halaga is present",
    ] {
        assert!(formatted.contains(word), "{word} lost in\n{formatted}");
    }
}

/// A syntax error is reported, not formatted around.
#[test]
fn syntax_errors_are_reported() {
    assert!(format("policy \"x\" { rule }").is_err());
}

/// Windows line ends format exactly like Unix ones.
#[test]
fn crlf_sources_format_like_lf_sources() {
    let source = std::fs::read_to_string("tests/fixtures/fmt/comments.policy").unwrap();
    let crlf = source.replace('\n', "\r\n");
    assert_eq!(format(&crlf).unwrap(), format(&source).unwrap());
}
