//! Why each rule fired or not: the trace of an evaluation, printed for people.
//!
//! ```text
//! cargo run --example explain
//! ```
//!
//! With `Explain::On` a decision carries a `trace`: for every rule its status (applied,
//! not applied, undecided, error, or skipped in a `first of` block) and, for every
//! comparison its guard made, the left value, the right value and the result. This
//! example prints the trace of one retail ticket next to each rule's `when` and `unless`
//! (in canonical form, from `Policy::rules`), then the decision the trace explains.

use std::error::Error;

use serde_json::{Value, json};
use service_policy::{Check, Explain, RuleStatus};
use service_policy::{EvalOptions, Policy};

const RETAIL: &str = include_str!("policies/retail.policy");

fn main() -> Result<(), Box<dyn Error>> {
    let policy = Policy::parse_named("retail.policy", RETAIL)?;
    let options = EvalOptions {
        explain: Explain::On,
        ..EvalOptions::at("2026-03-02T10:00:00Z".parse()?)
    };
    // A gold customer, answered late, asking for a refund after a large one last month,
    // with a low score on a ticket a supervisor already handles as VIP.
    let ticket = json!({
        "id": "T-5001",
        "channel": "chat",
        "priority": "urgent",
        "customer": {
            "tier": "gold",
            "refunds": [ { "amount": "6000 INR", "at": "2026-02-20T11:00:00Z" } ]
        },
        "opened_at": "2026-03-02T09:00:00Z",
        "first_reply_at": "2026-03-02T09:40:00Z",
        "order": { "total": "12000 INR" },
        "refund": { "requested": "5500 INR" },
        "csat": 2,
        "tags": ["vip-handled"]
    });
    println!(
        "ticket {} at {}\n",
        ticket.get("id").and_then(Value::as_str).unwrap_or("?"),
        options.now
    );

    let decision = policy.evaluate(&ticket, &options);
    let trace = decision
        .trace
        .as_ref()
        .ok_or("the decision has no trace although explain was on")?;
    let rules: Vec<_> = policy.rules().collect();
    for step in trace {
        let (mark, status) = match step.status {
            RuleStatus::Applied => ("✔", "applied"),
            RuleStatus::NotApplied => ("✘", "did not apply"),
            RuleStatus::Undecided => ("?", "undecided"),
            RuleStatus::Error => ("!", "error"),
            RuleStatus::Skipped => ("·", "skipped: an earlier rule of its `first of` decided"),
        };
        println!("{mark} {}  {status}", step.rule);
        if let Some(rule) = rules.iter().find(|r| r.name == step.rule) {
            if let Some(when) = &rule.when {
                println!("    when   {when}");
            }
            if let Some(unless) = &rule.unless {
                println!("    unless {unless}");
            }
            if rule.when.is_none() && rule.unless.is_none() {
                println!("    (no guard: the rule always applies)");
            }
        }
        for comparison in &step.comparisons {
            println!("      {}", comparison.expr);
            println!(
                "        {} vs {}  →  {}",
                show(&comparison.left),
                show(&comparison.right),
                match &comparison.result {
                    Value::Bool(true) => "true",
                    Value::Bool(false) => "false",
                    _ => "missing",
                }
            );
        }
        if let Some(undecided) = decision.undecided.iter().find(|u| u.rule == step.rule) {
            println!("      missing: {}", undecided.missing.join(", "));
        }
        if step.status == RuleStatus::NotApplied
            && step
                .comparisons
                .iter()
                .all(|c| c.result == Value::Bool(true))
            && rules
                .iter()
                .any(|r| r.name == step.rule && r.unless.is_some())
        {
            println!("      every comparison held, so the `unless` exempted it");
        }
        println!();
    }

    println!("the checks of the rules that applied:");
    for check in &decision.checks {
        match check {
            Check::Deadline(d) => println!(
                "  {:<16} {:<9} {} used of {}, deadline {}",
                d.rule,
                format!("{:?}", d.status).to_lowercase(),
                d.elapsed,
                d.target,
                d.deadline
            ),
            Check::Limit(l) => println!(
                "  {:<16} {:<9} {} against {}",
                l.rule,
                format!("{:?}", l.status).to_lowercase(),
                l.value,
                l.limit
            ),
        }
    }
    println!();
    println!("the decision this explains:");
    for action in &decision.actions {
        println!(
            "  {:<18} {}  ← {}",
            action.kind.name(),
            action
                .kind
                .fields()
                .iter()
                .map(|(_, v)| show(v))
                .collect::<Vec<_>>()
                .join(" "),
            action.rules.join(", ")
        );
    }
    println!("  fired: {}", decision.fired.join(", "));
    Ok(())
}

fn show(value: &Value) -> String {
    match value {
        Value::String(s) => s.clone(),
        Value::Null => "missing".into(),
        other => other.to_string(),
    }
}
