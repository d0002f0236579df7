//! Generated policies with comments in every place a line allows one: before the policy,
//! after every opening brace, between items, at the end of lines (inside a rule, a table,
//! a calendar, a list spread over lines), after the last brace, among blank lines; comment
//! texts are arbitrary (unicode, a lone CR, `//` inside, trailing blanks).
//!
//! Checks: the parser reads exactly the comments written; `fmt` keeps every comment byte
//! for byte and in order, keeps the tree, and formats its own output to itself.
#![no_main]

use arbitrary::{Arbitrary, Unstructured};
use libfuzzer_sys::fuzz_target;
use service_policy::{format, syntax};

/// The lines of a policy using most constructs; comments go between and after them.
const LINES: &[&str] = &[
    "policy \"Comments\" {",
    "  version \"1\"",
    "  record {",
    "    x: number?",
    "    opened: time?",
    "    done: time?",
    "  }",
    "  calendar hours {",
    "    mon-fri 09:00-17:00",
    "    closed 2026-12-25",
    "  }",
    "  const cap = 10",
    "  table pick(a) {",
    "    1 => 1h",
    "    _ => 2h",
    "  }",
    "  rule r1 \"a title\" {",
    "    when x > 1",
    "      and x < cap",
    "    then tag \"t\"",
    "  }",
    "  rule r2 {",
    "    expect done within pick(x) of opened using hours",
    "    on breach: tag \"late\"",
    "  }",
    "  first of {",
    "    rule r3 { when x in [1, 2,",
    "      3] then tag \"u\" }",
    "    rule r4 { unless x is missing then tag \"v\" }",
    "  }",
    "}",
];

#[derive(Arbitrary, Debug)]
enum Gap {
    Nothing,
    Blank(u8),
    /// Whole-line comments, each with an indentation of up to 8 spaces.
    Comments(Vec<(u8, String)>),
}

#[derive(Arbitrary, Debug)]
struct Input {
    /// What comes before each line (and after the last).
    gaps: Vec<Gap>,
    /// A comment at the end of some lines, after 1 to 4 spaces.
    trailing: Vec<Option<(u8, String)>>,
}

/// Comment text as a line allows it: no line feed, and no CR at the end (where it would
/// make a CRLF line end, which is not part of the comment).
fn clean(text: &str) -> String {
    let mut text: String = text.chars().filter(|c| *c != '\n').collect();
    if text.ends_with('\r') {
        text.push('.');
    }
    text
}

fuzz_target!(|data: &[u8]| {
    let mut u = Unstructured::new(data);
    let Ok(input) = Input::arbitrary(&mut u) else {
        return;
    };
    let mut source = String::new();
    let mut written: Vec<String> = Vec::new();
    let gap = |source: &mut String, written: &mut Vec<String>, gap: Option<&Gap>| match gap {
        None | Some(Gap::Nothing) => {}
        Some(Gap::Blank(n)) => {
            for _ in 0..(n % 3) {
                source.push('\n');
            }
        }
        Some(Gap::Comments(comments)) => {
            for (indent, text) in comments.iter().take(4) {
                let text = clean(text);
                source.push_str(&" ".repeat(usize::from(indent % 9)));
                source.push_str("//");
                source.push_str(&text);
                source.push('\n');
                written.push(text);
            }
        }
    };
    for (i, line) in LINES.iter().enumerate() {
        gap(&mut source, &mut written, input.gaps.get(i));
        source.push_str(line);
        if let Some(Some((spaces, text))) = input.trailing.get(i) {
            let text = clean(text);
            source.push_str(&" ".repeat(usize::from(spaces % 4) + 1));
            source.push_str("//");
            source.push_str(&text);
            written.push(text);
        }
        source.push('\n');
    }
    gap(&mut source, &mut written, input.gaps.get(LINES.len()));

    let tree = match syntax::parse(&source) {
        Ok(tree) => tree,
        Err(errors) => panic!("comments broke a valid policy: {errors:?}\n---\n{source}"),
    };
    let read: Vec<&str> = tree.comments.iter().map(|c| c.text.as_str()).collect();
    assert_eq!(read, written, "the parser misread a comment\n---\n{source}");
    let formatted = match format(&source) {
        Ok(formatted) => formatted,
        Err(d) => panic!("a policy that parses must format: {:?}", d.items()),
    };
    let again = match syntax::parse(&formatted) {
        Ok(again) => again,
        Err(errors) => panic!("formatted text does not parse: {errors:?}\n---\n{formatted}"),
    };
    assert_eq!(
        tree.items, again.items,
        "formatting changed the meaning\n---\n{formatted}"
    );
    let kept: Vec<&str> = again.comments.iter().map(|c| c.text.as_str()).collect();
    assert_eq!(
        kept, written,
        "formatting changed a comment\n---\n{source}\n---\n{formatted}"
    );
    let twice = match format(&formatted) {
        Ok(twice) => twice,
        Err(d) => panic!("formatted text does not format: {:?}", d.items()),
    };
    assert_eq!(
        formatted, twice,
        "formatting is not idempotent\n---\n{source}"
    );
});
