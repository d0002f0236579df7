//! Type inference over expressions, actions, deadlines, limits and tables.

use std::rc::Rc;

use crate::ast::{
    Action, ActionKind, Aggregate, BinaryOp, CellKind, CompareOp, Comprehension, Deadline, Expr,
    ExprKind, Ident, Limit, Literal, Path, Span, TableDef, TestOp, UnaryOp,
};
use crate::diagnostic::{Code, Diagnostic};

use super::fold::Val;
use super::types::Ty;
use super::{BUILTINS, Checker, Progress, suggest};

/// Most nesting a walk follows, counting expressions and the consts and table outputs they
/// lead into; the parser's own limit on one expression is lower.
const MAX_DEPTH: usize = 300;

/// The regex size limit for `matches` patterns: large enough for any sensible pattern,
/// small enough that loading a policy stays fast.
const REGEX_SIZE_LIMIT: usize = 1 << 20;

fn weekdays() -> Ty {
    Ty::Enum(
        ["mon", "tue", "wed", "thu", "fri", "sat", "sun"]
            .iter()
            .map(|d| (*d).to_owned())
            .collect(),
    )
}

fn plural(n: usize) -> &'static str {
    if n == 1 { "" } else { "s" }
}

/// The field path an expression reads directly, for messages.
fn path_name(expr: &Expr) -> Option<String> {
    match &expr.kind {
        ExprKind::Path(p) => Some(p.dotted()),
        _ => None,
    }
}

impl<'a> Checker<'a> {
    /// The type of `expr`, reporting what is wrong inside it.
    pub(super) fn expr(&mut self, expr: &'a Expr) -> Ty {
        if self.depth > MAX_DEPTH {
            return Ty::Unknown;
        }
        self.depth += 1;
        let ty = self.expr_inner(expr);
        self.depth -= 1;
        ty
    }

    fn expr_inner(&mut self, expr: &'a Expr) -> Ty {
        match &expr.kind {
            ExprKind::Literal(lit) => literal_ty(lit),
            ExprKind::List(items) => self.list(items),
            ExprKind::Path(path) => self.path(path),
            ExprKind::Now => Ty::Time,
            ExprKind::Unary(op, inner) => {
                let ty = self.expr(inner);
                match op {
                    UnaryOp::Neg => {
                        if matches!(ty, Ty::Unknown | Ty::Number | Ty::Money(_) | Ty::Duration) {
                            ty
                        } else {
                            self.mismatch(
                                inner.span,
                                format!("cannot negate {ty:#}"),
                                &ty,
                                "`-` applies to numbers, money and durations",
                            );
                            Ty::Unknown
                        }
                    }
                    UnaryOp::Not => {
                        if !ty.is_boolish() {
                            self.mismatch(
                                inner.span,
                                format!("`not` needs a bool, not {ty:#}"),
                                &ty,
                                "compare the value first, e.g. `not (x == 0)`",
                            );
                        }
                        Ty::Bool
                    }
                }
            }
            ExprKind::Binary(op, a, b) => self.binary(*op, a, b, expr.span),
            ExprKind::PercentOf(percent, x) => {
                let ty = self.expr(x);
                if matches!(ty, Ty::Unknown | Ty::Number | Ty::Money(_) | Ty::Duration) {
                    ty
                } else {
                    self.report(
                        Diagnostic::new(
                            Code::E0204,
                            x.span,
                            format!(
                                "`{percent}% of` needs a number, money or a duration, not {ty:#}"
                            ),
                        )
                        .with_primary_label(format!("this is {ty:#}"))
                        .with_help("take a percent of an amount, e.g. `50% of order.total`"),
                    );
                    Ty::Unknown
                }
            }
            ExprKind::Test(op, a, b) => self.test(*op, a, b),
            ExprKind::IsMissing(inner, _) => {
                self.expr(inner);
                Ty::Bool
            }
            ExprKind::During(inner, calendar) => {
                let ty = self.expr(inner);
                if !matches!(ty, Ty::Unknown | Ty::Time) {
                    self.mismatch(
                        inner.span,
                        format!("`during` needs a time, not {ty:#}"),
                        &ty,
                        "use an instant such as `opened_at` or `now`",
                    );
                }
                self.use_calendar(calendar);
                Ty::Bool
            }
            ExprKind::Call(name, args) => self.call(name, args, expr.span),
            ExprKind::Comprehension(c) => self.comprehension(c),
        }
    }

    /// Reports an `E0201` with a label naming the type found.
    fn mismatch(&mut self, span: Span, message: String, found: &Ty, help: &str) {
        self.report(
            Diagnostic::new(Code::E0201, span, message)
                .with_primary_label(format!("this is {found:#}"))
                .with_help(help.to_owned()),
        );
    }

    fn list(&mut self, items: &'a [Expr]) -> Ty {
        let mut element = Ty::Unknown;
        let mut first: Option<(Span, Ty)> = None;
        for item in items {
            let ty = self.expr(item);
            if ty.is_unknown() {
                continue;
            }
            match &first {
                None => {
                    first = Some((item.span, ty.clone()));
                    element = ty;
                }
                Some((first_span, first_ty)) => {
                    if !first_ty.compatible(&ty) {
                        let (first_span, first_ty) = (*first_span, first_ty.clone());
                        self.report(
                            Diagnostic::new(
                                Code::E0201,
                                item.span,
                                format!("a list holds one type of element, but this is {ty:#} after {first_ty:#}"),
                            )
                            .with_primary_label(format!("this is {ty:#}"))
                            .with_label(first_span, format!("this is {first_ty:#}"))
                            .with_help("make every element the same type"),
                        );
                    } else {
                        let first_span = *first_span;
                        self.currencies(&element, &ty, first_span, item.span);
                        element = element.join(&ty);
                    }
                }
            }
        }
        Ty::List(Box::new(element))
    }

    /// `E0202` when two known currencies differ. `left` and `right` are the operands.
    fn currencies(&mut self, a: &Ty, b: &Ty, left: Span, right: Span) {
        let (Some(x), Some(y)) = (a.currency(), b.currency()) else {
            return;
        };
        if x == y {
            return;
        }
        self.report(
            Diagnostic::new(
                Code::E0202,
                right,
                format!("currency mismatch: `{}` and `{}`", x.code(), y.code()),
            )
            .with_primary_label(format!("this is in {}", y.code()))
            .with_label(left, format!("this is in {}", x.code()))
            .with_help(format!(
                "amounts in different currencies cannot be mixed; write both in `{}` or both in `{}`",
                x.code(),
                y.code()
            )),
        );
    }

    // ----- paths -----

