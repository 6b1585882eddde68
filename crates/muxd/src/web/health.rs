//! `GET /api/health/mux-system` (the guide's JSON, §Monitoring, plus webhook figures, version and
//! uptime; 200 healthy/degraded, 503 unhealthy; never a secret) and `GET /metrics` (Prometheus).

use std::time::Instant;

use axum::extract::State;
use axum::http::{header, StatusCode};
use axum::response::IntoResponse;
use axum::Json;
use metrics_exporter_prometheus::PrometheusHandle;
use mux_api::BreakerState;
use serde_json::{json, Map, Value};

use super::state::HealthSources;
use crate::domain::time::rfc3339;
use crate::store::{now_ms, Store, StoreError};

/// The window of "recent" processing figures.
const RECENT_MS: i64 = 60 * 60 * 1000;

pub async fn mux_system(
    State(store): State<Store>,
    State(sources): State<HealthSources>,
) -> impl IntoResponse {
    let started = Instant::now();
    let resilience = sources.mux.resilience_snapshot();
    let db_started = Instant::now();
    let since = now_ms() - RECENT_MS;
    let database = async {
        let counts = store.status_counts().await?;
        let stats = store.processing_stats(since).await?;
        let polling = store.polling_counts().await?;
        Ok::<_, StoreError>((counts, stats, polling))
    }
    .await;
    let db_ms = db_started.elapsed().as_millis() as u64;
    let (database_json, processing_json, polling_json, db_ok, trouble) = match &database {
        Ok((counts, (ready, errors, in_flight), (active, stuck, given_up))) => {
            let status_counts: Map<String, Value> = counts
                .iter()
                .map(|(s, n)| (s.as_str().to_owned(), json!(n)))
                .collect();
            let finished = ready + errors;
            let error_rate = if finished == 0 {
                0.0
            } else {
                *errors as f64 / finished as f64
            };
            (
                json!({"connected": true, "responseTime": db_ms, "statusCounts": status_counts}),
                json!({"recentlyProcessed": ready, "currentlyProcessing": in_flight, "recentErrors": errors, "errorRate": error_rate}),
                json!({"activeSessions": active, "stuck": stuck, "givenUp": given_up}),
                true,
                *errors > 0 || *stuck > 0,
            )
        }
        Err(error) => {
            tracing::warn!(%error, "health: database check failed");
            (
                json!({"connected": false, "responseTime": db_ms}),
                Value::Null,
                Value::Null,
                false,
                false,
            )
        }
    };
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
