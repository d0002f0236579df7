//! Pauses from a status history (SPEC §7): `excluding spans(E for X in LIST where COND)`,
//! through the library (the compiled plan checked against the reference interpreter) and
//! through the binary.
#![allow(
    clippy::unwrap_used,
    clippy::expect_used,
    clippy::panic,
    clippy::indexing_slicing,
    reason = "tests and benches stop loudly on the unexpected"
)]

use std::path::PathBuf;

use assert_cmd::Command;
use proptest::prelude::*;
use serde_json::{Value as Json, json};
use service_policy::{EvalOptions, Explain, Policy};

fn bin() -> Command {
    let mut cmd = Command::cargo_bin("service-policy").unwrap();
    cmd.env("NO_COLOR", "1");
    cmd
}

fn root() -> PathBuf {
    PathBuf::from(env!("CARGO_MANIFEST_DIR"))
}

fn policy(source: &str) -> Policy {
    Policy::parse(source).unwrap_or_else(|e| panic!("{e}"))
}

/// The decision JSON of the compiled plan, after checking the reference agrees (explain
/// off and on).
fn decide(p: &Policy, record: &Json, now: &str) -> Json {
    let mut last = Json::Null;
    for explain in [Explain::Off, Explain::On] {
        let options = EvalOptions {
            explain,
            ..EvalOptions::at(now.parse().unwrap())
        };
        let compiled = serde_json::to_value(p.evaluate(record, &options)).unwrap();
        // The reference interpreter is built only with `internals`.
        #[cfg(feature = "internals")]
        {
            let reference = serde_json::to_value(p.evaluate_reference(record, &options)).unwrap();
            assert_eq!(compiled, reference, "the reference interpreter differs");
        }
        last = compiled;
    }
    last
}

/// The one deadline check of a decision.
fn check(decision: &Json) -> &Json {
    let checks = decision["checks"].as_array().unwrap();
    assert_eq!(checks.len(), 1, "{decision:#}");
    &checks[0]
}

/// Berlin desk hours; 09:00-17:00 is 08:00Z-16:00Z in winter, 07:00Z-15:00Z in summer.
const DESK: &str = r#"policy "Desk" {
  timezone "Europe/Berlin"
  record {
    opened_at: time
    resolved_at: time?
    status_log: list<{ at: time, status: text }>?
  }
  calendar desk {
    mon-fri 09:00-17:00
  }
  rule resolution {
    expect resolved_at within 8h of opened_at using desk
      excluding spans(s.at for s in status_log where s.status in ["pending", "on_hold"])
    on breach: escalate to "lead"
  }
}"#;

fn ticket(log: Json) -> Json {
    json!({ "opened_at": "2026-03-02T08:00:00Z", "status_log": log })
}

fn event(at: &str, status: &str) -> Json {
    json!({ "at": at, "status": status })
}

#[test]
fn a_pending_period_in_open_hours_moves_the_deadline_by_exactly_that_time() {
    let p = policy(DESK);
    let now = "2026-03-02T09:00:00Z";
    let plain = decide(&p, &ticket(json!([])), now);
    assert_eq!(check(&plain)["deadline"], "2026-03-02T16:00:00Z");
    // Pending 10:00Z-11:30Z, inside open hours: the deadline moves by 1h30m of open time,
    // to 17:30Z, past closing, so to 09:30 the next morning (08:30Z).
    let log = json!([
        event("2026-03-02T08:00:00Z", "open"),
        event("2026-03-02T10:00:00Z", "pending"),
        event("2026-03-02T11:30:00Z", "open"),
    ]);
    let paused = decide(&p, &ticket(log), now);
    assert_eq!(check(&paused)["deadline"], "2026-03-03T09:30:00Z");
    assert_eq!(check(&paused)["status"], "pending");
}

#[test]
fn reopening_gives_one_pause_per_waiting_period() {
    let p = policy(DESK);
    let log = json!([
        event("2026-03-02T08:00:00Z", "open"),
        event("2026-03-02T09:00:00Z", "pending"),
        event("2026-03-02T10:00:00Z", "open"),
        event("2026-03-02T11:00:00Z", "on_hold"),
        event("2026-03-02T11:30:00Z", "pending"),
        event("2026-03-02T12:00:00Z", "open"),
    ]);
    // Waiting 09:00-10:00 and 11:00-12:00: two hours of the first day are paused.
    let d = decide(&p, &ticket(log), "2026-03-02T15:00:00Z");
    assert_eq!(check(&d)["elapsed"], "5h");
    assert_eq!(check(&d)["deadline"], "2026-03-03T10:00:00Z");
}

