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
