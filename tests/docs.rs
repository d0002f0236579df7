//! No stale documentation: every complete policy in the docs and the examples checks clean,
//! and every bad example in `docs/diagnostics.md` gives the code it documents.
//!
//! Fences in Markdown:
//! - ```` ```policy ```` — a complete policy: it must parse and check with no error and no
//!   warning;
//! - ```` ```policy-bad CODE ```` — a policy that must produce the diagnostic `CODE` (and
//!   no error with another code);
//! - any other tag (`text`, `policy-fragment`, `json`, `yaml`, `rust`, …) is not checked
//!   here.
#![allow(
    clippy::unwrap_used,
    clippy::expect_used,
    clippy::panic,
    clippy::indexing_slicing,
    reason = "tests and benches stop loudly on the unexpected"
)]

use std::path::{Path, PathBuf};

use service_policy::{Code, Severity, check_source};

/// A fenced block: where it starts, its info string and its text.
struct Block {
    line: usize,
    info: String,
    text: String,
}

/// The fenced blocks of a Markdown text (``` fences only, as the docs use).
fn blocks(markdown: &str) -> Vec<Block> {
    let mut out = Vec::new();
    let mut open: Option<Block> = None;
    for (index, line) in markdown.lines().enumerate() {
        let trimmed = line.trim_start();
        match open.take() {
            None => {
                if let Some(info) = trimmed.strip_prefix("```") {
                    open = Some(Block {
                        line: index + 1,
                        info: info.trim().to_owned(),
                        text: String::new(),
                    });
                }
            }
            Some(mut block) => {
                if trimmed.starts_with("```") {
                    out.push(block);
                } else {
                    block.text.push_str(line);
                    block.text.push('\n');
                    open = Some(block);
                }
            }
        }
    }
    assert!(open.is_none(), "a fenced block is never closed");
    out
}

fn root() -> PathBuf {
    PathBuf::from(env!("CARGO_MANIFEST_DIR"))
}

/// The Markdown files whose policies are checked: `docs/*.md` and `README.md`.
fn markdown_files() -> Vec<PathBuf> {
    let mut files: Vec<PathBuf> = std::fs::read_dir(root().join("docs"))
        .expect("the docs folder exists")
        .filter_map(|entry| entry.ok().map(|e| e.path()))
        .filter(|path| path.extension().is_some_and(|e| e == "md"))
        .collect();
    let readme = root().join("README.md");
    if readme.exists() {
        files.push(readme);
    }
    files.sort();
    files
}

/// Every diagnostic of a policy, as `CODE line:col message` lines.
fn diagnostics_of(name: &str, text: &str) -> Vec<(Code, String)> {
    let diagnostics = check_source(name, text);
    diagnostics
        .items()
        .iter()
        .map(|d| {
            let (line, column) = diagnostics.line_col(d.span);
            (d.code, format!("{} {line}:{column} {}", d.code, d.message))
        })
        .collect()
}

#[test]
fn every_policy_block_in_the_docs_checks_clean() {
    let mut checked = 0;
    let mut problems = Vec::new();
    for file in markdown_files() {
        let markdown = std::fs::read_to_string(&file).expect("the file reads");
        for block in blocks(&markdown).into_iter().filter(|b| b.info == "policy") {
            let name = format!("{}:{}", file.display(), block.line);
            let found = diagnostics_of(&name, &block.text);
            if !found.is_empty() {
                problems.push(format!(
                    "{name}: a ```policy block must check clean:\n  {}",
                    found
                        .iter()
                        .map(|(_, s)| s.as_str())
                        .collect::<Vec<_>>()
                        .join("\n  ")
                ));
            }
            checked += 1;
        }
    }
    assert!(problems.is_empty(), "{}", problems.join("\n"));
    // The language reference, the semantics, the cookbook and the diagnostics all hold
    // complete policies; far fewer would mean the extraction broke.
    assert!(checked >= 40, "only {checked} policy blocks found");
}

