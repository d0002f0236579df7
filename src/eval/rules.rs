//! One rule: guard, deadline or limit, handlers and actions, evaluated atomically.

use jiff::Timestamp;
use rust_decimal::Decimal;
use serde_json::Map;

use super::budget::walk_steps;
use crate::decision::{
    ActionKind, Check, DeadlineCheck, DeadlineStatus, LimitCheck, LimitStatus, LimitValue,
};
use super::actions::Required;
use super::expr::{Ctx, Fault};
use crate::calendar::Clock;
use crate::plan::{ActionKindPlan, ActionPlan, CheckPlan, RulePlan, TriggerPlan};
use crate::value::{ArithOp, Duration, Money, Value, arith, compare, harmonize};

/// What one rule came to.
pub(crate) enum Outcome<'a> {
    /// The guard did not hold.
    NotApplied,
    /// The guard held; its check and the next instant its state would change (its
    /// actions are in the caller's list).
    Applied {
        check: Option<Box<Check>>,
        recheck: Option<Timestamp>,
    },
    /// A missing value decided it; the paths read as missing.
    Undecided(Vec<&'a str>),
    /// It failed.
    Error(Fault),
}

/// A step result: a value, or "missing" (the rule becomes undecided), or a fault.
pub(crate) enum Step<T> {
    Value(T),
    Missing,
}

pub(super) type StepResult<T> = Result<Step<T>, Fault>;

macro_rules! need {
    ($e:expr) => {
        match $e? {
            Step::Value(v) => v,
            Step::Missing => return Ok(Step::Missing),
        }
    };
}

/// Evaluates a rule, appending the actions it requires to `actions` when it applies (and
/// nothing otherwise). With `trace`, the guard's comparisons are left in `cx.seen`.
pub(crate) fn evaluate_rule<'a>(
    cx: &mut Ctx<'a>,
    rule: &'a RulePlan,
    trace: bool,
    actions: &mut Vec<Required>,
) -> Outcome<'a> {
    cx.missing.clear();
    cx.optional_missing.clear();
    cx.absent.clear();
    cx.seen = trace.then(Vec::new);
    let guard = guard(cx, rule);
    match guard {
        Err(fault) => return Outcome::Error(fault),
        Ok(None) => return Outcome::Undecided(dedup(&cx.missing)),
        Ok(Some(false)) => return Outcome::NotApplied,
        Ok(Some(true)) => {}
    }
    // The comparisons of checks and actions are not part of the guard's trace.
    let seen = cx.seen.take();
    cx.missing.clear();
    let mark = actions.len();
    let body = body(cx, rule, actions);
    cx.seen = seen;
    let outcome = match body {
        Err(fault) => Outcome::Error(fault),
        Ok(Step::Missing) => Outcome::Undecided(dedup(&cx.missing)),
        // The check's value or start is absent by declaration: the rule does not apply.
        Ok(Step::Value(None)) => Outcome::NotApplied,
        Ok(Step::Value(Some((check, recheck)))) => {
            return Outcome::Applied {
                check: check.map(Box::new),
                recheck,
            };
        }
    };
    actions.truncate(mark);
    outcome
}

fn dedup<'a>(paths: &[&'a str]) -> Vec<&'a str> {
    let mut out: Vec<&'a str> = Vec::new();
    for path in paths {
        if !out.contains(path) {
            out.push(path);
        }
    }
    out
}

/// `Some(true)` applies, `Some(false)` does not, `None` undecided.
///
/// A `when` or `unless` missing only because optional fields are absent does not hold.
fn guard<'a>(cx: &mut Ctx<'a>, rule: &'a RulePlan) -> Result<Option<bool>, Fault> {
    let when = match &rule.when {
        Some(node) => absent_is_false(cx, node)?,
        None => Some(true),
    };
    if when == Some(false) {
        return Ok(Some(false));
    }
    let unless = match &rule.unless {
        Some(node) => absent_is_false(cx, node)?,
        None => Some(false),
    };
    Ok(match (when, unless) {
        (_, Some(true)) => Some(false),
        (Some(true), Some(false)) => Some(true),
        _ => None,
    })
}

