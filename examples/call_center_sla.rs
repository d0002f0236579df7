//! A ticket's day under the call-centre SLA, told by its deadlines.
//!
//! ```text
//! cargo run --example call_center_sla
//! ```
//!
//! A host does not poll: after each evaluation it schedules the next one at the decision's
//! `recheck_at`, the first instant at which a warning, a deadline or an escalation step is
//! due if nothing else happens. This example plays one business customer's ticket forward
//! that way, jumping from one `recheck_at` (or one event on the ticket) to the next, and
//! prints only what changed at each step.

use std::collections::BTreeSet;
use std::error::Error;

use jiff::Timestamp;
use jiff::tz::TimeZone;
use serde_json::{Value, json};
use service_policy::Duration;
use service_policy::{Action, ActionKind, Check, DeadlineStatus};
use service_policy::{Decision, EvalOptions, Policy};

const CALL_CENTER: &str = include_str!("policies/call_center.policy");

/// Things that happen to the ticket, in order: when, what, and the change to the record.
struct Event {
    at: &'static str,
    says: &'static str,
    apply: fn(&mut Value),
}

fn main() -> Result<(), Box<dyn Error>> {
    let policy = Policy::parse_named("call_center.policy", CALL_CENTER)?;
    let office = TimeZone::get("America/New_York")?;

    // A high-priority email from a business customer, opened at 09:00 on Monday 2 March.
    let mut ticket = json!({
        "id": "CC-7001",
        "channel": "email",
        "priority": "high",
        "customer": { "segment": "business" },
        "opened_at": "2026-03-02T14:00:00Z",
        "paused": []
    });
    let events = [
        Event {
            at: "2026-03-02T16:20:00Z",
            says: "the agent finally replies",
            apply: |t| t["first_reply_at"] = json!("2026-03-02T16:20:00Z"),
        },
        Event {
            at: "2026-03-02T19:00:00Z",
            says: "waiting for the customer's invoice: clock paused",
            apply: |t| t["paused"] = json!([{ "from": "2026-03-02T19:00:00Z" }]),
        },
        Event {
            at: "2026-03-03T15:00:00Z",
            says: "the invoice arrives: clock running again",
            apply: |t| {
                t["paused"] =
                    json!([{ "from": "2026-03-02T19:00:00Z", "to": "2026-03-03T15:00:00Z" }])
            },
        },
        Event {
            at: "2026-03-04T19:30:00Z",
            says: "the ticket is resolved",
            apply: |t| t["resolved_at"] = json!("2026-03-04T19:30:00Z"),
        },
    ];

    println!("{}: one ticket, step by step", policy.name());
    println!("times are New York office time; `first_reply` allows 2 office hours,");
    println!("`business_resolution` 16 office hours without the pauses\n");

    let mut now: Timestamp = "2026-03-02T14:00:00Z".parse()?;
    let mut pending_events = events.iter().peekable();
    let mut seen_actions = BTreeSet::new();
    let mut last_states: Vec<String> = Vec::new();
    let mut steps = 0;
    loop {
        // Apply what has happened by now.
        let mut happened = Vec::new();
        while let Some(event) =
            pending_events.next_if(|e| e.at.parse::<Timestamp>().is_ok_and(|at| at <= now))
        {
            (event.apply)(&mut ticket);
            happened.push(event.says);
        }

        let decision = policy.evaluate(&ticket, &EvalOptions::at(now));
        let local = now
            .to_zoned(office.clone())
            .strftime("%a %H:%M:%S")
            .to_string();
        println!("{local}");
        for says in happened {
            println!("          ▸ {says}");
        }
        let states = states(&decision);
        for state in &states {
            // Unchanged lines are dimmed with a dot; a paused clock shows as no change.
            let mark = if last_states.contains(state) {
                "·"
            } else {
                "*"
            };
            println!("        {mark} {state}");
        }
        last_states = states;
        for action in &decision.actions {
            // The key is stable across evaluations: act on each action once.
            if seen_actions.insert(action.key.clone()) {
                println!("          → {:<28} (key {})", describe(action), action.key);
            }
        }

        // The next look: the policy's recheck_at, or the next event if that comes first.
        let next_event = pending_events
            .peek()
            .and_then(|e| e.at.parse::<Timestamp>().ok());
        let next = match (decision.recheck_at, next_event) {
            (Some(a), Some(b)) => Some(a.min(b)),
            (a, b) => a.or(b),
        };
        steps += 1;
        match next {
            Some(next) if steps < 40 => {
                let wait = next.duration_since(now).as_secs();
                if wait <= 1 {
                    // A deadline is breached once `now` is past it: time is counted in
                    // whole seconds, so the next look is one second after the deadline.
                    println!("          next look: one second later, the deadline has passed\n");
                } else {
                    println!(
                        "          next look {} ({}h{:02}m later)\n",
                        next.to_zoned(office.clone()).strftime("%a %H:%M"),
                        wait / 3600,
                        wait % 3600 / 60
                    );
                }
                now = next;
            }
            _ => {
                println!("          nothing more can change without news: no next look");
                break;
            }
        }
    }
    Ok(())
}

/// One line per check, saying its status and what is left.
fn states(decision: &Decision) -> Vec<String> {
    decision
        .checks
        .iter()
        .filter_map(|check| match check {
            Check::Deadline(d) => Some(match d.status {
                DeadlineStatus::Pending => format!(
                    "{:<20} pending, {} used, {} left",
                    d.rule,
                    minutes(d.elapsed),
                    d.remaining.map(minutes).unwrap_or_default()
                ),
                DeadlineStatus::Met => format!("{:<20} met after {}", d.rule, minutes(d.elapsed)),
                DeadlineStatus::Breached => format!("{:<20} breached", d.rule),
            }),
            Check::Limit(_) => None,
        })
        .collect()
}

/// A duration to the minute (a look just after a deadline is a nanosecond past it).
fn minutes(d: Duration) -> String {
    let secs = d.to_jiff().as_secs();
    Duration::from_secs(secs - secs.rem_euclid(60)).map_or_else(|| d.to_string(), |d| d.to_string())
}

fn describe(action: &Action) -> String {
    match &action.kind {
        ActionKind::Escalate { to } => format!("escalate to {to}"),
        ActionKind::Notify { to } => format!("notify {to}"),
        ActionKind::Emit { name } => format!("emit \"{name}\""),
        other => other.name().to_owned(),
    }
}
