//! The reference interpreter: the checked AST evaluated directly, without a plan.
//!
//! It exists to be obviously right rather than fast, and to be compared with the compiled
//! evaluator (property tests give both the same policies and records and demand the same
//! decision JSON). So it shares no code with `compile` and nothing of `eval` but the
//! decision types and the final assembly of actions (merging, ladder, `set` conflicts,
//! keys), which works on rule outcomes alone: names are looked up on every use, constants
//! are evaluated where they are read, regexes are compiled on every match, tables are
//! searched row by row with their cells evaluated each time, and calendars are built from
//! their definitions for every evaluation. There is no rule index: every rule is walked.
//!
//! Two behaviours of the compiled evaluator are part of the language's meaning and so are
//! reproduced here: a sub-expression that reads neither the record, `now` nor a variable
//! is evaluated "quietly" (as loading folds it: its comparisons are not traced and its
//! missing values name no field), and a `matches` pattern is compiled with the same size
//! limit.

use std::borrow::Cow;
use std::collections::HashMap;
use std::sync::Arc;

use jiff::Timestamp;
use jiff::tz::TimeZone;
use rust_decimal::Decimal;
use serde_json::{Map, Value as Json};

use super::budget::{Budget, Indexes, Meter, walk_steps};
use crate::decision::{
    ActionKind, Check, Comparison, DeadlineCheck, DeadlineStatus, Decision, ErrorEntry, LimitCheck,
    LimitStatus, RuleStatus, RuleTrace, Undecided,
};
use super::expr::{Acc, Fault, as_time, compare_values, fault, pick, weekday_name};
use super::rules::{
    Step, StepResult, duration_of, event_time, limit_value, money_of, present, read_pauses,
    spans_pauses, text_of, time_of, too_long,
};
use super::actions::{Actions, Required};
use super::{EvalOptions, Explain, is_absent_path};
use crate::ast::{
    self, ActionKind as AstAction, Aggregate, BinaryOp, CellKind, ClauseKind, CompareOp, Expr,
    ExprKind, Item, LimitOp, PolicyFile, RuleDef, TestOp, Trigger, UnaryOp,
};
use crate::calendar::{Calendar, Clock};
use crate::value::{
    ANY, ArithOp, Duration, FieldType, List, Money, Value, arith, compare, equals, negate,
    read_json, traced_json,
};

/// The size limit of a regex, as when loading.
const REGEX_SIZE_LIMIT: usize = 1 << 20;

/// Evaluates a record against a policy's AST directly. The policy must be one that
/// loads (parses, checks and compiles without errors); the result is then the same
/// decision, byte for byte, as the compiled evaluator's.
pub fn evaluate_reference(policy: &PolicyFile, record: &Json, options: &EvalOptions) -> Decision {
    let world = World::new(policy);
    run(&world, policy, record, options)
}

/// What a policy defines, looked up by name.
struct World<'p> {
    tz: TimeZone,
    version: Option<String>,
    ladder: Vec<String>,
    /// Declared record fields: path segments and type.
    fields: Vec<(Vec<&'p str>, FieldType, bool)>,
    consts: HashMap<&'p str, &'p Expr>,
    /// Whether each constant reads neither `now` nor anything else that varies (then
    /// loading folds it).
    pure: HashMap<&'p str, bool>,
    /// The constants each constant reads.
    deps: HashMap<&'p str, Vec<&'p str>>,
    tables: HashMap<&'p str, &'p ast::TableDef>,
    calendars: HashMap<&'p str, Calendar>,
}

impl<'p> World<'p> {
    fn new(policy: &'p PolicyFile) -> World<'p> {
        let mut world = World {
            tz: TimeZone::UTC,
            version: None,
            ladder: Vec::new(),
            fields: Vec::new(),
            consts: HashMap::new(),
            pure: HashMap::new(),
            deps: HashMap::new(),
            tables: HashMap::new(),
            calendars: HashMap::new(),
        };
        for item in &policy.items {
            match item {
                Item::Version(t) => world.version = Some(t.value.clone()),
                Item::Timezone(t) => {
                    if let Some(tz) = crate::calendar::time_zone(&t.value) {
                        world.tz = tz;
                    }
                }
                Item::Ladder(l) => {
                    world.ladder = l.levels.iter().map(|t| t.value.clone()).collect()
                }
                Item::Record(schema) => {
                    for f in &schema.fields {
                        world.fields.push((
                            f.path.segments.iter().map(|s| s.name.as_str()).collect(),
                            crate::plan::field_type(&f.ty.kind),
                            f.ty.optional,
                        ));
                    }
                }
                Item::Const(c) => {
                    world.consts.insert(&c.name.name, &c.value);
                }
                Item::Table(t) => {
                    world.tables.insert(&t.name.name, t);
                }
                _ => {}
            }
        }
        let names: Vec<&str> = world.consts.keys().copied().collect();
        for (name, expr) in world.consts.iter() {
            let mut found = Vec::new();
            const_refs(expr, &world.consts, &mut Vec::new(), &mut found);
            world.deps.insert(name, found);
        }
        for name in names {
            let pure = world.const_pure(name, 0);
            world.pure.insert(name, pure);
        }
        for item in &policy.items {
            if let Item::Calendar(def) = item
                && let Ok(calendar) = Calendar::from_def(def, &world.tz)
            {
                world.calendars.insert(&def.name.name, calendar);
            }
        }
        world
    }

    /// Whether a constant is pure (see `pure`), memoised; a chain deeper than loading
    /// allows, or a cycle, counts as not pure.
    fn const_pure(&mut self, name: &'p str, depth: usize) -> bool {
        if let Some(known) = self.pure.get(name) {
            return *known;
        }
        let Some(expr) = self.consts.get(name).copied() else {
            return false;
        };
        if depth > 4096 {
            return false;
        }
        let pure = self.expr_pure(expr, depth + 1);
        self.pure.insert(name, pure);
        pure
    }

    fn expr_pure(&mut self, e: &'p Expr, depth: usize) -> bool {
        match &e.kind {
            ExprKind::Literal(_) => true,
            ExprKind::Now | ExprKind::Comprehension(_) => false,
            ExprKind::Path(path) => match path.segments.as_slice() {
                [single] => self.const_pure(&single.name, depth),
                _ => false,
            },
            ExprKind::List(items) | ExprKind::Call(_, items) => {
                items.iter().all(|i| self.expr_pure(i, depth))
            }
            ExprKind::Unary(_, x)
            | ExprKind::PercentOf(_, x)
            | ExprKind::IsMissing(x, _)
            | ExprKind::During(x, _) => self.expr_pure(x, depth),
            ExprKind::Test(TestOp::Matches, x, _) => self.expr_pure(x, depth),
            ExprKind::Binary(_, a, b) | ExprKind::Test(_, a, b) => {
                self.expr_pure(a, depth) && self.expr_pure(b, depth)
            }
        }
    }

    /// Whether a record path may be absent by declaration: a declaration on the path is
    /// optional, or an object field on the way into the longest one is.
    fn path_optional(&self, segments: &[&str]) -> bool {
        let mut best: Option<(usize, &FieldType)> = None;
        let mut optional = false;
        for (path, ty, declared_optional) in &self.fields {
            let n = path.len();
            if n <= segments.len() && path.iter().zip(segments).all(|(a, b)| a == b) {
                optional |= *declared_optional;
                if best.is_none_or(|(m, _)| n > m) {
                    best = Some((n, ty));
                }
            }
        }
        let Some((n, mut ty)) = best else {
            return optional;
        };
        for segment in segments.iter().skip(n) {
            ty = match ty {
                FieldType::Object(fields) => match fields.iter().find(|f| f.name == *segment) {
                    Some(f) => {
                        optional |= f.optional;
                        &f.ty
                    }
                    None => &ANY,
                },
                _ => &ANY,
            };
        }
        optional
    }

    /// The declared type of a record path (the longest declaration that is a prefix,
    /// then into its object fields), borrowed from the world.
    fn path_type(&self, segments: &[&str]) -> &FieldType {
        if self.fields.is_empty() {
            return &ANY;
        }
        let mut best: Option<(usize, &FieldType)> = None;
        for (path, ty, _) in &self.fields {
            let n = path.len();
            if n <= segments.len()
                && path.iter().zip(segments).all(|(a, b)| a == b)
                && best.is_none_or(|(m, _)| n > m)
            {
                best = Some((n, ty));
            }
        }
        let Some((n, mut ty)) = best else {
            return &ANY;
        };
        for segment in segments.iter().skip(n) {
            ty = match ty {
                FieldType::Object(fields) => fields
                    .iter()
                    .find(|f| f.name == *segment)
                    .map_or(&ANY, |f| &f.ty),
                _ => &ANY,
            };
        }
        ty
    }
}

/// The constants an expression reads (names not bound by a comprehension inside it).
fn const_refs<'p>(
    e: &'p Expr,
    consts: &HashMap<&'p str, &'p Expr>,
    bound: &mut Vec<&'p str>,
    out: &mut Vec<&'p str>,
) {
    match &e.kind {
        ExprKind::Literal(_) | ExprKind::Now => {}
        ExprKind::Path(path) => {
            if let [single] = path.segments.as_slice()
                && !bound.contains(&single.name.as_str())
                && let Some((name, _)) = consts.get_key_value(single.name.as_str())
                && !out.contains(name)
            {
                out.push(name);
            }
        }
        ExprKind::List(items) | ExprKind::Call(_, items) => {
            items.iter().for_each(|i| const_refs(i, consts, bound, out))
        }
        ExprKind::Unary(_, x)
        | ExprKind::PercentOf(_, x)
        | ExprKind::IsMissing(x, _)
        | ExprKind::During(x, _) => const_refs(x, consts, bound, out),
        ExprKind::Binary(_, a, b) | ExprKind::Test(_, a, b) => {
            const_refs(a, consts, bound, out);
            const_refs(b, consts, bound, out);
        }
        ExprKind::Comprehension(c) => {
            const_refs(&c.list, consts, bound, out);
            bound.push(&c.var.name);
            const_refs(&c.body, consts, bound, out);
            if let Some(f) = &c.filter {
                const_refs(f, consts, bound, out);
            }
            bound.pop();
        }
    }
}

