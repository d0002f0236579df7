//! A compact printer of expressions, for traces and for naming what is missing.
//!
//! It prints what the author wrote in a normal form (fully parenthesised where precedence
//! would otherwise be unclear); the canonical formatter of whole files lives in `fmt`.

use crate::ast::{Aggregate, BinaryOp, Expr, ExprKind, Literal, UnaryOp};

/// The text of an expression.
pub(crate) fn expr(e: &Expr) -> String {
    let mut out = String::new();
    write(e, &mut out);
    out
}

/// Binding strength, loosest first (SPEC §6).
fn precedence(e: &Expr) -> u8 {
    match &e.kind {
        ExprKind::Binary(BinaryOp::Or, ..) => 1,
        ExprKind::Binary(BinaryOp::And, ..) => 2,
        ExprKind::Unary(UnaryOp::Not, _) => 3,
        ExprKind::Binary(BinaryOp::Compare(_), ..)
        | ExprKind::Test(..)
        | ExprKind::IsMissing(..)
        | ExprKind::During(..) => 4,
        ExprKind::Binary(BinaryOp::Add | BinaryOp::Sub, ..) => 5,
        ExprKind::Binary(BinaryOp::Mul | BinaryOp::Div, ..) => 6,
        ExprKind::Unary(UnaryOp::Neg, _) => 7,
        ExprKind::PercentOf(..) => 8,
        _ => 9,
    }
}

/// Prints `e` where at least binding strength `min` is needed, in parentheses if weaker.
fn operand(e: &Expr, min: u8, out: &mut String) {
    if precedence(e) >= min {
        write(e, out);
    } else {
        out.push('(');
        write(e, out);
        out.push(')');
    }
}

fn write(e: &Expr, out: &mut String) {
    match &e.kind {
        ExprKind::Literal(lit) => literal(lit, out),
        ExprKind::List(items) => {
            out.push('[');
            list(items, out);
            out.push(']');
        }
        ExprKind::Path(path) => {
            for (i, segment) in path.segments.iter().enumerate() {
                if i > 0 {
                    out.push('.');
                }
                let plain = segment
                    .name
                    .chars()
                    .all(|c| c == '_' || c.is_alphanumeric());
                if plain {
                    out.push_str(&segment.name);
                } else {
                    out.push('`');
                    out.push_str(&segment.name);
                    out.push('`');
                }
            }
        }
        ExprKind::Now => out.push_str("now"),
        ExprKind::Unary(UnaryOp::Neg, x) => {
            out.push('-');
            operand(x, 8, out);
        }
        ExprKind::Unary(UnaryOp::Not, x) => {
            out.push_str("not ");
            operand(x, 3, out);
        }
        ExprKind::Binary(op, l, r) => {
            let p = precedence(e);
            // Arithmetic and logic group to the left; comparisons do not chain.
            let (left, right) = if p == 4 { (5, 5) } else { (p, p + 1) };
            operand(l, left, out);
            out.push(' ');
            out.push_str(op.symbol());
            out.push(' ');
            operand(r, right, out);
        }
        ExprKind::PercentOf(p, x) => {
            out.push_str(&format!("{}% of ", p.normalize()));
            operand(x, 9, out);
        }
        ExprKind::Test(op, l, r) => {
            operand(l, 5, out);
            out.push(' ');
            out.push_str(op.symbol());
            out.push(' ');
            operand(r, 5, out);
        }
        ExprKind::IsMissing(x, missing) => {
            operand(x, 5, out);
            out.push_str(if *missing {
                " is missing"
            } else {
                " is present"
            });
        }
        ExprKind::During(x, cal) => {
            operand(x, 5, out);
            out.push_str(" during ");
            out.push_str(&cal.name);
        }
        ExprKind::Call(name, args) => {
            out.push_str(&name.name);
            out.push('(');
            list(args, out);
            out.push(')');
        }
        ExprKind::Comprehension(c) => {
            out.push_str(aggregate(c.agg));
            out.push('(');
            write(&c.body, out);
            out.push_str(" for ");
            out.push_str(&c.var.name);
            out.push_str(" in ");
            write(&c.list, out);
            if let Some(filter) = &c.filter {
                out.push_str(" where ");
                write(filter, out);
            }
            out.push(')');
        }
    }
}

fn aggregate(a: Aggregate) -> &'static str {
    a.name()
}

fn list(items: &[Expr], out: &mut String) {
    for (i, item) in items.iter().enumerate() {
        if i > 0 {
            out.push_str(", ");
        }
        write(item, out);
    }
}

fn literal(lit: &Literal, out: &mut String) {
    match lit {
        Literal::Number(n) => out.push_str(&n.normalize().to_string()),
        Literal::Percent(p) => out.push_str(&format!("{}%", p.normalize())),
        Literal::Money(m) => out.push_str(&m.to_string()),
        Literal::Duration(d) => out.push_str(&d.to_string()),
        Literal::Date(d) => out.push_str(&d.to_string()),
        Literal::Time(t, _) => out.push_str(&t.to_string()),
        Literal::Text(t) => out.push_str(&format!("{t:?}")),
        Literal::Bool(b) => out.push_str(if *b { "true" } else { "false" }),
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::ast::{CompareOp, Ident, Path, Span};

    fn path(name: &str) -> Expr {
        Expr {
            kind: ExprKind::Path(Path {
                segments: name
                    .split('.')
                    .map(|s| Ident {
                        name: s.to_owned(),
                        span: Span::default(),
                    })
                    .collect(),
                span: Span::default(),
            }),
            span: Span::default(),
        }
    }

    #[test]
    fn prints_comparisons_with_backticks_where_needed() {
        let e = Expr {
            kind: ExprKind::Binary(
                BinaryOp::Compare(CompareOp::Le),
                Box::new(path("csat")),
                Box::new(Expr {
                    kind: ExprKind::Literal(Literal::Number(2.into())),
                    span: Span::default(),
                }),
            ),
            span: Span::default(),
        };
        assert_eq!(expr(&e), "csat <= 2");
        assert_eq!(expr(&path("first reply.at")), "`first reply`.at");
    }
}
