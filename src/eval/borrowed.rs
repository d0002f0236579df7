//! Evaluation into a reusable buffer, and the decision it gives as a borrowed view.
//!
//! Strategy: an [`Evaluation`] keeps every list a decision needs (actions with their rule
//! lists, fired rules, checks, undecided rules, errors) and is cleared, not freed, before
//! each record, so a host that keeps one per thread allocates nothing for a decision once
//! the buffer has grown to its records' size. Actions known at load are referred to, not
//! copied, and rules are kept as indexes; the [`DecisionRef`] names them from the plan.
//! [`evaluate`](super::evaluate) is this path followed by [`DecisionRef::to_decision`], so
//! the owned and the borrowed decision cannot differ.

use jiff::Timestamp;
use serde::Serialize;
use serde::ser::{SerializeSeq, SerializeStruct};
use serde_json::{Map, Value as Json};

use super::actions::{Actions, Required};
use super::budget;
use super::expr::Ctx;
use super::fast::Slots;
use super::line::LineLayout;
use super::rules::{Outcome, evaluate_rule};
use super::{EvalOptions, Explain, convert_seen, is_absent_path};
use crate::decision::{
    ActionJson, ActionKind, Check, Decision, ErrorEntry, RuleStatus, RuleTrace, Undecided,
};
use crate::plan::fast::Flat;
use crate::plan::{Block, Env, Plan, Walk};

/// A reusable buffer for evaluations: evaluating into it gives a [`DecisionRef`] that
/// borrows it, without allocating once it has grown to the records' size.
///
/// Keep one per thread (it is `Send`) and pass it to every evaluation:
///
/// ```
/// # use service_policy::{Evaluation, EvalOptions, Policy};
/// let policy = Policy::parse(r#"policy "P" {
///   record { priority: "low" | "urgent" }
///   rule urgent { when priority == "urgent" then escalate to "supervisor" }
/// }"#)?;
/// let options = EvalOptions::at("2026-03-02T10:00:00Z".parse()?);
/// let mut buffer = Evaluation::new();
/// for priority in ["low", "urgent"] {
///     let record = serde_json::json!({ "priority": priority });
///     let decision = policy.evaluate_into(&record, &options, &mut buffer);
///     // The same JSON as the owned decision's.
///     assert_eq!(
///         serde_json::to_string(&decision)?,
///         serde_json::to_string(&policy.evaluate(&record, &options))?
///     );
/// }
/// # Ok::<(), Box<dyn std::error::Error>>(())
/// ```
#[derive(Debug, Default)]
pub struct Evaluation {
    actions: Actions,
    /// The actions of the rule being evaluated.
    rule_actions: Vec<Required>,
    fired: Vec<u32>,
    checks: Vec<Check>,
    undecided: Vec<Undecided>,
    errors: Vec<ErrorEntry>,
    trace: Vec<RuleTrace>,
    slots: Slots,
    /// The layout the last JSON line was scanned with.
    layout: Option<LineLayout>,
}

impl Evaluation {
    /// An empty buffer.
    pub fn new() -> Evaluation {
        Evaluation::default()
    }

    /// The slots, for a caller that reads a record into them itself.
    pub(crate) fn slots_mut(&mut self) -> &mut Slots {
        &mut self.slots
    }

    pub(crate) fn take_layout(&mut self) -> Option<LineLayout> {
        self.layout.take()
    }

    pub(crate) fn keep_layout(&mut self, layout: Option<LineLayout>) {
        self.layout = layout;
    }

    fn clear(&mut self) {
        self.actions.clear();
        self.rule_actions.clear();
        self.fired.clear();
        self.checks.clear();
        self.undecided.clear();
        self.errors.clear();
        self.trace.clear();
    }
}

/// A decision that borrows its policy and the [`Evaluation`] it was evaluated into:
/// the same content as [`Decision`], serialised to the same JSON, byte for byte.
#[derive(Clone, Copy)]
pub struct DecisionRef<'e> {
    plan: &'e Plan,
    buffer: &'e Evaluation,
    now: Timestamp,
    recheck_at: Option<Timestamp>,
    traced: bool,
}

impl std::fmt::Debug for DecisionRef<'_> {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("DecisionRef")
            .field("policy", &self.policy())
            .field("now", &self.now)
            .field("actions", &self.buffer.actions.len())
            .field("fired", &self.buffer.fired.len())
            .finish_non_exhaustive()
    }
}

