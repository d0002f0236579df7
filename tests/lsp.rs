//! The language server, driven over stdio as an editor drives it: initialize, open a
//! broken policy, fix it, format, hover, go to definition and complete, with Bengali and
//! Devanagari names so that positions in UTF-16 units are exercised.
#![cfg(feature = "cli")]
#![allow(
    clippy::unwrap_used,
    clippy::expect_used,
    clippy::panic,
    clippy::indexing_slicing,
    reason = "tests stop loudly on the unexpected"
)]

use std::io::{BufRead, BufReader, Read, Write};
use std::process::{Child, ChildStdin, Command, Stdio};
use std::sync::mpsc::{Receiver, channel};
use std::time::Duration;

use serde_json::{Value, json};

/// A client talking to a running `service-policy lsp`.
struct Client {
    child: Child,
    stdin: ChildStdin,
    incoming: Receiver<Value>,
    next_id: i64,
}

impl Client {
    fn start() -> Client {
        let mut child = Command::new(assert_cmd::cargo::cargo_bin("service-policy"))
            .arg("lsp")
            .stdin(Stdio::piped())
            .stdout(Stdio::piped())
            .stderr(Stdio::inherit())
            .spawn()
            .unwrap();
        let stdin = child.stdin.take().unwrap();
        let stdout = child.stdout.take().unwrap();
        let (tx, incoming) = channel();
        std::thread::spawn(move || {
            let mut reader = BufReader::new(stdout);
            loop {
                let mut length = None;
                loop {
                    let mut line = String::new();
                    if reader.read_line(&mut line).unwrap_or(0) == 0 {
                        return;
                    }
                    let line = line.trim_end();
                    if line.is_empty() {
                        break;
                    }
                    if let Some(n) = line.strip_prefix("Content-Length: ") {
                        length = n.parse::<usize>().ok();
                    }
                }
                let mut body = vec![0; length.unwrap()];
                reader.read_exact(&mut body).unwrap();
                if tx.send(serde_json::from_slice(&body).unwrap()).is_err() {
                    return;
                }
            }
        });
        let mut client = Client {
            child,
            stdin,
            incoming,
            next_id: 0,
        };
        let init = client.request("initialize", json!({ "capabilities": {} }));
        let capabilities = &init["capabilities"];
        assert_eq!(capabilities["hoverProvider"], true);
        assert_eq!(capabilities["definitionProvider"], true);
        assert_eq!(capabilities["documentFormattingProvider"], true);
        assert!(capabilities["completionProvider"].is_object());
        client.notify("initialized", json!({}));
        client
    }

    fn send(&mut self, message: Value) {
        let body = serde_json::to_string(&message).unwrap();
        write!(self.stdin, "Content-Length: {}\r\n\r\n{body}", body.len()).unwrap();
        self.stdin.flush().unwrap();
    }

    fn notify(&mut self, method: &str, params: Value) {
        self.send(json!({ "jsonrpc": "2.0", "method": method, "params": params }));
    }

    /// The next message that satisfies `wanted`, skipping others. The wait is a guard
    /// against a server that never answers, not a measurement.
    fn receive(&mut self, wanted: impl Fn(&Value) -> bool) -> Value {
        loop {
            let message = self
                .incoming
                .recv_timeout(Duration::from_secs(120))
                .expect("the server stopped answering");
            if wanted(&message) {
                return message;
            }
        }
    }

    fn request(&mut self, method: &str, params: Value) -> Value {
        self.next_id += 1;
        let id = self.next_id;
        self.send(json!({ "jsonrpc": "2.0", "id": id, "method": method, "params": params }));
        let response = self.receive(|m| m["id"] == id);
        assert!(response.get("error").is_none(), "{response}");
        response["result"].clone()
    }

