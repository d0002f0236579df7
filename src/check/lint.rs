//! The lints that reason about values: guards (`W0002`), `first of` (`W0003`) and tables
//! (`W0004`, `W0005`).
//!
//! Guards are judged by folding them, then by a small interval and set reasoning over the
//! chains of `and` (can they ever be true?) and of `or` (are they always true?) whose links
//! compare one field path with a value known at load time. Anything else is left alone: a
//! lint that is unsure says nothing.

use std::cmp::Ordering;
use std::rc::Rc;

use crate::ast::{
    BinaryOp, CellKind, CompareOp, Expr, ExprKind, RuleDef, Span, TableDef, TestOp, UnaryOp,
};
use crate::diagnostic::{Code, Diagnostic};

use super::Checker;
use super::fold::{Val, holds};
use super::types::Ty;

/// At most this many links of one chain are compared pairwise, to stay fast on huge guards.
const MAX_LINKS: usize = 64;

/// At most this many pairs of rows of one table are compared for `W0004`; past it the
/// lint stops and says so, so a table of 100 000 rows loads in linear time.
pub(crate) const MAX_ROW_PAIRS: usize = 1_000_000;

/// What one link of a chain says about a field path.
#[derive(Clone, Debug)]
enum Atom {
    Cmp(CompareOp, Val),
    In(Vec<Val>),
    NotIn(Vec<Val>),
    /// `is missing` (`true`) or `is present` (`false`).
    Missing(bool),
}

/// The values a table cell accepts, when known.
enum CellSet {
    Values(Vec<Val>),
    Cmp(CompareOp, Val),
}

/// A cell as the row lint sees it: `_`, a known set of values, or not known at load time.
enum Cover {
    Any,
    Set(CellSet),
    Unknown,
}

/// Whether every value the cell `later` accepts is accepted by `earlier`.
fn covers(earlier: &Cover, later: &Cover) -> bool {
    let (e, l) = match (earlier, later) {
        (Cover::Any, _) => return true,
        (Cover::Set(e), Cover::Set(l)) => (e, l),
        _ => return false,
    };
    match (e, l) {
        (CellSet::Values(es), CellSet::Values(ls)) => ls.iter().all(|v| contains(es, v)),
        (CellSet::Cmp(op, bound), CellSet::Values(ls)) => ls
            .iter()
            .all(|v| v.compare(bound).is_some_and(|o| holds(*op, o))),
        (CellSet::Cmp(op1, b1), CellSet::Cmp(op2, b2)) => {
            use CompareOp::{Ge, Gt, Le, Lt};
            match (*op1, *op2) {
                (Gt | Ge, Gt | Ge) => match b2.compare(b1) {
                    Some(Ordering::Greater) => true,
                    Some(Ordering::Equal) => *op1 == Ge || *op2 == Gt,
                    _ => false,
                },
                (Lt | Le, Lt | Le) => match b2.compare(b1) {
                    Some(Ordering::Less) => true,
                    Some(Ordering::Equal) => *op1 == Le || *op2 == Lt,
                    _ => false,
                },
                _ => false,
            }
        }
        (CellSet::Values(_), CellSet::Cmp(..)) => false,
    }
}

fn flip(op: CompareOp) -> CompareOp {
    match op {
        CompareOp::Lt => CompareOp::Gt,
        CompareOp::Le => CompareOp::Ge,
        CompareOp::Gt => CompareOp::Lt,
        CompareOp::Ge => CompareOp::Le,
        other => other,
    }
}

/// The text of a rule's guard, for looking up rules with the same one.
fn guard_key(rule: &RuleDef) -> String {
    let print = |e: Option<&Expr>| e.map(crate::plan::print_expr).unwrap_or_default();
    format!("{}\u{0}{}", print(rule.when()), print(rule.unless()))
}

fn contains(set: &[Val], value: &Val) -> bool {
    set.iter().any(|v| v.same(value) == Some(true))
}

