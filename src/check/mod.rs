//! The checker: names, types, units, enumerations and lints → diagnostics.
//!
//! Takes a parsed [`PolicyFile`] and returns every problem in it (SPEC §12), errors and
//! warnings, in one pass; it never stops at the first. The strategy:
//!
//! 1. collect the declarations (schema, ladder, calendars, consts, tables, rule names) and
//!    report duplicates;
//! 2. walk every rule, inferring a type (`types::Ty`) for each expression; consts and table outputs
//!    are typed on first use (so declaration order does not matter, and a cycle is found);
//! 3. check the tables' cells against the types their call sites pass in;
//! 4. run the lints, which need the whole picture (unused names, unread fields, unreachable
//!    rules, shadowed rows, guards that fold to a constant).
//!
//! A type that is not known (a field without a schema, or anything after an error) is
//! `Ty::Unknown`, which every check accepts: one mistake gives one diagnostic.
//! Every walk is bounded by the tree's depth, which the parser limits.

mod cost;
mod exprs;
mod fold;
mod lint;
pub(crate) mod suggest;
mod types;

use std::collections::HashMap;

use crate::ast::{
    CalendarDef, CalendarLine, Clause, ClauseKind, ConstDef, Ident, Item, Ladder, PolicyFile,
    RuleDef, Span, TableDef, Text, Trigger,
};
use crate::diagnostic::{Code, Diagnostic};

use fold::{Folder, Val};
use types::Ty;

/// Checks a parsed policy and returns every problem found, errors and warnings.
///
/// The diagnostics come in the order they were found; [`crate::Diagnostics::new`] sorts them
/// by position.
pub fn check(policy: &PolicyFile) -> Vec<Diagnostic> {
    check_written(policy, "")
}

/// [`check`] with the source the spans point into: lints that judge what the author wrote
/// (`W0007`: a duration *written* in days or weeks) read it there. Where the source does not
/// hold a literal, its canonical spelling stands in.
pub(crate) fn check_written(policy: &PolicyFile, source: &str) -> Vec<Diagnostic> {
    let mut checker = Checker::new(policy);
    checker.source = source;
    checker.run();
    checker.diags.extend(cost::check_costs(policy));
    // A const's problem found again through each of its uses is reported once.
    let mut seen = std::collections::HashSet::new();
    checker
        .diags
        .into_iter()
        .filter(|d| seen.insert((d.code, d.span.start, d.span.end, d.message.clone())))
        .collect()
}

/// The built-in functions of SPEC §6 (aggregates included), for "did you mean" suggestions.
pub(crate) const BUILTINS: [&str; 15] = [
    "len",
    "lower",
    "upper",
    "abs",
    "min",
    "max",
    "date",
    "weekday",
    "hour",
    "business_time",
    "count",
    "sum",
    "any",
    "all",
    "spans",
];

/// Whether a time zone name is in the bundled IANA database.
fn known_time_zone(name: &str) -> bool {
    crate::calendar::time_zone(name).is_some()
}

/// A declared schema field.
struct Field {
    ty: Ty,
    span: Span,
    read: bool,
}

/// Where a const or table output is in being typed.
#[derive(Clone, Debug, PartialEq, Eq)]
enum Progress {
    Todo,
    Busy,
    Done(Ty),
}

struct ConstInfo<'a> {
    def: &'a ConstDef,
    progress: Progress,
    used: bool,
}

struct TableInfo<'a> {
    def: &'a TableDef,
    output: Progress,
    used: bool,
    /// Per parameter: the joined type of the arguments at the call sites, and the field
    /// path of the first argument that is a field (for messages about enumerations).
    args: Vec<(Ty, Option<String>)>,
}

struct CalendarInfo<'a> {
    def: &'a CalendarDef,
    used: bool,
}

