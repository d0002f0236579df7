//! The stages depend on each other in one direction only: `compile` and `eval` both read
//! the plan (`src/plan/`) and neither names the other; the plan names neither. Constant
//! folding reaches the evaluator through `plan::Kernel`, handed in by `Policy`.
#![allow(
    clippy::unwrap_used,
    clippy::expect_used,
    clippy::panic,
    clippy::indexing_slicing,
    reason = "tests may unwrap and index"
)]

use std::path::{Path, PathBuf};

/// Every `.rs` file under `src/<module>`.
fn sources(module: &str) -> Vec<PathBuf> {
    let mut files = Vec::new();
    let mut dirs = vec![
        Path::new(env!("CARGO_MANIFEST_DIR"))
            .join("src")
            .join(module),
    ];
    while let Some(dir) = dirs.pop() {
        for entry in std::fs::read_dir(&dir).unwrap() {
            let path = entry.unwrap().path();
            if path.is_dir() {
                dirs.push(path);
            } else if path.extension().is_some_and(|e| e == "rs") {
                files.push(path);
            }
        }
    }
    assert!(!files.is_empty(), "no sources under src/{module}");
    files
}

/// The lines (1-based) of `text` that name any of `forbidden` as a module of the crate
/// (`crate::NAME`, not `crate::NAME_more`).
fn lines_naming(text: &str, forbidden: &[&str]) -> Vec<usize> {
    let mut found = Vec::new();
    for (n, line) in text.lines().enumerate() {
        let hit = forbidden.iter().any(|name| {
            let path = format!("crate::{name}");
            line.match_indices(&path).any(|(i, _)| {
                !line[i + path.len()..].starts_with(|c: char| c == '_' || c.is_alphanumeric())
            })
        });
        if hit {
            found.push(n + 1);
        }
    }
    found
}

/// The places where files of `module` name any of `forbidden`.
fn uses(module: &str, forbidden: &[&str]) -> Vec<String> {
    let mut found = Vec::new();
    for file in sources(module) {
        let text = std::fs::read_to_string(&file).unwrap();
        for n in lines_naming(&text, forbidden) {
            found.push(format!("{}:{n}", file.display()));
        }
    }
    found
}

#[test]
fn compile_does_not_depend_on_eval() {
    assert_eq!(uses("compile", &["eval"]), Vec::<String>::new());
}

#[test]
fn eval_does_not_depend_on_compile() {
    assert_eq!(uses("eval", &["compile"]), Vec::<String>::new());
}

#[test]
fn the_plan_depends_on_neither_stage() {
    assert_eq!(uses("plan", &["compile", "eval"]), Vec::<String>::new());
}

#[test]
fn the_scan_sees_a_dependency_when_there_is_one() {
    let text = "use crate::plan::Node;\nuse crate::eval::Env;\nlet x = crate::evaluation;\n    crate::eval::evaluate(p)\n";
    assert_eq!(lines_naming(text, &["eval"]), [2, 4]);
    assert_eq!(lines_naming(text, &["compile"]), Vec::<usize>::new());
    // `policy.rs` sits above both stages and names each.
    let policy =
        std::fs::read_to_string(Path::new(env!("CARGO_MANIFEST_DIR")).join("src/policy.rs"))
            .unwrap();
    assert!(!lines_naming(&policy, &["compile"]).is_empty());
    assert!(!lines_naming(&policy, &["eval"]).is_empty());
}
