//! The command line, end to end: every command, format and exit status.
#![allow(
    clippy::unwrap_used,
    clippy::expect_used,
    clippy::panic,
    clippy::indexing_slicing,
    reason = "tests and benches stop loudly on the unexpected"
)]

use std::path::{Path, PathBuf};

use assert_cmd::Command;
use serde_json::Value;

const POLICY: &str = r#"policy "Support" {
  version "1"

  record {
    priority: "low" | "high"
    opened_at: time
    first_reply_at: time?
    credit: money?
  }

  rule first_reply {
    expect first_reply_at within 1h of opened_at
    on breach: escalate to "supervisor"
  }

  rule refund_cap {
    limit credit <= 100 USD
    on exceed: require approval from "manager"
  }

  rule vip {
    when priority == "high"
    then tag "vip"
  }
}
"#;

const NOW: &str = "2026-03-02T10:00:00Z";

fn bin() -> Command {
    let mut cmd = Command::cargo_bin("service-policy").unwrap();
    cmd.env("NO_COLOR", "1");
    cmd
}

struct Dir(tempfile::TempDir);

impl Dir {
    fn new() -> Dir {
        Dir(tempfile::tempdir().unwrap())
    }

    fn write(&self, name: &str, text: &str) -> PathBuf {
        let path = self.0.path().join(name);
        if let Some(parent) = path.parent() {
            std::fs::create_dir_all(parent).unwrap();
        }
        std::fs::write(&path, text).unwrap();
        path
    }

    fn path(&self) -> &Path {
        self.0.path()
    }
}

fn stdout(output: &std::process::Output) -> String {
    String::from_utf8(output.stdout.clone()).unwrap()
}

fn stderr(output: &std::process::Output) -> String {
    String::from_utf8(output.stderr.clone()).unwrap()
}

// ---------------------------------------------------------------- check

#[test]
fn check_clean_policy_exits_zero() {
    let dir = Dir::new();
    let policy = dir.write("support.policy", POLICY);
    let out = bin().arg("check").arg(&policy).output().unwrap();
    assert_eq!(out.status.code(), Some(0), "{}", stdout(&out));
    assert!(stdout(&out).contains("checked 1 file: 0 errors, 0 warnings"));
}

#[test]
fn check_reports_errors_in_every_format() {
    let dir = Dir::new();
    dir.write("good.policy", POLICY);
    let bad = POLICY.replace("priority == \"high\"", "priorty == \"high\"");
    dir.write("nested/bad.policy", &bad);

    let human = bin().arg("check").arg(dir.path()).output().unwrap();
    assert_eq!(human.status.code(), Some(1));
    let text = stdout(&human);
    assert!(text.contains("E0103"), "{text}");
    assert!(text.contains("priority"), "the suggestion is shown: {text}");
    assert!(text.contains("checked 2 files: 1 error"), "{text}");

    let json = bin()
        .args(["check", "--format", "json"])
        .arg(dir.path())
        .output()
        .unwrap();
    assert_eq!(json.status.code(), Some(1));
    let diagnostics: Value = serde_json::from_slice(&json.stdout).unwrap();
    let first = &diagnostics[0];
    assert_eq!(first["code"], "E0103");
    assert_eq!(first["severity"], "error");
    assert!(first["file"].as_str().unwrap().ends_with("bad.policy"));
    let line = first["start"]["line"].as_u64().unwrap();
    let expected_line = bad.lines().position(|l| l.contains("priorty")).unwrap() as u64 + 1;
    assert_eq!(line, expected_line);

    let github = bin()
        .args(["check", "--format", "github"])
        .arg(dir.path())
        .output()
        .unwrap();
    assert_eq!(github.status.code(), Some(1));
    let annotation = stdout(&github);
    assert!(
        annotation.starts_with("::error file=")
            && annotation.contains(&format!(",line={expected_line},"))
            && annotation.contains("title=E0103::"),
        "{annotation}"
    );

    let sarif = bin()
        .args(["check", "--format", "sarif"])
        .arg(dir.path())
        .output()
        .unwrap();
    assert_eq!(sarif.status.code(), Some(1));
    let log: Value = serde_json::from_slice(&sarif.stdout).unwrap();
    assert_eq!(log["version"], "2.1.0");
    let run = &log["runs"][0];
    assert_eq!(run["tool"]["driver"]["name"], "service-policy");
    assert_eq!(run["tool"]["driver"]["rules"][0]["id"], "E0103");
    let result = &run["results"][0];
    assert_eq!(result["ruleId"], "E0103");
    assert_eq!(result["level"], "error");
    assert!(
        result["message"]["text"]
            .as_str()
            .unwrap()
            .contains("priorty")
    );
    let region = &result["locations"][0]["physicalLocation"]["region"];
    assert_eq!(region["startLine"].as_u64(), Some(expected_line));
}

