//! `service-policy check`: every diagnostic of every policy, for people, tools and CI.

use std::path::PathBuf;

use serde_sarif::sarif;
use service_policy::diagnostic::render::render_human;
use service_policy::{Code, Diagnostic, Diagnostics, Severity, SourceFile, Span};

use super::{CheckFormat, Outcome, UsageError, exit, out, policy_files, stdout_color};

pub(super) fn run(paths: &[PathBuf], format: CheckFormat, deny_warnings: bool) -> Outcome {
    let files = policy_files(paths)?;
    if files.is_empty() {
        return Err(UsageError("no `*.policy` files found".into()));
    }
    // Files that are UTF-8 are checked together, as a set: each with its bases once.
    let mut reports = Vec::with_capacity(files.len());
    let mut sources = Vec::with_capacity(files.len());
    for file in &files {
        match read_file(file)? {
            Ok(source) => sources.push(source),
            Err(not_utf8) => reports.push(not_utf8),
        }
    }
    reports.extend(service_policy::check_sources(
        sources,
        &service_policy::FileResolver,
    ));
    let errors: usize = reports.iter().map(|r| r.errors().count()).sum();
    let warnings: usize = reports.iter().map(|r| r.warnings().count()).sum();
    match format {
        CheckFormat::Human => print_human(&reports, files.len(), errors, warnings)?,
        CheckFormat::Json => {
            let all: Vec<_> = reports.iter().flat_map(Diagnostics::to_json).collect();
            out(&format!("{}\n", serde_json::to_string_pretty(&all)?))?;
        }
        CheckFormat::Github => {
            for report in &reports {
                out(&github_annotations(report))?;
            }
        }
        CheckFormat::Sarif => out(&format!(
            "{}\n",
            serde_json::to_string_pretty(&sarif_log(&reports))?
        ))?,
    }
    Ok(exit(errors > 0 || (deny_warnings && warnings > 0)))
}

/// One file's text, or its diagnostics. A file that is not UTF-8 (SPEC §3) is a syntax
/// error at its first bad byte, like any other problem of that file, and the other files
/// are still checked; only a file that cannot be read at all stops the command.
fn read_file(file: &std::path::Path) -> Result<Result<SourceFile, Diagnostics>, UsageError> {
    // Named as `extends` names it, so a base given too is one file, checked once.
    let name = service_policy::FileResolver::name_of(file);
    let bytes = std::fs::read(file)
        .map_err(|e| UsageError(format!("cannot read `{}`: {e}", file.display())))?;
    match String::from_utf8(bytes) {
        Ok(text) => Ok(Ok(SourceFile { name, text })),
        Err(e) => {
            let at = e.utf8_error().valid_up_to();
            let text = String::from_utf8_lossy(e.as_bytes()).into_owned();
            // The valid prefix is unchanged by the lossy copy, so `at` starts the first
            // replacement character there.
            let end = text
                .get(at..)
                .and_then(|rest| rest.chars().next())
                .map_or(at, |c| at + c.len_utf8());
            let diagnostic = Diagnostic::new(
                Code::E0001,
                Span::new(at, end),
                "the file is not valid UTF-8",
            )
            .with_primary_label("this byte does not start a UTF-8 character")
            .with_help("save the policy as UTF-8");
            Ok(Err(Diagnostics::new(
                std::sync::Arc::new(SourceFile { name, text }),
                vec![diagnostic],
            )))
        }
    }
}

fn print_human(
    reports: &[Diagnostics],
    files: usize,
    errors: usize,
    warnings: usize,
) -> Result<(), UsageError> {
    let color = stdout_color();
    for report in reports.iter().filter(|r| !r.is_empty()) {
        out(&render_human(report, color))?;
    }
    let plural = |n: usize, word: &str| format!("{n} {word}{}", if n == 1 { "" } else { "s" });
    out(&format!(
        "checked {}: {}, {}\n",
        plural(files, "file"),
        plural(errors, "error"),
        plural(warnings, "warning")
    ))
}

/// GitHub workflow commands: `::error file=…,line=…,col=…::message`.
fn github_annotations(report: &Diagnostics) -> String {
    let mut out = String::new();
    for d in report.to_json() {
        let level = match d.severity {
            Severity::Error => "error",
            Severity::Warning => "warning",
        };
        let mut message = d.message.clone();
        if let Some(help) = &d.help {
            message.push_str("\nhelp: ");
            message.push_str(help);
        }
        out.push_str(&format!(
            "::{level} file={},line={},col={},endLine={},endColumn={},title={}::{}\n",
            escape_property(&d.file),
            d.start.line,
            d.start.column,
            d.end.line,
            d.end.column,
            d.code,
            escape_data(&message)
        ));
    }
    out
}

