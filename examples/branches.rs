//! One base policy, two branches and a yearly revision, loaded as one policy set: each
//! ticket goes to its branch and is judged by the rules in force when it was opened.
//!
//! ```text
//! cargo run --example branches
//! ```
//!
//! The policies are in `examples/policies/branches/`: `retail.policy` (the 2025 base),
//! `retail-2026.policy` (the 2026 revision), `chennai.policy` and `pune.policy`.

use std::error::Error;
use std::path::PathBuf;

use service_policy::{EvalOptions, PolicySet};

fn main() -> Result<(), Box<dyn Error>> {
    let folder = PathBuf::from(env!("CARGO_MANIFEST_DIR")).join("examples/policies/branches");
    // Every file of the folder; each base is parsed once for all the files extending it.
    let set = PolicySet::from_paths(&[folder])?;
    for policy in set.policies() {
        println!(
            "loaded {:<20} version {:<16} effective {}",
            policy.name(),
            policy.version().unwrap_or("-"),
            policy
                .effective()
                .map_or_else(|| "always".to_owned(), |d| d.to_string())
        );
    }

    // Judge each ticket by the versions in force when it was opened, evaluated now.
    let options = EvalOptions {
        as_of_field: Some("opened_at".to_owned()),
        ..EvalOptions::at("2026-03-02T10:00:00Z".parse()?)
    };
    let tickets = [
        serde_json::json!({"priority": "normal", "opened_at": "2025-12-20T06:00:00Z",
            "first_reply_at": "2025-12-20T07:00:00Z", "refund": {"requested": "4500 INR"}}),
        serde_json::json!({"priority": "normal", "opened_at": "2026-01-20T06:00:00Z",
            "first_reply_at": "2026-01-20T07:00:00Z", "refund": {"requested": "4500 INR"}}),
        serde_json::json!({"branch": "chennai", "language": "ta", "priority": "normal",
            "opened_at": "2026-02-02T05:00:00Z", "first_reply_at": "2026-02-02T05:10:00Z"}),
        serde_json::json!({"branch": "pune", "language": "mr", "priority": "urgent",
            "opened_at": "2026-02-02T05:00:00Z", "first_reply_at": "2026-02-02T05:10:00Z"}),
    ];
    for ticket in &tickets {
        let decision = set.evaluate(ticket, &options)?;
        // Each action as the decision's JSON shows it, without its bookkeeping key.
        let actions: Vec<String> = decision
            .actions
            .iter()
            .map(|a| {
                let mut json = serde_json::to_value(a)?;
                if let Some(map) = json.as_object_mut() {
                    map.remove("key");
                }
                serde_json::to_string(&json)
            })
            .collect::<Result<_, _>>()?;
        println!(
            "\nopened {} → {} {}",
            ticket["opened_at"],
            decision.policy,
            decision.version.as_deref().unwrap_or("")
        );
        if actions.is_empty() {
            println!("  no action required");
        }
        for action in actions {
            println!("  {action}");
        }
    }

    // A record for a branch the set does not know goes to the base family; a ticket
    // opened before the first version has no rules to judge it.
    let too_early = serde_json::json!({"priority": "low", "opened_at": "2024-06-01T00:00:00Z"});
    if let Err(e) = set.evaluate(&too_early, &options) {
        println!("\nopened 2024-06-01 → {e}");
    }
    Ok(())
}
