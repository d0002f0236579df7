//! `service-policy serve`, end to end: the real binary on a free loopback port.
#![allow(
    clippy::unwrap_used,
    clippy::expect_used,
    clippy::panic,
    clippy::indexing_slicing,
    reason = "tests and benches stop loudly on the unexpected"
)]

mod serve_support;

use std::path::Path;
use std::process::Command;
use std::time::Duration;

use serde_json::{Value, json};
use serve_support::{BIN, Server, root};
use service_policy::testing::parse_record;

const NOW: &str = "2026-03-02T10:00:00Z";

/// Each bundled record and the policy it belongs to.
fn example_records() -> Vec<(&'static str, &'static str, &'static str)> {
    vec![
        (
            "retail.policy",
            "Retail customer care",
            "retail_late_reply.json",
        ),
        (
            "retail.policy",
            "Retail customer care",
            "retail_platinum.json",
        ),
        (
            "retail.policy",
            "Retail customer care",
            "retail_refund_velocity.yaml",
        ),
        ("refunds.policy", "", "refund_damaged_gold.json"),
        ("refunds.policy", "", "refund_frequent.yaml"),
        ("call_center.policy", "", "call_center_business.json"),
        ("call_center.policy", "", "call_center_friday_evening.yaml"),
        ("multilingual.policy", "", "multilingual_calm.json"),
        ("multilingual.policy", "", "multilingual_legal.yaml"),
    ]
}

fn eval_cli(policy: &Path, record: &Path, explain: bool) -> String {
    let mut command = Command::new(BIN);
    command
        .arg("eval")
        .arg(policy)
        .arg(record)
        .args(["--now", NOW]);
    if explain {
        command.arg("--explain");
    }
    let output = command.output().unwrap();
    assert!(output.status.success(), "{output:?}");
    String::from_utf8(output.stdout).unwrap()
}

fn policy_name(file: &Path) -> String {
    service_policy::Policy::from_file(file)
        .unwrap()
        .name()
        .to_owned()
}

#[test]
fn evaluate_answers_byte_for_byte_what_eval_prints_for_every_example_record() {
    let examples = root().join("examples/policies");
    // The top-level example policies, each its own family (the folder's `history/` holds two
    // versions of one policy to compare with `diff`, which a set refuses as one family).
    let files: Vec<String> = ["retail", "call_center", "refunds", "multilingual"]
        .iter()
        .map(|name| {
            examples
                .join(format!("{name}.policy"))
                .display()
                .to_string()
        })
        .collect();
    let args: Vec<&str> = files.iter().map(String::as_str).collect();
    let server = Server::start(&args, root());
    for (policy_file, _, record_file) in example_records() {
        let policy = examples.join(policy_file);
        let record_path = examples.join("records").join(record_file);
        let text = std::fs::read_to_string(&record_path).unwrap();
        let record = parse_record(&text, record_file.ends_with(".yaml")).unwrap();
        for explain in [false, true] {
            let body = json!({
                "record": record,
                "now": NOW,
                "explain": explain,
                "policy": policy_name(&policy),
            });
            let answer = server.post("/v1/evaluate", &body.to_string());
            assert_eq!(answer.status, 200, "{record_file}: {}", answer.body);
            assert_eq!(answer.header("content-type"), Some("application/json"));
            assert_eq!(
                answer.body,
                eval_cli(&policy, &record_path, explain),
                "{record_file}, explain {explain}"
            );
        }
    }
}

#[test]
fn a_single_policy_needs_no_name_and_the_batch_keeps_order() {
    let server = Server::start(&["examples/policies/retail.policy"], root());
    let records: Vec<Value> = ["retail_late_reply.json", "retail_platinum.json"]
        .iter()
        .map(|f| {
            let text =
                std::fs::read_to_string(root().join("examples/policies/records").join(f)).unwrap();
            serde_json::from_str(&text).unwrap()
        })
        .collect();
    let one = |record: &Value| {
        let answer = server.post(
            "/v1/evaluate",
            &json!({"record": record, "now": NOW}).to_string(),
        );
        assert_eq!(answer.status, 200, "{}", answer.body);
        answer.json()
    };
    let batch = server.post(
        "/v1/evaluate/batch",
        &json!({"records": [records[0], 7, records[1]], "now": NOW}).to_string(),
    );
    assert_eq!(batch.status, 200, "{}", batch.body);
    let decisions = batch.json()["decisions"].as_array().unwrap().clone();
    assert_eq!(decisions.len(), 3);
    assert_eq!(decisions[0], one(&records[0]));
    assert_eq!(decisions[1]["error"]["code"], "record_not_object");
    assert_eq!(decisions[2], one(&records[1]));
    assert_ne!(decisions[0], decisions[2]);
}

