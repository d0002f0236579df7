//! Writes `N` realistic help-desk tickets as JSON lines (default 2 000) for
//! `examples/policies/history/desk.policy`: three branches, five channels, four priorities,
//! arrivals mostly in business hours (India time), first replies and resolutions whose
//! delays depend on priority and channel, status logs with pauses while waiting on the
//! customer, refunds with earlier refunds of the same customer, and satisfaction scores.
//!
//! The output depends only on `N` and the seed: the same command writes the same bytes.
//!
//! ```text
//! cargo run --example make_history -- 2000 > examples/policies/history/tickets.jsonl
//! ```

use std::io::Write;

use jiff::{Span, Timestamp, ToSpan, civil};
use serde_json::{Value, json};

/// SplitMix64: small, fast and good enough for test data; fixed seed, no dependency.
struct Rng(u64);

impl Rng {
    fn next(&mut self) -> u64 {
        self.0 = self.0.wrapping_add(0x9E37_79B9_7F4A_7C15);
        let mut z = self.0;
        z = (z ^ (z >> 30)).wrapping_mul(0xBF58_476D_1CE4_E5B9);
        z = (z ^ (z >> 27)).wrapping_mul(0x94D0_49BB_1331_11EB);
        z ^ (z >> 31)
    }

    /// A number in `0..n`.
    fn below(&mut self, n: u64) -> u64 {
        self.next() % n.max(1)
    }

    /// True with probability `percent` %.
    fn chance(&mut self, percent: u64) -> bool {
        self.below(100) < percent
    }

    /// One of `choices`, by weight.
    fn pick<'a>(&mut self, choices: &[(&'a str, u64)]) -> &'a str {
        let total: u64 = choices.iter().map(|(_, w)| w).sum();
        let mut at = self.below(total);
        for (name, weight) in choices {
            if at < *weight {
                return name;
            }
            at -= weight;
        }
        choices.last().map_or("", |(name, _)| name)
    }

    /// A skewed delay around `typical` minutes: mostly near it, with a long tail.
    fn delay_minutes(&mut self, typical: u64) -> i64 {
        let factor = match self.below(100) {
            0..=49 => 20 + self.below(60),    // 0.2–0.8×
            50..=79 => 80 + self.below(70),   // 0.8–1.5×
            80..=94 => 150 + self.below(250), // 1.5–4×
            _ => 400 + self.below(1200),      // 4–16×
        };
        i64::try_from(typical * factor / 100)
            .unwrap_or(i64::MAX)
            .max(1)
    }
}

fn main() -> Result<(), Box<dyn std::error::Error>> {
    let count: u64 = match std::env::args().nth(1) {
        Some(n) => n
            .parse()
            .map_err(|e| format!("N must be a whole number: {e}"))?,
        None => 2_000,
    };
    let mut rng = Rng(2026);
    let zone = jiff::tz::TimeZone::get("Asia/Kolkata")?;
    let first_day = civil::date(2026, 1, 5);
    let stdout = std::io::stdout();
    let mut out = std::io::BufWriter::new(stdout.lock());
    for n in 0..count {
        let ticket = ticket(&mut rng, n, first_day, &zone)?;
        serde_json::to_writer(&mut out, &ticket)?;
        out.write_all(b"\n")?;
    }
    out.flush()?;
    Ok(())
}

