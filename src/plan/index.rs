//! The rule index: skip rules whose guard cannot hold for a record, without evaluating them.
//!
//! Strategy: a rule whose `when` is a conjunction containing a *gate* cannot apply when
//! the record's value rules the gate out. Gates are `F == "text"` and `F in ["a", "b"]`
//! on a text field, and `F OP constant` (`==`, `<`, `<=`, `>`, `>=`) on a number, money or
//! duration field; the gates of one field in one guard combine into one set of texts or
//! one interval (`amount > 100 and amount <= 500` is the band `(100, 500]`). Each lone
//! rule (rules in `first of` blocks are always evaluated: their order of trial is part of
//! their meaning) is filed under one gating field, chosen among its gates for the field
//! that tells rules apart best; up to [`MAX_GROUPS`] fields are indexed:
//! - a text field by a hash map from each text to the blocks it lets through;
//! - a numeric field by a sorted table of the interval ends: the line is cut at every end
//!   into points and open stretches between them, and each piece lists the blocks whose
//!   band covers it, so a record's value finds its blocks with one binary search.
//!
//! Evaluation reads each indexed field once, takes the blocks its value lets through (or
//! every block of the field when the value cannot be used, see below), and walks those
//! and the ungated blocks merged in source order.
//!
//! The decision must be the one a full walk gives, so a rule is skipped only when its
//! evaluation could not have ended otherwise than "does not apply":
//! - the field is present, reads without error as its declared type, and holds a value
//!   of the gate's own kind (a text; a number; money in the gate's currency; a duration):
//!   then the gate compares without error and is false; a missing field leaves the rule
//!   undecided and a wrong type is an error, so both walk every block of that field;
//! - `and` is false as soon as one side is false, whatever the other side holds (an error
//!   or a missing value on the other side does not matter, see `eval::expr`), so the
//!   tests before the gate may be anything as long as evaluating them cannot spend the
//!   rule's step budget: only tests of fields against constants may come before a gate,
//!   and each indexed rule's worst case of steps up to its gate is known; a budget smaller
//!   than the largest of them walks every rule;
//! - no trace is asked for (the trace lists every rule's comparisons).

use std::collections::HashMap;

use rust_decimal::Decimal;
use serde_json::{Map, Value as Json};

use super::expr::{FieldRef, Node};
use super::{Block, RulePlan};
use crate::ast::CompareOp;
use crate::value::{Currency, Duration, FieldType, List, Value, read_json};

/// With fewer gated blocks than this, a field is not worth indexing.
const MIN_GATED: usize = 2;

/// The most fields indexed: a record reads each of them and merges as many lists.
pub(crate) const MAX_GROUPS: usize = 16;

/// A band table lists each rule once per piece of the line its band covers; past this
/// many entries per rule (bands that overlap heavily) the field is not indexed, which
/// bounds the table's memory by a count of rules.
const MAX_BAND_ENTRIES_PER_RULE: usize = 16;

/// The index of a plan (see the module doc).
#[derive(Debug, Clone)]
pub(crate) struct RuleIndex {
    /// The indexed fields, each with the blocks it gates.
    groups: Box<[Group]>,
    /// The blocks the index never skips, ascending.
    ungated: Box<[u32]>,
    /// The most steps any indexed rule may spend before its gate decides: a smaller
    /// per-rule budget could stop a rule there, so it walks every rule.
    min_steps: u64,
}

/// One indexed field.
#[derive(Debug, Clone)]
struct Group {
    field: FieldRef,
    /// Every block filed under this field, ascending: walked when the record's value
    /// cannot be looked up in the table.
    all: Box<[u32]>,
    table: Table,
}

/// How a group finds the blocks a value lets through.
#[derive(Debug, Clone)]
enum Table {
    /// For each text, the blocks it lets through, ascending.
    Text(HashMap<Box<str>, Box<[u32]>>),
    /// Numeric bands over `points` (ascending, distinct): piece `2i + 1` is the point
    /// `points[i]`, piece `2i` the open stretch below it, piece `2k` the stretch above the
    /// last; the blocks of piece `p` are `members[starts[p]..starts[p + 1]]`, ascending.
    Band {
        kind: BandKind,
        points: Box<[Key]>,
        starts: Box<[u32]>,
        members: Box<[u32]>,
    },
}

