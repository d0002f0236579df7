//! Bounded cost on hostile policies and records, through the public API. Every bound here
//! is a count — evaluation steps, entries, bytes — never a time: a rule that would run
//! away is stopped by its step budget and becomes an `error` entry for that rule alone, a
//! policy whose worst case is beyond any budget is refused when it loads (`E0310`), and
//! the compiled evaluator and the reference interpreter stop at the same rules.
#![allow(
    clippy::unwrap_used,
    clippy::expect_used,
    clippy::panic,
    clippy::indexing_slicing,
    reason = "tests and benches stop loudly on the unexpected"
)]

use serde_json::{Value, json};
use service_policy::Budget;
use service_policy::{Decision, EvalOptions, Policy};

const NOW: &str = "2026-03-02T10:00:00Z";

fn options(steps: u64) -> EvalOptions {
    EvalOptions::at(NOW.parse().unwrap()).with_budget(Budget { rule_steps: steps })
}

/// Both evaluators, which must agree byte for byte (the reference interpreter is built
/// only with `internals`).
fn evaluate(policy: &Policy, record: &Value, options: &EvalOptions) -> Decision {
    let compiled = policy.evaluate(record, options);
    #[cfg(feature = "internals")]
    {
        let reference = policy.evaluate_reference(record, options);
        assert_eq!(
            serde_json::to_string(&compiled).unwrap(),
            serde_json::to_string(&reference).unwrap(),
            "the compiled plan and the reference interpreter disagree"
        );
    }
    compiled
}

fn budget_error<'d>(decision: &'d Decision, rule: &str) -> &'d str {
    let entry = decision
        .errors
        .iter()
        .find(|e| e.rule.as_deref() == Some(rule))
        .unwrap_or_else(|| panic!("no error for `{rule}`: {decision:?}"));
    assert!(
        entry.message.contains("evaluation steps"),
        "{}",
        entry.message
    );
    &entry.message
}

/// `any(… for x0 in [1, 2])` nested `depth` times around `x0 == x1`.
fn nested_over_two(depth: usize) -> String {
    let mut body = "x0 == 1".to_owned();
    for level in 0..depth {
        body = format!("any({body} for x{level} in [1, 2])");
    }
    body
}

#[test]
fn nested_comprehensions_over_a_written_list_stop_at_the_budget() {
    // 22 levels over two elements: 2^22 bodies, each doubling with the level.
    let src = format!(
        r#"policy "Nest" {{
  rule runaway {{ when {} then tag "never" }}
  rule plain {{ when priority == "urgent" then tag "fast" }}
}}"#,
        nested_over_two(22)
    );
    let policy = Policy::parse(&src).unwrap();
    let record = json!({ "priority": "urgent" });
    let decision = evaluate(&policy, &record, &options(100_000));
    let message = budget_error(&decision, "runaway");
    assert!(message.contains("100000"), "{message}");
    // The other rule is untouched.
    assert_eq!(decision.fired, ["plain"]);
    assert_eq!(decision.actions.len(), 1);
    assert_eq!(decision.errors.len(), 1);
}

#[test]
fn the_default_budget_stops_deep_nesting_too() {
    let src = format!(
        r#"policy "Nest" {{ rule runaway {{ when {} then tag "never" }} }}"#,
        nested_over_two(24)
    );
    let policy = Policy::parse(&src).unwrap();
    let decision = policy.evaluate(&json!({}), &EvalOptions::at(NOW.parse().unwrap()));
    let message = budget_error(&decision, "runaway");
    assert!(
        message.contains(&service_policy::DEFAULT_RULE_STEPS.to_string()),
        "{message}"
    );
}

#[test]
fn a_self_join_over_a_large_record_stops_at_the_budget() {
    let src = r#"policy "Join" {
  rule duplicates {
    when count(a for a in items where count(b for b in items where b.k == a.k) > 1) > 0
    then tag "duplicates"
  }
  rule many { when len(items) > 10 then tag "many" }
}"#;
    let policy = Policy::parse(src).unwrap();
    let items: Vec<Value> = (0..3_000).map(|i| json!({ "k": i })).collect();
    let record = json!({ "items": items });
    // 3 000 × 3 000 inner steps would be 9 million; the budget is 200 000.
    let decision = evaluate(&policy, &record, &options(200_000));
    budget_error(&decision, "duplicates");
    assert_eq!(decision.fired, ["many"]);
    // A small list of the same shape is within the budget and decided.
    let small: Vec<Value> = (0..50).map(|i| json!({ "k": i % 40 })).collect();
    let decision = evaluate(&policy, &json!({ "items": small }), &options(200_000));
    assert!(decision.errors.is_empty(), "{:?}", decision.errors);
    assert_eq!(decision.fired, ["duplicates", "many"]);
}

