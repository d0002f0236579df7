//! Evaluation: plan + record + now → [`Decision`].
//!
//! Strategy: the record is borrowed, never copied; each rule is evaluated on its own
//! (atomic: missing anywhere it needs makes it undecided, an error makes it `error`, and
//! neither touches other rules); `first of` blocks stop at their first rule that applies
//! or cannot be decided. Actions are then merged, escalations collapsed on the ladder and
//! conflicting `set`s reported. Evaluation performs no I/O, reads no clock and never
//! panics.

mod budget;
mod decision;
mod expr;
#[cfg(any(test, feature = "internals"))]
mod reference;
mod rules;

use jiff::Timestamp;
use serde_json::{Map, Value as Json};
use sha2::{Digest, Sha256};

use crate::plan::{Block, Plan, Walk};

use crate::plan::Env;
pub use budget::{Budget, DEFAULT_RULE_STEPS};
pub use decision::{
    Action, ActionKind, Check, Comparison, DeadlineCheck, DeadlineStatus, Decision, ErrorEntry,
    LimitCheck, LimitStatus, LimitValue, RuleStatus, RuleTrace, Undecided,
};
use expr::eval_constant;

use expr::Ctx;
use rules::{Outcome, evaluate_rule};

/// Whether a decision carries a trace of every rule.
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq)]
pub enum Explain {
    /// No trace (the fast path).
    #[default]
    Off,
    /// Add `"trace"`.
    On,
}

/// What an evaluation needs besides the record.
#[derive(Clone, Debug)]
pub struct EvalOptions {
    /// The evaluation instant; never read from the clock inside evaluation.
    pub now: jiff::Timestamp,
    /// Whether to add a trace.
    pub explain: Explain,
    /// For a [`crate::PolicySet`]: the record field (a dotted path) holding the instant
    /// whose rules apply, e.g. `opened_at` to judge a ticket by the rules in force when it
    /// was opened. `None`: the rules in force at `now`. A single [`crate::Policy`]
    /// ignores it.
    pub as_of_field: Option<String>,
    /// How much work each rule may do (see `docs/limits.md`).
    pub budget: Budget,
}

impl EvalOptions {
    /// Options for evaluating at `now`, without a trace.
    pub fn at(now: jiff::Timestamp) -> EvalOptions {
        EvalOptions {
            now,
            explain: Explain::Off,
            as_of_field: None,
            budget: Budget::default(),
        }
    }

    /// The same options with another evaluation budget.
    pub fn with_budget(mut self, budget: Budget) -> EvalOptions {
        self.budget = budget;
        self
    }
}

/// Why a record given as YAML or as a `Serialize` value could not be read as JSON data.
#[derive(Debug, thiserror::Error)]
pub enum RecordError {
    /// The value could not be serialised to JSON (e.g. a map with non-text keys).
    #[error("the record cannot be read as JSON data: {0}")]
    Serialize(#[from] serde_json::Error),
    /// The text is not YAML.
    #[error("the record is not valid YAML: {0}")]
    Yaml(String),
    /// The text is not JSON, gives a key twice, or holds a number that would read as zero.
    #[error("the record is not valid JSON: {0}")]
    Json(String),
}

/// An action on its way into the decision: the rules (as indexes, for source order).
pub(crate) struct Gathered<'k> {
    kind: ActionKind,
    args: Option<Map<String, Json>>,
    rules: Vec<usize>,
    /// The key, when the plan worked it out at load.
    key: Option<&'k str>,
    /// The action's position among its rule's actions (a money action's key covers it).
    position: usize,
}

/// Whether the policy-level `when` of a plan holds for a record (true without one). A
/// missing field or an evaluation error makes it not hold: a policy is never picked on a
/// guess.
pub(crate) fn applies(plan: &Plan, record: &serde_json::Value, now: Timestamp) -> bool {
    let Some(when) = &plan.when else {
        return true;
    };
    let Json::Object(map) = record else {
        return false;
    };
    let env = Env {
        consts: &plan.consts,
        tables: &plan.tables,
        calendars: &plan.calendars,
        tz: &plan.tz,
    };
    let mut cx = Ctx::new(env, Some(map), now);
    matches!(cx.condition(when), Ok(Some(true)))
}

