//! The command line never harms a file it does not own, and a closed pipe ends it
//! cleanly: `batch --output` replaces only regular files and keeps their mode, writes to
//! devices and pipes in place, refuses directories, cleans its temporary file when a
//! signal or `ulimit -f` stops it; a closed standard output or standard error never makes
//! it panic. Every wait below is bounded by a count of polls, not by a time assertion.
#![cfg(unix)]
#![allow(
    clippy::unwrap_used,
    clippy::expect_used,
    clippy::panic,
    clippy::indexing_slicing,
    reason = "tests and benches stop loudly on the unexpected"
)]

use std::io::Write;
use std::os::unix::fs::{FileTypeExt, PermissionsExt};
use std::path::{Path, PathBuf};
use std::process::{Command, Stdio};

const POLICY: &str = r#"policy "Files" {
  rule urgent { when priority == "urgent" then tag "fast" }
}"#;

fn binary() -> PathBuf {
    PathBuf::from(env!("CARGO_BIN_EXE_service-policy"))
}

fn setup() -> (tempfile::TempDir, PathBuf, PathBuf) {
    let dir = tempfile::tempdir().unwrap();
    let policy = dir.path().join("p.policy");
    std::fs::write(&policy, POLICY).unwrap();
    let records = dir.path().join("r.jsonl");
    let mut text = String::new();
    for i in 0..2_000 {
        text.push_str(&format!("{{\"id\":{i},\"priority\":\"urgent\"}}\n"));
    }
    std::fs::write(&records, text).unwrap();
    (dir, policy, records)
}

fn leftovers(dir: &Path) -> Vec<String> {
    std::fs::read_dir(dir)
        .unwrap()
        .map(|e| e.unwrap().file_name().to_string_lossy().into_owned())
        .filter(|n| n.starts_with(".service-policy-batch"))
        .collect()
}

fn batch(policy: &Path, records: &Path, output: &Path) -> std::process::Output {
    Command::new(binary())
        .args(["batch", "--now", "2026-03-02T10:00:00Z", "--output"])
        .arg(output)
        .arg(policy)
        .arg(records)
        .output()
        .unwrap()
}

#[test]
fn a_regular_output_file_is_replaced_with_its_mode_kept() {
    let (dir, policy, records) = setup();
    let target = dir.path().join("out.jsonl");
    std::fs::write(&target, "old\n").unwrap();
    std::fs::set_permissions(&target, std::fs::Permissions::from_mode(0o640)).unwrap();
    let out = batch(&policy, &records, &target);
    assert!(
        out.status.success(),
        "{}",
        String::from_utf8_lossy(&out.stderr)
    );
    let text = std::fs::read_to_string(&target).unwrap();
    assert_eq!(text.lines().count(), 2_000);
    let mode = std::fs::metadata(&target).unwrap().permissions().mode() & 0o7777;
    assert_eq!(mode, 0o640);
    assert!(leftovers(dir.path()).is_empty());
    // A new file gets the usual mode of a new file (never only 0600), less the umask.
    let fresh = dir.path().join("fresh.jsonl");
    let out = batch(&policy, &records, &fresh);
    assert!(out.status.success());
    let mode = std::fs::metadata(&fresh).unwrap().permissions().mode() & 0o7777;
    assert_ne!(mode & 0o044, 0, "{mode:o}");
}

#[test]
fn a_device_is_written_in_place_never_replaced() {
    let (_dir, policy, records) = setup();
    let out = batch(&policy, &records, Path::new("/dev/null"));
    assert!(
        out.status.success(),
        "{}",
        String::from_utf8_lossy(&out.stderr)
    );
    let kind = std::fs::metadata("/dev/null").unwrap().file_type();
    assert!(kind.is_char_device(), "/dev/null is no longer a device");
}

#[test]
fn a_pipe_is_written_in_place() {
    let (dir, policy, records) = setup();
    let fifo = dir.path().join("fifo");
    assert!(
        Command::new("mkfifo")
            .arg(&fifo)
            .status()
            .unwrap()
            .success()
    );
    let reader_path = fifo.clone();
    let reader = std::thread::spawn(move || std::fs::read_to_string(reader_path).unwrap());
    let out = batch(&policy, &records, &fifo);
    assert!(
        out.status.success(),
        "{}",
        String::from_utf8_lossy(&out.stderr)
    );
    assert_eq!(reader.join().unwrap().lines().count(), 2_000);
    assert!(std::fs::metadata(&fifo).unwrap().file_type().is_fifo());
    assert!(leftovers(dir.path()).is_empty());
}

#[test]
fn a_directory_is_refused_in_words() {
    let (dir, policy, records) = setup();
    let out = batch(&policy, &records, dir.path());
    assert_eq!(out.status.code(), Some(2));
    let stderr = String::from_utf8_lossy(&out.stderr);
    assert!(stderr.contains("it is a directory"), "{stderr}");
    assert!(leftovers(dir.path()).is_empty());
}

