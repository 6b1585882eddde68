//! The host app's campaigns and influencers, kept by the app's backend with an admin token, under
//! the app's own ids: `PUT /api/app/campaigns/{appId}` (name, owner, members: the users who may
//! upload besides the owner), `GET /api/app/campaigns?archived=`, `POST …/{appId}/archive` and
//! `PUT …/{appId}/influencers/{influencerAppId}`. Users are named by their external ids (the
//! identity provider's), and are known to muxd from then on. Bad input is a 400 naming the field,
//! and nothing is stored.

use axum::extract::{Path, Query, State};
use axum::Json;
use serde::Deserialize;
use serde_json::{json, Value};

use crate::domain::details;
use crate::service::campaigns::{self, CampaignView, InfluencerView};
use crate::store::Store;
use crate::web::auth::AdminUser;
use crate::web::error::app_id;
use crate::web::json::ApiJson;
use crate::web::ApiError;

/// The most members one campaign may list.
const MAX_MEMBERS: usize = 1_000;
/// The longest external user id accepted.
const MAX_USER_ID: usize = 255;

#[derive(Debug, Deserialize)]
#[serde(rename_all = "camelCase", deny_unknown_fields)]
pub struct PutCampaign {
    name: String,
    owner_id: String,
    #[serde(default)]
    member_ids: Vec<String>,
}

#[derive(Debug, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct PutInfluencer {
    name: String,
    #[serde(default)]
    handle: Option<String>,
}

#[derive(Debug, Deserialize)]
pub struct ListQuery {
    #[serde(default)]
    archived: bool,
}

/// An external user id: 1 to [`MAX_USER_ID`] characters, no control characters.
fn user_id(field: &str, raw: &str) -> Result<String, ApiError> {
    let id = raw.trim();
    match !id.is_empty() && id.len() <= MAX_USER_ID && !id.chars().any(char::is_control) {
        true => Ok(id.to_owned()),
        false => Err(ApiError::BadRequest(format!(
            "{field} must be an external user id of 1 to {MAX_USER_ID} characters"
        ))),
    }
}

pub async fn put(
    State(store): State<Store>,
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
    let owner = store.ensure_user(&owner).await?;
    let mut member_ids = Vec::with_capacity(members.len());
    for member in &members {
        member_ids.push(store.ensure_user(member).await?.id);
    }
    let campaign = store
        .put_app_campaign(&id, &name, owner.id, &member_ids)
        .await?;
    Ok(Json(campaigns::view(&store, campaign).await?))
}

pub async fn list(
    State(store): State<Store>,
    AdminUser(_): AdminUser,
    Query(query): Query<ListQuery>,
) -> Result<Json<Value>, ApiError> {
    let mut data = Vec::new();
    for campaign in store.app_campaigns(query.archived).await? {
        data.push(campaigns::view(&store, campaign).await?);
    }
    Ok(Json(json!({"data": data})))
}

pub async fn archive(
    State(store): State<Store>,
    AdminUser(_): AdminUser,
    Path(id): Path<String>,
) -> Result<Json<CampaignView>, ApiError> {
    let id = app_id("campaign id", &id)?;
    let campaign = store
        .archive_app_campaign(&id)
        .await?
        .ok_or(ApiError::NotFound)?;
    Ok(Json(campaigns::view(&store, campaign).await?))
}

pub async fn put_influencer(
    State(store): State<Store>,
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
    let campaign = store
        .campaign_by_ref(&campaign)
        .await?
        .ok_or(ApiError::NotFound)?;
    let saved = store
        .put_app_influencer(campaign.id, &influencer, &name, handle.as_deref())
        .await?;
    Ok(Json(InfluencerView::from(saved)))
}
