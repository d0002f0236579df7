//! The same 20-rule customer-service workload in service-policy and its peers.
//!
//! Every engine reads the same generated records (parsed once into `serde_json::Value`,
//! as a host receives them) and must produce the same set of actions for each one: the
//! run asserts that before it times anything and aborts on the first difference. Each
//! engine is used in its idiomatic form (see `workload/`), and its time per record
//! includes turning the JSON record into the engine's own input, which any host has to
//! do. The hand-written Rust function is the floor.
//!
//! Usage: `service-policy-peers [RECORDS] [PASSES]` (defaults 1000 and 15; set
//! `PEERS_ONLY=<engine name>` to run the floor and one engine only; `--jsonl N` prints N
//! records as JSON lines instead). Prints a
//! Markdown table: load time (parse and compile the policy, median of 5) and the median
//! over passes of the time per record.

use std::collections::{BTreeSet, HashMap};
use std::hint::black_box;
use std::io::Write as _;
use std::time::{Duration, Instant};

use serde_json::{Value as Json, json};

mod engines;
mod records;

/// Every action the workload can require, one bit each.
pub const ACTIONS: [&str; 18] = [
    "escalate:supervisor",
    "notify:team-lead",
    "assign:email-priority",
    "require_approval:store-manager",
    "require_approval:finance",
    "escalate:legal",
    "tag:vip",
    "notify:social-team",
    "assign:store-lead",
    "escalate:team-lead",
    "escalate:duty-manager",
    "tag:repeat-contact",
    "notify:account-manager",
    "assign:overflow",
    "require_approval:fraud-desk",
    "tag:auto-reply",
    "assign:translation",
    "emit:callback",
];

/// The bit of an action written `kind:target`; an unknown action is a mismatch.
pub fn bit(action: &str) -> u32 {
    match ACTIONS.iter().position(|a| *a == action) {
        Some(i) => 1 << i,
        None => {
            eprintln!("unknown action `{action}`");
            std::process::exit(3);
        }
    }
}

/// The bit of an action given as its kind and target.
pub fn bit2(kind: &str, target: &str) -> u32 {
    for (i, a) in ACTIONS.iter().enumerate() {
        if a.len() == kind.len() + 1 + target.len()
            && a.starts_with(kind)
            && a.ends_with(target)
            && a.as_bytes().get(kind.len()) == Some(&b':')
        {
            return 1 << i;
        }
    }
    eprintln!("unknown action `{kind}:{target}`");
    std::process::exit(3);
}

fn names(mask: u32) -> BTreeSet<&'static str> {
    ACTIONS
        .iter()
        .enumerate()
        .filter(|(i, _)| mask & (1 << i) != 0)
        .map(|(_, a)| *a)
        .collect()
}

/// One engine: loaded once, then asked for the actions of each record.
pub trait Engine {
    /// The engine's name in the table.
    fn name(&self) -> &'static str;
    /// The actions the record requires, as a bit set over [`ACTIONS`].
    fn decide(&mut self, record: &Json) -> u32;
}

type Loader = fn() -> Box<dyn Engine>;

fn median(mut xs: Vec<f64>) -> f64 {
    xs.sort_by(f64::total_cmp);
    let n = xs.len();
    if n == 0 {
        return f64::NAN;
    }
    if n % 2 == 1 {
        xs[n / 2]
    } else {
        (xs[n / 2 - 1] + xs[n / 2]) / 2.0
    }
}

