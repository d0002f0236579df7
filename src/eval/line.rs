//! Evaluating a record given as JSON text straight from its bytes: the fields the compiled
//! guards read are scanned into their slots (`record::scan`), and no JSON value is built.
//!
//! Strategy: "decide or decline". The line is scanned only for the plan's slots (and one
//! field to echo, such as `batch`'s id); when the scanner accepts the line and every rule
//! is decided from the slots, the decision is the one [`super::evaluate_into`] would give
//! for the parsed record, because the slots hold the same values. Anything else — a line
//! the strict reader would refuse or the scanner does not handle, a slot a rule cannot
//! use, a rule without a compiled guard — declines, and the caller reads the record in
//! full.

use serde_json::Value as Json;

use super::borrowed::{DecisionRef, Evaluation, evaluate_slots};
use super::fast::{SlotValue, text_code, texts_code};
use super::EvalOptions;
use crate::plan::Plan;
use crate::plan::fast::{Slot, SlotKind};
use crate::record::scan::{Found, Layout, recycle, scan};

/// The layout a plan's lines are scanned with, kept in the buffer between lines.
#[derive(Debug)]
pub(crate) struct LineLayout {
    /// The plan it was made for (its fast path's identity) and the echoed field.
    plan: u64,
    echo: Option<Box<str>>,
    layout: Layout,
    /// What the last line held at the layout's paths, kept for its memory.
    found: Vec<Found<'static>>,
}

impl LineLayout {
    fn new(plan: &Plan, echo: Option<&str>) -> LineLayout {
        let mut paths: Vec<Vec<&str>> = plan
            .fast
            .slots
            .iter()
            .map(|slot| slot.field.segments.iter().map(AsRef::as_ref).collect())
            .collect();
        if let Some(echo) = echo {
            paths.push(vec![echo]);
        }
        LineLayout {
            plan: plan.fast.id,
            echo: echo.map(Into::into),
            layout: Layout::new(&paths),
            found: Vec::new(),
        }
    }

    fn fits(&self, plan: &Plan, echo: Option<&str>) -> bool {
        self.plan == plan.fast.id && self.echo.as_deref() == echo
    }
}

/// Evaluates a record given as JSON text without parsing it into a value, with the value
/// of the top-level field `echo` (JSON `null` when absent); `None` when the caller must read
/// the record in full (see the module's strategy).
pub(crate) fn evaluate_line<'e>(
    plan: &'e Plan,
    text: &str,
    echo: Option<&str>,
    options: &EvalOptions,
    buffer: &'e mut Evaluation,
) -> Option<(DecisionRef<'e>, Json)> {
    // A dotted name is also looked up as one key; only the full reader knows which it is.
    if plan.fast.slots.is_empty() || echo.is_some_and(|e| e.contains('.')) {
        return None;
    }
    let mut layout = match buffer.take_layout() {
        Some(layout) if layout.fits(plan, echo) => layout,
        _ => LineLayout::new(plan, echo),
    };
    let mut found = recycle(std::mem::take(&mut layout.found));
    let read = scan(text, &layout.layout, &mut found).then(|| {
        let slots = buffer.slots_mut();
        slots.clear();
        for (slot, found) in plan.fast.slots.iter().zip(&found) {
            slots.push(slot_value(slot, found));
        }
        match echo {
            Some(_) => found.last().and_then(echo_value),
            None => Some(Json::Null),
        }
    });
    layout.found = recycle(found);
    buffer.keep_layout(Some(layout));
    let echoed = read.flatten()?;
    let decision = evaluate_slots(plan, options, buffer)?;
    Some((decision, echoed))
}

/// A slot's value from what the scanner found at its path: the value the record's JSON
/// gives it (see `fast::read_slot`).
fn slot_value(slot: &Slot, found: &Found<'_>) -> SlotValue {
    match (found, &slot.kind) {
        (Found::Absent | Found::Null, _) => SlotValue::Absent,
        // An object or a scalar where the path goes on: unusable, and not absent.
        (Found::Other, _) => SlotValue::Irregular,
        (_, SlotKind::Present) => SlotValue::Present,
        (Found::Int(n), SlotKind::Int) => SlotValue::Int(*n),
        (Found::Int(n), SlotKind::Decimal) => SlotValue::Decimal((*n).into()),
        // serde_json reads the same text into the same number as in the parsed record.
        (Found::Number(text), SlotKind::Decimal) => serde_json::from_str(text)
            .ok()
            .and_then(|n| crate::value::decimal_from_json(&n))
            .map_or(SlotValue::Irregular, SlotValue::Decimal),
        (Found::Text(text), SlotKind::Text { codes, closed }) => text_code(codes, *closed, text),
        (Found::List(list), SlotKind::Texts { codes }) => {
            texts_code(codes, list.len(), list.items().map(|item| match item {
                Found::Text(text) => Some(text),
                _ => None,
            }))
        }
        (Found::Bool(b), SlotKind::Bool) => SlotValue::Bool(*b),
        _ => SlotValue::Irregular,
    }
}

/// The echoed field's value as the parsed record holds it; `None` for what the scanner
/// does not keep whole (an object).
fn echo_value(found: &Found<'_>) -> Option<Json> {
    Some(match found {
        Found::Absent | Found::Null => Json::Null,
        Found::Bool(b) => Json::Bool(*b),
        Found::Int(n) => Json::from(*n),
        Found::Text(text) => Json::String(text.to_string()),
        Found::List(list) => crate::record::read_json_record(list.as_str()).ok()?,
        Found::Number(text) => serde_json::from_str(text).ok()?,
        Found::Other => return None,
    })
}
