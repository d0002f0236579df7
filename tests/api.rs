//! The library as a host sees it: every item of the public surface used the way the README
//! and `docs/embedding.md` use it — load, evaluate, read a decision's typed parts, sets,
//! the test runner, the formatter, checking, reports, editor answers and diagnostics —
//! and nothing else. Also: what the crate root makes public, and that the binary stays on
//! that surface.
#![allow(
    clippy::unwrap_used,
    clippy::expect_used,
    clippy::panic,
    clippy::indexing_slicing,
    reason = "tests may unwrap and index"
)]

use std::path::Path;
use std::sync::Arc;

use service_policy::{
    ActionKind, Budget, Check, Code, Currency, DeadlineCheck, DeadlineStatus, Decimal, Decision,
    Duration, EvalOptions, Evaluation, Explain, LimitCheck, LimitStatus, LimitValue, LoadError,
    Money, Policy, PolicySet, RuleStatus, Severity, Timestamp, check_source, format,
};

const HELP_DESK: &str = r#"policy "Help desk" {
  version "2026.1"
  record {
    opened_at: time
    first_reply_at: time?
    refund_amount: money?
    waited: duration?
    items: number?
  }

  rule first_reply "Every ticket gets a first reply within 4 hours" {
    expect first_reply_at within 4h of opened_at
    on breach: escalate to "manager"
  }

  rule big_refund {
    limit refund_amount <= 200 GBP
    on exceed: require approval from "manager"
  }

  rule long_wait {
    limit waited <= 30m
  }

  rule bulk {
    when items > 0
    limit items <= 10.5
  }
}"#;

fn now() -> Timestamp {
    "2026-03-03T10:00:00Z".parse().unwrap()
}

fn ticket() -> serde_json::Value {
    serde_json::json!({
        "opened_at": "2026-03-03T05:00:00Z",
        "refund_amount": "350 GBP",
        "waited": "45m",
        "items": 12
    })
}

/// The checks by rule name.
fn check<'d>(decision: &'d Decision, rule: &str) -> &'d Check {
    decision
        .checks
        .iter()
        .find(|c| c.rule() == rule)
        .unwrap_or_else(|| panic!("no check of `{rule}` in {decision:?}"))
}

#[test]
fn a_decision_is_typed_from_top_to_bottom() {
    let policy = Arc::new(Policy::parse(HELP_DESK).unwrap());
    let decision = policy.evaluate(&ticket(), &EvalOptions::at(now()));

    assert_eq!(decision.policy, "Help desk");
    assert_eq!(decision.version.as_deref(), Some("2026.1"));
    assert_eq!(decision.now, now());

    // Deadlines: times and durations.
    let Check::Deadline(DeadlineCheck {
        status,
        target,
        deadline,
        elapsed,
        remaining,
        ..
    }) = check(&decision, "first_reply")
    else {
        panic!("first_reply is a deadline");
    };
    assert_eq!(*status, DeadlineStatus::Breached);
    assert_eq!(*target, Duration::from_secs(4 * 3600).unwrap());
    assert_eq!(
        *deadline,
        "2026-03-03T09:00:00Z".parse::<Timestamp>().unwrap()
    );
    assert_eq!(*elapsed, Duration::parse_literal("5h").unwrap());
    assert_eq!(*remaining, None);

    // Limits: money, durations and numbers, each as its own type.
    let Check::Limit(LimitCheck {
        status,
        value,
        limit,
        excess,
        ..
    }) = check(&decision, "big_refund")
    else {
        panic!("big_refund is a limit");
    };
    let gbp = Currency::from_code("GBP");
    assert_eq!(*status, LimitStatus::Exceeded);
    assert_eq!(
        *value,
        LimitValue::Money(Money {
            amount: Decimal::from(350),
            currency: gbp
        })
    );
    assert_eq!(*limit, LimitValue::Money(Money::parse("200 GBP").unwrap()));
    let Some(LimitValue::Money(over)) = excess else {
        panic!("a money limit exceeds by money: {excess:?}");
    };
    assert_eq!(over.amount, Decimal::from(150));
    assert_eq!(over.currency, gbp);
    assert_eq!(over.to_string(), "150 GBP");

    let Check::Limit(wait) = check(&decision, "long_wait") else {
        panic!("long_wait is a limit");
    };
    assert_eq!(
        wait.excess,
        Some(LimitValue::Duration(
            Duration::parse_literal("15m").unwrap()
        ))
    );

    let Check::Limit(bulk) = check(&decision, "bulk") else {
        panic!("bulk is a limit");
    };
    assert_eq!(bulk.value, LimitValue::Number(Decimal::from(12)));
    assert_eq!(bulk.limit, LimitValue::Number(Decimal::new(105, 1)));
    assert_eq!(bulk.excess, Some(LimitValue::Number(Decimal::new(15, 1))));

    // Actions: typed kinds, a stable key each.
    let kinds: Vec<&ActionKind> = decision.actions.iter().map(|a| &a.kind).collect();
    assert_eq!(
        kinds,
        [
            &ActionKind::Escalate {
                to: "manager".into()
            },
            &ActionKind::RequireApproval {
                from: "manager".into()
            },
        ]
    );
    assert!(decision.actions.iter().all(|a| a.key.len() == 16));
    assert_eq!(decision.recheck_at, None);
}

