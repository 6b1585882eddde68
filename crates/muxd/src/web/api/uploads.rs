//! `POST /api/mux/create-video-upload`: validate, create the `CreativeAsset` row, create the Mux
//! direct upload through the resilient client (passthrough = the row id), and hand back the URL.
//! If Mux refuses or is unreachable the user gets a clear error and no orphan row is left: a row
//! whose upload surely was not created is removed; one whose fate is unknown (a timeout after
//! sending) is kept, marked ERROR with the reason, so nothing is lost track of.

use axum::extract::State;
use axum::http::StatusCode;
use axum::Json;
use mux_api::{AssetMeta, ErrorKind, Upload};
use serde::Deserialize;
use serde_json::json;

use super::auth::CurrentUser;
use super::error::optional_id;
use super::json::ApiJson;
use super::views::AssetView;
use super::ApiError;
use crate::app::AppState;
use crate::domain::{AssetId, CampaignId, InfluencerId};
use crate::pool::upload_request;
use crate::store::{NewAsset, User};

/// Longest name or description accepted.
const MAX_TEXT: usize = 255;

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

/// Validated input.
struct Checked {
    name: String,
    description: Option<String>,
    campaign: Option<CampaignId>,
    influencer: Option<InfluencerId>,
}

async fn check(app: &AppState, input: CreateUpload) -> Result<Checked, ApiError> {
    let name = input
        .name
        .or(input.file_name)
        .map(|n| n.trim().to_owned())
        .unwrap_or_default();
    if name.is_empty() || name.chars().count() > MAX_TEXT {
        return Err(ApiError::BadRequest(format!(
            "name is required, at most {MAX_TEXT} characters"
        )));
    }
    if input
        .description
        .as_ref()
        .is_some_and(|d| d.chars().count() > 4 * MAX_TEXT)
    {
        return Err(ApiError::BadRequest("description is too long".into()));
    }
    match input.file_size {
        Some(0) => return Err(ApiError::BadRequest("the file is empty".into())),
        Some(size) if size > app.uploads.max_upload_bytes => {
            return Err(ApiError::BadRequest(format!(
                "the file is {size} bytes; the limit is {} bytes",
                app.uploads.max_upload_bytes
            )))
        }
        _ => {}
    }
    if let Some(kind) = input.file_type.as_deref().filter(|t| !t.is_empty()) {
        if !(kind.starts_with("video/") || kind.starts_with("audio/")) {
            return Err(ApiError::BadRequest(format!(
                "{kind} is not a video or audio type"
            )));
        }
    }
    let campaign: Option<CampaignId> = optional_id("campaignId", input.campaign_id.as_deref())?;
    let influencer: Option<InfluencerId> =
        optional_id("influencerId", input.influencer_id.as_deref())?;
    if let Some(campaign) = campaign {
        if app.store.campaign(campaign).await?.is_none() {
            return Err(ApiError::BadRequest("no such campaign".into()));
        }
        if let Some(influencer) = influencer {
            if !app
                .store
                .influencers(campaign)
                .await?
                .iter()
                .any(|i| i.id == influencer)
            {
                return Err(ApiError::BadRequest(
                    "that influencer is not in this campaign".into(),
                ));
            }
        }
    } else if influencer.is_some() {
        return Err(ApiError::BadRequest(
            "influencerId needs a campaignId".into(),
        ));
    }
    Ok(Checked {
        name,
        description: input.description,
        campaign,
        influencer,
    })
}

pub async fn create(
    State(app): State<AppState>,
    CurrentUser(user): CurrentUser,
    ApiJson(input): ApiJson<CreateUpload>,
) -> Result<(StatusCode, Json<serde_json::Value>), ApiError> {
    // 1. Validate.
    let checked = check(&app, input).await?;
    // 2. A spare upload from the pool, if one is ready: its row id is reserved already.
    let spare = app.pool.take();
    let id = spare.as_ref().map_or_else(AssetId::new, |s| s.id);
    // 3. Record the row first, so every upload Mux ever makes for us has a row to land on.
    app.store
        .insert_asset(&NewAsset {
            id,
            owner_id: user.id,
            campaign_id: checked.campaign,
            influencer_id: checked.influencer,
            name: checked.name.clone(),
            description: checked.description,
        })
        .await?;
    // 4. Otherwise create the direct upload now.
    let upload = match spare {
        Some(spare) => spare.upload,
        None => fresh_upload(&app, id, &user, checked.name).await?,
    };
    let url = upload.url.clone().unwrap_or_default();
    // 5. Remember the upload, and apply any event that raced ahead of us.
    app.store.set_upload(id, &upload.id, &url).await?;
    app.ingest.settle(id).await?;
    let asset = app.store.asset(id).await?.ok_or(ApiError::NotFound)?;
    tracing::info!(asset.id = %id, upload.id = %upload.id, "direct upload created");
    Ok((
        StatusCode::CREATED,
        Json(
            json!({"id": id, "uploadId": upload.id, "url": url, "asset": AssetView::from(&asset)}),
        ),
    ))
}

/// Creates a direct upload for row `id` (passthrough links every later event to the row). If Mux
/// fails, the row is removed when the upload surely was not created, and marked ERROR with the
/// reason when it may have been, so no orphan is left and nothing is lost track of.
async fn fresh_upload(
    app: &AppState,
    id: AssetId,
    user: &User,
    name: String,
) -> Result<Upload, ApiError> {
    let meta = AssetMeta {
        title: Some(name),
        creator_id: Some(user.external_id.clone()),
        external_id: Some(id.to_string()),
    };
    let error = match app
        .mux
        .create_upload(&upload_request(&app.uploads, id, Some(meta)))
        .await
    {
        Ok(upload) => return Ok(upload),
        Err(error) => error,
    };
    let surely_not_created = matches!(
        error.kind(),
        ErrorKind::Permanent
            | ErrorKind::BreakerOpen
            | ErrorKind::Throttled
            | ErrorKind::RateLimited
    );
    if surely_not_created {
        app.store.remove_unsent(id).await?;
    } else {
        app.store.mark_upload_failed(id, &error.to_string()).await?;
    }
    tracing::warn!(asset.id = %id, error = %error, "creating the Mux upload failed");
    Err(error.into())
}
