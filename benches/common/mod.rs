//! Generated policies and records shared by the benches.
//!
//! `policy(n)` writes a policy of `n` rules whose guards discriminate on a text field: rule
//! `i` tests `queue` against `"q{i/2}"` (alone, in a conjunction, or in a list with the
//! next queue), so a record's queue concerns about three rules however many there are.
//! That is the shape rule indexing is for; the same policies also measure parsing,
//! checking and compiling at every size.
#![allow(dead_code)]

use std::fmt::Write as _;

use serde_json::{Value as Json, json};

/// The evaluation instant of every bench: 2026-03-02T10:00:00Z.
pub fn now() -> jiff::Timestamp {
    jiff::Timestamp::from_second(1_772_445_600).unwrap_or(jiff::Timestamp::UNIX_EPOCH)
}

/// A policy of `n` rules with discriminating guards (see the module doc), one rule a
/// line so that 10 000 rules stay under the 1 MiB size limit.
pub fn policy(n: usize) -> String {
    let queues = n.div_ceil(2).max(1);
    let mut s = String::new();
    let _ = writeln!(s, "policy \"Generated {n}\" {{");
    s.push_str(
        "  version \"1\"\n  record {\n    queue: text\n    priority: \"low\" | \"normal\" | \"high\" | \"urgent\"\n    ch: text\n    amount: number\n    tags: list<text>\n    opened: time\n    replied: time?\n  }\n",
    );
    for i in 0..n {
        let q = i / 2;
        let next = (q + 1) % queues;
        let _ = match i % 4 {
            0 => writeln!(
                s,
                "  rule r{i} {{ when queue == \"q{q}\" and priority == \"high\" then escalate to \"tier-2\" }}"
            ),
            1 => writeln!(
                s,
                "  rule r{i} {{ when queue in [\"q{q}\", \"q{next}\"] and amount > 100 then tag \"t{i}\" }}"
            ),
            2 => writeln!(
                s,
                "  rule r{i} {{ when queue == \"q{q}\" limit amount <= 500 on exceed: require approval from \"lead\" }}"
            ),
            _ => writeln!(
                s,
                "  rule r{i} {{ when ch != \"email\" and queue == \"q{q}\" unless tags contains \"vip\" expect replied within 1h of opened on breach: notify \"n\" }}"
            ),
        };
    }
    s.push_str("}\n");
    s
}

/// A record for the generated policies, in queue `q`.
pub fn record(q: usize) -> Json {
    json!({
        "id": q,
        "queue": format!("q{q}"),
        "priority": "high",
        "ch": "chat",
        "amount": 700,
        "tags": ["new"],
        "opened": "2026-03-02T08:00:00Z",
    })
}

/// The 20-rule customer-service workload of `benches/peers`.
pub const CUSTOMER_SERVICE: &str = include_str!("../peers/workload/cs.policy");

struct Rng(u64);

impl Rng {
    fn next(&mut self) -> u64 {
        let mut x = self.0;
        x ^= x << 13;
        x ^= x >> 7;
        x ^= x << 17;
        self.0 = x;
        x
    }

    fn below(&mut self, n: u64) -> u64 {
        self.next() % n
    }

    fn pick<'a>(&mut self, options: &[&'a str]) -> &'a str {
        options[self.below(options.len() as u64) as usize]
    }
}

/// `count` customer-service records as JSON lines (the generator of `benches/peers`).
pub fn customer_service_lines(count: usize) -> Vec<String> {
    let mut rng = Rng(0x5eed_cafe | 1);
    (0..count)
        .map(|id| {
            let mut tags = Vec::new();
            for tag in [
                "legal",
                "vip-handled",
                "callback-scheduled",
                "repeat",
                "new",
            ] {
                if rng.below(6) == 0 {
                    tags.push(tag);
                }
            }
            json!({
                "id": id,
                "priority": rng.pick(&["low", "normal", "normal", "high", "urgent"]),
                "channel": rng.pick(&["phone", "email", "chat", "social", "store"]),
                "tier": rng.pick(&["standard", "standard", "gold", "platinum"]),
                "language": rng.pick(&["en", "en", "en", "de", "hi", "ta"]),
                "refund_amount": if rng.below(3) == 0 { rng.below(30_000) } else { 0 },
                "order_total": 100 + rng.below(50_000),
                "refunds_30d": rng.below(15_000),
                "csat": 1 + rng.below(5),
                "minutes_waiting": rng.below(400),
                "contacts": 1 + rng.below(6),
                "queue_length": rng.below(40),
                "tags": tags,
            })
            .to_string()
        })
        .collect()
}

