//! A policy written in four languages: Bengali, Tamil, Hindi and Tagalog.
//!
//! ```text
//! cargo run --example multilingual
//! ```
//!
//! Field names, rule names, calendar names, ladder levels, queues and descriptions may be
//! in any script: identifiers are Unicode (`XID_Start XID_Continue*`) and texts are UTF-8.
//! The example lists each rule with the message its author wrote, then evaluates two
//! tickets and explains each required action with the messages of the rules behind it.

use std::collections::HashMap;
use std::error::Error;

use serde_json::json;
use service_policy::{ActionKind, Check, DeadlineStatus, LimitStatus};
use service_policy::{EvalOptions, Policy};

const MULTILINGUAL: &str = include_str!("policies/multilingual.policy");

/// What each rule's message says, for readers of this example.
const IN_ENGLISH: &[(&str, &str)] = &[
    (
        "প্রথম_উত্তর_নিয়ম",
        "urgent tickets are answered within one working hour",
    ),
    ("தங்க_வாடிக்கையாளர்", "gold customers have a queue of their own"),
    (
        "रिफंड_सीमा",
        "refunds over five thousand rupees go to the manager",
    ),
    (
        "banta_ng_demanda",
        "when a lawsuit is threatened, escalate to the manager at once",
    ),
];

fn main() -> Result<(), Box<dyn Error>> {
    let policy = Policy::parse_named("multilingual.policy", MULTILINGUAL)?;

    // Each rule's description is its message to the agent.
    let mut messages: HashMap<&str, &str> = HashMap::new();
    for rule in policy.rules() {
        if let Some(description) = rule.description {
            messages.insert(rule.name, description);
        }
    }

    println!("নীতি · policy: {}\n", policy.name());
    println!("rules and their messages:");
    for rule in policy.rules() {
        println!("  {}", rule.name);
        if let Some(message) = messages.get(rule.name) {
            println!("      “{message}”");
        }
        if let Some((_, english)) = IN_ENGLISH.iter().find(|(name, _)| *name == rule.name) {
            println!("      ({english})");
        }
    }

    // 10:00 UTC is 15:30 in Kolkata, inside the working hours (Mon–Sat 09:00–18:00).
    let options = EvalOptions::at("2026-03-02T10:00:00Z".parse()?);
    let tickets = [
        (
            "an urgent ticket from a gold customer, a large refund, a lawyer mentioned",
            json!({
                "id": "M-4001",
                "অগ্রাধিকার": "জরুরি",
                "খোলা_সময়": "2026-03-02T08:30:00Z",
                "வாடிக்கையாளர்": { "நிலை": "தங்கம்" },
                "रिफंड": { "राशि": "7500 INR" },
                "mensahe": "Kukuha ako ng abogado kung hindi ito maaayos"
            }),
        ),
        (
            "an ordinary ticket answered in twenty minutes",
            json!({
                "id": "M-4002",
                "অগ্রাধিকার": "সাধারণ",
                "খোলা_সময়": "2026-03-02T05:00:00Z",
                "প্রথম_উত্তর": "2026-03-02T05:20:00Z",
                "வாடிக்கையாளர்": { "நிலை": "சாதாரண" },
                "रिफंड": { "राशि": "1200 INR" },
                "mensahe": "Salamat po sa tulong"
            }),
        ),
    ];

    for (about, ticket) in &tickets {
        let decision = policy.evaluate(ticket, &options);
        println!(
            "\n{}: {about}",
            ticket
                .get("id")
                .and_then(serde_json::Value::as_str)
                .unwrap_or("?")
        );
        for check in &decision.checks {
            match check {
                Check::Deadline(d) => {
                    let status = match d.status {
                        DeadlineStatus::Met => "met",
                        DeadlineStatus::Breached => "breached",
                        DeadlineStatus::Pending => "pending",
                    };
                    println!(
                        "  deadline {}: {status} ({} of {} used)",
                        d.rule, d.elapsed, d.target
                    );
                }
                Check::Limit(l) => {
                    let status = match l.status {
                        LimitStatus::Within => "within",
                        LimitStatus::Exceeded => "exceeded",
                    };
                    println!(
                        "  limit {}: {status} ({} against {})",
                        l.rule, l.value, l.limit
                    );
                }
            }
        }
        if decision.actions.is_empty() {
            println!("  nothing to do");
        }
        for action in &decision.actions {
            let what = match &action.kind {
                ActionKind::Escalate { to } => format!("escalate to {to}"),
                ActionKind::Assign { to } => format!("assign to {to}"),
                ActionKind::Tag { tag } => format!("tag {tag}"),
                other => other.name().to_owned(),
            };
            println!("  → {what}");
            for rule in &action.rules {
                match messages.get(rule.as_str()) {
                    Some(message) => println!("      because {rule}: “{message}”"),
                    None => println!("      because {rule}"),
                }
            }
        }
    }
    println!("\nThe three escalations of M-4001 became one: the ladder puts प्रबंधक highest.");
    Ok(())
}
