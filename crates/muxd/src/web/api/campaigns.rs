//! `GET /api/campaigns/{id}`: a campaign and its influencers, for the content page.

use axum::extract::{Path, State};
use axum::Json;
use serde_json::{json, Value};

use crate::domain::CampaignId;
use crate::store::Store;
use crate::web::auth::CurrentUser;
use crate::web::ApiError;

pub async fn get(
    State(store): State<Store>,
    CurrentUser(_): CurrentUser,
    Path(id): Path<String>,
) -> Result<Json<Value>, ApiError> {
    let id = CampaignId::parse(&id).map_err(|_| ApiError::NotFound)?;
    let campaign = store.campaign(id).await?.ok_or(ApiError::NotFound)?;
    let influencers = store.influencers(id).await?;
    Ok(Json(
        json!({"id": campaign.id, "name": campaign.name, "influencers": influencers}),
    ))
}
