//! Policy tests: `*.tests.yaml` files of records and the decisions they must give (SPEC §14).
//!
//! A test file names a policy (relative to the file), a default `now`, and cases. Each case
//! gives a record (inline or from a file) and expectations on the decision. Expectations
//! match on the keys they give, and compare money, durations, times and numbers by value,
//! so `"7000 INR"` equals `"7000.00 INR"` and `"90m"` equals `"1h30m"`.
//!
//! Reading files happens here, never in evaluation. Every problem with a test file (bad
//! YAML, a missing record file, an invalid policy) is reported as a failed case or a file
//! error: nothing is skipped silently.

use std::collections::BTreeSet;
use std::fmt::Write as _;
use std::path::{Path, PathBuf};

use serde::{Deserialize, Serialize};
use serde_json::{Map, Value};

use crate::ast::{ActionKind, ExprKind, Item, Literal, RuleDef};
use crate::eval::{EvalOptions, Explain};
use crate::policy::Policy;
use crate::set::PolicySet;
use crate::value::{Duration, Money, parse_decimal};

/// A `*.tests.yaml` file as written.
#[derive(Clone, Debug, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct TestFile {
    /// The policy, relative to the test file.
    pub policy: String,
    /// The default evaluation instant of the cases (RFC 3339).
    #[serde(default)]
    pub now: Option<String>,
    /// The record field whose instant picks the policy versions in force (SPEC §16),
    /// like `--as-of`; without it, the versions in force at `now`.
    #[serde(default)]
    pub as_of: Option<String>,
    /// The cases.
    pub cases: Vec<TestCase>,
}

/// One case of a test file.
#[derive(Clone, Debug, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct TestCase {
    /// What the case shows.
    pub name: String,
    /// The evaluation instant, overriding the file's.
    #[serde(default)]
    pub now: Option<String>,
    /// The record, inline.
    #[serde(default)]
    pub record: Option<Value>,
    /// The record, from a JSON or YAML file relative to the test file.
    #[serde(default)]
    pub record_file: Option<String>,
    /// What the decision must show.
    #[serde(default)]
    pub expect: Expectations,
}

/// Expectations on a decision. Every part is optional.
#[derive(Clone, Debug, Default, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct Expectations {
    /// The exact set of actions (order ignored); each entry matches on the keys it gives.
    #[serde(default)]
    pub actions: Option<Vec<Value>>,
    /// Actions that must be among the decision's.
    #[serde(default)]
    pub actions_include: Vec<Value>,
    /// Actions that must not be among the decision's.
    #[serde(default)]
    pub actions_exclude: Vec<Value>,
    /// Checks that must be present with these values.
    #[serde(default)]
    pub checks: Vec<Value>,
    /// The exact set of fired rules.
    #[serde(default)]
    pub fired: Option<Vec<String>>,
    /// The exact set of undecided rule names.
    #[serde(default)]
    pub undecided: Option<Vec<String>>,
    /// The exact set of errors; each entry matches on the keys it gives (`rule`, `field`,
    /// `message`).
    #[serde(default)]
    pub errors: Option<Vec<Value>>,
    /// The expected `recheck_at` (`null` for none).
    #[serde(default, deserialize_with = "deserialize_some")]
    pub recheck_at: Option<Value>,
    /// The policy that must decide (in a set, SPEC §16).
    #[serde(default)]
    pub policy: Option<String>,
    /// The version that must decide.
    #[serde(default)]
    pub version: Option<String>,
}

/// Keeps `recheck_at: null` apart from an absent `recheck_at`.
fn deserialize_some<'de, D: serde::Deserializer<'de>>(d: D) -> Result<Option<Value>, D::Error> {
    Value::deserialize(d).map(Some)
}

/// The outcome of one case.
#[derive(Clone, Debug, Serialize)]
pub struct CaseResult {
    /// The case's name.
    pub name: String,
    /// Whether every expectation held.
    pub passed: bool,
    /// One entry per expectation that failed (empty when passed).
    pub failures: Vec<Failure>,
    /// The decision, as JSON (null when the case could not be evaluated).
    #[serde(skip)]
    pub decision: Value,
}

/// An expectation that did not hold: what was expected beside what came out.
#[derive(Clone, Debug, Serialize)]
pub struct Failure {
    /// Which part (`actions`, `checks`, `fired`, `record`, …).
    pub what: String,
    /// A short explanation.
    pub message: String,
    /// The expected value.
    pub expected: Value,
    /// The actual value.
    pub actual: Value,
}

/// The outcome of one test file.
#[derive(Clone, Debug, Serialize)]
pub struct FileResult {
    /// The test file.
    pub path: PathBuf,
    /// The policy it tests (empty when the file could not be read).
    pub policy: PathBuf,
    /// A problem with the file itself (unreadable, bad YAML, invalid policy).
    pub error: Option<String>,
    /// The cases, in file order.
    pub cases: Vec<CaseResult>,
    /// Coverage of the policy by these cases.
    pub coverage: Option<Coverage>,
}