#[test]
fn every_bad_example_gives_its_code() {
    let path = root().join("docs/diagnostics.md");
    let markdown = std::fs::read_to_string(&path).expect("docs/diagnostics.md reads");
    let mut seen = Vec::new();
    let mut problems = Vec::new();
    for block in blocks(&markdown) {
        let Some(code) = block.info.strip_prefix("policy-bad ") else {
            continue;
        };
        let code = code.trim();
        let name = format!("{}:{}", path.display(), block.line);
        let found = diagnostics_of(&name, &block.text);
        if !found.iter().any(|(c, _)| c.as_str() == code) {
            problems.push(format!("{name}: expected {code}, found {found:?}"));
        }
        // A bad example shows one problem: no error of another code muddies it.
        let others: Vec<_> = found
            .iter()
            .filter(|(c, _)| c.as_str() != code && c.severity() == Severity::Error)
            .collect();
        if !others.is_empty() {
            problems.push(format!("{name}: {code} example also gives {others:?}"));
        }
        seen.push(code.to_owned());
    }
    assert!(problems.is_empty(), "{}", problems.join("\n"));

    // Every code of the language has its example.
    let all = [
        "E0001", "E0002", "E0101", "E0102", "E0103", "E0201", "E0202", "E0203", "E0204", "E0301",
        "E0302", "E0303", "E0304", "E0305", "E0306", "E0307", "W0001", "W0002", "W0003", "W0004",
        "W0005", "W0006", "W0007", "E0308",
    ];
    let missing: Vec<_> = all
        .iter()
        .filter(|c| !seen.iter().any(|s| s == *c))
        .collect();
    assert!(
        missing.is_empty(),
        "codes without a bad example: {missing:?}"
    );
}

#[test]
fn every_example_policy_checks_clean() {
    let dir = root().join("examples/policies");
    let mut policies: Vec<PathBuf> = std::fs::read_dir(&dir)
        .expect("examples/policies exists")
        .filter_map(|entry| entry.ok().map(|e| e.path()))
        .filter(|path| path.extension().is_some_and(|e| e == "policy"))
        .collect();
    policies.sort();
    assert!(policies.len() >= 4, "the four example policies are there");
    for path in &policies {
        let text = std::fs::read_to_string(path).expect("the policy reads");
        let found = diagnostics_of(&path.display().to_string(), &text);
        assert!(found.is_empty(), "{}: {found:?}", path.display());
    }
}

#[test]
fn the_block_reader_finds_fences_and_their_tags() {
    let text = "intro\n```policy\npolicy \"A\" {}\n```\n\n```policy-bad E0103\nx\n```\n";
    let found = blocks(text);
    assert_eq!(found.len(), 2);
    assert_eq!(found[0].info, "policy");
    assert_eq!(found[0].text, "policy \"A\" {}\n");
    assert_eq!(found[0].line, 2);
    assert_eq!(found[1].info, "policy-bad E0103");
}

/// Paths in docs that point into the repository exist (examples, policies, records).
#[test]
fn files_the_docs_name_exist() {
    for file in markdown_files() {
        let markdown = std::fs::read_to_string(&file).expect("the file reads");
        for word in markdown.split(|c: char| c.is_whitespace() || "`()[]<>\"',".contains(c)) {
            let word = word.trim_end_matches(['.', ':', ';']);
            // A link's anchor is checked by `links_between_the_docs_resolve`.
            let word = word.split('#').next().unwrap_or(word);
            if (word.starts_with("examples/") || word.starts_with("docs/"))
                && Path::new(word).extension().is_some()
                && !word.contains('*')
                && !word.contains('{')
            {
                assert!(
                    root().join(word).exists(),
                    "{} names `{word}`, which does not exist",
                    file.display()
                );
            }
        }
    }
}

