//! The metrics the layer records, read back through a capturing recorder installed for the
//! test's thread (the service installs Prometheus; names and labels are its contract).

use std::collections::BTreeMap;
use std::sync::{Arc, Mutex};
use std::time::Duration;

use metrics::{
    Counter, CounterFn, Gauge, GaugeFn, Histogram, HistogramFn, Key, KeyName, Metadata, Recorder,
    SharedString, Unit,
};

use crate::resilience::retry_support::{config, get, layer, server_error, Script};

type Store = Arc<Mutex<BTreeMap<String, f64>>>;

/// Keeps the last value of every gauge, the sum of every counter and the count of every
/// histogram, keyed `name{label=value,…}`.
#[derive(Default)]
struct Capture {
    values: Store,
}

struct Cell {
    key: String,
    values: Store,
}

impl Cell {
    fn update(&self, f: impl FnOnce(&mut f64)) {
        f(self
            .values
            .lock()
            .unwrap()
            .entry(self.key.clone())
            .or_default());
    }
}

impl CounterFn for Cell {
    fn increment(&self, value: u64) {
        self.update(|v| *v += value as f64);
    }
    fn absolute(&self, value: u64) {
        self.update(|v| *v = value as f64);
    }
}

impl GaugeFn for Cell {
    fn increment(&self, value: f64) {
        self.update(|v| *v += value);
    }
    fn decrement(&self, value: f64) {
        self.update(|v| *v -= value);
    }
    fn set(&self, value: f64) {
        self.update(|v| *v = value);
    }
}

impl HistogramFn for Cell {
    fn record(&self, _value: f64) {
        self.update(|v| *v += 1.0);
    }
}

impl Capture {
    fn cell(&self, key: &Key) -> Arc<Cell> {
        let labels: Vec<String> = key
            .labels()
            .map(|l| format!("{}={}", l.key(), l.value()))
            .collect();
        let key = format!("{}{{{}}}", key.name(), labels.join(","));
        Arc::new(Cell {
            key,
            values: self.values.clone(),
        })
    }

    fn get(&self, key: &str) -> f64 {
        let values = self.values.lock().unwrap();
        *values
            .get(key)
            .unwrap_or_else(|| panic!("no {key} in {values:?}"))
    }
}

impl Recorder for Capture {
    fn describe_counter(&self, _: KeyName, _: Option<Unit>, _: SharedString) {}
    fn describe_gauge(&self, _: KeyName, _: Option<Unit>, _: SharedString) {}
    fn describe_histogram(&self, _: KeyName, _: Option<Unit>, _: SharedString) {}
    fn register_counter(&self, key: &Key, _: &Metadata<'_>) -> Counter {
        Counter::from_arc(self.cell(key))
    }
    fn register_gauge(&self, key: &Key, _: &Metadata<'_>) -> Gauge {
        Gauge::from_arc(self.cell(key))
    }
    fn register_histogram(&self, key: &Key, _: &Metadata<'_>) -> Histogram {
        Histogram::from_arc(self.cell(key))
    }
}

#[test]
fn calls_attempts_retries_budget_and_breaker_are_recorded() {
    let capture = Capture::default();
    let runtime = tokio::runtime::Builder::new_current_thread()
        .enable_time()
        .start_paused(true)
        .build()
        .unwrap();
    metrics::with_local_recorder(&capture, || {
        runtime.block_on(async {
            let layer = layer(&config());
            let script = Script::new([Err(server_error()), Err(server_error()), Ok(1)]);
            assert_eq!(
                layer.run(get(None), |limit| script.attempt(limit)).await,
                Ok(1)
            );
            for _ in 0..2 {
                // 4 consecutive failures, then the 5th opens the breaker.
                let failing = Script::new([Err(server_error())]);
                let _ = layer.run(get(None), |limit| failing.attempt(limit)).await;
            }
            tokio::time::sleep(Duration::from_secs(1)).await;
        })
    });
    assert_eq!(
        capture.get("mux_api_calls_total{operation=get_asset,outcome=ok}"),
        1.0
    );
    assert_eq!(
        capture.get("mux_api_calls_total{operation=get_asset,outcome=breaker_open}"),
        1.0
    );
    assert_eq!(
        capture.get("mux_api_calls_total{operation=get_asset,outcome=transient}"),
        1.0
    );
    assert_eq!(
        capture.get("mux_api_call_duration_seconds{operation=get_asset}"),
        3.0,
        "3 samples"
    );
    assert_eq!(
        capture.get("mux_api_attempts_total{operation=get_asset,outcome=transient}"),
        7.0
    );
    assert_eq!(
        capture.get("mux_api_attempts_total{operation=get_asset,outcome=ok}"),
        1.0
    );
    assert_eq!(
        capture.get("mux_api_retries_total{operation=get_asset}"),
        5.0
    );
    assert_eq!(capture.get("mux_api_retry_budget_remaining{}"), 5.0);
    assert_eq!(
        capture.get("mux_api_breaker_transitions_total{from=CLOSED,to=OPEN}"),
        1.0
    );
    assert_eq!(capture.get("mux_api_breaker_state{}"), 2.0, "open");
}