/// Evaluates a record against a plan.
///
/// Blocks are walked in source order and each outcome goes straight into the decision, so
/// nothing is kept per rule. With an index and no trace, only the blocks the record's text
/// lets through are walked (see `plan::index`); the decision is the same.
pub fn evaluate(plan: &Plan, record: &serde_json::Value, options: &EvalOptions) -> Decision {
    let trace_on = options.explain == Explain::On;
    let mut errors = Vec::new();
    let map = match record {
        Json::Object(map) => Some(map),
        other => {
            errors.push(ErrorEntry {
                rule: None,
                field: None,
                message: format!(
                    "the record must be a JSON object, found `{}`",
                    crate::value::describe_json(other)
                ),
            });
            None
        }
    };
    if let Some(map) = map {
        for field in &plan.required {
            if is_absent_path(map, &field.segments) {
                errors.push(ErrorEntry {
                    rule: None,
                    field: Some(field.dotted.to_string()),
                    message: format!("required field `{}` is missing", field.dotted),
                });
            }
        }
    }
    let env = Env {
        consts: &plan.consts,
        tables: &plan.tables,
        calendars: &plan.calendars,
        tz: &plan.tz,
    };
    // Time is counted in whole seconds.
    let now = crate::value::whole_second(options.now);
    let mut cx = Ctx::new(env, map, now);
    cx.meter = budget::Meter::new(options.budget);
    let walk = match (&plan.index, map) {
        (Some(index), Some(map)) if !trace_on => index
            .select(map, options.budget.rule_steps)
            .unwrap_or(Walk::All(0..plan.blocks.len())),
        _ => Walk::All(0..plan.blocks.len()),
    };

    let mut fired = Vec::new();
    let mut checks = Vec::new();
    let mut undecided = Vec::new();
    let mut gathered: Vec<Gathered> = Vec::new();
    let mut recheck_at: Option<Timestamp> = None;
    let mut trace = Vec::new();
    for position in walk {
        let (members, first_of): (&[usize], bool) = match plan.blocks.get(position) {
            Some(Block::Single(index)) => (std::slice::from_ref(index), false),
            Some(Block::FirstOf(members)) => (members, true),
            None => continue,
        };
        let mut settled = false;
        for &index in members {
            let Some(rule) = plan.rules.get(index) else {
                continue;
            };
            if settled {
                if trace_on {
                    trace.push(RuleTrace::new(
                        rule.name.clone(),
                        RuleStatus::Skipped,
                        Vec::new(),
                        Vec::new(),
                        Vec::new(),
                    ));
                }
                continue;
            }
            cx.meter.reset();
            let mut outcome = evaluate_rule(&mut cx, rule, trace_on);
            if cx.meter.exhausted() {
                outcome = Outcome::Error(cx.meter.fault());
            }
            settled = first_of && !matches!(outcome, Outcome::NotApplied);
            let mut missing_fields = Vec::new();
            let status = match outcome {
                Outcome::NotApplied => RuleStatus::NotApplied,
                Outcome::Undecided(missing) => {
                    if trace_on {
                        missing_fields = missing.iter().map(|m| (*m).to_owned()).collect();
                    }
                    undecided.push(Undecided {
                        rule: rule.name.clone(),
                        missing: missing.into_iter().map(str::to_owned).collect(),
                    });
                    RuleStatus::Undecided
                }
                Outcome::Error(fault) => {
                    errors.push(ErrorEntry {
                        rule: Some(rule.name.clone()),
                        field: fault.field,
                        message: fault.message,
                    });
                    RuleStatus::Error
                }
                Outcome::Applied {
                    check,
                    actions,
                    recheck,
                } => {
                    fired.push(rule.name.clone());
                    checks.extend(check.map(|c| *c));
                    if let Some(at) = recheck {
                        recheck_at = Some(recheck_at.map_or(at, |r| r.min(at)));
                    }
                    for (kind, args, key, position) in actions {
                        gather(&mut gathered, kind, args, key, index, position);
                    }
                    RuleStatus::Applied
                }
            };
            if trace_on {
                trace.push(RuleTrace::new(
                    rule.name.clone(),
                    status,
                    cx.seen.take().map(convert_seen).unwrap_or_default(),
                    missing_fields,
                    std::mem::take(&mut cx.absent)
                        .into_iter()
                        .map(str::to_owned)
                        .collect(),
                ));
            }
        }
    }
    let actions = assemble_actions(
        gathered,
        &plan.name,
        &plan.ladder,
        |i| plan.rules.get(i).map(|r| r.name.as_str()),
        &mut errors,
    );
    Decision {
        policy: plan.name.clone(),
        version: plan.version.clone(),
        now,
        actions,
        checks,
        fired,
        undecided,
        errors,
        recheck_at,
        trace: trace_on.then_some(trace),
    }
}

