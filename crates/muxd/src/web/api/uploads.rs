//! `POST /api/mux/create-video-upload`: parse the request, let the uploads service create the row
//! and the Mux direct upload, and hand back the URL (see `service::uploads` for what happens when
//! Mux fails). The create runs as a task of its own, so a client that hangs up mid-request does
//! not cut it off between the Mux call and its bookkeeping.

use axum::extract::State;
use axum::http::StatusCode;
use axum::Json;
use serde::Deserialize;
use serde_json::json;
use tracing::Instrument as _;

use crate::service::uploads::{CreateError, UploadRequest, Uploads};
use crate::web::auth::CurrentUser;
use crate::web::error::app_id;
use crate::web::json::ApiJson;
use crate::web::views::AssetView;
use crate::web::ApiError;

#[derive(Debug, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct CreateUpload {
    pub name: Option<String>,
    pub file_name: Option<String>,
    pub description: Option<String>,
    pub campaign_id: Option<String>,
    pub influencer_id: Option<String>,
    pub file_size: Option<u64>,
    pub file_type: Option<String>,
}

pub async fn create(
    State(uploads): State<Uploads>,
    CurrentUser(user): CurrentUser,
    ApiJson(input): ApiJson<CreateUpload>,
) -> Result<(StatusCode, Json<serde_json::Value>), ApiError> {
    let request = UploadRequest {
        name: input.name.or(input.file_name).unwrap_or_default(),
        description: input.description,
        campaign: input
            .campaign_id
            .map(|id| app_id("campaignId", &id))
            .transpose()?,
        influencer: input
            .influencer_id
            .map(|id| app_id("influencerId", &id))
            .transpose()?,
        file_size: input.file_size,
        file_type: input.file_type,
    };
    // Spawned so a client that hangs up cannot cancel a create half-way; traced in the request's
    // span all the same.
    let created =
        tokio::spawn(async move { uploads.create(&user, request).await }.in_current_span())
            .await
            .map_err(|panic| ApiError::Internal(panic.into()))?
            .map_err(|error| match error {
                CreateError::Invalid(message) => ApiError::BadRequest(message),
                too_many @ CreateError::TooMany(wait) => ApiError::TooManyRequests {
                    message: too_many.to_string(),
                    retry_after_secs: wait.as_secs().max(1),
                },
                CreateError::Failed(error) => error.into(),
            })?;
    let id = created.asset.id;
    Ok((
        StatusCode::CREATED,
        Json(json!({
            "id": id,
            "uploadId": created.upload_id,
            "url": created.url,
            "asset": AssetView::from(&created.asset),
        })),
    ))
}
