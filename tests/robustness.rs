//! Hostile input end to end: the library on every input the fuzzers ever found, and the
//! binary on inputs built to exhaust the stack, the clock or the memory. Each must end
//! with a diagnostic and exit status 1 or 2 — never a signal, a stack overflow or a hang
//! — and `batch` must give exactly one output line per non-blank input line, in order,
//! and never leave a half-written `--output` file.
#![allow(
    clippy::unwrap_used,
    clippy::expect_used,
    clippy::panic,
    clippy::indexing_slicing,
    reason = "tests and benches stop loudly on the unexpected"
)]

use std::io::Write;
use std::path::{Path, PathBuf};
use std::process::{Child, Command, Output, Stdio};
use std::time::{Duration, Instant};

use serde_json::Value;
use service_policy::{EvalOptions, Policy};

/// Only a hang detector: every case here finishes in seconds even in a debug build.
const HANG: Duration = Duration::from_secs(60);

const NOW: &str = "2026-03-02T10:00:00Z";

const POLICY: &str = r#"policy "Robust" {
  record {
    priority: "low" | "high"
    opened_at: time
    first_reply_at: time?
    credit: money?
    message: text?
  }
  rule first_reply {
    expect first_reply_at within 1h of opened_at
    on breach: escalate to "supervisor"
  }
  rule refund_cap {
    limit credit <= 100 USD
    on exceed: require approval from "manager"
  }
  rule angry {
    when message matches "(?i)lawyer"
    then tag "legal"
  }
}
"#;

fn binary() -> PathBuf {
    PathBuf::from(env!("CARGO_BIN_EXE_service-policy"))
}

/// Waits for `child` at most [`HANG`], reading its output on threads so a full pipe
/// cannot block it; a child still running then is killed and the test fails, so a hang
/// shows as a failure instead of a stuck suite.
fn wait(mut child: Child, what: &str) -> Output {
    fn drain(
        pipe: Option<impl std::io::Read + Send + 'static>,
    ) -> std::thread::JoinHandle<Vec<u8>> {
        std::thread::spawn(move || {
            let mut bytes = Vec::new();
            if let Some(mut pipe) = pipe {
                let _ = pipe.read_to_end(&mut bytes);
            }
            bytes
        })
    }
    let stdout = drain(child.stdout.take());
    let stderr = drain(child.stderr.take());
    let started = Instant::now();
    let status = loop {
        if let Some(status) = child.try_wait().unwrap() {
            break status;
        }
        if started.elapsed() > HANG {
            child.kill().unwrap();
            let _ = child.wait();
            panic!("{what}: still running after {HANG:?}");
        }
        std::thread::sleep(Duration::from_millis(20));
    };
    Output {
        status,
        stdout: stdout.join().unwrap(),
        stderr: stderr.join().unwrap(),
    }
}

/// Runs the binary with `args`, feeding `stdin` on a thread.
fn run(args: &[&std::ffi::OsStr], stdin: &[u8], what: &str) -> Output {
    let mut child = Command::new(binary())
        .args(args)
        .env("NO_COLOR", "1")
        .stdin(Stdio::piped())
        .stdout(Stdio::piped())
        .stderr(Stdio::piped())
        .spawn()
        .unwrap();
    let mut input = child.stdin.take().unwrap();
    let bytes = stdin.to_vec();
    let feeder = std::thread::spawn(move || {
        // The child may stop reading early (a usage error); that is not this test's failure.
        let _ = input.write_all(&bytes);
    });
    let out = wait(child, what);
    feeder.join().unwrap();
    out
}

/// The process ended by itself with status 1 or 2 (not by a signal, which is how a
/// stack overflow or an abort ends), and said why (`check` reports on stdout, the other
/// commands on stderr).
fn assert_refused(out: &Output, what: &str) {
    let stderr = format!(
        "{}{}",
        String::from_utf8_lossy(&out.stdout),
        String::from_utf8_lossy(&out.stderr)
    );
    assert!(
        matches!(out.status.code(), Some(1 | 2)),
        "{what}: status {:?}\n{}",
        out.status,
        stderr.chars().take(2000).collect::<String>()
    );
    assert!(!stderr.trim().is_empty(), "{what}: no diagnostic");
    assert!(
        !stderr.contains("panicked") && !stderr.contains("overflow"),
        "{what}: {}",
        stderr.chars().take(2000).collect::<String>()
    );
}