/// Whether `value` satisfies a bound; an incomparable bound is taken as satisfied.
fn within(value: &Val, bound: &Option<(Val, bool)>, above: bool) -> bool {
    let Some((b, strict)) = bound else {
        return true;
    };
    match value.compare(b) {
        Some(Ordering::Equal) => !strict,
        Some(Ordering::Greater) => above,
        Some(Ordering::Less) => !above,
        None => true,
    }
}

/// Whether a conjunction of atoms about one path can never hold.
/// `domain` is the path's enumeration, when the schema gives one.
fn unsatisfiable(atoms: &[&Atom], domain: Option<&[String]>) -> bool {
    let mut allowed: Option<Vec<Val>> =
        domain.map(|members| members.iter().map(|m| Val::Text(m.clone())).collect());
    let mut excluded: Vec<Val> = Vec::new();
    let mut lo: Option<(Val, bool)> = None;
    let mut hi: Option<(Val, bool)> = None;
    let mut missing: Option<bool> = None;
    let mut compares = false;
    let narrow = |allowed: &mut Option<Vec<Val>>, values: &[Val]| {
        *allowed = Some(match allowed.take() {
            None => values.to_vec(),
            Some(previous) => previous
                .into_iter()
                .filter(|p| contains(values, p))
                .collect(),
        });
    };
    for atom in atoms {
        match atom {
            Atom::Missing(m) => {
                if missing == Some(!m) {
                    return true;
                }
                missing = Some(*m);
            }
            Atom::Cmp(op, v) => {
                compares = true;
                match op {
                    CompareOp::Eq => narrow(&mut allowed, std::slice::from_ref(v)),
                    CompareOp::Ne => excluded.push(v.clone()),
                    CompareOp::Lt | CompareOp::Le => {
                        let strict = *op == CompareOp::Lt;
                        let tighter = match &hi {
                            None => true,
                            Some((h, s)) => match v.compare(h) {
                                Some(Ordering::Less) => true,
                                Some(Ordering::Equal) => strict && !s,
                                _ => false,
                            },
                        };
                        if tighter {
                            hi = Some((v.clone(), strict));
                        }
                    }
                    CompareOp::Gt | CompareOp::Ge => {
                        let strict = *op == CompareOp::Gt;
                        let tighter = match &lo {
                            None => true,
                            Some((l, s)) => match v.compare(l) {
                                Some(Ordering::Greater) => true,
                                Some(Ordering::Equal) => strict && !s,
                                _ => false,
                            },
                        };
                        if tighter {
                            lo = Some((v.clone(), strict));
                        }
                    }
                }
            }
            Atom::In(values) => {
                compares = true;
                narrow(&mut allowed, values);
            }
            Atom::NotIn(values) => {
                compares = true;
                excluded.extend(values.iter().cloned());
            }
        }
    }
    // A missing value makes every comparison missing: the chain is never true.
    if missing == Some(true) && compares {
        return true;
    }
    if let (Some((l, ls)), Some((h, hs))) = (&lo, &hi) {
        match l.compare(h) {
            Some(Ordering::Greater) => return true,
            Some(Ordering::Equal) if *ls || *hs => return true,
            _ => {}
        }
    }
    if let Some(allowed) = allowed {
        return !allowed
            .iter()
            .any(|v| !contains(&excluded, v) && within(v, &lo, true) && within(v, &hi, false));
    }
    false
}

