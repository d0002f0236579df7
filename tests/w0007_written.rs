//! `W0007` judges what the author wrote (SPEC §7, §12): a duration literal written with a
//! `d` or `w` unit measured on a calendar; `24h` and `1440m` say what they mean.
#![allow(
    clippy::unwrap_used,
    clippy::expect_used,
    clippy::panic,
    clippy::indexing_slicing,
    reason = "tests and benches stop loudly on the unexpected"
)]

use assert_cmd::Command;
use service_policy::{Code, check_source};

/// A help desk's target matrix: priority × channel, open-hour targets, one calendar.
const MATRIX: &str = r#"policy "Help desk targets" {
  record {
    priority: "low" | "normal" | "high" | "urgent"
    channel: "email" | "chat" | "phone"
    created_at: time
    solved_at: time?
  }
  calendar business_hours {
    mon-fri 08:00-18:00
  }
  table resolution_target(priority, channel) {
    "urgent", _       => 4h
    "high",   "phone" => 8h
    "high",   _       => 24h
    "normal", _       => 48h
    _,        _       => 1440m
  }
  rule resolution {
    expect solved_at within resolution_target(priority, channel) of created_at using business_hours
    on breach: notify "team-lead"
  }
}
"#;

fn w0007(source: &str) -> Vec<service_policy::Diagnostic> {
    check_source("t.policy", source)
        .items()
        .iter()
        .filter(|d| d.code == Code::W0007)
        .cloned()
        .collect()
}

#[test]
fn hours_on_a_calendar_are_not_warned() {
    assert!(w0007(MATRIX).is_empty(), "{:?}", w0007(MATRIX));
}

#[test]
fn days_written_as_days_are_warned_naming_what_was_written() {
    let source = MATRIX.replace("=> 48h", "=> 2d");
    let found = w0007(&source);
    assert_eq!(found.len(), 1, "{found:?}");
    let d = &found[0];
    assert!(d.message.contains("`2d`"), "{}", d.message);
    assert_eq!(
        d.primary_label,
        "`2d` is 48 open hours here, not 2 working days"
    );
    assert!(d.help.as_deref().unwrap().contains("`48h`"), "{:?}", d.help);
    assert_eq!(&source[d.span.range()], "2d");
}

#[test]
fn weeks_and_consts_are_warned_too() {
    let source = MATRIX
        .replace("  table", "  const week = 1w\n  table")
        .replace("resolution_target(priority, channel) of", "week of");
    let found = w0007(&source);
    assert_eq!(found.len(), 1, "{found:?}");
    assert!(found[0].message.contains("`1w`"), "{}", found[0].message);
    assert!(found[0].help.as_deref().unwrap().contains("`168h`"));
}

#[test]
fn the_matrix_passes_check_with_deny_warnings() {
    let dir = tempfile::tempdir().unwrap();
    let path = dir.path().join("targets.policy");
    std::fs::write(&path, MATRIX).unwrap();
    Command::cargo_bin("service-policy")
        .unwrap()
        .args(["check", "--deny-warnings", "--format", "github"])
        .arg(&path)
        .assert()
        .success();
    std::fs::write(&path, MATRIX.replace("=> 24h", "=> 1d")).unwrap();
    let output = Command::cargo_bin("service-policy")
        .unwrap()
        .args(["check", "--deny-warnings", "--format", "github"])
        .arg(&path)
        .output()
        .unwrap();
    assert!(!output.status.success());
    let stdout = String::from_utf8_lossy(&output.stdout);
    assert!(
        stdout.contains("W0007") && stdout.contains("`1d`"),
        "{stdout}"
    );
}

#[test]
fn human_output_of_a_24_open_hour_target_says_24h() {
    let dir = tempfile::tempdir().unwrap();
    let policy = dir.path().join("targets.policy");
    std::fs::write(&policy, MATRIX).unwrap();
    let record = dir.path().join("ticket.json");
    std::fs::write(
        &record,
        r#"{"priority":"high","channel":"email","created_at":"2026-03-02T09:00:00Z"}"#,
    )
    .unwrap();
    let output = Command::cargo_bin("service-policy")
        .unwrap()
        .args(["eval", "--format", "human", "--now", "2026-03-02T10:00:00Z"])
        .arg(&policy)
        .arg(&record)
        .output()
        .unwrap();
    let stdout = String::from_utf8_lossy(&output.stdout);
    assert!(output.status.success(), "{stdout}");
    assert!(stdout.contains("target 24h,"), "{stdout}");
    assert!(!stdout.contains("1d"), "{stdout}");
}

#[test]
fn a_policy_set_judges_what_each_file_wrote() {
    use service_policy::{PolicySet, SourceFile};
    let source = |name: &str, text: &str| SourceFile {
        name: name.into(),
        text: text.into(),
    };
    let set = PolicySet::from_sources(vec![source("targets", MATRIX)], &service_policy::NoResolver)
        .unwrap();
    let w0007 = |set: &PolicySet| {
        set.policies()
            .flat_map(|p| p.warnings().items().iter())
            .filter(|d| d.code == Code::W0007)
            .count()
    };
    assert_eq!(w0007(&set), 0);
    let set = PolicySet::from_sources(
        vec![source("targets", &MATRIX.replace("=> 24h", "=> 1d"))],
        &service_policy::NoResolver,
    )
    .unwrap();
    assert_eq!(w0007(&set), 1);
}
