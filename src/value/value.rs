//! The runtime value of an expression, and how record data is read into it.
//!
//! Values borrow from the record and the plan where they can (text is a `Cow`, lists of
//! record data stay JSON slices read element by element), so evaluating a rule that does
//! not fire allocates nothing. Arithmetic and comparisons are checked: an overflow, a
//! division by zero, a currency mismatch or a type mismatch is a [`ValueError`], which the
//! evaluator turns into an error of the rule that met it.

use std::borrow::Cow;
use std::cmp::Ordering;
use std::str::FromStr;
use std::sync::Arc;

use jiff::Timestamp;
use jiff::civil::Date;
use rust_decimal::Decimal;
use serde_json::{Map, Value as Json};

use super::{Duration, Money, format_amount, parse_decimal};

/// The type a record field is declared with (a compiled schema type), used to read JSON.
#[derive(Clone, Debug, PartialEq, Eq, Default)]
pub enum FieldType {
    /// No schema: JSON types map directly.
    #[default]
    Any,
    /// `text`.
    Text,
    /// `number`.
    Number,
    /// `bool`.
    Bool,
    /// `money`.
    Money,
    /// `duration`.
    Duration,
    /// `date`.
    Date,
    /// `time`.
    Time,
    /// An enumeration of texts.
    Enum(Vec<String>),
    /// `list<T>`.
    List(Box<FieldType>),
    /// `{ name: T, … }`.
    Object(Vec<ObjectField>),
}

/// One field of an object type.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct ObjectField {
    /// The field's name.
    pub name: String,
    /// Its type.
    pub ty: FieldType,
    /// Whether it may be absent or null.
    pub optional: bool,
}

/// The type every untyped list element is read with.
pub static ANY: FieldType = FieldType::Any;

impl FieldType {
    /// How the type is described in messages (`money like "12.50 USD"`).
    pub fn expected(&self) -> String {
        match self {
            FieldType::Any => "a value".to_owned(),
            FieldType::Text => "text".to_owned(),
            FieldType::Number => "a number".to_owned(),
            FieldType::Bool => "`true` or `false`".to_owned(),
            FieldType::Money => "money like `\"12.50 USD\"`".to_owned(),
            FieldType::Duration => "a duration like `\"1h30m\"` or `\"PT1H30M\"`".to_owned(),
            FieldType::Date => "a date like `\"2026-03-02\"`".to_owned(),
            FieldType::Time => "an RFC 3339 time like `\"2026-03-02T09:00:00Z\"`".to_owned(),
            FieldType::Enum(options) => {
                let list: Vec<String> = options.iter().map(|o| format!("`{o}`")).collect();
                format!("one of {}", list.join(", "))
            }
            FieldType::List(_) => "a list".to_owned(),
            FieldType::Object(_) => "an object".to_owned(),
        }
    }
}

/// A value of the policy language. `'a` is the lifetime of the record and the plan.
#[derive(Clone, Debug)]
pub enum Value<'a> {
    /// An absent or null field, or the result of an operation on one.
    Missing,
    /// `true` or `false`.
    Bool(bool),
    /// An exact decimal number (percent literals are stored as their fraction).
    Number(Decimal),
    /// Money.
    Money(Money),
    /// A duration.
    Duration(Duration),
    /// A civil date.
    Date(Date),
    /// An instant.
    Time(Timestamp),
    /// Text, borrowed from the record or the plan where possible.
    Text(Cow<'a, str>),
    /// A list.
    List(List<'a>),
    /// An object (a list element, or a nested record object).
    Object(Object<'a>),
}

/// A list value.
#[derive(Clone, Debug)]
pub enum List<'a> {
    /// Record data, read element by element with the element type.
    Json(&'a [Json], &'a FieldType),
    /// Values borrowed from the plan.
    Slice(&'a [Value<'a>]),
    /// Values built during evaluation.
    Owned(Arc<[Value<'a>]>),
}

/// An object value from the record.
#[derive(Clone, Copy, Debug)]
pub struct Object<'a> {
    /// The JSON object.
    pub map: &'a Map<String, Json>,
    /// The declared fields, or `None` without a schema.
    pub fields: Option<&'a [ObjectField]>,
}

/// Why an operation on values failed; the message is shown to the policy's user.
#[derive(Clone, Debug, PartialEq, Eq, thiserror::Error)]
#[error("{0}")]
pub struct ValueError(pub String);

fn err<T>(message: impl Into<String>) -> Result<T, ValueError> {
    Err(ValueError(message.into()))
}

/// Why a record value could not be read with its declared type.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct ReadError {
    /// What the type accepts.
    pub expected: String,
    /// A short rendering of what was found.
    pub found: String,
}

impl std::fmt::Display for ReadError {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        write!(f, "expected {}, found `{}`", self.expected, self.found)
    }
}

/// A short rendering of a JSON value for messages (long values are cut). Object fields
/// are shown sorted by name, so a message never depends on the order of a record's
/// fields; the rendering stops after a few characters, so a huge or deeply nested value
/// costs no more than a small one.
pub fn describe_json(json: &Json) -> String {
    const SHOWN: usize = 40;
    let mut text = String::new();
    write_short(json, &mut text, SHOWN + 1);
    if text.chars().count() > SHOWN {
        let cut: String = text.chars().take(SHOWN - 3).collect();
        format!("{cut}...")
    } else {
        text
    }
}

/// How many characters of a text from the record an error message quotes.
pub const QUOTED_CHARS: usize = 40;

/// How many bytes of JSON a trace shows of one operand; a larger operand is shown as
/// the short description of [`describe_json`].
pub const TRACED_BYTES: usize = 1024;

