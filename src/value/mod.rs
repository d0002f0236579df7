//! Values: exact numbers, money, durations, instants, text, lists and *missing*.
//!
//! Numbers and money are exact decimals (`rust_decimal`), never binary floating point.

mod duration;
mod money;
// The file holds the `Value` type itself, named after it.
#[allow(clippy::module_inception)]
mod value;

pub use duration::{Duration, DurationError};
pub use money::{Currency, Money, MoneyError, format_amount, parse_decimal};
pub(crate) use value::not_a_time;
pub use value::{
    ANY, ArithOp, FieldType, List, MAX_LIST_LEN, Object, ObjectField, QUOTED_CHARS, ReadError,
    TIME_RANGE, TRACED_BYTES, Value, ValueError, arith, compare, convert_text, decimal_from_json,
    describe_json, equals, harmonize, negate, number_json, parse_date, parse_duration, parse_time,
    quote_text, read_json, read_money, time_out_of_range, traced_json, whole_second,
};