/// Whether `a or b` holds for every present value of the path.
fn complementary(a: &Atom, b: &Atom) -> bool {
    use Atom::{Cmp, In, Missing, NotIn};
    use CompareOp::{Eq, Ge, Gt, Le, Lt, Ne};
    let pair = |x: &Atom, y: &Atom| -> bool {
        match (x, y) {
            (Cmp(Eq, v), Cmp(Ne, w)) => v.same(w) == Some(true),
            (Cmp(Ne, v), Cmp(Ne, w)) => v.same(w) == Some(false),
            (Cmp(up @ (Lt | Le), a), Cmp(down @ (Gt | Ge), b)) => match b.compare(a) {
                Some(Ordering::Less) => true,
                Some(Ordering::Equal) => !(*up == Lt && *down == Gt),
                _ => false,
            },
            (In(s), NotIn(t)) => t.iter().all(|v| contains(s, v)),
            (Cmp(Eq, v), NotIn(t)) => t.iter().all(|w| v.same(w) == Some(true)),
            (In(s), Cmp(Ne, v)) => contains(s, v),
            (Missing(p), Missing(q)) => p != q,
            _ => false,
        }
    };
    pair(a, b) || pair(b, a)
}

/// The links of a maximal chain of `op`, left to right.
fn links(expr: &Expr, op: BinaryOp) -> Vec<&Expr> {
    let mut out = Vec::new();
    let mut stack = vec![expr];
    while let Some(e) = stack.pop() {
        match &e.kind {
            ExprKind::Binary(o, a, b) if *o == op => {
                stack.push(b);
                stack.push(a);
            }
            _ => out.push(e),
        }
    }
    out
}

