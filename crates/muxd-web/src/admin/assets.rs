//! Admin tools over assets: every asset with stuck/orphaned/owner filters, resync of one asset
//! from Mux, and the playback-id integrity check with repair.

use axum::extract::State;
use axum::Json;
use serde::{Deserialize, Serialize};
use utoipa::{IntoParams, ToSchema};

use crate::api::assets::{page, search, status};
use crate::auth::AdminUser;
use crate::error::ErrorBody;
use crate::extract::ApiQuery;
use crate::extract::{ApiJson, AssetPath};
use crate::openapi::responses::{
    BadPage, DatabaseDown, MuxOrDatabaseDown, MuxRefused, NotAdmin, NotAdminOrCrossSite,
    NotSignedIn,
};
use crate::views::{AssetView, Links, Page};
use crate::ApiError;
use muxd_core::service::asset_reads::AssetReads;
use muxd_core::service::playback::{self, PlaybackCheck};
use muxd_core::service::sync::Resync;
use muxd_domain::{AssetId, AssetOrigin, AssetStatus, MuxAssetId, PlaybackId, UserId};
use muxd_store::asset_list::AssetFilter;
use muxd_store::{now_ms, CreativeAsset};

/// An upload with no asset this long after creation counts as orphaned.
const ORPHAN_AFTER_MS: i64 = 60 * 60 * 1000;

#[derive(Debug, Deserialize, IntoParams)]
#[into_params(parameter_in = Query)]
pub struct AssetsQuery {
    /// Only assets in this status.
    #[param(value_type = Option<AssetStatus>)]
    pub status: Option<String>,
    /// Only uploads stuck in flight.
    #[serde(default)]
    pub stuck: bool,
    /// Only uploads with no Mux asset an hour after creation.
    #[serde(default)]
    pub orphaned: bool,
    /// Only this owner's: muxd's user id or the external id.
    pub owner: Option<String>,
    /// Page size, 1 to 200 (default 50).
    pub limit: Option<i64>,
    /// Assets to skip (default 0).
    pub offset: Option<i64>,
    /// Words to find in the videos' captions, names and descriptions: the matches, best first,
    /// each with `asset.matches`.
    pub q: Option<String>,
}

/// An asset with what only admins see.
#[derive(Debug, Serialize, ToSchema)]
#[serde(rename_all = "camelCase")]
pub struct AdminAsset {
    pub asset: AssetView,
    pub owner_id: UserId,
    /// muxd's own upload, or adopted (made outside muxd).
    pub origin: AssetOrigin,
    /// The row is deleted but its Mux asset is not yet.
    pub mux_delete_pending: bool,
}

impl AdminAsset {
    /// `asset` as admins see it.
    pub fn of(links: &Links, asset: &CreativeAsset) -> Self {
        AdminAsset {
            asset: links.view(asset),
            owner_id: asset.owner_id,
            origin: asset.origin,
            mux_delete_pending: asset.mux_delete_pending,
        }
    }
}

/// What a resync learned from Mux.
#[derive(Debug, Serialize, ToSchema)]
pub struct Resynced {
    pub asset: AssetView,
    /// The status changes it applied, in order.
    pub applied: Vec<AppliedChange>,
}

/// One status change.
#[derive(Debug, Serialize, ToSchema)]
pub struct AppliedChange {
    pub from: AssetStatus,
    pub to: AssetStatus,
}

