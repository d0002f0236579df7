//! Broken policies and how their syntax errors read: one snapshot per fixture in
//! `tests/fixtures/syntax/`, rendered as a policy author sees them.
// The stage it tests is internal: built with `--features internals` (or `--all-features`).
#![cfg(feature = "internals")]
#![allow(
    clippy::unwrap_used,
    clippy::expect_used,
    clippy::panic,
    clippy::indexing_slicing,
    reason = "tests and benches stop loudly on the unexpected"
)]
#![cfg(feature = "cli")]

use std::sync::Arc;

use service_policy::diagnostic::render::render_human;
use service_policy::{Code, Diagnostics, SourceFile};

#[test]
fn broken_policies_render_helpful_errors() {
    insta::glob!("fixtures/syntax/*.policy", |path| {
        let text = std::fs::read_to_string(path).unwrap();
        let name = path.file_name().unwrap().to_string_lossy().into_owned();
        let errors = service_policy::syntax::parse(&text).expect_err("every fixture is broken");
        assert!(!errors.is_empty());
        for e in &errors {
            assert!(matches!(e.code, Code::E0001 | Code::E0002), "{e:?}");
            assert!(
                e.span.end <= text.len() && e.span.start <= e.span.end,
                "{e:?}"
            );
        }
        let diags = Diagnostics::new(Arc::new(SourceFile { name, text }), errors);
        insta::assert_snapshot!(render_human(&diags, false));
    });
}

#[test]
fn every_broken_rule_reports_its_own_error() {
    let text = std::fs::read_to_string("tests/fixtures/syntax/three_broken_rules.policy").unwrap();
    let errors = service_policy::syntax::parse(&text).unwrap_err();
    let lines: Vec<usize> = errors
        .iter()
        .map(|e| service_policy::ast::span_line_col(&text, e.span.start).0)
        .collect();
    assert_eq!(lines, [4, 6, 11], "{errors:#?}");
}