/// The state of one check run.
struct Checker<'a> {
    policy: &'a PolicyFile,
    /// The text the spans point into (empty when not known).
    source: &'a str,
    diags: Vec<Diagnostic>,
    /// `None` without a `record { … }` block.
    schema: Option<Vec<(String, Field)>>,
    field_index: HashMap<String, usize>,
    ladder: Option<&'a Ladder>,
    consts: HashMap<&'a str, ConstInfo<'a>>,
    tables: HashMap<&'a str, TableInfo<'a>>,
    calendars: HashMap<&'a str, CalendarInfo<'a>>,
    /// Comprehension variables in scope, innermost last.
    scopes: Vec<(String, Ty)>,
    /// The const being typed, when inside one (record fields are not allowed there).
    in_const: Option<&'a Ident>,
    /// Expression nesting, to stay bounded on hand-built trees.
    depth: usize,
    /// How many errors `diags` holds.
    error_count: usize,
    /// `matches` patterns already compiled, with the problem of each that does not.
    patterns: HashMap<String, Option<String>>,
}

impl<'a> Checker<'a> {
    fn new(policy: &'a PolicyFile) -> Checker<'a> {
        Checker {
            policy,
            source: "",
            diags: Vec::new(),
            schema: None,
            field_index: HashMap::new(),
            ladder: None,
            consts: HashMap::new(),
            tables: HashMap::new(),
            calendars: HashMap::new(),
            scopes: Vec::new(),
            in_const: None,
            depth: 0,
            error_count: 0,
            patterns: HashMap::new(),
        }
    }

    /// How many errors have been reported so far.
    fn errors(&self) -> usize {
        self.error_count
    }

    fn report(&mut self, diagnostic: Diagnostic) {
        if diagnostic.severity() == crate::diagnostic::Severity::Error {
            self.error_count += 1;
        }
        self.diags.push(diagnostic);
    }

    fn run(&mut self) {
        self.collect();
        let policy = self.policy;
        for item in &policy.items {
            match item {
                Item::Rule(rule) => self.rule(rule),
                Item::FirstOf(block) => {
                    for rule in &block.rules {
                        self.rule(rule);
                    }
                    self.first_of_reachability(&block.rules);
                }
                Item::When(when) => self.guard(&when.cond, "when"),
                _ => {}
            }
        }
        // Unused consts and table outputs are checked too: their mistakes are still mistakes.
        for item in &policy.items {
            match item {
                Item::Const(def) => {
                    self.const_ty(&def.name.name, def.name.span, false);
                }
                Item::Table(def) => {
                    self.table_output(&def.name.name);
                }
                _ => {}
            }
        }
        for item in &policy.items {
            if let Item::Table(def) = item {
                self.table_cells(def);
            }
        }
        self.unused();
    }

    // ----- declarations -----

    fn collect(&mut self) {
        let policy = self.policy;
        let mut singles: HashMap<&'static str, Span> = HashMap::new();
        let mut rule_names: HashMap<&'a str, Span> = HashMap::new();
        for item in &policy.items {
            match item {
                Item::Version(text) => self.single(&mut singles, "version", text.span),
                Item::Timezone(text) => {
                    self.single(&mut singles, "timezone", text.span);
                    self.time_zone(text);
                }
                Item::Ladder(ladder) => {
                    self.single(&mut singles, "ladder", ladder.span);
                    if self.ladder.is_none() {
                        self.ladder = Some(ladder);
                    }
                    let mut seen: HashMap<&str, Span> = HashMap::new();
                    for level in &ladder.levels {
                        self.unique(&mut seen, &level.value, level.span, "ladder level");
                    }
                }
                Item::Record(schema) => {
                    self.single(&mut singles, "record", schema.span);
                    if self.schema.is_none() {
                        self.schema(schema);
                    }
                }
                Item::Calendar(def) => {
                    if let Some(first) = self.calendars.get(def.name.name.as_str()) {
                        let first = first.def.name.span;
                        self.duplicate("calendar", &def.name, first);
                    } else {
                        self.calendars
                            .insert(&def.name.name, CalendarInfo { def, used: false });
                    }
                    self.calendar(def);
                }
                Item::Const(def) => {
                    if let Some(first) = self.consts.get(def.name.name.as_str()) {
                        let first = first.def.name.span;
                        self.duplicate("constant", &def.name, first);
                    } else {
                        self.consts.insert(
                            &def.name.name,
                            ConstInfo {
                                def,
                                progress: Progress::Todo,
                                used: false,
                            },
                        );
                    }
                }
                Item::Table(def) => self.declare_table(def),
                Item::Rule(rule) => self.unique_rule(&mut rule_names, rule),
                Item::FirstOf(block) => {
                    for rule in &block.rules {
                        self.unique_rule(&mut rule_names, rule);
                    }
                }
                Item::Effective(date) => self.single(&mut singles, "effective", date.span),
                Item::When(when) => self.single(&mut singles, "when", when.span),
                // The resolve stage merges these into the items above before checking.
                Item::Override(_) | Item::Remove(_) => {}
            }
        }
        self.consts_hiding_fields();
    }

    /// A const named like a declared field would hide the field from every bare path.
    fn consts_hiding_fields(&mut self) {
        let Some(fields) = &mut self.schema else {
            return;
        };
        let mut clashes: Vec<(Span, String, Span)> = Vec::new();
        for (name, info) in &self.consts {
            let index = self.field_index.get(*name).copied();
            if let Some((_, field)) = index.and_then(|i| fields.get_mut(i)) {
                // Reported here; `W0006` would only repeat it.
                field.read = true;
                clashes.push((info.def.name.span, (*name).to_owned(), field.span));
            }
        }
        clashes.sort_by_key(|(span, _, _)| span.start);
        for (span, name, field) in clashes {
            self.report(
                Diagnostic::new(
                    Code::E0101,
                    span,
                    format!("the constant `{name}` has the name of a record field"),
                )
                .with_primary_label("this constant would hide the field")
                .with_label(field, "the field is declared here")
                .with_help(format!("rename the constant, e.g. `{name}_value`")),
            );
        }
    }

    /// `version`, `timezone`, `ladder` and `record` may appear once.
    fn single(&mut self, seen: &mut HashMap<&'static str, Span>, what: &'static str, span: Span) {
        if let Some(first) = seen.get(what) {
            self.report(
                Diagnostic::new(Code::E0101, span, format!("`{what}` is given twice"))
                    .with_primary_label("given again here")
                    .with_label(*first, "first given here")
                    .with_help(format!("keep one `{what}`")),
            );
        } else {
            seen.insert(what, span);
        }
    }

    fn duplicate(&mut self, kind: &str, name: &Ident, first: Span) {
        self.report(
            Diagnostic::new(
                Code::E0101,
                name.span,
                format!("the {kind} `{}` is defined twice", name.name),
            )
            .with_primary_label("defined again here")
            .with_label(first, "first defined here")
            .with_help(format!("rename or remove one of the two `{}`", name.name)),
        );
    }

    fn unique<'s>(
        &mut self,
        seen: &mut HashMap<&'s str, Span>,
        name: &'s str,
        span: Span,
        kind: &str,
    ) {
        if let Some(first) = seen.get(name) {
            self.report(
                Diagnostic::new(
                    Code::E0101,
                    span,
                    format!("the {kind} `{name}` is given twice"),
                )
                .with_primary_label("given again here")
                .with_label(*first, "first given here")
                .with_help(format!("remove one of the two `{name}`")),
            );
        } else {
            seen.insert(name, span);
        }
    }

