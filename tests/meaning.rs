//! Meaning that cannot lose money or mislead (SPEC §3, §6, §7, §10, §11): whole seconds,
//! money actions never merged, absent optional fields, pauses from a status history,
//! contextual keywords and no silent truncation — through the library and the binary.
#![allow(
    clippy::unwrap_used,
    clippy::expect_used,
    clippy::panic,
    clippy::indexing_slicing,
    reason = "tests and benches stop loudly on the unexpected"
)]

use assert_cmd::Command;
use serde_json::{Value as Json, json};
use service_policy::{EvalOptions, Explain, Policy};

fn bin() -> Command {
    let mut cmd = Command::cargo_bin("service-policy").unwrap();
    cmd.env("NO_COLOR", "1");
    cmd
}

fn policy(source: &str) -> Policy {
    Policy::parse(source).unwrap_or_else(|e| panic!("{e:?}"))
}

/// The decision JSON of the compiled plan, after checking the reference agrees.
fn decide(p: &Policy, record: &Json, now: &str) -> Json {
    let options = EvalOptions {
        explain: Explain::On,
        ..EvalOptions::at(now.parse().unwrap())
    };
    let compiled = serde_json::to_value(p.evaluate(record, &options)).unwrap();
    let reference = serde_json::to_value(p.evaluate_reference(record, &options)).unwrap();
    assert_eq!(compiled, reference, "the reference interpreter differs");
    compiled
}

/// Runs `service-policy eval` on a policy text and one record; returns stdout.
fn eval_cli(source: &str, record: &Json, args: &[&str]) -> String {
    let dir = tempfile::tempdir().unwrap();
    let policy = dir.path().join("p.policy");
    std::fs::write(&policy, source).unwrap();
    let record_path = dir.path().join("r.json");
    std::fs::write(&record_path, record.to_string()).unwrap();
    let out = bin()
        .arg("eval")
        .arg(&policy)
        .arg(&record_path)
        .args(args)
        .output()
        .unwrap();
    assert!(
        out.status.code().is_some_and(|c| c < 2),
        "{}",
        String::from_utf8_lossy(&out.stderr)
    );
    String::from_utf8(out.stdout).unwrap()
}

// ---------------------------------------------------------------- whole seconds (§11)

const STEPS: &str = r#"policy "Steps" {
  record { opened: time, done: time? }
  rule r {
    expect done within 1h of opened
    at 50%: tag "half"
  }
}"#;

#[test]
fn now_and_record_times_are_cut_to_the_second() {
    let p = policy(STEPS);
    let d = decide(
        &p,
        &json!({"opened": "2026-03-02T09:00:00.25Z"}),
        "2026-03-02T09:30:00.854203373Z",
    );
    assert_eq!(d["now"], "2026-03-02T09:30:00Z", "{d}");
    assert_eq!(d["checks"][0]["elapsed"], "30m", "{d}");
    assert_eq!(d["checks"][0]["remaining"], "30m", "{d}");
}

#[test]
fn recheck_at_is_the_next_whole_second_after_a_deadline() {
    let p = policy(STEPS);
    let d = decide(
        &p,
        &json!({"opened": "2026-03-02T09:00:00Z"}),
        "2026-03-02T10:00:00Z",
    );
    assert_eq!(d["checks"][0]["status"], "pending", "{d}");
    assert_eq!(d["recheck_at"], "2026-03-02T10:00:01Z", "{d}");
    let later = decide(
        &p,
        &json!({"opened": "2026-03-02T09:00:00Z"}),
        "2026-03-02T10:00:01Z",
    );
    assert_eq!(later["checks"][0]["status"], "breached", "{later}");
    assert_eq!(later["checks"][0]["elapsed"], "1h1s", "{later}");
}

