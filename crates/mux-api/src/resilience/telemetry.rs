//! Metric names and the few helpers that record them, with the `metrics` facade (the service
//! installs a Prometheus recorder; without one these are no-ops). Labels are static strings so
//! recording never allocates on the hot path.

use std::time::Duration;

use super::breaker::BreakerState;

/// Counter: logical calls, labels `operation` and `outcome` (`ok` or an error kind).
pub const CALLS: &str = "mux_api_calls_total";
/// Histogram: seconds per logical call (all attempts and waits), label `operation`.
pub const CALL_DURATION: &str = "mux_api_call_duration_seconds";
/// Counter: HTTP attempts, labels `operation` and `outcome`.
pub const ATTEMPTS: &str = "mux_api_attempts_total";
/// Counter: retries scheduled (budget spent), label `operation`.
pub const RETRIES: &str = "mux_api_retries_total";
/// Gauge: retries the budget has available now (floor + share of recent first attempts, less
/// recent retries), set when the layer is built, whenever a retry asks for one, and after
/// every call.
pub const BUDGET_REMAINING: &str = "mux_api_retry_budget_remaining";
/// Gauge: breaker state, 0 closed, 1 half-open, 2 open.
pub const BREAKER_STATE: &str = "mux_api_breaker_state";
/// Counter: breaker transitions, labels `from` and `to`.
pub const BREAKER_TRANSITIONS: &str = "mux_api_breaker_transitions_total";
/// Histogram: seconds each attempt waited for a local rate-limit slot (0 for most), label
/// `class`.
pub const PACING_WAIT: &str = "mux_api_pacing_wait_seconds";

pub(crate) fn call(operation: &'static str, outcome: &'static str, elapsed: Duration) {
    metrics::counter!(CALLS, "operation" => operation, "outcome" => outcome).increment(1);
    // An operation's retry counter exists from its first call, so its first retry is an increase.
    metrics::counter!(RETRIES, "operation" => operation).increment(0);
    metrics::histogram!(CALL_DURATION, "operation" => operation).record(elapsed.as_secs_f64());
}

pub(crate) fn attempt(operation: &'static str, outcome: &'static str) {
    metrics::counter!(ATTEMPTS, "operation" => operation, "outcome" => outcome).increment(1);
}

pub(crate) fn retry(operation: &'static str) {
    metrics::counter!(RETRIES, "operation" => operation).increment(1);
}

pub(crate) fn budget_remaining(remaining: u32) {
    metrics::gauge!(BUDGET_REMAINING).set(f64::from(remaining));
}

pub(crate) fn breaker_state(state: BreakerState) {
    metrics::gauge!(BREAKER_STATE).set(state.gauge());
}

/// Registers every transition's counter at 0, so the first real one shows as an increase.
pub(crate) fn breaker_transitions_known() {
    use BreakerState::{Closed, HalfOpen, Open};
    for (from, to) in [
        (Closed, Open),
        (Open, HalfOpen),
        (HalfOpen, Closed),
        (HalfOpen, Open),
    ] {
        metrics::counter!(BREAKER_TRANSITIONS, "from" => from.as_str(), "to" => to.as_str())
            .increment(0);
    }
}

pub(crate) fn breaker_transition(from: BreakerState, to: BreakerState) {
    metrics::counter!(BREAKER_TRANSITIONS, "from" => from.as_str(), "to" => to.as_str())
        .increment(1);
    breaker_state(to);
}

pub(crate) fn pacing_wait(class: &'static str, waited: Duration) {
    metrics::histogram!(PACING_WAIT, "class" => class).record(waited.as_secs_f64());
}

#[cfg(test)]
#[path = "telemetry_tests.rs"]
mod tests;