    fn path(&mut self, path: &Path) -> Ty {
        let Some(first) = path.segments.first() else {
            return Ty::Unknown;
        };
        let rest = path.segments.get(1..).unwrap_or(&[]);
        if let Some((_, ty)) = self.scopes.iter().rev().find(|(v, _)| *v == first.name) {
            let ty = ty.clone();
            return self.descend(ty, &first.name, rest);
        }
        if rest.is_empty() && self.consts.contains_key(first.name.as_str()) {
            return self.const_ty(&first.name, first.span, true);
        }
        if let Some(inside) = self.in_const {
            let dotted = path.dotted();
            let declared = self.field_index.contains_key(&dotted);
            if declared {
                // Reported here as a read in the wrong place; `W0006` would only repeat it.
                self.mark_read(&dotted);
            }
            let candidates: Vec<&str> = self
                .consts
                .keys()
                .copied()
                .filter(|c| *c != inside.name)
                .collect();
            let nearest = suggest::nearest(&dotted, candidates);
            let diagnostic = if declared || (path.segments.len() > 1 && nearest.is_none()) {
                Diagnostic::new(
                    Code::E0102,
                    path.span,
                    format!(
                        "the constant `{}` reads the record field `{dotted}`",
                        inside.name
                    ),
                )
                .with_primary_label("record fields cannot be read in a `const`")
                .with_label(inside.span, "a `const` is computed once, before any record")
                .with_help("move the expression into the rule that needs it")
            } else {
                let help = match nearest {
                    Some(best) => format!("did you mean the constant `{best}`?"),
                    None => "a `const` can use literals and other constants only".to_owned(),
                };
                Diagnostic::new(
                    Code::E0102,
                    path.span,
                    format!(
                        "unknown constant `{dotted}` in the constant `{}`",
                        inside.name
                    ),
                )
                .with_primary_label("no constant has this name; record fields cannot be read here")
                .with_help(help)
            };
            self.report(diagnostic);
            return Ty::Unknown;
        }
        self.field(path)
    }

    /// The type of a record field path, marking the declared fields it reads.
    fn field(&mut self, path: &Path) -> Ty {
        let Some(fields) = &mut self.schema else {
            return Ty::Unknown;
        };
        let segments = &path.segments;
        // The longest declared prefix, then into object members. The prefixes are cut from
        // the whole dotted path by the segments' lengths (a backticked segment may hold a
        // `.`), so a path costs one string however long it is.
        let mut joined = String::new();
        for (i, segment) in segments.iter().enumerate() {
            if i > 0 {
                joined.push('.');
            }
            joined.push_str(&segment.name);
        }
        let mut end = joined.len();
        for (count, segment) in segments.iter().enumerate().rev() {
            let prefix = joined.get(..end).unwrap_or("");
            end = end.saturating_sub(segment.name.len() + usize::from(count > 0));
            if let Some(&index) = self.field_index.get(prefix) {
                let Some((_, field)) = fields.get_mut(index) else {
                    return Ty::Unknown;
                };
                field.read = true;
                let ty = field.ty.clone();
                let rest = segments.get(count + 1..).unwrap_or(&[]);
                return self.descend(ty, prefix, rest);
            }
        }
        let dotted = path.dotted();
        let parent = format!("{dotted}.");
        let mut is_parent = false;
        for (name, field) in fields.iter_mut() {
            if name.starts_with(&parent) {
                field.read = true;
                is_parent = true;
            }
        }
        if is_parent {
            return Ty::Unknown;
        }
        let candidates: Vec<&str> = fields.iter().map(|(n, _)| n.as_str()).collect();
        let nearest = suggest::nearest(&dotted, candidates).map(str::to_owned);
        let help = match &nearest {
            Some(best) => {
                // The author most likely meant this field: count it as read, so the typo
                // gives one diagnostic and not also a `W0006`.
                self.mark_read(best);
                format!("did you mean `{best}`?")
            }
            None => format!("declare it in `record {{ … }}`, e.g. `{dotted}: text?`"),
        };
        self.report(
            Diagnostic::new(Code::E0103, path.span, format!("unknown field `{dotted}`"))
                .with_primary_label("not declared in the record schema")
                .with_help(help),
        );
        Ty::Unknown
    }

    /// Counts a declared field as read.
    fn mark_read(&mut self, name: &str) {
        let index = self.field_index.get(name).copied();
        if let (Some(index), Some(fields)) = (index, self.schema.as_mut())
            && let Some((_, field)) = fields.get_mut(index)
        {
            field.read = true;
        }
    }

    /// Follows `rest` into the members of an object type.
    fn descend(&mut self, mut ty: Ty, base: &str, rest: &[Ident]) -> Ty {
        if rest.is_empty() {
            return ty;
        }
        let mut reached = base.to_owned();
        for segment in rest {
            match ty {
                Ty::Unknown => return Ty::Unknown,
                Ty::Object(members) => {
                    if let Some((_, member)) = members.iter().find(|(n, _)| *n == segment.name) {
                        ty = member.clone();
                    } else {
                        let help = match suggest::nearest(
                            &segment.name,
                            members.iter().map(|(n, _)| n.as_str()),
                        ) {
                            Some(best) => format!("did you mean `{best}`?"),
                            None => {
                                let names: Vec<String> =
                                    members.iter().map(|(n, _)| format!("`{n}`")).collect();
                                format!("its fields are {}", names.join(", "))
                            }
                        };
                        self.report(
                            Diagnostic::new(
                                Code::E0103,
                                segment.span,
                                format!("unknown field `{}` of `{reached}`", segment.name),
                            )
                            .with_primary_label("not a declared member")
                            .with_help(help),
                        );
                        return Ty::Unknown;
                    }
                }
                other => {
                    self.report(
                        Diagnostic::new(
                            Code::E0103,
                            segment.span,
                            format!("unknown field `{}` of `{reached}`", segment.name),
                        )
                        .with_primary_label(format!("`{reached}` is {other:#}, it has no fields"))
                        .with_help(if matches!(other, Ty::List(_)) {
                            format!("read the elements with a comprehension, e.g. `sum(x.{} for x in {reached})`", segment.name)
                        } else {
                            "remove the last part of the path".to_owned()
                        }),
                    );
                    return Ty::Unknown;
                }
            }
            reached.push('.');
            reached.push_str(&segment.name);
        }
        ty
    }

    // ----- operators -----

    fn binary(&mut self, op: BinaryOp, a: &'a Expr, b: &'a Expr, span: Span) -> Ty {
        let ta = self.expr(a);
        let tb = self.expr(b);
        match op {
            BinaryOp::And | BinaryOp::Or => {
                for (side, ty) in [(a, &ta), (b, &tb)] {
                    if !ty.is_boolish() {
                        let ty = ty.clone();
                        self.mismatch(
                            side.span,
                            format!("`{}` needs bools on both sides, not {ty:#}", op.symbol()),
                            &ty,
                            "compare the value first, e.g. `x > 0`",
                        );
                    }
                }
                Ty::Bool
            }
            BinaryOp::Compare(cmp) => {
                self.compare(cmp, a, &ta, b, &tb, span);
                Ty::Bool
            }
            _ => self.arith(op, a, &ta, b, &tb),
        }
    }

