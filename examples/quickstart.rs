//! Load a policy, evaluate three tickets against it, and print what each one needs.
//!
//! ```text
//! cargo run --example quickstart
//! ```
//!
//! The policy is the retail example of the specification (`examples/policies/retail.policy`):
//! reply deadlines in business hours, refund caps, refund velocity and unhappy customers.

use std::error::Error;

use service_policy::{Action, ActionKind, Check};
use service_policy::{Decision, EvalOptions, Policy};

/// The policy text, compiled into the example so it runs from any folder.
const RETAIL: &str = include_str!("policies/retail.policy");

fn main() -> Result<(), Box<dyn Error>> {
    // Parsing checks the policy too: a policy with errors never loads.
    let policy = Policy::parse_named("retail.policy", RETAIL)?;

    // Evaluation never reads the clock: the host says what "now" is. 10:00 UTC is
    // 15:30 in Kolkata, the policy's time zone, on a Monday.
    let options = EvalOptions::at("2026-03-02T10:00:00Z".parse()?);

    let tickets = [
        (
            "an urgent chat answered 40 minutes after it opened",
            serde_json::json!({
                "id": "T-1001",
                "channel": "chat",
                "priority": "urgent",
                "customer": { "tier": "gold", "refunds": [] },
                "opened_at": "2026-03-02T09:00:00Z",
                "first_reply_at": "2026-03-02T09:40:00Z",
                "order": { "total": "12000 INR" },
                "csat": 4,
                "message": "where is my order?",
                "tags": []
            }),
        ),
        (
            "a refund request after two refunds this month",
            serde_json::json!({
                "id": "T-1002",
                "channel": "email",
                "priority": "normal",
                "customer": {
                    "tier": "standard",
                    "refunds": [
                        { "amount": "4000 INR", "at": "2026-02-20T11:00:00Z" },
                        { "amount": "3500 INR", "at": "2026-02-27T16:00:00Z" }
                    ]
                },
                "opened_at": "2026-03-02T04:00:00Z",
                "first_reply_at": "2026-03-02T05:00:00Z",
                "refund": { "requested": "3000 INR" },
                "order": { "total": "8000 INR" },
                "csat": 3,
                "message": "the kettle leaks",
                "tags": ["returns"]
            }),
        ),
        (
            "a phone call still waiting, with an angry survey score",
            serde_json::json!({
                "id": "T-1003",
                "channel": "phone",
                "priority": "high",
                "customer": { "tier": "platinum", "refunds": [] },
                "opened_at": "2026-03-02T09:35:00Z",
                "order": { "total": "45000 INR" },
                "csat": 1,
                "tags": []
            }),
        ),
    ];

    let decisions: Vec<Decision> = tickets
        .iter()
        .map(|(_, record)| policy.evaluate(record, &options))
        .collect();

    // Every decision names the policy and its version, so a stored decision says which
    // rules made it.
    let version = decisions
        .first()
        .and_then(|d| d.version.clone())
        .unwrap_or_else(|| "unversioned".into());
    println!("{}, version {version}", policy.name());
    println!("evaluated at {} (15:30 in Kolkata)\n", options.now);
    for ((about, record), decision) in tickets.iter().zip(&decisions) {
        let id = record
            .get("id")
            .and_then(serde_json::Value::as_str)
            .unwrap_or("?");
        println!("{id}: {about}");
        print_decision(decision);
        println!();
    }
    Ok(())
}

fn print_decision(decision: &Decision) {
    if decision.actions.is_empty() {
        println!("  needs      nothing");
    }
    for (i, action) in decision.actions.iter().enumerate() {
        let label = if i == 0 { "needs" } else { "" };
        println!(
            "  {label:<10} {:<48} (rule {})",
            describe(action),
            action.rules.join(", ")
        );
    }
    for check in &decision.checks {
        println!("  {:<10} {}", "check", describe_check(check));
    }
    for undecided in &decision.undecided {
        println!(
            "  {:<10} {:<22} missing {}",
            "undecided",
            undecided.rule,
            undecided.missing.join(", ")
        );
    }
    for error in &decision.errors {
        println!("  {:<10} {}", "error", error.message);
    }
    match decision.recheck_at {
        Some(at) => println!(
            "  {:<9} at {at}, when a deadline or warning is due",
            "look again"
        ),
        None => println!("  {:<9} only when the ticket changes", "look again"),
    }
}

fn describe(action: &Action) -> String {
    match &action.kind {
        ActionKind::Escalate { to } => format!("escalate to {to}"),
        ActionKind::Notify { to } => format!("notify {to}"),
        ActionKind::Assign { to } => format!("assign to {to}"),
        ActionKind::RequireApproval { from } => format!("approval from {from}"),
        ActionKind::FollowUp { within, due } => format!("follow up within {within} (by {due})"),
        ActionKind::Refund { amount } => format!("refund {amount}"),
        ActionKind::Compensate { amount } => format!("compensate {amount}"),
        ActionKind::Tag { tag } => format!("tag \"{tag}\""),
        ActionKind::Set { field, value } => format!("set {field} to {value}"),
        ActionKind::Emit { name } => format!("emit event \"{name}\""),
    }
}

fn describe_check(check: &Check) -> String {
    match check {
        Check::Deadline(d) => {
            let state = match d.remaining {
                Some(left) => format!("pending, {left} left of {}", d.target),
                None => format!("{:?}", d.status).to_lowercase(),
            };
            format!(
                "{:<22} {state}; deadline {}, {} used",
                d.rule, d.deadline, d.elapsed
            )
        }
        Check::Limit(l) => {
            let state = format!("{:?}", l.status).to_lowercase();
            let excess = match &l.excess {
                Some(excess) => format!(", {excess} over"),
                None => String::new(),
            };
            format!(
                "{:<22} {state}: {} against a limit of {}{excess}",
                l.rule, l.value, l.limit
            )
        }
    }
}