#[test]
fn an_unsorted_log_is_read_in_time_order() {
    let p = policy(DESK);
    let sorted = json!([
        event("2026-03-02T08:00:00Z", "open"),
        event("2026-03-02T09:00:00Z", "pending"),
        event("2026-03-02T10:00:00Z", "open"),
    ]);
    let shuffled = json!([
        event("2026-03-02T10:00:00Z", "open"),
        event("2026-03-02T08:00:00Z", "open"),
        event("2026-03-02T09:00:00Z", "pending"),
    ]);
    let now = "2026-03-02T12:00:00Z";
    let a = decide(&p, &ticket(sorted), now);
    let b = decide(&p, &ticket(shuffled), now);
    assert_eq!(check(&a)["elapsed"], "3h");
    assert_eq!(a, b);
}

#[test]
fn events_at_one_time_keep_the_order_of_the_log() {
    let p = policy(DESK);
    // `open` then `pending` at 09:00: the later entry is the status from 09:00 on.
    let log = json!([
        event("2026-03-02T09:00:00Z", "open"),
        event("2026-03-02T09:00:00Z", "pending"),
        event("2026-03-02T10:00:00Z", "open"),
    ]);
    let d = decide(&p, &ticket(log), "2026-03-02T12:00:00Z");
    assert_eq!(check(&d)["elapsed"], "3h");
    // The other way round, the pause is empty.
    let log = json!([
        event("2026-03-02T09:00:00Z", "pending"),
        event("2026-03-02T09:00:00Z", "open"),
    ]);
    let d = decide(&p, &ticket(log), "2026-03-02T12:00:00Z");
    assert_eq!(check(&d)["elapsed"], "4h");
}

#[test]
fn a_ticket_still_pending_at_now_is_paused_until_now_and_does_not_move() {
    let p = policy(DESK);
    let log = json!([
        event("2026-03-02T08:00:00Z", "open"),
        event("2026-03-02T10:00:00Z", "pending"),
    ]);
    let d = decide(&p, &ticket(log.clone()), "2026-03-02T13:00:00Z");
    assert_eq!(check(&d)["elapsed"], "2h");
    assert_eq!(check(&d)["remaining"], "6h");
    // Nothing changes with time alone while the pause is open.
    assert_eq!(d["recheck_at"], Json::Null);
    // Long after, the ticket still waits on the customer: no breach.
    let d = decide(&p, &ticket(log), "2026-03-20T13:00:00Z");
    assert_eq!(check(&d)["status"], "pending");
    assert_eq!(check(&d)["elapsed"], "2h");
    assert_eq!(d["actions"], json!([]));
}

#[test]
fn a_pause_across_the_change_to_summer_time_counts_civil_open_hours() {
    let p = policy(DESK);
    // Opened Friday 27 March 09:00 CET (08:00Z); pending from 16:00 CET (15:00Z) until
    // Monday 09:30 CEST (07:30Z). Friday gives 7h; on Monday the desk opens at 07:00Z,
    // paused until 07:30Z, and the last hour ends at 08:30Z.
    let record = json!({
        "opened_at": "2026-03-27T08:00:00Z",
        "status_log": [
            event("2026-03-27T08:00:00Z", "open"),
            event("2026-03-27T15:00:00Z", "pending"),
            event("2026-03-30T07:30:00Z", "open"),
        ],
    });
    let d = decide(&p, &record, "2026-03-30T08:00:00Z");
    assert_eq!(check(&d)["deadline"], "2026-03-30T08:30:00Z");
    assert_eq!(check(&d)["elapsed"], "7h30m");
}

#[test]
fn a_missing_or_absent_log_has_no_pauses() {
    let p = policy(DESK);
    for record in [
        json!({ "opened_at": "2026-03-02T08:00:00Z" }),
        json!({ "opened_at": "2026-03-02T08:00:00Z", "status_log": null }),
    ] {
        let d = decide(&p, &record, "2026-03-02T10:00:00Z");
        assert_eq!(check(&d)["elapsed"], "2h");
        assert_eq!(d["undecided"], json!([]));
    }
}

