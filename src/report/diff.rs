//! What a change would do (SPEC §18): the structural difference of two policies, in their
//! own words, and the decisions that change when the same records are replayed under both.

use std::collections::BTreeMap;

use serde::Serialize;

use super::{Report, ReportConfig, Summary};
use crate::ast::{FieldDecl, Item, PolicyFile, RuleDef, Span, TableDef, TableRow};
use crate::eval::{Action, ActionKind, Check};
use crate::{Decision, Policy};

/// Whether an item was added, removed or changed.
#[derive(Clone, Copy, Debug, PartialEq, Eq, PartialOrd, Ord, Serialize)]
#[serde(rename_all = "lowercase")]
pub enum Change {
    /// Only in the new policy.
    Added,
    /// Only in the old one.
    Removed,
    /// In both, written differently (positions and comments aside).
    Changed,
}

/// One structural difference.
#[derive(Clone, Debug, PartialEq, Eq, Serialize)]
pub struct ItemChange {
    /// `rule`, `table`, `row`, `calendar`, `const`, `field`, `version`, `timezone`, `ladder`.
    pub item: String,
    /// The item's name (a table row: the table's name; a setting: its keyword).
    pub name: String,
    /// Added, removed or changed.
    pub change: Change,
    /// The old text as written, when there was one.
    pub old: Option<String>,
    /// The new text as written.
    pub new: Option<String>,
}

/// A policy's name and version, naming one side of a diff.
#[derive(Clone, Debug, Serialize)]
pub struct Side {
    /// The policy's name.
    pub policy: String,
    /// Its `version`, if it has one.
    pub version: Option<String>,
}

impl Side {
    /// The name and version of `policy`.
    pub fn of(policy: &Policy) -> Side {
        let version = policy.ast().items.iter().find_map(|i| match i {
            Item::Version(v) => Some(v.value.clone()),
            _ => None,
        });
        Side {
            policy: policy.name().to_owned(),
            version,
        }
    }
}

/// The items of one policy, named, with their text as written.
struct Items<'a> {
    source: &'a str,
    /// (item kind, name) → the item's text and a value to compare (`Debug` of the AST node,
    /// which leaves spans out of equality only through `==`; we keep the node itself).
    entries: Vec<(String, String, Node<'a>, Span)>,
}

#[derive(Clone, Copy)]
enum Node<'a> {
    Rule(&'a RuleDef),
    Table(&'a TableDef),
    Field(&'a FieldDecl),
    Other(&'a Item),
}

impl PartialEq for Node<'_> {
    fn eq(&self, other: &Self) -> bool {
        match (self, other) {
            (Node::Rule(a), Node::Rule(b)) => a == b,
            (Node::Table(a), Node::Table(b)) => a == b,
            (Node::Field(a), Node::Field(b)) => a == b,
            (Node::Other(a), Node::Other(b)) => a == b,
            _ => false,
        }
    }
}

impl<'a> Items<'a> {
    fn of(ast: &'a PolicyFile, source: &'a str) -> Items<'a> {
        let mut entries = Vec::new();
        let mut rule = |r: &'a RuleDef| {
            (
                "rule".to_owned(),
                r.name.name.clone(),
                Node::Rule(r),
                r.span,
            )
        };
        for item in &ast.items {
            match item {
                Item::Version(t) => {
                    entries.push((
                        "version".into(),
                        "version".into(),
                        Node::Other(item),
                        t.span,
                    ));
                }
                Item::Timezone(t) => {
                    entries.push((
                        "timezone".into(),
                        "timezone".into(),
                        Node::Other(item),
                        t.span,
                    ));
                }
                Item::Ladder(l) => {
                    entries.push(("ladder".into(), "ladder".into(), Node::Other(item), l.span));
                }
                Item::Record(schema) => {
                    for f in &schema.fields {
                        let name = crate::fmt::format_path(&f.path);
                        entries.push(("field".into(), name, Node::Field(f), f.span));
                    }
                }
                Item::Calendar(c) => {
                    entries.push((
                        "calendar".into(),
                        c.name.name.clone(),
                        Node::Other(item),
                        c.span,
                    ));
                }
                Item::Const(c) => {
                    entries.push((
                        "const".into(),
                        c.name.name.clone(),
                        Node::Other(item),
                        c.span,
                    ));
                }
                Item::Table(t) => {
                    entries.push(("table".into(), t.name.name.clone(), Node::Table(t), t.span));
                }
                Item::Rule(r) => entries.push(rule(r)),
                Item::FirstOf(block) => entries.extend(block.rules.iter().map(&mut rule)),
                Item::Effective(d) => {
                    entries.push((
                        "effective".into(),
                        "effective".into(),
                        Node::Other(item),
                        d.span,
                    ));
                }
                Item::When(w) => {
                    entries.push(("when".into(), "when".into(), Node::Other(item), w.span));
                }
                // A loaded policy's tree is resolved: `override` and `remove` were applied
                // to its base and no longer appear.
                Item::Override(_) | Item::Remove(_) => {}
            }
        }
        Items { source, entries }
    }

    /// The item's text as written, its later lines moved left by the indentation of its
    /// first line so that a rule reads as it would at the top of a file.
    fn text(&self, span: Span) -> String {
        let text = self.source.get(span.start..span.end).unwrap_or_default();
        let line_start = self
            .source
            .get(..span.start)
            .and_then(|before| before.rfind('\n'))
            .map_or(0, |at| at + 1);
        let indent = span.start.saturating_sub(line_start);
        let mut lines = text.lines();
        let mut out = lines.next().unwrap_or_default().to_owned();
        for line in lines {
            out.push('\n');
            let spaces = line.len() - line.trim_start_matches(' ').len();
            out.push_str(line.get(spaces.min(indent)..).unwrap_or(line));
        }
        out
    }

    fn find(&self, item: &str, name: &str) -> Option<&(String, String, Node<'a>, Span)> {
        self.entries
            .iter()
            .find(|(i, n, _, _)| i == item && n == name)
    }
}

