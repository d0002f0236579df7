//! Durations: a signed length of time with nanosecond resolution.
//!
//! Literals use the units `w d h m s`, largest first, each at most once (`1h30m`).
//! Records may also use ISO 8601 (`PT1H30M`, `P1DT2H`). Days and weeks are fixed lengths
//! (`1d` = 24h); calendars give them business meaning elsewhere.

use std::fmt;
use std::str::FromStr;

use rust_decimal::prelude::ToPrimitive;
use rust_decimal::{Decimal, RoundingStrategy};

const NANOS_PER_SECOND: i64 = 1_000_000_000;
const UNITS: [(char, i64); 5] = [
    ('w', 7 * 24 * 3600),
    ('d', 24 * 3600),
    ('h', 3600),
    ('m', 60),
    ('s', 1),
];

/// A signed length of time, exact to the nanosecond, within about ±292 years.
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq, PartialOrd, Ord, Hash)]
pub struct Duration {
    nanos: i64,
}

/// Why a text is not a duration.
#[derive(Clone, Debug, PartialEq, Eq, thiserror::Error)]
pub enum DurationError {
    /// The text does not follow the literal or ISO 8601 form.
    #[error("`{0}` is not a duration like `15m`, `1h30m` or `PT1H30M`")]
    Syntax(String),
    /// The value does not fit the supported range.
    #[error("duration `{0}` is out of range (about ±292 years)")]
    Range(String),
}

impl Duration {
    /// The zero duration.
    pub const ZERO: Duration = Duration { nanos: 0 };

    /// A duration of whole seconds, or `None` when out of range.
    pub fn from_secs(secs: i64) -> Option<Duration> {
        secs.checked_mul(NANOS_PER_SECOND)
            .map(|nanos| Duration { nanos })
    }

    /// A duration of nanoseconds.
    pub const fn from_nanos(nanos: i64) -> Duration {
        Duration { nanos }
    }

    /// The length in nanoseconds.
    pub const fn as_nanos(self) -> i64 {
        self.nanos
    }

    /// Whole seconds, truncated toward zero.
    pub const fn whole_secs(self) -> i64 {
        self.nanos / NANOS_PER_SECOND
    }

    /// Whether the duration is negative.
    pub const fn is_negative(self) -> bool {
        self.nanos < 0
    }

    /// Checked sum.
    pub fn checked_add(self, other: Duration) -> Option<Duration> {
        self.nanos
            .checked_add(other.nanos)
            .map(Duration::from_nanos)
    }

    /// Checked difference.
    pub fn checked_sub(self, other: Duration) -> Option<Duration> {
        self.nanos
            .checked_sub(other.nanos)
            .map(Duration::from_nanos)
    }

    /// Checked negation.
    pub fn checked_neg(self) -> Option<Duration> {
        self.nanos.checked_neg().map(Duration::from_nanos)
    }

    /// Multiplies by an exact decimal, rounding to the nearest whole second (ties to even):
    /// time is counted in whole seconds.
    pub fn checked_mul_decimal(self, factor: Decimal) -> Option<Duration> {
        let product = self.exact_secs().checked_mul(factor)?;
        Duration::from_decimal_secs(product, RoundingStrategy::MidpointNearestEven)
    }

    /// Multiplies by an exact decimal, rounding up to the next whole second: the first whole
    /// second at which a running time of whole seconds reaches the product.
    pub fn checked_mul_decimal_up(self, factor: Decimal) -> Option<Duration> {
        let product = self.exact_secs().checked_mul(factor)?;
        Duration::from_decimal_secs(product, RoundingStrategy::ToPositiveInfinity)
    }

    /// Divides by an exact decimal, rounding to the nearest whole second (ties to even);
    /// `None` for zero.
    pub fn checked_div_decimal(self, divisor: Decimal) -> Option<Duration> {
        if divisor.is_zero() {
            return None;
        }
        let quotient = self.exact_secs().checked_div(divisor)?;
        Duration::from_decimal_secs(quotient, RoundingStrategy::MidpointNearestEven)
    }

    /// The same duration cut to whole seconds, toward zero.
    pub const fn whole(self) -> Duration {
        Duration {
            nanos: self.nanos - self.nanos % NANOS_PER_SECOND,
        }
    }

    /// The length in seconds, as an exact decimal.
    fn exact_secs(self) -> Decimal {
        Decimal::from_i128_with_scale(i128::from(self.nanos), 9)
    }

