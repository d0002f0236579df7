//! The actions of a decision on their way in: merged, collapsed on the ladder, checked for
//! conflicting `set`s and keyed — shared by the compiled evaluator and the reference
//! interpreter.
//!
//! Strategy: nothing here owns what the plan already knows. An action whose value was
//! worked out at load is kept as the index of its template; only an action computed from
//! the record is owned. The lists of rules per action live in a pool of vectors that is
//! cleared, not freed, between evaluations, so an evaluation into a reused buffer
//! allocates nothing for its actions.

use serde_json::{Map, Value as Json};

use crate::decision::{Action, ActionKind, ErrorEntry};
use crate::plan::Template;

/// An action a rule requires: small, so that gathering moves a word, not an action.
#[derive(Debug, Clone)]
pub(crate) enum Required {
    /// Known at load: an index into the plan's templates.
    Template(u32),
    /// Computed from the record or `now`.
    Owned(Box<Owned>),
}

/// An action computed from the record or `now`.
#[derive(Debug, Clone)]
pub(crate) struct Owned {
    pub(crate) kind: ActionKind,
    pub(crate) args: Option<Map<String, Json>>,
    /// The key, when the plan worked it out at load.
    pub(crate) key: Option<Box<str>>,
    /// The action's position among its rule's actions (a money action's key covers it).
    pub(crate) position: usize,
}

impl Required {
    /// An action computed from the record or `now`.
    pub(crate) fn owned(
        kind: ActionKind,
        args: Option<Map<String, Json>>,
        key: Option<Box<str>>,
        position: usize,
    ) -> Required {
        Required::Owned(Box::new(Owned {
            kind,
            args,
            key,
            position,
        }))
    }
}

/// One action of the decision being built.
#[derive(Debug)]
struct Gathered {
    action: Required,
    /// A template's class (equal classes, equal actions).
    class: Option<u32>,
    /// Its rules (indexes into the policy's rules), an index into the pool.
    rules: usize,
    /// Its key once worked out, unless the template has it.
    key: Option<String>,
}

/// The actions of one evaluation, reusable across evaluations.
#[derive(Debug, Default)]
pub(crate) struct Actions {
    items: Vec<Gathered>,
    /// Rule lists; the first `used` belong to this evaluation, the rest wait to be reused.
    pool: Vec<Vec<u32>>,
    used: usize,
}

/// An action as the decision shows it.
pub(crate) struct View<'v> {
    /// Its template, when it is one.
    pub(crate) template: Option<&'v Template>,
    pub(crate) kind: &'v ActionKind,
    pub(crate) args: Option<&'v Map<String, Json>>,
    pub(crate) rules: &'v [u32],
    pub(crate) key: &'v str,
}

fn resolve<'v>(
    action: &'v Required,
    templates: &'v [Template],
) -> Option<(&'v ActionKind, Option<&'v Map<String, Json>>)> {
    match action {
        Required::Template(id) => templates
            .get(*id as usize)
            .map(|t| (&t.kind, t.args.as_ref())),
        Required::Owned(owned) => Some((&owned.kind, owned.args.as_ref())),
    }
}

impl Actions {
    /// Forgets the previous evaluation's actions, keeping the memory.
    pub(crate) fn clear(&mut self) {
        self.items.clear();
        for list in self.pool.iter_mut().take(self.used) {
            list.clear();
        }
        self.used = 0;
    }

    fn new_list(&mut self, rule: u32) -> usize {
        let index = self.used;
        match self.pool.get_mut(index) {
            Some(list) => list.push(rule),
            None => self.pool.push(vec![rule]),
        }
        self.used += 1;
        index
    }

    fn rules(&self, item: &Gathered) -> &[u32] {
        self.pool.get(item.rules).map_or(&[], Vec::as_slice)
    }