#[cfg(any(test, feature = "internals"))]
/// Evaluates a record against a policy's AST with the reference interpreter (no plan, no
/// index); for differential tests and as a specification that runs.
pub fn evaluate_reference(
    policy: &crate::ast::PolicyFile,
    record: &serde_json::Value,
    options: &EvalOptions,
) -> Decision {
    reference::evaluate_reference(policy, record, options)
}

/// Collapses escalations on the ladder, reports conflicting `set`s and gives every
/// action its rules' names and its key.
pub(crate) fn assemble_actions<'n>(
    mut gathered: Vec<Gathered<'_>>,
    policy: &str,
    ladder: &[String],
    rule_name: impl Fn(usize) -> Option<&'n str>,
    errors: &mut Vec<ErrorEntry>,
) -> Vec<Action> {
    collapse_ladder(&mut gathered, ladder);
    set_conflicts(&gathered, &rule_name, errors);
    gathered
        .into_iter()
        .map(|g| {
            let key = match (g.kind.money(), g.key) {
                // A money action's key also covers its rule and its place in the rule, so
                // equal payments keep distinct keys and none is acted on only once.
                (Some(_), _) => {
                    let rule = g.rules.first().and_then(|i| rule_name(*i)).unwrap_or("");
                    money_key(policy, &g.kind, g.args.as_ref(), rule, g.position)
                }
                (None, Some(key)) => key.to_owned(),
                (None, None) => action_key(policy, &g.kind, g.args.as_ref()),
            };
            Action {
                key,
                rules: g
                    .rules
                    .iter()
                    .filter_map(|i| rule_name(*i).map(str::to_owned))
                    .collect(),
                kind: g.kind,
                args: g.args,
            }
        })
        .collect()
}

fn convert_seen(seen: Vec<expr::Seen>) -> Vec<Comparison> {
    seen.into_iter()
        .map(|s| Comparison {
            expr: s.expr,
            left: s.left,
            right: s.right,
            result: s.result,
        })
        .collect()
}

/// Whether a record path is absent or null.
pub(crate) fn is_absent_path<S: AsRef<str>>(map: &Map<String, Json>, segments: &[S]) -> bool {
    let mut current = map;
    let Some((last, init)) = segments.split_last() else {
        return true;
    };
    for segment in init {
        match current.get(segment.as_ref()) {
            Some(Json::Object(inner)) => current = inner,
            None | Some(Json::Null) => return true,
            // A scalar where an object belongs is a type error, reported by the rules
            // reading the path, not a missing field.
            Some(_) => return false,
        }
    }
    matches!(current.get(last.as_ref()), None | Some(Json::Null))
}

/// Adds an action, merging it into an equal one required earlier — except money, which
/// is never merged: every `refund` and `compensate` stays its own entry.
pub(crate) fn gather<'k>(
    gathered: &mut Vec<Gathered<'k>>,
    kind: ActionKind,
    args: Option<Map<String, Json>>,
    key: Option<&'k str>,
    rule: usize,
    position: usize,
) {
    if kind.money().is_none()
        && let Some(existing) = gathered
            .iter_mut()
            .find(|g| g.kind == kind && g.args == args)
    {
        if !existing.rules.contains(&rule) {
            existing.rules.push(rule);
        }
        return;
    }
    gathered.push(Gathered {
        kind,
        args,
        rules: vec![rule],
        key,
        position,
    });
}

/// With a ladder, every escalation to a level on it collapses into the highest one,
/// which keeps its place and takes the rules of all of them.
fn collapse_ladder(gathered: &mut Vec<Gathered<'_>>, ladder: &[String]) {
    if ladder.is_empty() {
        return;
    }
    let rank = |g: &Gathered<'_>| match &g.kind {
        ActionKind::Escalate { to } => ladder.iter().position(|level| level == to),
        _ => None,
    };
    let mut best: Option<(usize, usize)> = None;
    for (i, g) in gathered.iter().enumerate() {
        if let Some(r) = rank(g)
            && best.is_none_or(|(_, b)| r > b)
        {
            best = Some((i, r));
        }
    }
    let Some((keep, _)) = best else {
        return;
    };
    let mut rules = Vec::new();
    for g in gathered.iter() {
        if rank(g).is_some() {
            rules.extend(g.rules.iter().copied());
        }
    }
    rules.sort_unstable();
    rules.dedup();
    let mut index = 0;
    gathered.retain(|g| {
        let stay = index == keep || rank(g).is_none();
        index += 1;
        stay
    });
    if let Some(kept) = gathered.iter_mut().find(|g| rank(g).is_some()) {
        kept.rules = rules;
    }
}

