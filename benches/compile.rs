//! Loading cost by policy size: parse, check, compile, and all three through
//! `Policy::parse`, for 10, 100, 1 000 and 10 000 rules.
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
use service_policy::compile::Plan;
use service_policy::{Policy, check, syntax};

fn load(c: &mut Criterion) {
    let mut group = c.benchmark_group("load");
    group.sample_size(10);
    for n in [10usize, 100, 1_000, 10_000] {
        let source = common::policy(n);
        let ast = match syntax::parse(&source) {
            Ok(ast) => ast,
            Err(errors) => panic!("the generated policy does not parse: {errors:?}"),
        };
        let errors: Vec<_> = check::check(&ast)
            .into_iter()
            .filter(|d| d.severity() == service_policy::Severity::Error)
            .collect();
        assert!(
            errors.is_empty(),
            "the generated policy has errors: {errors:?}"
        );
        group.throughput(Throughput::Elements(n as u64));
        group.bench_with_input(BenchmarkId::new("parse", n), &source, |b, s| {
            b.iter(|| syntax::parse(black_box(s)))
        });
        group.bench_with_input(BenchmarkId::new("check", n), &ast, |b, ast| {
            b.iter(|| check::check(black_box(ast)))
        });
        group.bench_with_input(BenchmarkId::new("compile", n), &ast, |b, ast| {
            b.iter(|| Plan::new(black_box(ast)))
        });
        group.bench_with_input(
            BenchmarkId::new("parse+check+compile", n),
            &source,
            |b, s| b.iter(|| Policy::parse(black_box(s)).is_ok()),
        );
    }
    group.finish();
}

criterion_group!(benches, load);
criterion_main!(benches);