    fn unique_rule(&mut self, seen: &mut HashMap<&'a str, Span>, rule: &'a RuleDef) {
        if let Some(first) = seen.get(rule.name.name.as_str()) {
            let first = *first;
            self.duplicate("rule", &rule.name, first);
        } else {
            seen.insert(&rule.name.name, rule.name.span);
        }
    }

    fn declare_table(&mut self, def: &'a TableDef) {
        if BUILTINS.contains(&def.name.name.as_str()) {
            self.report(
                Diagnostic::new(
                    Code::E0101,
                    def.name.span,
                    format!(
                        "the table `{}` has the name of a built-in function",
                        def.name.name
                    ),
                )
                .with_primary_label("a built-in function has this name")
                .with_help("rename the table"),
            );
        } else if let Some(first) = self.tables.get(def.name.name.as_str()) {
            let first = first.def.name.span;
            self.duplicate("table", &def.name, first);
        } else {
            self.tables.insert(
                &def.name.name,
                TableInfo {
                    def,
                    output: Progress::Todo,
                    used: false,
                    args: vec![(Ty::Unknown, None); def.params.len()],
                },
            );
        }
        let mut seen: HashMap<&str, Span> = HashMap::new();
        for param in &def.params {
            self.unique(&mut seen, &param.name, param.span, "parameter");
        }
    }

