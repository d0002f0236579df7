//! Helpers shared by integration tests: `mod support;` in a test file brings them in.
//!
//! - [`arb`]: proptest strategies that build policy syntax trees.
//! - [`check`]: runs a property over generated values on a thread with a large stack.
//! - [`comments_in`]: the comments of a policy text, found without the parser.
#![allow(dead_code)]

pub mod arb;

use proptest::strategy::Strategy;
use proptest::test_runner::{Config, TestCaseError, TestRunner};

/// Stack for property tests: building a deeply nested generated tree takes more than the
/// 2 MiB of a test thread in a debug build.
const PROPERTY_STACK: usize = 256 << 20;

/// Runs `test` on `cases` values of the strategy `make()` builds (at least; the
/// `PROPTEST_CASES` environment variable raises it), on a thread with a large stack, and
/// panics with the smallest failing value when one fails.
pub fn check<S, F>(cases: u32, make: fn() -> S, test: F)
where
    S: Strategy,
    S::Value: std::fmt::Debug,
    F: Fn(S::Value) -> Result<(), TestCaseError> + Send,
{
    let from_env = std::env::var("PROPTEST_CASES")
        .ok()
        .and_then(|v| v.parse().ok())
        .unwrap_or(0);
    let config = Config {
        cases: cases.max(from_env),
        failure_persistence: None,
        ..Config::default()
    };
    std::thread::scope(|scope| {
        let runner = std::thread::Builder::new()
            .stack_size(PROPERTY_STACK)
            .spawn_scoped(scope, move || {
                let mut runner = TestRunner::new(config);
                runner.run(&make(), test).map_err(|e| e.to_string())
            })
            .expect("spawn the property thread");
        match runner.join() {
            Ok(Ok(())) => {}
            Ok(Err(failure)) => panic!("{failure}"),
            Err(panic) => std::panic::resume_unwind(panic),
        }
    });
}

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