/// The structural difference of two policies: every rule, table row, calendar, constant,
/// schema field and setting added, removed or changed, in the order of the old policy
/// (removed and changed) and then of the new (added). A changed table lists its rows added
/// and removed; any other changed item shows its old and new text as written.
pub fn structural(old: &Policy, new: &Policy) -> Vec<ItemChange> {
    let old_items = Items::of(old.ast(), &old.warnings().source().text);
    let new_items = Items::of(new.ast(), &new.warnings().source().text);
    let mut changes = Vec::new();
    for (item, name, node, span) in &old_items.entries {
        match new_items.find(item, name) {
            None => changes.push(ItemChange {
                item: item.clone(),
                name: name.clone(),
                change: Change::Removed,
                old: Some(old_items.text(*span)),
                new: None,
            }),
            Some((_, _, new_node, new_span)) if new_node != node => {
                if let (Node::Table(a), Node::Table(b)) = (node, new_node)
                    && a.params == b.params
                {
                    table_rows(&old_items, a, &new_items, b, &mut changes);
                } else {
                    changes.push(ItemChange {
                        item: item.clone(),
                        name: name.clone(),
                        change: Change::Changed,
                        old: Some(old_items.text(*span)),
                        new: Some(new_items.text(*new_span)),
                    });
                }
            }
            Some(_) => {}
        }
    }
    for (item, name, _, span) in &new_items.entries {
        if old_items.find(item, name).is_none() {
            changes.push(ItemChange {
                item: item.clone(),
                name: name.clone(),
                change: Change::Added,
                old: None,
                new: Some(new_items.text(*span)),
            });
        }
    }
    changes
}

/// The structural difference of two sets: policies matched by name (the newest version of
/// each name on each side) are compared item by item, their items named `POLICY: NAME` when
/// a side holds more than one policy; a policy only on one side is one `policy` item added or
/// removed, with its whole text.
pub fn structural_sets<'a>(
    old: impl IntoIterator<Item = &'a Policy>,
    new: impl IntoIterator<Item = &'a Policy>,
) -> Vec<ItemChange> {
    let newest = |policies: Vec<&'a Policy>| {
        let mut by_name: Vec<&'a Policy> = Vec::new();
        for p in policies {
            match by_name.iter_mut().find(|q| q.name() == p.name()) {
                // Versions come oldest first: a later one replaces an earlier.
                Some(slot) => *slot = p,
                None => by_name.push(p),
            }
        }
        by_name
    };
    let old = newest(old.into_iter().collect());
    let new = newest(new.into_iter().collect());
    if let ([a], [b]) = (old.as_slice(), new.as_slice()) {
        return structural(a, b);
    }
    let whole = |p: &Policy| p.warnings().source().text.clone();
    let mut changes = Vec::new();
    for a in &old {
        match new.iter().find(|b| b.name() == a.name()) {
            Some(b) => changes.extend(structural(a, b).into_iter().map(|mut c| {
                c.name = format!("{}: {}", a.name(), c.name);
                c
            })),
            None => changes.push(ItemChange {
                item: "policy".into(),
                name: a.name().to_owned(),
                change: Change::Removed,
                old: Some(whole(a)),
                new: None,
            }),
        }
    }
    for b in &new {
        if !old.iter().any(|a| a.name() == b.name()) {
            changes.push(ItemChange {
                item: "policy".into(),
                name: b.name().to_owned(),
                change: Change::Added,
                old: None,
                new: Some(whole(b)),
            });
        }
    }
    changes
}

