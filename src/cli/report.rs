//! `service-policy report` and `diff`: replay records through the batch engine and
//! aggregate the decisions instead of printing them (SPEC §17, §18).
//!
//! Each chunk of lines is evaluated and folded into partial figures on the worker threads;
//! the parts are merged in input order, so memory follows groups × rules, not records.

use std::io::Write as _;
use std::path::{Path, PathBuf};
use std::process::ExitCode;

use rayon::prelude::*;
use service_policy::diagnostic::render::render_human;
use service_policy::report::diff::{self, DecisionDiff};
use service_policy::report::{Period, PeriodBy, Report, ReportConfig, render};
use service_policy::{EvalOptions, LoadError, PolicySet};

use super::batch::{Input, Line, parse_line, replay, worker_pool};
use super::{Outcome, UsageError, exit, out, parse_now, stderr_color};

/// `report --format`.
#[derive(Clone, Copy, Debug, PartialEq, Eq, clap::ValueEnum)]
pub(super) enum Format {
    Table,
    Json,
    Markdown,
    Html,
}

/// `report --period`.
#[derive(Clone, Copy, Debug, PartialEq, Eq, clap::ValueEnum)]
pub(super) enum PeriodArg {
    Day,
    Week,
    Month,
}

/// The arguments of `report`.
pub(super) struct ReportArgs<'a> {
    pub paths: &'a [PathBuf],
    pub now: Option<&'a str>,
    pub by: Vec<String>,
    pub period: Option<PeriodArg>,
    pub time_field: Option<String>,
    pub format: Format,
    pub output: Option<&'a Path>,
    pub jobs: Option<usize>,
    pub as_of: Option<String>,
}

/// The policies given and the record files after them (none: standard input).
///
/// A path is a policy when it names a folder or a `*.policy` file.
fn split_paths(paths: &[PathBuf]) -> (Vec<PathBuf>, Vec<PathBuf>) {
    paths
        .iter()
        .cloned()
        .partition(|p| p.is_dir() || p.extension().is_some_and(|e| e == "policy"))
}

/// Loads "the policies given" as a set (files and folders of `*.policy`).
/// `Ok(None)`: a policy was invalid and its diagnostics are printed.
fn load_policies(paths: &[PathBuf]) -> Result<Option<PolicySet>, UsageError> {
    if super::policy_files(paths)?.is_empty() {
        return Err(UsageError("no policy file given".into()));
    }
    match PolicySet::from_paths(paths) {
        Ok(set) => Ok(Some(set)),
        Err(e @ LoadError::Io { .. }) => Err(UsageError(e.to_string())),
        Err(e) => {
            for diagnostics in e.diagnostics() {
                eprint!("{}", render_human(diagnostics, stderr_color()));
            }
            Ok(None)
        }
    }
}

/// Runs `replay` over each record file in turn (standard input when there are none),
/// numbering lines across the files.
fn replay_all(
    records: &[PathBuf],
    mut on_chunk: impl FnMut(u64, Vec<Line>) -> Result<(), UsageError>,
) -> Result<(), UsageError> {
    let inputs: Vec<Option<&Path>> = if records.is_empty() {
        vec![None]
    } else {
        records.iter().map(|p| Some(p.as_path())).collect()
    };
    let mut offset = 0u64;
    for path in inputs {
        let input = Input::open(path)?;
        let mut last = 0u64;
        replay(input, |chunk| {
            last = chunk.last().map_or(last, |(n, _)| *n);
            on_chunk(offset, chunk)
        })?;
        offset += last;
    }
    Ok(())
}

pub(super) fn run(args: &ReportArgs<'_>) -> Outcome {
    let now = parse_now(args.now)?;
    let period = match (args.period, &args.time_field) {
        (Some(unit), Some(field)) => Some(PeriodBy {
            unit: match unit {
                PeriodArg::Day => Period::Day,
                PeriodArg::Week => Period::Week,
                PeriodArg::Month => Period::Month,
            },
            field: field.clone(),
        }),
        (None, None) => None,
        _ => {
            return Err(UsageError(
                "`--period` and `--time-field` go together".into(),
            ));
        }
    };
    let pool = worker_pool(args.jobs)?;
    let (policies, records) = split_paths(args.paths);
    let Some(policy) = load_policies(&policies)? else {
        return Ok(exit(true));
    };
    let config = ReportConfig {
        by: args.by.clone(),
        period,
    };
    let mut options = EvalOptions::at(now);
    options.as_of_field = args.as_of.clone();
    let mut report = Report::new(config.clone());
    for policy in policy.policies() {
        report.declare_rules(policy);
    }
    replay_all(&records, |offset, chunk| {
        let part = pool.install(|| {
            chunk
                .par_iter()
                .fold(
                    || Report::new(config.clone()),
                    |mut part, (number, line)| {
                        match parse_line(line.as_deref()) {
                            None => {}
                            Some(Err(_)) => part.add_bad_line(offset + number),
                            // No policy of the set applies: a line without a decision.
                            Some(Ok(record)) => match policy.evaluate(&record, &options) {
                                Ok(decision) => part.add_record(&record, &decision),
                                Err(_) => part.add_bad_line(offset + number),
                            },
                        }
                        part
                    },
                )
                .reduce(
                    || Report::new(config.clone()),
                    |mut a, b| {
                        a.merge(b);
                        a
                    },
                )
        });
        report.merge(part);
        Ok(())
    })?;
    let summary = report.summary();
    let text = match args.format {
        Format::Table => render::report_table(&summary),
        Format::Markdown => render::report_markdown(&summary),
        Format::Html => render::report_html(&summary),
        Format::Json => json_text(&summary)?,
    };
    write_output(&text, args.output)?;
    Ok(exit(summary.bad_lines.count > 0))
}

