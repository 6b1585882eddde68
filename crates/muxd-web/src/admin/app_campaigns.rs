//! The host app's campaigns and influencers, kept by the app's backend with an admin token, under
//! the app's own ids: `PUT /api/app/campaigns/{appId}` (name, owner, members: the users who may
//! upload besides the owner), `GET /api/app/campaigns?archived=`, `POST …/{appId}/archive` and
//! `PUT …/{appId}/influencers/{influencerAppId}`. Users are named by their external ids (the
//! identity provider's), and are known to muxd from then on. Bad input is a 400 naming the field,
//! and nothing is stored.

use axum::extract::{Path, State};
use axum::Json;
use serde::{Deserialize, Serialize};
use utoipa::{IntoParams, ToSchema};

use crate::auth::AdminUser;
use crate::campaign_views::{CampaignView, InfluencerView};
use crate::error::{app_id, parsed_field, ErrorBody};
use crate::extract::ApiJson;
use crate::extract::ApiQuery;
use crate::openapi::responses::{DatabaseDown, NotAdmin, NotAdminOrCrossSite, NotSignedIn};
use crate::ApiError;
use muxd_core::service::app_campaigns::{Campaigns, PutCampaign as PutAppCampaign};
use muxd_domain::details;
use muxd_domain::encoding::{EncodingChoice, ResolutionTier, VideoQuality};
use muxd_domain::ids::{ExternalUserId, MAX_EXTERNAL_USER_ID};

/// The most members one campaign may list.
const MAX_MEMBERS: usize = 1_000;

/// A campaign as the host app has it.
#[derive(Debug, Deserialize, ToSchema)]
#[serde(rename_all = "camelCase", deny_unknown_fields)]
pub struct PutCampaign {
    name: String,
    /// The owner's external id.
    owner_id: String,
    /// The external ids of the users who may upload besides the owner (at most 1,000).
    #[serde(default)]
    member_ids: Vec<String>,
    /// The video quality its uploads ask Mux for (`basic`, `plus`, `premium`); unset, the
    /// deployment's `MUXD_VIDEO_QUALITY`.
    #[serde(default)]
    #[schema(value_type = Option<VideoQuality>)]
    video_quality: Option<String>,
    /// The highest resolution tier its uploads ask Mux for (`1080p`, `1440p`, `2160p`); unset,
    /// the deployment's `MUXD_MAX_RESOLUTION_TIER`.
    #[serde(default)]
    #[schema(value_type = Option<ResolutionTier>)]
    max_resolution_tier: Option<String>,
    /// Generated captions for its uploads: `off`, or a language Mux generates captions in (`en`,
    /// `es`, `de`, …); unset, the deployment's `MUXD_CAPTIONS`.
    #[serde(default)]
    captions: Option<String>,
}

/// An influencer as the host app has them.
#[derive(Debug, Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct PutInfluencer {
    name: String,
    /// Their handle, at most 100 characters.
    #[serde(default)]
    handle: Option<String>,
}

#[derive(Debug, Deserialize, IntoParams)]
#[into_params(parameter_in = Query)]
pub struct ListQuery {
    /// List the archived campaigns instead of the active ones.
    #[serde(default)]
    archived: bool,
}

/// The host app's campaigns.
#[derive(Debug, Serialize, ToSchema)]
pub struct CampaignList {
    pub data: Vec<CampaignView>,
}

/// An external user id, or a 400 naming `field`.
fn user_id(field: &str, raw: &str) -> Result<ExternalUserId, ApiError> {
    ExternalUserId::parse(raw).ok_or_else(|| {
        ApiError::BadRequest(format!(
            "{field} must be an external user id of 1 to {MAX_EXTERNAL_USER_ID} characters"
        ))
    })
}

/// Creates or replaces a campaign under the host app's id.
#[utoipa::path(
    put,
    path = "/api/app/campaigns/{id}",
    operation_id = "putAppCampaign",
    tag = "app",
    params(("id" = String, Path, description = "The host app's campaign id (1 to 128 of `A-Z a-z 0-9 - _ . :`)")),
    request_body = PutCampaign,
    security(("bearer" = ["admin"]), ("session_cookie" = ["admin"])),
    responses(
        (status = 200, description = "The campaign as stored", body = CampaignView),
        (status = 400, description = "The id or a field is invalid; nothing was stored", body = ErrorBody),
        NotSignedIn,
        NotAdminOrCrossSite,
        DatabaseDown,
    )
)]
pub async fn put(
    State(campaigns): State<Campaigns>,
    AdminUser(_): AdminUser,
    Path(id): Path<String>,
    ApiJson(input): ApiJson<PutCampaign>,
) -> Result<Json<CampaignView>, ApiError> {
    let id = app_id("campaign id", &id)?;
    let name = details::name(&input.name).map_err(ApiError::BadRequest)?;
    let owner = user_id("ownerId", &input.owner_id)?;
    if input.member_ids.len() > MAX_MEMBERS {
        return Err(ApiError::BadRequest(format!(
            "memberIds lists {} users; at most {MAX_MEMBERS}",
            input.member_ids.len()
        )));
    }
    let members = input
        .member_ids
        .iter()
        .map(|m| user_id("memberIds", m))
        .collect::<Result<Vec<_>, _>>()?;
    let encoding = EncodingChoice {
        quality: parsed_field("videoQuality", input.video_quality.as_deref())?,
        max_tier: parsed_field("maxResolutionTier", input.max_resolution_tier.as_deref())?,
        captions: parsed_field("captions", input.captions.as_deref())?,
    };
    let put = PutAppCampaign {
        app_id: &id,
        name: &name,
        owner: &owner,
        members: &members,
        encoding,
    };
    Ok(Json(campaigns.put(put).await?.into()))
}