/// Tables up to this many rows (old × new) are compared by longest common subsequence;
/// larger ones row by row at equal positions, to bound the cost.
const LCS_CELLS: usize = 1 << 22;

/// Which rows of `a` and of `b` are kept, in order (the first matching row wins, so a row
/// that moved past another counts as removed and added).
fn kept_rows(a: &[TableRow], b: &[TableRow]) -> (Vec<bool>, Vec<bool>) {
    let (n, m) = (a.len(), b.len());
    let mut keep_a = vec![false; n];
    let mut keep_b = vec![false; m];
    if n.saturating_mul(m) > LCS_CELLS {
        for (i, (x, y)) in a.iter().zip(b).enumerate() {
            if x == y {
                set(&mut keep_a, i);
                set(&mut keep_b, i);
            }
        }
        return (keep_a, keep_b);
    }
    // lengths[i][j]: LCS of a[i..] and b[j..], flattened.
    let width = m + 1;
    let mut lengths = vec![0u32; (n + 1) * width];
    let at = |i: usize, j: usize| i * width + j;
    for i in (0..n).rev() {
        for j in (0..m).rev() {
            let value = if a.get(i) == b.get(j) {
                lengths.get(at(i + 1, j + 1)).copied().unwrap_or(0) + 1
            } else {
                let down = lengths.get(at(i + 1, j)).copied().unwrap_or(0);
                let right = lengths.get(at(i, j + 1)).copied().unwrap_or(0);
                down.max(right)
            };
            if let Some(slot) = lengths.get_mut(at(i, j)) {
                *slot = value;
            }
        }
    }
    let (mut i, mut j) = (0, 0);
    while i < n && j < m {
        if a.get(i) == b.get(j) {
            set(&mut keep_a, i);
            set(&mut keep_b, j);
            i += 1;
            j += 1;
        } else if lengths.get(at(i + 1, j)) >= lengths.get(at(i, j + 1)) {
            i += 1;
        } else {
            j += 1;
        }
    }
    (keep_a, keep_b)
}

fn set(flags: &mut [bool], at: usize) {
    if let Some(flag) = flags.get_mut(at) {
        *flag = true;
    }
}

/// The rows of a table removed and added.
fn table_rows(
    old: &Items<'_>,
    a: &TableDef,
    new: &Items<'_>,
    b: &TableDef,
    changes: &mut Vec<ItemChange>,
) {
    let (keep_a, keep_b) = kept_rows(&a.rows, &b.rows);
    for (row, kept) in a.rows.iter().zip(keep_a) {
        if !kept {
            changes.push(ItemChange {
                item: "row".into(),
                name: a.name.name.clone(),
                change: Change::Removed,
                old: Some(old.text(row.span)),
                new: None,
            });
        }
    }
    for (row, kept) in b.rows.iter().zip(keep_b) {
        if !kept {
            changes.push(ItemChange {
                item: "row".into(),
                name: b.name.name.clone(),
                change: Change::Added,
                old: None,
                new: Some(new.text(row.span)),
            });
        }
    }
}

/// Decisions replayed under an old and a new policy: which changed and how, and the
/// compliance figures before and after. Memory grows with the kinds of change (each with at
/// most `examples` line numbers), not with records.
#[derive(Clone, Debug)]
pub struct DecisionDiff {
    examples: usize,
    records: u64,
    changed: u64,
    moved_deadlines: u64,
    changes: BTreeMap<String, (u64, Vec<u64>)>,
    before: Report,
    after: Report,
}

