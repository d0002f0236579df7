//! The whole example of SPEC §2, evaluated on records that put each of its rules into
//! every status: met, breached, pending, within, exceeded, not applying, undecided, error.
#![allow(
    clippy::unwrap_used,
    clippy::expect_used,
    clippy::panic,
    clippy::indexing_slicing,
    reason = "tests and benches stop loudly on the unexpected"
)]

mod eval_support;

use eval_support::{decide, policy};
use serde_json::{Value, json};
use service_policy::Policy;

fn retail() -> Policy {
    policy(include_str!("eval/retail.policy"))
}

/// Monday 2026-03-02; support hours in Kolkata are 03:30–07:30 and 08:30–12:30 UTC.
fn base() -> Value {
    json!({
        "channel": "chat",
        "priority": "urgent",
        "customer": {
            "tier": "gold",
            "refunds": [
                {"amount": "4000 INR", "at": "2026-02-20T10:00:00Z"},
                {"amount": {"amount": "9000", "currency": "INR"}, "at": "2025-12-01T10:00:00Z"}
            ]
        },
        "opened_at": "2026-03-02T04:00:00Z",
        "first_reply_at": "2026-03-02T04:45:00Z",
        "refund": {"requested": "7000 INR"},
        "order": {"total": {"amount": 10000, "currency": "INR"}},
        "csat": 4,
        "tags": [],
        "message": "thanks"
    })
}

fn with(mut record: Value, path: &[&str], value: Value) -> Value {
    let mut target = &mut record;
    let (last, init) = path.split_last().unwrap();
    for segment in init {
        target = &mut target[*segment];
    }
    target[*last] = value;
    record
}

fn without_keys(mut d: Value) -> Value {
    for a in d["actions"].as_array_mut().unwrap() {
        let key = a.as_object_mut().unwrap().remove("key").unwrap();
        assert_eq!(key.as_str().unwrap().len(), 16);
    }
    d
}

fn check<'a>(d: &'a Value, rule: &str) -> &'a Value {
    d["checks"]
        .as_array()
        .unwrap()
        .iter()
        .find(|c| c["rule"] == rule)
        .unwrap_or_else(|| panic!("no check for {rule}: {d}"))
}

#[test]
fn breached_reply_exceeded_cap_and_refund_velocity() {
    let d = without_keys(decide(&retail(), &base()));
    assert_eq!(
        d,
        json!({
            "policy": "Retail customer care",
            "version": "2026.1",
            "now": "2026-03-02T10:00:00Z",
            "actions": [
                {"action": "escalate", "to": "supervisor", "rules": ["first_reply"]},
                {"action": "require_approval", "from": "store-manager", "rules": ["refund_cap_rule"]},
                {"action": "require_approval", "from": "fraud-desk", "rules": ["refund_velocity"]},
                {"action": "tag", "tag": "refund-velocity", "rules": ["refund_velocity"]}
            ],
            "checks": [
                {"rule": "first_reply", "kind": "deadline", "status": "breached", "target": "15m",
                 "deadline": "2026-03-02T04:15:00Z", "elapsed": "45m", "remaining": null},
                {"rule": "resolution", "kind": "deadline", "status": "pending", "target": "2d",
                 "deadline": "2026-03-04T04:00:00Z", "elapsed": "6h", "remaining": "1d18h"},
                {"rule": "refund_cap_rule", "kind": "limit", "status": "exceeded", "value": "7000 INR",
                 "limit": "5000 INR", "excess": "2000 INR"}
            ],
            "fired": ["first_reply", "resolution", "refund_cap_rule", "refund_velocity"],
            "undecided": [],
            "errors": [],
            "recheck_at": "2026-03-04T04:00:00Z"
        })
    );
}