/// How many values of one field a `conflict` entry names; the rest are counted.
const CONFLICT_VALUES_SHOWN: usize = 8;

/// Two `set`s of one field with different values are both kept, and reported: one
/// `conflict` entry per field, naming its values (each cut to a fixed length) with the
/// rules that set them, so the entry's size does not grow with the square of the rules.
fn set_conflicts<'n>(
    gathered: &[Gathered<'_>],
    rule_name: &impl Fn(usize) -> Option<&'n str>,
    errors: &mut Vec<ErrorEntry>,
) {
    let name = |rules: &[usize]| {
        rules
            .iter()
            .filter_map(|i| rule_name(*i).map(|r| format!("`{r}`")))
            .collect::<Vec<_>>()
            .join(", ")
    };
    // Per field in order of first `set`: its distinct values in order, with their rules.
    type Values<'v> = Vec<(&'v Json, Vec<usize>)>;
    let mut fields: Vec<(&str, Values<'_>)> = Vec::new();
    let mut by_field: std::collections::HashMap<&str, usize> = std::collections::HashMap::new();
    for g in gathered {
        let ActionKind::Set { field, value } = &g.kind else {
            continue;
        };
        let slot = *by_field.entry(field.as_str()).or_insert_with(|| {
            fields.push((field.as_str(), Vec::new()));
            fields.len() - 1
        });
        let Some((_, values)) = fields.get_mut(slot) else {
            continue;
        };
        match values.iter_mut().find(|(v, _)| *v == value) {
            Some((_, rules)) => {
                for r in &g.rules {
                    if !rules.contains(r) {
                        rules.push(*r);
                    }
                }
            }
            None => values.push((value, g.rules.clone())),
        }
    }
    for (field, values) in fields {
        let Some(second) = values.get(1) else {
            continue;
        };
        let rule = second
            .1
            .first()
            .and_then(|r| rule_name(*r))
            .map(str::to_owned);
        let mut parts: Vec<String> = values
            .iter()
            .take(CONFLICT_VALUES_SHOWN)
            .map(|(value, rules)| {
                format!(
                    "to `{}` by {}",
                    crate::value::describe_json(value),
                    name(rules)
                )
            })
            .collect();
        if values.len() > CONFLICT_VALUES_SHOWN {
            parts.push(format!(
                "to {} other values",
                values.len() - CONFLICT_VALUES_SHOWN
            ));
        }
        let last = parts.pop().unwrap_or_default();
        let listed = if parts.is_empty() {
            last
        } else {
            format!("{} and {last}", parts.join(", "))
        };
        errors.push(ErrorEntry {
            rule,
            field: Some(field.to_owned()),
            message: format!("conflict: `{field}` is set {listed}"),
        });
    }
}

/// The first 16 hex digits of SHA-256 over the policy name, the action's kind, its own
/// fields (without `due`, which moves with `now`) and its arguments with sorted keys.
fn action_key(policy: &str, kind: &ActionKind, args: Option<&Map<String, Json>>) -> String {
    hex_key(action_hasher(policy, kind, args))
}

/// A money action's key: [`action_key`]'s digest, also over the rule's name and the
/// action's position among the rule's actions.
fn money_key(
    policy: &str,
    kind: &ActionKind,
    args: Option<&Map<String, Json>>,
    rule: &str,
    position: usize,
) -> String {
    let mut hasher = action_hasher(policy, kind, args);
    hasher.update([2]);
    hasher.update(rule.as_bytes());
    hasher.update([0]);
    hasher.update(position.to_string().as_bytes());
    hex_key(hasher)
}

