//! `service-policy batch`: replay JSON-lines records through a policy.
//!
//! A reader thread cuts the input into chunks of lines and hands them over a bounded channel;
//! each chunk is evaluated in parallel and written in input order. Memory is bounded by the
//! chunks in flight (`IN_FLIGHT` chunks of at most `CHUNK_LINES` lines or `CHUNK_BYTES`
//! bytes, plus one line however long), never by the input's size.
//!
//! INVARIANT: every non-blank input line gives exactly one output line, in input order:
//! a decision, or an error naming the line.

use std::fmt::Write as _;
use std::fs::File;
use std::io::{BufRead, BufReader, BufWriter, IsTerminal, Read, Write};
use std::path::Path;
use std::sync::mpsc;
use std::time::Instant;

use rayon::prelude::*;
use serde::Serialize;
use serde_json::Value;
use service_policy::{DecisionRef, EvalOptions, Evaluation, Policy, PolicySet};

use super::eval::load_set;
use super::{Outcome, UsageError, exit, parse_now, write_error};

const CHUNK_LINES: usize = 4096;
const CHUNK_BYTES: usize = 16 << 20;
const IN_FLIGHT: usize = 2;

/// The most worker threads `--jobs` may ask for: far more than any machine's cores, and few
/// enough that starting them cannot exhaust the system.
const MAX_JOBS: usize = 256;

/// The longest line read as a record (64 MiB); a longer one is an error line, its bytes
/// skipped without being kept, so one endless line cannot exhaust the memory.
const MAX_LINE_BYTES: usize = 64 << 20;

/// One input line: its 1-based number and bytes (line end removed), or `None` when it was
/// longer than [`MAX_LINE_BYTES`].
pub(super) type Line = (u64, Option<Vec<u8>>);

/// How `batch` behaves inside a pipeline (e.g. Spark's `rdd.pipe`).
pub(super) struct Pipe {
    /// Record errors are written as error lines but do not change the exit code.
    pub(super) errors_ok: bool,
    /// The record field copied to each output line's `"id"`.
    pub(super) id_field: String,
}

pub(super) fn run(
    policy_path: &Path,
    records: Option<&Path>,
    now: Option<&str>,
    jobs: Option<usize>,
    output: Option<&Path>,
    as_of: Option<String>,
    pipe: &Pipe,
) -> Outcome {
    let now = parse_now(now)?;
    let pool = worker_pool(jobs)?;
    let Some(policy) = load_set(&[policy_path.to_path_buf()])? else {
        return Ok(exit(true));
    };
    let input = Input::open(records)?;
    if output.is_some() {
        super::files::guard_signals()?;
    }
    let mut sink = Sink::open(output)?;
    let options = EvalOptions {
        as_of_field: as_of,
        ..EvalOptions::at(now)
    };
    // With one policy for every record, a line is read straight into what its rules read
    // when it can be (see `Policy::evaluate_json_line`), and parsed in full otherwise.
    let sole = policy.sole(&options);
    let started = Instant::now();
    let mut stats = Stats::default();

    stats.bytes = replay(input, |chunk| {
        let outputs: Vec<Output> = pool.install(|| {
            // One evaluation buffer per worker's run of lines, reused from line to line.
            chunk
                .par_iter()
                .map_init(Evaluation::new, |buffer, (number, line)| {
                    if let Some(out) = sole.and_then(|policy| {
                        let text = std::str::from_utf8(line.as_deref()?).ok()?;
                        read_straight(policy, text, &options, &pipe.id_field, *number, buffer)
                    }) {
                        return Some(out);
                    }
                    let record = match parse_line(line.as_deref())? {
                        Ok(record) => record,
                        Err(message) => return Some(error_output(*number, &message)),
                    };
                    Some(process(
                        &policy,
                        &options,
                        &pipe.id_field,
                        *number,
                        &record,
                        buffer,
                    ))
                })
                .flatten()
                .collect()
        });
        for out in &outputs {
            stats.records += 1;
            if out.failed {
                stats.errors += 1;
            }
            sink.write_line(&out.json)?;
        }
        Ok(())
    })?;
    sink.finish()?;
    stats.report(started.elapsed());
    Ok(exit(stats.errors > 0 && !pipe.errors_ok))
}

