//! Behaviour tests of the checker through the public API.
//!
//! Every `tests/fixtures/check/*.policy` file lists the diagnostics it must produce as
//! `// expect: CODE LINE:COLUMN` comments; the test asserts exactly that set (nothing more,
//! nothing less) and snapshots the diagnostics as a person reads them (snippets, labels,
//! help).
#![allow(
    clippy::unwrap_used,
    clippy::expect_used,
    clippy::panic,
    clippy::indexing_slicing,
    reason = "tests and benches stop loudly on the unexpected"
)]

use std::collections::BTreeSet;

use service_policy::diagnostic::render::render_human;
use service_policy::{Diagnostics, Policy, Severity, check_source};

/// The `// expect: CODE LINE:COLUMN` lines of a fixture.
fn expected(text: &str) -> Vec<(String, usize, usize)> {
    let mut out = Vec::new();
    for line in text.lines() {
        let Some(rest) = line.trim().strip_prefix("// expect:") else {
            continue;
        };
        let mut parts = rest.split_whitespace();
        let code = parts.next().expect("a code after `// expect:`").to_owned();
        let position = parts.next().expect("LINE:COLUMN after the code");
        let (l, c) = position.split_once(':').expect("LINE:COLUMN");
        out.push((code, l.parse().unwrap(), c.parse().unwrap()));
    }
    out.sort();
    out
}

fn actual(diagnostics: &Diagnostics) -> Vec<(String, usize, usize)> {
    let mut out: Vec<_> = diagnostics
        .items()
        .iter()
        .map(|d| {
            let (line, column) = diagnostics.line_col(d.span);
            (d.code.to_string(), line, column)
        })
        .collect();
    out.sort();
    out
}

#[test]
fn fixtures_report_exactly_the_expected_diagnostics() {
    // Mismatches are collected so one run shows every fixture that is off.
    let mut failures: Vec<String> = Vec::new();
    insta::glob!("fixtures/check/*.policy", |path| {
        let text = std::fs::read_to_string(path).unwrap();
        let name = path.file_name().unwrap().to_string_lossy().into_owned();
        let diagnostics = check_source(&name, &text);
        let (got, want) = (actual(&diagnostics), expected(&text));
        if got != want {
            failures.push(format!(
                "{name}:\n  got  {got:?}\n  want {want:?}\n{diagnostics}"
            ));
        }
        for d in diagnostics.items() {
            let first = d.message.chars().next();
            if d.message.ends_with('.') || first.is_none_or(char::is_uppercase) {
                failures.push(format!("{name}: message style: {}", d.message));
            }
        }
        insta::assert_snapshot!(render_human(&diagnostics, false));
    });
    assert!(failures.is_empty(), "{}", failures.join("\n\n"));
}

#[test]
fn every_code_has_a_fixture_and_errors_have_two() {
    let dir = std::path::Path::new(env!("CARGO_MANIFEST_DIR")).join("tests/fixtures/check");
    let mut counts = std::collections::BTreeMap::<String, usize>::new();
    for entry in std::fs::read_dir(dir).unwrap() {
        let text = std::fs::read_to_string(entry.unwrap().path()).unwrap();
        let codes: BTreeSet<String> = expected(&text).into_iter().map(|(c, _, _)| c).collect();
        for code in codes {
            *counts.entry(code).or_default() += 1;
        }
    }
    let errors = [
        "E0101", "E0102", "E0103", "E0201", "E0202", "E0203", "E0204", "E0301", "E0302", "E0303",
        "E0304", "E0305", "E0306", "E0307",
    ];
    for code in errors {
        assert!(
            counts.get(code).copied().unwrap_or(0) >= 2,
            "{code} needs two fixtures: {counts:?}"
        );
    }
    for code in [
        "W0001", "W0002", "W0003", "W0004", "W0005", "W0006", "W0007",
    ] {
        assert!(counts.contains_key(code), "{code} needs a fixture");
    }
}

#[test]
fn five_different_mistakes_are_all_reported() {
    let text = include_str!("fixtures/check/five_mistakes.policy");
    let diagnostics = check_source("five_mistakes.policy", text);
    let codes: BTreeSet<String> = diagnostics
        .items()
        .iter()
        .map(|d| d.code.to_string())
        .collect();
    assert_eq!(
        codes.into_iter().collect::<Vec<_>>(),
        ["E0103", "E0202", "E0203", "E0301", "E0303"]
    );
    assert!(Policy::parse(text).is_err());
}

#[test]
fn the_specification_example_is_clean() {
    let text = include_str!("fixtures/check/retail_valid.policy");
    let diagnostics = check_source("retail.policy", text);
    assert!(diagnostics.is_empty(), "{diagnostics}");
    let policy = Policy::parse(text).unwrap();
    assert!(policy.warnings().is_empty());
}

#[test]
fn warnings_do_not_stop_a_policy_from_loading() {
    let text = include_str!("fixtures/check/w0006_unread_field.policy");
    let policy = Policy::parse(text).unwrap();
    assert_eq!(policy.warnings().len(), 1);
    assert!(
        policy
            .warnings()
            .items()
            .iter()
            .all(|d| d.severity() == Severity::Warning)
    );
}

#[test]
fn suggestions_name_the_nearest_candidate() {
    let text = include_str!("fixtures/check/e0203_minimal.policy");
    let diagnostics = check_source("e.policy", text);
    let help = diagnostics.items().first().and_then(|d| d.help.clone());
    assert_eq!(help.as_deref(), Some("did you mean \"urgent\"?"));
    let text = include_str!("fixtures/check/e0102_minimal.policy");
    let diagnostics = check_source("e.policy", text);
    let help = diagnostics.items().first().and_then(|d| d.help.clone());
    assert_eq!(help.as_deref(), Some("did you mean `count`?"));
}

#[test]
fn duplicates_point_at_both_definitions() {
    let text = include_str!("fixtures/check/e0101_minimal.policy");
    let diagnostics = check_source("e.policy", text);
    let d = diagnostics.items().first().unwrap();
    assert_eq!(diagnostics.line_col(d.span), (3, 8));
    let first = d.labels.first().unwrap();
    assert_eq!(first.message, "first defined here");
    assert_eq!(diagnostics.line_col(first.span), (2, 8));
}

#[test]
fn table_outputs_may_read_the_table_parameters() {
    let text = r#"policy "Fees" {
  record {
    refund_total: money
    order_total: money
  }

  table fee(amount) {
    _ => 10% of amount
  }

  rule r {
    limit refund_total <= fee(order_total)
    on exceed: tag "over-fee"
  }
}
"#;
    let diagnostics = service_policy::check_source("fees.policy", text);
    assert!(diagnostics.is_empty(), "{diagnostics}");
    // A name that is neither a parameter nor a field is still unknown.
    let typo = text.replace("10% of amount", "10% of amont");
    let diagnostics = service_policy::check_source("fees.policy", &typo);
    assert_eq!(
        diagnostics
            .items()
            .iter()
            .map(|d| d.code.as_str())
            .collect::<Vec<_>>(),
        ["E0103"]
    );
}