fn json_text(value: &impl serde::Serialize) -> Result<String, UsageError> {
    serde_json::to_string_pretty(value)
        .map(|mut s| {
            s.push('\n');
            s
        })
        .map_err(|e| UsageError(format!("cannot print the figures: {e}")))
}

/// Writes to standard output, or atomically to `--output`.
fn write_output(text: &str, output: Option<&Path>) -> Result<(), UsageError> {
    let Some(target) = output else {
        return out(text);
    };
    let dir = target
        .parent()
        .filter(|p| !p.as_os_str().is_empty())
        .unwrap_or(Path::new("."));
    let mut temp = tempfile::Builder::new()
        .prefix(".service-policy-report")
        .tempfile_in(dir)
        .map_err(|e| UsageError(format!("cannot write in `{}`: {e}", dir.display())))?;
    temp.write_all(text.as_bytes())
        .and_then(|()| temp.as_file().sync_all())
        .map_err(|e| UsageError(format!("cannot write the output: {e}")))?;
    temp.persist(target)
        .map_err(|e| UsageError(format!("cannot replace `{}`: {e}", target.display())))?;
    Ok(())
}

/// The arguments of `diff`.
pub(super) struct DiffArgs<'a> {
    pub old: &'a Path,
    pub new: &'a Path,
    pub records: &'a [PathBuf],
    pub now: Option<&'a str>,
    pub format: Format,
    pub examples: usize,
    pub jobs: Option<usize>,
    pub as_of: Option<String>,
}

/// Exit 0 when nothing changed, 1 when something did, 2 on trouble (an invalid policy too:
/// exit 1 would read as "changed").
pub(super) fn run_diff(args: &DiffArgs<'_>) -> Outcome {
    let now = parse_now(args.now)?;
    let pool = worker_pool(args.jobs)?;
    let invalid = |path: &Path| UsageError(format!("`{}` is not a valid policy", path.display()));
    let old = load_policies(&[args.old.to_owned()])?.ok_or_else(|| invalid(args.old))?;
    let new = load_policies(&[args.new.to_owned()])?.ok_or_else(|| invalid(args.new))?;
    let structure = diff::structural_sets(old.policies(), new.policies());
    let mut options = EvalOptions::at(now);
    options.as_of_field = args.as_of.clone();
    let fresh = || DecisionDiff::for_sets(old.policies(), new.policies(), args.examples);
    let records = if args.records.is_empty() {
        None
    } else {
        let mut whole = fresh();
        replay_all(args.records, |offset, chunk| {
            let part = pool.install(|| {
                chunk
                    .par_iter()
                    .fold(fresh, |mut part, (number, line)| {
                        match parse_line(line.as_deref()) {
                            None => {}
                            Some(Err(_)) => part.add_bad_line(offset + number),
                            Some(Ok(record)) => match (
                                old.evaluate(&record, &options),
                                new.evaluate(&record, &options),
                            ) {
                                (Ok(a), Ok(b)) => part.add(offset + number, &a, &b),
                                // No policy of a side applies: no comparison.
                                _ => part.add_bad_line(offset + number),
                            },
                        }
                        part
                    })
                    .reduce(fresh, |mut a, b| {
                        a.merge(b);
                        a
                    })
            });
            whole.merge(part);
            Ok(())
        })?;
        Some(whole.summary())
    };
    let changed = match &records {
        Some(r) => r.changed > 0,
        None => !structure.is_empty(),
    };
    let text = match args.format {
        Format::Table => render::diff_table(&structure, records.as_ref()),
        Format::Markdown => render::diff_markdown(&structure, records.as_ref()),
        Format::Html => render::diff_html(&structure, records.as_ref()),
        Format::Json => json_text(&serde_json::json!({
            "old": old.policies().map(diff::Side::of).collect::<Vec<_>>(),
            "new": new.policies().map(diff::Side::of).collect::<Vec<_>>(),
            "structure": structure,
            "records": records,
        }))?,
    };
    out(&text)?;
    Ok(if changed {
        ExitCode::FAILURE
    } else {
        ExitCode::SUCCESS
    })
}
