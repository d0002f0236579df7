//! Scanning a usual record line allocates nothing: no escapes, at most 32 keys an object
//! besides those the layout reads. Counted with a global allocator that counts, per
//! thread, the allocations made while a flag is set.
#![cfg(feature = "internals")]
#![allow(
    clippy::unwrap_used,
    clippy::expect_used,
    clippy::panic,
    clippy::indexing_slicing,
    reason = "tests and benches stop loudly on the unexpected"
)]

use std::borrow::Cow;

use service_policy::record::scan::{Found, Layout, scan};

mod alloc_support;

use alloc_support::allocations;

const FIELDS: [&str; 8] = [
    "id",
    "priority",
    "customer.tier",
    "customer.since",
    "refund_amount",
    "tags",
    "opened",
    "missing",
];

fn layout() -> Layout {
    let paths: Vec<Vec<&str>> = FIELDS.iter().map(|f| f.split('.').collect()).collect();
    Layout::new(&paths)
}

/// `extra` more keys at the top level and in an object the layout does not read.
fn line(extra: usize) -> String {
    let keys: String = (0..extra).map(|i| format!(r#", "x{i}": {i}"#)).collect();
    format!(
        r#"{{"id": 7, "priority": "high", "customer": {{"tier": "gold", "since": 2019}},
            "refund_amount": 120.50, "tags": ["vip", "repeat"], "opened": "2026-03-02T08:00:00Z",
            "history": [{{"at": "2026-01-01", "amount": -3e2, "ok": true}}, null],
            "notes": {{"a": "b"{keys}}}{keys}}}"#
    )
}

#[test]
fn a_usual_line_allocates_nothing() {
    let layout = layout();
    // 32 keys besides those the layout reads: 30 generated plus `history` and `notes`.
    let text = line(30);
    let mut out = Vec::with_capacity(FIELDS.len());
    let (count, accepted) = allocations(|| scan(&text, &layout, &mut out));
    assert!(accepted);
    assert_eq!(count, 0);
    assert_eq!(out[0], Found::Int(7));
    assert!(matches!(&out[2], Found::Text(Cow::Borrowed("gold"))));
    assert!(matches!(&out[5], Found::List(l) if l.len() == 2));
    assert_eq!(out[4], Found::Number("120.50"));
    assert_eq!(out[7], Found::Absent);
    // Walking a list of plain texts allocates nothing either.
    let Found::List(tags) = &out[5] else { panic!() };
    let (count, all) = allocations(|| tags.each_text(|t| t != "none"));
    assert_eq!((count, all), (0, Some(true)));
}

#[test]
fn only_large_objects_and_escaped_texts_allocate() {
    let layout = layout();
    let mut out = Vec::with_capacity(FIELDS.len());
    // One key more than fit inline, in two objects: one sorted list each.
    let text = line(31);
    let (count, accepted) = allocations(|| scan(&text, &layout, &mut out));
    assert!(accepted);
    assert_eq!(count, 2);
    // A text with an escape that a path reads is copied once; one no path reads is not.
    let text = r#"{"priority": "h\u00efgh", "other": "\"quoted\""}"#;
    let (count, accepted) = allocations(|| scan(text, &layout, &mut out));
    assert!(accepted);
    assert_eq!(count, 1);
    assert!(matches!(&out[1], Found::Text(Cow::Owned(t)) if t == "hïgh"));
}
