//! Reading `/v1/evaluate` bodies straight: each record's JSON text is taken out of the
//! body as it was sent (serde_json's `RawValue`, borrowed from the body) and, when one
//! policy decides every record of the request, scanned into that policy's slots
//! (`Policy::evaluate_json_line`) and answered from the parts the policy prepared
//! (`DecisionRef::write_json`), without a `serde_json::Value` for the record or the
//! decision.
//!
//! Strategy: "answer the same or step aside". This module answers only what it is sure the
//! full reader would answer with the same bytes; for everything else it hands the request
//! back and the handler reads it in full, as before. In particular every error that
//! refuses the request as a whole is the full reader's answer, because serde_json's `RawValue` checks less than its `Value`
//! does (it keeps lone surrogates, numbers out of range and any nesting), so its errors,
//! and their line and column, are not the full reader's.
//!
//! The answer is the JSON `json_body` prints, `serde_json::to_string_pretty` with a final
//! newline: the decision is written compact and [`pretty`] indents it the way serde_json's
//! pretty printer does.
//!
//! One [`Evaluation`] buffer per worker thread, taken for the synchronous part of a request
//! only (no `.await` while it is held): no lock, and the scan layout a buffer keeps for the
//! last policy it served is reused by the next request to that policy.

use std::cell::RefCell;

use serde_json::value::RawValue;
use service_policy::{EvalOptions, Evaluation, Explain, Policy};

/// The deepest a record may nest (its own object is level 1) in a `/v1/evaluate` body:
/// serde_json refuses a 128th level, and the body's object is the first.
pub(super) const EVALUATE_DEPTH: usize = 126;

/// The same in a `/v1/evaluate/batch` body, where the `records` array is a level too.
pub(super) const BATCH_DEPTH: usize = 125;

thread_local! {
    /// The evaluation buffer of this worker thread.
    static BUFFER: RefCell<Evaluation> = RefCell::new(Evaluation::new());
}

/// Runs `f` with this thread's evaluation buffer (a fresh one should it be taken, which
/// cannot happen as `f` never reenters).
pub(super) fn with_buffer<R>(f: impl FnOnce(&mut Evaluation) -> R) -> R {
    BUFFER.with(|cell| match cell.try_borrow_mut() {
        Ok(mut buffer) => f(&mut buffer),
        Err(_) => f(&mut Evaluation::new()),
    })
}

/// The policy to read records straight into, when the request allows it: explain off
/// (the straight reader keeps no trace) and one policy deciding every record.
pub(super) fn policy_for<'p>(
    sole: Option<&'p Policy>,
    options: &EvalOptions,
) -> Option<&'p Policy> {
    sole.filter(|_| options.explain == Explain::Off)
}

/// Appends the compact JSON of `record`'s decision to `out` when the record can be read
/// straight: `false` (and `out` as it was) when it must be read in full.
///
/// `depth` is the deepest the record may nest where it sits in the body; a record nesting
/// deeper is one the full reader refuses, so it is left to it.
pub(super) fn decide(
    policy: &Policy,
    record: &RawValue,
    depth: usize,
    options: &EvalOptions,
    buffer: &mut Evaluation,
    out: &mut String,
) -> bool {
    let text = record.get();
    if !nests_within(text, depth) {
        return false;
    }
    let Some((decision, _)) = policy.evaluate_json_line(text, None, options, buffer) else {
        return false;
    };
    let start = out.len();
    if decision.write_json(out).is_err() {
        out.truncate(start);
        return false;
    }
    true
}

/// Whether the arrays and objects of valid JSON `text` nest at most `depth` deep.
pub(super) fn nests_within(text: &str, depth: usize) -> bool {
    // Each level takes an opening and a closing byte.
    if text.len() <= depth.saturating_mul(2).saturating_add(1) {
        return true;
    }
    let mut level = 0usize;
    let mut in_string = false;
    let mut escaped = false;
    for b in text.bytes() {
        if in_string {
            if escaped {
                escaped = false;
            } else if b == b'\\' {
                escaped = true;
            } else if b == b'"' {
                in_string = false;
            }
            continue;
        }
        match b {
            b'"' => in_string = true,
            b'[' | b'{' => {
                level += 1;
                if level > depth {
                    return false;
                }
            }
            b']' | b'}' => level = level.saturating_sub(1),
            _ => {}
        }
    }
    true
}