/// Every asset, filtered.
#[utoipa::path(
    get,
    path = "/api/debug/mux-assets",
    operation_id = "listAllAssets",
    tag = "admin",
    params(AssetsQuery),
    security(("bearer" = ["admin"]), ("session_cookie" = ["admin"])),
    responses(
        (status = 200, description = "A page of assets", body = Page<AdminAsset>),
        BadPage,
        NotSignedIn,
        NotAdmin,
        (status = 404, description = "No user has that external id", body = ErrorBody),
        DatabaseDown,
    )
)]
pub async fn list(
    State(reads): State<AssetReads>,
    State(links): State<Links>,
    AdminUser(_): AdminUser,
    ApiQuery(query): ApiQuery<AssetsQuery>,
) -> Result<Json<Page<AdminAsset>>, ApiError> {
    let (limit, offset) = page(query.limit, query.offset)?;
    let owner = match query.owner.as_deref() {
        None => None,
        Some(raw) => match UserId::parse(raw) {
            Ok(id) => Some(id),
            Err(_) => Some(reads.user(raw).await?),
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
    let data = match query.q.as_deref() {
        Some(q) => search(&reads, &filter, q)
            .await?
            .into_iter()
            .map(|(asset, matches)| {
                let mut admin = AdminAsset::of(&links, &asset);
                admin.asset.matches = Some(matches);
                admin
            })
            .collect(),
        None => reads
            .list(&filter)
            .await?
            .iter()
            .map(|a| AdminAsset::of(&links, a))
            .collect(),
    };
    Ok(Json(Page {
        data,
        limit,
        offset,
    }))
}

/// Reads one asset's upload and asset from Mux and applies what they say.
#[utoipa::path(
    post,
    path = "/api/debug/mux-assets/{id}/resync",
    operation_id = "resyncAsset",
    tag = "admin",
    params(("id" = AssetId, Path, description = "The asset's id")),
    security(("bearer" = ["admin"]), ("session_cookie" = ["admin"])),
    responses(
        (status = 200, description = "The asset after the resync", body = Resynced),
        NotSignedIn,
        NotAdminOrCrossSite,
        (status = 404, description = "No such asset", body = ErrorBody),
        MuxRefused,
        MuxOrDatabaseDown,
    )
)]
pub async fn resync(
    State(reads): State<AssetReads>,
    State(resync): State<Resync>,
    State(links): State<Links>,
    AdminUser(_): AdminUser,
    AssetPath(id): AssetPath,
) -> Result<Json<Resynced>, ApiError> {
    reads.any(id).await?;
    let changes = resync.asset(id).await?;
    let asset = reads.any(id).await?;
    let applied = changes
        .iter()
        .map(|c| AppliedChange {
            from: c.from,
            to: c.to,
        })
        .collect();
    Ok(Json(Resynced {
        asset: links.view(&asset),
        applied,
    }))
}

/// What the check may do besides report.
#[derive(Debug, Default, Deserialize, ToSchema)]
pub struct VerifyRequest {
    /// Replace a bad or missing playback id with the Mux asset's current one.
    #[serde(default)]
    pub repair: bool,
}

/// Checks each READY asset's playback id on Mux; with `repair`, replaces the bad ones.
#[utoipa::path(
    post,
    path = "/api/debug/verify-mux-playback-ids",
    operation_id = "verifyPlaybackIds",
    tag = "admin",
    request_body(content = Option<VerifyRequest>, description = "Optional; without it, report only"),
    security(("bearer" = ["admin"]), ("session_cookie" = ["admin"])),
    responses(
        (status = 200, description = "What the check found (and repaired)", body = Report),
        (status = 400, description = "The body is not valid JSON", body = ErrorBody),
        NotSignedIn,
        NotAdminOrCrossSite,
        MuxRefused,
        MuxOrDatabaseDown,
    )
)]
pub async fn verify_playback_ids(
    State(check): State<PlaybackCheck>,
    AdminUser(admin): AdminUser,
    body: Option<ApiJson<VerifyRequest>>,
) -> Result<Json<Report>, ApiError> {
    let repair = body.is_some_and(|ApiJson(b)| b.repair);
    Ok(Json(
        check.verify(repair.then_some(&admin.id)).await?.into(),
    ))
}

/// What a check found.
#[derive(Debug, Serialize, ToSchema)]
pub struct Report {
    pub checked: usize,
    pub problems: usize,
    pub report: Vec<Problem>,
}

/// One asset with a problem.
#[derive(Debug, Serialize, ToSchema)]
#[serde(rename_all = "camelCase")]
pub struct Problem {
    pub asset_id: AssetId,
    pub mux_asset_id: Option<MuxAssetId>,
    pub playback_id: Option<PlaybackId>,
    pub problem: String,
    pub repaired: bool,
}

impl From<playback::Report> for Report {
    fn from(report: playback::Report) -> Self {
        Report {
            checked: report.checked,
            problems: report.problems,
            report: report
                .report
                .into_iter()
                .map(|p| Problem {
                    asset_id: p.asset_id,
                    mux_asset_id: p.mux_asset_id,
                    playback_id: p.playback_id,
                    problem: p.problem,
                    repaired: p.repaired,
                })
                .collect(),
        }
    }
}
