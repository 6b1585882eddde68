//! HTML pages and the campaign read they need: the campaign content page ("Step 4: Content":
//! upload per influencer with progress, asset cards with live status, player, rename, delete)
//! and the dev sign-in, which only exists when muxd signs its own tokens (`muxd dev`).

use axum::extract::{Path, Query, State};
use axum::http::header::{LOCATION, SET_COOKIE};
use axum::http::StatusCode;
use axum::response::{Html, IntoResponse, Response};
use axum::Json;
use serde::Deserialize;
use serde_json::{json, Value};

use super::auth::{CurrentUser, SESSION_COOKIE};
use super::ApiError;
use crate::app::AppState;
use crate::domain::CampaignId;

const CONTENT_PAGE: &str = include_str!("../../static/content.html");

/// A dev session lasts a working day.
const DEV_SESSION_SECS: u64 = 12 * 3600;

pub async fn home(State(app): State<AppState>) -> Response {
    match &app.demo {
        Some(demo) => (StatusCode::SEE_OTHER, [(LOCATION, format!("/campaigns/{}/content", demo.campaign_id))]).into_response(),
        None => Html("<!doctype html><title>muxd</title><p>muxd is running. See <a href=\"/api/health/mux-system\">health</a>.</p>").into_response(),
    }
}

pub async fn content(Path(id): Path<String>) -> Result<Html<String>, ApiError> {
    let id = CampaignId::parse(&id).map_err(|_| ApiError::NotFound)?;
    Ok(Html(
        CONTENT_PAGE.replace("{{CAMPAIGN_ID}}", &id.to_string()),
    ))
}

/// `GET /api/campaigns/{id}`: the campaign and its influencers, for the content page.
pub async fn campaign(
    State(app): State<AppState>,
    CurrentUser(_): CurrentUser,
    Path(id): Path<String>,
) -> Result<Json<Value>, ApiError> {
    let id = CampaignId::parse(&id).map_err(|_| ApiError::NotFound)?;
    let campaign = app.store.campaign(id).await?.ok_or(ApiError::NotFound)?;
    let influencers = app.store.influencers(id).await?;
    Ok(Json(
        json!({"id": campaign.id, "name": campaign.name, "influencers": influencers}),
    ))
}

#[derive(Debug, Deserialize)]
pub struct DevLogin {
    #[serde(rename = "as")]
    pub who: Option<String>,
}

/// `GET /dev/login?as=user|admin`: signs in a demo user with a session cookie (dev only).
pub async fn dev_login(
    State(app): State<AppState>,
    Query(query): Query<DevLogin>,
) -> Result<Response, ApiError> {
    let demo = app.demo.as_ref().ok_or(ApiError::NotFound)?;
    let admin = query.who.as_deref() == Some("admin");
    let external_id = if admin {
        &demo.admin_external_id
    } else {
        &demo.user_external_id
    };
    let token = app
        .identity
        .sign(external_id, admin, DEV_SESSION_SECS)
        .ok_or(ApiError::NotFound)?;
    let cookie = format!(
        "{SESSION_COOKIE}={token}; Path=/; HttpOnly; SameSite=Lax; Max-Age={DEV_SESSION_SECS}"
    );
    let target = format!("/campaigns/{}/content", demo.campaign_id);
    Ok((
        StatusCode::SEE_OTHER,
        [(SET_COOKIE, cookie), (LOCATION, target)],
    )
        .into_response())
}
