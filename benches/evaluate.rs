//! Evaluating one record: by number of rules (20, 200, 2 000 with discriminating guards),
//! explain on and off, by record size, and the 20-rule customer-service workload of
//! `benches/peers` over its 1 000 records.
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
use serde_json::{Value as Json, json};
use service_policy::compile::Plan;
use service_policy::eval::evaluate;
use service_policy::{EvalOptions, Explain, Policy};

fn parse(source: &str) -> Policy {
    match Policy::parse(source) {
        Ok(p) => p,
        Err(d) => panic!("the bench policy does not load: {d}"),
    }
}

fn by_rules(c: &mut Criterion) {
    let mut group = c.benchmark_group("evaluate/rules");
    let options = EvalOptions::at(common::now());
    for n in [20usize, 200, 2_000] {
        let policy = parse(&common::policy(n));
        // A queue in the middle: about three rules concern it.
        let record = common::record(n / 4);
        let decision = policy.evaluate(&record, &options);
        assert!(!decision.fired.is_empty() && decision.errors.is_empty());
        assert!(Plan::new(policy.ast()).is_ok_and(|p| p.is_indexed()));
        group.bench_with_input(BenchmarkId::new("indexed", n), &record, |b, r| {
            b.iter(|| policy.evaluate(black_box(r), &options))
        });
        let plain = match Plan::new(policy.ast()) {
            Ok(plan) => plan.without_index(),
            Err(d) => panic!("{d:?}"),
        };
        assert_eq!(
            serde_json::to_string(&evaluate(&plain, &record, &options)).ok(),
            serde_json::to_string(&decision).ok()
        );
        group.bench_with_input(BenchmarkId::new("unindexed", n), &record, |b, r| {
            b.iter(|| evaluate(&plain, black_box(r), &options))
        });
    }
    group.finish();
}

fn explain(c: &mut Criterion) {
    let mut group = c.benchmark_group("evaluate/explain");
    for n in [20usize, 200] {
        let policy = parse(&common::policy(n));
        let record = common::record(n / 4);
        for (name, explain) in [("off", Explain::Off), ("on", Explain::On)] {
            let options = EvalOptions {
                explain,
                ..EvalOptions::at(common::now())
            };
            group.bench_with_input(BenchmarkId::new(name, n), &record, |b, r| {
                b.iter(|| policy.evaluate(black_box(r), &options))
            });
        }
    }
    group.finish();
}

fn by_record_size(c: &mut Criterion) {
    let mut group = c.benchmark_group("evaluate/record_size");
    let options = EvalOptions::at(common::now());
    let policy = parse(&common::policy(20));
    for extra in [0usize, 100, 1_000] {
        // Fields the policy never reads, and a tag list the `contains` tests scan.
        let mut record = common::record(5);
        if let Json::Object(map) = &mut record {
            for i in 0..extra {
                map.insert(format!("extra_{i}"), json!(i));
            }
            map.insert(
                "tags".into(),
                Json::Array((0..extra).map(|i| json!(format!("tag-{i}"))).collect()),
            );
        }
        let bytes = record.to_string().len();
        group.throughput(Throughput::Bytes(bytes as u64));
        group.bench_with_input(
            BenchmarkId::new("fields_and_tags", extra),
            &record,
            |b, r| b.iter(|| policy.evaluate(black_box(r), &options)),
        );
    }
    group.finish();
}

fn customer_service(c: &mut Criterion) {
    let mut group = c.benchmark_group("evaluate/customer_service");
    let options = EvalOptions::at(common::now());
    let policy = parse(common::CUSTOMER_SERVICE);
    let records: Vec<Json> = common::customer_service_lines(1_000)
        .iter()
        .filter_map(|l| serde_json::from_str(l).ok())
        .collect();
    group.throughput(Throughput::Elements(records.len() as u64));
    group.bench_function("1000_records", |b| {
        b.iter(|| {
            for r in &records {
                black_box(policy.evaluate(black_box(r), &options));
            }
        })
    });
    group.finish();
}

/// Indexes on every gating field and numeric bands: 20, 2 000 and 10 000 rules over ten
/// text fields, and as many rules of numeric bands, with and without the index.
fn wide_and_bands(c: &mut Criterion) {
    let mut group = c.benchmark_group("evaluate/index");
    let options = EvalOptions::at(common::now());
    type Workload = (&'static str, fn(usize) -> String, fn(usize) -> Json);
    let workloads: [Workload; 2] = [
        ("ten_fields", common::wide_policy, common::wide_record),
        ("bands", common::band_policy, common::band_record),
    ];
    for (name, policy_of, record_of) in workloads {
        for n in [20usize, 2_000, 10_000] {
            let policy = parse(&policy_of(n));
            let record = record_of(n);
            let decision = policy.evaluate(&record, &options);
            assert!(!decision.fired.is_empty() && decision.errors.is_empty());
            let plan = Plan::new(policy.ast()).unwrap();
            assert!(plan.is_indexed());
            let plain = plan.without_index();
            assert_eq!(
                serde_json::to_string(&evaluate(&plain, &record, &options)).ok(),
                serde_json::to_string(&decision).ok()
            );
            group.bench_with_input(
                BenchmarkId::new(format!("{name}/indexed"), n),
                &record,
                |b, r| b.iter(|| policy.evaluate(black_box(r), &options)),
            );
            if n <= 2_000 {
                group.bench_with_input(
                    BenchmarkId::new(format!("{name}/unindexed"), n),
                    &record,
                    |b, r| b.iter(|| evaluate(&plain, black_box(r), &options)),
                );
            }
        }
    }
    group.finish();
}

criterion_group!(
    benches,
    by_rules,
    explain,
    by_record_size,
    customer_service,
    wide_and_bands
);
criterion_main!(benches);
