//! The VS Code extension in `editors/vscode/`: its manifest, language settings and TextMate
//! grammar are valid JSON, agree with each other, and the grammar knows the language's
//! keywords. (CI does not install the extension's npm dependency; nothing here needs it.)
#![allow(
    clippy::unwrap_used,
    clippy::expect_used,
    clippy::panic,
    clippy::indexing_slicing,
    reason = "tests stop loudly on the unexpected"
)]

use std::path::{Path, PathBuf};

use serde_json::Value;

fn folder() -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR")).join("editors/vscode")
}

fn json(relative: &str) -> Value {
    let text = std::fs::read_to_string(folder().join(relative)).unwrap();
    serde_json::from_str(&text).unwrap_or_else(|e| panic!("{relative} is not valid JSON: {e}"))
}

#[test]
fn the_manifest_points_at_files_that_exist_and_starts_the_server() {
    let manifest = json("package.json");
    let language = &manifest["contributes"]["languages"][0];
    assert_eq!(language["id"], "policy");
    assert_eq!(language["extensions"][0], ".policy");
    let configuration = language["configuration"].as_str().unwrap();
    json(configuration);
    let grammar = &manifest["contributes"]["grammars"][0];
    assert_eq!(grammar["language"], "policy");
    let main = manifest["main"].as_str().unwrap();
    let script = std::fs::read_to_string(folder().join(main)).unwrap();
    assert!(
        script.contains(r#"args: ["lsp"]"#),
        "the extension must run `service-policy lsp`"
    );
    assert!(manifest["dependencies"]["vscode-languageclient"].is_string());
}

#[test]
fn the_grammar_is_consistent_and_knows_every_keyword() {
    let manifest = json("package.json");
    let path = manifest["contributes"]["grammars"][0]["path"]
        .as_str()
        .unwrap();
    let grammar = json(path);
    assert_eq!(
        grammar["scopeName"],
        manifest["contributes"]["grammars"][0]["scopeName"]
    );
    let repository = grammar["repository"].as_object().unwrap();

    // Every `#name` included is defined, and every definition is used.
    #[cfg(feature = "internals")]
    let text = serde_json::to_string(&grammar).unwrap();
    let mut included = Vec::new();
    collect_includes(&grammar, &mut included);
    for name in &included {
        assert!(
            repository.contains_key(name.as_str()),
            "`#{name}` is not defined"
        );
    }
    for name in repository.keys() {
        assert!(included.contains(name), "`{name}` is never included");
    }

    // Every pattern has a scope or captures, and a `begin` has its `end`.
    let mut patterns = Vec::new();
    collect_patterns(&grammar, &mut patterns);
    assert!(patterns.len() > 10);
    for pattern in patterns {
        if pattern.get("begin").is_some() {
            assert!(pattern.get("end").is_some(), "{pattern}");
        }
        if pattern.get("match").is_some() || pattern.get("begin").is_some() {
            assert!(
                pattern.get("name").is_some() || pattern.get("captures").is_some(),
                "{pattern}"
            );
        }
    }

    // The keyword list is internal to the parser.
    #[cfg(feature = "internals")]
    for keyword in service_policy::syntax::KEYWORDS {
        assert!(
            text.contains(keyword),
            "the grammar does not highlight `{keyword}`"
        );
    }
}

fn collect_includes(value: &Value, out: &mut Vec<String>) {
    match value {
        Value::Object(map) => {
            if let Some(Value::String(include)) = map.get("include")
                && let Some(name) = include.strip_prefix('#')
            {
                out.push(name.to_owned());
            }
            map.values().for_each(|v| collect_includes(v, out));
        }
        Value::Array(items) => items.iter().for_each(|v| collect_includes(v, out)),
        _ => {}
    }
}

fn collect_patterns<'a>(value: &'a Value, out: &mut Vec<&'a Value>) {
    match value {
        Value::Object(map) => {
            if map.contains_key("match") || map.contains_key("begin") {
                out.push(value);
            }
            map.values().for_each(|v| collect_patterns(v, out));
        }
        Value::Array(items) => items.iter().for_each(|v| collect_patterns(v, out)),
        _ => {}
    }
}
