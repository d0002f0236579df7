//! The rule index: skip rules whose guard cannot hold for a record, without evaluating them.
//!
//! Strategy: a rule whose `when` is a conjunction containing `F == "text"` or
//! `F in ["a", "b"]` cannot apply when the record's `F` holds another text. The index
//! picks the one field that gates the most lone rules (rules in `first of` blocks are
//! always evaluated: their order of trial is part of their meaning) and maps each text to
//! the blocks it lets through. Evaluation reads that field once, and walks only those
//! blocks and the ungated ones, in source order.
//!
//! The decision must be the one a full walk gives, so a rule is skipped only when its
//! evaluation could not have ended otherwise than "does not apply":
//! - the gating field is present and is a text its declared type accepts (a missing field
//!   leaves the rule undecided, a wrong type is an error: both need the full walk);
//! - every test evaluated before the gating one in the conjunction is itself a test of a
//!   field against text, and each such field is absent, null or a text its type accepts
//!   (then that test cannot fail, and a `false` from the gate settles the conjunction);
//! - no trace is asked for (the trace lists every rule's comparisons).
//!
//! When a record breaks one of these conditions, evaluation walks every rule as if there
//! were no index.

use std::collections::HashMap;

use serde_json::{Map, Value as Json};

use super::expr::{FieldRef, Node};
use super::{Block, RulePlan};
use crate::ast::CompareOp;
use crate::value::{FieldType, List, Value};

/// With fewer gated blocks than this, an index is not worth building.
const MIN_GATED: usize = 2;

/// The index of a plan (see the module doc).
#[derive(Debug, Clone)]
pub(crate) struct RuleIndex {
    /// The gating field.
    pub(crate) field: FieldRef,
    /// For each text, the gated blocks it lets through, ascending.
    pub(crate) buckets: HashMap<Box<str>, Box<[u32]>>,
    /// The blocks the index never skips, ascending.
    pub(crate) ungated: Box<[u32]>,
    /// Fields read by tests that come before a gate: they must be readable without error
    /// for any skip to be sound.
    pub(crate) prefix_fields: Box<[FieldRef]>,
}

/// A test of a field against text that evaluates without error when the field is absent,
/// null or a text its type accepts.
struct TextTest<'p> {
    field: &'p FieldRef,
    /// The texts that make the test true when it is an equality or `in` (the gate form);
    /// `None` for `!=` and `not in`, which may precede a gate but not be one.
    gate: Option<Vec<&'p str>>,
}

fn text_field(ty: &FieldType) -> bool {
    matches!(ty, FieldType::Any | FieldType::Text | FieldType::Enum(_))
}