/// One action of a [`DecisionRef`].
#[derive(Clone, Copy, Debug)]
pub struct ActionRef<'e> {
    /// What to do.
    pub kind: &'e ActionKind,
    /// The `with { … }` arguments, or `None` without `with`.
    pub args: Option<&'e Map<String, Json>>,
    /// The action's key (see [`crate::Action::key`]).
    pub key: &'e str,
    rules: &'e [u32],
    plan: &'e Plan,
}

impl<'e> ActionRef<'e> {
    /// The rules that required it, in source order.
    pub fn rules(&self) -> impl ExactSizeIterator<Item = &'e str> + 'e {
        let plan = self.plan;
        self.rules.iter().map(move |i| rule_name(plan, *i))
    }
}

/// The name of rule `index` (always a rule of the plan: the evaluator only records those).
fn rule_name(plan: &Plan, index: u32) -> &str {
    plan.rules
        .get(index as usize)
        .map_or("", |rule| rule.name.as_str())
}

impl<'e> DecisionRef<'e> {
    /// The policy's name.
    pub fn policy(&self) -> &'e str {
        &self.plan.name
    }

    /// The policy's version, if it has one.
    pub fn version(&self) -> Option<&'e str> {
        self.plan.version.as_deref()
    }

    /// The evaluation instant.
    pub fn now(&self) -> Timestamp {
        self.now
    }

    /// Required actions, merged, in source order.
    pub fn actions(&self) -> impl Iterator<Item = ActionRef<'e>> + 'e {
        let plan = self.plan;
        self.buffer
            .actions
            .iter(&plan.templates)
            .map(move |view| ActionRef {
                kind: view.kind,
                args: view.args,
                key: view.key,
                rules: view.rules,
                plan,
            })
    }

    /// The rules that applied (in `first of`, only the chosen one).
    pub fn fired(&self) -> impl ExactSizeIterator<Item = &'e str> + 'e {
        let plan = self.plan;
        self.buffer.fired.iter().map(move |i| rule_name(plan, *i))
    }

    /// The state of every deadline and limit of the rules that applied.
    pub fn checks(&self) -> &'e [Check] {
        &self.buffer.checks
    }

    /// The rules a missing value kept from being decided.
    pub fn undecided(&self) -> &'e [Undecided] {
        &self.buffer.undecided
    }

    /// Record problems, rule errors and `set` conflicts.
    pub fn errors(&self) -> &'e [ErrorEntry] {
        &self.buffer.errors
    }

    /// When to evaluate again if no data changes, or `None`.
    pub fn recheck_at(&self) -> Option<Timestamp> {
        self.recheck_at
    }

    /// Per rule: its status and the comparisons of its guard (explain on only).
    pub fn trace(&self) -> Option<&'e [RuleTrace]> {
        self.traced.then_some(self.buffer.trace.as_slice())
    }

    /// Appends the decision's JSON to `out`: the same text, byte for byte, as serialising
    /// it with `serde_json`, written mostly from parts the policy prepared when it was
    /// loaded (its name, its rules' names, the JSON of its actions known at load), so that
    /// a replay prints millions of decisions without a serialiser walking each one.
    ///
    /// ```
    /// # use service_policy::{Evaluation, EvalOptions, Policy};
    /// let policy = Policy::parse(r#"policy "P" {
    ///   rule always { then tag "seen" }
    /// }"#)?;
    /// let mut buffer = Evaluation::new();
    /// let record = serde_json::json!({});
    /// let decision = policy.evaluate_into(&record, &EvalOptions::at("2026-03-02T10:00:00Z".parse()?), &mut buffer);
    /// let mut text = String::new();
    /// decision.write_json(&mut text)?;
    /// assert_eq!(text, serde_json::to_string(&decision)?);
    /// # Ok::<(), Box<dyn std::error::Error>>(())
    /// ```
    pub fn write_json(&self, out: &mut String) -> Result<(), serde_json::Error> {
        use std::fmt::Write as _;
        let plan = self.plan;
        out.push_str(&plan.rendered.head);
        // A `String` takes every write: the result carries no error.
        let _ = write!(out, "{}", self.now);
        out.push_str("\",\"actions\":[");
        for (i, view) in self.buffer.actions.iter(&plan.templates).enumerate() {
            if i > 0 {
                out.push(',');
            }
            match view.template {
                Some(template) => {
                    out.push_str(&template.json.0);
                    self.push_rule_names(out, view.rules)?;
                    out.push_str(&template.json.1);
                }
                None => push_json(
                    out,
                    &ActionRef {
                        kind: view.kind,
                        args: view.args,
                        key: view.key,
                        rules: view.rules,
                        plan,
                    },
                )?,
            }
        }
        out.push_str("],\"checks\":");
        push_list(out, self.checks())?;
        out.push_str(",\"fired\":[");
        self.push_rule_names(out, &self.buffer.fired)?;
        out.push_str("],\"undecided\":");
        push_list(out, self.undecided())?;
        out.push_str(",\"errors\":");
        push_list(out, self.errors())?;
        out.push_str(",\"recheck_at\":");
        match self.recheck_at {
            Some(at) => {
                let _ = write!(out, "\"{at}\"");
            }
            None => out.push_str("null"),
        }
        if let Some(trace) = self.trace() {
            out.push_str(",\"trace\":");
            push_json(out, trace)?;
        }
        out.push('}');
        Ok(())
    }

    /// The names of rules, as JSON strings separated by commas.
    fn push_rule_names(&self, out: &mut String, rules: &[u32]) -> Result<(), serde_json::Error> {
        for (i, rule) in rules.iter().enumerate() {
            if i > 0 {
                out.push(',');
            }
            match self.plan.rendered.rules.get(*rule as usize) {
                Some(name) => out.push_str(name),
                None => push_json(out, rule_name(self.plan, *rule))?,
            }
        }
        Ok(())
    }

    /// The owned decision, equal in every field.
    pub fn to_decision(&self) -> Decision {
        let plan = self.plan;
        Decision {
            policy: plan.name.clone(),
            version: plan.version.clone(),
            now: self.now,
            actions: self
                .buffer
                .actions
                .to_owned(&plan.templates, |i| Some(rule_name(plan, i))),
            checks: self.buffer.checks.clone(),
            fired: self.fired().map(str::to_owned).collect(),
            undecided: self.buffer.undecided.clone(),
            errors: self.buffer.errors.clone(),
            recheck_at: self.recheck_at,
            trace: self.traced.then(|| self.buffer.trace.clone()),
        }
    }
}