/// A text from the record as an error message quotes it: whole when short, else its first
/// characters and `...`, so a message costs the same whatever the text's size.
pub fn quote_text(text: &str) -> std::borrow::Cow<'_, str> {
    match text.char_indices().nth(QUOTED_CHARS) {
        None => std::borrow::Cow::Borrowed(text),
        Some(_) => {
            let cut: String = text.chars().take(QUOTED_CHARS - 3).collect();
            std::borrow::Cow::Owned(format!("{cut}..."))
        }
    }
}

/// An operand as a trace shows it: its JSON form when that is at most [`TRACED_BYTES`]
/// long, else its short description as a text.
pub fn traced_json(json: Json) -> Json {
    struct Counter(usize);
    impl std::io::Write for Counter {
        fn write(&mut self, buf: &[u8]) -> std::io::Result<usize> {
            self.0 = self.0.saturating_add(buf.len());
            if self.0 > TRACED_BYTES {
                return Err(std::io::Error::other("long enough"));
            }
            Ok(buf.len())
        }
        fn flush(&mut self) -> std::io::Result<()> {
            Ok(())
        }
    }
    // Counting stops at the first write past the limit: the cost is bounded too.
    if serde_json::to_writer(Counter(0), &json).is_ok() {
        json
    } else {
        Json::String(describe_json(&json))
    }
}

/// Writes `json` with sorted object fields until `out` holds `budget` bytes or more.
/// INVARIANT: each level of nesting writes a bracket first, so the recursion is at most
/// `budget` deep whatever the value's depth.
fn write_short(json: &Json, out: &mut String, budget: usize) {
    if out.len() >= budget {
        return;
    }
    match json {
        Json::Array(items) => {
            out.push('[');
            for (i, item) in items.iter().enumerate() {
                if out.len() >= budget {
                    return;
                }
                if i > 0 {
                    out.push(',');
                }
                write_short(item, out, budget);
            }
            out.push(']');
        }
        Json::Object(map) => {
            out.push('{');
            let mut fields: Vec<(&String, &Json)> = map.iter().collect();
            fields.sort_by(|a, b| a.0.cmp(b.0));
            for (i, (name, value)) in fields.into_iter().enumerate() {
                if out.len() >= budget {
                    return;
                }
                if i > 0 {
                    out.push(',');
                }
                write_short_text(name, out, budget);
                out.push(':');
                write_short(value, out, budget);
            }
            out.push('}');
        }
        Json::String(text) => write_short_text(text, out, budget),
        scalar => out.push_str(&scalar.to_string()),
    }
}

/// A JSON string, quoted and escaped, cut to the budget before escaping.
fn write_short_text(text: &str, out: &mut String, budget: usize) {
    let head: String = text
        .chars()
        .take(budget.saturating_sub(out.len()))
        .collect();
    out.push_str(&Json::String(head).to_string());
}

/// Converts a JSON number through its shortest decimal form, never through binary
/// floating point arithmetic; `None` when it does not fit 28 significant digits.
pub fn decimal_from_json(number: &serde_json::Number) -> Option<Decimal> {
    if let Some(i) = number.as_i64() {
        return Some(Decimal::from(i));
    }
    if let Some(u) = number.as_u64() {
        return Some(Decimal::from(u));
    }
    let text = number.to_string();
    if text.contains(['e', 'E']) {
        Decimal::from_scientific(&text).ok()
    } else {
        Decimal::from_str(&text).ok()
    }
}

/// The most elements a list in a record may hold. Aggregates and `in` walk a list once,
/// so this bounds the work one record can ask for; a longer list is an error for the
/// rules that read it.
pub const MAX_LIST_LEN: usize = 100_000;

/// The list itself, or an error when it is longer than [`MAX_LIST_LEN`].
fn bounded(items: &[Json]) -> Result<&[Json], ReadError> {
    if items.len() > MAX_LIST_LEN {
        return Err(ReadError {
            expected: format!("a list of at most {MAX_LIST_LEN} elements"),
            found: format!("a list of {} elements", items.len()),
        });
    }
    Ok(items)
}

/// Reads a JSON value with a declared type. Null reads as [`Value::Missing`].
pub fn read_json<'a>(json: &'a Json, ty: &'a FieldType) -> Result<Value<'a>, ReadError> {
    let wrong = || ReadError {
        expected: ty.expected(),
        found: describe_json(json),
    };
    if json.is_null() {
        return Ok(Value::Missing);
    }
    let value = match ty {
        FieldType::Any => match json {
            Json::Null => Value::Missing,
            Json::Bool(b) => Value::Bool(*b),
            Json::Number(n) => Value::Number(decimal_from_json(n).ok_or_else(|| ReadError {
                expected: "a number of at most 28 significant digits".to_owned(),
                found: describe_json(json),
            })?),
            Json::String(s) => Value::Text(Cow::Borrowed(s)),
            Json::Array(items) => Value::List(List::Json(bounded(items)?, &ANY)),
            Json::Object(map) => Value::Object(Object { map, fields: None }),
        },
        FieldType::Text => Value::Text(Cow::Borrowed(json.as_str().ok_or_else(wrong)?)),
        FieldType::Enum(options) => {
            let text = json.as_str().ok_or_else(wrong)?;
            if !options.iter().any(|o| o == text) {
                return Err(wrong());
            }
            Value::Text(Cow::Borrowed(text))
        }
        FieldType::Number => match json {
            Json::Number(n) => Value::Number(decimal_from_json(n).ok_or_else(wrong)?),
            Json::String(s) => Value::Number(parse_decimal(s.trim()).ok_or_else(wrong)?),
            _ => return Err(wrong()),
        },
        FieldType::Bool => Value::Bool(json.as_bool().ok_or_else(wrong)?),
        FieldType::Money => Value::Money(read_money(json).ok_or_else(wrong)?),
        FieldType::Duration => {
            let text = json.as_str().ok_or_else(wrong)?;
            Value::Duration(parse_duration(text).map_err(|_| wrong())?)
        }
        FieldType::Date => {
            let text = json.as_str().ok_or_else(wrong)?;
            Value::Date(parse_date(text).ok_or_else(wrong)?)
        }
        FieldType::Time => {
            let text = json.as_str().ok_or_else(wrong)?;
            match parse_time(text) {
                Some(time) => Value::Time(time),
                None if time_out_of_range(text) => {
                    return Err(ReadError {
                        expected: format!("a time within the range of times ({TIME_RANGE})"),
                        found: describe_json(json),
                    });
                }
                None => return Err(wrong()),
            }
        }
        FieldType::List(element) => Value::List(List::Json(
            bounded(json.as_array().ok_or_else(wrong)?)?,
            element.as_ref(),
        )),
        FieldType::Object(fields) => Value::Object(Object {
            map: json.as_object().ok_or_else(wrong)?,
            fields: Some(fields),
        }),
    };
    Ok(value)
}

