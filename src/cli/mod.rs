//! Argument parsing and dispatch. Each command lives in its own module and returns an exit
//! status; usage and I/O problems are one clear line on stderr and exit 2 (SPEC §13).

/// Writes a line to standard error, ignoring a standard error that has gone away
/// (`… 2>&1 | head -1`): std's `eprintln!` would panic there. Defined before the commands'
/// modules, it stands in for std's macro in all of them.
macro_rules! eprintln {
    ($($arg:tt)*) => {{
        use std::io::Write as _;
        let _ = writeln!(std::io::stderr(), $($arg)*);
    }};
}

/// [`eprintln!`] without the line end.
macro_rules! eprint {
    ($($arg:tt)*) => {{
        use std::io::Write as _;
        let _ = write!(std::io::stderr(), $($arg)*);
    }};
}

mod batch;
mod check;
mod doc;
mod eval;
mod files;
mod fmt;
mod lsp;
mod report;
#[cfg(feature = "serve")]
mod serve;
mod test;

use std::io::IsTerminal;
use std::path::PathBuf;
use std::process::ExitCode;

use clap::{Parser, Subcommand, ValueEnum};

/// Customer-service policy as code: check, format, evaluate, test and replay policies.
#[derive(Debug, Parser)]
#[command(name = "service-policy", version, about, long_about = None)]
struct Cli {
    #[command(subcommand)]
    command: Command,
}

