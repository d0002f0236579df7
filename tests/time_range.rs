//! Times at the edge of the range: a record time, `--now`, a test file's `now` or an
//! `--as-of` field past `9999-12-30T22:00:00Z` gets a message that states the range (and
//! names the field where there is one), and arithmetic that leaves the range is an error
//! for the one rule that needed it, saying so.
#![allow(
    clippy::unwrap_used,
    clippy::expect_used,
    clippy::panic,
    clippy::indexing_slicing,
    reason = "tests and benches stop loudly on the unexpected"
)]

use std::path::PathBuf;
use std::process::Command;

use serde_json::json;
use service_policy::{Decision, EvalOptions, Policy};

const RANGE: &str = "times run from 0000-01-01T00:00:00Z to 9999-12-30T22:00:00Z";
const NOW: &str = "2026-03-02T10:00:00Z";

const TYPED: &str = r#"policy "Edge" {
  record {
    opened: time?
    priority: text?
  }
  rule late { when opened < now then tag "late" }
  rule plain { when priority == "urgent" then tag "fast" }
}"#;

const UNTYPED: &str = r#"policy "Edge" {
  calendar office { mon-fri 09:00-17:00 }
  rule office_time { when business_time(opened, now, office) > 1h then tag "slow" }
  rule later { when opened + 10d > now then tag "later" }
  rule reply { expect replied within 3650d of opened
    on breach: tag "breach" }
  rule plain { when priority == "urgent" then tag "fast" }
}"#;

fn options(now: &str) -> EvalOptions {
    EvalOptions::at(now.parse().unwrap())
}

/// Both evaluators, which must agree byte for byte.
fn evaluate(policy: &Policy, record: &serde_json::Value, now: &str) -> Decision {
    let compiled = policy.evaluate(record, &options(now));
    let reference = policy.evaluate_reference(record, &options(now));
    assert_eq!(
        serde_json::to_string(&compiled).unwrap(),
        serde_json::to_string(&reference).unwrap()
    );
    compiled
}

fn error_of<'d>(decision: &'d Decision, rule: &str) -> &'d service_policy::eval::ErrorEntry {
    decision
        .errors
        .iter()
        .find(|e| e.rule.as_deref() == Some(rule))
        .unwrap_or_else(|| panic!("no error for `{rule}`: {decision:?}"))
}

#[test]
fn a_record_time_past_the_range_states_the_range_and_names_the_field() {
    let policy = Policy::parse(TYPED).unwrap();
    for opened in [
        "9999-12-31T00:00:00Z",
        "9999-12-30T22:00:01Z",
        "9999-12-31T23:59:59+00:00",
    ] {
        let record = json!({ "opened": opened, "priority": "urgent" });
        let decision = evaluate(&policy, &record, NOW);
        let error = error_of(&decision, "late");
        assert_eq!(error.field.as_deref(), Some("opened"));
        assert!(error.message.contains(RANGE), "{}", error.message);
        assert!(error.message.contains("`opened`"), "{}", error.message);
        assert_eq!(decision.fired, ["plain"], "other rules are unaffected");
        // The JSON text entry point says the same.
        let text = serde_json::to_string(&record).unwrap();
        let from_text = policy.evaluate_json(&text, &options(NOW)).unwrap();
        assert_eq!(
            error_of(&from_text, "late").message,
            error.message,
            "evaluate_json"
        );
    }
    // The last instant of the range is a time like any other.
    let record = json!({ "opened": "9999-12-30T22:00:00Z", "priority": "urgent" });
    let decision = evaluate(&policy, &record, NOW);
    assert!(decision.errors.is_empty(), "{decision:?}");
    // A time that is simply malformed keeps the hint on the format, not the range.
    let record = json!({ "opened": "2026-03-02 09:00", "priority": "urgent" });
    let decision = evaluate(&policy, &record, NOW);
    let message = &error_of(&decision, "late").message;
    assert!(message.contains("RFC 3339"), "{message}");
    assert!(!message.contains(RANGE), "{message}");
}

#[test]
fn without_a_schema_a_time_past_the_range_states_the_range_wherever_it_is_used() {
    let policy = Policy::parse(UNTYPED).unwrap();
    let record = json!({ "opened": "9999-12-31T00:00:00Z", "priority": "urgent" });
    let decision = evaluate(&policy, &record, NOW);
    for rule in ["office_time", "later", "reply"] {
        let message = &error_of(&decision, rule).message;
        assert!(message.contains(RANGE), "{rule}: {message}");
        assert!(
            message.contains("9999-12-31T00:00:00Z"),
            "{rule}: {message}"
        );
    }
    assert_eq!(decision.fired, ["plain"]);
}

#[test]
fn arithmetic_that_leaves_the_range_is_an_error_for_its_rule_that_says_so() {
    let policy = Policy::parse(UNTYPED).unwrap();
    // Ten days after 9999-12-25 and a deadline ten years on both fall past the range.
    let record = json!({ "opened": "9999-12-25T00:00:00Z", "priority": "urgent" });
    let decision = evaluate(&policy, &record, "9999-12-26T00:00:00Z");
    let later = &error_of(&decision, "later").message;
    assert!(later.contains("lies outside the range of times"), "{later}");
    assert!(later.contains(RANGE), "{later}");
    let reply = &error_of(&decision, "reply").message;
    assert!(
        reply.contains("past the end of the range of times"),
        "{reply}"
    );
    assert!(reply.contains(RANGE), "{reply}");
    assert_eq!(decision.fired, ["plain"]);
    assert!(decision.checks.iter().all(|c| c.rule() != "reply"));
}

