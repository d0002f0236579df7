//! Round trips through the parser: printing a generated tree and parsing it back gives
//! the same tree; formatting is idempotent; and comments placed anywhere a line can hold
//! one survive formatting, each exactly once and in order.

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

/// Puts `comments` into `text`: each is `(line, own_line, text)`; an own-line comment goes
/// above line `line % lines`, another at its end.
fn with_comments(text: &str, comments: &[(usize, bool, String)]) -> String {
    let mut lines: Vec<String> = text.lines().map(str::to_owned).collect();
    for (line, own_line, comment) in comments {
        let at = line % lines.len().max(1);
        if *own_line {
            lines.insert(at, format!("// {comment}"));
        } else if let Some(l) = lines.get_mut(at) {
            l.push_str(&format!(" // {comment}"));
        }
    }
    let mut out = lines.join("\n");
    out.push('\n');
    out
}

/// Comments to put into a policy text: `(line, own_line, text)`.
fn comment_specs() -> impl Strategy<Value = (PolicyFile, Vec<(usize, bool, String)>)> {
    (
        arb::policy_file(),
        proptest::collection::vec(
            (0usize..200, any::<bool>(), "[a-zA-Z0-9 নীதிहि\"`/]{0,16}"),
            0..8,
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
