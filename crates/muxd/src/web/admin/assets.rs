//! Admin tools over assets: every asset with stuck/orphaned/owner filters, resync of one asset
//! from Mux, and the playback-id integrity check with repair.

use axum::extract::{Path, Query, State};
use axum::Json;
use serde::Deserialize;
use serde_json::{json, Value};

use crate::domain::{AssetId, UserId};
use crate::service::playback::{PlaybackCheck, Report};
use crate::service::sync::Resync;
use crate::store::asset_list::AssetFilter;
use crate::store::{now_ms, Store};
use crate::web::api::assets::{page, status};
use crate::web::auth::AdminUser;
use crate::web::views::AssetView;
use crate::web::ApiError;

/// An upload with no asset this long after creation counts as orphaned.
const ORPHAN_AFTER_MS: i64 = 60 * 60 * 1000;

#[derive(Debug, Deserialize)]
pub struct AssetsQuery {
    pub status: Option<String>,
    #[serde(default)]
    pub stuck: bool,
    #[serde(default)]
    pub orphaned: bool,
    /// Internal user id or external id.
    pub owner: Option<String>,
    pub limit: Option<i64>,
    pub offset: Option<i64>,
}

pub async fn list(
    State(store): State<Store>,
    AdminUser(_): AdminUser,
    Query(query): Query<AssetsQuery>,
) -> Result<Json<Value>, ApiError> {
    let (limit, offset) = page(query.limit, query.offset)?;
    let owner = match query.owner.as_deref() {
        None => None,
        Some(raw) => match UserId::parse(raw) {
            Ok(id) => Some(id),
            Err(_) => Some(
                store
                    .user_by_external_id(raw)
                    .await?
                    .ok_or(ApiError::NotFound)?
                    .id,
            ),
        },
    };
    let filter = AssetFilter {
        owner,
        status: status(query.status.as_deref())?,
        include_deleted: true,
        include_unsent: true,
        stuck_only: query.stuck,
        orphaned_before: query.orphaned.then(|| now_ms() - ORPHAN_AFTER_MS),
        limit,
        offset,
        ..Default::default()
    };
    let rows = store.list_assets(&filter).await?;
    let data: Vec<Value> = rows
        .iter()
        .map(|a| json!({"asset": AssetView::from(a), "ownerId": a.owner_id, "muxDeletePending": a.mux_delete_pending}))
        .collect();
    Ok(Json(
        json!({"data": data, "limit": limit, "offset": offset}),
    ))
}

pub async fn resync(
    State(store): State<Store>,
    State(resync): State<Resync>,
    AdminUser(_): AdminUser,
    Path(id): Path<String>,
) -> Result<Json<Value>, ApiError> {
    let id = AssetId::parse(&id).map_err(|_| ApiError::NotFound)?;
    store.asset(id).await?.ok_or(ApiError::NotFound)?;
    let changes = resync.asset(id).await?;
    let asset = store.asset(id).await?.ok_or(ApiError::NotFound)?;
    let applied: Vec<Value> = changes
        .iter()
        .map(|c| json!({"from": c.from, "to": c.to}))
        .collect();
    Ok(Json(
        json!({"asset": AssetView::from(&asset), "applied": applied}),
    ))
}

#[derive(Debug, Default, Deserialize)]
pub struct VerifyRequest {
    #[serde(default)]
    pub repair: bool,
}

/// Checks each READY asset's playback id on Mux (see `service::playback`).
pub async fn verify_playback_ids(
    State(check): State<PlaybackCheck>,
    AdminUser(admin): AdminUser,
    body: Option<Json<VerifyRequest>>,
) -> Result<Json<Report>, ApiError> {
    let repair = body.is_some_and(|Json(b)| b.repair);
    Ok(Json(check.verify(repair.then_some(&admin.id)).await?))
}
