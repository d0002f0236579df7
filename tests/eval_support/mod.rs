//! Helpers shared by the evaluation tests.
#![allow(dead_code)]

use serde_json::{Value, json};
use service_policy::{EvalOptions, Explain, Policy};

/// The default evaluation instant of the tests.
pub const NOW: &str = "2026-03-02T10:00:00Z";

/// Parses a policy, failing the test with the diagnostics.
pub fn policy(source: &str) -> Policy {
    match Policy::parse(source) {
        Ok(p) => p,
        Err(e) => panic!("policy does not load:\n{e}\n{source}"),
    }
}

/// Wraps items into a policy named `T`.
pub fn body(items: &str) -> Policy {
    policy(&format!("policy \"T\" {{\n{items}\n}}"))
}

/// The decision as JSON at `now`.
pub fn decide_at(policy: &Policy, record: &Value, now: &str) -> Value {
    let options = EvalOptions::at(now.parse().unwrap());
    serde_json::to_value(policy.evaluate(record, &options)).unwrap()
}

/// The decision as JSON at [`NOW`].
pub fn decide(policy: &Policy, record: &Value) -> Value {
    decide_at(policy, record, NOW)
}

/// The decision with a trace.
pub fn explain(policy: &Policy, record: &Value) -> Value {
    let options = EvalOptions {
        explain: Explain::On,
        ..EvalOptions::at(NOW.parse().unwrap())
    };
    serde_json::to_value(policy.evaluate(record, &options)).unwrap()
}

/// The value of an expression (as the argument of an action), `Err("missing")` when the
/// rule is undecided, `Err(message)` when it errors.
pub fn calc_with(items: &str, expr: &str, record: &Value) -> Result<Value, String> {
    let p = body(&format!(
        "{items}\nrule r {{ then tag \"t\" with {{ v: {expr} }} }}"
    ));
    let d = decide(&p, record);
    if let Some(action) = d["actions"].as_array().and_then(|a| a.first()) {
        return Ok(action["args"]["v"].clone());
    }
    if d["undecided"].as_array().is_some_and(|u| !u.is_empty()) {
        return Err("missing".to_owned());
    }
    match d["errors"].as_array().and_then(|e| e.first()) {
        Some(e) => Err(e["message"].as_str().unwrap().to_owned()),
        None => panic!("no outcome for {expr}: {d}"),
    }
}

/// [`calc_with`] without other items and with an empty record.
pub fn calc(expr: &str) -> Result<Value, String> {
    calc_with("", expr, &json!({}))
}

/// The three-valued truth of a guard: `Some(bool)`, or `None` when undecided; panics on
/// an error.
pub fn truth_with(items: &str, guard: &str, record: &Value) -> Option<bool> {
    let p = body(&format!(
        "{items}\nrule r {{ when {guard} then tag \"t\" }}"
    ));
    let d = decide(&p, record);
    assert_eq!(d["errors"], json!([]), "{guard}: {d}");
    if d["fired"] == json!(["r"]) {
        Some(true)
    } else if d["undecided"].as_array().is_some_and(|u| !u.is_empty()) {
        None
    } else {
        Some(false)
    }
}

/// [`truth_with`] without other items.
pub fn truth(guard: &str, record: &Value) -> Option<bool> {
    truth_with("", guard, record)
}
