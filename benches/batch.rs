//! Batch throughput: what `service-policy batch` does per line (parse the JSON, evaluate,
//! print the output line) against parsing the same lines with `serde_json` alone, and
//! against parsing and printing them again with `serde_json` alone, on one and on two
//! threads, over 10 000 customer-service records.
#![allow(
    clippy::unwrap_used,
    clippy::expect_used,
    clippy::panic,
    clippy::indexing_slicing,
    reason = "tests and benches stop loudly on the unexpected"
)]

mod common;

use std::hint::black_box;

use criterion::{BenchmarkId, Criterion, Throughput, criterion_group, criterion_main};
use serde_json::Value as Json;
use service_policy::{EvalOptions, Evaluation, Policy};

/// Parses only.
fn parse_only(lines: &[String]) -> usize {
    let mut n = 0;
    for line in lines {
        if let Ok(v) = serde_json::from_str::<Json>(line) {
            n += usize::from(v.is_object());
        }
    }
    n
}

/// Parses and prints each line again.
fn parse_print(lines: &[String]) -> usize {
    let mut bytes = 0;
    for line in lines {
        if let Ok(v) = serde_json::from_str::<Json>(line)
            && let Ok(text) = serde_json::to_string(&v)
        {
            bytes += text.len();
        }
    }
    bytes
}

/// Parses (strictly, as the batch command reads a record), evaluates into a reused buffer
/// and prints, as the batch command does for each line.
fn batch(policy: &Policy, options: &EvalOptions, lines: &[String]) -> usize {
    let mut bytes = 0;
    let mut buffer = Evaluation::new();
    for (i, line) in lines.iter().enumerate() {
        let Ok(record) = service_policy::read_json_record(line) else {
            continue;
        };
        let decision = policy.evaluate_into(&record, options, &mut buffer);
        let id = record.get("id").unwrap_or(&Json::Null);
        bytes += common::decision_line(i as u64 + 1, id, &decision).len();
    }
    bytes
}

/// As [`batch`], but reading each line straight into the policy's slots when it allows it
/// (`Policy::evaluate_json_line`), as the batch command does with one policy.
fn batch_straight(policy: &Policy, options: &EvalOptions, lines: &[String]) -> usize {
    let mut bytes = 0;
    let mut buffer = Evaluation::new();
    for (i, line) in lines.iter().enumerate() {
        let number = i as u64 + 1;
        let text = if let Some((decision, id)) =
            policy.evaluate_json_line(line, Some("id"), options, &mut buffer)
        {
            common::decision_line(number, &id, &decision)
        } else {
            let Ok(record) = service_policy::read_json_record(line) else {
                continue;
            };
            let decision = policy.evaluate_into(&record, options, &mut buffer);
            common::decision_line(number, record.get("id").unwrap_or(&Json::Null), &decision)
        };
        bytes += text.len();
    }
    bytes
}

/// Runs `work` on `threads` equal slices of the lines at once.
fn split<F: Fn(&[String]) -> usize + Sync>(lines: &[String], threads: usize, work: F) -> usize {
    let size = lines.len().div_ceil(threads);
    std::thread::scope(|s| {
        let handles: Vec<_> = lines.chunks(size).map(|c| s.spawn(|| work(c))).collect();
        handles.into_iter().map(|h| h.join().unwrap_or(0)).sum()
    })
}

fn throughput(c: &mut Criterion) {
    let lines = common::customer_service_lines(10_000);
    let bytes: usize = lines.iter().map(|l| l.len() + 1).sum();
    eprintln!(
        "batch input: {} lines, {bytes} bytes ({:.1} bytes per line)",
        lines.len(),
        bytes as f64 / lines.len() as f64
    );
    let policy = match Policy::parse(common::CUSTOMER_SERVICE) {
        Ok(p) => p,
        Err(d) => panic!("the workload does not load: {d}"),
    };
    let options = EvalOptions::at(common::now());
    assert_eq!(parse_only(&lines), lines.len());
    assert!(batch(&policy, &options, &lines) > bytes);
    assert_eq!(
        batch(&policy, &options, &lines),
        batch_straight(&policy, &options, &lines)
    );

    let mut group = c.benchmark_group("batch");
    group.sample_size(10);
    group.throughput(Throughput::Elements(lines.len() as u64));
    for threads in [1usize, 2] {
        group.bench_with_input(
            BenchmarkId::new("serde_json_parse", threads),
            &lines,
            |b, lines| b.iter(|| split(black_box(lines), threads, parse_only)),
        );
        group.bench_with_input(
            BenchmarkId::new("serde_json_parse_print", threads),
            &lines,
            |b, lines| b.iter(|| split(black_box(lines), threads, parse_print)),
        );
        group.bench_with_input(
            BenchmarkId::new("parse_evaluate_print", threads),
            &lines,
            |b, lines| b.iter(|| split(black_box(lines), threads, |c| batch(&policy, &options, c))),
        );
        group.bench_with_input(
            BenchmarkId::new("straight_evaluate_print", threads),
            &lines,
            |b, lines| {
                b.iter(|| {
                    split(black_box(lines), threads, |c| {
                        batch_straight(&policy, &options, c)
                    })
                })
            },
        );
    }
    group.finish();
}

criterion_group!(benches, throughput);
criterion_main!(benches);
