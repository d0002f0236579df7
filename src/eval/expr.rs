//! Evaluating compiled expressions with three-valued logic.
//!
//! Missing propagates through every operator and function except `is missing`/`is
//! present`, `and`, `or` and aggregates (which skip missing elements). Every field read
//! that comes back missing is recorded, and the record is rolled back when the missing
//! value turned out not to matter (`false and x`), so an undecided rule names exactly the
//! fields that decided it.

use std::borrow::Cow;
use std::cmp::Ordering;
use std::sync::Arc;

use jiff::Timestamp;
use rust_decimal::Decimal;
use serde_json::{Map, Value as Json};

use super::budget::{Budget, Indexes, Meter, walk_steps};
use crate::ast::{Aggregate, CompareOp};
use crate::calendar::Calendar;
use crate::plan::{Builtin, CellPlan, CompPlan, Env, FieldRef, Node, TablePlan};
use crate::value::{
    ArithOp, List, Money, Value, ValueError, arith, compare, equals, harmonize, negate, read_json,
    traced_json,
};

/// Why an expression failed: the rule that evaluated it is `error`.
#[derive(Clone, Debug, PartialEq, Eq)]
pub(crate) struct Fault {
    pub(crate) field: Option<String>,
    pub(crate) message: String,
}

impl From<ValueError> for Fault {
    fn from(e: ValueError) -> Fault {
        Fault {
            field: None,
            message: e.0,
        }
    }
}

pub(super) fn fault<T>(message: impl Into<String>) -> Result<T, Fault> {
    Err(Fault {
        field: None,
        message: message.into(),
    })
}

/// One comparison seen while evaluating a guard, for the trace.
#[derive(Clone, Debug)]
pub(crate) struct Seen {
    pub(crate) expr: String,
    pub(crate) left: Json,
    pub(crate) right: Json,
    pub(crate) result: Json,
}

/// How many variables (comprehension variables and table inputs in scope at once) live
/// on the stack before the variable stack spills to the heap.
const INLINE_VARS: usize = 8;

/// The variable stack: inline up to [`INLINE_VARS`], so that comprehensions and table calls
/// allocate nothing in the usual case.
struct Stack<'a> {
    inline: [Value<'a>; INLINE_VARS],
    len: usize,
    spill: Vec<Value<'a>>,
}

impl<'a> Stack<'a> {
    fn new() -> Stack<'a> {
        Stack {
            inline: std::array::from_fn(|_| Value::Missing),
            len: 0,
            spill: Vec::new(),
        }
    }

    fn len(&self) -> usize {
        self.len + self.spill.len()
    }

    fn get(&self, index: usize) -> Option<&Value<'a>> {
        if index < self.len {
            self.inline.get(index)
        } else {
            self.spill.get(index - self.len)
        }
    }

    fn push(&mut self, value: Value<'a>) {
        // INVARIANT: the inline part is full before anything spills.
        if self.spill.is_empty()
            && let Some(slot) = self.inline.get_mut(self.len)
        {
            *slot = value;
            self.len += 1;
        } else {
            self.spill.push(value);
        }
    }

    fn truncate(&mut self, len: usize) {
        if len <= self.len {
            self.spill.clear();
            for slot in self.inline.iter_mut().skip(len).take(self.len - len) {
                *slot = Value::Missing;
            }
            self.len = len;
        } else {
            self.spill.truncate(len - self.len);
        }
    }
}

/// A short list kept inline, spilling to the heap past `N` entries, so that the usual
/// evaluation allocates nothing for it.
struct Inline<T, const N: usize> {
    items: [Option<T>; N],
    len: usize,
    spill: Vec<T>,
}

impl<T, const N: usize> Inline<T, N> {
    fn new() -> Inline<T, N> {
        Inline {
            items: std::array::from_fn(|_| None),
            len: 0,
            spill: Vec::new(),
        }
    }

    fn push(&mut self, value: T) {
        // INVARIANT: the inline part is full before anything spills.
        if self.spill.is_empty()
            && let Some(slot) = self.items.get_mut(self.len)
        {
            *slot = Some(value);
            self.len += 1;
        } else {
            self.spill.push(value);
        }
    }

    fn retain(&mut self, mut keep: impl FnMut(&T) -> bool) {
        let mut kept = 0;
        for read in 0..self.len {
            let item = self.items.get_mut(read).and_then(Option::take);
            if let Some(item) = item
                && keep(&item)
                && let Some(slot) = self.items.get_mut(kept)
            {
                *slot = Some(item);
                kept += 1;
            }
        }
        self.len = kept;
        self.spill.retain(|item| keep(item));
        // Refill the inline part from the spill, in order, to keep the invariant.
        while self.len < N && !self.spill.is_empty() {
            let item = self.spill.remove(0);
            if let Some(slot) = self.items.get_mut(self.len) {
                *slot = Some(item);
                self.len += 1;
            }
        }
    }