#[test]
fn every_bad_input_gets_its_status_and_a_json_error() {
    let dir = tempfile::tempdir().unwrap();
    std::fs::copy(
        root().join("examples/policies/retail.policy"),
        dir.path().join("retail.policy"),
    )
    .unwrap();
    std::fs::write(dir.path().join("token"), "s3cret-token\n").unwrap();
    let server = Server::start(
        &[
            "retail.policy",
            "--token-file",
            "token",
            "--max-body",
            "4096",
        ],
        dir.path(),
    );
    let auth = ("Authorization", "Bearer s3cret-token");
    let json_type = ("Content-Type", "application/json");
    let post =
        |body: &str| server.request("POST", "/v1/evaluate", &[auth, json_type], body.as_bytes());
    let cases: Vec<(&str, serve_support::Answer, u16, &str)> = vec![
        ("invalid JSON", post("{\"record\": "), 400, "invalid_json"),
        (
            "wrong content type",
            server.request(
                "POST",
                "/v1/evaluate",
                &[auth, ("Content-Type", "text/plain")],
                b"{}",
            ),
            415,
            "unsupported_media_type",
        ),
        (
            "no content type",
            server.request("POST", "/v1/evaluate", &[auth], b"{}"),
            415,
            "unsupported_media_type",
        ),
        (
            "body over the limit",
            post(&format!(
                "{{\"record\": {{\"pad\": \"{}\"}}}}",
                "x".repeat(5000)
            )),
            413,
            "body_too_large",
        ),
        (
            "record not an object",
            post("{\"record\": [1, 2]}"),
            422,
            "record_not_object",
        ),
        (
            "no record",
            post("{\"now\": \"2026-03-02T10:00:00Z\"}"),
            422,
            "invalid_request",
        ),
        (
            "unknown field",
            post("{\"record\": {}, \"nwo\": 1}"),
            422,
            "invalid_request",
        ),
        (
            "bad now",
            post("{\"record\": {}, \"now\": \"yesterday\"}"),
            422,
            "invalid_now",
        ),
        (
            "unknown policy",
            post("{\"record\": {}, \"policy\": \"Wholesale\"}"),
            422,
            "unknown_policy",
        ),
        (
            "invalid policy source",
            post("{\"record\": {}, \"source\": \"policy \\\"x\\\" { rule r { when } }\"}"),
            422,
            "invalid_policy",
        ),
        (
            "missing token",
            server.request("POST", "/v1/evaluate", &[json_type], b"{\"record\": {}}"),
            401,
            "missing_token",
        ),
        (
            "wrong token",
            server.request(
                "POST",
                "/v1/evaluate",
                &[("Authorization", "Bearer s3cret-toke"), json_type],
                b"{\"record\": {}}",
            ),
            401,
            "invalid_token",
        ),
        (
            "format of text that does not parse",
            server.request(
                "POST",
                "/v1/format",
                &[auth, json_type],
                b"{\"source\": \"policy {\"}",
            ),
            422,
            "invalid_policy",
        ),
        (
            "unknown endpoint",
            server.request("GET", "/v2/nothing", &[auth], b""),
            404,
            "not_found",
        ),
        (
            "wrong method",
            server.request("GET", "/v1/evaluate", &[auth], b""),
            405,
            "method_not_allowed",
        ),
    ];
    for (what, answer, status, code) in cases {
        assert_eq!(answer.status, status, "{what}: {}", answer.body);
        assert_eq!(
            answer.header("content-type"),
            Some("application/json"),
            "{what}"
        );
        assert_eq!(answer.error_code(), code, "{what}");
    }
    let unauthorised = server.request("GET", "/v1/policies", &[], b"");
    assert_eq!(unauthorised.header("www-authenticate"), Some("Bearer"));
    // The right token is let in; the health check and the playground need none.
    let answer = post(&json!({"record": {"opened_at": NOW}, "now": NOW}).to_string());
    assert_eq!(answer.status, 200, "{}", answer.body);
    assert_eq!(server.get("/healthz").json()["status"], "ok");
    assert_eq!(server.get("/").status, 200);
    // An invalid policy's diagnostics come with the error.
    let answer = post("{\"record\": {}, \"source\": \"policy \\\"x\\\" { rule r { when } }\"}");
    assert_eq!(answer.json()["error"]["diagnostics"][0]["code"], "E0001");
    // Every refusal was counted by its code.
    let metrics = server.get("/metrics");
    assert!(
        metrics
            .body
            .contains(r#"service_policy_http_errors_total{code="invalid_token"} 1"#),
        "{}",
        metrics.body
    );
    assert!(
        metrics.body.contains(
            r#"service_policy_http_requests_total{endpoint="/v1/evaluate",status="413"} 1"#
        ),
        "{}",
        metrics.body
    );
}

#[test]
fn check_format_policies_and_health_answer_as_documented() {
    let server = Server::start(&["examples/policies/retail.policy"], root());
    let source = "policy \"Demo\" {\n  const unused = 1\n    rule r { then tag \"a\" }\n}\n";
    let checked = server.post(
        "/v1/check",
        &json!({"source": source, "name": "demo.policy"}).to_string(),
    );
    assert_eq!(checked.status, 200);
    let checked = checked.json();
    assert_eq!(checked["errors"], 0);
    assert_eq!(checked["warnings"], 1);
    let diagnostic = &checked["diagnostics"][0];
    assert_eq!(diagnostic["code"], "W0001");
    assert_eq!(diagnostic["file"], "demo.policy");
    assert_eq!(diagnostic["start"]["line"], 2);
    assert_eq!(diagnostic["start"]["column"], 9);

    let formatted = server
        .post("/v1/format", &json!({"source": source}).to_string())
        .json();
    assert_eq!(formatted["source"], service_policy::format(source).unwrap());
    assert_eq!(formatted["changed"], true);

    let policies = server.get("/v1/policies").json();
    let retail = &policies["policies"][0];
    assert_eq!(retail["name"], "Retail customer care");
    assert_eq!(retail["version"], "2026.1");
    assert_eq!(retail["file"], "examples/policies/retail.policy");
    assert!(retail["hash"].as_str().unwrap().starts_with("sha256:"));
    assert!(
        retail["loaded_at"]
            .as_str()
            .unwrap()
            .parse::<jiff::Timestamp>()
            .is_ok()
    );
    assert_eq!(policies["reload_error"], Value::Null);

    let metrics = server.get("/metrics");
    assert_eq!(metrics.status, 200);
    assert!(
        metrics
            .body
            .contains(r#"service_policy_http_requests_total{endpoint="/v1/check",status="200"} 1"#),
        "{}",
        metrics.body
    );
    assert!(metrics.body.ends_with("# EOF\n"));
}

#[test]
fn the_playground_and_its_examples_are_served_from_the_binary() {
    let server = Server::start(&["examples/policies/retail.policy"], root());
    let page = server.get("/");
    assert_eq!(page.status, 200);
    assert!(
        page.body
            .contains("<script type=\"module\" src=\"/playground/app.js\">")
    );
    // No asset from elsewhere: every src and href is local.
    assert!(!page.body.contains("http://") && !page.body.contains("https://"));
    assert!(
        page.header("content-security-policy")
            .unwrap()
            .starts_with("default-src 'self'")
    );
    let script = server.get("/playground/app.js");
    assert_eq!(
        script.header("content-type"),
        Some("text/javascript; charset=utf-8")
    );
    assert!(script.body.contains("/v1/evaluate"));
    let examples = server.get("/playground/examples.json").json();
    let retail = &examples["examples"][0];
    assert_eq!(
        retail["source"],
        std::fs::read_to_string(root().join("examples/policies/retail.policy")).unwrap()
    );
}

fn wait_for(server: &Server, what: &str, test: impl Fn(&Value) -> bool) -> Value {
    // 20 polls 100 ms apart: the 2 s the service promises for a reload.
    for _ in 0..20 {
        let policies = server.get("/v1/policies").json();
        if test(&policies) {
            return policies;
        }
        std::thread::sleep(Duration::from_millis(100));
    }
    panic!(
        "{what} did not happen within 20 polls; log:\n{}",
        server.log()
    );
}

#[test]
fn watch_keeps_the_old_version_through_a_broken_edit_and_serves_the_fixed_one() {
    let dir = tempfile::tempdir().unwrap();
    let path = dir.path().join("retail.policy");
    let original = std::fs::read_to_string(root().join("examples/policies/retail.policy")).unwrap();
    std::fs::write(&path, &original).unwrap();
    let server = Server::start(&["retail.policy", "--watch"], dir.path());
    let record: Value = serde_json::from_str(
        &std::fs::read_to_string(root().join("examples/policies/records/retail_late_reply.json"))
            .unwrap(),
    )
    .unwrap();
    let evaluate = || {
        let answer = server.post(
            "/v1/evaluate",
            &json!({"record": record, "now": NOW}).to_string(),
        );
        assert_eq!(answer.status, 200, "{}", answer.body);
        answer.json()
    };
    let before = evaluate();
    assert_eq!(before["version"], "2026.1");

    // A broken edit: the old version keeps serving and the error is shown.
    std::fs::write(
        &path,
        original.replace(
            "on breach: escalate to \"supervisor\"",
            "on breach: escalate to",
        ),
    )
    .unwrap();
    let policies = wait_for(&server, "the broken edit to be reported", |p| {
        !p["reload_error"].is_null()
    });
    let problem = &policies["reload_error"]["problems"][0];
    assert_eq!(problem["file"], "retail.policy");
    assert_eq!(problem["diagnostics"][0]["code"], "E0001");
    assert_eq!(policies["policies"][0]["version"], "2026.1");
    assert_eq!(evaluate(), before);
    // The log line is read from the server's standard error by another thread.
    assert!(
        (0..20).any(|_| {
            let seen = server.log().contains("reload refused");
            if !seen {
                std::thread::sleep(Duration::from_millis(100));
            }
            seen
        }),
        "{}",
        server.log()
    );

    // The fixed edit, with a new version and a stricter escalation, is served.
    std::fs::write(
        &path,
        original
            .replace("version \"2026.1\"", "version \"2026.2\"")
            .replace(
                "on breach: escalate to \"supervisor\"",
                "on breach: escalate to \"duty-manager\"",
            ),
    )
    .unwrap();
    let policies = wait_for(&server, "the fixed edit to be served", |p| {
        p["policies"][0]["version"] == "2026.2"
    });
    assert!(policies["reload_error"].is_null(), "{policies}");
    let after = evaluate();
    assert_eq!(after["version"], "2026.2");
    assert_eq!(after["actions"][0]["to"], "duty-manager");
    let metrics = server.get("/metrics").body;
    assert!(
        metrics.contains(r#"service_policy_reloads_total{outcome="refused"}"#),
        "{metrics}"
    );
    assert!(
        metrics.contains(r#"service_policy_reloads_total{outcome="applied"}"#),
        "{metrics}"
    );
}

#[test]
fn an_invalid_policy_stops_the_start_with_its_diagnostics() {
    let dir = tempfile::tempdir().unwrap();
    std::fs::write(
        dir.path().join("bad.policy"),
        "policy \"x\" { rule r { when } }\n",
    )
    .unwrap();
    let output = Command::new(BIN)
        .args(["serve", "bad.policy", "--addr", "127.0.0.1:0"])
        .current_dir(dir.path())
        .output()
        .unwrap();
    assert_eq!(output.status.code(), Some(1));
    assert!(
        String::from_utf8_lossy(&output.stderr).contains("E0001"),
        "{output:?}"
    );
}

#[cfg(unix)]
#[test]
fn sigterm_lets_the_request_in_flight_finish_then_stops() {
    use std::io::{BufRead, BufReader, Read, Write};

    let mut server = Server::start(&["examples/policies/retail.policy"], root());
    let record =
        std::fs::read_to_string(root().join("examples/policies/records/retail_late_reply.json"))
            .unwrap();
    let body = format!("{{\"record\": {record}, \"now\": \"{NOW}\"}}");
    // A request whose body is still to come: `Expect: 100-continue` makes the server say
    // when its handler starts reading, so the request is surely in flight at the signal.
    let mut stream = std::net::TcpStream::connect(&server.addr).unwrap();
    stream
        .set_read_timeout(Some(Duration::from_secs(30)))
        .unwrap();
    write!(
        stream,
        "POST /v1/evaluate HTTP/1.1\r\nHost: x\r\nContent-Type: application/json\r\nContent-Length: {}\r\nExpect: 100-continue\r\n\r\n",
        body.len()
    )
    .unwrap();
    let mut reader = BufReader::new(stream.try_clone().unwrap());
    let mut line = String::new();
    reader.read_line(&mut line).unwrap();
    assert!(line.starts_with("HTTP/1.1 100"), "{line:?}");
    reader.read_line(&mut line).unwrap();

    let killed = Command::new("kill")
        .args(["-TERM", &server.pid().to_string()])
        .status()
        .unwrap();
    assert!(killed.success());
    stream.write_all(body.as_bytes()).unwrap();
    let mut answer = String::new();
    reader.read_to_string(&mut answer).unwrap();
    assert!(answer.starts_with("HTTP/1.1 200"), "{answer}");
    assert!(answer.contains("\"escalate\""), "{answer}");

    let status = server.wait();
    assert_eq!(status.code(), Some(0), "{}", server.log());
    let log = server.log();
    assert!(log.contains("shutting down"), "{log}");
    assert!(log.trim_end().ends_with("serve: stopped"), "{log}");
}

#[test]
fn the_set_routes_each_record_to_its_family_and_version_in_force() {
    let dir = tempfile::tempdir().unwrap();
    std::fs::write(
        dir.path().join("main.policy"),
        "policy \"Main\" {\n  rule r { then tag \"main\" }\n}\n",
    )
    .unwrap();
    std::fs::write(
        dir.path().join("vip-2025.policy"),
        "policy \"VIP\" {\n  version \"2025\"\n  effective 2025-01-01\n  when tier == \"vip\"\n  rule r { then tag \"vip-2025\" }\n}\n",
    )
    .unwrap();
    std::fs::write(
        dir.path().join("vip-2026.policy"),
        "policy \"VIP\" {\n  version \"2026\"\n  effective 2026-01-01\n  when tier == \"vip\"\n  rule r { then tag \"vip-2026\" }\n}\n",
    )
    .unwrap();
    let server = Server::start(&["."], dir.path());
    let batch = server.post(
        "/v1/evaluate/batch",
        &json!({"records": [{"tier": "vip"}, {"tier": "gold"}], "now": NOW}).to_string(),
    );
    assert_eq!(batch.status, 200, "{}", batch.body);
    let decisions = batch.json()["decisions"].clone();
    assert_eq!(decisions[0]["policy"], "VIP");
    assert_eq!(decisions[0]["version"], "2026");
    assert_eq!(decisions[0]["actions"][0]["tag"], "vip-2026");
    assert_eq!(decisions[1]["policy"], "Main");
    // Named, the family decides in the version in force at `now`.
    let answer = server.post(
        "/v1/evaluate",
        &json!({"record": {"tier": "gold"}, "policy": "VIP", "now": "2025-06-01T00:00:00Z"})
            .to_string(),
    );
    assert_eq!(answer.json()["version"], "2025", "{}", answer.body);
    let answer = server.post(
        "/v1/evaluate",
        &json!({"record": {}, "policy": "VIP", "now": "2024-06-01T00:00:00Z"}).to_string(),
    );
    assert_eq!(answer.status, 422);
    assert_eq!(answer.error_code(), "not_in_force");
    // Every version is listed with its effective date.
    let policies = server.get("/v1/policies").json();
    let listed: Vec<(Value, Value)> = policies["policies"]
        .as_array()
        .unwrap()
        .iter()
        .map(|p| (p["name"].clone(), p["effective"].clone()))
        .collect();
    assert!(
        listed.contains(&(json!("VIP"), json!("2025-01-01"))),
        "{policies}"
    );
    assert!(
        listed.contains(&(json!("VIP"), json!("2026-01-01"))),
        "{policies}"
    );
    assert!(listed.contains(&(json!("Main"), Value::Null)), "{policies}");
    drop(server);

    // With `--as-of`, a ticket is judged by the version in force when it was opened.
    let server = Server::start(&[".", "--as-of", "opened_at"], dir.path());
    let batch = server.post(
        "/v1/evaluate/batch",
        &json!({"records": [
            {"tier": "vip", "opened_at": "2025-06-01T00:00:00Z"},
            {"tier": "vip"},
        ], "now": NOW})
        .to_string(),
    );
    let decisions = batch.json()["decisions"].clone();
    assert_eq!(decisions[0]["version"], "2025", "{decisions}");
    assert_eq!(
        decisions[1]["error"]["code"], "invalid_as_of",
        "{decisions}"
    );
    let answer = server.post(
        "/v1/evaluate",
        &json!({"record": {"opened_at": "2025-06-01T00:00:00Z"}, "policy": "VIP", "now": NOW})
            .to_string(),
    );
    assert_eq!(answer.json()["version"], "2025", "{}", answer.body);
    let answer = server.post(
        "/v1/evaluate",
        &json!({"record": {"opened_at": 7}, "policy": "VIP", "now": NOW}).to_string(),
    );
    assert_eq!(answer.status, 422);
    assert_eq!(answer.error_code(), "invalid_as_of");
}

#[test]
fn mangled_bodies_get_json_errors_never_a_500() {
    let server = Server::start(&["examples/policies/retail.policy"], root());
    let record =
        std::fs::read_to_string(root().join("examples/policies/records/retail_late_reply.json"))
            .unwrap();
    let valid = format!("{{\"record\": {record}, \"now\": \"{NOW}\", \"explain\": true}}");
    let bytes = valid.as_bytes();
    // A fixed pseudo-random walk over truncations and byte changes of a valid body.
    let mut seed: u64 = 0x5eed;
    let mut next = move || {
        seed = seed
            .wrapping_mul(6_364_136_223_846_793_005)
            .wrapping_add(1_442_695_040_888_963_407);
        seed >> 33
    };
    for round in 0..150 {
        let mut body = bytes.to_vec();
        match round % 3 {
            0 => body.truncate(usize::try_from(next()).unwrap() % bytes.len()),
            1 => {
                for _ in 0..3 {
                    let at = usize::try_from(next()).unwrap() % body.len();
                    body[at] = u8::try_from(next() % 256).unwrap();
                }
            }
            _ => {
                let at = usize::try_from(next()).unwrap() % body.len();
                body.insert(at, b"{}[]\",:0n\\"[usize::try_from(next()).unwrap() % 10]);
            }
        }
        let answer = server.request(
            "POST",
            "/v1/evaluate",
            &[("Content-Type", "application/json")],
            &body,
        );
        assert!(
            [200, 400, 422].contains(&answer.status),
            "{} for {:?}: {}",
            answer.status,
            String::from_utf8_lossy(&body),
            answer.body
        );
        if answer.status != 200 {
            answer.error_code();
        }
    }
    assert_eq!(server.get("/healthz").status, 200);
}

#[test]
fn a_body_that_never_arrives_is_answered_when_the_time_runs_out() {
    use std::io::{Read, Write};

    let server = Server::start(
        &["examples/policies/retail.policy", "--timeout", "1"],
        root(),
    );
    let mut stream = std::net::TcpStream::connect(&server.addr).unwrap();
    stream
        .set_read_timeout(Some(Duration::from_secs(30)))
        .unwrap();
    // Promises 100 bytes, sends 10, then waits: the service must not wait with it.
    stream
        .write_all(b"POST /v1/evaluate HTTP/1.1\r\nHost: x\r\nContent-Type: application/json\r\nContent-Length: 100\r\n\r\n{\"record\":")
        .unwrap();
    let mut answer = Vec::new();
    let _ = stream.read_to_end(&mut answer);
    let answer = String::from_utf8_lossy(&answer);
    assert!(answer.starts_with("HTTP/1.1 503"), "{answer}");
    assert!(answer.contains("\"code\": \"timeout\""), "{answer}");
    assert_eq!(server.get("/healthz").status, 200);
}