/// The fields of [`customer_service_lines`], each a path of one key.
pub fn customer_service_paths() -> Vec<Vec<String>> {
    [
        "id",
        "priority",
        "channel",
        "tier",
        "language",
        "refund_amount",
        "order_total",
        "refunds_30d",
        "csat",
        "minutes_waiting",
        "contacts",
        "queue_length",
        "tags",
    ]
    .iter()
    .map(|f| vec![(*f).to_owned()])
    .collect()
}

/// The help desk's ticket history: 1 000 JSON lines with nested objects and lists.
pub const HISTORY: &str = include_str!("../../examples/policies/history/tickets.jsonl");

/// The fields `examples/policies/history/desk.policy` reads from [`HISTORY`], and `id`.
pub fn history_paths() -> Vec<Vec<String>> {
    [
        "id",
        "channel",
        "priority",
        "customer.tier",
        "customer.refunds",
        "opened_at",
        "first_reply_at",
        "resolved_at",
        "paused",
        "refund.requested",
        "order.total",
        "csat",
        "tags",
        "message",
    ]
    .iter()
    .map(|f| f.split('.').map(str::to_owned).collect())
    .collect()
}

/// A policy of `n` rules spread over ten text fields: rule `i` tests field `f{i % 10}`
/// against `"v{i / 10}"`, then an amount, so a record concerns about one rule a field
/// however many there are.
pub fn wide_policy(n: usize) -> String {
    let mut s = String::new();
    let _ = writeln!(s, "policy \"Wide {n}\" {{");
    s.push_str("  version \"1\"\n  record {\n");
    for f in 0..10 {
        let _ = writeln!(s, "    f{f}: text");
    }
    s.push_str("    amount: number\n  }\n");
    for i in 0..n {
        let _ = writeln!(
            s,
            "  rule r{i} {{ when f{} == \"v{}\" and amount > 10 then tag \"t{i}\" }}",
            i % 10,
            i / 10
        );
    }
    s.push_str("}\n");
    s
}

/// A record for [`wide_policy`] of `n` rules: every field holds a value from the middle.
pub fn wide_record(n: usize) -> Json {
    let mut map = serde_json::Map::new();
    for f in 0..10 {
        map.insert(format!("f{f}"), json!(format!("v{}", n / 20)));
    }
    map.insert("amount".into(), json!(700));
    Json::Object(map)
}

/// A policy of `n` rules of numeric bands: rule `i` applies when `amount` is in
/// `(10 i, 10 (i + 1)]`.
pub fn band_policy(n: usize) -> String {
    let mut s = String::new();
    let _ = writeln!(s, "policy \"Bands {n}\" {{");
    s.push_str("  version \"1\"\n  record {\n    amount: number\n    queue: text\n  }\n");
    for i in 0..n {
        let _ = writeln!(
            s,
            "  rule b{i} {{ when amount > {} and amount <= {} then tag \"b{i}\" }}",
            10 * i,
            10 * (i + 1)
        );
    }
    s.push_str("}\n");
    s
}

/// A record for [`band_policy`] of `n` rules, in a band from the middle.
pub fn band_record(n: usize) -> Json {
    json!({ "amount": 10 * (n / 2) + 5, "queue": "q" })
}

/// The output line `service-policy batch` writes for a decision:
/// `{"line":N,"id":ID,"decision":{…}}`, the decision written from its policy's prepared
/// parts (`DecisionRef::write_json`).
pub fn decision_line(number: u64, id: &Json, decision: &service_policy::DecisionRef<'_>) -> String {
    let mut out = String::with_capacity(1024);
    let _ = write!(out, "{{\"line\":{number},\"id\":");
    out.push_str(&serde_json::to_string(id).unwrap_or_default());
    out.push_str(",\"decision\":");
    let _ = decision.write_json(&mut out);
    out.push('}');
    out
}