#[test]
fn the_file_size_limit_is_a_write_error_in_words_and_leaves_nothing_behind() {
    let (dir, policy, records) = setup();
    let target = dir.path().join("out.jsonl");
    std::fs::write(&target, "old\n").unwrap();
    // 2 000 decisions are far more than 64 blocks of output.
    let script = format!(
        "ulimit -f 64; exec {} batch --now 2026-03-02T10:00:00Z --output {} {} {}",
        binary().display(),
        target.display(),
        policy.display(),
        records.display()
    );
    let out = Command::new("sh").arg("-c").arg(script).output().unwrap();
    assert_eq!(out.status.code(), Some(2), "{out:?}");
    let stderr = String::from_utf8_lossy(&out.stderr);
    assert!(stderr.contains("ulimit -f"), "{stderr}");
    assert_eq!(std::fs::read_to_string(&target).unwrap(), "old\n");
    assert!(
        leftovers(dir.path()).is_empty(),
        "{:?}",
        leftovers(dir.path())
    );
}

#[test]
fn a_signal_removes_the_temporary_file() {
    for signal in ["TERM", "INT", "HUP"] {
        let (dir, policy, _records) = setup();
        let target = dir.path().join("out.jsonl");
        std::fs::write(&target, "old\n").unwrap();
        let mut child = Command::new(binary())
            .args(["batch", "--now", "2026-03-02T10:00:00Z", "--output"])
            .arg(&target)
            .arg(&policy)
            .arg("-")
            .stdin(Stdio::piped())
            .stderr(Stdio::null())
            .spawn()
            .unwrap();
        let mut stdin = child.stdin.take().unwrap();
        stdin.write_all(b"{\"priority\":\"urgent\"}\n").unwrap();
        stdin.flush().unwrap();
        // Wait (by polls) for the temporary file; stdin stays open so the run goes on.
        let mut polls = 0;
        while leftovers(dir.path()).is_empty() {
            polls += 1;
            assert!(polls < 10_000, "no temporary file appeared");
            std::thread::sleep(std::time::Duration::from_millis(5));
        }
        let status = Command::new("kill")
            .arg(format!("-{signal}"))
            .arg(child.id().to_string())
            .status()
            .unwrap();
        assert!(status.success());
        let status = child.wait().unwrap();
        drop(stdin);
        assert!(!status.success(), "{signal}: {status:?}");
        assert!(
            leftovers(dir.path()).is_empty(),
            "{signal}: {:?}",
            leftovers(dir.path())
        );
        assert_eq!(std::fs::read_to_string(&target).unwrap(), "old\n");
    }
}

#[test]
fn a_closed_standard_error_never_panics() {
    let (dir, policy, _records) = setup();
    let bad = dir.path().join("bad.jsonl");
    std::fs::write(&bad, "not json\n{\"priority\":\"urgent\"}\n").unwrap();
    let mut child = Command::new(binary())
        .args(["batch", "--now", "2026-03-02T10:00:00Z"])
        .arg(&policy)
        .arg(&bad)
        .stdout(Stdio::null())
        .stderr(Stdio::piped())
        .spawn()
        .unwrap();
    // Close the reading end before the summary is written to it.
    drop(child.stderr.take());
    let status = child.wait().unwrap();
    // 1: a line failed. Never 101, a panic.
    assert_eq!(status.code(), Some(1), "{status:?}");
}

#[test]
fn a_closed_standard_output_ends_with_one_line_and_status_2() {
    let (_dir, policy, records) = setup();
    let mut child = Command::new(binary())
        .args(["batch", "--now", "2026-03-02T10:00:00Z"])
        .arg(&policy)
        .arg(&records)
        .stdout(Stdio::piped())
        .stderr(Stdio::piped())
        .spawn()
        .unwrap();
    drop(child.stdout.take());
    let out = child.wait_with_output().unwrap();
    assert_eq!(out.status.code(), Some(2));
    assert_eq!(
        String::from_utf8_lossy(&out.stderr),
        "error: cannot write to standard output: the reader closed it\n"
    );
    // `eval` too.
    let mut child = Command::new(binary())
        .args(["eval", "--now", "2026-03-02T10:00:00Z"])
        .arg(&policy)
        .arg("-")
        .stdin(Stdio::piped())
        .stdout(Stdio::piped())
        .stderr(Stdio::piped())
        .spawn()
        .unwrap();
    drop(child.stdout.take());
    child
        .stdin
        .take()
        .unwrap()
        .write_all(b"{\"priority\":\"urgent\"}")
        .unwrap();
    let out = child.wait_with_output().unwrap();
    assert_eq!(out.status.code(), Some(2));
    assert_eq!(
        String::from_utf8_lossy(&out.stderr),
        "error: cannot write to standard output: the reader closed it\n"
    );
}