impl DecisionDiff {
    /// An empty comparison keeping up to `examples` line numbers per change; `old` and
    /// `new` name the rules of each side for the before and after figures.
    pub fn new(old: &Policy, new: &Policy, examples: usize) -> DecisionDiff {
        DecisionDiff::for_sets([old], [new], examples)
    }

    /// Like [`DecisionDiff::new`] for sets of policies (every rule of every policy of each
    /// side is listed in the before and after figures).
    pub fn for_sets<'a>(
        old: impl IntoIterator<Item = &'a Policy>,
        new: impl IntoIterator<Item = &'a Policy>,
        examples: usize,
    ) -> DecisionDiff {
        let mut before = Report::new(ReportConfig::default());
        old.into_iter().for_each(|p| before.declare_rules(p));
        let mut after = Report::new(ReportConfig::default());
        new.into_iter().for_each(|p| after.declare_rules(p));
        DecisionDiff {
            examples,
            records: 0,
            changed: 0,
            moved_deadlines: 0,
            changes: BTreeMap::new(),
            before,
            after,
        }
    }

    /// Compares the decisions of one record (line `line`) under the old and new policy.
    pub fn add(&mut self, line: u64, old: &Decision, new: &Decision) {
        self.records += 1;
        self.before.add(old);
        self.after.add(new);
        let labels = change_labels(old, new);
        if labels.is_empty() {
            if moved_deadline(old, new) {
                self.moved_deadlines += 1;
            }
            return;
        }
        self.changed += 1;
        for label in labels {
            let (count, lines) = self.changes.entry(label).or_default();
            *count += 1;
            if lines.len() < self.examples {
                lines.push(line);
            }
        }
    }

    /// Counts a line that gave no record.
    pub fn add_bad_line(&mut self, line: u64) {
        self.before.add_bad_line(line);
        self.after.add_bad_line(line);
    }

    /// Adds every figure of `other` (other records, same policies and `examples`).
    pub fn merge(&mut self, other: DecisionDiff) {
        self.records += other.records;
        self.changed += other.changed;
        self.moved_deadlines += other.moved_deadlines;
        for (label, (count, lines)) in other.changes {
            let (mine, my_lines) = self.changes.entry(label).or_default();
            *mine += count;
            my_lines.extend(lines);
            my_lines.sort_unstable();
            my_lines.truncate(self.examples);
        }
        self.before.merge(other.before);
        self.after.merge(other.after);
    }

    /// Whether any decision changed.
    pub fn any_changed(&self) -> bool {
        self.changed > 0
    }

    /// The figures.
    pub fn summary(&self) -> DiffSummary {
        let before = self.before.summary();
        let after = self.after.summary();
        let mut changes: Vec<ChangeCount> = self
            .changes
            .iter()
            .map(|(label, (count, lines))| ChangeCount {
                change: label.clone(),
                records: *count,
                examples: lines.clone(),
            })
            .collect();
        changes.sort_by(|a, b| {
            b.records
                .cmp(&a.records)
                .then_with(|| a.change.cmp(&b.change))
        });
        let mut names: Vec<&str> = before
            .total
            .rules
            .iter()
            .chain(&after.total.rules)
            .filter(|r| r.kind == super::RuleKind::Deadline)
            .map(|r| r.rule.as_str())
            .collect();
        names.sort_unstable();
        names.dedup();
        let attainment_of = |s: &Summary, name: &str| {
            s.total
                .rules
                .iter()
                .find(|r| r.rule == name)
                .and_then(|r| r.attainment.clone())
        };
        let attainment = names
            .iter()
            .map(|name| Attainment {
                rule: (*name).to_owned(),
                before: attainment_of(&before, name),
                after: attainment_of(&after, name),
            })
            .collect();
        DiffSummary {
            records: self.records + before.bad_lines.count,
            decisions: self.records,
            bad_lines: before.bad_lines.clone(),
            changed: self.changed,
            unchanged: self.records - self.changed,
            moved_deadlines_only: self.moved_deadlines,
            changes,
            attainment,
        }
    }
}

impl Serialize for DecisionDiff {
    fn serialize<S: serde::Serializer>(&self, serializer: S) -> Result<S::Ok, S::Error> {
        self.summary().serialize(serializer)
    }
}

