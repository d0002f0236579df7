//! Rules, checks, handlers, actions and the decision (SPEC §9–§11) through the public API.
#![allow(
    clippy::unwrap_used,
    clippy::expect_used,
    clippy::panic,
    clippy::indexing_slicing,
    reason = "tests and benches stop loudly on the unexpected"
)]

mod eval_support;

use eval_support::{body, decide, decide_at, explain};
use serde_json::{Value, json};

fn names(d: &Value, key: &str) -> Value {
    d[key].clone()
}

fn actions_without_keys(d: &Value) -> Value {
    let mut actions = d["actions"].clone();
    for a in actions.as_array_mut().unwrap() {
        let key = a.as_object_mut().unwrap().remove("key").unwrap();
        assert_eq!(key.as_str().unwrap().len(), 16, "{key}");
        assert!(key.as_str().unwrap().chars().all(|c| c.is_ascii_hexdigit()));
    }
    actions
}

#[test]
fn when_and_unless() {
    let p = body(r#"rule r { when a unless b then tag "t" }"#);
    for (record, fired, undecided) in [
        (json!({"a": true, "b": false}), true, false),
        (json!({"a": true, "b": true}), false, false),
        (json!({"a": false, "b": null}), false, false),
        (json!({"a": null, "b": true}), false, false),
        (json!({"a": true, "b": null}), false, true),
        (json!({"a": null, "b": false}), false, true),
    ] {
        let d = decide(&p, &record);
        assert_eq!(d["fired"] == json!(["r"]), fired, "{record}: {d}");
        assert_eq!(
            d["undecided"].as_array().unwrap().len() == 1,
            undecided,
            "{record}: {d}"
        );
    }
    let always = body(r#"rule r { then tag "t" }"#);
    assert_eq!(decide(&always, &json!({}))["fired"], json!(["r"]));
}

#[test]
fn a_guard_that_is_not_a_condition_is_an_error() {
    let p = body(r#"rule r { when n then tag "t" } rule s { then tag "u" }"#);
    let d = decide(&p, &json!({"n": 3}));
    assert_eq!(
        d["errors"],
        json!([{"rule": "r", "field": null, "message": "a condition must be true or false, found number"}])
    );
    assert_eq!(d["fired"], json!(["s"]));
}

#[test]
fn first_of_takes_the_first_rule_that_applies() {
    let p = body(
        r#"first of {
             rule a { when x == 1 then tag "a" }
             rule b { when y == 1 then tag "b" }
             rule c { then tag "c" }
           }
           rule d { then tag "d" }"#,
    );
    let tags = |record: Value| {
        let d = decide(&p, &record);
        (d["fired"].clone(), d["undecided"].clone())
    };
    assert_eq!(
        tags(json!({"x": 1, "y": 1})),
        (json!(["a", "d"]), json!([]))
    );
    assert_eq!(
        tags(json!({"x": 0, "y": 1})),
        (json!(["b", "d"]), json!([]))
    );
    assert_eq!(
        tags(json!({"x": 0, "y": 0})),
        (json!(["c", "d"]), json!([]))
    );
    // An undecided rule stops the block: a later rule does not take its place.
    assert_eq!(
        tags(json!({"y": 1})),
        (json!(["d"]), json!([{"rule": "a", "missing": ["x"]}]))
    );
}

const DEADLINE: &str = r#"
  rule reply {
    expect replied_at within 1h of opened_at
    at 50%: notify "lead"
    at 90%: notify "manager"
    on breach: escalate to "supervisor"
    after breach by 2h: escalate to "duty"
    on met: tag "on-time"
  }"#;

#[test]
fn deadline_met() {
    let p = body(DEADLINE);
    let d = decide(
        &p,
        &json!({"opened_at": "2026-03-02T09:00:00Z", "replied_at": "2026-03-02T09:45:00Z"}),
    );
    assert_eq!(
        d["checks"],
        json!([{"rule": "reply", "kind": "deadline", "status": "met", "target": "1h",
                "deadline": "2026-03-02T10:00:00Z", "elapsed": "45m", "remaining": null}])
    );
    assert_eq!(
        actions_without_keys(&d),
        json!([{"action": "tag", "tag": "on-time", "rules": ["reply"]}])
    );
    assert_eq!(d["recheck_at"], Value::Null);
}

#[test]
fn deadline_met_exactly_at_the_deadline() {
    let p = body(DEADLINE);
    let d = decide(
        &p,
        &json!({"opened_at": "2026-03-02T09:00:00Z", "replied_at": "2026-03-02T10:00:00Z"}),
    );
    assert_eq!(d["checks"][0]["status"], json!("met"));
}

#[test]
fn deadline_breached_when_done_late() {
    let p = body(DEADLINE);
    let d = decide(
        &p,
        &json!({"opened_at": "2026-03-02T07:00:00Z", "replied_at": "2026-03-02T09:30:00Z"}),
    );
    assert_eq!(d["checks"][0]["status"], json!("breached"));
    assert_eq!(d["checks"][0]["elapsed"], json!("2h30m"));
    // 1h30m late: on breach, not yet two hours after.
    assert_eq!(
        actions_without_keys(&d),
        json!([{"action": "escalate", "to": "supervisor", "rules": ["reply"]}])
    );
    assert_eq!(d["recheck_at"], Value::Null);
}

#[test]
fn deadline_breached_while_open_and_after_breach_steps() {
    let p = body(DEADLINE);
    let record = json!({"opened_at": "2026-03-02T08:00:00Z"});
    let d = decide(&p, &record);
    assert_eq!(
        d["checks"],
        json!([{"rule": "reply", "kind": "deadline", "status": "breached", "target": "1h",
                "deadline": "2026-03-02T09:00:00Z", "elapsed": "2h", "remaining": null}])
    );
    assert_eq!(
        actions_without_keys(&d),
        json!([{"action": "escalate", "to": "supervisor", "rules": ["reply"]}])
    );
    // The next change: two hours after the breach.
    assert_eq!(d["recheck_at"], json!("2026-03-02T11:00:00Z"));
    let later = decide_at(&p, &record, "2026-03-02T11:00:00Z");
    let escalations: Vec<&Value> = later["actions"].as_array().unwrap().iter().collect();
    assert_eq!(escalations.len(), 2);
    assert_eq!(escalations[1]["to"], json!("duty"));
    assert_eq!(later["recheck_at"], Value::Null);
}

#[test]
fn deadline_pending_with_thresholds() {
    let p = body(DEADLINE);
    let record = json!({"opened_at": "2026-03-02T09:20:00Z"});
    let d = decide(&p, &record);
    assert_eq!(
        d["checks"],
        json!([{"rule": "reply", "kind": "deadline", "status": "pending", "target": "1h",
                "deadline": "2026-03-02T10:20:00Z", "elapsed": "40m", "remaining": "20m"}])
    );
    assert_eq!(
        actions_without_keys(&d),
        json!([{"action": "notify", "to": "lead", "rules": ["reply"]}])
    );
    // 90% of an hour after 09:20 comes before the deadline.
    assert_eq!(d["recheck_at"], json!("2026-03-02T10:14:00Z"));
    let early = decide(&p, &json!({"opened_at": "2026-03-02T09:50:00Z"}));
    assert_eq!(early["actions"], json!([]));
    assert_eq!(early["recheck_at"], json!("2026-03-02T10:20:00Z"));
    let at_deadline = decide(&p, &json!({"opened_at": "2026-03-02T09:00:00Z"}));
    assert_eq!(at_deadline["checks"][0]["status"], json!("pending"));
    assert_eq!(at_deadline["checks"][0]["remaining"], json!("0s"));
}

#[test]
fn deadline_with_calendar_and_pauses() {
    let p = body(
        r#"calendar office { mon-fri 09:00-17:00 }
           rule reply { expect done within 4h of opened using office excluding paused }"#,
    );
    // Friday 15:00 + 4 open hours = Monday 11:00, plus a one-hour pause on Monday.
    let record = json!({"opened": "2026-02-27T15:00:00Z",
                        "paused": [{"from": "2026-03-02T09:00:00Z", "to": "2026-03-02T10:00:00Z"}]});
    let d = decide_at(&p, &record, "2026-03-02T09:30:00Z");
    assert_eq!(d["checks"][0]["deadline"], json!("2026-03-02T12:00:00Z"));
    assert_eq!(d["checks"][0]["elapsed"], json!("2h"));
    assert_eq!(d["recheck_at"], json!("2026-03-02T12:00:00Z"));
    // An open pause stops the clock until now, and nothing changes without new data.
    let open =
        json!({"opened": "2026-02-27T15:00:00Z", "paused": [{"from": "2026-03-02T09:00:00Z"}]});
    let d = decide_at(&p, &open, "2026-03-02T10:00:00Z");
    assert_eq!(d["checks"][0]["elapsed"], json!("2h"));
    assert_eq!(d["checks"][0]["status"], json!("pending"));
    assert_eq!(d["recheck_at"], Value::Null);
}

#[test]
fn done_before_start_is_an_error() {
    let p = body(DEADLINE);
    let d = decide(
        &p,
        &json!({"opened_at": "2026-03-02T09:00:00Z", "replied_at": "2026-03-02T08:00:00Z"}),
    );
    assert_eq!(d["checks"], json!([]));
    assert_eq!(d["actions"], json!([]));
    assert_eq!(d["fired"], json!([]));
    assert_eq!(d["errors"][0]["rule"], json!("reply"));
    assert!(
        d["errors"][0]["message"]
            .as_str()
            .unwrap()
            .contains("before the clock started")
    );
}

#[test]
fn a_deadline_without_a_start_is_undecided() {
    let p = body(DEADLINE);
    let d = decide(&p, &json!({"replied_at": "2026-03-02T08:00:00Z"}));
    assert_eq!(
        d["undecided"],
        json!([{"rule": "reply", "missing": ["opened_at"]}])
    );
    assert_eq!(d["fired"], json!([]));
}

#[test]
fn limits() {
    let p = body(
        r#"rule cap { limit amount <= 100 USD on exceed: require approval from "manager" }
           rule strict { limit amount < 100 USD on exceed: tag "at-cap" }"#,
    );
    let d = decide(&p, &json!({"amount": "100 USD"}));
    assert_eq!(
        d["checks"],
        json!([
            {"rule": "cap", "kind": "limit", "status": "within", "value": "100 USD", "limit": "100 USD", "excess": null},
            {"rule": "strict", "kind": "limit", "status": "exceeded", "value": "100 USD", "limit": "100 USD", "excess": "0 USD"}
        ])
    );
    assert_eq!(
        actions_without_keys(&d),
        json!([{"action": "tag", "tag": "at-cap", "rules": ["strict"]}])
    );
    let d = decide(&p, &json!({"amount": "130.5 USD"}));
    assert_eq!(d["checks"][0]["excess"], json!("30.50 USD"));
    assert_eq!(d["actions"][0]["action"], json!("require_approval"));
    let d = decide(&p, &json!({"amount": "5 EUR"}));
    assert_eq!(d["errors"].as_array().unwrap().len(), 2);
    assert_eq!(
        d["errors"][0]["message"],
        json!("currency mismatch: `EUR` and `USD`")
    );
    let d = decide(&p, &json!({}));
    assert_eq!(
        d["undecided"][0],
        json!({"rule": "cap", "missing": ["amount"]})
    );
}

#[test]
fn every_action_shape() {
    let p = body(
        r#"rule all {
             then escalate to "supervisor"
                  notify "team-lead"
                  assign to "billing"
                  require approval from "store-manager"
                  follow up within 24h
                  refund 12.5 USD
                  compensate 5 EUR
                  tag "x"
                  set priority to "urgent"
                  emit "ticket.flagged"
                  notify "ops" with { reason: "late", amount: 3 USD, count: 2 }
           }"#,
    );
    let d = decide(&p, &json!({}));
    assert_eq!(
        actions_without_keys(&d),
        json!([
            {"action": "escalate", "to": "supervisor", "rules": ["all"]},
            {"action": "notify", "to": "team-lead", "rules": ["all"]},
            {"action": "assign", "to": "billing", "rules": ["all"]},
            {"action": "require_approval", "from": "store-manager", "rules": ["all"]},
            {"action": "follow_up", "within": "1d", "due": "2026-03-03T10:00:00Z", "rules": ["all"]},
            {"action": "refund", "amount": "12.50 USD", "rules": ["all"]},
            {"action": "compensate", "amount": "5 EUR", "rules": ["all"]},
            {"action": "tag", "tag": "x", "rules": ["all"]},
            {"action": "set", "field": "priority", "value": "urgent", "rules": ["all"]},
            {"action": "emit", "name": "ticket.flagged", "rules": ["all"]},
            {"action": "notify", "to": "ops", "args": {"reason": "late", "amount": "3 USD", "count": 2}, "rules": ["all"]}
        ])
    );
    // The JSON keys come in the order of SPEC §10 and §11.
    let text = serde_json::to_string(&d["actions"][10]).unwrap();
    assert!(text.starts_with(r#"{"action":"notify","to":"ops","args":{"reason":"late","amount":"3 USD","count":2},"rules":["all"],"key":""#), "{text}");
}

#[test]
fn equal_actions_merge_and_keys_are_stable() {
    let p = body(
        r#"rule a { then tag "x" notify "lead" }
           rule b { then notify "lead" }
           rule c { then notify "lead" with { why: "c" } }"#,
    );
    let d = decide(&p, &json!({}));
    assert_eq!(
        actions_without_keys(&d),
        json!([
            {"action": "tag", "tag": "x", "rules": ["a"]},
            {"action": "notify", "to": "lead", "rules": ["a", "b"]},
            {"action": "notify", "to": "lead", "args": {"why": "c"}, "rules": ["c"]}
        ])
    );
    let keys: Vec<&str> = d["actions"]
        .as_array()
        .unwrap()
        .iter()
        .map(|a| a["key"].as_str().unwrap())
        .collect();
    assert_ne!(keys[1], keys[2]);
    // The key does not depend on which rules required the action.
    let q = body(r#"rule z { then notify "lead" }"#);
    assert_eq!(decide(&q, &json!({}))["actions"][0]["key"], json!(keys[1]));
    let other = eval_support::policy(r#"policy "Other" { rule z { then notify "lead" } }"#);
    assert_ne!(
        decide(&other, &json!({}))["actions"][0]["key"],
        json!(keys[1])
    );
}

#[test]
fn escalations_collapse_to_the_highest_on_the_ladder() {
    let p = body(
        r#"ladder "agent", "team-lead", "supervisor"
           rule a { then escalate to "team-lead" tag "a" }
           rule b { then escalate to "supervisor" }
           rule c { then escalate to "agent" }"#,
    );
    let d = decide(&p, &json!({}));
    assert_eq!(
        actions_without_keys(&d),
        json!([
            {"action": "tag", "tag": "a", "rules": ["a"]},
            {"action": "escalate", "to": "supervisor", "rules": ["a", "b", "c"]}
        ])
    );
    let no_ladder = body(r#"rule a { then escalate to "x" } rule b { then escalate to "y" }"#);
    assert_eq!(
        decide(&no_ladder, &json!({}))["actions"]
            .as_array()
            .unwrap()
            .len(),
        2
    );
}

#[test]
fn conflicting_sets_are_kept_and_reported() {
    let p = body(
        r#"rule a { then set priority to "urgent" }
           rule b { then set priority to "high" }
           rule c { then set priority to "urgent" }"#,
    );
    let d = decide(&p, &json!({}));
    assert_eq!(
        actions_without_keys(&d),
        json!([
            {"action": "set", "field": "priority", "value": "urgent", "rules": ["a", "c"]},
            {"action": "set", "field": "priority", "value": "high", "rules": ["b"]}
        ])
    );
    assert_eq!(
        d["errors"],
        json!([{"rule": "b", "field": "priority",
                "message": "conflict: `priority` is set to `\"urgent\"` by `a`, `c` and to `\"high\"` by `b`"}])
    );
}

#[test]
fn rules_are_atomic() {
    let p = body(
        r#"rule a { then tag "a" notify who }
           rule b { then tag "b" set total to 1 / 0 }
           rule c { then tag "c" }"#,
    );
    let d = decide(&p, &json!({}));
    assert_eq!(
        actions_without_keys(&d),
        json!([{"action": "tag", "tag": "c", "rules": ["c"]}])
    );
    assert_eq!(d["undecided"], json!([{"rule": "a", "missing": ["who"]}]));
    assert_eq!(d["errors"][0]["rule"], json!("b"));
    assert_eq!(d["fired"], json!(["c"]));
}

#[test]
fn schema_errors_and_required_fields() {
    let p = body(
        r#"record { priority: "low" | "high"  amount: money  note: text? }
           rule a { when priority == "high" then tag "a" }
           rule b { limit amount <= 10 USD }
           rule c { when note is missing then tag "c" }"#,
    );
    let d = decide(&p, &json!({"priority": "medium"}));
    assert_eq!(
        d["errors"],
        json!([
            {"rule": null, "field": "amount", "message": "required field `amount` is missing"},
            {"rule": "a", "field": "priority", "message": "`priority`: expected one of `low`, `high`, found `\"medium\"`"}
        ])
    );
    assert_eq!(
        d["undecided"],
        json!([{"rule": "b", "missing": ["amount"]}])
    );
    assert_eq!(d["fired"], json!(["c"]));
    let d = decide(&p, &json!({"priority": "low", "amount": 12}));
    assert_eq!(d["errors"][0]["field"], json!("amount"));
    assert_eq!(
        d["errors"][0]["message"],
        json!("`amount`: expected money like `\"12.50 USD\"`, found `12`")
    );
}

#[test]
fn a_record_that_is_not_an_object() {
    let p = body(r#"rule a { when x == 1 then tag "a" } rule b { then tag "b" }"#);
    let d = decide(&p, &json!([1, 2]));
    assert_eq!(
        d["errors"][0],
        json!({"rule": null, "field": null, "message": "the record must be a JSON object, found `[1,2]`"})
    );
    assert_eq!(d["fired"], json!(["b"]));
    assert_eq!(d["undecided"][0]["rule"], json!("a"));
}

#[test]
fn decision_layout_and_explain_trace() {
    let p = eval_support::policy(
        r#"policy "P" {
             version "7"
             rule r { when csat <= 2 and channel == "chat" then tag "sad" }
             rule s { when csat > 4 then tag "happy" }
           }"#,
    );
    let record = json!({"csat": 1, "channel": "chat"});
    let plain = serde_json::to_string(&p.evaluate(
        &record,
        &service_policy::EvalOptions::at(eval_support::NOW.parse().unwrap()),
    ))
    .unwrap();
    assert!(
        plain
            .starts_with(r#"{"policy":"P","version":"7","now":"2026-03-02T10:00:00Z","actions":["#),
        "{plain}"
    );
    assert!(
        plain.ends_with(r#""fired":["r"],"undecided":[],"errors":[],"recheck_at":null}"#),
        "{plain}"
    );
    let d = explain(&p, &record);
    assert_eq!(
        d["trace"],
        json!([
            {"rule": "r", "status": "applied", "comparisons": [
                {"expr": "csat <= 2", "left": 1, "right": 2, "result": true},
                {"expr": "channel == \"chat\"", "left": "chat", "right": "chat", "result": true}
            ], "decided_by": "channel == \"chat\""},
            {"rule": "s", "status": "not_applied", "comparisons": [
                {"expr": "csat > 4", "left": 1, "right": 4, "result": false}
            ], "decided_by": "csat > 4"}
        ])
    );
    let d = explain(&p, &json!({"channel": "chat"}));
    assert_eq!(d["trace"][0]["status"], json!("undecided"));
    assert_eq!(
        d["trace"][0]["comparisons"][0],
        json!({"expr": "csat <= 2", "left": null, "right": 2, "result": null})
    );
}

#[test]
fn skipped_rules_in_first_of_are_traced() {
    let p = body(r#"first of { rule a { then tag "a" } rule b { then tag "b" } }"#);
    let d = explain(&p, &json!({}));
    assert_eq!(
        d["trace"][1],
        json!({"rule": "b", "status": "skipped", "comparisons": [], "decided_by": null})
    );
    assert_eq!(names(&d, "fired"), json!(["a"]));
}

#[test]
fn records_from_yaml_and_host_structs() {
    let p = body(r#"rule r { when amount > 100 USD and channel == "chat" then tag "big" }"#);
    let now = eval_support::NOW.parse().unwrap();
    let options = service_policy::EvalOptions::at(now);
    let d = p
        .evaluate_yaml("amount: 150 USD\nchannel: chat\n", &options)
        .unwrap();
    assert_eq!(d.fired, ["r"]);
    assert_eq!(
        d.actions[0].kind,
        service_policy::ActionKind::Tag { tag: "big".into() }
    );
    assert!(p.evaluate_yaml("amount: [unclosed", &options).is_err());
    #[derive(serde::Serialize)]
    struct Ticket<'a> {
        amount: &'a str,
        channel: &'a str,
    }
    let d = p
        .evaluate_serialize(
            &Ticket {
                amount: "50 USD",
                channel: "chat",
            },
            &options,
        )
        .unwrap();
    assert!(d.fired.is_empty());
}

#[test]
fn a_table_without_a_matching_row_is_named_as_missing() {
    let p = body(
        r#"table target(priority) { "urgent" => 15m }
           rule reply { expect replied within target(priority) of opened }"#,
    );
    let d = decide(
        &p,
        &json!({"priority": "low", "opened": "2026-03-02T09:00:00Z"}),
    );
    assert_eq!(
        d["undecided"],
        json!([{"rule": "reply", "missing": ["target(priority)"]}])
    );
    let d = decide(&p, &json!({"opened": "2026-03-02T09:00:00Z"}));
    assert_eq!(
        d["undecided"],
        json!([{"rule": "reply", "missing": ["priority"]}])
    );
    let d = decide(
        &p,
        &json!({"priority": "urgent", "opened": "2026-03-02T09:50:00Z"}),
    );
    assert_eq!(d["checks"][0]["status"], json!("pending"));
}
