//! The static cost estimate of each rule: `E0310` for a rule whose worst case is beyond
//! any evaluation budget.
//!
//! Strategy: count, per rule, the steps its expressions could take on the worst record —
//! every list from the record at its longest ([`crate::value::MAX_LIST_LEN`]), every
//! calendar walk at its longest ([`crate::calendar::MAX_SPAN_DAYS`]), every membership test
//! a scan. Comprehensions multiply (the body runs once per element), so nesting is what
//! the estimate catches. The count saturates instead of overflowing. A rule over
//! [`MAX_RULE_COST`] is refused when the policy loads; a rule under it can still run out of
//! its budget on a given record, which is then an evaluation error for that rule alone.

use std::cell::RefCell;
use std::collections::HashMap;

use crate::ast::{
    ActionKind, CellKind, ClauseKind, Expr, ExprKind, Item, PolicyFile, RuleDef, TableDef, Trigger,
};
use crate::diagnostic::{Code, Diagnostic};

/// The most steps the estimate allows a rule: a comprehension nested in another, both over
/// the longest record lists, fits; a third level does not.
pub const MAX_RULE_COST: u64 = 1_000_000_000_000;

/// `E0310` for every rule whose estimate is over [`MAX_RULE_COST`].
pub(crate) fn check_costs(policy: &PolicyFile) -> Vec<Diagnostic> {
    let estimator = Estimator::new(policy);
    let mut out = Vec::new();
    for item in &policy.items {
        let rules: Vec<&RuleDef> = match item {
            Item::Rule(rule) => vec![rule],
            Item::FirstOf(block) => block.rules.iter().collect(),
            _ => continue,
        };
        for rule in rules {
            let cost = estimator.rule(rule);
            if cost > MAX_RULE_COST {
                out.push(
                    Diagnostic::new(
                        Code::E0310,
                        rule.name.span,
                        format!(
                            "rule `{}` may take more than {MAX_RULE_COST} evaluation steps",
                            rule.name.name
                        ),
                    )
                    .with_help(
                        "comprehensions nested over record lists multiply; compute the inner \
                         part once (a `const` or a field the host fills) or drop a level",
                    ),
                );
            }
        }
    }
    out
}

/// The worst-case number of steps of a rule (see the module's documentation).
#[cfg(test)]
fn rule_cost(policy: &PolicyFile, rule: &RuleDef) -> u64 {
    Estimator::new(policy).rule(rule)
}

struct Estimator<'p> {
    tables: HashMap<&'p str, &'p TableDef>,
    /// Each table's cost once known; `None` while it is being worked out, so a cycle
    /// (reported elsewhere) is not followed.
    table_costs: RefCell<HashMap<&'p str, Option<u64>>>,
}

/// The length a list may have: a written list's own, any other the longest allowed.
fn length(list: &Expr) -> u64 {
    match &list.kind {
        ExprKind::List(items) => items.len() as u64,
        _ => crate::value::MAX_LIST_LEN as u64,
    }
}

