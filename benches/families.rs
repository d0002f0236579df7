//! Loading a policy set of fifty branch files over one 200-rule base (SPEC §16), against
//! loading the base alone: the base is read, parsed and merged once for the whole set, so a
//! branch file should cost about one load of the merged policy (check and compile), not a
//! parse of its base too.
#![allow(
    clippy::unwrap_used,
    clippy::expect_used,
    clippy::panic,
    clippy::indexing_slicing,
    reason = "tests and benches stop loudly on the unexpected"
)]

mod common;

use std::hint::black_box;

use criterion::{Criterion, criterion_group, criterion_main};
use service_policy::{Policy, PolicySet, Resolver, SourceFile};

const BRANCHES: usize = 50;

/// Serves the base to the branches.
struct Base(String);

impl Resolver for Base {
    fn load(&self, _from: &str, target: &str) -> Result<SourceFile, String> {
        (target == "base.policy")
            .then(|| SourceFile {
                name: "base.policy".to_owned(),
                text: self.0.clone(),
            })
            .ok_or_else(|| format!("no `{target}`"))
    }
}

/// A branch: its own `when`, one overridden rule, one removed, one added.
fn branch(i: usize) -> SourceFile {
    let text = format!(
        "policy \"Branch {i}\" extends \"base.policy\" {{\n  record {{ branch: text? }}\n  when branch == \"b{i}\"\n  override rule r{r} {{ when queue == \"q{q}\" then tag \"local-{i}\" }}\n  remove rule r{s}\n  rule local_{i} {{ when queue == \"local\" then tag \"local\" }}\n}}\n",
        r = (i * 4) % 200,
        q = (i * 4) % 200 / 2,
        s = (i * 4 + 1) % 200,
    );
    SourceFile {
        name: format!("branch_{i}.policy"),
        text,
    }
}

fn families(c: &mut Criterion) {
    let base = common::policy(200);
    let branches: Vec<SourceFile> = (0..BRANCHES).map(branch).collect();
    let resolver = Base(base.clone());
    let set = PolicySet::from_sources(branches.clone(), &resolver).unwrap();
    assert_eq!(set.policies().count(), BRANCHES);
    assert!(set.warnings().is_empty());

    let mut group = c.benchmark_group("families");
    group.sample_size(10);
    group.bench_function("base alone (200 rules)", |b| {
        b.iter(|| Policy::parse_named("base.policy", black_box(&base)).unwrap())
    });
    group.bench_function("set of 50 branches over the base", |b| {
        b.iter(|| PolicySet::from_sources(black_box(branches.clone()), &resolver).unwrap())
    });
    group.finish();
}

criterion_group!(benches, families);
criterion_main!(benches);