/// A condition, where missing only because optional fields are absent is false.
fn absent_is_false<'a>(
    cx: &mut Ctx<'a>,
    node: &'a crate::plan::Node,
) -> Result<Option<bool>, Fault> {
    let mark = cx.missing.len();
    let holds = cx.condition(node)?;
    if holds.is_none() && cx.only_absent(mark) {
        cx.settle_absent(mark);
        return Ok(Some(false));
    }
    Ok(holds)
}

/// What an applying rule gives besides its actions: its check and next change; `None` when
/// its check does not apply because the value or start it needs is absent by declaration.
type Body = Option<(Option<Check>, Option<Timestamp>)>;

fn body<'a>(cx: &mut Ctx<'a>, rule: &'a RulePlan, actions: &mut Vec<Required>) -> StepResult<Body> {
    for action in &rule.then {
        actions.push(need!(evaluate_action(cx, action)));
    }
    let mut check = None;
    let mut recheck = None;
    match &rule.check {
        None => {}
        Some(CheckPlan::Limit { value, strict, max }) => {
            // Both sides first, so an undecided limit names every missing field of it.
            let mark = cx.missing.len();
            let (v, m) = (present(cx.eval(value))?, present(cx.eval(max))?);
            let (Step::Value(v), Step::Value(m)) = (v, m) else {
                if cx.only_absent(mark) {
                    cx.settle_absent(mark);
                    return Ok(Step::Value(None));
                }
                return Ok(Step::Missing);
            };
            // The check prints the values as compared (an empty sum's zero in MAX's currency).
            let (v, m) = harmonize(v, m)?;
            let order = compare(v.clone(), m.clone())?;
            let within = if *strict {
                order.is_lt()
            } else {
                order.is_le()
            };
            let excess = if within {
                None
            } else {
                Some(limit_value(&arith(ArithOp::Sub, v.clone(), m.clone())?)?)
            };
            for handler in &rule.handlers {
                if matches!(handler.trigger, TriggerPlan::Exceed) && !within {
                    for action in &handler.actions {
                        actions.push(need!(evaluate_action(cx, action)));
                    }
                }
            }
            check = Some(Check::Limit(LimitCheck {
                rule: rule.name.clone(),
                status: if within {
                    LimitStatus::Within
                } else {
                    LimitStatus::Exceeded
                },
                value: limit_value(&v)?,
                limit: limit_value(&m)?,
                excess,
            }));
        }
        Some(CheckPlan::Deadline {
            done,
            within,
            start,
            calendar,
            excluding,
        }) => {
            let Some(d) = need!(deadline(
                cx,
                rule,
                done,
                within,
                start,
                *calendar,
                excluding.as_ref()
            )) else {
                return Ok(Step::Value(None));
            };
            actions.extend(d.actions);
            recheck = d.recheck;
            check = Some(Check::Deadline(d.check));
        }
    }
    Ok(Step::Value(Some((check, recheck))))
}