#[test]
fn check_warnings_fail_only_when_denied() {
    let dir = Dir::new();
    let unused = POLICY.replace("  rule vip {", "  const unused = 5\n\n  rule vip {");
    let policy = dir.write("warn.policy", &unused);
    let plain = bin().arg("check").arg(&policy).output().unwrap();
    assert_eq!(plain.status.code(), Some(0), "{}", stdout(&plain));
    assert!(stdout(&plain).contains("W0001"));
    let denied = bin()
        .args(["check", "--deny-warnings"])
        .arg(&policy)
        .output()
        .unwrap();
    assert_eq!(denied.status.code(), Some(1));
}

#[test]
fn check_missing_file_is_a_usage_error() {
    let out = bin().args(["check", "no/such.policy"]).output().unwrap();
    assert_eq!(out.status.code(), Some(2));
    assert!(stderr(&out).starts_with("error: "), "{}", stderr(&out));
    assert_eq!(stderr(&out).lines().count(), 1);
}

#[test]
fn unknown_flag_is_a_usage_error() {
    let out = bin()
        .args(["check", "--no-such-flag", "x"])
        .output()
        .unwrap();
    assert_eq!(out.status.code(), Some(2));
}

// ---------------------------------------------------------------- fmt

#[test]
fn fmt_check_reports_and_fmt_rewrites() {
    let dir = Dir::new();
    let messy = POLICY.replace("  rule vip {\n    when", "  rule vip {\n        when");
    let path = dir.write("messy.policy", &messy);

    let check = bin().args(["fmt", "--check"]).arg(&path).output().unwrap();
    assert_eq!(check.status.code(), Some(1));
    assert!(
        stdout(&check).contains("-        when"),
        "{}",
        stdout(&check)
    );
    assert_eq!(
        std::fs::read_to_string(&path).unwrap(),
        messy,
        "--check writes nothing"
    );

    let write = bin().arg("fmt").arg(&path).output().unwrap();
    assert_eq!(write.status.code(), Some(0));
    let formatted = std::fs::read_to_string(&path).unwrap();
    assert!(formatted.contains("  rule vip {\n    when"), "{formatted}");

    let again = bin().args(["fmt", "--check"]).arg(&path).output().unwrap();
    assert_eq!(again.status.code(), Some(0), "formatting is idempotent");
}

#[test]
fn fmt_refuses_a_broken_policy() {
    let dir = Dir::new();
    let path = dir.write("broken.policy", "policy \"x\" { rule { }");
    let out = bin().arg("fmt").arg(&path).output().unwrap();
    assert_eq!(out.status.code(), Some(1));
    assert!(stderr(&out).contains("E0001"), "{}", stderr(&out));
}

// ---------------------------------------------------------------- eval

#[test]
fn eval_prints_one_decision_per_record() {
    let dir = Dir::new();
    let policy = dir.write("support.policy", POLICY);
    let late = dir.write(
        "late.json",
        r#"{"priority": "high", "opened_at": "2026-03-02T08:00:00Z"}"#,
    );
    let yaml = dir.write(
        "refund.yaml",
        "priority: low\nopened_at: 2026-03-02T09:30:00Z\ncredit: 250 USD\n",
    );
    let out = bin()
        .args(["eval", "--now", NOW])
        .arg(&policy)
        .arg(&late)
        .arg(&yaml)
        .output()
        .unwrap();
    assert_eq!(out.status.code(), Some(0), "{}", stderr(&out));
    let decisions: Vec<Value> = serde_json::Deserializer::from_slice(&out.stdout)
        .into_iter::<Value>()
        .collect::<Result<_, _>>()
        .unwrap();
    assert_eq!(decisions.len(), 2);
    assert_eq!(decisions[0]["now"], NOW);
    let kinds = |d: &Value| -> Vec<String> {
        d["actions"]
            .as_array()
            .unwrap()
            .iter()
            .map(|a| a["action"].as_str().unwrap().to_owned())
            .collect()
    };
    assert_eq!(kinds(&decisions[0]), ["escalate", "tag"]);
    assert_eq!(kinds(&decisions[1]), ["require_approval"]);
    assert_eq!(decisions[1]["checks"][1]["excess"], "150 USD");
}

