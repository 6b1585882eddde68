//! Admin-only tools (the guide's debug endpoints): every asset with stuck/orphaned filters, the
//! playback-id integrity check with repair, resync of one asset from Mux, and the webhook event
//! log with replay.

use axum::extract::{Path, Query, State};
use axum::Json;
use mux_api::ErrorKind;
use serde::Deserialize;
use serde_json::{json, Value};

use super::assets::{page, status};
use super::auth::AdminUser;
use super::views::AssetView;
use super::ApiError;
use crate::app::AppState;
use crate::domain::{AssetId, AssetStatus, UserId};
use crate::ingest::IngestError;
use crate::store::assets::{playback_url, AssetFilter};
use crate::store::now_ms;
use crate::store::webhooks::WebhookFilter;
use crate::store::Outcome;

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

pub async fn assets(
    State(app): State<AppState>,
    AdminUser(_): AdminUser,
    Query(query): Query<AssetsQuery>,
) -> Result<Json<Value>, ApiError> {
    let (limit, offset) = page(query.limit, query.offset)?;
    let owner = match query.owner.as_deref() {
        None => None,
        Some(raw) => match UserId::parse(raw) {
            Ok(id) => Some(id),
            Err(_) => Some(
                app.store
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
        stuck_only: query.stuck,
        orphaned_before: query.orphaned.then(|| now_ms() - ORPHAN_AFTER_MS),
        limit,
        offset,
        ..Default::default()
    };
    let rows = app.store.list_assets(&filter).await?;
    let data: Vec<Value> = rows
        .iter()
        .map(|a| json!({"asset": AssetView::from(a), "ownerId": a.owner_id, "muxDeletePending": a.mux_delete_pending}))
        .collect();
    Ok(Json(
        json!({"data": data, "limit": limit, "offset": offset}),
    ))
}

pub async fn resync(
    State(app): State<AppState>,
    AdminUser(_): AdminUser,
    Path(id): Path<String>,
) -> Result<Json<Value>, ApiError> {
    let id = AssetId::parse(&id).map_err(|_| ApiError::NotFound)?;
    app.store.asset(id).await?.ok_or(ApiError::NotFound)?;
    let changes = crate::poll::resync(&app, id).await.map_err(|error| {
        match error.downcast::<mux_api::MuxError>() {
            Ok(mux) => ApiError::from(mux),
            Err(other) => ApiError::Internal(other),
        }
    })?;
    let asset = app.store.asset(id).await?.ok_or(ApiError::NotFound)?;
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

/// Checks each READY asset's playback id on Mux: it must exist and point at the row's asset.
/// With `repair`, a bad or missing one is replaced by the asset's current first playback id.
pub async fn verify_playback_ids(
    State(app): State<AppState>,
    AdminUser(_): AdminUser,
    body: Option<Json<VerifyRequest>>,
) -> Result<Json<Value>, ApiError> {
    let repair = body.is_some_and(|Json(b)| b.repair);
    let mut report = Vec::new();
    let mut checked = 0;
    let mut offset = 0;
    loop {
        let filter = AssetFilter {
            status: Some(AssetStatus::Ready),
            limit: 200,
            offset,
            ..Default::default()
        };
        let rows = app.store.list_assets(&filter).await?;
        if rows.is_empty() {
            break;
        }
        offset += rows.len() as i64;
        for asset in rows {
            checked += 1;
            let Some(asset_id) = asset.facts.mux_asset_id.clone() else {
                report.push(json!({"assetId": asset.id, "problem": "READY without a Mux asset id", "repaired": false}));
                continue;
            };
            let problem = match &asset.facts.ready.playback_id {
                None => Some("no playback id".to_owned()),
                Some(pid) => match app.mux.get_playback_id(pid).await {
                    Ok(found) if found.object.id == asset_id => None,
                    Ok(found) => Some(format!("playback id points at {} instead", found.object.id)),
                    Err(error) if error.is_not_found() => {
                        Some("playback id not found on Mux".to_owned())
                    }
                    // Mux refuses this id (e.g. malformed): a problem of this asset, not of the run.
                    Err(error) if error.kind() == ErrorKind::Permanent => {
                        Some(format!("Mux rejects the playback id: {error}"))
                    }
                    Err(error) => return Err(error.into()),
                },
            };
            let Some(problem) = problem else { continue };
            let mut repaired = false;
            if repair {
                let mux_asset = app.mux.get_asset(&asset_id).await?;
                if let Some(pid) = mux_asset.playback_ids.first() {
                    let url = playback_url(&app.uploads.stream_base_url, &pid.id);
                    app.store.set_playback(asset.id, &pid.id, &url).await?;
                    repaired = true;
                }
            }
            report.push(json!({"assetId": asset.id, "muxAssetId": asset_id, "playbackId": asset.facts.ready.playback_id, "problem": problem, "repaired": repaired}));
        }
    }
    Ok(Json(
        json!({"checked": checked, "problems": report.len(), "report": report}),
    ))
}

#[derive(Debug, Deserialize)]
pub struct EventsQuery {
    #[serde(rename = "type")]
    pub event_type: Option<String>,
    pub outcome: Option<String>,
    pub limit: Option<i64>,
    pub offset: Option<i64>,
}

pub async fn webhook_events(
    State(app): State<AppState>,
    AdminUser(_): AdminUser,
    Query(query): Query<EventsQuery>,
) -> Result<Json<Value>, ApiError> {
    let (limit, offset) = page(query.limit, query.offset)?;
    let outcome = query
        .outcome
        .as_deref()
        .map(|o| {
            o.parse::<Outcome>()
                .map_err(|()| ApiError::BadRequest(format!("unknown outcome {o:?}")))
        })
        .transpose()?;
    let filter = WebhookFilter {
        event_type: query.event_type,
        outcome,
        limit,
        offset,
    };
    let events = app.store.webhook_events(&filter).await?;
    Ok(Json(
        json!({"data": events, "limit": limit, "offset": offset}),
    ))
}

pub async fn replay(
    State(app): State<AppState>,
    AdminUser(_): AdminUser,
    Path(event_id): Path<String>,
) -> Result<Json<Value>, ApiError> {
    match app.ingest.replay(&event_id).await {
        Ok(Some(ingested)) => Ok(Json(
            json!({"eventId": ingested.event_id, "outcome": ingested.outcome, "assetId": ingested.asset_id}),
        )),
        Ok(None) => Err(ApiError::NotFound),
        Err(IngestError::BadPayload(message)) => Err(ApiError::BadRequest(message)),
        Err(IngestError::Store(error)) => Err(error.into()),
    }
}