fn const_text(node: &Node) -> Option<&str> {
    match node {
        Node::Const(Value::Text(t)) => Some(t.as_ref()),
        _ => None,
    }
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

fn text_test(node: &Node) -> Option<TextTest<'_>> {
    let test = match node {
        Node::Compare(op @ (CompareOp::Eq | CompareOp::Ne), a, b, _) => {
            let (field, text) = match (a.as_ref(), b.as_ref()) {
                (Node::Field(f), other) | (other, Node::Field(f)) => (f, const_text(other)?),
                _ => return None,
            };
            TextTest {
                field,
                gate: (*op == CompareOp::Eq).then(|| vec![text]),
            }
        }
        Node::In(negated, item, list, _) => {
            let Node::Field(field) = item.as_ref() else {
                return None;
            };
            let texts = const_texts(list)?;
            TextTest {
                field,
                gate: (!negated).then_some(texts),
            }
        }
        _ => return None,
    };
    text_field(&test.field.ty).then_some(test)
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

/// A rule's gates: each gate test with the fields of the tests before it. Only tests
/// reached through simple text tests count.
fn gates(rule: &RulePlan) -> Vec<(&FieldRef, Vec<&str>, Vec<&FieldRef>)> {
    let Some(when) = &rule.when else {
        return Vec::new();
    };
    let mut parts = Vec::new();
    conjuncts(when, &mut parts);
    let mut before: Vec<&FieldRef> = Vec::new();
    let mut out = Vec::new();
    for part in parts {
        let Some(test) = text_test(part) else {
            break;
        };
        if let Some(texts) = test.gate {
            out.push((test.field, texts, before.clone()));
        }
        before.push(test.field);
    }
    out
}

impl RuleIndex {
    /// Builds the index of a plan's blocks, or `None` when too few rules are gated.
    pub(crate) fn build(rules: &[RulePlan], blocks: &[Block]) -> Option<RuleIndex> {
        // Count, per field, the lone rules it gates.
        let mut counts: HashMap<&[Box<str>], (usize, &FieldRef)> = HashMap::new();
        for block in blocks {
            let Block::Single(index) = block else {
                continue;
            };
            let Some(rule) = rules.get(*index) else {
                continue;
            };
            let mut seen: Vec<&[Box<str>]> = Vec::new();
            for (field, _, _) in gates(rule) {
                let key: &[Box<str>] = &field.segments;
                if !seen.contains(&key) {
                    seen.push(key);
                    counts.entry(key).or_insert((0, field)).0 += 1;
                }
            }
        }
        // The field gating the most rules; ties go to the shorter, then smaller, path so
        // that the choice does not depend on hashing.
        let (_, &(count, field)) = counts
            .iter()
            .max_by(|a, b| a.1.0.cmp(&b.1.0).then_with(|| b.0.cmp(a.0)))?;
        if count < MIN_GATED {
            return None;
        }
        let mut buckets: HashMap<Box<str>, Vec<u32>> = HashMap::new();
        let mut ungated = Vec::new();
        let mut prefix_fields: Vec<FieldRef> = Vec::new();
        for (position, block) in blocks.iter().enumerate() {
            let Ok(position) = u32::try_from(position) else {
                return None;
            };
            let gate = match block {
                Block::Single(index) => rules.get(*index).and_then(|rule| {
                    gates(rule)
                        .into_iter()
                        .find(|(f, _, _)| f.segments == field.segments)
                }),
                Block::FirstOf(_) => None,
            };
            let Some((_, texts, before)) = gate else {
                ungated.push(position);
                continue;
            };
            for f in before {
                if !prefix_fields.iter().any(|p| p.segments == f.segments) {
                    prefix_fields.push(f.clone());
                }
            }
            for text in texts {
                let bucket = buckets.entry(text.into()).or_default();
                // A text listed twice in one `in` lets the block through once.
                if bucket.last() != Some(&position) {
                    bucket.push(position);
                }
            }
        }
        Some(RuleIndex {
            field: field.clone(),
            buckets: buckets
                .into_iter()
                .map(|(k, v)| (k, v.into_boxed_slice()))
                .collect(),
            ungated: ungated.into_boxed_slice(),
            prefix_fields: prefix_fields.into_boxed_slice(),
        })
    }

    /// The gated blocks a record lets through, or `None` when the record must be walked
    /// in full (see the module doc).
    pub(crate) fn select<'i>(&'i self, record: &Map<String, Json>) -> Option<&'i [u32]> {
        let text = match lookup(record, &self.field.segments)? {
            Some(Json::String(text)) if accepts(&self.field.ty, text) => text.as_str(),
            _ => return None,
        };
        for field in self.prefix_fields.iter() {
            match lookup(record, &field.segments)? {
                None | Some(Json::Null) => {}
                Some(Json::String(t)) if accepts(&field.ty, t) => {}
                Some(_) => return None,
            }
        }
        Some(self.buckets.get(text).map_or(&[], |b| b))
    }
}

/// Whether a declared text type accepts a text.
fn accepts(ty: &FieldType, text: &str) -> bool {
    match ty {
        FieldType::Any | FieldType::Text => true,
        FieldType::Enum(options) => options.iter().any(|o| o == text),
        _ => false,
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

/// The blocks to walk, in source order: every block, or the ungated ones merged with the
/// ones a record's text lets through. Allocates nothing.
pub(crate) enum Walk<'i> {
    All(std::ops::Range<usize>),
    Merge { a: &'i [u32], b: &'i [u32] },
}

impl Iterator for Walk<'_> {
    type Item = usize;

    fn next(&mut self) -> Option<usize> {
        match self {
            Walk::All(range) => range.next(),
            Walk::Merge { a, b } => {
                let take_a = match (a.first(), b.first()) {
                    (None, None) => return None,
                    (Some(_), None) => true,
                    (None, Some(_)) => false,
                    (Some(x), Some(y)) => x <= y,
                };
                let (slice, other) = if take_a { (a, b) } else { (b, a) };
                let (&first, rest) = slice.split_first()?;
                *slice = rest;
                // INVARIANT: a block is in at most one of the two lists (gated or not).
                if other.first() == Some(&first) {
                    let (_, rest) = other.split_first()?;
                    *other = rest;
                }
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
        let walk = Walk::Merge {
            a: &[0, 3, 4, 9],
            b: &[1, 2, 5],
        };
        assert_eq!(walk.collect::<Vec<_>>(), vec![0, 1, 2, 3, 4, 5, 9]);
        let walk = Walk::Merge { a: &[], b: &[7] };
        assert_eq!(walk.collect::<Vec<_>>(), vec![7]);
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

    #[test]
    fn enumerations_accept_only_their_members() {
        let ty = FieldType::Enum(vec!["low".into(), "high".into()]);
        assert!(accepts(&ty, "low"));
        assert!(!accepts(&ty, "urgent"));
        assert!(accepts(&FieldType::Text, "anything"));
        assert!(!accepts(&FieldType::Number, "1"));
    }
}
