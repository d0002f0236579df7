//! `batch` inside a pipeline (Spark's `rdd.pipe`, shell pipes): `--errors-ok`, `--id-field`
//! and the exit codes that tell record errors from a broken policy or I/O.
#![allow(
    clippy::unwrap_used,
    clippy::expect_used,
    clippy::panic,
    clippy::indexing_slicing,
    reason = "tests stop loudly on the unexpected"
)]

use assert_cmd::Command;
use serde_json::Value;

const POLICY: &str = r#"policy "Support" {
  record {
    priority: "low" | "high"
    opened_at: time
    first_reply_at: time?
  }

  rule first_reply {
    expect first_reply_at within 1h of opened_at
    on breach: escalate to "supervisor"
  }
}
"#;

const NOW: &str = "2026-03-02T10:00:00Z";

const RECORDS: &str = concat!(
    r#"{"id": "T-1", "ticket": {"no": 7}, "priority": "high", "opened_at": "2026-03-02T08:00:00Z"}"#,
    "\n",
    "{not json\n",
    r#"{"id": "T-3", "ticket": {"no": 9}, "priority": "low", "opened_at": "2026-03-02T09:30:00Z"}"#,
    "\n",
);

fn policy_file() -> (tempfile::TempDir, std::path::PathBuf) {
    let dir = tempfile::tempdir().unwrap();
    let path = dir.path().join("support.policy");
    std::fs::write(&path, POLICY).unwrap();
    (dir, path)
}

fn batch(policy: &std::path::Path, flags: &[&str], input: &str) -> (Option<i32>, Vec<Value>) {
    let out = Command::cargo_bin("service-policy")
        .unwrap()
        .args(["batch", "--now", NOW])
        .args(flags)
        .arg(policy)
        .write_stdin(input)
        .output()
        .unwrap();
    let lines = String::from_utf8(out.stdout)
        .unwrap()
        .lines()
        .map(|l| serde_json::from_str(l).unwrap())
        .collect();
    (out.status.code(), lines)
}

#[test]
fn errors_ok_keeps_exit_zero_and_still_writes_error_lines() {
    let (_dir, policy) = policy_file();
    let (strict, strict_lines) = batch(&policy, &[], RECORDS);
    assert_eq!(strict, Some(1), "a failed record fails the run by default");
    let (relaxed, lines) = batch(&policy, &["--errors-ok"], RECORDS);
    assert_eq!(relaxed, Some(0), "--errors-ok: record errors do not fail");
    assert_eq!(lines, strict_lines, "the output is the same either way");
    assert_eq!(lines.len(), 3);
    assert!(lines[1]["error"].as_str().unwrap().contains("invalid JSON"));
    assert_eq!(
        lines[0]["decision"]["checks"][0]["status"], "breached",
        "decisions are still made"
    );
}

#[test]
fn errors_ok_does_not_hide_a_broken_policy_or_io_errors() {
    let dir = tempfile::tempdir().unwrap();
    let broken = dir.path().join("broken.policy");
    std::fs::write(&broken, "policy \"x\" { rule { } }").unwrap();
    let (code, lines) = batch(&broken, &["--errors-ok"], RECORDS);
    assert_eq!(code, Some(1), "an invalid policy still fails");
    assert!(lines.is_empty());

    let (_keep, policy) = policy_file();
    let out = Command::cargo_bin("service-policy")
        .unwrap()
        .args(["batch", "--errors-ok", "--now", NOW])
        .arg(&policy)
        .arg(dir.path().join("absent.jsonl"))
        .output()
        .unwrap();
    assert_eq!(
        out.status.code(),
        Some(2),
        "an unreadable input still fails"
    );
}

#[test]
fn id_field_names_the_field_copied_to_id() {
    let (_dir, policy) = policy_file();
    let (_, default) = batch(&policy, &["--errors-ok"], RECORDS);
    assert_eq!(default[0]["id"], "T-1");
    assert_eq!(default[2]["id"], "T-3");

    let (_, nested) = batch(
        &policy,
        &["--errors-ok", "--id-field", "ticket.no"],
        RECORDS,
    );
    assert_eq!(nested[0]["id"], 7, "a dotted path reaches into objects");
    assert_eq!(nested[2]["id"], 9);
    assert!(nested[1].get("id").is_none(), "error lines carry no id");

    let (_, absent) = batch(
        &policy,
        &["--errors-ok", "--id-field", "ticket_id"],
        RECORDS,
    );
    assert_eq!(absent[0]["id"], Value::Null, "an absent field gives null");
    assert_eq!(
        absent[0]["decision"], default[0]["decision"],
        "the id field never changes the decision"
    );
}

#[test]
fn a_key_with_a_dot_wins_over_the_path() {
    let (_dir, policy) = policy_file();
    let input =
        r#"{"ticket.no": "flat", "ticket": {"no": "nested"}, "opened_at": "2026-03-02T09:30:00Z"}"#;
    let (_, lines) = batch(&policy, &["--id-field", "ticket.no"], input);
    assert_eq!(lines[0]["id"], "flat");
}
