//! The fast path: reading a record's slots once, and deciding rules with their compiled
//! guards (see `plan::fast` for the invariant that keeps decisions byte-identical).

use serde_json::{Map, Value as Json};

use crate::plan::fast::{Codes, FastPlan, FastRule, Guard, Int, OTHER, Slot, SlotKind};

/// One slot's value for one record.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub(crate) enum SlotValue {
    /// Absent or null, or an object on the way is.
    Absent,
    /// Present, but not a value of the slot's type: only the general evaluator reads it.
    Irregular,
    Int(i64),
    Decimal(rust_decimal::Decimal),
    /// A text's code.
    Code(u32),
    /// A list of texts: the set of codes it holds, and its length.
    Codes {
        set: u64,
        len: u64,
    },
    Bool(bool),
    /// Present (a slot that only tells whether a required field is there).
    Present,
}

/// The slots of one record.
#[derive(Debug, Default)]
pub(crate) struct Slots {
    pub(crate) values: Vec<SlotValue>,
    /// The slots a guard cannot read, as a set.
    pub(crate) unusable: u64,
    /// The slots whose field is absent, as a set (a part of `unusable`).
    pub(crate) absent: u64,
}

impl Slots {
    /// Empties the slots.
    pub(crate) fn clear(&mut self) {
        self.values.clear();
        self.unusable = 0;
        self.absent = 0;
    }

    /// Fills the slots from a record object: walking its entries once when it has not
    /// many more than there are slots, else looking each slot's path up.
    pub(crate) fn read(&mut self, fast: &FastPlan, record: &Map<String, Json>) {
        self.clear();
        let slots = &fast.slots;
        if record.len() > 2 * slots.len() + 8 {
            self.values.reserve(slots.len());
            for slot in slots {
                let value = read_slot(slot, lookup(record, &slot.field.segments));
                self.push(value);
            }
            return;
        }
        self.values.resize(slots.len(), SlotValue::Absent);
        // Every slot is absent until its field is met.
        let all = u64::MAX.checked_shr(64 - slots.len() as u32).unwrap_or(0);
        self.unusable = all;
        self.absent = all;
        for (key, json) in record {
            let Some(list) = fast.roots.get(key) else {
                continue;
            };
            for &index in list {
                let Some(slot) = slots.get(index as usize) else {
                    continue;
                };
                let rest = slot.field.segments.get(1..).unwrap_or(&[]);
                let found = match json {
                    Json::Null => Ok(None),
                    _ if rest.is_empty() => Ok(Some(json)),
                    Json::Object(inner) => lookup(inner, rest),
                    _ => Err(()),
                };
                self.set(index, read_slot(slot, found));
            }
        }
    }

    /// Sets slot `index`, absent until now, to `value`.
    #[inline]
    fn set(&mut self, index: u8, value: SlotValue) {
        let Some(place) = self.values.get_mut(index as usize) else {
            return;
        };
        *place = value;
        let bit = 1u64.checked_shl(u32::from(index)).unwrap_or(0);
        match value {
            SlotValue::Absent => {}
            SlotValue::Irregular => self.absent &= !bit,
            _ => {
                self.absent &= !bit;
                self.unusable &= !bit;
            }
        }
    }

    /// Adds the next slot's value.
    pub(crate) fn push(&mut self, value: SlotValue) {
        self.mark(self.values.len(), value);
        self.values.push(value);
    }

    /// Notes whether slot `index`, holding `value`, is absent or otherwise unusable.
    fn mark(&mut self, index: usize, value: SlotValue) {
        let bit = 1u64.checked_shl(index as u32).unwrap_or(0);
        match value {
            SlotValue::Absent => {
                self.unusable |= bit;
                self.absent |= bit;
            }
            SlotValue::Irregular => self.unusable |= bit,
            _ => {}
        }
    }