    /// Adds an action of rule `rule`, merging it into an equal one required earlier —
    /// except money, which is never merged: every `refund` and `compensate` stays its own
    /// entry.
    pub(crate) fn gather(&mut self, templates: &[Template], action: Required, rule: u32) {
        let Some((kind, args)) = resolve(&action, templates) else {
            return;
        };
        let class = match &action {
            Required::Template(id) => templates.get(*id as usize).map(|t| t.class),
            Required::Owned(_) => None,
        };
        if kind.money().is_none() {
            let equal = |g: &Gathered| match (g.class, class) {
                (Some(a), Some(b)) => a == b,
                _ => resolve(&g.action, templates).is_some_and(|(k, a)| k == kind && a == args),
            };
            if let Some(existing) = self.items.iter().position(equal) {
                let list = self.items.get(existing).map(|g| g.rules);
                if let Some(list) = list.and_then(|l| self.pool.get_mut(l))
                    && !list.contains(&rule)
                {
                    list.push(rule);
                }
                return;
            }
        }
        let rules = self.new_list(rule);
        self.items.push(Gathered {
            action,
            class,
            rules,
            key: None,
        });
    }

    /// Collapses escalations on the ladder, reports conflicting `set`s and works out the
    /// keys the templates do not hold.
    pub(crate) fn finish<'n>(
        &mut self,
        templates: &[Template],
        policy: &str,
        ladder: &[String],
        rule_name: impl Fn(u32) -> Option<&'n str>,
        errors: &mut Vec<ErrorEntry>,
    ) {
        self.collapse_ladder(templates, ladder);
        self.set_conflicts(templates, &rule_name, errors);
        for index in 0..self.items.len() {
            let Some(item) = self.items.get(index) else {
                continue;
            };
            let key = match &item.action {
                Required::Template(_) => continue,
                Required::Owned(owned) => match (owned.kind.money(), &owned.key) {
                    // A money action's key also covers its rule and its place in the rule,
                    // so equal payments keep distinct keys and none is acted on only once.
                    (Some(_), _) => {
                        let rule = self
                            .rules(item)
                            .first()
                            .and_then(|i| rule_name(*i))
                            .unwrap_or("");
                        let (kind, args) = (&owned.kind, owned.args.as_ref());
                        super::money_key(policy, kind, args, rule, owned.position)
                    }
                    (None, Some(key)) => key.to_string(),
                    (None, None) => super::action_key(policy, &owned.kind, owned.args.as_ref()),
                },
            };
            if let Some(item) = self.items.get_mut(index) {
                item.key = Some(key);
            }
        }
    }

    /// The actions, in decision order (after [`Actions::finish`]).
    pub(crate) fn iter<'v>(&'v self, templates: &'v [Template]) -> impl Iterator<Item = View<'v>> {
        self.items.iter().filter_map(move |item| {
            let (kind, args) = resolve(&item.action, templates)?;
            let key = match (&item.key, &item.action) {
                (Some(key), _) => key.as_str(),
                (None, Required::Template(id)) => &templates.get(*id as usize)?.key,
                (None, Required::Owned(_)) => "",
            };
            let template = match &item.action {
                Required::Template(id) => templates.get(*id as usize),
                Required::Owned(_) => None,
            };
            Some(View {
                template,
                kind,
                args,
                rules: self.rules(item),
                key,
            })
        })
    }

    /// How many actions the decision has.
    pub(crate) fn len(&self) -> usize {
        self.items.len()
    }

    /// The actions as the owned decision holds them.
    pub(crate) fn to_owned<'n>(
        &self,
        templates: &[Template],
        rule_name: impl Fn(u32) -> Option<&'n str>,
    ) -> Vec<Action> {
        self.iter(templates)
            .map(|view| Action {
                kind: view.kind.clone(),
                args: view.args.cloned(),
                rules: view
                    .rules
                    .iter()
                    .filter_map(|i| rule_name(*i).map(str::to_owned))
                    .collect(),
                key: view.key.to_owned(),
            })
            .collect()
    }

    /// With a ladder, every escalation to a level on it collapses into the highest one,
    /// which keeps its place and takes the rules of all of them.
    fn collapse_ladder(&mut self, templates: &[Template], ladder: &[String]) {
        if ladder.is_empty() {
            return;
        }
        let rank = |g: &Gathered| match resolve(&g.action, templates) {
            Some((ActionKind::Escalate { to }, _)) => ladder.iter().position(|level| level == to),
            _ => None,
        };
        let mut best: Option<(usize, usize)> = None;
        for (i, g) in self.items.iter().enumerate() {
            if let Some(r) = rank(g)
                && best.is_none_or(|(_, b)| r > b)
            {
                best = Some((i, r));
            }
        }
        let Some((keep, _)) = best else {
            return;
        };
        let mut rules: Vec<u32> = Vec::new();
        for g in &self.items {
            if rank(g).is_some() {
                rules.extend_from_slice(self.rules(g));
            }
        }
        rules.sort_unstable();
        rules.dedup();
        let mut index = 0;
        self.items.retain(|g| {
            let stay = index == keep || rank(g).is_none();
            index += 1;
            stay
        });
        let kept = self.items.iter().find(|g| rank(g).is_some()).map(|g| g.rules);
        if let Some(list) = kept.and_then(|l| self.pool.get_mut(l)) {
            *list = rules;
        }
    }

    /// Two `set`s of one field with different values are both kept, and reported: one
    /// `conflict` entry per field, naming its values (each cut to a fixed length) with the
    /// rules that set them, so the entry's size does not grow with the square of the rules.
    fn set_conflicts<'n>(
        &self,
        templates: &[Template],
        rule_name: &impl Fn(u32) -> Option<&'n str>,
        errors: &mut Vec<ErrorEntry>,
    ) {
        let name = |rules: &[u32]| {
            rules
                .iter()
                .filter_map(|i| rule_name(*i).map(|r| format!("`{r}`")))
                .collect::<Vec<_>>()
                .join(", ")
        };
        // Per field in order of first `set`: its distinct values in order, with their rules.
        type Values<'v> = Vec<(&'v Json, Vec<u32>)>;
        let mut fields: Vec<(&str, Values<'_>)> = Vec::new();
        let mut by_field: std::collections::HashMap<&str, usize> =
            std::collections::HashMap::new();
        for g in &self.items {
            let Some((ActionKind::Set { field, value }, _)) = resolve(&g.action, templates) else {
                continue;
            };
            let slot = *by_field.entry(field.as_str()).or_insert_with(|| {
                fields.push((field.as_str(), Vec::new()));
                fields.len() - 1
            });
            let Some((_, values)) = fields.get_mut(slot) else {
                continue;
            };
            let g_rules = self.rules(g);
            match values.iter_mut().find(|(v, _)| *v == value) {
                Some((_, rules)) => {
                    for r in g_rules {
                        if !rules.contains(r) {
                            rules.push(*r);
                        }
                    }
                }
                None => values.push((value, g_rules.to_vec())),
            }
        }
        for (field, values) in fields {
            let Some(second) = values.get(1) else {
                continue;
            };
            let rule = second
                .1
                .first()
                .and_then(|r| rule_name(*r))
                .map(str::to_owned);
            let mut parts: Vec<String> = values
                .iter()
                .take(CONFLICT_VALUES_SHOWN)
                .map(|(value, rules)| {
                    format!(
                        "to `{}` by {}",
                        crate::value::describe_json(value),
                        name(rules)
                    )
                })
                .collect();
            if values.len() > CONFLICT_VALUES_SHOWN {
                parts.push(format!(
                    "to {} other values",
                    values.len() - CONFLICT_VALUES_SHOWN
                ));
            }
            let last = parts.pop().unwrap_or_default();
            let listed = if parts.is_empty() {
                last
            } else {
                format!("{} and {last}", parts.join(", "))
            };
            errors.push(ErrorEntry {
                rule,
                field: Some(field.to_owned()),
                message: format!("conflict: `{field}` is set {listed}"),
            });
        }
    }
}

/// How many values of one field a `conflict` entry names; the rest are counted.
const CONFLICT_VALUES_SHOWN: usize = 8;
