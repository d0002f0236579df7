//! Constant folding: the value of an expression that reads no record field.
//!
//! The lints need it (`when 1 > 2`, a `const` guard, a duration in days behind a `const`).
//! Folding is partial on purpose: whatever it cannot decide (a field, `now`, a function, an
//! overflow) is `None`, and the lints then say nothing.

use std::cmp::Ordering;

use rust_decimal::Decimal;

use crate::ast::{BinaryOp, CompareOp, Expr, ExprKind, Literal, TestOp, UnaryOp};
use crate::value::{Duration, Money};

/// A value known before any record is seen.
#[derive(Clone, Debug, PartialEq, Eq)]
pub(crate) enum Val {
    /// A number (percents already divided by 100).
    Num(Decimal),
    /// Money.
    Money(Money),
    /// A duration.
    Dur(Duration),
    /// A civil date.
    Date(jiff::civil::Date),
    /// An instant.
    Time(jiff::Timestamp),
    /// A text.
    Text(String),
    /// A bool.
    Bool(bool),
    /// A list.
    List(Vec<Val>),
}

impl Val {
    /// The value of a literal.
    pub(crate) fn of_literal(lit: &Literal) -> Option<Val> {
        Some(match lit {
            Literal::Number(n) => Val::Num(*n),
            Literal::Percent(p) => Val::Num(p.checked_div(Decimal::ONE_HUNDRED)?),
            Literal::Money(m) => Val::Money(*m),
            Literal::Duration(d) => Val::Dur(*d),
            Literal::Date(d) => Val::Date(*d),
            Literal::Time(t, _) => Val::Time(crate::value::whole_second(*t)),
            Literal::Text(t) => Val::Text(t.clone()),
            Literal::Bool(b) => Val::Bool(*b),
        })
    }

    /// The order of two values of one kind; `None` across kinds or currencies.
    pub(crate) fn compare(&self, other: &Val) -> Option<Ordering> {
        match (self, other) {
            (Val::Num(a), Val::Num(b)) => Some(a.cmp(b)),
            (Val::Money(a), Val::Money(b)) => a.checked_cmp(*b).ok(),
            (Val::Dur(a), Val::Dur(b)) => Some(a.cmp(b)),
            (Val::Date(a), Val::Date(b)) => Some(a.cmp(b)),
            (Val::Time(a), Val::Time(b)) => Some(a.cmp(b)),
            (Val::Text(a), Val::Text(b)) => (a == b).then_some(Ordering::Equal).or(Some(a.cmp(b))),
            (Val::Bool(a), Val::Bool(b)) => Some(a.cmp(b)),
            _ => None,
        }
    }

    /// Whether two values are equal (same kind; equal money amounts of one currency).
    pub(crate) fn same(&self, other: &Val) -> Option<bool> {
        match (self, other) {
            (Val::List(a), Val::List(b)) => Some(a == b),
            _ => self.compare(other).map(|o| o == Ordering::Equal),
        }
    }
}

/// Applies a comparison to an order.
pub(crate) fn holds(op: CompareOp, order: Ordering) -> bool {
    match op {
        CompareOp::Eq => order == Ordering::Equal,
        CompareOp::Ne => order != Ordering::Equal,
        CompareOp::Lt => order == Ordering::Less,
        CompareOp::Le => order != Ordering::Greater,
        CompareOp::Gt => order == Ordering::Greater,
        CompareOp::Ge => order != Ordering::Less,
    }
}

/// How deep folding goes, counting nested expressions and the consts they name together.
pub(crate) const MAX_FOLD_DEPTH: usize = 300;

/// Folds expressions, asking `consts` for the value of a bare name.
pub(crate) struct Folder<'a> {
    /// The value of a constant by name, if it folds, given the depth reached so far.
    pub(crate) consts: &'a dyn Fn(&str, usize) -> Option<Val>,
    /// The depth at which this folder starts (a const's folder continues its user's count).
    pub(crate) depth: usize,
}