fn temp_file(dir: &Path, name: &str, bytes: &[u8]) -> PathBuf {
    let path = dir.join(name);
    std::fs::write(&path, bytes).unwrap();
    path
}

fn check(path: &Path, what: &str) -> Output {
    let out = run(&["check".as_ref(), path.as_os_str()], b"", what);
    assert_refused(&out, what);
    out
}

// ---- hostile policies ----

#[test]
fn a_hundred_thousand_parentheses() {
    let dir = tempfile::tempdir().unwrap();
    let src = format!(
        "policy \"p\" {{ rule r {{ when {}true{} then tag \"x\" }} }}",
        "(".repeat(100_000),
        ")".repeat(100_000)
    );
    let out = check(
        &temp_file(dir.path(), "deep.policy", src.as_bytes()),
        "nesting",
    );
    let stdout = String::from_utf8_lossy(&out.stdout);
    assert!(stdout.contains("E0002"), "{stdout:.2000}");
    assert!(stdout.contains("nesting deeper than"), "{stdout:.2000}");
}

#[test]
fn unbalanced_brackets_of_every_kind() {
    let dir = tempfile::tempdir().unwrap();
    for (name, open) in [("braces", "{"), ("brackets", "["), ("mixed", "([{")] {
        let src = format!("policy \"p\" {{ const x = {} }}", open.repeat(60_000));
        let out = check(&temp_file(dir.path(), "b.policy", src.as_bytes()), name);
        assert!(
            String::from_utf8_lossy(&out.stdout).contains("E0002"),
            "{name}"
        );
    }
}

#[test]
fn a_fifty_thousand_term_sum() {
    let dir = tempfile::tempdir().unwrap();
    let terms = vec!["1"; 50_000].join(" + ");
    let src = format!("policy \"p\" {{ rule r {{ when {terms} > 2 then tag \"x\" }} }}");
    let out = check(&temp_file(dir.path(), "sum.policy", src.as_bytes()), "sum");
    let stdout = String::from_utf8_lossy(&out.stdout);
    assert!(stdout.contains("E0002"), "{stdout:.2000}");
    assert!(
        stdout.contains("expression nests deeper than"),
        "{stdout:.2000}"
    );
}

#[test]
fn a_ten_megabyte_text_literal() {
    let dir = tempfile::tempdir().unwrap();
    let src = format!(
        "policy \"p\" {{ rule r {{ when message == \"{}\" then tag \"x\" }} }}",
        "a".repeat(10_000_000)
    );
    let path = temp_file(dir.path(), "text.policy", src.as_bytes());
    for command in ["check", "fmt"] {
        let what = format!("{command} of a 10 MB text");
        let started = Instant::now();
        let out = run(&[command.as_ref(), path.as_os_str()], b"", &what);
        assert_refused(&out, &what);
        let said = format!(
            "{}{}",
            String::from_utf8_lossy(&out.stdout),
            String::from_utf8_lossy(&out.stderr)
        );
        assert!(said.contains("larger than"), "{what}: {said:.500}");
        assert!(
            out.stderr.len() + out.stdout.len() < 20_000,
            "{what}: the diagnostic quotes a window of the line, not 10 MB ({} bytes)",
            out.stderr.len() + out.stdout.len()
        );
        assert!(started.elapsed() < HANG);
    }
    // `fmt` refused it: the file is untouched.
    assert_eq!(std::fs::read(&path).unwrap(), src.as_bytes());
}

#[test]
fn random_bytes_as_a_policy() {
    let dir = tempfile::tempdir().unwrap();
    // A fixed generator: the same bytes on every run, so a failure can be replayed.
    let mut state: u64 = 0x9e37_79b9_7f4a_7c15;
    let mut next = move || {
        state ^= state << 13;
        state ^= state >> 7;
        state ^= state << 17;
        state
    };
    for round in 0..4 {
        let len = 1 + (next() % 200_000) as usize;
        let mut bytes: Vec<u8> = (0..len).map(|_| next() as u8).collect();
        if round % 2 == 1 {
            // Printable ASCII reaches the parser (the UTF-8 check comes first otherwise).
            for b in &mut bytes {
                *b = b' ' + *b % 95;
            }
        }
        let what = format!("random bytes, round {round}");
        check(&temp_file(dir.path(), "random.policy", &bytes), &what);
        let eval = run(
            &[
                "eval".as_ref(),
                dir.path().join("random.policy").as_os_str(),
                "-".as_ref(),
            ],
            b"{}",
            &what,
        );
        assert_refused(&eval, &what);
    }
}

