//! Parsing speed on generated policies of 10 to 4 000 rules.
#![allow(
    clippy::unwrap_used,
    clippy::expect_used,
    clippy::panic,
    clippy::indexing_slicing,
    reason = "tests and benches stop loudly on the unexpected"
)]

use std::fmt::Write;
use std::hint::black_box;

use criterion::{BenchmarkId, Criterion, Throughput, criterion_group, criterion_main};

/// A policy with a schema, a calendar, a table and `rules` rules of every shape.
fn policy(rules: usize) -> String {
    let mut src = String::from(
        r#"policy "Generated" {
  version "1"
  timezone "Europe/Berlin"
  record {
    priority: "low" | "normal" | "high" | "urgent"
    channel: text
    opened_at: time
    first_reply_at: time?
    refund.requested: money?
    customer.refunds: list<{ amount: money, at: time }>
    tags: list<text>
  }
  calendar hours {
    mon-fri 09:00-13:00, 14:00-18:00
    closed 2026-12-25
  }
  table target(priority, channel) {
    "urgent", _ => 15m
    "high", "phone" => 30m
    _, _ => 8h
  }
"#,
    );
    for i in 0..rules {
        let _ = match i % 3 {
            0 => write!(
                src,
                "  rule reply_{i} \"Reply in time\" {{\n    when priority in [\"high\", \"urgent\"] and not (\"vip\" in tags)\n    expect first_reply_at within target(priority, channel) of opened_at using hours\n    at 75%: notify \"team-lead\"\n    on breach: escalate to \"supervisor\" with {{ reason: \"late\", rule: {i} }}\n  }}\n"
            ),
            1 => write!(
                src,
                "  rule refund_{i} {{\n    limit refund.requested <= min(5000 INR, 50% of 9000 INR)\n    on exceed: require approval from \"manager\"\n  }}\n"
            ),
            _ => write!(
                src,
                "  rule velocity_{i} {{\n    when sum(r.amount for r in customer.refunds where r.at >= now - 30d) > 10000 INR\n    then tag \"velocity\" follow up within 24h\n  }}\n"
            ),
        };
    }
    src.push_str("}\n");
    src
}

fn parse(c: &mut Criterion) {
    let mut group = c.benchmark_group("parse");
    group.sample_size(10);
    // 4 000 rules stay under the 1 MiB source limit (10 000 would be refused).
    for rules in [10, 100, 1_000, 4_000] {
        let src = policy(rules);
        assert!(
            service_policy::syntax::parse(&src).is_ok(),
            "the generated policy parses"
        );
        group.throughput(Throughput::Bytes(src.len() as u64));
        group.bench_with_input(BenchmarkId::from_parameter(rules), &src, |b, src| {
            b.iter(|| service_policy::syntax::parse(black_box(src)))
        });
    }
    group.finish();
}

criterion_group!(benches, parse);
criterion_main!(benches);