pub(super) fn present(v: Result<Value<'_>, Fault>) -> StepResult<Value<'_>> {
    Ok(match v? {
        Value::Missing => Step::Missing,
        v => Step::Value(v),
    })
}

pub(super) fn time_of(v: &Value<'_>, what: &str) -> Result<Timestamp, Fault> {
    match v {
        Value::Time(t) => Ok(*t),
        Value::Text(text) => crate::value::parse_time(text).ok_or_else(|| Fault {
            field: None,
            message: match crate::value::time_out_of_range(text) {
                true => format!(
                    "cannot convert `{}` to time for {what}: {}",
                    crate::value::quote_text(text),
                    crate::value::TIME_RANGE
                ),
                false => format!(
                    "cannot convert `{}` to time for {what}",
                    crate::value::quote_text(text)
                ),
            },
        }),
        other => Err(Fault {
            field: None,
            message: format!("{what} must be a time, found {}", other.kind()),
        }),
    }
}

/// A limit's side (or excess) as the decision types it.
pub(super) fn limit_value(v: &Value<'_>) -> Result<LimitValue, Fault> {
    LimitValue::from_value(v).map_err(|message| Fault {
        field: None,
        message,
    })
}

pub(super) fn duration_of(v: &Value<'_>, what: &str) -> Result<Duration, Fault> {
    match v {
        Value::Duration(d) => Ok(*d),
        Value::Text(text) => crate::value::parse_duration(text).map_err(|e| Fault {
            field: None,
            message: format!("{what}: {e}"),
        }),
        other => Err(Fault {
            field: None,
            message: format!("{what} must be a duration, found {}", other.kind()),
        }),
    }
}

struct DeadlineResult {
    check: DeadlineCheck,
    actions: Vec<Required>,
    recheck: Option<Timestamp>,
}

#[allow(clippy::too_many_arguments)]
fn deadline<'a>(
    cx: &mut Ctx<'a>,
    rule: &'a RulePlan,
    done: &'a crate::plan::Node,
    within: &'a crate::plan::Node,
    start: &'a crate::plan::Node,
    calendar: Option<usize>,
    excluding: Option<&'a crate::plan::Node>,
) -> StepResult<Option<DeadlineResult>> {
    let now = cx.now;
    // Both first, so an undecided deadline names every missing field of it.
    let mark = cx.missing.len();
    let (start_value, within_value) = (present(cx.eval(start))?, present(cx.eval(within))?);
    let (Step::Value(start_value), Step::Value(within_value)) = (start_value, within_value) else {
        // A start (or time allowed) absent by declaration: the deadline does not apply.
        if cx.only_absent(mark) {
            cx.settle_absent(mark);
            return Ok(Step::Value(None));
        }
        return Ok(Step::Missing);
    };
    let start_at = time_of(&start_value, "the start of a deadline")?;
    let target = duration_of(&within_value, "the time allowed")?;
    if target.is_negative() {
        return Err(Fault {
            field: None,
            message: format!("the time allowed `{target}` is negative"),
        });
    }
    // DONE missing means "not done yet", not "undecided".
    let mark = cx.missing.len();
    let done_value = cx.eval(done)?;
    cx.missing.truncate(mark);
    let done_at = match &done_value {
        Value::Missing => None,
        v => Some(time_of(v, "the completion of a deadline")?),
    };
    let (pauses, open_pause) = match excluding {
        Some(node) => pauses(cx, node)?,
        None => (Vec::new(), false),
    };
    let calendar = match calendar {
        Some(index) => Some(cx.env.calendars.get(index).ok_or_else(|| Fault {
            field: None,
            message: "calendar is not available".to_owned(),
        })?),
        None => None,
    };
    let clock = Clock {
        calendar,
        pauses: &pauses,
    };
    let deadline_at = clock
        .advance(start_at, target)
        .ok_or_else(|| deadline_out_of_range(target, start_at))?;
    // A deadline over a calendar walks it up to the deadline or the end of the work,
    // whichever is later: one step per day of that span, as `business_time` pays.
    if clock.calendar.is_some() {
        let end = deadline_at.max(done_at.unwrap_or(now));
        cx.meter.charge(walk_steps(start_at, end))?;
    }
    let (status, elapsed, remaining) = match done_at {
        Some(done_at) => {
            if done_at < start_at {
                return Err(Fault {
                    field: None,
                    message: format!(
                        "the work was done (`{done_at}`) before the clock started (`{start_at}`)"
                    ),
                });
            }
            let elapsed = clock
                .checked_running_time(start_at, done_at)
                .ok_or_else(|| too_long(start_at, done_at))?;
            let status = if done_at <= deadline_at {
                DeadlineStatus::Met
            } else {
                DeadlineStatus::Breached
            };
            (status, elapsed, None)
        }
        None => {
            let elapsed = clock
                .checked_running_time(start_at, now)
                .ok_or_else(|| too_long(start_at, now))?;
            if now > deadline_at {
                (DeadlineStatus::Breached, elapsed, None)
            } else {
                let remaining = target.checked_sub(elapsed).unwrap_or(Duration::ZERO);
                (DeadlineStatus::Pending, elapsed, Some(remaining))
            }
        }
    };
    let end = done_at.unwrap_or(now);
    let mut actions = Vec::new();
    // Only an unfinished deadline changes with time alone, and not while a pause that is
    // still open stops its clock.
    let moving = done_at.is_none() && !open_pause;
    let mut candidates: Vec<Timestamp> = Vec::new();
    if moving && status == DeadlineStatus::Pending {
        candidates.push(if deadline_at > now {
            deadline_at
        } else {
            // Breached means strictly after the deadline: the next whole second.
            now.checked_add(jiff::SignedDuration::from_secs(1))
                .unwrap_or(now)
        });
    }
    for handler in &rule.handlers {
        let fires = match &handler.trigger {
            TriggerPlan::At(fraction) => {
                let threshold = scaled(target, *fraction)?;
                let reached = elapsed >= threshold;
                if moving
                    && !reached
                    && status == DeadlineStatus::Pending
                    && let Some(at) = clock.advance(start_at, threshold)
                {
                    candidates.push(at);
                }
                status == DeadlineStatus::Pending && reached
            }
            TriggerPlan::Breach => status == DeadlineStatus::Breached,
            TriggerPlan::Met => status == DeadlineStatus::Met,
            TriggerPlan::Exceed => false,
            TriggerPlan::AfterBreach(node) => {
                let step = duration_of(&need!(present(cx.eval(node))), "`after breach by`")?;
                let late = clock
                    .checked_running_time(deadline_at, end)
                    .ok_or_else(|| too_long(deadline_at, end))?;
                let reached = status == DeadlineStatus::Breached && late >= step;
                if moving
                    && !reached
                    && let Some(at) = clock.advance(deadline_at, step)
                {
                    candidates.push(at);
                }
                reached
            }
        };
        if fires {
            for action in &handler.actions {
                actions.push(need!(evaluate_action(cx, action)));
            }
        }
    }
    let recheck = candidates.into_iter().filter(|t| *t > now).min();
    Ok(Step::Value(Some(DeadlineResult {
        check: DeadlineCheck {
            rule: rule.name.clone(),
            status,
            target,
            deadline: deadline_at,
            elapsed,
            remaining,
        },
        actions,
        recheck,
    })))
}

