//! `report` and `diff`: their figures recomputed independently from `batch` output on the
//! same records, the HTML page's charts against the JSON figures (also as a real headless
//! Chromium parsed it), and the library `Report` through its public API.
#![allow(
    clippy::unwrap_used,
    clippy::expect_used,
    clippy::panic,
    clippy::indexing_slicing,
    reason = "tests stop loudly on the unexpected"
)]

use std::collections::BTreeMap;
use std::path::{Path, PathBuf};

use assert_cmd::Command;
use rust_decimal::Decimal;
use serde_json::Value;
use service_policy::Duration;
use service_policy::report::{Report, ReportConfig};
use service_policy::{EvalOptions, Policy};

const NOW: &str = "2026-07-01T00:00:00Z";

fn history() -> PathBuf {
    PathBuf::from(env!("CARGO_MANIFEST_DIR")).join("examples/policies/history")
}

fn bin() -> Command {
    Command::cargo_bin("service-policy").unwrap()
}

fn run_json(args: &[&str]) -> (Value, i32) {
    let out = bin().args(args).output().unwrap();
    let code = out.status.code().unwrap();
    let text = String::from_utf8(out.stdout).unwrap();
    let value = serde_json::from_str(&text).unwrap_or_else(|e| {
        panic!(
            "not JSON ({e}): {text}\n{}",
            String::from_utf8_lossy(&out.stderr)
        )
    });
    (value, code)
}

/// `batch` output lines, by line number.
fn batch(policy: &Path, records: &Path) -> BTreeMap<u64, Value> {
    let out = bin()
        .args([
            "batch",
            policy.to_str().unwrap(),
            records.to_str().unwrap(),
            "--now",
            NOW,
        ])
        .output()
        .unwrap();
    String::from_utf8(out.stdout)
        .unwrap()
        .lines()
        .map(|l| {
            let v: Value = serde_json::from_str(l).unwrap();
            (v["line"].as_u64().unwrap(), v)
        })
        .collect()
}

fn input_lines(records: &Path) -> BTreeMap<u64, Value> {
    std::fs::read_to_string(records)
        .unwrap()
        .lines()
        .enumerate()
        .filter(|(_, l)| !l.trim().is_empty())
        .filter_map(|(i, l)| Some((i as u64 + 1, serde_json::from_str(l).ok()?)))
        .collect()
}

fn secs(literal: &str) -> i64 {
    Duration::parse_literal(literal)
        .unwrap()
        .to_jiff()
        .as_secs()
}

fn ratio(part: u64, whole: u64) -> Option<String> {
    (whole > 0).then(|| {
        let r = (Decimal::from(part) / Decimal::from(whole))
            .round_dp_with_strategy(4, rust_decimal::RoundingStrategy::MidpointNearestEven);
        format!("{r:.4}")
    })
}

fn nearest_rank(values: &mut [i64], p: usize) -> Option<i64> {
    values.sort_unstable();
    if values.is_empty() {
        return None;
    }
    let rank = (p * values.len()).div_ceil(100).max(1);
    Some(values[rank - 1])
}

/// The figures of one rule, recomputed from decisions as `batch` printed them.
#[derive(Debug, Default, PartialEq)]
struct Expected {
    fired: u64,
    met: u64,
    breached: u64,
    pending: u64,
    within: u64,
    exceeded: u64,
    undecided: u64,
    error: u64,
    not_applicable: u64,
    elapsed: Vec<i64>,
    overrun: Vec<i64>,
    excess: BTreeMap<String, Decimal>,
}