fn ticket(
    rng: &mut Rng,
    n: u64,
    first_day: civil::Date,
    zone: &jiff::tz::TimeZone,
) -> Result<Value, Box<dyn std::error::Error>> {
    // Arrivals over 25 weeks, fewer on Saturdays and almost none on Sundays; 85 % between
    // 09:00 and 18:00 local time, the rest in the evening or early morning.
    let mut day = first_day.checked_add((rng.below(175) as i64).days())?;
    if day.weekday() == civil::Weekday::Sunday && rng.chance(80) {
        day = day.checked_add(1.day())?;
    }
    let hour = if rng.chance(85) {
        9 + rng.below(9)
    } else {
        [7, 8, 18, 19, 20, 21]
            .get(rng.below(6) as usize)
            .copied()
            .unwrap_or(8)
    };
    let time = civil::time(hour as i8, rng.below(60) as i8, rng.below(60) as i8, 0);
    let opened = day.to_datetime(time).to_zoned(zone.clone())?.timestamp();

    let branch = rng.pick(&[("mumbai", 45), ("delhi", 35), ("chennai", 20)]);
    let channel = rng.pick(&[
        ("phone", 25),
        ("email", 35),
        ("chat", 25),
        ("social", 10),
        ("store", 5),
    ]);
    let priority = rng.pick(&[("low", 20), ("normal", 50), ("high", 22), ("urgent", 8)]);
    let tier = rng.pick(&[("standard", 75), ("gold", 20), ("platinum", 5)]);

    // First reply: typical minutes by priority, slower on email and social; 2 % never got
    // one (still open at the report's instant, so pending or breached).
    let typical = match priority {
        "urgent" => 10,
        "high" => 35,
        _ => 120,
    } * match channel {
        "email" | "social" => 3,
        "chat" => 1,
        _ => 2,
    } / 2;
    let first_reply =
        (!rng.chance(2)).then(|| opened + Span::new().minutes(rng.delay_minutes(typical)));

    // Status log: open → (waiting on customer → open)* → resolved; the waits are pauses.
    let mut log = vec![json!({"status": "open", "at": opened.to_string()})];
    let mut paused = Vec::new();
    let mut at = first_reply.unwrap_or(opened);
    for _ in 0..rng.below(3) {
        if !rng.chance(35) {
            continue;
        }
        let from = at + Span::new().minutes(30 + rng.delay_minutes(90));
        let to = from + Span::new().minutes(rng.delay_minutes(600));
        log.push(json!({"status": "waiting on customer", "at": from.to_string()}));
        log.push(json!({"status": "open", "at": to.to_string()}));
        paused.push(json!({"from": from.to_string(), "to": to.to_string()}));
        at = to;
    }
    let resolution_typical = match priority {
        "urgent" => 8 * 60,
        "high" => 20 * 60,
        _ => 36 * 60,
    };
    let resolved = (first_reply.is_some() && !rng.chance(6))
        .then(|| at + Span::new().minutes(rng.delay_minutes(resolution_typical)));
    if let Some(resolved) = resolved {
        log.push(json!({"status": "resolved", "at": resolved.to_string()}));
    }

    let order_total = 500 + rng.below(40) * 500 + rng.below(100);
    let refund = rng.chance(25).then(|| {
        let share = 10 + rng.below(80);
        format!("{} INR", (order_total * share / 100).max(100))
    });
    let mut earlier: Vec<Value> = Vec::new();
    for _ in 0..rng.below(4) {
        if rng.chance(40) {
            let back = Span::new().hours(24 * (1 + rng.below(60)) as i64);
            let when: Timestamp = opened - back;
            earlier.push(json!({"amount": format!("{} INR", 200 + rng.below(60) * 100), "at": when.to_string()}));
        }
    }

    let mut ticket = json!({
        "id": format!("T-{:06}", n + 1),
        "branch": branch,
        "channel": channel,
        "priority": priority,
        "customer": {"tier": tier, "refunds": earlier},
        "opened_at": opened.to_string(),
        "paused": paused,
        "status_log": log,
        "order": {"total": format!("{order_total} INR")},
        "tags": if rng.chance(3) { json!(["vip-handled"]) } else { json!([]) },
    });
    let fields = ticket.as_object_mut().ok_or("a ticket is an object")?;
    if let Some(t) = first_reply {
        fields.insert("first_reply_at".into(), json!(t.to_string()));
    }
    if let Some(t) = resolved {
        fields.insert("resolved_at".into(), json!(t.to_string()));
    }
    if let Some(amount) = refund {
        fields.insert("refund".into(), json!({"requested": amount}));
    }
    if resolved.is_some() && rng.chance(60) {
        fields.insert("csat".into(), json!(1 + rng.below(5)));
    }
    if rng.chance(4) {
        let message = [
            "I will take legal action",
            "Please call me back",
            "My lawyer will write",
        ];
        fields.insert("message".into(), json!(message.get(rng.below(3) as usize)));
    }
    Ok(ticket)
}
