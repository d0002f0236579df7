//! Literal text → typed values, each checked once here so no later stage parses text.
//!
//! The grammar only gives literals their shape; the value rules (28 digits, ISO 4217
//! codes, real calendar dates, valid escapes, …) live here so that every problem gets
//! a message and a help line instead of a bare "unexpected token".

use std::str::FromStr;

use rust_decimal::Decimal;

use crate::ast::ClockTime;
use crate::value::{Currency, Duration, DurationError, Money};

/// The most significant digits an exact decimal holds.
const MAX_DIGITS: usize = 28;

/// The longest text literal, in bytes once escapes are resolved (64 KiB): room for any
/// message or pattern, while a runaway literal gets its own clear error.
pub const MAX_TEXT_BYTES: usize = 1 << 16;

/// Why a literal is not a value. The span is relative to the literal's own text.
#[derive(Clone, Debug, PartialEq, Eq, thiserror::Error)]
pub(crate) enum LiteralError {
    /// More digits than a decimal holds.
    #[error("number `{0}` has more than 28 significant digits")]
    TooManyDigits(String),
    /// Underscores in the wrong place.
    #[error("`{0}` is not a number")]
    BadNumber(String),
    /// The currency code is not ISO 4217.
    #[error("`{0}` is not an ISO 4217 currency code")]
    UnknownCurrency(String),
    /// A duration that breaks the unit rules.
    #[error("`{0}` is not a duration")]
    BadDuration(String),
    /// A duration beyond the supported range.
    #[error("duration `{0}` is out of range (about ±292 years)")]
    DurationRange(String),
    /// Not a real calendar date.
    #[error("`{0}` is not a date: {1}")]
    BadDate(String, String),
    /// Not an RFC 3339 instant.
    #[error("`{0}` is not a time: {1}")]
    BadTime(String, String),
    /// Not a time of day.
    #[error("`{0}` is not a time of day")]
    BadClock(String),
    /// An escape the language does not know.
    #[error("{}", escape_message(.0))]
    BadEscape(String, usize, usize),
    /// A text longer than [`MAX_TEXT_BYTES`].
    #[error("text is longer than {MAX_TEXT_BYTES} bytes ({0} bytes)")]
    TextTooLong(usize),
}

impl LiteralError {
    /// How to fix it.
    pub(crate) fn help(&self) -> String {
        match self {
            LiteralError::TooManyDigits(_) => {
                "numbers are exact decimals of at most 28 digits; round the value".to_owned()
            }
            LiteralError::BadNumber(_) => {
                "write digits with an optional decimal point; `_` may only stand between two digits, as in `1_000`".to_owned()
            }
            LiteralError::UnknownCurrency(code) => {
                let upper = code.to_ascii_uppercase();
                if upper != *code && Currency::from_code(&upper).is_some() {
                    format!("currency codes are written in capitals: `{upper}`")
                } else {
                    "money is a number, a space and an ISO 4217 code of three capitals, like `500 USD` or `49.99 EUR`".to_owned()
                }
            }
            LiteralError::BadDuration(text) => duration_help(text),
            LiteralError::DurationRange(_) => "use a shorter duration".to_owned(),
            LiteralError::BadDate(..) => "write a real calendar date as `YYYY-MM-DD`, like `2026-01-26`".to_owned(),
            LiteralError::BadTime(..) => {
                "write an RFC 3339 instant with an offset, like `2026-03-02T09:00:00Z` or `2026-03-02T14:30:00+05:30`".to_owned()
            }
            LiteralError::BadClock(_) => {
                "a time of day runs from `00:00` to `23:59`; `24:00` may end an interval".to_owned()
            }
            LiteralError::TextTooLong(_) => {
                "shorten the text; a long pattern can often use a character class or a repetition".to_owned()
            }
            LiteralError::BadEscape(escape, ..) if escape.starts_with("\\u") => {
                "write `\\u{…}` with one to six hex digits naming a Unicode character (at most `10FFFF`, not a surrogate `D800`-`DFFF`), like `\\u{1F600}`".to_owned()
            }
            LiteralError::BadEscape(..) => {
                "escapes are `\\\"`, `\\\\`, `\\n`, `\\t` and `\\u{…}`; write `\\\\` for a backslash".to_owned()
            }
        }
    }