#[test]
fn a_fractional_threshold_is_reached_at_a_whole_second() {
    // 12.5% of 1m is 7.5s: reached once 8 whole seconds have run.
    let p = policy(
        r#"policy "P" { record { opened: time, done: time? }
           rule r { expect done within 1m of opened at 12.5%: tag "t" } }"#,
    );
    let d = decide(
        &p,
        &json!({"opened": "2026-03-02T10:00:00Z"}),
        "2026-03-02T10:00:07Z",
    );
    assert_eq!(d["recheck_at"], "2026-03-02T10:00:08Z", "{d}");
    assert_eq!(d["actions"], json!([]), "{d}");
}

#[test]
fn the_binary_prints_no_fraction_of_a_second() {
    let out = eval_cli(
        STEPS,
        &json!({"opened": "2026-03-02T09:00:00.5Z"}),
        &["--now", "2026-03-02T09:30:00.854203373Z"],
    );
    let d: Json = serde_json::from_str(&out).unwrap_or_else(|e| panic!("{e}: {out}"));
    assert_eq!(d["now"], "2026-03-02T09:30:00Z", "{out}");
    assert_eq!(d["checks"][0]["elapsed"], "30m", "{out}");
    // The default `--now` (the clock) is cut too.
    let out = eval_cli(STEPS, &json!({"opened": "2026-03-02T09:00:00Z"}), &[]);
    let d: Json = serde_json::from_str(&out).unwrap_or_else(|e| panic!("{e}: {out}"));
    assert!(!d["now"].as_str().unwrap().contains('.'), "{out}");
    assert!(
        !d["checks"][0]["elapsed"].as_str().unwrap().contains('.'),
        "{out}"
    );
}

// ---------------------------------------------------------------- money actions (§10)

const MONEY: &str = r#"policy "Money" {
  record { charged: money, quoted: money, late: bool }
  rule overcharge {
    when charged > quoted
    then refund charged - quoted  compensate 10 USD
  }
  rule late_a { when late then compensate 10 USD }
  rule late_b { when late then compensate 10 USD  tag "late" }
  rule twice { when late then compensate 10 USD  compensate 10 USD }
}"#;

fn money_record() -> Json {
    json!({"charged": "30 USD", "quoted": "25 USD", "late": true})
}

#[test]
fn compensate_is_its_own_action_and_money_is_never_merged() {
    let p = policy(MONEY);
    let d = decide(&p, &money_record(), "2026-03-02T10:00:00Z");
    let actions = d["actions"].as_array().unwrap();
    let money: Vec<(&str, &str, Vec<&str>)> = actions
        .iter()
        .filter(|a| a.get("amount").is_some())
        .map(|a| {
            (
                a["action"].as_str().unwrap(),
                a["amount"].as_str().unwrap(),
                a["rules"]
                    .as_array()
                    .unwrap()
                    .iter()
                    .map(|r| r.as_str().unwrap())
                    .collect(),
            )
        })
        .collect();
    assert_eq!(
        money,
        [
            ("refund", "5 USD", vec!["overcharge"]),
            ("compensate", "10 USD", vec!["overcharge"]),
            ("compensate", "10 USD", vec!["late_a"]),
            ("compensate", "10 USD", vec!["late_b"]),
            ("compensate", "10 USD", vec!["twice"]),
            ("compensate", "10 USD", vec!["twice"]),
        ],
        "{d}"
    );
    let mut keys: Vec<&str> = actions.iter().map(|a| a["key"].as_str().unwrap()).collect();
    keys.sort_unstable();
    keys.dedup();
    assert_eq!(
        keys.len(),
        actions.len(),
        "every entry has its own key: {d}"
    );
    // Keys are stable from one evaluation to the next.
    let again = decide(&p, &money_record(), "2026-03-05T10:00:00Z");
    assert_eq!(again["actions"], d["actions"]);
}

