//! Evaluation: plan + record + now → [`Decision`].
//!
//! Strategy: the record is borrowed, never copied; each rule is evaluated on its own
//! (atomic: missing anywhere it needs makes it undecided, an error makes it `error`, and
//! neither touches other rules); `first of` blocks stop at their first rule that applies
//! or cannot be decided. Actions are then merged, escalations collapsed on the ladder and
//! conflicting `set`s reported. Evaluation performs no I/O, reads no clock and never
//! panics.

mod actions;
mod borrowed;
mod budget;
mod expr;
mod fast;
mod line;
#[cfg(any(test, feature = "internals"))]
mod reference;
mod rules;

use jiff::Timestamp;
use serde_json::{Map, Value as Json};
use sha2::{Digest, Sha256};

use crate::plan::Plan;

use crate::plan::Env;
pub use budget::{Budget, DEFAULT_RULE_STEPS};
pub use crate::decision::{
    Action, ActionKind, Check, Comparison, DeadlineCheck, DeadlineStatus, Decision, ErrorEntry,
    LimitCheck, LimitStatus, LimitValue, RuleStatus, RuleTrace, Undecided,
};
use expr::eval_constant;

pub use borrowed::{ActionRef, DecisionRef, Evaluation};
pub(crate) use borrowed::evaluate_into;
pub(crate) use line::evaluate_line;
use expr::Ctx;

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

/// Evaluates a record against a plan: [`evaluate_into`] a fresh buffer, then the owned
/// decision.
pub fn evaluate(plan: &Plan, record: &serde_json::Value, options: &EvalOptions) -> Decision {
    let mut buffer = Evaluation::new();
    evaluate_into(plan, record, options, &mut buffer).to_decision()
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

/// The error of a record that is not a JSON object (both evaluators report it alike).
pub(crate) fn not_an_object(record: &Json) -> crate::decision::ErrorEntry {
    crate::decision::ErrorEntry {
        rule: None,
        field: None,
        message: format!(
            "the record must be a JSON object, found `{}`",
            crate::value::describe_json(record)
        ),
    }
}

/// The error of a required field the record lacks (both evaluators report it alike).
pub(crate) fn missing_required(dotted: &str) -> crate::decision::ErrorEntry {
    crate::decision::ErrorEntry {
        rule: None,
        field: Some(dotted.to_owned()),
        message: format!("required field `{dotted}` is missing"),
    }
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

/// The value of an action whose operand and arguments are constants, worked out once when
/// loading; `None` when it depends on the record, or does not evaluate.
fn constant_action(action: &crate::plan::ActionPlan, env: Env<'_>) -> Option<actions::Owned> {
    let constant = |n: &crate::plan::Node| matches!(n, crate::plan::Node::Const(_));
    if !constant(action.operand()) || !action.args.iter().all(|(_, n)| constant(n)) {
        return None;
    }
    let mut cx = Ctx::new(env, None, Timestamp::UNIX_EPOCH);
    match rules::evaluate_action(&mut cx, action) {
        Ok(rules::Step::Value(actions::Required::Owned(owned))) => Some(*owned),
        _ => None,
    }
}

/// The key of an action whose operand and arguments are constants, worked out once when
/// loading; `None` when it depends on the record or `now`, or does not evaluate.
pub(crate) fn constant_action_key(
    policy: &str,
    action: &crate::plan::ActionPlan,
    env: Env<'_>,
) -> Option<Box<str>> {
    let owned = constant_action(action, env)?;
    Some(action_key(policy, &owned.kind, owned.args.as_ref()).into_boxed_str())
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

    fn template(
        &self,
        policy: &str,
        rule: &str,
        action: &crate::plan::ActionPlan,
        env: Env<'_>,
    ) -> Option<crate::plan::Template> {
        // A follow-up's `due` moves with `now`: it is never known at load.
        if matches!(action.kind, crate::plan::ActionKindPlan::FollowUp(_)) {
            return None;
        }
        let actions::Owned {
            kind,
            args,
            position,
            ..
        } = constant_action(action, env)?;
        let key = match kind.money() {
            Some(_) => money_key(policy, &kind, args.as_ref(), rule, position),
            None => action_key(policy, &kind, args.as_ref()),
        };
        Some(crate::plan::Template {
            kind,
            args,
            key: key.into_boxed_str(),
            class: 0,
            json: (Box::default(), Box::default()),
        })
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
        // A buffer per thread, and its decisions sent on.
        assert_send_sync::<Evaluation>();
        assert_send_sync::<DecisionRef<'static>>();
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