    /// The part of the literal to underline, relative to its start (`None`: all of it).
    pub(crate) fn sub_span(&self) -> Option<(usize, usize)> {
        match self {
            LiteralError::BadEscape(_, start, end) => Some((*start, *end)),
            _ => None,
        }
    }
}

/// `\u{D800}` is an escape the language knows, with a value that names no character.
fn escape_message(escape: &str) -> String {
    if escape.starts_with("\\u") {
        format!("invalid Unicode escape `{escape}` in text")
    } else {
        format!("unknown escape `{escape}` in text")
    }
}

fn duration_help(text: &str) -> String {
    let letters: String = text
        .chars()
        .skip_while(|c| c.is_ascii_digit() || *c == '_')
        .collect();
    if letters.len() == 3 && letters.chars().all(|c| c.is_ascii_uppercase()) {
        let amount = text.get(..text.len() - 3).unwrap_or(text);
        return format!(
            "for money, put a space between the amount and the code: `{amount} {letters}`"
        );
    }
    if text.contains('.') {
        return "durations take whole numbers of each unit: write `1h30m`, not `1.5h`".to_owned();
    }
    "write whole numbers with the units `w d h m s`, largest first, each at most once, like `1h30m`"
        .to_owned()
}

/// `42`, `3.75`, `1_000`: an exact decimal.
pub(crate) fn number(text: &str) -> Result<Decimal, LiteralError> {
    let bad = || LiteralError::BadNumber(text.to_owned());
    if text.starts_with('_')
        || text.ends_with('_')
        || text.contains("__")
        || text.contains("_.")
        || text.contains("._")
    {
        return Err(bad());
    }
    let cleaned: String = text.chars().filter(|c| *c != '_').collect();
    let (int, frac) = cleaned.split_once('.').unwrap_or((cleaned.as_str(), ""));
    let significant = format!("{int}{frac}");
    let significant = significant.trim_start_matches('0');
    if significant.len() > MAX_DIGITS || frac.len() > MAX_DIGITS {
        return Err(LiteralError::TooManyDigits(text.to_owned()));
    }
    Decimal::from_str(&cleaned).map_err(|_| LiteralError::TooManyDigits(text.to_owned()))
}

/// `50%`: the written number (50).
pub(crate) fn percent(text: &str) -> Result<Decimal, LiteralError> {
    number(text.strip_suffix('%').unwrap_or(text))
}

/// `500 USD`: amount and ISO 4217 code. Errors name the part at fault.
pub(crate) fn money(text: &str) -> Result<Money, (LiteralError, Option<(usize, usize)>)> {
    let code_start = text.len().saturating_sub(3);
    let (amount_text, code) = (
        text.get(..code_start).unwrap_or("").trim_end(),
        text.get(code_start..).unwrap_or(""),
    );
    let amount = number(amount_text).map_err(|e| (e, Some((0, amount_text.len()))))?;
    let currency = if code.chars().all(|c| c.is_ascii_uppercase()) {
        Currency::from_code(code)
    } else {
        None
    };
    let currency = currency.ok_or_else(|| {
        (
            LiteralError::UnknownCurrency(code.to_owned()),
            Some((code_start, text.len())),
        )
    })?;
    Ok(Money::new(amount, currency))
}

/// `1h30m`.
pub(crate) fn duration(text: &str) -> Result<Duration, LiteralError> {
    Duration::parse_literal(text).map_err(|e| match e {
        DurationError::Syntax(_) => LiteralError::BadDuration(text.to_owned()),
        DurationError::Range(_) => LiteralError::DurationRange(text.to_owned()),
    })
}

