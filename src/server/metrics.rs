//! Prometheus metrics: request counts and latency histograms by route, and the size of the
//! knowledge base, served as text at `/metrics`.
//!
//! Routes are labelled by their matched pattern (`/api/documents/{id}`), never the raw URL, and
//! methods outside the standard ones share the label `other`, so the number of series stays
//! bounded whatever clients request; unknown URLs share one label.

use std::collections::BTreeMap;
use std::fmt::Write;
use std::sync::Mutex;
use std::time::Duration;

use axum::http::Method;

/// Upper bounds of the latency buckets, in seconds.
const BUCKETS: [f64; 12] = [
    0.001, 0.0025, 0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1.0, 2.5, 10.0,
];

/// The route label of requests that matched no route.
pub(crate) const UNMATCHED: &str = "unmatched";

#[derive(Default)]
struct Histogram {
    /// Per bucket (not cumulative); the last slot is +Inf.
    counts: [u64; BUCKETS.len() + 1],
    sum: f64,
    count: u64,
}

#[derive(Default)]
struct Series {
    /// (method, route, status) → count
    requests: BTreeMap<(String, String, u16), u64>,
    /// (method, route) → latency
    latency: BTreeMap<(String, String), Histogram>,
}

#[derive(Default)]
pub(crate) struct Metrics {
    series: Mutex<Series>,
}

impl Metrics {
    pub(crate) fn record(&self, method: &str, route: &str, status: u16, elapsed: Duration) {
        let mut series = self.series.lock().unwrap_or_else(|p| p.into_inner());
        *series
            .requests
            .entry((method.to_string(), route.to_string(), status))
            .or_insert(0) += 1;
        let histogram = series
            .latency
            .entry((method.to_string(), route.to_string()))
            .or_default();
        let seconds = elapsed.as_secs_f64();
        let slot = BUCKETS
            .iter()
            .position(|&bound| seconds <= bound)
            .unwrap_or(BUCKETS.len());
        histogram.counts[slot] += 1;
        histogram.sum += seconds;
        histogram.count += 1;
    }

    /// The Prometheus text exposition, with the knowledge-base gauges given by the caller.
    pub(crate) fn render(
        &self,
        documents_indexed: u64,
        documents_stored: usize,
        ready: bool,
    ) -> String {
        let series = self.series.lock().unwrap_or_else(|p| p.into_inner());
        let mut out = String::new();
        out.push_str("# HELP praxis_http_requests_total HTTP requests by method, matched route and status.\n");
        out.push_str("# TYPE praxis_http_requests_total counter\n");
        for ((method, route, status), count) in &series.requests {
            let _ = writeln!(
                out,
                "praxis_http_requests_total{{method=\"{}\",route=\"{}\",status=\"{status}\"}} {count}",
                escape(method),
                escape(route)
            );
        }
        out.push_str("# HELP praxis_http_request_duration_seconds Time to the response head, by method and matched route.\n");
        out.push_str("# TYPE praxis_http_request_duration_seconds histogram\n");
        for ((method, route), histogram) in &series.latency {
            let labels = format!("method=\"{}\",route=\"{}\"", escape(method), escape(route));
            let mut cumulative = 0;
            for (i, bound) in BUCKETS.iter().enumerate() {
                cumulative += histogram.counts[i];
                let _ = writeln!(
                    out,
                    "praxis_http_request_duration_seconds_bucket{{{labels},le=\"{bound}\"}} {cumulative}"
                );
            }
            cumulative += histogram.counts[BUCKETS.len()];
            let _ = writeln!(
                out,
                "praxis_http_request_duration_seconds_bucket{{{labels},le=\"+Inf\"}} {cumulative}"
            );
            let _ = writeln!(
                out,
                "praxis_http_request_duration_seconds_sum{{{labels}}} {}",
                histogram.sum
            );
            let _ = writeln!(
                out,
                "praxis_http_request_duration_seconds_count{{{labels}}} {}",
                histogram.count
            );
        }
        out.push_str("# HELP praxis_documents_indexed Documents searchable now.\n");
        out.push_str("# TYPE praxis_documents_indexed gauge\n");
        let _ = writeln!(out, "praxis_documents_indexed {documents_indexed}");
        out.push_str(
            "# HELP praxis_documents_stored Documents in the store, withdrawn ones included.\n",
        );
        out.push_str("# TYPE praxis_documents_stored gauge\n");
        let _ = writeln!(out, "praxis_documents_stored {documents_stored}");
        out.push_str("# HELP praxis_ready 1 when the server is ready to serve (see /readyz).\n");
        out.push_str("# TYPE praxis_ready gauge\n");
        let _ = writeln!(out, "praxis_ready {}", u8::from(ready));
        out
    }
}

fn escape(value: &str) -> String {
    value
        .replace('\\', "\\\\")
        .replace('"', "\\\"")
        .replace('\n', "\\n")
}

/// The method's label: a standard method's name, else `other` (any token is a valid method).
pub(crate) fn method_label(method: &Method) -> &'static str {
    match *method {
        Method::GET => "GET",
        Method::HEAD => "HEAD",
        Method::POST => "POST",
        Method::PUT => "PUT",
        Method::DELETE => "DELETE",
        Method::PATCH => "PATCH",
        Method::OPTIONS => "OPTIONS",
        _ => "other",
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn histograms_are_cumulative_and_counted() {
        let metrics = Metrics::default();
        metrics.record("GET", "/api/search", 200, Duration::from_millis(3));
        metrics.record("GET", "/api/search", 200, Duration::from_millis(30));
        metrics.record("GET", "/api/search", 400, Duration::from_secs(20));
        let text = metrics.render(12, 13, true);
        assert!(text.contains(
            "praxis_http_requests_total{method=\"GET\",route=\"/api/search\",status=\"200\"} 2"
        ));
        assert!(text.contains(
            "praxis_http_request_duration_seconds_bucket{method=\"GET\",route=\"/api/search\",le=\"0.005\"} 1"
        ));
        assert!(text.contains(
            "praxis_http_request_duration_seconds_bucket{method=\"GET\",route=\"/api/search\",le=\"0.05\"} 2"
        ));
        assert!(text.contains(
            "praxis_http_request_duration_seconds_bucket{method=\"GET\",route=\"/api/search\",le=\"+Inf\"} 3"
        ));
        assert!(text.contains(
            "praxis_http_request_duration_seconds_count{method=\"GET\",route=\"/api/search\"} 3"
        ));
        assert!(text.contains("praxis_documents_indexed 12\n"));
    }

    #[test]
    fn invented_methods_share_one_label() {
        for name in ["FOO", "BAR", "PURGE"] {
            let method = Method::from_bytes(name.as_bytes()).unwrap();
            assert_eq!(method_label(&method), "other");
        }
        assert_eq!(method_label(&Method::DELETE), "DELETE");
    }
}
