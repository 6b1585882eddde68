//! The token exchange, for set-ups where the host app's own session cookie cannot reach muxd:
//! `POST /api/session` with the app's token as a bearer token answers with muxd's HttpOnly
//! session cookie holding it (`SameSite=Lax`; `Secure` when the request came over https), so
//! muxd's pages and `<muxd-uploader>` work without script access to the token. The token inside
//! is checked on every request and expires when it does; `DELETE /api/session` forgets it.

use axum::extract::State;
use axum::http::header::{ORIGIN, SET_COOKIE};
use axum::http::{HeaderMap, StatusCode};
use axum::response::{IntoResponse, Response};
use axum::Json;
use axum_extra::headers::authorization::Bearer;
use axum_extra::headers::{Authorization, HeaderMapExt};
use serde::Serialize;
use utoipa::ToSchema;

use crate::domain::UserId;
use crate::store::Role;
use crate::web::auth::{Authenticator, SESSION_COOKIE};
use crate::web::error::ErrorBody;
use crate::web::ApiError;

/// Who the exchanged token names.
#[derive(Debug, Serialize, ToSchema)]
pub struct Session {
    pub user: SessionUser,
}

/// A user as muxd knows them.
#[derive(Debug, Serialize, ToSchema)]
#[serde(rename_all = "camelCase")]
pub struct SessionUser {
    /// muxd's id.
    pub id: UserId,
    /// The identity provider's id (the token's subject).
    pub external_id: String,
    pub role: Role,
}

/// Exchanges the bearer token for muxd's session cookie; answers who it names.
#[utoipa::path(
    post,
    path = "/api/session",
    operation_id = "createSession",
    tag = "session",
    security(("bearer" = [])),
    responses(
        (status = 200, description = "Signed in; the cookie holds the token", body = Session,
            headers(("Set-Cookie" = String, description = "`muxd_session`, HttpOnly, SameSite=Lax"))),
        (status = 400, description = "No bearer token was sent", body = ErrorBody),
        (status = 401, description = "The token is not valid", body = ErrorBody),
        (status = 503, description = "The database is unavailable", body = ErrorBody),
    )
)]
pub async fn create(
    State(auth): State<Authenticator>,
    headers: HeaderMap,
) -> Result<Response, ApiError> {
    let Some(Authorization(bearer)) = headers.typed_get::<Authorization<Bearer>>() else {
        return Err(ApiError::BadRequest(
            "send the app's session token as `Authorization: Bearer <token>`".into(),
        ));
    };
    let token = bearer.token().trim();
    let user = auth.user(token).await?;
    let secure = if over_https(&headers) { "; Secure" } else { "" };
    let cookie = format!("{SESSION_COOKIE}={token}; Path=/; HttpOnly; SameSite=Lax{secure}");
    let body = Session {
        user: SessionUser {
            id: user.id,
            external_id: user.external_id,
            role: user.role,
        },
    };
    Ok(([(SET_COOKIE, cookie)], Json(body)).into_response())
}

/// Forgets muxd's session cookie (signing out of the app is the app's to do).
#[utoipa::path(
    delete,
    path = "/api/session",
    operation_id = "deleteSession",
    tag = "session",
    responses(
        (status = 204, description = "Signed out of muxd",
            headers(("Set-Cookie" = String, description = "`muxd_session`, expired"))),
    )
)]
pub async fn delete(headers: HeaderMap) -> Response {
    let secure = if over_https(&headers) { "; Secure" } else { "" };
    let cookie = format!("{SESSION_COOKIE}=; Path=/; HttpOnly; SameSite=Lax; Max-Age=0{secure}");
    (StatusCode::NO_CONTENT, [(SET_COOKIE, cookie)]).into_response()
}

/// True when the browser reached muxd over https: a proxy says so in `X-Forwarded-Proto`, or the
/// calling page's origin is https.
fn over_https(headers: &HeaderMap) -> bool {
    let header = |name: &str| headers.get(name).and_then(|v| v.to_str().ok());
    header("x-forwarded-proto") == Some("https")
        || header(ORIGIN.as_str()).is_some_and(|o| o.starts_with("https://"))
}