type Out<'a> = Result<Value<'a>, Fault>;

/// A rule's outcome and the comparisons its guard made.
/// A rule's outcome, the comparisons of its guard and the absent optional fields that
/// decided it.
type Evaluated = (Outcome, Vec<Comparison>, Vec<String>);

/// What one rule came to.
enum Outcome {
    NotApplied,
    Applied {
        check: Option<Box<Check>>,
        actions: Vec<Asked>,
        recheck: Option<Timestamp>,
    },
    Undecided(Vec<String>),
    Error(Fault),
}

struct Cx<'a> {
    world: &'a World<'a>,
    record: Option<&'a Map<String, Json>>,
    now: Timestamp,
    missing: Vec<String>,
    /// The paths among `missing` the schema declares optional.
    optional_missing: Vec<String>,
    /// The optional fields whose absence decided a condition or check of the rule.
    absent: Vec<String>,
    /// Variables in scope, innermost last; a table call starts a frame of its own.
    /// Each variable's name, value and, for an element of a record list, its record path
    /// (`refunds[1]`).
    vars: Vec<(&'a str, Value<'a>, Option<String>)>,
    base: usize,
    seen: Option<Vec<Comparison>>,
    /// The values of the constants read so far.
    const_values: HashMap<&'a str, Result<Value<'a>, Fault>>,
    /// The steps of the rule being evaluated, counted as the compiled evaluator does.
    meter: Meter,
    /// Hash sets of the unchanging lists `in` and `contains` searched.
    indexes: Indexes<'a>,
}

impl<'a> Cx<'a> {
    /// Whether an expression reads neither the record, `now` nor a variable (loading folds
    /// such an expression into its value).
    fn constant(&self, e: &'a Expr, scope: &[&str]) -> bool {
        match &e.kind {
            ExprKind::Literal(_) => true,
            ExprKind::Now | ExprKind::Comprehension(_) => false,
            ExprKind::Path(path) => {
                let Some(first) = path.segments.first() else {
                    return true;
                };
                if scope.contains(&first.name.as_str()) {
                    return false;
                }
                // A constant that reads `now` is not folded when loading.
                path.segments.len() == 1
                    && self
                        .world
                        .pure
                        .get(first.name.as_str())
                        .copied()
                        .unwrap_or(false)
            }
            ExprKind::List(items) => items.iter().all(|i| self.constant(i, scope)),
            ExprKind::Unary(_, x)
            | ExprKind::PercentOf(_, x)
            | ExprKind::IsMissing(x, _)
            | ExprKind::During(x, _) => self.constant(x, scope),
            ExprKind::Test(TestOp::Matches, x, _) => self.constant(x, scope),
            ExprKind::Binary(_, a, b) | ExprKind::Test(_, a, b) => {
                self.constant(a, scope) && self.constant(b, scope)
            }
            ExprKind::Call(name, args) => {
                if name.name == "business_time" {
                    return args.iter().take(2).all(|a| self.constant(a, scope));
                }
                args.iter().all(|a| self.constant(a, scope))
            }
        }
    }

