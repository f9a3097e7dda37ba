//! Counters for `GET /metrics`, written in the Prometheus text exposition format (0.0.4).
//!
//! Requests are counted by route template (`/v1/ads/{id}`, never the raw path, so an ad id does
//! not become a label) and status; their durations go to a histogram per route. Webhook delivery
//! attempts are counted by outcome. The ad counts are read from the store when scraped.

use std::collections::BTreeMap;
use std::fmt::Write;
use std::sync::Mutex;
use std::sync::atomic::{AtomicU64, Ordering};
use std::time::Duration;

/// Upper bounds of the latency histogram's buckets, in seconds.
pub const BUCKETS: [f64; 12] = [
    0.001, 0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1.0, 2.5, 5.0, 10.0,
];

/// How a webhook delivery attempt ended.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum DeliveryOutcome {
    /// The receiver accepted it.
    Delivered,
    /// It failed and will be tried again.
    Retry,
    /// It failed for the last time.
    Failed,
}

impl DeliveryOutcome {
    /// Its label value.
    pub fn name(self) -> &'static str {
        match self {
            DeliveryOutcome::Delivered => "delivered",
            DeliveryOutcome::Retry => "retry",
            DeliveryOutcome::Failed => "failed",
        }
    }
}

#[derive(Debug, Default, Clone)]
struct Histogram {
    counts: [u64; BUCKETS.len()],
    sum: f64,
    count: u64,
}

#[derive(Debug, Default)]
struct Requests {
    totals: BTreeMap<(String, u16), u64>,
    durations: BTreeMap<String, Histogram>,
}

/// The server's counters. Shared by every request.
#[derive(Debug, Default)]
pub struct Metrics {
    requests: Mutex<Requests>,
    deliveries: [AtomicU64; 3],
}

impl Metrics {
    /// Counts a request to `route` answered with `status` after `elapsed`.
    pub fn observe(&self, route: &str, status: u16, elapsed: Duration) {
        let seconds = elapsed.as_secs_f64();
        let mut requests = self.requests.lock().unwrap_or_else(|p| p.into_inner());
        *requests
            .totals
            .entry((route.to_string(), status))
            .or_default() += 1;
        let histogram = requests.durations.entry(route.to_string()).or_default();
        for (count, bound) in histogram.counts.iter_mut().zip(BUCKETS) {
            if seconds <= bound {
                *count += 1;
            }
        }
        histogram.sum += seconds;
        histogram.count += 1;
    }

    /// Counts a webhook delivery attempt.
    pub fn delivery(&self, outcome: DeliveryOutcome) {
        let index = match outcome {
            DeliveryOutcome::Delivered => 0,
            DeliveryOutcome::Retry => 1,
            DeliveryOutcome::Failed => 2,
        };
        self.deliveries[index].fetch_add(1, Ordering::Relaxed);
    }

    /// The exposition text, with the stored and flagged ad counts when known.
    pub fn render(&self, counts: Option<(u64, u64)>) -> String {
        let mut out = String::new();
        let requests = self.requests.lock().unwrap_or_else(|p| p.into_inner());
        out.push_str("# HELP lurewatch_http_requests_total HTTP requests answered, by route template and status.\n");
        out.push_str("# TYPE lurewatch_http_requests_total counter\n");
        for ((route, status), total) in &requests.totals {
            let _ = writeln!(
                out,
                "lurewatch_http_requests_total{{route=\"{}\",status=\"{status}\"}} {total}",
                label(route)
            );
        }
        out.push_str("# HELP lurewatch_http_request_duration_seconds Time to answer HTTP requests, by route template.\n");
        out.push_str("# TYPE lurewatch_http_request_duration_seconds histogram\n");
        for (route, h) in &requests.durations {
            let route = label(route);
            for (count, bound) in h.counts.iter().zip(BUCKETS) {
                let _ = writeln!(
                    out,
                    "lurewatch_http_request_duration_seconds_bucket{{route=\"{route}\",le=\"{bound}\"}} {count}"
                );
            }
            let _ = writeln!(
                out,
                "lurewatch_http_request_duration_seconds_bucket{{route=\"{route}\",le=\"+Inf\"}} {}",
                h.count
            );
            let _ = writeln!(
                out,
                "lurewatch_http_request_duration_seconds_sum{{route=\"{route}\"}} {}",
                h.sum
            );
            let _ = writeln!(
                out,
                "lurewatch_http_request_duration_seconds_count{{route=\"{route}\"}} {}",
                h.count
            );
        }
        drop(requests);
        out.push_str(
            "# HELP lurewatch_webhook_deliveries_total Webhook delivery attempts, by outcome.\n",
        );
        out.push_str("# TYPE lurewatch_webhook_deliveries_total counter\n");
        for outcome in [
            DeliveryOutcome::Delivered,
            DeliveryOutcome::Retry,
            DeliveryOutcome::Failed,
        ] {
            let index = outcome as usize;
            let _ = writeln!(
                out,
                "lurewatch_webhook_deliveries_total{{outcome=\"{}\"}} {}",
                outcome.name(),
                self.deliveries[index].load(Ordering::Relaxed)
            );
        }
        if let Some((ads, flagged)) = counts {
            out.push_str("# HELP lurewatch_ads Ads in the store.\n# TYPE lurewatch_ads gauge\n");
            let _ = writeln!(out, "lurewatch_ads {ads}");
            out.push_str("# HELP lurewatch_flagged_ads Ads currently flagged for review.\n# TYPE lurewatch_flagged_ads gauge\n");
            let _ = writeln!(out, "lurewatch_flagged_ads {flagged}");
        }
        out
    }
}

/// A label value escaped as the exposition format requires.
fn label(value: &str) -> String {
    value
        .replace('\\', "\\\\")
        .replace('"', "\\\"")
        .replace('\n', "\\n")
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn requests_are_counted_by_route_and_status_with_a_cumulative_histogram() {
        let metrics = Metrics::default();
        metrics.observe("/v1/ads/{id}", 200, Duration::from_millis(3));
        metrics.observe("/v1/ads/{id}", 200, Duration::from_millis(300));
        metrics.observe("/v1/ads/{id}", 404, Duration::from_millis(1));
        metrics.delivery(DeliveryOutcome::Retry);
        let text = metrics.render(Some((10, 4)));
        assert!(
            text.contains("lurewatch_http_requests_total{route=\"/v1/ads/{id}\",status=\"200\"} 2")
        );
        assert!(
            text.contains("lurewatch_http_requests_total{route=\"/v1/ads/{id}\",status=\"404\"} 1")
        );
        assert!(text.contains(
            "lurewatch_http_request_duration_seconds_bucket{route=\"/v1/ads/{id}\",le=\"0.005\"} 2"
        ));
        assert!(text.contains(
            "lurewatch_http_request_duration_seconds_bucket{route=\"/v1/ads/{id}\",le=\"0.5\"} 3"
        ));
        assert!(text.contains(
            "lurewatch_http_request_duration_seconds_bucket{route=\"/v1/ads/{id}\",le=\"+Inf\"} 3"
        ));
        assert!(
            text.contains(
                "lurewatch_http_request_duration_seconds_count{route=\"/v1/ads/{id}\"} 3"
            )
        );
        assert!(text.contains("lurewatch_webhook_deliveries_total{outcome=\"retry\"} 1"));
        assert!(text.contains("lurewatch_flagged_ads 4"));
        assert!(text.contains("lurewatch_ads 10"));
        assert_eq!(label("a\"b\\c\n"), "a\\\"b\\\\c\\n");
    }
}
