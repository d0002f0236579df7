//! Values: exact numbers, money, durations, instants, text, lists and *missing*.
//!
//! Numbers and money are exact decimals (`rust_decimal`), never binary floating point.

mod duration;
mod money;

pub use duration::{Duration, DurationError};
pub use money::{Currency, Money, MoneyError, format_amount, parse_decimal};
