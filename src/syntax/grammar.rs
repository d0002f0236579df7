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

/// The pattern of the grammars' expression positions (each folds to one `Expr`), for
/// either grammar's `Rule`: `matches!(rule, expression_rules!(Rule))`.
macro_rules! expression_rules {
    ($rule:ident) => {
        $rule::expr
            | $rule::cond
            | $rule::done_expr
            | $rule::within_expr
            | $rule::start_expr
            | $rule::excluding_expr
            | $rule::by_expr
            | $rule::target_expr
            | $rule::duration_expr
            | $rule::amount_expr
            | $rule::text_expr
            | $rule::limit_value
            | $rule::limit_max
            | $rule::table_output
    };
}
pub(crate) use expression_rules;