const MONTHS: [&str; 12] = [
    "January",
    "February",
    "March",
    "April",
    "May",
    "June",
    "July",
    "August",
    "September",
    "October",
    "November",
    "December",
];

/// Checks year, month and day, explaining what is wrong.
fn civil_date(whole: &str, date: &str) -> Result<jiff::civil::Date, String> {
    let mut parts = date.split('-');
    let (Some(y), Some(m), Some(d), None) =
        (parts.next(), parts.next(), parts.next(), parts.next())
    else {
        return Err("write it as `YYYY-MM-DD`".to_owned());
    };
    let _ = whole;
    if m.len() != 2 || d.len() != 2 {
        return Err("month and day take two digits each".to_owned());
    }
    let (Ok(year), Ok(month), Ok(day)) = (y.parse::<i16>(), m.parse::<i8>(), d.parse::<i8>())
    else {
        return Err("write it as `YYYY-MM-DD`".to_owned());
    };
    if !(1..=12).contains(&month) {
        return Err(format!("there is no month {month}"));
    }
    let first = jiff::civil::Date::new(year, month, 1)
        .map_err(|_| format!("year {year} is out of range"))?;
    let days = first.days_in_month();
    let month_name = MONTHS
        .get(usize::from(month.unsigned_abs()) - 1)
        .copied()
        .unwrap_or("that month");
    if day < 1 || day > days {
        return Err(format!("{month_name} {year} has {days} days"));
    }
    jiff::civil::Date::new(year, month, day).map_err(|e| e.to_string())
}

/// `2026-01-26`.
pub(crate) fn date(text: &str) -> Result<jiff::civil::Date, LiteralError> {
    civil_date(text, text).map_err(|why| LiteralError::BadDate(text.to_owned(), why))
}

/// `2026-03-02T14:30:00+05:30`: the instant and the offset it was written with.
pub(crate) fn time(text: &str) -> Result<(jiff::Timestamp, jiff::tz::Offset), LiteralError> {
    let bad = |why: &str| LiteralError::BadTime(text.to_owned(), why.to_owned());
    let split = text
        .find(['T', 't'])
        .ok_or_else(|| bad("the date and time are joined by `T`"))?;
    let (day, rest) = text.split_at(split);
    civil_date(text, day).map_err(|why| bad(&why))?;
    let rest = rest.get(1..).unwrap_or("");
    let (clock, offset) = if let Some(clock) = rest.strip_suffix(['Z', 'z']) {
        (clock, jiff::tz::Offset::UTC)
    } else if let Some(at) = rest.rfind(['+', '-']) {
        let (clock, offset_text) = rest.split_at(at);
        let sign: i32 = if offset_text.starts_with('-') { -1 } else { 1 };
        let digits = offset_text.get(1..).unwrap_or("");
        let (Some((h, m)), true) = (digits.split_once(':'), digits.len() == 5) else {
            return Err(bad("an offset is written `+05:30` or `-04:00`"));
        };
        let (Ok(h), Ok(m)) = (h.parse::<i32>(), m.parse::<i32>()) else {
            return Err(bad("an offset is written `+05:30` or `-04:00`"));
        };
        if h > 23 || m > 59 {
            return Err(bad("the offset is out of range"));
        }
        let offset = jiff::tz::Offset::from_seconds(sign * (h * 3600 + m * 60))
            .map_err(|_| bad("the offset is out of range"))?;
        (clock, offset)
    } else {
        return Err(bad(
            "it has no offset; add `Z` for UTC or an offset like `+05:30`",
        ));
    };
    let mut fields = clock.split(':');
    let hour = fields.next().and_then(|h| h.parse::<u8>().ok());
    let minute = fields.next().and_then(|m| m.parse::<u8>().ok());
    let second = fields
        .next()
        .map(|s| s.split('.').next().and_then(|s| s.parse::<u8>().ok()));
    match (hour, minute, second) {
        (Some(h), Some(m), s)
            if h < 24 && m < 60 && s.is_none_or(|s| s.is_some_and(|s| s < 60)) => {}
        (Some(h), ..) if h >= 24 => return Err(bad(&format!("there is no hour {h}"))),
        _ => return Err(bad("write the time of day as `HH:MM:SS`")),
    }
    // The clock was checked above: what is left is an instant past the range of times.
    let instant = jiff::Timestamp::from_str(text)
        .map_err(|_| bad("times run from 0000-01-01T00:00:00Z to 9999-12-30T22:00:00Z"))?;
    Ok((instant, offset))
}

