//! `POST /api/debug/adopt`: brings an asset made outside muxd (in Mux's dashboard, by another
//! tool) under muxd's management, by its Mux asset id or a playback id, for an owner and
//! optionally a campaign and influencer. Adopting twice gives one row: 201 when this call made
//! it, 200 with the row that already tracks the asset.

use axum::extract::State;
use axum::http::StatusCode;
use axum::Json;
use serde::Deserialize;
use utoipa::ToSchema;

use super::assets::AdminAsset;
use crate::auth::AdminUser;
use crate::error::ErrorBody;
use crate::extract::ApiJson;
use crate::openapi::responses::{MuxOrDatabaseDown, MuxRefused, NotAdminOrCrossSite, NotSignedIn};
use crate::views::Links;
use crate::ApiError;
use muxd_core::service::adopt::{AdoptError, AdoptRequest, Adoptions, MuxRef};
use muxd_domain::Cause;

/// The asset to adopt (by `assetId` or `playbackId`, not both) and where its row goes.
#[derive(Debug, Deserialize, ToSchema)]
#[serde(rename_all = "camelCase", deny_unknown_fields)]
pub struct AdoptBody {
    /// The Mux asset id.
    #[serde(default)]
    asset_id: Option<String>,
    /// One of the asset's playback ids.
    #[serde(default)]
    playback_id: Option<String>,
    /// The owner's external id (the identity provider's); muxd knows them from then on.
    owner_id: String,
    /// The campaign, by the host app's id or muxd's; one the owner may use, not archived.
    #[serde(default)]
    campaign_id: Option<String>,
    /// One of that campaign's influencers, by the host app's id or muxd's.
    #[serde(default)]
    influencer_id: Option<String>,
    /// The name; by default Mux's `meta.title`, else its `passthrough`, else the asset id.
    #[serde(default)]
    name: Option<String>,
}

/// Adopts an asset made outside muxd.
#[utoipa::path(
    post,
    path = "/api/debug/adopt",
    operation_id = "adoptAsset",
    tag = "admin",
    request_body = AdoptBody,
    security(("bearer" = ["admin"]), ("session_cookie" = ["admin"])),
    responses(
        (status = 201, description = "Adopted: the new row, brought up to date from Mux", body = AdminAsset),
        (status = 200, description = "Already tracked: the row that tracks the asset, as it is", body = AdminAsset),
        (status = 400, description = "A field is missing or invalid (the message names it); nothing was stored", body = ErrorBody),
        NotSignedIn,
        NotAdminOrCrossSite,
        (status = 404, description = "Mux has no such asset or playback id", body = ErrorBody),
        MuxRefused,
        MuxOrDatabaseDown,
    )
)]
pub async fn adopt(
    State(adoptions): State<Adoptions>,
    State(links): State<Links>,
    AdminUser(admin): AdminUser,
    ApiJson(body): ApiJson<AdoptBody>,
) -> Result<(StatusCode, Json<AdminAsset>), ApiError> {
    let asset = match (body.asset_id, body.playback_id) {
        (Some(id), None) => MuxRef::Asset(id),
        (None, Some(id)) => MuxRef::Playback(id),
        _ => {
            return Err(ApiError::BadRequest(
                "give the asset by assetId or by playbackId (one of them)".into(),
            ))
        }
    };
    let request = AdoptRequest {
        asset,
        owner: body.owner_id,
        campaign: body.campaign_id,
        influencer: body.influencer_id,
        name: body.name,
    };
    let cause = Cause::Adopt {
        by: admin.external_id.to_string(),
    };
    let adopted = adoptions
        .adopt(&request, &cause)
        .await
        .map_err(|error| match error {
            AdoptError::Invalid(message) => ApiError::BadRequest(message),
            AdoptError::NotOnMux(message) => ApiError::Missing(message),
            AdoptError::Failed(error) => error.into(),
        })?;
    let status = match adopted.new {
        true => StatusCode::CREATED,
        false => StatusCode::OK,
    };
    Ok((status, Json(AdminAsset::of(&links, &adopted.asset))))
}
