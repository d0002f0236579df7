//! The example policies' test suites pass, through the public test runner, and cover
//! every rule.
#![allow(
    clippy::unwrap_used,
    clippy::expect_used,
    clippy::panic,
    clippy::indexing_slicing,
    reason = "tests and benches stop loudly on the unexpected"
)]

use std::path::PathBuf;

use service_policy::testing::run_file;

fn suite(name: &str) -> PathBuf {
    PathBuf::from(env!("CARGO_MANIFEST_DIR"))
        .join("examples/policies")
        .join(name)
}

fn assert_passes(name: &str, min_cases: usize) {
    let result = run_file(&suite(name));
    assert!(result.error.is_none(), "{name}: {:?}", result.error);
    let failed: Vec<_> = result
        .cases
        .iter()
        .filter(|c| !c.passed)
        .map(|c| format!("{}: {:?}", c.name, c.failures))
        .collect();
    assert!(
        failed.is_empty(),
        "{name}: failing cases:\n{}",
        failed.join("\n")
    );
    assert!(
        result.cases.len() >= min_cases,
        "{name}: only {} cases",
        result.cases.len()
    );
    let coverage = result.coverage.expect("a suite that ran has coverage");
    assert!(
        coverage.rules_not_fired.is_empty(),
        "{name}: rules no case fired: {:?}",
        coverage.rules_not_fired
    );
    assert!(
        coverage.actions_not_required.is_empty(),
        "{name}: actions no case required: {:?}",
        coverage.actions_not_required
    );
}

#[test]
fn retail_suite_passes() {
    assert_passes("retail.tests.yaml", 15);
}

#[test]
fn call_center_suite_passes() {
    assert_passes("call_center.tests.yaml", 15);
}

#[test]
fn refunds_suite_passes() {
    assert_passes("refunds.tests.yaml", 9);
}

#[test]
fn multilingual_suite_passes() {
    assert_passes("multilingual.tests.yaml", 6);
}

/// Every example policy has a suite: a new policy without tests fails here.
#[test]
fn every_example_policy_has_a_suite() {
    let dir = PathBuf::from(env!("CARGO_MANIFEST_DIR")).join("examples/policies");
    for entry in std::fs::read_dir(&dir).expect("examples/policies exists") {
        let path = entry.expect("a folder entry").path();
        if path.extension().is_some_and(|e| e == "policy") {
            let stem = path
                .file_stem()
                .and_then(|s| s.to_str())
                .expect("a file name");
            assert!(
                dir.join(format!("{stem}.tests.yaml")).exists(),
                "{} has no {stem}.tests.yaml",
                path.display()
            );
        }
    }
}

/// A suite that expects the wrong thing fails: the runner is not vacuous.
#[test]
fn a_wrong_expectation_fails() {
    let dir = tempfile::tempdir().expect("a temporary folder");
    let policy = std::fs::read_to_string(suite("refunds.policy")).expect("the policy reads");
    std::fs::write(dir.path().join("refunds.policy"), policy).expect("write the policy");
    let tests = "policy: refunds.policy\nnow: 2026-03-02T10:00:00Z\ncases:\n  - name: wrong\n    record: { order: { total: 80 EUR }, refund: { requested: 25 EUR }, reason: late, customer: { tier: standard, refunds: [] } }\n    expect:\n      actions: [ { action: escalate } ]\n";
    let path = dir.path().join("wrong.tests.yaml");
    std::fs::write(&path, tests).expect("write the suite");
    let result = run_file(&path);
    assert!(!result.passed());
    assert_eq!(result.cases.len(), 1);
    assert!(!result.cases[0].passed);
}