#[test]
fn policy_files_that_are_not_files() {
    let dir = tempfile::tempdir().unwrap();
    let folder = dir.path().join("folder.policy");
    std::fs::create_dir(&folder).unwrap();
    let empty = temp_file(dir.path(), "empty.policy", b"");
    for (path, what) in [(&folder, "a folder"), (&empty, "an empty file")] {
        let out = run(
            &["eval".as_ref(), path.as_os_str(), "-".as_ref()],
            b"{}",
            what,
        );
        assert_refused(&out, what);
    }
    let out = run(
        &[
            "check".as_ref(),
            dir.path().join("absent.policy").as_os_str(),
        ],
        b"",
        "a missing file",
    );
    assert_eq!(out.status.code(), Some(2));
}

// ---- hostile records ----

#[test]
fn records_nested_too_deeply_or_expanding_aliases_are_refused() {
    let dir = tempfile::tempdir().unwrap();
    let policy = temp_file(dir.path(), "p.policy", POLICY.as_bytes());
    let deep = format!("{}{}", "[".repeat(100_000), "]".repeat(100_000));
    // Nine levels of ten aliases: a billion elements if expanded.
    let mut bomb =
        String::from("a: &a [\"x\",\"x\",\"x\",\"x\",\"x\",\"x\",\"x\",\"x\",\"x\",\"x\"]\n");
    for (prev, next) in ["a", "b", "c", "d", "e", "f", "g", "h"]
        .iter()
        .zip(["b", "c", "d", "e", "f", "g", "h", "i"])
    {
        let refs = vec![format!("*{prev}"); 10].join(",");
        bomb.push_str(&format!("{next}: &{next} [{refs}]\n"));
    }
    let cases = [
        (
            "deep.json",
            format!("{{\"message\": {deep}}}"),
            "recursion limit",
        ),
        ("deep.yaml", format!("message: {deep}"), "recursion limit"),
        ("bomb.yaml", bomb, "budget"),
    ];
    for (name, text, words) in cases {
        let path = temp_file(dir.path(), name, text.as_bytes());
        let out = run(
            &[
                "eval".as_ref(),
                "--now".as_ref(),
                NOW.as_ref(),
                policy.as_os_str(),
                path.as_os_str(),
            ],
            b"",
            name,
        );
        assert_refused(&out, name);
        let stderr = String::from_utf8_lossy(&out.stderr);
        assert!(stderr.contains(words), "{name}: {stderr:.1000}");
    }
    // The same bomb as the record of a test case: the test file is refused, not expanded.
    let bomb = std::fs::read_to_string(dir.path().join("bomb.yaml")).unwrap();
    let indented: String = bomb.lines().map(|l| format!("      {l}\n")).collect();
    let suite = format!(
        "policy: p.policy\nnow: {NOW}\ncases:\n  - name: bomb\n    record:\n{indented}    expect: {{}}\n"
    );
    let tests = temp_file(dir.path(), "bomb.tests.yaml", suite.as_bytes());
    let out = run(&["test".as_ref(), tests.as_os_str()], b"", "test file bomb");
    assert_eq!(out.status.code(), Some(1), "{out:?}");
    let said = String::from_utf8_lossy(&out.stdout);
    assert!(
        said.contains("not a valid test file") && said.contains("budget"),
        "{said:.1000}"
    );
}

// ---- batch integrity ----

fn batch_lines(out: &Output) -> Vec<Value> {
    String::from_utf8(out.stdout.clone())
        .unwrap()
        .lines()
        .map(|l| serde_json::from_str(l).unwrap())
        .collect()
}

