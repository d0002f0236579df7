//! Checking a generated 1 000-rule policy: the checker must stay linear-ish in policy size.
#![allow(
    clippy::unwrap_used,
    clippy::expect_used,
    clippy::panic,
    clippy::indexing_slicing,
    reason = "tests and benches stop loudly on the unexpected"
)]

use criterion::{Criterion, criterion_group, criterion_main};
use std::fmt::Write as _;
use std::hint::black_box;

/// A policy with a schema, a table, a calendar, constants and `rules` rules of every kind.
fn generated_policy(rules: usize) -> String {
    let mut text = String::from(
        r#"policy "Generated" {
  timezone "Europe/Berlin"
  ladder "agent", "team-lead", "supervisor"
  record {
    priority: "low" | "normal" | "high" | "urgent"
    channel: "phone" | "email" | "chat"
    opened_at: time
    replied_at: time?
    refund.requested: money?
    refunds: list<{ amount: money, at: time }>
    message: text?
  }
  calendar office {
    mon-fri 09:00-17:00
  }
  const cap = 500 EUR
  table target(priority, channel) {
    "urgent", _ => 15m
    "high", "phone" => 30m
    _, _ => 8h
  }
"#,
    );
    for i in 0..rules {
        let _ = match i % 4 {
            0 => writeln!(
                text,
                "  rule reply_{i} {{\n    when priority == \"high\" and channel != \"chat\"\n    expect replied_at within target(priority, channel) of opened_at using office\n    at 75%: notify \"team-lead\"\n    on breach: escalate to \"supervisor\"\n  }}"
            ),
            1 => writeln!(
                text,
                "  rule refund_{i} {{\n    limit refund.requested <= min(cap, 2 * cap)\n    on exceed: require approval from \"manager\"\n  }}"
            ),
            2 => writeln!(
                text,
                "  rule velocity_{i} {{\n    when sum(r.amount for r in refunds where r.at >= now - 30d) > {i} EUR\n    then tag \"velocity\"\n  }}"
            ),
            _ => writeln!(
                text,
                "  rule words_{i} {{\n    when message matches \"(?i)lawyer|legal\" or priority in [\"urgent\", \"high\"]\n    then escalate to \"agent\"\n         follow up within 24h\n  }}"
            ),
        };
    }
    text.push_str("}\n");
    text
}

fn bench_check(c: &mut Criterion) {
    let text = generated_policy(1000);
    let ast = service_policy::syntax::parse(&text).expect("the generated policy parses");
    assert!(service_policy::check::check(&ast).is_empty());
    c.bench_function("check 1000 rules", |b| {
        b.iter(|| service_policy::check::check(black_box(&ast)))
    });
}

criterion_group!(benches, bench_check);
criterion_main!(benches);
