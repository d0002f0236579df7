//! Whatever parses formats to text that parses to the same tree, and formatting is
//! idempotent.
#![no_main]

use libfuzzer_sys::fuzz_target;
use service_policy::ast as syntax_tree;
use service_policy::{format, syntax};

fuzz_target!(|data: &[u8]| {
    let Ok(text) = std::str::from_utf8(data) else {
        return;
    };
    let Ok(tree) = syntax::parse(text) else {
        return;
    };
    let formatted = match format(text) {
        Ok(formatted) => formatted,
        Err(d) => panic!("a policy that parses must format: {:?}", d.items()),
    };
    let again = match syntax::parse(&formatted) {
        Ok(again) => again,
        Err(errors) => panic!("formatted text does not parse: {errors:?}\n---\n{formatted}"),
    };
    assert_eq!(
        tree.name, again.name,
        "formatting changed the name\n---\n{formatted}"
    );
    assert_eq!(
        tree.items, again.items,
        "formatting changed the meaning\n---\n{formatted}"
    );
    // Comments keep their words; trailing blanks may go.
    let words = |f: &syntax_tree::PolicyFile| -> Vec<String> {
        f.comments
            .iter()
            .map(|c| c.text.trim_end().to_owned())
            .collect()
    };
    assert_eq!(
        words(&tree),
        words(&again),
        "formatting lost a comment\n---\n{formatted}"
    );
    let twice = match format(&formatted) {
        Ok(twice) => twice,
        Err(d) => panic!("formatted text does not format: {:?}", d.items()),
    };
    assert_eq!(formatted, twice, "formatting is not idempotent");
});
