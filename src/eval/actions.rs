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

/// One action of the decision being built: indexes only, so that forgetting an
/// evaluation's actions drops nothing.
#[derive(Debug, Clone, Copy)]
struct Gathered {
    action: Kept,
    /// A template's class (equal classes, equal actions).
    class: Option<u32>,
    /// Its rules (indexes into the policy's rules), an index into the pool.
    rules: usize,
    /// Its key once worked out, unless the template has it: an index into `keys`.
    key: Option<usize>,
}

/// Where a gathered action is.
#[derive(Debug, Clone, Copy)]
enum Kept {
    /// An index into the plan's templates.
    Template(u32),
    /// An index into the evaluation's actions computed from the record.
    Owned(usize),
}

/// The actions of one evaluation, reusable across evaluations.
#[derive(Debug, Default)]
pub(crate) struct Actions {
    items: Vec<Gathered>,
    /// Rule lists; the first `used` belong to this evaluation, the rest wait to be reused.
    pool: Vec<Vec<u32>>,
    used: usize,
    /// The actions computed from the record, and the keys worked out for them.
    owned: Vec<Owned>,
    keys: Vec<String>,
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
    action: Kept,
    templates: &'v [Template],
    owned: &'v [Owned],
) -> Option<(&'v ActionKind, Option<&'v Map<String, Json>>)> {
    match action {
        Kept::Template(id) => templates
            .get(id as usize)
            .map(|t| (&t.kind, t.args.as_ref())),
        Kept::Owned(at) => owned.get(at).map(|o| (&o.kind, o.args.as_ref())),
    }
}

impl Actions {
    /// Forgets the previous evaluation's actions, keeping the memory.
    pub(crate) fn clear(&mut self) {
        self.items.clear();
        self.owned.clear();
        self.keys.clear();
        // The lists are emptied when they are reused.
        self.used = 0;
    }

    fn new_list(&mut self, rule: u32) -> usize {
        let index = self.used;
        match self.pool.get_mut(index) {
            Some(list) => {
                list.clear();
                list.push(rule);
            }
            None => self.pool.push(vec![rule]),
        }
        self.used += 1;
        index
    }

    #[inline]
    fn rules(&self, item: &Gathered) -> &[u32] {
        self.pool.get(item.rules).map_or(&[], Vec::as_slice)
    }

    /// Adds an action of rule `rule`, merging it into an equal one required earlier —
    /// except money, which is never merged: every `refund` and `compensate` stays its own
    /// entry.
    pub(crate) fn gather(&mut self, templates: &[Template], action: Required, rule: u32) {
        let owned = match action {
            Required::Template(id) => return self.gather_template(templates, id, rule),
            Required::Owned(owned) => *owned,
        };
        let equal = self.equal_item(templates, &owned.kind, owned.args.as_ref(), None);
        match equal {
            Some(existing) => self.add_rule(existing, rule),
            None => {
                self.owned.push(owned);
                self.push(Kept::Owned(self.owned.len() - 1), None, rule);
            }
        }
    }

    /// [`Actions::gather`] of a template: merged by class with other templates, by value
    /// with actions computed from the record.
    pub(crate) fn gather_template(&mut self, templates: &[Template], id: u32, rule: u32) {
        let Some(template) = templates.get(id as usize) else {
            return;
        };
        let (kind, args) = (&template.kind, template.args.as_ref());
        let equal = self.equal_item(templates, kind, args, Some(template.class));
        match equal {
            Some(existing) => self.add_rule(existing, rule),
            None => self.push(Kept::Template(id), Some(template.class), rule),
        }
    }

    /// The gathered action equal to one of `kind` and `args` (of template class `class`),
    /// if any: equal templates share a class, anything else is compared by value. Money
    /// equals nothing, so that every payment stays its own entry.
    fn equal_item(
        &self,
        templates: &[Template],
        kind: &ActionKind,
        args: Option<&Map<String, Json>>,
        class: Option<u32>,
    ) -> Option<usize> {
        if kind.money().is_some() {
            return None;
        }
        self.items.iter().position(|g| match (g.class, class) {
            (Some(a), Some(b)) => a == b,
            _ => resolve(g.action, templates, &self.owned).is_some_and(|(k, a)| k == kind && a == args),
        })
    }

