//! The pest parsers generated from `grammar/policy.pest` and `grammar/expected.pest`;
//! private to [`crate::syntax`].

/// The parser of every text. Its `Rule` enum and parse tree never leave `syntax`.
#[derive(pest_derive::Parser)]
#[grammar = "../grammar/policy.pest"]
pub(crate) struct PolicyParser;

/// The same language as a plain list of alternatives, parsed only after [`PolicyParser`]
/// refused a text, for pest's record of what it expected there (see `super::error`).
pub(crate) mod expected {
    /// The parser of refused texts. Its `Rule` enum never leaves `syntax`.
    #[derive(pest_derive::Parser)]
    #[grammar = "../grammar/expected.pest"]
    pub(crate) struct ExpectedParser;
}
