//! Compilation: checked AST → an evaluation plan.
//!
//! Takes a [`PolicyFile`] that passed the checker and returns a [`Plan`] that evaluation
//! walks without looking anything up by name: field paths are split into segments with
//! their schema type attached, constants are inlined and folded, literals are values
//! already, regexes are compiled once (with a size limit), tables are flat rows of literal
//! cells, and calendars are built. A policy the checker would have refused still never
//! panics here: whatever cannot be compiled comes back as diagnostics.

mod fast;

use std::collections::HashMap;

use jiff::tz::TimeZone;
use rust_decimal::Decimal;

use crate::ast::{
    self, ActionKind, CellKind, ClauseKind, Expr, ExprKind, Item, LimitOp, PolicyFile, RuleDef,
    Schema, Span, Trigger, TypeKind,
};
use crate::calendar::Calendar;
use crate::diagnostic::{Code, Diagnostic};
use crate::value::{FieldType, Value};

pub use crate::plan::Plan;
pub(crate) use crate::plan::{
    ActionKindPlan, ActionPlan, Block, Builtin, CellPlan, CheckPlan, CompPlan, FieldRef,
    HandlerPlan, Node, RowPlan, RuleIndex, RulePlan, TablePlan, TriggerPlan,
};
use crate::plan::{Env, Kernel, Rendered, Template, field_type, print_expr};

/// The decision JSON's parts a plan knows at load.
fn render(name: &str, version: Option<&str>, rules: &[RulePlan]) -> Rendered {
    let text = |t: &str| serde_json::to_string(t).unwrap_or_default();
    let version = version.map_or_else(|| "null".to_owned(), text);
    Rendered {
        head: format!("{{\"policy\":{},\"version\":{version},\"now\":\"", text(name)).into(),
        rules: rules.iter().map(|r| text(&r.name).into()).collect(),
    }
}

/// Builds the plan of a policy that passed the checker; anything that cannot be compiled
/// (an unknown name, an invalid regex, calendar or time zone) is returned as diagnostics
/// instead. `kernel` folds constants and keys constant actions (the evaluator's work,
/// handed in so that this stage does not depend on `eval`).
pub(crate) fn compile(policy: &PolicyFile, kernel: &dyn Kernel) -> Result<Plan, Vec<Diagnostic>> {
    Compiler::new(policy, kernel).run()
}

/// Folds a node whose inputs are all constant into its value. A node that would fail
/// (a division by zero in a constant) stays as it is, so the error belongs to the rule
/// that evaluates it, not to loading.
fn fold(
    node: Node,
    kernel: &dyn Kernel,
    tables: &[TablePlan],
    calendars: &[Calendar],
    tz: &TimeZone,
) -> Node {
    if !node.foldable() {
        return node;
    }
    let env = Env {
        consts: &[],
        tables,
        calendars,
        tz,
    };
    match kernel.constant(&node, env) {
        Some(value) => Node::Const(value),
        None => node,
    }
}

/// The size limit of a compiled regex, so a policy cannot make evaluation slow or large.
const REGEX_SIZE_LIMIT: usize = 1 << 20;

/// The most memory all the compiled regexes of one policy may take together (16 MiB):
/// each pattern under the 1 MiB limit of one pattern is not enough, many of them add up.
pub const MAX_REGEX_TOTAL: usize = 16 << 20;

/// The heap memory a pattern takes once compiled, as the `regex` crate's engine reports it.
fn compiled_size(pattern: &str) -> usize {
    regex_automata::meta::Regex::builder()
        .configure(regex_automata::meta::Config::new().nfa_size_limit(Some(REGEX_SIZE_LIMIT)))
        .build(pattern)
        .map_or(REGEX_SIZE_LIMIT, |re| re.memory_usage())
}

struct Compiler<'p> {
    ast: &'p PolicyFile,
    schema: Option<&'p Schema>,
    tz: TimeZone,
    consts: HashMap<&'p str, &'p ast::ConstDef>,
    const_cache: HashMap<String, Node>,
    dynamic_consts: Vec<Node>,
    const_stack: Vec<String>,
    calendar_index: HashMap<&'p str, usize>,
    calendars: Vec<Calendar>,
    table_index: HashMap<&'p str, (usize, usize)>,
    tables: Vec<TablePlan>,
    diagnostics: Vec<Diagnostic>,
    /// The memory the regexes compiled so far take.
    regex_bytes: usize,
    kernel: &'p dyn Kernel,
    templates: Vec<Template>,
    /// Templates by key, to find an equal one (the key is a digest: equal templates have
    /// equal keys, and the few of one key are compared).
    template_classes: HashMap<Box<str>, Vec<u32>>,
}