/// Appends a value's JSON.
fn push_json<T: Serialize + ?Sized>(out: &mut String, value: &T) -> Result<(), serde_json::Error> {
    let text = serde_json::to_string(value)?;
    out.push_str(&text);
    Ok(())
}

/// Appends a list's JSON; an empty one (the usual case) without a serialiser.
fn push_list<T: Serialize>(out: &mut String, items: &[T]) -> Result<(), serde_json::Error> {
    if items.is_empty() {
        out.push_str("[]");
        return Ok(());
    }
    push_json(out, items)
}

/// A sequence serialised from an iterator it is given again for each serialisation.
struct Seq<F>(F);

impl<F, I> Serialize for Seq<F>
where
    F: Fn() -> I,
    I: Iterator,
    I::Item: Serialize,
{
    fn serialize<S: serde::Serializer>(&self, serializer: S) -> Result<S::Ok, S::Error> {
        let items = (self.0)();
        let mut seq = serializer.serialize_seq(items.size_hint().1)?;
        for item in items {
            seq.serialize_element(&item)?;
        }
        seq.end()
    }
}

impl Serialize for ActionRef<'_> {
    fn serialize<S: serde::Serializer>(&self, serializer: S) -> Result<S::Ok, S::Error> {
        ActionJson {
            kind: self.kind,
            args: self.args,
            rules: Seq(|| self.rules()),
            key: self.key,
        }
        .serialize(serializer)
    }
}

/// A timestamp written as the owned decision writes it.
struct Time(Timestamp);

impl Serialize for Time {
    fn serialize<S: serde::Serializer>(&self, serializer: S) -> Result<S::Ok, S::Error> {
        crate::decision::time(&self.0, serializer)
    }
}

/// An optional timestamp written as the owned decision writes it.
struct OptionalTime(Option<Timestamp>);

impl Serialize for OptionalTime {
    fn serialize<S: serde::Serializer>(&self, serializer: S) -> Result<S::Ok, S::Error> {
        crate::decision::optional_time(&self.0, serializer)
    }
}

