//! `GET /api/campaigns/{id}`: a campaign and its influencers, for the content page; `id` is the
//! host app's or muxd's. Only its owner, its members and admins see it (others get 404).

use axum::extract::{Path, State};
use axum::Json;

use crate::auth::CurrentUser;
use crate::campaign_views::CampaignView;
use crate::error::ErrorBody;
use crate::openapi::responses::{DatabaseDown, NotSignedIn};
use crate::ApiError;
use muxd_core::service::app_campaigns::Campaigns;

/// A campaign the caller may upload into, with its influencers.
#[utoipa::path(
    get,
    path = "/api/campaigns/{id}",
    operation_id = "getCampaign",
    tag = "assets",
    params(("id" = String, Path, description = "The host app's campaign id, or muxd's")),
    security(("bearer" = []), ("session_cookie" = [])),
    responses(
        (status = 200, description = "The campaign", body = CampaignView),
        NotSignedIn,
        (status = 404, description = "No such campaign, or the caller may not see it", body = ErrorBody),
        DatabaseDown,
    )
)]
pub async fn get(
    State(campaigns): State<Campaigns>,
    CurrentUser(user, _): CurrentUser,
    Path(id): Path<String>,
) -> Result<Json<CampaignView>, ApiError> {
    Ok(Json(campaigns.usable(&user, &id).await?.into()))
}
