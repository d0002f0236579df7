//! Reading a record from JSON text strictly: what `serde_json` would accept silently but
//! wrongly is an error naming the field.
//!
//! Two things are refused. A key given twice in one object (`{"a":1,"a":2}`): `serde_json`
//! keeps the last, YAML refuses it, and a record whose meaning depends on the reader is not
//! one to decide on. A number that reads as zero although it is not (`1e-400` underflows to
//! `0`): a refund of `1e-400` is not a refund of nothing. The text is scanned once for its
//! number tokens, in order; the parser sees the numbers in the same order and knows, from
//! the path it is at, which field to name.

use std::fmt;

// Read by `batch` and the decision service; its public items are for the crate's tests,
// benches and fuzz targets (through `internals`).
pub(crate) mod keys;
#[cfg(feature = "internals")]
#[doc(hidden)]
pub mod scan;
#[cfg(not(feature = "internals"))]
#[allow(dead_code, reason = "some public items serve only `internals` users")]
pub(crate) mod scan;

use serde::de::{self, DeserializeSeed, MapAccess, SeqAccess, Visitor};
use serde_json::{Map, Value};

/// Why JSON text is not a record.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
#[error("{0}")]
pub struct JsonRecordError(pub String);

/// Parses JSON text into a value, refusing duplicate keys and numbers that would silently
/// read as zero; each error names the field (`customer.refunds[2].amount`).
///
/// ```
/// let err = service_policy::read_json_record(r#"{"amount": 1, "amount": 2}"#).unwrap_err();
/// assert!(err.to_string().contains("`amount` is given twice"));
/// let err = service_policy::read_json_record(r#"{"refund": {"amount": 1e-400}}"#).unwrap_err();
/// assert!(err.to_string().contains("`refund.amount`"));
/// assert!(service_policy::read_json_record(r#"{"amount": 0e-400, "n": 1.5}"#).is_ok());
/// ```
pub fn read_json_record(text: &str) -> Result<Value, JsonRecordError> {
    let numbers = scan_numbers(text);
    let mut de = serde_json::Deserializer::from_str(text);
    let mut state = State {
        numbers,
        seen: 0,
        values: 0,
        path: Vec::new(),
    };
    let value = Strict { state: &mut state }
        .deserialize(&mut de)
        .map_err(|e| JsonRecordError(format!("invalid JSON: {e}")))?;
    de.end()
        .map_err(|e| JsonRecordError(format!("invalid JSON: {e}")))?;
    Ok(value)
}

/// Why text is not an instant the library can count with.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum InstantError {
    /// Written as a time, but outside the range of `Timestamp` (`9999-12-31T00:00:00Z`).
    #[error("is outside the range of times: {}", crate::value::TIME_RANGE)]
    OutOfRange,
    /// Not an RFC 3339 instant; the reason.
    #[error("is not an RFC 3339 instant like `2026-03-02T10:00:00Z`: {0}")]
    Syntax(String),
}

/// Reads an RFC 3339 instant as the library counts time: cut to the whole second, toward
/// the past. For a host's `now` or as-of instant given as text (`service-policy --now`).
/// The error reads after the text it is about: `` `{text}` {error} ``.
///
/// ```
/// use service_policy::{InstantError, parse_instant};
/// let t = parse_instant("2026-03-02T10:00:00.75+01:00").unwrap();
/// assert_eq!(t.to_string(), "2026-03-02T09:00:00Z");
/// assert_eq!(parse_instant("9999-12-31T00:00:00Z"), Err(InstantError::OutOfRange));
/// assert!(matches!(parse_instant("yesterday"), Err(InstantError::Syntax(_))));
/// ```
pub fn parse_instant(text: &str) -> Result<jiff::Timestamp, InstantError> {
    match text.parse::<jiff::Timestamp>() {
        Ok(t) => Ok(crate::value::whole_second(t)),
        Err(_) if crate::value::time_out_of_range(text) => Err(InstantError::OutOfRange),
        Err(e) => Err(InstantError::Syntax(e.to_string())),
    }
}