    fn compare(&mut self, op: CompareOp, a: &'a Expr, ta: &Ty, b: &'a Expr, tb: &Ty, span: Span) {
        if !ta.compatible(tb) {
            self.report(
                Diagnostic::new(
                    Code::E0201,
                    span,
                    format!("cannot compare {ta:#} with {tb:#}"),
                )
                .with_primary_label(format!("`{}` between different types", op.symbol()))
                .with_label(a.span, format!("this is {ta:#}"))
                .with_label(b.span, format!("this is {tb:#}"))
                .with_help("compare values of one type, e.g. money with money"),
            );
            return;
        }
        let ordering = !matches!(op, CompareOp::Eq | CompareOp::Ne);
        if ordering {
            for (side, ty) in [(a, ta), (b, tb)] {
                if !ty.is_ordered() {
                    self.report(
                        Diagnostic::new(
                            Code::E0201,
                            side.span,
                            format!("`{}` cannot order {ty:#}", op.symbol()),
                        )
                        .with_primary_label(format!("this is {ty:#}"))
                        .with_help("ordering is defined on numbers, money, durations, times and dates; texts have only `==` and `!=`"),
                    );
                    return;
                }
            }
        }
        self.currencies(ta, tb, a.span, b.span);
        self.enum_pair(a, ta, b, tb);
    }

    /// When one side is an enumeration and the other a text that folds, the text must be a
    /// member.
    fn enum_pair(&mut self, a: &Expr, ta: &Ty, b: &Expr, tb: &Ty) {
        if let Ty::Enum(members) = ta {
            self.enum_member(members, path_name(a), b);
        }
        if let Ty::Enum(members) = tb {
            self.enum_member(members, path_name(b), a);
        }
    }

    /// `E0203` when `value` folds to a text outside `members`.
    pub(super) fn enum_member(
        &mut self,
        members: &Rc<[String]>,
        origin: Option<String>,
        value: &Expr,
    ) {
        let Some(Val::Text(text)) = self.fold(value) else {
            return;
        };
        if members.contains(&text) {
            return;
        }
        let whose = origin.map_or_else(|| "the enumeration".to_owned(), |o| format!("`{o}`"));
        let help = match suggest::nearest(&text, members.iter().map(String::as_str)) {
            Some(best) => format!("did you mean \"{best}\"?"),
            None => {
                let all: Vec<String> = members.iter().map(|m| format!("\"{m}\"")).collect();
                format!("the values of {whose} are {}", all.join(", "))
            }
        };
        self.report(
            Diagnostic::new(
                Code::E0203,
                value.span,
                format!("\"{text}\" is not a value of {whose}"),
            )
            .with_primary_label("not in the enumeration")
            .with_help(help),
        );
    }

    fn arith(&mut self, op: BinaryOp, a: &Expr, ta: &Ty, b: &Expr, tb: &Ty) -> Ty {
        use Ty::{Date, Duration as D, Money as M, Number as N, Time as T, Unknown as U};
        let result = match (op, ta, tb) {
            (_, U, _) | (_, _, U) => Some(U),
            (BinaryOp::Add | BinaryOp::Sub | BinaryOp::Mul | BinaryOp::Div, N, N) => Some(N),
            (BinaryOp::Add | BinaryOp::Sub, M(_), M(_)) => {
                self.currencies(ta, tb, a.span, b.span);
                Some(ta.join(tb))
            }
            (BinaryOp::Add | BinaryOp::Sub, D, D) => Some(D),
            (BinaryOp::Add | BinaryOp::Sub, T, D) => Some(T),
            (BinaryOp::Add, D, T) => Some(T),
            (BinaryOp::Sub, T, T) => Some(D),
            (BinaryOp::Add | BinaryOp::Sub, Date, D) => Some(Date),
            (BinaryOp::Mul, M(_), N) | (BinaryOp::Div, M(_), N) => Some(ta.clone()),
            (BinaryOp::Mul, N, M(_)) => Some(tb.clone()),
            (BinaryOp::Mul, D, N) | (BinaryOp::Mul, N, D) | (BinaryOp::Div, D, N) => Some(D),
            (BinaryOp::Div, M(_), M(_)) => {
                self.currencies(ta, tb, a.span, b.span);
                Some(N)
            }
            (BinaryOp::Div, D, D) => Some(N),
            _ => None,
        };
        result.unwrap_or_else(|| {
            self.report(
                Diagnostic::new(
                    Code::E0201,
                    b.span,
                    format!("cannot apply `{}` to {ta:#} and {tb:#}", op.symbol()),
                )
                .with_primary_label(format!("this is {tb:#}"))
                .with_label(a.span, format!("this is {ta:#}"))
                .with_help("see the arithmetic table: e.g. time + duration, money × number, duration ÷ duration"),
            );
            Ty::Unknown
        })
    }

    fn test(&mut self, op: TestOp, a: &'a Expr, b: &'a Expr) -> Ty {
        let ta = self.expr(a);
        if op == TestOp::Matches {
            if !ta.is_textual() {
                self.mismatch(
                    a.span,
                    format!("`matches` needs a text, not {ta:#}"),
                    &ta,
                    "match a text field such as `message`",
                );
            }
            self.pattern(b);
            return Ty::Bool;
        }
        let tb = self.expr(b);
        match op {
            TestOp::In | TestOp::NotIn => {
                let Some(element) = tb.element() else {
                    self.mismatch(
                        b.span,
                        format!("`{}` needs a list on its right, not {tb:#}", op.symbol()),
                        &tb,
                        "write a list such as `[\"a\", \"b\"]`",
                    );
                    return Ty::Bool;
                };
                self.member_of(op.symbol(), a, &ta, b, &element);
            }
            TestOp::Contains => match &tb {
                _ if matches!(ta, Ty::Text | Ty::Enum(_)) => {
                    if !tb.is_textual() {
                        self.mismatch(
                            b.span,
                            format!("a text can only contain a text, not {tb:#}"),
                            &tb,
                            "search for a text, e.g. `message contains \"refund\"`",
                        );
                    }
                }
                _ => match ta.element() {
                    Some(element) => {
                        if !element.compatible(&tb) {
                            self.mismatch(
                                b.span,
                                format!("a list of {element} cannot contain {tb:#}"),
                                &tb,
                                "look for a value of the list's element type",
                            );
                        } else if let Ty::Enum(members) = &element {
                            self.enum_member(members, path_name(a), b);
                        }
                    }
                    None => {
                        self.mismatch(
                            a.span,
                            format!("`contains` needs a text or a list, not {ta:#}"),
                            &ta,
                            "use `contains` on a text or a list",
                        );
                    }
                },
            },
            TestOp::Matches => {}
        }
        Ty::Bool
    }

    /// `x in LIST`: the element types agree, and enumeration members are known.
    fn member_of(&mut self, word: &str, a: &Expr, ta: &Ty, b: &'a Expr, element: &Ty) {
        if !ta.compatible(element) {
            self.report(
                Diagnostic::new(
                    Code::E0201,
                    a.span,
                    format!("`{word}` looks for {ta:#} in a list of {element}"),
                )
                .with_primary_label(format!("this is {ta:#}"))
                .with_label(b.span, format!("a list of {element}"))
                .with_help("make the value and the list elements the same type"),
            );
            return;
        }
        if let (Ty::Enum(members), Some(items)) = (ta, self.literal_list(b)) {
            for item in items {
                self.enum_member(members, path_name(a), item);
            }
        }
        if let Ty::Enum(members) = element {
            self.enum_member(members, path_name(b), a);
        }
    }

