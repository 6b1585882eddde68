//! The owner's assets: list, read, rename/describe, delete. Another user's asset is a 404, never a
//! 403, so ids reveal nothing. Deleting is recorded at once (the row turns DELETED); the Mux asset
//! is deleted now if Mux answers, else by the background sweep, never forgotten.

use axum::extract::State;
use axum::http::StatusCode;
use axum::Json;
use serde::{Deserialize, Serialize};
use utoipa::{IntoParams, ToSchema};

use crate::auth::CurrentUser;
use crate::error::{app_id, optional_id, ErrorBody};
use crate::extract::ApiQuery;
use crate::extract::{ApiJson, AssetPath};
use crate::openapi::responses::{AssetNotFound, BadPage, CrossSite, DatabaseDown, NotSignedIn};
use crate::views::{AssetView, Links, MatchView, Page};
use crate::ApiError;
use muxd_core::service::asset_reads::AssetReads;
use muxd_core::service::assets::{AssetEdits, Edit};
use muxd_core::service::deletion::{Deletions, MuxDeletion};
use muxd_domain::{AssetId, AssetStatus, InfluencerId};
use muxd_store::asset_list::AssetFilter;
use muxd_store::assets::CreativeAsset;
use muxd_store::User;

/// Page size when none is asked for, and the most one page may hold.
const DEFAULT_LIMIT: i64 = 50;
const MAX_LIMIT: i64 = 200;

#[derive(Debug, Deserialize, IntoParams)]
#[serde(rename_all = "camelCase")]
#[into_params(parameter_in = Query)]
pub struct ListQuery {
    /// Only this campaign's assets (the host app's campaign id or muxd's).
    pub campaign_id: Option<String>,
    /// Only assets in this status.
    #[param(value_type = Option<AssetStatus>)]
    pub status: Option<String>,
    /// Page size, 1 to 200 (default 50).
    pub limit: Option<i64>,
    /// Assets to skip (default 0).
    pub offset: Option<i64>,
    /// Words to find: said in the video (its captions' transcripts) or in its name or
    /// description. The assets that match, best first, each with `matches`, where they are said.
    pub q: Option<String>,
}

/// What deleting did: the row is deleted now; the Mux asset now (`done`) or by the background
/// sweep (`pending`).
#[derive(Debug, Serialize, ToSchema)]
#[serde(rename_all = "camelCase")]
pub struct Deleted {
    pub deleted: bool,
    pub mux_deletion: MuxDeletionState,
}