/// The kind of value a band compares with: the record's value must be of the same kind
/// for the comparison to be decided without error.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
enum BandKind {
    Number,
    Money(Currency),
    Duration,
}

/// A point of a band, ordered as the evaluator orders the values it stands for.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord)]
enum Key {
    /// A number, or an amount of money of the band's currency.
    Decimal(Decimal),
    Duration(Duration),
}

/// One end of a band: the point and whether it belongs to the band.
type End = Option<(Key, bool)>;

/// The values a band lets through; `None` ends are unbounded.
#[derive(Debug, Clone, Copy, PartialEq)]
struct Interval {
    lo: End,
    hi: End,
}

impl Interval {
    /// The values `v` with `v OP point`; `None` for `!=`, which is no band.
    fn of(op: CompareOp, point: Key) -> Option<Interval> {
        let (lo, hi) = match op {
            CompareOp::Eq => (Some((point, true)), Some((point, true))),
            CompareOp::Gt => (Some((point, false)), None),
            CompareOp::Ge => (Some((point, true)), None),
            CompareOp::Lt => (None, Some((point, false))),
            CompareOp::Le => (None, Some((point, true))),
            CompareOp::Ne => return None,
        };
        Some(Interval { lo, hi })
    }

    /// The values both bands let through.
    fn and(self, other: Interval) -> Interval {
        // For a lower end the larger point wins, for an upper end the smaller; at the same
        // point an open end wins.
        let pick = |a: End, b: End, lower: bool| match (a, b) {
            (None, x) | (x, None) => x,
            (Some((p, pi)), Some((q, qi))) => Some(if p == q {
                (p, pi && qi)
            } else if (p > q) == lower {
                (p, pi)
            } else {
                (q, qi)
            }),
        };
        Interval {
            lo: pick(self.lo, other.lo, true),
            hi: pick(self.hi, other.hi, false),
        }
    }
}

/// What a gate lets through.
#[derive(Debug, Clone, PartialEq)]
enum Spec<'p> {
    Texts(Vec<&'p str>),
    Band(BandKind, Interval),
}

/// The group a gate could be filed under: a field and the kind of its table.
#[derive(Debug, Clone, PartialEq, Eq, Hash, PartialOrd, Ord)]
enum Kind {
    Text,
    Band(BandKindOrd),
}

/// [`BandKind`] with an order, so that choices never depend on hashing.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord)]
enum BandKindOrd {
    Number,
    Money(Currency),
    Duration,
}

impl From<BandKind> for BandKindOrd {
    fn from(kind: BandKind) -> BandKindOrd {
        match kind {
            BandKind::Number => BandKindOrd::Number,
            BandKind::Money(c) => BandKindOrd::Money(c),
            BandKind::Duration => BandKindOrd::Duration,
        }
    }
}

impl Spec<'_> {
    fn kind(&self) -> Kind {
        match self {
            Spec::Texts(_) => Kind::Text,
            Spec::Band(kind, _) => Kind::Band((*kind).into()),
        }
    }

    /// The gate of two tests of one field that both must hold.
    fn and(&mut self, other: Spec<'_>) {
        match (self, other) {
            (Spec::Texts(these), Spec::Texts(those)) => these.retain(|t| those.contains(t)),
            (Spec::Band(_, this), Spec::Band(_, that)) => *this = this.and(that),
            // Kinds differ only in groups keyed apart; never merged.
            _ => {}
        }
    }
}

/// One gate of a rule: the field, what it lets through, and the most steps the guard may
/// spend until the gate has decided.
#[derive(Debug, Clone)]
struct Gate<'p> {
    field: &'p FieldRef,
    spec: Spec<'p>,
    steps: u64,
}

type GroupKey<'p> = (&'p [Box<str>], Kind);

impl<'p> Gate<'p> {
    fn key(&self) -> GroupKey<'p> {
        (&self.field.segments, self.spec.kind())
    }
}

fn text_field(ty: &FieldType) -> bool {
    matches!(ty, FieldType::Any | FieldType::Text | FieldType::Enum(_))
}

fn const_texts(node: &Node) -> Option<Vec<&str>> {
    let Node::Const(Value::List(list)) = node else {
        return None;
    };
    let items: &[Value<'static>] = match list {
        List::Owned(items) => items,
        List::Slice(items) => items,
        List::Json(..) => return None,
    };
    items
        .iter()
        .map(|v| match v {
            Value::Text(t) => Some(t.as_ref()),
            _ => None,
        })
        .collect()
}