#[test]
fn an_event_without_a_time_is_an_error_naming_it() {
    let p = policy(
        r#"policy "Desk" {
  record {
    opened_at: time
    resolved_at: time?
    status_log: list<{ at: time?, status: text }>
  }
  rule resolution {
    expect resolved_at within 8h of opened_at
      excluding spans(s.at for s in status_log where s.status == "pending")
  }
}"#,
    );
    let record = json!({
        "opened_at": "2026-03-02T08:00:00Z",
        "status_log": [event("2026-03-02T09:00:00Z", "pending"), { "status": "open" }],
    });
    let d = decide(&p, &record, "2026-03-02T10:00:00Z");
    assert_eq!(d["checks"], json!([]));
    let errors = d["errors"].as_array().unwrap();
    assert_eq!(errors.len(), 1, "{d:#}");
    assert_eq!(errors[0]["rule"], "resolution");
    assert_eq!(errors[0]["field"], "status_log[1]");
    let message = errors[0]["message"].as_str().unwrap();
    assert!(message.contains("`status_log[1]` has no time"), "{message}");
}

#[test]
fn without_where_every_event_pauses() {
    let p = policy(
        r#"policy "Desk" {
  record { opened_at: time, resolved_at: time?, holds: list<{ at: time }> }
  rule resolution {
    expect resolved_at within 8h of opened_at excluding spans(h.at for h in holds)
  }
}"#,
    );
    let record = json!({
        "opened_at": "2026-03-02T08:00:00Z",
        "holds": [{ "at": "2026-03-02T09:00:00Z" }, { "at": "2026-03-02T09:30:00Z" }],
    });
    let d = decide(&p, &record, "2026-03-02T12:00:00Z");
    assert_eq!(check(&d)["elapsed"], "1h");
}

#[test]
fn spans_reads_a_nested_list_without_a_schema() {
    let p = policy(
        r#"policy "Desk" {
  rule resolution {
    expect ticket.resolved_at within 2h of ticket.opened_at
      excluding spans(e.at for e in ticket.history where e.state == "waiting")
    on breach: tag "late"
  }
}"#,
    );
    let record = json!({ "ticket": {
        "opened_at": "2026-03-02T08:00:00Z",
        "resolved_at": "2026-03-02T10:30:00Z",
        "history": [
            { "at": "2026-03-02T08:30:00Z", "state": "waiting" },
            { "at": "2026-03-02T09:15:00Z", "state": "working" },
        ],
    }});
    let d = decide(&p, &record, "2026-03-02T12:00:00Z");
    assert_eq!(check(&d)["status"], "met");
    assert_eq!(check(&d)["elapsed"], "1h45m");
}

/// The codes and messages `check` gives a policy.
fn problems(source: &str) -> Vec<(String, String, String)> {
    let Err(diagnostics) = Policy::parse(source) else {
        panic!("the policy is accepted: {source}");
    };
    let json = serde_json::to_value(diagnostics.to_json()).unwrap();
    json.as_array()
        .unwrap()
        .iter()
        .map(|d| {
            (
                d["code"].as_str().unwrap().to_owned(),
                d["message"].as_str().unwrap().to_owned(),
                d["help"].as_str().unwrap_or_default().to_owned(),
            )
        })
        .collect()
}

fn with_rule(clause: &str) -> String {
    format!(
        r#"policy "Desk" {{
  record {{
    opened_at: time
    resolved_at: time?
    status_log: list<{{ at: time, status: text }}>
    tags: list<text>
  }}
  rule r {{
    {clause}
  }}
}}"#
    )
}

#[test]
fn misuses_have_coded_diagnostics_with_help() {
    let cases = [
        (
            "expect resolved_at within 1h of opened_at excluding spans(s.status for s in status_log)",
            "E0204",
            "orders the elements by a time, not a text",
        ),
        (
            "expect resolved_at within 1h of opened_at excluding spans(t for t in tags)",
            "E0204",
            "needs a list of records",
        ),
        (
            "expect resolved_at within 1h of opened_at excluding spans(s.at for s in status_log where s.status)",
            "E0204",
            "`where` needs a bool",
        ),
        (
            "when count(spans(s.at for s in status_log)) > 1\n    then tag \"x\"",
            "E0201",
            "can stand only there",
        ),
        (
            "expect resolved_at within 1h of opened_at excluding spans(status_log)",
            "E0201",
            "written with `for`",
        ),
    ];
    for (clause, code, words) in cases {
        let found = problems(&with_rule(clause));
        assert!(
            found
                .iter()
                .any(|(c, m, help)| c == code && m.contains(words) && !help.is_empty()),
            "{clause}: {found:?}"
        );
    }
}

