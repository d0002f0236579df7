//! The formatter keeps what the author wrote (SPEC §13): literals as written, backticks,
//! parentheses; and it breaks lines longer than 100 columns.
#![allow(
    clippy::unwrap_used,
    clippy::expect_used,
    clippy::panic,
    clippy::indexing_slicing,
    reason = "tests and benches stop loudly on the unexpected"
)]

use assert_cmd::Command;
use service_policy::format;

fn policy(body: &str) -> String {
    format!("policy \"p\" {{\n{body}}}\n")
}

#[test]
fn literals_keep_their_spelling() {
    let source = policy(
        "  const day = 24h\n  const week = 7d\n  const minutes = 1440m\n  const n = 10_000\n  \
         const cap = 10_000.50 USD\n  const share = 12.50%\n  const t = \"caf\\u{e9} \\u{1F600}\"\n  \
         const stamp = 2026-03-02t09:00:00.250z\n",
    );
    assert_eq!(format(&source).unwrap(), source);
}

#[test]
fn money_keeps_its_digits_and_loses_extra_blanks() {
    let source = policy("  const cap = 5_000   INR\n");
    assert_eq!(
        format(&source).unwrap(),
        policy("  const cap = 5_000 INR\n")
    );
}

#[test]
fn backticks_and_parentheses_the_author_wrote_stay() {
    let source = policy(
        "  rule r {\n    when (a + b) * 2 > `tier`.x and ((c)) or (d and e)\n    \
         at 75.0%: notify \"x\"\n    then set `priority` to (now)\n  }\n",
    );
    assert_eq!(format(&source).unwrap(), source);
}

#[test]
fn needed_parentheses_are_still_added_and_unneeded_ones_never() {
    let source = policy("  const a = 1 - 2 - 3\n  const b = 1 - (2 - 3)\n");
    assert_eq!(format(&source).unwrap(), source);
}

#[test]
fn a_long_chain_is_broken_one_operand_per_line() {
    let source = policy(
        "  rule r {\n    when first_condition_of_many and second_condition_of_many and \
         third_condition_of_many and fourth_condition\n    then tag \"x\"\n  }\n",
    );
    let formatted = format(&source).unwrap();
    assert_eq!(
        formatted,
        policy(
            "  rule r {\n    when first_condition_of_many\n      and second_condition_of_many\n      \
             and third_condition_of_many\n      and fourth_condition\n    then tag \"x\"\n  }\n"
        )
    );
    assert_eq!(format(&formatted).unwrap(), formatted);
}

#[cfg(feature = "internals")]
#[test]
fn long_lists_and_closed_dates_are_filled_and_aligned() {
    let dates: Vec<String> = (1..=14).map(|d| format!("2026-12-{d:02}")).collect();
    let names: Vec<String> = (0..12).map(|i| format!("\"channel-{i}\"")).collect();
    let source = policy(&format!(
        "  calendar c {{\n    mon-fri 09:00-17:00\n    closed {}\n  }}\n  rule r {{\n    \
         when channel in [{}]\n    then tag \"x\"\n  }}\n",
        dates.join(", "),
        names.join(", ")
    ));
    let formatted = format(&source).unwrap();
    for line in formatted.lines() {
        assert!(line.chars().count() <= 100, "too long: {line}");
    }
    let lines: Vec<&str> = formatted.lines().collect();
    let closed = lines.iter().position(|l| l.contains("closed")).unwrap();
    let column = lines[closed].find("2026").unwrap();
    assert_eq!(lines[closed + 1].find("2026"), Some(column), "{formatted}");
    let when = lines.iter().position(|l| l.contains("when")).unwrap();
    let column = lines[when].find('"').unwrap();
    assert_eq!(lines[when + 1].find('"'), Some(column), "{formatted}");
    assert_eq!(format(&formatted).unwrap(), formatted);
    assert_eq!(
        service_policy::syntax::parse(&formatted).unwrap(),
        service_policy::syntax::parse(&source).unwrap()
    );
}

#[test]
fn fmt_check_accepts_what_the_author_wrote() {
    let dir = tempfile::tempdir().unwrap();
    let path = dir.path().join("p.policy");
    std::fs::write(
        &path,
        policy("  rule r {\n    when a > 24h\n    then follow up within 24h\n  }\n"),
    )
    .unwrap();
    Command::cargo_bin("service-policy")
        .unwrap()
        .args(["fmt", "--check"])
        .arg(&path)
        .assert()
        .success();
}