    /// The written elements of a list literal, directly or behind a const, so a text outside
    /// an enumeration is reported where it is written.
    fn literal_list(&self, list: &'a Expr) -> Option<&'a [Expr]> {
        match &list.kind {
            ExprKind::List(items) => Some(items),
            ExprKind::Path(path) => match path.segments.as_slice() {
                [only] if !self.scopes.iter().any(|(v, _)| *v == only.name) => {
                    match &self.consts.get(only.name.as_str())?.def.value.kind {
                        ExprKind::List(items) => Some(items),
                        _ => None,
                    }
                }
                _ => None,
            },
            _ => None,
        }
    }

    /// The pattern of `matches`: a literal that compiles.
    fn pattern(&mut self, pattern: &'a Expr) {
        let ExprKind::Literal(Literal::Text(text)) = &pattern.kind else {
            let ty = self.expr_peek(pattern);
            self.report(
                Diagnostic::new(
                    Code::E0201,
                    pattern.span,
                    "the pattern of `matches` must be a text literal",
                )
                .with_primary_label(format!("this is {ty:#} expression, not a literal"))
                .with_help(
                    "write the regular expression in quotes so it compiles when the policy loads",
                ),
            );
            return;
        };
        // Policies repeat patterns; each distinct one is compiled once.
        let problem = match self.patterns.get(text.as_str()) {
            Some(problem) => problem.clone(),
            None => {
                let problem = pattern_problem(text);
                self.patterns.insert(text.clone(), problem.clone());
                problem
            }
        };
        if let Some(detail) = problem {
            self.report(
                Diagnostic::new(Code::E0305, pattern.span, "invalid regular expression")
                    .with_primary_label(detail)
                    .with_help(
                        "patterns use the Rust `regex` syntax; escape special characters with `\\`",
                    ),
            );
        }
    }

    /// The type of an expression already walked, without reporting again.
    fn expr_peek(&mut self, expr: &'a Expr) -> Ty {
        let before = (self.diags.len(), self.error_count);
        let ty = self.expr(expr);
        self.diags.truncate(before.0);
        self.error_count = before.1;
        ty
    }

    // ----- calls -----

    fn arity(&mut self, name: &Ident, args: &[Expr], span: Span, expected: usize) -> bool {
        if args.len() == expected {
            return true;
        }
        self.report(
            Diagnostic::new(
                Code::E0307,
                span,
                format!(
                    "`{}` takes {expected} argument{} but {} {} given",
                    name.name,
                    plural(expected),
                    args.len(),
                    if args.len() == 1 { "was" } else { "were" }
                ),
            )
            .with_primary_label(format!("{} argument{}", args.len(), plural(args.len())))
            .with_help(format!("pass {expected} argument{}", plural(expected))),
        );
        false
    }

    fn call(&mut self, name: &'a Ident, args: &'a [Expr], span: Span) -> Ty {
        let fname = name.name.as_str();
        match fname {
            "spans" => {
                for arg in args {
                    self.expr(arg);
                }
                self.report(
                    Diagnostic::new(
                        Code::E0201,
                        span,
                        "`spans` turns a status history into intervals and is written with `for`",
                    )
                    .with_primary_label("no `for … in …` here")
                    .with_help(
                        "write `spans(s.at for s in status_log where s.status == \"pending\")` after `excluding`",
                    ),
                );
                Ty::Unknown
            }
            "business_time" => {
                self.arity(name, args, span, 3);
                for (i, arg) in args.iter().enumerate() {
                    if i == 2 {
                        match &arg.kind {
                            ExprKind::Path(p) if p.segments.len() == 1 => {
                                if let Some(cal) = p.segments.first() {
                                    self.use_calendar(cal);
                                }
                            }
                            _ => {
                                self.report(
                                    Diagnostic::new(Code::E0201, arg.span, "the third argument of `business_time` must be a calendar name")
                                        .with_primary_label("not a calendar name")
                                        .with_help("name a calendar declared with `calendar NAME { … }`"),
                                );
                            }
                        }
                    } else {
                        self.expect_ty(arg, "business_time", &Ty::Time);
                    }
                }
                Ty::Duration
            }
            "len" | "lower" | "upper" | "abs" | "date" | "weekday" | "hour" | "count" | "sum"
            | "any" | "all" => {
                let tys: Vec<Ty> = args.iter().map(|a| self.expr(a)).collect();
                if !self.arity(name, args, span, 1) {
                    return Ty::Unknown;
                }
                let (Some(arg), Some(ty)) = (args.first(), tys.first()) else {
                    return Ty::Unknown;
                };
                self.unary_builtin(fname, arg, ty)
            }
            "min" | "max" => {
                let tys: Vec<Ty> = args.iter().map(|a| self.expr(a)).collect();
                match (args, tys.as_slice()) {
                    ([], _) => {
                        self.report(
                            Diagnostic::new(
                                Code::E0307,
                                span,
                                format!("`{fname}` needs a list or at least two values"),
                            )
                            .with_primary_label("no arguments")
                            .with_help(format!("write `{fname}(a, b)` or `{fname}(LIST)`")),
                        );
                        Ty::Unknown
                    }
                    ([arg], [ty]) => match ty.element() {
                        Some(element) if element.is_ordered() => element,
                        Some(element) => {
                            self.mismatch(
                                arg.span,
                                format!("`{fname}` cannot order a list of {element}"),
                                ty,
                                "use a list of numbers, money, durations, times or dates",
                            );
                            Ty::Unknown
                        }
                        None => {
                            self.mismatch(
                                arg.span,
                                format!("`{fname}` of one value needs a list, not {ty:#}"),
                                ty,
                                &format!("pass a list, or two or more values: `{fname}(a, b)`"),
                            );
                            Ty::Unknown
                        }
                    },
                    _ => {
                        let mut joined = Ty::Unknown;
                        let mut first: Option<Span> = None;
                        for (arg, ty) in args.iter().zip(&tys) {
                            if !ty.is_ordered() {
                                self.mismatch(
                                    arg.span,
                                    format!("`{fname}` cannot order {ty:#}"),
                                    ty,
                                    "use numbers, money, durations, times or dates",
                                );
                                return Ty::Unknown;
                            }
                            if !joined.compatible(ty) {
                                self.mismatch(
                                    arg.span,
                                    format!("`{fname}` mixes {joined:#} and {ty:#}"),
                                    ty,
                                    "give every argument the same type",
                                );
                                return Ty::Unknown;
                            }
                            if let Some(first) = first {
                                self.currencies(&joined, ty, first, arg.span);
                            }
                            if !ty.is_unknown() && first.is_none() {
                                first = Some(arg.span);
                            }
                            joined = joined.join(ty);
                        }
                        joined
                    }
                }
            }
            _ => self.table_call(name, args, span),
        }
    }

    fn unary_builtin(&mut self, fname: &str, arg: &Expr, ty: &Ty) -> Ty {
        let wrong = |this: &mut Self, what: &str| {
            this.mismatch(
                arg.span,
                format!("`{fname}` needs {what}, not {ty:#}"),
                ty,
                &format!("pass {what} to `{fname}`"),
            );
            Ty::Unknown
        };
        match fname {
            "len" => {
                if ty.is_textual() || ty.element().is_some() {
                    Ty::Number
                } else {
                    wrong(self, "a text or a list")
                }
            }
            "lower" | "upper" => {
                if ty.is_textual() {
                    Ty::Text
                } else {
                    wrong(self, "a text")
                }
            }
            "abs" => {
                if matches!(ty, Ty::Unknown | Ty::Number | Ty::Money(_) | Ty::Duration) {
                    ty.clone()
                } else {
                    wrong(self, "a number, money or a duration")
                }
            }
            "date" | "weekday" | "hour" => {
                if !matches!(ty, Ty::Unknown | Ty::Time) {
                    return wrong(self, "a time");
                }
                match fname {
                    "date" => Ty::Date,
                    "weekday" => weekdays(),
                    _ => Ty::Number,
                }
            }
            "count" => {
                if ty.element().is_some() {
                    Ty::Number
                } else {
                    wrong(self, "a list")
                }
            }
            "sum" => match ty.element() {
                Some(e) if matches!(e, Ty::Unknown | Ty::Number | Ty::Money(_) | Ty::Duration) => e,
                Some(_) => wrong(self, "a list of numbers, money or durations"),
                None => wrong(self, "a list"),
            },
            _ => match ty.element() {
                Some(e) if e.is_boolish() => Ty::Bool,
                _ => wrong(self, "a list of bools"),
            },
        }
    }

    /// Reports `E0201` unless `expr` has the type `want` (or is unknown).
    fn expect_ty(&mut self, expr: &'a Expr, what: &str, want: &Ty) -> Ty {
        let ty = self.expr(expr);
        if !ty.is_unknown() && !want.compatible(&ty) {
            self.mismatch(
                expr.span,
                format!("`{what}` needs {want:#}, not {ty:#}"),
                &ty,
                &example(want),
            );
        }
        ty
    }

    fn table_call(&mut self, name: &'a Ident, args: &'a [Expr], span: Span) -> Ty {
        let tys: Vec<Ty> = args.iter().map(|a| self.expr(a)).collect();
        let Some(info) = self.tables.get_mut(name.name.as_str()) else {
            let mut candidates: Vec<&str> = BUILTINS.to_vec();
            candidates.extend(self.tables.keys().copied());
            let help = match suggest::nearest(&name.name, candidates) {
                Some(best) => format!("did you mean `{best}`?"),
                None => "the functions are len, lower, upper, abs, min, max, date, weekday, hour, business_time, count and sum; or declare a `table`".to_owned(),
            };
            self.report(
                Diagnostic::new(
                    Code::E0102,
                    name.span,
                    format!("unknown function or table `{}`", name.name),
                )
                .with_primary_label("no function or table has this name")
                .with_help(help),
            );
            return Ty::Unknown;
        };
        info.used = true;
        let def = info.def;
        if args.len() != def.params.len() {
            let n = def.params.len();
            self.report(
                Diagnostic::new(
                    Code::E0307,
                    span,
                    format!(
                        "the table `{}` takes {n} argument{} but {} {} given",
                        name.name,
                        plural(n),
                        args.len(),
                        if args.len() == 1 { "was" } else { "were" }
                    ),
                )
                .with_primary_label(format!("{} argument{}", args.len(), plural(args.len())))
                .with_label(
                    def.name.span,
                    format!("declared with {n} parameter{} here", plural(n)),
                )
                .with_help(format!(
                    "pass one argument per parameter ({})",
                    def.params
                        .iter()
                        .map(|p| format!("`{}`", p.name))
                        .collect::<Vec<_>>()
                        .join(", ")
                )),
            );
        } else {
            for ((arg, ty), index) in args.iter().zip(&tys).zip(0..) {
                let Some(info) = self.tables.get_mut(name.name.as_str()) else {
                    break;
                };
                let Some(slot) = info.args.get_mut(index) else {
                    break;
                };
                if slot.0.compatible(ty) {
                    if slot.1.is_none() && matches!(ty, Ty::Enum(_)) {
                        slot.1 = path_name(arg);
                    }
                    // An enumeration stays an enumeration: the cells are checked against it.
                    slot.0 = match (&slot.0, ty) {
                        (Ty::Enum(_), Ty::Text) => slot.0.clone(),
                        (Ty::Text, Ty::Enum(_)) => ty.clone(),
                        _ => slot.0.join(ty),
                    };
                } else {
                    let earlier = slot.0.clone();
                    let param = def.params.get(index).map_or("", |p| p.name.as_str());
                    self.mismatch(arg.span, format!("the table parameter `{param}` gets {ty:#} here but {earlier:#} elsewhere"), ty,
                        "pass values of one type to each table parameter");
                }
            }
        }
        self.table_output(&name.name)
    }

    /// The type of a table's output, typing its rows on first use.
    pub(super) fn table_output(&mut self, name: &str) -> Ty {
        let Some(info) = self.tables.get_mut(name) else {
            return Ty::Unknown;
        };
        let def = info.def;
        match &info.output {
            Progress::Done(ty) => return ty.clone(),
            Progress::Busy => return Ty::Unknown,
            Progress::Todo => info.output = Progress::Busy,
        }
        // A row's output may read the table's parameters (`_ => 10% of amount`), as the
        // evaluator allows; their types come from each call, so they are unknown here.
        let params = def
            .params
            .iter()
            .map(|p| (p.name.clone(), Ty::Unknown))
            .collect();
        let saved_scopes = std::mem::replace(&mut self.scopes, params);
        let saved_const = self.in_const.take();
        let mut output = Ty::Unknown;
        let mut first: Option<Span> = None;
        for row in &def.rows {
            let ty = self.expr(&row.output);
            if ty.is_unknown() {
                continue;
            }
            if !output.compatible(&ty) {
                let earlier = first.unwrap_or(row.output.span);
                self.report(
                    Diagnostic::new(
                        Code::E0201,
                        row.output.span,
                        format!(
                            "the rows of the table `{name}` give different types: {output} and {ty}"
                        ),
                    )
                    .with_primary_label(format!("this is {ty:#}"))
                    .with_label(earlier, format!("this is {output:#}"))
                    .with_help("give every row an output of the same type"),
                );
                continue;
            }
            if let Some(first) = first {
                self.currencies(&output, &ty, first, row.output.span);
            } else {
                first = Some(row.output.span);
            }
            output = output.join(&ty);
        }
        self.in_const = saved_const;
        self.scopes = saved_scopes;
        if let Some(info) = self.tables.get_mut(name) {
            info.output = Progress::Done(output.clone());
        }
        output
    }

    /// Cells against parameter types, row arity, and the table lints.
    pub(super) fn table_cells(&mut self, def: &'a TableDef) {
        let Some(info) = self.tables.get(def.name.name.as_str()) else {
            return;
        };
        if !std::ptr::eq(info.def, def) {
            return; // a duplicate, already reported
        }
        let params = info.args.clone();
        // Without a typed call site, a column takes the type of its first cell, so the
        // cells of one column at least agree with each other.
        let mut columns: Vec<Ty> = params.iter().map(|(ty, _)| ty.clone()).collect();
        for (index, column) in columns.iter_mut().enumerate() {
            if !column.is_unknown() {
                continue;
            }
            let first = def
                .rows
                .iter()
                .find_map(|row| match &row.cells.get(index)?.kind {
                    CellKind::Any => None,
                    CellKind::Equals(e) | CellKind::Compare(_, e) => Some(e),
                    CellKind::OneOf(items) => items.first(),
                });
            if let Some(first) = first {
                *column = self.expr_peek(first);
            }
        }
        for row in &def.rows {
            if row.cells.len() != def.params.len() {
                let (n, m) = (def.params.len(), row.cells.len());
                self.report(
                    Diagnostic::new(
                        Code::E0307,
                        row.span,
                        format!(
                            "this row has {m} cell{} but the table `{}` has {n} parameter{}",
                            plural(m),
                            def.name.name,
                            plural(n)
                        ),
                    )
                    .with_primary_label(format!("{m} cell{}", plural(m)))
                    .with_label(
                        def.name.span,
                        format!("declared with {n} parameter{} here", plural(n)),
                    )
                    .with_help("give the row one cell per parameter; `_` matches anything"),
                );
            }
            for (index, cell) in row.cells.iter().enumerate() {
                let (Some((_, origin)), Some(column)) = (params.get(index), columns.get(index))
                else {
                    break;
                };
                let origin = origin
                    .clone()
                    .or_else(|| def.params.get(index).map(|p| p.name.clone()));
                let column = column.clone();
                self.cell(&cell.kind, &column, origin);
            }
        }
        self.table_lints(def, &params);
    }

    fn cell(&mut self, kind: &'a CellKind, param: &Ty, origin: Option<String>) {
        let values: Vec<&'a Expr> = match kind {
            CellKind::Any => return,
            CellKind::Equals(e) => vec![e],
            CellKind::OneOf(items) => items.iter().collect(),
            CellKind::Compare(op, e) => {
                let ty = self.expr(e);
                if !ty.is_ordered() && !matches!(op, CompareOp::Eq | CompareOp::Ne) {
                    self.mismatch(
                        e.span,
                        format!("a `{}` cell cannot order {ty:#}", op.symbol()),
                        &ty,
                        "ordering is defined on numbers, money, durations, times and dates",
                    );
                    return;
                }
                if !param.compatible(&ty) {
                    self.mismatch(
                        e.span,
                        format!("this cell compares {param:#} with {ty:#}"),
                        &ty,
                        "write a cell of the parameter's type",
                    );
                    return;
                }
                self.currencies(param, &ty, e.span, e.span);
                return;
            }
        };
        for value in values {
            let ty = self.expr(value);
            if !param.compatible(&ty) {
                self.mismatch(
                    value.span,
                    format!("this cell compares {param:#} with {ty:#}"),
                    &ty,
                    "write a cell of the parameter's type",
                );
                continue;
            }
            if let Ty::Enum(members) = param {
                self.enum_member(members, origin.clone(), value);
            }
        }
    }