#[test]
fn a_deadline_further_than_the_longest_span_says_so_not_the_range() {
    let src = r#"policy "Far" {
  rule reply { expect replied within 80000d of opened
    on breach: tag "breach" }
}"#;
    let policy = Policy::parse(src).unwrap();
    let record = json!({ "opened": "2026-01-01T00:00:00Z" });
    let decision = evaluate(&policy, &record, NOW);
    let message = &error_of(&decision, "reply").message;
    assert!(message.contains("more than 73000 days"), "{message}");
    assert!(!message.contains(RANGE), "{message}");
}

fn binary() -> Command {
    Command::new(PathBuf::from(env!("CARGO_BIN_EXE_service-policy")))
}

fn write(dir: &std::path::Path, name: &str, text: &str) -> PathBuf {
    let path = dir.join(name);
    std::fs::write(&path, text).unwrap();
    path
}

#[test]
fn now_past_the_range_on_the_command_line_states_the_range() {
    let dir = tempfile::tempdir().unwrap();
    let policy = write(dir.path(), "p.policy", TYPED);
    let record = write(dir.path(), "r.json", r#"{"priority":"urgent"}"#);
    for command in ["eval", "batch"] {
        let mut cmd = binary();
        cmd.arg(command).arg(&policy);
        if command == "eval" {
            cmd.arg(&record);
        }
        let out = cmd
            .args(["--now", "9999-12-31T00:00:00Z"])
            .output()
            .unwrap();
        assert_eq!(out.status.code(), Some(2), "{command}");
        let stderr = String::from_utf8(out.stderr).unwrap();
        assert!(stderr.contains("`--now 9999-12-31T00:00:00Z`"), "{stderr}");
        assert!(stderr.contains(RANGE), "{command}: {stderr}");
        assert_eq!(stderr.lines().count(), 1, "{stderr}");
    }
}

#[test]
fn record_times_past_the_range_in_eval_and_batch_state_the_range() {
    let dir = tempfile::tempdir().unwrap();
    let policy = write(dir.path(), "p.policy", TYPED);
    let json = write(
        dir.path(),
        "r.json",
        r#"{"opened":"9999-12-31T00:00:00Z","priority":"urgent"}"#,
    );
    let yaml = write(
        dir.path(),
        "r.yaml",
        "opened: \"9999-12-31T00:00:00Z\"\npriority: urgent\n",
    );
    for record in [&json, &yaml] {
        let out = binary()
            .arg("eval")
            .arg(&policy)
            .arg(record)
            .args(["--now", NOW])
            .output()
            .unwrap();
        let decision: serde_json::Value = serde_json::from_slice(&out.stdout).unwrap();
        let error = &decision["errors"][0];
        assert_eq!(error["field"], "opened", "{decision}");
        assert!(
            error["message"].as_str().unwrap().contains(RANGE),
            "{decision}"
        );
    }
    let lines = write(
        dir.path(),
        "r.jsonl",
        "{\"opened\":\"9999-12-31T00:00:00Z\"}\n{\"opened\":\"2026-01-01T00:00:00Z\"}\n",
    );
    let out = binary()
        .arg("batch")
        .arg(&policy)
        .arg(&lines)
        .args(["--now", NOW])
        .output()
        .unwrap();
    let stdout = String::from_utf8(out.stdout).unwrap();
    let outputs: Vec<serde_json::Value> = stdout
        .lines()
        .map(|l| serde_json::from_str(l).unwrap())
        .collect();
    assert_eq!(outputs.len(), 2);
    let first = &outputs[0]["decision"]["errors"][0];
    assert_eq!(first["field"], "opened");
    assert!(first["message"].as_str().unwrap().contains(RANGE));
    assert_eq!(outputs[1]["decision"]["fired"], json!(["late"]));
}

#[test]
fn a_test_file_with_now_or_a_record_time_past_the_range_states_the_range() {
    let dir = tempfile::tempdir().unwrap();
    write(dir.path(), "p.policy", TYPED);
    let tests = write(
        dir.path(),
        "p.tests.yaml",
        r#"policy: p.policy
now: 9999-12-31T00:00:00Z
cases:
  - name: now past the range
    record: { priority: urgent }
    expect:
      fired: [plain]
  - name: a record time past the range
    now: 2026-03-02T10:00:00Z
    record: { opened: "9999-12-31T00:00:00Z", priority: urgent }
    expect:
      fired: [plain]
      errors:
        - { rule: late, field: opened }
"#,
    );
    let out = binary().arg("test").arg(&tests).output().unwrap();
    let stdout = String::from_utf8(out.stdout).unwrap();
    let stderr = String::from_utf8(out.stderr).unwrap();
    let all = format!("{stdout}{stderr}");
    // The first case fails on its `now`, stating the range; the second passes.
    assert_eq!(out.status.code(), Some(1), "{all}");
    assert!(all.contains("9999-12-31T00:00:00Z"), "{all}");
    assert!(all.contains(RANGE), "{all}");
    assert!(all.contains("1 passed"), "{all}");
}

#[test]
fn an_as_of_field_past_the_range_states_the_range() {
    let dir = tempfile::tempdir().unwrap();
    let policy = write(dir.path(), "p.policy", TYPED);
    let record = write(dir.path(), "r.json", r#"{"opened":"9999-12-31T00:00:00Z"}"#);
    let out = binary()
        .arg("eval")
        .arg(&policy)
        .arg(&record)
        .args(["--now", NOW, "--as-of", "opened"])
        .output()
        .unwrap();
    assert_eq!(out.status.code(), Some(1));
    let stderr = String::from_utf8(out.stderr).unwrap();
    assert!(stderr.contains("the as-of field `opened`"), "{stderr}");
    assert!(stderr.contains(RANGE), "{stderr}");
}