#[test]
fn membership_in_a_record_list_is_hashed_inside_a_comprehension() {
    let src = r#"policy "Tags" {
  rule flagged {
    when count(i for i in items where i.tag in blocked) > 0
    then tag "blocked"
  }
}"#;
    let policy = Policy::parse(src).unwrap();
    let n = 20_000;
    let blocked: Vec<Value> = (0..n).map(|i| json!(format!("b{i}"))).collect();
    let items: Vec<Value> = (0..n)
        .map(|i| json!({ "tag": format!("t{i}") }))
        .chain([json!({ "tag": "b7" })])
        .collect();
    let record = json!({ "items": items, "blocked": blocked });
    // A scan would take n × n / 2 = 200 million steps; hashed, each lookup is one step
    // after building the set once (n steps), so a few steps per element suffice.
    let decision = evaluate(&policy, &record, &options(10 * n as u64));
    assert!(decision.errors.is_empty(), "{:?}", decision.errors);
    assert_eq!(decision.fired, ["flagged"]);
    // Numbers compare by value whatever their scale, hashed or not.
    let src = r#"policy "Codes" { rule hit { when code in codes then tag "hit" } }"#;
    let policy = Policy::parse(src).unwrap();
    let codes: Vec<Value> = (0..100)
        .map(|i| json!(format!("{i}.00").parse::<f64>().unwrap()))
        .collect();
    let decision = evaluate(
        &policy,
        &json!({ "code": 42, "codes": codes }),
        &options(1_000),
    );
    assert_eq!(decision.fired, ["hit"]);
}

#[test]
fn business_time_pays_one_step_per_day_walked() {
    let src = r#"policy "Walk" {
  calendar office {
    timezone "UTC"
    mon-fri 09:00-17:00
  }
  rule open_time { when business_time(opened_at, closed_at, office) > 1h then tag "long" }
}"#;
    let policy = Policy::parse(src).unwrap();
    let record = json!({
        "opened_at": "2000-01-01T00:00:00Z",
        "closed_at": "2100-01-01T00:00:00Z"
    });
    // A century is 36 525 days: over a budget of 10 000, within one of 100 000.
    let decision = evaluate(&policy, &record, &options(10_000));
    budget_error(&decision, "open_time");
    let decision = evaluate(&policy, &record, &options(100_000));
    assert_eq!(decision.fired, ["open_time"]);
}

/// A deadline over a calendar pays for its walk as `business_time` does: one step per day
/// from its start to the deadline or the end of the work, whichever is later.
#[test]
fn a_deadline_over_a_calendar_pays_one_step_per_day_walked() {
    let src = r#"policy "Walk" {
  calendar office {
    timezone "UTC"
    mon-fri 09:00-17:00
  }
  rule reply {
    expect replied_at within 2h of opened_at using office
    on breach: tag "late"
  }
  rule plain { when priority == "urgent" then tag "fast" }
}"#;
    let policy = Policy::parse(src).unwrap();
    let record = json!({
        "opened_at": "2000-01-01T00:00:00Z",
        "replied_at": "2100-01-01T00:00:00Z",
        "priority": "urgent"
    });
    // Done a century later: 36 525 days walked, over a budget of 10 000.
    let decision = evaluate(&policy, &record, &options(10_000));
    budget_error(&decision, "reply");
    assert_eq!(decision.fired, ["plain"]);
    let decision = evaluate(&policy, &record, &options(100_000));
    assert!(decision.errors.is_empty(), "{decision:?}");
    assert!(decision.fired.contains(&"reply".to_owned()), "{decision:?}");
}

#[test]
fn a_policy_whose_worst_case_is_beyond_any_budget_is_refused_when_it_loads() {
    let src = r#"policy "Cubic" {
  rule three {
    when any(any(any(x == y for x in items) for y in items) for z in items)
    then tag "x"
  }
}"#;
    let diagnostics = Policy::parse(src).unwrap_err();
    let codes: Vec<&str> = diagnostics
        .items()
        .iter()
        .map(|d| d.code.as_str())
        .collect();
    assert_eq!(codes, ["E0310"]);
    let message = &diagnostics.items()[0].message;
    assert!(message.contains("`three`"), "{message}");
    // Two levels over record lists load: the budget guards them per record.
    let src = r#"policy "Square" {
  rule two { when any(any(x == y for x in items) for y in items) then tag "x" }
}"#;
    assert!(Policy::parse(src).is_ok());
}

