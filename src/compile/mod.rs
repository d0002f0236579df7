//! Compilation: checked AST → an evaluation plan.

use crate::ast::PolicyFile;
use crate::diagnostic::Diagnostic;

/// The evaluation plan of a checked policy.
#[derive(Debug)]
pub struct Plan {
    name: String,
}

impl Plan {
    /// Builds the plan of a policy that passed the checker.
    pub fn new(policy: &PolicyFile) -> Result<Plan, Vec<Diagnostic>> {
        Ok(Plan {
            name: policy.name.value.clone(),
        })
    }

    /// The policy's name.
    pub fn name(&self) -> &str {
        &self.name
    }
}