impl Serialize for DecisionRef<'_> {
    /// The JSON of [`Decision`]: the same fields in the same order.
    fn serialize<S: serde::Serializer>(&self, serializer: S) -> Result<S::Ok, S::Error> {
        let traced = self.traced;
        let mut out = serializer.serialize_struct("Decision", 9 + usize::from(traced))?;
        out.serialize_field("policy", self.policy())?;
        out.serialize_field("version", &self.version())?;
        out.serialize_field("now", &Time(self.now))?;
        out.serialize_field("actions", &Seq(|| self.actions()))?;
        out.serialize_field("checks", self.checks())?;
        out.serialize_field("fired", &Seq(|| self.fired()))?;
        out.serialize_field("undecided", self.undecided())?;
        out.serialize_field("errors", self.errors())?;
        out.serialize_field("recheck_at", &OptionalTime(self.recheck_at))?;
        if let Some(trace) = self.trace() {
            out.serialize_field("trace", trace)?;
        } else {
            out.skip_field("trace")?;
        }
        out.end()
    }
}

/// How many rules with compiled guards cost about as much to decide as one read of the
/// record by the index (measured: `docs/performance.md`, "Wave 2").
const COMPILED_RULES_PER_INDEX_READ: usize = 8;

/// Whether walking every rule costs less than the index: every rule has a compiled guard
/// and there are few of them for the fields the index would read.
fn walk_whole(plan: &Plan, index: &crate::plan::RuleIndex, fast: bool) -> bool {
    fast && plan.fast.flat.is_some()
        && plan.rules.len() <= COMPILED_RULES_PER_INDEX_READ.saturating_mul(index.fields())
}

/// Evaluates a record against a plan into `buffer`.
///
/// Blocks are walked in source order and each outcome goes straight into the buffer, so
/// nothing is kept per rule. With an index and no trace, only the blocks the record's text
/// lets through are walked (see `plan::index`); the decision is the same. Without a trace,
/// the fields the compiled guards read are read once into slots first, and each rule with
/// a compiled guard is decided from them when they allow it (see `plan::fast`).
pub(crate) fn evaluate_into<'e>(
    plan: &'e Plan,
    record: &Json,
    options: &EvalOptions,
    buffer: &'e mut Evaluation,
) -> DecisionRef<'e> {
    buffer.clear();
    let trace_on = options.explain == Explain::On;
    let map = match record {
        Json::Object(map) => Some(map),
        other => {
            buffer.errors.push(super::not_an_object(other));
            None
        }
    };
    let fast = match map {
        Some(map) if !trace_on && !plan.fast.slots.is_empty() => {
            buffer.slots.read(&plan.fast, map);
            true
        }
        _ => false,
    };
    // Read into slots, a record with every required field costs one test.
    let all_there = fast && plan.fast.required_mask.is_some_and(|m| buffer.slots.absent & m == 0);
    if let Some(map) = map
        && !all_there
    {
        for (field, slot) in plan.required.iter().zip(required_slots(plan, fast)) {
            let absent = match slot {
                Some(slot) => buffer.slots.is_absent(slot),
                None => is_absent_path(map, &field.segments),
            };
            if absent {
                buffer.errors.push(super::missing_required(&field.dotted));
            }
        }
    }
    let walk = match (&plan.index, map) {
        (Some(index), Some(map)) if !trace_on && !walk_whole(plan, index, fast) => index
            .select(map, options.budget.rule_steps)
            .unwrap_or(Walk::All(0..plan.blocks.len())),
        _ => Walk::All(0..plan.blocks.len()),
    };
    let now = crate::value::whole_second(options.now);
    let source = Source::Record { map, fast, trace_on };
    // Reading the record is allowed: every rule is decided.
    let recheck_at = walk_rules(plan, source, walk, options, buffer).unwrap_or_default();
    finish(plan, now, recheck_at, trace_on, buffer)
}

