//! `/metrics`: requests, latency, errors by kind and reloads, in the OpenMetrics text form
//! Prometheus scrapes.

use prometheus_client::encoding::EncodeLabelSet;
use prometheus_client::metrics::counter::Counter;
use prometheus_client::metrics::family::Family;
use prometheus_client::metrics::histogram::{Histogram, exponential_buckets};
use prometheus_client::registry::Registry;

#[derive(Clone, Debug, Hash, PartialEq, Eq, EncodeLabelSet)]
struct RequestLabels {
    endpoint: String,
    status: String,
}

#[derive(Clone, Debug, Hash, PartialEq, Eq, EncodeLabelSet)]
struct EndpointLabels {
    endpoint: String,
}

#[derive(Clone, Debug, Hash, PartialEq, Eq, EncodeLabelSet)]
struct ErrorLabels {
    code: String,
}

#[derive(Clone, Debug, Hash, PartialEq, Eq, EncodeLabelSet)]
struct RecordLabels {
    read: String,
}

#[derive(Clone, Debug, Hash, PartialEq, Eq, EncodeLabelSet)]
struct ReloadLabels {
    outcome: String,
}

type LatencyFamily = Family<EndpointLabels, Histogram, fn() -> Histogram>;

/// The service's counters, shared by every request.
#[derive(Debug)]
pub(super) struct Metrics {
    registry: Registry,
    requests: Family<RequestLabels, Counter>,
    latency: LatencyFamily,
    errors: Family<ErrorLabels, Counter>,
    reloads: Family<ReloadLabels, Counter>,
    /// Records evaluated, read straight into a policy's slots and parsed in full: held
    /// apart from their family so that counting takes no lock.
    read_straight: Counter,
    read_in_full: Counter,
}

fn latency_histogram() -> Histogram {
    // 50 µs to about 1.6 s, doubling.
    Histogram::new(exponential_buckets(0.000_05, 2.0, 16))
}

impl Metrics {
    pub fn new() -> Metrics {
        let mut registry = Registry::with_prefix("service_policy");
        let requests = Family::<RequestLabels, Counter>::default();
        let latency: LatencyFamily = Family::new_with_constructor(latency_histogram);
        let errors = Family::<ErrorLabels, Counter>::default();
        let reloads = Family::<ReloadLabels, Counter>::default();
        registry.register(
            "http_requests",
            "HTTP requests answered, by endpoint and status",
            requests.clone(),
        );
        registry.register(
            "http_request_duration_seconds",
            "Time from a request's arrival to its response, by endpoint",
            latency.clone(),
        );
        registry.register(
            "http_errors",
            "Error responses, by their JSON error code",
            errors.clone(),
        );
        let records = Family::<RecordLabels, Counter>::default();
        registry.register(
            "records",
            "Records evaluated by /v1/evaluate and its batch form, by how they were read \
             (straight into the policy's fields, or parsed in full)",
            records.clone(),
        );
        let counter = |read: &str| {
            records
                .get_or_create(&RecordLabels {
                    read: read.to_owned(),
                })
                .clone()
        };
        let read_straight = counter("straight");
        let read_in_full = counter("in_full");
        registry.register(
            "reloads",
            "Policy reloads under --watch, by outcome (applied or refused)",
            reloads.clone(),
        );
        Metrics {
            registry,
            requests,
            latency,
            errors,
            reloads,
            read_straight,
            read_in_full,
        }
    }

    /// Counts records evaluated: `straight` read straight into a policy's slots, `in_full`
    /// parsed into JSON values first.
    pub fn records(&self, straight: usize, in_full: usize) {
        let count = |n: usize| u64::try_from(n).unwrap_or(u64::MAX);
        if straight > 0 {
            self.read_straight.inc_by(count(straight));
        }
        if in_full > 0 {
            self.read_in_full.inc_by(count(in_full));
        }
    }

    /// Counts one answered request.
    pub fn request(&self, endpoint: &str, status: u16, seconds: f64, error: Option<&str>) {
        self.requests
            .get_or_create(&RequestLabels {
                endpoint: endpoint.to_owned(),
                status: status.to_string(),
            })
            .inc();
        self.latency
            .get_or_create(&EndpointLabels {
                endpoint: endpoint.to_owned(),
            })
            .observe(seconds);
        if let Some(code) = error {
            self.errors
                .get_or_create(&ErrorLabels {
                    code: code.to_owned(),
                })
                .inc();
        }
    }

    /// Counts one reload, `applied` or `refused`.
    pub fn reload(&self, outcome: &str) {
        self.reloads
            .get_or_create(&ReloadLabels {
                outcome: outcome.to_owned(),
            })
            .inc();
    }

    /// The text a scrape receives.
    pub fn encode(&self) -> Result<String, std::fmt::Error> {
        let mut text = String::new();
        prometheus_client::encoding::text::encode(&mut text, &self.registry)?;
        Ok(text)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn counts_requests_errors_and_reloads() {
        let metrics = Metrics::new();
        metrics.request("/v1/evaluate", 200, 0.001, None);
        metrics.request("/v1/evaluate", 400, 0.001, Some("invalid_json"));
        metrics.reload("refused");
        let text = metrics.encode().unwrap();
        assert!(
            text.contains(
                r#"service_policy_http_requests_total{endpoint="/v1/evaluate",status="200"} 1"#
            ),
            "{text}"
        );
        assert!(
            text.contains(r#"service_policy_http_errors_total{code="invalid_json"} 1"#),
            "{text}"
        );
        assert!(
            text.contains(r#"service_policy_reloads_total{outcome="refused"} 1"#),
            "{text}"
        );
        assert!(
            text.contains(
                r#"service_policy_http_request_duration_seconds_count{endpoint="/v1/evaluate"} 2"#
            ),
            "{text}"
        );
    }
}
