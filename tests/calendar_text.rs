//! Calendars written as policy text: parsed, built, and their problems pointed at the
//! exact source text, with a snapshot of how the diagnostics read.
// The stage it tests is internal: built with `--features internals` (or `--all-features`).
#![cfg(feature = "internals")]
#![allow(
    clippy::unwrap_used,
    clippy::expect_used,
    clippy::panic,
    clippy::indexing_slicing,
    reason = "tests and benches stop loudly on the unexpected"
)]

use jiff::Timestamp;
use jiff::tz::TimeZone;
use service_policy::Diagnostic;
use service_policy::Duration;
use service_policy::ast::{CalendarDef, Item};
use service_policy::calendar::{Calendar, time_zone};

/// The policy's zone as its `timezone` item says, else UTC (SPEC §4).
fn policy_zone(items: &[Item]) -> TimeZone {
    items
        .iter()
        .find_map(|item| match item {
            Item::Timezone(name) => time_zone(&name.value),
            _ => None,
        })
        .unwrap_or(TimeZone::UTC)
}

/// Every calendar of a policy, built.
fn calendars(source: &str) -> Vec<Result<Calendar, Vec<Diagnostic>>> {
    let file = service_policy::syntax::parse(source).unwrap();
    let zone = policy_zone(&file.items);
    let defs: Vec<&CalendarDef> = file
        .items
        .iter()
        .filter_map(|item| match item {
            Item::Calendar(def) => Some(def),
            _ => None,
        })
        .collect();
    defs.into_iter()
        .map(|def| Calendar::from_def(def, &zone))
        .collect()
}

fn ts(text: &str) -> Timestamp {
    text.parse().unwrap()
}

#[test]
fn the_spec_example_calendar() {
    let source = r#"policy "Support" {
  timezone "Asia/Kolkata"
  calendar support_hours {
    mon-fri 09:00-13:00, 14:00-18:00
    sat 10:00-14:00
    closed 2026-01-26, 2026-08-15
  }
}"#;
    let mut built = calendars(source);
    assert_eq!(built.len(), 1);
    let cal = built.remove(0).unwrap();
    assert_eq!(cal.time_zone().iana_name(), Some("Asia/Kolkata"));
    // Saturday 2026-01-24 13:30 IST (08:00Z) plus 1h: 30 minutes on Saturday, Monday
    // 2026-01-26 closed, Tuesday 09:00-09:30 IST = 04:00Z.
    assert_eq!(
        cal.add(
            ts("2026-01-24T08:00:00Z"),
            Duration::from_secs(3600).unwrap()
        ),
        Some(ts("2026-01-27T04:00:00Z"))
    );
    // Lunch on a weekday is closed: 13:30 IST = 08:00Z.
    assert!(!cal.is_open(ts("2026-01-27T08:00:00Z")));
    assert!(cal.is_open(ts("2026-01-27T08:30:00Z")));
}

#[test]
fn a_calendar_zone_overrides_the_policy_zone() {
    let source = r#"policy "Support" {
  timezone "Asia/Kolkata"
  calendar berlin {
    timezone "Europe/Berlin"
    mon-fri 09:00-17:00
  }
  calendar local {
    mon-fri 09:00-17:00
  }
}"#;
    let built = calendars(source);
    let zones: Vec<Option<&str>> = built
        .iter()
        .map(|c| c.as_ref().unwrap().time_zone().iana_name())
        .collect();
    assert_eq!(zones, [Some("Europe/Berlin"), Some("Asia/Kolkata")]);
}

const BROKEN: &str = r#"policy "Broken" {
  calendar support_hours {
    timezone "Europe/Atlantis"
    timezone "UTC"
    fri-mon 09:00-17:00
    tue 09:00-12:00, 11:00-13:00
    wed 18:00-09:00
    thursday 10:00-11:00
  }
  calendar empty {
    closed 2026-12-25
  }
}"#;

#[test]
fn every_problem_points_at_its_text() {
    let built = calendars(BROKEN);
    let problems: Vec<(&str, &str)> = built
        .iter()
        .flat_map(|c| c.as_ref().unwrap_err())
        .map(|d| (d.code.as_str(), &BROKEN[d.span.range()]))
        .collect();
    assert_eq!(
        problems,
        [
            ("E0306", "\"Europe/Atlantis\""),
            ("E0304", "\"UTC\""),
            ("E0304", "fri-mon"),
            ("E0304", "18:00-09:00"),
            ("E0304", "thursday"),
            ("E0304", "11:00-13:00"),
            ("E0304", "empty"),
        ]
    );
}

/// Code, position, message, labels and help of each diagnostic, in source order; written
/// here rather than with the renderer so the snapshot is about this module's words.
fn describe(source: &str, diagnostics: &[Diagnostic]) -> String {
    let mut sorted: Vec<&Diagnostic> = diagnostics.iter().collect();
    sorted.sort_by_key(|d| d.span.start);
    let mut out = String::new();
    for d in sorted {
        let (line, column) = d.span.line_col(source);
        out.push_str(&format!(
            "{} at {line}:{column} `{}`: {}\n",
            d.code,
            &source[d.span.range()],
            d.message
        ));
        if !d.primary_label.is_empty() {
            out.push_str(&format!("    label: {}\n", d.primary_label));
        }
        for label in &d.labels {
            let (line, column) = label.span.line_col(source);
            out.push_str(&format!(
                "    {line}:{column} `{}`: {}\n",
                &source[label.span.range()],
                label.message
            ));
        }
        if let Some(help) = &d.help {
            out.push_str(&format!("    help: {help}\n"));
        }
    }
    out
}

#[test]
fn how_calendar_problems_read() {
    let diagnostics: Vec<Diagnostic> = calendars(BROKEN)
        .into_iter()
        .flat_map(|c| c.unwrap_err())
        .collect();
    insta::assert_snapshot!(describe(BROKEN, &diagnostics));
}