#[test]
fn spans_is_not_a_table_name() {
    let found = problems(
        r#"policy "P" {
  table spans(x) { _ => 1 }
  rule r { when spans(1) > 0 then tag "x" }
}"#,
    );
    assert!(
        found
            .iter()
            .any(|(c, m, _)| c == "E0101" && m.contains("built-in"))
    );
}

#[cfg(feature = "internals")]
#[test]
fn spans_formats_and_parses_back_the_same() {
    let source = with_rule(
        "expect resolved_at within 1h of opened_at excluding spans(s.at for s in status_log where s.status in [\"pending\", \"on_hold\"])",
    );
    let p = policy(&source);
    let once = service_policy::fmt::format_policy(p.ast(), &source);
    let twice = service_policy::fmt::format_policy(policy(&once).ast(), &once);
    assert_eq!(once, twice);
    assert!(once.contains(
        "\n      excluding spans(s.at for s in status_log where s.status in [\"pending\", \"on_hold\"])"
    ));
    assert_eq!(policy(&once).ast(), p.ast());
}

proptest! {
    #![proptest_config(ProptestConfig { cases: 64, ..ProptestConfig::default() })]

    /// Pauses from the history equal the same pauses written as `{from, to}` intervals.
    #[test]
    fn spans_equal_the_intervals_they_stand_for(
        events in prop::collection::vec((0u32..600, any::<bool>()), 0..8),
        now in 0u32..700,
    ) {
        let base: jiff::Timestamp = "2026-03-02T08:00:00Z".parse().unwrap();
        let at = |minutes: u32| {
            base.checked_add(jiff::SignedDuration::from_mins(i64::from(minutes))).unwrap().to_string()
        };
        let log: Vec<Json> = events
            .iter()
            .map(|(m, waiting)| json!({ "at": at(*m), "status": if *waiting { "pending" } else { "open" } }))
            .collect();
        // The model: stable sort by time, each waiting event to the next, the last open.
        let mut sorted = events.clone();
        sorted.sort_by_key(|e| e.0);
        let mut paused = Vec::new();
        for (i, (m, waiting)) in sorted.iter().enumerate() {
            if *waiting {
                let mut interval = json!({ "from": at(*m) });
                if let Some((next, _)) = sorted.get(i + 1) {
                    interval["to"] = json!(at(*next));
                }
                paused.push(interval);
            }
        }
        let p = policy(r#"policy "P" {
  record {
    opened_at: time
    resolved_at: time?
    log: list<{ at: time, status: text }>
    paused: list<{ from: time, to: time? }>
  }
  rule a {
    expect resolved_at within 4h of opened_at excluding spans(e.at for e in log where e.status == "pending")
    at 50%: tag "half"
  }
  rule b {
    expect resolved_at within 4h of opened_at excluding paused
    at 50%: tag "half"
  }
}"#);
        let record = json!({ "opened_at": at(0), "log": log, "paused": paused });
        let d = decide(&p, &record, &at(now));
        let checks = d["checks"].as_array().unwrap();
        prop_assert_eq!(checks.len(), 2);
        for field in ["status", "deadline", "elapsed", "remaining"] {
            prop_assert_eq!(&checks[0][field], &checks[1][field], "{}", field);
        }
    }
}

// ---------------------------------------------------------------- the binary

#[test]
fn the_binary_evaluates_the_help_desk_example() {
    let out = bin()
        .arg("eval")
        .arg(root().join("examples/policies/help_desk.policy"))
        .arg(root().join("examples/policies/records/help_desk_waiting.json"))
        .args(["--now", "2026-03-03T12:00:00Z"])
        .output()
        .unwrap();
    assert!(
        out.status.success(),
        "{}",
        String::from_utf8_lossy(&out.stderr)
    );
    let d: Json = serde_json::from_slice(&out.stdout).unwrap();
    // 8 open hours from Monday 09:00 Berlin, less 3h30m pending on Monday and 2h on hold
    // on Tuesday morning.
    assert_eq!(check(&d)["deadline"], "2026-03-03T13:30:00Z");
    assert_eq!(check(&d)["elapsed"], "6h30m");
}