impl FileResult {
    /// Whether the file could be run and every case passed.
    pub fn passed(&self) -> bool {
        self.error.is_none() && self.cases.iter().all(|c| c.passed)
    }
}

/// Which rules and actions of a policy the cases exercised.
#[derive(Clone, Debug, Default, Serialize)]
pub struct Coverage {
    /// Every rule name, in source order.
    pub rules: Vec<String>,
    /// Rules that no case fired.
    pub rules_not_fired: Vec<String>,
    /// Every action site, as `rule: action`.
    pub actions: Vec<String>,
    /// Action sites that no decision required.
    pub actions_not_required: Vec<String>,
}

impl Coverage {
    /// Percentage of rules fired by some case (100 for a policy without rules).
    pub fn rule_percent(&self) -> rust_decimal::Decimal {
        percent(
            self.rules.len() - self.rules_not_fired.len(),
            self.rules.len(),
        )
    }

    /// Percentage of action sites required by some case.
    pub fn action_percent(&self) -> rust_decimal::Decimal {
        percent(
            self.actions.len() - self.actions_not_required.len(),
            self.actions.len(),
        )
    }
}

fn percent(part: usize, whole: usize) -> rust_decimal::Decimal {
    if whole == 0 {
        return rust_decimal::Decimal::ONE_HUNDRED;
    }
    (rust_decimal::Decimal::from(part) * rust_decimal::Decimal::ONE_HUNDRED
        / rust_decimal::Decimal::from(whole))
    .round_dp(1)
}

/// Reads and runs one test file.
pub fn run_file(path: &Path) -> FileResult {
    let mut result = FileResult {
        path: path.to_owned(),
        policy: PathBuf::new(),
        error: None,
        cases: Vec::new(),
        coverage: None,
    };
    let text = match std::fs::read_to_string(path) {
        Ok(text) => text,
        Err(e) => {
            result.error = Some(format!("cannot read `{}`: {e}", path.display()));
            return result;
        }
    };
    let file: TestFile = match serde_saphyr::from_str(&text) {
        Ok(file) => file,
        Err(e) => {
            // The YAML reader starts its own text with `error: `; ours already says it.
            let reason = e.to_string();
            let reason = reason.strip_prefix("error: ").unwrap_or(&reason);
            // The reader calls its text `<input>`: name the file instead.
            let reason = reason.replace("<input>", &path.display().to_string());
            result.error = Some(format!(
                "`{}` is not a valid test file: {reason}",
                path.display()
            ));
            return result;
        }
    };
    let base = path.parent().unwrap_or(Path::new("."));
    result.policy = base.join(&file.policy);
    // A misspelt expectation would match nothing, or everything, and pass: refuse it.
    let problems = validate(&file, &text, path);
    if !problems.is_empty() {
        result.error = Some(problems.join("\n"));
        return result;
    }
    // A file or a folder: a policy set (SPEC §16), which routes each case's record.
    let set = match PolicySet::from_paths(std::slice::from_ref(&result.policy)) {
        Ok(set) => set,
        Err(e) => {
            result.error = Some(e.to_string());
            return result;
        }
    };
    let evaluate = |record: &Value, options: &EvalOptions| {
        let options = EvalOptions {
            as_of_field: file.as_of.clone(),
            ..options.clone()
        };
        set.evaluate(record, &options).map_err(|e| e.to_string())
    };
    result.cases = file
        .cases
        .iter()
        .map(|case| run_case_with(&evaluate, base, file.now.as_deref(), case))
        .collect();
    result.coverage = Some(set_coverage(&set, &result.cases));
    result
}

/// Coverage of every policy of a set; with several, each rule and action is named with its
/// policy and version, and only the cases that policy decided count for it.
fn set_coverage(set: &PolicySet, cases: &[CaseResult]) -> Coverage {
    let policies: Vec<&Policy> = set.policies().collect();
    if let [only] = policies.as_slice() {
        return coverage(only, cases);
    }
    let mut all = Coverage::default();
    for policy in policies {
        let version = policy.version();
        let decided: Vec<CaseResult> = cases
            .iter()
            .filter(|c| {
                c.decision.get("policy").and_then(Value::as_str) == Some(policy.name())
                    && c.decision.get("version").and_then(Value::as_str) == version
            })
            .cloned()
            .collect();
        let label = match version {
            Some(v) => format!("{} {v}", policy.name()),
            None => policy.name().to_owned(),
        };
        let one = coverage(policy, &decided);
        let named = |list: Vec<String>| list.into_iter().map(|x| format!("{label}: {x}"));
        all.rules.extend(named(one.rules));
        all.rules_not_fired.extend(named(one.rules_not_fired));
        all.actions.extend(named(one.actions));
        all.actions_not_required
            .extend(named(one.actions_not_required));
    }
    all
}

/// Runs one case against a loaded policy; `base` resolves `record_file`.
pub fn run_case(
    policy: &Policy,
    base: &Path,
    default_now: Option<&str>,
    case: &TestCase,
) -> CaseResult {
    let evaluate = |record: &Value, options: &EvalOptions| Ok(policy.evaluate(record, options));
    run_case_with(&evaluate, base, default_now, case)
}

