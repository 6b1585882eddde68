//! Traces: OpenTelemetry spans exported over OTLP/HTTP when `OTEL_EXPORTER_OTLP_ENDPOINT` is set,
//! and W3C `traceparent` read from inbound requests and written on calls to Mux.
//!
//! muxd's spans are ordinary `tracing` spans (`request`, `webhook.ingest`, `db.apply`,
//! `db.commit`, `mux.call`, `mux.attempt`, `job`); this module only adds the layer that turns them
//! into OpenTelemetry spans and ships them in batches from a thread of the SDK's own. When the
//! endpoint is unset nothing is installed: no exporter, no propagator, and the propagation
//! helpers find no context and write no header. The exporter reads the standard variables itself
//! (`OTEL_EXPORTER_OTLP_TRACES_ENDPOINT`, `_HEADERS`, `_TIMEOUT`, `OTEL_SERVICE_NAME`,
//! `OTEL_TRACES_SAMPLER`, `OTEL_BSP_*`), so any OTLP backend (Datadog, New Relic, Honeycomb,
//! Grafana, a Collector) is configured the way its docs say.

use axum::http::{HeaderMap, HeaderName, HeaderValue};
use opentelemetry::propagation::{Extractor, Injector};
use opentelemetry::trace::TracerProvider as _;
use opentelemetry::{Context, Key};
use opentelemetry_sdk::propagation::TraceContextPropagator;
use opentelemetry_sdk::trace::{SdkTracerProvider, Tracer};
use opentelemetry_sdk::Resource;
use tracing_opentelemetry::OpenTelemetrySpanExt as _;

/// The exporter's handle; dropping it flushes the spans not yet sent (call it before exit).
pub struct Traces {
    provider: Option<SdkTracerProvider>,
}

impl Traces {
    /// No traces (the endpoint is unset, or the exporter could not be built).
    pub fn off() -> Self {
        Self { provider: None }
    }
}

impl Drop for Traces {
    fn drop(&mut self) {
        if let Some(provider) = self.provider.take() {
            if let Err(error) = provider.shutdown() {
                eprintln!("muxd: flushing traces failed: {error}");
            }
        }
    }
}

/// Builds the OTLP/HTTP exporter and the tracer muxd's spans go to, and installs the W3C trace
/// context propagator.
pub fn start() -> Result<(Traces, Tracer), String> {
    let exporter = opentelemetry_otlp::SpanExporter::builder()
        .with_http()
        .build()
        .map_err(|e| e.to_string())?;
    // `OTEL_SERVICE_NAME` (or `service.name` in `OTEL_RESOURCE_ATTRIBUTES`) names the service;
    // unnamed, it is `muxd` rather than the SDK's `unknown_service`.
    let detected = Resource::builder().build();
    let named = detected
        .get(&Key::new("service.name"))
        .is_some_and(|name| name.as_str() != "unknown_service");
    let resource = match named {
        true => detected,
        false => Resource::builder().with_service_name("muxd").build(),
    };
    let provider = SdkTracerProvider::builder()
        .with_batch_exporter(exporter)
        .with_resource(resource)
        .build();
    let tracer = provider.tracer("muxd");
    opentelemetry::global::set_text_map_propagator(TraceContextPropagator::new());
    let traces = Traces {
        provider: Some(provider),
    };
    Ok((traces, tracer))
}

/// Makes `span` a child of the trace an inbound request's `traceparent` names (if any).
pub fn continue_remote(span: &tracing::Span, headers: &HeaderMap) {
    let parent = opentelemetry::global::get_text_map_propagator(|propagator| {
        propagator.extract(&Headers(headers))
    });
    if opentelemetry::trace::TraceContextExt::has_active_span(&parent) {
        let _ = span.set_parent(parent);
    }
}

/// Writes the current span's `traceparent` (and `tracestate`) into an outbound request's headers.
pub fn inject_current(headers: &mut HeaderMap) {
    let context: Context = tracing::Span::current().context();
    opentelemetry::global::get_text_map_propagator(|propagator| {
        propagator.inject_context(&context, &mut HeadersMut(headers));
    });
}

struct Headers<'a>(&'a HeaderMap);

impl Extractor for Headers<'_> {
    fn get(&self, key: &str) -> Option<&str> {
        self.0.get(key).and_then(|v| v.to_str().ok())
    }

    fn keys(&self) -> Vec<&str> {
        self.0.keys().map(HeaderName::as_str).collect()
    }
}

struct HeadersMut<'a>(&'a mut HeaderMap);

impl Injector for HeadersMut<'_> {
    fn set(&mut self, key: &str, value: String) {
        if let (Ok(name), Ok(value)) = (
            HeaderName::from_bytes(key.as_bytes()),
            HeaderValue::from_str(&value),
        ) {
            self.0.insert(name, value);
        }
    }
}
