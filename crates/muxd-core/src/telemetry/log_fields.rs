//! How a span's fields appear in JSON log lines: as a JSON object, without the fields that are
//! for traces only. `otel.*` fields are OpenTelemetry's directives (a span's name, kind,
//! status); `http.*` and `url.*` are its HTTP attributes (method, path, route, response status).
//! A log line names its request by `request_id`, which finds the request's trace. A field
//! recorded later that is for traces only leaves the span's logged fields as they were, without
//! re-reading them.

use std::fmt;

use serde_json::{Map, Value};
use tracing::field::{Field, Visit};
use tracing_subscriber::field::RecordFields;
use tracing_subscriber::fmt::format::Writer;
use tracing_subscriber::fmt::{FormatFields, FormattedFields};

/// Whether a span field is left out of log lines.
fn for_traces_only(name: &str) -> bool {
    ["otel.", "http.", "url."]
        .iter()
        .any(|prefix| name.starts_with(prefix))
}

/// The fields' formatter of JSON log lines (see the module's doc).
#[derive(Debug, Default)]
pub struct LogFields;

/// Collects the logged fields as JSON values.
#[derive(Default)]
struct Collect(Map<String, Value>);

impl Collect {
    fn put(&mut self, field: &Field, value: Value) {
        if !for_traces_only(field.name()) {
            self.0.insert(field.name().to_owned(), value);
        }
    }
}

impl Visit for Collect {
    fn record_f64(&mut self, field: &Field, value: f64) {
        self.put(field, value.into());
    }
    fn record_i64(&mut self, field: &Field, value: i64) {
        self.put(field, value.into());
    }
    fn record_u64(&mut self, field: &Field, value: u64) {
        self.put(field, value.into());
    }
    fn record_bool(&mut self, field: &Field, value: bool) {
        self.put(field, value.into());
    }
    fn record_str(&mut self, field: &Field, value: &str) {
        self.put(field, value.into());
    }
    fn record_debug(&mut self, field: &Field, value: &dyn fmt::Debug) {
        self.put(field, format!("{value:?}").into());
    }
}

impl<'w> FormatFields<'w> for LogFields {
    fn format_fields<R: RecordFields>(&self, mut writer: Writer<'w>, fields: R) -> fmt::Result {
        let mut collect = Collect::default();
        fields.record(&mut collect);
        write!(writer, "{}", Value::Object(collect.0))
    }

    fn add_fields(
        &self,
        current: &'w mut FormattedFields<Self>,
        fields: &tracing::span::Record<'_>,
    ) -> fmt::Result {
        let mut added = Collect::default();
        fields.record(&mut added);
        if added.0.is_empty() {
            return Ok(());
        }
        let mut all: Map<String, Value> = match current.fields.is_empty() {
            true => Map::new(),
            false => serde_json::from_str(&current.fields).map_err(|_| fmt::Error)?,
        };
        all.extend(added.0);
        current.fields = Value::Object(all).to_string();
        Ok(())
    }
}

#[cfg(test)]
mod tests {
    use std::sync::{Arc, Mutex};

    use tracing_subscriber::layer::SubscriberExt as _;

    use super::*;

    /// What a subscriber wrote, shared with the test.
    #[derive(Clone, Default)]
    struct Lines(Arc<Mutex<Vec<u8>>>);

    impl std::io::Write for Lines {
        fn write(&mut self, bytes: &[u8]) -> std::io::Result<usize> {
            self.0.lock().unwrap().extend_from_slice(bytes);
            Ok(bytes.len())
        }
        fn flush(&mut self) -> std::io::Result<()> {
            Ok(())
        }
    }

    #[test]
    fn a_log_line_carries_its_span_once_without_the_fields_for_traces() {
        let lines = Lines::default();
        let writer = lines.clone();
        let layer = super::super::json_layer(move || writer.clone());
        let subscriber = tracing_subscriber::registry().with(layer);
        tracing::subscriber::with_default(subscriber, || {
            let outer = tracing::info_span!("outer", job = "sweep");
            let _outer = outer.enter();
            let span = tracing::info_span!(
                "request",
                otel.name = "POST /api/webhooks/mux",
                http.request.method = "POST",
                url.path = "/api/webhooks/mux",
                http.route = "/api/webhooks/mux",
                http.response.status_code = tracing::field::Empty,
                request_id = "r-1",
                outcome = tracing::field::Empty,
            );
            let _entered = span.enter();
            span.record("http.response.status_code", 200);
            span.record("outcome", "applied");
            tracing::info!(event.id = "evt-1", "webhook stored");
        });
        let text = String::from_utf8(lines.0.lock().unwrap().clone()).unwrap();
        let line: Value = serde_json::from_str(text.trim()).unwrap();
        assert_eq!(line["message"], "webhook stored");
        assert_eq!(line["event.id"], "evt-1");
        assert_eq!(
            line["span"],
            serde_json::json!({"name": "request", "request_id": "r-1", "outcome": "applied"})
        );
        assert!(
            line.get("spans").is_none(),
            "the spans are not repeated: {text}"
        );
        assert!(line.get("target").is_none(), "{text}");
    }
}