/// The decision of a record, or why there is none (a set that has no policy for it).
type Evaluate<'a> = dyn Fn(&Value, &EvalOptions) -> Result<crate::Decision, String> + 'a;

/// Runs one case with `evaluate`; `base` resolves `record_file`.
fn run_case_with(
    evaluate: &Evaluate<'_>,
    base: &Path,
    default_now: Option<&str>,
    case: &TestCase,
) -> CaseResult {
    let mut result = CaseResult {
        name: case.name.clone(),
        passed: false,
        failures: Vec::new(),
        decision: Value::Null,
    };
    let setup = |what: &str, message: String| Failure {
        what: what.to_owned(),
        message,
        expected: Value::Null,
        actual: Value::Null,
    };
    let now = match case.now.as_deref().or(default_now) {
        Some(text) => match text.parse::<jiff::Timestamp>() {
            Ok(now) => now,
            Err(e) => {
                let message = if crate::value::time_out_of_range(text) {
                    format!(
                        "`{text}` is outside the range of times: {}",
                        crate::value::TIME_RANGE
                    )
                } else {
                    format!("`{text}` is not an RFC 3339 instant: {e}")
                };
                result.failures.push(setup("now", message));
                return result;
            }
        },
        None => {
            result.failures.push(setup(
                "now",
                "no `now` in the case or the file; tests must not depend on the clock".into(),
            ));
            return result;
        }
    };
    let record = match (&case.record, &case.record_file) {
        (Some(record), None) => record.clone(),
        (None, Some(file)) => match load_record(&base.join(file)) {
            Ok(record) => record,
            Err(message) => {
                result.failures.push(setup("record_file", message));
                return result;
            }
        },
        _ => {
            result.failures.push(setup(
                "record",
                "give exactly one of `record` and `record_file`".into(),
            ));
            return result;
        }
    };
    let options = EvalOptions {
        explain: Explain::Off,
        ..EvalOptions::at(now)
    };
    let decision = match evaluate(&record, &options) {
        Ok(decision) => decision,
        Err(message) => {
            result.failures.push(setup("policy", message));
            return result;
        }
    };
    let actual = serde_json::to_value(&decision).unwrap_or(Value::Null);
    result.failures = compare(&case.expect, &actual);
    result.passed = result.failures.is_empty();
    result.decision = actual;
    result
}

/// Reads a record from a `.json`, `.yaml` or `.yml` file.
pub fn load_record(path: &Path) -> Result<Value, String> {
    let text = std::fs::read_to_string(path)
        .map_err(|e| format!("cannot read `{}`: {e}", path.display()))?;
    let yaml = matches!(
        path.extension().and_then(|e| e.to_str()),
        Some("yaml" | "yml")
    );
    parse_record(&text, yaml).map_err(|e| {
        let name = path.display().to_string();
        format!("`{name}`: {}", e.replace("<input>", &name))
    })
}

/// Parses a record from JSON, or from YAML when `yaml` is set.
pub fn parse_record(text: &str, yaml: bool) -> Result<Value, String> {
    let value: Value = if yaml {
        serde_saphyr::from_str(text).map_err(|e| format!("invalid YAML: {e}"))?
    } else {
        crate::read_json_record(text).map_err(|e| e.to_string())?
    };
    if !value.is_object() {
        return Err(format!(
            "a record must be an object, found {}",
            json_kind(&value)
        ));
    }
    Ok(value)
}

/// The JSON kind of a value, for messages.
pub fn json_kind(value: &Value) -> &'static str {
    match value {
        Value::Null => "null",
        Value::Bool(_) => "a bool",
        Value::Number(_) => "a number",
        Value::String(_) => "a string",
        Value::Array(_) => "an array",
        Value::Object(_) => "an object",
    }
}