/// `09:00` in a calendar; `24:00` ends a day.
pub(crate) fn clock(text: &str) -> Result<ClockTime, LiteralError> {
    let bad = || LiteralError::BadClock(text.to_owned());
    let (h, m) = text.split_once(':').ok_or_else(bad)?;
    if m.len() != 2 {
        return Err(bad());
    }
    let (Ok(h), Ok(m)) = (h.parse::<u16>(), m.parse::<u16>()) else {
        return Err(bad());
    };
    ClockTime::new(h, m).ok_or_else(bad)
}

/// `"text"` with escapes `\" \\ \n \t \u{…}` resolved.
pub(crate) fn text(quoted: &str) -> Result<String, LiteralError> {
    let inner = quoted
        .strip_prefix('"')
        .and_then(|s| s.strip_suffix('"'))
        .unwrap_or(quoted);
    let mut out = String::with_capacity(inner.len());
    let mut chars = inner.char_indices().peekable();
    while let Some((at, ch)) = chars.next() {
        if ch != '\\' {
            out.push(ch);
            continue;
        }
        // Offsets below are relative to the quoted literal: add 1 for the opening quote.
        let start = at + 1;
        let bad = |end: usize| {
            let end = end.max(start + 1).min(quoted.len());
            LiteralError::BadEscape(
                quoted.get(start..end).unwrap_or("\\").to_owned(),
                start,
                end,
            )
        };
        match chars.next() {
            Some((_, '"')) => out.push('"'),
            Some((_, '\\')) => out.push('\\'),
            Some((_, 'n')) => out.push('\n'),
            Some((_, 't')) => out.push('\t'),
            Some((u_at, 'u')) => {
                if chars.next_if(|(_, c)| *c == '{').is_none() {
                    return Err(bad(u_at + 2));
                }
                let mut hex = String::new();
                let mut end = u_at + 2;
                let mut closed = false;
                while let Some((i, c)) = chars.next_if(|(_, c)| c.is_ascii_hexdigit() || *c == '}')
                {
                    end = i + 2;
                    if c == '}' {
                        closed = true;
                        break;
                    }
                    hex.push(c);
                }
                let value = (closed && (1..=6).contains(&hex.len()))
                    .then(|| u32::from_str_radix(&hex, 16).ok())
                    .flatten()
                    .and_then(char::from_u32);
                match value {
                    Some(c) => out.push(c),
                    None => return Err(bad(end)),
                }
            }
            Some((other_at, other)) => return Err(bad(other_at + 1 + other.len_utf8())),
            None => return Err(bad(start + 1)),
        }
    }
    if out.len() > MAX_TEXT_BYTES {
        return Err(LiteralError::TextTooLong(out.len()));
    }
    Ok(out)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn numbers_are_exact_and_bounded() {
        assert_eq!(number("1_000").unwrap(), Decimal::from(1000));
        assert_eq!(number("3.75").unwrap(), Decimal::new(375, 2));
        assert_eq!(
            number("0000000000000000000000000000001").unwrap(),
            Decimal::ONE
        );
        assert!(number("1234567890123456789012345678").is_ok());
        assert!(matches!(
            number("12345678901234567890123456789"),
            Err(LiteralError::TooManyDigits(_))
        ));
        assert!(matches!(
            number("0.12345678901234567890123456789"),
            Err(LiteralError::TooManyDigits(_))
        ));
        for bad in ["1__0", "1_", "1_.5"] {
            assert!(
                matches!(number(bad), Err(LiteralError::BadNumber(_))),
                "{bad}"
            );
        }
        assert_eq!(percent("12.5%").unwrap(), Decimal::new(125, 1));
    }

    #[test]
    fn money_needs_an_iso_code() {
        let m = money("49.99 EUR").unwrap();
        assert_eq!(m.to_string(), "49.99 EUR");
        let (err, at) = money("5 usd").unwrap_err();
        assert_eq!(at, Some((2, 5)));
        assert_eq!(err.help(), "currency codes are written in capitals: `USD`");
        assert!(matches!(
            money("5 ABC").unwrap_err().0,
            LiteralError::UnknownCurrency(_)
        ));
    }

    #[test]
    fn durations_explain_their_rules() {
        assert_eq!(duration("1h30m").unwrap().whole_secs(), 5400);
        assert!(
            duration("1.5h")
                .unwrap_err()
                .help()
                .contains("whole numbers")
        );
        assert!(duration("500USD").unwrap_err().help().contains("`500 USD`"));
        assert!(matches!(
            duration("30m1h"),
            Err(LiteralError::BadDuration(_))
        ));
    }

    #[test]
    fn dates_and_times_are_real() {
        assert_eq!(date("2026-01-26").unwrap(), jiff::civil::date(2026, 1, 26));
        assert_eq!(
            date("2026-02-30").unwrap_err().to_string(),
            "`2026-02-30` is not a date: February 2026 has 28 days"
        );
        assert!(
            date("2026-13-01")
                .unwrap_err()
                .to_string()
                .contains("no month 13")
        );
        let (t, off) = time("2026-03-02T14:30:00+05:30").unwrap();
        assert_eq!(t.to_string(), "2026-03-02T09:00:00Z");
        assert_eq!(off.seconds(), 5 * 3600 + 1800);
        assert_eq!(
            time("2026-03-02T09:00:00Z").unwrap().1,
            jiff::tz::Offset::UTC
        );
        assert!(
            time("2026-03-02T09:00:00")
                .unwrap_err()
                .to_string()
                .contains("no offset")
        );
        assert!(
            time("2026-03-02T25:00:00Z")
                .unwrap_err()
                .to_string()
                .contains("no hour 25")
        );
        assert!(time("2026-02-30T09:00:00Z").is_err());
    }

    #[test]
    fn clock_times() {
        assert_eq!(clock("09:30").unwrap().minutes, 570);
        assert_eq!(clock("24:00").unwrap().minutes, 1440);
        for bad in ["25:00", "12:60", "24:01", "9:5"] {
            assert!(clock(bad).is_err(), "{bad}");
        }
    }

    #[test]
    fn text_escapes() {
        assert_eq!(text(r#""a\"b\\c\nd\te""#).unwrap(), "a\"b\\c\nd\te");
        assert_eq!(text(r#""\u{1F600}""#).unwrap(), "😀");
        assert_eq!(text(r#""নীতি""#).unwrap(), "নীতি");
        let err = text(r#""ab\qc""#).unwrap_err();
        assert_eq!(err.to_string(), "unknown escape `\\q` in text");
        assert_eq!(err.sub_span(), Some((3, 5)));
        let err = text(r#""\u{D800}""#).unwrap_err();
        assert_eq!(
            err.to_string(),
            "invalid Unicode escape `\\u{D800}` in text"
        );
        assert!(err.help().contains("surrogate"), "{}", err.help());
        assert!(text(r#""\u{110000}""#).is_err());
        assert!(text(r#""\u12""#).is_err());
    }
}
