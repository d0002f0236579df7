//! Policy families through the binary (SPEC §16): every family diagnostic, version choice at
//! the `effective` boundary (also across a daylight-saving change), and routing by `when`.
#![allow(
    clippy::unwrap_used,
    clippy::expect_used,
    clippy::panic,
    clippy::indexing_slicing,
    reason = "tests and benches stop loudly on the unexpected"
)]

use std::path::Path;

use assert_cmd::Command;
use serde_json::Value;

const BASE: &str = r#"policy "Shop" {
  version "base"
  record {
    credit: money?
  }
  const cap = 100 USD
  rule opening { then tag "opening" }
  first of {
    rule big {
      when credit is present
      limit credit <= cap
      on exceed: require approval from "manager"
    }
    rule small { then tag "small" }
  }
  rule last { then tag "last" }
}
"#;

fn write(dir: &Path, name: &str, text: &str) {
    std::fs::write(dir.join(name), text).unwrap();
}

fn bin() -> Command {
    Command::cargo_bin("service-policy").unwrap()
}

/// `check --format json` of the given paths inside `dir`: (exit code, diagnostics).
fn check(dir: &Path, paths: &[&str]) -> (i32, Vec<Value>) {
    let output = bin()
        .current_dir(dir)
        .arg("check")
        .args(paths)
        .args(["--format", "json"])
        .output()
        .unwrap();
    let json: Value = serde_json::from_slice(&output.stdout).unwrap();
    (
        output.status.code().unwrap(),
        json.as_array().unwrap().clone(),
    )
}

fn codes(found: &[Value]) -> Vec<(String, String)> {
    found
        .iter()
        .map(|d| {
            (
                d["code"].as_str().unwrap().to_owned(),
                d["file"].as_str().unwrap().to_owned(),
            )
        })
        .collect()
}

/// `eval` of one record against the given policy paths: (exit code, stdout JSON or null,
/// stderr).
fn eval(dir: &Path, policies: &[&str], record: &str, extra: &[&str]) -> (i32, Value, String) {
    write(dir, "record.json", record);
    let output = bin()
        .current_dir(dir)
        .arg("eval")
        .args(policies)
        .arg("record.json")
        .args(extra)
        .output()
        .unwrap();
    let json = serde_json::from_slice(&output.stdout).unwrap_or(Value::Null);
    (
        output.status.code().unwrap(),
        json,
        String::from_utf8_lossy(&output.stderr).into_owned(),
    )
}

#[test]
fn a_child_merges_onto_its_base_in_the_base_positions() {
    let dir = tempfile::tempdir().unwrap();
    write(dir.path(), "base.policy", BASE);
    write(
        dir.path(),
        "child.policy",
        r#"policy "Shop child" extends "base.policy" {
  version "child"
  override rule small { then tag "small-child" }
  override const cap = 50 USD
  remove rule opening
  rule added { then tag "added" }
}
"#,
    );
    let (code, found) = check(dir.path(), &["child.policy"]);
    assert_eq!((code, found.len()), (0, 0), "{found:?}");
    let (code, decision, stderr) = eval(
        dir.path(),
        &["child.policy"],
        r#"{"credit": "70 USD"}"#,
        &["--now", "2026-03-02T10:00:00Z"],
    );
    assert_eq!(code, 0, "{stderr}");
    assert_eq!(decision["policy"], "Shop child");
    assert_eq!(decision["version"], "child");
    // `big` keeps its place in `first of`, judged against the child's cap.
    assert_eq!(
        decision["fired"],
        serde_json::json!(["big", "last", "added"])
    );
    assert_eq!(decision["checks"][0]["limit"], "50 USD");
}

