//! SPEC §11, explain: every test of a guard is traced with its operands, and each rule says
//! why it applied, did not apply, or was undecided.
#![allow(
    clippy::unwrap_used,
    clippy::expect_used,
    clippy::panic,
    clippy::indexing_slicing,
    reason = "tests stop loudly on the unexpected"
)]

mod eval_support;

use eval_support::{body, explain};
use serde_json::{Value, json};

fn tests_of(d: &Value, rule: usize) -> Vec<Value> {
    d["trace"][rule]["comparisons"]
        .as_array()
        .unwrap_or_else(|| panic!("{d}"))
        .clone()
}

#[test]
fn in_contains_matches_and_presence_are_traced_with_both_operands() {
    let p = body(
        r#"rule r {
             when tier in ["gold", "silver"] and tags contains "vip"
               and message matches "(?i)refund" and phone is missing and email is present
             then tag "x"
           }"#,
    );
    let d = explain(
        &p,
        &json!({"tier": "gold", "tags": ["vip"], "message": "Refund please", "email": "a@b.c"}),
    );
    let tests = tests_of(&d, 0);
    let exprs: Vec<&str> = tests.iter().map(|t| t["expr"].as_str().unwrap()).collect();
    assert_eq!(
        exprs,
        [
            r#"tier in ["gold", "silver"]"#,
            r#"tags contains "vip""#,
            r#"message matches "(?i)refund""#,
            "phone is missing",
            "email is present",
        ],
        "{d}"
    );
    assert_eq!(tests[0]["left"], "gold");
    assert_eq!(tests[0]["right"], json!(["gold", "silver"]));
    assert_eq!(tests[1]["left"], json!(["vip"]));
    assert_eq!(tests[1]["right"], "vip");
    assert_eq!(tests[2]["left"], "Refund please");
    assert_eq!(tests[2]["right"], "(?i)refund");
    assert_eq!(tests[3]["left"], Value::Null);
    assert_eq!(tests[4]["left"], "a@b.c");
    assert!(tests.iter().all(|t| t["result"] == true), "{d}");
    assert_eq!(d["trace"][0]["status"], "applied");
    assert_eq!(d["trace"][0]["decided_by"], "email is present", "{d}");
}

#[test]
fn a_rule_that_does_not_apply_names_the_test_that_settled_it() {
    let p = body(r#"rule r { when csat <= 2 or message matches "angry" then tag "x" }"#);
    let d = explain(&p, &json!({"csat": 4, "message": "thanks"}));
    assert_eq!(d["trace"][0]["status"], "not_applied", "{d}");
    assert_eq!(
        d["trace"][0]["decided_by"], r#"message matches "angry""#,
        "{d}"
    );
    let tests = tests_of(&d, 0);
    assert_eq!(tests[0]["left"], 4);
    assert_eq!(tests[0]["result"], false);
    assert_eq!(tests[1]["result"], false);
    // An `and` stops at its first false test, and that test is the reason.
    let p = body(r#"rule r { when tier in ["gold"] and csat <= 2 then tag "x" }"#);
    let d = explain(&p, &json!({"csat": 1, "tier": "bronze"}));
    assert_eq!(d["trace"][0]["decided_by"], r#"tier in ["gold"]"#, "{d}");
    assert_eq!(tests_of(&d, 0).len(), 1, "{d}");
}

#[test]
fn an_undecided_rule_names_its_missing_fields_and_untraced_output_stays_as_it_was() {
    let p = body(r#"rule r { when tier in ["gold"] then tag "x" }"#);
    let d = explain(&p, &json!({}));
    assert_eq!(d["trace"][0]["status"], "undecided", "{d}");
    assert_eq!(d["trace"][0]["missing"], json!(["tier"]), "{d}");
    assert_eq!(d["trace"][0]["decided_by"], Value::Null, "{d}");
    let tests = tests_of(&d, 0);
    assert_eq!(tests[0]["result"], Value::Null, "{d}");
    assert_eq!(tests[0]["left"], Value::Null, "{d}");
    let plain = eval_support::decide(&p, &json!({}));
    assert!(plain.get("trace").is_none(), "{plain}");
}

#[test]
fn during_is_traced_with_the_instant_it_tested() {
    let p = body(
        r#"calendar c { mon-fri 09:00-17:00 }
           rule r { when t during c then tag "x" }"#,
    );
    let d = explain(&p, &json!({"t": "2026-03-02T08:30:00Z"}));
    let tests = tests_of(&d, 0);
    assert_eq!(tests.len(), 1, "{d}");
    assert_eq!(tests[0]["expr"], "t during c", "{d}");
    assert_eq!(tests[0]["left"], "2026-03-02T08:30:00Z", "{d}");
    assert_eq!(tests[0]["right"], Value::Null, "{d}");
    assert_eq!(tests[0]["result"], false, "{d}");
    assert_eq!(d["trace"][0]["decided_by"], "t during c", "{d}");
}