#[test]
fn non_money_actions_still_merge() {
    let p = policy(
        r#"policy "P" { rule a { then tag "x" } rule b { then tag "x" compensate 1 EUR } }"#,
    );
    let d = decide(&p, &json!({}), "2026-03-02T10:00:00Z");
    assert_eq!(d["actions"][0]["rules"], json!(["a", "b"]), "{d}");
    assert_eq!(d["actions"][1]["action"], "compensate", "{d}");
}

#[test]
fn the_library_adds_up_money_per_kind_and_currency() {
    let p = policy(MONEY);
    let options = EvalOptions::at("2026-03-02T10:00:00Z".parse().unwrap());
    let d = p.evaluate(&money_record(), &options);
    let totals: Vec<(&str, String)> = d
        .money_totals()
        .unwrap()
        .into_iter()
        .map(|(k, m)| (k, m.to_string()))
        .collect();
    assert_eq!(
        totals,
        [
            ("refund", "5 USD".to_owned()),
            ("compensate", "50 USD".to_owned())
        ]
    );
}

#[test]
fn the_binary_prints_totals_per_kind_and_currency() {
    let out = eval_cli(
        MONEY,
        &money_record(),
        &["--now", "2026-03-02T10:00:00Z", "--format", "human"],
    );
    assert!(
        out.contains("total: refund 5 USD, compensate 50 USD"),
        "{out}"
    );
    assert_eq!(out.matches("compensate 10 USD").count(), 5, "{out}");
    let json = eval_cli(MONEY, &money_record(), &["--now", "2026-03-02T10:00:00Z"]);
    let d: Json = serde_json::from_str(&json).unwrap();
    assert_eq!(d["actions"].as_array().unwrap().len(), 7, "{json}");
}

proptest::proptest! {
    #![proptest_config(proptest::prelude::ProptestConfig { cases: 64, ..Default::default() })]

    /// The refunds and compensations of a decision add up, per kind, to what the applying
    /// rules asked for, however often equal amounts repeat.
    #[test]
    fn money_in_a_decision_is_what_the_applying_rules_asked_for(
        rules in proptest::collection::vec(
            (
                proptest::bool::ANY,
                proptest::collection::vec((proptest::bool::ANY, 1u32..4), 1..4),
            ),
            1..6,
        ),
    ) {
        use rust_decimal::Decimal;
        let mut source = String::from("policy \"P\" {\n  record { ");
        for i in 0..rules.len() {
            source.push_str(&format!("f{i}: bool "));
        }
        source.push_str("}\n");
        let mut record = serde_json::Map::new();
        let (mut refunds, mut compensations) = (Decimal::ZERO, Decimal::ZERO);
        for (i, (applies, actions)) in rules.iter().enumerate() {
            source.push_str(&format!("  rule r{i} {{ when f{i} then"));
            for (is_refund, amount) in actions {
                let word = if *is_refund { "refund" } else { "compensate" };
                source.push_str(&format!(" {word} {amount} USD"));
                if *applies {
                    if *is_refund {
                        refunds += Decimal::from(*amount);
                    } else {
                        compensations += Decimal::from(*amount);
                    }
                }
            }
            source.push_str(" }\n");
            record.insert(format!("f{i}"), Json::Bool(*applies));
        }
        source.push('}');
        let p = policy(&source);
        let d = decide(&p, &Json::Object(record), "2026-03-02T10:00:00Z");
        let (mut got_refunds, mut got_compensations) = (Decimal::ZERO, Decimal::ZERO);
        for a in d["actions"].as_array().unwrap() {
            let amount = a["amount"].as_str().unwrap();
            let n: Decimal = amount.trim_end_matches(" USD").parse().unwrap();
            match a["action"].as_str().unwrap() {
                "refund" => got_refunds += n,
                "compensate" => got_compensations += n,
                other => panic!("unexpected action {other}"),
            }
        }
        proptest::prop_assert_eq!(got_refunds, refunds, "{}", d);
        proptest::prop_assert_eq!(got_compensations, compensations, "{}", d);
    }
}
