//! `POST /api/mux/create-video-upload`: parse the request, let the uploads service create the row
//! and the Mux direct upload, and hand back the URL (see `service::uploads` for what happens when
//! Mux fails). The create runs as a task of its own, so a client that hangs up mid-request does
//! not cut it off between the Mux call and its bookkeeping.

use axum::extract::State;
use axum::http::StatusCode;
use axum::Json;
use serde::{Deserialize, Serialize};
use utoipa::ToSchema;

use crate::auth::CurrentUser;
use crate::detached::detached;
use crate::error::{optional_reference, parsed_field, ErrorBody};
use crate::extract::ApiJson;
use crate::openapi::responses::{
    CrossSite, MuxOrDatabaseDownRetry, MuxRefused, NotSignedIn, TooManyUploads,
};
use crate::views::{AssetView, Links};
use crate::ApiError;
use muxd_core::service::uploads::{CreateError, UploadRequest, Uploads, VideoDetails};
use muxd_domain::{AssetId, MuxUploadId};

/// The video about to be uploaded.
#[derive(Debug, Deserialize, ToSchema)]
#[serde(rename_all = "camelCase")]
pub struct CreateUpload {
    /// Its display name (else `fileName`).
    pub name: Option<String>,
    pub file_name: Option<String>,
    #[serde(flatten)]
    pub details: VideoFields,
    /// Its size in bytes, as the browser announces it (required; at most
    /// `MUXD_MAX_UPLOAD_BYTES`).
    #[schema(required = true, value_type = u64, minimum = 1)]
    pub file_size: Option<u64>,
    /// Its MIME type, as the browser announces it (one of `MUXD_UPLOAD_TYPES`).
    pub file_type: Option<String>,
}

/// What a new video's create may say of it besides its name and file (an upload's or a link's).
#[derive(Debug, Deserialize, ToSchema)]
#[serde(rename_all = "camelCase")]
pub struct VideoFields {
    pub description: Option<String>,
    /// The campaign it is for (the host app's id or muxd's); required when
    /// `MUXD_UPLOADS_PER_USER_PER_CAMPAIGN` is set.
    pub campaign_id: Option<String>,
    /// The campaign's influencer it is by (the host app's id or muxd's).
    pub influencer_id: Option<String>,
    /// Generated captions for this video: `none`, or a language Mux generates captions in
    /// (`en`, `es`, `de`, …); unset, its campaign's (else `MUXD_CAPTIONS`).
    pub caption_language: Option<String>,
}

impl VideoFields {
    /// The details as the service takes them, or a 400 naming the malformed field.
    pub fn checked(self) -> Result<VideoDetails, ApiError> {
        Ok(VideoDetails {
            description: self.description,
            campaign: optional_reference("campaignId", self.campaign_id.as_deref())?,
            influencer: optional_reference("influencerId", self.influencer_id.as_deref())?,
            captions: parsed_field("captionLanguage", self.caption_language.as_deref())?,
        })
    }
}

/// The new asset and where to upload its file.
#[derive(Debug, Serialize, ToSchema)]
#[serde(rename_all = "camelCase")]
pub struct CreatedUpload {
    pub id: AssetId,
    /// Mux's direct-upload id.
    pub upload_id: MuxUploadId,
    /// Where to `PUT` the file (whole, or in chunks with `Content-Range`).
    pub url: String,
    pub asset: AssetView,
}

/// Creates an asset and a Mux direct upload for its file.
#[utoipa::path(
    post,
    path = "/api/mux/create-video-upload",
    operation_id = "createVideoUpload",
    tag = "assets",
    request_body = CreateUpload,
    security(("bearer" = []), ("session_cookie" = [])),
    responses(
        (status = 201, description = "Created; upload the file to `url`", body = CreatedUpload),
        (status = 400, description = "A field is missing or invalid (name, campaign, influencer, type, size), or the campaign quota is reached", body = ErrorBody),
        NotSignedIn,
        CrossSite,
        TooManyUploads,
        MuxRefused,
        MuxOrDatabaseDownRetry,
    )
)]
pub async fn create(
    State(uploads): State<Uploads>,
    State(links): State<Links>,
    CurrentUser(user, _): CurrentUser,
    ApiJson(input): ApiJson<CreateUpload>,
) -> Result<(StatusCode, Json<CreatedUpload>), ApiError> {
    let request = UploadRequest {
        name: input.name.or(input.file_name).unwrap_or_default(),
        file_size: input.file_size,
        file_type: input.file_type,
        details: input.details.checked()?,
    };
    let created = detached(async move { uploads.create(&user, request).await })
        .await?
        .map_err(create_error)?;
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

/// The answer to a create that failed.
pub fn create_error(error: CreateError) -> ApiError {
    match error {
        CreateError::Invalid(message) => ApiError::BadRequest(message),
        too_many @ CreateError::TooMany(wait) => ApiError::TooManyRequests {
            message: too_many.to_string(),
            retry_after_secs: wait.as_millis().div_ceil(1000).max(1) as u64,
        },
        CreateError::Failed(error) => error.into(),
    }
}
