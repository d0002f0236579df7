//! Contextual keywords (SPEC §3): a keyword that means nothing inside an expression is a
//! field name where its own construct could not go on; the words of expressions stay
//! reserved; syntax errors still point at the word that starts a clause and say so in
//! words. Through the library, the formatter and the binary.
#![allow(
    clippy::unwrap_used,
    clippy::expect_used,
    clippy::panic,
    clippy::indexing_slicing,
    reason = "tests and benches stop loudly on the unexpected"
)]

use assert_cmd::Command;
use proptest::prelude::*;
use serde_json::{Value as Json, json};
use service_policy::{Diagnostic, EvalOptions, Explain, Policy, check_source, format};

fn bin() -> Command {
    let mut cmd = Command::cargo_bin("service-policy").unwrap();
    cmd.env("NO_COLOR", "1");
    cmd
}

fn policy(source: &str) -> Policy {
    Policy::parse(source).unwrap_or_else(|e| panic!("{e}"))
}

/// The decision JSON, after checking the reference interpreter agrees.
fn decide(p: &Policy, record: &Json) -> Json {
    let options = EvalOptions {
        explain: Explain::Off,
        ..EvalOptions::at("2026-03-02T10:00:00Z".parse().unwrap())
    };
    let compiled = serde_json::to_value(p.evaluate(record, &options)).unwrap();
    let reference = serde_json::to_value(p.evaluate_reference(record, &options)).unwrap();
    assert_eq!(compiled, reference, "the reference interpreter differs");
    compiled
}

const EXAMPLES: &str = r#"policy "Keywords" {
  version "2026.1"
  record {
    version: number
    tag: text
    tags: list<text>
    refund: money
    limit: money
    status: text?
  }
  rule refund_cap {
    limit refund <= 500 USD
    on exceed: require approval from "lead"
  }
  rule second_version {
    when version == 2
    then tag "v2"
  }
  rule known_tag {
    when tag in tags
    then set status to "tagged"
         set version to 3
  }
  rule over { when refund > limit then tag "over" }
  rule copy_tag {
    when refund > limit
    then tag tag
         notify "lead" with { cap: limit, asked: refund }
  }
}"#;

#[test]
fn the_spec_examples_parse_and_evaluate() {
    let p = policy(EXAMPLES);
    let record = json!({
        "version": 2, "tag": "vip", "tags": ["vip", "new"],
        "refund": "600 USD", "limit": "550 USD",
    });
    let d = decide(&p, &record);
    // The policy's `version` item is the decision's; the field is the record's.
    assert_eq!(d["version"], "2026.1");
    assert_eq!(
        d["fired"],
        json!([
            "refund_cap",
            "second_version",
            "known_tag",
            "over",
            "copy_tag"
        ])
    );
    assert_eq!(d["checks"][0]["status"], "exceeded");
    assert_eq!(d["checks"][0]["value"], "600 USD");
    let actions = d["actions"].as_array().unwrap();
    let find = |kind: &str, field: &str, value: Json| {
        actions
            .iter()
            .any(|a| a["action"] == kind && a[field] == value)
    };
    assert!(find("tag", "tag", json!("v2")), "{actions:?}");
    assert!(find("tag", "tag", json!("vip")), "{actions:?}");
    assert!(find("set", "field", json!("status")), "{actions:?}");
    assert!(find("set", "field", json!("version")), "{actions:?}");
    let notify = actions.iter().find(|a| a["action"] == "notify").unwrap();
    assert_eq!(notify["args"]["cap"], "550 USD");

    let other = json!({
        "version": 1, "tag": "x", "tags": [], "refund": "10 USD", "limit": "550 USD",
    });
    let d = decide(&p, &other);
    assert_eq!(d["fired"], json!(["refund_cap"]));
    assert_eq!(d["checks"][0]["status"], "within");
}