    fn schema(&mut self, schema: &'a crate::ast::Schema) {
        let mut fields: Vec<(String, Field)> = Vec::new();
        for decl in &schema.fields {
            let name = decl.path.dotted();
            if let Some(&index) = self.field_index.get(&name) {
                let first = fields.get(index).map_or(decl.path.span, |(_, f)| f.span);
                self.report(
                    Diagnostic::new(
                        Code::E0101,
                        decl.path.span,
                        format!("the field `{name}` is declared twice"),
                    )
                    .with_primary_label("declared again here")
                    .with_label(first, "first declared here")
                    .with_help("remove one of the two declarations"),
                );
                continue;
            }
            self.object_fields_unique(&decl.ty);
            self.field_index.insert(name.clone(), fields.len());
            fields.push((
                name,
                Field {
                    ty: Ty::from_schema(&decl.ty),
                    span: decl.path.span,
                    read: false,
                },
            ));
        }
        self.schema = Some(fields);
    }

    /// Duplicate member names inside object types, at any depth of the declaration.
    fn object_fields_unique(&mut self, ty: &crate::ast::TypeExpr) {
        let mut pending = vec![ty];
        while let Some(ty) = pending.pop() {
            match &ty.kind {
                crate::ast::TypeKind::List(inner) => pending.push(inner),
                crate::ast::TypeKind::Object(fields) => {
                    let mut seen: HashMap<String, Span> = HashMap::new();
                    for field in fields {
                        let name = field.path.dotted();
                        if let Some(first) = seen.get(&name) {
                            self.report(
                                Diagnostic::new(
                                    Code::E0101,
                                    field.path.span,
                                    format!("the field `{name}` is declared twice"),
                                )
                                .with_primary_label("declared again here")
                                .with_label(*first, "first declared here")
                                .with_help("remove one of the two declarations"),
                            );
                        } else {
                            seen.insert(name, field.path.span);
                        }
                        pending.push(&field.ty);
                    }
                }
                crate::ast::TypeKind::Enum(values) => {
                    let mut seen: HashMap<&str, Span> = HashMap::new();
                    for value in values {
                        self.unique(&mut seen, &value.value, value.span, "enumeration value");
                    }
                }
                _ => {}
            }
        }
    }

    fn time_zone(&mut self, name: &Text) {
        if known_time_zone(&name.value) {
            return;
        }
        let mut diagnostic = Diagnostic::new(
            Code::E0306,
            name.span,
            format!("unknown time zone `{}`", name.value),
        )
        .with_primary_label("not an IANA time zone name");
        diagnostic = diagnostic.with_help(time_zone_help(&name.value));
        self.report(diagnostic);
    }

    /// A calendar is validated by the calendar module itself (intervals, days, its time
    /// zone), against the policy's zone; the checker only passes its diagnostics on.
    fn calendar(&mut self, def: &'a CalendarDef) {
        let policy_tz = self
            .policy
            .items
            .iter()
            .find_map(|item| match item {
                Item::Timezone(name) => crate::calendar::time_zone(&name.value),
                _ => None,
            })
            .unwrap_or(jiff::tz::TimeZone::UTC);
        if let Err(problems) = crate::calendar::Calendar::from_def(def, &policy_tz) {
            for mut problem in problems {
                // A calendar's zone gets the same "did you mean" as the policy's.
                if problem.code == Code::E0306
                    && let Some(zone) = def.lines.iter().find_map(|line| match line {
                        CalendarLine::Timezone(name) if name.span.start == problem.span.start => {
                            Some(name.value.as_str())
                        }
                        _ => None,
                    })
                {
                    problem.help = Some(time_zone_help(zone));
                }
                self.report(problem);
            }
        }
    }