/// The worker threads of `--jobs N` (default: all cores).
pub(super) fn worker_pool(jobs: Option<usize>) -> Result<rayon::ThreadPool, UsageError> {
    let threads = match jobs {
        Some(0) => return Err(UsageError("`--jobs` must be at least 1".into())),
        Some(n) if n > MAX_JOBS => {
            return Err(UsageError(format!("`--jobs` must be at most {MAX_JOBS}")));
        }
        Some(n) => n,
        None => std::thread::available_parallelism().map_or(1, usize::from),
    };
    rayon::ThreadPoolBuilder::new()
        .num_threads(threads)
        .build()
        .map_err(|e| UsageError(format!("cannot start {threads} worker threads: {e}")))
}

/// The records to replay: a JSON-lines file, or standard input (`-` or no path).
pub(super) struct Input {
    reader: Box<dyn Read + Send>,
    /// The file's size, for the progress bar; unknown for standard input.
    total_bytes: Option<u64>,
}

impl Input {
    pub(super) fn open(records: Option<&Path>) -> Result<Input, UsageError> {
        Ok(match records {
            None => Input::stdin(),
            Some(path) if path.as_os_str() == "-" => Input::stdin(),
            Some(path) => {
                let file = File::open(path)
                    .map_err(|e| UsageError(format!("cannot read `{}`: {e}", path.display())))?;
                let total_bytes = file.metadata().ok().map(|m| m.len());
                Input {
                    reader: Box::new(file),
                    total_bytes,
                }
            }
        })
    }

    fn stdin() -> Input {
        Input {
            reader: Box::new(std::io::stdin()),
            total_bytes: None,
        }
    }
}

/// Reads `input` in chunks of numbered lines on a reader thread and hands each chunk, in
/// input order, to `on_chunk` (which evaluates it, typically in parallel); draws the progress
/// bar on a terminal. Returns the bytes read.
///
/// INVARIANT: every input line reaches `on_chunk` exactly once, in order; an overlong line
/// arrives as `None` (see [`parse_line`]).
pub(super) fn replay(
    input: Input,
    mut on_chunk: impl FnMut(Vec<Line>) -> Result<(), UsageError>,
) -> Result<u64, UsageError> {
    let progress = progress_bar(input.total_bytes);
    let mut total: u64 = 0;
    let (sender, receiver) = mpsc::sync_channel::<std::io::Result<Vec<Line>>>(IN_FLIGHT);
    let reader = std::thread::spawn(move || read_chunks(input.reader, &sender));
    for chunk in receiver {
        let chunk = chunk.map_err(|e| UsageError(format!("cannot read the records: {e}")))?;
        let bytes: u64 = chunk
            .iter()
            .map(|(_, l)| l.as_ref().map_or(MAX_LINE_BYTES, Vec::len) as u64 + 1)
            .sum();
        on_chunk(chunk)?;
        total += bytes;
        if let Some(bar) = &progress {
            bar.inc(bytes);
        }
    }
    // The channel closed: the reader has finished (a panic there is a bug, reported as such).
    if reader.join().is_err() {
        return Err(UsageError("the record reader stopped unexpectedly".into()));
    }
    if let Some(bar) = progress {
        bar.finish_and_clear();
    }
    Ok(total)
}

