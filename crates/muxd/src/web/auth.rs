//! Who may call: extractors that put each handler's precondition in its signature.
//! [`CurrentUser`] needs a valid bearer token (or, under `muxd dev`, the session cookie holding
//! one); [`AdminUser`] also needs the admin role. The external id is mapped to muxd's internal
//! user on first sight.

use axum::extract::FromRequestParts;
use axum::http::header::{AUTHORIZATION, COOKIE};
use axum::http::request::Parts;

use super::ApiError;
use crate::app::AppState;
use crate::store::{Role, User};

/// The cookie `muxd dev` signs its demo users in with (it holds a dev-signed JWT).
pub const SESSION_COOKIE: &str = "muxd_session";

/// A signed-in user.
#[derive(Debug, Clone)]
pub struct CurrentUser(pub User);

/// A signed-in admin.
#[derive(Debug, Clone)]
pub struct AdminUser(pub User);

impl FromRequestParts<AppState> for CurrentUser {
    type Rejection = ApiError;

    async fn from_request_parts(parts: &mut Parts, app: &AppState) -> Result<Self, ApiError> {
        let token = bearer(parts)
            .or_else(|| session_cookie(parts))
            .ok_or(ApiError::Unauthorized)?;
        let principal = app.identity.verify(token).map_err(|error| {
            tracing::debug!(%error, "bearer token refused");
            ApiError::Unauthorized
        })?;
        let role = if principal.admin {
            Role::Admin
        } else {
            Role::User
        };
        let user = match app
            .store
            .user_by_external_id(&principal.external_id)
            .await?
        {
            Some(user) if user.role == role => user,
            _ => app.store.upsert_user(&principal.external_id, role).await?,
        };
        Ok(CurrentUser(user))
    }
}

impl FromRequestParts<AppState> for AdminUser {
    type Rejection = ApiError;

    async fn from_request_parts(parts: &mut Parts, app: &AppState) -> Result<Self, ApiError> {
        let CurrentUser(user) = CurrentUser::from_request_parts(parts, app).await?;
        match user.role {
            Role::Admin => Ok(AdminUser(user)),
            Role::User => Err(ApiError::Forbidden),
        }
    }
}

fn bearer(parts: &Parts) -> Option<&str> {
    parts
        .headers
        .get(AUTHORIZATION)?
        .to_str()
        .ok()?
        .strip_prefix("Bearer ")
        .map(str::trim)
}

fn session_cookie(parts: &Parts) -> Option<&str> {
    parts
        .headers
        .get_all(COOKIE)
        .iter()
        .filter_map(|value| value.to_str().ok())
        .flat_map(|header| header.split(';'))
        .find_map(|pair| pair.trim().strip_prefix(SESSION_COOKIE)?.strip_prefix('='))
}
