//! Building the fast path (`plan::fast`): slots for the fields simple guards read, and
//! those guards compiled over them.
//!
//! A guard compiles when it is made of `and`, `or`, `not`, comparisons of integer
//! expressions (`+`, `-`, `*`, negation over number fields and integer constants), a
//! number field compared with a constant that is not a 64-bit integer (exactly), `==`,
//! `!=`, `in` and `not in` between a text field and text constants, `contains` of a text
//! constant in a list-of-text field, `is missing` / `is present` of a field with a slot
//! type, and truth-value fields. Anything else keeps the rule on the general evaluator,
//! which stays the meaning of every rule.

use std::collections::HashMap;

use crate::ast::CompareOp;
use crate::plan::fast::{
    Codes, FastPlan, FastRule, Flat, FlatRule, Guard, Int, MAX_SLOTS, Roots, Slot, SlotKind,
};
use crate::plan::{Block, FieldRef, Node, RulePlan};
use crate::value::{ArithOp, FieldType, List, Value};

/// The most codes a list slot's set holds (one bit each).
const MAX_LIST_CODES: usize = 64;

/// The fast path of compiled rules.
pub(crate) fn build(rules: &[RulePlan], blocks: &[Block], required: &[FieldRef]) -> FastPlan {
    let mut builder = Builder::default();
    let compiled: Vec<Option<FastRule>> = rules.iter().map(|rule| builder.rule(rule)).collect();
    let complete = compiled
        .iter()
        .all(|rule| rule.as_ref().is_some_and(|r| r.constant_body));
    // Every required field gets a slot while slots are left, so that a record read into
    // slots alone can be checked for them.
    let required: Vec<Option<u8>> = required
        .iter()
        .map(|field| builder.find(&field.dotted).or_else(|| builder.presence(field)))
        .collect();
    let required_mask = required.iter().try_fold(0u64, |mask, slot| {
        slot.and_then(|slot| 1u64.checked_shl(u32::from(slot)))
            .map(|bit| mask | bit)
    });
    let flat = if complete {
        flatten(rules, blocks, &compiled)
    } else {
        None
    };
    FastPlan {
        id: crate::plan::fast::new_id(),
        flat,
        roots: Roots::build(&builder.slots),
        slots: builder.slots,
        rules: compiled,
        required,
        required_mask,
    }
}

/// A complete plan's rules as one list in block order; `None` past `u32` counts.
fn flatten(rules: &[RulePlan], blocks: &[Block], compiled: &[Option<FastRule>]) -> Option<Flat> {
    let mut flat = Flat::default();
    for (position, block) in blocks.iter().enumerate() {
        let (members, first_of): (&[usize], bool) = match block {
            Block::Single(index) => (std::slice::from_ref(index), false),
            Block::FirstOf(members) => (members, true),
        };
        for &index in members {
            let rule = rules.get(index)?;
            let start = u32::try_from(flat.templates.len()).ok()?;
            flat.templates
                .extend(rule.then.iter().filter_map(|action| action.template));
            flat.rules.push(FlatRule {
                compiled: compiled.get(index)?.clone()?,
                id: u32::try_from(index).ok()?,
                block: u32::try_from(position).ok()?,
                first_of,
                templates: (start, u32::try_from(flat.templates.len()).ok()?),
            });
        }
    }
    Some(flat)
}

/// Which kind of slot a field is read as.
#[derive(Clone, Copy, PartialEq, Eq, Hash)]
enum Want {
    Int,
    Decimal,
    Text,
    Texts,
    Bool,
}

#[derive(Default)]
struct Builder {
    slots: Vec<Slot>,
    by_field: HashMap<(Box<str>, u8), u8>,
}

/// What compiling one rule's guard collects.
#[derive(Default)]
struct Used {
    reads: u64,
    /// Slots `is missing` / `is present` read.
    presence: u64,
    scans: u64,
    scan_count: u64,
    steps: u64,
}

impl Builder {
    fn rule(&mut self, rule: &RulePlan) -> Option<FastRule> {
        let mut used = Used::default();
        // A guard that does not compile leaves no slot of its own behind.
        let saved = self.slots.len();
        let guard = self.guards(rule, &mut used);
        let Some(guard) = guard else {
            if self.slots.len() > saved {
                self.slots.truncate(saved);
                self.by_field.retain(|_, index| usize::from(*index) < saved);
            }
            return None;
        };
        let constant_body = rule.check.is_none()
            && rule.handlers.is_empty()
            && rule.then.iter().all(|a| a.template.is_some());
        let body_steps: u64 = rule.then.iter().map(|a| 1 + a.args.len() as u64).sum();
        Some(FastRule {
            guard,
            reads: used.reads | used.presence,
            absence_ok: used.presence & !used.reads,
            scans: used.scans,
            scan_count: used.scan_count,
            steps: used.steps.saturating_add(body_steps),
            constant_body,
        })
    }

