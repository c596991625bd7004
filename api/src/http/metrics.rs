//! Prometheus metrics: request counts and latencies by route pattern (never by raw path, which
//! would carry ids and explode the label set).

use std::time::Duration;

use prometheus::{
    Encoder, HistogramOpts, HistogramVec, IntCounterVec, Opts, Registry, TextEncoder,
};

/// The label for a request method: one of the methods the service answers, or `OTHER`.
pub fn method_label(method: &str) -> &'static str {
    match method {
        "GET" => "GET",
        "HEAD" => "HEAD",
        "POST" => "POST",
        "PUT" => "PUT",
        "PATCH" => "PATCH",
        "DELETE" => "DELETE",
        "OPTIONS" => "OPTIONS",
        _ => "OTHER",
    }
}

/// The process's metrics.
pub struct Metrics {
    registry: Registry,
    requests: IntCounterVec,
    latency: HistogramVec,
}

impl std::fmt::Debug for Metrics {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str("Metrics")
    }
}

impl Metrics {
    /// Registers the collectors.
    pub fn new() -> anyhow::Result<Self> {
        let registry = Registry::new_custom(Some("qingling".into()), None)?;
        let requests = IntCounterVec::new(
            Opts::new("http_requests_total", "HTTP requests by route and status"),
            &["method", "route", "status"],
        )?;
        let latency = HistogramVec::new(
            HistogramOpts::new("http_request_duration_seconds", "HTTP request latency").buckets(
                vec![
                    0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1.0, 2.5, 5.0, 10.0,
                ],
            ),
            &["method", "route"],
        )?;
        registry.register(Box::new(requests.clone()))?;
        registry.register(Box::new(latency.clone()))?;
        Ok(Self {
            registry,
            requests,
            latency,
        })
    }

    /// Records one finished request. The method is mapped to a fixed set first: any token is a
    /// valid HTTP method, so a client inventing methods would otherwise add label series (and
    /// memory) without bound.
    pub fn observe(&self, method: &str, route: &str, status: u16, elapsed: Duration) {
        let method = method_label(method);
        self.requests
            .with_label_values(&[method, route, &status.to_string()])
            .inc();
        self.latency
            .with_label_values(&[method, route])
            .observe(elapsed.as_secs_f64());
    }

    /// The registry, for subsystems that add their own collectors.
    pub fn registry(&self) -> &Registry {
        &self.registry
    }

    /// The text exposition format.
    pub fn render(&self) -> String {
        let mut buf = Vec::new();
        let families = self.registry.gather();
        if TextEncoder::new().encode(&families, &mut buf).is_err() {
            return String::new();
        }
        String::from_utf8(buf).unwrap_or_default()
    }
}

#[cfg(test)]
#[allow(clippy::unwrap_used)]
mod tests {
    use super::*;

    #[test]
    fn made_up_methods_share_one_label_series() {
        let m = Metrics::new().unwrap();
        for method in ["GET", "FOO", "BAR", "XYZZY", "get"] {
            m.observe(method, "unmatched", 405, Duration::from_millis(1));
        }
        let text = m.render();
        assert!(text.contains("method=\"OTHER\""), "{text}");
        assert!(!text.contains("FOO") && !text.contains("XYZZY"), "{text}");
        let series = text
            .lines()
            .filter(|l| l.starts_with("qingling_http_requests_total{"))
            .count();
        assert_eq!(series, 2, "GET and OTHER only: {text}");
    }
}