/// Compares a decision (as JSON) with expectations; one failure per expectation missed.
pub fn compare(expect: &Expectations, decision: &Value) -> Vec<Failure> {
    let mut failures = Vec::new();
    let list = |key: &str| -> Vec<Value> {
        decision
            .get(key)
            .and_then(Value::as_array)
            .cloned()
            .unwrap_or_default()
    };
    for (key, wanted) in [("policy", &expect.policy), ("version", &expect.version)] {
        let actual = decision.get(key).cloned().unwrap_or(Value::Null);
        if let Some(wanted) = wanted
            && actual.as_str() != Some(wanted.as_str())
        {
            failures.push(Failure {
                what: key.into(),
                message: format!("another {key} decided"),
                expected: Value::String(wanted.clone()),
                actual,
            });
        }
    }
    let actions = list("actions");
    if let Some(expected) = &expect.actions
        && !exact_match(expected, &actions)
    {
        failures.push(Failure {
            what: "actions".into(),
            message: set_difference("action", expected, &actions),
            expected: Value::Array(expected.clone()),
            actual: Value::Array(actions.iter().map(without_bookkeeping).collect()),
        });
    }
    for wanted in &expect.actions_include {
        if !actions.iter().any(|a| matches_value(wanted, a)) {
            failures.push(Failure {
                what: "actions_include".into(),
                message: format!(
                    "an expected action is missing: {}",
                    nearest(wanted, &actions)
                ),
                expected: wanted.clone(),
                actual: Value::Array(actions.iter().map(without_bookkeeping).collect()),
            });
        }
    }
    for unwanted in &expect.actions_exclude {
        if let Some(found) = actions.iter().find(|a| matches_value(unwanted, a)) {
            failures.push(Failure {
                what: "actions_exclude".into(),
                message: "an excluded action was required".into(),
                expected: unwanted.clone(),
                actual: without_bookkeeping(found),
            });
        }
    }
    let checks = list("checks");
    for wanted in &expect.checks {
        if !checks.iter().any(|c| matches_value(wanted, c)) {
            let same_rule: Vec<Value> = checks
                .iter()
                .filter(|c| c.get("rule").is_some() && c.get("rule") == wanted.get("rule"))
                .cloned()
                .collect();
            failures.push(Failure {
                what: "checks".into(),
                message: if same_rule.is_empty() {
                    "an expected check is missing: no check of this rule".into()
                } else {
                    format!("an expected check differs: {}", nearest(wanted, &same_rule))
                },
                expected: wanted.clone(),
                actual: if same_rule.is_empty() {
                    Value::Array(checks.clone())
                } else {
                    Value::Array(same_rule)
                },
            });
        }
    }
    let names = |key: &str, field: Option<&str>| -> BTreeSet<String> {
        list(key)
            .iter()
            .filter_map(|v| match field {
                Some(f) => v.get(f).and_then(Value::as_str).map(str::to_owned),
                None => v.as_str().map(str::to_owned),
            })
            .collect()
    };
    let mut name_set = |what: &str, expected: &Option<Vec<String>>, actual: BTreeSet<String>| {
        if let Some(expected) = expected {
            let expected: BTreeSet<String> = expected.iter().cloned().collect();
            if expected != actual {
                failures.push(Failure {
                    what: what.into(),
                    message: format!("the {what} rules differ"),
                    expected: Value::from(expected.into_iter().collect::<Vec<_>>()),
                    actual: Value::from(actual.into_iter().collect::<Vec<_>>()),
                });
            }
        }
    };
    name_set("fired", &expect.fired, names("fired", None));
    name_set(
        "undecided",
        &expect.undecided,
        names("undecided", Some("rule")),
    );
    if let Some(expected) = &expect.errors {
        let errors = list("errors");
        if !exact_match(expected, &errors) {
            failures.push(Failure {
                what: "errors".into(),
                message: "the errors differ from the expected set".into(),
                expected: Value::Array(expected.clone()),
                actual: Value::Array(errors),
            });
        }
    }
    if let Some(expected) = &expect.recheck_at {
        let actual = decision.get("recheck_at").cloned().unwrap_or(Value::Null);
        if !matches_value(expected, &actual) {
            failures.push(Failure {
                what: "recheck_at".into(),
                message: "`recheck_at` differs".into(),
                expected: expected.clone(),
                actual,
            });
        }
    }
    failures
}

/// The keys where `actual` differs from `expected`, expected and actual side by side:
/// `` `status` expected `met`, actual `breached` ``.
fn differences(expected: &Value, actual: &Value) -> Vec<String> {
    let show = |v: &Value| match v {
        Value::String(s) => s.clone(),
        other => other.to_string(),
    };
    match (expected, actual) {
        (Value::Object(want), Value::Object(have)) => want
            .iter()
            .filter_map(|(key, value)| match have.get(key) {
                None => Some(format!("`{key}` expected `{}`, actual absent", show(value))),
                Some(found) if !matches_value(value, found) => Some(format!(
                    "`{key}` expected `{}`, actual `{}`",
                    show(value),
                    show(found)
                )),
                Some(_) => None,
            })
            .collect(),
        _ => vec![format!(
            "expected `{}`, actual `{}`",
            show(expected),
            show(actual)
        )],
    }
}

/// How `wanted` differs from the closest of `candidates`: the one of the same action kind
/// (when it says one) with the fewest differing keys.
fn nearest(wanted: &Value, candidates: &[Value]) -> String {
    let kind = wanted.get("action");
    let closest = candidates
        .iter()
        .filter(|c| kind.is_none() || c.get("action") == kind)
        .map(|c| differences(wanted, c))
        .min_by_key(Vec::len);
    match (closest, kind) {
        (Some(diffs), _) => diffs.join("; "),
        (None, Some(kind)) => format!("the decision has no `{}` action", scalar_text(kind)),
        (None, None) => "the decision has none".to_owned(),
    }
}