impl<'p> Estimator<'p> {
    fn new(policy: &'p PolicyFile) -> Estimator<'p> {
        let mut estimator = Estimator {
            tables: HashMap::new(),
            table_costs: RefCell::new(HashMap::new()),
        };
        for item in &policy.items {
            if let Item::Table(t) = item {
                estimator.tables.insert(t.name.name.as_str(), t);
            }
        }
        estimator
    }

    fn rule(&self, rule: &'p RuleDef) -> u64 {
        let mut total: u64 = 0;
        let mut add = |cost: u64| total = total.saturating_add(cost);
        for clause in &rule.clauses {
            match &clause.kind {
                ClauseKind::When(e) | ClauseKind::Unless(e) => add(self.expr(e)),
                ClauseKind::Then(actions) => {
                    for action in actions {
                        add(self.action(action));
                    }
                }
                ClauseKind::Expect(d) => {
                    for e in [&d.done, &d.within, &d.start] {
                        add(self.expr(e));
                    }
                    if let Some(e) = &d.excluding {
                        add(self.expr(e));
                    }
                    if d.using.is_some() {
                        add(crate::calendar::MAX_SPAN_DAYS as u64);
                    }
                }
                ClauseKind::Limit(l) => {
                    add(self.expr(&l.value));
                    add(self.expr(&l.max));
                }
                ClauseKind::Handler(h) => {
                    if let Trigger::AfterBreach(e) = &h.trigger {
                        add(self.expr(e));
                    }
                    for action in &h.actions {
                        add(self.action(action));
                    }
                }
            }
        }
        total
    }

    fn action(&self, action: &'p crate::ast::Action) -> u64 {
        let operand = match &action.kind {
            ActionKind::Escalate(e)
            | ActionKind::Notify(e)
            | ActionKind::Assign(e)
            | ActionKind::RequireApproval(e)
            | ActionKind::FollowUp(e)
            | ActionKind::Refund { amount: e, .. }
            | ActionKind::Tag(e)
            | ActionKind::Set(_, e)
            | ActionKind::Emit(e) => self.expr(e),
        };
        action
            .args
            .iter()
            .fold(operand, |sum, (_, e)| sum.saturating_add(self.expr(e)))
    }

    fn expr(&self, e: &'p Expr) -> u64 {
        let sum = |parts: &[&'p Expr]| {
            parts
                .iter()
                .fold(1u64, |s, p| s.saturating_add(self.expr(p)))
        };
        match &e.kind {
            // A constant is worked out once per evaluation (or when loading) and cached:
            // reading it is one step wherever it is read.
            ExprKind::Literal(_) | ExprKind::Now | ExprKind::Path(_) => 1,
            ExprKind::List(items) => items
                .iter()
                .fold(1u64, |s, p| s.saturating_add(self.expr(p))),
            ExprKind::Unary(_, x)
            | ExprKind::PercentOf(_, x)
            | ExprKind::IsMissing(x, _)
            | ExprKind::During(x, _) => sum(&[x]),
            ExprKind::Binary(_, a, b) => sum(&[a, b]),
            ExprKind::Test(op, a, b) => {
                let scan = match op {
                    crate::ast::TestOp::In | crate::ast::TestOp::NotIn => length(b),
                    crate::ast::TestOp::Contains => length(a),
                    crate::ast::TestOp::Matches => 1,
                };
                sum(&[a, b]).saturating_add(scan)
            }
            ExprKind::Call(name, args) => {
                let refs: Vec<&'p Expr> = args.iter().collect();
                let own = sum(&refs);
                if let Some(table) = self.tables.get(name.name.as_str()) {
                    return own.saturating_add(self.table(table));
                }
                match (name.name.as_str(), args.as_slice()) {
                    ("business_time", _) => {
                        own.saturating_add(crate::calendar::MAX_SPAN_DAYS as u64)
                    }
                    ("min" | "max" | "count" | "sum" | "any" | "all", [single]) => {
                        own.saturating_add(length(single))
                    }
                    _ => own,
                }
            }
            ExprKind::Comprehension(c) => {
                let mut each = self.expr(&c.body).saturating_add(1);
                if let Some(filter) = &c.filter {
                    each = each.saturating_add(self.expr(filter));
                }
                let n = length(&c.list);
                // `spans` also sorts its events: n times the bits of n steps.
                let sort = match c.agg {
                    crate::ast::Aggregate::Spans => {
                        n.saturating_mul(u64::from(u64::BITS - n.leading_zeros()))
                    }
                    _ => 0,
                };
                self.expr(&c.list)
                    .saturating_add(n.saturating_mul(each))
                    .saturating_add(sort)
            }
        }
    }

    /// A table call: every row tried, every cell compared, the costliest output.
    fn table(&self, table: &'p TableDef) -> u64 {
        let name = table.name.name.as_str();
        match self.table_costs.borrow().get(name) {
            Some(Some(cost)) => return *cost,
            Some(None) => return 1,
            None => {}
        }
        self.table_costs.borrow_mut().insert(name, None);
        let cost = self.table_uncached(table);
        self.table_costs.borrow_mut().insert(name, Some(cost));
        cost
    }

    fn table_uncached(&self, table: &'p TableDef) -> u64 {
        let mut cost: u64 = 0;
        let mut output: u64 = 0;
        for row in &table.rows {
            cost = cost.saturating_add(1);
            for cell in &row.cells {
                cost = cost.saturating_add(match &cell.kind {
                    CellKind::Any => 0,
                    CellKind::Equals(_) | CellKind::Compare(..) => 1,
                    CellKind::OneOf(options) => options.len() as u64,
                });
            }
            output = output.max(self.expr(&row.output));
        }
        cost.saturating_add(output)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn costs(src: &str) -> Vec<u64> {
        let ast = crate::syntax::parse(src).unwrap();
        ast.items
            .iter()
            .filter_map(|i| match i {
                Item::Rule(r) => Some(rule_cost(&ast, r)),
                _ => None,
            })
            .collect()
    }

    #[test]
    fn nesting_multiplies_and_plain_rules_are_cheap() {
        let c = costs(
            r#"policy "P" {
  rule plain { when priority == "urgent" then tag "x" }
  rule one { when count(r for r in refunds where r.amount > 10) > 2 then tag "y" }
  rule two { when count(a for a in items where count(b for b in items where b.k == a.k) > 1) > 0 then tag "z" }
  rule three { when any(any(any(x == y for x in items) for y in items) for z in items) then tag "w" }
}"#,
        );
        assert_eq!(c.len(), 4);
        let [plain, one, two, three] = [c[0], c[1], c[2], c[3]];
        assert!(plain < 10, "{plain}");
        assert!(one > 100_000 && one < 10_000_000, "{one}");
        assert!(two > 10_000_000_000 && two <= MAX_RULE_COST, "{two}");
        assert!(three > MAX_RULE_COST, "{three}");
    }

    #[test]
    fn written_lists_count_their_length() {
        let c = costs(
            r#"policy "P" {
  rule small { when any(any(x == y for x in [1, 2]) for y in [1, 2, 3]) then tag "x" }
}"#,
        );
        // 3 × (1 + 2 × (1 + 3) + …): tens of steps, not millions.
        assert!(c[0] < 100, "{}", c[0]);
    }
}