    /// Adds `rule` to item `item`'s rules, once.
    fn add_rule(&mut self, item: usize, rule: u32) {
        let list = self.items.get(item).map(|g| g.rules);
        if let Some(list) = list.and_then(|l| self.pool.get_mut(l))
            && !list.contains(&rule)
        {
            list.push(rule);
        }
    }

    fn push(&mut self, action: Kept, class: Option<u32>, rule: u32) {
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
            let key = match item.action {
                Kept::Template(_) => continue,
                Kept::Owned(at) => match self.owned.get(at).map(|o| (o, o.kind.money(), &o.key)) {
                    None => continue,
                    Some((owned, money, key)) => match (money, key) {
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
                },
            };
            self.keys.push(key);
            let at = self.keys.len() - 1;
            if let Some(item) = self.items.get_mut(index) {
                item.key = Some(at);
            }
        }
    }

    /// The actions, in decision order (after [`Actions::finish`]).
    pub(crate) fn iter<'v>(&'v self, templates: &'v [Template]) -> impl Iterator<Item = View<'v>> {
        self.items
            .iter()
            .filter_map(move |item| self.view(item, templates))
    }

    /// One gathered action as the decision shows it.
    #[inline]
    fn view<'v>(&'v self, item: &Gathered, templates: &'v [Template]) -> Option<View<'v>> {
        let (template, kind, args, key) = match item.action {
            Kept::Template(id) => {
                let t = templates.get(id as usize)?;
                (Some(t), &t.kind, t.args.as_ref(), &*t.key)
            }
            Kept::Owned(at) => {
                let o = self.owned.get(at)?;
                (None, &o.kind, o.args.as_ref(), "")
            }
        };
        let key = match item.key {
            Some(at) => self.keys.get(at).map_or("", String::as_str),
            None => key,
        };
        Some(View {
            template,
            kind,
            args,
            rules: self.rules(item),
            key,
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
        let rank = |g: &Gathered| match resolve(g.action, templates, &self.owned) {
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
        let is_set = |g: &Gathered| {
            matches!(resolve(g.action, templates, &self.owned), Some((ActionKind::Set { .. }, _)))
        };
        // Most decisions set nothing: no map to build.
        if !self.items.iter().any(is_set) {
            return;
        }
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
            let Some((ActionKind::Set { field, value }, _)) = resolve(g.action, templates, &self.owned) else {
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

#[cfg(test)]
mod tests {
    use super::*;

    fn template(to: &str, class: u32) -> Template {
        Template {
            kind: ActionKind::Escalate { to: to.to_owned() },
            args: None,
            key: to.into(),
            class,
            json: (Box::from(""), Box::from("")),
        }
    }

    fn rules_of(actions: &Actions, templates: &[Template]) -> Vec<Vec<u32>> {
        actions.iter(templates).map(|v| v.rules.to_vec()).collect()
    }

    #[test]
    fn templates_merge_by_class_within_one_evaluation_only() {
        // Templates 0 and 2 are equal (class 0); 1 differs.
        let templates = [template("a", 0), template("b", 1), template("a", 0)];
        // Never cleared yet: the first evaluation of a new buffer.
        let mut actions = Actions::default();
        actions.gather_template(&templates, 0, 7);
        actions.gather_template(&templates, 1, 8);
        actions.gather_template(&templates, 2, 9);
        actions.gather_template(&templates, 2, 9);
        assert_eq!(rules_of(&actions, &templates), [vec![7, 9], vec![8]]);
        // The next evaluation starts afresh: nothing merges into the last one's items.
        actions.clear();
        actions.gather_template(&templates, 1, 3);
        actions.gather_template(&templates, 0, 4);
        assert_eq!(rules_of(&actions, &templates), [vec![3], vec![4]]);
    }

    #[test]
    fn a_template_merges_into_an_equal_action_computed_from_the_record() {
        let templates = [template("a", 0)];
        let mut actions = Actions::default();
        let owned = Required::owned(ActionKind::Escalate { to: "a".to_owned() }, None, None, 0);
        actions.gather(&templates, owned, 1);
        actions.gather_template(&templates, 0, 2);
        assert_eq!(rules_of(&actions, &templates), [vec![1, 2]]);
    }
}