/// The band kind and point of a constant compared with a field of type `ty`.
fn band_point(ty: &FieldType, value: &Value<'_>) -> Option<(BandKind, Key)> {
    match (ty, value) {
        (FieldType::Number | FieldType::Any, Value::Number(n)) => {
            Some((BandKind::Number, Key::Decimal(*n)))
        }
        (FieldType::Money, Value::Money(m)) => {
            Some((BandKind::Money(m.currency?), Key::Decimal(m.amount)))
        }
        (FieldType::Duration, Value::Duration(d)) => Some((BandKind::Duration, Key::Duration(*d))),
        _ => None,
    }
}

/// The point of a record's value in a band of `kind`, when the value is of that kind.
fn value_point(kind: BandKind, value: &Value<'_>) -> Option<Key> {
    match (kind, value) {
        (BandKind::Number, Value::Number(n)) => Some(Key::Decimal(*n)),
        (BandKind::Money(currency), Value::Money(m)) if m.currency == Some(currency) => {
            Some(Key::Decimal(m.amount))
        }
        (BandKind::Duration, Value::Duration(d)) => Some(Key::Duration(*d)),
        _ => None,
    }
}

/// `a OP b` read as `b OP' a`.
fn flipped(op: CompareOp) -> CompareOp {
    match op {
        CompareOp::Lt => CompareOp::Gt,
        CompareOp::Le => CompareOp::Ge,
        CompareOp::Gt => CompareOp::Lt,
        CompareOp::Ge => CompareOp::Le,
        other => other,
    }
}

/// The gate a test is, if it is one.
fn gate_of(node: &Node) -> Option<(&FieldRef, Spec<'_>)> {
    match node {
        Node::Compare(op, a, b, _) => {
            let (field, constant, op) = match (a.as_ref(), b.as_ref()) {
                (Node::Field(f), Node::Const(c)) => (f, c, *op),
                (Node::Const(c), Node::Field(f)) => (f, c, flipped(*op)),
                _ => return None,
            };
            if let Value::Text(text) = constant {
                return (op == CompareOp::Eq && text_field(&field.ty))
                    .then(|| (field.as_ref(), Spec::Texts(vec![text.as_ref()])));
            }
            let (kind, point) = band_point(&field.ty, constant)?;
            Some((field, Spec::Band(kind, Interval::of(op, point)?)))
        }
        Node::In(false, item, list, _) => {
            let Node::Field(field) = item.as_ref() else {
                return None;
            };
            let texts = const_texts(list)?;
            text_field(&field.ty).then_some((field, Spec::Texts(texts)))
        }
        _ => None,
    }
}

/// The most steps evaluating a test can take, for tests whose cost does not depend on the
/// record (fields, constants, comparisons, membership in a constant list); `None` for
/// anything else, which may not come before a gate.
fn steps(node: &Node) -> Option<u64> {
    Some(match node {
        Node::Const(_) | Node::Field(_) | Node::Now => 1,
        Node::Compare(_, a, b, _) | Node::And(a, b) | Node::Or(a, b) | Node::Arith(_, a, b) => {
            1 + steps(a)? + steps(b)?
        }
        Node::Not(x) | Node::Neg(x) | Node::IsMissing(x, _, _) => 1 + steps(x)?,
        Node::In(_, item, list, _) => {
            let Node::Const(Value::List(values)) = list.as_ref() else {
                return None;
            };
            // Building a hash set charges one step an element, a scan at most as many.
            let len = u64::try_from(values.len()).ok()?;
            3 + steps(item)? + 2 * len
        }
        _ => return None,
    })
}

/// The conjuncts of a guard in evaluation order (`a and b` evaluates `a` first).
fn conjuncts<'p>(node: &'p Node, out: &mut Vec<&'p Node>) {
    match node {
        Node::And(a, b) => {
            conjuncts(a, out);
            conjuncts(b, out);
        }
        other => out.push(other),
    }
}

