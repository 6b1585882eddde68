//! `GET /livez` and `GET /readyz` for orchestrators ([`probes`]); `GET /api/health/mux-system`
//! (the guide's JSON, §Monitoring, plus webhook figures, jobs, version and uptime, shaped by
//! [`report`]; 200 healthy/degraded, 503 unhealthy; never a secret, and jobs' error texts only
//! for admins) and `GET /metrics` (Prometheus). Anyone may ask for health, so its reads cost what
//! is in flight or recent, not the table's size (`store::health`), and are shared: the figures
//! are at most [`MAX_AGE`] old, however many poll. `statusCounts` counts the in-flight
//! statuses. Degraded means: the breaker is not closed, the retry budget is spent, an upload is
//! stuck, or the recent rate of system failures is over 10 % (a user's unreadable file is not
//! one).

pub mod probes;
pub mod report;

use std::time::{Duration, Instant};

use std::collections::BTreeMap;
use std::convert::Infallible;

use axum::extract::{FromRef, FromRequestParts, State};
use axum::http::request::Parts;
use axum::http::{header, StatusCode};
use axum::response::IntoResponse;
use axum::Json;
use metrics_exporter_prometheus::PrometheusHandle;
use mux_api::BreakerState;

use super::auth::{AdminUser, Authenticator};
use super::state::HealthSources;
use muxd_core::jobs::supervisor::JobStatus;
use muxd_domain::time::rfc3339;
use muxd_store::now_ms;
use report::{
    DatabaseHealth, HealthReport, HealthStatus, JobView, PollingHealth, ProcessingHealth,
    WebhookHealth,
};

/// How old health's database figures may be.
pub const MAX_AGE: Duration = Duration::from_secs(1);
/// Health is degraded when more than this share of recently finished uploads failed for a
/// system reason (not a user's unreadable file)…
const ERROR_RATE_THRESHOLD: f64 = 0.1;
/// …and at least this many did, so one failure among few uploads is not an alarm.
const MIN_SYSTEM_ERRORS: i64 = 3;

/// The state of muxd, its database and its way to Mux.
#[utoipa::path(
    get,
    path = "/api/health/mux-system",
    operation_id = "getHealth",
    tag = "operators",
    responses(
        (status = 200, description = "Healthy or degraded", body = HealthReport),
        (status = 503, description = "Unhealthy: the database cannot be read", body = HealthReport),
    )
)]
pub async fn mux_system(
    State(sources): State<HealthSources>,
    CallerIsAdmin(admin): CallerIsAdmin,
) -> impl IntoResponse {
    let started = Instant::now();
    let resilience = sources.mux.resilience_snapshot();
    let reading = sources.figures.get(MAX_AGE).await;
    let db_ms = reading.db_ms;
    let (database, processing, polling, trouble) = match &reading.figures {
        Ok(f) => {
            let in_flight: i64 = f.in_flight.iter().map(|(_, n)| n).sum();
            let status_counts = f.in_flight.iter().map(|(s, n)| (s.as_str(), *n)).collect();
            let error_rate = f.system_error_rate();
            let failing = f.system_errors >= MIN_SYSTEM_ERRORS && error_rate > ERROR_RATE_THRESHOLD;
            (
                DatabaseHealth {
                    connected: true,
                    response_time: db_ms,
                    status_counts: Some(status_counts),
                },
                Some(ProcessingHealth {
                    recently_processed: f.ready,
                    currently_processing: in_flight,
                    recent_errors: f.errors,
                    recent_system_errors: f.system_errors,
                    error_rate,
                }),
                Some(PollingHealth {
                    active_sessions: f.polling_active,
                    stuck: f.stuck,
                    given_up: f.given_up,
                }),
                failing || f.stuck > 0,
            )
        }
        Err(_) => (
            DatabaseHealth {
                connected: false,
                response_time: db_ms,
                status_counts: None,
            },
            None,
            None,
            false,
        ),
    };
    let db_ok = reading.figures.is_ok();
    let status = if !db_ok {
        HealthStatus::Unhealthy
    } else if resilience.circuit_breaker.state != BreakerState::Closed
        || resilience.retry_budget.remaining_budget == 0
        || trouble
    {
        HealthStatus::Degraded
    } else {
        HealthStatus::Healthy
    };
    let body = HealthReport {
        status,
        timestamp: rfc3339(now_ms()),
        response_time: started.elapsed().as_millis() as u64,
        version: env!("CARGO_PKG_VERSION"),
        uptime_seconds: sources.started.elapsed().as_secs(),
        resilience,
        database,
        processing,
        polling,
        webhooks: WebhookHealth {
            last_received_at: sources.webhook_stats.last_received_ms().map(rfc3339),
            rejected: sources.webhook_stats.rejected_counts(),
            secrets_configured: sources.secrets_configured,
        },
        jobs: shown_jobs(sources.jobs.snapshot(), admin),
    };
    let code = if db_ok {
        StatusCode::OK
    } else {
        StatusCode::SERVICE_UNAVAILABLE
    };
    (code, Json(body))
}

/// What a failing job's error says to a caller who is not an admin: an error's text may name
/// hosts, tables or ids, so only admins read it.
pub const HIDDEN_ERROR: &str = "failed (an admin's token shows why)";

/// Jobs as `admin` or anyone else may see them.
fn shown_jobs(
    jobs: BTreeMap<&'static str, JobStatus>,
    admin: bool,
) -> BTreeMap<&'static str, JobView> {
    jobs.into_iter()
        .map(|(name, status)| {
            let mut view = JobView::from(status);
            if !admin && view.last_error.is_some() {
                view.last_error = Some(HIDDEN_ERROR.into());
            }
            (name, view)
        })
        .collect()
}

/// Whether the caller is a signed-in admin. Anyone may ask for health; admins see more.
pub struct CallerIsAdmin(pub bool);

impl<S> FromRequestParts<S> for CallerIsAdmin
where
    Authenticator: FromRef<S>,
    S: Send + Sync,
{
    type Rejection = Infallible;

    async fn from_request_parts(parts: &mut Parts, state: &S) -> Result<Self, Infallible> {
        let admin = AdminUser::from_request_parts(parts, state).await.is_ok();
        Ok(CallerIsAdmin(admin))
    }
}

/// Prometheus metrics, in its text format.
#[utoipa::path(
    get,
    path = "/metrics",
    operation_id = "getMetrics",
    tag = "operators",
    responses(
        (status = 200, description = "Every metric muxd keeps", content_type = "text/plain", body = String),
    )
)]
pub async fn metrics(State(metrics): State<PrometheusHandle>) -> impl IntoResponse {
    (
        [(header::CONTENT_TYPE, "text/plain; version=0.0.4")],
        metrics.render(),
    )
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn only_admins_read_a_failing_jobs_error() {
        let failing = JobStatus {
            last_error: Some("connecting to db.internal:5432: refused".into()),
            failures: 1,
            ..JobStatus::default()
        };
        let jobs = BTreeMap::from([("prune", failing), ("reconcile", JobStatus::default())]);
        let anyone = shown_jobs(jobs.clone(), false);
        assert_eq!(anyone["prune"].last_error.as_deref(), Some(HIDDEN_ERROR));
        assert_eq!(anyone["prune"].failures, 1, "that it fails is shown");
        assert_eq!(anyone["reconcile"].last_error, None);
        let admin = shown_jobs(jobs, true);
        assert!(admin["prune"]
            .last_error
            .as_deref()
            .unwrap()
            .contains("refused"));
    }
}
