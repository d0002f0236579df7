//! The static types the checker infers for expressions.

use std::fmt;
use std::rc::Rc;

use crate::ast::{TypeExpr, TypeKind};
use crate::value::Currency;

/// The type of an expression as far as the checker knows it.
///
/// `Unknown` is the type of a field without a schema, and of anything after an error: every
/// check accepts it, so one mistake is reported once and does not cascade.
#[derive(Clone, Debug, PartialEq, Eq)]
pub(crate) enum Ty {
    /// Not known (no schema, or an error already reported).
    Unknown,
    /// An exact number (percent literals are numbers: `50%` is `0.5`).
    Number,
    /// Money, with its currency when known.
    Money(Option<Currency>),
    /// A length of time.
    Duration,
    /// A civil date.
    Date,
    /// An instant.
    Time,
    /// Any text.
    Text,
    /// A text from a declared enumeration.
    Enum(Rc<[String]>),
    /// `true` or `false`.
    Bool,
    /// A list of one element type.
    List(Box<Ty>),
    /// An object with declared fields (list elements).
    Object(Rc<[(String, Ty)]>),
}

impl Ty {
    /// The type a schema declaration gives.
    pub(crate) fn from_schema(ty: &TypeExpr) -> Ty {
        match &ty.kind {
            TypeKind::Text => Ty::Text,
            TypeKind::Number => Ty::Number,
            TypeKind::Bool => Ty::Bool,
            TypeKind::Money => Ty::Money(None),
            TypeKind::Duration => Ty::Duration,
            TypeKind::Date => Ty::Date,
            TypeKind::Time => Ty::Time,
            TypeKind::Enum(values) => Ty::Enum(values.iter().map(|t| t.value.clone()).collect()),
            TypeKind::List(inner) => Ty::List(Box::new(Ty::from_schema(inner))),
            TypeKind::Object(fields) => Ty::Object(
                fields
                    .iter()
                    .map(|f| (f.path.dotted(), Ty::from_schema(&f.ty)))
                    .collect(),
            ),
        }
    }

    /// Whether nothing is known.
    pub(crate) fn is_unknown(&self) -> bool {
        matches!(self, Ty::Unknown)
    }

    /// Whether `< <= > >=` are defined on it (unknown included).
    pub(crate) fn is_ordered(&self) -> bool {
        matches!(
            self,
            Ty::Unknown | Ty::Number | Ty::Money(_) | Ty::Duration | Ty::Time | Ty::Date
        )
    }

    /// Whether it is text (an enumeration included) or unknown.
    pub(crate) fn is_textual(&self) -> bool {
        matches!(self, Ty::Unknown | Ty::Text | Ty::Enum(_))
    }

    /// Whether it is bool or unknown.
    pub(crate) fn is_boolish(&self) -> bool {
        matches!(self, Ty::Unknown | Ty::Bool)
    }

    /// The element type of a list; `None` when it is known not to be a list.
    pub(crate) fn element(&self) -> Option<Ty> {
        match self {
            Ty::Unknown => Some(Ty::Unknown),
            Ty::List(inner) => Some((**inner).clone()),
            _ => None,
        }
    }

    /// Whether values of the two types may be compared for equality or mixed in a list:
    /// the same kind, ignoring currencies and enumeration members.
    pub(crate) fn compatible(&self, other: &Ty) -> bool {
        match (self, other) {
            (Ty::Unknown, _) | (_, Ty::Unknown) => true,
            (Ty::Text | Ty::Enum(_), Ty::Text | Ty::Enum(_)) => true,
            (Ty::Money(_), Ty::Money(_)) => true,
            (Ty::List(a), Ty::List(b)) => a.compatible(b),
            (Ty::Object(_), Ty::Object(_)) => true,
            (a, b) => a == b,
        }
    }

    /// The currency of a money type, if known.
    pub(crate) fn currency(&self) -> Option<Currency> {
        match self {
            Ty::Money(c) => *c,
            _ => None,
        }
    }

    /// The more precise of two compatible types (a known currency wins; text widens an
    /// enumeration, since a list may mix both).
    pub(crate) fn join(&self, other: &Ty) -> Ty {
        match (self, other) {
            (Ty::Unknown, t) | (t, Ty::Unknown) => t.clone(),
            (Ty::Money(a), Ty::Money(b)) => Ty::Money(a.or(*b)),
            (Ty::Enum(_), Ty::Text) | (Ty::Text, Ty::Enum(_)) => Ty::Text,
            (Ty::List(a), Ty::List(b)) => Ty::List(Box::new(a.join(b))),
            (a, _) => a.clone(),
        }
    }
}

impl fmt::Display for Ty {
    /// The type's name; the alternate form (`{:#}`) puts an article before it, so messages
    /// read "a number", "an object" and "money" (money takes none).
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        if f.alternate() {
            match self {
                Ty::Money(_) => {}
                Ty::Unknown | Ty::Object(_) => f.write_str("an ")?,
                _ => f.write_str("a ")?,
            }
        }
        match self {
            Ty::Unknown => f.write_str("unknown"),
            Ty::Number => f.write_str("number"),
            Ty::Money(Some(c)) => write!(f, "money ({})", c.code()),
            Ty::Money(None) => f.write_str("money"),
            Ty::Duration => f.write_str("duration"),
            Ty::Date => f.write_str("date"),
            Ty::Time => f.write_str("time"),
            Ty::Text | Ty::Enum(_) => f.write_str("text"),
            Ty::Bool => f.write_str("bool"),
            Ty::List(inner) => write!(f, "list<{inner}>"),
            Ty::Object(_) => f.write_str("object"),
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn enumerations_are_text_and_currencies_join() {
        let e = Ty::Enum(Rc::from(vec!["a".to_owned()]));
        assert!(e.compatible(&Ty::Text));
        assert!(!Ty::Number.compatible(&Ty::Text));
        let usd = Currency::from_code("USD");
        assert_eq!(Ty::Money(None).join(&Ty::Money(usd)), Ty::Money(usd));
        assert_eq!(
            Ty::List(Box::new(Ty::Duration)).to_string(),
            "list<duration>"
        );
        assert!(!Ty::Text.is_ordered());
        assert_eq!(format!("{:#}", Ty::Number), "a number");
        assert_eq!(format!("{:#}", Ty::Money(usd)), "money (USD)");
        assert_eq!(
            format!("{:#}", Ty::Object(Rc::from(Vec::new()))),
            "an object"
        );
    }
}