#[test]
fn eval_reads_standard_input_and_explains() {
    let dir = Dir::new();
    let policy = dir.write("support.policy", POLICY);
    let out = bin()
        .args(["eval", "--explain", "--now", NOW])
        .arg(&policy)
        .arg("-")
        .write_stdin(r#"{"priority": "high", "opened_at": "2026-03-02T09:30:00Z"}"#)
        .output()
        .unwrap();
    assert_eq!(out.status.code(), Some(0), "{}", stderr(&out));
    let decision: Value = serde_json::from_slice(&out.stdout).unwrap();
    assert!(decision.get("trace").is_some(), "{decision}");
    assert_eq!(decision["recheck_at"], "2026-03-02T10:30:00Z");
}

#[test]
fn eval_human_summary() {
    let dir = Dir::new();
    let policy = dir.write("support.policy", POLICY);
    let record = dir.write(
        "r.json",
        r#"{"priority": "high", "opened_at": "2026-03-02T09:30:00Z"}"#,
    );
    let out = bin()
        .args(["eval", "--format", "human", "--now", NOW])
        .arg(&policy)
        .arg(&record)
        .output()
        .unwrap();
    assert_eq!(out.status.code(), Some(0));
    let text = stdout(&out);
    assert!(text.contains("tag vip"), "{text}");
    assert!(text.contains("first_reply: pending"), "{text}");
    assert!(text.contains("30m left"), "{text}");
    // `credit` is optional: its absence is data, so the limit does not apply.
    assert!(!text.contains("undecided"), "{text}");
}

#[test]
fn eval_rejects_records_that_are_not_objects_and_bad_times() {
    let dir = Dir::new();
    let policy = dir.write("support.policy", POLICY);
    let list = dir.write("list.json", "[1, 2, 3]");
    let out = bin()
        .args(["eval", "--now", NOW])
        .arg(&policy)
        .arg(&list)
        .output()
        .unwrap();
    assert_eq!(out.status.code(), Some(1));
    assert!(
        stderr(&out).contains("must be an object"),
        "{}",
        stderr(&out)
    );

    let bad_now = bin()
        .args(["eval", "--now", "yesterday"])
        .arg(&policy)
        .arg(&list)
        .output()
        .unwrap();
    assert_eq!(bad_now.status.code(), Some(2));
    assert!(stderr(&bad_now).contains("RFC 3339"));

    let missing = bin()
        .args(["eval", "--now", NOW])
        .arg(&policy)
        .arg(dir.path().join("absent.json"))
        .output()
        .unwrap();
    assert_eq!(missing.status.code(), Some(2));
}

#[test]
fn eval_invalid_policy_exits_one() {
    let dir = Dir::new();
    let policy = dir.write("bad.policy", "policy \"x\" { rule r { when 1 } ");
    let record = dir.write("r.json", "{}");
    let out = bin()
        .args(["eval", "--now", NOW])
        .arg(&policy)
        .arg(&record)
        .output()
        .unwrap();
    assert_eq!(out.status.code(), Some(1));
    assert!(stderr(&out).contains("E0001"), "{}", stderr(&out));
}

// ---------------------------------------------------------------- test

const TESTS: &str = r#"policy: support.policy
now: 2026-03-02T10:00:00Z
cases:
  - name: late first reply escalates
    record: { priority: high, opened_at: 2026-03-02T08:00:00Z }
    expect:
      actions:
        - { action: escalate, to: supervisor }
        - { action: tag, tag: vip }
      checks:
        - { rule: first_reply, status: breached, elapsed: 120m }
      fired: [first_reply, vip]
      undecided: []
  - name: a refund over the cap needs a manager
    record_file: records/refund.json
    expect:
      actions_include: [ { action: require_approval, from: manager } ]
      actions_exclude: [ { action: escalate } ]
      checks:
        - { rule: refund_cap, status: exceeded, excess: "150.00 USD" }
"#;

fn test_suite(dir: &Dir) -> PathBuf {
    dir.write("support.policy", POLICY);
    dir.write(
        "records/refund.json",
        r#"{"priority": "low", "opened_at": "2026-03-02T09:30:00Z", "credit": "250 USD"}"#,
    );
    dir.write("support.tests.yaml", TESTS)
}

#[test]
fn test_command_passes_and_reports_coverage() {
    let dir = Dir::new();
    test_suite(&dir);
    let out = bin()
        .args(["test", "--coverage"])
        .arg(dir.path())
        .output()
        .unwrap();
    assert_eq!(out.status.code(), Some(0), "{}", stdout(&out));
    let text = stdout(&out);
    assert!(text.contains("2 passed, 0 failed"), "{text}");
    assert!(text.contains("coverage: 100"), "{text}");
}

#[test]
fn test_command_shows_failures_side_by_side() {
    let dir = Dir::new();
    let file = test_suite(&dir);
    let wrong = TESTS.replace("to: supervisor", "to: team-lead");
    std::fs::write(&file, wrong).unwrap();
    let out = bin().arg("test").arg(&file).output().unwrap();
    assert_eq!(out.status.code(), Some(1));
    let text = stdout(&out);
    assert!(text.contains("FAIL late first reply escalates"), "{text}");
    assert!(
        text.lines()
            .any(|l| l.contains("team-lead") && l.contains("│")),
        "expected and actual side by side: {text}"
    );
    assert!(text.contains("1 passed, 1 failed"), "{text}");
}

#[test]
fn test_command_junit_and_json() {
    let dir = Dir::new();
    let file = test_suite(&dir);
    let junit = bin()
        .args(["test", "--format", "junit"])
        .arg(&file)
        .output()
        .unwrap();
    assert_eq!(junit.status.code(), Some(0));
    let xml = stdout(&junit);
    assert!(
        xml.contains("<testsuites") && xml.contains("late first reply escalates"),
        "{xml}"
    );
    assert!(xml.contains("tests=\"2\""), "{xml}");

    let json = bin()
        .args(["test", "--format", "json"])
        .arg(&file)
        .output()
        .unwrap();
    let results: Value = serde_json::from_slice(&json.stdout).unwrap();
    assert_eq!(results[0]["cases"][1]["passed"], true);
}

#[test]
fn test_command_min_coverage() {
    let dir = Dir::new();
    let file = test_suite(&dir);
    let only_first: String = TESTS.split("  - name: a refund").next().unwrap().to_owned();
    std::fs::write(&file, only_first).unwrap();
    let out = bin()
        .args(["test", "--min-coverage", "90"])
        .arg(&file)
        .output()
        .unwrap();
    assert_eq!(out.status.code(), Some(1));
    assert!(
        stderr(&out).contains("below the minimum"),
        "{}",
        stderr(&out)
    );
    let ok = bin()
        .args(["test", "--min-coverage", "60"])
        .arg(&file)
        .output()
        .unwrap();
    assert_eq!(ok.status.code(), Some(0), "{}", stdout(&ok));
}

#[test]
fn test_command_without_tests_is_a_usage_error() {
    let dir = Dir::new();
    let out = bin().arg("test").arg(dir.path()).output().unwrap();
    assert_eq!(out.status.code(), Some(2));
}

// ---------------------------------------------------------------- batch

fn batch_lines(out: &std::process::Output) -> Vec<Value> {
    stdout(out)
        .lines()
        .map(|l| serde_json::from_str(l).unwrap())
        .collect()
}

#[test]
fn batch_keeps_every_line_in_order() {
    let dir = Dir::new();
    let policy = dir.write("support.policy", POLICY);
    let mut input = String::new();
    for i in 0..50 {
        if i == 17 {
            input.push_str("{\"id\": \"broken\", \n");
        } else if i == 30 {
            input.push_str("[\"not\", \"an object\"]\n");
        } else if i == 40 {
            input.push_str("   \n");
        } else {
            input.push_str(&format!(
                "{{\"id\": \"T-{i}\", \"priority\": \"high\", \"opened_at\": \"2026-03-02T09:00:00Z\"}}\n"
            ));
        }
    }
    let records = dir.write("records.jsonl", &input);
    let out = bin()
        .args(["batch", "--now", NOW, "--jobs", "2"])
        .arg(&policy)
        .arg(&records)
        .output()
        .unwrap();
    assert_eq!(
        out.status.code(),
        Some(1),
        "a failed line makes the run fail"
    );
    let lines = batch_lines(&out);
    assert_eq!(lines.len(), 49, "one line per non-blank input line");
    let numbers: Vec<u64> = lines.iter().map(|l| l["line"].as_u64().unwrap()).collect();
    let expected: Vec<u64> = (1..=50).filter(|&n| n != 41).collect();
    assert_eq!(numbers, expected);
    assert_eq!(lines[0]["id"], "T-0");
    assert!(lines[0]["decision"]["actions"].is_array());
    assert!(
        lines[17]["error"]
            .as_str()
            .unwrap()
            .contains("invalid JSON")
    );
    assert!(lines[30]["error"].as_str().unwrap().contains("an array"));
    let summary = stderr(&out);
    assert!(
        summary.contains("49 records: 47 decisions, 2 errors"),
        "{summary}"
    );
}

#[test]
fn batch_empty_input_and_stdin() {
    let dir = Dir::new();
    let policy = dir.write("support.policy", POLICY);
    let out = bin()
        .args(["batch", "--now", NOW])
        .arg(&policy)
        .write_stdin("")
        .output()
        .unwrap();
    assert_eq!(out.status.code(), Some(0));
    assert!(stdout(&out).is_empty());
    assert!(stderr(&out).contains("0 records"));

    let one = bin()
        .args(["batch", "--now", NOW])
        .arg(&policy)
        .arg("-")
        .write_stdin("{\"priority\": \"low\", \"opened_at\": \"2026-03-02T09:00:00Z\"}")
        .output()
        .unwrap();
    assert_eq!(one.status.code(), Some(0));
    let lines = batch_lines(&one);
    assert_eq!(lines.len(), 1, "a last line without a newline still counts");
    assert_eq!(lines[0]["id"], Value::Null);
}

#[test]
fn batch_invalid_utf8_and_output_file() {
    let dir = Dir::new();
    let policy = dir.write("support.policy", POLICY);
    let records = dir.path().join("bytes.jsonl");
    let mut bytes = b"{\"priority\": \"low\", \"opened_at\": \"2026-03-02T09:00:00Z\"}\n".to_vec();
    bytes.extend_from_slice(b"{\"x\": \"\xff\xfe\"}\n");
    bytes.extend_from_slice(
        b"{\"priority\": \"high\", \"opened_at\": \"2026-03-02T09:00:00Z\"}\r\n",
    );
    std::fs::write(&records, bytes).unwrap();
    let output = dir.path().join("out/decisions.jsonl");
    std::fs::create_dir_all(output.parent().unwrap()).unwrap();
    let out = bin()
        .args(["batch", "--now", NOW, "--output"])
        .arg(&output)
        .arg(&policy)
        .arg(&records)
        .output()
        .unwrap();
    assert_eq!(out.status.code(), Some(1));
    assert!(stdout(&out).is_empty(), "decisions go to the file");
    let written = std::fs::read_to_string(&output).unwrap();
    let lines: Vec<Value> = written
        .lines()
        .map(|l| serde_json::from_str(l).unwrap())
        .collect();
    assert_eq!(lines.len(), 3);
    assert!(lines[1]["error"].as_str().unwrap().contains("UTF-8"));
    assert_eq!(lines[2]["line"], 3);
    let leftovers: Vec<_> = std::fs::read_dir(output.parent().unwrap())
        .unwrap()
        .map(|e| e.unwrap().file_name())
        .collect();
    assert_eq!(
        leftovers.len(),
        1,
        "no temporary file is left: {leftovers:?}"
    );
}

#[test]
fn batch_usage_errors() {
    let dir = Dir::new();
    let policy = dir.write("support.policy", POLICY);
    let missing = bin()
        .args(["batch", "--now", NOW])
        .arg(&policy)
        .arg(dir.path().join("absent.jsonl"))
        .output()
        .unwrap();
    assert_eq!(missing.status.code(), Some(2));
    assert!(stderr(&missing).contains("cannot read"));
    let zero = bin()
        .args(["batch", "--jobs", "0", "--now", NOW])
        .arg(&policy)
        .write_stdin("")
        .output()
        .unwrap();
    assert_eq!(zero.status.code(), Some(2));
}