/// A rule's gates, one per field and kind, each the conjunction of the rule's gates on
/// that field; only tests reached through tests of bounded cost count.
fn gates(rule: &RulePlan) -> Vec<Gate<'_>> {
    let Some(when) = &rule.when else {
        return Vec::new();
    };
    let mut parts = Vec::new();
    conjuncts(when, &mut parts);
    // Every `and` of the conjunction is a step of its own.
    let mut spent = u64::try_from(parts.len()).unwrap_or(u64::MAX);
    let mut out: Vec<Gate<'_>> = Vec::new();
    for part in parts {
        let Some(cost) = steps(part) else {
            break;
        };
        spent = spent.saturating_add(cost);
        let Some((field, spec)) = gate_of(part) else {
            continue;
        };
        let key = (&field.segments[..], spec.kind());
        match out.iter_mut().find(|g| g.key() == key) {
            Some(gate) => {
                gate.spec.and(spec);
                gate.steps = spent;
            }
            None => out.push(Gate {
                field,
                spec,
                steps: spent,
            }),
        }
    }
    out
}

/// What a band table is built from: each block with its band.
type Bands = Vec<(u32, Interval)>;

/// Builds a band table, or `None` when it would hold more than its share of entries.
fn band_table(kind: BandKind, bands: &Bands) -> Option<Table> {
    let mut points: Vec<Key> = bands
        .iter()
        .flat_map(|(_, b)| [b.lo, b.hi])
        .flatten()
        .map(|(p, _)| p)
        .collect();
    points.sort_unstable();
    points.dedup();
    let pieces = 2 * points.len() + 1;
    let at = |p: &Key| points.binary_search(p).ok();
    // Each block's first and last piece (inclusive); empty bands cover nothing.
    let mut spans: Vec<(u32, usize, usize)> = Vec::with_capacity(bands.len());
    let mut total = 0usize;
    for (block, band) in bands {
        let first = match band.lo {
            None => 0,
            Some((p, inclusive)) => 2 * at(&p)? + if inclusive { 1 } else { 2 },
        };
        let last = match band.hi {
            None => pieces - 1,
            Some((p, inclusive)) => 2 * at(&p)? + usize::from(inclusive),
        };
        if first <= last {
            total += last - first + 1;
            spans.push((*block, first, last));
        }
    }
    if total > MAX_BAND_ENTRIES_PER_RULE.saturating_mul(bands.len().max(1)) {
        return None;
    }
    let mut counts = vec![0u32; pieces + 1];
    for &(_, first, last) in &spans {
        for count in counts.get_mut(first + 1..last + 2)? {
            *count += 1;
        }
    }
    // Prefix sums: `counts[p]` becomes where piece `p` starts.
    let mut sum = 0u32;
    for count in counts.iter_mut() {
        sum += *count;
        *count = sum;
    }
    let starts: Box<[u32]> = counts.clone().into_boxed_slice();
    let mut fill = counts;
    let mut members = vec![0u32; total];
    // Blocks are visited in ascending order, so every piece's list comes out ascending.
    for &(block, first, last) in &spans {
        for piece in first..=last {
            let slot = fill.get_mut(piece)?;
            *members.get_mut(usize::try_from(*slot).ok()?)? = block;
            *slot += 1;
        }
    }
    Some(Table::Band {
        kind,
        points: points.into_boxed_slice(),
        starts,
        members: members.into_boxed_slice(),
    })
}

