//! Money: an exact decimal amount in one ISO 4217 currency.
//!
//! Arithmetic happens only within one currency. The zero of an empty `sum` has no currency
//! yet and takes the currency of the money it meets (SPEC §6).

use std::fmt;
use std::str::FromStr;

use rust_decimal::Decimal;

/// An ISO 4217 currency, checked against the standard's list when built.
#[derive(Clone, Copy, Debug, PartialEq, Eq, PartialOrd, Ord, Hash)]
pub struct Currency(iso_currency::Currency);

impl Currency {
    /// The currency with this three-letter code (`"USD"`), if ISO 4217 lists it.
    pub fn from_code(code: &str) -> Option<Currency> {
        iso_currency::Currency::from_code(code).map(Currency)
    }

    /// The three-letter code.
    pub fn code(self) -> &'static str {
        self.0.code()
    }

    /// Digits after the decimal point in the currency's minor unit (2 for USD, 0 for JPY).
    pub fn minor_units(self) -> u32 {
        self.0.exponent().map_or(0, u32::from)
    }
}

impl fmt::Display for Currency {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.code())
    }
}

/// An amount of money. `currency` is `None` only for the zero of an empty sum.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash)]
pub struct Money {
    /// The exact amount.
    pub amount: Decimal,
    /// The currency; `None` for a currency-less zero.
    pub currency: Option<Currency>,
}

/// Why money arithmetic or parsing failed.
#[derive(Clone, Debug, PartialEq, Eq, thiserror::Error)]
pub enum MoneyError {
    /// Two amounts in different currencies met.
    #[error("currency mismatch: `{0}` and `{1}`")]
    CurrencyMismatch(Currency, Currency),
    /// The result does not fit an exact decimal of 28 digits.
    #[error("money overflow")]
    Overflow,
    /// The text is not `<decimal> <CODE>`.
    #[error("`{0}` is not money like `12.50 USD`")]
    Syntax(String),
    /// The code is not in ISO 4217.
    #[error("`{0}` is not an ISO 4217 currency code")]
    UnknownCurrency(String),
}

impl Money {
    /// Money in a known currency.
    pub fn new(amount: Decimal, currency: Currency) -> Money {
        Money {
            amount,
            currency: Some(currency),
        }
    }

    /// The currency-less zero of an empty sum.
    pub const fn zero_any() -> Money {
        Money {
            amount: Decimal::ZERO,
            currency: None,
        }
    }

    /// The currency both operands share, resolving a currency-less zero.
    pub fn common_currency(self, other: Money) -> Result<Option<Currency>, MoneyError> {
        match (self.currency, other.currency) {
            (Some(a), Some(b)) if a != b => Err(MoneyError::CurrencyMismatch(a, b)),
            (a, b) => Ok(a.or(b)),
        }
    }

    /// Checked sum within one currency.
    pub fn checked_add(self, other: Money) -> Result<Money, MoneyError> {
        let currency = self.common_currency(other)?;
        let amount = self
            .amount
            .checked_add(other.amount)
            .ok_or(MoneyError::Overflow)?;
        Ok(Money { amount, currency })
    }

    /// Checked difference within one currency.
    pub fn checked_sub(self, other: Money) -> Result<Money, MoneyError> {
        let currency = self.common_currency(other)?;
        let amount = self
            .amount
            .checked_sub(other.amount)
            .ok_or(MoneyError::Overflow)?;
        Ok(Money { amount, currency })
    }

    /// Compares two amounts of one currency.
    pub fn checked_cmp(self, other: Money) -> Result<std::cmp::Ordering, MoneyError> {
        self.common_currency(other)?;
        Ok(self.amount.cmp(&other.amount))
    }

    /// Parses `"12.50 USD"` (one or more spaces between amount and code).
    pub fn parse(text: &str) -> Result<Money, MoneyError> {
        let syntax = || MoneyError::Syntax(text.to_owned());
        let mut parts = text.split_whitespace();
        let (Some(amount), Some(code), None) = (parts.next(), parts.next(), parts.next()) else {
            return Err(syntax());
        };
        let amount = parse_decimal(amount).ok_or_else(syntax)?;
        let currency = Currency::from_code(code)
            .ok_or_else(|| MoneyError::UnknownCurrency(code.to_owned()))?;
        Ok(Money::new(amount, currency))
    }
}

