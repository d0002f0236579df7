//! The command line against SPEC §13 and §14, one test per point of the text, as a CI
//! engineer would drive it.
#![allow(
    clippy::unwrap_used,
    clippy::expect_used,
    clippy::panic,
    clippy::indexing_slicing,
    reason = "tests and benches stop loudly on the unexpected"
)]

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

const WARNS: &str = r#"policy "Warns" {
  record { n: number }
  const unused = 5
  rule r { when n > 1 then tag "t" }
}
"#;

const BROKEN: &str = r#"policy "Broken" {
  record { priority: "low" | "urgent" }
  rule a { when priority = "low" then tag "a" }
  rule b { when priority == "urgnt" then tag "b" }
}
"#;

/// §13 `check PATH…` walks folders for `*.policy` only, and every format names the file,
/// line and column of each problem; exit 1 on errors.
#[test]
fn spec_13_check_folders_in_every_format() {
    let dir = tempfile::tempdir().unwrap();
    write(dir.path(), "sub/broken.policy", BROKEN);
    write(dir.path(), "notes.txt", "policy is not here");
    let human = bin().arg("check").arg(dir.path()).output().unwrap();
    assert_eq!(human.status.code(), Some(1));
    let text = String::from_utf8(human.stdout).unwrap();
    assert!(text.contains("broken.policy:3:26]"), "{text}");
    assert!(text.contains("broken.policy:4:29]"), "{text}");
    assert!(
        text.contains("checked 1 file: 2 errors, 0 warnings"),
        "{text}"
    );

    let json = bin()
        .args(["check", "--format", "json"])
        .arg(dir.path())
        .output()
        .unwrap();
    assert_eq!(json.status.code(), Some(1));
    let all: Value = serde_json::from_slice(&json.stdout).unwrap();
    let got: Vec<(String, u64, u64)> = all
        .as_array()
        .unwrap()
        .iter()
        .map(|d| {
            (
                d["code"].as_str().unwrap().to_owned(),
                d["start"]["line"].as_u64().unwrap(),
                d["start"]["column"].as_u64().unwrap(),
            )
        })
        .collect();
    assert_eq!(
        got,
        [("E0001".to_owned(), 3, 26), ("E0203".to_owned(), 4, 29)]
    );

    let github = bin()
        .args(["check", "--format", "github"])
        .arg(dir.path())
        .output()
        .unwrap();
    let text = String::from_utf8(github.stdout).unwrap();
    assert!(text.contains(",line=4,col=29,"), "{text}");
    assert!(text.contains("title=E0203::"), "{text}");
    assert!(text.contains("%0Ahelp: did you mean \"urgent\"?"), "{text}");

    let sarif = bin()
        .args(["check", "--format", "sarif"])
        .arg(dir.path())
        .output()
        .unwrap();
    let log: Value = serde_json::from_slice(&sarif.stdout).unwrap();
    assert_eq!(log["version"], "2.1.0");
    // Columns count characters, which SARIF must be told (its default is UTF-16 units).
    assert_eq!(log["runs"][0]["columnKind"], "unicodeCodePoints");
    let results = log["runs"][0]["results"].as_array().unwrap();
    assert_eq!(results.len(), 2);
    assert_eq!(results[1]["ruleId"], "E0203");
    assert_eq!(
        results[1]["locations"][0]["physicalLocation"]["region"]["startColumn"],
        29
    );
}

/// §13 `--deny-warnings`: warnings alone exit 0, or 1 with the flag.
#[test]
fn spec_13_check_deny_warnings() {
    let dir = tempfile::tempdir().unwrap();
    let file = write(dir.path(), "w.policy", WARNS);
    bin().arg("check").arg(&file).assert().code(0);
    bin()
        .args(["check", "--deny-warnings"])
        .arg(&file)
        .assert()
        .code(1);
    bin()
        .arg("check")
        .arg(dir.path().join("nope"))
        .assert()
        .code(2);
}

/// §13 `fmt`: canonical form keeping every comment, idempotent; `--check` exits 1 when a
/// file would change and leaves it alone.
#[test]
fn spec_13_fmt_keeps_comments_and_is_idempotent() {
    let source = r#"// head
policy "F" // after the name
{
  record {
    items: list<{
      from: time, // start
      to: time?   // end
    }>?
  }
  rule x "d" { // rule
    when items is present and 1_000 > 2 // guard
    then tag "\u{1F600}" with { // args
      k: 1 // k
    }
  }
  // tail
}
// after
"#;
    let dir = tempfile::tempdir().unwrap();
    let file = write(dir.path(), "f.policy", source);
    bin().args(["fmt", "--check"]).arg(&file).assert().code(1);
    assert_eq!(std::fs::read_to_string(&file).unwrap(), source);
    bin().arg("fmt").arg(&file).assert().code(0);
    let once = std::fs::read_to_string(&file).unwrap();
    let comments = |t: &str| -> Vec<String> {
        t.lines()
            .filter_map(|l| l.find("//").map(|i| l[i..].trim_end().to_owned()))
            .collect::<std::collections::BTreeSet<_>>()
            .into_iter()
            .collect()
    };
    assert_eq!(comments(&once), comments(source));
    bin().args(["fmt", "--check"]).arg(&file).assert().code(0);
    bin().arg("fmt").arg(&file).assert().code(0);
    assert_eq!(std::fs::read_to_string(&file).unwrap(), once);
}