#[test]
fn typed_limits_print_the_same_json_as_before() {
    let policy = Policy::parse(HELP_DESK).unwrap();
    let decision = policy.evaluate(&ticket(), &EvalOptions::at(now()));
    let json = serde_json::to_value(&decision).unwrap();
    let limits: Vec<_> = json["checks"]
        .as_array()
        .unwrap()
        .iter()
        .filter(|c| c["kind"] == "limit")
        .collect();
    assert_eq!(
        serde_json::Value::Array(limits.into_iter().cloned().collect()),
        serde_json::json!([
            {"rule": "big_refund", "kind": "limit", "status": "exceeded",
             "value": "350 GBP", "limit": "200 GBP", "excess": "150 GBP"},
            {"rule": "long_wait", "kind": "limit", "status": "exceeded",
             "value": "45m", "limit": "30m", "excess": "15m"},
            {"rule": "bulk", "kind": "limit", "status": "exceeded",
             "value": 12, "limit": "10.5", "excess": "1.5"}
        ])
    );

    // A limit that holds has no excess: `null` in JSON.
    let within = policy.evaluate(
        &serde_json::json!({"opened_at": "2026-03-03T09:00:00Z", "refund_amount": "20 GBP"}),
        &EvalOptions::at(now()),
    );
    let Check::Limit(cap) = check(&within, "big_refund") else {
        panic!("big_refund is a limit");
    };
    assert_eq!(cap.status, LimitStatus::Within);
    assert_eq!(cap.excess, None);
    let json = serde_json::to_value(&within).unwrap();
    assert_eq!(json["checks"][1]["excess"], serde_json::Value::Null);

    // And the decision reads back from its JSON, typed values included.
    let text = serde_json::to_string(&decision).unwrap();
    let back: Decision = serde_json::from_str(&text).unwrap();
    assert_eq!(back.checks, decision.checks);
    assert_eq!(serde_json::to_string(&back).unwrap(), text);
}

#[test]
fn options_explain_and_budget_are_public_fields() {
    let policy = Policy::parse(HELP_DESK).unwrap();
    let options = EvalOptions {
        explain: Explain::On,
        ..EvalOptions::at(now())
    }
    .with_budget(Budget {
        rule_steps: service_policy::DEFAULT_RULE_STEPS,
    });
    let decision = policy.evaluate(&ticket(), &options);
    let trace = decision.trace.expect("explain on gives a trace");
    assert_eq!(trace.len(), 4);
    assert!(trace.iter().all(|t| t.status == RuleStatus::Applied));

    // A budget of one step is too small for any rule that compares anything.
    let starved = policy.evaluate(
        &ticket(),
        &EvalOptions::at(now()).with_budget(Budget { rule_steps: 1 }),
    );
    assert!(!starved.errors.is_empty());
}

#[test]
fn a_policy_lists_its_rules_with_descriptions_and_guards() {
    let policy = Policy::parse(HELP_DESK).unwrap();
    let rules: Vec<_> = policy.rules().collect();
    let names: Vec<&str> = rules.iter().map(|r| r.name).collect();
    assert_eq!(names, ["first_reply", "big_refund", "long_wait", "bulk"]);
    assert_eq!(
        rules[0].description,
        Some("Every ticket gets a first reply within 4 hours")
    );
    assert_eq!(rules[1].description, None);
    assert_eq!(rules[3].when.as_deref(), Some("items > 0"));
    assert_eq!(rules[3].unless, None);
    assert_eq!(policy.rule_names().collect::<Vec<_>>(), names);
}