/// Reads money: `"12.50 USD"` or `{ "amount": "12.50" or 12.5, "currency": "USD" }`.
pub fn read_money(json: &Json) -> Option<Money> {
    match json {
        Json::String(s) => Money::parse(s).ok(),
        Json::Object(map) => {
            let amount = match map.get("amount")? {
                Json::String(s) => parse_decimal(s.trim())?,
                Json::Number(n) => decimal_from_json(n)?,
                _ => return None,
            };
            let currency = super::Currency::from_code(map.get("currency")?.as_str()?)?;
            Some(Money::new(amount, currency))
        }
        _ => None,
    }
}

/// Parses an RFC 3339 instant (an offset is required), cut to its whole second: time is
/// counted in whole seconds.
pub fn parse_time(text: &str) -> Option<Timestamp> {
    Timestamp::from_str(text.trim()).ok().map(whole_second)
}

/// The range of times, as messages state it: the range of `jiff::Timestamp` from the
/// first instant of year 0000 (earlier ones cannot be written in RFC 3339).
pub const TIME_RANGE: &str = "times run from 0000-01-01T00:00:00Z to 9999-12-30T22:00:00Z";

/// Whether `text` is written as a time (a date, a time of day and an offset) but names an
/// instant outside the range of times, such as `9999-12-31T00:00:00Z`, or a year of five
/// digits or more: such text deserves [`TIME_RANGE`] in its message rather than a hint on
/// the format.
pub fn time_out_of_range(text: &str) -> bool {
    let text = text.trim();
    if Timestamp::from_str(text).is_ok() {
        return false;
    }
    let long_year = text
        .find('-')
        .is_some_and(|dash| dash >= 5 && text.get(..dash).is_some_and(all_digits))
        && text.contains('T');
    let in_pieces = jiff::fmt::temporal::Pieces::parse(text)
        .is_ok_and(|pieces| pieces.time().is_some() && pieces.offset().is_some());
    long_year || in_pieces
}

fn all_digits(text: &str) -> bool {
    text.bytes().all(|b| b.is_ascii_digit())
}

/// The message for text that is not a time: why, when it lies outside the range of times.
pub(crate) fn not_a_time(text: &str) -> String {
    if time_out_of_range(text) {
        format!(
            "cannot convert `{}` to time: {TIME_RANGE}",
            quote_text(text)
        )
    } else {
        format!("cannot convert `{}` to time", quote_text(text))
    }
}

/// The whole second an instant falls in (a fraction is cut, toward the past).
pub fn whole_second(t: Timestamp) -> Timestamp {
    let nanos = t.subsec_nanosecond();
    if nanos == 0 {
        return t;
    }
    let second = if nanos < 0 {
        t.as_second().saturating_sub(1)
    } else {
        t.as_second()
    };
    Timestamp::from_second(second).unwrap_or(t)
}

/// Parses a duration from data (either form), cut to whole seconds toward zero.
pub fn parse_duration(text: &str) -> Result<Duration, super::DurationError> {
    Duration::parse_any(text).map(Duration::whole)
}

/// Parses a `YYYY-MM-DD` date.
pub fn parse_date(text: &str) -> Option<Date> {
    let text = text.trim();
    if text.len() != 10 {
        return None;
    }
    Date::from_str(text).ok()
}

impl<'a> Value<'a> {
    /// The text value of a string borrowed for `'a`.
    pub fn text(text: &'a str) -> Value<'a> {
        Value::Text(Cow::Borrowed(text))
    }

    /// Whether the value is missing.
    pub fn is_missing(&self) -> bool {
        matches!(self, Value::Missing)
    }

    /// The name of the value's kind, for messages.
    pub fn kind(&self) -> &'static str {
        match self {
            Value::Missing => "missing",
            Value::Bool(_) => "bool",
            Value::Number(_) => "number",
            Value::Money(_) => "money",
            Value::Duration(_) => "duration",
            Value::Date(_) => "date",
            Value::Time(_) => "time",
            Value::Text(_) => "text",
            Value::List(_) => "list",
            Value::Object(_) => "object",
        }
    }