/// The host app's campaigns, active or archived.
#[utoipa::path(
    get,
    path = "/api/app/campaigns",
    operation_id = "listAppCampaigns",
    tag = "app",
    params(ListQuery),
    security(("bearer" = ["admin"]), ("session_cookie" = ["admin"])),
    responses(
        (status = 200, description = "The campaigns", body = CampaignList),
        (status = 400, description = "`archived` is not true or false", body = ErrorBody),
        NotSignedIn,
        NotAdmin,
        DatabaseDown,
    )
)]
pub async fn list(
    State(campaigns): State<Campaigns>,
    AdminUser(_): AdminUser,
    ApiQuery(query): ApiQuery<ListQuery>,
) -> Result<Json<CampaignList>, ApiError> {
    let data = campaigns
        .list(query.archived)
        .await?
        .into_iter()
        .map(CampaignView::from)
        .collect();
    Ok(Json(CampaignList { data }))
}

/// Archives a campaign: it takes no more uploads.
#[utoipa::path(
    post,
    path = "/api/app/campaigns/{id}/archive",
    operation_id = "archiveAppCampaign",
    tag = "app",
    params(("id" = String, Path, description = "The host app's campaign id")),
    security(("bearer" = ["admin"]), ("session_cookie" = ["admin"])),
    responses(
        (status = 200, description = "The campaign, archived", body = CampaignView),
        (status = 400, description = "The id is invalid", body = ErrorBody),
        NotSignedIn,
        NotAdminOrCrossSite,
        (status = 404, description = "No campaign has that id", body = ErrorBody),
        DatabaseDown,
    )
)]
pub async fn archive(
    State(campaigns): State<Campaigns>,
    AdminUser(_): AdminUser,
    Path(id): Path<String>,
) -> Result<Json<CampaignView>, ApiError> {
    let id = app_id("campaign id", &id)?;
    Ok(Json(campaigns.archive(&id).await?.into()))
}

/// Creates or replaces an influencer of a campaign under the host app's id.
#[utoipa::path(
    put,
    path = "/api/app/campaigns/{id}/influencers/{influencer}",
    operation_id = "putAppInfluencer",
    tag = "app",
    params(
        ("id" = String, Path, description = "The host app's campaign id"),
        ("influencer" = String, Path, description = "The host app's influencer id"),
    ),
    request_body = PutInfluencer,
    security(("bearer" = ["admin"]), ("session_cookie" = ["admin"])),
    responses(
        (status = 200, description = "The influencer as stored", body = InfluencerView),
        (status = 400, description = "An id or a field is invalid; nothing was stored", body = ErrorBody),
        NotSignedIn,
        NotAdminOrCrossSite,
        (status = 404, description = "No campaign has that id", body = ErrorBody),
        DatabaseDown,
    )
)]
pub async fn put_influencer(
    State(campaigns): State<Campaigns>,
    AdminUser(_): AdminUser,
    Path((campaign, influencer)): Path<(String, String)>,
    ApiJson(input): ApiJson<PutInfluencer>,
) -> Result<Json<InfluencerView>, ApiError> {
    let campaign = app_id("campaign id", &campaign)?;
    let influencer = app_id("influencer id", &influencer)?;
    let name = details::name(&input.name).map_err(ApiError::BadRequest)?;
    let handle = match input.handle.as_deref().map(str::trim) {
        Some(h) if h.chars().count() > 100 => {
            return Err(ApiError::BadRequest(
                "handle must be at most 100 characters".into(),
            ))
        }
        Some("") | None => None,
        Some(h) => Some(h.to_owned()),
    };
    let saved = campaigns
        .put_influencer(&campaign, &influencer, &name, handle.as_deref())
        .await?;
    Ok(Json(InfluencerView::from(saved)))
}