    fn comprehension(&mut self, c: &'a Comprehension) -> Ty {
        if c.agg == Aggregate::Spans {
            // `spans(…)` is read only as the intervals of `excluding` (see `deadline`).
            self.report(
                Diagnostic::new(
                    Code::E0201,
                    c.agg_span,
                    "`spans(…)` gives the paused intervals of `excluding` and can stand only there",
                )
                .with_primary_label("not after `excluding`")
                .with_help(
                    "write it after `excluding` in an `expect` clause, e.g. `excluding spans(s.at for s in status_log where s.status == \"pending\")`",
                ),
            );
            self.spans(c);
            return Ty::Unknown;
        }
        let list = self.expr(&c.list);
        let element = match list.element() {
            Some(e) => e,
            None => {
                self.mismatch(
                    c.list.span,
                    format!(
                        "`{}(… for {} in …)` needs a list, not {list:#}",
                        c.agg.name(),
                        c.var.name
                    ),
                    &list,
                    "iterate over a list field",
                );
                Ty::Unknown
            }
        };
        self.scopes.push((c.var.name.clone(), element));
        let body = self.expr(&c.body);
        if let Some(filter) = &c.filter {
            let ty = self.expr(filter);
            if !ty.is_boolish() {
                self.mismatch(
                    filter.span,
                    format!("`where` needs a bool, not {ty:#}"),
                    &ty,
                    "filter with a comparison, e.g. `where r.amount > 0`",
                );
            }
        }
        self.scopes.pop();
        match c.agg {
            Aggregate::Count => Ty::Number,
            Aggregate::Sum => {
                if matches!(body, Ty::Unknown | Ty::Number | Ty::Money(_) | Ty::Duration) {
                    body
                } else {
                    self.mismatch(
                        c.body.span,
                        format!("`sum` adds numbers, money or durations, not {body:#}"),
                        &body,
                        "sum an amount, e.g. `sum(r.amount for r in …)`",
                    );
                    Ty::Unknown
                }
            }
            Aggregate::Min | Aggregate::Max => {
                if body.is_ordered() {
                    body
                } else {
                    self.mismatch(
                        c.body.span,
                        format!("`{}` cannot order {body:#}", c.agg.name()),
                        &body,
                        "use numbers, money, durations, times or dates",
                    );
                    Ty::Unknown
                }
            }
            // Reported above: `spans` never reaches here.
            Aggregate::Spans => Ty::Unknown,
            Aggregate::Any | Aggregate::All => {
                if !body.is_boolish() {
                    self.mismatch(
                        c.body.span,
                        format!("`{}` needs a bool per element, not {body:#}", c.agg.name()),
                        &body,
                        "test each element, e.g. `any(r.amount > 100 USD for r in …)`",
                    );
                }
                Ty::Bool
            }
        }
    }