    /// A value borrowing from `self` (no text or list is copied).
    pub fn reborrow(&self) -> Value<'_> {
        match self {
            Value::Text(t) => Value::Text(Cow::Borrowed(t.as_ref())),
            Value::List(List::Owned(items)) => Value::List(List::Slice(items)),
            Value::List(List::Slice(items)) => Value::List(List::Slice(items)),
            Value::List(List::Json(items, ty)) => Value::List(List::Json(items, ty)),
            Value::Missing => Value::Missing,
            Value::Bool(b) => Value::Bool(*b),
            Value::Number(n) => Value::Number(*n),
            Value::Money(m) => Value::Money(*m),
            Value::Duration(d) => Value::Duration(*d),
            Value::Date(d) => Value::Date(*d),
            Value::Time(t) => Value::Time(*t),
            Value::Object(o) => Value::Object(*o),
        }
    }

    /// A value with no borrow at all (text and lists copied), for plans. Objects are record
    /// data and have no owned form: they become missing (a plan never holds one).
    pub fn into_owned(self) -> Value<'static> {
        match self {
            Value::Text(t) => Value::Text(Cow::Owned(t.into_owned())),
            Value::List(list) => {
                let items: Vec<Value<'static>> = list
                    .iter()
                    .map(|item| item.map_or(Value::Missing, Value::into_owned))
                    .collect();
                Value::List(List::Owned(items.into()))
            }
            Value::Object(_) | Value::Missing => Value::Missing,
            Value::Bool(b) => Value::Bool(b),
            Value::Number(n) => Value::Number(n),
            Value::Money(m) => Value::Money(m),
            Value::Duration(d) => Value::Duration(d),
            Value::Date(d) => Value::Date(d),
            Value::Time(t) => Value::Time(t),
        }
    }

    /// The value as JSON for a decision: money and durations as their literal text, times
    /// as RFC 3339 UTC, dates as `YYYY-MM-DD`, integers as JSON numbers and other numbers
    /// as exact decimal strings.
    pub fn to_json(&self) -> Json {
        match self {
            Value::Missing => Json::Null,
            Value::Bool(b) => Json::Bool(*b),
            Value::Number(n) => number_json(*n),
            Value::Money(m) => Json::String(m.to_string()),
            Value::Duration(d) => Json::String(d.to_string()),
            Value::Date(d) => Json::String(d.to_string()),
            Value::Time(t) => Json::String(t.to_string()),
            Value::Text(t) => Json::String(t.to_string()),
            Value::List(list) => Json::Array(
                list.iter()
                    .map(|item| item.map_or(Json::Null, |v| v.to_json()))
                    .collect(),
            ),
            Value::Object(o) => Json::Object(o.map.clone()),
        }
    }
}

/// A decimal as JSON: an integer that fits 64 bits as a number, anything else as its exact
/// decimal text (JSON numbers are read as binary floats by many hosts).
pub fn number_json(n: Decimal) -> Json {
    let normalized = n.normalize();
    if normalized.scale() == 0
        && let Ok(i) = i64::try_from(normalized)
    {
        return Json::from(i);
    }
    Json::String(normalized.to_string())
}

impl std::fmt::Display for Value<'_> {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        match self {
            Value::Missing => f.write_str("missing"),
            Value::Number(n) => f.write_str(&format_amount(*n, None)),
            Value::Text(t) => write!(f, "{t:?}"),
            other => write!(f, "{}", other.to_json()),
        }
    }
}

impl<'a> List<'a> {
    /// The number of elements.
    pub fn len(&self) -> usize {
        match self {
            List::Json(items, _) => items.len(),
            List::Slice(items) => items.len(),
            List::Owned(items) => items.len(),
        }
    }

    /// Whether the list is empty.
    pub fn is_empty(&self) -> bool {
        self.len() == 0
    }

    /// The element at `index`, read with the element type.
    pub fn get(&self, index: usize) -> Option<Result<Value<'a>, ReadError>> {
        match self {
            List::Json(items, ty) => items.get(index).map(|json| read_json(json, ty)),
            // Borrowed, not cloned: a plan's text stays where it is.
            List::Slice(items) => items.get(index).map(|v| Ok(v.reborrow())),
            List::Owned(items) => items.get(index).map(|v| Ok(v.clone())),
        }
    }

    /// The elements in order.
    pub fn iter(&self) -> impl Iterator<Item = Result<Value<'a>, ReadError>> + '_ {
        (0..self.len()).filter_map(move |i| self.get(i))
    }
}

impl<'a> Object<'a> {
    /// The field `name`, read with its declared type (untyped without a schema). A field
    /// the object type does not declare reads untyped.
    pub fn field(&self, name: &str) -> Result<Value<'a>, ReadError> {
        let Some(json) = self.map.get(name) else {
            return Ok(Value::Missing);
        };
        let ty = self
            .fields
            .and_then(|fields| fields.iter().find(|f| f.name == name))
            .map_or(&ANY, |f| &f.ty);
        read_json(json, ty)
    }
}

/// Arithmetic operators.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum ArithOp {
    /// `+`.
    Add,
    /// `-`.
    Sub,
    /// `*`.
    Mul,
    /// `/`.
    Div,
}

impl ArithOp {
    fn symbol(self) -> &'static str {
        match self {
            ArithOp::Add => "+",
            ArithOp::Sub => "-",
            ArithOp::Mul => "*",
            ArithOp::Div => "/",
        }
    }
}

