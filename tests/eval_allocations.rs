//! Evaluation into a reused buffer allocates nothing, whether rules fire or not; the owned
//! decision's path allocates the decision's own blocks and the one block of its fresh
//! buffer where no rule fires. Counted with a global allocator that counts, per thread, the
//! allocations made while a flag is set.
#![allow(
    clippy::unwrap_used,
    clippy::expect_used,
    clippy::panic,
    clippy::indexing_slicing,
    reason = "tests and benches stop loudly on the unexpected"
)]

use serde_json::{Value as Json, json};
#[cfg(feature = "internals")]
use service_policy::compile::Plan;
use service_policy::{EvalOptions, Evaluation, Policy};

mod alloc_support;

use alloc_support::allocations;

/// Twenty rules over text, enumerations, numbers, lists, nested fields and deadlines,
/// none of which applies to [`quiet_record`].
fn policy_source() -> String {
    let mut s = String::from(
        r#"policy "Quiet" {
  version "1"
  record {
    queue: text
    priority: "low" | "normal" | "high" | "urgent"
    customer.tier: "standard" | "gold"
    amount: number
    tags: list<text>
    opened_at: time
    first_reply_at: time?
  }
"#,
    );
    for i in 0..20 {
        let guard = match i % 5 {
            0 => format!("queue == \"q{i}\" and priority == \"high\""),
            1 => format!("queue in [\"q{i}\", \"x{i}\"]"),
            2 => format!("priority == \"urgent\" or amount > {}", 1000 + i),
            3 => "customer.tier == \"gold\" and not (tags contains \"vip\")".to_owned(),
            _ => format!("count(t for t in tags where t == \"q{i}\") > 0"),
        };
        s.push_str(&format!(
            "  rule r{i} {{\n    when {guard}\n    expect first_reply_at within 1h of opened_at\n    on breach: escalate to \"lead\"\n  }}\n"
        ));
    }
    s.push_str("}\n");
    s
}

fn quiet_record() -> Json {
    json!({
        "queue": "elsewhere",
        "priority": "normal",
        "customer": {"tier": "standard"},
        "amount": 12,
        "tags": ["new", "returning"],
        "opened_at": "2026-03-02T08:00:00Z",
    })
}

#[cfg(feature = "internals")]
#[test]
fn no_rule_firing_allocates_only_the_decision() {
    let policy = Policy::parse(&policy_source()).unwrap();
    let options = EvalOptions::at("2026-03-02T10:00:00Z".parse().unwrap());
    let record = quiet_record();
    // The decision's own blocks (its policy name and version) and the buffer's slots.
    let (decision_only, _) = allocations(|| {
        (
            String::from("Quiet"),
            Some(String::from("1")),
            Vec::<u64>::with_capacity(8),
        )
    });
    assert_eq!(decision_only, 3);

    let (indexed, decision) = allocations(|| policy.evaluate(&record, &options));
    assert!(
        decision.fired.is_empty() && decision.errors.is_empty() && decision.undecided.is_empty()
    );
    assert_eq!(
        indexed, decision_only,
        "indexed evaluation allocated {indexed} blocks"
    );

    let plain = Plan::new(policy.ast()).unwrap().without_index();
    let (walked, decision) =
        allocations(|| service_policy::eval::evaluate(&plain, &record, &options));
    assert!(decision.fired.is_empty());
    assert_eq!(
        walked, decision_only,
        "walking every rule allocated {walked} blocks"
    );
}

#[test]
fn a_firing_rule_allocates_for_what_it_reports() {
    // The counter is live: a rule that fires needs at least its name, its check and its
    // action in the decision.
    let policy = Policy::parse(&policy_source()).unwrap();
    let options = EvalOptions::at("2026-03-02T10:00:00Z".parse().unwrap());
    let mut record = quiet_record();
    record["queue"] = json!("q1");
    let (count, decision) = allocations(|| policy.evaluate(&record, &options));
    assert_eq!(decision.fired, ["r1"]);
    assert!(count > 4, "only {count} allocations for a firing rule");
}

/// Evaluates `records` into one buffer, twice over (the first round grows the buffer);
/// the allocations of the second round, and the JSON of each decision.
fn second_round(policy: &Policy, records: &[Json], options: &EvalOptions) -> (usize, Vec<String>) {
    let mut buffer = Evaluation::new();
    for record in records {
        let _ = policy.evaluate_into(record, options, &mut buffer);
    }
    let mut printed = Vec::new();
    let mut total = 0;
    for record in records {
        let (count, decision) = allocations(|| policy.evaluate_into(record, options, &mut buffer));
        total += count;
        printed.push(serde_json::to_string(&decision).unwrap());
    }
    (total, printed)
}