#[test]
fn the_binary_explains_a_misused_spans_in_words() {
    let dir = tempfile::tempdir().unwrap();
    let path = dir.path().join("p.policy");
    std::fs::write(
        &path,
        with_rule("expect resolved_at within 1h of opened_at excluding spans(t for t in tags)"),
    )
    .unwrap();
    let out = bin().arg("check").arg(&path).output().unwrap();
    assert_eq!(out.status.code(), Some(1));
    let text =
        String::from_utf8_lossy(&out.stdout).to_string() + &String::from_utf8_lossy(&out.stderr);
    assert!(text.contains("E0204"), "{text}");
    assert!(
        text.contains("`spans` needs a list of records, not a list<text>"),
        "{text}"
    );
    assert!(text.contains("help:"), "{text}");
}

#[test]
fn the_handbook_says_when_the_clock_stops_in_every_language() {
    let policy = root().join("examples/policies/help_desk.policy");
    let out = bin().arg("doc").arg(&policy).output().unwrap();
    assert!(
        out.status.success(),
        "{}",
        String::from_utf8_lossy(&out.stderr)
    );
    let text = String::from_utf8(out.stdout).unwrap();
    assert!(
        text.contains("The clock stops from each entry `s` of `status_log` for which `s.status` is **pending** or **on\\_hold** until the next entry, the entries taken in order of `s.at`."),
        "{text}"
    );
    for lang in ["en", "hi", "bn", "ta", "tl"] {
        let out = bin()
            .args(["doc", "--check", "--lang", lang])
            .arg(&policy)
            .output()
            .unwrap();
        assert!(
            out.status.success(),
            "{lang}: {}{}",
            String::from_utf8_lossy(&out.stdout),
            String::from_utf8_lossy(&out.stderr)
        );
    }
}

#[test]
fn sorting_a_long_history_is_paid_from_the_rule_budget() {
    let p = policy(
        r#"policy "Desk" {
  record { opened_at: time, resolved_at: time?, log: list<{ at: time, status: text }> }
  rule long_log {
    expect resolved_at within 8h of opened_at
      excluding spans(s.at for s in log where s.status == "pending")
  }
  rule other { then tag "x" }
}"#,
    );
    let base: jiff::Timestamp = "2026-03-02T08:00:00Z".parse().unwrap();
    let log: Vec<Json> = (0..2000i64)
        .rev()
        .map(|i| {
            let at = base
                .checked_add(jiff::SignedDuration::from_secs(i))
                .unwrap();
            json!({ "at": at.to_string(), "status": if i % 2 == 0 { "pending" } else { "open" } })
        })
        .collect();
    let record = json!({ "opened_at": "2026-03-02T08:00:00Z", "log": log });
    let run = |steps: u64| {
        let options = EvalOptions::at("2026-03-02T12:00:00Z".parse().unwrap())
            .with_budget(service_policy::Budget { rule_steps: steps });
        let compiled = serde_json::to_value(p.evaluate(&record, &options)).unwrap();
        // The reference interpreter is built only with `internals`.
        #[cfg(feature = "internals")]
        {
            let reference = serde_json::to_value(p.evaluate_reference(&record, &options)).unwrap();
            assert_eq!(compiled, reference);
        }
        compiled
    };
    // Reading 2 000 events costs a few steps each (about 10 000); sorting them adds
    // 2 000 × 11 = 22 000, which a budget of 20 000 cannot pay.
    let tight = run(20_000);
    assert_eq!(tight["fired"], json!(["other"]));
    let message = tight["errors"][0]["message"].as_str().unwrap();
    assert!(message.contains("evaluation steps"), "{message}");
    let ample = run(100_000);
    assert_eq!(ample["fired"], json!(["long_log", "other"]));
    // Every other second of the first 2 000 is paused: 1 000 s of the 4 h do not run.
    assert_eq!(check(&ample)["elapsed"], "3h43m20s");
}
