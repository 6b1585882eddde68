//! The shape of `GET /api/health/mux-system`'s body: the guide's JSON (§Monitoring) plus
//! polling, webhook and job figures, version and uptime. One struct per section, so the API
//! document's schema is derived from what is sent.

use std::collections::BTreeMap;

use mux_api::ResilienceSnapshot;
use serde::Serialize;
use utoipa::ToSchema;

use muxd_core::jobs::supervisor::JobStatus;

/// The whole report.
#[derive(Debug, Serialize, ToSchema)]
#[serde(rename_all = "camelCase")]
pub struct HealthReport {
    pub status: HealthStatus,
    /// When it was read (RFC 3339).
    pub timestamp: String,
    /// Milliseconds health took to answer.
    pub response_time: u64,
    pub version: &'static str,
    pub uptime_seconds: u64,
    pub resilience: ResilienceSnapshot,
    pub database: DatabaseHealth,
    /// `null` while the database cannot be read.
    pub processing: Option<ProcessingHealth>,
    /// `null` while the database cannot be read.
    pub polling: Option<PollingHealth>,
    pub webhooks: WebhookHealth,
    /// Each background job's recent history, by job name.
    pub jobs: BTreeMap<&'static str, JobView>,
}

/// One job's recent history, as health shows it.
#[derive(Debug, Serialize, ToSchema)]
#[serde(rename_all = "camelCase")]
#[schema(as = JobStatus)]
pub struct JobView {
    /// Unix ms of the last step that finished (well or not).
    pub last_run_ms: Option<i64>,
    /// Unix ms of the last step that succeeded.
    pub last_ok_ms: Option<i64>,
    /// Why the last step failed, if it did.
    pub last_error: Option<String>,
    pub runs: u64,
    pub failures: u64,
    pub panics: u64,
}

impl From<JobStatus> for JobView {
    fn from(status: JobStatus) -> Self {
        JobView {
            last_run_ms: status.last_run_ms,
            last_ok_ms: status.last_ok_ms,
            last_error: status.last_error,
            runs: status.runs,
            failures: status.failures,
            panics: status.panics,
        }
    }
}

/// `healthy`; `degraded` (breaker not closed, retry budget spent, an upload stuck, or many
/// recent system failures); `unhealthy` (the database cannot be read: answered with 503).
#[derive(Clone, Copy, Debug, PartialEq, Eq, Serialize, ToSchema)]
#[serde(rename_all = "lowercase")]
pub enum HealthStatus {
    Healthy,
    Degraded,
    Unhealthy,
}

/// Whether the database answers, and how fast.
#[derive(Debug, Serialize, ToSchema)]
#[serde(rename_all = "camelCase")]
pub struct DatabaseHealth {
    pub connected: bool,
    /// Milliseconds the figures' read took.
    pub response_time: u64,
    /// Assets in each in-flight status (absent while the database cannot be read).
    #[serde(skip_serializing_if = "Option::is_none")]
    pub status_counts: Option<BTreeMap<&'static str, i64>>,
}

/// Recently finished uploads and those in flight.
#[derive(Debug, Serialize, ToSchema)]
#[serde(rename_all = "camelCase")]
pub struct ProcessingHealth {
    pub recently_processed: i64,
    pub currently_processing: i64,
    pub recent_errors: i64,
    /// Errors that were not the user's file (Mux or muxd failing).
    pub recent_system_errors: i64,
    /// Share of recently finished uploads that failed for a system reason, 0 to 1.
    pub error_rate: f64,
}

/// The Mux polling of uploads no webhook has settled.
#[derive(Debug, Serialize, ToSchema)]
#[serde(rename_all = "camelCase")]
pub struct PollingHealth {
    pub active_sessions: i64,
    pub stuck: i64,
    pub given_up: i64,
}

/// Webhook deliveries from Mux.
#[derive(Debug, Serialize, ToSchema)]
#[serde(rename_all = "camelCase")]
pub struct WebhookHealth {
    /// When the last verified delivery was stored (RFC 3339).
    pub last_received_at: Option<String>,
    /// Refused deliveries by reason since start.
    pub rejected: BTreeMap<&'static str, u64>,
    pub secrets_configured: usize,
}