impl Checker<'_> {
    /// What a chain link says about one path, when it compares the path with a value known
    /// at load time.
    fn atom(&self, expr: &Expr) -> Option<(String, Atom)> {
        let path_of = |e: &Expr| match &e.kind {
            ExprKind::Path(p) if self.fold(e).is_none() => Some(p.dotted()),
            _ => None,
        };
        match &expr.kind {
            ExprKind::Binary(BinaryOp::Compare(op), a, b) => {
                if let (Some(p), Some(v)) = (path_of(a), self.fold(b)) {
                    Some((p, Atom::Cmp(*op, v)))
                } else if let (Some(p), Some(v)) = (path_of(b), self.fold(a)) {
                    Some((p, Atom::Cmp(flip(*op), v)))
                } else {
                    None
                }
            }
            ExprKind::Test(op @ (TestOp::In | TestOp::NotIn), a, b) => {
                let p = path_of(a)?;
                let Some(Val::List(values)) = self.fold(b) else {
                    return None;
                };
                Some((
                    p,
                    if *op == TestOp::In {
                        Atom::In(values)
                    } else {
                        Atom::NotIn(values)
                    },
                ))
            }
            ExprKind::IsMissing(a, m) => Some((path_of(a)?, Atom::Missing(*m))),
            _ => None,
        }
    }

    /// The members of a declared enumeration field (not of a comprehension variable, whose
    /// name may coincide with a field's).
    fn enumeration_of(&self, path: &str) -> Option<Rc<[String]>> {
        let first = path.split('.').next().unwrap_or(path);
        if self.scopes.iter().any(|(v, _)| v == first) {
            return None;
        }
        let index = *self.field_index.get(path)?;
        match self.schema.as_ref()?.get(index).map(|(_, f)| &f.ty) {
            Some(Ty::Enum(members)) => Some(members.clone()),
            _ => None,
        }
    }

    /// `W0002` for a `when` or `unless` guard.
    pub(super) fn guard_lint(&mut self, guard: &Expr, word: &str) {
        if let Some(Val::Bool(value)) = self.fold(guard) {
            let effect = match (word, value) {
                ("when", true) => "the guard can be removed: the rule always applies",
                ("when", false) => "the rule never applies",
                (_, true) => "the rule never applies",
                (_, false) => "the exemption never applies",
            };
            self.report(
                Diagnostic::new(
                    Code::W0002,
                    guard.span,
                    format!("this `{word}` guard is always {value}"),
                )
                .with_primary_label(effect)
                .with_help("compare a record field, or remove the guard"),
            );
            return;
        }
        let mut stack: Vec<(&Expr, Option<BinaryOp>)> = vec![(guard, None)];
        while let Some((expr, parent)) = stack.pop() {
            match &expr.kind {
                ExprKind::Binary(op @ (BinaryOp::And | BinaryOp::Or), a, b) => {
                    if parent != Some(*op) {
                        let chain = links(expr, *op);
                        // A chain inside a larger guard is only part of the condition.
                        let what = if std::ptr::eq(expr, guard) {
                            format!("this `{word}` guard")
                        } else {
                            "this condition".to_owned()
                        };
                        if let Some(diagnostic) = self.chain_lint(&chain, *op, &what) {
                            self.report(diagnostic);
                            return;
                        }
                    }
                    stack.push((b, Some(*op)));
                    stack.push((a, Some(*op)));
                }
                ExprKind::Unary(UnaryOp::Not, inner) => stack.push((inner, None)),
                _ => {}
            }
        }
    }

    fn chain_lint(&self, chain: &[&Expr], op: BinaryOp, what: &str) -> Option<Diagnostic> {
        let atoms: Vec<(String, Atom, Span)> = chain
            .iter()
            .take(MAX_LINKS)
            .filter_map(|e| self.atom(e).map(|(p, a)| (p, a, e.span)))
            .collect();
        for (i, (path, atom, span)) in atoms.iter().enumerate() {
            let earlier: Vec<&(String, Atom, Span)> =
                atoms.iter().take(i).filter(|(p, _, _)| p == path).collect();
            if earlier.is_empty() {
                continue;
            }
            if op == BinaryOp::And {
                let mut together: Vec<&Atom> = earlier.iter().map(|(_, a, _)| a).collect();
                together.push(atom);
                let domain = self.enumeration_of(path);
                if unsatisfiable(&together, domain.as_deref()) {
                    let mut d =
                        Diagnostic::new(Code::W0002, *span, format!("{what} can never be true"))
                            .with_primary_label(format!(
                                "contradicts the earlier condition on `{path}`"
                            ));
                    for (_, _, s) in &earlier {
                        d = d.with_label(*s, "earlier condition");
                    }
                    return Some(d.with_help(format!(
                        "no value of `{path}` satisfies all these conditions together; did you mean `or`?"
                    )));
                }
            } else if let Some((_, _, first)) =
                earlier.iter().find(|(_, a, _)| complementary(a, atom))
            {
                return Some(
                    Diagnostic::new(
                        Code::W0002,
                        *span,
                        format!("{what} is always true"),
                    )
                    .with_primary_label(format!(
                        "together with the earlier condition, this covers every value of `{path}`"
                    ))
                    .with_label(*first, "earlier condition")
                    .with_help("remove the guard, or did you mean `and`?"),
                );
            }
        }
        None
    }

    /// `W0003`: a rule in `first of` after one that always applies, or one with the same
    /// guard.
    pub(super) fn first_of_reachability(&mut self, rules: &[RuleDef]) {
        // The first rule without a guard, and the rules by the text of their guard: each
        // rule is looked up once, so a block of 10 000 rules costs 10 000 look-ups, not
        // 50 million comparisons. Equal texts are confirmed by comparing the guards.
        let mut first_unguarded: Option<usize> = None;
        let mut by_guard: std::collections::HashMap<String, Vec<usize>> =
            std::collections::HashMap::new();
        for (i, later) in rules.iter().enumerate() {
            let key = guard_key(later);
            let same = by_guard.get(&key).and_then(|earlier| {
                earlier.iter().copied().find(|&j| {
                    rules
                        .get(j)
                        .is_some_and(|e| later.when() == e.when() && later.unless() == e.unless())
                })
            });
            let chosen = match (first_unguarded, same) {
                (Some(a), Some(b)) => Some(a.min(b)),
                (a, b) => a.or(b),
            };
            if later.when().is_none() && later.unless().is_none() && first_unguarded.is_none() {
                first_unguarded = Some(i);
            }
            by_guard.entry(key).or_default().push(i);
            let Some(earlier) = chosen.and_then(|j| rules.get(j)) else {
                continue;
            };
            let unguarded = earlier.when().is_none() && earlier.unless().is_none();
            let why = if unguarded {
                "this earlier rule has no `when` or `unless`, so it always applies first"
            } else {
                "this earlier rule has the same guard, so it always applies first"
            };
            self.report(
                Diagnostic::new(
                    Code::W0003,
                    later.name.span,
                    format!(
                        "the rule `{}` can never be reached in this `first of`",
                        later.name.name
                    ),
                )
                .with_primary_label("never chosen")
                .with_label(earlier.name.span, why)
                .with_help(if unguarded {
                    format!(
                        "put `{}` before `{}`, or give the earlier rule a narrower guard",
                        later.name.name, earlier.name.name
                    )
                } else {
                    // Reordering two rules with one guard only hides the other one.
                    format!(
                        "merge `{}` into `{}`, or give one of them a different guard",
                        later.name.name, earlier.name.name
                    )
                }),
            );
        }
    }

    fn cell_set(&self, kind: &CellKind) -> Option<CellSet> {
        Some(match kind {
            CellKind::Any => return None,
            CellKind::Equals(e) | CellKind::Compare(CompareOp::Eq, e) => {
                CellSet::Values(vec![self.fold(e)?])
            }
            CellKind::OneOf(items) => {
                CellSet::Values(items.iter().map(|e| self.fold(e)).collect::<Option<_>>()?)
            }
            CellKind::Compare(op, e) => CellSet::Cmp(*op, self.fold(e)?),
        })
    }

    /// `W0004` shadowed rows and `W0005` enumerations a table does not cover.
    pub(super) fn table_lints(&mut self, def: &TableDef, params: &[(Ty, Option<String>)]) {
        let arity = def.params.len();
        let mut found: Vec<Diagnostic> = Vec::new();
        // Each cell is folded once; rows are then compared pairwise.
        let covers_of: Vec<Option<Vec<Cover>>> = def
            .rows
            .iter()
            .map(|row| {
                (row.cells.len() == arity).then(|| {
                    row.cells
                        .iter()
                        .map(|c| match (&c.kind, self.cell_set(&c.kind)) {
                            (CellKind::Any, _) => Cover::Any,
                            (_, Some(set)) => Cover::Set(set),
                            (_, None) => Cover::Unknown,
                        })
                        .collect()
                })
            })
            .collect();
        let mut pairs: usize = 0;
        for (i, row) in def.rows.iter().enumerate() {
            let Some(Some(later)) = covers_of.get(i) else {
                continue;
            };
            pairs = pairs.saturating_add(i);
            if pairs > MAX_ROW_PAIRS {
                found.push(
                    Diagnostic::new(
                        Code::W0004,
                        row.span,
                        format!(
                            "the table `{}` has too many rows to check them all: rows from here on were not checked",
                            def.name.name
                        ),
                    )
                    .with_primary_label(format!("row {}", i + 1))
                    .with_help(format!(
                        "the check compares at most {MAX_ROW_PAIRS} pairs of rows; split the table to have every row checked"
                    )),
                );
                break;
            }
            let shadow = def
                .rows
                .iter()
                .zip(&covers_of)
                .take(i)
                .find_map(|(earlier, cells)| {
                    let cells = cells.as_ref()?;
                    cells
                        .iter()
                        .zip(later)
                        .all(|(e, l)| covers(e, l))
                        .then_some(earlier)
                });
            if let Some(earlier) = shadow {
                let cells = match (row.cells.first(), row.cells.last()) {
                    (Some(a), Some(b)) => a.span.to(b.span),
                    _ => row.span,
                };
                found.push(
                    Diagnostic::new(
                        Code::W0004,
                        cells,
                        format!("this row of the table `{}` can never match", def.name.name),
                    )
                    .with_primary_label("every case it matches is taken by an earlier row")
                    .with_label(earlier.span, "this earlier row matches first")
                    .with_help("remove the row, or move it above the broader one"),
                );
            }
        }
        for (index, (ty, origin)) in params.iter().enumerate() {
            let Ty::Enum(members) = ty else { continue };
            if let Some(d) = self.enum_coverage(def, index, members, origin.as_deref()) {
                found.push(d);
            }
        }
        self.diags.extend(found);
    }

    fn enum_coverage(
        &self,
        def: &TableDef,
        index: usize,
        members: &Rc<[String]>,
        origin: Option<&str>,
    ) -> Option<Diagnostic> {
        // The texts the rows name, in a set: members × rows look-ups, not comparisons.
        let mut covered: std::collections::HashSet<String> = std::collections::HashSet::new();
        for row in &def.rows {
            let cell = row.cells.get(index)?;
            match self.cell_set(&cell.kind) {
                None if matches!(cell.kind, CellKind::Any) => return None,
                Some(CellSet::Values(values)) => {
                    covered.extend(values.into_iter().filter_map(|v| match v {
                        Val::Text(t) => Some(t),
                        _ => None,
                    }));
                }
                _ => {}
            }
        }
        let uncovered: Vec<String> = members
            .iter()
            .filter(|m| !covered.contains(m.as_str()))
            .map(|m| format!("\"{m}\""))
            .collect();
        if uncovered.is_empty() {
            return None;
        }
        let param = def.params.get(index).map_or("", |p| p.name.as_str());
        let whose = origin.unwrap_or(param);
        Some(
            Diagnostic::new(
                Code::W0005,
                def.name.span,
                format!("the table `{}` has no row for some values of `{whose}`", def.name.name),
            )
            .with_primary_label(format!("no row for {}", uncovered.join(", ")))
            .with_help(format!(
                "add rows for {}, or a catch-all row with `_` for `{param}`; without one the table gives a missing value",
                uncovered.join(", ")
            )),
        )
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use rust_decimal::Decimal;

    fn n(v: i64) -> Val {
        Val::Num(Decimal::from(v))
    }

    fn t(v: &str) -> Val {
        Val::Text(v.to_owned())
    }

    #[test]
    fn conjunctions_with_no_common_value_are_unsatisfiable() {
        let gt5 = Atom::Cmp(CompareOp::Gt, n(5));
        let lt3 = Atom::Cmp(CompareOp::Lt, n(3));
        let le5 = Atom::Cmp(CompareOp::Le, n(5));
        let ge5 = Atom::Cmp(CompareOp::Ge, n(5));
        assert!(unsatisfiable(&[&gt5, &lt3], None));
        assert!(unsatisfiable(&[&gt5, &le5], None));
        assert!(!unsatisfiable(&[&ge5, &le5], None));
        let eq_a = Atom::Cmp(CompareOp::Eq, t("a"));
        let eq_b = Atom::Cmp(CompareOp::Eq, t("b"));
        let ne_a = Atom::Cmp(CompareOp::Ne, t("a"));
        assert!(unsatisfiable(&[&eq_a, &eq_b], None));
        assert!(unsatisfiable(&[&eq_a, &ne_a], None));
        assert!(!unsatisfiable(
            &[&eq_a, &Atom::Cmp(CompareOp::Ne, t("b"))],
            None
        ));
        let in_ab = Atom::In(vec![t("a"), t("b")]);
        let not_in_ab = Atom::NotIn(vec![t("a"), t("b")]);
        assert!(unsatisfiable(&[&in_ab, &not_in_ab], None));
        assert!(!unsatisfiable(&[&in_ab, &Atom::NotIn(vec![t("a")])], None));
        assert!(unsatisfiable(
            &[&Atom::Missing(true), &Atom::Missing(false)],
            None
        ));
        assert!(unsatisfiable(&[&Atom::Missing(true), &gt5], None));
        assert!(!unsatisfiable(&[&Atom::Missing(false), &gt5], None));
        // Equality inside a range, and outside it.
        let eq4 = Atom::Cmp(CompareOp::Eq, n(4));
        assert!(!unsatisfiable(
            &[&lt3.clone(), &Atom::Cmp(CompareOp::Eq, n(2))],
            None
        ));
        assert!(unsatisfiable(&[&gt5, &eq4], None));
    }

    #[test]
    fn an_enumeration_bounds_what_inequalities_leave() {
        let domain = ["low".to_owned(), "high".to_owned()];
        let ne_low = Atom::Cmp(CompareOp::Ne, t("low"));
        let ne_high = Atom::Cmp(CompareOp::Ne, t("high"));
        assert!(unsatisfiable(&[&ne_low, &ne_high], Some(&domain)));
        assert!(!unsatisfiable(&[&ne_low, &ne_high], None));
        assert!(!unsatisfiable(&[&ne_low], Some(&domain)));
    }

    #[test]
    fn values_of_different_kinds_are_not_judged() {
        let gt5 = Atom::Cmp(CompareOp::Gt, n(5));
        let lt_text = Atom::Cmp(CompareOp::Lt, t("a"));
        assert!(!unsatisfiable(&[&gt5, &lt_text], None));
    }

    #[test]
    fn broader_cells_cover_narrower_ones() {
        let values = |vs: &[&str]| Cover::Set(CellSet::Values(vs.iter().map(|v| t(v)).collect()));
        assert!(covers(&Cover::Any, &values(&["a"])));
        assert!(covers(&Cover::Any, &Cover::Any));
        assert!(!covers(&values(&["a"]), &Cover::Any));
        assert!(covers(&values(&["a", "b"]), &values(&["b"])));
        assert!(!covers(&values(&["a"]), &values(&["a", "b"])));
        assert!(!covers(&Cover::Unknown, &values(&["a"])));
        let ge = |v: i64| Cover::Set(CellSet::Cmp(CompareOp::Ge, n(v)));
        let gt = |v: i64| Cover::Set(CellSet::Cmp(CompareOp::Gt, n(v)));
        assert!(covers(&ge(100), &ge(200)));
        assert!(covers(&ge(100), &gt(100)));
        assert!(!covers(&gt(100), &ge(100)));
        assert!(!covers(&ge(200), &ge(100)));
        let nums = Cover::Set(CellSet::Values(vec![n(150), n(300)]));
        assert!(covers(&ge(100), &nums));
        assert!(!covers(&ge(200), &nums));
    }

    #[test]
    fn complementary_disjunctions_cover_every_value() {
        let eq_a = Atom::Cmp(CompareOp::Eq, t("a"));
        let ne_a = Atom::Cmp(CompareOp::Ne, t("a"));
        let ne_b = Atom::Cmp(CompareOp::Ne, t("b"));
        assert!(complementary(&eq_a, &ne_a));
        assert!(complementary(&ne_a, &eq_a));
        assert!(complementary(&ne_a, &ne_b));
        assert!(!complementary(&eq_a, &Atom::Cmp(CompareOp::Eq, t("b"))));
        let lt5 = Atom::Cmp(CompareOp::Lt, n(5));
        let ge5 = Atom::Cmp(CompareOp::Ge, n(5));
        let gt5 = Atom::Cmp(CompareOp::Gt, n(5));
        assert!(complementary(&lt5, &ge5));
        assert!(!complementary(&lt5, &gt5));
        assert!(complementary(&Atom::Cmp(CompareOp::Le, n(5)), &gt5));
        assert!(complementary(&Atom::Missing(true), &Atom::Missing(false)));
        assert!(complementary(
            &Atom::In(vec![t("a"), t("b")]),
            &Atom::NotIn(vec![t("a")])
        ));
    }
}