/// The messages shown in `docs/diagnostics.md` are what `service-policy check` prints today:
/// each ```` ```text ```` block after a bad example appears, line for line, in the rendering
/// of that example (blocks shortened with `…` are compared on their first line only).
#[cfg(feature = "cli")]
#[test]
fn rendered_messages_in_the_diagnostics_reference_are_current() {
    use service_policy::diagnostic::render::render_human;

    let path = root().join("docs/diagnostics.md");
    let markdown = std::fs::read_to_string(&path).expect("docs/diagnostics.md reads");
    let all = blocks(&markdown);
    let mut compared = 0;
    let mut problems = Vec::new();
    for (index, block) in all.iter().enumerate() {
        let Some(code) = block.info.strip_prefix("policy-bad ") else {
            continue;
        };
        let Some(shown) = all.get(index + 1).filter(|b| b.info == "text") else {
            problems.push(format!("{code}: no ```text block after the bad example"));
            continue;
        };
        let rendered = render_human(&check_source("shop.policy", &block.text), false);
        let normalise = |text: &str| -> String {
            text.lines()
                .map(str::trim_end)
                .collect::<Vec<_>>()
                .join("\n")
        };
        let rendered = normalise(&rendered);
        let expected = if shown.text.contains('…') {
            shown
                .text
                .lines()
                .next()
                .unwrap_or("")
                .trim_end()
                .to_owned()
        } else {
            normalise(&shown.text)
        };
        if !rendered.contains(&expected) {
            problems.push(format!(
                "{code}: the docs show\n{expected}\nbut check prints\n{rendered}"
            ));
        }
        compared += 1;
    }
    assert!(problems.is_empty(), "{}", problems.join("\n\n"));
    assert_eq!(compared, 25, "one rendering per code");
}

/// The anchor GitHub gives a heading: lowercase, punctuation dropped, spaces to hyphens.
fn slug(heading: &str) -> String {
    heading
        .trim()
        .to_lowercase()
        .chars()
        .filter(|c| c.is_alphanumeric() || *c == ' ' || *c == '-' || *c == '_')
        .map(|c| if c == ' ' { '-' } else { c })
        .collect()
}

/// The anchors of a Markdown file's headings (outside fenced blocks).
fn anchors(markdown: &str) -> Vec<String> {
    let mut fenced = false;
    let mut out = Vec::new();
    for line in markdown.lines() {
        if line.trim_start().starts_with("```") {
            fenced = !fenced;
        } else if !fenced && line.starts_with('#') {
            out.push(slug(line.trim_start_matches('#')));
        }
    }
    out
}

/// Links between the docs (`[text](file.md#anchor)`, `[text](#anchor)`) lead somewhere.
#[test]
fn links_between_the_docs_resolve() {
    let mut problems = Vec::new();
    let mut checked = 0;
    for file in markdown_files() {
        let markdown = std::fs::read_to_string(&file).expect("the file reads");
        let dir = file.parent().expect("a file has a folder");
        for (start, _) in markdown.match_indices("](") {
            let rest = &markdown[start + 2..];
            let Some(end) = rest.find(')') else { continue };
            let target = &rest[..end];
            if target.starts_with("http") || target.contains(' ') {
                continue;
            }
            let (path, anchor) = target.split_once('#').unwrap_or((target, ""));
            let linked = if path.is_empty() {
                file.clone()
            } else {
                dir.join(path)
            };
            if !linked.exists() {
                problems.push(format!("{}: `{target}`: no such file", file.display()));
                continue;
            }
            if !anchor.is_empty() && linked.extension().is_some_and(|e| e == "md") {
                let text = std::fs::read_to_string(&linked).expect("the linked file reads");
                if !anchors(&text).iter().any(|a| a == anchor) {
                    problems.push(format!("{}: `{target}`: no such heading", file.display()));
                }
            }
            checked += 1;
        }
    }
    assert!(problems.is_empty(), "{}", problems.join("\n"));
    assert!(checked > 50, "only {checked} links found");
}

#[test]
fn slugs_follow_github() {
    assert_eq!(
        slug(" Actions: merging, the ladder and keys"),
        "actions-merging-the-ladder-and-keys"
    );
    assert_eq!(slug(" `recheck_at`"), "recheck_at");
    assert_eq!(
        slug(" 1. First reply by priority and channel"),
        "1-first-reply-by-priority-and-channel"
    );
}