#[test]
fn every_family_diagnostic_points_into_the_file_that_holds_it() {
    let dir = tempfile::tempdir().unwrap();
    write(dir.path(), "base.policy", BASE);
    // E0308: override and remove of names the base lacks.
    write(
        dir.path(),
        "e0308.policy",
        r#"policy "A" extends "base.policy" {
  override rule nope { then tag "x" }
  remove rule gone
}
"#,
    );
    let (code, found) = check(dir.path(), &["e0308.policy"]);
    assert_eq!(code, 1);
    assert_eq!(
        codes(&found),
        [
            ("E0308".to_owned(), "e0308.policy".to_owned()),
            ("E0308".to_owned(), "e0308.policy".to_owned())
        ]
    );
    assert!(
        found[0]["message"]
            .as_str()
            .unwrap()
            .contains("base.policy")
    );

    // E0101: a base name defined again without `override`, with help naming it.
    write(
        dir.path(),
        "e0101.policy",
        r#"policy "B" extends "base.policy" {
  rule last { then tag "again" }
}
"#,
    );
    let (code, found) = check(dir.path(), &["e0101.policy"]);
    assert_eq!(code, 1);
    assert_eq!(
        codes(&found),
        [("E0101".to_owned(), "e0101.policy".to_owned())]
    );
    let help = found[0]["help"].as_str().unwrap();
    assert!(help.contains("override rule last"), "{help}");
    assert!(
        help.contains("base.policy"),
        "the help names the base: {help}"
    );

    // E0201: a child's record field with another type than the base's.
    write(
        dir.path(),
        "e0201.policy",
        r#"policy "C" extends "base.policy" {
  record { credit: number? }
}
"#,
    );
    let (_, found) = check(dir.path(), &["e0201.policy"]);
    assert_eq!(
        codes(&found),
        [("E0201".to_owned(), "e0201.policy".to_owned())]
    );

    // E0309: a cycle of `extends`.
    write(
        dir.path(),
        "x.policy",
        r#"policy "X" extends "y.policy" {}"#,
    );
    write(
        dir.path(),
        "y.policy",
        r#"policy "Y" extends "x.policy" {}"#,
    );
    let (code, found) = check(dir.path(), &["x.policy"]);
    assert_eq!(code, 1);
    assert_eq!(found[0]["code"], "E0309");
    assert!(found[0]["message"].as_str().unwrap().contains("cycle"));

    // E0002: a chain longer than eight files.
    for i in 0..9 {
        let text = if i == 8 {
            format!("policy \"P{i}\" {{}}")
        } else {
            format!("policy \"P{i}\" extends \"c{}.policy\" {{}}", i + 1)
        };
        write(dir.path(), &format!("c{i}.policy"), &text);
    }
    let (_, found) = check(dir.path(), &["c1.policy"]);
    assert!(found.is_empty(), "eight files are allowed: {found:?}");
    let (code, found) = check(dir.path(), &["c0.policy"]);
    assert_eq!(code, 1);
    assert_eq!(found[0]["code"], "E0002");

    // E0102: a base that cannot be read.
    write(
        dir.path(),
        "lost.policy",
        r#"policy "L" extends "missing.policy" {}"#,
    );
    let (_, found) = check(dir.path(), &["lost.policy"]);
    assert_eq!(found[0]["code"], "E0102");
}

#[test]
fn a_problem_in_the_base_is_reported_in_the_base_once() {
    let dir = tempfile::tempdir().unwrap();
    write(
        dir.path(),
        "base.policy",
        r#"policy "Base" {
  const unused = 1
  rule r { then tag "x" }
}
"#,
    );
    for name in ["a", "b"] {
        write(
            dir.path(),
            &format!("{name}.policy"),
            &format!(
                "policy \"{name}\" extends \"base.policy\" {{\n  when branch == \"{name}\"\n}}\n"
            ),
        );
    }
    let (code, found) = check(dir.path(), &["."]);
    assert_eq!(code, 0);
    assert_eq!(
        codes(&found),
        [("W0001".to_owned(), "base.policy".to_owned())]
    );
}

#[test]
fn two_versions_of_one_date_are_e0309_and_overlapping_branches_w0008() {
    let dir = tempfile::tempdir().unwrap();
    write(
        dir.path(),
        "v1.policy",
        r#"policy "P" { effective 2026-01-01 rule r { then tag "1" } }"#,
    );
    write(
        dir.path(),
        "v2.policy",
        r#"policy "P" { effective 2026-01-01 rule r { then tag "2" } }"#,
    );
    let (code, found) = check(dir.path(), &["v1.policy", "v2.policy"]);
    assert_eq!(code, 1);
    assert_eq!(
        codes(&found),
        [("E0309".to_owned(), "v2.policy".to_owned())]
    );
    assert!(found[0]["help"].as_str().unwrap().contains("v1.policy"));

    let other = tempfile::tempdir().unwrap();
    write(
        other.path(),
        "a.policy",
        r#"policy "A" { when branch == "pune" rule r { then tag "a" } }"#,
    );
    write(
        other.path(),
        "b.policy",
        r#"policy "B" { when branch in ["mumbai", "pune"] rule r { then tag "b" } }"#,
    );
    let (code, found) = check(other.path(), &["a.policy", "b.policy"]);
    assert_eq!(code, 0);
    assert_eq!(codes(&found), [("W0008".to_owned(), "b.policy".to_owned())]);
    let output = bin()
        .current_dir(other.path())
        .args(["check", "a.policy", "b.policy", "--deny-warnings"])
        .output()
        .unwrap();
    assert_eq!(output.status.code(), Some(1));
}