#[test]
fn the_root_names_the_same_decimal_and_timestamp_as_their_crates() {
    // A host can hold these without depending on rust_decimal or jiff itself, and one
    // that does gets the very same types.
    let amount: rust_decimal::Decimal = Decimal::new(1250, 2);
    let at: jiff::Timestamp = Timestamp::UNIX_EPOCH;
    let money = Money {
        amount,
        currency: Currency::from_code("EUR"),
    };
    assert_eq!(money.to_string(), "12.50 EUR");
    assert_eq!(at.as_second(), 0);
}

#[test]
fn load_errors_and_diagnostics_are_data() {
    let broken = "policy \"p\" {\n  record { priority: text }\n  rule r { when priorty == \"high\" then tag \"x\" }\n}";
    let diagnostics = Policy::parse(broken).unwrap_err();
    assert!(diagnostics.has_errors());
    let first = &diagnostics.items()[0];
    assert_eq!(first.severity(), Severity::Error);
    let (line, column) = diagnostics.line_col(first.span);
    assert_eq!(first.code, Code::E0103);
    assert_eq!((line, column), (3, 17));
    assert!(diagnostics.to_string().contains(first.code.as_str()));
    assert_eq!(diagnostics.to_json().len(), diagnostics.items().len());

    let checked = check_source("p.policy", broken);
    assert_eq!(checked.items().len(), diagnostics.items().len());

    match Policy::from_file("/no/such/dir/x.policy") {
        Err(LoadError::Io { path, .. }) => assert_eq!(path, "/no/such/dir/x.policy"),
        other => panic!("expected an I/O error, got {other:?}"),
    }
}

#[cfg(any(feature = "cli", feature = "render"))]
#[test]
fn diagnostics_render_with_snippets() {
    let diagnostics = check_source("p.policy", "policy \"p\" {\n  rule r { then tag }\n}");
    let text = service_policy::diagnostic::render::render_human(&diagnostics, false);
    assert!(text.contains("p.policy:2:"), "{text}");
    assert!(text.contains("rule r { then tag }"), "{text}");
}

#[test]
fn the_formatter_prints_canonical_text() {
    let messy = "policy \"p\" {rule r {then tag \"x\"}}";
    let formatted = format(messy).unwrap();
    assert_eq!(
        formatted,
        "policy \"p\" {\n  rule r {\n    then tag \"x\"\n  }\n}\n"
    );
    assert_eq!(format(&formatted).unwrap(), formatted);
    assert!(format("policy {").is_err());
}

#[test]
fn a_decision_evaluated_into_a_buffer_borrows_and_prints_alike() {
    let policy = Policy::parse(HELP_DESK).unwrap();
    let mut buffer = Evaluation::new();
    for explain in [Explain::Off, Explain::On] {
        let options = EvalOptions {
            explain,
            ..EvalOptions::at(now())
        };
        let owned = policy.evaluate(&ticket(), &options);
        let decision = policy.evaluate_into(&ticket(), &options, &mut buffer);
        assert_eq!(decision.policy(), "Help desk");
        assert_eq!(decision.version(), Some("2026.1"));
        assert_eq!(decision.now(), now());
        assert_eq!(decision.fired().collect::<Vec<_>>(), owned.fired);
        assert_eq!(decision.checks(), owned.checks.as_slice());
        assert_eq!(decision.errors(), owned.errors.as_slice());
        assert_eq!(decision.undecided(), owned.undecided.as_slice());
        assert_eq!(decision.recheck_at(), owned.recheck_at);
        assert_eq!(decision.trace().is_some(), explain == Explain::On);
        let actions: Vec<_> = decision.actions().collect();
        assert_eq!(actions.len(), owned.actions.len());
        for (borrowed, action) in actions.iter().zip(&owned.actions) {
            assert_eq!(borrowed.kind, &action.kind);
            assert_eq!(borrowed.key, action.key);
            assert_eq!(borrowed.rules().collect::<Vec<_>>(), action.rules);
        }
        assert!(matches!(
            actions.first().map(|a| a.kind),
            Some(ActionKind::Escalate { .. })
        ));
        assert_eq!(
            serde_json::to_string(&decision).unwrap(),
            serde_json::to_string(&owned).unwrap()
        );
        assert_eq!(decision.to_decision(), owned);
    }
    // A set evaluates into a buffer too.
    let set = PolicySet::from_policies(vec![policy]).unwrap();
    let decision = set
        .evaluate_into(&ticket(), &EvalOptions::at(now()), &mut buffer)
        .unwrap();
    assert_eq!(decision.policy(), "Help desk");
}

