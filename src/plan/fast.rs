//! Typed slots and compiled guards: the fast path of evaluation.
//!
//! Strategy: the record fields that simple guards read are read once per record into
//! *slots* whose type is chosen at load — an integer, an exact decimal (only for a field
//! compared with a constant that is not an integer), a text as the index of the constant
//! it equals (so `==`, `!=` and `in` compare integers), a list of texts as the set of
//! constants it holds, a truth value. A rule whose guard uses only such slots, integer
//! arithmetic and constants gets a [`Guard`] that decides it with two-valued logic. A plan
//! whose every rule has one, and constant actions, is also kept flat ([`Flat`]).
//!
//! INVARIANT (byte-identical decisions): a guard is only used when every slot it reads
//! holds a value of its type, no integer operation overflows, and the rule's step budget
//! covers the most its general evaluation could take. A slot is unusable when its field is
//! absent or null (except for a slot only `is missing` / `is present` read, whose absence
//! is the answer), of another type, a number that is not a 64-bit integer, an enumeration's
//! text outside its options, or a list holding other than texts.
//! Anything else goes to the general evaluator, which then gives the answer — missing
//! fields, errors and all. On regular slots the general evaluator cannot fail or miss, so
//! both give the same answer.

use std::collections::HashMap;

use crate::ast::CompareOp;
use crate::record::keys::{hash, same};

use super::FieldRef;

/// The most slots a plan reads (a rule's slots are a 64-bit set).
pub(crate) const MAX_SLOTS: usize = 64;

/// A new plan identity.
pub(crate) fn new_id() -> u64 {
    static NEXT: std::sync::atomic::AtomicU64 = std::sync::atomic::AtomicU64::new(1);
    NEXT.fetch_add(1, std::sync::atomic::Ordering::Relaxed)
}

/// The code of a text that equals none of the constants it is compared with.
pub(crate) const OTHER: u32 = u32::MAX;

/// The fast path of a plan.
#[derive(Debug, Clone, Default)]
pub(crate) struct FastPlan {
    /// Tells this plan's slots from every other plan's in this process (a buffer keeps the
    /// scan layout of the last plan it served; an address could be reused once a plan is
    /// dropped, this number is not).
    pub(crate) id: u64,
    pub(crate) slots: Vec<Slot>,
    /// Per rule of the plan: its compiled guard, when it has one.
    pub(crate) rules: Vec<Option<FastRule>>,
    /// Per required field of the plan: the slot that reads it, if any.
    pub(crate) required: Vec<Option<u8>>,
    /// When every required field has a slot: those slots, as a set.
    pub(crate) required_mask: Option<u64>,
    /// When every rule has a compiled guard and actions known at load (the plan is
    /// complete): its rules as one flat list, walked in order.
    pub(crate) flat: Option<Flat>,
    /// The slots by the first key of their path.
    pub(crate) roots: Roots,
}

/// The texts a slot's values are compared with, each known by its index (its code).
#[derive(Debug, Clone, Default)]
pub(crate) struct Codes {
    texts: Vec<Box<str>>,
    /// The same, by text, for a long list.
    by_text: HashMap<Box<str>, u32>,
}

/// Up to how many codes a text is found by comparing it with each.
const SCAN_CODES: usize = 8;

impl Codes {
    /// How many codes there are.
    pub(crate) fn len(&self) -> usize {
        self.texts.len()
    }

    /// The code of `text`, if it has one.
    #[inline]
    pub(crate) fn find(&self, text: &str) -> Option<u32> {
        if self.texts.len() <= SCAN_CODES {
            let index = self.texts.iter().position(|t| same(t.as_bytes(), text.as_bytes()))?;
            u32::try_from(index).ok()
        } else {
            self.by_text.get(text).copied()
        }
    }

    /// The code of `text`, given one when it has none; `None` past `u32` codes.
    pub(crate) fn add(&mut self, text: &str) -> Option<u32> {
        if let Some(code) = self.by_text.get(text) {
            return Some(*code);
        }
        let code = u32::try_from(self.texts.len()).ok()?;
        self.texts.push(text.into());
        self.by_text.insert(text.into(), code);
        Some(code)
    }
}

/// The slots by the first key of their path, in an open-addressing table: reading a
/// record walks its entries once and finds each one's slots here, which costs less than
/// one hashed lookup of the record per slot. Keys are hashed and compared a word at a time
/// (`record::keys`).
#[derive(Debug, Clone, Default)]
pub(crate) struct Roots {
    /// A power of two long, at most half full.
    table: Vec<Option<Root>>,
}

/// A first key and the slots under it.
type Root = (Box<[u8]>, Vec<u8>);

impl Roots {
    pub(crate) fn build(slots: &[Slot]) -> Roots {
        let mut keys: Vec<(&str, Vec<u8>)> = Vec::new();
        for (index, slot) in slots.iter().enumerate() {
            let (Some(first), Ok(index)) = (slot.field.segments.first(), u8::try_from(index))
            else {
                continue;
            };
            match keys.iter_mut().find(|(k, _)| *k == &**first) {
                Some((_, list)) => list.push(index),
                None => keys.push((first, vec![index])),
            }
        }
        let size = (keys.len() * 2).next_power_of_two().max(4);
        let mut table = vec![None; size];
        for (key, list) in keys {
            let mut at = hash(key.as_bytes()) & (size - 1);
            while table.get(at).is_some_and(Option::is_some) {
                at = (at + 1) & (size - 1);
            }
            if let Some(entry) = table.get_mut(at) {
                *entry = Some((key.as_bytes().into(), list));
            }
        }
        Roots { table }
    }