/// Whether the Mux asset is deleted yet.
#[derive(Debug, Serialize, ToSchema)]
#[serde(rename_all = "lowercase")]
pub enum MuxDeletionState {
    Done,
    Pending,
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

/// The caller's assets.
#[utoipa::path(
    get,
    path = "/api/creative-assets",
    operation_id = "listCreativeAssets",
    tag = "assets",
    params(ListQuery),
    security(("bearer" = []), ("session_cookie" = [])),
    responses(
        (status = 200, description = "A page of the caller's assets (with `q`: those that match, best first)", body = Page<AssetView>),
        BadPage,
        NotSignedIn,
        DatabaseDown,
    )
)]
pub async fn list(
    State(reads): State<AssetReads>,
    State(links): State<Links>,
    CurrentUser(user, _): CurrentUser,
    ApiQuery(query): ApiQuery<ListQuery>,
) -> Result<Json<Page<AssetView>>, ApiError> {
    let (limit, offset) = page(query.limit, query.offset)?;
    // The host app's campaign id or muxd's; one that names nothing lists nothing.
    let campaign = match query.campaign_id.as_deref() {
        Some(reference) => {
            let reference = app_id("campaignId", reference)?;
            match reads.campaign(&reference).await? {
                Some(campaign) => Some(campaign.id),
                None => {
                    return Ok(Json(Page {
                        data: Vec::new(),
                        limit,
                        offset,
                    }))
                }
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
    let data = match query.q.as_deref() {
        Some(q) => search(&reads, &filter, q)
            .await?
            .into_iter()
            .map(|(asset, matches)| {
                let mut view = links.view(&asset);
                view.matches = Some(matches);
                view
            })
            .collect(),
        None => {
            let rows = reads.list(&filter).await?;
            rows.iter().map(|a| links.view(a)).collect()
        }
    };
    Ok(Json(Page {
        data,
        limit,
        offset,
    }))
}

/// The assets `filter` lists that match `q`, best first, each with where the words are said.
pub async fn search(
    reads: &AssetReads,
    filter: &AssetFilter,
    q: &str,
) -> Result<Vec<(CreativeAsset, Vec<MatchView>)>, ApiError> {
    let hits = reads.search(filter, q).await?;
    Ok(hits
        .into_iter()
        .map(|hit| {
            let matches = hit
                .matches
                .into_iter()
                .map(|m| MatchView {
                    start_seconds: m.start_ms as f64 / 1_000.0,
                    text: m.text,
                })
                .collect();
            (hit.asset, matches)
        })
        .collect())
}

/// The caller's own, not-deleted asset `id`, or 404 (a take, an asset's new file on its way, is
/// part of its asset, never one of its own).
async fn owned(reads: &AssetReads, user: &User, id: AssetId) -> Result<CreativeAsset, ApiError> {
    Ok(reads.owned(user, id).await?)
}

/// One of the caller's assets.
#[utoipa::path(
    get,
    path = "/api/creative-assets/{id}",
    operation_id = "getCreativeAsset",
    tag = "assets",
    params(("id" = AssetId, Path, description = "The asset's id")),
    security(("bearer" = []), ("session_cookie" = [])),
    responses(
        (status = 200, description = "The asset", body = AssetView),
        NotSignedIn,
        AssetNotFound,
        DatabaseDown,
    )
)]
pub async fn get(
    State(reads): State<AssetReads>,
    State(links): State<Links>,
    CurrentUser(user, _): CurrentUser,
    AssetPath(id): AssetPath,
) -> Result<Json<AssetView>, ApiError> {
    Ok(Json(links.view(&owned(&reads, &user, id).await?)))
}

/// The fields to change; those left out stay as they are.
#[derive(Debug, Deserialize, ToSchema)]
#[serde(rename_all = "camelCase", deny_unknown_fields)]
pub struct UpdateAsset {
    pub name: Option<String>,
    pub description: Option<String>,
    /// muxd's id of an influencer of the asset's campaign.
    pub influencer_id: Option<String>,
}

/// Renames or describes one of the caller's assets, or moves it to another influencer.
#[utoipa::path(
    patch,
    path = "/api/creative-assets/{id}",
    operation_id = "updateCreativeAsset",
    tag = "assets",
    params(("id" = AssetId, Path, description = "The asset's id")),
    request_body = UpdateAsset,
    security(("bearer" = []), ("session_cookie" = [])),
    responses(
        (status = 200, description = "The asset as changed (an edit that changes nothing changes nothing, and answers the asset as it is)", body = AssetView),
        (status = 400, description = "A field is invalid", body = ErrorBody),
        NotSignedIn,
        CrossSite,
        AssetNotFound,
        (status = 429, description = "Too many edits in a short time", body = ErrorBody,
            headers(("Retry-After" = u64, description = "Seconds to wait"))),
        DatabaseDown,
    )
)]
pub async fn update(
    State(reads): State<AssetReads>,
    State(links): State<Links>,
    State(edits): State<AssetEdits>,
    CurrentUser(user, _): CurrentUser,
    AssetPath(id): AssetPath,
    ApiJson(input): ApiJson<UpdateAsset>,
) -> Result<Json<AssetView>, ApiError> {
    let asset = owned(&reads, &user, id).await?;
    let influencer: Option<InfluencerId> =
        optional_id("influencerId", input.influencer_id.as_deref())?;
    let edit = Edit {
        name: input.name,
        description: input.description,
        influencer,
    };
    let updated = edits.edit(&user, &asset, edit).await?;
    Ok(Json(links.view(&updated)))
}

/// Deletes one of the caller's assets (and its Mux asset).
#[utoipa::path(
    delete,
    path = "/api/creative-assets/{id}",
    operation_id = "deleteCreativeAsset",
    tag = "assets",
    params(("id" = AssetId, Path, description = "The asset's id")),
    security(("bearer" = []), ("session_cookie" = [])),
    responses(
        (status = 200, description = "Deleted, on Mux too", body = Deleted),
        (status = 202, description = "Deleted; the Mux asset will be deleted by the background sweep", body = Deleted),
        NotSignedIn,
        CrossSite,
        AssetNotFound,
        DatabaseDown,
    )
)]
pub async fn delete(
    State(reads): State<AssetReads>,
    State(deletions): State<Deletions>,
    CurrentUser(user, _): CurrentUser,
    AssetPath(id): AssetPath,
) -> Result<(StatusCode, Json<Deleted>), ApiError> {
    let asset = owned(&reads, &user, id).await?;
    let (status, mux_deletion) = match deletions.delete_by_owner(&user, &asset).await? {
        MuxDeletion::Done => (StatusCode::OK, MuxDeletionState::Done),
        MuxDeletion::Pending => (StatusCode::ACCEPTED, MuxDeletionState::Pending),
    };
    Ok((
        status,
        Json(Deleted {
            deleted: true,
            mux_deletion,
        }),
    ))
}
