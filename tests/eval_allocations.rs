//! Evaluation allocates nothing of its own on the path where no rule fires: the only heap
//! blocks are the decision's own (its policy name and version). Counted with a global
//! allocator that counts, per thread, the allocations made while a flag is set.
#![allow(
    clippy::unwrap_used,
    clippy::expect_used,
    clippy::panic,
    clippy::indexing_slicing,
    reason = "tests and benches stop loudly on the unexpected"
)]

use std::alloc::{GlobalAlloc, Layout, System};
use std::cell::Cell;

use serde_json::{Value as Json, json};
#[cfg(feature = "internals")]
use service_policy::compile::Plan;
use service_policy::{EvalOptions, Policy};

struct Counting;

thread_local! {
    static COUNTING: Cell<bool> = const { Cell::new(false) };
    static COUNT: Cell<usize> = const { Cell::new(0) };
}

// SAFETY: every call is passed to the system allocator unchanged; the counter only reads
// and writes thread-local cells, which neither allocate nor unwind.
unsafe impl GlobalAlloc for Counting {
    unsafe fn alloc(&self, layout: Layout) -> *mut u8 {
        if COUNTING.with(Cell::get) {
            COUNT.with(|c| c.set(c.get() + 1));
        }
        // SAFETY: the caller's contract is passed on as is.
        unsafe { System.alloc(layout) }
    }

    unsafe fn dealloc(&self, ptr: *mut u8, layout: Layout) {
        // SAFETY: the caller's contract is passed on as is.
        unsafe { System.dealloc(ptr, layout) }
    }

    unsafe fn realloc(&self, ptr: *mut u8, layout: Layout, new_size: usize) -> *mut u8 {
        if COUNTING.with(Cell::get) {
            COUNT.with(|c| c.set(c.get() + 1));
        }
        // SAFETY: the caller's contract is passed on as is.
        unsafe { System.realloc(ptr, layout, new_size) }
    }
}

#[global_allocator]
static ALLOCATOR: Counting = Counting;

/// The allocations `f` makes on this thread.
fn allocations<T>(f: impl FnOnce() -> T) -> (usize, T) {
    COUNT.with(|c| c.set(0));
    COUNTING.with(|c| c.set(true));
    let out = f();
    COUNTING.with(|c| c.set(false));
    (COUNT.with(Cell::get), out)
}

/// Twenty rules over text, enumerations, numbers, lists, nested fields and deadlines,
/// none of which applies to [`quiet_record`].
fn policy_source() -> String {
    let mut s = String::from(
        r#"policy "Quiet" {
  version "1"
  record {
    queue: text
    priority: "low" | "normal" | "high" | "urgent"
    customer.tier: "standard" | "gold"
    amount: number
    tags: list<text>
    opened_at: time
    first_reply_at: time?
  }
"#,
    );
    for i in 0..20 {
        let guard = match i % 5 {
            0 => format!("queue == \"q{i}\" and priority == \"high\""),
            1 => format!("queue in [\"q{i}\", \"x{i}\"]"),
            2 => format!("priority == \"urgent\" or amount > {}", 1000 + i),
            3 => "customer.tier == \"gold\" and not (tags contains \"vip\")".to_owned(),
            _ => format!("count(t for t in tags where t == \"q{i}\") > 0"),
        };
        s.push_str(&format!(
            "  rule r{i} {{\n    when {guard}\n    expect first_reply_at within 1h of opened_at\n    on breach: escalate to \"lead\"\n  }}\n"
        ));
    }
    s.push_str("}\n");
    s
}

fn quiet_record() -> Json {
    json!({
        "queue": "elsewhere",
        "priority": "normal",
        "customer": {"tier": "standard"},
        "amount": 12,
        "tags": ["new", "returning"],
        "opened_at": "2026-03-02T08:00:00Z",
    })
}

#[cfg(feature = "internals")]
#[test]
fn no_rule_firing_allocates_only_the_decision() {
    let policy = Policy::parse(&policy_source()).unwrap();
    let options = EvalOptions::at("2026-03-02T10:00:00Z".parse().unwrap());
    let record = quiet_record();
    // The decision's own blocks: its policy name and version, and nothing else.
    let (decision_only, _) = allocations(|| (String::from("Quiet"), Some(String::from("1"))));
    assert_eq!(decision_only, 2);

    let (indexed, decision) = allocations(|| policy.evaluate(&record, &options));
    assert!(
        decision.fired.is_empty() && decision.errors.is_empty() && decision.undecided.is_empty()
    );
    assert_eq!(
        indexed, decision_only,
        "indexed evaluation allocated {indexed} blocks"
    );

    let plain = Plan::new(policy.ast()).unwrap().without_index();
    let (walked, decision) =
        allocations(|| service_policy::eval::evaluate(&plain, &record, &options));
    assert!(decision.fired.is_empty());
    assert_eq!(
        walked, decision_only,
        "walking every rule allocated {walked} blocks"
    );
}

#[test]
fn a_firing_rule_allocates_for_what_it_reports() {
    // The counter is live: a rule that fires needs at least its name, its check and its
    // action in the decision.
    let policy = Policy::parse(&policy_source()).unwrap();
    let options = EvalOptions::at("2026-03-02T10:00:00Z".parse().unwrap());
    let mut record = quiet_record();
    record["queue"] = json!("q1");
    let (count, decision) = allocations(|| policy.evaluate(&record, &options));
    assert_eq!(decision.fired, ["r1"]);
    assert!(count > 4, "only {count} allocations for a firing rule");
}
