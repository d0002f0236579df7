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
#[cfg(any(test, feature = "internals"))]
pub use value::ANY;
pub(crate) use value::not_a_time;
pub use value::{
    ArithOp, FieldType, List, MAX_LIST_LEN, ObjectField, TIME_RANGE, Value, ValueError, arith,
    compare, decimal_from_json, describe_json, equals, harmonize, negate, number_json, parse_date,
    parse_duration, parse_time, quote_text, read_json, time_out_of_range, traced_json,
    whole_second,
};
#[cfg(feature = "internals")]
pub use value::{Object, QUOTED_CHARS, ReadError, TRACED_BYTES, convert_text, read_money};
