//! The two grammars (`grammar/policy.pest`, parsed first, and `grammar/expected.pest`,
//! parsed for error messages) accept the same texts with the same parse trees: on every
//! policy of the repository, on generated policies, and on those texts cut, with a few
//! characters taken out or a token put in.
// The helper it calls is internal: built with `--features internals` (or `--all-features`).
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
use service_policy::syntax::grammars_agree;

/// Every `.policy` file under `examples/`, `tests/` and `docs/`.
fn policies() -> Vec<(String, String)> {
    let mut found = Vec::new();
    let mut dirs: Vec<std::path::PathBuf> = ["examples", "tests", "docs"]
        .iter()
        .map(std::path::PathBuf::from)
        .collect();
    while let Some(dir) = dirs.pop() {
        for entry in std::fs::read_dir(&dir).unwrap() {
            let path = entry.unwrap().path();
            if path.is_dir() {
                dirs.push(path);
            } else if path.extension().is_some_and(|e| e == "policy") {
                let text = std::fs::read_to_string(&path).unwrap();
                found.push((path.display().to_string(), text));
            }
        }
    }
    found
}

const TOKENS: [&str; 16] = [
    "(", ")", "}", "{", "and", " rule x ", "==", ",", "\"", "then", " tag ", "1h", "[", "not ",
    "is ", "//",
];

/// `source` cut at about `count` places, with characters taken out there, and with a
/// token put in there.
fn mutations(source: &str, count: usize, seed: usize) -> Vec<String> {
    let starts: Vec<usize> = source.char_indices().map(|(i, _)| i).collect();
    let step = (starts.len() / count.max(1)).max(1);
    let mut out = Vec::new();
    for (n, k) in (seed % step..starts.len()).step_by(step).enumerate() {
        let at = starts[k];
        let end = starts.get(k + 1 + n % 5).copied().unwrap_or(source.len());
        out.push(source[..at].to_owned());
        out.push(format!("{}{}", &source[..at], &source[end..]));
        out.push(format!(
            "{}{}{}",
            &source[..at],
            TOKENS[(n + seed) % TOKENS.len()],
            &source[at..]
        ));
    }
    out
}

#[test]
fn the_grammars_agree_on_every_policy_of_the_repository_and_its_mutations() {
    let policies = policies();
    assert!(policies.len() > 50, "found {} policies", policies.len());
    let mut accepted = 0;
    for (seed, (name, text)) in policies.iter().enumerate() {
        if let Err(e) = grammars_agree(text) {
            panic!("{name}: {e}");
        }
        accepted += usize::from(service_policy::syntax::parse(text).is_ok());
        for mutated in mutations(text, 24, seed) {
            if let Err(e) = grammars_agree(&mutated) {
                panic!("{name}, changed to {mutated:?}: {e}");
            }
        }
    }
    // Most of them parse, so the trees were compared, not only two refusals.
    assert!(accepted * 2 > policies.len(), "{accepted} accepted");
}

#[test]
fn the_grammars_agree_on_generated_policies_and_their_mutations() {
    support::check(
        64,
        || (support::arb::policy_file(), any::<usize>()),
        |(file, seed)| {
            let text = service_policy::fmt::format_policy(&file, "");
            prop_assert_eq!(grammars_agree(&text), Ok(()));
            for mutated in mutations(&text, 8, seed) {
                prop_assert_eq!(grammars_agree(&mutated), Ok(()), "{}", mutated);
            }
            Ok(())
        },
    );
}