    /// Whether slot `index` holds an absent field.
    pub(crate) fn is_absent(&self, index: u8) -> bool {
        matches!(self.values.get(index as usize), Some(SlotValue::Absent))
    }

    /// A rule decided by its guard: `Some(applies)`, or `None` when the general evaluator
    /// must decide it (a slot it reads is unusable, an operation overflows, or its budget
    /// might not cover it).
    #[inline(always)]
    pub(crate) fn decide(&self, rule: &FastRule, rule_steps: u64) -> Option<bool> {
        if rule.reads & self.unusable & !(rule.absence_ok & self.absent) != 0 {
            return None;
        }
        let mut steps = rule.steps;
        if rule.scan_count > 0 {
            let mut longest = 0;
            let mut scans = rule.scans;
            while scans != 0 {
                let slot = scans.trailing_zeros();
                scans &= scans - 1;
                if let Some(SlotValue::Codes { len, .. }) = self.values.get(slot as usize) {
                    longest = longest.max(*len);
                }
            }
            steps = steps.checked_add(rule.scan_count.checked_mul(longest.checked_add(1)?)?)?;
        }
        if steps > rule_steps {
            return None;
        }
        self.guard(&rule.guard)
    }

    fn get(&self, slot: u8) -> Option<SlotValue> {
        self.values.get(slot as usize).copied()
    }

    /// A guard's value: a test of slots decided in place, `and`, `or` and `not` through a
    /// call (most guards are a test or two joined, so most take one call or none).
    #[inline(always)]
    fn guard(&self, guard: &Guard) -> Option<bool> {
        match guard {
            Guard::And(..) | Guard::Or(..) | Guard::Not(..) => self.join(guard),
            test => self.test(test),
        }
    }

    #[inline(never)]
    fn join(&self, guard: &Guard) -> Option<bool> {
        Some(match guard {
            Guard::And(a, b) => self.guard(a)? && self.guard(b)?,
            Guard::Or(a, b) => self.guard(a)? || self.guard(b)?,
            Guard::Not(x) => !self.guard(x)?,
            test => self.test(test)?,
        })
    }

    #[inline(always)]
    fn test(&self, guard: &Guard) -> Option<bool> {
        Some(match guard {
            Guard::Const(b) => *b,
            Guard::And(..) | Guard::Or(..) | Guard::Not(..) => self.join(guard)?,
            Guard::Compare(op, a, b) => op.holds(self.int(a)?, self.int(b)?),
            Guard::IntIs { op, slot, k } => {
                let SlotValue::Int(n) = self.get(*slot)? else {
                    return None;
                };
                op.holds(n, *k)
            }
            Guard::DecimalIs { op, slot, k } => {
                let SlotValue::Decimal(n) = self.get(*slot)? else {
                    return None;
                };
                op.holds(n, *k)
            }
            Guard::TextEq {
                slot,
                code,
                negated,
            } => {
                let SlotValue::Code(found) = self.get(*slot)? else {
                    return None;
                };
                (found == *code && found != OTHER) != *negated
            }
            Guard::TextIs {
                slot,
                codes,
                negated,
            } => {
                let SlotValue::Code(code) = self.get(*slot)? else {
                    return None;
                };
                (code != OTHER && codes.contains(&code)) != *negated
            }
            Guard::Holds { slot, code } => {
                let SlotValue::Codes { set, .. } = self.get(*slot)? else {
                    return None;
                };
                set & 1u64.checked_shl(*code)? != 0
            }
            Guard::Missing { slot, missing } => match self.get(*slot)? {
                SlotValue::Absent => *missing,
                SlotValue::Irregular => return None,
                _ => !*missing,
            },
            Guard::Bool { slot, negated } => {
                let SlotValue::Bool(b) = self.get(*slot)? else {
                    return None;
                };
                b != *negated
            }
        })
    }

