//! The token exchange, for set-ups where the host app's own session cookie cannot reach muxd:
//! `POST /api/session` with the app's token as a bearer token answers with muxd's HttpOnly
//! session cookie holding it (`SameSite=Lax`; over https `__Host-muxd_session`, `Secure`, else
//! `muxd_session`: see `web::auth`), so muxd's pages and `<muxd-uploader>` work without script
//! access to the token. The token inside is checked on every request and expires when it does;
//! `DELETE /api/session` forgets it.

use axum::extract::State;
use axum::http::{HeaderMap, StatusCode};
use axum::response::{IntoResponse, Response};
use axum::Json;
use axum_extra::extract::CookieJar;
use axum_extra::headers::authorization::Bearer;
use axum_extra::headers::{Authorization, HeaderMapExt};
use serde::Serialize;
use utoipa::ToSchema;

use crate::auth::{over_https, session_cookie, Authenticator};
use crate::error::ErrorBody;
use crate::openapi::responses::DatabaseDown;
use crate::ApiError;
use muxd_domain::{ExternalUserId, UserId};
use muxd_store::Role;

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
    pub external_id: ExternalUserId,
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
            headers(("Set-Cookie" = String, description = "`__Host-muxd_session` (Secure) over https, else `muxd_session`; HttpOnly, SameSite=Lax, Path=/"))),
        (status = 400, description = "No bearer token was sent", body = ErrorBody),
        (status = 401, description = "The token is not valid", body = ErrorBody),
        DatabaseDown,
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
    let (user, _) = auth.user(token).await?;
    let cookie = session_cookie(token.to_owned(), over_https(&headers), None);
    let body = Session {
        user: SessionUser {
            id: user.id,
            external_id: user.external_id,
            role: user.role,
        },
    };
    Ok((CookieJar::new().add(cookie), Json(body)).into_response())
}

/// Forgets muxd's session cookie (signing out of the app is the app's to do).
#[utoipa::path(
    delete,
    path = "/api/session",
    operation_id = "deleteSession",
    tag = "session",
    responses(
        (status = 204, description = "Signed out of muxd",
            headers(("Set-Cookie" = String, description = "muxd's session cookie, expired (over https both names)"))),
    )
)]
pub async fn delete(headers: HeaderMap) -> Response {
    let https = over_https(&headers);
    // Over https the plain-named cookie may be left from before muxd used the prefixed one.
    let names = if https {
        vec![true, false]
    } else {
        vec![false]
    };
    let jar = names.into_iter().fold(CookieJar::new(), |jar, secure| {
        let mut cookie = session_cookie(String::new(), secure, None);
        cookie.make_removal();
        jar.add(cookie)
    });
    (StatusCode::NO_CONTENT, jar).into_response()
}
