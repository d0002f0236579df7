//! The evaluation budget and list membership, shared by the compiled evaluator and the
//! reference interpreter.
//!
//! Strategy: every rule gets the same allowance of *steps* per evaluation (an expression
//! node evaluated, a list element visited, a table row tried, a day of a calendar walked).
//! A rule that spends it stops at once and becomes an `error` entry; the meter is reset
//! for the next rule, so a runaway rule never affects another. Counting steps, not time,
//! keeps decisions deterministic: the same policy, record and budget always stop at the
//! same place.
//!
//! Membership (`x in LIST`, `LIST contains x`) over a list that does not change during the
//! evaluation (a record field, a constant) is answered from a hash set built once, when
//! the list is long and all its elements and the value sought are of one plain kind (text,
//! number, truth value); equality is then exactly equality of the keys, so the answer is
//! the one a scan would give. Anything else is scanned, one step per element.

use std::borrow::Cow;
use std::collections::{HashMap, HashSet};

use rust_decimal::Decimal;

use super::expr::Fault;
use crate::value::{List, Value, equals};

/// The default number of steps one rule may take in one evaluation.
pub const DEFAULT_RULE_STEPS: u64 = 10_000_000;

/// Lists shorter than this are scanned: a hash set would not pay for itself.
const INDEX_FROM_LEN: usize = 16;

/// How much work one rule may do in one evaluation.
///
/// ```
/// # use service_policy::{Budget, EvalOptions};
/// let now = "2026-03-02T10:00:00Z".parse().unwrap();
/// let options = EvalOptions::at(now).with_budget(Budget { rule_steps: 1_000 });
/// assert_eq!(options.budget.rule_steps, 1_000);
/// ```
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct Budget {
    /// Steps per rule: an expression node evaluated, a list element visited, a table row
    /// tried, a day of a calendar walked. A rule that needs more is an `error` entry.
    pub rule_steps: u64,
}

impl Default for Budget {
    fn default() -> Budget {
        Budget {
            rule_steps: DEFAULT_RULE_STEPS,
        }
    }
}

/// Counts the steps of the rule being evaluated.
#[derive(Clone, Debug)]
pub(crate) struct Meter {
    used: u64,
    limit: u64,
}

impl Meter {
    pub(crate) fn new(budget: Budget) -> Meter {
        Meter {
            used: 0,
            limit: budget.rule_steps,
        }
    }

    /// Starts a new rule.
    pub(crate) fn reset(&mut self) {
        self.used = 0;
    }

    /// Spends `steps`; a fault once the budget is spent, and on every charge after it.
    #[inline]
    pub(crate) fn charge(&mut self, steps: u64) -> Result<(), Fault> {
        self.used = self.used.saturating_add(steps);
        if self.used > self.limit {
            return Err(self.fault());
        }
        Ok(())
    }

    /// Whether the rule being evaluated spent its budget. Sticky until [`Meter::reset`],
    /// so a rule that ran out is an error even where an `or` or `and` would have decided
    /// without the part that ran out.
    pub(crate) fn exhausted(&self) -> bool {
        self.used > self.limit
    }

    /// The error entry's fault for a rule that ran out.
    pub(crate) fn fault(&self) -> Fault {
        Fault {
            field: None,
            message: format!(
                "the rule needs more than {} evaluation steps, the budget of one rule; \
                 it was stopped",
                self.limit
            ),
        }
    }
}

/// A hashable form of a plain value, equal exactly when the values are equal.
#[derive(Clone, Debug, PartialEq, Eq, Hash)]
enum Key<'a> {
    Text(Cow<'a, str>),
    Number(Decimal),
    Bool(bool),
}

/// Which plain kind a key is.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
enum Kind {
    Text,
    Number,
    Bool,
}

fn key<'a>(value: &Value<'a>) -> Option<(Kind, Key<'a>)> {
    match value {
        Value::Text(t) => Some((Kind::Text, Key::Text(t.clone()))),
        // `1.0 == 1`: the normal form of a decimal drops trailing zeros.
        Value::Number(n) => Some((Kind::Number, Key::Number(n.normalize()))),
        Value::Bool(b) => Some((Kind::Bool, Key::Bool(*b))),
        _ => None,
    }
}

/// A list's elements as a hash set, when they are all of one plain kind.
#[derive(Debug)]
struct Index<'a> {
    kind: Kind,
    keys: HashSet<Key<'a>>,
}

/// Hash sets of the unchanging lists met so far in one evaluation, by the address of the
/// expression that gives the list; `None` for a list that cannot be indexed.
#[derive(Debug, Default)]
pub(crate) struct Indexes<'a> {
    built: HashMap<usize, Option<Index<'a>>>,
}

