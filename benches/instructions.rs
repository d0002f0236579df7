//! One operation repeated `R` times, for instruction counts under callgrind: the figures of
//! "Wave 2" in docs/performance.md. Instruction counts do not depend on the machine's load,
//! so they give ratios where wall-clock benches on a busy machine cannot.
//!
//! ```sh
//! cargo bench --features internals --bench instructions --no-run   # prints the binary's path
//! valgrind --tool=callgrind --callgrind-out-file=/dev/null BINARY MODE N R 2>&1 | grep refs
//! ```
//!
//! MODE is `syntax` (parse only), `parse` (`Policy::parse`: parse, check, compile), `wide`
//! or `bands` (evaluate one record against `wide_policy(N)` / `band_policy(N)` of
//! `benches/common`), or `wide-plain` / `bands-plain` (the same without the rule index),
//! or, reading one record line of `customer_service_lines(N)` per repetition:
//! `line-value` (`serde_json` into a `Value`), `line-value-print` (the same, printed
//! again), `line-strict` (`read_json_record`) or `line-scan` (`record::scan` into the 13
//! fields), and the whole of `batch`'s work on a line against the customer-service policy:
//! `line-batch` (strict parse, evaluate into a buffer, print) or `line-straight` (read
//! straight into the slots when the line allows it, else as `line-batch`); and
//! `evaluate-into` / `evaluate-owned`, evaluating parsed records of those lines into a
//! buffer or into an owned decision. `history-value`, `history-value-print`,
//! `history-strict` and `history-scan` read the lines of the help desk's ticket history as
//! the `line-` modes do (nested objects and lists; N is ignored, the 1 000 lines are taken
//! in turn), the scanner reading the 14 fields `desk.policy` reads.
//! Per operation: `(Ir(R₂) − Ir(R₁)) / (R₂ − R₁)`, so that building the input and loading
//! the policy cancel out. Run by `cargo bench` without arguments, it parses 1 000 rules once.
#![allow(
    clippy::unwrap_used,
    clippy::expect_used,
    clippy::panic,
    clippy::indexing_slicing,
    reason = "tests and benches stop loudly on the unexpected"
)]

mod common;

use std::hint::black_box;

use service_policy::compile::Plan;
use service_policy::record::scan::{Layout, recycle, scan};
use service_policy::{EvalOptions, Evaluation, Policy};

/// What `batch` prints for one line: read straight when `straight` and the line allows it,
/// else parsed strictly and evaluated into the buffer, then written as `batch` writes it;
/// the output line's length.
fn batch_line(
    policy: &Policy,
    line: &str,
    straight: bool,
    options: &EvalOptions,
    buffer: &mut Evaluation,
) -> usize {
    if straight
        && let Some((decision, id)) = policy.evaluate_json_line(line, Some("id"), options, buffer)
    {
        return common::decision_line(1, &id, &decision).len();
    }
    static NULL: serde_json::Value = serde_json::Value::Null;
    let record = service_policy::read_json_record(line).unwrap();
    let id = record.get("id").unwrap_or(&NULL);
    let decision = policy.evaluate_into(&record, options, buffer);
    common::decision_line(1, id, &decision).len()
}

fn main() {
    // `cargo bench` passes `--bench`; only the positional arguments count.
    let args: Vec<String> = std::env::args()
        .skip(1)
        .filter(|a| !a.starts_with("--"))
        .collect();
    let mode = args.first().map_or("parse", String::as_str);
    let n: usize = args
        .get(1)
        .map_or(1000, |s| s.parse().expect("N: a number of rules"));
    let reps: usize = args
        .get(2)
        .map_or(1, |s| s.parse().expect("R: a number of repetitions"));
    let options = EvalOptions::at(common::now());
    match mode {
        "syntax" | "parse" => {
            let source = common::policy(n);
            for _ in 0..reps {
                if mode == "syntax" {
                    black_box(service_policy::syntax::parse(&source).is_ok());
                } else {
                    black_box(Policy::parse(&source).is_ok());
                }
            }
        }
        "wide" | "wide-plain" | "bands" | "bands-plain" => {
            let (source, record) = if mode.starts_with("wide") {
                (common::wide_policy(n), common::wide_record(n))
            } else {
                (common::band_policy(n), common::band_record(n))
            };
            let policy = Policy::parse(&source).unwrap();
            let plain = Plan::new(policy.ast()).unwrap().without_index();
            for _ in 0..reps {
                if mode.ends_with("-plain") {
                    black_box(service_policy::eval::evaluate(&plain, &record, &options));
                } else {
                    black_box(policy.evaluate(&record, &options));
                }
            }
        }
        "line-value"
        | "line-value-print"
        | "line-strict"
        | "line-scan"
        | "history-value"
        | "history-value-print"
        | "history-strict"
        | "history-scan" => {
            let (lines, paths) = if mode.starts_with("history") {
                let lines: Vec<String> = common::HISTORY.lines().map(str::to_owned).collect();
                (lines, common::history_paths())
            } else {
                (
                    common::customer_service_lines(n),
                    common::customer_service_paths(),
                )
            };
            let layout = Layout::new(&paths);
            let mut out = Vec::with_capacity(layout.len());
            let reader = mode.split_once('-').map_or("", |(_, reader)| reader);
            for r in 0..reps {
                let line = &lines[r % lines.len()];
                match reader {
                    "value" => {
                        black_box(serde_json::from_str::<serde_json::Value>(line).is_ok());
                    }
                    "value-print" => {
                        let value = serde_json::from_str::<serde_json::Value>(line).unwrap();
                        black_box(serde_json::to_string(&value).unwrap().len());
                    }
                    "strict" => {
                        black_box(service_policy::read_json_record(line).is_ok());
                    }
                    _ => {
                        let mut slots = recycle(std::mem::take(&mut out));
                        assert!(scan(line, &layout, &mut slots));
                        out = recycle(slots);
                    }
                }
            }
        }
        "line-batch" | "line-straight" => {
            let lines = common::customer_service_lines(n);
            let policy = Policy::parse(common::CUSTOMER_SERVICE).unwrap();
            let mut buffer = Evaluation::new();
            for r in 0..reps {
                let line = &lines[r % n];
                black_box(batch_line(
                    &policy,
                    line,
                    mode == "line-straight",
                    &options,
                    &mut buffer,
                ));
            }
        }
        "evaluate-into" | "evaluate-owned" => {
            let records: Vec<serde_json::Value> = common::customer_service_lines(n)
                .iter()
                .map(|l| serde_json::from_str(l).unwrap())
                .collect();
            let policy = Policy::parse(common::CUSTOMER_SERVICE).unwrap();
            let mut buffer = Evaluation::new();
            for r in 0..reps {
                let record = &records[r % n];
                if mode == "evaluate-into" {
                    black_box(
                        policy
                            .evaluate_into(record, &options, &mut buffer)
                            .fired()
                            .len(),
                    );
                } else {
                    black_box(policy.evaluate(record, &options).fired.len());
                }
            }
        }
        other => {
            panic!(
                "unknown mode `{other}`: syntax, parse, wide, bands, wide-plain, bands-plain, \
                 line-value, line-value-print, line-strict, line-scan, line-batch, \
                 line-straight, evaluate-into, evaluate-owned, history-value, \
                 history-value-print, history-strict, history-scan"
            )
        }
    }
}