fn main() {
    let mut args = std::env::args().skip(1).peekable();
    // `--jsonl N` prints N generated records as JSON lines (input for the batch command).
    if args.peek().map(String::as_str) == Some("--jsonl") {
        args.next();
        let count: usize = args.next().and_then(|a| a.parse().ok()).unwrap_or(1000);
        let mut out = std::io::BufWriter::new(std::io::stdout().lock());
        for record in records::generate(count, 0x5eed_cafe) {
            if writeln!(out, "{record}").is_err() {
                std::process::exit(2);
            }
        }
        return;
    }
    let count: usize = args.next().and_then(|a| a.parse().ok()).unwrap_or(1000);
    let passes: usize = args.next().and_then(|a| a.parse().ok()).unwrap_or(15);
    let records = records::generate(count, 0x5eed_cafe);

    let mut loaders: Vec<(&str, Loader)> = vec![
        ("hand-written Rust", engines::floor::load),
        ("service-policy", engines::service_policy::load),
        ("Cedar", engines::cedar::load),
        ("Rego (regorus)", engines::rego::load),
        ("CEL (cel-interpreter)", engines::cel::load),
        ("Rhai", engines::rhai::load),
    ];
    // `PEERS_ONLY=name` keeps the floor and that engine (for profiling one engine).
    if let Ok(only) = std::env::var("PEERS_ONLY") {
        loaders.retain(|(name, _)| *name == "hand-written Rust" || *name == only);
    }

    // Load times first (median of 5 loads), keeping the last engine of each.
    let mut engines = Vec::new();
    let mut load_ns = Vec::new();
    for (_, load) in &loaders {
        let mut times = Vec::new();
        let mut last = None;
        for _ in 0..5 {
            let start = Instant::now();
            let engine = load();
            times.push(start.elapsed().as_nanos() as f64);
            last = Some(engine);
        }
        load_ns.push(median(times));
        engines.extend(last);
    }

    // Every engine must agree with the floor on every record before anything is timed.
    let expected: Vec<u32> = records.iter().map(|r| engines[0].decide(r)).collect();
    let mut histogram = [0usize; 19];
    for mask in &expected {
        histogram[mask.count_ones() as usize] += 1;
    }
    for engine in engines.iter_mut().skip(1) {
        for (record, want) in records.iter().zip(&expected) {
            let got = engine.decide(record);
            if got != *want {
                eprintln!(
                    "MISMATCH: {} on record {}\n  expected {:?}\n  got      {:?}",
                    engine.name(),
                    record,
                    names(*want),
                    names(got)
                );
                std::process::exit(1);
            }
        }
    }
    let total_actions: u32 = expected.iter().map(|m| m.count_ones()).sum();
    eprintln!(
        "all {} engines agree on {} records ({} actions, {:.2} per record; records by action count: {:?})",
        engines.len(),
        records.len(),
        total_actions,
        f64::from(total_actions) / records.len() as f64,
        histogram
            .iter()
            .enumerate()
            .filter(|(_, n)| **n > 0)
            .collect::<Vec<_>>()
    );

    // Timing: each pass decides every record once with every engine in turn, so that a
    // change of load on the machine touches all engines alike; the figure is the median
    // pass of each engine.
    for engine in engines.iter_mut() {
        for r in &records {
            black_box(engine.decide(black_box(r)));
        }
    }
    let mut samples: Vec<Vec<f64>> = vec![Vec::new(); engines.len()];
    for _ in 0..passes {
        for (engine, samples) in engines.iter_mut().zip(samples.iter_mut()) {
            let start = Instant::now();
            for r in &records {
                black_box(engine.decide(black_box(r)));
            }
            let elapsed: Duration = start.elapsed();
            samples.push(elapsed.as_nanos() as f64 / records.len() as f64);
        }
    }
    let per_record: Vec<f64> = samples.into_iter().map(median).collect();

    let floor = per_record[0];
    let ours = per_record[1];
    println!(
        "| engine | load (µs, median of 5) | ns per record (median of {passes} passes × {} records) | × floor | × service-policy |",
        records.len()
    );
    println!("|---|---:|---:|---:|---:|");
    for ((engine, load), ns) in engines.iter().zip(&load_ns).zip(&per_record) {
        println!(
            "| {} | {:.1} | {:.0} | {:.1} | {:.2} |",
            engine.name(),
            load / 1000.0,
            ns,
            ns / floor,
            ns / ours
        );
    }
    let summary: HashMap<&str, f64> = engines
        .iter()
        .map(|e| e.name())
        .zip(per_record.iter().copied())
        .collect();
    println!(
        "\n{}",
        json!({ "records": records.len(), "passes": passes, "ns_per_record": summary })
    );
}