    fn last_mut(&mut self) -> Option<&mut T> {
        if !self.spill.is_empty() {
            return self.spill.last_mut();
        }
        let last = self.len.checked_sub(1)?;
        self.items.get_mut(last).and_then(Option::as_mut)
    }

    fn iter(&self) -> impl DoubleEndedIterator<Item = &T> {
        self.items
            .iter()
            .take(self.len)
            .filter_map(Option::as_ref)
            .chain(self.spill.iter())
    }
}

/// The state of one evaluation.
pub(crate) struct Ctx<'a> {
    pub(crate) env: Env<'a>,
    pub(crate) record: Option<&'a Map<String, Json>>,
    pub(crate) now: Timestamp,
    /// Paths of fields read as missing, in order of reading (may repeat).
    pub(crate) missing: Vec<&'a str>,
    /// The paths among `missing` that the schema declares optional (absence is data).
    pub(crate) optional_missing: Vec<&'a str>,
    /// The optional fields whose absence decided a condition or check of the rule.
    pub(crate) absent: Vec<&'a str>,
    vars: Stack<'a>,
    base: usize,
    /// Comparisons seen, when tracing.
    pub(crate) seen: Option<Vec<Seen>>,
    /// The values of the plan's `now`-dependent constants, computed on first use.
    consts: Vec<Option<Result<Value<'a>, Fault>>>,
    /// Per running comprehension over a record list: its variable's slot, the list's path and
    /// the element's index, so an error names the element (`refunds[1].amount`).
    elements: Inline<(usize, Cow<'a, str>, usize), 4>,
    /// The steps of the rule being evaluated.
    pub(crate) meter: Meter,
    /// Hash sets of the unchanging lists that `in` and `contains` searched.
    indexes: Indexes<'a>,
}

type Out<'a> = Result<Value<'a>, Fault>;