/// The worked examples of `docs/semantics.md` are what evaluation gives.
mod worked_examples {
    use super::*;
    use serde_json::{Value, json};
    use service_policy::{EvalOptions, Policy};

    fn semantics() -> String {
        std::fs::read_to_string(root().join("docs/semantics.md")).expect("semantics.md reads")
    }

    /// The policy block of semantics.md named `name`.
    fn policy(name: &str) -> Policy {
        let text = semantics();
        let block = blocks(&text)
            .into_iter()
            .find(|b| b.info == "policy" && b.text.contains(&format!("policy \"{name}\"")))
            .unwrap_or_else(|| panic!("semantics.md has a policy named {name}"));
        Policy::parse(&block.text).expect("the block loads")
    }

    /// The JSON blocks of semantics.md, parsed.
    fn json_blocks() -> Vec<Value> {
        blocks(&semantics())
            .into_iter()
            .filter(|b| b.info == "json")
            .map(|b| serde_json::from_str(&b.text).expect("a json block parses"))
            .collect()
    }

    fn decide(p: &Policy, record: Value, now: &str) -> Value {
        let decision = p.evaluate(&record, &EvalOptions::at(now.parse().expect("a time")));
        serde_json::to_value(decision).expect("a decision serialises")
    }

    /// Every key of `shown` is in `actual` with the same value.
    fn shows(shown: &Value, actual: &Value) {
        let shown = shown.as_object().expect("an object");
        for (key, value) in shown {
            assert_eq!(actual.get(key), Some(value), "`{key}` differs");
        }
    }

    #[test]
    fn daylight_saving_table() {
        let p = policy("Night desk");
        for (opened, deadline) in [
            ("2026-03-07T06:00:00Z", "2026-03-07T08:00:00Z"),
            ("2026-03-08T06:00:00Z", "2026-03-09T06:00:00Z"),
            ("2026-11-01T05:00:00Z", "2026-11-01T07:00:00Z"),
        ] {
            let d = decide(&p, json!({ "opened_at": opened }), opened);
            assert_eq!(d["checks"][0]["deadline"], deadline, "opened {opened}");
        }
    }

    #[test]
    fn atomic_rules_report_their_errors() {
        let p = policy("Atomic");
        let record = json!({
            "opened_at": "2026-03-02T09:00:00Z",
            "first_reply_at": "2026-03-02T08:00:00Z",
            "refund_amount": "30 USD",
            "order_total": "40 EUR"
        });
        let shown = json_blocks()
            .into_iter()
            .find(|b| {
                b.get("errors")
                    .is_some_and(|e| e.as_array().is_some_and(|a| a.len() == 2))
            })
            .expect("the atomic example's decision");
        shows(&shown, &decide(&p, record, "2026-03-02T10:00:00Z"));
    }

    #[test]
    fn merging_example() {
        let p = policy("Merging");
        let record = json!({ "priority": "urgent", "csat": 1, "channel": "social" });
        let shown = json_blocks()
            .into_iter()
            .find(|b| {
                b.get("actions")
                    .is_some_and(|a| a.as_array().is_some_and(|a| a.len() == 4))
            })
            .expect("the merging example's decision");
        shows(&shown, &decide(&p, record, "2026-03-02T10:00:00Z"));
    }

    #[test]
    fn first_of_table() {
        let p = policy("First of");
        let now = "2026-03-02T10:00:00Z";
        let gold = decide(
            &p,
            json!({ "customer": { "tier": "gold" }, "refund_amount": "250 EUR" }),
            now,
        );
        assert_eq!(gold["fired"], json!(["gold_refunds"]));
        assert_eq!(gold["actions"], json!([]));
        let standard = decide(
            &p,
            json!({ "customer": { "tier": "standard" }, "refund_amount": "250 EUR" }),
            now,
        );
        assert_eq!(standard["fired"], json!(["other_refunds"]));
        assert_eq!(standard["actions"][0]["from"], "team-lead");
        let unknown = decide(&p, json!({ "refund_amount": "250 EUR" }), now);
        assert_eq!(unknown["fired"], json!([]));
        assert_eq!(
            unknown["undecided"],
            json!([{ "rule": "gold_refunds", "missing": ["customer.tier"] }])
        );
        assert_eq!(unknown["actions"], json!([]));
    }