    /// Whole seconds from a decimal number of them, rounded as asked.
    fn from_decimal_secs(secs: Decimal, strategy: RoundingStrategy) -> Option<Duration> {
        secs.round_dp_with_strategy(0, strategy)
            .to_i64()
            .and_then(Duration::from_secs)
    }

    /// The exact ratio of two durations; `None` when `other` is zero.
    pub fn ratio(self, other: Duration) -> Option<Decimal> {
        if other.nanos == 0 {
            return None;
        }
        Decimal::from(self.nanos).checked_div(Decimal::from(other.nanos))
    }

    /// Whether the duration has a whole day (24h) or more: such a duration measured on a
    /// calendar counts 24 open hours per day, which surprises authors (`W0007`).
    pub fn has_days(self) -> bool {
        self.nanos.unsigned_abs() >= 24 * 3600 * NANOS_PER_SECOND as u64
    }

    /// Converts to jiff's signed duration.
    pub fn to_jiff(self) -> jiff::SignedDuration {
        jiff::SignedDuration::from_nanos(self.nanos)
    }

    /// Converts from jiff's signed duration, or `None` when out of range.
    pub fn from_jiff(d: jiff::SignedDuration) -> Option<Duration> {
        i64::try_from(d.as_nanos()).ok().map(Duration::from_nanos)
    }

    /// Parses the literal form (`1h30m`, `90s`, `2w`): units `w d h m s` largest first, each
    /// once, with whole numbers (underscores allowed between digits).
    pub fn parse_literal(text: &str) -> Result<Duration, DurationError> {
        let syntax = || DurationError::Syntax(text.to_owned());
        let (negative, body) = match text.strip_prefix('-') {
            Some(rest) => (true, rest),
            None => (false, text),
        };
        if body.is_empty() {
            return Err(syntax());
        }
        let mut total: i64 = 0;
        let mut next_unit = 0usize;
        let mut digits = String::new();
        for ch in body.chars() {
            if ch.is_ascii_digit() {
                digits.push(ch);
                continue;
            }
            if ch == '_' && !digits.is_empty() {
                continue;
            }
            // Units come largest first, each once: look only at those after the last one.
            let (position, unit_secs) = UNITS
                .iter()
                .enumerate()
                .skip(next_unit)
                .find(|(_, (unit, _))| *unit == ch)
                .map(|(position, (_, secs))| (position, *secs))
                .ok_or_else(syntax)?;
            if digits.is_empty() {
                return Err(syntax());
            }
            next_unit = position + 1;
            let count: i64 = digits
                .parse()
                .map_err(|_| DurationError::Range(text.to_owned()))?;
            digits.clear();
            total = count
                .checked_mul(unit_secs)
                .and_then(|secs| total.checked_add(secs))
                .ok_or_else(|| DurationError::Range(text.to_owned()))?;
        }
        if !digits.is_empty() {
            return Err(syntax());
        }
        let total = if negative { -total } else { total };
        Duration::from_secs(total).ok_or_else(|| DurationError::Range(text.to_owned()))
    }

    /// Parses ISO 8601 durations such as `PT1H30M`, `P1DT2H` or `PT0.5S` (weeks allowed as
    /// `P2W`; years and months are refused because their length varies).
    pub fn parse_iso8601(text: &str) -> Result<Duration, DurationError> {
        let syntax = || DurationError::Syntax(text.to_owned());
        let range = || DurationError::Range(text.to_owned());
        let upper = text.to_ascii_uppercase();
        let (negative, body) = match upper.strip_prefix('-') {
            Some(rest) => (true, rest),
            None => (false, upper.as_str()),
        };
        let body = body.strip_prefix('P').ok_or_else(syntax)?;
        if body.is_empty() {
            return Err(syntax());
        }
        let mut nanos: i64 = 0;
        let mut in_time = false;
        let mut number = String::new();
        let mut seen_any = false;
        for ch in body.chars() {
            match ch {
                'T' if !in_time && number.is_empty() => in_time = true,
                '0'..='9' | '.' | ',' => number.push(if ch == ',' { '.' } else { ch }),
                unit => {
                    let secs: i64 = match (in_time, unit) {
                        (false, 'W') => 7 * 24 * 3600,
                        (false, 'D') => 24 * 3600,
                        (true, 'H') => 3600,
                        (true, 'M') => 60,
                        (true, 'S') => 1,
                        _ => return Err(syntax()),
                    };
                    if number.is_empty() {
                        return Err(syntax());
                    }
                    let amount = Decimal::from_str(&number).map_err(|_| syntax())?;
                    number.clear();
                    let part = amount
                        .checked_mul(Decimal::from(secs))
                        .and_then(|s| s.checked_mul(Decimal::from(NANOS_PER_SECOND)))
                        .and_then(|n| n.round().to_i64())
                        .ok_or_else(range)?;
                    nanos = nanos.checked_add(part).ok_or_else(range)?;
                    seen_any = true;
                }
            }
        }
        if !number.is_empty() || !seen_any {
            return Err(syntax());
        }
        Ok(Duration::from_nanos(if negative { -nanos } else { nanos }))
    }

