//! The test runner cannot be switched off by a typo (SPEC §14): unknown action kinds, keys
//! and statuses are errors naming the file and line; failures name the key that differs;
//! YAML errors name the file; JUnit keeps line breaks and a `classname` on every case.
#![allow(
    clippy::unwrap_used,
    clippy::expect_used,
    clippy::panic,
    clippy::indexing_slicing,
    reason = "tests and benches stop loudly on the unexpected"
)]

use std::path::{Path, PathBuf};

use assert_cmd::Command;
use service_policy::testing::run_file;

const POLICY: &str = r#"policy "Desk" {
  rule urgent {
    when priority == "urgent"
    then escalate to "supervisor"
  }
  rule reply {
    expect replied_at within 1h of opened_at
    on breach: notify "lead"
  }
}
"#;

const RECORD: &str =
    "{ priority: urgent, opened_at: 2026-03-02T09:00:00Z, replied_at: 2026-03-02T09:30:00Z }";

fn write(dir: &Path, expect: &str) -> PathBuf {
    std::fs::write(dir.join("desk.policy"), POLICY).unwrap();
    let path = dir.join("desk.tests.yaml");
    std::fs::write(
        &path,
        format!(
            "policy: desk.policy\nnow: 2026-03-02T10:00:00Z\ncases:\n  - name: urgent ticket\n    record: {RECORD}\n    expect:\n{expect}"
        ),
    )
    .unwrap();
    path
}

fn error_of(expect: &str) -> String {
    let dir = tempfile::tempdir().unwrap();
    let path = write(dir.path(), expect);
    let result = run_file(&path);
    assert!(!result.passed());
    result
        .error
        .unwrap_or_else(|| panic!("no file error for {expect}"))
}

#[test]
fn a_misspelt_action_kind_in_exclude_is_an_error_not_a_pass() {
    let error = error_of("      actions_exclude: [ { action: refnd } ]\n");
    assert!(error.contains("desk.tests.yaml:7:"), "{error}");
    assert!(error.contains("unknown action kind `refnd`"), "{error}");
    assert!(error.contains("did you mean `refund`?"), "{error}");
    assert!(error.contains("require_approval"), "{error}");
}

#[test]
fn unknown_keys_and_statuses_are_errors() {
    let error = error_of("      actions:\n        - { action: escalate, too: supervisor }\n");
    assert!(
        error.contains("desk.tests.yaml:8:") && error.contains("unknown action key `too`"),
        "{error}"
    );
    assert!(error.contains("did you mean `to`?"), "{error}");
    let error = error_of("      checks:\n        - { rule: reply, stauts: met }\n");
    assert!(
        error.contains("unknown check key `stauts`; did you mean `status`?"),
        "{error}"
    );
    let error = error_of("      checks:\n        - { rule: reply, status: mett }\n");
    assert!(
        error.contains("unknown check status `mett`; did you mean `met`?"),
        "{error}"
    );
    let error = error_of("      checks:\n        - { rule: reply, kind: limit, status: met }\n");
    assert!(error.contains("unknown check status `met`"), "{error}");
    assert!(error.contains("(known: within, exceeded)"), "{error}");
    let error = error_of("      actions_include: [ escalate ]\n");
    assert!(error.contains("an action is a map"), "{error}");
}

#[test]
fn correct_expectations_still_pass() {
    let dir = tempfile::tempdir().unwrap();
    let path = write(
        dir.path(),
        "      actions:\n        - { action: escalate, to: supervisor }\n      actions_exclude: [ { action: notify } ]\n      checks:\n        - { rule: reply, kind: deadline, status: met, elapsed: 30m }\n",
    );
    let result = run_file(&path);
    assert!(result.passed(), "{result:?}");
}

#[test]
fn a_failing_case_names_the_key_that_differs() {
    let dir = tempfile::tempdir().unwrap();
    let path = write(
        dir.path(),
        "      actions:\n        - { action: escalate, to: team-lead }\n      checks:\n        - { rule: reply, status: breached }\n",
    );
    let result = run_file(&path);
    let failures = &result.cases[0].failures;
    let actions = failures.iter().find(|f| f.what == "actions").unwrap();
    assert!(
        actions
            .message
            .contains("`to` expected `team-lead`, actual `supervisor`"),
        "{}",
        actions.message
    );
    let checks = failures.iter().find(|f| f.what == "checks").unwrap();
    assert!(
        checks
            .message
            .contains("`status` expected `breached`, actual `met`"),
        "{}",
        checks.message
    );
}

#[test]
fn yaml_errors_name_the_file() {
    let dir = tempfile::tempdir().unwrap();
    let path = dir.path().join("broken.tests.yaml");
    std::fs::write(
        &path,
        "policy: p.policy\ncases: [ { name: x, record: {a: [1, } ]\n",
    )
    .unwrap();
    let error = run_file(&path).error.unwrap();
    assert!(!error.contains("<input>"), "{error}");
    assert!(error.contains("broken.tests.yaml:2:"), "{error}");
}

#[test]
fn junit_keeps_line_breaks_and_classnames() {
    let dir = tempfile::tempdir().unwrap();
    write(
        dir.path(),
        "      checks:\n        - { rule: reply, status: breached }\n",
    );
    let typo = dir.path().join("typo.tests.yaml");
    std::fs::write(
        &typo,
        format!(
            "policy: desk.policy\nnow: 2026-03-02T10:00:00Z\ncases:\n  - name: typo\n    record: {RECORD}\n    expect:\n      actions_exclude: [ {{ action: refnd }} ]\n      checks: [ {{ rule: reply, stauts: met }} ]\n"
        ),
    )
    .unwrap();
    let output = Command::cargo_bin("service-policy")
        .unwrap()
        .args(["test", "--format", "junit"])
        .arg(dir.path())
        .output()
        .unwrap();
    assert!(!output.status.success());
    let xml = String::from_utf8(output.stdout).unwrap();
    let testcases: Vec<&str> = xml.split("<testcase ").skip(1).collect();
    assert_eq!(testcases.len(), 2, "{xml}");
    for case in &testcases {
        assert!(case.contains("classname=\""), "{case}");
    }
    // The failure's body holds the side-by-side table on several lines.
    let failure = xml.split("<failure").nth(1).unwrap();
    let body = failure.split_once('>').unwrap().1;
    assert!(
        body.contains("`status` expected `breached`, actual `met`"),
        "{xml}"
    );
    assert!(body.lines().count() > 3, "{xml}");
    // The load error's body keeps both problems, one per line.
    let error = xml
        .split("<error")
        .nth(1)
        .unwrap()
        .split_once('>')
        .unwrap()
        .1;
    let first = error.find("refnd").unwrap();
    let second = error.find("stauts").unwrap();
    assert!(error[first..second].contains('\n'), "{xml}");
}