    // ----- names -----

    fn use_calendar(&mut self, name: &Ident) {
        if let Some(info) = self.calendars.get_mut(name.name.as_str()) {
            info.used = true;
            return;
        }
        let candidates: Vec<&str> = self.calendars.keys().copied().collect();
        let help = match suggest::nearest(&name.name, candidates) {
            Some(best) => format!("did you mean `{best}`?"),
            None => format!("declare it with `calendar {} {{ … }}`", name.name),
        };
        self.report(
            Diagnostic::new(
                Code::E0102,
                name.span,
                format!("unknown calendar `{}`", name.name),
            )
            .with_primary_label("no calendar has this name")
            .with_help(help),
        );
    }

    /// The type of a const, typing it now if needed.
    fn const_ty(&mut self, name: &str, at: Span, mark_used: bool) -> Ty {
        let Some(info) = self.consts.get_mut(name) else {
            return Ty::Unknown;
        };
        if mark_used {
            info.used = true;
        }
        let def = info.def;
        match &info.progress {
            Progress::Done(ty) => ty.clone(),
            Progress::Busy => {
                self.report(
                    Diagnostic::new(
                        Code::E0102,
                        at,
                        format!("the constant `{name}` is defined in terms of itself"),
                    )
                    .with_primary_label("used here while it is being defined")
                    .with_label(def.name.span, "defined here")
                    .with_help("give the constant a value that does not refer back to it"),
                );
                Ty::Unknown
            }
            Progress::Todo => {
                info.progress = Progress::Busy;
                let saved_scopes = std::mem::take(&mut self.scopes);
                let saved_const = self.in_const.replace(&def.name);
                let ty = self.expr(&def.value);
                self.in_const = saved_const;
                self.scopes = saved_scopes;
                if let Some(info) = self.consts.get_mut(name) {
                    info.progress = Progress::Done(ty.clone());
                }
                ty
            }
        }
    }

    /// The value of a const, when it folds; `depth` is how deep folding already is.
    fn const_val(&self, name: &str, depth: usize) -> Option<Val> {
        let def = self.consts.get(name)?.def;
        let lookup = |n: &str, d: usize| self.const_val(n, d);
        Folder {
            consts: &lookup,
            depth,
        }
        .fold(&def.value)
    }

    /// The value of an expression that reads no record field, when it folds. Names that a
    /// comprehension variable shadows do not fold.
    fn fold(&self, expr: &crate::ast::Expr) -> Option<Val> {
        let lookup = |n: &str, d: usize| {
            if self.scopes.iter().any(|(v, _)| v == n) {
                None
            } else {
                self.const_val(n, d)
            }
        };
        Folder {
            consts: &lookup,
            depth: 0,
        }
        .fold(expr)
    }

    // ----- rules -----

    fn rule(&mut self, rule: &'a RuleDef) {
        self.rule_shape(rule);
        let check = rule.check().map(|c| &c.kind);
        let mut at_seen: Vec<(rust_decimal::Decimal, Span)> = Vec::new();
        for clause in &rule.clauses {
            match &clause.kind {
                ClauseKind::When(guard) | ClauseKind::Unless(guard) => {
                    let word = if matches!(clause.kind, ClauseKind::When(_)) {
                        "when"
                    } else {
                        "unless"
                    };
                    self.guard(guard, word);
                }
                ClauseKind::Then(actions) => {
                    for action in actions {
                        self.action(action);
                    }
                }
                ClauseKind::Expect(deadline) => self.deadline(deadline),
                ClauseKind::Limit(limit) => self.limit(limit),
                ClauseKind::Handler(handler) => {
                    self.handler(rule, check, handler, &mut at_seen);
                    for action in &handler.actions {
                        self.action(action);
                    }
                }
            }
        }
    }