    fn guards(&mut self, rule: &RulePlan, used: &mut Used) -> Option<Guard> {
        let when = match &rule.when {
            Some(node) => self.cond(node, used)?,
            None => Guard::Const(true),
        };
        Some(match &rule.unless {
            Some(node) => {
                let unless = self.cond(node, used)?;
                Guard::And(Box::new(when), Box::new(Guard::Not(Box::new(unless))))
            }
            None => when,
        })
    }

    /// The slot reading `field` as `want`; `None` when the field cannot be read so or no
    /// slot is left.
    fn slot(&mut self, field: &FieldRef, want: Want, used: &mut Used) -> Option<u8> {
        let fits = match (&field.ty, want) {
            (FieldType::Number | FieldType::Any, Want::Int | Want::Decimal) => true,
            (FieldType::Text | FieldType::Enum(_) | FieldType::Any, Want::Text) => true,
            (FieldType::List(element), Want::Texts) => {
                matches!(**element, FieldType::Text | FieldType::Enum(_))
            }
            (FieldType::Bool | FieldType::Any, Want::Bool) => true,
            _ => false,
        };
        if !fits {
            return None;
        }
        let key = (field.dotted.clone(), want as u8);
        let index = match self.by_field.get(&key) {
            Some(index) => *index,
            None => {
                if self.slots.len() >= MAX_SLOTS {
                    return None;
                }
                let index = u8::try_from(self.slots.len()).ok()?;
                let kind = match want {
                    Want::Int => SlotKind::Int,
                    Want::Decimal => SlotKind::Decimal,
                    Want::Bool => SlotKind::Bool,
                    Want::Text => match &field.ty {
                        FieldType::Enum(options) => {
                            let mut codes = Codes::default();
                            for option in options {
                                codes.add(option)?;
                            }
                            SlotKind::Text {
                                closed: Some(codes.len()),
                                codes,
                            }
                        }
                        _ => SlotKind::Text {
                            codes: Codes::default(),
                            closed: None,
                        },
                    },
                    Want::Texts => SlotKind::Texts {
                        codes: Codes::default(),
                    },
                };
                self.slots.push(Slot {
                    field: field.clone(),
                    kind,
                });
                self.by_field.insert(key, index);
                index
            }
        };
        used.reads |= 1 << index;
        Some(index)
    }

    /// A slot that only tells whether `field` is there.
    fn presence(&mut self, field: &FieldRef) -> Option<u8> {
        if self.slots.len() >= MAX_SLOTS {
            return None;
        }
        let index = u8::try_from(self.slots.len()).ok()?;
        self.slots.push(Slot {
            field: field.clone(),
            kind: SlotKind::Present,
        });
        Some(index)
    }

    /// The slot that reads a field, whatever its kind (for required fields).
    fn find(&self, dotted: &str) -> Option<u8> {
        self.slots
            .iter()
            .position(|s| &*s.field.dotted == dotted)
            .and_then(|i| u8::try_from(i).ok())
    }

    /// The code of `text` in a text or list slot, added when new.
    fn code(&mut self, slot: u8, text: &str) -> Option<u32> {
        match &mut self.slots.get_mut(slot as usize)?.kind {
            SlotKind::Text { codes, .. } => codes.add(text),
            SlotKind::Texts { codes } => match codes.find(text) {
                Some(code) => Some(code),
                None if codes.len() >= MAX_LIST_CODES => None,
                None => codes.add(text),
            },
            _ => None,
        }
    }

    fn cond(&mut self, node: &Node, used: &mut Used) -> Option<Guard> {
        used.steps += 1;
        Some(match node {
            Node::Const(Value::Bool(b)) => Guard::Const(*b),
            Node::And(a, b) => Guard::And(Box::new(self.cond(a, used)?), Box::new(self.cond(b, used)?)),
            Node::Or(a, b) => Guard::Or(Box::new(self.cond(a, used)?), Box::new(self.cond(b, used)?)),
            Node::Not(x) => Guard::Not(Box::new(self.cond(x, used)?)),
            Node::Field(field) => Guard::Bool {
                slot: self.slot(field, Want::Bool, used)?,
                negated: false,
            },
            Node::Compare(op, a, b, _) => self.compare(*op, a, b, used)?,
            Node::IsMissing(x, missing, _) => {
                let Node::Field(field) = &**x else {
                    return None;
                };
                // The field as a value of its type: one of another type is an error there.
                let want = match &field.ty {
                    FieldType::Number | FieldType::Any => Want::Int,
                    FieldType::Text | FieldType::Enum(_) => Want::Text,
                    FieldType::Bool => Want::Bool,
                    FieldType::List(_) => Want::Texts,
                    _ => return None,
                };
                used.steps += 1;
                let mut inner = Used::default();
                let slot = self.slot(field, want, &mut inner)?;
                used.presence |= inner.reads;
                Guard::Missing {
                    slot,
                    missing: *missing,
                }
            }
            Node::In(negated, item, list, _) => {
                let (Node::Field(field), Node::Const(Value::List(list))) = (&**item, &**list)
                else {
                    return None;
                };
                let texts = texts(list)?;
                // The item and the list, then at most one step per element, or building
                // a hash set of them and one lookup.
                used.steps += 2 + texts.len() as u64 + 1;
                let slot = self.slot(field, Want::Text, used)?;
                let codes = texts
                    .iter()
                    .map(|t| self.code(slot, t))
                    .collect::<Option<Box<[u32]>>>()?;
                match *codes {
                    [code] => Guard::TextEq {
                        slot,
                        code,
                        negated: *negated,
                    },
                    _ => Guard::TextIs {
                        slot,
                        codes,
                        negated: *negated,
                    },
                }
            }
            Node::Contains(list, item, _) => {
                let (Node::Field(field), Node::Const(Value::Text(text))) = (&**list, &**item)
                else {
                    return None;
                };
                used.steps += 2;
                let slot = self.slot(field, Want::Texts, used)?;
                used.scans |= 1 << slot;
                used.scan_count += 1;
                Guard::Holds {
                    slot,
                    code: self.code(slot, text)?,
                }
            }
            _ => return None,
        })
    }

