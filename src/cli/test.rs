//! `service-policy test`: run `*.tests.yaml` files, report as text, JSON or JUnit XML.

use std::fmt::Write as _;
use std::path::PathBuf;

use rust_decimal::Decimal;
use service_policy::testing::{self, FileResult, side_by_side};

use super::{Outcome, TestFormat, UsageError, exit, out};

pub(super) fn run(
    paths: &[PathBuf],
    format: TestFormat,
    coverage: bool,
    min_coverage: Option<Decimal>,
) -> Outcome {
    let roots = if paths.is_empty() {
        vec![PathBuf::from(".")]
    } else {
        paths.to_vec()
    };
    for root in &roots {
        if !root.exists() {
            return Err(UsageError(format!("`{}` does not exist", root.display())));
        }
    }
    let files = testing::discover(&roots)?;
    if files.is_empty() {
        return Err(UsageError("no `*.tests.yaml` files found".into()));
    }
    let results: Vec<FileResult> = files.iter().map(|f| testing::run_file(f)).collect();
    let mut failed = results.iter().any(|r| !r.passed());
    let mut below = Vec::new();
    if let Some(min) = min_coverage {
        for r in &results {
            if let Some(c) = &r.coverage
                && c.rule_percent() < min
            {
                below.push(format!(
                    "{}: {}% of rules fired, below the minimum of {min}%",
                    r.path.display(),
                    c.rule_percent()
                ));
            }
        }
        failed |= !below.is_empty();
    }
    match format {
        TestFormat::Human => out(&human(&results, coverage))?,
        TestFormat::Json => out(&format!("{}\n", serde_json::to_string_pretty(&results)?))?,
        TestFormat::Junit => out(&format!("{}\n", junit(&results)?))?,
    }
    for line in below {
        eprintln!("error: {line}");
    }
    Ok(exit(failed))
}

fn human(results: &[FileResult], coverage: bool) -> String {
    let mut out = String::new();
    let (mut passed, mut failed) = (0usize, 0usize);
    for r in results {
        let _ = writeln!(out, "{}", r.path.display());
        if let Some(error) = &r.error {
            failed += 1;
            // A policy's diagnostics come one per line: keep them all under the file.
            let mut lines = error.lines();
            let _ = writeln!(out, "  FAIL {}", lines.next().unwrap_or(""));
            for line in lines {
                let _ = writeln!(out, "       {line}");
            }
            continue;
        }
        for case in &r.cases {
            if case.passed {
                passed += 1;
                let _ = writeln!(out, "  ok   {}", case.name);
                continue;
            }
            failed += 1;
            let _ = writeln!(out, "  FAIL {}", case.name);
            for f in &case.failures {
                let _ = writeln!(out, "       {}: {}", f.what, f.message);
                if !(f.expected.is_null() && f.actual.is_null()) {
                    for line in side_by_side(f).lines() {
                        let _ = writeln!(out, "         {line}");
                    }
                }
            }
        }
        if coverage && let Some(c) = &r.coverage {
            let _ = writeln!(
                out,
                "  coverage: {}% of rules fired, {}% of actions required",
                c.rule_percent(),
                c.action_percent()
            );
            for rule in &c.rules_not_fired {
                let _ = writeln!(out, "    rule never fired: {rule}");
            }
            for action in &c.actions_not_required {
                let _ = writeln!(out, "    action never required: {action}");
            }
        }
    }
    let _ = writeln!(out, "\n{passed} passed, {failed} failed");
    out
}

fn junit(results: &[FileResult]) -> Result<String, UsageError> {
    use quick_junit::{NonSuccessKind, Report, TestCase, TestCaseStatus, TestSuite};
    let mut report = Report::new("service-policy");
    for r in results {
        let mut suite = TestSuite::new(r.path.display().to_string());
        if let Some(error) = &r.error {
            let mut status = TestCaseStatus::non_success(NonSuccessKind::Error);
            // The attribute holds the first line; the element's body keeps every line.
            status.set_message(error.lines().next().unwrap_or_default().to_owned());
            status.set_description(error.clone());
            let mut test_case = TestCase::new("load", status);
            test_case.set_classname(r.path.display().to_string());
            suite.add_test_case(test_case);
        }
        for case in &r.cases {
            let status = if case.passed {
                TestCaseStatus::success()
            } else {
                let mut status = TestCaseStatus::non_success(NonSuccessKind::Failure);
                let summary: Vec<String> = case
                    .failures
                    .iter()
                    .map(|f| format!("{}: {}", f.what, f.message))
                    .collect();
                status.set_message(summary.join("; "));
                let detail: Vec<String> = case
                    .failures
                    .iter()
                    .map(|f| format!("{}: {}\n{}", f.what, f.message, side_by_side(f)))
                    .collect();
                status.set_description(detail.join("\n"));
                status
            };
            let mut test_case = TestCase::new(case.name.clone(), status);
            test_case.set_classname(r.path.display().to_string());
            suite.add_test_case(test_case);
        }
        report.add_test_suite(suite);
    }
    report
        .to_string()
        .map_err(|e| UsageError(format!("cannot write JUnit XML: {e}")))
}