fn expected(decisions: &[&Value], rules: &[String]) -> BTreeMap<String, Expected> {
    let mut out: BTreeMap<String, Expected> = rules
        .iter()
        .map(|r| (r.clone(), Expected::default()))
        .collect();
    for d in decisions {
        for rule in rules {
            let e = out.get_mut(rule).unwrap();
            let named = |list: &Value, key: &str| {
                list.as_array()
                    .unwrap()
                    .iter()
                    .any(|x| x[key] == rule.as_str())
            };
            if named(
                &d["fired"].as_array().map_or(Value::Null, |a| {
                    Value::Array(a.iter().map(|n| serde_json::json!({"rule": n})).collect())
                }),
                "rule",
            ) {
                e.fired += 1;
            }
            let check = d["checks"]
                .as_array()
                .unwrap()
                .iter()
                .find(|c| c["rule"] == rule.as_str());
            if let Some(c) = check {
                match c["status"].as_str().unwrap() {
                    "met" => e.met += 1,
                    "breached" => e.breached += 1,
                    "pending" => e.pending += 1,
                    "within" => e.within += 1,
                    "exceeded" => e.exceeded += 1,
                    other => panic!("status {other}"),
                }
                if c["kind"] == "deadline" && c["status"] != "pending" {
                    let elapsed = secs(c["elapsed"].as_str().unwrap());
                    e.elapsed.push(elapsed);
                    if c["status"] == "breached" {
                        e.overrun
                            .push((elapsed - secs(c["target"].as_str().unwrap())).max(0));
                    }
                }
                if c["status"] == "exceeded" {
                    let (amount, code) = c["excess"].as_str().unwrap().split_once(' ').unwrap();
                    *e.excess.entry(code.to_owned()).or_default() +=
                        amount.parse::<Decimal>().unwrap();
                }
            } else if named(&d["undecided"], "rule") {
                e.undecided += 1;
            } else if named(&d["errors"], "rule") {
                e.error += 1;
            } else {
                e.not_applicable += 1;
            }
        }
    }
    out
}

fn compare(group: &Value, decisions: &[&Value], rules: &[String]) {
    assert_eq!(group["records"].as_u64().unwrap(), decisions.len() as u64);
    let want = expected(decisions, rules);
    for r in group["rules"].as_array().unwrap() {
        let name = r["rule"].as_str().unwrap();
        let mut e = want
            .get(name)
            .unwrap_or_else(|| panic!("unknown rule {name}"))
            .clone_counts();
        for (key, value) in [
            ("fired", e.fired),
            ("met", e.met),
            ("breached", e.breached),
            ("pending", e.pending),
            ("within", e.within),
            ("exceeded", e.exceeded),
            ("undecided", e.undecided),
            ("error", e.error),
            ("not_applicable", e.not_applicable),
        ] {
            assert_eq!(
                r[key].as_u64().unwrap(),
                value,
                "{name} {key} in {}",
                group["key"]
            );
        }
        assert_eq!(
            r["attainment"].as_str().map(str::to_owned),
            ratio(e.met, e.met + e.breached),
            "{name}"
        );
        assert_eq!(
            r["exceeded_rate"].as_str().map(str::to_owned),
            ratio(e.exceeded, e.within + e.exceeded),
            "{name}"
        );
        if r["kind"] == "deadline" {
            for p in [50, 90, 99] {
                let got = r["elapsed"][format!("p{p}")].as_str().map(secs);
                assert_eq!(got, nearest_rank(&mut e.elapsed, p), "{name} elapsed p{p}");
            }
            for p in [50, 90] {
                let got = r["overrun"][format!("p{p}")].as_str().map(secs);
                assert_eq!(got, nearest_rank(&mut e.overrun, p), "{name} overrun p{p}");
            }
            let histogram: u64 = r["elapsed_histogram"]
                .as_array()
                .unwrap()
                .iter()
                .map(|b| b["count"].as_u64().unwrap())
                .sum();
            assert_eq!(
                histogram,
                e.met + e.breached,
                "{name}: every decided deadline in one bin"
            );
        }
        let excess: BTreeMap<String, Decimal> = r["excess"]
            .as_object()
            .unwrap()
            .iter()
            .map(|(k, v)| (k.clone(), v.as_str().unwrap().parse().unwrap()))
            .collect();
        assert_eq!(excess, e.excess, "{name} excess");
    }
    // Actions by kind and target (periods count rules only).
    if group["actions"].is_null() {
        return;
    }
    let mut actions: BTreeMap<(String, String), u64> = BTreeMap::new();
    for d in decisions {
        for a in d["actions"].as_array().unwrap() {
            let kind = a["action"].as_str().unwrap().to_owned();
            let target = match kind.as_str() {
                "require_approval" => a["from"].as_str().unwrap().to_owned(),
                "follow_up" => a["within"].as_str().unwrap().to_owned(),
                "tag" => a["tag"].as_str().unwrap().to_owned(),
                "refund" | "compensate" => a["amount"]
                    .as_str()
                    .unwrap()
                    .split(' ')
                    .nth(1)
                    .unwrap()
                    .to_owned(),
                "set" => a["field"].as_str().unwrap().to_owned(),
                "emit" => a["name"].as_str().unwrap().to_owned(),
                _ => a["to"].as_str().unwrap().to_owned(),
            };
            *actions.entry((kind, target)).or_default() += 1;
        }
    }
    let got: BTreeMap<(String, String), u64> = group["actions"]
        .as_array()
        .unwrap()
        .iter()
        .map(|a| {
            (
                (
                    a["action"].as_str().unwrap().to_owned(),
                    a["target"].as_str().unwrap().to_owned(),
                ),
                a["count"].as_u64().unwrap(),
            )
        })
        .collect();
    assert_eq!(got, actions);
}