#[test]
fn a_set_picks_the_version_in_force() {
    let old =
        Policy::parse("policy \"Desk\" {\n  version \"2025\"\n  rule r { then tag \"old\" }\n}")
            .unwrap();
    let new = Policy::parse(
        "policy \"Desk\" {\n  version \"2026\"\n  effective 2026-01-01\n  rule r { then tag \"new\" }\n}",
    )
    .unwrap();
    let set = PolicySet::from_policies(vec![old, new]).unwrap();
    let record = serde_json::json!({});
    let in_2025 = set
        .evaluate(
            &record,
            &EvalOptions::at("2025-06-01T00:00:00Z".parse().unwrap()),
        )
        .unwrap();
    assert_eq!(in_2025.version.as_deref(), Some("2025"));
    let in_2026 = set.evaluate(&record, &EvalOptions::at(now())).unwrap();
    assert_eq!(in_2026.version.as_deref(), Some("2026"));
    assert_eq!(set.policies().count(), 2);
}

#[test]
fn the_test_runner_runs_a_bundled_test_file() {
    let path = Path::new(env!("CARGO_MANIFEST_DIR")).join("examples/policies/refunds.tests.yaml");
    let result = service_policy::testing::run_file(&path);
    assert_eq!(result.error, None);
    assert!(!result.cases.is_empty());
    assert!(result.passed(), "{result:?}");
}

#[test]
fn a_report_counts_decisions() {
    let policy = Policy::parse(HELP_DESK).unwrap();
    let mut report = service_policy::Report::for_policy(&policy, Default::default());
    for refund in ["350 GBP", "20 GBP", "230.50 GBP"] {
        let record =
            serde_json::json!({"opened_at": "2026-03-03T09:30:00Z", "refund_amount": refund});
        report.add_record(&record, &policy.evaluate(&record, &EvalOptions::at(now())));
    }
    let summary = report.summary();
    assert_eq!(summary.decisions, 3);
    let cap = summary
        .total
        .rules
        .iter()
        .find(|r| r.rule == "big_refund")
        .unwrap();
    assert_eq!((cap.within, cap.exceeded), (1, 2));
    // 150 + 30.50: exact decimals per currency.
    assert_eq!(cap.excess.get("GBP").map(String::as_str), Some("180.5"));
    let markdown = service_policy::report::render::report_markdown(&summary);
    assert!(markdown.contains("big_refund"), "{markdown}");
}

#[test]
fn editors_get_answers_from_the_ide_facade() {
    let text = "policy \"p\" {\n  record { priority: text }\n  rule r { when priorty == \"x\" then tag \"y\" }\n}";
    let analysis = service_policy::ide::Analysis::new(text);
    let problems = analysis.diagnostics();
    assert!(problems.iter().any(|p| p.code == Code::E0103.as_str()));
    assert!(analysis.format().is_some());
}

#[cfg(feature = "handbook")]
#[test]
fn the_handbook_writes_a_policy_for_staff() {
    use service_policy::handbook::{Format, Language, render};
    let policy = Policy::parse(HELP_DESK).unwrap();
    let book = render(&policy, Language::En, Format::Markdown);
    assert!(book.text.contains("Help desk"), "{}", book.text);
    assert!(book.fallbacks.is_empty());
}