    fn compare(&mut self, op: CompareOp, a: &Node, b: &Node, used: &mut Used) -> Option<Guard> {
        let equality = matches!(op, CompareOp::Eq | CompareOp::Ne);
        // A text field against a text constant, either way round.
        let text_pair = match (a, b) {
            (Node::Field(f), Node::Const(Value::Text(t)))
            | (Node::Const(Value::Text(t)), Node::Field(f)) => Some((f, t)),
            _ => None,
        };
        if let Some((field, text)) = text_pair {
            if !equality {
                // Ordering converts text to the other side's kind: not an integer test.
                return None;
            }
            used.steps += 2;
            let slot = self.slot(field, Want::Text, used)?;
            return Some(Guard::TextEq {
                slot,
                code: self.code(slot, text)?,
                negated: op == CompareOp::Ne,
            });
        }
        let bool_pair = match (a, b) {
            (Node::Field(f), Node::Const(Value::Bool(v)))
            | (Node::Const(Value::Bool(v)), Node::Field(f)) => Some((f, *v)),
            _ => None,
        };
        if let Some((field, value)) = bool_pair {
            if !equality {
                return None;
            }
            used.steps += 2;
            return Some(Guard::Bool {
                slot: self.slot(field, Want::Bool, used)?,
                // `f == true` is `f`; `f != true` and `f == false` are `not f`.
                negated: value == (op == CompareOp::Ne),
            });
        }
        // A number field against a constant that is not a 64-bit integer: compared exactly.
        let decimal_pair = match (a, b) {
            (Node::Field(f), Node::Const(Value::Number(n))) => Some((f, *n, op)),
            (Node::Const(Value::Number(n)), Node::Field(f)) => Some((f, *n, op.flipped())),
            _ => None,
        };
        if let Some((field, k, op)) = decimal_pair
            && !(k.is_integer() && rust_decimal::prelude::ToPrimitive::to_i64(&k).is_some())
        {
            // As the two operands of an integer comparison.
            used.steps += 2;
            let slot = self.slot(field, Want::Decimal, used)?;
            return Some(Guard::DecimalIs { op, slot, k });
        }
        let (x, y) = (self.int(a, used)?, self.int(b, used)?);
        Some(match (x, y) {
            (Int::Slot(slot), Int::Const(k)) => Guard::IntIs { op, slot, k },
            (Int::Const(k), Int::Slot(slot)) => Guard::IntIs {
                op: op.flipped(),
                slot,
                k,
            },
            (x, y) => Guard::Compare(op, x, y),
        })
    }

    fn int(&mut self, node: &Node, used: &mut Used) -> Option<Int> {
        used.steps += 1;
        Some(match node {
            Node::Const(Value::Number(n)) if n.is_integer() => {
                Int::Const(rust_decimal::prelude::ToPrimitive::to_i64(n)?)
            }
            Node::Field(field) => Int::Slot(self.slot(field, Want::Int, used)?),
            Node::Neg(x) => Int::Neg(Box::new(self.int(x, used)?)),
            Node::Arith(op, a, b) => {
                let (a, b) = (Box::new(self.int(a, used)?), Box::new(self.int(b, used)?));
                match op {
                    ArithOp::Add => Int::Add(a, b),
                    ArithOp::Sub => Int::Sub(a, b),
                    ArithOp::Mul => Int::Mul(a, b),
                    _ => return None,
                }
            }
            _ => return None,
        })
    }
}

/// The texts of a constant list, when it holds only texts.
fn texts<'l>(list: &'l List<'_>) -> Option<Vec<&'l str>> {
    match list {
        List::Slice(items) => items.iter().map(text).collect(),
        List::Owned(items) => items.iter().map(text).collect(),
        List::Json(..) => None,
    }
}

fn text<'v>(value: &'v Value<'_>) -> Option<&'v str> {
    match value {
        Value::Text(t) => Some(t),
        _ => None,
    }
}