impl Expected {
    fn clone_counts(&self) -> Expected {
        Expected {
            elapsed: self.elapsed.clone(),
            overrun: self.overrun.clone(),
            excess: self.excess.clone(),
            ..*self
        }
    }
}

impl Clone for Expected {
    fn clone(&self) -> Expected {
        self.clone_counts()
    }
}

#[test]
fn report_figures_equal_those_recomputed_from_batch_output() {
    let policy = history().join("desk.policy");
    let records = history().join("tickets.jsonl");
    let (json, code) = run_json(&[
        "report",
        policy.to_str().unwrap(),
        records.to_str().unwrap(),
        "--now",
        NOW,
        "--by",
        "branch",
        "--by",
        "priority",
        "--period",
        "month",
        "--time-field",
        "opened_at",
        "--format",
        "json",
    ]);
    assert_eq!(code, 0);
    let lines = batch(&policy, &records);
    let inputs = input_lines(&records);
    let decisions: Vec<&Value> = lines.values().map(|l| &l["decision"]).collect();
    assert_eq!(json["decisions"].as_u64().unwrap(), 1000);
    let rules: Vec<String> = json["total"]["rules"]
        .as_array()
        .unwrap()
        .iter()
        .map(|r| r["rule"].as_str().unwrap().to_owned())
        .collect();
    assert_eq!(rules.len(), 6, "every rule of the policy is listed");
    compare(&json["total"], &decisions, &rules);

    // Every group holds exactly the decisions of the records with its field values.
    let groups = json["groups"].as_array().unwrap();
    assert!(groups.len() > 6, "branches × priorities");
    let mut seen = 0;
    for group in groups {
        let (branch, priority) = (&group["key"]["branch"], &group["key"]["priority"]);
        let members: Vec<&Value> = lines
            .iter()
            .filter(|(n, _)| inputs[n]["branch"] == *branch && inputs[n]["priority"] == *priority)
            .map(|(_, l)| &l["decision"])
            .collect();
        seen += members.len();
        compare(group, &members, &rules);
    }
    assert_eq!(seen, 1000);

    // Periods: month of `opened_at` (UTC).
    for period in json["periods"].as_array().unwrap() {
        let month = period["period"].as_str().unwrap();
        let members: Vec<&Value> = lines
            .iter()
            .filter(|(n, _)| inputs[n]["opened_at"].as_str().unwrap().starts_with(month))
            .map(|(_, l)| &l["decision"])
            .collect();
        compare(
            &serde_json::json!({"records": period["records"], "rules": period["rules"], "key": month}),
            &members,
            &rules,
        );
    }
}

