//! `service-policy eval`: one decision per record, as JSON or as a readable summary.

use std::fmt::Write as _;
use std::io::Read;
use std::path::{Path, PathBuf};

use serde_json::Value;
use service_policy::diagnostic::render::render_human;
use service_policy::testing::parse_record;
use service_policy::{EvalOptions, Explain, LoadError, PolicySet};

use super::{EvalFormat, Outcome, UsageError, exit, out, parse_now, stderr_color};

pub(super) fn run(
    policy_path: &Path,
    records: &[PathBuf],
    now: Option<&str>,
    explain: bool,
    format: EvalFormat,
    as_of: Option<String>,
) -> Outcome {
    let now = parse_now(now)?;
    // Leading `*.policy` files and folders join the set; the records follow them.
    let mut policies = vec![policy_path.to_path_buf()];
    let split = records
        .iter()
        .position(|p| !(p.is_dir() || p.extension().is_some_and(|e| e == "policy")))
        .unwrap_or(records.len());
    let (more, records) = records.split_at(split);
    policies.extend(more.iter().cloned());
    if records.is_empty() {
        return Err(UsageError("no record given after the policies".into()));
    }
    let Some(set) = load_set(&policies)? else {
        return Ok(exit(true));
    };
    let options = EvalOptions {
        explain: if explain { Explain::On } else { Explain::Off },
        as_of_field: as_of,
        ..EvalOptions::at(now)
    };
    let mut failed = false;
    for (index, path) in records.iter().enumerate() {
        let record = match read_record(path)? {
            Ok(record) => record,
            Err(message) => {
                eprintln!("error: {message}");
                failed = true;
                continue;
            }
        };
        let decision = match set.evaluate(&record, &options) {
            Ok(decision) => decision,
            Err(e) => {
                eprintln!("error: `{}`: {e}", path.display());
                failed = true;
                continue;
            }
        };
        let totals = money_totals(&decision);
        let decision = serde_json::to_value(decision)?;
        match format {
            EvalFormat::Json => out(&format!("{}\n", serde_json::to_string_pretty(&decision)?))?,
            EvalFormat::Human => {
                if index > 0 {
                    out("\n")?;
                }
                out(&human(&path.display().to_string(), &decision, &totals))?;
            }
        }
    }
    Ok(exit(failed))
}

/// Loads the policy set of `paths` (files and folders), printing its diagnostics when a
/// policy is invalid (`None`: exit 1).
pub(super) fn load_set(paths: &[PathBuf]) -> Result<Option<PolicySet>, UsageError> {
    for path in paths {
        if !path.exists() {
            return Err(UsageError(format!("`{}` does not exist", path.display())));
        }
    }
    match PolicySet::from_paths(paths) {
        Ok(set) => Ok(Some(set)),
        Err(LoadError::Io { path, source }) => {
            Err(UsageError(format!("cannot read `{path}`: {source}")))
        }
        Err(e) => {
            for diagnostics in e.diagnostics() {
                eprint!("{}", render_human(diagnostics, stderr_color()));
            }
            Ok(None)
        }
    }
}

/// The largest record `eval` reads (64 MiB, as a line of `batch`).
const MAX_RECORD_BYTES: u64 = 64 << 20;