/// Converts text met by an operator that needs money, time, date or duration (records
/// without a schema carry these as strings), and gives the currency-less zero of an empty
/// sum the kind of the number, duration or money it meets.
pub fn harmonize<'a>(a: Value<'a>, b: Value<'a>) -> Result<(Value<'a>, Value<'a>), ValueError> {
    Ok(match (a, b) {
        (
            Value::Text(t),
            other @ (Value::Money(_) | Value::Time(_) | Value::Date(_) | Value::Duration(_)),
        ) => (convert_text(&t, &other)?, other),
        (
            other @ (Value::Money(_) | Value::Time(_) | Value::Date(_) | Value::Duration(_)),
            Value::Text(t),
        ) => {
            let converted = convert_text(&t, &other)?;
            (other, converted)
        }
        (Value::Money(m), other) if m.currency.is_none() && m.amount.is_zero() => {
            (zero_like(&other).unwrap_or(Value::Money(m)), other)
        }
        (other, Value::Money(m)) if m.currency.is_none() && m.amount.is_zero() => {
            let zero = zero_like(&other).unwrap_or(Value::Money(m));
            (other, zero)
        }
        pair => pair,
    })
}

fn zero_like(other: &Value<'_>) -> Option<Value<'static>> {
    match other {
        Value::Number(_) => Some(Value::Number(Decimal::ZERO)),
        Value::Duration(_) => Some(Value::Duration(Duration::ZERO)),
        // Money with a currency lends it to the zero, so results and checks print `0 USD`.
        Value::Money(Money {
            currency: Some(currency),
            ..
        }) => Some(Value::Money(Money::new(Decimal::ZERO, *currency))),
        _ => None,
    }
}

/// Text holding a time or a date, as that value.
fn instant_text(text: &str) -> Option<Value<'static>> {
    parse_time(text)
        .map(Value::Time)
        .or_else(|| parse_date(text).map(Value::Date))
}

/// Two texts that both hold a time, a date, money or a duration, as those values.
fn texts_as_one_kind(x: &str, y: &str) -> Option<(Value<'static>, Value<'static>)> {
    if let (Some(p), Some(q)) = (parse_time(x), parse_time(y)) {
        return Some((Value::Time(p), Value::Time(q)));
    }
    if let (Some(p), Some(q)) = (parse_date(x), parse_date(y)) {
        return Some((Value::Date(p), Value::Date(q)));
    }
    if let (Ok(p), Ok(q)) = (Money::parse(x), Money::parse(y)) {
        return Some((Value::Money(p), Value::Money(q)));
    }
    if let (Ok(p), Ok(q)) = (parse_duration(x), parse_duration(y)) {
        return Some((Value::Duration(p), Value::Duration(q)));
    }
    None
}

/// Text holding money or a duration, as that value.
fn measure_text(text: &str) -> Option<Value<'static>> {
    Money::parse(text)
        .ok()
        .map(Value::Money)
        .or_else(|| parse_duration(text).ok().map(Value::Duration))
}

/// Converts text to the kind of `like` (money, time, date or duration).
pub fn convert_text(text: &str, like: &Value<'_>) -> Result<Value<'static>, ValueError> {
    let converted = match like {
        Value::Money(_) => Money::parse(text).ok().map(Value::Money),
        Value::Time(_) => parse_time(text).map(Value::Time),
        Value::Date(_) => parse_date(text).map(Value::Date),
        Value::Duration(_) => parse_duration(text).ok().map(Value::Duration),
        _ => None,
    };
    converted.map_or_else(
        || match like {
            Value::Time(_) => err(not_a_time(text)),
            _ => err(format!(
                "cannot convert `{}` to {}",
                quote_text(text),
                like.kind()
            )),
        },
        Ok,
    )
}

fn overflow(op: ArithOp, a: &Value<'_>, b: &Value<'_>) -> ValueError {
    ValueError(format!("arithmetic overflow in `{a} {} {b}`", op.symbol()))
}

/// A time moved by a duration out of the range of times.
fn past_the_range(op: ArithOp, a: &Value<'_>, b: &Value<'_>) -> ValueError {
    ValueError(format!(
        "`{a} {} {b}` lies outside the range of times: {TIME_RANGE}",
        op.symbol()
    ))
}

fn whole_days(d: Duration) -> Option<i64> {
    let day = 24 * 3600 * 1_000_000_000i64;
    (d.as_nanos() % day == 0).then_some(d.as_nanos() / day)
}

fn date_plus(date: Date, d: Duration, negate: bool) -> Result<Value<'static>, ValueError> {
    let Some(days) = whole_days(d) else {
        return err(format!(
            "`{d}` is not a whole number of days to add to a date"
        ));
    };
    let days = if negate {
        days.checked_neg()
    } else {
        Some(days)
    };
    days.and_then(|days| {
        date.checked_add(jiff::Span::new().try_days(days).ok()?)
            .ok()
    })
    .map(Value::Date)
    .ok_or_else(|| ValueError(format!("date `{date}` plus `{d}` is out of range")))
}