#[test]
fn batch_gives_one_line_per_non_blank_input_line_in_order() {
    let dir = tempfile::tempdir().unwrap();
    let policy = temp_file(dir.path(), "p.policy", POLICY.as_bytes());
    let good = br#"{"id":1,"priority":"low","opened_at":"2026-03-02T09:00:00Z"}"#;
    let huge_message = format!(
        r#"{{"id":"huge","priority":"high","opened_at":"2026-03-02T09:00:00Z","message":"{}"}}"#,
        "x".repeat(10_000_000)
    );
    let mut input: Vec<u8> = Vec::new();
    let mut non_blank: Vec<u64> = Vec::new();
    let mut push = |line: &[u8], blank: bool, input: &mut Vec<u8>| {
        input.extend_from_slice(line);
        input.push(b'\n');
        if !blank {
            non_blank.push(0);
        }
    };
    // Enough lines to span several chunks of the reader and every worker.
    for i in 0..10_000u32 {
        match i % 97 {
            0 => push(b"", true, &mut input),
            1 => push(b"   \t ", true, &mut input),
            2 => push(&good[..good.len() / 2], false, &mut input), // truncated
            3 => push(b"{\"id\":\"\xff\xfe\xc3\"}", false, &mut input), // invalid UTF-8
            4 => push(b"\xc3", false, &mut input),                 // a cut character
            5 => push(b"[1, 2]", false, &mut input),               // not an object
            6 => push(
                br#"{"id":6,"priority":"urgent","opened_at":"yesterday"}"#,
                false,
                &mut input,
            ),
            7 => push(b"{\"a\":1}\r", false, &mut input),
            8 => push(
                &format!("{}1{}", "[".repeat(5000), "]".repeat(5000)).into_bytes(),
                false,
                &mut input,
            ),
            _ => push(good, false, &mut input),
        }
        if i == 5000 {
            push(huge_message.as_bytes(), false, &mut input);
        }
    }
    // A last line without a newline, cut in the middle of a text.
    input.extend_from_slice(br#"{"id":"last","message":"unfinished"#);
    non_blank.push(0);

    // Number the non-blank lines as the input holds them.
    let expected: Vec<u64> = input
        .split(|&b| b == b'\n')
        .enumerate()
        .filter(|(_, l)| !l.iter().all(u8::is_ascii_whitespace))
        .map(|(n, _)| n as u64 + 1)
        .collect();
    assert_eq!(expected.len(), non_blank.len());

    let records = temp_file(dir.path(), "records.jsonl", &input);
    for jobs in ["1", "3"] {
        let out = run(
            &[
                "batch".as_ref(),
                "--now".as_ref(),
                NOW.as_ref(),
                "--jobs".as_ref(),
                jobs.as_ref(),
                policy.as_os_str(),
                records.as_os_str(),
            ],
            b"",
            "batch",
        );
        assert_eq!(out.status.code(), Some(1), "some lines fail");
        let lines = batch_lines(&out);
        let numbers: Vec<u64> = lines.iter().map(|l| l["line"].as_u64().unwrap()).collect();
        assert_eq!(
            numbers, expected,
            "jobs {jobs}: one line per non-blank line, in order"
        );
        for line in &lines {
            let decided = line.get("decision").is_some();
            let failed = line.get("error").is_some_and(Value::is_string);
            assert!(
                decided != failed,
                "exactly one of decision and error: {line}"
            );
        }
        let huge = lines.iter().find(|l| l["id"] == "huge").unwrap();
        assert!(
            huge.get("decision").is_some(),
            "a 10 MB line is a record like any other"
        );
        let last = lines.last().unwrap();
        assert!(
            last["error"].as_str().unwrap().contains("invalid JSON"),
            "{last}"
        );
        let summary = String::from_utf8_lossy(&out.stderr);
        assert!(
            summary.contains(&format!("{} records", expected.len())),
            "{summary}"
        );
    }
}

#[test]
fn batch_input_that_is_not_lines() {
    let dir = tempfile::tempdir().unwrap();
    let policy = temp_file(dir.path(), "p.policy", POLICY.as_bytes());
    // No newline at all: one record of random bytes.
    let mut state: u32 = 7;
    let noise: Vec<u8> = (0..100_000)
        .map(|_| {
            state = state.wrapping_mul(1_103_515_245).wrapping_add(12_345);
            let b = (state >> 16) as u8;
            if b == b'\n' { b'x' } else { b }
        })
        .collect();
    let out = run(
        &[
            "batch".as_ref(),
            "--now".as_ref(),
            NOW.as_ref(),
            policy.as_os_str(),
        ],
        &noise,
        "noise",
    );
    assert_eq!(out.status.code(), Some(1));
    let lines = batch_lines(&out);
    assert_eq!(lines.len(), 1);
    assert_eq!(lines[0]["line"], 1);
    assert!(lines[0]["error"].is_string());
}

#[test]
fn batch_line_over_the_limit_is_an_error_line_and_the_next_line_still_counts() {
    let dir = tempfile::tempdir().unwrap();
    let policy = temp_file(dir.path(), "p.policy", POLICY.as_bytes());
    // 64 MiB is the limit: a JSON text of 65 MiB, then a normal record.
    let mut input = Vec::with_capacity(66 << 20);
    input.extend_from_slice(br#"{"message":""#);
    input.resize(65 << 20, b'a');
    input.extend_from_slice(b"\"}\n");
    input.extend_from_slice(
        br#"{"id":"after","priority":"low","opened_at":"2026-03-02T09:00:00Z"}"#,
    );
    let records = temp_file(dir.path(), "long.jsonl", &input);
    drop(input);
    let out = run(
        &[
            "batch".as_ref(),
            "--now".as_ref(),
            NOW.as_ref(),
            policy.as_os_str(),
            records.as_os_str(),
        ],
        b"",
        "overlong line",
    );
    assert_eq!(out.status.code(), Some(1));
    let lines = batch_lines(&out);
    assert_eq!(lines.len(), 2);
    assert_eq!(lines[0]["line"], 1);
    assert_eq!(lines[0]["error"], "the line is longer than 67108864 bytes");
    assert_eq!(lines[1]["line"], 2);
    assert_eq!(lines[1]["id"], "after");
    assert!(lines[1].get("decision").is_some());
}

/// Names in `dir` other than `keep`.
fn others(dir: &Path, keep: &[&str]) -> Vec<String> {
    std::fs::read_dir(dir)
        .unwrap()
        .map(|e| e.unwrap().file_name().to_string_lossy().into_owned())
        .filter(|n| !keep.contains(&n.as_str()))
        .collect()
}

#[cfg(unix)]
#[test]
fn batch_output_is_never_left_half_written() {
    let dir = tempfile::tempdir().unwrap();
    let policy = temp_file(dir.path(), "p.policy", POLICY.as_bytes());
    let line = br#"{"id":"T","priority":"high","opened_at":"2026-03-02T09:00:00Z","first_reply_at":"2026-03-02T09:30:00Z","credit":"150 USD","message":"I will call my lawyer"}"#;
    let mut input = Vec::with_capacity(line.len() * 400_001);
    for _ in 0..400_000 {
        input.extend_from_slice(line);
        input.push(b'\n');
    }
    let records = temp_file(dir.path(), "records.jsonl", &input);
    drop(input);
    let out_dir = dir.path().join("out");
    std::fs::create_dir(&out_dir).unwrap();
    let target = out_dir.join("decisions.jsonl");
    let previous = b"{\"line\":1,\"previous\":true}\n";
    std::fs::write(&target, previous).unwrap();

    let mut child = Command::new(binary())
        .args(["batch", "--now", NOW, "--jobs", "2", "--output"])
        .arg(&target)
        .arg(&policy)
        .arg(&records)
        .stdout(Stdio::null())
        .stderr(Stdio::null())
        .spawn()
        .unwrap();
    // Kill it once it has written part of its output, which lives in a hidden temporary
    // file until the run is complete.
    let started = Instant::now();
    let mut killed_mid_run = false;
    loop {
        if child.try_wait().unwrap().is_some() {
            break;
        }
        let written = std::fs::read_dir(&out_dir)
            .unwrap()
            .filter_map(|e| e.ok())
            .filter(|e| e.file_name() != "decisions.jsonl")
            .any(|e| e.metadata().is_ok_and(|m| m.len() > 0));
        if written {
            // SIGKILL: no destructor, no signal handler, nothing gets to clean up.
            child.kill().unwrap();
            killed_mid_run = true;
            break;
        }
        assert!(started.elapsed() < HANG, "batch never started writing");
        std::thread::sleep(Duration::from_millis(5));
    }
    let status = child.wait().unwrap();
    assert!(
        killed_mid_run,
        "the run ended before it could be interrupted: {status:?}"
    );
    assert_eq!(
        std::fs::read(&target).unwrap(),
        previous,
        "the target keeps its previous complete content"
    );
    for name in others(&out_dir, &["decisions.jsonl"]) {
        assert!(
            !name.contains("decisions"),
            "no partial file named like the target: {name}"
        );
        assert!(name.starts_with('.'), "leftovers are hidden: {name}");
    }

    // Run to the end: the target is replaced whole, and nothing else is left behind.
    let small = temp_file(
        dir.path(),
        "small.jsonl",
        &[line.as_slice(), b"\n"].concat(),
    );
    let before = others(&out_dir, &[]);
    let out = run(
        &[
            "batch".as_ref(),
            "--now".as_ref(),
            NOW.as_ref(),
            "--output".as_ref(),
            target.as_os_str(),
            policy.as_os_str(),
            small.as_os_str(),
        ],
        b"",
        "complete run",
    );
    assert_eq!(
        out.status.code(),
        Some(0),
        "{}",
        String::from_utf8_lossy(&out.stderr)
    );
    let written = std::fs::read_to_string(&target).unwrap();
    assert_eq!(written.lines().count(), 1);
    assert!(written.ends_with('\n'));
    assert_eq!(others(&out_dir, &[]), before, "a complete run adds no file");
}

// ---- regressions found by fuzzing ----

/// Every input a fuzz target ever found, replayed through the same checks: a parse that
/// never panics and points inside the text, a format round trip, and an evaluation.
#[test]
fn fuzz_regressions() {
    let root = Path::new(env!("CARGO_MANIFEST_DIR")).join("tests/fuzz_regressions");
    let mut seen = 0;
    for target in ["parse", "fmt_roundtrip", "eval"] {
        let Ok(entries) = std::fs::read_dir(root.join(target)) else {
            continue;
        };
        let mut paths: Vec<PathBuf> = entries
            .map(|e| e.unwrap().path())
            .filter(|p| p.is_file())
            .collect();
        paths.sort();
        for path in paths {
            let bytes = std::fs::read(&path).unwrap();
            let name = path.display().to_string();
            match target {
                "eval" => replay_eval(&bytes, &name),
                _ => replay_parse(&bytes, &name),
            }
            seen += 1;
        }
    }
    assert!(seen > 0, "the regression folder holds the found inputs");
}

fn replay_parse(bytes: &[u8], name: &str) {
    let text = String::from_utf8_lossy(bytes);
    let diagnostics = match Policy::parse(&text) {
        Ok(policy) => policy.warnings().clone(),
        Err(d) => {
            assert!(!d.is_empty(), "{name}");
            d
        }
    };
    for d in diagnostics.items() {
        for span in std::iter::once(d.span).chain(d.labels.iter().map(|l| l.span)) {
            assert!(
                span.start <= span.end && span.end <= text.len(),
                "{name}: {d:?}"
            );
            assert!(
                text.is_char_boundary(span.start) && text.is_char_boundary(span.end),
                "{name}: {d:?}"
            );
        }
    }
    #[cfg(feature = "internals")]
    if let Ok(tree) = service_policy::syntax::parse(&text) {
        let formatted = service_policy::format(&text).unwrap();
        let again = service_policy::syntax::parse(&formatted)
            .unwrap_or_else(|e| panic!("{name}: {e:?}\n{formatted}"));
        assert_eq!(tree.items, again.items, "{name}\n{formatted}");
        assert_eq!(
            service_policy::format(&formatted).unwrap(),
            formatted,
            "{name}"
        );
    }
}

/// An eval regression is a policy (its text, or the path of an example policy), a line
/// `---`, then a JSON record. The decision is the same twice and with every object's
/// fields in reverse order.
fn replay_eval(bytes: &[u8], name: &str) {
    let text = std::str::from_utf8(bytes).unwrap();
    let (policy, record) = text
        .split_once("\n---\n")
        .unwrap_or_else(|| panic!("{name}: a policy, `---`, a record"));
    let policy = if policy.starts_with("examples/") && !policy.contains('\n') {
        let root = Path::new(env!("CARGO_MANIFEST_DIR"));
        std::fs::read_to_string(root.join(policy)).unwrap()
    } else {
        policy.to_owned()
    };
    let policy = Policy::parse(&policy).unwrap_or_else(|d| panic!("{name}: {:?}", d.items()));
    let record: Value = serde_json::from_str(record).unwrap();
    let options = EvalOptions::at(NOW.parse().unwrap());
    let first = serde_json::to_string(&policy.evaluate(&record, &options)).unwrap();
    let second = serde_json::to_string(&policy.evaluate(&record, &options)).unwrap();
    assert_eq!(first, second, "{name}");
    let reversed = serde_json::to_string(&policy.evaluate(&reverse(&record), &options)).unwrap();
    assert_eq!(first, reversed, "{name}: the order of fields matters");
}

/// The same value with every object's fields in reverse order.
fn reverse(value: &Value) -> Value {
    match value {
        Value::Object(map) => Value::Object(
            map.iter()
                .rev()
                .map(|(k, v)| (k.clone(), reverse(v)))
                .collect(),
        ),
        Value::Array(items) => Value::Array(items.iter().map(reverse).collect()),
        other => other.clone(),
    }
}

// ---- record limits through the library ----

#[cfg(feature = "internals")]
#[test]
fn a_list_over_the_limit_is_an_error_for_the_rules_that_read_it() {
    use service_policy::value::MAX_LIST_LEN;
    let policy = Policy::parse(
        r#"policy "Lists" {
  record { tags: list<text>, priority: "low" | "high" }
  rule vip { when "vip" in tags then tag "vip" }
  rule many { when count(tags) > 3 then tag "many" }
  rule urgent { when priority == "high" then escalate to "lead" }
}"#,
    )
    .unwrap();
    let options = EvalOptions::at(NOW.parse().unwrap());
    let decide = |len: usize| {
        let mut tags = vec![Value::from("x"); len];
        if let Some(last) = tags.last_mut() {
            *last = Value::from("vip");
        }
        let record = serde_json::json!({ "tags": tags, "priority": "high" });
        serde_json::to_value(policy.evaluate(&record, &options)).unwrap()
    };
    let at_limit = decide(MAX_LIST_LEN);
    assert_eq!(at_limit["errors"], serde_json::json!([]), "{at_limit}");
    assert_eq!(
        at_limit["fired"],
        serde_json::json!(["vip", "many", "urgent"])
    );

    let over = decide(MAX_LIST_LEN + 1);
    let errors = over["errors"].as_array().unwrap();
    let rules: Vec<&str> = errors.iter().filter_map(|e| e["rule"].as_str()).collect();
    assert_eq!(rules, ["vip", "many"], "{over}");
    for e in errors {
        assert_eq!(e["field"], "tags");
        let message = e["message"].as_str().unwrap();
        assert!(
            message.contains(&format!("a list of at most {MAX_LIST_LEN} elements"))
                && message.contains(&format!("{} elements", MAX_LIST_LEN + 1)),
            "{message}"
        );
    }
    assert_eq!(
        over["fired"],
        serde_json::json!(["urgent"]),
        "other rules are unaffected"
    );
}

#[test]
fn a_regex_that_compiles_too_large_is_refused_when_the_policy_loads() {
    // Small to write, huge to compile: the size limit refuses it instead of building it.
    for pattern in [r"\\w{1000}{1000}", r"(a|b|c|d){500}{500}"] {
        let src = format!(
            "policy \"p\" {{\n  record {{ message: text }}\n  rule r {{ when message matches \"{pattern}\" then tag \"x\" }}\n}}"
        );
        let started = Instant::now();
        let errors = Policy::parse(&src).unwrap_err();
        assert!(started.elapsed() < Duration::from_secs(10), "{pattern}");
        let e = errors.errors().next().unwrap();
        assert_eq!(e.code, service_policy::Code::E0305, "{pattern}: {e:?}");
        assert!(e.primary_label.contains("size limit"), "{pattern}: {e:?}");
    }
    // Matching stays linear in the text: a 10 MB text against a pattern that backtracks
    // exponentially in engines without that guarantee.
    let policy = Policy::parse(
        "policy \"p\" {\n  record { message: text }\n  rule r { when message matches \"^(a+)+$\" then tag \"x\" }\n}",
    )
    .unwrap();
    let mut text = "a".repeat(10_000_000);
    text.push('b');
    let record = serde_json::json!({ "message": text });
    let started = Instant::now();
    let decision =
        serde_json::to_value(policy.evaluate(&record, &EvalOptions::at(NOW.parse().unwrap())))
            .unwrap();
    assert!(started.elapsed() < HANG);
    assert_eq!(decision["fired"], serde_json::json!([]));
    assert_eq!(decision["errors"], serde_json::json!([]));
}
