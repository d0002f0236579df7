//! Reading a record line, per line, on the customer-service records of `benches/peers`
//! (13 fields, one `tags` list): `serde_json` into a `Value` alone (and re-printed, the
//! issue's yardstick), the strict reader `read_json_record`, and the layout-aware scanner
//! `record::scan` filling the 13 fields.
#![allow(
    clippy::unwrap_used,
    clippy::expect_used,
    clippy::panic,
    clippy::indexing_slicing,
    reason = "tests and benches stop loudly on the unexpected"
)]

mod common;

use std::hint::black_box;

use criterion::{Criterion, Throughput, criterion_group, criterion_main};
use serde_json::Value as Json;
use service_policy::read_json_record;
use service_policy::record::scan::{Found, Layout, recycle, scan};

fn reading(c: &mut Criterion) {
    let lines = common::customer_service_lines(1_000);
    let layout = Layout::new(&common::customer_service_paths());
    let mut out = Vec::new();
    for line in &lines {
        assert!(scan(line, &layout, &mut out), "{line}");
        assert!(out.iter().all(|f| *f != Found::Absent), "{line}");
        out = recycle(out);
    }

    let mut group = c.benchmark_group("scan");
    group.throughput(Throughput::Elements(lines.len() as u64));
    group.bench_function("serde_json_value", |b| {
        b.iter(|| {
            for line in &lines {
                black_box(serde_json::from_str::<Json>(black_box(line)).is_ok());
            }
        })
    });
    group.bench_function("serde_json_value_print", |b| {
        b.iter(|| {
            for line in &lines {
                let value = serde_json::from_str::<Json>(black_box(line)).unwrap();
                black_box(serde_json::to_string(&value).unwrap().len());
            }
        })
    });
    group.bench_function("read_json_record", |b| {
        b.iter(|| {
            for line in &lines {
                black_box(read_json_record(black_box(line)).is_ok());
            }
        })
    });
    group.bench_function("scan", |b| {
        let mut out = Vec::with_capacity(layout.len());
        b.iter(|| {
            for line in &lines {
                let mut slots = recycle(std::mem::take(&mut out));
                black_box(scan(black_box(line), &layout, &mut slots));
                out = recycle(slots);
            }
        })
    });
    group.finish();
}

criterion_group!(benches, reading);
criterion_main!(benches);