#[test]
fn jobs_are_capped() {
    let (_dir, policy, records) = setup();
    let out = Command::new(binary())
        .args(["batch", "--jobs", "100000"])
        .arg(&policy)
        .arg(&records)
        .output()
        .unwrap();
    assert_eq!(out.status.code(), Some(2));
    let stderr = String::from_utf8_lossy(&out.stderr);
    assert!(stderr.contains("`--jobs` must be at most 256"), "{stderr}");
}

#[test]
fn eval_reads_a_bounded_record_from_an_endless_input() {
    let (_dir, policy, _records) = setup();
    // `/dev/zero` never ends: at most 64 MiB + 1 byte is read, then the record is refused.
    let out = Command::new(binary())
        .args(["eval", "--now", "2026-03-02T10:00:00Z"])
        .arg(&policy)
        .arg("/dev/zero")
        .output()
        .unwrap();
    assert_eq!(out.status.code(), Some(1));
    let stderr = String::from_utf8_lossy(&out.stderr);
    assert!(
        stderr.contains("the record is larger than 67108864 bytes"),
        "{stderr}"
    );
}

#[test]
fn duplicate_keys_and_vanishing_numbers_are_errors_in_eval_batch_and_test() {
    let (dir, policy, _records) = setup();
    let twice = dir.path().join("twice.json");
    std::fs::write(&twice, r#"{"priority": "low", "priority": "urgent"}"#).unwrap();
    let out = Command::new(binary())
        .args(["eval", "--now", "2026-03-02T10:00:00Z"])
        .arg(&policy)
        .arg(&twice)
        .output()
        .unwrap();
    assert_eq!(out.status.code(), Some(1));
    assert!(String::from_utf8_lossy(&out.stderr).contains("`priority` is given twice"));

    let lines = dir.path().join("lines.jsonl");
    std::fs::write(
        &lines,
        "{\"priority\":\"urgent\",\"priority\":\"low\"}\n{\"priority\":\"urgent\",\"credit\":{\"amount\":1e-400}}\n{\"priority\":\"urgent\"}\n",
    )
    .unwrap();
    let out = Command::new(binary())
        .args(["batch", "--now", "2026-03-02T10:00:00Z"])
        .arg(&policy)
        .arg(&lines)
        .output()
        .unwrap();
    assert_eq!(out.status.code(), Some(1));
    let stdout = String::from_utf8_lossy(&out.stdout);
    let lines: Vec<&str> = stdout.lines().collect();
    assert_eq!(lines.len(), 3, "{stdout}");
    assert!(
        lines[0].contains("`priority` is given twice"),
        "{}",
        lines[0]
    );
    assert!(
        lines[1].contains("`1e-400` in `credit.amount`"),
        "{}",
        lines[1]
    );
    assert!(lines[2].contains("\"decision\""), "{}", lines[2]);

    let tests = dir.path().join("p.tests.yaml");
    std::fs::write(
        &tests,
        "policy: p.policy\nnow: 2026-03-02T10:00:00Z\ncases:\n  - name: twice\n    record_file: twice.json\n    expect:\n      fired: [urgent]\n",
    )
    .unwrap();
    let out = Command::new(binary())
        .arg("test")
        .arg(&tests)
        .output()
        .unwrap();
    assert_eq!(out.status.code(), Some(1));
    let all = format!(
        "{}{}",
        String::from_utf8_lossy(&out.stdout),
        String::from_utf8_lossy(&out.stderr)
    );
    assert!(all.contains("`priority` is given twice"), "{all}");
}

/// A batch line is bounded in memory by a count of values, not only in bytes: a line of
/// more than a million values (a few MB of text that would parse into far more) is one
/// error line, and the next line is read as usual.
#[test]
fn a_batch_line_of_too_many_values_is_one_error_line() {
    let (dir, policy, _records) = setup();
    let lines = dir.path().join("many.jsonl");
    let many = format!(
        "{{\"priority\":\"urgent\",\"n\":[{}0]}}\n{{\"priority\":\"urgent\"}}\n",
        "0,".repeat(1_000_000)
    );
    std::fs::write(&lines, many).unwrap();
    let out = Command::new(binary())
        .args(["batch", "--now", "2026-03-02T10:00:00Z"])
        .arg(&policy)
        .arg(&lines)
        .output()
        .unwrap();
    let stdout = String::from_utf8_lossy(&out.stdout);
    let lines: Vec<&str> = stdout.lines().collect();
    assert_eq!(lines.len(), 2, "{stdout}");
    assert!(
        lines[0].contains("\"line\":1") && lines[0].contains("more than 1000000 values"),
        "{}",
        lines[0]
    );
    assert!(lines[1].contains("\"decision\""), "{}", lines[1]);
}