#[test]
fn pending_reply_notifies_at_75_percent() {
    let record = with(base(), &["priority"], json!("high"));
    let record = with(record, &["channel"], json!("phone"));
    let record = with(record, &["opened_at"], json!("2026-03-02T09:35:00Z"));
    let record = with(record, &["first_reply_at"], Value::Null);
    let d = decide(&retail(), &record);
    assert_eq!(
        check(&d, "first_reply"),
        &json!({"rule": "first_reply", "kind": "deadline", "status": "pending", "target": "30m",
                "deadline": "2026-03-02T10:05:00Z", "elapsed": "25m", "remaining": "5m"})
    );
    assert_eq!(d["actions"][0]["action"], json!("notify"));
    assert_eq!(d["actions"][0]["to"], json!("team-lead"));
    assert_eq!(d["recheck_at"], json!("2026-03-02T10:05:00Z"));
}

#[test]
fn met_reply_counts_only_open_hours() {
    // Opened 12:50 in Kolkata: ten minutes before lunch, five after.
    let record = with(base(), &["opened_at"], json!("2026-03-02T07:20:00Z"));
    let record = with(record, &["first_reply_at"], json!("2026-03-02T08:34:00Z"));
    let d = decide(&retail(), &record);
    assert_eq!(
        check(&d, "first_reply"),
        &json!({"rule": "first_reply", "kind": "deadline", "status": "met", "target": "15m",
                "deadline": "2026-03-02T08:35:00Z", "elapsed": "14m", "remaining": null})
    );
    assert!(
        d["actions"]
            .as_array()
            .unwrap()
            .iter()
            .all(|a| a["action"] != "escalate")
    );
}

#[test]
fn long_breach_escalates_to_the_duty_manager_only() {
    let record = with(base(), &["first_reply_at"], Value::Null);
    let d = decide(&retail(), &record);
    let escalations: Vec<&Value> = d["actions"]
        .as_array()
        .unwrap()
        .iter()
        .filter(|a| a["action"] == "escalate")
        .collect();
    assert_eq!(escalations.len(), 1);
    assert_eq!(escalations[0]["to"], json!("duty-manager"));
    assert_eq!(escalations[0]["rules"], json!(["first_reply"]));
}

#[test]
fn platinum_within_limit_takes_the_first_of_block() {
    let record = with(base(), &["customer", "tier"], json!("platinum"));
    let record = with(record, &["refund", "requested"], json!("15000 INR"));
    let d = decide(&retail(), &record);
    assert_eq!(
        check(&d, "platinum_refunds"),
        &json!({"rule": "platinum_refunds", "kind": "limit", "status": "within", "value": "15000 INR",
                "limit": "20000 INR", "excess": null})
    );
    assert!(
        !d["fired"]
            .as_array()
            .unwrap()
            .contains(&json!("refund_cap_rule"))
    );
    let over = with(record, &["refund", "requested"], json!("25000 INR"));
    let d = decide(&retail(), &over);
    assert_eq!(check(&d, "platinum_refunds")["status"], json!("exceeded"));
    assert_eq!(check(&d, "platinum_refunds")["excess"], json!("5000 INR"));
}

#[test]
fn cap_within_and_resolution_not_applying() {
    let record = with(base(), &["refund", "requested"], json!("300 INR"));
    let record = with(record, &["priority"], json!("low"));
    let d = decide(&retail(), &record);
    assert_eq!(check(&d, "refund_cap_rule")["status"], json!("within"));
    assert!(
        !d["fired"]
            .as_array()
            .unwrap()
            .contains(&json!("resolution"))
    );
    assert!(
        !d["fired"]
            .as_array()
            .unwrap()
            .contains(&json!("refund_velocity"))
    );
}

#[test]
fn unhappy_customer_fires_and_is_exempted() {
    let record = with(base(), &["message"], json!("I will take Legal Action"));
    let d = decide(&retail(), &record);
    assert!(
        d["fired"]
            .as_array()
            .unwrap()
            .contains(&json!("unhappy_customer"))
    );
    let follow = d["actions"]
        .as_array()
        .unwrap()
        .iter()
        .find(|a| a["action"] == "follow_up")
        .unwrap();
    assert_eq!(follow["due"], json!("2026-03-03T10:00:00Z"));
    let exempt = with(record, &["tags"], json!(["vip-handled"]));
    let d = decide(&retail(), &exempt);
    assert!(
        !d["fired"]
            .as_array()
            .unwrap()
            .contains(&json!("unhappy_customer"))
    );
}

