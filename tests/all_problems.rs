//! All problems in a file (SPEC §12): after a syntax error, the checker's findings in the
//! items that parsed are still reported, where the broken items cannot make them wrong.
#![allow(
    clippy::unwrap_used,
    clippy::expect_used,
    clippy::panic,
    clippy::indexing_slicing,
    reason = "tests and benches stop loudly on the unexpected"
)]

use assert_cmd::Command;
use service_policy::check_source;

const BROKEN: &str = r#"policy "All problems" {
  record {
    priority: "low" | "urgent"
    opened_at: time
    replied_at: time?
  }
  const broken =
  rule typo_field {
    when priorty == "urgent"
    then tag "x"
  }
  rule bad_within {
    expect replied_at within "soon" of opened_at
  }
  rule bad_handler {
    when priority == "urgent"
    then tag "y"
    on breach: notify "lead"
  }
  rule unknown_function {
    when lenn(priority) > 2
    then tag "z"
  }
  rule uses_the_broken_const {
    when broken
    then tag "w"
  }
}
"#;

fn codes(source: &str) -> Vec<(String, usize)> {
    let report = check_source("t.policy", source);
    report
        .items()
        .iter()
        .map(|d| (d.code.as_str().to_owned(), report.line_col(d.span).0))
        .collect()
}

#[test]
fn checker_findings_survive_a_syntax_error() {
    let found = codes(BROKEN);
    for expected in [
        ("E0001", 8),
        ("E0103", 9),
        ("E0204", 13),
        ("E0302", 18),
        ("E0102", 21),
    ] {
        assert!(
            found.contains(&(expected.0.to_owned(), expected.1)),
            "{expected:?} missing from {found:?}"
        );
    }
}

#[test]
fn a_name_a_broken_item_may_define_is_not_called_unknown() {
    let found = codes(BROKEN);
    // `broken` is defined by the const that did not parse: saying it is unknown would be wrong.
    assert!(!found.iter().any(|(_, line)| *line == 25), "{found:?}");
    // Nor is anything called unused or unread while a broken item might use it.
    assert!(
        !found
            .iter()
            .any(|(code, _)| code == "W0001" || code == "W0006"),
        "{found:?}"
    );
}

#[test]
fn the_binary_reports_them_all() {
    let dir = tempfile::tempdir().unwrap();
    let path = dir.path().join("broken.policy");
    std::fs::write(&path, BROKEN).unwrap();
    let output = Command::cargo_bin("service-policy")
        .unwrap()
        .args(["check", "--format", "github"])
        .arg(&path)
        .output()
        .unwrap();
    assert!(!output.status.success());
    let stdout = String::from_utf8_lossy(&output.stdout);
    for code in ["E0001", "E0103", "E0204", "E0302", "E0102"] {
        assert!(stdout.contains(code), "{code} missing:\n{stdout}");
    }
}
