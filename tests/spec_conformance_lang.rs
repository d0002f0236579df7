//! The language, checker and formatter against SPEC §3, §4, §7, §8 and §12, one test per
//! point of the text, written as a policy author would meet it.
#![allow(
    clippy::unwrap_used,
    clippy::expect_used,
    clippy::panic,
    clippy::indexing_slicing,
    reason = "tests and benches stop loudly on the unexpected"
)]

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
fn spec_3_a_word_of_expressions_starting_a_path_is_refused_with_backtick_help() {
    let (d, line, column) =
        only("policy \"p\" {\n  rule r {\n    when present == \"x\"\n    then tag \"y\"\n  }\n}\n");
    assert_eq!(d.code.as_str(), "E0001");
    assert_eq!((line, column), (3, 10));
    assert!(d.help.unwrap().contains("`` `present` ``"));
    // A keyword that means nothing inside an expression is a field there (contextual).
    assert!(
        check("policy \"p\" {\n  rule r {\n    when from == \"x\"\n    then tag \"y\"\n  }\n}\n")
            .is_empty()
    );
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

/// Wraps rule-level text in a policy with a schema; line 1 of `body` is line 11 of the file.
fn with_schema(body: &str) -> String {
    format!(
        r#"policy "p" {{
  ladder "agent", "lead"
  record {{
    priority: "low" | "urgent"
    opened_at: time
    done_at: time?
    amount: money
    note: text?
  }}
  calendar hours {{ mon-fri 09:00-17:00 }}
{body}
}}
"#
    )
}

/// §12: each code fires where the SPEC says, at the exact line and column, with the help
/// an author needs. (code, body, line, column, help fragment)
#[test]
fn spec_12_every_code_fires_at_its_place_with_help() {
    let cases: &[(&str, &str, usize, usize, &str)] = &[
        (
            "E0001",
            "  rule r { when priority = \"low\" then tag \"t\" }",
            11,
            26,
            "`==`",
        ),
        (
            "E0101",
            "  rule r { then tag \"a\" }\n  rule r { then tag \"b\" }",
            12,
            8,
            "rename or remove",
        ),
        (
            "E0102",
            "  rule r { when opened_at during houres then tag \"t\" }",
            11,
            34,
            "did you mean `hours`?",
        ),
        (
            "E0102",
            "  rule r { when lenn(note) > 1 then tag \"t\" }",
            11,
            17,
            "did you mean `len`?",
        ),
        (
            "E0103",
            "  rule r { when priorty == \"low\" then tag \"t\" }",
            11,
            17,
            "did you mean `priority`?",
        ),
        (
            "E0201",
            "  rule r { when note > 5 then tag \"t\" }",
            11,
            17,
            "one type",
        ),
        (
            "E0202",
            "  rule r { when 5 EUR > 1 USD then tag \"t\" }",
            11,
            25,
            "`EUR`",
        ),
        (
            "E0203",
            "  rule r { when priority == \"urgnt\" then tag \"t\" }",
            11,
            29,
            "did you mean \"urgent\"?",
        ),
        (
            "E0204",
            "  rule r { expect done_at within 5 of opened_at }",
            11,
            34,
            "duration",
        ),
        (
            "E0301",
            "  rule r { when priority == \"low\" }",
            11,
            8,
            "`then ACTION`",
        ),
        (
            "E0302",
            "  rule r { limit amount <= 5 USD\n    on breach: notify \"x\" }",
            12,
            5,
            "`expect`",
        ),
        (
            "E0303",
            "  rule r { then escalate to \"boss\" }",
            11,
            29,
            "the ladder is",
        ),
        (
            "E0304",
            "  calendar c { mon-fri 17:00-09:00 }\n  rule r { when opened_at during c then tag \"t\" }",
            11,
            24,
            "`24:00`",
        ),
        (
            "E0305",
            "  rule r { when note matches \"(a\" then tag \"t\" }",
            11,
            30,
            "regex",
        ),
        (
            "E0306",
            "  calendar c { timezone \"Europe/Berln\" mon 09:00-10:00 }\n  rule r { when opened_at during c then tag \"t\" }",
            11,
            25,
            "did you mean `Europe/Berlin`?",
        ),
        (
            "E0307",
            "  table t(a, b) { _, _ => 1 }\n  rule r { when t(priority) == 1 then tag \"t\" }",
            12,
            17,
            "one argument per parameter",
        ),
    ];
    for (code, body, line, column, help) in cases {
        let text = with_schema(body);
        let report = check_source("t.policy", &text);
        let d = report
            .errors()
            .find(|d| d.code.as_str() == *code)
            .unwrap_or_else(|| panic!("{code} not reported for {body}:\n{report}"));
        assert_eq!(
            report.line_col(d.span),
            (*line, *column),
            "{code}: {report}"
        );
        let message_first = d.message.chars().next().unwrap();
        assert!(!message_first.is_uppercase(), "{code}: {}", d.message);
        assert!(!d.message.ends_with('.'), "{code}: {}", d.message);
        let got = d.help.as_deref().unwrap_or("");
        assert!(got.contains(help), "{code}: help {got:?} lacks {help:?}");
        assert!(!d.primary_label.is_empty(), "{code}: no label");
    }
}

