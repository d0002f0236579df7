//! Arbitrary bytes into the parser and checker: no panic, no hang, and every
//! diagnostic points inside the text on character boundaries.
#![no_main]

use libfuzzer_sys::fuzz_target;
use service_policy::{Policy, check_source};

fuzz_target!(|data: &[u8]| {
    // Invalid UTF-8 never reaches the parser (files are read as strings): replace it, so
    // the bytes still exercise the parser.
    let text = String::from_utf8_lossy(data);
    let diagnostics = match Policy::parse(&text) {
        Ok(policy) => policy.warnings().clone(),
        Err(diagnostics) => {
            assert!(!diagnostics.is_empty(), "a refused policy says why");
            diagnostics
        }
    };
    for d in diagnostics.items() {
        assert!(!d.message.is_empty());
        for span in std::iter::once(d.span).chain(d.labels.iter().map(|l| l.span)) {
            assert!(span.start <= span.end && span.end <= text.len(), "{d:?}");
            assert!(
                text.is_char_boundary(span.start) && text.is_char_boundary(span.end),
                "{d:?}"
            );
        }
        // Positions are computed for every diagnostic shown.
        let _ = diagnostics.line_col(d.span);
    }
    let _ = diagnostics.to_json();
    let _ = check_source("fuzz.policy", &text).to_json();
});