/// `P% of D`, rounded up to the whole second: a running time of whole seconds reaches it
/// exactly when it reaches the product.
fn scaled(target: Duration, fraction: Decimal) -> Result<Duration, Fault> {
    target
        .checked_mul_decimal_up(fraction)
        .ok_or_else(|| Fault {
            field: None,
            message: format!("`{target}` times {fraction} is out of range"),
        })
}

/// The pauses of `excluding`: a list of `{from, to?}`; a missing list has no pauses, an
/// element without `from` is skipped, and a missing `to` is still paused (until now).
/// Also says whether a pause is open at `now`.
fn pauses<'a>(
    cx: &mut Ctx<'a>,
    node: &'a crate::plan::Node,
) -> Result<(Vec<(Timestamp, Timestamp)>, bool), Fault> {
    let mark = cx.missing.len();
    if let crate::plan::Node::Comprehension(c) = node
        && c.agg == crate::ast::Aggregate::Spans
    {
        let events = cx.span_events(c);
        cx.missing.truncate(mark);
        return spans_pauses(events?, &mut cx.meter, cx.now);
    }
    let value = cx.eval(node)?;
    cx.missing.truncate(mark);
    // Errors name the interval's record path (`paused[1].from`) when the list is a field.
    let list_path = match node {
        crate::plan::Node::Field(field) => Some(&*field.dotted),
        _ => None,
    };
    read_pauses(value, list_path, cx.now)
}

