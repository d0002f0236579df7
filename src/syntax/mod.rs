//! Syntax: policy text → [`crate::ast::PolicyFile`] with spans, or every syntax error found.

use crate::ast::PolicyFile;
use crate::diagnostic::Diagnostic;

/// Parses a policy source into its AST, or returns every syntax error found.
pub fn parse(source: &str) -> Result<PolicyFile, Vec<Diagnostic>> {
    let _ = source;
    Err(Vec::new())
}