/// Reads one record: the outer error is an I/O problem (exit 2), the inner one a record
/// that is not valid (reported, exit 1).
fn read_record(path: &Path) -> Result<Result<Value, String>, UsageError> {
    let from_stdin = path.as_os_str() == "-";
    let name = if from_stdin {
        "standard input".to_owned()
    } else {
        format!("`{}`", path.display())
    };
    let cannot_read = |e: std::io::Error| UsageError(format!("cannot read {name}: {e}"));
    let reader: Box<dyn Read> = if from_stdin {
        Box::new(std::io::stdin())
    } else {
        Box::new(std::fs::File::open(path).map_err(cannot_read)?)
    };
    // One byte more than the limit tells a record at the limit from one over it, and no
    // more is ever read (`/dev/zero` ends here too).
    let mut bytes = Vec::new();
    reader
        .take(MAX_RECORD_BYTES + 1)
        .read_to_end(&mut bytes)
        .map_err(cannot_read)?;
    if bytes.len() as u64 > MAX_RECORD_BYTES {
        return Ok(Err(format!(
            "{name}: the record is larger than {MAX_RECORD_BYTES} bytes"
        )));
    }
    let text = String::from_utf8(bytes).map_err(|e| {
        UsageError(format!(
            "cannot read {name}: it is not UTF-8 text (byte {})",
            e.utf8_error().valid_up_to() + 1
        ))
    })?;
    let extension = path.extension().and_then(|e| e.to_str()).unwrap_or("");
    let parsed = match extension {
        "json" => parse_record(&text, false),
        "yaml" | "yml" => parse_record(&text, true),
        // Standard input and unknown extensions: JSON first, then YAML (JSON is YAML too,
        // but JSON's error messages are better for JSON).
        _ => parse_record(&text, false)
            .or_else(|json_error| parse_record(&text, true).map_err(|_| json_error)),
    };
    Ok(parsed.map_err(|e| format!("{name}: {e}")))
}

/// A duration of the decision in hours and smaller units (`1d` → `24h`, `1d23h` → `47h`).
/// On a calendar a "day" is 24 *open* hours, which reads as a calendar day; hours read the
/// same on a calendar and off it. Text that is not a duration is shown as it is.
fn in_hours(text: &str) -> String {
    let Ok(duration) = service_policy::Duration::parse_literal(text) else {
        return text.to_owned();
    };
    let secs = duration.whole_secs();
    let magnitude = secs.unsigned_abs();
    let (h, m, s) = (magnitude / 3600, magnitude % 3600 / 60, magnitude % 60);
    let mut out = String::new();
    if secs < 0 {
        out.push('-');
    }
    for (value, unit) in [(h, 'h'), (m, 'm'), (s, 's')] {
        if value > 0 {
            let _ = write!(out, "{value}{unit}");
        }
    }
    if magnitude == 0 {
        out.push_str("0s");
    }
    out
}

/// The lines of the money totals: one per kind and currency, in order of appearance.
fn money_totals(decision: &service_policy::Decision) -> Vec<String> {
    match decision.money_totals() {
        Ok(totals) => totals
            .into_iter()
            .map(|(kind, total)| format!("{kind} {total}"))
            .collect(),
        Err(e) => vec![format!("cannot add up the amounts: {e}")],
    }
}

