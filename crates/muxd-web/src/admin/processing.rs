//! Admin view of processing times: `GET /api/debug/processing-times?days=N` summarises the
//! uploads that became ready in the last N days (see `service::processing_times`).

use axum::extract::State;
use axum::Json;
use serde::Deserialize;
use utoipa::IntoParams;

use super::processing_report::ProcessingReport;
use crate::auth::AdminUser;
use crate::error::ErrorBody;
use crate::extract::ApiQuery;
use crate::openapi::responses::{DatabaseDown, NotAdmin, NotSignedIn};
use crate::ApiError;
use muxd_core::service::asset_reads::AssetReads;
use muxd_store::now_ms;

/// The window when none is asked for, and the longest one asked for.
const DEFAULT_DAYS: i64 = 7;
const MAX_DAYS: i64 = 90;

#[derive(Debug, Deserialize, IntoParams)]
#[into_params(parameter_in = Query)]
pub struct TimesQuery {
    /// Whole days back from now, 1 to 90 (default 7). Kept as text, so a bad value gets the
    /// message naming the range.
    #[param(value_type = Option<i64>, minimum = 1, maximum = 90)]
    pub days: Option<String>,
}

/// How long uploads took to become playable, by stage, tier, size and day.
#[utoipa::path(
    get,
    path = "/api/debug/processing-times",
    operation_id = "getProcessingTimes",
    tag = "admin",
    params(TimesQuery),
    security(("bearer" = ["admin"]), ("session_cookie" = ["admin"])),
    responses(
        (status = 200, description = "The report", body = ProcessingReport),
        (status = 400, description = "`days` is not 1 to 90", body = ErrorBody),
        NotSignedIn,
        NotAdmin,
        DatabaseDown,
    )
)]
pub async fn times(
    State(reads): State<AssetReads>,
    AdminUser(_): AdminUser,
    ApiQuery(query): ApiQuery<TimesQuery>,
) -> Result<Json<ProcessingReport>, ApiError> {
    let days = days(query.days.as_deref())?;
    Ok(Json(reads.processing_times(days, now_ms()).await?.into()))
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
