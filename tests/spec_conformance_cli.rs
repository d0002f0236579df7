//! The command line against SPEC §13 and §14, one test per point of the text, as a CI
//! engineer would drive it.

use std::path::Path;
use std::process::Stdio;

use assert_cmd::Command;
use serde_json::Value;

const NOW: &str = "2026-03-02T10:00:00Z";

const POLICY: &str = r#"policy "Conformance" {
  record {
    priority: "low" | "urgent"
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

  rule urgent {
    when priority == "urgent"
    then tag "urgent"
  }
}
"#;

fn bin() -> Command {
    let mut cmd = Command::cargo_bin("service-policy").unwrap();
    cmd.env("NO_COLOR", "1");
    cmd
}

fn write(dir: &Path, name: &str, text: &str) -> std::path::PathBuf {
    let path = dir.join(name);
    if let Some(parent) = path.parent() {
        std::fs::create_dir_all(parent).unwrap();
    }
    std::fs::write(&path, text).unwrap();
    path
}

/// A policy with one error per rule, so that `check` has a long report to print.
fn noisy_policy(rules: usize) -> String {
    let mut text =
        String::from("policy \"Noisy\" {\n  record { priority: \"low\" | \"urgent\" }\n");
    for i in 0..rules {
        text.push_str(&format!(
            "  rule r{i} {{ when priority == \"urgnt\" then tag \"t\" }}\n"
        ));
    }
    text.push_str("}\n");
    text
}

/// §13 "Usage and I/O errors exit 2": a reader that stops early (`check … | head`) is an
/// I/O error, reported on stderr, never a panic.
#[test]
fn spec_13_output_to_a_closed_pipe_is_an_io_error_not_a_panic() {
    let dir = tempfile::tempdir().unwrap();
    write(dir.path(), "noisy.policy", &noisy_policy(400));
    for format in ["human", "json", "github", "sarif"] {
        let mut child = std::process::Command::new(assert_cmd::cargo::cargo_bin("service-policy"))
            .args(["check", "--format", format])
            .arg(dir.path())
            .env("NO_COLOR", "1")
            .stdout(Stdio::piped())
            .stderr(Stdio::piped())
            .spawn()
            .unwrap();
        // Close the reading end before the command writes anything.
        drop(child.stdout.take());
        let output = child.wait_with_output().unwrap();
        let stderr = String::from_utf8_lossy(&output.stderr);
        assert!(!stderr.contains("panicked"), "{format}: {stderr}");
        assert_eq!(output.status.code(), Some(2), "{format}: {stderr}");
        assert!(
            stderr.contains("cannot write to standard output"),
            "{format}: {stderr}"
        );
    }
}

/// §13 `batch`: one output line per non-blank input line, in input order, `line` counting
/// input lines (blank ones included), `id` copied, malformed lines as `error`, exit 1.
#[test]
fn spec_13_batch_keeps_order_skips_blank_lines_and_reports_malformed_ones() {
    let dir = tempfile::tempdir().unwrap();
    let policy = write(dir.path(), "p.policy", POLICY);
    let input = concat!(
        "{\"id\":\"a\",\"priority\":\"urgent\",\"opened_at\":\"2026-03-02T08:00:00Z\"}\n",
        "\n",
        "   \n",
        "{bad json\n",
        "{\"id\":7,\"priority\":\"low\",\"opened_at\":\"2026-03-02T09:30:00Z\",\"credit\":\"150 USD\"}\n",
        "[1,2]\n",
    );
    for jobs in ["1", "3"] {
        let output = bin()
            .args(["batch"])
            .arg(&policy)
            .args(["-", "--now", NOW, "--jobs", jobs])
            .write_stdin(input)
            .output()
            .unwrap();
        assert_eq!(output.status.code(), Some(1), "jobs {jobs}");
        let lines: Vec<Value> = String::from_utf8(output.stdout)
            .unwrap()
            .lines()
            .map(|l| serde_json::from_str(l).unwrap())
            .collect();
        let numbers: Vec<u64> = lines.iter().map(|l| l["line"].as_u64().unwrap()).collect();
        assert_eq!(numbers, [1, 4, 5, 6], "jobs {jobs}");
        assert_eq!(lines[0]["id"], "a");
        assert_eq!(lines[2]["id"], 7);
        assert!(lines[1]["error"].as_str().unwrap().contains("JSON"));
        assert!(lines[3]["error"].as_str().unwrap().contains("object"));
        assert_eq!(
            lines[2]["decision"]["actions"][0]["action"],
            "require_approval"
        );
        let stderr = String::from_utf8(output.stderr).unwrap();
        assert!(
            stderr.contains("4 records: 2 decisions, 2 errors"),
            "{stderr}"
        );
    }
}

/// §13 `batch` exit codes: 0 when every record gave a decision, 2 for a missing input or a
/// bad `--jobs`.
#[test]
fn spec_13_batch_exit_codes_zero_and_two() {
    let dir = tempfile::tempdir().unwrap();
    let policy = write(dir.path(), "p.policy", POLICY);
    let ok = bin()
        .arg("batch")
        .arg(&policy)
        .args(["--now", NOW])
        .write_stdin("{\"priority\":\"low\",\"opened_at\":\"2026-03-02T09:30:00Z\"}")
        .output()
        .unwrap();
    assert_eq!(ok.status.code(), Some(0));
    let stderr = String::from_utf8(ok.stderr).unwrap();
    assert!(
        stderr.contains("1 record: 1 decision, 0 errors"),
        "{stderr}"
    );
    bin()
        .arg("batch")
        .arg(&policy)
        .arg(dir.path().join("absent.jsonl"))
        .args(["--now", NOW])
        .assert()
        .code(2);
    bin()
        .arg("batch")
        .arg(&policy)
        .args(["-", "--jobs", "0", "--now", NOW])
        .write_stdin("")
        .assert()
        .code(2);
}
