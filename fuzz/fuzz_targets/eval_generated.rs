//! Generated policies with nested comprehensions (`count`, `any`, `all`, `sum` over record
//! lists, lists inside their elements and written lists), membership tests, and business
//! time on calendars with up to thousands of closed dates, evaluated on generated records
//! under a small step budget and under a ten times larger one.
//!
//! Checks: no panic; the compiled evaluator and the reference interpreter agree byte for
//! byte under both budgets; a rule stopped by the budget gets its `error` entry, and every
//! rule the small budget did not stop comes out exactly as under the larger one (the budget
//! of one rule never affects another). A policy the loader refuses must say why.
#![no_main]

use arbitrary::{Arbitrary, Unstructured};
use libfuzzer_sys::fuzz_target;
use serde_json::{Value, json};
use service_policy::eval::Budget;
use service_policy::{Decision, EvalOptions, Policy};
use std::fmt::Write;

/// What a comprehension variable holds.
#[derive(Clone, Copy, PartialEq)]
enum Kind {
    /// An element of `items` or of an element's `sub`: `{k, v, name, at, tags, sub}`.
    Obj,
    Num,
    Text,
}

/// Builds policy text from fuzz input; every choice is bounded so a policy stays small.
struct Gen<'u, 'd> {
    u: &'u mut Unstructured<'d>,
    vars: Vec<Kind>,
    calendars: usize,
    /// Expression nodes written so far, a bound on the policy's size.
    nodes: usize,
}

const MAX_DEPTH: usize = 6;
const MAX_NODES: usize = 200;

impl Gen<'_, '_> {
    fn pick(&mut self, n: usize) -> usize {
        self.u.choose_index(n).unwrap_or(0)
    }

    fn small(&mut self, max: i64) -> i64 {
        self.u.int_in_range(0..=max).unwrap_or(0)
    }

    fn var_of(&mut self, kind: Kind) -> Option<String> {
        let found: Vec<usize> = (0..self.vars.len())
            .filter(|i| self.vars.get(*i) == Some(&kind))
            .collect();
        if found.is_empty() {
            return None;
        }
        let i = found.get(self.pick(found.len())).copied()?;
        Some(format!("v{i}"))
    }

    fn num(&mut self) -> String {
        match self.pick(5) {
            0 => self.var_of(Kind::Num).unwrap_or_else(|| "x".to_owned()),
            1 | 2 => match self.var_of(Kind::Obj) {
                Some(v) => format!("{v}.{}", ["k", "v"][self.pick(2)]),
                None => "x".to_owned(),
            },
            3 => "x".to_owned(),
            _ => self.small(20).to_string(),
        }
    }

    fn text(&mut self) -> String {
        match self.pick(4) {
            0 => self
                .var_of(Kind::Text)
                .unwrap_or_else(|| "channel".to_owned()),
            1 => match self.var_of(Kind::Obj) {
                Some(v) => format!("{v}.name"),
                None => "channel".to_owned(),
            },
            2 => "channel".to_owned(),
            _ => format!("\"{}\"", NAMES[self.pick(NAMES.len())]),
        }
    }

    fn time(&mut self) -> String {
        match self.pick(4) {
            0 => "opened".to_owned(),
            1 => "now".to_owned(),
            2 => match self.var_of(Kind::Obj) {
                Some(v) => format!("{v}.at"),
                None => "done".to_owned(),
            },
            _ => "done".to_owned(),
        }
    }

    /// A list and the kind of its elements.
    fn list(&mut self) -> (String, Kind) {
        match self.pick(7) {
            0 | 1 => ("items".to_owned(), Kind::Obj),
            2 => match self.var_of(Kind::Obj) {
                Some(v) => (format!("{v}.sub"), Kind::Obj),
                None => ("items".to_owned(), Kind::Obj),
            },
            3 => {
                let n = self.small(4) as usize + 1;
                let items: Vec<String> = (0..n).map(|_| self.small(9).to_string()).collect();
                (format!("[{}]", items.join(", ")), Kind::Num)
            }
            4 => ("nums".to_owned(), Kind::Num),
            5 => match self.var_of(Kind::Obj) {
                Some(v) => (format!("{v}.tags"), Kind::Text),
                None => ("tags".to_owned(), Kind::Text),
            },
            _ => ("tags".to_owned(), Kind::Text),
        }
    }

    /// A list of texts to test membership in: record lists, or a written list long
    /// enough to be hashed.
    fn text_list(&mut self) -> String {
        match self.pick(3) {
            0 => "tags".to_owned(),
            1 => match self.var_of(Kind::Obj) {
                Some(v) => format!("{v}.tags"),
                None => "tags".to_owned(),
            },
            _ => {
                let n = self.small(24) as usize + 1;
                let names: Vec<String> = (0..n)
                    .map(|i| format!("\"{}{i}\"", NAMES[self.pick(NAMES.len())]))
                    .collect();
                format!("[{}]", names.join(", "))
            }
        }
    }