/// §12 warnings, each at its place. (code, body, line, column)
#[test]
fn spec_12_every_warning_fires_at_its_place() {
    let cases: &[(&str, &str, usize, usize)] = &[
        (
            "W0001",
            "  const unused = 5\n  rule r { when note is present then tag \"t\" }",
            11,
            9,
        ),
        (
            "W0002",
            "  rule r { when priority == \"low\" and priority == \"urgent\" then tag \"t\" }",
            11,
            39,
        ),
        (
            "W0003",
            "  first of {\n    rule a { then tag \"a\" }\n    rule b { when note is present then tag \"b\" }\n  }",
            13,
            10,
        ),
        (
            "W0004",
            "  table t(p) { _ => 1\n    \"low\" => 2 }\n  rule r { when t(priority) == 1 then tag \"t\" }",
            12,
            5,
        ),
        (
            "W0005",
            "  table t(p) { \"low\" => 1 }\n  rule r { when t(priority) == 1 then tag \"t\" }",
            11,
            9,
        ),
        (
            "W0006",
            "  rule r { when note is present then tag \"t\" }",
            7,
            5,
        ),
        (
            "W0007",
            "  rule r { expect done_at within 2d of opened_at using hours }",
            11,
            34,
        ),
    ];
    for (code, body, line, column) in cases {
        let text = with_schema(body);
        let report = check_source("t.policy", &text);
        assert!(!report.has_errors(), "{code}: {report}");
        let d = report
            .warnings()
            .find(|d| d.code.as_str() == *code && report.line_col(d.span) == (*line, *column))
            .unwrap_or_else(|| panic!("{code} not reported at {line}:{column}:\n{report}"));
        assert!(d.help.is_some(), "{code}: no help");
    }
}

/// §9/§12: `at P%` takes `0 < P ≤ 100`; the message says so for the boundary itself.
#[test]
fn spec_12_at_zero_percent_names_the_allowed_range() {
    let (d, line, column) = only(
        "policy \"p\" {\n  rule r {\n    expect b within 1h of a\n    at 0%: notify \"x\"\n  }\n}\n",
    );
    assert_eq!(d.code.as_str(), "E0302");
    assert_eq!(d.message, "`at 0%` must be above `0%` and at most `100%`");
    assert_eq!((line, column), (4, 8));
}

/// §13 `fmt`: the canonical form means the same (same tree), keeps every comment, even
/// inside a condition spread over lines, and is idempotent.
#[test]
fn spec_13_fmt_keeps_meaning_and_comments() {
    let source = r#"policy "F" {
  record { a: number, b: number, c: bool, items: list<{ from: time, to: time? }>? }
  rule r {
    when (c or c) and not (a in [1]) and -(a * 2) > 50% of (b + 1) // why
      and a - (b - 1) > 0 // and this
      and (a < b) == c
    then tag "\u{1F600}" with { n: 1_000 }
  }
}
"#;
    let once = format(source).unwrap();
    assert_eq!(format(&once).unwrap(), once);
    let before = service_policy::syntax::parse(source).unwrap();
    let after = service_policy::syntax::parse(&once).unwrap();
    assert_eq!(before.items, after.items, "{once}");
    for comment in ["// why", "// and this"] {
        assert_eq!(once.matches(comment).count(), 1, "{once}");
    }
    assert!(once.contains("a - (b - 1)"), "{once}");
    assert!(once.contains("(a < b) == c"), "{once}");
}

/// §3 literal table: a percent is `50%`, the sign glued to the number; a space before it
/// gets a help that says so.
#[test]
fn spec_3_a_detached_percent_sign_gets_help() {
    let (d, line, column) =
        only("policy \"p\" {\n  rule r { when t > 50 % of t then tag \"x\" }\n}\n");
    assert_eq!(d.code.as_str(), "E0001");
    assert_eq!((line, column), (2, 24));
    assert_eq!(
        d.help.as_deref(),
        Some("write the percent sign right after the number, as in `50%`")
    );
}

