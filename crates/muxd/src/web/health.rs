//! `GET /api/health/mux-system` (the guide's JSON, §Monitoring, plus webhook figures, jobs,
//! version and uptime; 200 healthy/degraded, 503 unhealthy; never a secret) and `GET /metrics`
//! (Prometheus). Anyone may ask for health, so its reads cost what is in flight or recent, not
//! the table's size (`store::health`), and are shared: the figures are at most [`MAX_AGE`] old,
//! however many poll. `statusCounts` counts the in-flight statuses. Degraded
//! means: the breaker is not closed, the retry budget is spent, an upload is stuck, or the
//! recent rate of system failures is over 10 % (a user's unreadable file is not one).

use std::time::{Duration, Instant};

use axum::extract::State;
use axum::http::{header, StatusCode};
use axum::response::IntoResponse;
use axum::Json;
use metrics_exporter_prometheus::PrometheusHandle;
use mux_api::BreakerState;
use serde_json::{json, Map, Value};

use super::state::HealthSources;
use crate::domain::time::rfc3339;
use crate::store::now_ms;

/// How old health's database figures may be.
pub const MAX_AGE: Duration = Duration::from_secs(1);
/// Health is degraded when more than this share of recently finished uploads failed for a
/// system reason (not a user's unreadable file)…
const ERROR_RATE_THRESHOLD: f64 = 0.1;
/// …and at least this many did, so one failure among few uploads is not an alarm.
const MIN_SYSTEM_ERRORS: i64 = 3;

pub async fn mux_system(State(sources): State<HealthSources>) -> impl IntoResponse {
    let started = Instant::now();
    let resilience = sources.mux.resilience_snapshot();
    let reading = sources.figures.get(MAX_AGE).await;
    let db_ms = reading.db_ms;
    let (database_json, processing_json, polling_json, trouble) = match &reading.figures {
        Ok(f) => {
            let in_flight: i64 = f.in_flight.iter().map(|(_, n)| n).sum();
            let status_counts: Map<String, Value> = f
                .in_flight
                .iter()
                .map(|(s, n)| (s.as_str().to_owned(), json!(n)))
                .collect();
            let error_rate = f.system_error_rate();
            let failing = f.system_errors >= MIN_SYSTEM_ERRORS && error_rate > ERROR_RATE_THRESHOLD;
            (
                json!({"connected": true, "responseTime": db_ms, "statusCounts": status_counts}),
                json!({"recentlyProcessed": f.ready, "currentlyProcessing": in_flight, "recentErrors": f.errors, "recentSystemErrors": f.system_errors, "errorRate": error_rate}),
                json!({"activeSessions": f.polling_active, "stuck": f.stuck, "givenUp": f.given_up}),
                failing || f.stuck > 0,
            )
        }
        Err(_) => (
            json!({"connected": false, "responseTime": db_ms}),
            Value::Null,
            Value::Null,
            false,
        ),
    };
    let db_ok = reading.figures.is_ok();
    let status = if !db_ok {
        "unhealthy"
    } else if resilience.circuit_breaker.state != BreakerState::Closed
        || resilience.retry_budget.remaining_budget == 0
        || trouble
    {
        "degraded"
    } else {
        "healthy"
    };
    let body = json!({
        "status": status,
        "timestamp": rfc3339(now_ms()),
        "responseTime": started.elapsed().as_millis() as u64,
        "version": env!("CARGO_PKG_VERSION"),
        "uptimeSeconds": sources.started.elapsed().as_secs(),
        "resilience": resilience,
        "database": database_json,
        "processing": processing_json,
        "polling": polling_json,
        "webhooks": {
            "lastReceivedAt": sources.webhook_stats.last_received_ms().map(rfc3339),
            "rejected": sources.webhook_stats.rejected_counts(),
            "secretsConfigured": sources.secrets_configured,
        },
        "jobs": sources.jobs.snapshot(),
    });
    let code = if db_ok {
        StatusCode::OK
    } else {
        StatusCode::SERVICE_UNAVAILABLE
    };
    (code, Json(body))
}

pub async fn metrics(State(metrics): State<PrometheusHandle>) -> impl IntoResponse {
    (
        [(header::CONTENT_TYPE, "text/plain; version=0.0.4")],
        metrics.render(),
    )
}