    /// A `when`/`unless` guard (of a rule, or of the policy): a bool, then its lints.
    fn guard(&mut self, guard: &'a crate::ast::Expr, word: &str) {
        let before = self.errors();
        let ty = self.expr(guard);
        if !ty.is_boolish() {
            self.report(
                Diagnostic::new(
                    Code::E0201,
                    guard.span,
                    format!("the `{word}` guard must be a bool, not {ty:#}"),
                )
                .with_primary_label(format!("this is {ty:#}"))
                .with_help("compare it with something, e.g. `x > 0` or `x == \"a\"`"),
            );
        } else if self.errors() == before {
            // A guard with a type error would only be judged on a wrong reading.
            self.guard_lint(guard, word);
        }
    }

    /// `E0301`: what a rule must have, and what it may have only once.
    fn rule_shape(&mut self, rule: &RuleDef) {
        let mut first_when: Option<&Clause> = None;
        let mut first_unless: Option<&Clause> = None;
        let mut first_check: Option<&Clause> = None;
        let mut has_effect = false;
        for clause in &rule.clauses {
            let (slot, word) = match &clause.kind {
                ClauseKind::When(_) => (&mut first_when, "when"),
                ClauseKind::Unless(_) => (&mut first_unless, "unless"),
                ClauseKind::Expect(_) | ClauseKind::Limit(_) => {
                    has_effect = true;
                    (&mut first_check, "expect` or `limit")
                }
                ClauseKind::Then(_) => {
                    has_effect = true;
                    continue;
                }
                ClauseKind::Handler(_) => continue,
            };
            match slot {
                Some(first) => {
                    let help = if word == "when" || word == "unless" {
                        format!("join the conditions with `and` in one `{word}`")
                    } else {
                        "split the rule in two, one check each".to_owned()
                    };
                    let first_span = first.span;
                    self.report(
                        Diagnostic::new(
                            Code::E0301,
                            clause.span,
                            format!("the rule `{}` has more than one `{word}`", rule.name.name),
                        )
                        .with_primary_label("a second one here")
                        .with_label(first_span, "the first one")
                        .with_help(help),
                    );
                }
                None => *slot = Some(clause),
            }
        }
        if !has_effect {
            self.report(
                Diagnostic::new(
                    Code::E0301,
                    rule.name.span,
                    format!(
                        "the rule `{}` has no `then`, `expect` or `limit`",
                        rule.name.name
                    ),
                )
                .with_primary_label("this rule does nothing")
                .with_help("add `then ACTION`, `expect … within … of …` or `limit … <= …`"),
            );
        }
    }