    fn cmp(&mut self) -> &'static str {
        ["<", "<=", ">", ">=", "==", "!="][self.pick(6)]
    }

    /// A comprehension over a fresh variable: the variable is in scope for `body`.
    fn over<T>(&mut self, body: impl FnOnce(&mut Self, &str) -> T) -> (String, String, T) {
        let (list, kind) = self.list();
        let var = format!("v{}", self.vars.len());
        self.vars.push(kind);
        let out = body(self, &var);
        self.vars.pop();
        (var, list, out)
    }

    fn boolean(&mut self, depth: usize) -> String {
        self.nodes += 1;
        if depth >= MAX_DEPTH || self.nodes > MAX_NODES {
            return format!("{} {} {}", self.num(), self.cmp(), self.num());
        }
        match self.pick(12) {
            0 => format!("{} {} {}", self.num(), self.cmp(), self.num()),
            1 => {
                let (var, list, cond) = self.over(|g, _| g.boolean(depth + 1));
                let op = self.cmp();
                let n = self.small(5);
                format!("count({var} for {var} in {list} where {cond}) {op} {n}")
            }
            2 => {
                let (var, list, cond) = self.over(|g, _| g.boolean(depth + 1));
                format!("any({cond} for {var} in {list})")
            }
            3 => {
                let (var, list, cond) = self.over(|g, _| g.boolean(depth + 1));
                format!("all({cond} for {var} in {list})")
            }
            4 => {
                let (var, list, (value, cond)) = self.over(|g, _| (g.num(), g.boolean(depth + 1)));
                let n = self.small(50);
                format!("sum({value} for {var} in {list} where {cond}) > {n}")
            }
            5 => {
                let not = if self.pick(2) == 0 { "" } else { "not " };
                format!("{} {not}in {}", self.text(), self.text_list())
            }
            6 => {
                let n = self.small(5) as usize + 1;
                let items: Vec<String> = (0..n).map(|_| self.small(9).to_string()).collect();
                format!("{} in [{}]", self.num(), items.join(", "))
            }
            7 if self.calendars > 0 => {
                let cal = self.pick(self.calendars);
                let hours = self.small(200);
                let (from, to) = (self.time(), self.time());
                format!("business_time({from}, {to}, c{cal}) > {hours}h")
            }
            8 => format!(
                "({} and {})",
                self.boolean(depth + 1),
                self.boolean(depth + 1)
            ),
            9 => format!(
                "({} or {})",
                self.boolean(depth + 1),
                self.boolean(depth + 1)
            ),
            10 => format!("not ({})", self.boolean(depth + 1)),
            _ => format!("{} == {}", self.text(), self.text()),
        }
    }

    fn calendar(&mut self, index: usize) -> String {
        let zone = [
            "UTC",
            "America/New_York",
            "Europe/Berlin",
            "Australia/Lord_Howe",
        ][self.pick(4)];
        let mut text = format!("  calendar c{index} {{\n    timezone \"{zone}\"\n");
        text.push_str(
            [
                "    mon-fri 09:00-17:00\n",
                "    mon-sun 00:00-24:00\n",
                "    sat 10:00-12:00\n",
            ][self.pick(3)],
        );
        // Up to 4 000 closed dates from a start in 2000..2060, every 1 to 7 days.
        let count = self.small(4_000);
        if count > 0 {
            let mut day = jiff::civil::date(2000, 1, 1)
                .checked_add(jiff::Span::new().days(self.small(60 * 365)))
                .unwrap_or(jiff::civil::date(2000, 1, 1));
            let step = self.small(6) + 1;
            let mut dates = Vec::new();
            for _ in 0..count {
                dates.push(day.to_string());
                match day.checked_add(jiff::Span::new().days(step)) {
                    Ok(next) => day = next,
                    Err(_) => break,
                }
            }
            let _ = writeln!(text, "    closed {}", dates.join(", "));
        }
        text.push_str("  }\n");
        text
    }

    fn policy(&mut self) -> String {
        let mut text = String::from("policy \"Generated\" {\n");
        self.calendars = self.small(2) as usize;
        for i in 0..self.calendars {
            text.push_str(&self.calendar(i));
        }
        let rules = self.small(5) + 1;
        for i in 0..rules {
            if self.calendars > 0 && self.pick(4) == 0 {
                let cal = self.pick(self.calendars);
                let hours = self.small(2_000) + 1;
                let _ = writeln!(
                    text,
                    "  rule r{i} {{ expect done within {hours}h of opened using c{cal}\n    on breach: tag \"late{i}\" }}"
                );
            } else {
                let cond = self.boolean(0);
                let _ = writeln!(text, "  rule r{i} {{ when {cond} then tag \"t{i}\" }}");
            }
        }
        text.push_str("}\n");
        text
    }
}

const NAMES: &[&str] = &["a", "b", "chat", "phone", "vip", "x"];

#[derive(Arbitrary, Debug)]
struct Item {
    k: u8,
    v: i16,
    name: u8,
    at: u32,
    tags: Vec<u8>,
    sub: Vec<Leaf>,
}

#[derive(Arbitrary, Debug)]
struct Leaf {
    k: u8,
    v: i16,
    name: u8,
    at: u32,
    tags: Vec<u8>,
}

