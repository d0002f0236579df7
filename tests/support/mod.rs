//! Helpers shared by integration tests: `mod support;` in a test file brings them in.
//!
//! - [`arb`]: proptest strategies that build policy syntax trees.
//! - [`comments_in`]: the comments of a policy text, found without the parser.
#![allow(dead_code)]

pub mod arb;

/// The text of every `//` comment in `source` (after the `//`, without the line end), in
/// order. Skips `//` inside text literals and backticked names, so it can check that
/// formatting neither loses nor duplicates a comment independently of the parser.
pub fn comments_in(source: &str) -> Vec<String> {
    let mut found = Vec::new();
    let mut chars = source.chars().peekable();
    while let Some(c) = chars.next() {
        match c {
            '"' => {
                while let Some(c) = chars.next() {
                    match c {
                        '\\' => {
                            chars.next();
                        }
                        '"' | '\n' => break,
                        _ => {}
                    }
                }
            }
            '`' => {
                for c in chars.by_ref() {
                    if c == '`' || c == '\n' {
                        break;
                    }
                }
            }
            '/' if chars.peek() == Some(&'/') => {
                chars.next();
                let mut text = String::new();
                while let Some(&c) = chars.peek() {
                    if c == '\n' {
                        break;
                    }
                    text.push(c);
                    chars.next();
                }
                found.push(text.trim_end_matches('\r').to_owned());
            }
            _ => {}
        }
    }
    found
}

#[test]
fn comments_in_skips_strings_and_backticks() {
    let source = "a // one\n\"x // no\" `y // no` // two\n//three";
    assert_eq!(comments_in(source), vec![" one", " two", "three"]);
}