#[test]
fn the_examples_evaluate_like_their_backticked_spelling() {
    let backticked = EXAMPLES
        .replace("limit refund <=", "limit `refund` <=")
        .replace("when version ==", "when `version` ==")
        .replace("when tag in", "when `tag` in")
        .replace("refund > limit", "`refund` > `limit`")
        .replace("tag tag", "tag `tag`")
        .replace("cap: limit, asked: refund", "cap: `limit`, asked: `refund`");
    assert_ne!(backticked, EXAMPLES);
    let record = json!({
        "version": 2, "tag": "vip", "tags": ["vip"], "refund": "600 USD", "limit": "550 USD",
    });
    assert_eq!(
        decide(&policy(EXAMPLES), &record),
        decide(&policy(&backticked), &record)
    );
    // Both spellings are kept by the formatter, and both come back the same tree.
    let bare = format(EXAMPLES).unwrap();
    assert!(bare.contains("    limit refund <= 500 USD\n"), "{bare}");
    assert!(bare.contains("    when refund > limit\n"), "{bare}");
    assert!(bare.contains("    then tag tag\n"), "{bare}");
    let quoted = format(&backticked).unwrap();
    assert!(
        quoted.contains("    limit `refund` <= 500 USD\n"),
        "{quoted}"
    );
    assert_eq!(policy(&bare).ast(), policy(&quoted).ast());
    assert_eq!(format(&bare).unwrap(), bare);
}

#[test]
fn the_binary_checks_formats_and_evaluates_the_examples() {
    let dir = tempfile::tempdir().unwrap();
    let path = dir.path().join("k.policy");
    std::fs::write(&path, format(EXAMPLES).unwrap()).unwrap();
    bin()
        .args(["check", "--deny-warnings"])
        .arg(&path)
        .assert()
        .success();
    bin().args(["fmt", "--check"]).arg(&path).assert().success();
    let record = dir.path().join("r.json");
    std::fs::write(
        &record,
        json!({"version": 2, "tag": "a", "tags": ["a"], "refund": "9 USD", "limit": "5 USD"})
            .to_string(),
    )
    .unwrap();
    let out = bin()
        .arg("eval")
        .arg(&path)
        .arg(&record)
        .args(["--now", "2026-03-02T10:00:00Z"])
        .output()
        .unwrap();
    assert!(
        out.status.success(),
        "{}",
        String::from_utf8_lossy(&out.stderr)
    );
    let d: Json = serde_json::from_slice(&out.stdout).unwrap();
    assert_eq!(
        d["fired"],
        json!([
            "refund_cap",
            "second_version",
            "known_tag",
            "over",
            "copy_tag"
        ])
    );
}

fn only(text: &str) -> (Diagnostic, usize, usize) {
    let report = check_source("t.policy", text);
    assert_eq!(report.len(), 1, "{report}");
    let d = report.items()[0].clone();
    let (line, column) = report.line_col(d.span);
    (d, line, column)
}

#[test]
fn a_clause_word_after_an_unfinished_expression_is_still_the_error() {
    // (text, line, column, a fragment of the message or help)
    let cases = [
        (
            "  const cap = 5 +\n  calendar hours { mon-fri 09:00-17:00 }\n",
            3,
            3,
            "the expression before `calendar` is not finished",
        ),
        (
            "  const cap = 5 +\n  rule r { then tag \"x\" }\n",
            3,
            3,
            "the expression before `rule` is not finished",
        ),
        (
            "  rule r {\n    when amount >\n    then tag \"x\"\n  }\n",
            4,
            5,
            "found `then`",
        ),
        (
            "  rule r {\n    when amount >\n    expect done within 1h of start\n  }\n",
            4,
            5,
            "found `expect`",
        ),
        (
            "  rule r {\n    when amount >\n    limit refund <= 5 USD\n  }\n",
            4,
            5,
            "found `limit`",
        ),
        (
            "  rule r {\n    when amount > 1\n    then notify\n         escalate to \"lead\"\n  }\n",
            5,
            10,
            "found `escalate`",
        ),
        (
            "  rule r { when x > 1 then notify to \"x\" }\n",
            2,
            35,
            "write `notify \"…\"` without `to`",
        ),
    ];
    for (body, line, column, words) in cases {
        let text = format!("policy \"p\" {{\n{body}}}\n");
        let (d, l, c) = only(&text);
        assert_eq!(d.code.as_str(), "E0001", "{text}");
        assert_eq!((l, c), (line, column), "{text}: {}", d.message);
        let all = format!("{} {}", d.message, d.help.clone().unwrap_or_default());
        assert!(all.contains(words), "{text}: {all}");
        // In words: no grammar rule name reaches the author.
        assert!(
            !all.contains("keyword_field") && !all.contains("soft_keyword"),
            "{all}"
        );
    }
}