#[derive(Arbitrary, Debug)]
struct Record {
    x: i16,
    channel: u8,
    opened: u32,
    done: Option<u32>,
    tags: Vec<u8>,
    nums: Vec<u8>,
    items: Vec<Item>,
    /// How many copies of `items` the record holds, to reach lists far longer than the
    /// input (the budget must still stop every rule).
    repeat: u8,
}

const BASE: i64 = 946_684_800; // 2000-01-01

fn time(offset: u32) -> Value {
    // Seconds from 2000 over about 136 years.
    let t = jiff::Timestamp::from_second(BASE + i64::from(offset))
        .unwrap_or(jiff::Timestamp::UNIX_EPOCH);
    json!(t.to_string())
}

fn name(i: u8) -> &'static str {
    NAMES[usize::from(i) % NAMES.len()]
}

fn tags(list: &[u8]) -> Value {
    json!(list.iter().map(|t| name(*t)).collect::<Vec<_>>())
}

fn leaf(l: &Leaf) -> Value {
    json!({ "k": l.k % 5, "v": l.v, "name": name(l.name), "at": time(l.at), "tags": tags(&l.tags) })
}

fn record(r: &Record) -> Value {
    let items: Vec<Value> = r
        .items
        .iter()
        .map(|i| {
            json!({
                "k": i.k % 5, "v": i.v, "name": name(i.name), "at": time(i.at),
                "tags": tags(&i.tags), "sub": i.sub.iter().map(leaf).collect::<Vec<_>>(),
            })
        })
        .collect();
    let copies = usize::from(r.repeat % 16) + 1;
    let items: Vec<Value> = items
        .iter()
        .cycle()
        .take(items.len() * copies)
        .cloned()
        .collect();
    json!({
        "x": r.x,
        "channel": name(r.channel),
        "opened": time(r.opened),
        "done": r.done.map(time),
        "tags": tags(&r.tags),
        "nums": r.nums.iter().map(|n| n % 10).collect::<Vec<_>>(),
        "items": items,
    })
}

/// Both evaluators under one budget; they must agree byte for byte.
fn evaluate(policy: &Policy, source: &str, record: &Value, options: &EvalOptions) -> Decision {
    let compiled = policy.evaluate(record, options);
    let reference = policy.evaluate_reference(record, options);
    let (a, b) = (
        serde_json::to_string(&compiled).unwrap_or_default(),
        serde_json::to_string(&reference).unwrap_or_default(),
    );
    assert_eq!(
        a, b,
        "the compiled plan and the reference interpreter disagree\n{source}\n{record}\n{:?}",
        options.budget
    );
    compiled
}

fn stopped(decision: &Decision) -> Vec<String> {
    decision
        .errors
        .iter()
        .filter(|e| e.message.contains("evaluation steps"))
        .filter_map(|e| e.rule.clone())
        .collect()
}

fuzz_target!(|data: &[u8]| {
    let mut u = Unstructured::new(data);
    let source = Gen {
        u: &mut u,
        vars: Vec::new(),
        calendars: 0,
        nodes: 0,
    }
    .policy();
    let Ok(input) = Record::arbitrary(&mut u) else {
        return;
    };
    let budget = u.int_in_range(100..=20_000u64).unwrap_or(1_000);
    let now_offset = u.arbitrary::<u32>().unwrap_or(0);
    let policy = match Policy::parse(&source) {
        Ok(policy) => policy,
        Err(diagnostics) => {
            assert!(!diagnostics.is_empty(), "a refusal says why\n{source}");
            return;
        }
    };
    let record = record(&input);
    let now = jiff::Timestamp::from_second(BASE + i64::from(now_offset))
        .unwrap_or(jiff::Timestamp::UNIX_EPOCH);
    let small = EvalOptions::at(now).with_budget(Budget { rule_steps: budget });
    let large = EvalOptions::at(now).with_budget(Budget {
        rule_steps: budget * 10,
    });
    let tight = evaluate(&policy, &source, &record, &small);
    let loose = evaluate(&policy, &source, &record, &large);
    let stopped_tight = stopped(&tight);
    // The larger budget stops no rule the smaller one let finish.
    for rule in stopped(&loose) {
        assert!(
            stopped_tight.contains(&rule),
            "`{rule}` stopped only under the larger budget\n{source}"
        );
    }
    // Every rule the small budget let finish comes out as under the larger one.
    let finished = |d: &Decision| -> Vec<String> {
        d.fired
            .iter()
            .filter(|r| !stopped_tight.contains(r))
            .cloned()
            .collect()
    };
    assert_eq!(finished(&tight), finished(&loose), "{source}\n{record}");
    let other_errors = |d: &Decision| -> Vec<(Option<String>, String)> {
        d.errors
            .iter()
            .filter(|e| e.rule.as_ref().is_none_or(|r| !stopped_tight.contains(r)))
            .map(|e| (e.rule.clone(), e.message.clone()))
            .collect()
    };
    assert_eq!(
        other_errors(&tight),
        other_errors(&loose),
        "{source}\n{record}"
    );
});