impl<'a> Ctx<'a> {
    pub(crate) fn new(
        env: Env<'a>,
        record: Option<&'a Map<String, Json>>,
        now: Timestamp,
    ) -> Ctx<'a> {
        Ctx {
            env,
            record,
            now,
            missing: Vec::new(),
            optional_missing: Vec::new(),
            absent: Vec::new(),
            vars: Stack::new(),
            base: 0,
            seen: None,
            consts: Vec::new(),
            elements: Inline::new(),
            meter: Meter::new(Budget::default()),
            indexes: Indexes::default(),
        }
    }

    /// Evaluates a node.
    ///
    /// Only dispatches: each kind of node is evaluated in its own function, so the frame
    /// that recursion repeats stays small and deep expressions fit the stack.
    pub(crate) fn eval(&mut self, node: &'a Node) -> Out<'a> {
        self.meter.charge(1)?;
        match node {
            Node::Const(v) => Ok(v.reborrow()),
            Node::Field(field) => self.field(field),
            Node::Var { slot, rest, label } => self.var(*slot, rest, label),
            Node::Now => Ok(Value::Time(self.now)),
            Node::ConstRef(index) => self.constant(*index),
            Node::List(items) => self.list(items),
            Node::Neg(x) => self.negation(x),
            Node::Not(x) => self.not(x),
            Node::And(a, b) => self.and_or(a, b, false),
            Node::Or(a, b) => self.and_or(a, b, true),
            Node::Compare(op, a, b, text) => self.compare(*op, a, b, text),
            Node::Arith(op, a, b) => self.arith(*op, a, b),
            Node::PercentOf(fraction, x) => self.percent_of(*fraction, x),
            Node::In(negated, item, list, text) => self.is_in(*negated, item, list, text),
            Node::Contains(a, b, text) => self.contains(a, b, text),
            Node::Matches(x, re, text) => self.matches(x, re, text),
            Node::IsMissing(x, want_missing, text) => self.is_missing(x, *want_missing, text),
            Node::During(x, cal, text) => self.during(x, *cal, text),
            Node::BusinessTime(from, to, cal) => self.business_time(from, to, *cal),
            Node::Call(builtin, args, label) => self.call(*builtin, args, label),
            Node::Table(index, args, label) => self.table(*index, args, label),
            Node::Comprehension(c) => self.comprehension(c),
        }
    }

    #[inline(never)]
    fn list(&mut self, items: &'a [Node]) -> Out<'a> {
        let mut values = Vec::with_capacity(items.len());
        for item in items {
            values.push(self.eval(item)?);
        }
        Ok(Value::List(List::Owned(Arc::from(values))))
    }

    #[inline(never)]
    fn negation(&mut self, x: &'a Node) -> Out<'a> {
        let v = self.eval(x)?;
        Ok(negate(v)?)
    }

    #[inline(never)]
    fn not(&mut self, x: &'a Node) -> Out<'a> {
        Ok(match self.condition(x)? {
            Some(b) => Value::Bool(!b),
            None => Value::Missing,
        })
    }

    #[inline(never)]
    fn arith(&mut self, op: ArithOp, a: &'a Node, b: &'a Node) -> Out<'a> {
        let x = self.eval(a)?;
        let y = self.eval(b)?;
        Ok(arith(op, x, y)?)
    }

    #[inline(never)]
    fn percent_of(&mut self, fraction: Decimal, x: &'a Node) -> Out<'a> {
        let v = self.eval(x)?;
        Ok(arith(ArithOp::Mul, Value::Number(fraction), v)?)
    }

    /// Records a test in the trace, when tracing: its text, both operands and its result
    /// (null when undecided). Costs one branch when not tracing.
    #[inline]
    fn trace_test(
        &mut self,
        text: &str,
        left: &Value<'_>,
        right: impl FnOnce() -> Json,
        result: &Value<'_>,
    ) {
        if let Some(list) = self.seen.as_mut() {
            list.push(Seen {
                expr: text.to_owned(),
                left: left.to_json(),
                right: right(),
                result: match result {
                    Value::Bool(b) => Json::Bool(*b),
                    _ => Json::Null,
                },
            });
        }
    }

    #[inline(never)]
    fn is_in(&mut self, negated: bool, item: &'a Node, list: &'a Node, text: &str) -> Out<'a> {
        let x = self.eval(item)?;
        let l = self.eval(list)?;
        let out = self.membership(negated, &x, &l, list)?;
        self.trace_test(text, &x, || l.to_json(), &out);
        Ok(out)
    }

    fn membership(
        &mut self,
        negated: bool,
        x: &Value<'a>,
        l: &Value<'a>,
        list: &'a Node,
    ) -> Out<'a> {
        if x.is_missing() || l.is_missing() {
            return Ok(Value::Missing);
        }
        let Value::List(l) = l else {
            return fault(format!(
                "`in` needs a list on its right, found {}",
                l.kind()
            ));
        };
        let found = self.member(list, l, x)?;
        // A list written in the policy with a missing element (`x in [a, b]`, `a` absent)
        // cannot say "not in": that element might have matched (SPEC §6).
        if !found && written_with_missing(list, l) {
            return Ok(Value::Missing);
        }
        Ok(Value::Bool(found != negated))
    }

    #[inline(never)]
    fn contains(&mut self, a: &'a Node, b: &'a Node, text: &str) -> Out<'a> {
        let x = self.eval(a)?;
        let y = self.eval(b)?;
        let out = self.contains_value(&x, &y, a)?;
        self.trace_test(text, &x, || y.to_json(), &out);
        Ok(out)
    }

    /// `x contains y`: text in text, or an element in a list (`a` is the list's node).
    fn contains_value(&mut self, x: &Value<'a>, y: &Value<'a>, a: &'a Node) -> Out<'a> {
        match (x, y) {
            (Value::Missing, _) | (_, Value::Missing) => Ok(Value::Missing),
            (Value::Text(t), Value::Text(part)) => Ok(Value::Bool(t.contains(part.as_ref()))),
            (Value::List(l), _) => {
                let found = self.member(a, l, y)?;
                if !found && written_with_missing(a, l) {
                    return Ok(Value::Missing);
                }
                Ok(Value::Bool(found))
            }
            _ => fault(format!(
                "`contains` needs text and text, or a list, found {} and {}",
                x.kind(),
                y.kind()
            )),
        }
    }

    #[inline(never)]
    fn matches(&mut self, x: &'a Node, re: &regex::Regex, text: &str) -> Out<'a> {
        let v = self.eval(x)?;
        let out = match &v {
            Value::Missing => Value::Missing,
            Value::Text(t) => Value::Bool(re.is_match(t)),
            other => return fault(format!("`matches` needs text, found {}", other.kind())),
        };
        self.trace_test(text, &v, || Json::from(re.as_str()), &out);
        Ok(out)
    }

    #[inline(never)]
    fn is_missing(&mut self, x: &'a Node, want_missing: bool, text: &str) -> Out<'a> {
        let mark = self.missing.len();
        let v = self.eval(x)?;
        self.missing.truncate(mark);
        let out = Value::Bool(v.is_missing() == want_missing);
        self.trace_test(text, &v, || Json::Null, &out);
        Ok(out)
    }

    #[inline(never)]
    fn during(&mut self, x: &'a Node, cal: usize, text: &str) -> Out<'a> {
        let v = self.eval(x)?;
        let out = match as_time(&v, "during")? {
            None => Value::Missing,
            Some(t) => Value::Bool(self.calendar(cal)?.is_open(t)),
        };
        self.trace_test(text, &v, || Json::Null, &out);
        Ok(out)
    }

    #[inline(never)]
    fn business_time(&mut self, from: &'a Node, to: &'a Node, cal: usize) -> Out<'a> {
        let a = self.eval(from)?;
        let b = self.eval(to)?;
        let (Some(a), Some(b)) = (as_time(&a, "business_time")?, as_time(&b, "business_time")?)
        else {
            return Ok(Value::Missing);
        };
        let calendar = self.calendar(cal)?;
        self.meter.charge(walk_steps(a, b))?;
        let time = calendar
            .checked_business_time(a, b)
            .ok_or_else(|| super::rules::too_long(a, b))?;
        Ok(Value::Duration(time))
    }

    #[inline(never)]
    fn constant(&mut self, index: usize) -> Out<'a> {
        if let Some(Some(cached)) = self.consts.get(index) {
            return cached.clone();
        }
        if self.consts.len() <= index {
            self.consts.resize(index + 1, None);
        }
        // INVARIANT: a constant uses only constants of lower index (they are compiled
        // first), so computing them in order never recurses along a chain of constants.
        // Constants read no record field and no variable: evaluate in a fresh frame.
        let saved = std::mem::replace(&mut self.base, self.vars.len());
        for i in 0..=index {
            if matches!(self.consts.get(i), Some(Some(_))) {
                continue;
            }
            let value = match self.env.consts.get(i) {
                Some(node) => self.eval(node),
                None => fault("constant is not available"),
            };
            if let Some(slot) = self.consts.get_mut(i) {
                *slot = Some(value);
            }
        }
        self.base = saved;
        match self.consts.get(index) {
            Some(Some(value)) => value.clone(),
            _ => fault("constant is not available"),
        }
    }

    fn calendar(&self, index: usize) -> Result<&'a Calendar, Fault> {
        match self.env.calendars.get(index) {
            Some(c) => Ok(c),
            None => fault("calendar is not available"),
        }
    }

    /// Evaluates a condition: `Some(bool)`, or `None` when missing.
    /// Whether what was read as missing since `mark` is all optional fields that are
    /// absent (and something was): a condition or check missing only for that does not
    /// hold (SPEC §6).
    pub(crate) fn only_absent(&self, mark: usize) -> bool {
        let read = self.missing.get(mark..).unwrap_or_default();
        !read.is_empty() && read.iter().all(|m| self.optional_missing.contains(m))
    }

    /// Takes what was read as missing since `mark` as absent: named in the trace, not in
    /// `undecided`.
    pub(crate) fn settle_absent(&mut self, mark: usize) {
        if mark < self.missing.len() {
            for path in self.missing.drain(mark..) {
                if !self.absent.contains(&path) {
                    self.absent.push(path);
                }
            }
        }
    }

    pub(crate) fn condition(&mut self, node: &'a Node) -> Result<Option<bool>, Fault> {
        match self.eval(node)? {
            Value::Bool(b) => Ok(Some(b)),
            Value::Missing => Ok(None),
            other => fault(format!(
                "a condition must be true or false, found {}",
                other.kind()
            )),
        }
    }

    #[inline(never)]
    fn and_or(&mut self, a: &'a Node, b: &'a Node, is_or: bool) -> Out<'a> {
        // `decisive` is the value that settles the result alone: true for `or`, false for
        // `and`. Once it is seen, any missing read on the way did not matter.
        // An error on one side does not stop the other from deciding: `x == 1 and m > 1 USD`
        // and `m > 1 USD and x == 1` both give false when `x` is 2, whatever `m` holds, so
        // the order of operands never changes a rule's outcome.
        let decisive = is_or;
        let mark = self.missing.len();
        let x = self.condition(a);
        if matches!(x, Ok(Some(v)) if v == decisive) {
            self.missing.truncate(mark);
            return Ok(Value::Bool(decisive));
        }
        let y = self.condition(b);
        if matches!(y, Ok(Some(v)) if v == decisive) {
            self.missing.truncate(mark);
            return Ok(Value::Bool(decisive));
        }
        let (x, y) = (x?, y?);
        Ok(match (x, y) {
            (Some(_), Some(_)) => Value::Bool(!decisive),
            _ => Value::Missing,
        })
    }

    #[inline(never)]
    fn compare(&mut self, op: CompareOp, a: &'a Node, b: &'a Node, text: &str) -> Out<'a> {
        let (x, y) = (self.eval(a)?, self.eval(b)?);
        let result = if x.is_missing() || y.is_missing() {
            Value::Missing
        } else {
            let seen = self
                .seen
                .is_some()
                .then(|| (traced_json(x.to_json()), traced_json(y.to_json())));
            let outcome = compare_values(op, x, y)?;
            if let (Some(list), Some((left, right))) = (self.seen.as_mut(), seen) {
                list.push(Seen {
                    expr: text.to_owned(),
                    left,
                    right,
                    result: Json::Bool(outcome),
                });
            }
            return Ok(Value::Bool(outcome));
        };
        if let Some(list) = self.seen.as_mut() {
            list.push(Seen {
                expr: text.to_owned(),
                left: traced_json(x.to_json()),
                right: traced_json(y.to_json()),
                result: Json::Null,
            });
        }
        Ok(result)
    }

    #[inline(never)]
    fn field(&mut self, field: &'a FieldRef) -> Out<'a> {
        let missing = |cx: &mut Ctx<'a>| {
            cx.missing.push(&field.dotted);
            if field.optional {
                cx.optional_missing.push(&field.dotted);
            }
            Ok(Value::Missing)
        };
        let Some(mut map) = self.record else {
            return missing(self);
        };
        let Some((last, init)) = field.segments.split_last() else {
            return missing(self);
        };
        for (depth, segment) in init.iter().enumerate() {
            match map.get(segment.as_ref()) {
                None | Some(Json::Null) => return missing(self),
                Some(Json::Object(inner)) => map = inner,
                Some(other) => {
                    let prefix: Vec<&str> = field
                        .segments
                        .iter()
                        .take(depth + 1)
                        .map(AsRef::as_ref)
                        .collect();
                    return Err(Fault {
                        field: Some(field.dotted.to_string()),
                        message: format!(
                            "`{}` should be an object holding `{}`, found `{}`",
                            prefix.join("."),
                            field.dotted,
                            crate::value::describe_json(other)
                        ),
                    });
                }
            }
        }
        let Some(json) = map.get(last.as_ref()) else {
            return missing(self);
        };
        match read_json(json, &field.ty) {
            Ok(Value::Missing) => missing(self),
            Ok(v) => Ok(v),
            Err(e) => Err(Fault {
                field: Some(field.dotted.to_string()),
                message: format!("`{}`: {e}", field.dotted),
            }),
        }
    }

    fn var(&mut self, slot: usize, rest: &'a [Box<str>], label: &'a str) -> Out<'a> {
        let Some(mut value) = self.vars.get(self.base + slot).cloned() else {
            return fault(format!("`{label}` is not available here"));
        };
        let path = || {
            self.element_path(slot, rest)
                .unwrap_or_else(|| label.to_owned())
        };
        for segment in rest {
            value = match value {
                Value::Missing => break,
                Value::Object(o) => o.field(segment).map_err(|e| Fault {
                    field: Some(path()),
                    message: format!("`{label}`: {e}"),
                })?,
                other => {
                    return Err(Fault {
                        field: Some(path()),
                        message: format!("`{label}`: expected an object, found {}", other.kind()),
                    });
                }
            };
        }
        if value.is_missing() {
            self.missing.push(label);
        }
        Ok(value)
    }

    #[inline(never)]
    fn call(&mut self, builtin: Builtin, args: &'a [Node], label: &'a str) -> Out<'a> {
        if let (
            [single],
            Builtin::Min
            | Builtin::Max
            | Builtin::Count
            | Builtin::Sum
            | Builtin::Any
            | Builtin::All,
        ) = (args, builtin)
        {
            let v = self.eval(single)?;
            return match v {
                Value::Missing => Ok(Value::Missing),
                Value::List(list) => {
                    let agg = match builtin {
                        Builtin::Min => Aggregate::Min,
                        Builtin::Max => Aggregate::Max,
                        Builtin::Count => Aggregate::Count,
                        Builtin::Sum => Aggregate::Sum,
                        Builtin::Any => Aggregate::Any,
                        _ => Aggregate::All,
                    };
                    let mut acc = Acc::new(agg);
                    for item in list.iter() {
                        self.meter.charge(1)?;
                        let item = item.map_err(|e| Fault {
                            field: None,
                            message: format!("`{label}`: {e}"),
                        })?;
                        acc.add(item)?;
                    }
                    self.finish(acc, label)
                }
                other if matches!(builtin, Builtin::Min | Builtin::Max) => Ok(other),
                other => fault(format!("`{label}` needs a list, found {}", other.kind())),
            };
        }
        match builtin {
            Builtin::Min | Builtin::Max => {
                let mut best: Option<Value<'a>> = None;
                for arg in args {
                    let v = self.eval(arg)?;
                    if v.is_missing() {
                        return Ok(Value::Missing);
                    }
                    best = Some(match best {
                        None => v,
                        Some(b) => pick(builtin == Builtin::Min, b, v)?,
                    });
                }
                Ok(best.unwrap_or(Value::Missing))
            }
            _ => {
                let Some(arg) = args.first() else {
                    return fault(format!("`{label}` needs an argument"));
                };
                let v = self.eval(arg)?;
                self.function(builtin, v, label)
            }
        }
    }

    fn function(&mut self, builtin: Builtin, v: Value<'a>, label: &str) -> Out<'a> {
        if v.is_missing() {
            return Ok(Value::Missing);
        }
        let wrong = |v: &Value<'_>| fault(format!("`{label}` cannot take {}", v.kind()));
        match builtin {
            Builtin::Len => match &v {
                Value::Text(t) => Ok(Value::Number(Decimal::from(t.chars().count()))),
                Value::List(l) => Ok(Value::Number(Decimal::from(l.len()))),
                _ => wrong(&v),
            },
            Builtin::Lower => match v {
                Value::Text(t) => Ok(Value::Text(Cow::Owned(t.to_lowercase()))),
                other => wrong(&other),
            },
            Builtin::Upper => match v {
                Value::Text(t) => Ok(Value::Text(Cow::Owned(t.to_uppercase()))),
                other => wrong(&other),
            },
            Builtin::Abs => match v {
                Value::Number(n) => Ok(Value::Number(n.abs())),
                Value::Money(m) => Ok(Value::Money(Money {
                    amount: m.amount.abs(),
                    currency: m.currency,
                })),
                Value::Duration(d) if d.is_negative() => Ok(negate(Value::Duration(d))?),
                Value::Duration(d) => Ok(Value::Duration(d)),
                other => wrong(&other),
            },
            Builtin::Date | Builtin::Weekday | Builtin::Hour => {
                let Some(t) = as_time(&v, label)? else {
                    return Ok(Value::Missing);
                };
                let civil = self.env.tz.to_datetime(t);
                Ok(match builtin {
                    Builtin::Date => Value::Date(civil.date()),
                    Builtin::Weekday => Value::text(weekday_name(civil.weekday())),
                    _ => Value::Number(Decimal::from(civil.hour())),
                })
            }
            _ => wrong(&v),
        }
    }

    #[inline(never)]
    fn table(&mut self, index: usize, args: &'a [Node], label: &'a str) -> Out<'a> {
        let Some(table) = self.env.tables.get(index) else {
            return fault("table is not available");
        };
        let base = self.vars.len();
        let mark = self.missing.len();
        for arg in args {
            let v = self.eval(arg)?;
            self.vars.push(v);
        }
        let result = self.table_rows(table, base);
        self.vars.truncate(base);
        if let Ok(Value::Missing) = result
            && self.missing.len() == mark
        {
            // No row matched: name the call, since no field was missing.
            self.missing.push(label);
        }
        result
    }

    fn table_rows(&mut self, table: &'a TablePlan, base: usize) -> Out<'a> {
        'rows: for row in &table.rows {
            self.meter.charge(1)?;
            for (i, cell) in row.cells.iter().enumerate() {
                if matches!(cell, CellPlan::Any) {
                    continue;
                }
                let Some(arg) = self.vars.get(base + i).cloned() else {
                    continue 'rows;
                };
                if arg.is_missing() {
                    // The row cannot be decided, and a later row must not silently take
                    // its place: the call is missing.
                    return Ok(Value::Missing);
                }
                let hit = match cell {
                    CellPlan::Any => true,
                    CellPlan::Equals(v) => equals(arg, v.reborrow())?,
                    CellPlan::OneOf(options) => {
                        let mut any = false;
                        for option in options {
                            if equals(arg.clone(), option.reborrow())? {
                                any = true;
                                break;
                            }
                        }
                        any
                    }
                    CellPlan::Compare(op, v) => compare_values(*op, arg, v.reborrow())?,
                };
                if !hit {
                    continue 'rows;
                }
            }
            let saved = std::mem::replace(&mut self.base, base);
            let out = self.eval(&row.output);
            self.base = saved;
            return out;
        }
        Ok(Value::Missing)
    }

    #[inline(never)]
    fn comprehension(&mut self, c: &'a CompPlan) -> Out<'a> {
        if c.agg == Aggregate::Spans {
            // The checker lets `spans(…)` stand only after `excluding`, which reads it
            // through `span_events`.
            return fault(format!(
                "`{}` gives the paused intervals of `excluding` and can stand only there",
                c.label
            ));
        }
        let list = match self.eval(&c.list)? {
            Value::Missing => return Ok(Value::Missing),
            Value::List(list) => list,
            other => {
                return fault(format!(
                    "`{}` needs a list, found {}",
                    c.label,
                    other.kind()
                ));
            }
        };
        let mut acc = Acc::new(c.agg);
        self.each_element(c, &list, |cx, _| {
            let keep = match &c.filter {
                Some(filter) => cx.condition(filter)? == Some(true),
                None => true,
            };
            if keep {
                let v = cx.eval(&c.body)?;
                acc.add(v)?;
            }
            Ok(())
        })?;
        self.finish(acc, &c.label)
    }

    /// The events of `spans(E for X in LIST [where COND])`: each element's time E and
    /// whether COND holds for it, in list order; none when the list is missing. An element
    /// without a time is an error naming it (its pauses cannot be known).
    pub(crate) fn span_events(&mut self, c: &'a CompPlan) -> Result<Vec<(Timestamp, bool)>, Fault> {
        let list = match self.eval(&c.list)? {
            Value::Missing => return Ok(Vec::new()),
            Value::List(list) => list,
            other => {
                return fault(format!(
                    "`{}` needs a list, found {}",
                    c.label,
                    other.kind()
                ));
            }
        };
        let name = self.list_source(&c.list).map(Cow::into_owned);
        let mut events = Vec::with_capacity(list.len());
        self.each_element(c, &list, |cx, index| {
            let at = cx.eval(&c.body)?;
            let at = super::rules::event_time(&at, name.as_deref(), index)?;
            let pauses = match &c.filter {
                Some(filter) => cx.condition(filter)? == Some(true),
                None => true,
            };
            events.push((at, pauses));
            Ok(())
        })?;
        Ok(events)
    }

    /// Runs `step` for each element of a comprehension's list with its variable bound,
    /// paying one step an element; `step` gets the element's index. Unwinds the variable
    /// whatever happens.
    fn each_element(
        &mut self,
        c: &'a CompPlan,
        list: &List<'a>,
        mut step: impl FnMut(&mut Self, usize) -> Result<(), Fault>,
    ) -> Result<(), Fault> {
        let slot = self.base + c.slot;
        let source = self.list_source(&c.list);
        // INVARIANT: entries above this comprehension's slot belong to finished ones.
        self.elements.retain(|e| e.0 < slot);
        let numbered = source.is_some();
        if let Some(path) = source {
            self.elements.push((slot, path, 0));
        }
        let result = (|| {
            for (index, item) in list.iter().enumerate() {
                self.meter.charge(1)?;
                if numbered && let Some(last) = self.elements.last_mut() {
                    last.2 = index;
                }
                let item = item.map_err(|e| Fault {
                    field: None,
                    message: format!("`{}`: {e}", c.label),
                })?;
                // INVARIANT: the variable's slot is the top of the stack while its body runs.
                self.vars.truncate(slot);
                self.vars.push(item);
                let mark = self.missing.len();
                step(self, index)?;
                // What an element reads does not make the rule undecided: aggregates skip
                // missing elements, and `spans` refuses an element without a time.
                self.missing.truncate(mark);
            }
            Ok(())
        })();
        self.vars.truncate(slot);
        self.elements.retain(|e| e.0 < slot);
        result
    }

    /// The record path of a comprehension's list, when it is a record list: `refunds`, or
    /// `orders[2].items` for a list inside an element of an outer comprehension.
    fn list_source(&self, list: &'a Node) -> Option<Cow<'a, str>> {
        match list {
            Node::Field(field) => Some(Cow::Borrowed(&*field.dotted)),
            Node::Var { slot, rest, .. } => self.element_path(*slot, rest).map(Cow::Owned),
            _ => None,
        }
    }

    /// The record path of what a comprehension variable reads (`refunds[1].amount`), when
    /// it is an element of a record list.
    fn element_path(&self, slot: usize, rest: &[Box<str>]) -> Option<String> {
        let (_, list, index) = self
            .elements
            .iter()
            .rev()
            .find(|e| e.0 == self.base + slot)?;
        let mut path = format!("{list}[{index}]");
        for segment in rest {
            path.push('.');
            path.push_str(segment);
        }
        Some(path)
    }

    /// Whether a list holds a value (missing elements never match); from a hash set when
    /// the list is a record field or a constant, which cannot change during an evaluation.
    fn member(&mut self, node: &'a Node, list: &List<'a>, x: &Value<'a>) -> Result<bool, Fault> {
        let site = matches!(node, Node::Field(_) | Node::Const(_) | Node::ConstRef(_))
            .then_some(std::ptr::from_ref(node) as usize);
        self.indexes.member(site, list, x, &mut self.meter)
    }

    fn finish(&mut self, acc: Acc<'a>, label: &'a str) -> Out<'a> {
        match acc.finish() {
            Value::Missing => {
                self.missing.push(label);
                Ok(Value::Missing)
            }
            v => Ok(v),
        }
    }
}