/// The paused intervals of an evaluated `excluding` list, and whether one is still open
/// (`to` missing: paused until `now`). `list_path` names the list in the record, for
/// errors like `paused[1].from`.
pub(super) fn read_pauses(
    value: Value<'_>,
    list_path: Option<&str>,
    now: Timestamp,
) -> Result<(Vec<(Timestamp, Timestamp)>, bool), Fault> {
    let list = match value {
        Value::Missing => return Ok((Vec::new(), false)),
        Value::List(list) => list,
        other => {
            return Err(Fault {
                field: None,
                message: format!(
                    "`excluding` needs a list of `{{from, to}}`, found {}",
                    other.kind()
                ),
            });
        }
    };
    let mut out = Vec::with_capacity(list.len());
    let mut open = false;
    for (index, item) in list.iter().enumerate() {
        let path = |name: &str| list_path.map(|p| format!("{p}[{index}].{name}"));
        let item = item.map_err(|e| Fault {
            field: None,
            message: format!("a paused interval: {e}"),
        })?;
        let Value::Object(object) = item else {
            if item.is_missing() {
                continue;
            }
            return Err(Fault {
                field: None,
                message: format!(
                    "a paused interval must be `{{from, to}}`, found {}",
                    item.kind()
                ),
            });
        };
        let read = |name: &str| -> Result<Option<Timestamp>, Fault> {
            let v = object.field(name).map_err(|e| Fault {
                field: path(name),
                message: format!("a paused interval's `{name}`: {e}"),
            })?;
            match v {
                Value::Missing => Ok(None),
                v => time_of(&v, "a paused interval")
                    .map_err(|fault| Fault {
                        field: path(name),
                        ..fault
                    })
                    .map(Some),
            }
        };
        let Some(from) = read("from")? else {
            continue;
        };
        let to = match read("to")? {
            Some(to) => to,
            None => {
                if from <= now {
                    open = true;
                }
                now
            }
        };
        out.push((from, to));
    }
    Ok((out, open))
}

/// The time of element `index` of a `spans(…)` history. A missing time is an error naming
/// the element: without it the order of the history, and so every pause around it, is
/// unknown, and guessing could stop a clock that should run.
pub(super) fn event_time(
    v: &Value<'_>,
    list: Option<&str>,
    index: usize,
) -> Result<Timestamp, Fault> {
    let field = || list.map(|p| format!("{p}[{index}]"));
    if v.is_missing() {
        let which = match list {
            Some(p) => format!("`{p}[{index}]`"),
            None => format!("element {index}"),
        };
        return Err(Fault {
            field: field(),
            message: format!("`spans`: {which} has no time, so the pauses around it are unknown"),
        });
    }
    time_of(v, "the time of a `spans` element").map_err(|fault| Fault {
        field: field(),
        ..fault
    })
}

/// The steps sorting `n` events costs: `n` times the bits of `n` (an upper bound of the
/// comparisons a merge sort makes), charged alike by both evaluators.
pub(super) fn sort_steps(n: usize) -> u64 {
    let n = n as u64;
    n.saturating_mul(u64::from(u64::BITS - n.leading_zeros()))
}

/// The paused intervals of a `spans(…)` history (SPEC §7): the events ordered by time
/// (stable, so equal times keep the list's order); each event that starts a pause gives
/// the interval to the next event's time, the last one until `now`. Also says whether a
/// pause is open at `now`.
pub(super) fn spans_pauses(
    mut events: Vec<(Timestamp, bool)>,
    meter: &mut super::budget::Meter,
    now: Timestamp,
) -> Result<(Vec<(Timestamp, Timestamp)>, bool), Fault> {
    meter.charge(sort_steps(events.len()))?;
    events.sort_by_key(|e| e.0);
    let mut out = Vec::new();
    let mut open = false;
    let mut iter = events.iter().peekable();
    while let Some(&(at, pauses)) = iter.next() {
        if !pauses {
            continue;
        }
        match iter.peek() {
            Some(&&(next, _)) => out.push((at, next)),
            None => {
                if at <= now {
                    open = true;
                }
                out.push((at, now));
            }
        }
    }
    Ok((out, open))
}

/// The error for business or running time asked over a span longer than the calendar
/// counts (SPEC §7: refused, never cut short).
/// A deadline that cannot be placed: past the end of the range of times, or further from
/// its start than business and running time are counted.
pub(super) fn deadline_out_of_range(target: Duration, start_at: Timestamp) -> Fault {
    let span_end = start_at
        .as_nanosecond()
        .saturating_add(i128::from(crate::calendar::MAX_SPAN_DAYS) * 86_400 * 1_000_000_000);
    // When the span's end lies past the range, the deadline fell outside the range first.
    let why = if span_end > Timestamp::MAX.as_nanosecond() {
        format!(
            "it would fall past the end of the range of times ({})",
            crate::value::TIME_RANGE
        )
    } else {
        format!(
            "it would fall more than {} days (about 200 years) after its start",
            crate::calendar::MAX_SPAN_DAYS
        )
    };
    Fault {
        field: None,
        message: format!("the deadline `{target}` after `{start_at}` is out of range: {why}"),
    }
}