/// `a OP b` for the arithmetic of SPEC §6. Missing operands give missing.
pub fn arith<'a>(op: ArithOp, a: Value<'a>, b: Value<'a>) -> Result<Value<'a>, ValueError> {
    if a.is_missing() || b.is_missing() {
        return Ok(Value::Missing);
    }
    // Without a schema `opened_at + 2h` meets text beside a duration: the operator then needs
    // a time or a date (time ± duration, date ± duration) as much as a duration. Likewise
    // `50% of order.total` needs money or a duration beside a number.
    for (x, y) in [(&a, &b), (&b, &a)] {
        if let (Value::Text(t), Value::Duration(_)) = (x, y)
            && matches!(op, ArithOp::Add | ArithOp::Sub)
            && time_out_of_range(t)
        {
            return err(not_a_time(t));
        }
    }
    let converted = match (&a, &b, op) {
        (Value::Text(t), Value::Duration(_), ArithOp::Add | ArithOp::Sub) => instant_text(t),
        (Value::Text(t), Value::Number(_), ArithOp::Mul | ArithOp::Div) => measure_text(t),
        _ => None,
    };
    let a = converted.unwrap_or(a);
    let converted = match (&a, &b, op) {
        (Value::Duration(_), Value::Text(t), ArithOp::Add) => instant_text(t),
        (Value::Number(_), Value::Text(t), ArithOp::Mul) => measure_text(t),
        _ => None,
    };
    let b = converted.unwrap_or(b);
    let (a, b) = match (&a, &b, op) {
        (Value::Text(x), Value::Text(y), ArithOp::Sub) => texts_as_one_kind(x, y),
        _ => None,
    }
    .unwrap_or((a, b));
    let (a, b) = harmonize(a, b)?;
    let over = |a: &Value<'_>, b: &Value<'_>| overflow(op, a, b);
    use ArithOp::*;
    let result = match (op, &a, &b) {
        (Add, Value::Number(x), Value::Number(y)) => x.checked_add(*y).map(Value::Number),
        (Sub, Value::Number(x), Value::Number(y)) => x.checked_sub(*y).map(Value::Number),
        (Mul, Value::Number(x), Value::Number(y)) => x.checked_mul(*y).map(Value::Number),
        (Div, Value::Number(x), Value::Number(y)) => {
            if y.is_zero() {
                return err(format!("division by zero in `{a} / {b}`"));
            }
            x.checked_div(*y).map(Value::Number)
        }
        (Add, Value::Money(x), Value::Money(y)) => {
            return x
                .checked_add(*y)
                .map(Value::Money)
                .map_err(|e| money_error(e, op, &a, &b));
        }
        (Sub, Value::Money(x), Value::Money(y)) => {
            return x
                .checked_sub(*y)
                .map(Value::Money)
                .map_err(|e| money_error(e, op, &a, &b));
        }
        (Mul, Value::Money(m), Value::Number(n)) | (Mul, Value::Number(n), Value::Money(m)) => {
            m.amount.checked_mul(*n).map(|amount| {
                Value::Money(Money {
                    amount,
                    currency: m.currency,
                })
            })
        }
        (Div, Value::Money(m), Value::Number(n)) => {
            if n.is_zero() {
                return err(format!("division by zero in `{a} / {b}`"));
            }
            m.amount.checked_div(*n).map(|amount| {
                Value::Money(Money {
                    amount,
                    currency: m.currency,
                })
            })
        }
        (Div, Value::Money(x), Value::Money(y)) => {
            x.common_currency(*y)
                .map_err(|e| money_error(e, op, &a, &b))?;
            if y.amount.is_zero() {
                return err(format!("division by zero in `{a} / {b}`"));
            }
            x.amount.checked_div(y.amount).map(Value::Number)
        }
        (Add, Value::Duration(x), Value::Duration(y)) => x.checked_add(*y).map(Value::Duration),
        (Sub, Value::Duration(x), Value::Duration(y)) => x.checked_sub(*y).map(Value::Duration),
        (Mul, Value::Duration(d), Value::Number(n))
        | (Mul, Value::Number(n), Value::Duration(d)) => {
            d.checked_mul_decimal(*n).map(Value::Duration)
        }
        (Div, Value::Duration(d), Value::Number(n)) => {
            if n.is_zero() {
                return err(format!("division by zero in `{a} / {b}`"));
            }
            d.checked_div_decimal(*n).map(Value::Duration)
        }
        (Div, Value::Duration(x), Value::Duration(y)) => {
            if y.as_nanos() == 0 {
                return err(format!("division by zero in `{a} / {b}`"));
            }
            x.ratio(*y).map(Value::Number)
        }
        (Add, Value::Time(t), Value::Duration(d)) | (Add, Value::Duration(d), Value::Time(t)) => {
            return t
                .checked_add(d.to_jiff())
                .map(Value::Time)
                .map_err(|_| past_the_range(op, &a, &b));
        }
        (Sub, Value::Time(t), Value::Duration(d)) => {
            return t
                .checked_sub(d.to_jiff())
                .map(Value::Time)
                .map_err(|_| past_the_range(op, &a, &b));
        }
        (Sub, Value::Time(x), Value::Time(y)) => {
            Duration::from_jiff(x.duration_since(*y)).map(Value::Duration)
        }
        (Add, Value::Date(x), Value::Duration(d)) | (Add, Value::Duration(d), Value::Date(x)) => {
            return date_plus(*x, *d, false);
        }
        (Sub, Value::Date(x), Value::Duration(d)) => return date_plus(*x, *d, true),
        (Sub, Value::Date(x), Value::Date(y)) => {
            let days = x.since(*y).ok().map(|span| i64::from(span.get_days()));
            days.and_then(|days| days.checked_mul(24 * 3600))
                .and_then(Duration::from_secs)
                .map(Value::Duration)
        }
        _ => {
            return err(format!(
                "cannot apply `{}` to {} and {}",
                op.symbol(),
                a.kind(),
                b.kind()
            ));
        }
    };
    result.ok_or_else(|| over(&a, &b))
}

fn money_error(e: super::MoneyError, op: ArithOp, a: &Value<'_>, b: &Value<'_>) -> ValueError {
    match e {
        super::MoneyError::Overflow => overflow(op, a, b),
        other => ValueError(other.to_string()),
    }
}

/// `-x`. Missing gives missing.
pub fn negate<'a>(a: Value<'a>) -> Result<Value<'a>, ValueError> {
    let result = match &a {
        Value::Missing => return Ok(Value::Missing),
        Value::Number(n) => Some(Value::Number(-*n)),
        Value::Money(m) => Some(Value::Money(Money {
            amount: -m.amount,
            currency: m.currency,
        })),
        Value::Duration(d) => d.checked_neg().map(Value::Duration),
        other => return err(format!("cannot negate {}", other.kind())),
    };
    result.ok_or_else(|| ValueError(format!("arithmetic overflow negating `{a}`")))
}