#[test]
fn parse_of_text_with_extends_and_no_resolver_is_a_clear_error() {
    let error =
        service_policy::Policy::parse(r#"policy "C" extends "base.policy" {}"#).unwrap_err();
    let text = error.to_string();
    assert!(text.contains("without a resolver"), "{text}");
    assert!(text.contains("Policy::from_file"), "{text}");
}

#[test]
fn routing_by_when_with_none_one_and_two_holding() {
    let dir = tempfile::tempdir().unwrap();
    write(
        dir.path(),
        "pune.policy",
        r#"policy "Pune" { when branch == "pune" or vip == true rule r { then tag "pune" } }"#,
    );
    write(
        dir.path(),
        "vip.policy",
        r#"policy "VIP" { when vip == true rule r { then tag "vip" } }"#,
    );
    let now = ["--now", "2026-03-02T10:00:00Z"];
    let both = ["pune.policy", "vip.policy"];
    // One holds.
    let (code, decision, _) = eval(dir.path(), &both, r#"{"branch": "pune"}"#, &now);
    assert_eq!((code, decision["policy"].as_str()), (0, Some("Pune")));
    // None holds, no default family.
    let (code, _, stderr) = eval(dir.path(), &both, r#"{"branch": "delhi"}"#, &now);
    assert_eq!(code, 1);
    assert!(stderr.contains("no policy applies"), "{stderr}");
    // Two hold: an error naming both.
    let (code, _, stderr) = eval(dir.path(), &both, r#"{"vip": true}"#, &now);
    assert_eq!(code, 1);
    assert!(
        stderr.contains("`Pune`") && stderr.contains("`VIP`"),
        "{stderr}"
    );
    // With a default family (no `when`), none holding goes there.
    write(
        dir.path(),
        "main.policy",
        r#"policy "Main" { rule r { then tag "main" } }"#,
    );
    let (code, decision, _) = eval(
        dir.path(),
        &["pune.policy", "vip.policy", "main.policy"],
        r#"{"branch": "delhi"}"#,
        &now,
    );
    assert_eq!((code, decision["policy"].as_str()), (0, Some("Main")));
}

#[test]
fn the_version_changes_at_the_start_of_the_effective_day_in_the_policy_zone() {
    let dir = tempfile::tempdir().unwrap();
    // New York moves to summer time on 2026-03-08 at 02:00; a day starting there is
    // 05:00 UTC before the change and 04:00 UTC after it.
    for (file, version, date) in [
        ("a.policy", "winter", "2026-03-01"),
        ("b.policy", "spring", "2026-03-09"),
    ] {
        write(
            dir.path(),
            file,
            &format!(
                "policy \"P\" {{\n  version \"{version}\"\n  timezone \"America/New_York\"\n  effective {date}\n  rule r {{ then tag \"x\" }}\n}}\n"
            ),
        );
    }
    let cases = [
        ("2026-03-01T04:59:59Z", None),
        ("2026-03-01T05:00:00Z", Some("winter")),
        ("2026-03-09T03:59:59Z", Some("winter")),
        ("2026-03-09T04:00:00Z", Some("spring")),
    ];
    for (opened, expected) in cases {
        let record = format!(r#"{{"opened_at": "{opened}"}}"#);
        let (code, decision, stderr) = eval(
            dir.path(),
            &["."],
            &record,
            &["--now", "2026-06-01T00:00:00Z", "--as-of", "opened_at"],
        );
        match expected {
            Some(version) => {
                assert_eq!(code, 0, "{opened}: {stderr}");
                assert_eq!(decision["version"], version, "{opened}");
                // Deadlines still run to `--now`.
                assert_eq!(decision["now"], "2026-06-01T00:00:00Z");
            }
            None => {
                assert_eq!(code, 1, "{opened}");
                assert!(stderr.contains("2026-03-01"), "{stderr}");
            }
        }
    }
    // Without `--as-of`, `--now` picks the version.
    let (_, decision, _) = eval(
        dir.path(),
        &["."],
        r#"{"opened_at": "2026-03-01T05:00:00Z"}"#,
        &["--now", "2026-03-09T04:00:00Z"],
    );
    assert_eq!(decision["version"], "spring");
}

#[test]
fn batch_routes_each_line_and_reports_records_no_policy_takes() {
    let dir = tempfile::tempdir().unwrap();
    write(
        dir.path(),
        "pune.policy",
        r#"policy "Pune" { when branch == "pune" rule r { then tag "pune" } }"#,
    );
    write(
        dir.path(),
        "records.jsonl",
        "{\"branch\": \"pune\", \"opened_at\": \"2026-01-01T00:00:00Z\"}\n{\"branch\": \"delhi\"}\n",
    );
    let output = bin()
        .current_dir(dir.path())
        .args([
            "batch",
            ".",
            "records.jsonl",
            "--now",
            "2026-03-02T10:00:00Z",
        ])
        .args(["--as-of", "opened_at"])
        .output()
        .unwrap();
    assert_eq!(output.status.code(), Some(1));
    let lines: Vec<Value> = String::from_utf8(output.stdout)
        .unwrap()
        .lines()
        .map(|l| serde_json::from_str(l).unwrap())
        .collect();
    assert_eq!(lines.len(), 2);
    assert_eq!(lines[0]["decision"]["policy"], "Pune");
    assert!(
        lines[1]["error"]
            .as_str()
            .unwrap()
            .contains("as-of field `opened_at`"),
        "{}",
        lines[1]
    );
}

#[test]
fn the_branches_example_checks_clean_and_its_tests_pass() {
    let root = Path::new(env!("CARGO_MANIFEST_DIR")).join("examples/policies/branches");
    bin()
        .args(["check", "--deny-warnings"])
        .arg(&root)
        .assert()
        .success();
    bin().arg("test").arg(&root).assert().success();
    bin().args(["fmt", "--check"]).arg(&root).assert().success();
}