/// Whether `list`, the value of `node`, is a list literal with a missing element. Lists from
/// the record skip their null elements, as aggregates do.
fn written_with_missing(node: &Node, list: &List<'_>) -> bool {
    matches!(node, Node::List(_)) && list.iter().any(|item| item.is_ok_and(|v| v.is_missing()))
}

/// `a OP b` on two present values.
pub(super) fn compare_values(op: CompareOp, a: Value<'_>, b: Value<'_>) -> Result<bool, Fault> {
    Ok(match op {
        CompareOp::Eq => equals(a, b)?,
        CompareOp::Ne => !equals(a, b)?,
        CompareOp::Lt => compare(a, b)? == Ordering::Less,
        CompareOp::Le => compare(a, b)? != Ordering::Greater,
        CompareOp::Gt => compare(a, b)? == Ordering::Greater,
        CompareOp::Ge => compare(a, b)? != Ordering::Less,
    })
}

/// The smaller (or larger) of two values.
pub(super) fn pick<'a>(min: bool, a: Value<'a>, b: Value<'a>) -> Result<Value<'a>, Fault> {
    // Return the values as compared: converted text, and an empty sum's zero in the other's
    // currency.
    let (a, b) = harmonize(a, b)?;
    let order = compare(a.clone(), b.clone())?;
    let take_b = if min {
        order == Ordering::Greater
    } else {
        order == Ordering::Less
    };
    Ok(if take_b { b } else { a })
}