/// Why an exact set of entries was not matched: the counts, and how the first expected
/// entry without a match differs from its closest actual one.
fn set_difference(what: &str, expected: &[Value], actual: &[Value]) -> String {
    let mut parts = Vec::new();
    if expected.len() != actual.len() {
        parts.push(format!(
            "expected {} {what}{}, actual {}",
            expected.len(),
            if expected.len() == 1 { "" } else { "s" },
            actual.len()
        ));
    }
    if let Some(missing) = expected
        .iter()
        .find(|e| !actual.iter().any(|a| matches_value(e, a)))
    {
        parts.push(format!(
            "{} not matched: {}",
            scalar_text(missing),
            nearest(missing, actual)
        ));
    } else if let Some(extra) = actual
        .iter()
        .find(|a| !expected.iter().any(|e| matches_value(e, a)))
    {
        parts.push(format!(
            "unexpected {}",
            scalar_text(&without_bookkeeping(extra))
        ));
    }
    if parts.is_empty() {
        parts.push(format!("the {what}s differ from the expected set"));
    }
    parts.join("; ")
}

/// The action without `rules` and `key`, which expectations rarely give.
fn without_bookkeeping(action: &Value) -> Value {
    match action {
        Value::Object(map) => Value::Object(
            map.iter()
                .filter(|(k, _)| k.as_str() != "rules" && k.as_str() != "key")
                .map(|(k, v)| (k.clone(), v.clone()))
                .collect::<Map<String, Value>>(),
        ),
        other => other.clone(),
    }
}

/// Whether every expected entry matches a distinct actual entry and none is left over.
fn exact_match(expected: &[Value], actual: &[Value]) -> bool {
    expected.len() == actual.len() && perfect_matching(expected, actual)
}

/// Bipartite matching (augmenting paths): can each expected entry take its own actual one?
fn perfect_matching(expected: &[Value], actual: &[Value]) -> bool {
    let edges: Vec<Vec<usize>> = expected
        .iter()
        .map(|e| {
            (0..actual.len())
                .filter(|&j| actual.get(j).is_some_and(|a| matches_value(e, a)))
                .collect()
        })
        .collect();
    let mut owner: Vec<Option<usize>> = vec![None; actual.len()];
    fn augment(
        i: usize,
        edges: &[Vec<usize>],
        owner: &mut [Option<usize>],
        seen: &mut [bool],
    ) -> bool {
        for &j in edges.get(i).map(Vec::as_slice).unwrap_or(&[]) {
            if seen.get(j).copied().unwrap_or(true) {
                continue;
            }
            if let Some(s) = seen.get_mut(j) {
                *s = true;
            }
            let current = owner.get(j).copied().flatten();
            let free = match current {
                None => true,
                Some(other) => augment(other, edges, owner, seen),
            };
            if free {
                if let Some(o) = owner.get_mut(j) {
                    *o = Some(i);
                }
                return true;
            }
        }
        false
    }
    (0..expected.len()).all(|i| {
        let mut seen = vec![false; actual.len()];
        augment(i, &edges, &mut owner, &mut seen)
    })
}

/// Whether `actual` has every key `expected` gives, with values equal by value.
pub fn matches_value(expected: &Value, actual: &Value) -> bool {
    match (expected, actual) {
        (Value::Object(want), Value::Object(have)) => want
            .iter()
            .all(|(k, v)| have.get(k).is_some_and(|a| matches_value(v, a))),
        (Value::Array(want), Value::Array(have)) => {
            want.len() == have.len() && want.iter().zip(have).all(|(w, h)| matches_value(w, h))
        }
        (Value::Null, Value::Null) => true,
        (Value::Bool(a), Value::Bool(b)) => a == b,
        (want, have) => scalar_equal(&scalar_text(want), &scalar_text(have)),
    }
}

fn scalar_text(value: &Value) -> String {
    match value {
        Value::String(s) => s.clone(),
        other => other.to_string(),
    }
}

/// Equality of two scalars written as text: exact, or equal as money, duration, instant or
/// decimal.
fn scalar_equal(a: &str, b: &str) -> bool {
    if a == b {
        return true;
    }
    if let (Ok(x), Ok(y)) = (Money::parse(a), Money::parse(b)) {
        return x == y;
    }
    if let (Ok(x), Ok(y)) = (Duration::parse_any(a), Duration::parse_any(b)) {
        return x == y;
    }
    if let (Ok(x), Ok(y)) = (a.parse::<jiff::Timestamp>(), b.parse::<jiff::Timestamp>()) {
        return x == y;
    }
    if let (Some(x), Some(y)) = (parse_decimal(a), parse_decimal(b)) {
        return x == y;
    }
    false
}

