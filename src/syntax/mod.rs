//! Syntax: policy text → [`crate::ast::PolicyFile`] with spans, or every syntax error found.
//!
//! Strategy, in four steps:
//! 1. A lexical pre-scan (`scan`) collects comments and refuses, before any recursion,
//!    a source over [`MAX_SOURCE_BYTES`] or nesting `(`, `[`, `{` deeper than
//!    [`MAX_NESTING`] (`E0002`), and unterminated texts.
//! 2. pest parses the whole file with the grammar in `grammar/policy.pest`, written to be
//!    parsed fast. A text it refuses is parsed again with `grammar/expected.pest`, the
//!    same language as a plain list of alternatives, whose record of what it tried says
//!    what was expected (errors are rare; this path may be slow).
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
    let comment_spans: Vec<(usize, usize)> = comments
        .iter()
        .map(|c| (c.span.start, c.span.end))
        .collect();
    match PolicyParser::parse(Rule::file, source) {
        Ok(mut pairs) => {
            let lower = Lower::new(base, comment_spans);
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
            let (errors, items) = recover(source, &comment_spans, refused_at(&e));
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

/// Where pest stopped in a refused text.
fn refused_at(error: &pest::error::Error<Rule>) -> usize {
    match error.location {
        pest::error::InputLocation::Pos(p) => p,
        pest::error::InputLocation::Span((s, _)) => s,
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
fn recover(
    source: &str,
    comments: &[(usize, usize)],
    refused_at: usize,
) -> (Vec<Diagnostic>, Vec<Item>) {
    let first = error::refused(source, source, 0, Entry::File, refused_at);
    let mut errors = vec![first];
    let mut items = Vec::new();
    for piece in scan::items(source) {
        let (errs, item) = parse_piece(source, comments, piece.span, Entry::Item);
        items.extend(item);
        if piece.first_of
            && errs
                .iter()
                .any(|d| d.code == crate::diagnostic::Code::E0001)
        {
            let rule_errors: Vec<Diagnostic> = scan::rules(source, piece.span)
                .into_iter()
                .flat_map(|rule| parse_piece(source, comments, rule.span, Entry::Rule).0)
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
/// item without any, the item. `comments` are those of `source`.
fn parse_piece(
    source: &str,
    comments: &[(usize, usize)],
    span: Span,
    entry: Entry,
) -> (Vec<Diagnostic>, Option<Item>) {
    let Some(text) = source.get(span.range()) else {
        return (Vec::new(), None);
    };
    let rule = match entry {
        Entry::Rule => Rule::rule_entry,
        Entry::File | Entry::Item => Rule::item_entry,
    };
    match PolicyParser::parse(rule, text) {
        Ok(mut pairs) => {
            let inside = comments
                .iter()
                .filter(|&&(s, e)| s >= span.start && e <= span.end)
                .map(|&(s, e)| (s - span.start, e - span.start))
                .collect();
            let lower = Lower::new(span.start, inside);
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
            vec![error::refused(
                text,
                source,
                span.start,
                entry,
                refused_at(&e),
            )],
            None,
        ),
    }
}

/// Checks that `grammar/policy.pest` and `grammar/expected.pest` agree on `source`: both
/// refuse it, or both accept it with the same parse tree (every pair's rule and span, a
/// span ending where its last token ends: pest lets a rule end after the white space
/// that follows it, which lowering leaves out). The
/// fast grammar decides what parses and the other says what was expected, so a text on
/// which they disagree would get a wrong or no error message.
#[cfg(feature = "internals")]
#[doc(hidden)]
pub fn grammars_agree(source: &str) -> Result<(), String> {
    use grammar::expected::{self, ExpectedParser};
    let entries = [
        (Rule::file, expected::Rule::file),
        (Rule::item_entry, expected::Rule::item_entry),
        (Rule::rule_entry, expected::Rule::rule_entry),
    ];
    for (fast, slow) in entries {
        let got = PolicyParser::parse(fast, source).map(tree);
        let want = ExpectedParser::parse(slow, source).map(tree);
        match (got, want) {
            (Ok(got), Ok(want)) if got != want => {
                let at = got.iter().zip(&want).position(|(g, w)| g != w);
                return Err(format!(
                    "{fast:?}: the trees differ at pair {at:?}: {:?} against {:?}",
                    at.and_then(|i| got.get(i)),
                    at.and_then(|i| want.get(i))
                ));
            }
            (Ok(_), Err(e)) => return Err(format!("{fast:?}: only policy.pest accepts it: {e}")),
            (Err(e), Ok(_)) => return Err(format!("{fast:?}: only expected.pest accepts it: {e}")),
            _ => {}
        }
    }
    Ok(())
}

/// Every pair of a parse tree as its rule and span, the span ending where its last token
/// ends (see [`grammars_agree`]).
#[cfg(feature = "internals")]
fn tree<R: pest::RuleType>(pairs: pest::iterators::Pairs<'_, R>) -> Vec<String> {
    pairs
        .flatten()
        .map(|p| {
            let start = p.as_span().start();
            let mut last = p.clone();
            while let Some(child) = last.clone().into_inner().next_back() {
                last = child;
            }
            format!("{:?} {start}..{}", p.as_rule(), last.as_span().end())
        })
        .collect()
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