#[derive(Debug, Subcommand)]
enum Command {
    /// Parse and validate policy files and folders of `*.policy`.
    Check {
        /// Files or folders (searched recursively for `*.policy`).
        #[arg(required = true)]
        paths: Vec<PathBuf>,
        /// Output format.
        #[arg(long, value_enum, default_value_t = CheckFormat::Human)]
        format: CheckFormat,
        /// Exit 1 on warnings too.
        #[arg(long)]
        deny_warnings: bool,
    },
    /// Rewrite policies in canonical form, keeping comments.
    Fmt {
        /// Report files that would change (with a diff) instead of rewriting them.
        #[arg(long)]
        check: bool,
        /// Files or folders (searched recursively for `*.policy`).
        #[arg(required = true)]
        paths: Vec<PathBuf>,
    },
    /// Evaluate records against a policy and print one decision per record.
    Eval {
        /// The policy: a file, or a folder of them (a policy set). More `*.policy` files
        /// and folders may follow; the first other path starts the records.
        policy: PathBuf,
        /// Record files (`.json`, `.yaml`, `.yml`) or `-` for standard input.
        #[arg(required = true)]
        records: Vec<PathBuf>,
        /// Judge each record by the policy versions in force at the instant in this
        /// record field (e.g. `opened_at`) instead of `--now`.
        #[arg(long, value_name = "FIELD")]
        as_of: Option<String>,
        /// The evaluation instant (RFC 3339); defaults to the current time.
        #[arg(long)]
        now: Option<String>,
        /// Add a trace of every rule to the decision.
        #[arg(long)]
        explain: bool,
        /// Output format.
        #[arg(long, value_enum, default_value_t = EvalFormat::Json)]
        format: EvalFormat,
    },
    /// Run policy tests (`*.tests.yaml`).
    Test {
        /// Test files or folders (default: the current folder).
        paths: Vec<PathBuf>,
        /// Output format.
        #[arg(long, value_enum, default_value_t = TestFormat::Human)]
        format: TestFormat,
        /// List rules and actions that no case exercised.
        #[arg(long)]
        coverage: bool,
        /// Fail when fewer than N percent of the rules fire in some case.
        #[arg(long, value_name = "N")]
        min_coverage: Option<rust_decimal::Decimal>,
    },
    /// Evaluate a stream of JSON-lines records, one output line per input line.
    Batch {
        /// The policy: a file, or a folder of them (a policy set).
        policy: PathBuf,
        /// JSON-lines records, or `-` for standard input (the default).
        records: Option<PathBuf>,
        /// The evaluation instant (RFC 3339); defaults to the current time.
        #[arg(long)]
        now: Option<String>,
        /// Worker threads (default: all cores).
        #[arg(long, value_name = "N")]
        jobs: Option<usize>,
        /// Write to FILE atomically instead of standard output.
        #[arg(long, value_name = "FILE")]
        output: Option<PathBuf>,
        /// Exit 0 even when records failed (their error lines are still written); an
        /// invalid policy or an I/O error still fails.
        #[arg(long)]
        errors_ok: bool,
        /// The record field copied to each output line's `"id"` (a dotted path reaches
        /// into objects).
        #[arg(long, value_name = "FIELD", default_value = "id")]
        id_field: String,
        /// Judge each record by the policy versions in force at the instant in this
        /// record field (e.g. `opened_at`) instead of `--now`.
        #[arg(long, value_name = "FIELD")]
        as_of: Option<String>,
    },
    /// Replay JSON-lines records and report compliance per rule, group and period.
    Report {
        /// Policy files or folders, then JSON-lines record files (none: standard input).
        #[arg(required = true, value_name = "POLICY… RECORDS…")]
        paths: Vec<PathBuf>,
        /// The evaluation instant (RFC 3339); defaults to the current time.
        #[arg(long)]
        now: Option<String>,
        /// Group by a record field (dotted path); repeat to nest groups.
        #[arg(long, value_name = "FIELD")]
        by: Vec<String>,
        /// Trend per day, week or month of `--time-field`.
        #[arg(long, value_enum, requires = "time_field")]
        period: Option<report::PeriodArg>,
        /// The record time field (RFC 3339) that `--period` buckets.
        #[arg(long, value_name = "FIELD", requires = "period")]
        time_field: Option<String>,
        /// Judge each record by the policy versions in force at this record time field
        /// (RFC 3339) instead of `--now`.
        #[arg(long, value_name = "FIELD")]
        as_of: Option<String>,
        /// Output format.
        #[arg(long, value_enum, default_value_t = report::Format::Table)]
        format: report::Format,
        /// Write to FILE atomically instead of standard output.
        #[arg(long, value_name = "FILE")]
        output: Option<PathBuf>,
        /// Worker threads (default: all cores).
        #[arg(long, value_name = "N")]
        jobs: Option<usize>,
    },
    /// Show what a change to a policy would do: its structure and, with records, its decisions.
    Diff {
        /// The policy as it is.
        old: PathBuf,
        /// The policy as proposed.
        new: PathBuf,
        /// JSON-lines records to replay under both.
        records: Vec<PathBuf>,
        /// The evaluation instant (RFC 3339); defaults to the current time.
        #[arg(long)]
        now: Option<String>,
        /// Output format.
        #[arg(long, value_enum, default_value_t = report::Format::Table)]
        format: report::Format,
        /// Example line numbers kept per change.
        #[arg(long, value_name = "N", default_value_t = 5)]
        examples: usize,
        /// Judge each record by the policy versions in force at this record time field
        /// (RFC 3339) instead of `--now`.
        #[arg(long, value_name = "FIELD")]
        as_of: Option<String>,
        /// Worker threads (default: all cores).
        #[arg(long, value_name = "N")]
        jobs: Option<usize>,
    },
    /// Serve decisions over HTTP, with a playground page at `/`.
    #[cfg(feature = "serve")]
    Serve {
        /// Policy files or folders (searched recursively for `*.policy`).
        #[arg(required = true)]
        paths: Vec<PathBuf>,
        /// The address to listen on; port 0 picks a free port (printed on start).
        #[arg(long, default_value = "127.0.0.1:8181")]
        addr: std::net::SocketAddr,
        /// Reload policy files when they change, keeping the old version if the new one
        /// has errors.
        #[arg(long)]
        watch: bool,
        /// Require `Authorization: Bearer <token>` on `/v1`, the token read from FILE.
        #[arg(long, value_name = "FILE")]
        token_file: Option<PathBuf>,
        /// The largest request body, in bytes.
        #[arg(long, value_name = "BYTES", default_value_t = 1024 * 1024)]
        max_body: usize,
        /// The longest a request may take, in seconds.
        #[arg(long, value_name = "SECONDS", default_value_t = 10)]
        timeout: u64,
        /// How many requests are served at once; the others wait their turn.
        #[arg(long, value_name = "N", default_value_t = 256, value_parser = clap::value_parser!(u16).range(1..))]
        max_concurrent: u16,
        /// Judge each record by the versions in force at the instant in this field (a dotted
        /// path such as `opened_at`), not at `now`.
        #[arg(long = "as-of", value_name = "FIELD")]
        as_of: Option<String>,
    },
    /// Write a policy as a staff handbook in plain language.
    Doc {
        /// The policy file.
        #[arg(required_unless_present = "check")]
        policy: Option<PathBuf>,
        /// Output format.
        #[arg(long, value_enum, default_value_t = DocFormat::Markdown)]
        format: DocFormat,
        /// Language of the handbook: en, hi, bn, ta or tl.
        #[arg(long, default_value = "en")]
        lang: String,
        /// Write to FILE instead of standard output.
        #[arg(long, value_name = "FILE")]
        output: Option<PathBuf>,
        /// List the messages the language still lacks (exit 1 if any) instead.
        #[arg(long)]
        check: bool,
    },
    /// Speak the Language Server Protocol over standard input and output, for editors.
    Lsp,
}

