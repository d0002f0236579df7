//! A service that shares one policy between worker threads.
//!
//! ```text
//! cargo run --example embedded_service
//! ```
//!
//! A `Policy` is immutable and `Send + Sync`: load it once, wrap it in an `Arc`, and let
//! every worker evaluate with `&self`. Here a dispatcher sends a stream of ticket updates
//! over channels to four workers; each worker evaluates the update at the instant it
//! happened and sends the decision back. The service then acts on each action once, using
//! the action's stable `key`, and prints what every ticket needed.

use std::collections::{BTreeMap, BTreeSet};
use std::error::Error;
use std::sync::Arc;
use std::sync::mpsc;
use std::thread;

use jiff::{SignedDuration, Timestamp};
use serde_json::{Value, json};
use service_policy::ActionKind;
use service_policy::{Decision, EvalOptions, Policy};

const WORKERS: usize = 4;

/// One change to a ticket, as the ticketing system reports it.
struct Update {
    seq: usize,
    ticket: String,
    at: Timestamp,
    record: Value,
}

/// A worker's answer.
struct Evaluated {
    seq: usize,
    worker: usize,
    ticket: String,
    at: Timestamp,
    decision: Decision,
}

fn main() -> Result<(), Box<dyn Error>> {
    let path = concat!(
        env!("CARGO_MANIFEST_DIR"),
        "/examples/policies/retail.policy"
    );
    let policy = Arc::new(Policy::from_file(path)?);

    let (results_tx, results_rx) = mpsc::channel::<Evaluated>();
    let mut inboxes = Vec::new();
    let mut workers = Vec::new();
    for worker in 1..=WORKERS {
        let (tx, rx) = mpsc::channel::<Update>();
        inboxes.push(tx);
        let policy = Arc::clone(&policy);
        let results = results_tx.clone();
        workers.push(thread::spawn(move || {
            for update in rx {
                let decision = policy.evaluate(&update.record, &EvalOptions::at(update.at));
                let answer = Evaluated {
                    seq: update.seq,
                    worker,
                    ticket: update.ticket,
                    at: update.at,
                    decision,
                };
                if results.send(answer).is_err() {
                    break; // the service is shutting down
                }
            }
        }));
    }
    drop(results_tx);
    println!(
        "{} workers share one policy: {} references to one `Arc<Policy>`\n",
        WORKERS,
        Arc::strong_count(&policy)
    );

    // Dispatch: updates of one ticket always go to the same worker, so a ticket's updates
    // are evaluated in order (a common design for per-entity streams).
    let updates = stream()?;
    let total = updates.len();
    for update in updates {
        let shard = shard(&update.ticket);
        inboxes
            .get(shard)
            .ok_or("no worker for this shard")?
            .send(update)?;
    }
    drop(inboxes); // closing the inboxes lets the workers finish

    let mut answers: Vec<Evaluated> = results_rx.iter().collect();
    for worker in workers {
        worker.join().map_err(|_| "a worker thread panicked")?;
    }
    answers.sort_by_key(|a| a.seq);

    let mut per_worker = BTreeMap::new();
    for answer in &answers {
        *per_worker.entry(answer.worker).or_insert(0) += 1;
    }
    println!("evaluations per worker:");
    for (worker, count) in &per_worker {
        println!("  worker {worker}  {count:>3}  {}", "▇".repeat(*count));
    }
    println!("  total     {:>3} of {total} updates\n", answers.len());

    // Act once per ticket and action key, whichever update first required it. The key
    // digests the policy, the action and its arguments, not the record: pair it with the
    // ticket's id.
    let mut done = BTreeSet::new();
    let mut per_kind: BTreeMap<&'static str, usize> = BTreeMap::new();
    println!("{:<7} {:<6} {:<7} action", "ticket", "IST", "worker");
    println!("{}", "─".repeat(64));
    for answer in &answers {
        for action in &answer.decision.actions {
            if !done.insert((answer.ticket.clone(), action.key.clone())) {
                continue;
            }
            *per_kind.entry(action.kind.name()).or_insert(0) += 1;
            println!(
                "{:<7} {:<6} {:<7} {} (rule {})",
                answer.ticket,
                local(answer.at),
                answer.worker,
                describe(&action.kind),
                action.rules.join(", ")
            );
        }
    }
    println!("\nactions taken, each once:");
    for (kind, count) in &per_kind {
        println!("  {kind:<18} {count:>2}");
    }
    Ok(())
}

/// A time as the support desk in Kolkata reads it.
fn local(at: Timestamp) -> String {
    match jiff::tz::TimeZone::get("Asia/Kolkata") {
        Ok(tz) => at.to_zoned(tz).strftime("%H:%M").to_string(),
        Err(_) => at.strftime("%H:%MZ").to_string(),
    }
}

/// Which worker handles a ticket: a stable hash of its id.
fn shard(ticket: &str) -> usize {
    ticket.bytes().map(usize::from).sum::<usize>() % WORKERS
}

/// Twelve tickets, each updated a few times over the morning of Monday 2 March 2026
/// (Kolkata time is UTC+05:30; support opens at 09:00 = 03:30 UTC).
/// Sets a field of a record object.
fn set(record: &mut Value, field: &str, value: Value) {
    if let Some(fields) = record.as_object_mut() {
        fields.insert(field.to_owned(), value);
    }
}

fn stream() -> Result<Vec<Update>, Box<dyn Error>> {
    let start: Timestamp = "2026-03-02T03:30:00Z".parse()?;
    let channels = ["phone", "email", "chat", "social"];
    let priorities = ["urgent", "high", "normal", "low"];
    let mut updates = Vec::new();
    for n in 0..12_i64 {
        let id = format!("T-{}", 3001 + n);
        let opened = start + SignedDuration::from_mins(17 * n);
        let priority = priorities.get((n % 4) as usize).copied().unwrap_or("low");
        let mut record = json!({
            "id": id,
            "channel": channels.get((n % 3) as usize).copied().unwrap_or("email"),
            "priority": priority,
            "customer": { "tier": if n % 5 == 0 { "platinum" } else { "standard" }, "refunds": [] },
            "opened_at": opened.to_string(),
            "order": { "total": format!("{} INR", 2000 + 1500 * n) },
            "csat": null,
            "message": "",
            "tags": []
        });
        // The ticket is opened, looked at 40 minutes later, then answered (or not).
        let looks = [0, 12, 25, 50, 95, 180];
        for (step, minutes) in looks.into_iter().enumerate() {
            let at = opened + SignedDuration::from_mins(minutes);
            if step == 4 && n % 3 != 0 {
                set(&mut record, "first_reply_at", json!(at.to_string()));
            }
            if step == 5 && n % 4 == 1 {
                set(&mut record, "csat", json!(1));
            }
            if step == 5 && n % 6 == 2 {
                set(
                    &mut record,
                    "refund",
                    json!({ "requested": format!("{} INR", 1000 * n) }),
                );
            }
            updates.push(Update {
                seq: updates.len(),
                ticket: id.clone(),
                at,
                record: record.clone(),
            });
        }
    }
    Ok(updates)
}

fn describe(kind: &ActionKind) -> String {
    match kind {
        ActionKind::Escalate { to } => format!("escalate to {to}"),
        ActionKind::Notify { to } => format!("notify {to}"),
        ActionKind::RequireApproval { from } => format!("approval from {from}"),
        ActionKind::FollowUp { due, .. } => {
            format!("follow up by {} tomorrow", local(*due))
        }
        ActionKind::Tag { tag } => format!("tag {tag}"),
        other => other.name().to_owned(),
    }
}
