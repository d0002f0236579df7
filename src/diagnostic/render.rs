//! Rendering diagnostics with source snippets.