/// Evaluates a record from its slots alone, as the caller wrote them into the buffer
/// ([`Evaluation::slots_mut`], in the order of the plan's slots): `None` when a rule needs
/// more than its slots (a slot it reads is unusable, its guard is not compiled, or its
/// actions are not known at load), and then the caller evaluates the record with
/// [`evaluate_into`]. The decision is the one [`evaluate_into`] gives for a record with
/// these slots.
pub(crate) fn evaluate_slots<'e>(
    plan: &'e Plan,
    options: &EvalOptions,
    buffer: &'e mut Evaluation,
) -> Option<DecisionRef<'e>> {
    buffer.clear();
    if options.explain == Explain::On || plan.fast.slots.is_empty() {
        return None;
    }
    if buffer.slots.values.len() != plan.fast.slots.len() {
        return None;
    }
    let all_there = plan.fast.required_mask.is_some_and(|m| buffer.slots.absent & m == 0);
    for (field, slot) in plan.required.iter().zip(required_slots(plan, true)) {
        if all_there {
            break;
        }
        if buffer.slots.is_absent(slot?) {
            buffer.errors.push(super::missing_required(&field.dotted));
        }
    }
    let walk = Walk::All(0..plan.blocks.len());
    let recheck_at = walk_rules(plan, Source::Slots, walk, options, buffer).ok()?;
    let now = crate::value::whole_second(options.now);
    Some(finish(plan, now, recheck_at, false, buffer))
}

/// Per required field, the slot that tells whether it is there (`None` without the fast
/// path, or for a field no slot reads).
fn required_slots(plan: &Plan, fast: bool) -> impl Iterator<Item = Option<u8>> + '_ {
    let slot = move |i: usize| plan.fast.required.get(i).copied().flatten().filter(|_| fast);
    (0..plan.required.len()).map(slot)
}

/// What the rules are evaluated from.
#[derive(Clone, Copy)]
enum Source<'r> {
    /// The record (absent when it is not an object); `fast` when its slots are read.
    Record {
        map: Option<&'r Map<String, Json>>,
        fast: bool,
        trace_on: bool,
    },
    /// The slots alone.
    Slots,
}

/// A rule needs the record, which the evaluation does not have.
struct NeedsRecord;

