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

/// The customer-service workload of the peer comparison: every rule has a compiled guard.
const CUSTOMER_SERVICE: &str = include_str!("../benches/peers/workload/cs.policy");

#[test]
fn lines_read_straight_print_what_parsed_lines_print() {
    // With one policy and no as-of field, `batch` reads a line straight into the fields
    // the rules read; naming an as-of field makes it parse every line in full. The output
    // must be the same, byte for byte, for clean lines and for every kind of line the
    // straight reader leaves to the full one.
    let dir = tempfile::tempdir().unwrap();
    let policy = dir.path().join("cs.policy");
    std::fs::write(&policy, CUSTOMER_SERVICE).unwrap();
    let clean = r#"{"id": "C-1", "at": "2026-03-01T00:00:00Z", "priority": "urgent", "channel": "phone", "tier": "gold", "language": "fr", "refund_amount": 6000, "order_total": 9000, "refunds_30d": 5000, "csat": 2, "minutes_waiting": 75, "contacts": 3, "queue_length": 25, "tags": ["legal", "x"]}"#;
    let mut lines = vec![clean.to_owned()];
    for (from, to) in [
        (r#""C-1""#, r#"17"#),                                    // a number as id
        (r#""C-1""#, r#"{"n": 1}"#),                              // an object as id
        (r#""id": "C-1", "#, ""),                                 // no id
        (r#""csat": 2"#, r#""csat": 2.5"#),                       // a float compared
        (r#""tier": "gold""#, r#""tier": "bronze""#),             // outside the enumeration
        (r#""refund_amount": 6000, "#, ""),                       // a required field missing
        (r#""tags": ["legal", "x"]"#, r#""tags": ["legal", 3]"#), // a list not all texts
        (r#""contacts": 3"#, r#""contacts": 3, "contacts": 4"#),  // a key given twice
        (r#""language": "fr""#, r#""language": "fr\u00e9""#),     // an escaped text
        (r#""queue_length": 25"#, r#""queue_length": 1e-400"#),   // a number that vanishes
    ] {
        assert!(clean.contains(from), "{from}");
        lines.push(clean.replacen(from, to, 1));
    }
    lines.push("[1, 2]".to_owned());
    lines.push("{not json".to_owned());
    let input = lines.join("\n") + "\n";
    let run = |flags: &[&str]| {
        let out = Command::cargo_bin("service-policy")
            .unwrap()
            .args(["batch", "--now", NOW, "--errors-ok"])
            .args(flags)
            .arg(&policy)
            .write_stdin(input.clone())
            .output()
            .unwrap();
        String::from_utf8(out.stdout).unwrap()
    };
    let straight = run(&[]);
    let parsed = run(&["--as-of", "at"]);
    assert_eq!(straight.lines().count(), lines.len());
    assert_eq!(straight, parsed);
    // The clean line fired rules and echoed its id.
    let first: Value = serde_json::from_str(straight.lines().next().unwrap()).unwrap();
    assert_eq!(first["id"], "C-1");
    assert!(first["decision"]["fired"].as_array().unwrap().len() > 5);
}
