//! Logs, traces and metrics set-up. Logs: JSON lines in production (each with its span's fields
//! once, without those for traces only), readable text in dev; level from `RUST_LOG` (default
//! `info`). Fields follow one convention: dotted names (`asset.id`,
//! `event.id`), units in names (`duration_ms`), never a secret or a token. Traces: the same
//! `tracing` spans, exported over OTLP when an endpoint is configured (`traces.rs`). Metrics: one
//! process-wide Prometheus recorder, rendered at `/metrics`; every latency histogram (all in
//! seconds) has the buckets of [`BUCKETS`] (processing times have their own, up to hours), so alerts and dashboards can take quantiles across
//! instances.

mod log_fields;
pub mod traces;

use std::sync::OnceLock;

use metrics_exporter_prometheus::{Matcher, PrometheusBuilder, PrometheusHandle};
use tracing_subscriber::filter::LevelFilter;
use tracing_subscriber::layer::SubscriberExt as _;
use tracing_subscriber::util::SubscriberInitExt as _;
use tracing_subscriber::{EnvFilter, Layer as _};

use crate::config::LogFormat;
use muxd_domain::processing;
pub use traces::Traces;

/// Installs the global subscriber (once; later calls are no-ops), with the OTLP exporter when
/// `otlp` (the configured endpoint) is set. Keep the returned handle until exit: dropping it
/// flushes the spans not yet sent.
pub fn init(format: LogFormat, otlp: Option<&str>) -> Traces {
    let filter = EnvFilter::try_from_default_env().unwrap_or_else(|_| EnvFilter::new("info"));
    let logs = match format {
        LogFormat::Json => json_layer(std::io::stderr).boxed(),
        LogFormat::Pretty => tracing_subscriber::fmt::layer()
            .with_writer(std::io::stderr)
            .compact()
            .boxed(),
    };
    let (traces, tracer) = match otlp.map(|_| traces::start()) {
        Some(Ok((traces, tracer))) => (traces, Some(tracer)),
        Some(Err(error)) => {
            eprintln!("muxd: traces are off; the OTLP exporter could not be built: {error}");
            (Traces::off(), None)
        }
        None => (Traces::off(), None),
    };
    // Spans are traced at INFO whatever `RUST_LOG` says of logs: quieter logs keep their traces.
    let spans = tracer.map(|tracer| {
        tracing_opentelemetry::layer()
            .with_tracer(tracer)
            .with_filter(LevelFilter::INFO)
    });
    let installed = tracing_subscriber::registry()
        .with(logs.with_filter(filter))
        .with(spans)
        .try_init();
    match installed {
        Ok(()) => traces,
        Err(_) => Traces::off(),
    }
}

/// JSON log lines to `writer`: the event's fields, then its span's once (`log_fields.rs`), no
/// module path.
fn json_layer<S, W>(writer: W) -> impl tracing_subscriber::Layer<S>
where
    S: tracing::Subscriber + for<'a> tracing_subscriber::registry::LookupSpan<'a>,
    W: for<'w> tracing_subscriber::fmt::MakeWriter<'w> + Send + Sync + 'static,
{
    tracing_subscriber::fmt::layer()
        .json()
        .flatten_event(true)
        .with_span_list(false)
        .with_target(false)
        .fmt_fields(log_fields::LogFields)
        .with_writer(writer)
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
                .set_buckets_for_metric(
                    Matcher::Full(processing::METRIC.to_owned()),
                    &processing::BUCKETS,
                )
                .expect("the bucket list is not empty")
                .build_recorder();
            let handle = recorder.handle();
            // Another recorder may already be installed (e.g. by an embedding program).
            let _ = metrics::set_global_recorder(recorder);
            handle
        })
        .clone()
}