/// Rules and action sites of a policy, and which of them the cases exercised.
fn coverage(policy: &Policy, cases: &[CaseResult]) -> Coverage {
    let mut coverage = Coverage::default();
    let mut fired: BTreeSet<&str> = BTreeSet::new();
    let mut required: Vec<&Value> = Vec::new();
    for case in cases {
        if let Some(list) = case.decision.get("fired").and_then(Value::as_array) {
            fired.extend(list.iter().filter_map(Value::as_str));
        }
        if let Some(list) = case.decision.get("actions").and_then(Value::as_array) {
            required.extend(list);
        }
    }
    for rule in rules_of(policy) {
        let name = rule.name.name.as_str();
        coverage.rules.push(name.to_owned());
        if !fired.contains(name) {
            coverage.rules_not_fired.push(name.to_owned());
        }
        let actions = rule
            .then_actions()
            .chain(rule.handlers().flat_map(|h| h.actions.iter()));
        for action in actions {
            let (kind, key, literal) = action_site(&action.kind);
            let label = match &literal {
                Some(text) => format!("{name}: {kind} {text}"),
                None => format!("{name}: {kind}"),
            };
            let seen = required.iter().any(|a| {
                a.get("action").and_then(Value::as_str) == Some(kind)
                    && a.get("rules")
                        .and_then(Value::as_array)
                        .is_some_and(|rules| rules.iter().any(|r| r.as_str() == Some(name)))
                    && match (&literal, key) {
                        (Some(text), Some(key)) => a
                            .get(key)
                            .is_some_and(|v| scalar_equal(text, &scalar_text(v))),
                        _ => true,
                    }
            });
            if !seen {
                coverage.actions_not_required.push(label.clone());
            }
            coverage.actions.push(label);
        }
    }
    coverage
}

/// Every rule of a policy, `first of` blocks included, in source order.
fn rules_of(policy: &Policy) -> Vec<&RuleDef> {
    let mut rules = Vec::new();
    for item in &policy.ast().items {
        match item {
            Item::Rule(rule) => rules.push(rule),
            Item::FirstOf(block) => rules.extend(block.rules.iter()),
            _ => {}
        }
    }
    rules
}

/// The decision's name of an action kind, the key of its main argument, and that argument
/// when it is a literal text (the action site's identity for coverage).
fn action_site(kind: &ActionKind) -> (&'static str, Option<&'static str>, Option<String>) {
    let text = |e: &crate::ast::Expr| match &e.kind {
        ExprKind::Literal(Literal::Text(t)) => Some(t.clone()),
        _ => None,
    };
    match kind {
        ActionKind::Escalate(e) => ("escalate", Some("to"), text(e)),
        ActionKind::Notify(e) => ("notify", Some("to"), text(e)),
        ActionKind::Assign(e) => ("assign", Some("to"), text(e)),
        ActionKind::RequireApproval(e) => ("require_approval", Some("from"), text(e)),
        ActionKind::FollowUp(_) => ("follow_up", None, None),
        ActionKind::Refund {
            compensate: false, ..
        } => ("refund", None, None),
        ActionKind::Refund {
            compensate: true, ..
        } => ("compensate", None, None),
        ActionKind::Tag(e) => ("tag", Some("tag"), text(e)),
        ActionKind::Set(path, _) => ("set", Some("field"), Some(path.dotted())),
        ActionKind::Emit(e) => ("emit", Some("name"), text(e)),
    }
}

/// Renders a failure with the expected and actual values side by side.
pub fn side_by_side(failure: &Failure) -> String {
    let left = pretty(&failure.expected);
    let right = pretty(&failure.actual);
    let left_lines: Vec<&str> = left.lines().collect();
    let right_lines: Vec<&str> = right.lines().collect();
    let width = left_lines
        .iter()
        .map(|l| l.chars().count())
        .max()
        .unwrap_or(0)
        .max("expected".len());
    let mut out = String::new();
    let _ = writeln!(out, "{:<width$} │ actual", "expected");
    let _ = writeln!(out, "{}─┼─{}", "─".repeat(width), "─".repeat(width.min(40)));
    for i in 0..left_lines.len().max(right_lines.len()) {
        let l = left_lines.get(i).copied().unwrap_or("");
        let r = right_lines.get(i).copied().unwrap_or("");
        let _ = writeln!(out, "{l:<width$} │ {r}");
    }
    out
}

fn pretty(value: &Value) -> String {
    serde_json::to_string_pretty(value).unwrap_or_default()
}

/// The action kinds of a decision (SPEC §10) and the keys each carries.
const ACTION_KINDS: &[(&str, &[&str])] = &[
    ("escalate", &["to"]),
    ("notify", &["to"]),
    ("assign", &["to"]),
    ("require_approval", &["from"]),
    ("follow_up", &["within", "due"]),
    ("refund", &["amount"]),
    ("compensate", &["amount"]),
    ("tag", &["tag"]),
    ("set", &["field", "value"]),
    ("emit", &["name"]),
];

/// Keys every action has besides its own.
const ACTION_COMMON: &[&str] = &["action", "rules", "key", "args"];

/// The check kinds of a decision (SPEC §11), their keys and their statuses.
const CHECK_KINDS: &[(&str, &[&str], &[&str])] = &[
    (
        "deadline",
        &["target", "deadline", "elapsed", "remaining"],
        &["met", "breached", "pending"],
    ),
    (
        "limit",
        &["value", "limit", "excess"],
        &["within", "exceeded"],
    ),
];

/// Keys every check has besides its kind's.
const CHECK_COMMON: &[&str] = &["rule", "kind", "status"];

