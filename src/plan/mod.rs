//! The evaluation plan: what `compile` builds and `eval` walks, so that neither stage
//! depends on the other. Field reads with their schema types, folded constants, compiled
//! regexes, built calendars, flat tables, action keys of constant actions, and the rule
//! index (`index.rs`), which is built from the rules and read per record.

mod expr;
pub(crate) mod fast;
mod index;

use jiff::tz::TimeZone;
use rust_decimal::Decimal;

use crate::ast::{CompareOp, Expr, TypeKind};
use crate::calendar::Calendar;
use crate::value::{FieldType, ObjectField, Value};

pub(crate) use expr::{Builtin, CompPlan, FieldRef, Node};
pub(crate) use index::{RuleIndex, Walk};

/// The evaluation plan of a checked policy: immutable, `Send + Sync`.
#[derive(Debug)]
pub struct Plan {
    pub(crate) name: String,
    pub(crate) version: Option<String>,
    pub(crate) tz: TimeZone,
    pub(crate) ladder: Vec<String>,
    pub(crate) required: Vec<FieldRef>,
    pub(crate) calendars: Vec<Calendar>,
    pub(crate) tables: Vec<TablePlan>,
    /// Constants that depend on `now`, evaluated at most once per evaluation.
    pub(crate) consts: Vec<Node>,
    pub(crate) rules: Vec<RulePlan>,
    pub(crate) blocks: Vec<Block>,
    /// Skips rules whose guard a record's text rules out (`None` when too few are gated).
    pub(crate) index: Option<RuleIndex>,
    /// The policy-level `when`: the records the policy is for (SPEC §16).
    pub(crate) when: Option<Node>,
    /// The start of the `effective` day in the policy's zone.
    pub(crate) effective: Option<jiff::Timestamp>,
    /// The actions whose value is known at load (`ActionPlan::template` points here).
    pub(crate) templates: Vec<Template>,
    /// Typed slots and compiled guards (see `fast.rs`).
    pub(crate) fast: fast::FastPlan,
    /// The decision JSON's constant parts.
    pub(crate) rendered: Rendered,
}

/// An action whose operand and arguments are constants and which does not depend on `now`,
/// worked out once at load: evaluating it only points here.
#[derive(Debug, Clone)]
pub(crate) struct Template {
    pub(crate) kind: crate::decision::ActionKind,
    pub(crate) args: Option<serde_json::Map<String, serde_json::Value>>,
    /// The action's key (for money, also over its rule and position).
    pub(crate) key: Box<str>,
    /// The first template equal to this one (same kind and arguments): two actions merge
    /// when their classes are equal, without comparing their texts.
    pub(crate) class: u32,
    /// Its JSON up to its rules (`{"action":…,"rules":[`) and after them (`],"key":…}`).
    pub(crate) json: (Box<str>, Box<str>),
}

/// The decision JSON's parts the plan knows: written as they are, they make the line a
/// borrowed decision prints without a serialiser (see `DecisionRef::write_json`).
#[derive(Debug, Clone, Default)]
pub(crate) struct Rendered {
    /// `{"policy":NAME,"version":VERSION,"now":"`.
    pub(crate) head: Box<str>,
    /// Each rule's name as a JSON string.
    pub(crate) rules: Vec<Box<str>>,
}

impl Template {
    /// The JSON of an action with `key`, split around its (empty) list of rules.
    pub(crate) fn render(
        kind: &crate::decision::ActionKind,
        args: Option<&serde_json::Map<String, serde_json::Value>>,
        key: &str,
    ) -> Option<(Box<str>, Box<str>)> {
        let json = serde_json::to_string(&crate::decision::ActionJson {
            kind,
            args,
            rules: [(); 0],
            key,
        })
        .ok()?;
        // The rules and the key come last, and a key is hex digits: the last `"rules":[]`
        // is the action's own.
        const RULES: &str = ",\"rules\":[";
        let at = json.rfind(",\"rules\":[],\"key\":")? + RULES.len();
        Some((json.get(..at)?.into(), json.get(at..)?.into()))
    }
}