/// One input line as a record: `None` for a blank line (which gives no output), else the
/// JSON object or the reason the line is not one (`line` is `None` for an overlong line).
pub(super) fn parse_line(line: Option<&[u8]>) -> Option<Result<Value, String>> {
    let Some(bytes) = line else {
        return Some(Err(format!(
            "the line is longer than {MAX_LINE_BYTES} bytes"
        )));
    };
    if bytes.iter().all(u8::is_ascii_whitespace) {
        return None;
    }
    let text = match std::str::from_utf8(bytes) {
        Ok(text) => text,
        Err(e) => {
            return Some(Err(format!(
                "the line is not valid UTF-8 (byte {})",
                e.valid_up_to() + 1
            )));
        }
    };
    let record: Value = match service_policy::read_json_record(text) {
        Ok(record) => record,
        Err(e) => return Some(Err(e.to_string())),
    };
    if !record.is_object() {
        return Some(Err(format!(
            "a record must be a JSON object, found {}",
            service_policy::testing::json_kind(&record)
        )));
    }
    Some(Ok(record))
}

/// Reads lines into chunks until the input ends or the receiver goes away.
fn read_chunks(input: Box<dyn Read + Send>, sender: &mpsc::SyncSender<std::io::Result<Vec<Line>>>) {
    let mut reader = BufReader::with_capacity(1 << 20, input);
    let mut number: u64 = 0;
    loop {
        let mut chunk = Vec::with_capacity(CHUNK_LINES.min(1024));
        let mut bytes = 0usize;
        let mut at_end = false;
        while chunk.len() < CHUNK_LINES && bytes < CHUNK_BYTES {
            match read_line(&mut reader) {
                Ok(None) => {
                    at_end = true;
                    break;
                }
                Ok(Some(line)) => {
                    number += 1;
                    bytes += line.as_ref().map_or(MAX_LINE_BYTES, Vec::len);
                    chunk.push((number, line));
                }
                Err(e) => {
                    let _ = sender.send(Err(e));
                    return;
                }
            }
        }
        if !chunk.is_empty() && sender.send(Ok(chunk)).is_err() {
            return;
        }
        if at_end {
            return;
        }
    }
}

/// Reads one line without its line end: `None` at the end of the input, `Some(None)` for
/// a line longer than [`MAX_LINE_BYTES`] (read to its end, but not kept).
fn read_line(reader: &mut impl BufRead) -> std::io::Result<Option<Option<Vec<u8>>>> {
    let mut line = Vec::new();
    let mut too_long = false;
    let mut any = false;
    loop {
        let buf = match reader.fill_buf() {
            Ok(buf) => buf,
            Err(e) if e.kind() == std::io::ErrorKind::Interrupted => continue,
            Err(e) => return Err(e),
        };
        if buf.is_empty() {
            break;
        }
        any = true;
        let (content, used, ended) = match buf.iter().position(|&b| b == b'\n') {
            Some(at) => (buf.get(..at).unwrap_or(buf), at + 1, true),
            None => (buf, buf.len(), false),
        };
        if !too_long {
            if line.len() + content.len() > MAX_LINE_BYTES {
                too_long = true;
                line = Vec::new();
            } else {
                line.extend_from_slice(content);
            }
        }
        reader.consume(used);
        if ended {
            break;
        }
    }
    if !any {
        return Ok(None);
    }
    if too_long {
        return Ok(Some(None));
    }
    if line.last() == Some(&b'\r') {
        line.pop();
    }
    Ok(Some(Some(line)))
}

/// The error line of one input line.
fn error_output(number: u64, message: &str) -> Output {
    Output {
        json: serde_json::to_string(&ErrorLine {
            line: number,
            error: message,
        })
        .unwrap_or_else(|_| format!("{{\"line\":{number},\"error\":\"unprintable error\"}}")),
        failed: true,
    }
}

/// The output line of one input line.
struct Output {
    json: String,
    failed: bool,
}

#[derive(Serialize)]
struct ErrorLine<'a> {
    line: u64,
    error: &'a str,
}