fn escape_data(text: &str) -> String {
    text.replace('%', "%25")
        .replace('\r', "%0D")
        .replace('\n', "%0A")
}

fn escape_property(text: &str) -> String {
    escape_data(text).replace(':', "%3A").replace(',', "%2C")
}

/// A SARIF 2.1.0 log with one run, a rule per code used and a result per diagnostic.
fn sarif_log(reports: &[Diagnostics]) -> sarif::Sarif {
    let diagnostics: Vec<_> = reports.iter().flat_map(Diagnostics::to_json).collect();
    let mut codes: Vec<_> = diagnostics.iter().map(|d| d.code).collect();
    codes.sort();
    codes.dedup();
    let rules: Vec<sarif::ReportingDescriptor> = codes
        .iter()
        .map(|code| {
            sarif::ReportingDescriptor::builder()
                .id(code.as_str().to_owned())
                .short_description(
                    sarif::MultiformatMessageString::builder()
                        .text(code_summary(code.as_str()).to_owned())
                        .build(),
                )
                .build()
        })
        .collect();
    let results: Vec<sarif::Result> = diagnostics
        .iter()
        .map(|d| {
            let region = sarif::Region::builder()
                .start_line(d.start.line as i64)
                .start_column(d.start.column as i64)
                .end_line(d.end.line as i64)
                .end_column(d.end.column as i64)
                .build();
            let location = sarif::Location::builder()
                .physical_location(
                    sarif::PhysicalLocation::builder()
                        .artifact_location(
                            sarif::ArtifactLocation::builder()
                                .uri(d.file.replace('\\', "/"))
                                .build(),
                        )
                        .region(region)
                        .build(),
                )
                .build();
            let mut text = d.message.clone();
            if let Some(help) = &d.help {
                text.push_str(&format!(" (help: {help})"));
            }
            sarif::Result::builder()
                .rule_id(d.code.as_str().to_owned())
                .level(match d.severity {
                    Severity::Error => sarif::ResultLevel::Error,
                    Severity::Warning => sarif::ResultLevel::Warning,
                })
                .message(sarif::Message::builder().text(text).build())
                .locations(vec![location])
                .build()
        })
        .collect();
    let driver = sarif::ToolComponent::builder()
        .name("service-policy".to_owned())
        .version(env!("CARGO_PKG_VERSION").to_owned())
        .rules(rules)
        .build();
    // Our columns count characters; SARIF's default unit is UTF-16 code units, which
    // differ for characters outside the Basic Multilingual Plane (`😀`).
    let run = sarif::Run::builder()
        .tool(sarif::Tool::builder().driver(driver).build())
        .column_kind(serde_json::Value::from("unicodeCodePoints"))
        .results(results)
        .build();
    sarif::Sarif::builder()
        .schema("https://json.schemastore.org/sarif-2.1.0.json".to_owned())
        .version(serde_json::Value::from("2.1.0"))
        .runs(vec![run])
        .build()
}

/// One line per code, as in SPEC §12.
fn code_summary(code: &str) -> &'static str {
    match code {
        "E0001" => "syntax error",
        "E0002" => "nesting or size limit",
        "E0101" => "duplicate name",
        "E0102" => "unknown name",
        "E0103" => "unknown field",
        "E0201" => "type mismatch",
        "E0202" => "currency mismatch",
        "E0203" => "text value outside the field's enumeration",
        "E0204" => "wrong type for `within`/`of`/`limit` operands",
        "E0301" => "rule without `then`/`expect`/`limit`",
        "E0302" => "handler not allowed for this rule",
        "E0303" => "escalation target not on the ladder",
        "E0304" => "invalid calendar",
        "E0305" => "invalid regex",
        "E0306" => "unknown time zone",
        "E0307" => "table arity mismatch",
        "E0310" => "rule that may cost more than the evaluation limit",
        "W0001" => "unused const, calendar or table",
        "W0002" => "guard that can never be true, or is always true",
        "W0003" => "rule in `first of` that can never be reached",
        "W0004" => "table row that can never match",
        "W0005" => "table without a catch-all row over an enumeration it does not cover",
        "W0006" => "schema field never read",
        "W0007" => "a duration in days or weeks measured on a calendar",
        _ => "policy problem",
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn github_messages_escape_newlines_and_separators() {
        assert_eq!(escape_data("a%b\nc"), "a%25b%0Ac");
        assert_eq!(escape_property("C:\\x,y"), "C%3A\\x%2Cy");
    }
}