#[test]
fn bad_lines_are_counted_and_listed_and_the_rest_still_counts() {
    let dir = tempfile::tempdir().unwrap();
    let records = dir.path().join("records.jsonl");
    let good = r#"{"opened_at":"2026-03-02T09:00:00Z","first_reply_at":"2026-03-02T09:20:00Z"}"#;
    std::fs::write(&records, format!("{good}\nnot json\n\n[1]\n{good}\n")).unwrap();
    let policy = dir.path().join("p.policy");
    std::fs::write(
        &policy,
        "policy \"P\" {\n  rule first_reply {\n    expect first_reply_at within 1h of opened_at\n  }\n}\n",
    )
    .unwrap();
    for jobs in ["1", "2"] {
        let (json, code) = run_json(&[
            "report",
            policy.to_str().unwrap(),
            records.to_str().unwrap(),
            "--now",
            NOW,
            "--format",
            "json",
            "--jobs",
            jobs,
        ]);
        assert_eq!(code, 1, "a bad line fails the run, as in batch");
        assert_eq!(json["records"], 4, "blank lines are not records");
        assert_eq!(json["decisions"], 2);
        assert_eq!(json["bad_lines"]["count"], 2);
        assert_eq!(json["bad_lines"]["lines"], serde_json::json!([2, 4]));
        assert_eq!(json["total"]["rules"][0]["met"], 2);
        assert_eq!(json["total"]["rules"][0]["attainment"], "1.0000");
    }
}

#[test]
fn the_figures_do_not_depend_on_the_number_of_threads() {
    let policy = history().join("desk.policy");
    let records = history().join("tickets.jsonl");
    let args = |jobs: &'static str| {
        vec![
            "report".to_owned(),
            policy.display().to_string(),
            records.display().to_string(),
            "--now".into(),
            NOW.into(),
            "--by".into(),
            "channel".into(),
            "--format".into(),
            "json".into(),
            "--jobs".into(),
            jobs.into(),
        ]
    };
    let one = bin().args(args("1")).output().unwrap().stdout;
    let two = bin().args(args("2")).output().unwrap().stdout;
    assert!(!one.is_empty());
    assert_eq!(one, two);
}

#[test]
fn merged_parts_give_the_figures_of_the_whole() {
    let policy = Policy::from_file(history().join("desk.policy")).unwrap();
    let options = EvalOptions::at(NOW.parse().unwrap());
    let records: Vec<Value> = input_lines(&history().join("tickets.jsonl"))
        .into_values()
        .collect();
    let config = ReportConfig {
        by: vec!["branch".into()],
        period: None,
    };
    let mut whole = Report::for_policy(&policy, config.clone());
    let mut parts = vec![
        Report::for_policy(&policy, config.clone()),
        Report::new(config.clone()),
        Report::new(config),
    ];
    for (i, record) in records.iter().enumerate() {
        let decision = policy.evaluate(record, &options);
        whole.add_record(record, &decision);
        parts[i * 7 % 3].add_record(record, &decision);
    }
    let mut merged = parts.remove(0);
    for part in parts.into_iter().rev() {
        merged.merge(part);
    }
    assert_eq!(
        serde_json::to_value(&merged).unwrap(),
        serde_json::to_value(&whole).unwrap()
    );
}

