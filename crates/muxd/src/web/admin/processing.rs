//! Admin view of processing times: `GET /api/debug/processing-times?days=N` summarises the
//! uploads that became ready in the last N days (see `service::processing_times`).

use axum::extract::{Query, State};
use axum::Json;
use serde::Deserialize;

use crate::service::processing_times::{self, ProcessingReport};
use crate::store::{now_ms, Store};
use crate::web::auth::AdminUser;
use crate::web::ApiError;

/// The window when none is asked for, and the longest one asked for.
const DEFAULT_DAYS: i64 = 7;
const MAX_DAYS: i64 = 90;

#[derive(Debug, Deserialize)]
pub struct TimesQuery {
    /// Whole days back from now (kept as text, so a bad value gets muxd's own 400).
    pub days: Option<String>,
}

pub async fn times(
    State(store): State<Store>,
    AdminUser(_): AdminUser,
    Query(query): Query<TimesQuery>,
) -> Result<Json<ProcessingReport>, ApiError> {
    let days = days(query.days.as_deref())?;
    Ok(Json(
        processing_times::recent(&store, days, now_ms()).await?,
    ))
}

/// Parses `?days=`: a whole number 1..=[`MAX_DAYS`], [`DEFAULT_DAYS`] when absent.
fn days(raw: Option<&str>) -> Result<i64, ApiError> {
    let Some(raw) = raw else {
        return Ok(DEFAULT_DAYS);
    };
    raw.trim()
        .parse::<i64>()
        .ok()
        .filter(|days| (1..=MAX_DAYS).contains(days))
        .ok_or_else(|| {
            ApiError::BadRequest(format!(
                "days must be a whole number from 1 to {MAX_DAYS}, not {raw:?}"
            ))
        })
}
