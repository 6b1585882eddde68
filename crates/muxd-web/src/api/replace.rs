//! `POST /api/creative-assets/{id}/replace`: a new file for one of the caller's READY assets (see
//! `service::replace`). The asset keeps playing its old video until the new one is READY; the
//! answer is shaped like create-video-upload's, with the asset as it is now.

use axum::extract::State;
use axum::http::StatusCode;
use axum::Json;
use serde::Deserialize;
use utoipa::ToSchema;

use crate::api::uploads::CreatedUpload;
use crate::auth::CurrentUser;
use crate::detached::detached;
use crate::error::ErrorBody;
use crate::extract::{ApiJson, AssetPath};
use crate::openapi::responses::{
    AssetNotFound, CrossSite, MuxOrDatabaseDownRetry, MuxRefused, NotSignedIn, TooManyUploads,
};
use crate::views::Links;
use crate::ApiError;
use muxd_core::service::replace::{ReplaceError, ReplaceRequest};
use muxd_core::service::uploads::{CreateError, Uploads};
use muxd_domain::AssetId;

/// The new file (other fields, such as `fileName`, are ignored: the asset keeps its name).
#[derive(Debug, Deserialize, ToSchema)]
#[serde(rename_all = "camelCase")]
pub struct ReplaceVideo {
    /// Its size in bytes, as the browser announces it (required; at most
    /// `MUXD_MAX_UPLOAD_BYTES`).
    #[schema(required = true, value_type = u64, minimum = 1)]
    pub file_size: Option<u64>,
    /// Its MIME type, as the browser announces it (one of `MUXD_UPLOAD_TYPES`).
    pub file_type: Option<String>,
}

/// Starts replacing one of the caller's READY assets with a new file.
#[utoipa::path(
    post,
    path = "/api/creative-assets/{id}/replace",
    operation_id = "replaceCreativeAsset",
    tag = "assets",
    params(("id" = AssetId, Path, description = "The asset's id")),
    request_body = ReplaceVideo,
    security(("bearer" = []), ("session_cookie" = [])),
    responses(
        (status = 201, description = "Upload the new file to `url`; `asset` keeps playing its old video (its `replacement` says how the new one is doing) until the new one is READY", body = CreatedUpload),
        (status = 400, description = "The size is missing or too large, or the type is not accepted", body = ErrorBody),
        NotSignedIn,
        CrossSite,
        AssetNotFound,
        (status = 409, description = "The asset is not READY, or a new file for it is being processed (one whose file has not arrived is superseded: its upload is cancelled)", body = ErrorBody),
        TooManyUploads,
        MuxRefused,
        MuxOrDatabaseDownRetry,
    )
)]
pub async fn replace(
    State(uploads): State<Uploads>,
    State(links): State<Links>,
    CurrentUser(user, _): CurrentUser,
    AssetPath(id): AssetPath,
    ApiJson(input): ApiJson<ReplaceVideo>,
) -> Result<(StatusCode, Json<CreatedUpload>), ApiError> {
    let request = ReplaceRequest {
        file_size: input.file_size,
        file_type: input.file_type,
    };
    let created = detached(async move { uploads.replace(&user, id, request).await })
        .await?
        .map_err(|error| match error {
            ReplaceError::NotFound => ApiError::NotFound,
            ReplaceError::Conflict(message) => ApiError::Conflict(message),
            ReplaceError::Create(CreateError::Invalid(message)) => ApiError::BadRequest(message),
            ReplaceError::Create(too_many @ CreateError::TooMany(wait)) => {
                ApiError::TooManyRequests {
                    message: too_many.to_string(),
                    retry_after_secs: wait.as_millis().div_ceil(1000).max(1) as u64,
                }
            }
            ReplaceError::Create(CreateError::Failed(error)) => error.into(),
        })?;
    Ok((
        StatusCode::CREATED,
        Json(CreatedUpload {
            id: created.asset.id,
            asset: links.view(&created.asset),
            upload_id: created.upload_id,
            url: created.url,
        }),
    ))
}