/// Change labels and counts recomputed from two `batch` runs.
#[test]
fn diff_figures_equal_those_recomputed_from_batch_output() {
    let old = history().join("desk.policy");
    let new = history().join("desk-proposed.policy");
    let records = history().join("tickets.jsonl");
    let (json, code) = run_json(&[
        "diff",
        old.to_str().unwrap(),
        new.to_str().unwrap(),
        records.to_str().unwrap(),
        "--now",
        NOW,
        "--format",
        "json",
        "--examples",
        "3",
    ]);
    assert_eq!(code, 1, "some decisions changed");
    let before = batch(&old, &records);
    let after = batch(&new, &records);
    let action_set = |d: &Value| {
        let mut v: Vec<String> = d["actions"]
            .as_array()
            .unwrap()
            .iter()
            .map(|a| {
                let mut a = a.as_object().unwrap().clone();
                a.remove("rules");
                a.remove("key");
                a.remove("due");
                serde_json::to_string(&a).unwrap()
            })
            .collect();
        v.sort();
        v
    };
    let status = |d: &Value, rule: &str| -> String {
        if let Some(c) = d["checks"]
            .as_array()
            .unwrap()
            .iter()
            .find(|c| c["rule"] == rule)
        {
            return c["status"].as_str().unwrap().to_owned();
        }
        let named = |k: &str| d[k].as_array().unwrap().iter().any(|x| x["rule"] == rule);
        if named("undecided") {
            "undecided".into()
        } else if named("errors") {
            "error".into()
        } else {
            "not applicable".into()
        }
    };
    let mut changed = 0u64;
    let mut transitions: BTreeMap<String, (u64, Vec<u64>)> = BTreeMap::new();
    for (line, b) in &before {
        let (b, a) = (&b["decision"], &after[line]["decision"]);
        let mut rules: Vec<&str> = b["checks"]
            .as_array()
            .unwrap()
            .iter()
            .chain(a["checks"].as_array().unwrap())
            .map(|c| c["rule"].as_str().unwrap())
            .collect();
        rules.sort_unstable();
        rules.dedup();
        let mut any = action_set(b) != action_set(a);
        for rule in rules {
            let (x, y) = (status(b, rule), status(a, rule));
            if x != y {
                any = true;
                let entry = transitions.entry(format!("{rule}: {x} → {y}")).or_default();
                entry.0 += 1;
                if entry.1.len() < 3 {
                    entry.1.push(*line);
                }
            }
        }
        changed += u64::from(any);
    }
    let summary = &json["records"];
    assert_eq!(summary["changed"].as_u64().unwrap(), changed);
    assert_eq!(summary["decisions"].as_u64().unwrap(), before.len() as u64);
    assert!(changed > 0);
    let got: BTreeMap<String, (u64, Vec<u64>)> = summary["changes"]
        .as_array()
        .unwrap()
        .iter()
        .filter(|c| c["change"].as_str().unwrap().contains('→'))
        .map(|c| {
            (
                c["change"].as_str().unwrap().to_owned(),
                (
                    c["records"].as_u64().unwrap(),
                    c["examples"]
                        .as_array()
                        .unwrap()
                        .iter()
                        .map(|n| n.as_u64().unwrap())
                        .collect(),
                ),
            )
        })
        .collect();
    assert_eq!(got, transitions);
    // Attainment before and after, from each side's statuses.
    for a in summary["attainment"].as_array().unwrap() {
        let rule = a["rule"].as_str().unwrap();
        for (side, lines) in [("before", &before), ("after", &after)] {
            let count = |s: &str| {
                lines
                    .values()
                    .filter(|l| status(&l["decision"], rule) == s)
                    .count() as u64
            };
            let (met, breached) = (count("met"), count("breached"));
            assert_eq!(
                a[side].as_str().map(str::to_owned),
                ratio(met, met + breached),
                "{rule} {side}"
            );
        }
    }
    // The structure, in the policy's own words.
    let structure = json["structure"].as_array().unwrap();
    let cap = structure
        .iter()
        .find(|c| c["name"] == "refund_cap")
        .unwrap();
    assert_eq!(cap["change"], "changed");
    assert_eq!(cap["old"], "const refund_cap = 5000 INR");
    assert_eq!(cap["new"], "const refund_cap = 3000 INR");
    let row = structure.iter().find(|c| c["item"] == "row").unwrap();
    assert_eq!(
        (row["change"].as_str(), row["new"].as_str()),
        (Some("added"), Some("_,        \"social\" => 4h"))
    );
    assert_eq!(
        structure.iter().filter(|c| c["item"] == "row").count(),
        1,
        "rows that stayed are not listed"
    );
}