#[test]
fn conflicting_sets_give_one_entry_per_field_whatever_the_number_of_rules() {
    let mut src = String::from("policy \"Sets\" {\n");
    for i in 0..2_000 {
        src.push_str(&format!(
            "  rule r{i} {{ then set priority to \"p{i}\" }}\n"
        ));
    }
    src.push_str("  rule same_a { then set queue to \"q\" }\n");
    src.push_str("  rule same_b { then set queue to \"q\" }\n}\n");
    let policy = Policy::parse(&src).unwrap();
    let decision = evaluate(&policy, &json!({}), &options(1_000));
    // One entry for `priority` (2 000 values), none for `queue` (one value).
    assert_eq!(decision.errors.len(), 1, "{:?}", decision.errors);
    let entry = &decision.errors[0];
    assert_eq!(entry.field.as_deref(), Some("priority"));
    assert_eq!(entry.rule.as_deref(), Some("r1"));
    assert!(
        entry.message.ends_with("and to 1992 other values"),
        "{}",
        &entry.message
    );
    assert!(entry.message.len() < 1_000, "{} bytes", entry.message.len());
    // Three values, one entry naming them all with their rules.
    let src = r#"policy "Three" {
  rule a { then set priority to "low" }
  rule b { then set priority to "high" }
  rule c { then set priority to "urgent" }
  rule d { then set priority to "low" }
}"#;
    let policy = Policy::parse(src).unwrap();
    let decision = evaluate(&policy, &json!({}), &options(1_000));
    assert_eq!(decision.errors.len(), 1);
    assert_eq!(
        decision.errors[0].message,
        "conflict: `priority` is set to `\"low\"` by `a`, `d`, to `\"high\"` by `b` and to `\"urgent\"` by `c`"
    );
}