/// A readable summary of a decision: actions, money totals, deadlines, limits, undecided
/// rules, errors.
fn human(source: &str, d: &Value, totals: &[String]) -> String {
    let mut out = String::new();
    let text = |v: Option<&Value>| match v {
        Some(Value::String(s)) => s.clone(),
        Some(Value::Null) | None => String::new(),
        Some(other) => other.to_string(),
    };
    let list = |key: &str| {
        d.get(key)
            .and_then(Value::as_array)
            .cloned()
            .unwrap_or_default()
    };
    let version = text(d.get("version"));
    let _ = writeln!(
        out,
        "{source}: policy \"{}\"{} at {}",
        text(d.get("policy")),
        if version.is_empty() {
            String::new()
        } else {
            format!(" {version}")
        },
        text(d.get("now"))
    );
    let actions = list("actions");
    if actions.is_empty() {
        let _ = writeln!(out, "  no action required");
    } else {
        let _ = writeln!(out, "  actions:");
        for a in &actions {
            let rules: Vec<String> = a
                .get("rules")
                .and_then(Value::as_array)
                .map(|r| r.iter().map(|v| text(Some(v))).collect())
                .unwrap_or_default();
            let _ = writeln!(out, "    - {}   [{}]", describe_action(a), rules.join(", "));
        }
    }
    if !totals.is_empty() {
        let _ = writeln!(out, "  total: {}", totals.join(", "));
    }
    let checks = list("checks");
    if !checks.is_empty() {
        let _ = writeln!(out, "  checks:");
    }
    for c in &checks {
        let rule = text(c.get("rule"));
        let status = text(c.get("status"));
        let line = if text(c.get("kind")) == "deadline" {
            let mut line = format!(
                "{rule}: {status}, target {}, deadline {}, elapsed {}",
                in_hours(&text(c.get("target"))),
                text(c.get("deadline")),
                in_hours(&text(c.get("elapsed")))
            );
            let remaining = text(c.get("remaining"));
            if !remaining.is_empty() {
                let _ = write!(line, ", {} left", in_hours(&remaining));
            }
            line
        } else {
            let mut line = format!(
                "{rule}: {status}, {} against a limit of {}",
                text(c.get("value")),
                text(c.get("limit"))
            );
            let excess = text(c.get("excess"));
            if !excess.is_empty() {
                let _ = write!(line, ", {excess} over");
            }
            line
        };
        let _ = writeln!(out, "    - {line}");
    }
    let fired: Vec<String> = list("fired").iter().map(|v| text(Some(v))).collect();
    if !fired.is_empty() {
        let _ = writeln!(out, "  fired: {}", fired.join(", "));
    }
    for u in list("undecided") {
        let missing: Vec<String> = u
            .get("missing")
            .and_then(Value::as_array)
            .map(|m| m.iter().map(|v| text(Some(v))).collect())
            .unwrap_or_default();
        let _ = writeln!(
            out,
            "  undecided: {} (missing {})",
            text(u.get("rule")),
            missing.join(", ")
        );
    }
    for e in list("errors") {
        let mut place = text(e.get("rule"));
        let field = text(e.get("field"));
        if !field.is_empty() {
            if !place.is_empty() {
                place.push_str(", ");
            }
            place.push_str(&format!("field {field}"));
        }
        if place.is_empty() {
            place.push_str("record");
        }
        let _ = writeln!(out, "  error in {place}: {}", text(e.get("message")));
    }
    let recheck = text(d.get("recheck_at"));
    if !recheck.is_empty() {
        let _ = writeln!(out, "  look again at {recheck}");
    }
    if let Some(trace) = d.get("trace").and_then(Value::as_array) {
        let _ = writeln!(out, "  why:");
        for rule in trace {
            let _ = writeln!(out, "    {}", explain_rule(rule));
        }
    }
    out
}

fn describe_action(a: &Value) -> String {
    let field = |k: &str| match a.get(k) {
        Some(Value::String(s)) => s.clone(),
        Some(other) => other.to_string(),
        None => String::new(),
    };
    let mut text = match field("action").as_str() {
        "escalate" => format!("escalate to {}", field("to")),
        "notify" => format!("notify {}", field("to")),
        "assign" => format!("assign to {}", field("to")),
        "require_approval" => format!("require approval from {}", field("from")),
        "follow_up" => format!(
            "follow up within {} (due {})",
            in_hours(&field("within")),
            field("due")
        ),
        "refund" => format!("refund {}", field("amount")),
        "compensate" => format!("compensate {}", field("amount")),
        "tag" => format!("tag {}", field("tag")),
        "set" => format!("set {} to {}", field("field"), field("value")),
        "emit" => format!("emit {}", field("name")),
        other => other.to_owned(),
    };
    if let Some(args) = a.get("args") {
        let _ = write!(text, " with {args}");
    }
    text
}

