//! `service-policy serve` answering `/v1/evaluate` and `/v1/evaluate/batch` for the 20-rule
//! customer-service workload, with bodies read straight into the policy's fields and, side
//! by side, read in full (`SERVICE_POLICY_READ_IN_FULL=1`, the way every body was read
//! before): two servers of the same binary, one keep-alive connection each, whole HTTP
//! round trips.
//!
//! ```sh
//! cargo bench --bench serve
//! ```
//!
//! Before measuring, every body is sent to both servers and their answers compared byte
//! for byte, and the straight server's `/metrics` must show the records were read straight.
//!
//! With `SERVE_BENCH_UNDER` set to a command, the servers run under it and the bench stops
//! after that first pass (1 000 single requests, 10 batches), ending the servers with
//! SIGTERM so that a profiler writes its report; the handlers' instructions a request:
//!
//! ```sh
//! SERVE_BENCH_UNDER="valgrind --tool=callgrind --callgrind-out-file=cg.%p" \
//!   cargo bench --bench serve
//! callgrind_annotate --inclusive=yes cg.PID | grep 'handle_connection'
//! ```
//!
//! `SERVE_BENCH_ONLY=/v1/evaluate` (or `/v1/evaluate/batch`, or `/v1/evaluate/batch?explain`
//! for the batches with explain on) sends only those bodies in the first pass, to profile
//! one kind at a time.
#![allow(
    clippy::unwrap_used,
    clippy::expect_used,
    clippy::panic,
    clippy::indexing_slicing,
    reason = "tests and benches stop loudly on the unexpected"
)]

mod common;

use std::hint::black_box;
use std::io::{BufRead, BufReader, Read, Write};
use std::net::TcpStream;
use std::process::{Child, Command, Stdio};

use criterion::{Criterion, Throughput, criterion_group, criterion_main};

const BIN: &str = env!("CARGO_BIN_EXE_service-policy");

/// Records in a batch request.
const BATCH: usize = 100;

struct Server {
    child: Child,
    in_full: bool,
    connection: BufReader<TcpStream>,
    addr: String,
}

impl Server {
    fn start(policy: &std::path::Path, in_full: bool) -> Server {
        let under = std::env::var("SERVE_BENCH_UNDER").unwrap_or_default();
        let mut words = under.split_whitespace().chain([BIN]);
        let mut command = Command::new(words.next().unwrap());
        command
            .args(words)
            .arg("serve")
            .arg(policy)
            .args(["--addr", "127.0.0.1:0"])
            .stdin(Stdio::null())
            .stdout(Stdio::null())
            .stderr(Stdio::piped());
        if in_full {
            command.env("SERVICE_POLICY_READ_IN_FULL", "1");
        }
        let mut child = command.spawn().unwrap();
        let mut log = BufReader::new(child.stderr.take().unwrap());
        let mut line = String::new();
        let addr = loop {
            line.clear();
            assert!(log.read_line(&mut line).unwrap() > 0, "the server stopped");
            if let Some(rest) = line.split("listening on http://").nth(1) {
                break rest.trim().to_owned();
            }
        };
        // Keep draining the log so that the pipe never fills.
        std::thread::spawn(move || std::io::copy(&mut log, &mut std::io::sink()));
        let connection = BufReader::new(TcpStream::connect(&addr).unwrap());
        connection.get_ref().set_nodelay(true).unwrap();
        Server {
            child,
            in_full,
            connection,
            addr,
        }
    }

    /// One request on the kept-alive connection; the answer's status and body.
    fn request(&mut self, method: &str, path: &str, body: &str) -> (u16, String) {
        let head = format!(
            "{method} {path} HTTP/1.1\r\nHost: {}\r\nContent-Type: application/json\r\nContent-Length: {}\r\n\r\n",
            self.addr,
            body.len()
        );
        let stream = self.connection.get_mut();
        stream.write_all(head.as_bytes()).unwrap();
        stream.write_all(body.as_bytes()).unwrap();
        let mut line = String::new();
        self.connection.read_line(&mut line).unwrap();
        let status = line.split(' ').nth(1).unwrap().parse().unwrap();
        let mut length = 0;
        loop {
            line.clear();
            self.connection.read_line(&mut line).unwrap();
            if line == "\r\n" {
                break;
            }
            if let Some((name, value)) = line.split_once(':')
                && name.eq_ignore_ascii_case("content-length")
            {
                length = value.trim().parse().unwrap();
            }
        }
        let mut answer = vec![0; length];
        self.connection.read_exact(&mut answer).unwrap();
        (status, String::from_utf8(answer).unwrap())
    }