    /// `spans(E for X in LIST [where COND])`: LIST a list of records, E a time of each,
    /// COND a bool. Types the intervals it gives as `excluding` reads them.
    fn spans(&mut self, c: &'a Comprehension) -> Ty {
        let list = self.expr(&c.list);
        let element = match list.element() {
            Some(element @ (Ty::Unknown | Ty::Object(_))) => element,
            _ => {
                self.report(
                    Diagnostic::new(
                        Code::E0204,
                        c.list.span,
                        format!("`spans` needs a list of records, not {list:#}"),
                    )
                    .with_primary_label(format!("this is {list:#}"))
                    .with_help(
                        "iterate over a status history, e.g. `status_log: list<{ at: time, status: text }>`",
                    ),
                );
                Ty::Unknown
            }
        };
        self.scopes.push((c.var.name.clone(), element));
        let body = self.expr(&c.body);
        if !matches!(body, Ty::Unknown | Ty::Time) {
            self.report(
                Diagnostic::new(
                    Code::E0204,
                    c.body.span,
                    format!("`spans` orders the elements by a time, not {body:#}"),
                )
                .with_primary_label(format!("this is {body:#}"))
                .with_help(format!(
                    "give the time of each element first, e.g. `spans({}.at for {} in …)`",
                    c.var.name, c.var.name
                )),
            );
        }
        if let Some(filter) = &c.filter {
            let ty = self.expr(filter);
            if !ty.is_boolish() {
                self.report(
                    Diagnostic::new(
                        Code::E0204,
                        filter.span,
                        format!("`where` needs a bool, not {ty:#}"),
                    )
                    .with_primary_label(format!("this is {ty:#}"))
                    .with_help(
                        "say which elements start a pause, e.g. `where s.status == \"pending\"`",
                    ),
                );
            }
        }
        self.scopes.pop();
        Ty::List(Box::new(Ty::Object(Rc::from(vec![
            ("from".to_owned(), Ty::Time),
            ("to".to_owned(), Ty::Time),
        ]))))
    }

