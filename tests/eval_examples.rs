//! Every example policy loads into a plan and evaluates an empty and a sample record.
#![allow(
    clippy::unwrap_used,
    clippy::expect_used,
    clippy::panic,
    clippy::indexing_slicing,
    reason = "tests and benches stop loudly on the unexpected"
)]

mod eval_support;

use serde_json::json;

#[test]
fn example_policies_compile_and_evaluate() {
    let dir = std::path::Path::new(env!("CARGO_MANIFEST_DIR")).join("examples/policies");
    let mut seen = 0;
    for entry in std::fs::read_dir(&dir).unwrap() {
        let path = entry.unwrap().path();
        if path.extension().is_none_or(|e| e != "policy") {
            continue;
        }
        let text = std::fs::read_to_string(&path).unwrap();
        let policy = eval_support::policy(&text);
        let rules: Vec<String> = policy.rule_names().map(str::to_owned).collect();
        for record in [
            json!({}),
            json!({"priority": "urgent", "opened_at": "2026-03-02T09:00:00Z"}),
        ] {
            let d = eval_support::explain(&policy, &record);
            assert_eq!(d["policy"], json!(policy.name()), "{}", path.display());
            // The trace accounts for every rule, in source order, each with one status.
            let traced: Vec<&str> = d["trace"]
                .as_array()
                .unwrap()
                .iter()
                .map(|t| t["rule"].as_str().unwrap())
                .collect();
            assert_eq!(traced, rules, "{}", path.display());
            for t in d["trace"].as_array().unwrap() {
                let name = &t["rule"];
                let fired = d["fired"].as_array().unwrap().contains(name);
                let undecided = d["undecided"]
                    .as_array()
                    .unwrap()
                    .iter()
                    .any(|u| &u["rule"] == name);
                let failed = d["errors"]
                    .as_array()
                    .unwrap()
                    .iter()
                    .any(|e| &e["rule"] == name);
                let expected = match t["status"].as_str().unwrap() {
                    "applied" => (true, false, false),
                    "undecided" => (false, true, false),
                    "error" => (false, false, true),
                    _ => (false, false, false),
                };
                assert_eq!(
                    (fired, undecided, failed),
                    expected,
                    "{}: {t}",
                    path.display()
                );
            }
        }
        seen += 1;
    }
    assert!(seen >= 1);
}