    /// `E0302`: a handler that does not fit the rule's check.
    fn handler(
        &mut self,
        rule: &RuleDef,
        check: Option<&ClauseKind>,
        handler: &'a crate::ast::Handler,
        at_seen: &mut Vec<(rust_decimal::Decimal, Span)>,
    ) {
        let is_expect = matches!(check, Some(ClauseKind::Expect(_)));
        let is_limit = matches!(check, Some(ClauseKind::Limit(_)));
        let (needs_expect, word) = match &handler.trigger {
            Trigger::At(percent, _) => (true, format!("at {percent}%")),
            Trigger::Breach => (true, "on breach".to_owned()),
            Trigger::AfterBreach(_) => (true, "after breach by".to_owned()),
            Trigger::Met => (true, "on met".to_owned()),
            Trigger::Exceed => (false, "on exceed".to_owned()),
        };
        let fits = if needs_expect { is_expect } else { is_limit };
        if !fits {
            let needed = if needs_expect { "expect" } else { "limit" };
            self.report(
                Diagnostic::new(
                    Code::E0302,
                    handler.span,
                    format!("`{word}` needs a rule with `{needed}`"),
                )
                .with_primary_label(format!("the rule `{}` has no `{needed}`", rule.name.name))
                .with_help(if needs_expect {
                    "deadline handlers (`at`, `on breach`, `after breach by`, `on met`) go with `expect`; use `then` for plain actions"
                } else {
                    "`on exceed` goes with `limit`; use `then` for plain actions"
                }),
            );
        }
        match &handler.trigger {
            Trigger::At(percent, span) => {
                if *percent <= rust_decimal::Decimal::ZERO
                    || *percent > rust_decimal::Decimal::ONE_HUNDRED
                {
                    self.report(
                        Diagnostic::new(
                            Code::E0302,
                            *span,
                            format!("`at {percent}%` must be above `0%` and at most `100%`"),
                        )
                        .with_primary_label("never reached while the deadline is pending")
                        .with_help("use a percent above 0 and at most 100; after the deadline use `on breach` or `after breach by`"),
                    );
                }
                if let Some((_, first)) = at_seen.iter().find(|(p, _)| p == percent) {
                    let first = *first;
                    self.report(
                        Diagnostic::new(
                            Code::E0302,
                            *span,
                            format!(
                                "`at {percent}%` is given twice in the rule `{}`",
                                rule.name.name
                            ),
                        )
                        .with_primary_label("given again here")
                        .with_label(first, "first given here")
                        .with_help("put all the actions under one `at`"),
                    );
                } else {
                    at_seen.push((*percent, *span));
                }
            }
            Trigger::AfterBreach(delay) => {
                let ty = self.expr(delay);
                if !matches!(ty, Ty::Duration | Ty::Unknown) {
                    self.report(
                        Diagnostic::new(
                            Code::E0204,
                            delay.span,
                            format!("`after breach by` needs a duration, not {ty:#}"),
                        )
                        .with_primary_label(format!("this is {ty:#}"))
                        .with_help("write a duration such as `2h`"),
                    );
                }
            }
            _ => {}
        }
    }

    // ----- lints that need everything -----

    fn unused(&mut self) {
        let mut found: Vec<(Span, &str, &str)> = Vec::new();
        for (name, info) in &self.consts {
            if !info.used {
                found.push((info.def.name.span, "constant", name));
            }
        }
        for (name, info) in &self.tables {
            if !info.used {
                found.push((info.def.name.span, "table", name));
            }
        }
        for (name, info) in &self.calendars {
            if !info.used {
                found.push((info.def.name.span, "calendar", name));
            }
        }
        found.sort_by_key(|(span, _, _)| span.start);
        let unused: Vec<Diagnostic> = found
            .into_iter()
            .map(|(span, kind, name)| {
                Diagnostic::new(
                    Code::W0001,
                    span,
                    format!("the {kind} `{name}` is never used"),
                )
                .with_primary_label("defined here")
                .with_help(format!("remove the {kind} or use it in a rule"))
            })
            .collect();
        self.diags.extend(unused);
        if let Some(fields) = &self.schema {
            let unread: Vec<Diagnostic> = fields
                .iter()
                .filter(|(_, f)| !f.read)
                .map(|(name, f)| {
                    Diagnostic::new(
                        Code::W0006,
                        f.span,
                        format!("the field `{name}` is declared but never read"),
                    )
                    .with_primary_label("no expression reads it")
                    .with_help("remove the declaration or use the field in a rule")
                })
                .collect();
            self.diags.extend(unread);
        }
    }
}

/// `did you mean `Asia/Kolkata`?` for a misspelt zone, else where to find a name.
fn time_zone_help(wanted: &str) -> String {
    let names: Vec<String> = jiff::tz::db()
        .available()
        .map(|n| n.as_str().to_owned())
        .collect();
    match suggest::nearest(wanted, names.iter().map(String::as_str)) {
        Some(best) => format!("did you mean `{best}`?"),
        None => "use an IANA name such as `Europe/Berlin`, `Asia/Kolkata` or `UTC`".to_owned(),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_bundled_time_zone_database_is_there() {
        assert!(known_time_zone("Asia/Kolkata"));
        assert!(known_time_zone("UTC"));
        assert!(!known_time_zone("Mars/Olympus"));
    }
}