impl RuleIndex {
    /// Builds the index of a plan's blocks, or `None` when too few rules are gated.
    pub(crate) fn build(rules: &[RulePlan], blocks: &[Block]) -> Option<RuleIndex> {
        let mut lone: Vec<(u32, Vec<Gate<'_>>)> = Vec::new();
        let mut ungated = Vec::new();
        for (position, block) in blocks.iter().enumerate() {
            let position = u32::try_from(position).ok()?;
            let gates = match block {
                Block::Single(index) => rules.get(*index).map(gates).unwrap_or_default(),
                Block::FirstOf(_) => Vec::new(),
            };
            if gates.is_empty() {
                ungated.push(position);
            } else {
                lone.push((position, gates));
            }
        }
        // For each field and kind: how many blocks it could gate, and how many distinct
        // texts or band ends it holds (the more, the better it tells rules apart).
        let mut stats: HashMap<GroupKey<'_>, (usize, Vec<Spec<'_>>)> = HashMap::new();
        for (_, gates) in &lone {
            for gate in gates {
                let entry = stats.entry(gate.key()).or_default();
                entry.0 += 1;
                entry.1.push(gate.spec.clone());
            }
        }
        let mut candidates: Vec<(GroupKey<'_>, usize, usize)> = stats
            .into_iter()
            .filter(|(_, (count, _))| *count >= MIN_GATED)
            .map(|(key, (count, specs))| (key, count, distinct(&specs)))
            .collect();
        // Most blocks first; ties to the shorter, then smaller path, so that the choice
        // does not depend on hashing.
        candidates.sort_by(|a, b| b.1.cmp(&a.1).then_with(|| a.0.cmp(&b.0)));
        candidates.truncate(MAX_GROUPS);
        // File each block under its gate of the chosen field telling most rules apart.
        let mut filed: Vec<(GroupKey<'_>, Vec<(u32, Gate<'_>)>)> = candidates
            .iter()
            .map(|(key, _, _)| (key.clone(), Vec::new()))
            .collect();
        let mut min_steps = 0u64;
        for (position, gates) in lone {
            let best = gates
                .into_iter()
                .filter_map(|gate| {
                    let rank = candidates.iter().position(|(k, _, _)| *k == gate.key())?;
                    let spread = candidates.get(rank).map_or(0, |c| c.2);
                    Some((spread, std::cmp::Reverse(rank), gate))
                })
                .max_by(|a, b| (a.0, a.1).cmp(&(b.0, b.1)));
            match best {
                Some((_, std::cmp::Reverse(rank), gate)) => {
                    if let Some((_, members)) = filed.get_mut(rank) {
                        members.push((position, gate));
                    }
                }
                None => ungated.push(position),
            }
        }
        let mut groups = Vec::new();
        for ((_, kind), members) in filed {
            if members.is_empty() {
                continue;
            }
            let Some(field) = members.first().map(|(_, g)| g.field.clone()) else {
                continue;
            };
            let table = match kind {
                Kind::Text => {
                    let mut buckets: HashMap<Box<str>, Vec<u32>> = HashMap::new();
                    for (position, gate) in &members {
                        if let Spec::Texts(texts) = &gate.spec {
                            for text in texts {
                                let bucket = buckets.entry((*text).into()).or_default();
                                // A text listed twice in one `in` lets the block through once.
                                if bucket.last() != Some(position) {
                                    bucket.push(*position);
                                }
                            }
                        }
                    }
                    Some(Table::Text(
                        buckets
                            .into_iter()
                            .map(|(k, v)| (k, v.into_boxed_slice()))
                            .collect(),
                    ))
                }
                Kind::Band(_) => {
                    let bands: Bands = members
                        .iter()
                        .filter_map(|(position, gate)| match gate.spec {
                            Spec::Band(_, band) => Some((*position, band)),
                            Spec::Texts(_) => None,
                        })
                        .collect();
                    let kind = members.iter().find_map(|(_, gate)| match gate.spec {
                        Spec::Band(kind, _) => Some(kind),
                        Spec::Texts(_) => None,
                    });
                    kind.and_then(|kind| band_table(kind, &bands))
                }
            };
            let all: Vec<u32> = members.iter().map(|(position, _)| *position).collect();
            match table {
                Some(table) => {
                    for (_, gate) in &members {
                        min_steps = min_steps.max(gate.steps);
                    }
                    groups.push(Group {
                        field,
                        all: all.into_boxed_slice(),
                        table,
                    });
                }
                // Bands too tangled to table: their blocks are walked for every record.
                None => ungated.extend(all),
            }
        }
        if groups.is_empty() {
            return None;
        }
        ungated.sort_unstable();
        Some(RuleIndex {
            groups: groups.into_boxed_slice(),
            ungated: ungated.into_boxed_slice(),
            min_steps,
        })
    }

    /// The blocks to walk for a record, in source order, or `None` when the record must be
    /// walked in full: a per-rule budget of `rule_steps` could stop a rule before its gate
    /// decides (see the module doc).
    pub(crate) fn select<'i>(
        &'i self,
        record: &Map<String, Json>,
        rule_steps: u64,
    ) -> Option<Walk<'i>> {
        if rule_steps < self.min_steps {
            return None;
        }
        // The non-empty lists first, so that merging looks at those only.
        let mut lists: [&'i [u32]; MAX_GROUPS + 1] = [&[]; MAX_GROUPS + 1];
        let mut live = 0;
        let selected = self.groups.iter().map(|group| group.select(record));
        for list in std::iter::once(&self.ungated[..]).chain(selected) {
            if let Some(slot) = lists.get_mut(live)
                && !list.is_empty()
            {
                *slot = list;
                live += 1;
            }
        }
        Some(Walk::Many(lists, live))
    }

    /// How many fields are indexed (each costs a read of the record per evaluation).
    pub(crate) fn fields(&self) -> usize {
        self.groups.len()
    }
}

