//! The pest parser generated from `grammar/policy.pest`; private to [`crate::syntax`].

/// The generated parser. Its `Rule` enum and parse tree never leave `syntax`.
#[derive(pest_derive::Parser)]
#[grammar = "../grammar/policy.pest"]
pub(crate) struct PolicyParser;