/// A time, from a time or a text holding one; `None` when missing.
pub(super) fn as_time(v: &Value<'_>, what: &str) -> Result<Option<Timestamp>, Fault> {
    match v {
        Value::Missing => Ok(None),
        Value::Time(t) => Ok(Some(*t)),
        Value::Text(text) => match crate::value::parse_time(text) {
            Some(t) => Ok(Some(t)),
            None => fault(crate::value::not_a_time(text)),
        },
        other => fault(format!("`{what}` needs a time, found {}", other.kind())),
    }
}

pub(super) fn weekday_name(day: jiff::civil::Weekday) -> &'static str {
    use jiff::civil::Weekday::*;
    match day {
        Monday => "mon",
        Tuesday => "tue",
        Wednesday => "wed",
        Thursday => "thu",
        Friday => "fri",
        Saturday => "sat",
        Sunday => "sun",
    }
}

/// An aggregate being accumulated.
pub(super) struct Acc<'a> {
    agg: Aggregate,
    count: u64,
    value: Option<Value<'a>>,
    truth: Option<bool>,
}

impl<'a> Acc<'a> {
    pub(super) fn new(agg: Aggregate) -> Acc<'a> {
        Acc {
            agg,
            count: 0,
            value: None,
            truth: None,
        }
    }

    pub(super) fn add(&mut self, v: Value<'a>) -> Result<(), Fault> {
        if v.is_missing() {
            return Ok(());
        }
        match self.agg {
            Aggregate::Count => {
                if !matches!(v, Value::Bool(false)) {
                    self.count = self.count.saturating_add(1);
                }
            }
            Aggregate::Sum => {
                // Text elements (records without a schema) are read as money or a duration.
                let v = match v {
                    Value::Text(t) => match (Money::parse(&t), crate::value::parse_duration(&t)) {
                        (Ok(m), _) => Value::Money(m),
                        (_, Ok(d)) => Value::Duration(d),
                        _ => {
                            return fault(format!(
                                "cannot convert `{}` to money or duration",
                                crate::value::quote_text(&t)
                            ));
                        }
                    },
                    other => other,
                };
                self.value = Some(match self.value.take() {
                    None => match v {
                        Value::Number(_) | Value::Money(_) | Value::Duration(_) => v,
                        other => return fault(format!("cannot sum {}", other.kind())),
                    },
                    Some(acc) => arith(ArithOp::Add, acc, v)?,
                });
            }
            Aggregate::Min | Aggregate::Max => {
                self.value = Some(match self.value.take() {
                    None => {
                        // A lone element must still be orderable.
                        compare(v.clone(), v.clone())?;
                        v
                    }
                    Some(acc) => pick(self.agg == Aggregate::Min, acc, v)?,
                });
            }
            Aggregate::Any | Aggregate::All => {
                let Value::Bool(b) = v else {
                    return fault(format!(
                        "`{}` needs conditions, found {}",
                        self.agg.name(),
                        v.kind()
                    ));
                };
                let all = self.agg == Aggregate::All;
                let current = self.truth.unwrap_or(all);
                self.truth = Some(if all { current && b } else { current || b });
            }
            Aggregate::Spans => {
                return fault("`spans(…)` can stand only after `excluding`");
            }
        }
        Ok(())
    }

    pub(super) fn finish(self) -> Value<'a> {
        match self.agg {
            Aggregate::Count => Value::Number(Decimal::from(self.count)),
            // The zero of an empty sum takes the kind of what it meets (SPEC §6).
            Aggregate::Sum => self.value.unwrap_or(Value::Money(Money::zero_any())),
            Aggregate::Min | Aggregate::Max | Aggregate::Spans => {
                self.value.unwrap_or(Value::Missing)
            }
            Aggregate::Any => Value::Bool(self.truth.unwrap_or(false)),
            Aggregate::All => Value::Bool(self.truth.unwrap_or(true)),
        }
    }
}