/// Parses an exact decimal (`42`, `-3.75`, `1_000`), refusing exponents and floats.
pub fn parse_decimal(text: &str) -> Option<Decimal> {
    let cleaned: String;
    let text = if text.contains('_') {
        if text.starts_with('_') || text.ends_with('_') || text.contains("__") {
            return None;
        }
        cleaned = text.replace('_', "");
        &cleaned
    } else {
        text
    };
    let digits = text.strip_prefix(['-', '+']).unwrap_or(text);
    let valid = !digits.is_empty()
        && !digits.starts_with('.')
        && !digits.ends_with('.')
        && digits.chars().all(|c| c.is_ascii_digit() || c == '.')
        && digits.matches('.').count() <= 1;
    if !valid {
        return None;
    }
    Decimal::from_str(text).ok()
}

/// Prints a decimal amount the way money is shown: whole amounts without decimals
/// (`7000`), fractional ones with at least the currency's minor units (`12.50`), and
/// no trailing zeros beyond them.
pub fn format_amount(amount: Decimal, currency: Option<Currency>) -> String {
    let normalized = amount.normalize();
    let scale = normalized.scale();
    let minor = currency.map_or(0, Currency::minor_units);
    if scale == 0 || scale >= minor {
        normalized.to_string()
    } else {
        let mut padded = normalized;
        padded.rescale(minor);
        padded.to_string()
    }
}

impl fmt::Display for Money {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        let amount = format_amount(self.amount, self.currency);
        match self.currency {
            Some(currency) => write!(f, "{amount} {currency}"),
            None => f.write_str(&amount),
        }
    }
}

impl serde::Serialize for Money {
    fn serialize<S: serde::Serializer>(&self, serializer: S) -> Result<S::Ok, S::Error> {
        serializer.collect_str(self)
    }
}

impl<'de> serde::Deserialize<'de> for Money {
    /// Reads `"12.50 USD"`; a bare decimal is the currency-less zero's form and only `"0"`
    /// is accepted that way.
    fn deserialize<D: serde::Deserializer<'de>>(deserializer: D) -> Result<Self, D::Error> {
        let text = <std::borrow::Cow<'de, str>>::deserialize(deserializer)?;
        if parse_decimal(text.trim()).is_some_and(|d| d.is_zero()) {
            return Ok(Money::zero_any());
        }
        Money::parse(&text).map_err(serde::de::Error::custom)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn usd(text: &str) -> Money {
        Money::parse(&format!("{text} USD")).unwrap()
    }

    #[test]
    fn exact_cents() {
        let sum = usd("0.10").checked_add(usd("0.20")).unwrap();
        assert_eq!(sum, usd("0.30"));
        assert_eq!(sum.to_string(), "0.30 USD");
    }

    #[test]
    fn printing() {
        assert_eq!(Money::parse("7000 INR").unwrap().to_string(), "7000 INR");
        assert_eq!(Money::parse("7000.00 INR").unwrap().to_string(), "7000 INR");
        assert_eq!(Money::parse("12.5 USD").unwrap().to_string(), "12.50 USD");
        assert_eq!(
            Money::parse("12.345 USD").unwrap().to_string(),
            "12.345 USD"
        );
        assert_eq!(Money::parse("500 JPY").unwrap().to_string(), "500 JPY");
        assert_eq!(Money::zero_any().to_string(), "0");
    }

    #[test]
    fn currencies_do_not_mix() {
        let eur = Money::parse("1 EUR").unwrap();
        assert!(matches!(
            usd("1").checked_add(eur),
            Err(MoneyError::CurrencyMismatch(_, _))
        ));
        assert_eq!(Money::zero_any().checked_add(eur).unwrap(), eur);
    }

    #[test]
    fn parse_errors() {
        assert!(matches!(
            Money::parse("12 XYZ"),
            Err(MoneyError::UnknownCurrency(_))
        ));
        for bad in ["12", "USD", "1e3 USD", "12.5.1 USD", "1 2 USD", ". USD"] {
            assert!(Money::parse(bad).is_err(), "{bad:?} accepted");
        }
        assert_eq!(parse_decimal("1_000"), Some(Decimal::from(1000)));
        assert_eq!(parse_decimal("_1"), None);
    }
}