#[derive(Clone, Copy, Debug, PartialEq, Eq, ValueEnum)]
enum CheckFormat {
    Human,
    Json,
    Github,
    Sarif,
}

#[derive(Clone, Copy, Debug, PartialEq, Eq, ValueEnum)]
enum EvalFormat {
    Json,
    Human,
}

#[derive(Clone, Copy, Debug, PartialEq, Eq, ValueEnum)]
enum DocFormat {
    Markdown,
    Html,
}

#[derive(Clone, Copy, Debug, PartialEq, Eq, ValueEnum)]
enum TestFormat {
    Human,
    Json,
    Junit,
}

/// A usage or I/O problem: printed as one line, exit 2.
#[derive(Debug)]
struct UsageError(String);

impl<E: std::fmt::Display> From<E> for UsageError {
    fn from(e: E) -> UsageError {
        UsageError(e.to_string())
    }
}

type Outcome = Result<ExitCode, UsageError>;

/// Runs the command line and returns the process's exit status.
pub fn main() -> ExitCode {
    let cli = match Cli::try_parse() {
        Ok(cli) => cli,
        Err(e) => {
            let code = if e.use_stderr() { 2 } else { 0 };
            let _ = e.print();
            return ExitCode::from(code);
        }
    };
    let outcome = match cli.command {
        Command::Check {
            paths,
            format,
            deny_warnings,
        } => check::run(&paths, format, deny_warnings),
        Command::Fmt { check, paths } => fmt::run(&paths, check),
        Command::Eval {
            policy,
            records,
            now,
            explain,
            format,
            as_of,
        } => eval::run(&policy, &records, now.as_deref(), explain, format, as_of),
        Command::Test {
            paths,
            format,
            coverage,
            min_coverage,
        } => test::run(&paths, format, coverage, min_coverage),
        Command::Batch {
            policy,
            records,
            now,
            jobs,
            output,
            errors_ok,
            id_field,
            as_of,
        } => batch::run(
            &policy,
            records.as_deref(),
            now.as_deref(),
            jobs,
            output.as_deref(),
            as_of,
            &batch::Pipe {
                errors_ok,
                id_field,
            },
        ),
        Command::Report {
            paths,
            now,
            by,
            period,
            time_field,
            as_of,
            format,
            output,
            jobs,
        } => report::run(&report::ReportArgs {
            paths: &paths,
            now: now.as_deref(),
            by,
            period,
            time_field,
            format,
            output: output.as_deref(),
            jobs,
            as_of,
        }),
        Command::Diff {
            old,
            new,
            records,
            now,
            format,
            examples,
            as_of,
            jobs,
        } => report::run_diff(&report::DiffArgs {
            old: &old,
            new: &new,
            records: &records,
            now: now.as_deref(),
            format,
            examples,
            jobs,
            as_of,
        }),
        #[cfg(feature = "serve")]
        Command::Serve {
            paths,
            addr,
            watch,
            token_file,
            max_body,
            timeout,
            max_concurrent,
            as_of,
        } => serve::run(serve::Options {
            paths,
            addr,
            watch,
            token_file,
            max_body,
            timeout: std::time::Duration::from_secs(timeout),
            max_concurrent: usize::from(max_concurrent),
            as_of,
        }),
        Command::Doc {
            policy,
            format,
            lang,
            output,
            check,
        } => doc::run(policy.as_deref(), format, &lang, output.as_deref(), check),
        Command::Lsp => lsp::run(),
    };
    match outcome {
        Ok(code) => code,
        Err(UsageError(message)) => {
            eprintln!("error: {message}");
            ExitCode::from(2)
        }
    }
}