#[test]
fn missing_values_leave_rules_undecided() {
    // Absent optional fields are data: the rules reading them do not apply (SPEC §6).
    let record = with(base(), &["csat"], Value::Null);
    let record = with(record, &["refund"], json!({}));
    let d = decide(&retail(), &record);
    assert_eq!(d["undecided"], json!([]));
    for rule in ["refund_cap_rule", "refund_velocity", "unhappy_customer"] {
        assert!(
            !d["fired"].as_array().unwrap().contains(&json!(rule)),
            "{d}"
        );
    }
    assert_eq!(d["errors"], json!([]));
    // A required field that is absent is reported once, and its rules are undecided.
    let mut record = base();
    record.as_object_mut().unwrap().remove("opened_at");
    let d = decide(&retail(), &record);
    assert_eq!(
        d["errors"],
        json!([{"rule": null, "field": "opened_at", "message": "required field `opened_at` is missing"}])
    );
    assert_eq!(
        d["undecided"][0],
        json!({"rule": "first_reply", "missing": ["opened_at"]})
    );
    assert_eq!(
        d["undecided"][1],
        json!({"rule": "resolution", "missing": ["opened_at"]})
    );
}

#[test]
fn errors_stay_in_their_rules() {
    let record = with(base(), &["refund", "requested"], json!("100 USD"));
    let record = with(record, &["first_reply_at"], json!("2026-03-02T03:00:00Z"));
    let d = decide(&retail(), &record);
    let errors: Vec<(&str, &str)> = d["errors"]
        .as_array()
        .unwrap()
        .iter()
        .map(|e| (e["rule"].as_str().unwrap(), e["message"].as_str().unwrap()))
        .collect();
    assert_eq!(errors.len(), 3, "{errors:?}");
    assert_eq!(errors[0].0, "first_reply");
    assert!(errors[0].1.contains("before the clock started"));
    assert_eq!(
        errors[1],
        ("refund_cap_rule", "currency mismatch: `USD` and `INR`")
    );
    assert_eq!(
        errors[2],
        ("refund_velocity", "currency mismatch: `INR` and `USD`")
    );
    // The other rules are untouched.
    assert_eq!(d["fired"], json!(["resolution"]));
    assert_eq!(check(&d, "resolution")["status"], json!("pending"));
    // A value of the wrong type names its field.
    let record = with(base(), &["priority"], json!("critical"));
    let d = decide(&retail(), &record);
    assert_eq!(d["errors"][0]["rule"], json!("first_reply"));
    assert_eq!(d["errors"][0]["field"], json!("priority"));
}

#[test]
fn decisions_are_byte_identical() {
    let p = retail();
    let options = service_policy::EvalOptions::at(eval_support::NOW.parse().unwrap());
    let first = serde_json::to_string(&p.evaluate(&base(), &options)).unwrap();
    for _ in 0..5 {
        assert_eq!(
            serde_json::to_string(&p.evaluate(&base(), &options)).unwrap(),
            first
        );
    }
    assert_eq!(
        serde_json::to_string(&retail().evaluate(&base(), &options)).unwrap(),
        first
    );
}

#[test]
fn decisions_read_back_from_their_json() {
    let p = retail();
    let now = eval_support::NOW.parse().unwrap();
    let records = [
        base(),
        with(base(), &["message"], json!("legal action")),
        with(base(), &["first_reply_at"], Value::Null),
        with(base(), &["refund", "requested"], json!("100 USD")),
    ];
    for record in records {
        for explain in [service_policy::Explain::Off, service_policy::Explain::On] {
            let options = service_policy::EvalOptions {
                now,
                explain,
                as_of_field: None,
            };
            let decision = p.evaluate(&record, &options);
            let text = serde_json::to_string(&decision).unwrap();
            let back: service_policy::Decision = serde_json::from_str(&text).unwrap();
            assert_eq!(back, decision);
            assert_eq!(serde_json::to_string(&back).unwrap(), text);
        }
    }
}