/// The most values (objects, lists, texts, numbers, truth values and nulls, however deeply
/// nested) one record may hold: the memory a record takes once parsed is bounded by this
/// count, not only by its bytes.
pub const MAX_RECORD_VALUES: usize = 1_000_000;

/// A number token that is not zero but reads as zero: its place among the text's number
/// tokens, and the token.
struct Token {
    ordinal: usize,
    text: String,
}

/// The number tokens outside strings that would read as zero, in order of the text.
fn scan_numbers(text: &str) -> Vec<Token> {
    let bytes = text.as_bytes();
    let mut tokens = Vec::new();
    let mut i = 0;
    let mut in_string = false;
    let mut ordinal = 0;
    while let Some(&b) = bytes.get(i) {
        if in_string {
            match b {
                b'\\' => i += 1,
                b'"' => in_string = false,
                _ => {}
            }
            i += 1;
            continue;
        }
        if b == b'"' {
            in_string = true;
            i += 1;
            continue;
        }
        if b == b'-' || b.is_ascii_digit() {
            let start = i;
            while bytes.get(i).is_some_and(|c| {
                c.is_ascii_digit() || matches!(c, b'-' | b'+' | b'.' | b'e' | b'E')
            }) {
                i += 1;
            }
            let token = text.get(start..i).unwrap_or("");
            if vanishes(token) {
                tokens.push(Token {
                    ordinal,
                    text: token.to_owned(),
                });
            }
            ordinal += 1;
            continue;
        }
        i += 1;
    }
    tokens
}

/// Whether a number token has a non-zero digit but reads as zero.
fn vanishes(token: &str) -> bool {
    let mantissa = token.split(['e', 'E']).next().unwrap_or("");
    let nonzero = mantissa.bytes().any(|c| matches!(c, b'1'..=b'9'));
    nonzero && token.parse::<f64>().is_ok_and(|f| f == 0.0)
}

struct State {
    /// The numbers that vanish, in order.
    numbers: Vec<Token>,
    /// How many number tokens the parser has met.
    seen: usize,
    /// How many values were read.
    values: usize,
    path: Vec<String>,
}

impl State {
    fn dotted(&self) -> String {
        let mut out = String::new();
        for segment in &self.path {
            if !segment.starts_with('[') && !out.is_empty() {
                out.push('.');
            }
            out.push_str(segment);
        }
        out
    }

    /// Counts a value; an error past [`MAX_RECORD_VALUES`].
    fn value<E: de::Error>(&mut self) -> Result<(), E> {
        self.values += 1;
        if self.values > MAX_RECORD_VALUES {
            return Err(E::custom(format!(
                "the record holds more than {MAX_RECORD_VALUES} values"
            )));
        }
        Ok(())
    }

    fn number<E: de::Error>(&mut self) -> Result<(), E> {
        let ordinal = self.seen;
        self.seen += 1;
        // The first number that vanishes ends the parse: it is always the first of the list.
        match self.numbers.first() {
            Some(token) if token.ordinal == ordinal => Err(E::custom(format!(
                "the number `{}` in `{}` is too small to read: it is not zero, but would read as 0",
                crate::value::quote_text(&token.text),
                self.dotted()
            ))),
            _ => Ok(()),
        }
    }
}

struct Strict<'s> {
    state: &'s mut State,
}

impl<'de> DeserializeSeed<'de> for Strict<'_> {
    type Value = Value;

    fn deserialize<D: de::Deserializer<'de>>(self, deserializer: D) -> Result<Value, D::Error> {
        deserializer.deserialize_any(self)
    }
}