    fn diagnostics(&mut self, uri: &str) -> Vec<Value> {
        let message = self.receive(|m| {
            m["method"] == "textDocument/publishDiagnostics" && m["params"]["uri"] == uri
        });
        message["params"]["diagnostics"].as_array().unwrap().clone()
    }

    fn open(&mut self, uri: &str, text: &str) -> Vec<Value> {
        self.notify(
            "textDocument/didOpen",
            json!({ "textDocument": { "uri": uri, "languageId": "policy", "version": 1, "text": text } }),
        );
        self.diagnostics(uri)
    }

    fn at(&mut self, method: &str, uri: &str, line: u32, character: u32) -> Value {
        self.request(
            method,
            json!({ "textDocument": { "uri": uri }, "position": { "line": line, "character": character } }),
        )
    }

    fn stop(mut self) {
        let _ = self.request("shutdown", Value::Null);
        self.notify("exit", Value::Null);
        let status = self.child.wait().unwrap();
        assert!(status.success(), "{status}");
    }
}

/// A policy whose names are Bengali and Devanagari: every column past them differs between
/// bytes, characters and UTF-16 units unless counted right.
const POLICY: &str = r#"policy "বহুভাষিক" {
  record {
    অগ্রাধিকার: "জরুরি" | "সাধারণ"
    রিফান্ড.পরিমাণ: money?
    customer.tier: "gold" | "standard"
  }
  const सीमा = 5000 INR
  rule रिफंड_सीमा "বড় রিফান্ডে অনুমোদন" {
    when অগ্রাধিকার == "জরুরি" and customer.tier == "gold"
    limit রিফান্ড.পরিমাণ <= सीमा
    on exceed: require approval from "manager"
  }
}
"#;

/// The guard of the rule in [`POLICY`], replaced by half-typed text in completion tests.
const WHEN: &str = "    when অগ্রাধিকার == \"জরুরি\" and customer.tier == \"gold\"\n";

/// The 0-based line and UTF-16 column of the `nth` occurrence of `needle`.
fn position_of(text: &str, needle: &str, nth: usize) -> (u32, u32) {
    let offset = text.match_indices(needle).nth(nth).unwrap().0;
    let before = &text[..offset];
    let line = before.matches('\n').count();
    let line_start = before.rfind('\n').map_or(0, |i| i + 1);
    let column = before[line_start..].encode_utf16().count();
    (line as u32, column as u32)
}

#[test]
fn a_broken_policy_gets_diagnostics_at_utf16_positions_and_a_fix_clears_them() {
    let mut client = Client::start();
    let uri = "file:///work/broken.policy";
    // `अज्ञात` is not a declared field: E0103 on exactly that name.
    let broken = POLICY.replace("when অগ্রাধিকার ==", "when अज्ञात ==");
    let diagnostics = client.open(uri, &broken);
    let errors: Vec<&Value> = diagnostics.iter().filter(|d| d["severity"] == 1).collect();
    assert_eq!(errors.len(), 1, "{diagnostics:?}");
    let d = errors[0];
    assert_eq!(d["code"], "E0103");
    assert_eq!(d["severity"], 1);
    assert!(d["message"].as_str().unwrap().contains("अज्ञात"));
    // Line 8 is `    when अज्ञात == "জরুরি"`: the name starts after 9 UTF-16 units and is
    // six units long (18 bytes), so byte or character counting would be caught.
    assert_eq!(d["range"]["start"], json!({ "line": 8, "character": 9 }));
    assert_eq!(d["range"]["end"], json!({ "line": 8, "character": 15 }));

    // A syntax error too, with its code.
    client.notify(
        "textDocument/didChange",
        json!({ "textDocument": { "uri": uri, "version": 2 },
                "contentChanges": [ { "text": POLICY.replace("limit রিফান্ড.পরিমাণ <=", "limit রিফান্ড.পরিমাণ <= <=") } ] }),
    );
    let diagnostics = client.diagnostics(uri);
    assert!(
        diagnostics.iter().any(|d| d["code"] == "E0001"),
        "{diagnostics:?}"
    );

    client.notify(
        "textDocument/didChange",
        json!({ "textDocument": { "uri": uri, "version": 3 },
                "contentChanges": [ { "text": POLICY } ] }),
    );
    assert_eq!(client.diagnostics(uri), Vec::<Value>::new());
    client.stop();
}