fn process(
    policy: &PolicySet,
    options: &EvalOptions,
    id_field: &str,
    number: u64,
    record: &Value,
    buffer: &mut Evaluation,
) -> Output {
    let decision = match policy.evaluate_into(record, options, buffer) {
        Ok(decision) => decision,
        Err(e) => return error_output(number, &e.to_string()),
    };
    let id = field(record, id_field).unwrap_or(&Value::Null);
    decision_output(number, id, &decision)
}

/// The output line of a decision: `{"line":N,"id":ID,"decision":{…}}`, the decision written
/// from the parts its policy prepared (`DecisionRef::write_json`).
fn decision_output(number: u64, id: &Value, decision: &DecisionRef<'_>) -> Output {
    let written = (|| {
        let mut json = String::with_capacity(1024);
        // A `String` takes every write.
        let _ = write!(json, "{{\"line\":{number},\"id\":");
        json.push_str(&serde_json::to_string(id)?);
        json.push_str(",\"decision\":");
        decision.write_json(&mut json)?;
        json.push('}');
        Ok::<_, serde_json::Error>(json)
    })();
    match written {
        Ok(json) => Output {
            json,
            failed: false,
        },
        Err(e) => error_output(number, &format!("cannot print the decision: {e}")),
    }
}

/// The output line of an input line read straight into the policy's slots; `None` when
/// the line must be parsed in full (the output is then the same).
fn read_straight(
    policy: &Policy,
    text: &str,
    options: &EvalOptions,
    id_field: &str,
    number: u64,
    buffer: &mut Evaluation,
) -> Option<Output> {
    let (decision, id) = policy.evaluate_json_line(text, Some(id_field), options, buffer)?;
    Some(decision_output(number, &id, &decision))
}

/// The value at `path` in a record: the key itself if the record has it, else the dotted
/// path walked through nested objects.
fn field<'a>(record: &'a Value, path: &str) -> Option<&'a Value> {
    record.get(path).or_else(|| {
        path.split('.')
            .try_fold(record, |value, segment| value.get(segment))
    })
}

/// Standard output, or a temporary file renamed over `--output` when all went well, or —
/// when `--output` is a device or a pipe, which must never be replaced — that file itself.
enum Sink {
    Stdout(BufWriter<std::io::Stdout>),
    File {
        writer: BufWriter<tempfile::NamedTempFile>,
        target: std::path::PathBuf,
    },
    Direct {
        writer: BufWriter<File>,
        target: std::path::PathBuf,
    },
}

impl Sink {
    fn open(output: Option<&Path>) -> Result<Sink, UsageError> {
        let Some(target) = output else {
            return Ok(Sink::Stdout(BufWriter::with_capacity(
                1 << 20,
                std::io::stdout(),
            )));
        };
        Ok(match super::files::open_output(target)? {
            super::files::Output::Replace { temp, target } => Sink::File {
                writer: BufWriter::with_capacity(1 << 20, temp),
                target,
            },
            super::files::Output::Direct(file) => Sink::Direct {
                writer: BufWriter::with_capacity(1 << 20, file),
                target: target.to_owned(),
            },
        })
    }

    fn write_line(&mut self, line: &str) -> Result<(), UsageError> {
        let result = match self {
            Sink::Stdout(w) => w
                .write_all(line.as_bytes())
                .and_then(|()| w.write_all(b"\n")),
            Sink::File { writer, .. } => writer
                .write_all(line.as_bytes())
                .and_then(|()| writer.write_all(b"\n")),
            Sink::Direct { writer, .. } => writer
                .write_all(line.as_bytes())
                .and_then(|()| writer.write_all(b"\n")),
        };
        result.map_err(|e| write_error(self.name(), &e))
    }