    #[test]
    fn the_full_decision_is_the_retail_one() {
        let text = std::fs::read_to_string(root().join("examples/policies/retail.policy"))
            .expect("retail.policy reads");
        let p = Policy::parse(&text).expect("retail loads");
        let record: Value = serde_json::from_str(
            &std::fs::read_to_string(
                root().join("examples/policies/records/retail_late_reply.json"),
            )
            .expect("the record reads"),
        )
        .expect("the record parses");
        let shown = json_blocks()
            .into_iter()
            .find(|b| b.get("policy").is_some())
            .expect("the full decision");
        assert_eq!(decide(&p, record, "2026-03-02T10:00:00Z"), shown);
    }

    /// The table of a high-priority email's day in the "Deadlines" section.
    #[test]
    fn deadline_day_table() {
        let text = std::fs::read_to_string(root().join("examples/policies/call_center.policy"))
            .expect("call_center.policy reads");
        let p = Policy::parse(&text).expect("the call centre policy loads");
        let record = json!({
            "channel": "email", "priority": "high", "customer": { "segment": "consumer" },
            "opened_at": "2026-03-02T14:00:00Z", "paused": []
        });
        // now (UTC), status, elapsed, actions as "kind:target", recheck_at
        let rows = [
            (
                "2026-03-02T14:00:00Z",
                "pending",
                "0s",
                vec![],
                json!("2026-03-02T15:00:00Z"),
            ),
            (
                "2026-03-02T15:00:00Z",
                "pending",
                "1h",
                vec!["notify:agent"],
                json!("2026-03-02T15:36:00Z"),
            ),
            (
                "2026-03-02T15:36:00Z",
                "pending",
                "1h36m",
                vec!["notify:agent", "notify:team-lead"],
                json!("2026-03-02T16:00:00Z"),
            ),
            (
                "2026-03-02T16:00:00Z",
                "pending",
                "2h",
                vec!["notify:agent", "notify:team-lead"],
                json!("2026-03-02T16:00:01Z"),
            ),
            (
                "2026-03-02T16:00:01Z",
                "breached",
                "2h",
                vec!["escalate:team-lead"],
                json!("2026-03-02T18:00:00Z"),
            ),
            (
                "2026-03-02T18:00:00Z",
                "breached",
                "4h",
                vec!["escalate:supervisor"],
                Value::Null,
            ),
        ];
        for (now, status, elapsed, actions, recheck) in rows {
            let d = decide(&p, record.clone(), now);
            let check = &d["checks"][0];
            assert_eq!(check["status"], status, "at {now}");
            let shown_elapsed = check["elapsed"].as_str().expect("elapsed is text");
            assert!(
                shown_elapsed.starts_with(elapsed),
                "at {now}: {shown_elapsed}"
            );
            let got: Vec<String> = d["actions"]
                .as_array()
                .expect("actions")
                .iter()
                .map(|a| {
                    format!(
                        "{}:{}",
                        a["action"].as_str().unwrap_or(""),
                        a["to"].as_str().unwrap_or("")
                    )
                })
                .collect();
            assert_eq!(got, actions, "at {now}");
            assert_eq!(d["recheck_at"], recheck, "at {now}");
        }
    }
}