/// The digest of the policy name, the action's kind, its own fields and its arguments.
fn action_hasher(policy: &str, kind: &ActionKind, args: Option<&Map<String, Json>>) -> Sha256 {
    let mut hasher = Sha256::new();
    hasher.update(policy.as_bytes());
    hasher.update([0]);
    hasher.update(kind.name().as_bytes());
    for (key, value) in kind.fields() {
        if key == "due" {
            continue;
        }
        hasher.update([0]);
        hasher.update(key.as_bytes());
        hasher.update([0]);
        hasher.update(canonical(&value).as_bytes());
    }
    if let Some(args) = args {
        let sorted: std::collections::BTreeMap<&String, &Json> = args.iter().collect();
        for (key, value) in sorted {
            hasher.update([1]);
            hasher.update(key.as_bytes());
            hasher.update([0]);
            hasher.update(canonical(value).as_bytes());
        }
    }
    hasher
}

/// The first 16 hex digits of a digest.
fn hex_key(hasher: Sha256) -> String {
    let digest = hasher.finalize();
    let mut key = String::with_capacity(16);
    for b in digest.iter().take(8) {
        for nibble in [b >> 4, b & 0xf] {
            key.extend(char::from_digit(u32::from(nibble), 16));
        }
    }
    key
}

/// The key of an action whose operand and arguments are constants, worked out once when
/// loading; `None` when it depends on the record or `now`, or does not evaluate.
pub(crate) fn constant_action_key(
    policy: &str,
    action: &crate::plan::ActionPlan,
    env: Env<'_>,
) -> Option<Box<str>> {
    let constant = |n: &crate::plan::Node| matches!(n, crate::plan::Node::Const(_));
    if !constant(action.operand()) || !action.args.iter().all(|(_, n)| constant(n)) {
        return None;
    }
    let mut cx = Ctx::new(env, None, Timestamp::UNIX_EPOCH);
    match rules::evaluate_action(&mut cx, action) {
        Ok(rules::Step::Value((kind, args, _, _))) => {
            Some(action_key(policy, &kind, args.as_ref()).into_boxed_str())
        }
        _ => None,
    }
}

/// The evaluator's part in compiling a policy (constant folding, keys of constant
/// actions), handed to `compile` by the caller.
pub(crate) struct Kernel;

impl crate::plan::Kernel for Kernel {
    fn constant(
        &self,
        node: &crate::plan::Node,
        env: Env<'_>,
    ) -> Option<crate::value::Value<'static>> {
        eval_constant(node, env)
    }

    fn action_key(
        &self,
        policy: &str,
        action: &crate::plan::ActionPlan,
        env: Env<'_>,
    ) -> Option<Box<str>> {
        constant_action_key(policy, action, env)
    }
}

/// JSON with object keys sorted, so equal values hash equally.
fn canonical(value: &Json) -> String {
    match value {
        Json::Object(map) => {
            let sorted: std::collections::BTreeMap<&String, String> =
                map.iter().map(|(k, v)| (k, canonical(v))).collect();
            let parts: Vec<String> = sorted
                .into_iter()
                .map(|(k, v)| format!("{}:{v}", Json::String(k.clone())))
                .collect();
            format!("{{{}}}", parts.join(","))
        }
        Json::Array(items) => {
            let parts: Vec<String> = items.iter().map(canonical).collect();
            format!("[{}]", parts.join(","))
        }
        other => other.to_string(),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn assert_send_sync<T: Send + Sync>() {}

    #[test]
    fn decisions_are_shareable() {
        assert_send_sync::<Decision>();
        assert_send_sync::<EvalOptions>();
    }

    #[test]
    fn keys_ignore_argument_order_and_due() {
        let mut a = Map::new();
        a.insert("x".into(), Json::from(1));
        a.insert("y".into(), Json::from(2));
        let mut b = Map::new();
        b.insert("y".into(), Json::from(2));
        b.insert("x".into(), Json::from(1));
        let tag = ActionKind::Tag { tag: "t".into() };
        assert_eq!(
            action_key("P", &tag, Some(&a)),
            action_key("P", &tag, Some(&b))
        );
        assert_ne!(
            action_key("P", &tag, Some(&a)),
            action_key("Q", &tag, Some(&a))
        );
        assert_ne!(action_key("P", &tag, None), action_key("P", &tag, Some(&a)));
        assert_eq!(action_key("P", &tag, None).len(), 16);
        let within = crate::value::Duration::from_secs(60).unwrap();
        let f1 = ActionKind::FollowUp {
            within,
            due: Timestamp::UNIX_EPOCH,
        };
        let f2 = ActionKind::FollowUp {
            within,
            due: Timestamp::MAX,
        };
        assert_eq!(action_key("P", &f1, None), action_key("P", &f2, None));
    }
}