impl<'p> Compiler<'p> {
    fn new(ast: &'p PolicyFile, kernel: &'p dyn Kernel) -> Compiler<'p> {
        Compiler {
            ast,
            schema: None,
            tz: TimeZone::UTC,
            consts: HashMap::new(),
            const_cache: HashMap::new(),
            dynamic_consts: Vec::new(),
            const_stack: Vec::new(),
            calendar_index: HashMap::new(),
            calendars: Vec::new(),
            table_index: HashMap::new(),
            tables: Vec::new(),
            diagnostics: Vec::new(),
            regex_bytes: 0,
            kernel,
            templates: Vec::new(),
            template_classes: HashMap::new(),
        }
    }

    fn error(&mut self, code: Code, span: Span, message: impl Into<String>) {
        self.diagnostics.push(Diagnostic::new(code, span, message));
    }

    fn run(mut self) -> Result<Plan, Vec<Diagnostic>> {
        let mut version = None;
        let mut ladder = Vec::new();
        for item in &self.ast.items {
            match item {
                Item::Version(text) => version = Some(text.value.clone()),
                Item::Timezone(text) => match crate::calendar::time_zone(&text.value) {
                    Some(tz) => self.tz = tz,
                    None => self.error(
                        Code::E0306,
                        text.span,
                        format!("unknown time zone `{}`", text.value),
                    ),
                },
                Item::Ladder(l) => ladder = l.levels.iter().map(|t| t.value.clone()).collect(),
                Item::Record(schema) => self.schema = Some(schema),
                Item::Const(c) => {
                    self.consts.insert(&c.name.name, c);
                }
                _ => {}
            }
        }
        for item in &self.ast.items {
            if let Item::Calendar(def) = item {
                match Calendar::from_def(def, &self.tz) {
                    Ok(calendar) => {
                        self.calendar_index
                            .insert(&def.name.name, self.calendars.len());
                        self.calendars.push(calendar);
                    }
                    Err(diagnostics) => self.diagnostics.extend(diagnostics),
                }
            }
        }
        // Tables are indexed before any is compiled so that outputs may call other tables
        // (a table is compiled before its callers need its index, not its rows).
        let mut table_defs = Vec::new();
        for item in &self.ast.items {
            if let Item::Table(def) = item {
                self.table_index
                    .insert(&def.name.name, (table_defs.len(), def.params.len()));
                table_defs.push(def);
            }
        }
        self.compile_constants();
        for def in &table_defs {
            let table = self.compile_table(def);
            self.tables.push(table);
        }
        self.refuse_recursion(&table_defs);
        let required = self.required_fields();
        let mut rules = Vec::new();
        let mut blocks = Vec::new();
        for item in &self.ast.items {
            match item {
                Item::Rule(rule) => {
                    blocks.push(Block::Single(rules.len()));
                    rules.push(self.compile_rule(rule));
                }
                Item::FirstOf(block) => {
                    let mut members = Vec::new();
                    for rule in &block.rules {
                        members.push(rules.len());
                        rules.push(self.compile_rule(rule));
                    }
                    blocks.push(Block::FirstOf(members));
                }
                _ => {}
            }
        }
        if !self.diagnostics.is_empty() {
            return Err(self.diagnostics);
        }
        let mut when = None;
        let mut effective = None;
        for item in &self.ast.items {
            match item {
                Item::When(w) => when = Some(self.expr(&w.cond, &mut Vec::new())),
                Item::Effective(d) => match d.date.to_zoned(self.tz.clone()) {
                    Ok(start) => effective = Some(start.timestamp()),
                    Err(e) => self.error(
                        Code::E0304,
                        d.span,
                        format!(
                            "the day `{}` cannot start in the policy's zone: {e}",
                            d.date
                        ),
                    ),
                },
                _ => {}
            }
        }
        if !self.diagnostics.is_empty() {
            return Err(self.diagnostics);
        }
        let index = RuleIndex::build(&rules, &blocks);
        let fast = fast::build(&rules, &blocks, &required);
        let rendered = render(&self.ast.name.value, version.as_deref(), &rules);
        Ok(Plan {
            name: self.ast.name.value.clone(),
            version,
            tz: self.tz,
            ladder,
            required,
            calendars: self.calendars,
            tables: self.tables,
            consts: self.dynamic_consts,
            rules,
            blocks,
            index,
            when,
            effective,
            templates: self.templates,
            fast,
            rendered,
        })
    }

    /// The top-level schema fields that must be present, checked once per record.
    fn required_fields(&self) -> Vec<FieldRef> {
        let Some(schema) = self.schema else {
            return Vec::new();
        };
        schema
            .fields
            .iter()
            .filter(|f| !f.ty.optional)
            .map(|f| FieldRef::new(&f.path, field_type(&f.ty.kind)))
            .collect()
    }

    /// The declared type of a record path: the declaration it names, or a declared object
    /// it reaches into; `Any` without a schema (or for an undeclared path, which the checker
    /// reports).
    fn path_type(&self, segments: &[&str]) -> FieldType {
        self.path_info(segments).0
    }

    /// Whether a record path may be absent by declaration: a declaration on the path (the
    /// path itself or an object holding it) is optional, or an object field on the way
    /// into the longest such declaration is. Without a schema nothing is optional.
    fn path_optional(&self, segments: &[&str]) -> bool {
        self.path_info(segments).1
    }

    /// The type of a record path and whether it may be absent by declaration, from the
    /// longest declaration on the path and the object fields below it.
    fn path_info(&self, segments: &[&str]) -> (FieldType, bool) {
        let Some(schema) = self.schema else {
            return (FieldType::Any, false);
        };
        let mut best: Option<(usize, &TypeKind)> = None;
        let mut optional = false;
        for decl in &schema.fields {
            let n = decl.path.segments.len();
            if n <= segments.len()
                && decl
                    .path
                    .segments
                    .iter()
                    .zip(segments)
                    .all(|(a, b)| a.name == *b)
            {
                optional |= decl.ty.optional;
                if best.is_none_or(|(m, _)| n > m) {
                    best = Some((n, &decl.ty.kind));
                }
            }
        }
        let Some((n, kind)) = best else {
            return (FieldType::Any, optional);
        };
        let mut ty = field_type(kind);
        for segment in segments.iter().skip(n) {
            ty = match ty {
                FieldType::Object(fields) => {
                    match fields.into_iter().find(|f| f.name == *segment) {
                        Some(f) => {
                            optional |= f.optional;
                            f.ty
                        }
                        None => FieldType::Any,
                    }
                }
                _ => FieldType::Any,
            };
        }
        (ty, optional)
    }

    fn compile_table(&mut self, def: &'p ast::TableDef) -> TablePlan {
        let mut rows = Vec::new();
        let scope: Vec<String> = def.params.iter().map(|p| p.name.clone()).collect();
        for row in &def.rows {
            if row.cells.len() != def.params.len() {
                self.error(
                    Code::E0307,
                    row.span,
                    format!(
                        "table `{}` has {} inputs but this row has {} cells",
                        def.name.name,
                        def.params.len(),
                        row.cells.len()
                    ),
                );
            }
            let mut cells = Vec::new();
            for cell in &row.cells {
                let compiled = match &cell.kind {
                    CellKind::Any => CellPlan::Any,
                    CellKind::Equals(e) => CellPlan::Equals(self.literal(e)),
                    CellKind::OneOf(items) => {
                        CellPlan::OneOf(items.iter().map(|e| self.literal(e)).collect())
                    }
                    CellKind::Compare(op, e) => CellPlan::Compare(*op, self.literal(e)),
                };
                cells.push(compiled);
            }
            let mut row_scope = scope.clone();
            let output = self.expr(&row.output, &mut row_scope);
            rows.push(RowPlan { cells, output });
        }
        TablePlan { rows }
    }

    /// A table cell: an expression that folds to a constant.
    fn literal(&mut self, e: &'p Expr) -> Value<'static> {
        match self.expr(e, &mut Vec::new()) {
            Node::Const(v) => v,
            _ => {
                self.error(
                    Code::E0201,
                    e.span,
                    "a table cell must be a literal, a constant or `_`",
                );
                Value::Missing
            }
        }
    }

    fn compile_rule(&mut self, rule: &'p RuleDef) -> RulePlan {
        let mut scope = Vec::new();
        let when = rule.when().map(|e| self.expr(e, &mut scope));
        let unless = rule.unless().map(|e| self.expr(e, &mut scope));
        let then: Vec<ActionPlan> = rule
            .then_actions()
            .map(|a| self.action(rule, a))
            .collect::<Vec<_>>();
        let check = rule.check().and_then(|clause| match &clause.kind {
            ClauseKind::Expect(d) => {
                let calendar = d.using.as_ref().map(|name| self.calendar(name));
                Some(CheckPlan::Deadline {
                    done: self.expr(&d.done, &mut scope),
                    within: self.expr(&d.within, &mut scope),
                    start: self.expr(&d.start, &mut scope),
                    calendar: calendar.flatten(),
                    excluding: d.excluding.as_ref().map(|e| self.expr(e, &mut scope)),
                })
            }
            ClauseKind::Limit(l) => Some(CheckPlan::Limit {
                value: self.expr(&l.value, &mut scope),
                strict: l.op == LimitOp::Below,
                max: self.expr(&l.max, &mut scope),
            }),
            _ => None,
        });
        let handlers = rule
            .handlers()
            .map(|h| HandlerPlan {
                trigger: match &h.trigger {
                    Trigger::At(p, _) => TriggerPlan::At(*p / Decimal::ONE_HUNDRED),
                    Trigger::Breach => TriggerPlan::Breach,
                    Trigger::AfterBreach(e) => TriggerPlan::AfterBreach(self.expr(e, &mut scope)),
                    Trigger::Met => TriggerPlan::Met,
                    Trigger::Exceed => TriggerPlan::Exceed,
                },
                actions: h.actions.iter().map(|a| self.action(rule, a)).collect(),
            })
            .collect();
        RulePlan {
            name: rule.name.name.clone(),
            when,
            unless,
            then,
            check,
            handlers,
        }
    }

    fn action(&mut self, rule: &'p RuleDef, action: &'p ast::Action) -> ActionPlan {
        let mut scope = Vec::new();
        let kind = match &action.kind {
            ActionKind::Escalate(e) => ActionKindPlan::Escalate(self.expr(e, &mut scope)),
            ActionKind::Notify(e) => ActionKindPlan::Notify(self.expr(e, &mut scope)),
            ActionKind::Assign(e) => ActionKindPlan::Assign(self.expr(e, &mut scope)),
            ActionKind::RequireApproval(e) => {
                ActionKindPlan::RequireApproval(self.expr(e, &mut scope))
            }
            ActionKind::FollowUp(e) => ActionKindPlan::FollowUp(self.expr(e, &mut scope)),
            ActionKind::Refund {
                amount,
                compensate: false,
            } => ActionKindPlan::Refund(self.expr(amount, &mut scope)),
            ActionKind::Refund {
                amount,
                compensate: true,
            } => ActionKindPlan::Compensate(self.expr(amount, &mut scope)),
            ActionKind::Tag(e) => ActionKindPlan::Tag(self.expr(e, &mut scope)),
            ActionKind::Set(path, e) => {
                ActionKindPlan::Set(path.dotted(), self.expr(e, &mut scope))
            }
            ActionKind::Emit(e) => ActionKindPlan::Emit(self.expr(e, &mut scope)),
        };
        let args = action
            .args
            .iter()
            .map(|(key, e)| (key.name.clone(), self.expr(e, &mut scope)))
            .collect();
        let mut plan = ActionPlan {
            kind,
            args,
            key: None,
            position: rule.action_position(action).unwrap_or(0),
            template: None,
        };
        let env = Env {
            consts: &[],
            tables: &self.tables,
            calendars: &self.calendars,
            tz: &self.tz,
        };
        let policy = &self.ast.name.value;
        let template = self.kernel.template(policy, &rule.name.name, &plan, env);
        // A template's key is the action's, but for money (whose key covers its rule too).
        plan.key = match &template {
            Some(t) if t.kind.money().is_none() => Some(t.key.clone()),
            _ => self.kernel.action_key(policy, &plan, env),
        };
        if let Some(template) = template {
            plan.template = self.add_template(template);
        }
        plan
    }

    /// Keeps a template, its class that of the first equal one; `None` past `u32` ids.
    fn add_template(&mut self, mut template: Template) -> Option<u32> {
        let id = u32::try_from(self.templates.len()).ok()?;
        template.json = Template::render(&template.kind, template.args.as_ref(), &template.key)?;
        let same = self.template_classes.entry(template.key.clone()).or_default();
        template.class = same
            .iter()
            .copied()
            .find(|&other| {
                self.templates.get(other as usize).is_some_and(|t| {
                    t.kind.money().is_none() && t.kind == template.kind && t.args == template.args
                })
            })
            .unwrap_or(id);
        same.push(id);
        self.templates.push(template);
        Some(id)
    }

    fn calendar(&mut self, name: &ast::Ident) -> Option<usize> {
        let found = self.calendar_index.get(name.name.as_str()).copied();
        if found.is_none() {
            self.error(
                Code::E0102,
                name.span,
                format!("unknown calendar `{}`", name.name),
            );
        }
        found
    }

    /// Compiles an expression and folds it when it needs neither the record nor `now`.
    fn expr(&mut self, e: &'p Expr, scope: &mut Vec<String>) -> Node {
        let node = self.expr_unfolded(e, scope);
        fold(node, self.kernel, &self.tables, &self.calendars, &self.tz)
    }

    fn expr_unfolded(&mut self, e: &'p Expr, scope: &mut Vec<String>) -> Node {
        match &e.kind {
            ExprKind::Literal(lit) => Node::Const(literal_value(lit)),
            ExprKind::List(items) => {
                Node::List(items.iter().map(|i| self.expr(i, scope)).collect())
            }
            ExprKind::Path(path) => self.path(path, scope),
            ExprKind::Now => Node::Now,
            ExprKind::Unary(ast::UnaryOp::Neg, x) => Node::Neg(Box::new(self.expr(x, scope))),
            ExprKind::Unary(ast::UnaryOp::Not, x) => Node::Not(Box::new(self.expr(x, scope))),
            ExprKind::Binary(op, l, r) => {
                let (a, b) = (self.expr(l, scope), self.expr(r, scope));
                let (a, b) = (Box::new(a), Box::new(b));
                match op {
                    ast::BinaryOp::Or => Node::Or(a, b),
                    ast::BinaryOp::And => Node::And(a, b),
                    ast::BinaryOp::Compare(c) => {
                        Node::Compare(*c, a, b, crate::fmt::format_expr(e).into())
                    }
                    ast::BinaryOp::Add => Node::Arith(crate::value::ArithOp::Add, a, b),
                    ast::BinaryOp::Sub => Node::Arith(crate::value::ArithOp::Sub, a, b),
                    ast::BinaryOp::Mul => Node::Arith(crate::value::ArithOp::Mul, a, b),
                    ast::BinaryOp::Div => Node::Arith(crate::value::ArithOp::Div, a, b),
                }
            }
            ExprKind::PercentOf(p, x) => {
                Node::PercentOf(*p / Decimal::ONE_HUNDRED, Box::new(self.expr(x, scope)))
            }
            ExprKind::Test(op, l, r) => {
                let a = Box::new(self.expr(l, scope));
                let text: Box<str> = print_expr(e).into();
                match op {
                    ast::TestOp::In => Node::In(false, a, Box::new(self.expr(r, scope)), text),
                    ast::TestOp::NotIn => Node::In(true, a, Box::new(self.expr(r, scope)), text),
                    ast::TestOp::Contains => Node::Contains(a, Box::new(self.expr(r, scope)), text),
                    ast::TestOp::Matches => match self.expr(r, scope) {
                        Node::Const(Value::Text(pattern)) => {
                            match regex::RegexBuilder::new(&pattern)
                                .size_limit(REGEX_SIZE_LIMIT)
                                .dfa_size_limit(REGEX_SIZE_LIMIT)
                                .build()
                            {
                                Ok(re) => {
                                    self.regex_bytes =
                                        self.regex_bytes.saturating_add(compiled_size(&pattern));
                                    if self.regex_bytes > MAX_REGEX_TOTAL {
                                        self.error(
                                            Code::E0305,
                                            r.span,
                                            format!(
                                                "the policy's regular expressions take more than {MAX_REGEX_TOTAL} bytes compiled ({} with this one)",
                                                self.regex_bytes
                                            ),
                                        );
                                        return Node::Const(Value::Missing);
                                    }
                                    Node::Matches(a, Box::new(re), text)
                                }
                                Err(error) => {
                                    self.error(
                                        Code::E0305,
                                        r.span,
                                        format!("invalid regex `{pattern}`: {error}"),
                                    );
                                    Node::Const(Value::Missing)
                                }
                            }
                        }
                        _ => {
                            self.error(
                                Code::E0201,
                                r.span,
                                "`matches` needs a text literal or constant as its pattern",
                            );
                            Node::Const(Value::Missing)
                        }
                    },
                }
            }
            ExprKind::IsMissing(x, missing) => Node::IsMissing(
                Box::new(self.expr(x, scope)),
                *missing,
                print_expr(e).into(),
            ),
            ExprKind::During(x, cal) => {
                let x = self.expr(x, scope);
                match self.calendar(cal) {
                    Some(index) => Node::During(Box::new(x), index, print_expr(e).into()),
                    None => Node::Const(Value::Missing),
                }
            }
            ExprKind::Call(name, args) => self.call(e, name, args, scope),
            ExprKind::Comprehension(c) => {
                let list = self.expr(&c.list, scope);
                scope.push(c.var.name.clone());
                let slot = scope.len() - 1;
                let body = self.expr(&c.body, scope);
                let filter = c.filter.as_ref().map(|f| self.expr(f, scope));
                scope.pop();
                Node::Comprehension(Box::new(CompPlan {
                    agg: c.agg,
                    slot,
                    list,
                    body,
                    filter,
                    label: crate::fmt::format_expr(e),
                }))
            }
        }
    }

    fn call(
        &mut self,
        e: &'p Expr,
        name: &'p ast::Ident,
        args: &'p [Expr],
        scope: &mut Vec<String>,
    ) -> Node {
        if let Some(&(index, arity)) = self.table_index.get(name.name.as_str()) {
            if args.len() != arity {
                self.error(
                    Code::E0307,
                    e.span,
                    format!(
                        "table `{}` takes {arity} inputs, {} given",
                        name.name,
                        args.len()
                    ),
                );
            }
            let args = args.iter().map(|a| self.expr(a, scope)).collect();
            return Node::Table(index, args, crate::fmt::format_expr(e).into());
        }
        if name.name == "business_time" {
            if let [from, to, cal] = args {
                let calendar = match &cal.kind {
                    ExprKind::Path(p) if p.segments.len() == 1 => {
                        p.segments.first().and_then(|s| self.calendar(s))
                    }
                    _ => None,
                };
                let from = self.expr(from, scope);
                let to = self.expr(to, scope);
                if let Some(calendar) = calendar {
                    return Node::BusinessTime(Box::new(from), Box::new(to), calendar);
                }
                self.error(
                    Code::E0102,
                    cal.span,
                    "`business_time` needs a calendar name as its third argument",
                );
                return Node::Const(Value::Missing);
            }
            self.error(
                Code::E0201,
                e.span,
                "`business_time` takes two times and a calendar",
            );
            return Node::Const(Value::Missing);
        }
        let Some(builtin) = Builtin::from_name(&name.name) else {
            self.diagnostics.push(
                Diagnostic::new(
                    Code::E0102,
                    name.span,
                    format!("unknown function or table `{}`", name.name),
                )
                .with_help(
                    "functions are len, lower, upper, abs, min, max, date, weekday, hour, \
                     business_time, count, sum, any and all",
                ),
            );
            return Node::Const(Value::Missing);
        };
        let (low, high) = builtin.arity();
        if args.len() < low || args.len() > high {
            self.error(
                Code::E0201,
                e.span,
                format!("`{}` takes {}", name.name, builtin.arity_text()),
            );
            return Node::Const(Value::Missing);
        }
        let args = args.iter().map(|a| self.expr(a, scope)).collect();
        Node::Call(builtin, args, crate::fmt::format_expr(e).into())
    }

    /// A path: a comprehension or table variable, a constant, or a record field.
    fn path(&mut self, path: &'p ast::Path, scope: &[String]) -> Node {
        let Some(first) = path.segments.first() else {
            return Node::Const(Value::Missing);
        };
        if let Some(slot) = scope.iter().rposition(|v| *v == first.name) {
            return Node::Var {
                slot,
                rest: path
                    .segments
                    .iter()
                    .skip(1)
                    .map(|s| s.name.clone().into())
                    .collect(),
                label: path.dotted().into(),
            };
        }
        if path.segments.len() == 1
            && let Some(def) = self.consts.get(first.name.as_str()).copied()
        {
            return self.constant(def);
        }
        let segments: Vec<&str> = path.segments.iter().map(|s| s.name.as_str()).collect();
        let ty = self.path_type(&segments);
        let mut field = FieldRef::new(path, ty);
        field.optional = self.path_optional(&segments);
        Node::Field(Box::new(field))
    }

    /// Compiles every constant after the constants it uses, without recursing along chains
    /// of constants (a chain may be as long as the policy). Constants left over use each
    /// other in a cycle.
    fn compile_constants(&mut self) {
        let mut pending: Vec<(&'p ast::ConstDef, Vec<&'p str>)> = Vec::new();
        for item in &self.ast.items {
            if let Item::Const(def) = item {
                let mut uses = Vec::new();
                const_uses(&def.value, &self.consts, &mut Vec::new(), &mut uses);
                pending.push((def, uses));
            }
        }
        loop {
            let mut progressed = false;
            let mut waiting = Vec::new();
            for (def, uses) in pending {
                if uses.iter().all(|u| self.const_cache.contains_key(*u)) {
                    self.constant(def);
                    progressed = true;
                } else {
                    waiting.push((def, uses));
                }
            }
            pending = waiting;
            if !progressed || pending.is_empty() {
                break;
            }
        }
        for (def, _) in pending {
            if self.const_cache.contains_key(&def.name.name) {
                continue;
            }
            self.error(
                Code::E0102,
                def.span,
                format!("constant `{}` is defined in terms of itself", def.name.name),
            );
            self.const_cache
                .insert(def.name.name.clone(), Node::Const(Value::Missing));
        }
    }

    /// Tables and constants that use each other in a cycle would never finish evaluating:
    /// each cycle is a diagnostic on the first table in it.
    fn refuse_recursion(&mut self, table_defs: &[&'p ast::TableDef]) {
        let tables = self.tables.len();
        // Vertices: tables first, then the `now`-dependent constants.
        let mut edges: Vec<Vec<usize>> = Vec::new();
        for table in &self.tables {
            let mut out = Vec::new();
            for row in &table.rows {
                uses(&row.output, tables, &mut out);
            }
            edges.push(out);
        }
        for node in &self.dynamic_consts {
            let mut out = Vec::new();
            uses(node, tables, &mut out);
            edges.push(out);
        }
        // Iterative depth-first search: 0 = unseen, 1 = on the path, 2 = done.
        let mut state = vec![0u8; edges.len()];
        let mut reported = vec![false; tables];
        for root in 0..edges.len() {
            if state.get(root) != Some(&0) {
                continue;
            }
            let mut stack: Vec<(usize, usize)> = vec![(root, 0)];
            if let Some(s) = state.get_mut(root) {
                *s = 1;
            }
            while let Some((vertex, next)) = stack.pop() {
                let Some(target) = edges.get(vertex).and_then(|e| e.get(next)).copied() else {
                    if let Some(s) = state.get_mut(vertex) {
                        *s = 2;
                    }
                    continue;
                };
                stack.push((vertex, next + 1));
                match state.get(target) {
                    Some(0) => {
                        if let Some(s) = state.get_mut(target) {
                            *s = 1;
                        }
                        stack.push((target, 0));
                    }
                    Some(1) => {
                        // A cycle: name the first table on it.
                        let on_cycle = stack
                            .iter()
                            .map(|(v, _)| *v)
                            .skip_while(|v| *v != target)
                            .find(|v| *v < tables);
                        if let Some(table) = on_cycle
                            && let (Some(def), Some(false)) =
                                (table_defs.get(table), reported.get(table))
                        {
                            if let Some(r) = reported.get_mut(table) {
                                *r = true;
                            }
                            self.diagnostics.push(
                                Diagnostic::new(
                                    Code::E0102,
                                    def.name.span,
                                    format!(
                                        "table `{}` uses itself, through its rows or a constant",
                                        def.name.name
                                    ),
                                )
                                .with_help("a table row's output may not lead back to the table"),
                            );
                        }
                    }
                    _ => {}
                }
            }
        }
    }

    /// A constant's compiled value, compiled once; a cycle is a diagnostic.
    fn constant(&mut self, def: &'p ast::ConstDef) -> Node {
        let name = def.name.name.clone();
        if let Some(node) = self.const_cache.get(&name) {
            return node.clone();
        }
        if self.const_stack.contains(&name) {
            self.error(
                Code::E0102,
                def.span,
                format!("constant `{name}` is defined in terms of itself"),
            );
            return Node::Const(Value::Missing);
        }
        self.const_stack.push(name.clone());
        let node = self.expr(&def.value, &mut Vec::new());
        self.const_stack.pop();
        // A constant that needs `now` is shared, not copied into every use: a chain of
        // constants each using the previous twice must stay linear in size and time.
        let node = match node {
            Node::Const(_) => node,
            other => {
                self.dynamic_consts.push(other);
                Node::ConstRef(self.dynamic_consts.len() - 1)
            }
        };
        self.const_cache.insert(name, node.clone());
        node
    }
}

/// The tables (as their index) and `now`-dependent constants (as `tables` + index) a
/// compiled expression uses.
fn uses(node: &Node, tables: usize, out: &mut Vec<usize>) {
    match node {
        Node::Table(index, _, _) => out.push(*index),
        Node::ConstRef(index) => out.push(tables + index),
        _ => {}
    }
    node.each_child(&mut |child| uses(child, tables, out));
}

/// The constants an expression uses (single-segment paths naming a constant that no
/// comprehension variable hides).
fn const_uses<'p>(
    e: &'p Expr,
    consts: &HashMap<&'p str, &'p ast::ConstDef>,
    vars: &mut Vec<&'p str>,
    out: &mut Vec<&'p str>,
) {
    let mut walk = |e: &'p Expr, vars: &mut Vec<&'p str>| const_uses(e, consts, vars, out);
    match &e.kind {
        ExprKind::Path(path) => {
            if let [only] = path.segments.as_slice()
                && !vars.contains(&only.name.as_str())
                && let Some((name, _)) = consts.get_key_value(only.name.as_str())
            {
                walk_done(out, name);
            }
        }
        ExprKind::Literal(_) | ExprKind::Now => {}
        ExprKind::List(items) | ExprKind::Call(_, items) => {
            for item in items {
                walk(item, vars);
            }
        }
        ExprKind::Unary(_, x)
        | ExprKind::PercentOf(_, x)
        | ExprKind::IsMissing(x, _)
        | ExprKind::During(x, _) => walk(x, vars),
        ExprKind::Binary(_, a, b) | ExprKind::Test(_, a, b) => {
            walk(a, vars);
            walk(b, vars);
        }
        ExprKind::Comprehension(c) => {
            walk(&c.list, vars);
            vars.push(&c.var.name);
            walk(&c.body, vars);
            if let Some(filter) = &c.filter {
                walk(filter, vars);
            }
            vars.pop();
        }
    }
}