#[test]
fn diff_exits_zero_when_nothing_changed_and_two_on_trouble() {
    let old = history().join("desk.policy");
    let records = history().join("tickets.jsonl");
    let out = bin()
        .args([
            "diff",
            old.to_str().unwrap(),
            old.to_str().unwrap(),
            records.to_str().unwrap(),
            "--now",
            NOW,
        ])
        .output()
        .unwrap();
    assert_eq!(out.status.code(), Some(0));
    assert!(
        String::from_utf8(out.stdout)
            .unwrap()
            .contains("0 of 1000 records changed")
    );
    let out = bin()
        .args(["diff", old.to_str().unwrap(), "/nonexistent.policy"])
        .output()
        .unwrap();
    assert_eq!(out.status.code(), Some(2));
    let out = bin()
        .args([
            "diff",
            old.to_str().unwrap(),
            history().join("desk-proposed.policy").to_str().unwrap(),
        ])
        .output()
        .unwrap();
    assert_eq!(
        out.status.code(),
        Some(1),
        "without records: 1 when the structure changed"
    );
}

fn html_report(dir: &Path) -> (PathBuf, Value) {
    let policy = history().join("desk.policy");
    let records = history().join("tickets.jsonl");
    let html = dir.join("report.html");
    let common = [
        "report",
        policy.to_str().unwrap(),
        records.to_str().unwrap(),
        "--now",
        NOW,
        "--period",
        "month",
        "--time-field",
        "opened_at",
    ];
    bin()
        .args(common)
        .args(["--format", "html", "--output", html.to_str().unwrap()])
        .assert()
        .success();
    let (json, _) = run_json(&[common.as_slice(), &["--format", "json"]].concat());
    (html, json)
}

/// `(attribute value, height)` of every bar carrying `attribute`.
fn bars(html: &str, attribute: &str) -> Vec<(String, f64)> {
    let re = regex::Regex::new(&format!(
        r#"<rect [^>]*{attribute}="([^"]*)"[^>]*height="([0-9.]+)""#
    ))
    .unwrap();
    re.captures_iter(html)
        .map(|c| (c[1].to_owned(), c[2].parse().unwrap()))
        .collect()
}

fn check_charts(html: &str, json: &Value) {
    let rules = json["total"]["rules"].as_array().unwrap();
    let attainment: Vec<(String, f64)> = bars(html, "data-rule");
    let deadlines: Vec<&Value> = rules.iter().filter(|r| r["kind"] == "deadline").collect();
    assert_eq!(attainment.len(), deadlines.len());
    for ((rule, height), r) in attainment.iter().zip(&deadlines) {
        assert_eq!(rule, r["rule"].as_str().unwrap());
        let want: f64 = r["attainment"].as_str().unwrap().parse::<f64>().unwrap() * 200.0;
        assert!(
            (height - want).abs() < 0.01,
            "{rule}: bar {height}, attainment × 200 = {want}"
        );
    }
    // Histograms: the tallest bin is 150 high, the others in proportion to their counts.
    let counts = bars(html, "data-count");
    let bins: Vec<u64> = deadlines
        .iter()
        .flat_map(|r| {
            r["elapsed_histogram"]
                .as_array()
                .unwrap()
                .iter()
                .map(|b| b["count"].as_u64().unwrap())
        })
        .collect();
    assert_eq!(counts.len(), bins.len());
    for (chunk, rule) in counts.chunks(bins.len() / deadlines.len()).zip(&deadlines) {
        let want: Vec<u64> = rule["elapsed_histogram"]
            .as_array()
            .unwrap()
            .iter()
            .map(|b| b["count"].as_u64().unwrap())
            .collect();
        let max = *want.iter().max().unwrap() as f64;
        for ((count, height), w) in chunk.iter().zip(&want) {
            assert_eq!(count.parse::<u64>().unwrap(), *w);
            assert!(
                (height - *w as f64 / max * 150.0).abs() < 0.01,
                "{count}: {height}"
            );
        }
    }
    // One trend point per deadline rule and period that has an attainment.
    let points = html.matches("<circle ").count();
    let expected: usize = json["periods"]
        .as_array()
        .unwrap()
        .iter()
        .map(|p| {
            p["rules"]
                .as_array()
                .unwrap()
                .iter()
                .filter(|r| r["kind"] == "deadline" && !r["attainment"].is_null())
                .count()
        })
        .sum();
    assert_eq!(points, expected);
}

