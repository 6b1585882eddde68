//! Who may call: extractors that put each handler's precondition in its signature.
//! [`CurrentUser`] needs a valid bearer token (or, under `muxd dev`, the session cookie holding
//! one, which only `muxd dev` sets); [`AdminUser`] also needs the admin role. The external id is mapped to muxd's
//! internal user on first sight.

use std::sync::Arc;

use axum::extract::{FromRef, FromRequestParts};
use axum::http::request::Parts;
use axum_extra::extract::CookieJar;
use axum_extra::headers::authorization::Bearer;
use axum_extra::headers::{Authorization, HeaderMapExt};

use super::ApiError;
use crate::identity::Identity;
use crate::store::{Role, Store, User};

/// The cookie a browser session holds a token in (`muxd dev` signs its demo users in with it).
pub const SESSION_COOKIE: &str = "muxd_session";

/// Checks tokens and maps their subject to a muxd user.
#[derive(Clone, Debug)]
pub struct Authenticator {
    pub identity: Arc<Identity>,
    pub store: Store,
}

/// A signed-in user.
#[derive(Debug, Clone)]
pub struct CurrentUser(pub User);

/// A signed-in admin.
#[derive(Debug, Clone)]
pub struct AdminUser(pub User);

impl Authenticator {
    /// The user a token names, created on first sight with the role the token carries.
    async fn user(&self, token: &str) -> Result<User, ApiError> {
        let principal = self.identity.verify(token).map_err(|error| {
            tracing::debug!(%error, "bearer token refused");
            ApiError::Unauthorized
        })?;
        let role = if principal.admin {
            Role::Admin
        } else {
            Role::User
        };
        Ok(
            match self
                .store
                .user_by_external_id(&principal.external_id)
                .await?
            {
                Some(user) if user.role == role => user,
                _ => self.store.upsert_user(&principal.external_id, role).await?,
            },
        )
    }
}

/// The token of a request: its bearer token, else (when `sessions`) its session cookie.
fn token(parts: &Parts, sessions: bool) -> Option<String> {
    if let Some(Authorization(bearer)) = parts.headers.typed_get::<Authorization<Bearer>>() {
        return Some(bearer.token().trim().to_owned());
    }
    if !sessions {
        return None;
    }
    let jar = CookieJar::from_headers(&parts.headers);
    jar.get(SESSION_COOKIE).map(|c| c.value().to_owned())
}

impl<S> FromRequestParts<S> for CurrentUser
where
    Authenticator: FromRef<S>,
    S: Send + Sync,
{
    type Rejection = ApiError;

    async fn from_request_parts(parts: &mut Parts, state: &S) -> Result<Self, ApiError> {
        let auth = Authenticator::from_ref(state);
        let token = token(parts, auth.identity.issues_sessions()).ok_or(ApiError::Unauthorized)?;
        let user = auth.user(&token).await?;
        Ok(CurrentUser(user))
    }
}

impl<S> FromRequestParts<S> for AdminUser
where
    Authenticator: FromRef<S>,
    S: Send + Sync,
{
    type Rejection = ApiError;

    async fn from_request_parts(parts: &mut Parts, state: &S) -> Result<Self, ApiError> {
        let CurrentUser(user) = CurrentUser::from_request_parts(parts, state).await?;
        match user.role {
            Role::Admin => Ok(AdminUser(user)),
            Role::User => Err(ApiError::Forbidden),
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use axum::http::Request;

    fn parts(header: (&str, &str)) -> Parts {
        Request::builder()
            .header(header.0, header.1)
            .body(())
            .unwrap()
            .into_parts()
            .0
    }

    #[test]
    fn the_session_cookie_counts_only_where_muxd_issues_sessions() {
        let cookie = parts(("cookie", "other=1; muxd_session=tok"));
        assert_eq!(token(&cookie, true).as_deref(), Some("tok"));
        assert_eq!(
            token(&cookie, false),
            None,
            "serve takes bearer tokens only"
        );
        let bearer = parts(("authorization", "Bearer abc"));
        assert_eq!(token(&bearer, false).as_deref(), Some("abc"));
    }
}
