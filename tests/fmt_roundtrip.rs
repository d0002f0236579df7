//! Round trips through the parser: printing a generated tree and parsing it back gives
//! the same tree; formatting is idempotent; and comments placed anywhere a line can hold
//! one survive formatting, each exactly once and in order.
// The stage it tests is internal: built with `--features internals` (or `--all-features`).
#![cfg(feature = "internals")]
#![allow(
    clippy::unwrap_used,
    clippy::expect_used,
    clippy::panic,
    clippy::indexing_slicing,
    reason = "tests and benches stop loudly on the unexpected"
)]

mod support;

use proptest::prelude::*;
use service_policy::ast::PolicyFile;
use service_policy::fmt::format_policy;
use service_policy::syntax::parse;
use support::{arb, comments_in};

fn parse_ok(text: &str) -> Result<PolicyFile, TestCaseError> {
    parse(text).map_err(|errors| {
        let messages: Vec<String> = errors.iter().map(|d| format!("{d:?}")).collect();
        TestCaseError::fail(format!("{text}\ndoes not parse:\n{}", messages.join("\n")))
    })
}

/// Where a generated comment goes.
#[derive(Clone, Copy, Debug)]
enum Place {
    /// On its own line above the line.
    OwnLine,
    /// At the end of the line.
    EndOfLine,
    /// In the middle of the line: the line is broken after the comment, at one of the
    /// spaces between tokens (the index picks which).
    Inside(usize),
}

fn place() -> impl Strategy<Value = Place> {
    prop_oneof![
        Just(Place::OwnLine),
        Just(Place::EndOfLine),
        (0usize..64).prop_map(Place::Inside),
    ]
}

/// Byte offsets of the spaces in `line` where a line break may go: between tokens, not
/// inside a text or backticked name, and not inside a money literal (`500 USD` must stay
/// on one line), and before any comment on the line.
fn break_points(line: &str) -> Vec<usize> {
    let bytes = line.as_bytes();
    let mut points = Vec::new();
    let mut in_text = false;
    let mut in_backticks = false;
    let mut escaped = false;
    for (i, &b) in bytes.iter().enumerate() {
        if in_text {
            match (escaped, b) {
                (true, _) => escaped = false,
                (false, b'\\') => escaped = true,
                (false, b'"') => in_text = false,
                _ => {}
            }
            continue;
        }
        match b {
            b'/' if !in_backticks && bytes.get(i + 1) == Some(&b'/') => break,
            b'"' if !in_backticks => in_text = true,
            b'`' => in_backticks = !in_backticks,
            b' ' if !in_backticks => {
                let money = i > 0
                    && bytes[i - 1].is_ascii_digit()
                    && bytes
                        .get(i + 1..i + 4)
                        .is_some_and(|code| code.iter().all(u8::is_ascii_uppercase));
                if !money && !line[..i].trim_start().is_empty() {
                    points.push(i);
                }
            }
            _ => {}
        }
    }
    points
}

/// Puts `comments` into `text`, each `(line, place, text)` on line `line % lines`.
fn with_comments(text: &str, comments: &[(usize, Place, String)]) -> String {
    let mut lines: Vec<String> = text.lines().map(str::to_owned).collect();
    for (line, place, comment) in comments {
        let at = line % lines.len().max(1);
        match place {
            Place::OwnLine => lines.insert(at, format!("// {comment}")),
            Place::EndOfLine => {
                if let Some(l) = lines.get_mut(at) {
                    l.push_str(&format!(" // {comment}"));
                }
            }
            Place::Inside(pick) => {
                let Some(l) = lines.get(at).cloned() else {
                    continue;
                };
                let points = break_points(&l);
                let Some(&cut) = points.get(pick % points.len().max(1)) else {
                    continue;
                };
                let (head, tail) = l.split_at(cut);
                lines[at] = format!("{head} // {comment}");
                lines.insert(at + 1, format!("   {tail}"));
            }
        }
    }
    let mut out = lines.join("\n");
    out.push('\n');
    out
}

/// Comments to put into a policy text.
fn comment_specs() -> impl Strategy<Value = (PolicyFile, Vec<(usize, Place, String)>)> {
    (
        arb::policy_file(),
        proptest::collection::vec(
            (0usize..200, place(), "[a-zA-Z0-9 নীதிहि\"`/]{0,16}"),
            0..10,
        ),
    )
}