/// Evaluates the rules of the blocks `walk` yields into the buffer; the earliest recheck.
fn walk_rules(
    plan: &Plan,
    source: Source<'_>,
    walk: Walk<'_>,
    options: &EvalOptions,
    buffer: &mut Evaluation,
) -> Result<Option<Timestamp>, NeedsRecord> {
    let env = Env {
        consts: &plan.consts,
        tables: &plan.tables,
        calendars: &plan.calendars,
        tz: &plan.tz,
    };
    // Time is counted in whole seconds.
    let now = crate::value::whole_second(options.now);
    let (map, fast, trace_on) = match source {
        Source::Record {
            map,
            fast,
            trace_on,
        } => (map, fast, trace_on),
        Source::Slots => (None, true, false),
    };
    let mut walk = walk;
    if let (true, false, Some(flat), Walk::All(range)) = (fast, trace_on, &plan.fast.flat, &walk)
        && range.start == 0
    {
        match walk_flat(plan, flat, options.budget.rule_steps, buffer) {
            None => return Ok(None),
            Some(block) => walk = Walk::All(block..plan.blocks.len()),
        }
    }
    // The general evaluator's context, made when a rule first needs it.
    let mut general: Option<Ctx<'_>> = None;
    let mut recheck_at: Option<Timestamp> = None;
    for position in walk {
        let (members, first_of): (&[usize], bool) = match plan.blocks.get(position) {
            Some(Block::Single(index)) => (std::slice::from_ref(index), false),
            Some(Block::FirstOf(members)) => (members, true),
            None => continue,
        };
        let mut settled = false;
        for &index in members {
            let (Some(rule), Ok(id)) = (plan.rules.get(index), u32::try_from(index)) else {
                continue;
            };
            if settled {
                if trace_on {
                    buffer.trace.push(RuleTrace::new(
                        rule.name.clone(),
                        RuleStatus::Skipped,
                        Vec::new(),
                        Vec::new(),
                        Vec::new(),
                    ));
                }
                continue;
            }
            let compiled = match fast {
                true => plan.fast.rules.get(index).and_then(Option::as_ref),
                false => None,
            };
            let decided = compiled.and_then(|compiled| {
                let applies = buffer.slots.decide(compiled, options.budget.rule_steps)?;
                (!applies || compiled.constant_body).then_some(applies)
            });
            // Decided by its compiled guard (never with a trace): its actions are templates.
            if let Some(applies) = decided {
                if applies {
                    buffer.fired.push(id);
                    for action in &rule.then {
                        if let Some(template) = action.template {
                            let action = Required::Template(template);
                            buffer.actions.gather(&plan.templates, action, id);
                        }
                    }
                }
                settled = first_of && applies;
                continue;
            }
            if matches!(source, Source::Slots) {
                return Err(NeedsRecord);
            }
            buffer.rule_actions.clear();
            let cx = general.get_or_insert_with(|| {
                let mut cx = Ctx::new(env, map, now);
                cx.meter = budget::Meter::new(options.budget);
                cx
            });
            cx.meter.reset();
            let mut outcome = evaluate_rule(cx, rule, trace_on, &mut buffer.rule_actions);
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
                    buffer.undecided.push(Undecided {
                        rule: rule.name.clone(),
                        missing: missing.into_iter().map(str::to_owned).collect(),
                    });
                    RuleStatus::Undecided
                }
                Outcome::Error(fault) => {
                    buffer.errors.push(ErrorEntry {
                        rule: Some(rule.name.clone()),
                        field: fault.field,
                        message: fault.message,
                    });
                    RuleStatus::Error
                }
                Outcome::Applied { check, recheck } => {
                    buffer.fired.push(id);
                    buffer.checks.extend(check.map(|c| *c));
                    if let Some(at) = recheck {
                        recheck_at = Some(recheck_at.map_or(at, |r| r.min(at)));
                    }
                    for action in buffer.rule_actions.drain(..) {
                        buffer.actions.gather(&plan.templates, action, id);
                    }
                    RuleStatus::Applied
                }
            };
            if trace_on && let Some(cx) = general.as_mut() {
                buffer.trace.push(RuleTrace::new(
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
    Ok(recheck_at)
}

/// Decides a complete plan's rules from their slots, in order, until one needs the general
/// evaluator: `None` when every rule was decided (none has a check, so nothing is to be
/// rechecked), else the position of the block the general walk goes on from. That block's
/// rules decided so far did not apply, so they left nothing behind.
fn walk_flat(plan: &Plan, flat: &Flat, rule_steps: u64, buffer: &mut Evaluation) -> Option<usize> {
    let Evaluation {
        slots,
        actions,
        fired,
        ..
    } = buffer;
    let slots = &*slots;
    let mut settled: Option<u32> = None;
    for rule in &flat.rules {
        if settled == Some(rule.block) {
            continue;
        }
        let Some(applies) = slots.decide(&rule.compiled, rule_steps) else {
            return Some(rule.block as usize);
        };
        if applies {
            fired.push(rule.id);
            let (start, end) = rule.templates;
            let templates = flat.templates.get(start as usize..end as usize).unwrap_or(&[]);
            for &template in templates {
                actions.gather_template(&plan.templates, template, rule.id);
            }
            if rule.first_of {
                settled = Some(rule.block);
            }
        }
    }
    None
}

/// Works out the actions and gives the decision.
fn finish<'e>(
    plan: &'e Plan,
    now: Timestamp,
    recheck_at: Option<Timestamp>,
    traced: bool,
    buffer: &'e mut Evaluation,
) -> DecisionRef<'e> {
    buffer.actions.finish(
        &plan.templates,
        &plan.name,
        &plan.ladder,
        |i| plan.rules.get(i as usize).map(|r| r.name.as_str()),
        &mut buffer.errors,
    );
    DecisionRef {
        plan,
        buffer,
        now,
        recheck_at,
        traced,
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::Policy;
    use serde_json::json;

    const SOURCE: &str = r#"policy "P" {
      record { priority: "low" | "urgent", amount: number?, channel: text }
      rule urgent { when priority == "urgent" then escalate to "supervisor" }
      first of {
        rule big { when amount > 100 then tag "big" }
        rule small { when amount <= 100 then tag "small" }
      }
      rule phone { when channel == "phone" then notify "team" escalate to "supervisor" }
    }"#;

    fn load(source: &str) -> Policy {
        Policy::parse(source).unwrap_or_else(|e| panic!("{e:?}"))
    }

    fn read(policy: &Policy, record: Json, buffer: &mut Evaluation) {
        let Json::Object(map) = record else {
            panic!("an object")
        };
        buffer.clear();
        buffer.slots.read(&policy.plan().fast, &map);
    }

    #[test]
    fn a_complete_plan_is_flat_in_block_order_with_its_templates() {
        let policy = load(SOURCE);
        let flat = policy.plan().fast.flat.as_ref().expect("every rule compiles");
        let shape: Vec<_> = flat
            .rules
            .iter()
            .map(|r| (r.id, r.block, r.first_of, r.templates.1 - r.templates.0))
            .collect();
        assert_eq!(
            shape,
            [(0, 0, false, 1), (1, 1, true, 1), (2, 1, true, 1), (3, 2, false, 2)]
        );
        // `escalate to "supervisor"` of two rules: templates of one class, merged.
        let (a, b) = (&flat.rules[0], &flat.rules[3]);
        let class = |at: u32| policy.plan().templates[flat.templates[at as usize] as usize].class;
        assert_eq!(class(a.templates.0), class(b.templates.0 + 1));
        assert_ne!(class(b.templates.0), class(b.templates.0 + 1));
        // A guard the compiler leaves to the general evaluator: no flat list.
        let general = load(
            r#"policy "P" { record { note: text } rule r { when note matches "x+" then tag "x" } }"#,
        );
        assert!(general.plan().fast.flat.is_none());
    }

    #[test]
    fn the_flat_walk_settles_first_of_and_stops_where_a_rule_needs_more() {
        let policy = load(SOURCE);
        let plan = policy.plan();
        let flat = plan.fast.flat.as_ref().unwrap();
        let mut buffer = Evaluation::new();
        let record = json!({"priority": "urgent", "amount": 500, "channel": "phone"});
        read(&policy, record, &mut buffer);
        assert_eq!(walk_flat(plan, flat, u64::MAX, &mut buffer), None);
        // `small` is skipped once `big` applied; `supervisor` is gathered once, for two rules.
        assert_eq!(buffer.fired, [0, 1, 3]);
        assert_eq!(buffer.actions.len(), 3);

        // No amount: `big` needs the general evaluator (it is undecided), so the walk
        // hands over at its block, having decided only `urgent`.
        read(&policy, json!({"priority": "urgent", "channel": "email"}), &mut buffer);
        assert_eq!(walk_flat(plan, flat, u64::MAX, &mut buffer), Some(1));
        assert_eq!(buffer.fired, [0]);

        // A budget too small for a rule's general evaluation hands over too.
        read(&policy, json!({"priority": "low", "amount": 5, "channel": "x"}), &mut buffer);
        assert_eq!(walk_flat(plan, flat, 1, &mut buffer), Some(0));
    }

    #[test]
    fn decimal_constants_compile_and_decimal_numbers_read_straight() {
        let policy = load(
            r#"policy "P" { record { amount: number }
              rule big { when amount > 99.5 then tag "big" } }"#,
        );
        assert!(policy.plan().fast.flat.is_some());
        let options = EvalOptions::at("2026-03-02T10:00:00Z".parse().unwrap());
        let mut buffer = Evaluation::new();
        for (line, fires) in [
            (r#"{"amount": 99.75}"#, true),
            (r#"{"amount": 99.50}"#, false),
            (r#"{"amount": 1e2}"#, true),
            (r#"{"amount": 99}"#, false),
            (r#"{"amount": -0.0}"#, false),
        ] {
            let (decision, _) = policy
                .evaluate_json_line(line, None, &options, &mut buffer)
                .unwrap_or_else(|| panic!("{line} read straight"));
            assert_eq!(decision.fired().count() == 1, fires, "{line}");
        }
        // Beyond what a decimal holds: the general evaluator reports it.
        assert!(
            policy
                .evaluate_json_line(r#"{"amount": 1e100}"#, None, &options, &mut buffer)
                .is_none()
        );
    }

    #[test]
    fn a_record_with_every_required_field_is_checked_by_one_mask() {
        let policy = load(SOURCE);
        let plan = policy.plan();
        let mask = plan.fast.required_mask.expect("every required field has a slot");
        assert_eq!(mask.count_ones(), 2, "priority and channel");
        let options = EvalOptions::at("2026-03-02T10:00:00Z".parse().unwrap());
        let mut buffer = Evaluation::new();
        let decision = evaluate_into(plan, &json!({"priority": "low"}), &options, &mut buffer);
        let missing: Vec<_> = decision.errors().iter().map(|e| e.field.clone()).collect();
        assert_eq!(missing, [Some("channel".to_owned())]);
    }
}