/// §3: backticks are for field-path segments; a backticked rule name is refused with a
/// message that quotes the backtick readably and says where backticks belong.
#[test]
fn spec_3_backticks_name_fields_not_definitions() {
    let (d, line, column) = only("policy \"p\" {\n  rule `s` { then tag \"q\" }\n}\n");
    assert_eq!(d.code.as_str(), "E0001");
    assert_eq!((line, column), (2, 8));
    assert!(d.message.ends_with("found `` ` ``"), "{}", d.message);
    assert!(
        d.help
            .unwrap()
            .contains("backticks are only for field paths")
    );
}

/// §12 "a help line where one helps": the common slips in rules each get a specific help.
#[test]
fn spec_12_common_slips_get_specific_help() {
    for (rule, column, help) in [
        (
            "rule r { when x > 1 tag \"x\" }",
            23,
            "actions follow `then`: write `then tag …`",
        ),
        (
            "rule r { when x > 1 then notify to \"x\" }",
            35,
            "write `notify \"…\"` without `to`",
        ),
        (
            "rule r { when x => 1 then tag \"x\" }",
            19,
            "did you mean `>=`?",
        ),
        (
            "rule r { when x = 1 then tag \"x\" }",
            19,
            "compare with `==`",
        ),
    ] {
        let text = format!("policy \"p\" {{\n  {rule}\n}}\n");
        let (d, line, col) = only(&text);
        assert_eq!(d.code.as_str(), "E0001", "{rule}");
        assert_eq!((line, col), (2, column), "{rule}");
        assert_eq!(d.help.as_deref(), Some(help), "{rule}");
    }
}

/// §3: backticks make a keyword a field-path segment, but definition names take no
/// backticks, so a keyword there is told to pick another name, not to add backticks.
#[test]
fn spec_3_a_keyword_as_a_definition_name_is_told_to_rename() {
    for (text, column) in [
        ("rule limit { then tag \"x\" }", 8),
        ("const from = 1", 9),
        ("table t(from) { _ => 1 }", 11),
    ] {
        let source = format!("policy \"p\" {{\n  {text}\n}}\n");
        let (d, line, col) = only(&source);
        assert_eq!(d.code.as_str(), "E0001", "{text}");
        assert_eq!((line, col), (2, column), "{text}");
        let help = d.help.unwrap();
        assert!(help.contains("choose another"), "{text}: {help}");
        assert!(!help.contains("backticks"), "{text}: {help}");
    }
    // In an expression a backticked keyword is a field, and the help says so.
    let (d, ..) = only("policy \"p\" {\n  rule r { when missing == \"x\" then tag \"y\" }\n}\n");
    assert!(d.help.unwrap().contains("backticks"));
}

/// §4 "A file holds exactly one `policy \"Name\" { … }`": an unquoted name and text after
/// the closing brace each get a help.
#[test]
fn spec_4_policy_shape_slips_get_help() {
    let (d, line, column) = only("policy Retail {\n  rule r { then tag \"x\" }\n}\n");
    assert_eq!((d.code.as_str(), line, column), ("E0001", 1, 8));
    assert_eq!(
        d.help.as_deref(),
        Some("texts are written in double quotes: `\"Retail\"`")
    );
    let (d, line, column) = only("policy \"p\" {\n  version 1\n}\n");
    assert_eq!((line, column), (2, 11));
    assert_eq!(
        d.help.as_deref(),
        Some("texts are written in double quotes: `\"1\"`")
    );
    let (d, line, column) = only("policy \"p\" {\n  rule r { then tag \"x\" }\n}\n}\n");
    assert_eq!((line, column), (4, 1));
    assert!(d.help.unwrap().contains("an extra `}`"));
}

/// §12 `W0003`: the help fits the cause. After a rule with no guard, the catch-all belongs
/// last; after a rule with the same guard, reordering would only hide the other one.
#[test]
fn spec_12_w0003_help_fits_its_cause() {
    let (d, line, column) = only(
        "policy \"p\" {\n  first of {\n    rule a { when n > 1 then tag \"a\" }\n    rule b { when n > 1 then tag \"b\" }\n  }\n}\n",
    );
    assert_eq!((d.code.as_str(), line, column), ("W0003", 4, 10));
    assert_eq!(
        d.help.as_deref(),
        Some("merge `b` into `a`, or give one of them a different guard")
    );
    let (d, ..) = only(
        "policy \"p\" {\n  first of {\n    rule a { then tag \"a\" }\n    rule b { when n > 1 then tag \"b\" }\n  }\n}\n",
    );
    assert_eq!(
        d.help.as_deref(),
        Some("put `b` before `a`, or give the earlier rule a narrower guard")
    );
}