#[test]
fn printed_trees_parse_back() {
    support::check(200, arb::policy_file, |policy| {
        let text = format_policy(&policy, "");
        let parsed = parse_ok(&text)?;
        prop_assert_eq!(&parsed, &policy, "{}", text);
        let again = format_policy(&parsed, &text);
        prop_assert_eq!(again, text);
        Ok(())
    });
}

#[test]
fn comments_survive_formatting() {
    support::check(200, comment_specs, |(policy, comments)| {
        let canonical = format_policy(&policy, "");
        let messy = with_comments(&canonical, &comments);
        let before = comments_in(&messy);
        let parsed = parse_ok(&messy)?;
        prop_assert_eq!(parsed.comments.len(), before.len());
        let formatted = format_policy(&parsed, &messy);
        prop_assert_eq!(
            comments_in(&formatted),
            before,
            "{}\n=>\n{}",
            messy,
            formatted
        );
        let reparsed = parse_ok(&formatted)?;
        prop_assert_eq!(&reparsed, &parsed, "{}\n=>\n{}", messy, formatted);
        prop_assert_eq!(format_policy(&reparsed, &formatted), formatted.clone());
        Ok(())
    });
}

/// Canonical text with every line re-indented and trailing blanks added: what to do to
/// each line, as `(leading spaces, trailing spaces, use a tab)`.
fn messy_layout() -> impl Strategy<Value = (PolicyFile, Vec<(usize, usize, bool)>)> {
    (
        arb::policy_file(),
        proptest::collection::vec((0usize..7, 0usize..3, any::<bool>()), 0..400),
    )
}

#[test]
fn layout_does_not_depend_on_the_input_layout() {
    support::check(200, messy_layout, |(policy, noise)| {
        let canonical = format_policy(&policy, "");
        let mut messy = String::new();
        for (i, line) in canonical.lines().enumerate() {
            let (lead, trail, tab) = noise.get(i).copied().unwrap_or((0, 0, false));
            let pad = if tab { "\t" } else { " " };
            messy.push_str(&pad.repeat(lead));
            messy.push_str(line.trim_start());
            messy.push_str(&" ".repeat(trail));
            messy.push('\n');
        }
        let parsed = parse_ok(&messy)?;
        prop_assert_eq!(format_policy(&parsed, &messy), canonical);
        Ok(())
    });
}

/// Canonical text with runs of blank lines put after some lines: `(line, how many)`.
fn blank_runs() -> impl Strategy<Value = (PolicyFile, Vec<(usize, usize)>)> {
    (
        arb::policy_file(),
        proptest::collection::vec((0usize..200, 1usize..4), 0..10),
    )
}

#[test]
fn blank_lines_are_kept_once_and_only_inside_blocks() {
    support::check(200, blank_runs, |(policy, runs)| {
        let canonical = format_policy(&policy, "");
        let mut lines: Vec<String> = canonical.lines().map(str::to_owned).collect();
        for (at, count) in runs {
            let at = at % lines.len().max(1);
            for _ in 0..count {
                lines.insert(at, String::new());
            }
        }
        let messy = lines.join("\n") + "\n";
        let parsed = parse_ok(&messy)?;
        let formatted = format_policy(&parsed, &messy);
        let without_blanks: String = formatted
            .lines()
            .filter(|l| !l.is_empty())
            .map(|l| format!("{l}\n"))
            .collect();
        prop_assert_eq!(&without_blanks, &canonical);
        prop_assert!(!formatted.contains("\n\n\n"), "{}", formatted);
        let out: Vec<&str> = formatted.lines().collect();
        for pair in out.windows(2) {
            if pair[1].is_empty() {
                prop_assert!(!pair[0].ends_with('{'), "blank after `{{`:\n{}", formatted);
            }
            if pair[0].is_empty() {
                prop_assert!(
                    !pair[1].trim_start().starts_with('}'),
                    "blank before `}}`:\n{}",
                    formatted
                );
            }
        }
        prop_assert_eq!(
            format_policy(&parse_ok(&formatted)?, &formatted),
            formatted.clone()
        );
        Ok(())
    });
}