    /// Parses either form: the literal form first, then ISO 8601. The printed form of a
    /// duration with a fraction of a second (`29m59.5s`) is read too, so decisions read back.
    pub fn parse_any(text: &str) -> Result<Duration, DurationError> {
        let trimmed = text.trim();
        Duration::parse_literal(trimmed).or_else(|literal_error| {
            if let Some(d) = Duration::parse_fractional_seconds(trimmed) {
                Ok(d)
            } else if trimmed.starts_with(['P', 'p', '-']) {
                Duration::parse_iso8601(trimmed)
            } else {
                Err(literal_error)
            }
        })
    }

    /// The literal form ending in decimal seconds, as `Display` prints it: `1m0.5s`.
    fn parse_fractional_seconds(text: &str) -> Option<Duration> {
        let body = text.strip_suffix('s')?;
        let (negative, body) = match body.strip_prefix('-') {
            Some(rest) => (true, rest),
            None => (false, body),
        };
        let start = body
            .rfind(|c: char| !(c.is_ascii_digit() || c == '.'))
            .map_or(0, |i| i + 1);
        let (head, seconds) = body.split_at(start);
        if !seconds.contains('.')
            || seconds.starts_with('.')
            || seconds.ends_with('.')
            || head.ends_with('s')
        {
            return None;
        }
        let seconds: Decimal = seconds.parse().ok()?;
        let nanos = seconds
            .checked_mul(Decimal::from(NANOS_PER_SECOND))?
            .to_i64()
            .filter(|_| seconds.scale() <= 9)?;
        let whole = if head.is_empty() {
            Duration::ZERO
        } else {
            Duration::parse_literal(head)
                .ok()
                .filter(|d| !d.is_negative())?
        };
        let total = whole.checked_add(Duration::from_nanos(nanos))?;
        if negative {
            total.checked_neg()
        } else {
            Some(total)
        }
    }
}

impl fmt::Display for Duration {
    /// Prints the literal form, largest unit first: `1h30m`, `2d`, `0s`, `-15m`. Weeks are
    /// used only for a whole number of weeks (`2w`), so `30d` stays `30d` rather than
    /// `4w2d`. A fraction of a second prints as a decimal number of seconds (`1m0.5s`).
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        if self.nanos == 0 {
            return f.write_str("0s");
        }
        if self.nanos < 0 {
            f.write_str("-")?;
        }
        let magnitude = self.nanos.unsigned_abs();
        let mut secs = magnitude / NANOS_PER_SECOND as u64;
        let sub = magnitude % NANOS_PER_SECOND as u64;
        let whole_weeks = sub == 0 && secs.is_multiple_of(UNITS[0].1 as u64);
        for (unit, unit_secs) in UNITS {
            if unit == 'w' && !whole_weeks {
                continue;
            }
            let unit_secs = unit_secs as u64;
            let count = secs / unit_secs;
            secs %= unit_secs;
            if unit == 's' {
                if sub != 0 {
                    let fraction = format!("{sub:09}");
                    write!(f, "{count}.{}s", fraction.trim_end_matches('0'))?;
                } else if count != 0 {
                    write!(f, "{count}s")?;
                }
            } else if count != 0 {
                write!(f, "{count}{unit}")?;
            }
        }
        Ok(())
    }
}

impl serde::Serialize for Duration {
    fn serialize<S: serde::Serializer>(&self, serializer: S) -> Result<S::Ok, S::Error> {
        serializer.collect_str(self)
    }
}

impl<'de> serde::Deserialize<'de> for Duration {
    /// Reads either form, `"1h30m"` or `"PT1H30M"`.
    fn deserialize<D: serde::Deserializer<'de>>(deserializer: D) -> Result<Self, D::Error> {
        let text = <std::borrow::Cow<'de, str>>::deserialize(deserializer)?;
        Duration::parse_any(&text).map_err(serde::de::Error::custom)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn printed_fractions_of_a_second_read_back() {
        for nanos in [
            500_000_000i64,
            -60_250_000_000,
            1_799_500_000_000,
            1,
            3_600_000_000_001,
        ] {
            let d = Duration::from_nanos(nanos);
            assert_eq!(Duration::parse_any(&d.to_string()).unwrap(), d, "{d}");
        }
        for bad in ["1s0.5s", ".5s", "5.s", "0.0000000001s", "1.5m", "-1m-0.5s"] {
            assert!(Duration::parse_any(bad).is_err(), "{bad}");
        }
    }