/// The modules of the crate root that a host sees: every other one is declared only
/// behind the `internals` feature.
#[test]
fn only_the_host_modules_are_public() {
    let lib =
        std::fs::read_to_string(Path::new(env!("CARGO_MANIFEST_DIR")).join("src/lib.rs")).unwrap();
    let lines: Vec<&str> = lib.lines().collect();
    let mut public = Vec::new();
    for (i, line) in lines.iter().enumerate() {
        let Some(name) = line
            .strip_prefix("pub mod ")
            .and_then(|rest| rest.strip_suffix(';'))
        else {
            continue;
        };
        let attributes: Vec<&str> = lines[..i]
            .iter()
            .rev()
            .take_while(|l| l.starts_with("#["))
            .copied()
            .collect();
        if !attributes.contains(&"#[cfg(feature = \"internals\")]") {
            public.push(name);
        }
    }
    public.sort_unstable();
    assert_eq!(
        public,
        ["diagnostic", "handbook", "ide", "report", "testing"]
    );
}

/// The command line is a host like any other: it names nothing of the internal stages.
#[test]
fn the_binary_uses_only_the_public_surface() {
    const INTERNAL: [&str; 9] = [
        "ast", "calendar", "check", "compile", "eval", "fmt", "resolve", "syntax", "value",
    ];
    let root = Path::new(env!("CARGO_MANIFEST_DIR"));
    let mut files = vec![root.join("src/main.rs")];
    let mut dirs = vec![root.join("src/cli")];
    while let Some(dir) = dirs.pop() {
        for entry in std::fs::read_dir(dir).unwrap() {
            let path = entry.unwrap().path();
            if path.is_dir() {
                dirs.push(path);
            } else if path.extension().is_some_and(|e| e == "rs") {
                files.push(path);
            }
        }
    }
    assert!(files.len() > 5);
    let mut found = Vec::new();
    for file in &files {
        let text = std::fs::read_to_string(file).unwrap();
        for module in INTERNAL {
            let path = format!("service_policy::{module}::");
            let group = format!("service_policy::{{{module}");
            if text.contains(&path) || text.contains(&group) {
                found.push(format!("{}: {module}", file.display()));
            }
        }
    }
    assert!(
        found.is_empty(),
        "internal modules used by the binary: {found:?}"
    );
}

#[test]
fn a_borrowed_decision_writes_the_json_it_serialises_to() {
    let awkward = Policy::parse(
        r#"policy "Desk \"Ünï\" \\ 1" {
  version "2026.1 \"b\""
  ladder "agent", "lead"
  record { priority: "low" | "high", amount: number?, opened_at: time? }
  rule tag_it "Tags" {
    when priority == "high"
    then tag "say \"hi\" ✓"
    notify "team" with { why: "high", level: 2, nested: ["a\"b", "x"] }
    escalate to "agent"
  }
  rule pay {
    when amount > 10
    then refund 12.50 USD
    compensate 5 EUR
    set priority to "low"
    follow up within 2h
    escalate to "lead"
  }
  rule other_set {
    when amount > 20
    then set priority to "high"
  }
  rule reply {
    expect opened_at within 1h of opened_at
  }
}"#,
    )
    .unwrap();
    let mut buffer = Evaluation::new();
    for (policy, record) in [
        (
            &awkward,
            serde_json::json!({"priority": "high", "amount": 30, "opened_at": "2026-03-03T09:30:00Z"}),
        ),
        (&awkward, serde_json::json!({"priority": "low"})),
        (
            &awkward,
            serde_json::json!({"priority": "middle", "amount": "x"}),
        ),
        (&awkward, serde_json::json!([1])),
    ] {
        for explain in [Explain::Off, Explain::On] {
            let options = EvalOptions {
                explain,
                ..EvalOptions::at(now())
            };
            let decision = policy.evaluate_into(&record, &options, &mut buffer);
            let mut written = String::new();
            decision.write_json(&mut written).unwrap();
            assert_eq!(
                written,
                serde_json::to_string(&decision).unwrap(),
                "{record}"
            );
            assert_eq!(
                written,
                serde_json::to_string(&policy.evaluate(&record, &options)).unwrap()
            );
        }
    }
    let help_desk = Policy::parse(HELP_DESK).unwrap();
    let decision = help_desk.evaluate_into(&ticket(), &EvalOptions::at(now()), &mut buffer);
    let mut written = String::new();
    decision.write_json(&mut written).unwrap();
    assert_eq!(written, serde_json::to_string(&decision).unwrap());
    assert!(written.contains("\"checks\":[{"));
}
