//! `GET /api/campaigns/{id}`: a campaign and its influencers, for the content page; `id` is the
//! host app's or muxd's. Only its owner, its members and admins see it (others get 404).

use axum::extract::{Path, State};
use axum::Json;

use crate::service::campaigns::{self, CampaignView};
use crate::store::Store;
use crate::web::auth::CurrentUser;
use crate::web::ApiError;

pub async fn get(
    State(store): State<Store>,
    CurrentUser(user): CurrentUser,
    Path(id): Path<String>,
) -> Result<Json<CampaignView>, ApiError> {
    let campaign = campaigns::usable(&store, &user, &id)
        .await?
        .ok_or(ApiError::NotFound)?;
    Ok(Json(campaigns::view(&store, campaign).await?))
}