/// The test-file example of the language reference runs and passes against the reference's
/// first policy, with a `records/big_refund.json` made for it.
#[test]
fn the_test_file_example_passes() {
    let text = std::fs::read_to_string(root().join("docs/language.md")).expect("language.md reads");
    let all = blocks(&text);
    let policy = all
        .iter()
        .find(|b| b.info == "policy" && b.text.contains("policy \"Shop support\""))
        .expect("the first policy of the reference");
    let suite = all
        .iter()
        .find(|b| b.info == "yaml" && b.text.contains("shop.tests.yaml"))
        .expect("the test-file example");
    let dir = tempfile::tempdir().expect("a temporary folder");
    std::fs::write(dir.path().join("shop.policy"), &policy.text).expect("write the policy");
    std::fs::create_dir(dir.path().join("records")).expect("a records folder");
    std::fs::write(
        dir.path().join("records/big_refund.json"),
        r#"{"priority": "normal", "opened_at": "2026-03-02T08:00:00Z",
            "first_reply_at": "2026-03-02T08:20:00Z", "refund_amount": "350 EUR"}"#,
    )
    .expect("write the record");
    let path = dir.path().join("shop.tests.yaml");
    std::fs::write(&path, &suite.text).expect("write the suite");
    let result = service_policy::testing::run_file(&path);
    assert!(result.error.is_none(), "{:?}", result.error);
    assert_eq!(result.cases.len(), 2);
    for case in &result.cases {
        assert!(case.passed, "{}: {:?}", case.name, case.failures);
    }
}

/// Every ```policy block of the docs, with the place it comes from.
fn policy_blocks() -> Vec<(String, String)> {
    let mut out = Vec::new();
    for file in markdown_files() {
        let markdown = std::fs::read_to_string(&file).expect("the file reads");
        for block in blocks(&markdown).into_iter().filter(|b| b.info == "policy") {
            out.push((format!("{}:{}", file.display(), block.line), block.text));
        }
    }
    out
}

/// A reader copies a block into a file and runs CI on it: it is already formatted, so
/// `fmt --check` passes as it does on the examples.
#[test]
fn every_policy_block_in_the_docs_is_formatted() {
    let mut problems = Vec::new();
    for (name, text) in policy_blocks() {
        let formatted = service_policy::format(&text).expect("the block parses");
        if formatted != text {
            let (line, (was, is)) = text
                .lines()
                .chain(std::iter::repeat(""))
                .zip(formatted.lines().chain(std::iter::repeat("")))
                .enumerate()
                .find(|(_, (a, b))| a != b)
                .unwrap_or((0, ("", "")));
            problems.push(format!(
                "{name}: not in canonical form; block line {}:\n  - {was}\n  + {is}",
                line + 1
            ));
        }
    }
    assert!(problems.is_empty(), "{}", problems.join("\n"));
}

/// README's CI recipe, through the binary, on every docs block and every example policy:
/// `check --format github --deny-warnings`, `fmt --check` and `test --coverage`.
#[test]
fn the_readme_ci_recipe_passes_on_the_docs_and_the_examples() {
    // Each block is its own policy: many share a name, and a folder is a policy set whose
    // versions of one name need distinct `effective` dates, so each block gets a folder.
    let dir = tempfile::tempdir().unwrap();
    let blocks = policy_blocks();
    let mut targets = Vec::new();
    for (i, (_, text)) in blocks.iter().enumerate() {
        let folder = dir.path().join(format!("block{i:03}"));
        std::fs::create_dir(&folder).unwrap();
        std::fs::write(folder.join("block.policy"), text).unwrap();
        targets.push(folder);
    }
    targets.push(root().join("examples/policies"));
    for target in &targets {
        for args in [
            &["check", "--format", "github", "--deny-warnings"][..],
            &["fmt", "--check"][..],
        ] {
            let output = assert_cmd::Command::cargo_bin("service-policy")
                .unwrap()
                .args(args)
                .arg(target)
                .output()
                .unwrap();
            assert!(
                output.status.success(),
                "`{}` fails on {}:\n{}{}",
                args.join(" "),
                target.display(),
                String::from_utf8_lossy(&output.stdout),
                String::from_utf8_lossy(&output.stderr)
            );
        }
    }
    let output = assert_cmd::Command::cargo_bin("service-policy")
        .unwrap()
        .args(["test", "--coverage"])
        .arg(root().join("examples"))
        .output()
        .unwrap();
    assert!(
        output.status.success(),
        "`test --coverage` fails on the examples:\n{}{}",
        String::from_utf8_lossy(&output.stdout),
        String::from_utf8_lossy(&output.stderr)
    );
}