/// §13 `eval`: `.json`, `.yaml` and `-` records, one decision each; 1 for an invalid
/// policy or record; 2 for a bad `--now`.
#[test]
fn spec_13_eval_json_yaml_and_stdin() {
    let dir = tempfile::tempdir().unwrap();
    let policy = write(dir.path(), "p.policy", POLICY);
    let json = write(
        dir.path(),
        "r.json",
        r#"{"priority":"urgent","opened_at":"2026-03-02T08:00:00Z"}"#,
    );
    let yaml = write(
        dir.path(),
        "r.yaml",
        "priority: low\nopened_at: 2026-03-02T09:30:00Z\n",
    );
    let out = bin()
        .arg("eval")
        .arg(&policy)
        .arg(&json)
        .arg(&yaml)
        .arg("-")
        .args(["--now", NOW])
        .write_stdin(r#"{"priority":"low","opened_at":"2026-03-02T09:30:00Z","credit":"150 USD"}"#)
        .output()
        .unwrap();
    assert_eq!(out.status.code(), Some(0));
    let text = String::from_utf8(out.stdout).unwrap();
    let decisions: Vec<Value> = serde_json::Deserializer::from_str(&text)
        .into_iter()
        .map(Result::unwrap)
        .collect();
    assert_eq!(decisions.len(), 3);
    assert_eq!(
        decisions[0]["fired"],
        serde_json::json!(["first_reply", "urgent"])
    );
    assert_eq!(decisions[1]["checks"][0]["status"], "pending");
    assert_eq!(decisions[2]["actions"][0]["action"], "require_approval");

    bin()
        .arg("eval")
        .arg(&policy)
        .arg("-")
        .args(["--now", NOW])
        .write_stdin("[1]")
        .assert()
        .code(1);
    let broken = write(dir.path(), "b.policy", BROKEN);
    bin()
        .arg("eval")
        .arg(&broken)
        .arg(&json)
        .args(["--now", NOW])
        .assert()
        .code(1);
    bin()
        .arg("eval")
        .arg(&policy)
        .arg(&json)
        .args(["--now", "yesterday"])
        .assert()
        .code(2);
}

/// §14: `actions` is an exact set matched on the keys given, `actions_include` and
/// `actions_exclude` are partial, `fired`/`undecided` exact sets, and money, durations and
/// times compare by value.
#[test]
fn spec_14_test_file_semantics() {
    let dir = tempfile::tempdir().unwrap();
    write(dir.path(), "p.policy", POLICY);
    let tests = r#"policy: p.policy
now: 2026-03-02T10:00:00Z
cases:
  - name: exact set with partial entries, values by value
    record: { priority: urgent, opened_at: 2026-03-02T08:00:00Z, credit: "150.00 USD" }
    expect:
      actions:
        - { action: tag }
        - { action: require_approval, from: manager }
        - { action: escalate, to: supervisor }
      checks:
        - { rule: first_reply, status: breached, elapsed: 120m, deadline: "2026-03-02T10:00:00+01:00" }
        - { rule: refund_cap, value: 150 USD, excess: "50.0 USD" }
      fired: [urgent, refund_cap, first_reply]
      undecided: []
  - name: include and exclude
    record: { priority: low, opened_at: 2026-03-02T09:30:00Z }
    expect:
      actions_include: []
      actions_exclude: [ { action: tag } ]
      undecided: []
  - name: a missing action fails the exact set
    record: { priority: low, opened_at: 2026-03-02T09:30:00Z }
    expect:
      actions: [ { action: tag, tag: urgent } ]
  - name: an extra action fails the exact set
    record: { priority: urgent, opened_at: 2026-03-02T09:30:00Z }
    expect:
      actions: []
  - name: an excluded action fails
    record: { priority: urgent, opened_at: 2026-03-02T09:30:00Z }
    expect:
      actions_exclude: [ { action: tag } ]
"#;
    let file = write(dir.path(), "p.tests.yaml", tests);
    let out = bin()
        .args(["test", "--format", "json"])
        .arg(&file)
        .output()
        .unwrap();
    assert_eq!(out.status.code(), Some(1));
    let results: Value = serde_json::from_slice(&out.stdout).unwrap();
    let passed: Vec<bool> = results[0]["cases"]
        .as_array()
        .unwrap()
        .iter()
        .map(|c| c["passed"].as_bool().unwrap())
        .collect();
    assert_eq!(passed, [true, true, false, false, false], "{results:#}");

    let junit = bin()
        .args(["test", "--format", "junit"])
        .arg(&file)
        .output()
        .unwrap();
    let xml = String::from_utf8(junit.stdout).unwrap();
    assert!(xml.contains("tests=\"5\""), "{xml}");
    assert!(xml.contains("failures=\"3\""), "{xml}");
}

/// §14 `--coverage` lists rules no case exercised; `--min-coverage` fails below it.
#[test]
fn spec_14_coverage_and_min_coverage() {
    let dir = tempfile::tempdir().unwrap();
    write(dir.path(), "p.policy", POLICY);
    write(
        dir.path(),
        "p.tests.yaml",
        r#"policy: p.policy
now: 2026-03-02T10:00:00Z
cases:
  - name: only the urgent rule
    record: { priority: urgent, opened_at: 2026-03-02T09:30:00Z, first_reply_at: 2026-03-02T09:40:00Z }
    expect:
      fired: [urgent, first_reply]
"#,
    );
    let out = bin()
        .args(["test", "--coverage"])
        .arg(dir.path())
        .output()
        .unwrap();
    assert_eq!(out.status.code(), Some(0));
    let text = String::from_utf8(out.stdout).unwrap();
    assert!(text.contains("refund_cap"), "{text}");
    bin()
        .args(["test", "--min-coverage", "50"])
        .arg(dir.path())
        .assert()
        .code(0);
    let below = bin()
        .args(["test", "--min-coverage", "90"])
        .arg(dir.path())
        .output()
        .unwrap();
    assert_eq!(below.status.code(), Some(1));
    assert!(
        String::from_utf8(below.stderr)
            .unwrap()
            .contains("below the minimum of 90%")
    );
}

/// §14: a malformed or misspelt test file is a failure with a clear reason (a typo must
/// never pass silently).
#[test]
fn spec_14_a_misspelt_expectation_is_an_error_not_a_pass() {
    let dir = tempfile::tempdir().unwrap();
    write(dir.path(), "p.policy", POLICY);
    let file = write(
        dir.path(),
        "p.tests.yaml",
        "policy: p.policy\nnow: 2026-03-02T10:00:00Z\ncases:\n  - name: typo\n    record: { priority: low, opened_at: 2026-03-02T09:30:00Z }\n    expect:\n      action: []\n",
    );
    let out = bin().arg("test").arg(&file).output().unwrap();
    assert_eq!(out.status.code(), Some(1));
    let text = String::from_utf8(out.stdout).unwrap();
    assert!(
        text.contains("is not a valid test file: line 7 column 7: unknown field `action`"),
        "{text}"
    );
}

/// §3 "UTF-8" and §12 "all problems are reported": a policy that is not UTF-8 is an
/// `E0001` at its first bad byte, and the other files of the folder are still checked.
#[test]
fn spec_3_a_file_that_is_not_utf8_is_a_diagnostic_not_an_abort() {
    let dir = tempfile::tempdir().unwrap();
    std::fs::write(dir.path().join("a.policy"), b"policy \"x\" {\xff }").unwrap();
    write(dir.path(), "b.policy", BROKEN);
    let out = bin()
        .args(["check", "--format", "json"])
        .arg(dir.path())
        .output()
        .unwrap();
    assert_eq!(out.status.code(), Some(1));
    let all: Value = serde_json::from_slice(&out.stdout).unwrap();
    let got: Vec<(String, String, u64)> = all
        .as_array()
        .unwrap()
        .iter()
        .map(|d| {
            (
                Path::new(d["file"].as_str().unwrap())
                    .file_name()
                    .unwrap()
                    .to_string_lossy()
                    .into_owned(),
                d["code"].as_str().unwrap().to_owned(),
                d["start"]["column"].as_u64().unwrap(),
            )
        })
        .collect();
    assert_eq!(
        got,
        [
            ("a.policy".to_owned(), "E0001".to_owned(), 13),
            ("b.policy".to_owned(), "E0001".to_owned(), 26),
            ("b.policy".to_owned(), "E0203".to_owned(), 29),
        ]
    );
    assert_eq!(all[0]["message"], "the file is not valid UTF-8");
}

/// §14 with an invalid policy: every diagnostic is listed under the test file, indented,
/// and the run fails.
#[test]
fn spec_14_an_invalid_policy_lists_every_problem_under_its_test_file() {
    let dir = tempfile::tempdir().unwrap();
    write(dir.path(), "p.policy", BROKEN);
    let file = write(
        dir.path(),
        "p.tests.yaml",
        "policy: p.policy\nnow: 2026-03-02T10:00:00Z\ncases:\n  - name: x\n    record: {}\n    expect: { fired: [] }\n",
    );
    let out = bin().arg("test").arg(&file).output().unwrap();
    assert_eq!(out.status.code(), Some(1));
    let text = String::from_utf8(out.stdout).unwrap();
    let lines: Vec<&str> = text.lines().collect();
    assert!(
        lines[1].starts_with("  FAIL ") && lines[1].contains("error[E0001]"),
        "{text}"
    );
    assert!(
        lines[2].starts_with("       ") && lines[2].contains("error[E0203]"),
        "{text}"
    );
}
