//! What health reads from `creative_assets`, in queries whose cost follows what is in flight or
//! recent (served by the in-flight, status/updated and ready_at indexes), never the table's size:
//! anyone may ask for health, so it must cost the same at 1 row or 10 million.

use super::rows::parse;
use super::{run, Store, StoreResult};
use muxd_domain::AssetStatus;

/// Health's figures.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct HealthFigures {
    /// Rows in flight, by status.
    pub in_flight: Vec<(AssetStatus, i64)>,
    /// In-flight rows in a polling session / stuck / given up on.
    pub polling_active: i64,
    pub stuck: i64,
    pub given_up: i64,
    /// Since the window start: rows that became READY, rows that turned ERROR, and of those the
    /// errors that are the system's (not a user's unreadable file).
    pub ready: i64,
    pub errors: i64,
    pub system_errors: i64,
}

impl HealthFigures {
    /// The share of recently finished uploads that failed for a system reason (0 when none
    /// finished).
    pub fn system_error_rate(&self) -> f64 {
        let finished = self.ready + self.errors;
        if finished == 0 {
            0.0
        } else {
            self.system_errors as f64 / finished as f64
        }
    }
}

/// Error types that are the user's input (a file Mux cannot read, a video longer than the limit),
/// not a failure of muxd or Mux.
const USER_ERRORS: &str = "('invalid_input', 'duration_limit')";

impl Store {
    /// Health's figures, with "recent" meaning since `since_ms`.
    pub async fn health_figures(&self, since_ms: i64) -> StoreResult<HealthFigures> {
        let mut pooled = self.read().await?;
        let in_flight: Vec<(String, i64, i64, i64, i64)> = run!(&mut pooled.conn(), c => sqlx::query_as(
            "SELECT mux_processing_status, COUNT(*),
                COALESCE(SUM(CASE WHEN poll_started_at IS NOT NULL AND stuck_since IS NULL THEN 1 ELSE 0 END), 0),
                COALESCE(SUM(CASE WHEN stuck_since IS NOT NULL AND NOT poll_given_up THEN 1 ELSE 0 END), 0),
                COALESCE(SUM(CASE WHEN poll_given_up THEN 1 ELSE 0 END), 0)
             FROM creative_assets WHERE mux_processing_status IN ('AWAITING_UPLOAD', 'MUX_PROCESSING')
             GROUP BY mux_processing_status",
        )
        .fetch_all(&mut **c)
        .await)?;
        let ready: i64 = run!(&mut pooled.conn(), c => sqlx::query_scalar(
            "SELECT COUNT(*) FROM creative_assets WHERE ready_at IS NOT NULL AND ready_at >= $1",
        )
        .bind(since_ms)
        .fetch_one(&mut **c)
        .await)?;
        let sql = format!(
            "SELECT COUNT(*), COALESCE(SUM(CASE WHEN error_type IN {USER_ERRORS} THEN 0 ELSE 1 END), 0)
             FROM creative_assets WHERE mux_processing_status = 'ERROR' AND updated_at >= $1"
        );
        let (errors, system_errors): (i64, i64) = run!(&mut pooled.conn(), c => sqlx::query_as(&sql)
            .bind(since_ms)
            .fetch_one(&mut **c)
            .await)?;
        let mut figures = HealthFigures {
            ready,
            errors,
            system_errors,
            ..HealthFigures::default()
        };
        for (status, n, active, stuck, given_up) in in_flight {
            figures
                .in_flight
                .push((parse("mux_processing_status", &status)?, n));
            figures.polling_active += active;
            figures.stuck += stuck;
            figures.given_up += given_up;
        }
        Ok(figures)
    }
}
