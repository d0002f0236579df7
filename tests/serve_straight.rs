//! `service-policy serve` reading `/v1/evaluate` bodies straight into the policy's fields:
//! the same bytes as a server that parses every body in full
//! (`SERVICE_POLICY_READ_IN_FULL=1`), on both endpoints, whichever way each record is read.
#![allow(
    clippy::unwrap_used,
    clippy::expect_used,
    clippy::panic,
    clippy::indexing_slicing,
    reason = "tests and benches stop loudly on the unexpected"
)]

mod serve_support;

use std::path::Path;

use proptest::prelude::*;
use proptest::test_runner::{Config, TestRunner};
use serve_support::{Answer, Server};

const NOW: &str = "2026-03-02T10:00:00Z";

/// Every rule has a guard the compiler turns into slot tests, and actions known at load.
const TRIAGE: &str = r#"policy "Triage" {
  record {
    priority: "low" | "normal" | "urgent"
    amount: number?
    tags: list<text>?
    customer.tier: "standard" | "gold"
  }
  rule urgent { when priority == "urgent" then escalate to "supervisor" }
  rule big { when amount > 100 then tag "big" }
  rule gold { when customer.tier == "gold" then tag "gold" }
  rule vip { when tags contains "vip" then notify "account-manager" }
}
"#;

const PLAIN: &str =
    r#"{"priority": "urgent", "amount": 250, "tags": ["vip"], "customer": {"tier": "gold"}}"#;

/// The same policy served twice: read straight, and read in full.
struct Servers {
    straight: Server,
    in_full: Server,
}

impl Servers {
    fn start(dir: &Path) -> Servers {
        std::fs::write(dir.join("triage.policy"), TRIAGE).unwrap();
        Servers {
            straight: Server::start(&["triage.policy"], dir),
            in_full: Server::start_with_env(
                &["triage.policy"],
                dir,
                &[("SERVICE_POLICY_READ_IN_FULL", "1")],
            ),
        }
    }

    /// POSTs to both and checks they answer alike; the straight server's answer.
    fn post(&self, path: &str, body: &str) -> Answer {
        let straight = self.straight.post(path, body);
        let in_full = self.in_full.post(path, body);
        assert_eq!(
            (
                straight.status,
                &straight.body,
                straight.header("content-type")
            ),
            (
                in_full.status,
                &in_full.body,
                in_full.header("content-type")
            ),
            "{body}"
        );
        straight
    }
}

/// The records a server read straight and in full, from `/metrics`.
fn records_read(server: &Server) -> (u64, u64) {
    let text = server.get("/metrics").body;
    let count = |read: &str| {
        let prefix = format!("service_policy_records_total{{read=\"{read}\"}} ");
        text.lines()
            .find_map(|line| line.strip_prefix(&prefix))
            .map_or(0, |n| n.trim().parse().unwrap())
    };
    (count("straight"), count("in_full"))
}