impl<'de> Visitor<'de> for Strict<'_> {
    type Value = Value;

    fn expecting(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str("a JSON value")
    }

    fn visit_bool<E: de::Error>(self, v: bool) -> Result<Value, E> {
        self.state.value()?;
        Ok(Value::Bool(v))
    }

    fn visit_i64<E: de::Error>(self, v: i64) -> Result<Value, E> {
        self.state.value()?;
        self.state.number()?;
        Ok(Value::from(v))
    }

    fn visit_u64<E: de::Error>(self, v: u64) -> Result<Value, E> {
        self.state.value()?;
        self.state.number()?;
        Ok(Value::from(v))
    }

    fn visit_f64<E: de::Error>(self, v: f64) -> Result<Value, E> {
        self.state.value()?;
        self.state.number()?;
        Ok(serde_json::Number::from_f64(v).map_or(Value::Null, Value::Number))
    }

    fn visit_str<E: de::Error>(self, v: &str) -> Result<Value, E> {
        self.state.value()?;
        Ok(Value::String(v.to_owned()))
    }

    fn visit_string<E: de::Error>(self, v: String) -> Result<Value, E> {
        self.state.value()?;
        Ok(Value::String(v))
    }

    fn visit_unit<E: de::Error>(self) -> Result<Value, E> {
        self.state.value()?;
        Ok(Value::Null)
    }

    fn visit_none<E: de::Error>(self) -> Result<Value, E> {
        self.state.value()?;
        Ok(Value::Null)
    }

    fn visit_seq<A: SeqAccess<'de>>(self, mut seq: A) -> Result<Value, A::Error> {
        self.state.value()?;
        let mut items = Vec::new();
        loop {
            self.state.path.push(format!("[{}]", items.len()));
            let item = seq.next_element_seed(Strict {
                state: &mut *self.state,
            });
            self.state.path.pop();
            match item? {
                Some(item) => items.push(item),
                None => break,
            }
        }
        Ok(Value::Array(items))
    }

    fn visit_map<A: MapAccess<'de>>(self, mut map: A) -> Result<Value, A::Error> {
        self.state.value()?;
        let mut out = Map::new();
        while let Some(key) = map.next_key::<String>()? {
            self.state.path.push(key.clone());
            if out.contains_key(&key) {
                let message = format!("`{}` is given twice", self.state.dotted());
                self.state.path.pop();
                return Err(de::Error::custom(message));
            }
            let value = map.next_value_seed(Strict {
                state: &mut *self.state,
            });
            self.state.path.pop();
            out.insert(key, value?);
        }
        Ok(Value::Object(out))
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn duplicates_are_named_with_their_path() {
        let err = read_json_record(r#"{"a": {"b": [1, {"c": 1, "c": 2}]}}"#).unwrap_err();
        assert!(err.0.contains("`a.b[1].c` is given twice"), "{err}");
        // The same key in two objects is no duplicate.
        assert!(read_json_record(r#"{"a": {"c": 1}, "b": {"c": 1}}"#).is_ok());
    }

    #[test]
    fn only_numbers_that_vanish_are_refused() {
        for ok in ["0", "-0.0", "0e-400", "1e-300", "12", "1.5e3", "-7"] {
            let text = format!(r#"{{"n": {ok}, "s": "1e-400"}}"#);
            assert!(read_json_record(&text).is_ok(), "{ok}");
        }
        for bad in ["1e-400", "-2.5E-999", "0.0001e-330"] {
            let text = format!(r#"{{"list": [0, {bad}]}}"#);
            let err = read_json_record(&text).unwrap_err();
            assert!(err.0.contains(&format!("`{bad}` in `list[1]`")), "{err}");
        }
    }

    #[test]
    fn strings_with_quotes_and_digits_do_not_shift_the_numbers() {
        let text = r#"{"s": "a \" 1e-400 \\", "n": 1e-400}"#;
        let err = read_json_record(text).unwrap_err();
        assert!(err.0.contains("in `n`"), "{err}");
    }

    #[test]
    fn a_record_holds_at_most_a_million_values() {
        let within = format!("{{\"a\": [{}0]}}", "0,".repeat(MAX_RECORD_VALUES - 3));
        assert!(read_json_record(&within).is_ok());
        let over = format!("{{\"a\": [{}0]}}", "0,".repeat(MAX_RECORD_VALUES - 2));
        let err = read_json_record(&over).unwrap_err();
        assert!(err.0.contains("more than 1000000 values"), "{err}");
    }

    #[test]
    fn the_value_is_what_serde_json_reads() {
        let text = r#"{"a": [1, 2.5, -3, "x", null, true, {"b": {}}], "c": 18446744073709551615}"#;
        let strict = read_json_record(text).unwrap();
        let plain: Value = serde_json::from_str(text).unwrap();
        assert_eq!(strict, plain);
    }
}
