//! Logs and metrics set-up. Logs: JSON lines in production, readable text in dev; level from
//! `RUST_LOG` (default `info`). Fields follow one convention: dotted names (`asset.id`,
//! `event.id`), units in names (`duration_ms`), never a secret or a token. Metrics: one
//! process-wide Prometheus recorder, rendered at `/metrics`; every histogram (all in seconds)
//! has the buckets of [`BUCKETS`], so alerts and dashboards can take quantiles across instances.

use std::sync::OnceLock;

use metrics_exporter_prometheus::{PrometheusBuilder, PrometheusHandle};
use tracing_subscriber::EnvFilter;

use crate::config::LogFormat;

/// Installs the global subscriber (once; later calls are no-ops).
pub fn init(format: LogFormat) {
    let filter = EnvFilter::try_from_default_env().unwrap_or_else(|_| EnvFilter::new("info"));
    let builder = tracing_subscriber::fmt()
        .with_env_filter(filter)
        .with_writer(std::io::stderr);
    let _ = match format {
        LogFormat::Json => builder.json().flatten_event(true).try_init(),
        LogFormat::Pretty => builder.compact().try_init(),
    };
}

/// Histogram buckets, in seconds: from a fast webhook ack (1 ms) to Mux's 5 s delivery timeout
/// and a slow retried call (30 s).
const BUCKETS: [f64; 14] = [
    0.001, 0.0025, 0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1.0, 2.5, 5.0, 10.0, 30.0,
];

/// The process-wide Prometheus recorder (installed once; every app in a process shares it).
pub fn metrics_handle() -> PrometheusHandle {
    static HANDLE: OnceLock<PrometheusHandle> = OnceLock::new();
    HANDLE
        .get_or_init(|| {
            let recorder = PrometheusBuilder::new()
                .set_buckets(&BUCKETS)
                .expect("the bucket list is not empty")
                .build_recorder();
            let handle = recorder.handle();
            // Another recorder may already be installed (e.g. by an embedding program).
            let _ = metrics::set_global_recorder(recorder);
            handle
        })
        .clone()
}