/// How many distinct texts or band ends the specs hold.
fn distinct(specs: &[Spec<'_>]) -> usize {
    let mut texts: Vec<&str> = Vec::new();
    let mut points: Vec<Key> = Vec::new();
    for spec in specs {
        match spec {
            Spec::Texts(t) => texts.extend(t.iter().copied()),
            Spec::Band(_, band) => {
                points.extend([band.lo, band.hi].into_iter().flatten().map(|(p, _)| p))
            }
        }
    }
    texts.sort_unstable();
    texts.dedup();
    points.sort_unstable();
    points.dedup();
    texts.len() + points.len()
}

impl Group {
    /// The blocks of this group a record lets through, ascending.
    fn select(&self, record: &Map<String, Json>) -> &[u32] {
        let Some(Some(json)) = lookup(record, &self.field.segments) else {
            return &self.all;
        };
        let Ok(value) = read_json(json, &self.field.ty) else {
            return &self.all;
        };
        match (&self.table, &value) {
            (Table::Text(buckets), Value::Text(text)) => {
                buckets.get(text.as_ref()).map_or(&[], |b| b)
            }
            (
                Table::Band {
                    kind,
                    points,
                    starts,
                    members,
                },
                value,
            ) => {
                let Some(point) = value_point(*kind, value) else {
                    return &self.all;
                };
                let piece = match points.binary_search(&point) {
                    Ok(i) => 2 * i + 1,
                    Err(i) => 2 * i,
                };
                let range = starts.get(piece).zip(starts.get(piece + 1));
                range
                    .and_then(|(&a, &b)| members.get(a as usize..b as usize))
                    .unwrap_or(&self.all)
            }
            _ => &self.all,
        }
    }
}

/// The JSON at a path: `Some(None)` when absent (or under an absent or null object),
/// `None` when a value that is not an object stands where the path goes through (reading
/// it is an error).
fn lookup<'r>(record: &'r Map<String, Json>, segments: &[Box<str>]) -> Option<Option<&'r Json>> {
    let (last, init) = segments.split_last()?;
    let mut map = record;
    for segment in init {
        match map.get(segment.as_ref()) {
            None | Some(Json::Null) => return Some(None),
            Some(Json::Object(inner)) => map = inner,
            Some(_) => return None,
        }
    }
    Some(map.get(last.as_ref()))
}

