//! Syntax: policy text → [`crate::ast::PolicyFile`] with spans, or every syntax error found.
//!
//! Strategy, in four steps:
//! 1. A lexical pre-scan (`scan`) collects comments and refuses, before any recursion,
//!    a source over [`MAX_SOURCE_BYTES`] or nesting `(`, `[`, `{` deeper than
//!    [`MAX_NESTING`] (`E0002`), and unterminated texts.
//! 2. pest parses the whole file with the grammar in `grammar/policy.pest`.
//! 3. Lowering turns the parse tree into the AST, checking every literal once and
//!    folding operators with a Pratt parser; problems become `E0001`/`E0002`.
//! 4. When the parse fails, the body is split into its top-level items (and the rules of
//!    a failing `first of`) and each is parsed on its own, so a file with mistakes in
//!    three rules reports three errors, not one.
//!
//! The pest parse tree never leaves this module.

mod error;
mod grammar;
mod literal;
mod lower;
mod scan;

use pest::Parser;

use crate::ast::{PolicyFile, Span};
use crate::diagnostic::Diagnostic;
use error::Entry;
use grammar::{PolicyParser, Rule};
use lower::Lower;

pub use lower::MAX_EXPR_DEPTH;
pub use scan::{MAX_NESTING, MAX_SOURCE_BYTES};

/// The reserved words of SPEC §3. A bare field path cannot start with one of them (the
/// grammar's `keyword` rule lists the same words; a test keeps the two in step).
pub const KEYWORDS: &[&str] = &[
    "policy",
    "version",
    "timezone",
    "ladder",
    "record",
    "calendar",
    "closed",
    "const",
    "table",
    "rule",
    "first",
    "of",
    "when",
    "unless",
    "then",
    "expect",
    "within",
    "using",
    "excluding",
    "limit",
    "at",
    "on",
    "breach",
    "met",
    "exceed",
    "after",
    "by",
    "and",
    "or",
    "not",
    "in",
    "is",
    "missing",
    "present",
    "contains",
    "matches",
    "during",
    "true",
    "false",
    "now",
    "for",
    "where",
    "escalate",
    "to",
    "notify",
    "assign",
    "require",
    "approval",
    "from",
    "follow",
    "up",
    "refund",
    "compensate",
    "tag",
    "set",
    "emit",
    "with",
    "list",
];

/// Parses a policy source into its AST, or returns every syntax error found.
///
/// ```
/// let ast = service_policy::syntax::parse(r#"policy "Demo" { rule r { then tag "x" } }"#).unwrap();
/// assert_eq!(ast.name.value, "Demo");
/// let errors = service_policy::syntax::parse(r#"policy "Demo" { rule r { then } }"#).unwrap_err();
/// assert_eq!(errors[0].code, service_policy::Code::E0001);
/// ```
pub fn parse(source: &str) -> Result<PolicyFile, Vec<Diagnostic>> {
    let comments = scan::prescan(source)?;
    match PolicyParser::parse(Rule::file, source) {
        Ok(mut pairs) => {
            let lower = Lower::new(0);
            let file = pairs
                .next()
                .and_then(|pair| lower.lower_file(pair, comments));
            let errors = lower.finish();
            match file {
                Some(file) if errors.is_empty() => Ok(file),
                _ => Err(errors),
            }
        }
        Err(e) => Err(recover(source, &e)),
    }
}

/// After a failed parse: the file's own error, plus those of each item parsed alone.
fn recover(source: &str, file_error: &pest::error::Error<Rule>) -> Vec<Diagnostic> {
    let first = error::to_diagnostic(file_error, source, 0, Entry::File);
    let mut errors = vec![first];
    for piece in scan::items(source) {
        let errs = parse_piece(source, piece.span, Entry::Item);
        if piece.first_of
            && errs
                .iter()
                .any(|d| d.code == crate::diagnostic::Code::E0001)
        {
            let rule_errors: Vec<Diagnostic> = scan::rules(source, piece.span)
                .into_iter()
                .flat_map(|rule| parse_piece(source, rule.span, Entry::Rule))
                .collect();
            if rule_errors.is_empty() {
                errors.extend(errs);
            } else {
                errors.extend(rule_errors);
            }
        } else {
            errors.extend(errs);
        }
    }
    errors.sort_by_key(|d| (d.span.start, d.span.end));
    // The whole-file error usually reappears in its item: keep the first of each place.
    errors.dedup_by(|later, earlier| later.span.start == earlier.span.start);
    errors
}

/// Parses one item (or rule) on its own and lowers it, returning its problems.
fn parse_piece(source: &str, span: Span, entry: Entry) -> Vec<Diagnostic> {
    let Some(text) = source.get(span.range()) else {
        return Vec::new();
    };
    let rule = match entry {
        Entry::Rule => Rule::rule_entry,
        Entry::File | Entry::Item => Rule::item_entry,
    };
    match PolicyParser::parse(rule, text) {
        Ok(mut pairs) => {
            let lower = Lower::new(span.start);
            if let Some(pair) = pairs.next() {
                match entry {
                    Entry::Rule => {
                        lower.lower_rule_entry(pair);
                    }
                    Entry::File | Entry::Item => {
                        lower.lower_item_entry(pair);
                    }
                }
            }
            lower.finish()
        }
        Err(e) => vec![error::to_diagnostic(&e, source, span.start, entry)],
    }
}

#[cfg(test)]
mod keyword_tests {
    use super::*;

    #[test]
    fn every_keyword_is_refused_as_a_bare_name_and_nothing_else_is() {
        for word in KEYWORDS {
            let source = format!("policy \"k\" {{ const {word} = 1 }}");
            assert!(parse(&source).is_err(), "`{word}` is accepted as a name");
        }
        for word in [
            "mon", "fri", "priority", "refunds", "into", "nowhere", "withdraw",
        ] {
            let source = format!("policy \"k\" {{ const {word} = 1 }}");
            assert!(parse(&source).is_ok(), "`{word}` is refused as a name");
        }
    }
}