#[test]
fn a_huge_value_is_quoted_short_in_messages_and_traces() {
    // No schema: values are quoted as found. 80 rules read a 256 KiB text.
    let mut src = String::from("policy \"Quote\" {\n");
    for i in 0..40 {
        src.push_str(&format!(
            "  rule late{i} {{ when opened_at < now then tag \"x\" }}\n"
        ));
        src.push_str(&format!(
            "  rule note{i} {{ when note == \"n{i}\" then tag \"y\" }}\n"
        ));
    }
    src.push('}');
    let policy = Policy::parse(&src).unwrap();
    let huge = "9".repeat(1 << 18);
    let record = json!({ "opened_at": huge, "note": huge });
    let mut explained = options(1_000);
    explained.explain = service_policy::Explain::On;
    let decision = evaluate(&policy, &record, &explained);
    assert_eq!(decision.errors.len(), 40);
    for entry in &decision.errors {
        assert!(entry.message.len() < 200, "{}", entry.message);
    }
    // 80 rules × a 256 KiB operand would be 20 MB; each operand is cut to at most 1 KiB.
    let bytes = serde_json::to_string(&decision).unwrap().len();
    assert!(bytes < 80 * 2_048, "{bytes} bytes");
    // A short operand is traced whole.
    let decision = evaluate(
        &policy,
        &json!({ "note": "n3", "opened_at": NOW }),
        &explained,
    );
    let text = serde_json::to_string(&decision.trace).unwrap();
    assert!(text.contains(r#""left":"n3""#), "{text}");
}

#[test]
fn json_records_with_a_key_twice_or_a_vanishing_number_are_refused() {
    let policy =
        Policy::parse(r#"policy "Strict" { rule big { when amount > 0 then tag "refund" } }"#)
            .unwrap();
    let options = options(1_000);
    let twice = policy
        .evaluate_json(r#"{"amount": 1, "amount": 2}"#, &options)
        .unwrap_err();
    assert!(
        twice.to_string().contains("`amount` is given twice"),
        "{twice}"
    );
    let tiny = policy
        .evaluate_json(r#"{"refund": {"amount": 1e-400}, "amount": 1}"#, &options)
        .unwrap_err();
    assert!(
        tiny.to_string().contains("`1e-400` in `refund.amount`"),
        "{tiny}"
    );
    let fine = policy
        .evaluate_json(r#"{"amount": 1e-20}"#, &options)
        .unwrap();
    assert_eq!(fine.fired, ["big"]);
}

#[test]
fn a_huge_table_is_checked_up_to_a_count_of_row_pairs_and_says_where_it_stopped() {
    let mut src = String::from("policy \"Big\" {\n  table code(n) {\n");
    for i in 0..20_000 {
        src.push_str(&format!("    {i} => \"c{i}\"\n"));
    }
    src.push_str("    3 => \"again\"\n    _ => \"other\"\n  }\n  rule r { when code(n) == \"c1\" then tag \"x\" }\n}\n");
    let diagnostics = service_policy::check_source("big.policy", &src);
    let w0004: Vec<&str> = diagnostics
        .items()
        .iter()
        .filter(|d| d.code.as_str() == "W0004")
        .map(|d| d.message.as_str())
        .collect();
    // 1 000 000 pairs are compared: rows 1 to 1 414; the lint stops once and says so.
    assert_eq!(w0004.len(), 1, "{w0004:?}");
    assert!(
        w0004[0].contains("too many rows to check them all"),
        "{}",
        w0004[0]
    );
    // A small table is checked whole.
    let small = r#"policy "Small" {
  table code(n) {
    1 => "a"
    1 => "b"
    _ => "c"
  }
  rule r { when code(n) == "a" then tag "x" }
}"#;
    let diagnostics = service_policy::check_source("small.policy", small);
    let w0004: Vec<&str> = diagnostics
        .items()
        .iter()
        .filter(|d| d.code.as_str() == "W0004")
        .map(|d| d.message.as_str())
        .collect();
    assert_eq!(w0004, ["this row of the table `code` can never match"]);
}

#[test]
fn first_of_reachability_finds_the_earliest_rule_with_the_same_guard_among_thousands() {
    let mut src = String::from("policy \"Many\" {\n  first of {\n");
    for i in 0..5_000 {
        src.push_str(&format!(
            "    rule r{i} {{ when n == {i} then tag \"t\" }}\n"
        ));
    }
    src.push_str("    rule again { when n == 17 then tag \"t\" }\n");
    src.push_str("    rule open { then tag \"t\" }\n");
    src.push_str("    rule later { when n == 5 then tag \"t\" }\n  }\n}\n");
    let diagnostics = service_policy::check_source("many.policy", &src);
    let w0003: Vec<&service_policy::Diagnostic> = diagnostics
        .items()
        .iter()
        .filter(|d| d.code.as_str() == "W0003")
        .collect();
    assert_eq!(w0003.len(), 2, "{diagnostics}");
    assert!(w0003[0].message.contains("`again`"));
    assert!(
        w0003[0]
            .labels
            .iter()
            .any(|l| l.message.contains("same guard"))
    );
    // `later` has the guard of `r5`, which comes first, and follows the unguarded `open`.
    assert!(w0003[1].message.contains("`later`"));
    let text = diagnostics.source().text.clone();
    let label = &w0003[1].labels[0];
    assert_eq!(&text[label.span.start..label.span.end], "r5");
}

#[test]
fn the_regexes_of_a_policy_are_capped_together() {
    // Each pattern is well under the 1 MiB limit of one pattern; together they are not.
    let rules = |n: usize| {
        let mut src = String::from("policy \"Re\" {\n");
        for i in 0..n {
            src.push_str(&format!(
                "  rule r{i} {{ when note matches \"p{i}\\\\w{{10}}\" then tag \"x\" }}\n"
            ));
        }
        src.push('}');
        src
    };
    let one = Policy::parse(&rules(1));
    assert!(one.is_ok(), "{:?}", one.err().map(|d| d.to_string()));
    // About 0.5 MiB each: 40 of them are over 16 MiB.
    let diagnostics = Policy::parse(&rules(40)).unwrap_err();
    let e0305: Vec<&str> = diagnostics
        .items()
        .iter()
        .filter(|d| d.code.as_str() == "E0305")
        .map(|d| d.message.as_str())
        .collect();
    assert!(!e0305.is_empty(), "{diagnostics}");
    assert!(
        e0305[0].contains("regular expressions take more than 16777216 bytes compiled"),
        "{}",
        e0305[0]
    );
}

#[test]
fn fmt_keeps_a_lone_carriage_return_inside_a_comment() {
    let src = "policy \"P\" {\n  // before\rafter\n  rule r { then tag \"x\" }\n}\n";
    let formatted = service_policy::format(src).unwrap();
    assert!(formatted.contains("// before\rafter\n"), "{formatted:?}");
    assert_eq!(service_policy::format(&formatted).unwrap(), formatted);
}

/// Found by the `eval_generated` fuzz target: loading folds `"x" == "x"` into one
/// constant, which the compiled evaluator pays one step for, while the reference
/// interpreter paid for every node of it, so under a tight budget one stopped the rule and
/// the other did not. A constant costs one step in both.
#[test]
fn a_constant_folded_when_loading_costs_one_step_in_both_evaluators() {
    let src = r#"policy "Folded" {
  rule r0 { when any(all("x" == "x" for v1 in tags) for v0 in [5]) then tag "t0" }
  rule r1 { when "x" == "x" then tag "t1" }
}"#;
    let policy = Policy::parse(src).unwrap();
    let tags: Vec<&str> = std::iter::repeat_n("x", 31).collect();
    let record = json!({ "tags": tags });
    // 31 elements, each an element step and a one-step body: about 70 steps.
    let decision = evaluate(&policy, &record, &options(100));
    assert_eq!(decision.fired, ["r0", "r1"]);
    assert!(decision.errors.is_empty(), "{decision:?}");
    // Unfolded, each body would be three steps: 31 × 4 is over 100, so the budget still
    // bites where the work is real.
    let src = src.replace(r#""x" == "x" for"#, r#"v1 == "x" for"#);
    let policy = Policy::parse(&src).unwrap();
    let decision = evaluate(&policy, &record, &options(100));
    budget_error(&decision, "r0");
    assert_eq!(decision.fired, ["r1"]);
}

/// Found by the `eval_generated` fuzz target: a written list of 16 texts or more is a
/// constant the compiled plan hashes, but the reference interpreter scanned it, so the
/// two paid different steps for `channel not in [...]` inside a comprehension.
#[test]
fn a_written_list_is_hashed_in_both_evaluators() {
    let names: Vec<String> = (0..25).map(|i| format!("\"x{i}\"")).collect();
    let src = format!(
        r#"policy "Written" {{
  rule r0 {{ when all(channel not in [{}] for v0 in [0, 9, 9, 9, 9]) then tag "t0" }}
}}"#,
        names.join(", ")
    );
    let policy = Policy::parse(&src).unwrap();
    let record = json!({ "channel": "a" });
    // Hashing: 25 steps once, then a few a test; scanning five times would be 125.
    let decision = evaluate(&policy, &record, &options(100));
    assert_eq!(decision.fired, ["r0"], "{decision:?}");
}

/// Business time over a calendar with thousands of closed dates is exact through the
/// public API, in both evaluators: a century with a closed date every third day has eight
/// open hours for each weekday that is not closed. (The walk's cost, counted in days and
/// look-ups, is the `calendar` unit tests' business: it does not grow with the holidays.)
#[test]
fn business_time_over_thousands_of_closed_dates_is_exact() {
    let first = jiff::civil::date(2000, 1, 1);
    let end = jiff::civil::date(2098, 7, 1);
    let closed: Vec<jiff::civil::Date> = (0..12_000)
        .map(|i| first.checked_add(jiff::Span::new().days(i * 3)).unwrap())
        .collect();
    let mut open_days = 0;
    let mut day = first;
    while day < end {
        if day.weekday().to_monday_zero_offset() < 5 && !closed.contains(&day) {
            open_days += 1;
        }
        day = day.tomorrow().unwrap();
    }
    let list: Vec<String> = closed.iter().map(ToString::to_string).collect();
    let src = format!(
        r#"policy "Dense" {{
  calendar office {{
    timezone "UTC"
    mon-fri 09:00-17:00
    closed {}
  }}
  rule dense {{ when business_time(opened, done, office) == {}h then tag "exact" }}
}}"#,
        list.join(", "),
        open_days * 8
    );
    let policy = Policy::parse(&src).unwrap();
    let record = json!({ "opened": "2000-01-01T00:00:00Z", "done": "2098-07-01T00:00:00Z" });
    let decision = evaluate(&policy, &record, &options(100_000));
    assert_eq!(decision.fired, ["dense"], "{decision:?}");
}
