//! `GET /`: the playground, one page and one script compiled into the binary, and the
//! bundled example policies and records it starts from. Nothing is fetched from elsewhere.

use std::sync::OnceLock;

use axum::http::{HeaderValue, header};
use axum::response::{IntoResponse, Response};
use serde_json::{Value, json};
use service_policy::testing::parse_record;

const PAGE: &str = include_str!("playground/index.html");
const SCRIPT: &str = include_str!("playground/app.js");

/// An example policy, its tests file (for the `now` its cases use) and its records.
struct Example {
    file: &'static str,
    source: &'static str,
    tests: &'static str,
    records: &'static [(&'static str, &'static str)],
}

const EXAMPLES: &[Example] = &[
    Example {
        file: "retail.policy",
        source: include_str!("../../../examples/policies/retail.policy"),
        tests: include_str!("../../../examples/policies/retail.tests.yaml"),
        records: &[
            (
                "retail_late_reply.json",
                include_str!("../../../examples/policies/records/retail_late_reply.json"),
            ),
            (
                "retail_platinum.json",
                include_str!("../../../examples/policies/records/retail_platinum.json"),
            ),
            (
                "retail_refund_velocity.yaml",
                include_str!("../../../examples/policies/records/retail_refund_velocity.yaml"),
            ),
        ],
    },
    Example {
        file: "refunds.policy",
        source: include_str!("../../../examples/policies/refunds.policy"),
        tests: include_str!("../../../examples/policies/refunds.tests.yaml"),
        records: &[
            (
                "refund_damaged_gold.json",
                include_str!("../../../examples/policies/records/refund_damaged_gold.json"),
            ),
            (
                "refund_frequent.yaml",
                include_str!("../../../examples/policies/records/refund_frequent.yaml"),
            ),
        ],
    },
    Example {
        file: "call_center.policy",
        source: include_str!("../../../examples/policies/call_center.policy"),
        tests: include_str!("../../../examples/policies/call_center.tests.yaml"),
        records: &[
            (
                "call_center_business.json",
                include_str!("../../../examples/policies/records/call_center_business.json"),
            ),
            (
                "call_center_friday_evening.yaml",
                include_str!("../../../examples/policies/records/call_center_friday_evening.yaml"),
            ),
        ],
    },
    Example {
        file: "multilingual.policy",
        source: include_str!("../../../examples/policies/multilingual.policy"),
        tests: include_str!("../../../examples/policies/multilingual.tests.yaml"),
        records: &[
            (
                "multilingual_calm.json",
                include_str!("../../../examples/policies/records/multilingual_calm.json"),
            ),
            (
                "multilingual_legal.yaml",
                include_str!("../../../examples/policies/records/multilingual_legal.yaml"),
            ),
        ],
    },
];

pub(super) async fn page() -> Response {
    (
        [
            (
                header::CONTENT_TYPE,
                HeaderValue::from_static("text/html; charset=utf-8"),
            ),
            // The page loads nothing from elsewhere, and says so to the browser.
            (
                header::CONTENT_SECURITY_POLICY,
                HeaderValue::from_static(
                    "default-src 'self'; style-src 'self' 'unsafe-inline'; img-src 'self' data:",
                ),
            ),
        ],
        PAGE,
    )
        .into_response()
}

pub(super) async fn script() -> Response {
    (
        [(
            header::CONTENT_TYPE,
            HeaderValue::from_static("text/javascript; charset=utf-8"),
        )],
        SCRIPT,
    )
        .into_response()
}

pub(super) async fn examples() -> Response {
    (
        [(
            header::CONTENT_TYPE,
            HeaderValue::from_static("application/json"),
        )],
        examples_json().clone(),
    )
        .into_response()
}

/// The examples as the page reads them: each policy's text, the `now` its tests use, and
/// its records as JSON text (YAML records converted).
fn examples_json() -> &'static String {
    static JSON: OnceLock<String> = OnceLock::new();
    JSON.get_or_init(|| {
        let examples: Vec<Value> = EXAMPLES
            .iter()
            .map(|example| {
                let now = serde_saphyr::from_str::<Value>(example.tests)
                    .ok()
                    .and_then(|tests| tests.get("now").cloned())
                    .unwrap_or(Value::Null);
                let records: Vec<Value> = example
                    .records
                    .iter()
                    .filter_map(|(name, text)| {
                        let yaml = name.ends_with(".yaml");
                        let record = parse_record(text, yaml).ok()?;
                        let text = serde_json::to_string_pretty(&record).ok()?;
                        Some(json!({ "name": name, "text": text }))
                    })
                    .collect();
                json!({
                    "file": example.file,
                    "source": example.source,
                    "now": now,
                    "records": records,
                })
            })
            .collect();
        serde_json::to_string(&json!({ "examples": examples })).unwrap_or_default()
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn every_bundled_record_reaches_the_page_with_its_policy_and_now() {
        let examples: Value = serde_json::from_str(examples_json()).unwrap();
        let list = examples["examples"].as_array().unwrap();
        assert_eq!(list.len(), EXAMPLES.len());
        for (example, bundled) in list.iter().zip(EXAMPLES) {
            assert_eq!(
                example["records"].as_array().unwrap().len(),
                bundled.records.len()
            );
            assert!(example["now"].is_string(), "{example}");
        }
        assert_eq!(list[0]["file"], "retail.policy");
        assert_eq!(list[0]["now"], "2026-03-02T10:00:00Z");
    }
}
