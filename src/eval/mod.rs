//! Evaluation: plan + record + now → [`Decision`].

use serde::Serialize;

use crate::compile::Plan;

/// Whether a decision carries a trace of every rule.
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq)]
pub enum Explain {
    /// No trace (the fast path).
    #[default]
    Off,
    /// Add `"trace"`.
    On,
}

/// What an evaluation needs besides the record.
#[derive(Clone, Debug)]
pub struct EvalOptions {
    /// The evaluation instant; never read from the clock inside evaluation.
    pub now: jiff::Timestamp,
    /// Whether to add a trace.
    pub explain: Explain,
}

impl EvalOptions {
    /// Options for evaluating at `now`, without a trace.
    pub fn at(now: jiff::Timestamp) -> EvalOptions {
        EvalOptions {
            now,
            explain: Explain::Off,
        }
    }
}

/// The result of evaluating one record.
#[derive(Clone, Debug, Serialize)]
pub struct Decision {
    /// The policy's name.
    pub policy: String,
}

/// Evaluates a record against a plan.
pub fn evaluate(plan: &Plan, record: &serde_json::Value, options: &EvalOptions) -> Decision {
    let _ = (record, options);
    Decision {
        policy: plan.name().to_owned(),
    }
}