#[test]
fn the_words_of_expressions_stay_reserved() {
    for word in [
        "and", "or", "not", "in", "is", "missing", "present", "contains", "matches", "during",
        "for", "where", "of",
    ] {
        let text = format!(
            "policy \"p\" {{\n  rule r {{\n    when {word} == 1\n    then tag \"x\"\n  }}\n}}\n"
        );
        let report = check_source("t.policy", &text);
        assert!(
            report.items().iter().any(|d| d.code.as_str() == "E0001"),
            "{word}: {report}"
        );
        // The backticked spelling always works.
        let text = text.replace(&format!("when {word} =="), &format!("when `{word}` =="));
        let report = check_source("t.policy", &text);
        assert!(report.is_empty(), "`{word}`: {report}");
    }
}

#[test]
fn a_keyword_stays_a_keyword_where_its_construct_goes_on() {
    // `at 5`: `at` followed by a number is not a field.
    let (d, line, column) =
        only("policy \"p\" {\n  rule r {\n    when at 5\n    then tag \"x\"\n  }\n}\n");
    assert_eq!((d.code.as_str(), line, column), ("E0001", 3, 10));
    assert!(d.help.unwrap().contains("backticks"));
}

/// Every keyword that means nothing inside an expression.
const SOFT: [&str; 41] = [
    "compensate",
    "excluding",
    "approval",
    "calendar",
    "escalate",
    "timezone",
    "require",
    "version",
    "assign",
    "breach",
    "closed",
    "exceed",
    "expect",
    "follow",
    "ladder",
    "notify",
    "policy",
    "record",
    "refund",
    "unless",
    "within",
    "after",
    "const",
    "first",
    "limit",
    "table",
    "using",
    "emit",
    "from",
    "list",
    "rule",
    "then",
    "when",
    "with",
    "met",
    "set",
    "tag",
    "at",
    "by",
    "on",
    "to",
];

/// A rule reading the field `f` in one expression position.
fn place(f: &str, which: usize) -> String {
    match which % 9 {
        0 => format!("  rule r {{\n    when {f} > 2\n    then tag \"x\"\n  }}\n"),
        1 => format!("  rule r {{ when 2 < {f} then tag \"x\" }}\n"),
        2 => {
            format!("  rule r {{\n    when {f} in [1, 3] and {f} != 4\n    then tag \"x\"\n  }}\n")
        }
        3 => format!("  rule r {{\n    limit {f} <= 2\n    on exceed: tag \"x\"\n  }}\n"),
        4 => format!("  rule r {{\n    when ({f} + 1) * 2 > 5\n    then tag \"x\"\n  }}\n"),
        5 => format!(
            "  rule r {{\n    when count(v for v in [1, 2, 3] where v < {f}) > 1\n    then tag \"x\"\n  }}\n"
        ),
        6 => format!(
            "  rule r {{\n    when {f} is present\n    then notify \"lead\" with {{ n: {f} }}\n         tag \"x\"\n  }}\n"
        ),
        7 => format!(
            "  rule r {{\n    when 1 > 0\n    then tag \"y\"\n    unless max({f}, 0) < 2\n  }}\n"
        ),
        _ => format!(
            "  rule r {{\n    when 2 < {f}\n    then tag \"x\"\n  }}\n  rule s {{ when {f} > 0 then tag \"z\" }}\n"
        ),
    }
}

proptest! {
    #![proptest_config(ProptestConfig { cases: 128, ..ProptestConfig::default() })]

    /// A keyword read as a field parses, round-trips through the formatter (kept bare),
    /// and evaluates exactly like its backticked spelling.
    #[test]
    fn a_keyword_field_round_trips_and_evaluates_like_backticks(
        word in prop::sample::select(SOFT.to_vec()),
        which in 0usize..9,
        value in prop::option::of(0u8..5),
    ) {
        let bare = format!("policy \"p\" {{\n{}}}\n", place(word, which));
        let quoted = format!("policy \"p\" {{\n{}}}\n", place(&format!("`{word}`"), which));
        let p = Policy::parse(&bare).map_err(|e| TestCaseError::fail(format!("{bare}\n{e}")))?;
        let q = policy(&quoted);
        prop_assert_eq!(p.ast(), q.ast());
        let formatted = format(&bare).unwrap();
        let again = policy(&formatted);
        prop_assert_eq!(again.ast(), p.ast());
        prop_assert_eq!(format(&formatted).unwrap(), formatted.clone());
        prop_assert!(!formatted.contains('`'), "{}", formatted);
        let mut record = serde_json::Map::new();
        if let Some(v) = value {
            record.insert(word.to_owned(), json!(v));
        }
        let record = Json::Object(record);
        prop_assert_eq!(decide(&p, &record), decide(&q, &record));
    }
}