/// One rule of a trace as a line: `name: not applied — csat <= 2 is false (csat = 4); …`.
fn explain_rule(rule: &Value) -> String {
    let text = |v: Option<&Value>| match v {
        Some(Value::String(s)) => s.clone(),
        Some(Value::Null) | None => String::new(),
        Some(other) => other.to_string(),
    };
    let names = |key: &str| -> Vec<String> {
        rule.get(key)
            .and_then(Value::as_array)
            .map(|m| m.iter().map(|v| text(Some(v))).collect())
            .unwrap_or_default()
    };
    let status = text(rule.get("status")).replace('_', " ");
    let mut reasons: Vec<String> = rule
        .get("comparisons")
        .and_then(Value::as_array)
        .map(|tests| tests.iter().map(explain_test).collect())
        .unwrap_or_default();
    let missing = names("missing");
    if !missing.is_empty() {
        reasons.push(format!("missing {}", missing.join(", ")));
    }
    let absent = names("absent");
    if !absent.is_empty() {
        reasons.push(format!("absent {}", absent.join(", ")));
    }
    let name = text(rule.get("rule"));
    if reasons.is_empty() {
        format!("{name}: {status}")
    } else {
        format!("{name}: {status} — {}", reasons.join("; "))
    }
}

/// One test of a trace: `csat <= 2 is false (csat = 4)`.
fn explain_test(test: &Value) -> String {
    let null = Value::Null;
    let expr = test.get("expr").and_then(Value::as_str).unwrap_or_default();
    let left = test.get("left").unwrap_or(&null);
    let right = test.get("right").unwrap_or(&null);
    let result = match test.get("result") {
        Some(Value::Bool(true)) => "true",
        Some(Value::Bool(false)) => "false",
        _ => "undecided",
    };
    let shown = |v: &Value| {
        if v.is_null() {
            "missing".to_owned()
        } else {
            v.to_string()
        }
    };
    // The left operand is named by its text when that text is a plain path or call
    // (`csat`, `customer.tier`), found before the test's operator.
    let operators = [
        " == ",
        " != ",
        " <= ",
        " >= ",
        " < ",
        " > ",
        " not in ",
        " in ",
        " contains ",
        " matches ",
        " is ",
        " during ",
    ];
    let name = operators
        .iter()
        .filter_map(|op| expr.find(op))
        .min()
        .and_then(|at| expr.get(..at))
        .filter(|prefix| {
            !prefix.is_empty()
                && prefix
                    .chars()
                    .all(|c| c.is_alphanumeric() || matches!(c, '_' | '.' | '`'))
        });
    let operands = match name {
        Some(name) => format!("{name} = {}", shown(left)),
        None => format!("left {}", shown(left)),
    };
    // A right operand that is not already written in the expression is shown too.
    let right_text = right.to_string();
    if right.is_null() || expr.contains(&right_text) {
        format!("{expr} is {result} ({operands})")
    } else {
        format!("{expr} is {result} ({operands}, right {})", shown(right))
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use serde_json::json;

    #[test]
    fn human_summary_names_actions_deadlines_and_missing_fields() {
        let decision = json!({
            "policy": "Retail", "version": "2026.1", "now": "2026-03-02T10:00:00Z",
            "actions": [{"action": "escalate", "to": "supervisor", "rules": ["first_reply"], "key": "ab"}],
            "checks": [{"rule": "resolution", "kind": "deadline", "status": "pending", "target": "2d",
                        "deadline": "2026-03-04T09:00:00Z", "elapsed": "1h", "remaining": "1d23h"}],
            "fired": ["first_reply", "resolution"],
            "undecided": [{"rule": "unhappy_customer", "missing": ["csat"]}],
            "errors": [], "recheck_at": "2026-03-04T09:00:00Z"
        });
        let text = human("t.json", &decision, &["refund 12.50 USD".to_owned()]);
        assert!(
            text.contains("escalate to supervisor   [first_reply]"),
            "{text}"
        );
        assert!(text.contains("resolution: pending, target 48h"), "{text}");
        assert!(text.contains("  total: refund 12.50 USD\n"), "{text}");
        assert!(text.contains("elapsed 1h, 47h left"), "{text}");
        assert!(
            text.contains("undecided: unhappy_customer (missing csat)"),
            "{text}"
        );
        assert!(
            text.contains("look again at 2026-03-04T09:00:00Z"),
            "{text}"
        );
    }
}
