//! service-policy: the full decision (actions with their rules and keys, checks, fired
//! rules), evaluated into a reused buffer as an embedding service would, reduced to its set
//! of actions.

use serde_json::Value as Json;
use service_policy::ActionKind;
use service_policy::{EvalOptions, Evaluation, Policy};

use crate::{Engine, bit2};

struct ServicePolicy {
    policy: Policy,
    options: EvalOptions,
    buffer: Evaluation,
}

/// Parses, checks and compiles the policy.
pub fn load() -> Box<dyn Engine> {
    let policy = match Policy::parse(include_str!("../../workload/cs.policy")) {
        Ok(policy) => policy,
        Err(diagnostics) => {
            eprintln!("service-policy: {diagnostics}");
            std::process::exit(2);
        }
    };
    let now = jiff::Timestamp::from_second(1_772_445_600).unwrap_or(jiff::Timestamp::UNIX_EPOCH);
    Box::new(ServicePolicy {
        policy,
        options: EvalOptions::at(now),
        buffer: Evaluation::new(),
    })
}

impl Engine for ServicePolicy {
    fn name(&self) -> &'static str {
        "service-policy"
    }

    fn decide(&mut self, record: &Json) -> u32 {
        let decision = self
            .policy
            .evaluate_into(record, &self.options, &mut self.buffer);
        if !decision.errors().is_empty() || !decision.undecided().is_empty() {
            eprintln!("service-policy: unexpected errors or undecided rules: {decision:?}");
            std::process::exit(1);
        }
        let mut m = 0;
        for action in decision.actions() {
            m |= match action.kind {
                ActionKind::Escalate { to } => bit2("escalate", to),
                ActionKind::Notify { to } => bit2("notify", to),
                ActionKind::Assign { to } => bit2("assign", to),
                ActionKind::RequireApproval { from } => bit2("require_approval", from),
                ActionKind::Tag { tag } => bit2("tag", tag),
                ActionKind::Emit { name } => bit2("emit", name),
                other => bit2(other.name(), ""),
            };
        }
        m
    }
}