/// Appends compact JSON `compact` (as serde_json writes it: no space outside strings) to
/// `out` indented as `serde_json::to_string_pretty` indents it: two spaces a level, `": "`
/// after a key, an empty array or object kept as `[]` or `{}`. `false` when `compact` is
/// not such JSON (`out` may then hold part of it).
///
/// Text between two bytes of structure is copied as one slice, and a string is skipped to
/// its closing quote in one search (about 10 instructions a byte of a decision, a third of
/// what `to_value` and `to_string_pretty` took).
pub(super) fn pretty(compact: &str, out: &mut String) -> bool {
    let bytes = compact.as_bytes();
    let mut level = 0usize;
    // The start of the text not copied yet.
    let mut start = 0;
    let mut i = 0;
    while let Some(&b) = bytes.get(i) {
        match b {
            b'"' => match string_end(bytes, i) {
                Some(end) => {
                    i = end;
                    continue;
                }
                None => return false,
            },
            b'[' | b'{' => {
                let close = if b == b'[' { b']' } else { b'}' };
                if bytes.get(i + 1) == Some(&close) {
                    i += 2;
                    continue;
                }
                if !copy(compact, start, i + 1, out) {
                    return false;
                }
                level += 1;
                newline(out, level);
                start = i + 1;
            }
            b']' | b'}' => {
                let Some(outer) = level.checked_sub(1) else {
                    return false;
                };
                if !copy(compact, start, i, out) {
                    return false;
                }
                level = outer;
                newline(out, level);
                // The bracket goes out with the text after it.
                start = i;
            }
            b',' => {
                if !copy(compact, start, i + 1, out) {
                    return false;
                }
                newline(out, level);
                start = i + 1;
            }
            b':' => {
                if !copy(compact, start, i, out) {
                    return false;
                }
                out.push_str(": ");
                start = i + 1;
            }
            _ => {}
        }
        i += 1;
    }
    copy(compact, start, bytes.len(), out) && level == 0
}

/// Appends `text[from..to]`; `false` when that is not a slice of it.
fn copy(text: &str, from: usize, to: usize, out: &mut String) -> bool {
    match text.get(from..to) {
        Some(part) => {
            out.push_str(part);
            true
        }
        None => false,
    }
}

/// The index just past the string that opens at `start`.
fn string_end(bytes: &[u8], start: usize) -> Option<usize> {
    let mut i = start + 1;
    loop {
        let rest = bytes.get(i..)?;
        let at = rest.iter().position(|&c| c == b'"' || c == b'\\')?;
        match rest.get(at)? {
            b'"' => return Some(i + at + 1),
            // A backslash and the byte it escapes.
            _ => i += at + 2,
        }
    }
}

/// A line break and the indentation of `level`, in one write up to 32 levels.
fn newline(out: &mut String, level: usize) {
    const BREAK: &str = "\n                                                                ";
    let width = level.saturating_mul(2);
    match BREAK.get(..width.saturating_add(1)) {
        Some(line) => out.push_str(line),
        None => {
            out.push('\n');
            for _ in 0..level {
                out.push_str("  ");
            }
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use proptest::prelude::*;
    use serde_json::{Value, json};

    fn indented(value: &Value) -> String {
        let mut out = String::new();
        assert!(pretty(&serde_json::to_string(value).unwrap(), &mut out));
        out
    }

    #[test]
    fn indents_as_serde_json_does() {
        let value = json!({
            "a": [], "b": {}, "c": [1, -0.0, 1e300, "x,y:{}[]\"\\", null, true, {"d": [[]]}],
            "é \u{1}": {"k": "\u{2028}"}, "n": 18446744073709551615u64
        });
        assert_eq!(
            indented(&value),
            serde_json::to_string_pretty(&value).unwrap()
        );
        // Deeper than one run of spaces indents.
        let deep: Value =
            serde_json::from_str(&format!("{}1{}", "[".repeat(40), "]".repeat(40))).unwrap();
        assert_eq!(
            indented(&deep),
            serde_json::to_string_pretty(&deep).unwrap()
        );
        for scalar in [json!(1), json!("s"), json!([]), json!({}), json!(null)] {
            assert_eq!(
                indented(&scalar),
                serde_json::to_string_pretty(&scalar).unwrap()
            );
        }
    }

    #[test]
    fn refuses_what_is_not_compact_json() {
        for bad in ["]", "{\"a\":1", "\"open", "[1]]"] {
            assert!(!pretty(bad, &mut String::new()), "{bad}");
        }
    }

    #[test]
    fn nesting_is_measured_outside_strings() {
        let deep = |n: usize| format!("{}{}", "[".repeat(n), "]".repeat(n));
        assert!(nests_within(&deep(126), 126));
        assert!(!nests_within(&deep(127), 126));
        let padded = format!(
            "{{\"s\": \"{}\", \"a\": {}}}",
            "[{\\\"".repeat(200),
            deep(3)
        );
        assert!(nests_within(&padded, 4));
        assert!(!nests_within(&padded, 3));
    }

    fn json_value() -> impl Strategy<Value = Value> {
        let leaf = prop_oneof![
            Just(Value::Null),
            any::<bool>().prop_map(Value::Bool),
            any::<i64>().prop_map(Value::from),
            any::<u64>().prop_map(Value::from),
            any::<f64>().prop_map(Value::from),
            any::<String>().prop_map(Value::String),
        ];
        leaf.prop_recursive(4, 48, 6, |inner| {
            prop_oneof![
                prop::collection::vec(inner.clone(), 0..6).prop_map(Value::Array),
                prop::collection::vec((any::<String>(), inner), 0..6)
                    .prop_map(|pairs| Value::Object(pairs.into_iter().collect())),
            ]
        })
    }

    proptest! {
        #[test]
        fn pretty_is_to_string_pretty(value in json_value()) {
            prop_assert_eq!(indented(&value), serde_json::to_string_pretty(&value).unwrap());
        }
    }
}
