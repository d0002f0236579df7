//! Refund requests through the refund-approval policy: who may approve each one, and why.
//!
//! ```text
//! cargo run --example refunds
//! ```
//!
//! The policy (`examples/policies/refunds.policy`) caps refunds by customer tier, sends
//! refunds over half the order value to a store manager (unless the goods arrived damaged),
//! watches the sum refunded in the last 30 days, tags repeat refunders and gives loyal
//! customers a goodwill credit for damaged goods.

use std::error::Error;

use serde_json::{Value, json};
use service_policy::{ActionKind, Check, Explain, LimitStatus};
use service_policy::{Decision, EvalOptions, Policy};

const REFUNDS: &str = include_str!("policies/refunds.policy");

fn main() -> Result<(), Box<dyn Error>> {
    let policy = Policy::parse_named("refunds.policy", REFUNDS)?;
    // Explain on: the trace shows the values the velocity guard compared, so we can print
    // the 30-day total the policy computed instead of computing it a second time here.
    let options = EvalOptions {
        explain: Explain::On,
        ..EvalOptions::at("2026-03-02T10:00:00Z".parse()?)
    };

    let requests = [
        request(
            "R-101",
            "late parcel, small refund",
            "standard",
            "25 EUR",
            "80 EUR",
            "late",
            &[],
        ),
        request(
            "R-102",
            "broken vase",
            "gold",
            "90 EUR",
            "120 EUR",
            "damaged",
            &[],
        ),
        request(
            "R-103",
            "wrong size, most of the order",
            "standard",
            "120 EUR",
            "150 EUR",
            "wrong-item",
            &[],
        ),
        request(
            "R-104",
            "changed mind on a big order",
            "platinum",
            "450 EUR",
            "1200 EUR",
            "changed-mind",
            &[],
        ),
        request(
            "R-105",
            "third refund this quarter",
            "standard",
            "150 EUR",
            "400 EUR",
            "changed-mind",
            &[
                ("120 EUR", "2026-02-25T09:00:00Z"),
                ("60 EUR", "2026-02-10T15:30:00Z"),
                ("40 EUR", "2025-12-20T12:00:00Z"),
            ],
        ),
        request(
            "R-106",
            "refund asked in dollars",
            "gold",
            "30 USD",
            "100 EUR",
            "late",
            &[],
        ),
    ];

    println!("{}, evaluated at {}\n", policy.name(), options.now);
    println!(
        "{:<6} {:<31} {:<9} {:>9} {:>9} {:>10}  outcome",
        "id", "request", "tier", "refund", "order", "30 days"
    );
    println!("{}", "─".repeat(100));
    for (about, record) in &requests {
        let decision = policy.evaluate(record, &options);
        let id = record.get("id").and_then(Value::as_str).unwrap_or("?");
        println!(
            "{:<6} {:<31} {:<9} {:>9} {:>9} {:>10}  {}",
            id,
            about,
            record
                .pointer("/customer/tier")
                .and_then(Value::as_str)
                .unwrap_or("?"),
            record
                .pointer("/refund/requested")
                .and_then(Value::as_str)
                .unwrap_or("?"),
            record
                .pointer("/order/total")
                .and_then(Value::as_str)
                .unwrap_or("?"),
            thirty_day_total(&decision).unwrap_or_else(|| "—".into()),
            outcome(&decision).first().map(String::as_str).unwrap_or("")
        );
        for line in outcome(&decision).iter().skip(1) {
            println!("{:>81}{line}", "");
        }
    }
    println!(
        "\n30 days: earlier refunds in the last 30 days plus this one, as the policy summed them"
    );
    Ok(())
}

/// A refund request record, as a refund tool would send it.
fn request(
    id: &str,
    about: &'static str,
    tier: &str,
    requested: &str,
    total: &str,
    reason: &str,
    earlier: &[(&str, &str)],
) -> (&'static str, Value) {
    let refunds: Vec<Value> = earlier
        .iter()
        .map(|(amount, at)| json!({ "amount": amount, "at": at }))
        .collect();
    let record = json!({
        "id": id,
        "order": { "total": total },
        "refund": { "requested": requested },
        "reason": reason,
        "customer": { "tier": tier, "refunds": refunds }
    });
    (about, record)
}

/// The left side of the velocity guard's comparison, from the trace.
fn thirty_day_total(decision: &Decision) -> Option<String> {
    let trace = decision.trace.as_ref()?;
    let velocity = trace.iter().find(|t| t.rule == "velocity")?;
    // The comparisons inside the comprehension come first; the guard's own `>` is last.
    let comparison = velocity.comparisons.last()?;
    comparison.left.as_str().map(str::to_owned)
}

/// What the agent sees: approvals needed, limits over, credits, tags, errors.
fn outcome(decision: &Decision) -> Vec<String> {
    let mut lines = Vec::new();
    for check in &decision.checks {
        if let Check::Limit(limit) = check
            && limit.status == LimitStatus::Exceeded
            && let Some(excess) = &limit.excess
        {
            lines.push(format!("over `{}` by {excess}", limit.rule));
        }
    }
    for action in &decision.actions {
        lines.push(match &action.kind {
            ActionKind::RequireApproval { from } => format!("needs approval from {from}"),
            ActionKind::Refund { amount } => format!("refund {amount}"),
            ActionKind::Compensate { amount } => format!("credit {amount} goodwill"),
            ActionKind::Tag { tag } => format!("tagged {tag}"),
            ActionKind::Notify { to } => format!("tell the {to}"),
            other => other.name().to_owned(),
        });
    }
    for error in &decision.errors {
        lines.push(format!(
            "cannot decide `{}`: {}",
            error.rule.as_deref().unwrap_or("record"),
            error.message
        ));
    }
    if lines.is_empty() {
        lines.push("agent may refund now".into());
    }
    lines
}
