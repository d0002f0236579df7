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
pub(crate) mod literal;
mod lower;
mod scan;

use pest::Parser;

use crate::ast::{Item, PolicyFile, Span};
use crate::diagnostic::{Code, Diagnostic};
use error::Entry;
use grammar::{PolicyParser, Rule};
use lower::Lower;

#[cfg(feature = "internals")]
pub use literal::MAX_TEXT_BYTES;
#[cfg(feature = "internals")]
pub use lower::MAX_EXPR_DEPTH;
#[cfg(feature = "internals")]
pub use scan::MAX_NESTING;
pub use scan::MAX_SOURCE_BYTES;

/// The most rules a policy holds, those inside `first of` blocks included: far above any
/// real policy, and a bound on the work of checking and evaluating one.
pub const MAX_RULES: usize = 10_000;

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
#[cfg(any(test, feature = "internals"))]
pub fn parse(source: &str) -> Result<PolicyFile, Vec<Diagnostic>> {
    parse_recovering(source).map_err(|(errors, _)| errors)
}

/// A failed parse: every syntax error, and the items that parsed on their own.
pub(crate) type Failed = (Vec<Diagnostic>, Option<Box<PolicyFile>>);

/// Like [`parse`], but a file that does not parse also gives back the items that parsed
/// on their own (without comments), so the checker can still report their problems: a
/// typo in one rule must not hide a type error in another (SPEC §12, "all problems in a
/// file are reported").
pub(crate) fn parse_recovering(source: &str) -> Result<PolicyFile, Failed> {
    parse_at(source, 0)
}

/// Like [`parse_recovering`], with every span moved `base` bytes on: the files of a policy
/// family are parsed into one range of positions each, so that a span of the merged tree
/// says which file it points into (see `crate::resolve`).
pub(crate) fn parse_at(source: &str, base: usize) -> Result<PolicyFile, Failed> {
    parse_written_at(source, base).map(|(file, _)| file)
}

/// Like [`parse_recovering`], and also where the author wrote parentheses: the span of each
/// parenthesised expression (the parentheses not included), once per pair, so `((a))`
/// gives the span of `a` twice. The formatter keeps them.
pub(crate) fn parse_written(source: &str) -> Result<(PolicyFile, Vec<Span>), Failed> {
    parse_written_at(source, 0)
}

fn parse_written_at(source: &str, base: usize) -> Result<(PolicyFile, Vec<Span>), Failed> {
    let comments = scan::prescan(source).map_err(|errors| (errors, None))?;
    match PolicyParser::parse(Rule::file, source) {
        Ok(mut pairs) => {
            let lower = Lower::new(base);
            let file = pairs
                .next()
                .and_then(|pair| lower.lower_file(pair, comments));
            let parens = lower.take_parens();
            let errors = lower.finish();
            match file {
                Some(file) if errors.is_empty() => match too_many_rules(&file) {
                    Some(error) => Err((vec![error], None)),
                    None => Ok((file, parens)),
                },
                _ => Err((errors, None)),
            }
        }
        Err(e) => {
            let (errors, items) = recover(source, &e);
            let partial = PolicyFile {
                name: crate::ast::Text {
                    value: String::new(),
                    span: Span::new(0, 0),
                },
                extends: None,
                items,
                comments: Vec::new(),
                span: Span::new(0, source.len()),
            };
            Err((errors, Some(Box::new(partial))))
        }
    }
}

/// `E0002` at the first rule over [`MAX_RULES`], if there is one.
fn too_many_rules(file: &PolicyFile) -> Option<Diagnostic> {
    let rules = || {
        file.items.iter().flat_map(|item| match item {
            Item::Rule(rule) => std::slice::from_ref(rule),
            Item::FirstOf(block) => block.rules.as_slice(),
            _ => &[],
        })
    };
    let over = rules().nth(MAX_RULES)?;
    Some(
        Diagnostic::new(
            Code::E0002,
            over.name.span,
            format!(
                "policy has more than {MAX_RULES} rules ({} rules)",
                rules().count()
            ),
        )
        .with_primary_label("one rule over the limit")
        .with_help("split the policy into several policies"),
    )
}

/// After a failed parse: the file's own error, plus those of each item parsed alone, and
/// the items that parsed without any error.
fn recover(source: &str, file_error: &pest::error::Error<Rule>) -> (Vec<Diagnostic>, Vec<Item>) {
    let first = error::to_diagnostic(file_error, source, 0, Entry::File);
    let mut errors = vec![first];
    let mut items = Vec::new();
    for piece in scan::items(source) {
        let (errs, item) = parse_piece(source, piece.span, Entry::Item);
        items.extend(item);
        if piece.first_of
            && errs
                .iter()
                .any(|d| d.code == crate::diagnostic::Code::E0001)
        {
            let rule_errors: Vec<Diagnostic> = scan::rules(source, piece.span)
                .into_iter()
                .flat_map(|rule| parse_piece(source, rule.span, Entry::Rule).0)
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
    (errors, items)
}

/// Parses one item (or rule) on its own and lowers it, returning its problems and, for an
/// item without any, the item.
fn parse_piece(source: &str, span: Span, entry: Entry) -> (Vec<Diagnostic>, Option<Item>) {
    let Some(text) = source.get(span.range()) else {
        return (Vec::new(), None);
    };
    let rule = match entry {
        Entry::Rule => Rule::rule_entry,
        Entry::File | Entry::Item => Rule::item_entry,
    };
    match PolicyParser::parse(rule, text) {
        Ok(mut pairs) => {
            let lower = Lower::new(span.start);
            let mut item = None;
            if let Some(pair) = pairs.next() {
                match entry {
                    Entry::Rule => {
                        lower.lower_rule_entry(pair);
                    }
                    Entry::File | Entry::Item => {
                        item = lower.lower_item_entry(pair);
                    }
                }
            }
            let errors = lower.finish();
            let item = if errors.is_empty() { item } else { None };
            (errors, item)
        }
        Err(e) => (
            vec![error::to_diagnostic(&e, source, span.start, entry)],
            None,
        ),
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