impl<'a> Indexes<'a> {
    /// Whether `list` holds `x` (missing elements never match). `site` is the address of
    /// the list's expression when its value cannot change during this evaluation.
    pub(crate) fn member(
        &mut self,
        site: Option<usize>,
        list: &List<'a>,
        x: &Value<'a>,
        meter: &mut Meter,
    ) -> Result<bool, Fault> {
        if let Some(site) = site
            && list.len() >= INDEX_FROM_LEN
        {
            let index = match self.built.entry(site) {
                std::collections::hash_map::Entry::Occupied(entry) => entry.into_mut(),
                std::collections::hash_map::Entry::Vacant(entry) => {
                    meter.charge(list.len() as u64)?;
                    entry.insert(build(list))
                }
            };
            if let Some(index) = index
                && let Some((kind, k)) = key(x)
                && kind == index.kind
            {
                meter.charge(1)?;
                return Ok(index.keys.contains(&k));
            }
        }
        scan(list, x, meter)
    }
}

fn build<'a>(list: &List<'a>) -> Option<Index<'a>> {
    let mut kind = None;
    let mut keys = HashSet::with_capacity(list.len());
    for item in list.iter() {
        // An element that does not read is an error a scan may or may not meet: scan.
        let item = item.ok()?;
        if item.is_missing() {
            continue;
        }
        let (k, value) = key(&item)?;
        if *kind.get_or_insert(k) != k {
            return None;
        }
        keys.insert(value);
    }
    Some(Index {
        kind: kind.unwrap_or(Kind::Text),
        keys,
    })
}

/// Whether a list holds a value, element by element.
pub(crate) fn scan(list: &List<'_>, x: &Value<'_>, meter: &mut Meter) -> Result<bool, Fault> {
    for item in list.iter() {
        meter.charge(1)?;
        let item = item.map_err(|e| Fault {
            field: None,
            message: format!("list element: {e}"),
        })?;
        if item.is_missing() {
            continue;
        }
        if equals(x.clone(), item)? {
            return Ok(true);
        }
    }
    Ok(false)
}

/// The steps of a calendar walk between two instants: one per day, at least one, at
/// most the walk's own cap.
pub(crate) fn walk_steps(from: jiff::Timestamp, to: jiff::Timestamp) -> u64 {
    let seconds = to.as_second().saturating_sub(from.as_second()).max(0);
    let days = seconds / 86_400 + 1;
    u64::try_from(days.min(crate::calendar::MAX_SPAN_DAYS)).unwrap_or(1)
}

#[cfg(test)]
mod tests {
    use super::*;
    use std::sync::Arc;

    fn owned(values: Vec<Value<'static>>) -> List<'static> {
        List::Owned(Arc::from(values))
    }

    #[test]
    fn a_meter_stops_after_its_budget_and_stays_stopped() {
        let mut meter = Meter::new(Budget { rule_steps: 3 });
        assert!(meter.charge(3).is_ok());
        assert!(!meter.exhausted());
        assert!(meter.charge(1).is_err());
        assert!(meter.exhausted());
        assert!(meter.charge(0).is_err());
        meter.reset();
        assert!(meter.charge(2).is_ok());
    }

    #[test]
    fn indexed_membership_agrees_with_a_scan() {
        let numbers: Vec<Value<'static>> = (0..40)
            .map(|i| Value::Number(Decimal::new(i * 10, 1)))
            .collect();
        let list = owned(numbers);
        let mut indexes = Indexes::default();
        let mut meter = Meter::new(Budget::default());
        for probe in [Decimal::new(3, 0), Decimal::new(30, 1), Decimal::new(41, 0)] {
            let x = Value::Number(probe);
            let fast = indexes.member(Some(1), &list, &x, &mut meter).unwrap();
            let slow = scan(&list, &x, &mut Meter::new(Budget::default())).unwrap();
            assert_eq!(fast, slow, "{probe}");
        }
        // A text sought in a list of numbers is compared as a scan compares.
        let text = Value::text("3");
        let fast = indexes.member(Some(1), &list, &text, &mut meter).is_ok();
        let slow = scan(&list, &text, &mut Meter::new(Budget::default())).is_ok();
        assert_eq!(fast, slow);
    }

    #[test]
    fn an_indexed_list_costs_its_length_once_then_one_step_a_lookup() {
        let list = owned(
            (0..1000)
                .map(|i| Value::Text(Cow::Owned(format!("t{i}"))))
                .collect(),
        );
        let mut indexes = Indexes::default();
        let mut meter = Meter::new(Budget {
            rule_steps: 1_000 + 500,
        });
        for _ in 0..500 {
            assert!(
                !indexes
                    .member(Some(7), &list, &Value::text("absent"), &mut meter)
                    .unwrap()
            );
        }
        // The 501st lookup is over the budget: build (1 000) + 500 lookups.
        assert!(
            indexes
                .member(Some(7), &list, &Value::text("t1"), &mut meter)
                .is_err()
        );
        // Scanned instead, the same lookups cost the list's length each.
        let mut meter = Meter::new(Budget { rule_steps: 1_500 });
        assert!(scan(&list, &Value::text("absent"), &mut meter).is_ok());
        assert!(scan(&list, &Value::text("absent"), &mut meter).is_err());
    }

    #[test]
    fn mixed_lists_are_scanned() {
        let mut values: Vec<Value<'static>> = (0..20)
            .map(|i| Value::Text(Cow::Owned(format!("{i}"))))
            .collect();
        values.push(Value::Number(Decimal::ONE));
        let list = owned(values);
        assert!(build(&list).is_none());
    }
}
