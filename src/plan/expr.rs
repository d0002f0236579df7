//! Compiled expressions, and which of them constant folding may fold.

use rust_decimal::Decimal;

use crate::ast::{Aggregate, CompareOp};
use crate::value::{ArithOp, FieldType, Value};

/// A record field read: its segments split once, its declared type attached.
#[derive(Debug, Clone)]
pub(crate) struct FieldRef {
    pub(crate) segments: Box<[Box<str>]>,
    pub(crate) dotted: Box<str>,
    pub(crate) ty: FieldType,
    /// Whether the schema declares the path, or an object on it, optional (`T?`): its
    /// absence is then data (SPEC §6).
    pub(crate) optional: bool,
}

impl FieldRef {
    pub(crate) fn new(path: &crate::ast::Path, ty: FieldType) -> FieldRef {
        FieldRef {
            segments: path
                .segments
                .iter()
                .map(|s| s.name.as_str().into())
                .collect(),
            dotted: path.dotted().into(),
            ty,
            optional: false,
        }
    }
}

/// A compiled expression.
#[derive(Debug, Clone)]
pub(crate) enum Node {
    /// A value known at load time.
    Const(Value<'static>),
    /// A record field.
    Field(Box<FieldRef>),
    /// A comprehension or table variable (`slot` counts from the frame's base), then a
    /// path into it.
    Var {
        slot: usize,
        rest: Box<[Box<str>]>,
        label: Box<str>,
    },
    /// `now`.
    Now,
    /// A constant that depends on `now` (index into the plan's constants).
    ConstRef(usize),
    /// A list with computed elements.
    List(Vec<Node>),
    Neg(Box<Node>),
    Not(Box<Node>),
    And(Box<Node>, Box<Node>),
    Or(Box<Node>, Box<Node>),
    /// A comparison and its source text (for traces).
    Compare(CompareOp, Box<Node>, Box<Node>, Box<str>),
    Arith(ArithOp, Box<Node>, Box<Node>),
    /// `P% of X` with the fraction `P/100`.
    PercentOf(Decimal, Box<Node>),
    /// `x in LIST` (or `not in` when the flag is set) and its source text (for traces).
    In(bool, Box<Node>, Box<Node>, Box<str>),
    /// `a contains b` and its source text.
    Contains(Box<Node>, Box<Node>, Box<str>),
    /// `x matches "re"` and its source text.
    Matches(Box<Node>, Box<regex::Regex>, Box<str>),
    /// `x is missing` (flag set) or `x is present`, and its source text.
    IsMissing(Box<Node>, bool, Box<str>),
    /// `t during CALENDAR` (the calendar's index) and its source text.
    During(Box<Node>, usize, Box<str>),
    /// A built-in function, its arguments and its source text (to name an empty `min`).
    Call(Builtin, Vec<Node>, Box<str>),
    BusinessTime(Box<Node>, Box<Node>, usize),
    /// A table call and its source text (named when no row matches).
    Table(usize, Vec<Node>, Box<str>),
    Comprehension(Box<CompPlan>),
}

/// `AGG(BODY for VAR in LIST where FILTER)`.
#[derive(Debug, Clone)]
pub(crate) struct CompPlan {
    pub(crate) agg: Aggregate,
    pub(crate) slot: usize,
    pub(crate) list: Node,
    pub(crate) body: Node,
    pub(crate) filter: Option<Node>,
    pub(crate) label: String,
}

/// The built-in functions.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) enum Builtin {
    Len,
    Lower,
    Upper,
    Abs,
    Min,
    Max,
    Date,
    Weekday,
    Hour,
    Count,
    Sum,
    Any,
    All,
}

impl Builtin {
    pub(crate) fn from_name(name: &str) -> Option<Builtin> {
        Some(match name {
            "len" => Builtin::Len,
            "lower" => Builtin::Lower,
            "upper" => Builtin::Upper,
            "abs" => Builtin::Abs,
            "min" => Builtin::Min,
            "max" => Builtin::Max,
            "date" => Builtin::Date,
            "weekday" => Builtin::Weekday,
            "hour" => Builtin::Hour,
            "count" => Builtin::Count,
            "sum" => Builtin::Sum,
            "any" => Builtin::Any,
            "all" => Builtin::All,
            _ => return None,
        })
    }

    /// The least and most arguments.
    pub(crate) fn arity(self) -> (usize, usize) {
        match self {
            Builtin::Min | Builtin::Max => (1, usize::MAX),
            _ => (1, 1),
        }
    }

    pub(crate) fn arity_text(self) -> &'static str {
        match self {
            Builtin::Min | Builtin::Max => "one list or one or more values",
            Builtin::Count | Builtin::Sum | Builtin::Any | Builtin::All => "one list",
            _ => "one argument",
        }
    }
}

impl Node {
    /// Calls `f` on each direct child.
    pub(crate) fn each_child(&self, f: &mut impl FnMut(&Node)) {
        match self {
            Node::Const(_) | Node::Field(_) | Node::Var { .. } | Node::Now | Node::ConstRef(_) => {}
            Node::List(items) | Node::Call(_, items, _) | Node::Table(_, items, _) => {
                items.iter().for_each(f)
            }
            Node::Neg(x)
            | Node::Not(x)
            | Node::PercentOf(_, x)
            | Node::Matches(x, _, _)
            | Node::IsMissing(x, _, _)
            | Node::During(x, _, _) => f(x),
            Node::And(a, b)
            | Node::Or(a, b)
            | Node::Compare(_, a, b, _)
            | Node::Arith(_, a, b)
            | Node::In(_, a, b, _)
            | Node::Contains(a, b, _)
            | Node::BusinessTime(a, b, _) => {
                f(a);
                f(b);
            }
            Node::Comprehension(c) => {
                f(&c.list);
                f(&c.body);
                if let Some(filter) = &c.filter {
                    f(filter);
                }
            }
        }
    }

    /// Whether the node needs the record, a variable or `now` itself (its children are
    /// already folded, so a node whose children are all constant can be folded).
    pub(crate) fn foldable(&self) -> bool {
        let all = |nodes: &[&Node]| nodes.iter().all(|n| matches!(n, Node::Const(_)));
        match self {
            Node::Const(_) | Node::Field(_) | Node::Var { .. } | Node::Now | Node::ConstRef(_) => {
                false
            }
            Node::List(items) => items.iter().all(|n| matches!(n, Node::Const(_))),
            Node::Neg(x) | Node::Not(x) | Node::PercentOf(_, x) | Node::Matches(x, _, _) => {
                all(&[x])
            }
            Node::IsMissing(x, _, _) | Node::During(x, _, _) => all(&[x]),
            Node::And(a, b)
            | Node::Or(a, b)
            | Node::Compare(_, a, b, _)
            | Node::Arith(_, a, b)
            | Node::In(_, a, b, _)
            | Node::Contains(a, b, _)
            | Node::BusinessTime(a, b, _) => all(&[a, b]),
            Node::Call(_, args, _) | Node::Table(_, args, _) => {
                args.iter().all(|n| matches!(n, Node::Const(_)))
            }
            // A comprehension's body reads its variable; folding its list is enough.
            Node::Comprehension(_) => false,
        }
    }
}