    // ----- clauses and actions -----

    pub(super) fn deadline(&mut self, d: &'a Deadline) {
        let done = self.expr(&d.done);
        let within = self.expr(&d.within);
        let start = self.expr(&d.start);
        for (expr, ty, what) in [
            (&d.done, &done, "the done time before `within`"),
            (&d.start, &start, "the start after `of`"),
        ] {
            if !matches!(ty, Ty::Unknown | Ty::Time) {
                self.report(
                    Diagnostic::new(
                        Code::E0204,
                        expr.span,
                        format!("`expect` needs a time as {what}, not {ty:#}"),
                    )
                    .with_primary_label(format!("this is {ty:#}"))
                    .with_help("write `expect DONE within DURATION of START` with two time fields"),
                );
            }
        }
        if !matches!(within, Ty::Unknown | Ty::Duration) {
            self.report(
                Diagnostic::new(
                    Code::E0204,
                    d.within.span,
                    format!("`within` needs a duration, not {within:#}"),
                )
                .with_primary_label(format!("this is {within:#}"))
                .with_help("write a duration such as `4h` or `1h30m`"),
            );
        }
        if let Some(calendar) = &d.using {
            self.use_calendar(calendar);
            self.days_on_calendar(&d.within, calendar);
        }
        if let Some(excluding) = &d.excluding {
            let ty = match &excluding.kind {
                ExprKind::Comprehension(c) if c.agg == Aggregate::Spans => self.spans(c),
                _ => self.expr(excluding),
            };
            if !excluding_fits(&ty) {
                self.report(
                    Diagnostic::new(
                        Code::E0204,
                        excluding.span,
                        format!(
                            "`excluding` needs a list of `{{ from: time, to: time? }}`, not {ty:#}"
                        ),
                    )
                    .with_primary_label(format!("this is {ty:#}"))
                    .with_help("declare the field as `list<{ from: time, to: time? }>`"),
                );
            }
        }
    }

    /// `W0007`: a duration literal written in days or weeks (`2d`, `1w`) counted in open
    /// hours, where a "day" is 24 open hours. `24h` and `1440m` say what they mean and pass.
    fn days_on_calendar(&mut self, within: &Expr, calendar: &Ident) {
        let Some(found) = self.written_in_days(within, 0) else {
            return;
        };
        let hours = found.duration.whole_secs().unsigned_abs() / 3600;
        let days = hours / 24;
        // A const's literal may be used without a calendar too: point at this use.
        let primary = if found.via_const {
            within.span
        } else {
            found.span
        };
        let written = &found.written;
        let mut diagnostic = Diagnostic::new(
            Code::W0007,
            primary,
            format!(
                "`{written}` is counted in open hours of `{}`: {hours} open hours, not {days} working day{}",
                calendar.name,
                plural(usize::try_from(days).unwrap_or(usize::MAX))
            ),
        )
        .with_primary_label(format!(
            "`{written}` is {hours} open hours here, not {days} working day{}",
            plural(usize::try_from(days).unwrap_or(usize::MAX))
        ))
        .with_help(format!(
            "write `{hours}h` if that is meant (`16h` is two 8-hour days); drop `using` to count calendar days"
        ));
        if found.via_table {
            diagnostic = diagnostic.with_label(within.span, "this table gives it");
        } else if found.via_const {
            diagnostic = diagnostic.with_label(found.span, "written here");
        }
        diagnostic = diagnostic.with_label(calendar.span, "counted on this calendar");
        self.report(diagnostic);
    }

    /// The first duration literal in `expr` written with a `d` or `w` unit, looking through
    /// consts and the outputs of tables it calls.
    fn written_in_days(&self, expr: &Expr, depth: usize) -> Option<DaysLiteral> {
        // Consts may refer to consts: a cycle (already an error) must not loop.
        if depth > 16 {
            return None;
        }
        let inner = |e: &Expr| self.written_in_days(e, depth + 1);
        match &expr.kind {
            ExprKind::Literal(crate::ast::Literal::Duration(d)) => {
                let written = self
                    .source
                    .get(expr.span.range())
                    .filter(|w| crate::value::Duration::parse_literal(w).is_ok_and(|v| v == *d))
                    .map_or_else(|| d.to_string(), str::to_owned);
                written.contains(['d', 'w']).then_some(DaysLiteral {
                    span: expr.span,
                    duration: *d,
                    written,
                    via_const: false,
                    via_table: false,
                })
            }
            ExprKind::Literal(_) | ExprKind::Now => None,
            ExprKind::Path(path) => {
                let [segment] = path.segments.as_slice() else {
                    return None;
                };
                let info = self.consts.get(segment.name.as_str())?;
                let mut found = inner(&info.def.value)?;
                found.via_const = true;
                Some(found)
            }
            ExprKind::List(items) => items.iter().find_map(inner),
            ExprKind::Unary(_, e)
            | ExprKind::PercentOf(_, e)
            | ExprKind::IsMissing(e, _)
            | ExprKind::During(e, _) => inner(e),
            ExprKind::Binary(_, a, b) | ExprKind::Test(_, a, b) => inner(a).or_else(|| inner(b)),
            ExprKind::Call(name, args) => match self.tables.get(name.name.as_str()) {
                Some(info) => info.def.rows.iter().find_map(|row| {
                    let mut found = inner(&row.output)?;
                    found.via_table = true;
                    Some(found)
                }),
                None => args.iter().find_map(inner),
            },
            ExprKind::Comprehension(c) => inner(&c.body),
        }
    }

    pub(super) fn limit(&mut self, limit: &'a Limit) {
        let value = self.expr(&limit.value);
        let max = self.expr(&limit.max);
        for (expr, ty) in [(&limit.value, &value), (&limit.max, &max)] {
            if !ty.is_ordered() {
                self.report(
                    Diagnostic::new(
                        Code::E0204,
                        expr.span,
                        format!("`limit` needs an ordered value, not {ty:#}"),
                    )
                    .with_primary_label(format!("this is {ty:#}"))
                    .with_help("limit a number, money, a duration, a time or a date"),
                );
                return;
            }
        }
        if !value.compatible(&max) {
            self.report(
                Diagnostic::new(
                    Code::E0204,
                    limit.max.span,
                    format!("`limit` compares {value:#} with {max:#}"),
                )
                .with_primary_label(format!("this is {max:#}"))
                .with_label(limit.value.span, format!("this is {value:#}"))
                .with_help("the value and its maximum must have the same type"),
            );
            return;
        }
        self.currencies(&value, &max, limit.value.span, limit.max.span);
    }