/// Parses `--now`, defaulting to the current time (the only place the clock is read).
fn parse_now(now: Option<&str>) -> Result<jiff::Timestamp, UsageError> {
    match now {
        // Time is counted in whole seconds: the clock's fraction would only print as noise.
        None => Ok(service_policy::value::whole_second(jiff::Timestamp::now())),
        Some(text) => text
            .parse()
            .map(service_policy::value::whole_second)
            .map_err(|e| {
                if service_policy::value::time_out_of_range(text) {
                    UsageError(format!(
                        "`--now {text}` is outside the range of times: {}",
                        service_policy::value::TIME_RANGE
                    ))
                } else {
                    UsageError(format!(
                        "`--now {text}` is not an RFC 3339 instant like `2026-03-02T10:00:00Z`: {e}"
                    ))
                }
            }),
    }
}

/// The `*.policy` files under the given paths (files named directly are taken as they are).
fn policy_files(paths: &[PathBuf]) -> Result<Vec<PathBuf>, UsageError> {
    let mut found = Vec::new();
    for path in paths {
        if path.is_dir() {
            service_policy::testing::walk(path, &mut found, &|p| {
                p.extension().is_some_and(|e| e == "policy")
            })
            .map_err(|e| UsageError(format!("cannot read `{}`: {e}", path.display())))?;
        } else if path.exists() {
            found.push(path.clone());
        } else {
            return Err(UsageError(format!("`{}` does not exist", path.display())));
        }
    }
    Ok(found)
}

/// Reads a file as UTF-8 text, as a usage error when it cannot.
fn read_text(path: &std::path::Path) -> Result<String, UsageError> {
    std::fs::read_to_string(path)
        .map_err(|e| UsageError(format!("cannot read `{}`: {e}", path.display())))
}

/// Whether coloured output suits standard output or standard error.
fn use_color(stream_is_terminal: bool) -> bool {
    stream_is_terminal && std::env::var_os("NO_COLOR").is_none_or(|v| v.is_empty())
}

/// Writes to standard output. A reader that went away (`check … | head`) is an I/O error
/// (exit 2) like any other, never a panic as `print!` would make it.
fn out(text: &str) -> Result<(), UsageError> {
    use std::io::Write as _;
    let mut stdout = std::io::stdout().lock();
    stdout
        .write_all(text.as_bytes())
        .and_then(|()| stdout.flush())
        .map_err(|e| write_error("standard output", &e))
}

/// A failed write, in words: one line, and exit status 2, as for any I/O problem — a
/// reader that went away (`… | head`) included.
fn write_error(what: &str, e: &std::io::Error) -> UsageError {
    use std::io::ErrorKind;
    let why = match e.kind() {
        ErrorKind::BrokenPipe => "the reader closed it".to_owned(),
        ErrorKind::StorageFull => "the disk is full".to_owned(),
        ErrorKind::QuotaExceeded => "the disk quota is used up".to_owned(),
        ErrorKind::FileTooLarge => {
            "the file would grow past the size limit of this process (`ulimit -f`)".to_owned()
        }
        _ => e.to_string(),
    };
    UsageError(format!("cannot write to {what}: {why}"))
}

fn stdout_color() -> bool {
    use_color(std::io::stdout().is_terminal())
}

/// Diagnostics written to standard error are coloured by where that stream goes, so
/// `2> errors.txt` never holds escape codes.
fn stderr_color() -> bool {
    use_color(std::io::stderr().is_terminal())
}

fn exit(failed: bool) -> ExitCode {
    if failed {
        ExitCode::FAILURE
    } else {
        ExitCode::SUCCESS
    }
}