    /// The slots whose path starts with `key`.
    #[inline]
    pub(crate) fn get(&self, key: &str) -> Option<&[u8]> {
        let mask = self.table.len().checked_sub(1)?;
        let mut at = hash(key.as_bytes()) & mask;
        // The table is at most half full: a free entry ends every probe.
        loop {
            match self.table.get(at)? {
                Some((k, list)) if same(k, key.as_bytes()) => return Some(list),
                Some(_) => at = (at + 1) & mask,
                None => return None,
            }
        }
    }
}

/// A record field read once per record.
#[derive(Debug, Clone)]
pub(crate) struct Slot {
    pub(crate) field: FieldRef,
    pub(crate) kind: SlotKind,
}

/// What a slot holds.
#[derive(Debug, Clone)]
pub(crate) enum SlotKind {
    /// A number that is a 64-bit integer.
    Int,
    /// A number, exact (compared with constants that are not 64-bit integers).
    Decimal,
    /// A text, as its code: its index among `codes`, or [`OTHER`]. With `closed` (an
    /// enumeration of that many options, the first codes), a text outside the options is
    /// irregular: the general evaluator reports it.
    Text {
        codes: Codes,
        closed: Option<usize>,
    },
    /// A list of texts, as the set of `codes` it holds (at most 64).
    Texts { codes: Codes },
    /// A truth value.
    Bool,
    /// Only whether the field is there (a required field no guard reads).
    Present,
}

/// A compiled rule: its guard (`when` and not `unless`), the slots it reads and the most
/// steps its general evaluation could take besides the lists it scans.
#[derive(Debug, Clone)]
pub(crate) struct FastRule {
    pub(crate) guard: Guard,
    /// The slots the guard reads, as a set of slot indexes.
    pub(crate) reads: u64,
    /// The slots only `is missing` / `is present` tests read: their absence is data.
    pub(crate) absence_ok: u64,
    /// The list slots a `contains` scans, as a set; each costs up to its length plus one.
    pub(crate) scans: u64,
    /// How many `contains` the guard has (each may scan its list once).
    pub(crate) scan_count: u64,
    /// Steps the general evaluation takes at most, lists scanned aside.
    pub(crate) steps: u64,
    /// Whether every action of the rule is known at load and the rule has no check: then
    /// an applying rule needs nothing else.
    pub(crate) constant_body: bool,
}

/// A complete plan's rules in source order, each with what deciding it needs next to it:
/// walking it touches no block, no general rule and no action plan.
#[derive(Debug, Clone, Default)]
pub(crate) struct Flat {
    pub(crate) rules: Vec<FlatRule>,
    /// The templates of the rules' actions, rule after rule.
    pub(crate) templates: Vec<u32>,
}

/// One rule of a [`Flat`] plan.
#[derive(Debug, Clone)]
pub(crate) struct FlatRule {
    pub(crate) compiled: FastRule,
    /// The rule's index among the plan's rules.
    pub(crate) id: u32,
    /// The position of its block among the plan's blocks.
    pub(crate) block: u32,
    /// Whether its block is a `first of`, settled once one of its rules applies.
    pub(crate) first_of: bool,
    /// Its actions' templates: `Flat::templates[start..end]`.
    pub(crate) templates: (u32, u32),
}

/// A compiled condition.
#[derive(Debug, Clone)]
pub(crate) enum Guard {
    Const(bool),
    And(Box<Guard>, Box<Guard>),
    Or(Box<Guard>, Box<Guard>),
    Not(Box<Guard>),
    /// Two integers compared.
    Compare(CompareOp, Int, Int),
    /// An integer slot compared with a constant (`slot OP k`).
    IntIs { op: CompareOp, slot: u8, k: i64 },
    /// A decimal slot compared with a constant (`slot OP k`).
    DecimalIs {
        op: CompareOp,
        slot: u8,
        k: rust_decimal::Decimal,
    },
    /// A text slot's code is `code`, or with `negated` is not.
    TextEq { slot: u8, code: u32, negated: bool },
    /// A text slot's code is one of `codes` (`in`), or with `negated` is none of them.
    TextIs {
        slot: u8,
        codes: Box<[u32]>,
        negated: bool,
    },
    /// A list slot holds the text of code `code` (a bit of its set).
    Holds { slot: u8, code: u32 },
    /// A truth-value slot, or its negation.
    Bool { slot: u8, negated: bool },
    /// `is missing` (`missing` set) or `is present` of a slot's field.
    Missing { slot: u8, missing: bool },
}

/// A compiled integer expression.
#[derive(Debug, Clone)]
pub(crate) enum Int {
    Slot(u8),
    Const(i64),
    Neg(Box<Int>),
    Add(Box<Int>, Box<Int>),
    Sub(Box<Int>, Box<Int>),
    Mul(Box<Int>, Box<Int>),
}