    pub(super) fn action(&mut self, action: &'a Action) {
        let (what, arg, want) = match &action.kind {
            ActionKind::Escalate(e) => {
                self.ladder_target(e);
                ("escalate to", e, Ty::Text)
            }
            ActionKind::Notify(e) => ("notify", e, Ty::Text),
            ActionKind::Assign(e) => ("assign to", e, Ty::Text),
            ActionKind::RequireApproval(e) => ("require approval from", e, Ty::Text),
            ActionKind::Tag(e) => ("tag", e, Ty::Text),
            ActionKind::Emit(e) => ("emit", e, Ty::Text),
            ActionKind::FollowUp(e) => ("follow up within", e, Ty::Duration),
            ActionKind::Refund { amount, compensate } => (
                if *compensate { "compensate" } else { "refund" },
                amount,
                Ty::Money(None),
            ),
            ActionKind::Set(path, e) => {
                self.set(path, e);
                ("", e, Ty::Unknown)
            }
        };
        if !what.is_empty() {
            self.expect_ty(arg, what, &want);
        }
        let mut seen: std::collections::HashMap<&str, Span> = std::collections::HashMap::new();
        for (key, value) in &action.args {
            self.unique(&mut seen, &key.name, key.span, "argument");
            self.expr(value);
        }
    }

    fn ladder_target(&mut self, target: &Expr) {
        let Some(ladder) = self.ladder else { return };
        let Some(Val::Text(text)) = self.fold(target) else {
            return;
        };
        if ladder.levels.iter().any(|l| l.value == text) {
            return;
        }
        let help = match suggest::nearest(&text, ladder.levels.iter().map(|l| l.value.as_str())) {
            Some(best) => format!("did you mean \"{best}\"?"),
            None => {
                let all: Vec<String> = ladder
                    .levels
                    .iter()
                    .map(|l| format!("\"{}\"", l.value))
                    .collect();
                format!("the ladder is {}", all.join(", "))
            }
        };
        self.report(
            Diagnostic::new(
                Code::E0303,
                target.span,
                format!("\"{text}\" is not on the escalation ladder"),
            )
            .with_primary_label("not a ladder level")
            .with_label(ladder.span, "the ladder is declared here")
            .with_help(help),
        );
    }

    /// `set FIELD to EXPR`: a declared field (when there is a schema) of the value's type.
    fn set(&mut self, path: &Path, value: &'a Expr) {
        let ty = self.expr(value);
        let Some(fields) = &mut self.schema else {
            return;
        };
        let dotted = path.dotted();
        let Some((_, field)) = self
            .field_index
            .get(&dotted)
            .and_then(|&i| fields.get_mut(i))
        else {
            let candidates: Vec<&str> = fields.iter().map(|(n, _)| n.as_str()).collect();
            let nearest = suggest::nearest(&dotted, candidates).map(str::to_owned);
            let help = match &nearest {
                Some(best) => {
                    self.mark_read(best);
                    format!("did you mean `{best}`?")
                }
                None => format!("declare it in `record {{ … }}`, e.g. `{dotted}: text?`"),
            };
            self.report(
                Diagnostic::new(Code::E0103, path.span, format!("unknown field `{dotted}`"))
                    .with_primary_label("`set` needs a field declared in the record schema")
                    .with_help(help),
            );
            return;
        };
        // A field that a rule sets is in use, even if no expression reads it.
        field.read = true;
        let declared = field.ty.clone();
        if !declared.compatible(&ty) {
            self.report(
                Diagnostic::new(
                    Code::E0201,
                    value.span,
                    format!("`{dotted}` is {declared:#}, but this is {ty:#}"),
                )
                .with_primary_label(format!("this is {ty:#}"))
                .with_label(path.span, format!("declared as {declared}"))
                .with_help(format!("set `{dotted}` to {declared:#}")),
            );
            return;
        }
        if let Ty::Enum(members) = &declared {
            self.enum_member(members, Some(dotted), value);
        }
    }
}

/// Why a `matches` pattern does not compile, or `None` when it does.
fn pattern_problem(text: &str) -> Option<String> {
    let error = regex::RegexBuilder::new(text)
        .size_limit(REGEX_SIZE_LIMIT)
        .build()
        .err()?;
    Some(match error {
        regex::Error::Syntax(message) => {
            let last = message.lines().rfind(|l| !l.trim().is_empty());
            last.map_or_else(String::new, |l| {
                l.trim().trim_start_matches("error: ").to_owned()
            })
        }
        regex::Error::CompiledTooBig(limit) => {
            format!("the compiled pattern exceeds the size limit of {limit} bytes")
        }
        _ => "the pattern does not compile".to_owned(),
    })
}

/// A help line showing how to write a value of `want`.
fn example(want: &Ty) -> String {
    match want {
        Ty::Text | Ty::Enum(_) => "write a text in quotes, e.g. `\"team-lead\"`".to_owned(),
        Ty::Duration => "write a duration such as `24h` or `1h30m`".to_owned(),
        Ty::Money(_) => "write an amount with its currency, e.g. `25 USD`".to_owned(),
        Ty::Time => "pass an instant, such as a `time` field or `now`".to_owned(),
        other => format!("pass {other:#}"),
    }
}

/// Whether a type can be the intervals of `excluding`: a list of objects whose `from` and
/// `to` are times.
fn excluding_fits(ty: &Ty) -> bool {
    match ty {
        Ty::Unknown => true,
        Ty::List(element) => match element.as_ref() {
            Ty::Unknown => true,
            Ty::Object(members) => {
                let member = |name: &str| members.iter().find(|(n, _)| n == name).map(|(_, t)| t);
                matches!(member("from"), Some(Ty::Time | Ty::Unknown))
                    && matches!(member("to"), Some(Ty::Time | Ty::Unknown))
            }
            _ => false,
        },
        _ => false,
    }
}

fn literal_ty(lit: &Literal) -> Ty {
    match lit {
        Literal::Number(_) | Literal::Percent(_) => Ty::Number,
        Literal::Money(m) => Ty::Money(m.currency),
        Literal::Duration(_) => Ty::Duration,
        Literal::Date(_) => Ty::Date,
        Literal::Time(..) => Ty::Time,
        Literal::Text(_) => Ty::Text,
        Literal::Bool(_) => Ty::Bool,
    }
}

/// A duration literal written in days or weeks, found by `W0007`.
struct DaysLiteral {
    /// The literal.
    span: Span,
    /// Its value.
    duration: crate::value::Duration,
    /// As the author wrote it (`2d`).
    written: String,
    /// Whether it stands in a const's definition rather than where it is used.
    via_const: bool,
    /// Whether it is the output of a table row.
    via_table: bool,
}