#[test]
fn html_charts_match_the_json_figures_and_need_nothing_from_the_network() {
    let dir = tempfile::tempdir().unwrap();
    let (path, json) = html_report(dir.path());
    let html = std::fs::read_to_string(path).unwrap();
    check_charts(&html, &json);
    for banned in [
        "<script", "<link", "<img", "@import", "url(", "src=", "href=",
    ] {
        assert!(
            !html.contains(banned),
            "the page is self-contained: found {banned}"
        );
    }
    assert!(html.contains("@media print"));
}

fn chromium() -> Option<PathBuf> {
    ["chromium", "chromium-browser"].iter().find_map(|name| {
        let out = std::process::Command::new("which")
            .arg(name)
            .output()
            .ok()?;
        out.status
            .success()
            .then(|| PathBuf::from(String::from_utf8_lossy(&out.stdout).trim()))
    })
}

/// The page rendered by a real browser: Chromium parses it (its DOM keeps every bar with the
/// heights the JSON figures give) and takes a screenshot, kept under `target/` for CI.
#[test]
fn html_report_renders_in_headless_chromium() {
    let Some(chromium) = chromium() else {
        assert!(
            std::env::var_os("CI").is_none(),
            "CI installs chromium (see .ci/run)"
        );
        eprintln!("chromium is not installed: the page was not rendered in a browser");
        return;
    };
    let dir = tempfile::tempdir().unwrap();
    let (path, json) = html_report(dir.path());
    let url = format!("file://{}", path.display());
    let shots = PathBuf::from(env!("CARGO_MANIFEST_DIR")).join("target/report-screenshots");
    std::fs::create_dir_all(&shots).unwrap();
    let browser = |extra: &[String]| {
        let profile = tempfile::tempdir().unwrap();
        std::process::Command::new("timeout")
            .arg("300")
            .arg(&chromium)
            .args([
                "--headless",
                "--no-sandbox",
                "--disable-gpu",
                "--disable-background-networking",
                "--disable-component-update",
                "--no-first-run",
                "--hide-scrollbars",
            ])
            .arg(format!("--user-data-dir={}", profile.path().display()))
            .args(extra)
            .arg(&url)
            .output()
            .unwrap()
    };
    let dom = browser(&["--dump-dom".to_owned()]);
    assert!(
        dom.status.success(),
        "{}",
        String::from_utf8_lossy(&dom.stderr)
    );
    let dom = String::from_utf8(dom.stdout).unwrap();
    assert!(dom.contains("<svg"), "the browser kept the charts");
    check_charts(&dom, &json);
    let png = shots.join("report.png");
    let _ = std::fs::remove_file(&png);
    let shot = browser(&[
        format!("--screenshot={}", png.display()),
        "--window-size=1200,2400".to_owned(),
    ]);
    assert!(
        shot.status.success(),
        "{}",
        String::from_utf8_lossy(&shot.stderr)
    );
    let bytes = std::fs::read(&png).unwrap();
    assert_eq!(&bytes[..8], b"\x89PNG\r\n\x1a\n", "a PNG screenshot");
    assert!(
        bytes.len() > 20_000,
        "the screenshot shows the page, not a blank ({} bytes)",
        bytes.len()
    );
    let pdf = shots.join("report.pdf");
    let _ = std::fs::remove_file(&pdf);
    let print = browser(&[
        format!("--print-to-pdf={}", pdf.display()),
        "--no-pdf-header-footer".to_owned(),
    ]);
    assert!(
        print.status.success(),
        "{}",
        String::from_utf8_lossy(&print.stderr)
    );
    assert!(
        std::fs::read(&pdf).unwrap().starts_with(b"%PDF"),
        "the page prints"
    );
}