pub(super) fn too_long(from: Timestamp, to: Timestamp) -> Fault {
    Fault {
        field: None,
        message: format!(
            "the time from `{from}` to `{to}` spans more than {} days (about 200 years), \
             longer than business or running time is counted over",
            crate::calendar::MAX_SPAN_DAYS
        ),
    }
}

/// The amount of a money action: money, or text holding it (records without a schema).
pub(super) fn money_of(v: Value<'_>, what: &str) -> Result<Money, Fault> {
    match v {
        Value::Money(m) => Ok(m),
        Value::Text(t) => Money::parse(&t).map_err(|e| Fault {
            field: None,
            message: e.to_string(),
        }),
        other => Err(Fault {
            field: None,
            message: format!("{what} must be money, found {}", other.kind()),
        }),
    }
}

pub(super) fn text_of(v: &Value<'_>, what: &str) -> Result<String, Fault> {
    match v {
        Value::Text(t) => Ok(t.to_string()),
        other => Err(Fault {
            field: None,
            message: format!("{what} must be text, found {}", other.kind()),
        }),
    }
}

/// Evaluates an action's operand and arguments.
pub(crate) fn evaluate_action<'a>(
    cx: &mut Ctx<'a>,
    action: &'a ActionPlan,
) -> StepResult<Required> {
    if let Some(id) = action.template {
        // What evaluating its constant operand and arguments would charge, one step each.
        cx.meter.charge(1 + action.args.len() as u64)?;
        return Ok(Step::Value(Required::Template(id)));
    }
    let kind = match &action.kind {
        ActionKindPlan::Escalate(n) => ActionKind::Escalate {
            to: text_of(&need!(present(cx.eval(n))), "an escalation target")?,
        },
        ActionKindPlan::Notify(n) => ActionKind::Notify {
            to: text_of(&need!(present(cx.eval(n))), "who is notified")?,
        },
        ActionKindPlan::Assign(n) => ActionKind::Assign {
            to: text_of(&need!(present(cx.eval(n))), "an assignee")?,
        },
        ActionKindPlan::RequireApproval(n) => ActionKind::RequireApproval {
            from: text_of(&need!(present(cx.eval(n))), "an approver")?,
        },
        ActionKindPlan::FollowUp(n) => {
            let within = duration_of(&need!(present(cx.eval(n))), "a follow-up")?;
            let due = cx.now.checked_add(within.to_jiff()).map_err(|_| Fault {
                field: None,
                message: format!("a follow-up `{within}` from now is out of range"),
            })?;
            ActionKind::FollowUp { within, due }
        }
        ActionKindPlan::Refund(n) => ActionKind::Refund {
            amount: money_of(need!(present(cx.eval(n))), "a refund")?,
        },
        ActionKindPlan::Compensate(n) => ActionKind::Compensate {
            amount: money_of(need!(present(cx.eval(n))), "a compensation")?,
        },
        ActionKindPlan::Tag(n) => ActionKind::Tag {
            tag: text_of(&need!(present(cx.eval(n))), "a tag")?,
        },
        ActionKindPlan::Set(field, n) => ActionKind::Set {
            field: field.clone(),
            value: need!(present(cx.eval(n))).to_json(),
        },
        ActionKindPlan::Emit(n) => ActionKind::Emit {
            name: text_of(&need!(present(cx.eval(n))), "an event name")?,
        },
    };
    let args = if action.args.is_empty() {
        None
    } else {
        let mut map = Map::new();
        for (key, node) in &action.args {
            map.insert(key.clone(), need!(present(cx.eval(node))).to_json());
        }
        Some(map)
    };
    Ok(Step::Value(Required::owned(
        kind,
        args,
        action.key.clone(),
        action.position,
    )))
}
