//! `eval --explain --format human` through the binary: each rule reads as one line saying
//! why it applied, did not apply, or was undecided.
#![allow(
    clippy::unwrap_used,
    clippy::expect_used,
    reason = "tests stop loudly on the unexpected"
)]

use assert_cmd::Command;

#[test]
fn the_retail_examples_explain_themselves_in_readable_lines() {
    let output = Command::cargo_bin("service-policy")
        .unwrap()
        .current_dir(env!("CARGO_MANIFEST_DIR"))
        .args([
            "eval",
            "--explain",
            "--format",
            "human",
            "--now",
            "2026-03-02T10:00:00Z",
            "examples/policies/retail.policy",
            "examples/policies/records/retail_late_reply.json",
            "examples/policies/records/retail_platinum.json",
        ])
        .output()
        .unwrap();
    assert!(output.status.success(), "{output:?}");
    let text = String::from_utf8(output.stdout).unwrap();
    assert!(
        text.contains(
            r#"platinum_refunds: not applied — customer.tier == "platinum" is false (customer.tier = "gold")"#
        ),
        "{text}"
    );
    assert!(
        !text.contains("\"comparisons\""),
        "no JSON in human output: {text}"
    );
    insta::assert_snapshot!(text);
}