/// The cookbook shows what the commands print today.
#[test]
fn the_cookbook_shows_current_output() {
    let cookbook =
        std::fs::read_to_string(PathBuf::from(env!("CARGO_MANIFEST_DIR")).join("docs/cookbook.md"))
            .unwrap();
    let h = history();
    let text =
        |args: &[&str]| String::from_utf8(bin().args(args).output().unwrap().stdout).unwrap();
    let (policy, proposed, records) = (
        h.join("desk.policy"),
        h.join("desk-proposed.policy"),
        h.join("tickets.jsonl"),
    );
    let report = text(&[
        "report",
        policy.to_str().unwrap(),
        records.to_str().unwrap(),
        "--now",
        NOW,
        "--by",
        "priority",
    ]);
    let shown: Vec<&str> = report.lines().take(31).collect();
    let shown = shown.join("\n");
    assert!(
        cookbook.contains(shown.trim_end()),
        "docs/cookbook.md §21 is stale:\n{shown}"
    );
    let diff = text(&[
        "diff",
        policy.to_str().unwrap(),
        proposed.to_str().unwrap(),
        records.to_str().unwrap(),
        "--now",
        NOW,
        "--examples",
        "3",
    ]);
    assert!(
        cookbook.contains(diff.trim_end()),
        "docs/cookbook.md §22 is stale:\n{diff}"
    );
}

/// Policy sets: each record judged by the version in force at `--as-of`; a record no
/// policy applies to is a bad line, never dropped.
#[test]
fn report_and_diff_take_policy_sets_and_as_of() {
    let dir = tempfile::tempdir().unwrap();
    let version = |name: &str, effective: &str, target: &str| {
        std::fs::write(
            dir.path().join(name),
            format!(
                "policy \"Desk\" {{\n  version \"{name}\"\n  effective {effective}\n  rule first_reply {{\n    expect first_reply_at within {target} of opened_at\n  }}\n}}\n"
            ),
        )
        .unwrap();
    };
    version("v1.policy", "2026-01-01", "1h");
    version("v2.policy", "2026-04-01", "2h");
    let records = dir.path().join("r.jsonl");
    std::fs::write(
        &records,
        concat!(
            r#"{"opened_at":"2026-03-02T09:00:00Z","first_reply_at":"2026-03-02T10:30:00Z"}"#,
            "\n",
            r#"{"opened_at":"2026-05-04T09:00:00Z","first_reply_at":"2026-05-04T10:30:00Z"}"#,
            "\n",
            r#"{"opened_at":"2025-12-01T09:00:00Z","first_reply_at":"2025-12-01T09:10:00Z"}"#,
            "\n",
        ),
    )
    .unwrap();
    let (d, r) = (dir.path().to_str().unwrap(), records.to_str().unwrap());
    let (json, code) = run_json(&[
        "report",
        d,
        r,
        "--now",
        NOW,
        "--as-of",
        "opened_at",
        "--format",
        "json",
    ]);
    assert_eq!(code, 1, "one record predates every version");
    assert_eq!(json["bad_lines"]["lines"], serde_json::json!([3]));
    let rule = &json["total"]["rules"][0];
    assert_eq!(
        (rule["met"].as_u64(), rule["breached"].as_u64()),
        (Some(1), Some(1))
    );
    let (json, code) = run_json(&["report", d, r, "--now", NOW, "--format", "json"]);
    assert_eq!(code, 0, "at --now every record is judged by v2");
    assert_eq!(json["total"]["rules"][0]["met"], 3);
    // diff of the set against one policy in force always: the March ticket changes under
    // --as-of; the December one is a bad line (no old version then).
    let other = tempfile::tempdir().unwrap();
    let v2 = other.path().join("new.policy");
    std::fs::write(
        &v2,
        "policy \"Desk\" {\n  rule first_reply {\n    expect first_reply_at within 2h of opened_at\n  }\n}\n",
    )
    .unwrap();
    let (json, code) = run_json(&[
        "diff",
        d,
        v2.to_str().unwrap(),
        r,
        "--now",
        NOW,
        "--as-of",
        "opened_at",
        "--format",
        "json",
    ]);
    assert_eq!(code, 1);
    assert_eq!(json["records"]["changed"], 1);
    assert_eq!(
        json["records"]["changes"][0]["change"],
        "first_reply: breached → met"
    );
    assert_eq!(
        json["records"]["changes"][0]["examples"],
        serde_json::json!([1])
    );
    assert_eq!(
        json["old"].as_array().unwrap().len(),
        2,
        "both versions of the old side"
    );
}