/// The order of two values of one orderable kind (number, money of one currency, duration,
/// time, date); text converts to the other operand's kind first.
pub fn compare(a: Value<'_>, b: Value<'_>) -> Result<Ordering, ValueError> {
    // Text has no order of its own: two texts (a record without a schema) that hold values
    // of one orderable kind compare as those (`resolved_at > opened_at`).
    let (a, b) = match (&a, &b) {
        (Value::Text(x), Value::Text(y)) => texts_as_one_kind(x, y),
        _ => None,
    }
    .unwrap_or((a, b));
    let (a, b) = harmonize(a, b)?;
    match (&a, &b) {
        (Value::Number(x), Value::Number(y)) => Ok(x.cmp(y)),
        (Value::Money(x), Value::Money(y)) => {
            x.checked_cmp(*y).map_err(|e| ValueError(e.to_string()))
        }
        (Value::Duration(x), Value::Duration(y)) => Ok(x.cmp(y)),
        (Value::Time(x), Value::Time(y)) => Ok(x.cmp(y)),
        (Value::Date(x), Value::Date(y)) => Ok(x.cmp(y)),
        _ => err(format!("cannot order {} and {}", a.kind(), b.kind())),
    }
}

/// Whether two values are equal: any orderable kind, text, bool and lists of those.
pub fn equals(a: Value<'_>, b: Value<'_>) -> Result<bool, ValueError> {
    let (a, b) = harmonize(a, b)?;
    match (&a, &b) {
        (Value::Text(x), Value::Text(y)) => Ok(x == y),
        (Value::Bool(x), Value::Bool(y)) => Ok(x == y),
        (Value::List(x), Value::List(y)) => {
            if x.len() != y.len() {
                return Ok(false);
            }
            for (p, q) in x.iter().zip(y.iter()) {
                let (p, q) = (read_ok(p)?, read_ok(q)?);
                if p.is_missing() || q.is_missing() {
                    if p.is_missing() != q.is_missing() {
                        return Ok(false);
                    }
                    continue;
                }
                if !equals(p, q)? {
                    return Ok(false);
                }
            }
            Ok(true)
        }
        (Value::Money(x), Value::Money(y)) => x
            .checked_cmp(*y)
            .map(Ordering::is_eq)
            .map_err(|e| ValueError(e.to_string())),
        _ => {
            let (ka, kb) = (a.kind(), b.kind());
            compare(a, b)
                .map(Ordering::is_eq)
                .map_err(|_| ValueError(format!("cannot compare {ka} with {kb}")))
        }
    }
}