/// Every problem with the expectations of a test file: an action kind, key or status that
/// does not exist would never match (an `actions_exclude` that always passes) and must not
/// be mistaken for a passing test. Each names the file, the line and the known words.
fn validate(file: &TestFile, text: &str, path: &Path) -> Vec<String> {
    let mut problems = Vec::new();
    let mut from_line = 0;
    for case in &file.cases {
        let case_line = line_of(text, from_line, &case.name).unwrap_or(from_line);
        from_line = case_line;
        let lists: [(&str, &[Value]); 4] = [
            (
                "actions",
                case.expect.actions.as_deref().unwrap_or_default(),
            ),
            ("actions_include", &case.expect.actions_include),
            ("actions_exclude", &case.expect.actions_exclude),
            ("checks", &case.expect.checks),
        ];
        for (what, entries) in lists {
            for entry in entries {
                let found = if what == "checks" {
                    check_entry_problem(entry)
                } else {
                    action_entry_problem(entry)
                };
                if let Some((token, message)) = found {
                    let line = line_of(text, case_line, &token).unwrap_or(case_line);
                    problems.push(format!(
                        "{}:{}: case \"{}\", `{what}`: {message}",
                        path.display(),
                        line + 1,
                        case.name
                    ));
                }
            }
        }
    }
    problems
}

/// The 0-based index of the first line at or after `from` that holds `token`.
fn line_of(text: &str, from: usize, token: &str) -> Option<usize> {
    text.lines()
        .enumerate()
        .skip(from)
        .find(|(_, line)| line.contains(token))
        .map(|(i, _)| i)
}

/// `unknown WHAT `word`; did you mean `x`? (known: a, b, …)`, and the word to find.
fn unknown(what: &str, word: &str, known: &[&str]) -> (String, String) {
    let hint = crate::check::suggest::nearest(word, known.iter().copied())
        .map(|near| format!("did you mean `{near}`? "))
        .unwrap_or_default();
    (
        word.to_owned(),
        format!(
            "unknown {what} `{word}`; {hint}(known: {})",
            known.join(", ")
        ),
    )
}

fn action_entry_problem(entry: &Value) -> Option<(String, String)> {
    let Value::Object(map) = entry else {
        return Some((
            scalar_text(entry),
            format!(
                "an action is a map like `{{ action: escalate, to: supervisor }}`, not {}",
                json_kind(entry)
            ),
        ));
    };
    let kinds: Vec<&str> = ACTION_KINDS.iter().map(|(k, _)| *k).collect();
    let own: Vec<&str> = match map.get("action") {
        Some(Value::String(kind)) => match ACTION_KINDS.iter().find(|(k, _)| k == kind) {
            Some((_, keys)) => keys.to_vec(),
            None => return Some(unknown("action kind", kind, &kinds)),
        },
        Some(other) => return Some(unknown("action kind", &scalar_text(other), &kinds)),
        // Without a kind, any action's key may be given.
        None => ACTION_KINDS
            .iter()
            .flat_map(|(_, keys)| keys.iter().copied())
            .collect(),
    };
    let mut known: Vec<&str> = ACTION_COMMON.to_vec();
    for key in own {
        if !known.contains(&key) {
            known.push(key);
        }
    }
    map.keys()
        .find(|key| !known.contains(&key.as_str()))
        .map(|key| unknown("action key", key, &known))
}

fn check_entry_problem(entry: &Value) -> Option<(String, String)> {
    let Value::Object(map) = entry else {
        return Some((
            scalar_text(entry),
            format!(
                "a check is a map like `{{ rule: first_reply, status: met }}`, not {}",
                json_kind(entry)
            ),
        ));
    };
    let kinds: Vec<&str> = CHECK_KINDS.iter().map(|(k, _, _)| *k).collect();
    let chosen: Vec<&(&str, &[&str], &[&str])> = match map.get("kind") {
        Some(Value::String(kind)) => match CHECK_KINDS.iter().find(|(k, _, _)| k == kind) {
            Some(found) => vec![found],
            None => return Some(unknown("check kind", kind, &kinds)),
        },
        Some(other) => return Some(unknown("check kind", &scalar_text(other), &kinds)),
        None => CHECK_KINDS.iter().collect(),
    };
    let mut keys: Vec<&str> = CHECK_COMMON.to_vec();
    keys.extend(chosen.iter().flat_map(|(_, k, _)| k.iter().copied()));
    if let Some(key) = map.keys().find(|key| !keys.contains(&key.as_str())) {
        return Some(unknown("check key", key, &keys));
    }
    let statuses: Vec<&str> = chosen
        .iter()
        .flat_map(|(_, _, s)| s.iter().copied())
        .collect();
    match map.get("status") {
        Some(Value::String(status)) if statuses.contains(&status.as_str()) => None,
        Some(status) => Some(unknown("check status", &scalar_text(status), &statuses)),
        None => None,
    }
}

/// Finds `*.tests.yaml` files under the given paths (files are taken as they are), sorted.
pub fn discover(paths: &[PathBuf]) -> std::io::Result<Vec<PathBuf>> {
    let mut found = Vec::new();
    for path in paths {
        if path.is_dir() {
            walk(path, &mut found, &|p| {
                p.file_name()
                    .and_then(|n| n.to_str())
                    .is_some_and(|n| n.ends_with(".tests.yaml") || n.ends_with(".tests.yml"))
            })?;
        } else {
            found.push(path.clone());
        }
    }
    found.sort();
    found.dedup();
    Ok(found)
}

