//! The owner's assets: list, read, rename/describe, delete. Another user's asset is a 404, never a
//! 403, so ids reveal nothing. Deleting is recorded at once (the row turns DELETED); the Mux asset
//! is deleted now if Mux answers, else by the background sweep, never forgotten.

use axum::extract::{Path, Query, State};
use axum::http::StatusCode;
use axum::Json;
use serde::Deserialize;
use serde_json::json;

use crate::domain::{AssetId, AssetStatus, InfluencerId};
use crate::service::assets::{AssetEdits, Edit, EditError};
use crate::service::deletion::{Deletions, MuxDeletion};
use crate::store::asset_list::AssetFilter;
use crate::store::assets::CreativeAsset;
use crate::store::{Store, User};
use crate::web::auth::CurrentUser;
use crate::web::error::{app_id, optional_id};
use crate::web::json::ApiJson;
use crate::web::views::AssetView;
use crate::web::ApiError;

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
    State(store): State<Store>,
    CurrentUser(user): CurrentUser,
    Query(query): Query<ListQuery>,
) -> Result<Json<serde_json::Value>, ApiError> {
    let (limit, offset) = page(query.limit, query.offset)?;
    // The host app's campaign id or muxd's; one that names nothing lists nothing.
    let campaign = match query.campaign_id.as_deref() {
        Some(reference) => {
            let reference = app_id("campaignId", reference)?;
            match store.campaign_by_ref(&reference).await? {
                Some(campaign) => Some(campaign.id),
                None => return Ok(Json(json!({"data": [], "limit": limit, "offset": offset}))),
            }
        }
        None => None,
    };
    let filter = AssetFilter {
        owner: Some(user.id),
        campaign,
        status: status(query.status.as_deref())?,
        limit,
        offset,
        ..Default::default()
    };
    let rows = store.list_assets(&filter).await?;
    let data: Vec<AssetView> = rows.iter().map(AssetView::from).collect();
    Ok(Json(
        json!({"data": data, "limit": limit, "offset": offset}),
    ))
}

/// The caller's own, not-deleted asset `id`, or 404.
async fn owned(store: &Store, user: &User, id: &str) -> Result<CreativeAsset, ApiError> {
    let id = AssetId::parse(id).map_err(|_| ApiError::NotFound)?;
    match store.asset(id).await? {
        Some(asset) if asset.owner_id == user.id && asset.facts.status != AssetStatus::Deleted => {
            Ok(asset)
        }
        _ => Err(ApiError::NotFound),
    }
}

pub async fn get(
    State(store): State<Store>,
    CurrentUser(user): CurrentUser,
    Path(id): Path<String>,
) -> Result<Json<AssetView>, ApiError> {
    Ok(Json(AssetView::from(&owned(&store, &user, &id).await?)))
}

#[derive(Debug, Deserialize)]
#[serde(rename_all = "camelCase", deny_unknown_fields)]
pub struct UpdateAsset {
    pub name: Option<String>,
    pub description: Option<String>,
    pub influencer_id: Option<String>,
}

pub async fn update(
    State(store): State<Store>,
    State(edits): State<AssetEdits>,
    CurrentUser(user): CurrentUser,
    Path(id): Path<String>,
    ApiJson(input): ApiJson<UpdateAsset>,
) -> Result<Json<AssetView>, ApiError> {
    let asset = owned(&store, &user, &id).await?;
    let influencer: Option<InfluencerId> =
        optional_id("influencerId", input.influencer_id.as_deref())?;
    let edit = Edit {
        name: input.name,
        description: input.description,
        influencer,
    };
    let updated = edits
        .edit(&user, &asset, edit)
        .await
        .map_err(|error| match error {
            EditError::Invalid(message) => ApiError::BadRequest(message),
            EditError::NotFound => ApiError::NotFound,
            EditError::Store(error) => error.into(),
        })?;
    Ok(Json(AssetView::from(&updated)))
}

pub async fn delete(
    State(store): State<Store>,
    State(deletions): State<Deletions>,
    CurrentUser(user): CurrentUser,
    Path(id): Path<String>,
) -> Result<(StatusCode, Json<serde_json::Value>), ApiError> {
    let asset = owned(&store, &user, &id).await?;
    let (status, mux) = match deletions.delete_by_owner(&user, &asset).await? {
        MuxDeletion::Done => (StatusCode::OK, "done"),
        MuxDeletion::Pending => (StatusCode::ACCEPTED, "pending"),
    };
    Ok((status, Json(json!({"deleted": true, "muxDeletion": mux}))))
}