    /// Records read straight and in full, from `/metrics`.
    fn records_read(&mut self) -> (u64, u64) {
        let (_, text) = self.request("GET", "/metrics", "");
        let count = |read: &str| {
            let prefix = format!("service_policy_records_total{{read=\"{read}\"}} ");
            text.lines()
                .find_map(|line| line.strip_prefix(&prefix))
                .map_or(0, |n| n.trim().parse().unwrap())
        };
        (count("straight"), count("in_full"))
    }
}

impl Drop for Server {
    fn drop(&mut self) {
        let _ = self.child.kill();
        let _ = self.child.wait();
    }
}

fn bench(c: &mut Criterion) {
    let dir = tempfile::tempdir().unwrap();
    let policy = dir.path().join("cs.policy");
    std::fs::write(&policy, common::CUSTOMER_SERVICE).unwrap();
    let lines = common::customer_service_lines(1_000);
    let now = "\"now\": \"2026-03-02T10:00:00Z\"";
    let singles: Vec<String> = lines
        .iter()
        .map(|line| format!("{{\"record\": {line}, {now}}}"))
        .collect();
    let batches: Vec<String> = lines
        .chunks(BATCH)
        .map(|chunk| format!("{{\"records\": [{}], {now}}}", chunk.join(", ")))
        .collect();
    // Explain on: never read straight, so the straight server parses each record from its
    // own text after taking it out of the body; what the path that declines costs.
    let explained: Vec<String> = lines
        .chunks(BATCH)
        .map(|chunk| {
            format!(
                "{{\"records\": [{}], {now}, \"explain\": true}}",
                chunk.join(", ")
            )
        })
        .collect();

    let mut straight = Server::start(&policy, false);
    let mut in_full = Server::start(&policy, true);
    let only = std::env::var("SERVE_BENCH_ONLY").ok();
    for (path, bodies) in [
        ("/v1/evaluate", &singles),
        ("/v1/evaluate/batch", &batches),
        ("/v1/evaluate/batch?explain", &explained),
    ] {
        if only.as_deref().is_some_and(|only| only != path) {
            continue;
        }
        let path = path.split('?').next().unwrap();
        for body in bodies {
            let a = straight.request("POST", path, body);
            let b = in_full.request("POST", path, body);
            assert_eq!(a.0, 200, "{}", a.1);
            assert_eq!(a, b, "the two readers answer differently for {body}");
        }
    }
    let (read, parsed) = straight.records_read();
    assert!(
        read >= parsed || only.as_deref() == Some("/v1/evaluate/batch?explain"),
        "the workload is not read straight: {read} straight, {parsed} in full"
    );
    assert_eq!(in_full.records_read().0, 0);
    if std::env::var_os("SERVE_BENCH_UNDER").is_some() {
        for server in [&mut straight, &mut in_full] {
            let pid = server.child.id().to_string();
            Command::new("kill").args(["-TERM", &pid]).status().unwrap();
            server.child.wait().unwrap();
            eprintln!(
                "{pid}: {}",
                if server.in_full {
                    "in full"
                } else {
                    "straight"
                }
            );
        }
        return;
    }

    let mut group = c.benchmark_group("serve");
    group.throughput(Throughput::Elements(1));
    for (name, server) in [("straight", &mut straight), ("in_full", &mut in_full)] {
        let mut i = 0;
        group.bench_function(format!("evaluate/{name}"), |b| {
            b.iter(|| {
                i = (i + 1) % singles.len();
                black_box(server.request("POST", "/v1/evaluate", &singles[i]))
            });
        });
    }
    group.throughput(Throughput::Elements(BATCH as u64));
    for (name, server) in [("straight", &mut straight), ("in_full", &mut in_full)] {
        let mut i = 0;
        group.bench_function(format!("batch{BATCH}/{name}"), |b| {
            b.iter(|| {
                i = (i + 1) % batches.len();
                black_box(server.request("POST", "/v1/evaluate/batch", &batches[i]))
            });
        });
    }
    for (name, server) in [("straight", &mut straight), ("in_full", &mut in_full)] {
        let mut i = 0;
        group.bench_function(format!("batch{BATCH}_explain/{name}"), |b| {
            b.iter(|| {
                i = (i + 1) % explained.len();
                black_box(server.request("POST", "/v1/evaluate/batch", &explained[i]))
            });
        });
    }
    group.finish();
}

criterion_group!(benches, bench);
criterion_main!(benches);