/// Evaluates a node that needs neither the record nor `now` (constant folding); `None`
/// when it fails.
pub(crate) fn eval_constant(node: &Node, env: Env<'_>) -> Option<Value<'static>> {
    let mut cx = Ctx::new(env, None, Timestamp::UNIX_EPOCH);
    cx.eval(node).ok().map(Value::into_owned)
}

#[cfg(test)]
mod inline_tests {
    use super::Inline;

    #[test]
    fn inline_lists_keep_order_through_spilling_and_retaining() {
        let mut list: Inline<u32, 2> = Inline::new();
        for i in 0..5 {
            list.push(i);
        }
        assert_eq!(list.iter().copied().collect::<Vec<_>>(), [0, 1, 2, 3, 4]);
        assert_eq!(list.last_mut().copied(), Some(4));
        list.retain(|i| i % 2 == 0);
        assert_eq!(list.iter().copied().collect::<Vec<_>>(), [0, 2, 4]);
        assert_eq!(list.iter().rev().copied().collect::<Vec<_>>(), [4, 2, 0]);
        list.retain(|i| *i < 1);
        list.push(7);
        assert_eq!(list.iter().copied().collect::<Vec<_>>(), [0, 7]);
        assert_eq!(list.last_mut().copied(), Some(7));
        list.retain(|_| false);
        assert!(list.last_mut().is_none());
    }
}
