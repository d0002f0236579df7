//! Deterministic customer-service records (a small xorshift generator, so every run and
//! every engine sees the same data without a random-number crate).

use serde_json::{Value as Json, json};

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

/// `count` records with every field of the workload's schema present.
pub fn generate(count: usize, seed: u64) -> Vec<Json> {
    let mut rng = Rng(seed | 1);
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
        })
        .collect()
}