    /// An integer expression's value: a slot or a constant in place, arithmetic through a
    /// call.
    #[inline(always)]
    fn int(&self, int: &Int) -> Option<i64> {
        match int {
            Int::Const(n) => Some(*n),
            Int::Slot(slot) => match self.get(*slot)? {
                SlotValue::Int(n) => Some(n),
                _ => None,
            },
            arithmetic => self.arithmetic(arithmetic),
        }
    }

    #[inline(never)]
    fn arithmetic(&self, int: &Int) -> Option<i64> {
        match int {
            Int::Neg(x) => self.int(x)?.checked_neg(),
            Int::Add(a, b) => self.int(a)?.checked_add(self.int(b)?),
            Int::Sub(a, b) => self.int(a)?.checked_sub(self.int(b)?),
            Int::Mul(a, b) => self.int(a)?.checked_mul(self.int(b)?),
            leaf => self.int(leaf),
        }
    }
}

/// Where a path leads in a record: `Ok(None)` when it is absent or null on the way or at
/// the end, `Err(())` when a value on the way is not an object.
fn lookup<'r, S: AsRef<str>>(
    record: &'r Map<String, Json>,
    segments: &[S],
) -> Result<Option<&'r Json>, ()> {
    let Some((last, init)) = segments.split_last() else {
        return Ok(None);
    };
    let mut map = record;
    for segment in init {
        match map.get(segment.as_ref()) {
            None | Some(Json::Null) => return Ok(None),
            Some(Json::Object(inner)) => map = inner,
            Some(_) => return Err(()),
        }
    }
    Ok(map.get(last.as_ref()).filter(|v| !v.is_null()))
}

/// A slot's value from what its path leads to.
fn read_slot(slot: &Slot, found: Result<Option<&Json>, ()>) -> SlotValue {
    let json = match found {
        Ok(Some(json)) => json,
        Ok(None) => return SlotValue::Absent,
        Err(()) => return SlotValue::Irregular,
    };
    match (&slot.kind, json) {
        (SlotKind::Present, _) => SlotValue::Present,
        (SlotKind::Int, Json::Number(n)) => n.as_i64().map_or(SlotValue::Irregular, SlotValue::Int),
        // Read as the general evaluator reads a number.
        (SlotKind::Decimal, Json::Number(n)) => {
            crate::value::decimal_from_json(n).map_or(SlotValue::Irregular, SlotValue::Decimal)
        }
        (SlotKind::Text { codes, closed }, Json::String(text)) => text_code(codes, *closed, text),
        (SlotKind::Texts { codes }, Json::Array(items)) => {
            texts_code(codes, items.len(), items.iter().map(Json::as_str))
        }
        (SlotKind::Bool, Json::Bool(b)) => SlotValue::Bool(*b),
        _ => SlotValue::Irregular,
    }
}

/// A text slot's value: its code among `codes`; outside an enumeration's options it is
/// irregular.
pub(crate) fn text_code(codes: &Codes, closed: Option<usize>, text: &str) -> SlotValue {
    match codes.find(text) {
        Some(code) if closed.is_none_or(|options| (code as usize) < options) => {
            SlotValue::Code(code)
        }
        Some(_) => SlotValue::Irregular,
        None if closed.is_some() => SlotValue::Irregular,
        None => SlotValue::Code(OTHER),
    }
}

/// A list slot's value from its `len` elements, each a text or not (`None`): irregular
/// unless every element is a text and the list is short enough for the general evaluator
/// to read.
pub(crate) fn texts_code<T: AsRef<str>>(
    codes: &Codes,
    len: usize,
    items: impl Iterator<Item = Option<T>>,
) -> SlotValue {
    if len > crate::value::MAX_LIST_LEN {
        return SlotValue::Irregular;
    }
    let mut set = 0u64;
    for item in items {
        let Some(text) = item else {
            return SlotValue::Irregular;
        };
        if let Some(code) = codes.find(text.as_ref()) {
            set |= 1u64.checked_shl(code).unwrap_or(0);
        }
    }
    SlotValue::Codes {
        set,
        len: len as u64,
    }
}
