//! The canonical printer: AST + comments → policy text.

use crate::ast::PolicyFile;

/// Prints a policy in canonical form, keeping its comments. `source` is the text the AST's
/// spans point into.
pub fn format_policy(policy: &PolicyFile, source: &str) -> String {
    let _ = (policy, source);
    String::new()
}