    fn scope_names(&self) -> Vec<&'a str> {
        self.vars
            .iter()
            .skip(self.base)
            .map(|(name, _, _)| *name)
            .collect()
    }

    fn eval(&mut self, e: &'a Expr) -> Out<'a> {
        let scope = self.scope_names();
        if !matches!(e.kind, ExprKind::Literal(_)) && self.constant(e, &scope) {
            return self.quiet(e);
        }
        self.eval_loud(e)
    }

    /// Evaluates a constant expression as loading does: without the record, a trace or
    /// missing names; a failure is left to be met again where it is used.
    fn quiet(&mut self, e: &'a Expr) -> Out<'a> {
        let saved_record = self.record.take();
        let saved_seen = self.seen.take();
        // Loading computed the value once, outside any rule's budget; the rule pays one
        // step for it, as the compiled evaluator does for a folded constant.
        let unmetered = Meter::new(Budget {
            rule_steps: u64::MAX,
        });
        let saved_meter = std::mem::replace(&mut self.meter, unmetered);
        let mark = self.missing.len();
        let out = self.eval_loud(e);
        self.missing.truncate(mark);
        self.record = saved_record;
        self.seen = saved_seen;
        self.meter = saved_meter;
        match out {
            Ok(v) => {
                self.meter.charge(1)?;
                Ok(v)
            }
            // Loading kept the expression unfolded: evaluate it again, as the rule would.
            Err(_) => self.eval_loud(e),
        }
    }

    fn eval_loud(&mut self, e: &'a Expr) -> Out<'a> {
        self.meter.charge(1)?;
        match &e.kind {
            ExprKind::Literal(lit) => Ok(literal(lit)),
            ExprKind::List(items) => {
                let mut values = Vec::with_capacity(items.len());
                for item in items {
                    values.push(self.eval(item)?);
                }
                Ok(Value::List(List::Owned(Arc::from(values))))
            }
            ExprKind::Path(path) => self.path(path),
            ExprKind::Now => Ok(Value::Time(self.now)),
            ExprKind::Unary(UnaryOp::Neg, x) => {
                let v = self.eval(x)?;
                Ok(negate(v)?)
            }
            ExprKind::Unary(UnaryOp::Not, x) => Ok(match self.condition(x)? {
                Some(b) => Value::Bool(!b),
                None => Value::Missing,
            }),
            ExprKind::Binary(BinaryOp::And, a, b) => self.and_or(a, b, false),
            ExprKind::Binary(BinaryOp::Or, a, b) => self.and_or(a, b, true),
            ExprKind::Binary(BinaryOp::Compare(op), a, b) => self.compare(*op, a, b, e),
            ExprKind::Binary(op, a, b) => {
                let op = match op {
                    BinaryOp::Add => ArithOp::Add,
                    BinaryOp::Sub => ArithOp::Sub,
                    BinaryOp::Mul => ArithOp::Mul,
                    _ => ArithOp::Div,
                };
                let (x, y) = (self.eval(a)?, self.eval(b)?);
                Ok(arith(op, x, y)?)
            }
            ExprKind::PercentOf(p, x) => {
                let v = self.eval(x)?;
                Ok(arith(
                    ArithOp::Mul,
                    Value::Number(*p / Decimal::ONE_HUNDRED),
                    v,
                )?)
            }
            ExprKind::Test(TestOp::In, a, b) => self.membership(a, b, false, e),
            ExprKind::Test(TestOp::NotIn, a, b) => self.membership(a, b, true, e),
            ExprKind::Test(TestOp::Contains, a, b) => {
                let (x, y) = (self.eval(a)?, self.eval(b)?);
                let out = match (&x, &y) {
                    (Value::Missing, _) | (_, Value::Missing) => Ok(Value::Missing),
                    (Value::Text(t), Value::Text(part)) => {
                        Ok(Value::Bool(t.contains(part.as_ref())))
                    }
                    (Value::List(l), _) => {
                        let found = self.member(a, l, &y)?;
                        if !found && self.written_with_missing(a, l) {
                            Ok(Value::Missing)
                        } else {
                            Ok(Value::Bool(found))
                        }
                    }
                    _ => fault(format!(
                        "`contains` needs text and text, or a list, found {} and {}",
                        x.kind(),
                        y.kind()
                    )),
                }?;
                self.trace_test(e, &x, || y.to_json(), &out);
                Ok(out)
            }
            ExprKind::Test(TestOp::Matches, a, pattern) => {
                let pattern = match self.eval(pattern)? {
                    Value::Text(p) => p.into_owned(),
                    other => {
                        return fault(format!(
                            "`matches` needs a text pattern, found {}",
                            other.kind()
                        ));
                    }
                };
                let re = regex::RegexBuilder::new(&pattern)
                    .size_limit(REGEX_SIZE_LIMIT)
                    .dfa_size_limit(REGEX_SIZE_LIMIT)
                    .build()
                    .map_err(|e| Fault {
                        field: None,
                        message: format!("invalid regex `{pattern}`: {e}"),
                    })?;
                let v = self.eval(a)?;
                let out = match &v {
                    Value::Missing => Value::Missing,
                    Value::Text(t) => Value::Bool(re.is_match(t)),
                    other => {
                        return fault(format!("`matches` needs text, found {}", other.kind()));
                    }
                };
                self.trace_test(e, &v, || Json::from(pattern), &out);
                Ok(out)
            }
            ExprKind::IsMissing(x, want_missing) => {
                let mark = self.missing.len();
                let v = self.eval(x)?;
                self.missing.truncate(mark);
                let out = Value::Bool(v.is_missing() == *want_missing);
                self.trace_test(e, &v, || Json::Null, &out);
                Ok(out)
            }
            ExprKind::During(x, cal) => {
                let v = self.eval(x)?;
                let out = match as_time(&v, "during")? {
                    None => Value::Missing,
                    Some(t) => Value::Bool(self.calendar(&cal.name)?.is_open(t)),
                };
                self.trace_test(e, &v, || Json::Null, &out);
                Ok(out)
            }
            ExprKind::Call(name, args) => self.call(e, name, args),
            ExprKind::Comprehension(c) => self.comprehension(e, c),
        }
    }

    fn calendar(&self, name: &str) -> Result<&'a Calendar, Fault> {
        match self.world.calendars.get(name) {
            Some(c) => Ok(c),
            None => fault("calendar is not available"),
        }
    }

    fn condition(&mut self, e: &'a Expr) -> Result<Option<bool>, Fault> {
        match self.eval(e)? {
            Value::Bool(b) => Ok(Some(b)),
            Value::Missing => Ok(None),
            other => fault(format!(
                "a condition must be true or false, found {}",
                other.kind()
            )),
        }
    }

    /// The record path an expression reads a list from: a field's path, or an element's
    /// path and the fields after it (`orders[2].items`); `None` for anything else.
    fn record_path(&self, e: &'a Expr) -> Option<String> {
        let ExprKind::Path(path) = &e.kind else {
            return None;
        };
        let first = path.segments.first()?;
        let bound = self
            .vars
            .iter()
            .skip(self.base)
            .rev()
            .find(|(name, _, _)| *name == first.name);
        match bound {
            Some((_, _, origin)) => {
                let mut p = origin.clone()?;
                for segment in path.segments.iter().skip(1) {
                    p.push('.');
                    p.push_str(&segment.name);
                }
                Some(p)
            }
            None if path.segments.len() == 1
                && self.world.consts.contains_key(first.name.as_str()) =>
            {
                None
            }
            None => Some(path.dotted()),
        }
    }

    fn and_or(&mut self, a: &'a Expr, b: &'a Expr, is_or: bool) -> Out<'a> {
        // An error on one side does not stop the other from deciding.
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

    fn compare(&mut self, op: CompareOp, a: &'a Expr, b: &'a Expr, e: &'a Expr) -> Out<'a> {
        let (x, y) = (self.eval(a)?, self.eval(b)?);
        if x.is_missing() || y.is_missing() {
            if let Some(list) = self.seen.as_mut() {
                list.push(Comparison {
                    expr: crate::plan::print_expr(e),
                    left: traced_json(x.to_json()),
                    right: traced_json(y.to_json()),
                    result: Json::Null,
                });
            }
            return Ok(Value::Missing);
        }
        let jsons = self
            .seen
            .is_some()
            .then(|| (traced_json(x.to_json()), traced_json(y.to_json())));
        let outcome = compare_values(op, x, y)?;
        if let (Some(list), Some((left, right))) = (self.seen.as_mut(), jsons) {
            list.push(Comparison {
                expr: crate::plan::print_expr(e),
                left,
                right,
                result: Json::Bool(outcome),
            });
        }
        Ok(Value::Bool(outcome))
    }

    /// Whether a list is written in the policy (not folded when loading, so some element
    /// reads the record) and holds a missing element.
    fn written_with_missing(&self, e: &'a Expr, list: &List<'_>) -> bool {
        let scope = self.scope_names();
        matches!(e.kind, ExprKind::List(_))
            && !self.constant(e, &scope)
            && list.iter().any(|item| item.is_ok_and(|v| v.is_missing()))
    }

    fn membership(&mut self, a: &'a Expr, b: &'a Expr, negated: bool, e: &'a Expr) -> Out<'a> {
        let (x, l) = (self.eval(a)?, self.eval(b)?);
        let out = if x.is_missing() || l.is_missing() {
            Value::Missing
        } else {
            let Value::List(list) = &l else {
                return fault(format!(
                    "`in` needs a list on its right, found {}",
                    l.kind()
                ));
            };
            let found = self.member(b, list, &x)?;
            // A list written with a missing element cannot say "not in": it might have
            // matched.
            if !found && self.written_with_missing(b, list) {
                Value::Missing
            } else {
                Value::Bool(found != negated)
            }
        };
        self.trace_test(e, &x, || l.to_json(), &out);
        Ok(out)
    }

    /// Records a test in the trace, when tracing: the expression as written, both operands
    /// and the result (null when undecided).
    fn trace_test(
        &mut self,
        e: &'a Expr,
        left: &Value<'_>,
        right: impl FnOnce() -> Json,
        result: &Value<'_>,
    ) {
        if let Some(list) = self.seen.as_mut() {
            list.push(Comparison {
                expr: crate::plan::print_expr(e),
                left: left.to_json(),
                right: right(),
                result: match result {
                    Value::Bool(b) => Json::Bool(*b),
                    _ => Json::Null,
                },
            });
        }
    }

    /// Whether a list holds a value; from a hash set when the list is a record field or a
    /// constant (a path that names no variable, or an expression loading folds, such as a
    /// written list), which cannot change during an evaluation.
    fn member(&mut self, e: &'a Expr, list: &List<'a>, x: &Value<'a>) -> Result<bool, Fault> {
        let scope = self.scope_names();
        let unchanging = match &e.kind {
            ExprKind::Path(path) => path
                .segments
                .first()
                .is_some_and(|first| !scope.contains(&first.name.as_str())),
            _ => self.constant(e, &scope),
        };
        let site = unchanging.then_some(std::ptr::from_ref(e) as usize);
        self.indexes.member(site, list, x, &mut self.meter)
    }

    fn path(&mut self, path: &'a ast::Path) -> Out<'a> {
        let Some(first) = path.segments.first() else {
            return Ok(Value::Missing);
        };
        let label = || path.dotted();
        if let Some(index) = self
            .vars
            .iter()
            .skip(self.base)
            .rposition(|(name, _, _)| *name == first.name)
        {
            let (mut value, origin) = match self.vars.get(self.base + index) {
                Some((_, v, origin)) => (v.clone(), origin.clone()),
                None => return fault(format!("`{}` is not available here", label())),
            };
            // An error names the element's record path (`refunds[1].amount`) when it has one.
            let where_ = || match &origin {
                Some(o) => {
                    let mut p = o.clone();
                    for segment in path.segments.iter().skip(1) {
                        p.push('.');
                        p.push_str(&segment.name);
                    }
                    p
                }
                None => label(),
            };
            for segment in path.segments.iter().skip(1) {
                value = match value {
                    Value::Missing => break,
                    Value::Object(o) => o.field(&segment.name).map_err(|e| Fault {
                        field: Some(where_()),
                        message: format!("`{}`: {e}", label()),
                    })?,
                    other => {
                        return Err(Fault {
                            field: Some(where_()),
                            message: format!(
                                "`{}`: expected an object, found {}",
                                label(),
                                other.kind()
                            ),
                        });
                    }
                };
            }
            if value.is_missing() {
                self.missing.push(label());
            }
            return Ok(value);
        }
        if path.segments.len() == 1
            && let Some(expr) = self.world.consts.get(first.name.as_str()).copied()
        {
            if let Some(known) = self.const_values.get(first.name.as_str()) {
                return known.clone();
            }
            // The constants it reads first, deepest first and without recursion, so that
            // a long chain of constants does not nest evaluations.
            for dep in self.dependencies(&first.name) {
                if self.const_values.contains_key(dep) {
                    continue;
                }
                let Some(dep_expr) = self.world.consts.get(dep).copied() else {
                    continue;
                };
                let value = self.const_value(dep_expr);
                self.const_values.insert(dep, value);
            }
            // A constant is evaluated where it is first read and keeps its value for the
            // rest of the evaluation (as loading folds a pure one once, and evaluation
            // computes one that reads `now` once).
            let out = self.const_value(expr);
            self.const_values.insert(&first.name, out.clone());
            return out;
        }
        self.field(path)
    }

    /// The constants a constant depends on, transitively, each after those it reads.
    fn dependencies(&self, name: &'a str) -> Vec<&'a str> {
        let mut order: Vec<&'a str> = Vec::new();
        let mut stack: Vec<(&'a str, usize)> = vec![(name, 0)];
        let mut visiting: Vec<&'a str> = vec![name];
        while let Some((current, next)) = stack.pop() {
            let deps = self.world.deps.get(current).map_or(&[][..], Vec::as_slice);
            if let Some(&dep) = deps.get(next) {
                stack.push((current, next + 1));
                if !visiting.contains(&dep) && !order.contains(&dep) {
                    visiting.push(dep);
                    stack.push((dep, 0));
                }
            } else if current != name {
                order.push(current);
            }
        }
        order
    }

    /// A constant's value, in a scope of its own.
    fn const_value(&mut self, expr: &'a Expr) -> Out<'a> {
        let saved = std::mem::replace(&mut self.base, self.vars.len());
        let out = self.eval(expr);
        self.base = saved;
        out
    }

    /// Notes a record field read as missing (and whether the schema lets it be absent).
    fn absent_field(&mut self, dotted: String, segments: &[&str]) -> Value<'a> {
        if self.world.path_optional(segments) {
            self.optional_missing.push(dotted.clone());
        }
        self.missing.push(dotted);
        Value::Missing
    }

    /// Whether what was read as missing since `mark` is all optional fields that are
    /// absent (and something was).
    fn only_absent(&self, mark: usize) -> bool {
        let read = self.missing.get(mark..).unwrap_or_default();
        !read.is_empty() && read.iter().all(|m| self.optional_missing.contains(m))
    }

    /// Takes what was read as missing since `mark` as absent (for the trace).
    fn settle_absent(&mut self, mark: usize) {
        if mark < self.missing.len() {
            for path in self.missing.drain(mark..) {
                if !self.absent.contains(&path) {
                    self.absent.push(path);
                }
            }
        }
    }

    /// A condition, where missing only because optional fields are absent is false.
    fn absent_is_false(&mut self, e: &'a Expr) -> Result<Option<bool>, Fault> {
        let mark = self.missing.len();
        let holds = self.condition(e)?;
        if holds.is_none() && self.only_absent(mark) {
            self.settle_absent(mark);
            return Ok(Some(false));
        }
        Ok(holds)
    }

    fn field(&mut self, path: &'a ast::Path) -> Out<'a> {
        let dotted = path.dotted();
        let segments: Vec<&'a str> = path.segments.iter().map(|s| s.name.as_str()).collect();
        let Some(mut map) = self.record else {
            return Ok(self.absent_field(dotted, &segments));
        };
        let Some((last, init)) = segments.split_last() else {
            return Ok(self.absent_field(dotted, &segments));
        };
        for (depth, segment) in init.iter().enumerate() {
            match map.get(*segment) {
                None | Some(Json::Null) => {
                    return Ok(self.absent_field(dotted, &segments));
                }
                Some(Json::Object(inner)) => map = inner,
                Some(other) => {
                    let prefix = segments
                        .iter()
                        .take(depth + 1)
                        .copied()
                        .collect::<Vec<_>>()
                        .join(".");
                    return Err(Fault {
                        field: Some(dotted.clone()),
                        message: format!(
                            "`{prefix}` should be an object holding `{dotted}`, found `{}`",
                            crate::value::describe_json(other)
                        ),
                    });
                }
            }
        }
        let Some(json) = map.get(*last) else {
            return Ok(self.absent_field(dotted, &segments));
        };
        let ty: &'a FieldType = self.world.path_type(&segments);
        match read_json(json, ty) {
            Ok(Value::Missing) => Ok(self.absent_field(dotted, &segments)),
            Ok(v) => Ok(v),
            Err(e) => Err(Fault {
                field: Some(dotted.clone()),
                message: format!("`{dotted}`: {e}"),
            }),
        }
    }

    fn call(&mut self, e: &'a Expr, name: &'a ast::Ident, args: &'a [Expr]) -> Out<'a> {
        let label = crate::plan::print_expr(e);
        if let Some(table) = self.world.tables.get(name.name.as_str()).copied() {
            let mark = self.missing.len();
            let result = self.table(table, args);
            if let Ok(Value::Missing) = result
                && self.missing.len() == mark
            {
                // No row matched: the call itself is what is missing.
                self.missing.push(label);
            }
            return result;
        }
        match (name.name.as_str(), args) {
            ("business_time", [from, to, cal]) => {
                let calendar_name = match &cal.kind {
                    ExprKind::Path(p) if p.segments.len() == 1 => {
                        p.segments.first().map(|s| s.name.as_str()).unwrap_or("")
                    }
                    _ => "",
                };
                let (a, b) = (self.eval(from)?, self.eval(to)?);
                let (Some(a), Some(b)) =
                    (as_time(&a, "business_time")?, as_time(&b, "business_time")?)
                else {
                    return Ok(Value::Missing);
                };
                let calendar = self.calendar(calendar_name)?;
                self.meter.charge(walk_steps(a, b))?;
                let time = calendar
                    .checked_business_time(a, b)
                    .ok_or_else(|| too_long(a, b))?;
                Ok(Value::Duration(time))
            }
            ("min" | "max" | "count" | "sum" | "any" | "all", [single]) => {
                let v = self.eval(single)?;
                match v {
                    Value::Missing => Ok(Value::Missing),
                    Value::List(list) => {
                        let agg = match name.name.as_str() {
                            "min" => Aggregate::Min,
                            "max" => Aggregate::Max,
                            "count" => Aggregate::Count,
                            "sum" => Aggregate::Sum,
                            "any" => Aggregate::Any,
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
                    other if matches!(name.name.as_str(), "min" | "max") => Ok(other),
                    other => fault(format!("`{label}` needs a list, found {}", other.kind())),
                }
            }
            ("min" | "max", _) => {
                let mut best: Option<Value<'a>> = None;
                for arg in args {
                    let v = self.eval(arg)?;
                    if v.is_missing() {
                        return Ok(Value::Missing);
                    }
                    best = Some(match best {
                        None => v,
                        Some(b) => pick(name.name == "min", b, v)?,
                    });
                }
                Ok(best.unwrap_or(Value::Missing))
            }
            (function, [arg]) => {
                let v = self.eval(arg)?;
                self.function(function, v, &label)
            }
            _ => fault(format!("`{label}` needs an argument")),
        }
    }

    fn function(&mut self, name: &str, v: Value<'a>, label: &str) -> Out<'a> {
        if v.is_missing() {
            return Ok(Value::Missing);
        }
        let wrong = |v: &Value<'_>| fault(format!("`{label}` cannot take {}", v.kind()));
        match name {
            "len" => match &v {
                Value::Text(t) => Ok(Value::Number(Decimal::from(t.chars().count()))),
                Value::List(l) => Ok(Value::Number(Decimal::from(l.len()))),
                _ => wrong(&v),
            },
            "lower" => match v {
                Value::Text(t) => Ok(Value::Text(Cow::Owned(t.to_lowercase()))),
                other => wrong(&other),
            },
            "upper" => match v {
                Value::Text(t) => Ok(Value::Text(Cow::Owned(t.to_uppercase()))),
                other => wrong(&other),
            },
            "abs" => match v {
                Value::Number(n) => Ok(Value::Number(n.abs())),
                Value::Money(m) => Ok(Value::Money(Money {
                    amount: m.amount.abs(),
                    currency: m.currency,
                })),
                Value::Duration(d) if d.is_negative() => Ok(negate(Value::Duration(d))?),
                Value::Duration(d) => Ok(Value::Duration(d)),
                other => wrong(&other),
            },
            "date" | "weekday" | "hour" => {
                let Some(t) = as_time(&v, label)? else {
                    return Ok(Value::Missing);
                };
                let civil = self.world.tz.to_datetime(t);
                Ok(match name {
                    "date" => Value::Date(civil.date()),
                    "weekday" => Value::text(weekday_name(civil.weekday())),
                    _ => Value::Number(Decimal::from(civil.hour())),
                })
            }
            _ => wrong(&v),
        }
    }

    fn table(&mut self, table: &'a ast::TableDef, args: &'a [Expr]) -> Out<'a> {
        let mut values = Vec::with_capacity(args.len());
        for arg in args {
            values.push(self.eval(arg)?);
        }
        'rows: for row in &table.rows {
            self.meter.charge(1)?;
            for (cell, arg) in row.cells.iter().zip(&values) {
                if matches!(cell.kind, CellKind::Any) {
                    continue;
                }
                if arg.is_missing() {
                    return Ok(Value::Missing);
                }
                let hit = match &cell.kind {
                    CellKind::Any => true,
                    CellKind::Equals(e) => {
                        let v = self.cell(e)?;
                        equals(arg.clone(), v)?
                    }
                    CellKind::OneOf(options) => {
                        let mut any = false;
                        for option in options {
                            let v = self.cell(option)?;
                            if equals(arg.clone(), v)? {
                                any = true;
                                break;
                            }
                        }
                        any
                    }
                    CellKind::Compare(op, e) => {
                        let v = self.cell(e)?;
                        compare_values(*op, arg.clone(), v)?
                    }
                };
                if !hit {
                    continue 'rows;
                }
            }
            // The output sees the table's inputs only.
            let base = self.vars.len();
            for (param, value) in table.params.iter().zip(&values) {
                self.vars.push((&param.name, value.clone(), None));
            }
            let saved = std::mem::replace(&mut self.base, base);
            let out = self.eval(&row.output);
            self.base = saved;
            self.vars.truncate(base);
            return out;
        }
        Ok(Value::Missing)
    }

    /// A table cell: a literal or constant, evaluated without the record.
    fn cell(&mut self, e: &'a Expr) -> Out<'a> {
        let saved = std::mem::replace(&mut self.base, self.vars.len());
        let out = self.quiet(e);
        self.base = saved;
        out
    }

    /// The events of `spans(E for X in LIST [where COND])`: each element's time and
    /// whether COND holds for it, in list order.
    fn span_events(
        &mut self,
        e: &'a Expr,
        c: &'a ast::Comprehension,
    ) -> Result<Vec<(Timestamp, bool)>, Fault> {
        let label = crate::plan::print_expr(e);
        let list = match self.eval(&c.list)? {
            Value::Missing => return Ok(Vec::new()),
            Value::List(list) => list,
            other => {
                return fault(format!("`{label}` needs a list, found {}", other.kind()));
            }
        };
        let source = self.record_path(&c.list);
        let top = self.vars.len();
        let mut events = Vec::with_capacity(list.len());
        let result = (|| {
            for (index, item) in list.iter().enumerate() {
                self.meter.charge(1)?;
                let item = item.map_err(|e| Fault {
                    field: None,
                    message: format!("`{label}`: {e}"),
                })?;
                self.vars.truncate(top);
                let origin = source.as_ref().map(|p| format!("{p}[{index}]"));
                self.vars.push((&c.var.name, item, origin));
                let mark = self.missing.len();
                let at = self.eval(&c.body)?;
                let at = event_time(&at, source.as_deref(), index)?;
                let pauses = match &c.filter {
                    Some(filter) => self.condition(filter)? == Some(true),
                    None => true,
                };
                self.missing.truncate(mark);
                events.push((at, pauses));
            }
            Ok(())
        })();
        self.vars.truncate(top);
        result.map(|()| events)
    }

    fn comprehension(&mut self, e: &'a Expr, c: &'a ast::Comprehension) -> Out<'a> {
        let label = crate::plan::print_expr(e);
        if c.agg == Aggregate::Spans {
            return fault(format!(
                "`{label}` gives the paused intervals of `excluding` and can stand only there"
            ));
        }
        let list = match self.eval(&c.list)? {
            Value::Missing => return Ok(Value::Missing),
            Value::List(list) => list,
            other => {
                return fault(format!("`{label}` needs a list, found {}", other.kind()));
            }
        };
        let mut acc = Acc::new(c.agg);
        let source = self.record_path(&c.list);
        let top = self.vars.len();
        for (index, item) in list.iter().enumerate() {
            self.meter.charge(1)?;
            let item = item.map_err(|e| Fault {
                field: None,
                message: format!("`{label}`: {e}"),
            })?;
            self.vars.truncate(top);
            let origin = source.as_ref().map(|p| format!("{p}[{index}]"));
            self.vars.push((&c.var.name, item, origin));
            let mark = self.missing.len();
            let keep = match &c.filter {
                Some(filter) => self.condition(filter)? == Some(true),
                None => true,
            };
            if keep {
                let v = self.eval(&c.body)?;
                acc.add(v)?;
            }
            self.missing.truncate(mark);
        }
        self.vars.truncate(top);
        self.finish(acc, label)
    }

    fn finish(&mut self, acc: Acc<'a>, label: String) -> Out<'a> {
        match acc.finish() {
            Value::Missing => {
                self.missing.push(label);
                Ok(Value::Missing)
            }
            v => Ok(v),
        }
    }
}

fn literal(lit: &ast::Literal) -> Value<'_> {
    match lit {
        ast::Literal::Number(n) => Value::Number(*n),
        ast::Literal::Percent(p) => Value::Number(*p / Decimal::ONE_HUNDRED),
        ast::Literal::Money(m) => Value::Money(*m),
        ast::Literal::Duration(d) => Value::Duration(*d),
        ast::Literal::Date(d) => Value::Date(*d),
        ast::Literal::Time(t, _) => Value::Time(crate::value::whole_second(*t)),
        ast::Literal::Text(t) => Value::text(t),
        ast::Literal::Bool(b) => Value::Bool(*b),
    }
}

// ---------------------------------------------------------------------------------------
// Rules.

macro_rules! need {
    ($e:expr) => {
        match $e? {
            Step::Value(v) => v,
            Step::Missing => return Ok(Step::Missing),
        }
    };
}

fn dedup(paths: &[String]) -> Vec<String> {
    let mut out: Vec<String> = Vec::new();
    for path in paths {
        if !out.contains(path) {
            out.push(path.clone());
        }
    }
    out
}

fn evaluate_rule<'a>(cx: &mut Cx<'a>, rule: &'a RuleDef, trace: bool) -> Evaluated {
    cx.missing.clear();
    cx.optional_missing.clear();
    cx.absent.clear();
    cx.seen = trace.then(Vec::new);
    let guard = (|| -> Result<Option<bool>, Fault> {
        let when = match rule.when() {
            Some(e) => cx.absent_is_false(e)?,
            None => Some(true),
        };
        if when == Some(false) {
            return Ok(Some(false));
        }
        let unless = match rule.unless() {
            Some(e) => cx.absent_is_false(e)?,
            None => Some(false),
        };
        Ok(match (when, unless) {
            (_, Some(true)) => Some(false),
            (Some(true), Some(false)) => Some(true),
            _ => None,
        })
    })();
    let seen = cx.seen.take().unwrap_or_default();
    let outcome = match guard {
        Err(f) => Outcome::Error(f),
        Ok(None) => Outcome::Undecided(dedup(&cx.missing)),
        Ok(Some(false)) => Outcome::NotApplied,
        Ok(Some(true)) => {
            cx.missing.clear();
            match body(cx, rule) {
                Err(f) => Outcome::Error(f),
                Ok(Step::Missing) => Outcome::Undecided(dedup(&cx.missing)),
                Ok(Step::Value(None)) => Outcome::NotApplied,
                Ok(Step::Value(Some((check, actions, recheck)))) => Outcome::Applied {
                    check: check.map(Box::new),
                    actions,
                    recheck,
                },
            }
        }
    };
    (outcome, seen, std::mem::take(&mut cx.absent))
}

/// An applying rule's check, actions and next change; `None` when its check's value or
/// start is absent by declaration (the rule does not apply).
type Body = Option<(Option<Check>, Vec<Asked>, Option<Timestamp>)>;

fn body<'a>(cx: &mut Cx<'a>, rule: &'a RuleDef) -> StepResult<Body> {
    let mut actions = Vec::new();
    for action in rule.then_actions() {
        actions.push(need!(evaluate_action(cx, rule, action)));
    }
    let mut check = None;
    let mut recheck = None;
    match rule.check().map(|c| &c.kind) {
        Some(ClauseKind::Limit(limit)) => {
            // Both sides first, so an undecided limit names every missing field of it.
            let mark = cx.missing.len();
            let (v, m) = (
                present(cx.eval(&limit.value))?,
                present(cx.eval(&limit.max))?,
            );
            let (Step::Value(v), Step::Value(m)) = (v, m) else {
                if cx.only_absent(mark) {
                    cx.settle_absent(mark);
                    return Ok(Step::Value(None));
                }
                return Ok(Step::Missing);
            };
            let (v, m) = crate::value::harmonize(v, m)?;
            let order = compare(v.clone(), m.clone())?;
            let within = if limit.op == LimitOp::Below {
                order.is_lt()
            } else {
                order.is_le()
            };
            let excess = if within {
                None
            } else {
                Some(limit_value(&arith(ArithOp::Sub, v.clone(), m.clone())?)?)
            };
            for handler in rule.handlers() {
                if matches!(handler.trigger, Trigger::Exceed) && !within {
                    for action in &handler.actions {
                        actions.push(need!(evaluate_action(cx, rule, action)));
                    }
                }
            }
            check = Some(Check::Limit(LimitCheck {
                rule: rule.name.name.clone(),
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
        Some(ClauseKind::Expect(d)) => {
            let Some((c, more, r)) = need!(deadline(cx, rule, d)) else {
                return Ok(Step::Value(None));
            };
            actions.extend(more);
            recheck = r;
            check = Some(Check::Deadline(c));
        }
        _ => {}
    }
    Ok(Step::Value(Some((check, actions, recheck))))
}

type DeadlineOut = (DeadlineCheck, Vec<Asked>, Option<Timestamp>);

fn deadline<'a>(
    cx: &mut Cx<'a>,
    rule: &'a RuleDef,
    d: &'a ast::Deadline,
) -> StepResult<Option<DeadlineOut>> {
    let now = cx.now;
    let mark = cx.missing.len();
    let (start_value, within_value) = (present(cx.eval(&d.start))?, present(cx.eval(&d.within))?);
    let (Step::Value(start_value), Step::Value(within_value)) = (start_value, within_value) else {
        if cx.only_absent(mark) {
            cx.settle_absent(mark);
            return Ok(Step::Value(None));
        }
        return Ok(Step::Missing);
    };
    let start_at = time_of(&start_value, "the start of a deadline")?;
    let target = duration_of(&within_value, "the time allowed")?;
    if target.is_negative() {
        return fault(format!("the time allowed `{target}` is negative"));
    }
    let mark = cx.missing.len();
    let done_value = cx.eval(&d.done)?;
    cx.missing.truncate(mark);
    let done_at = match &done_value {
        Value::Missing => None,
        v => Some(time_of(v, "the completion of a deadline")?),
    };
    let (pauses, open_pause) = match &d.excluding {
        Some(e) => pauses(cx, e)?,
        None => (Vec::new(), false),
    };
    let calendar = match &d.using {
        Some(name) => Some(cx.calendar(&name.name)?),
        None => None,
    };
    let clock = Clock {
        calendar,
        pauses: &pauses,
    };
    let deadline_at = clock
        .advance(start_at, target)
        .ok_or_else(|| super::rules::deadline_out_of_range(target, start_at))?;
    // A deadline over a calendar walks it up to the deadline or the end of the work,
    // whichever is later: one step per day of that span, as `business_time` pays.
    if clock.calendar.is_some() {
        let end = deadline_at.max(done_at.unwrap_or(now));
        cx.meter.charge(walk_steps(start_at, end))?;
    }
    let (status, elapsed, remaining) = match done_at {
        Some(done_at) => {
            if done_at < start_at {
                return fault(format!(
                    "the work was done (`{done_at}`) before the clock started (`{start_at}`)"
                ));
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
    let moving = done_at.is_none() && !open_pause;
    let mut candidates: Vec<Timestamp> = Vec::new();
    if moving && status == DeadlineStatus::Pending {
        candidates.push(if deadline_at > now {
            deadline_at
        } else {
            now.checked_add(jiff::SignedDuration::from_secs(1))
                .unwrap_or(now)
        });
    }
    for handler in rule.handlers() {
        let fires = match &handler.trigger {
            Trigger::At(p, _) => {
                let fraction = *p / Decimal::ONE_HUNDRED;
                let threshold = target
                    .checked_mul_decimal_up(fraction)
                    .ok_or_else(|| Fault {
                        field: None,
                        message: format!("`{target}` times {fraction} is out of range"),
                    })?;
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
            Trigger::Breach => status == DeadlineStatus::Breached,
            Trigger::Met => status == DeadlineStatus::Met,
            Trigger::Exceed => false,
            Trigger::AfterBreach(e) => {
                let step = duration_of(&need!(present(cx.eval(e))), "`after breach by`")?;
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
                actions.push(need!(evaluate_action(cx, rule, action)));
            }
        }
    }
    let recheck = candidates.into_iter().filter(|t| *t > now).min();
    Ok(Step::Value(Some((
        DeadlineCheck {
            rule: rule.name.name.clone(),
            status,
            target,
            deadline: deadline_at,
            elapsed,
            remaining,
        },
        actions,
        recheck,
    ))))
}

type Pauses = (Vec<(Timestamp, Timestamp)>, bool);

fn pauses<'a>(cx: &mut Cx<'a>, e: &'a Expr) -> Result<Pauses, Fault> {
    let mark = cx.missing.len();
    if let ExprKind::Comprehension(c) = &e.kind
        && c.agg == Aggregate::Spans
    {
        let events = cx.span_events(e, c);
        cx.missing.truncate(mark);
        return spans_pauses(events?, &mut cx.meter, cx.now);
    }
    let value = cx.eval(e)?;
    cx.missing.truncate(mark);
    // Errors name the interval's record path (`paused[1].from`) when the list is a field.
    let list_path = match &e.kind {
        ExprKind::Path(path)
            if !(path.segments.len() == 1
                && path
                    .segments
                    .first()
                    .is_some_and(|f| cx.world.consts.contains_key(f.name.as_str()))) =>
        {
            Some(path.dotted())
        }
        _ => None,
    };
    read_pauses(value, list_path.as_deref(), cx.now)
}

/// An action a rule asked for: what, its arguments and its position among the rule's
/// actions.
type Asked = (ActionKind, Option<Map<String, Json>>, usize);

fn evaluate_action<'a>(
    cx: &mut Cx<'a>,
    rule: &'a RuleDef,
    action: &'a ast::Action,
) -> StepResult<Asked> {
    let kind = match &action.kind {
        AstAction::Escalate(e) => ActionKind::Escalate {
            to: text_of(&need!(present(cx.eval(e))), "an escalation target")?,
        },
        AstAction::Notify(e) => ActionKind::Notify {
            to: text_of(&need!(present(cx.eval(e))), "who is notified")?,
        },
        AstAction::Assign(e) => ActionKind::Assign {
            to: text_of(&need!(present(cx.eval(e))), "an assignee")?,
        },
        AstAction::RequireApproval(e) => ActionKind::RequireApproval {
            from: text_of(&need!(present(cx.eval(e))), "an approver")?,
        },
        AstAction::FollowUp(e) => {
            let within = duration_of(&need!(present(cx.eval(e))), "a follow-up")?;
            let due = cx.now.checked_add(within.to_jiff()).map_err(|_| Fault {
                field: None,
                message: format!("a follow-up `{within}` from now is out of range"),
            })?;
            ActionKind::FollowUp { within, due }
        }
        AstAction::Refund {
            amount,
            compensate: false,
        } => ActionKind::Refund {
            amount: money_of(need!(present(cx.eval(amount))), "a refund")?,
        },
        AstAction::Refund {
            amount,
            compensate: true,
        } => ActionKind::Compensate {
            amount: money_of(need!(present(cx.eval(amount))), "a compensation")?,
        },
        AstAction::Tag(e) => ActionKind::Tag {
            tag: text_of(&need!(present(cx.eval(e))), "a tag")?,
        },
        AstAction::Set(path, e) => ActionKind::Set {
            field: path.dotted(),
            value: need!(present(cx.eval(e))).to_json(),
        },
        AstAction::Emit(e) => ActionKind::Emit {
            name: text_of(&need!(present(cx.eval(e))), "an event name")?,
        },
    };
    let args = if action.args.is_empty() {
        None
    } else {
        let mut map = Map::new();
        for (key, e) in &action.args {
            map.insert(key.name.clone(), need!(present(cx.eval(e))).to_json());
        }
        Some(map)
    };
    let position = rule.action_position(action).unwrap_or(0);
    Ok(Step::Value((kind, args, position)))
}

// ---------------------------------------------------------------------------------------
// The decision.

fn run(world: &World<'_>, policy: &PolicyFile, record: &Json, options: &EvalOptions) -> Decision {
    let trace_on = options.explain == Explain::On;
    let mut errors = Vec::new();
    let map = match record {
        Json::Object(map) => Some(map),
        other => {
            errors.push(super::not_an_object(other));
            None
        }
    };
    if let Some(map) = map {
        for (path, _, optional) in &world.fields {
            // Only top-level declarations are required of the record itself.
            if !optional && is_absent_path(map, path) {
                errors.push(super::missing_required(&path.join(".")));
            }
        }
    }
    // Blocks: a lone rule, or a `first of` that stops at its first rule that applies or
    // cannot be decided.
    let mut blocks: Vec<(bool, Vec<&RuleDef>)> = Vec::new();
    for item in &policy.items {
        match item {
            Item::Rule(rule) => blocks.push((false, vec![rule])),
            Item::FirstOf(block) => blocks.push((true, block.rules.iter().collect())),
            _ => {}
        }
    }
    let mut cx = Cx {
        world,
        record: map,
        now: crate::value::whole_second(options.now),
        missing: Vec::new(),
        optional_missing: Vec::new(),
        absent: Vec::new(),
        vars: Vec::new(),
        base: 0,
        seen: None,
        const_values: HashMap::new(),
        meter: Meter::new(options.budget),
        indexes: Indexes::default(),
    };
    let mut outcomes: Vec<(&RuleDef, Option<Evaluated>)> = Vec::new();
    for (first_of, block) in &blocks {
        let mut settled = false;
        for rule in block {
            if settled {
                outcomes.push((rule, None));
                continue;
            }
            cx.meter.reset();
            let (mut outcome, seen, absent) = evaluate_rule(&mut cx, rule, trace_on);
            if cx.meter.exhausted() {
                outcome = Outcome::Error(cx.meter.fault());
            }
            if *first_of && !matches!(outcome, Outcome::NotApplied) {
                settled = true;
            }
            outcomes.push((rule, Some((outcome, seen, absent))));
        }
    }

    let mut fired = Vec::new();
    let mut checks = Vec::new();
    let mut undecided = Vec::new();
    let mut gathered = Actions::default();
    let mut recheck_at: Option<Timestamp> = None;
    let mut trace = Vec::new();
    let names: Vec<String> = outcomes.iter().map(|(r, _)| r.name.name.clone()).collect();
    for (index, (rule, outcome)) in outcomes.into_iter().enumerate() {
        let mut missing_fields = Vec::new();
        let (status, comparisons, absent) = match outcome {
            None => (RuleStatus::Skipped, Vec::new(), Vec::new()),
            Some((outcome, seen, absent)) => {
                let status = match outcome {
                    Outcome::NotApplied => RuleStatus::NotApplied,
                    Outcome::Undecided(missing) => {
                        if trace_on {
                            missing_fields.clone_from(&missing);
                        }
                        undecided.push(Undecided {
                            rule: rule.name.name.clone(),
                            missing,
                        });
                        RuleStatus::Undecided
                    }
                    Outcome::Error(f) => {
                        errors.push(ErrorEntry {
                            rule: Some(rule.name.name.clone()),
                            field: f.field,
                            message: f.message,
                        });
                        RuleStatus::Error
                    }
                    Outcome::Applied {
                        check,
                        actions,
                        recheck,
                    } => {
                        fired.push(rule.name.name.clone());
                        checks.extend(check.map(|c| *c));
                        if let Some(at) = recheck {
                            recheck_at = Some(recheck_at.map_or(at, |r| r.min(at)));
                        }
                        let rule = u32::try_from(index).unwrap_or(u32::MAX);
                        for (kind, args, position) in actions {
                            let action = Required::owned(kind, args, None, position);
                            gathered.gather(&[], action, rule);
                        }
                        RuleStatus::Applied
                    }
                };
                (status, seen, absent)
            }
        };
        if trace_on {
            trace.push(RuleTrace::new(
                rule.name.name.clone(),
                status,
                comparisons,
                missing_fields,
                absent,
            ));
        }
    }
    let name = |i: u32| names.get(i as usize).map(String::as_str);
    gathered.finish(&[], &policy.name.value, &world.ladder, name, &mut errors);
    let actions = gathered.to_owned(&[], name);
    Decision {
        policy: policy.name.value.clone(),
        version: world.version.clone(),
        now: crate::value::whole_second(options.now),
        actions,
        checks,
        fired,
        undecided,
        errors,
        recheck_at,
        trace: trace_on.then_some(trace),
    }
}