fn read_ok(item: Result<Value<'_>, ReadError>) -> Result<Value<'_>, ValueError> {
    item.map_err(|e| ValueError(format!("list element: {e}")))
}

#[cfg(test)]
mod tests {
    use super::*;
    use serde_json::json;

    fn money(text: &str) -> Value<'static> {
        Value::Money(Money::parse(text).unwrap())
    }

    fn num(text: &str) -> Value<'static> {
        Value::Number(Decimal::from_str(text).unwrap())
    }

    #[test]
    fn descriptions_are_short_and_independent_of_field_order() {
        let a = json!({"b": [1, {"y": 2, "x": 1}], "a": "text"});
        let b = json!({"a": "text", "b": [1, {"x": 1, "y": 2}]});
        assert_eq!(describe_json(&a), describe_json(&b));
        assert_eq!(describe_json(&a), r#"{"a":"text","b":[1,{"x":1,"y":2}]}"#);
        assert_eq!(describe_json(&json!("short")), r#""short""#);
        let long = describe_json(&json!("x".repeat(10_000_000)));
        assert_eq!(long.chars().count(), 40);
        assert!(long.ends_with("..."));
        // Deeper than any stack would allow if the description recursed to the bottom.
        let mut deep = json!(1);
        for _ in 0..100_000 {
            deep = Json::Array(vec![deep]);
        }
        let text = describe_json(&deep);
        assert!(text.starts_with("[[[[") && text.ends_with("..."), "{text}");
        // Drop the deep value without recursing (serde_json's drop would).
        let mut next = Some(deep);
        while let Some(Json::Array(mut items)) = next.take() {
            next = items.pop();
        }
    }

    #[test]
    fn json_numbers_go_through_their_shortest_decimal_form() {
        for (json, expected) in [
            (json!(0.1), "0.1"),
            (json!(12.5), "12.5"),
            (json!(42), "42"),
            (json!(-7), "-7"),
            (json!(1e20), "100000000000000000000"),
            (json!(18446744073709551615u64), "18446744073709551615"),
        ] {
            let Json::Number(n) = &json else {
                unreachable!()
            };
            assert_eq!(
                decimal_from_json(n).unwrap().normalize().to_string(),
                expected
            );
        }
        let Json::Number(huge) = json!(1e300) else {
            unreachable!()
        };
        assert_eq!(decimal_from_json(&huge), None);
    }

    #[test]
    fn reading_with_a_schema() {
        let usd = |v: Value<'_>| v.to_json();
        let ty = FieldType::Money;
        assert_eq!(
            usd(read_json(&json!("12.50 USD"), &ty).unwrap()),
            json!("12.50 USD")
        );
        let obj = json!({"amount": 12.5, "currency": "USD"});
        assert_eq!(usd(read_json(&obj, &ty).unwrap()), json!("12.50 USD"));
        let obj = json!({"amount": "0.10", "currency": "EUR"});
        assert_eq!(usd(read_json(&obj, &ty).unwrap()), json!("0.10 EUR"));
        let bad = read_json(&json!(12), &ty).unwrap_err();
        assert_eq!(
            bad.to_string(),
            "expected money like `\"12.50 USD\"`, found `12`"
        );

        let raw = json!("2026-03-02T14:30:00+05:30");
        let time = read_json(&raw, &FieldType::Time).unwrap();
        assert_eq!(time.to_json(), json!("2026-03-02T09:00:00Z"));
        assert!(read_json(&json!("2026-03-02 14:30"), &FieldType::Time).is_err());
        let raw = json!("PT1H30M");
        let d = read_json(&raw, &FieldType::Duration).unwrap();
        assert_eq!(d.to_json(), json!("1h30m"));
        let raw = json!("12.345678901234567890");
        let n = read_json(&raw, &FieldType::Number).unwrap();
        assert_eq!(n.to_json(), json!("12.34567890123456789"));
        assert!(read_json(&json!("1e3"), &FieldType::Number).is_err());
        let e = FieldType::Enum(vec!["low".into(), "high".into()]);
        assert!(read_json(&json!("low"), &e).is_ok());
        let bad = read_json(&json!("mid"), &e).unwrap_err();
        assert_eq!(bad.expected, "one of `low`, `high`");
        assert!(
            read_json(&json!(null), &FieldType::Text)
                .unwrap()
                .is_missing()
        );
        assert!(read_json(&json!("2026-02-30"), &FieldType::Date).is_err());
    }

    #[test]
    fn reading_without_a_schema_maps_json_types() {
        let record = json!({"a": [1, "x", true, null], "b": {"c": 2}});
        let Value::Object(obj) = read_json(&record, &ANY).unwrap() else {
            panic!()
        };
        let Value::List(list) = obj.field("a").unwrap() else {
            panic!()
        };
        let kinds: Vec<&str> = list.iter().map(|v| v.unwrap().kind()).collect();
        assert_eq!(kinds, ["number", "text", "bool", "missing"]);
        assert!(matches!(obj.field("b").unwrap(), Value::Object(_)));
        assert!(obj.field("zzz").unwrap().is_missing());
    }

    #[test]
    fn money_arithmetic_is_exact_and_checked() {
        let sum = arith(ArithOp::Add, money("0.10 USD"), money("0.20 USD")).unwrap();
        assert!(equals(sum.clone(), money("0.30 USD")).unwrap());
        assert_eq!(sum.to_json(), json!("0.30 USD"));
        let mismatch = arith(ArithOp::Add, money("1 USD"), money("1 EUR")).unwrap_err();
        assert_eq!(mismatch.0, "currency mismatch: `USD` and `EUR`");
        let zero = Value::Money(Money::zero_any());
        let total = arith(ArithOp::Add, zero.clone(), money("5 INR")).unwrap();
        assert_eq!(total.to_json(), json!("5 INR"));
        assert_eq!(
            arith(ArithOp::Add, zero, num("3")).unwrap().to_json(),
            json!(3)
        );
        let ratio = arith(ArithOp::Div, money("10 USD"), money("4 USD")).unwrap();
        assert_eq!(ratio.to_json(), json!("2.5"));
        assert!(arith(ArithOp::Div, money("10 USD"), num("0")).is_err());
        let max = Value::Number(Decimal::MAX);
        assert!(
            arith(ArithOp::Add, max.clone(), max)
                .unwrap_err()
                .0
                .contains("overflow")
        );
    }

    #[test]
    fn time_date_and_duration_arithmetic() {
        let t = Value::Time(parse_time("2026-03-02T09:00:00Z").unwrap());
        let h = Value::Duration(Duration::parse_literal("1h30m").unwrap());
        let later = arith(ArithOp::Add, t.clone(), h.clone()).unwrap();
        assert_eq!(later.to_json(), json!("2026-03-02T10:30:00Z"));
        let back = arith(ArithOp::Sub, later, t).unwrap();
        assert_eq!(back.to_json(), json!("1h30m"));
        let date = Value::Date(parse_date("2026-02-27").unwrap());
        let day3 = Value::Duration(Duration::parse_literal("3d").unwrap());
        let moved = arith(ArithOp::Add, date.clone(), day3).unwrap();
        assert_eq!(moved.to_json(), json!("2026-03-02"));
        assert!(arith(ArithOp::Add, date, h.clone()).is_err());
        let half = arith(ArithOp::Div, h.clone(), num("2")).unwrap();
        assert_eq!(half.to_json(), json!("45m"));
        assert_eq!(
            arith(ArithOp::Div, h.clone(), half).unwrap().to_json(),
            json!(2)
        );
        assert!(
            arith(ArithOp::Add, h, num("1"))
                .unwrap_err()
                .0
                .contains("cannot apply")
        );
    }

    #[test]
    fn text_converts_when_an_operator_needs_it() {
        let text = Value::text("150 USD");
        assert_eq!(compare(text, money("100 USD")).unwrap(), Ordering::Greater);
        let bad = compare(Value::text("lots"), money("100 USD")).unwrap_err();
        assert_eq!(bad.0, "cannot convert `lots` to money");
        assert!(compare(Value::text("a"), Value::text("b")).is_err());
        assert!(equals(Value::text("a"), Value::text("a")).unwrap());
        assert!(equals(Value::text("a"), num("1")).is_err());
        assert!(matches!(
            arith(ArithOp::Add, Value::Missing, num("1")),
            Ok(Value::Missing)
        ));
    }

    #[test]
    fn numbers_print_exactly() {
        assert_eq!(
            number_json(Decimal::from_str("2.50").unwrap()),
            json!("2.5")
        );
        assert_eq!(number_json(Decimal::from_str("3.00").unwrap()), json!(3));
    }
}