    /// What the output is called in an error.
    fn name(&self) -> &'static str {
        match self {
            Sink::Stdout(_) => "standard output",
            Sink::File { .. } | Sink::Direct { .. } => "the output file",
        }
    }

    fn finish(self) -> Result<(), UsageError> {
        match self {
            Sink::Stdout(mut w) => w.flush().map_err(|e| write_error("standard output", &e)),
            Sink::Direct { mut writer, target } => writer
                .flush()
                .map_err(|e| write_error(&format!("`{}`", target.display()), &e)),
            Sink::File { writer, target } => {
                let temp = writer
                    .into_inner()
                    .map_err(|e| write_error("the output file", e.error()))?;
                temp.as_file()
                    .sync_all()
                    .map_err(|e| write_error("the output file", &e))?;
                let persisted = temp.persist(&target).map_err(|e| {
                    UsageError(format!(
                        "cannot replace `{}`: {}",
                        target.display(),
                        e.error
                    ))
                });
                super::files::forget_temporary();
                persisted?;
                Ok(())
            }
        }
    }
}

fn progress_bar(total_bytes: Option<u64>) -> Option<indicatif::ProgressBar> {
    if !std::io::stderr().is_terminal() {
        return None;
    }
    let bar = match total_bytes {
        Some(total) => indicatif::ProgressBar::new(total),
        None => indicatif::ProgressBar::new_spinner(),
    };
    let style = indicatif::ProgressStyle::with_template(
        "{spinner} {bytes}/{total_bytes} [{bar:30}] {bytes_per_sec} eta {eta}",
    )
    .unwrap_or_else(|_| indicatif::ProgressStyle::default_bar());
    bar.set_style(style);
    bar.set_draw_target(indicatif::ProgressDrawTarget::stderr());
    Some(bar)
}

#[derive(Default)]
struct Stats {
    records: u64,
    errors: u64,
    bytes: u64,
}

impl Stats {
    fn report(&self, elapsed: std::time::Duration) {
        let secs = elapsed.as_secs_f64().max(1e-9);
        // Throughput is a display figure only; no decision depends on it.
        let per_sec = self.records as f64 / secs;
        let mb_per_sec = self.bytes as f64 / secs / 1e6;
        let plural = |n: u64, word: &str| format!("{n} {word}{}", if n == 1 { "" } else { "s" });
        eprintln!(
            "{}: {}, {} in {:.2}s ({:.0} records/s, {:.1} MB/s)",
            plural(self.records, "record"),
            plural(self.records.saturating_sub(self.errors), "decision"),
            plural(self.errors, "error"),
            elapsed.as_secs_f64(),
            per_sec,
            mb_per_sec
        );
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn lines(input: &[u8], capacity: usize) -> Vec<Option<Vec<u8>>> {
        let mut reader = BufReader::with_capacity(capacity, input);
        let mut out = Vec::new();
        while let Some(line) = read_line(&mut reader).unwrap() {
            out.push(line);
        }
        out
    }

    #[test]
    fn lines_end_at_newlines_whatever_the_buffer_size() {
        let input = b"one\r\n\ntwo\nthree";
        for capacity in [1, 2, 3, 7, 1024] {
            let got = lines(input, capacity);
            let want: Vec<Option<Vec<u8>>> = ["one", "", "two", "three"]
                .iter()
                .map(|s| Some(s.as_bytes().to_vec()))
                .collect();
            assert_eq!(got, want, "capacity {capacity}");
        }
        assert!(lines(b"", 8).is_empty());
        assert_eq!(lines(b"\n", 8), vec![Some(Vec::new())]);
    }

    #[test]
    fn an_overlong_line_is_skipped_not_kept() {
        let mut input = vec![b'x'; MAX_LINE_BYTES + 1];
        input.extend_from_slice(b"\n{}\n");
        input.extend(std::iter::repeat_n(b'y', MAX_LINE_BYTES));
        let got = lines(&input, 1 << 16);
        assert_eq!(got.len(), 3);
        assert_eq!(got[0], None, "one byte over the limit");
        assert_eq!(
            got[1].as_deref(),
            Some(b"{}".as_slice()),
            "the next line reads normally"
        );
        assert_eq!(
            got[2].as_ref().map(Vec::len),
            Some(MAX_LINE_BYTES),
            "exactly at the limit is a record"
        );
    }
}
