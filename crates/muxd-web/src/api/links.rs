//! `POST /api/mux/create-video-from-url`: a video Mux makes from a link (a file shared from
//! Dropbox or Drive, or hosted by the creator's editor), so nothing has to be downloaded and sent
//! again from a phone. The links service checks the link and the request; the row then follows
//! the lifecycle of any upload. Run as a task of its own, like an upload's create, so a client
//! hanging up cannot cut it in half.

use axum::extract::State;
use axum::http::StatusCode;
use axum::Json;
use serde::{Deserialize, Serialize};
use utoipa::ToSchema;

use super::uploads::{create_error, VideoFields};
use crate::auth::CurrentUser;
use crate::detached::detached;
use crate::error::ErrorBody;
use crate::extract::ApiJson;
use crate::openapi::responses::{
    CrossSite, MuxOrDatabaseDownRetry, MuxRefused, NotSignedIn, TooManyUploads,
};
use crate::views::{AssetView, Links};
use crate::ApiError;
use muxd_core::service::links::{LinkRequest, LinkUploads};
use muxd_domain::AssetId;

/// The link to make a video from.
#[derive(Debug, Deserialize, ToSchema)]
#[serde(rename_all = "camelCase")]
pub struct CreateFromUrl {
    /// An http(s) link to the video file that Mux can fetch: public, or carrying its own access
    /// (pre-signed). A private address is refused unless `MUXD_INPUT_ALLOW_PRIVATE_URLS` is set.
    pub url: String,
    /// Its display name (else the link's file name).
    pub name: Option<String>,
    #[serde(flatten)]
    pub details: VideoFields,
}

/// The new asset; Mux is fetching its file.
#[derive(Debug, Serialize, ToSchema)]
#[serde(rename_all = "camelCase")]
pub struct CreatedFromUrl {
    pub id: AssetId,
    pub asset: AssetView,
}

/// Creates an asset that Mux makes from the file at a link.
#[utoipa::path(
    post,
    path = "/api/mux/create-video-from-url",
    operation_id = "createVideoFromUrl",
    tag = "assets",
    request_body = CreateFromUrl,
    security(("bearer" = []), ("session_cookie" = [])),
    responses(
        (status = 201, description = "Created; Mux is fetching the file (the asset is MUX_PROCESSING)", body = CreatedFromUrl),
        (status = 400, description = "The link or a field is invalid (not http(s), a private address, gone or private, a web page, too large, a type not accepted; name, campaign, influencer), or the campaign quota is reached", body = ErrorBody),
        NotSignedIn,
        CrossSite,
        TooManyUploads,
        MuxRefused,
        MuxOrDatabaseDownRetry,
    )
)]
pub async fn create(
    State(links_in): State<LinkUploads>,
    State(links): State<Links>,
    CurrentUser(user, _): CurrentUser,
    ApiJson(input): ApiJson<CreateFromUrl>,
) -> Result<(StatusCode, Json<CreatedFromUrl>), ApiError> {
    let request = LinkRequest {
        url: input.url,
        name: input.name,
        details: input.details.checked()?,
    };
    let asset = detached(async move { links_in.create(&user, request).await })
        .await?
        .map_err(create_error)?;
    Ok((
        StatusCode::CREATED,
        Json(CreatedFromUrl {
            id: asset.id,
            asset: links.view(&asset),
        }),
    ))
}
