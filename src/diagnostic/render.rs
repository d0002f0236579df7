//! Rendering diagnostics with source snippets.

use super::Diagnostics;

/// Renders diagnostics for people (placeholder until the snippet renderer lands).
pub fn render_human(diags: &Diagnostics, color: bool) -> String {
    let _ = color;
    format!("{diags}\n")
}