#[test]
fn the_borrowed_path_allocates_nothing_for_a_quiet_record_once_its_buffer_has_grown() {
    let policy = Policy::parse(&policy_source()).unwrap();
    let options = EvalOptions::at("2026-03-02T10:00:00Z".parse().unwrap());
    // Quiet, one rule firing with a deadline check, several rules firing.
    let mut records = vec![quiet_record()];
    let mut one = quiet_record();
    one["queue"] = json!("q1");
    records.push(one);
    let mut many = quiet_record();
    many["priority"] = json!("urgent");
    records.push(many);
    let (quiet, _) = second_round(&policy, &records[..1], &options);
    assert_eq!(quiet, 0, "a quiet record allocated {quiet} blocks");
    // A rule with a deadline is evaluated in full: its check is an owned entry.
    let (count, printed) = second_round(&policy, &records, &options);
    assert!(count > 0);
    for (record, json) in records.iter().zip(&printed) {
        assert_eq!(
            *json,
            serde_json::to_string(&policy.evaluate(record, &options)).unwrap()
        );
    }
}

/// The customer-service workload of the peer comparison (`benches/peers`): twenty rules
/// over texts, numbers and a list, every action known at load.
const PEERS_POLICY: &str = include_str!("../benches/peers/workload/cs.policy");

fn peers_record(i: u64) -> Json {
    let pick = |options: &[&str], salt: u64| {
        options[((i * 7 + salt * 13) % options.len() as u64) as usize].to_owned()
    };
    json!({
        "priority": pick(&["low", "normal", "high", "urgent"], 1),
        "channel": pick(&["phone", "email", "chat", "social", "store"], 2),
        "tier": pick(&["standard", "gold", "platinum"], 3),
        "language": pick(&["en", "fr", "de"], 4),
        "refund_amount": (i * 977) % 30000,
        "order_total": (i * 1231) % 40000,
        "refunds_30d": (i * 313) % 12000,
        "csat": i % 6,
        "minutes_waiting": (i * 37) % 300,
        "contacts": i % 5,
        "queue_length": (i * 3) % 40,
        "tags": match i % 4 { 0 => json!([]), 1 => json!(["legal"]), 2 => json!(["callback-scheduled", "x"]), _ => json!(["vip"]) },
    })
}

#[test]
fn the_peers_workload_allocates_at_most_two_blocks_a_record_on_the_borrowed_path() {
    let policy = Policy::parse(PEERS_POLICY).unwrap();
    let options = EvalOptions::at("2026-03-02T10:00:00Z".parse().unwrap());
    let records: Vec<Json> = (0..200).map(peers_record).collect();
    let (count, printed) = second_round(&policy, &records, &options);
    assert!(
        count <= 2 * records.len(),
        "{count} allocations for {} records",
        records.len()
    );
    // In fact none: every action is a template and every rule is decided from slots.
    assert_eq!(count, 0);
    let fired: usize = records
        .iter()
        .map(|r| policy.evaluate(r, &options).fired.len())
        .sum();
    assert!(fired > records.len(), "the records fire rules ({fired})");
    for (record, json) in records.iter().zip(&printed) {
        assert_eq!(
            *json,
            serde_json::to_string(&policy.evaluate(record, &options)).unwrap()
        );
    }
}

#[test]
fn a_line_read_straight_allocates_nothing_once_the_buffer_has_grown() {
    let policy = Policy::parse(PEERS_POLICY).unwrap();
    let options = EvalOptions::at("2026-03-02T10:00:00Z".parse().unwrap());
    let lines: Vec<String> = (0..200)
        .map(|i| {
            let mut record = peers_record(i);
            record["id"] = json!(i);
            record.to_string()
        })
        .collect();
    let mut buffer = Evaluation::new();
    let mut out = String::with_capacity(4096);
    for line in &lines {
        let (decision, _) = policy
            .evaluate_json_line(line, Some("id"), &options, &mut buffer)
            .expect("read straight");
        decision.write_json(&mut out).unwrap();
        out.clear();
    }
    let mut total = 0;
    for (i, line) in lines.iter().enumerate() {
        let (count, id) = allocations(|| {
            let (decision, id) = policy
                .evaluate_json_line(line, Some("id"), &options, &mut buffer)
                .expect("read straight");
            decision.write_json(&mut out).unwrap();
            id
        });
        assert_eq!(id, json!(i));
        out.clear();
        total += count;
    }
    // A numeric id, every action a template: nothing to allocate, output included.
    assert_eq!(total, 0, "{total} allocations for {} lines", lines.len());
}