fn walk_done<'p>(out: &mut Vec<&'p str>, name: &&'p str) {
    if !out.contains(name) {
        out.push(name);
    }
}

/// The value of a literal.
fn literal_value(lit: &ast::Literal) -> Value<'static> {
    match lit {
        ast::Literal::Number(n) => Value::Number(*n),
        ast::Literal::Percent(p) => Value::Number(*p / Decimal::ONE_HUNDRED),
        ast::Literal::Money(m) => Value::Money(*m),
        ast::Literal::Duration(d) => Value::Duration(*d),
        ast::Literal::Date(d) => Value::Date(*d),
        ast::Literal::Time(t, _) => Value::Time(crate::value::whole_second(*t)),
        ast::Literal::Text(t) => Value::Text(t.clone().into()),
        ast::Literal::Bool(b) => Value::Bool(*b),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn assert_send_sync<T: Send + Sync>() {}

    #[test]
    fn plans_are_shareable_across_threads() {
        assert_send_sync::<Plan>();
    }

    fn plan(source: &str) -> Result<Plan, Vec<Diagnostic>> {
        let ast = crate::syntax::parse(source).expect("the test policy parses");
        Plan::new(&ast)
    }

    fn codes(source: &str) -> Vec<Code> {
        match plan(source) {
            Ok(_) => Vec::new(),
            Err(diagnostics) => diagnostics.iter().map(|d| d.code).collect(),
        }
    }

    #[test]
    fn what_cannot_be_compiled_comes_back_as_diagnostics() {
        let cases = [
            (
                r#"policy "P" { rule r { when x matches "(" then tag "t" } }"#,
                Code::E0305,
            ),
            (
                r#"policy "P" { rule r { when nope(x) then tag "t" } }"#,
                Code::E0102,
            ),
            (
                r#"policy "P" { rule r { when x during nowhere then tag "t" } }"#,
                Code::E0102,
            ),
            (
                r#"policy "P" { timezone "Mars/Base" rule r { then tag "t" } }"#,
                Code::E0306,
            ),
            (
                r#"policy "P" { const a = b  const b = a  rule r { when a then tag "t" } }"#,
                Code::E0102,
            ),
            (
                r#"policy "P" { rule r { when x matches y then tag "t" } }"#,
                Code::E0201,
            ),
            (
                r#"policy "P" { table t(a) { "x" => 1 } rule r { when t(1, 2) == 1 then tag "t" } }"#,
                Code::E0307,
            ),
        ];
        for (source, code) in cases {
            assert!(
                codes(source).contains(&code),
                "{source}: {:?}",
                codes(source)
            );
        }
    }

    #[test]
    fn constants_fold_and_fields_resolve_once() {
        let p = plan(
            r#"policy "P" {
                 record { customer.refunds: list<{ amount: money }>  order.total: money }
                 const cap = 5000 INR
                 rule r { when 50% of cap + 10 INR > order.total then tag "t" }
               }"#,
        )
        .unwrap();
        let Some(Node::Compare(_, left, right, text)) =
            p.rules.first().and_then(|r| r.when.as_ref())
        else {
            panic!("not a comparison");
        };
        assert!(
            matches!(left.as_ref(), Node::Const(Value::Money(m)) if m.to_string() == "2510 INR")
        );
        let Node::Field(field) = right.as_ref() else {
            panic!("not a field");
        };
        assert_eq!(field.segments.len(), 2);
        assert_eq!(field.ty, FieldType::Money);
        assert_eq!(text.as_ref(), "50% of cap + 10 INR > order.total");
        assert_eq!(p.required.len(), 2);
    }
}