    #[test]
    fn literal_round_trip() {
        for (text, secs) in [
            ("90s", 90),
            ("15m", 900),
            ("1h30m", 5400),
            ("2d", 172_800),
            ("1w", 604_800),
            ("1w2d3h4m5s", 604_800 + 2 * 86_400 + 3 * 3600 + 4 * 60 + 5),
        ] {
            let d = Duration::parse_literal(text).unwrap();
            assert_eq!(d.whole_secs(), secs, "{text}");
        }
        assert_eq!(Duration::parse_literal("90m").unwrap().to_string(), "1h30m");
        assert_eq!(Duration::parse_literal("24h").unwrap().to_string(), "1d");
        assert_eq!(Duration::parse_literal("30d").unwrap().to_string(), "30d");
        assert_eq!(Duration::parse_literal("14d").unwrap().to_string(), "2w");
        assert_eq!(Duration::parse_literal("1w1d").unwrap().to_string(), "8d");
        assert_eq!(Duration::ZERO.to_string(), "0s");
        assert_eq!(Duration::from_secs(-900).unwrap().to_string(), "-15m");
        assert_eq!(Duration::from_nanos(60_500_000_000).to_string(), "1m0.5s");
    }

    #[test]
    fn literal_rejects_bad_order_and_repeats() {
        for bad in ["", "m", "30m1h", "1h1h", "1x", "15", "h5", "1.5h"] {
            assert!(Duration::parse_literal(bad).is_err(), "{bad:?} accepted");
        }
        assert!(matches!(
            Duration::parse_literal("99999999999999999w"),
            Err(DurationError::Range(_))
        ));
    }

    #[test]
    fn iso8601() {
        assert_eq!(
            Duration::parse_iso8601("PT1H30M").unwrap().whole_secs(),
            5400
        );
        assert_eq!(
            Duration::parse_iso8601("P1DT2H").unwrap().whole_secs(),
            93_600
        );
        assert_eq!(
            Duration::parse_iso8601("PT0.5S").unwrap().as_nanos(),
            500_000_000
        );
        assert_eq!(
            Duration::parse_iso8601("P2W").unwrap().whole_secs(),
            1_209_600
        );
        for bad in ["P", "PT", "P1M", "P1Y", "PT1D", "1H", "PTH"] {
            assert!(Duration::parse_iso8601(bad).is_err(), "{bad:?} accepted");
        }
        assert_eq!(Duration::parse_any("PT15M").unwrap().to_string(), "15m");
        assert_eq!(Duration::parse_any(" 1h ").unwrap().to_string(), "1h");
    }

    #[test]
    fn arithmetic_is_checked() {
        let hour = Duration::from_secs(3600).unwrap();
        assert_eq!(
            hour.checked_mul_decimal(Decimal::new(75, 2))
                .unwrap()
                .to_string(),
            "45m"
        );
        assert_eq!(
            hour.checked_div_decimal(Decimal::from(4))
                .unwrap()
                .to_string(),
            "15m"
        );
        assert!(hour.checked_div_decimal(Decimal::ZERO).is_none());
        // Whole seconds: 10s / 3 is 3s, 10s × 0.25 (2.5s) ties to the even 2s, and rounding
        // up gives the first whole second at which a running time reaches the product.
        let ten = Duration::from_secs(10).unwrap();
        assert_eq!(
            ten.checked_div_decimal(Decimal::from(3))
                .unwrap()
                .to_string(),
            "3s"
        );
        assert_eq!(
            ten.checked_mul_decimal(Decimal::new(25, 2))
                .unwrap()
                .to_string(),
            "2s"
        );
        assert_eq!(
            ten.checked_mul_decimal_up(Decimal::new(21, 2))
                .unwrap()
                .to_string(),
            "3s"
        );
        assert_eq!(
            ten.checked_mul_decimal_up(Decimal::new(2, 1))
                .unwrap()
                .to_string(),
            "2s"
        );
        assert_eq!(
            Duration::from_nanos(-1_500_000_000).whole().to_string(),
            "-1s"
        );
        assert_eq!(
            hour.ratio(Duration::from_secs(1800).unwrap()),
            Some(Decimal::from(2))
        );
        assert!(Duration::from_nanos(i64::MAX).checked_add(hour).is_none());
    }
}
