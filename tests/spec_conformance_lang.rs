//! The language, checker and formatter against SPEC §3, §4, §7, §8 and §12, one test per
//! point of the text, written as a policy author would meet it.

use service_policy::{Diagnostic, check_source, format};

fn check(text: &str) -> Vec<Diagnostic> {
    check_source("t.policy", text).items().to_vec()
}

fn codes(text: &str) -> Vec<&'static str> {
    check(text).iter().map(|d| d.code.as_str()).collect()
}

/// The one diagnostic of a text, with its 1-based line and column.
fn only(text: &str) -> (Diagnostic, usize, usize) {
    let report = check_source("t.policy", text);
    assert_eq!(report.len(), 1, "{report}");
    let d = report.items()[0].clone();
    let (line, column) = report.line_col(d.span);
    (d, line, column)
}

/// §3 lexical: identifiers in Bengali, Tamil, Devanagari and Tagalog, backticked segments,
/// keywords after `.` and in schema declarations, every literal form.
#[test]
fn spec_3_every_lexical_form_is_accepted() {
    let text = r#"policy "নীতি" {
  record {
    গ্রাহক.স্তর: "সোনা" | "রুপা"
    வாடிக்கையாளர்: number?
    ग्राहक: text?
    ᜉᜅᜎᜈ᜔: text?
    `from`.address: text?
    `first reply at`: time?
    email.from: text?
    paused: list<{ from: time, to: time? }>?
    amount: money?
    wait: duration?
    day: date?
  }
  const big = 1_000
  const pct = 12.5%
  const half = 50%
  const dur = 1h30m
  const t1 = 2026-03-02T14:30:00+05:30
  const t2 = 2026-03-02T09:00:00Z
  const dt = 2026-01-26
  const smile = "\u{1F600} \" \\ \n \t নীতি"
  const price = 49.99 EUR
  const w = 1w
  rule নিয়ম {
    when গ্রাহক.স্তর == "সোনা" and வாடிக்கையாளர் > big * pct and ग्राहक is present
      and ᜉᜅᜎᜈ᜔ == "x" and `from`.address is missing and email.from == "a"
      and `first reply at` > t1 and day == dt and wait > dur + w and amount > price * half
      and count(p for p in paused where p.to is missing) > 0 and t2 <= t1
    then tag smile
  }
}
"#;
    assert_eq!(codes(text), Vec::<&str>::new());
}

/// §3: a keyword cannot start a bare field path; the help says how to write it.
#[test]
fn spec_3_a_keyword_starting_a_path_is_refused_with_backtick_help() {
    let (d, line, column) =
        only("policy \"p\" {\n  rule r {\n    when from == \"x\"\n    then tag \"y\"\n  }\n}\n");
    assert_eq!(d.code.as_str(), "E0001");
    assert_eq!((line, column), (3, 10));
    assert!(d.help.unwrap().contains("`` `from` ``"));
}

/// §3 literal table: a `\u{…}` escape must name a character; the message says so instead
/// of calling a known escape unknown.
#[test]
fn spec_3_an_escape_that_names_no_character_is_explained() {
    let (d, line, column) = only("policy \"p\" {\n  rule r { then tag \"a\\u{D800}\" }\n}\n");
    assert_eq!(d.code.as_str(), "E0001");
    assert_eq!(d.message, "invalid Unicode escape `\\u{D800}` in text");
    assert_eq!((line, column), (2, 23));
    assert!(d.help.unwrap().contains("surrogate"));
    let (d, ..) = only("policy \"p\" {\n  rule r { then tag \"\\q\" }\n}\n");
    assert_eq!(d.message, "unknown escape `\\q` in text");
}

/// §3 literal table: `1_000` is a number, and misplaced underscores, 29 digits, lowercase
/// currency codes, disordered durations and times without offsets are refused.
#[test]
fn spec_3_malformed_literals_are_syntax_errors_with_help() {
    for (literal, message) in [
        ("1__0", "`1__0` is not a number"),
        ("1_", "`1_` is not a number"),
        (
            "12345678901234567890123456789",
            "has more than 28 significant digits",
        ),
        ("5 usd", "`usd` is not an ISO 4217 currency code"),
        ("5 XYZ", "`XYZ` is not an ISO 4217 currency code"),
        ("1m30h", "`1m30h` is not a duration"),
        ("1h1h", "`1h1h` is not a duration"),
        ("2026-13-01", "there is no month 13"),
        ("2026-03-02T09:00:00", "it has no offset"),
    ] {
        let text = format!(
            "policy \"p\" {{\n  const c = {literal}\n  rule r {{ when x == c then tag \"t\" }}\n}}\n"
        );
        let (d, line, column) = only(&text);
        assert_eq!(d.code.as_str(), "E0001", "{literal}");
        assert!(d.message.contains(message), "{literal}: {}", d.message);
        assert!(d.help.is_some(), "{literal}");
        assert_eq!(line, 2, "{literal}");
        assert!(column >= 13, "{literal}: {column}");
    }
}

/// §12 "All problems in a file are reported, not just the first": a syntax error in one
/// rule does not hide a checker error in another.
#[test]
fn spec_12_a_syntax_error_does_not_hide_type_errors_elsewhere() {
    let text = r#"policy "p" {
  record { priority: "low" | "urgent" }
  rule a {
    when priority = "low"
    then tag "a"
  }
  rule b {
    when priority == "urgnt"
    then tag "b"
  }
}
"#;
    let found = check(text);
    let summary: Vec<(&str, usize)> = found
        .iter()
        .map(|d| (d.code.as_str(), check_source("t", text).line_col(d.span).0))
        .collect();
    assert_eq!(summary, [("E0001", 4), ("E0203", 8)]);
    assert_eq!(found[1].help.as_deref(), Some("did you mean \"urgent\"?"));
}

/// §12: what the broken items might define or use is not guessed at: no unknown-name,
/// unknown-field or unused warnings come from the items that did not parse.
#[test]
fn spec_12_checking_around_a_syntax_error_invents_no_problem() {
    let text = r#"policy "p" {
  record { n: number, unused: text? }
  const cap = 5 +
  calendar hours { mon-fri 09:00-17:00 }
  table t(p) { _ => 1 }
  rule a { when n > cap and t(n) == 1 then tag "a" }
  rule b { when n > "x" then tag "b" }
}
"#;
    let found = check(text);
    assert_eq!(
        found.iter().map(|d| d.code.as_str()).collect::<Vec<_>>(),
        ["E0001", "E0201"],
        "{found:?}"
    );
    // The item word after an unfinished expression is not taken for a misused name.
    assert_eq!(
        found[0].help.as_deref(),
        Some(
            "the expression before `calendar` is not finished: complete it or remove its last operator"
        )
    );
}