/// How the rules are grouped: alone, or in a `first of` block (indexes into `rules`).
#[derive(Debug, Clone)]
pub(crate) enum Block {
    Single(usize),
    FirstOf(Vec<usize>),
}

/// A compiled table.
#[derive(Debug, Clone)]
pub(crate) struct TablePlan {
    pub(crate) rows: Vec<RowPlan>,
}

/// One row: literal cells and an output whose variables are the table's inputs.
#[derive(Debug, Clone)]
pub(crate) struct RowPlan {
    pub(crate) cells: Vec<CellPlan>,
    pub(crate) output: Node,
}

/// A compiled table cell.
#[derive(Debug, Clone)]
pub(crate) enum CellPlan {
    Any,
    Equals(Value<'static>),
    OneOf(Vec<Value<'static>>),
    Compare(CompareOp, Value<'static>),
}

/// A compiled rule.
#[derive(Debug, Clone)]
pub(crate) struct RulePlan {
    pub(crate) name: String,
    pub(crate) when: Option<Node>,
    pub(crate) unless: Option<Node>,
    pub(crate) then: Vec<ActionPlan>,
    pub(crate) check: Option<CheckPlan>,
    pub(crate) handlers: Vec<HandlerPlan>,
}

/// A compiled `expect` or `limit`.
#[derive(Debug, Clone)]
pub(crate) enum CheckPlan {
    Deadline {
        done: Node,
        within: Node,
        start: Node,
        calendar: Option<usize>,
        excluding: Option<Node>,
    },
    Limit {
        value: Node,
        strict: bool,
        max: Node,
    },
}

/// A compiled handler.
#[derive(Debug, Clone)]
pub(crate) struct HandlerPlan {
    pub(crate) trigger: TriggerPlan,
    pub(crate) actions: Vec<ActionPlan>,
}

/// When a handler runs.
#[derive(Debug, Clone)]
pub(crate) enum TriggerPlan {
    /// The fraction of the allowed time (0.75 for `at 75%`).
    At(Decimal),
    Breach,
    AfterBreach(Node),
    Met,
    Exceed,
}

/// A compiled action.
#[derive(Debug, Clone)]
pub(crate) struct ActionPlan {
    pub(crate) kind: ActionKindPlan,
    pub(crate) args: Vec<(String, Node)>,
    /// The action's key when its operand and arguments are constants (worked out once
    /// here instead of hashing on every evaluation).
    pub(crate) key: Option<Box<str>>,
    /// Its position among the rule's actions (`RuleDef::action_position`), which a money
    /// action's key covers.
    pub(crate) position: usize,
    /// Its value, when known at load (an index into `Plan::templates`).
    pub(crate) template: Option<u32>,
}

/// The kinds of action, with their operand.
#[derive(Debug, Clone)]
pub(crate) enum ActionKindPlan {
    Escalate(Node),
    Notify(Node),
    Assign(Node),
    RequireApproval(Node),
    FollowUp(Node),
    Refund(Node),
    Compensate(Node),
    Tag(Node),
    Set(String, Node),
    Emit(Node),
}

impl ActionPlan {
    /// The action's operand (every kind has one).
    pub(crate) fn operand(&self) -> &Node {
        match &self.kind {
            ActionKindPlan::Escalate(n)
            | ActionKindPlan::Notify(n)
            | ActionKindPlan::Assign(n)
            | ActionKindPlan::RequireApproval(n)
            | ActionKindPlan::FollowUp(n)
            | ActionKindPlan::Refund(n)
            | ActionKindPlan::Compensate(n)
            | ActionKindPlan::Tag(n)
            | ActionKindPlan::Set(_, n)
            | ActionKindPlan::Emit(n) => n,
        }
    }
}

impl Plan {
    /// The policy's name.
    #[cfg(feature = "internals")]
    pub fn name(&self) -> &str {
        &self.name
    }

    /// The policy's version, if given.
    pub fn version(&self) -> Option<&str> {
        self.version.as_deref()
    }

    /// The same plan without its rule index, so that every rule is evaluated for every
    /// record (the decisions are the same; benches compare the two).
    #[cfg(feature = "internals")]
    pub fn without_index(mut self) -> Plan {
        self.index = None;
        self
    }

    /// The same plan without its typed slots and compiled guards, so that every rule is
    /// evaluated by the general evaluator (the decisions are the same; tests compare them).
    #[cfg(feature = "internals")]
    pub fn without_fast(mut self) -> Plan {
        self.fast = fast::FastPlan::default();
        self
    }

    /// How many rules have a compiled guard.
    #[cfg(feature = "internals")]
    pub fn compiled_guards(&self) -> usize {
        self.fast.rules.iter().flatten().count()
    }

    /// The instant the policy comes into force, if it has an `effective` date.
    pub fn effective_from(&self) -> Option<jiff::Timestamp> {
        self.effective
    }

    /// Whether the policy has a policy-level `when`.
    pub fn has_when(&self) -> bool {
        self.when.is_some()
    }

    /// Whether the plan has a rule index.
    #[cfg(feature = "internals")]
    pub fn is_indexed(&self) -> bool {
        self.index.is_some()
    }

    /// How many record fields the rule index reads to skip rules (0 without an index).
    #[cfg(feature = "internals")]
    pub fn indexed_fields(&self) -> usize {
        self.index.as_ref().map_or(0, RuleIndex::fields)
    }
}

/// What an expression may refer to besides the record.
#[derive(Clone, Copy)]
pub(crate) struct Env<'a> {
    pub(crate) consts: &'a [Node],
    pub(crate) tables: &'a [TablePlan],
    pub(crate) calendars: &'a [Calendar],
    pub(crate) tz: &'a TimeZone,
}

/// The evaluator's part in compiling: folding a constant expression and the key of an
/// action whose operands are constants. `eval` implements it and the caller of `compile`
/// passes it in, so `compile` never depends on `eval`.
pub(crate) trait Kernel {
    /// The value of a node that needs neither the record nor `now`; `None` when it fails.
    fn constant(&self, node: &Node, env: Env<'_>) -> Option<crate::value::Value<'static>>;
    /// The key of an action whose operand and arguments are constants; `None` otherwise.
    fn action_key(&self, policy: &str, action: &ActionPlan, env: Env<'_>) -> Option<Box<str>>;
    /// The value of an action whose operand and arguments are constants and which does not
    /// depend on `now`, with its final key (a money action's covers `rule` and its
    /// position); `None` otherwise. Its `class` is left for the caller.
    fn template(
        &self,
        policy: &str,
        rule: &str,
        action: &ActionPlan,
        env: Env<'_>,
    ) -> Option<Template>;
}

/// The text of an expression as traces and missing names show it.
pub(crate) fn print_expr(e: &Expr) -> String {
    crate::fmt::format_expr(e)
}

/// The field type of a schema type (also used by the reference interpreter).
pub(crate) fn field_type(kind: &TypeKind) -> FieldType {
    match kind {
        TypeKind::Text => FieldType::Text,
        TypeKind::Number => FieldType::Number,
        TypeKind::Bool => FieldType::Bool,
        TypeKind::Money => FieldType::Money,
        TypeKind::Duration => FieldType::Duration,
        TypeKind::Date => FieldType::Date,
        TypeKind::Time => FieldType::Time,
        TypeKind::Enum(options) => {
            FieldType::Enum(options.iter().map(|t| t.value.clone()).collect())
        }
        TypeKind::List(element) => FieldType::List(Box::new(field_type(&element.kind))),
        TypeKind::Object(fields) => FieldType::Object(
            fields
                .iter()
                .map(|f| ObjectField {
                    name: f.path.dotted(),
                    ty: field_type(&f.ty.kind),
                    optional: f.ty.optional,
                })
                .collect(),
        ),
    }
}