#[test]
fn formatting_returns_the_canonical_text() {
    let mut client = Client::start();
    let uri = "file:///work/messy.policy";
    let messy = "policy \"P\" {\nrule r {   when  নাম == \"x\"\n then tag \"t\" }\n}\n";
    client.open(uri, messy);
    let edits = client.request(
        "textDocument/formatting",
        json!({ "textDocument": { "uri": uri }, "options": { "tabSize": 2, "insertSpaces": true } }),
    );
    let edits = edits.as_array().unwrap();
    assert_eq!(edits.len(), 1);
    assert_eq!(
        edits[0]["newText"].as_str().unwrap(),
        service_policy::format(messy).unwrap()
    );
    assert_eq!(
        edits[0]["range"]["start"],
        json!({ "line": 0, "character": 0 })
    );
    assert_eq!(
        edits[0]["range"]["end"],
        json!({ "line": 4, "character": 0 })
    );
    client.stop();
}

#[test]
fn hover_shows_a_fields_type_and_definition_finds_a_constant() {
    let mut client = Client::start();
    let uri = "file:///work/p.policy";
    assert_eq!(client.open(uri, POLICY), Vec::<Value>::new());

    // Hover on the use of `অগ্রাধিকার` in the rule.
    let (line, column) = position_of(POLICY, "অগ্রাধিকার", 1);
    let hover = client.at("textDocument/hover", uri, line, column + 2);
    let text = hover["contents"]["value"].as_str().unwrap();
    assert!(text.contains(r#"অগ্রাধিকার: "জরুরি" | "সাধারণ""#), "{text}");
    assert_eq!(
        hover["range"]["start"],
        json!({ "line": line, "character": column })
    );

    // The rule's description on its name; the constant's value on its use.
    let (line, column) = position_of(POLICY, "रिफंड_सीमा", 0);
    let hover = client.at("textDocument/hover", uri, line, column);
    assert!(
        hover["contents"]["value"]
            .as_str()
            .unwrap()
            .contains("বড় রিফান্ডে অনুমোদন")
    );

    // Go to the definition of `सीमा` from its use in the limit.
    let (use_line, use_column) = position_of(POLICY, "<= सीमा", 0);
    let definition = client.at("textDocument/definition", uri, use_line, use_column + 4);
    let (line, column) = position_of(POLICY, "सीमा =", 0);
    assert_eq!(definition["uri"], uri);
    assert_eq!(
        definition["range"]["start"],
        json!({ "line": line, "character": column })
    );
    assert_eq!(
        definition["range"]["end"],
        json!({ "line": line, "character": column + 4 })
    );
    let hover = client.at("textDocument/hover", uri, use_line, use_column + 4);
    assert!(
        hover["contents"]["value"]
            .as_str()
            .unwrap()
            .contains("const सीमा = 5000 INR")
    );
    client.stop();
}

#[test]
fn completion_offers_fields_after_record_dot_and_values_inside_a_text() {
    let mut client = Client::start();
    let uri = "file:///work/typing.policy";
    // Half-typed: the rule does not parse, the record still gives the fields.
    let typing = POLICY.replace(WHEN, "    when record.\n");
    client.open(uri, &typing);
    let (line, column) = position_of(&typing, "record.", 0);
    let items = client.at("textDocument/completion", uri, line, column + 7);
    let labels: Vec<&str> = items
        .as_array()
        .unwrap()
        .iter()
        .map(|i| i["label"].as_str().unwrap())
        .collect();
    assert_eq!(labels, ["অগ্রাধিকার", "রিফান্ড.পরিমাণ", "customer.tier"]);
    // Accepting one replaces `record.` with the field's path.
    let edit = &items[0]["textEdit"];
    assert_eq!(
        edit["range"]["start"],
        json!({ "line": line, "character": column })
    );
    assert_eq!(
        edit["range"]["end"],
        json!({ "line": line, "character": column + 7 })
    );

    // After a prefix of a path: its next segments.
    let typing = POLICY.replace(WHEN, "    when customer.t\n");
    client.notify(
        "textDocument/didChange",
        json!({ "textDocument": { "uri": uri, "version": 2 }, "contentChanges": [ { "text": typing } ] }),
    );
    client.diagnostics(uri);
    let (line, column) = position_of(&typing, "customer.t", 0);
    let items = client.at("textDocument/completion", uri, line, column + 10);
    assert_eq!(items[0]["label"], "tier");
    assert_eq!(items.as_array().unwrap().len(), 1);

    // Inside a text compared with an enumeration: its values.
    let typing = POLICY.replace(WHEN, "    when অগ্রাধিকার == \"\n");
    client.notify(
        "textDocument/didChange",
        json!({ "textDocument": { "uri": uri, "version": 3 }, "contentChanges": [ { "text": typing } ] }),
    );
    client.diagnostics(uri);
    let (line, column) = position_of(&typing, "== \"", 0);
    let items = client.at("textDocument/completion", uri, line, column + 4);
    let labels: Vec<&str> = items
        .as_array()
        .unwrap()
        .iter()
        .map(|i| i["label"].as_str().unwrap())
        .collect();
    assert_eq!(labels, ["জরুরি", "সাধারণ"]);
    client.stop();
}

/// A `file:` URI as editors write it: non-ASCII bytes percent-encoded.
fn file_uri(path: &std::path::Path) -> String {
    let mut out = String::from("file://");
    for b in path.to_str().unwrap().bytes() {
        if b.is_ascii_alphanumeric() || b"/-._~".contains(&b) {
            out.push(char::from(b));
        } else {
            out.push_str(&format!("%{b:02X}"));
        }
    }
    out
}

#[test]
fn definition_and_hover_follow_extends_into_the_base_file() {
    let dir = tempfile::tempdir().unwrap();
    // A folder named in Bengali: the URIs carry it percent-encoded.
    let folder = dir.path().join("নীতি");
    std::fs::create_dir(&folder).unwrap();
    let base = folder.join("base.policy");
    std::fs::write(&base, POLICY).unwrap();
    let child_text = r#"policy "শাখা" extends "./base.policy" {
  rule শাখা_সীমা {
    limit রিফান্ড.পরিমাণ <= सीमा
    on exceed: notify "manager"
  }
}
"#;
    let child = folder.join("child.policy");
    std::fs::write(&child, child_text).unwrap();

    let mut client = Client::start();
    let uri = file_uri(&child);
    client.open(&uri, child_text);

    let (line, column) = position_of(child_text, "सीमा", 0);
    let definition = client.at("textDocument/definition", &uri, line, column + 1);
    assert_eq!(definition["uri"], file_uri(&base));
    let (line, column) = position_of(POLICY, "सीमा =", 0);
    assert_eq!(
        definition["range"]["start"],
        json!({ "line": line, "character": column })
    );

    let (line, column) = position_of(child_text, "রিফান্ড.পরিমাণ", 0);
    let hover = client.at("textDocument/hover", &uri, line, column + 9);
    let text = hover["contents"]["value"].as_str().unwrap();
    assert!(text.contains("রিফান্ড.পরিমাণ: money?"), "{text}");
    assert!(text.contains("from base.policy"), "{text}");

    // A name neither file declares has no definition.
    let (line, column) = position_of(child_text, "notify", 0);
    assert_eq!(
        client.at("textDocument/definition", &uri, line, column),
        Value::Null
    );
    client.stop();
}