#[test]
fn evaluate_reads_a_plain_record_straight_and_the_rest_in_full_with_the_same_answers() {
    let dir = tempfile::tempdir().unwrap();
    let servers = Servers::start(dir.path());
    let body =
        |record: &str, more: &str| format!(r#"{{"record": {record}, "now": "{NOW}"{more}}}"#);

    let answer = servers.post("/v1/evaluate", &body(PLAIN, ""));
    assert_eq!(answer.status, 200, "{}", answer.body);
    let decision = answer.json();
    assert_eq!(
        decision["fired"],
        serde_json::json!(["urgent", "big", "gold", "vip"])
    );
    // Pretty-printed with a final newline, as it always was.
    assert!(answer.body.starts_with("{\n  \"policy\": \"Triage\",\n"));
    assert!(answer.body.ends_with("\n}\n"));
    assert_eq!(records_read(&servers.straight), (1, 0));

    // Left to the full reader: a key given twice (the last wins, as serde_json reads it), a
    // key spelled with an escape, explain on, a missing optional field.
    let twice = r#"{"priority": "low", "amount": 1, "tags": [], "customer": {"tier": "standard"}, "priority": "urgent"}"#;
    let answer = servers.post("/v1/evaluate", &body(twice, ""));
    assert_eq!(answer.json()["fired"], serde_json::json!(["urgent"]));
    let escaped =
        r#"{"\u0070riority": "urgent", "amount": 1, "tags": [], "customer": {"tier": "standard"}}"#;
    let answer = servers.post("/v1/evaluate", &body(escaped, ""));
    assert_eq!(answer.json()["fired"], serde_json::json!(["urgent"]));
    let answer = servers.post("/v1/evaluate", &body(PLAIN, r#", "explain": true"#));
    assert!(answer.json()["trace"].is_array(), "{}", answer.body);
    let sparse = r#"{"priority": "urgent", "customer": {"tier": "gold"}}"#;
    assert_eq!(servers.post("/v1/evaluate", &body(sparse, "")).status, 200);
    assert_eq!(records_read(&servers.straight), (1, 4));

    // Errors are the full reader's, word for word.
    for (bad, status) in [
        (body("[1]", ""), 422),
        (format!(r#"{{"record": {PLAIN}, "now": "soon"}}"#), 422),
        (body(PLAIN, r#", "now": "soon""#), 422),
        (body(PLAIN, r#", "explain": "yes""#), 422),
        (body(PLAIN, r#", "stray": 1"#), 422),
        (body(r#"{"priority": "urgent", "amount": 1e400}"#, ""), 400),
        (body(r#"{"priority": "\ud800"}"#, ""), 400),
        (body(r#"{"priority": "urgent",}"#, ""), 400),
        (format!(r#"{{"now": "{NOW}", "record": {PLAIN}"#), 400),
        (body(PLAIN, r#", "policy": "Nobody""#), 422),
    ] {
        let answer = servers.post("/v1/evaluate", &bad);
        assert_eq!(answer.status, status, "{bad}: {}", answer.body);
        assert!(!answer.error_code().is_empty());
    }
    // Read in full throughout on the other server.
    assert_eq!(records_read(&servers.in_full).0, 0);
}

#[test]
fn a_batch_mixes_records_read_straight_with_records_read_in_full_and_error_entries() {
    let dir = tempfile::tempdir().unwrap();
    let servers = Servers::start(dir.path());
    let twice = r#"{"priority": "low", "priority": "urgent", "customer": {"tier": "gold"}}"#;
    let body = format!(
        r#"{{"records": [{PLAIN}, 7, {twice}, {PLAIN}, "x"], "now": "{NOW}", "policy": "Triage"}}"#
    );
    let answer = servers.post("/v1/evaluate/batch", &body);
    assert_eq!(answer.status, 200, "{}", answer.body);
    let decisions = answer.json()["decisions"].as_array().unwrap().clone();
    assert_eq!(decisions.len(), 5);
    assert_eq!(decisions[0], decisions[3]);
    assert_eq!(decisions[1]["error"]["code"], "record_not_object");
    assert_eq!(decisions[2]["fired"], serde_json::json!(["urgent", "gold"]));
    assert_eq!(
        decisions[4]["error"]["message"],
        "record 4 must be a JSON object, found a string"
    );
    assert_eq!(records_read(&servers.straight), (2, 3));
    // No records, and a body that is not JSON.
    let empty = servers.post("/v1/evaluate/batch", r#"{"records": []}"#);
    assert_eq!(empty.body, "{\n  \"decisions\": []\n}\n");
    let broken = servers.post("/v1/evaluate/batch", &body[..body.len() - 2]);
    assert_eq!(broken.error_code(), "invalid_json");
}

/// Field values spelled every way JSON allows, and a few it does not.
fn value() -> impl Strategy<Value = String> {
    prop::sample::select(vec![
        r#""urgent""#,
        r#""urg\u0065nt""#,
        r#""low""#,
        r#""gold""#,
        "250",
        "-0",
        "1e2",
        "100.0",
        "18446744073709551616",
        "-9223372036854775809",
        "1e-400",
        "1e400",
        r#"["vip"]"#,
        r#"["v\u0069p", "x"]"#,
        r#"{"tier": "gold"}"#,
        r#"{"tier": "gold", "tier": "standard"}"#,
        "null",
        "true",
        r#""\ud800""#,
    ])
    .prop_map(str::to_owned)
}

fn record() -> impl Strategy<Value = String> {
    let key = prop::sample::select(vec![
        "priority",
        "amount",
        "tags",
        "customer",
        "customer.tier",
        "\\u0070riority",
    ]);
    let plain = prop::bool::weighted(0.6);
    (plain, prop::collection::vec((key, value()), 0..4)).prop_map(|(plain, entries)| {
        let mut fields: Vec<String> = entries
            .iter()
            .map(|(k, v)| format!("\"{k}\": {v}"))
            .collect();
        if plain {
            // A plain record with a few entries put after it, some of which repeat its keys.
            let inner = PLAIN.strip_prefix('{').and_then(|p| p.strip_suffix('}'));
            fields.insert(0, inner.unwrap().to_owned());
        }
        format!("{{{}}}", fields.join(", "))
    })
}

#[test]
fn generated_records_get_the_same_bytes_from_either_reader() {
    let dir = tempfile::tempdir().unwrap();
    let servers = Servers::start(dir.path());
    let requests = prop_oneof![
        record().prop_map(|r| (
            "/v1/evaluate",
            format!(r#"{{"record": {r}, "now": "{NOW}"}}"#)
        )),
        prop::collection::vec(record(), 0..5).prop_map(|rs| (
            "/v1/evaluate/batch",
            format!(r#"{{"records": [{}], "now": "{NOW}"}}"#, rs.join(", "))
        )),
    ];
    let mut runner = TestRunner::new(Config {
        cases: 160,
        failure_persistence: None,
        ..Config::default()
    });
    runner
        .run(&requests, |(path, body)| {
            servers.post(path, &body);
            Ok(())
        })
        .unwrap();
    let (straight, in_full) = records_read(&servers.straight);
    // Some 30 of each are expected.
    assert!(
        straight > 10 && in_full > 10,
        "{straight} straight, {in_full} in full"
    );
}