/// The blocks to walk, in source order: every block, or the ascending lists of blocks
/// (pairwise disjoint) a record lets through, merged. Allocates nothing.
#[allow(
    clippy::large_enum_variant,
    reason = "one walk a record, on the stack: boxing the lists would allocate per record"
)]
pub(crate) enum Walk<'i> {
    All(std::ops::Range<usize>),
    /// Lists, of which the first `.1` may be non-empty.
    Many([&'i [u32]; MAX_GROUPS + 1], usize),
}

impl Iterator for Walk<'_> {
    type Item = usize;

    fn next(&mut self) -> Option<usize> {
        match self {
            Walk::All(range) => range.next(),
            Walk::Many(lists, live) => {
                let mut best: Option<&mut &[u32]> = None;
                for list in lists.iter_mut().take(*live) {
                    let Some(head) = list.first() else {
                        continue;
                    };
                    if best
                        .as_ref()
                        .is_none_or(|b| b.first().is_none_or(|first| head < first))
                    {
                        best = Some(list);
                    }
                }
                let best = best?;
                let (&first, rest) = best.split_first()?;
                *best = rest;
                Some(first as usize)
            }
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn merging_keeps_source_order_and_drops_nothing() {
        let mut lists: [&[u32]; MAX_GROUPS + 1] = [&[]; MAX_GROUPS + 1];
        lists[0] = &[0, 3, 4, 9];
        lists[1] = &[1, 2, 5];
        lists[5] = &[6, 10];
        assert_eq!(
            Walk::Many(lists, 6).collect::<Vec<_>>(),
            vec![0, 1, 2, 3, 4, 5, 6, 9, 10]
        );
        let mut lists: [&[u32]; MAX_GROUPS + 1] = [&[]; MAX_GROUPS + 1];
        lists[MAX_GROUPS] = &[7];
        assert_eq!(
            Walk::Many(lists, MAX_GROUPS + 1).collect::<Vec<_>>(),
            vec![7]
        );
        assert_eq!(Walk::Many(lists, MAX_GROUPS).count(), 0);
    }

    #[test]
    fn lookup_tells_absent_from_unreadable() {
        let record: Map<String, Json> =
            serde_json::from_str(r#"{"a": {"b": "x"}, "n": null, "s": 3}"#).unwrap();
        let path = |p: &str| p.split('.').map(Box::<str>::from).collect::<Vec<_>>();
        assert_eq!(lookup(&record, &path("a.b")), Some(Some(&Json::from("x"))));
        assert_eq!(lookup(&record, &path("a.c")), Some(None));
        assert_eq!(lookup(&record, &path("n.c")), Some(None));
        assert_eq!(lookup(&record, &path("zz.c")), Some(None));
        assert_eq!(lookup(&record, &path("s.c")), None);
    }

    fn n(v: i64) -> Key {
        Key::Decimal(Decimal::from(v))
    }

    #[test]
    fn bands_of_one_field_meet() {
        let gt = Interval::of(CompareOp::Gt, n(100)).unwrap();
        let le = Interval::of(CompareOp::Le, n(500)).unwrap();
        let ge = Interval::of(CompareOp::Ge, n(100)).unwrap();
        assert_eq!(
            gt.and(le),
            Interval {
                lo: Some((n(100), false)),
                hi: Some((n(500), true))
            }
        );
        // At the same point the open end wins, whichever comes first.
        assert_eq!(gt.and(ge), gt);
        assert_eq!(ge.and(gt), gt);
        assert_eq!(Interval::of(CompareOp::Ne, n(1)), None);
    }

    /// The blocks a band table lets through for `v`.
    fn through(table: &Table, v: i64) -> Vec<u32> {
        let group = Group {
            field: FieldRef {
                segments: vec![Box::from("x")].into_boxed_slice(),
                dotted: "x".into(),
                ty: FieldType::Number,
                optional: false,
            },
            all: vec![99].into_boxed_slice(),
            table: table.clone(),
        };
        let record: Map<String, Json> =
            serde_json::from_value(serde_json::json!({ "x": v })).unwrap();
        group.select(&record).to_vec()
    }

    #[test]
    fn a_band_table_finds_exactly_the_bands_holding_a_value() {
        let band = |op, p, op2, q| {
            Interval::of(op, n(p))
                .unwrap()
                .and(Interval::of(op2, n(q)).unwrap())
        };
        let bands: Bands = vec![
            (0, band(CompareOp::Gt, 0, CompareOp::Le, 10)),
            (1, band(CompareOp::Ge, 10, CompareOp::Lt, 20)),
            (2, Interval::of(CompareOp::Eq, n(15)).unwrap()),
            (3, Interval::of(CompareOp::Gt, n(18)).unwrap()),
            // Empty: nothing lets it through.
            (4, band(CompareOp::Gt, 5, CompareOp::Lt, 5)),
            (5, Interval::of(CompareOp::Lt, n(0)).unwrap()),
        ];
        let table = band_table(BandKind::Number, &bands).unwrap();
        for v in -3..25 {
            let expected: Vec<u32> = bands
                .iter()
                .filter(|(_, b)| {
                    let k = n(v);
                    b.lo.is_none_or(|(p, inc)| if inc { k >= p } else { k > p })
                        && b.hi.is_none_or(|(p, inc)| if inc { k <= p } else { k < p })
                })
                .map(|(i, _)| *i)
                .collect();
            assert_eq!(through(&table, v), expected, "value {v}");
        }
    }

    #[test]
    fn heavily_overlapping_bands_are_not_tabled() {
        let bands: Bands = (0..200)
            .map(|i| (i, Interval::of(CompareOp::Gt, n(i64::from(i))).unwrap()))
            .collect();
        assert!(band_table(BandKind::Number, &bands).is_none());
    }
}
