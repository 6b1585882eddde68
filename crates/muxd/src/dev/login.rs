//! `GET /dev/login?as=user|admin`: signs in a demo user with a session cookie. This route only
//! exists under `muxd dev`, which merges it into the router.

use std::sync::Arc;
use std::time::Duration;

use axum::extract::{Query, State};
use axum::http::header::LOCATION;
use axum::http::{HeaderMap, StatusCode};
use axum::response::{IntoResponse, Response};
use axum::routing::get;
use axum::Router;
use axum_extra::extract::CookieJar;
use serde::Deserialize;

use super::seed::Demo;
use muxd_core::identity::Identity;
use muxd_web::auth::{over_https, session_cookie};
use muxd_web::ApiError;

/// A dev session lasts a working day.
const DEV_SESSION: Duration = Duration::from_secs(12 * 3600);

#[derive(Clone)]
struct DevState {
    demo: Demo,
    identity: Arc<Identity>,
}

#[derive(Debug, Deserialize)]
struct DevLogin {
    #[serde(rename = "as")]
    who: Option<String>,
}

/// The dev-only routes.
pub fn routes(demo: Demo, identity: Arc<Identity>) -> Router {
    Router::new()
        .route("/dev/login", get(login))
        .with_state(DevState { demo, identity })
}

async fn login(
    State(dev): State<DevState>,
    Query(query): Query<DevLogin>,
    headers: HeaderMap,
) -> Result<Response, ApiError> {
    let admin = query.who.as_deref() == Some("admin");
    let external_id = if admin {
        &dev.demo.admin_external_id
    } else {
        &dev.demo.user_external_id
    };
    let token = dev
        .identity
        .sign(external_id, admin, DEV_SESSION.as_secs())
        .ok_or(ApiError::NotFound)?;
    let cookie = session_cookie(token, over_https(&headers), Some(DEV_SESSION));
    let target = format!("/campaigns/{}/content", dev.demo.campaign_id);
    Ok((
        StatusCode::SEE_OTHER,
        CookieJar::new().add(cookie),
        [(LOCATION, target)],
    )
        .into_response())
}