impl Folder<'_> {
    /// The value of `expr`, if it is known without a record.
    pub(crate) fn fold(&self, expr: &Expr) -> Option<Val> {
        self.fold_at(expr, self.depth)
    }

    fn fold_at(&self, expr: &Expr, depth: usize) -> Option<Val> {
        // INVARIANT: expressions and the consts they name are followed at most
        // MAX_FOLD_DEPTH deep in total, so a long chain of consts cannot exhaust the stack.
        if depth > MAX_FOLD_DEPTH {
            return None;
        }
        let sub = |e: &Expr| self.fold_at(e, depth + 1);
        match &expr.kind {
            ExprKind::Literal(lit) => Val::of_literal(lit),
            ExprKind::List(items) => items
                .iter()
                .map(sub)
                .collect::<Option<Vec<_>>>()
                .map(Val::List),
            ExprKind::Path(path) => match path.segments.as_slice() {
                [only] => (self.consts)(&only.name, depth + 1),
                _ => None,
            },
            ExprKind::Unary(UnaryOp::Not, inner) => match sub(inner)? {
                Val::Bool(b) => Some(Val::Bool(!b)),
                _ => None,
            },
            ExprKind::Unary(UnaryOp::Neg, inner) => match sub(inner)? {
                Val::Num(n) => Some(Val::Num(-n)),
                Val::Dur(d) => d.checked_neg().map(Val::Dur),
                Val::Money(m) => Some(Val::Money(Money {
                    amount: -m.amount,
                    currency: m.currency,
                })),
                _ => None,
            },
            ExprKind::Binary(BinaryOp::And, a, b) => match (sub(a), sub(b)) {
                // `false and x` is false even when `x` is missing.
                (Some(Val::Bool(false)), _) | (_, Some(Val::Bool(false))) => Some(Val::Bool(false)),
                (Some(Val::Bool(true)), Some(Val::Bool(true))) => Some(Val::Bool(true)),
                _ => None,
            },
            ExprKind::Binary(BinaryOp::Or, a, b) => match (sub(a), sub(b)) {
                (Some(Val::Bool(true)), _) | (_, Some(Val::Bool(true))) => Some(Val::Bool(true)),
                (Some(Val::Bool(false)), Some(Val::Bool(false))) => Some(Val::Bool(false)),
                _ => None,
            },
            ExprKind::Binary(BinaryOp::Compare(op), a, b) => {
                let (a, b) = (sub(a)?, sub(b)?);
                match op {
                    CompareOp::Eq => a.same(&b).map(Val::Bool),
                    CompareOp::Ne => a.same(&b).map(|s| Val::Bool(!s)),
                    _ => a.compare(&b).map(|o| Val::Bool(holds(*op, o))),
                }
            }
            ExprKind::Binary(op, a, b) => arith(*op, sub(a)?, sub(b)?),
            ExprKind::PercentOf(p, x) => {
                let factor = p.checked_div(Decimal::ONE_HUNDRED)?;
                arith(BinaryOp::Mul, sub(x)?, Val::Num(factor))
            }
            ExprKind::Test(op @ (TestOp::In | TestOp::NotIn), x, list) => {
                let (x, list) = (sub(x)?, sub(list)?);
                let Val::List(items) = list else { return None };
                let mut found = false;
                for item in &items {
                    found |= x.same(item)?;
                }
                Some(Val::Bool(found == (*op == TestOp::In)))
            }
            _ => None,
        }
    }
}

/// Arithmetic on two known values (SPEC §6), `None` when undefined or overflowing.
fn arith(op: BinaryOp, a: Val, b: Val) -> Option<Val> {
    use Val::{Dur, Money as M, Num};
    match (op, a, b) {
        (BinaryOp::Add, Num(x), Num(y)) => x.checked_add(y).map(Num),
        (BinaryOp::Sub, Num(x), Num(y)) => x.checked_sub(y).map(Num),
        (BinaryOp::Mul, Num(x), Num(y)) => x.checked_mul(y).map(Num),
        (BinaryOp::Div, Num(x), Num(y)) => x.checked_div(y).map(Num),
        (BinaryOp::Add, M(x), M(y)) => x.checked_add(y).ok().map(M),
        (BinaryOp::Sub, M(x), M(y)) => x.checked_sub(y).ok().map(M),
        (BinaryOp::Mul, M(x), Num(y)) | (BinaryOp::Mul, Num(y), M(x)) => {
            x.amount.checked_mul(y).map(|amount| {
                M(Money {
                    amount,
                    currency: x.currency,
                })
            })
        }
        (BinaryOp::Div, M(x), Num(y)) => x.amount.checked_div(y).map(|amount| {
            M(Money {
                amount,
                currency: x.currency,
            })
        }),
        (BinaryOp::Add, Dur(x), Dur(y)) => x.checked_add(y).map(Dur),
        (BinaryOp::Sub, Dur(x), Dur(y)) => x.checked_sub(y).map(Dur),
        (BinaryOp::Mul, Dur(x), Num(y)) | (BinaryOp::Mul, Num(y), Dur(x)) => {
            x.checked_mul_decimal(y).map(Dur)
        }
        (BinaryOp::Div, Dur(x), Num(y)) => x.checked_div_decimal(y).map(Dur),
        (BinaryOp::Div, Dur(x), Dur(y)) => x.ratio(y).map(Num),
        _ => None,
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::ast::Span;

    fn lit(l: Literal) -> Expr {
        Expr {
            kind: ExprKind::Literal(l),
            span: Span::default(),
        }
    }

    fn bin(op: BinaryOp, a: Expr, b: Expr) -> Expr {
        Expr {
            kind: ExprKind::Binary(op, Box::new(a), Box::new(b)),
            span: Span::default(),
        }
    }

    #[test]
    fn folds_comparisons_and_logic() {
        let none = |_: &str, _: usize| None;
        let folder = Folder {
            consts: &none,
            depth: 0,
        };
        let n = |v: i64| lit(Literal::Number(Decimal::from(v)));
        let e = bin(BinaryOp::Compare(CompareOp::Gt), n(1), n(2));
        assert_eq!(folder.fold(&e), Some(Val::Bool(false)));
        let sum = bin(BinaryOp::Add, n(1), n(2));
        assert_eq!(folder.fold(&sum), Some(Val::Num(Decimal::from(3))));
        let field = Expr {
            kind: ExprKind::Now,
            span: Span::default(),
        };
        let and = bin(BinaryOp::And, lit(Literal::Bool(false)), field.clone());
        assert_eq!(folder.fold(&and), Some(Val::Bool(false)));
        let or = bin(BinaryOp::Or, lit(Literal::Bool(false)), field);
        assert_eq!(folder.fold(&or), None);
    }
}