/// Collects the files under `dir` (recursively, skipping hidden folders and `target`) that
/// `keep` accepts.
pub fn walk(
    dir: &Path,
    found: &mut Vec<PathBuf>,
    keep: &dyn Fn(&Path) -> bool,
) -> std::io::Result<()> {
    let mut entries: Vec<_> = std::fs::read_dir(dir)?.collect::<Result<_, _>>()?;
    entries.sort_by_key(|e| e.path());
    for entry in entries {
        let path = entry.path();
        let name = entry.file_name();
        let hidden = name
            .to_str()
            .is_some_and(|n| n.starts_with('.') || n == "target");
        if entry.file_type()?.is_dir() {
            if !hidden {
                walk(&path, found, keep)?;
            }
        } else if keep(&path) {
            found.push(path);
        }
    }
    Ok(())
}

#[cfg(test)]
mod tests {
    use super::*;
    use serde_json::json;

    #[test]
    fn scalars_compare_by_value() {
        assert!(scalar_equal("7000 INR", "7000.00 INR"));
        assert!(!scalar_equal("7000 INR", "7000 USD"));
        assert!(scalar_equal("90m", "1h30m"));
        assert!(scalar_equal("PT15M", "15m"));
        assert!(scalar_equal(
            "2026-03-02T14:30:00+05:30",
            "2026-03-02T09:00:00Z"
        ));
        assert!(scalar_equal("2.50", "2.5"));
        assert!(!scalar_equal("supervisor", "team-lead"));
    }

    #[test]
    fn entries_match_on_given_keys() {
        let actual = json!({"action": "escalate", "to": "supervisor", "rules": ["a"], "key": "9f"});
        assert!(matches_value(&json!({"action": "escalate"}), &actual));
        assert!(matches_value(
            &json!({"action": "escalate", "to": "supervisor"}),
            &actual
        ));
        assert!(!matches_value(
            &json!({"action": "escalate", "to": "team-lead"}),
            &actual
        ));
        assert!(!matches_value(&json!({"action": "notify"}), &actual));
    }

    #[test]
    fn exact_sets_need_a_matching_not_a_greedy_pick() {
        // The first expectation matches both actions; greedy choice of the first action
        // would leave the second expectation without a partner.
        let expected = vec![
            json!({"action": "tag"}),
            json!({"action": "tag", "tag": "a"}),
        ];
        let actual = vec![
            json!({"action": "tag", "tag": "a"}),
            json!({"action": "tag", "tag": "b"}),
        ];
        assert!(exact_match(&expected, &actual));
        assert!(!exact_match(&expected[..1], &actual));
        let twice = vec![json!({"action": "tag", "tag": "a"}); 2];
        assert!(!exact_match(&twice, &actual));
    }

    #[test]
    fn compare_reports_each_failed_expectation() {
        let decision = json!({
            "actions": [{"action": "notify", "to": "team-lead", "rules": ["r"], "key": "1"}],
            "checks": [{"rule": "r", "kind": "limit", "status": "exceeded", "excess": "2000.00 INR"}],
            "fired": ["r"],
            "undecided": [{"rule": "u", "missing": ["csat"]}],
            "errors": [],
            "recheck_at": null
        });
        let expect: Expectations = serde_json::from_value(json!({
            "actions": [{"action": "notify", "to": "team-lead"}],
            "checks": [{"rule": "r", "status": "exceeded", "excess": "2000 INR"}],
            "fired": ["r"],
            "undecided": ["u"],
            "recheck_at": null
        }))
        .unwrap();
        assert!(compare(&expect, &decision).is_empty());
        let wrong: Expectations = serde_json::from_value(json!({
            "actions_exclude": [{"action": "notify"}],
            "fired": [],
            "undecided": ["other"],
            "recheck_at": "2026-03-02T10:00:00Z"
        }))
        .unwrap();
        let what: Vec<String> = compare(&wrong, &decision)
            .into_iter()
            .map(|f| f.what)
            .collect();
        assert_eq!(
            what,
            ["actions_exclude", "fired", "undecided", "recheck_at"]
        );
    }

    #[test]
    fn records_must_be_objects() {
        assert!(
            parse_record("[1, 2]", false)
                .unwrap_err()
                .contains("an array")
        );
        assert!(parse_record("a: 1\nb: [x]", true).unwrap().is_object());
        assert!(
            parse_record("{", false)
                .unwrap_err()
                .contains("invalid JSON")
        );
    }

    #[test]
    fn side_by_side_puts_both_columns_on_each_line() {
        let failure = Failure {
            what: "fired".into(),
            message: String::new(),
            expected: json!(["a"]),
            actual: json!(["b", "c"]),
        };
        let text = side_by_side(&failure);
        assert!(
            text.lines()
                .any(|l| l.contains("\"a\"") && l.contains("\"b\""))
        );
        assert!(text.lines().any(|l| l.ends_with("\"c\"")));
    }
}
