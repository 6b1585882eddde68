//! The owner's assets: list, read, rename/describe, delete. Another user's asset is a 404, never a
//! 403, so ids reveal nothing. Deleting is recorded at once (the row turns DELETED); the Mux asset
//! is deleted now if Mux answers, else by the background sweep, never forgotten.

use axum::extract::{Path, Query, State};
use axum::http::StatusCode;
use axum::Json;
use serde::Deserialize;
use serde_json::json;

use super::auth::CurrentUser;
use super::error::optional_id;
use super::json::ApiJson;
use super::views::AssetView;
use super::ApiError;
use crate::app::AppState;
use crate::domain::{AssetId, AssetStatus, CampaignId, Cause, InfluencerId};
use crate::housekeeping;
use crate::live::AssetChanged;
use crate::store::assets::{AssetFilter, CreativeAsset};
use crate::store::User;

/// Page size when none is asked for, and the most one page may hold.
const DEFAULT_LIMIT: i64 = 50;
const MAX_LIMIT: i64 = 200;

#[derive(Debug, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct ListQuery {
    pub campaign_id: Option<String>,
    pub status: Option<String>,
    pub limit: Option<i64>,
    pub offset: Option<i64>,
}

/// Turns `?limit=&offset=` into bounded numbers.
pub fn page(limit: Option<i64>, offset: Option<i64>) -> Result<(i64, i64), ApiError> {
    let limit = limit.unwrap_or(DEFAULT_LIMIT);
    let offset = offset.unwrap_or(0);
    if !(1..=MAX_LIMIT).contains(&limit) || offset < 0 {
        return Err(ApiError::BadRequest(format!(
            "limit must be 1..={MAX_LIMIT} and offset ≥ 0"
        )));
    }
    Ok((limit, offset))
}

/// Parses `?status=`.
pub fn status(raw: Option<&str>) -> Result<Option<AssetStatus>, ApiError> {
    raw.map(|s| {
        s.parse()
            .map_err(|_| ApiError::BadRequest(format!("unknown status {s:?}")))
    })
    .transpose()
}

pub async fn list(
    State(app): State<AppState>,
    CurrentUser(user): CurrentUser,
    Query(query): Query<ListQuery>,
) -> Result<Json<serde_json::Value>, ApiError> {
    let (limit, offset) = page(query.limit, query.offset)?;
    let campaign: Option<CampaignId> = optional_id("campaignId", query.campaign_id.as_deref())?;
    let filter = AssetFilter {
        owner: Some(user.id),
        campaign,
        status: status(query.status.as_deref())?,
        limit,
        offset,
        ..Default::default()
    };
    let rows = app.store.list_assets(&filter).await?;
    let data: Vec<AssetView> = rows.iter().map(AssetView::from).collect();
    Ok(Json(
        json!({"data": data, "limit": limit, "offset": offset}),
    ))
}

/// The caller's own, not-deleted asset `id`, or 404.
async fn owned(app: &AppState, user: &User, id: &str) -> Result<CreativeAsset, ApiError> {
    let id = AssetId::parse(id).map_err(|_| ApiError::NotFound)?;
    match app.store.asset(id).await? {
        Some(asset) if asset.owner_id == user.id && asset.facts.status != AssetStatus::Deleted => {
            Ok(asset)
        }
        _ => Err(ApiError::NotFound),
    }
}

pub async fn get(
    State(app): State<AppState>,
    CurrentUser(user): CurrentUser,
    Path(id): Path<String>,
) -> Result<Json<AssetView>, ApiError> {
    Ok(Json(AssetView::from(&owned(&app, &user, &id).await?)))
}

#[derive(Debug, Deserialize)]
#[serde(rename_all = "camelCase", deny_unknown_fields)]
pub struct UpdateAsset {
    pub name: Option<String>,
    pub description: Option<String>,
    pub influencer_id: Option<String>,
}

pub async fn update(
    State(app): State<AppState>,
    CurrentUser(user): CurrentUser,
    Path(id): Path<String>,
    ApiJson(input): ApiJson<UpdateAsset>,
) -> Result<Json<AssetView>, ApiError> {
    let asset = owned(&app, &user, &id).await?;
    let name = input.name.as_deref().map(str::trim);
    if name.is_some_and(|n| n.is_empty() || n.chars().count() > 255) {
        return Err(ApiError::BadRequest(
            "name must be 1 to 255 characters".into(),
        ));
    }
    let influencer: Option<InfluencerId> =
        optional_id("influencerId", input.influencer_id.as_deref())?;
    let influencer = match influencer {
        None => None,
        Some(influencer) => {
            let campaign = asset
                .campaign_id
                .ok_or_else(|| ApiError::BadRequest("this asset has no campaign".into()))?;
            if !app
                .store
                .influencers(campaign)
                .await?
                .iter()
                .any(|i| i.id == influencer)
            {
                return Err(ApiError::BadRequest(
                    "that influencer is not in this asset's campaign".into(),
                ));
            }
            Some(influencer)
        }
    };
    let updated = app
        .store
        .update_details(asset.id, name, input.description.as_deref(), influencer)
        .await?
        .ok_or(ApiError::NotFound)?;
    app.live.publish(AssetChanged {
        asset_id: updated.id,
        owner_id: updated.owner_id,
        status: updated.facts.status,
    });
    Ok(Json(AssetView::from(&updated)))
}

pub async fn delete(
    State(app): State<AppState>,
    CurrentUser(user): CurrentUser,
    Path(id): Path<String>,
) -> Result<(StatusCode, Json<serde_json::Value>), ApiError> {
    let asset = owned(&app, &user, &id).await?;
    let cause = Cause::User {
        user_id: user.id.to_string(),
    };
    app.store.delete_by_owner(asset.id, &cause).await?;
    app.live.publish(AssetChanged {
        asset_id: asset.id,
        owner_id: asset.owner_id,
        status: AssetStatus::Deleted,
    });
    // Try Mux now for this asset only; if that fails, the background sweep finishes it.
    let deleted = app.store.asset(asset.id).await?.ok_or(ApiError::NotFound)?;
    let pending = match housekeeping::finish_deletion(&app, &deleted).await {
        Ok(done) => !done,
        Err(error) => {
            tracing::warn!(asset.id = %asset.id, error = format!("{error:#}"), "deleting on Mux deferred");
            true
        }
    };
    let status = if pending {
        StatusCode::ACCEPTED
    } else {
        StatusCode::OK
    };
    Ok((
        status,
        Json(json!({"deleted": true, "muxDeletion": if pending { "pending" } else { "done" }})),
    ))
}