/// The figures of a [`DecisionDiff`], as `diff --format json` prints them under `"records"`.
#[derive(Clone, Debug, Serialize)]
pub struct DiffSummary {
    /// Non-blank lines read.
    pub records: u64,
    /// Records evaluated under both policies.
    pub decisions: u64,
    /// Lines that gave no record.
    pub bad_lines: super::BadLines,
    /// Records whose decision changed.
    pub changed: u64,
    /// Records whose decision did not change.
    pub unchanged: u64,
    /// Unchanged records where only a deadline instant moved.
    pub moved_deadlines_only: u64,
    /// Each kind of change, most frequent first.
    pub changes: Vec<ChangeCount>,
    /// Attainment per deadline rule before and after.
    pub attainment: Vec<Attainment>,
}

/// How many records one change touched.
#[derive(Clone, Debug, Serialize)]
pub struct ChangeCount {
    /// `+ require_approval from "fraud-desk"`, `first_reply: breached → met`, …
    pub change: String,
    /// Records with this change.
    pub records: u64,
    /// The first line numbers, ascending.
    pub examples: Vec<u64>,
}

/// A deadline rule's attainment under both policies (null where it has none).
#[derive(Clone, Debug, Serialize)]
pub struct Attainment {
    /// The rule.
    pub rule: String,
    /// Under the old policy.
    pub before: Option<String>,
    /// Under the new one.
    pub after: Option<String>,
}

/// The labels of every change between two decisions of one record; empty when unchanged.
fn change_labels(old: &Decision, new: &Decision) -> Vec<String> {
    let mut labels = Vec::new();
    let old_actions: Vec<String> = old.actions.iter().map(action_words).collect();
    let mut new_actions: Vec<String> = new.actions.iter().map(action_words).collect();
    let mut removed = Vec::new();
    for action in old_actions {
        if let Some(at) = new_actions.iter().position(|a| *a == action) {
            new_actions.remove(at);
        } else {
            removed.push(action);
        }
    }
    labels.extend(removed.into_iter().map(|a| format!("- {a}")));
    labels.extend(new_actions.into_iter().map(|a| format!("+ {a}")));
    let mut rules: Vec<&str> = old
        .checks
        .iter()
        .chain(&new.checks)
        .map(Check::rule)
        .collect();
    rules.sort_unstable();
    rules.dedup();
    for rule in rules {
        let (before, after) = (status(old, rule), status(new, rule));
        if before != after {
            labels.push(format!("{rule}: {before} → {after}"));
        }
    }
    labels.sort();
    labels.dedup();
    labels
}

/// Whether some deadline kept its status but moved.
fn moved_deadline(old: &Decision, new: &Decision) -> bool {
    old.checks.iter().any(|a| match a {
        Check::Deadline(a) => new.checks.iter().any(|b| match b {
            Check::Deadline(b) => a.rule == b.rule && a.deadline != b.deadline,
            Check::Limit(_) => false,
        }),
        Check::Limit(_) => false,
    })
}

/// A rule's status word in a decision.
fn status(decision: &Decision, rule: &str) -> &'static str {
    if let Some(check) = decision.checks.iter().find(|c| c.rule() == rule) {
        return check.status_word();
    }
    if decision.undecided.iter().any(|u| u.rule == rule) {
        "undecided"
    } else if decision
        .errors
        .iter()
        .any(|e| e.rule.as_deref() == Some(rule))
    {
        "error"
    } else {
        "not applicable"
    }
}

/// An action in words: its kind and arguments (`require_approval from "fraud-desk"`).
pub fn action_words(action: &Action) -> String {
    let quoted = |s: &str| crate::fmt::format_text(s);
    let mut words = match &action.kind {
        ActionKind::Escalate { to } => format!("escalate to {}", quoted(to)),
        ActionKind::Notify { to } => format!("notify {}", quoted(to)),
        ActionKind::Assign { to } => format!("assign to {}", quoted(to)),
        ActionKind::RequireApproval { from } => format!("require_approval from {}", quoted(from)),
        ActionKind::FollowUp { within, .. } => format!("follow_up within {within}"),
        ActionKind::Refund { amount } => format!("refund {amount}"),
        ActionKind::Compensate { amount } => format!("compensate {amount}"),
        ActionKind::Tag { tag } => format!("tag {}", quoted(tag)),
        ActionKind::Set { field, value } => format!("set {field} to {value}"),
        ActionKind::Emit { name } => format!("emit {}", quoted(name)),
    };
    if let Some(args) = &action.args {
        words.push_str(" with ");
        words.push_str(&serde_json::Value::Object(args.clone()).to_string());
    }
    words
}
