//! Who may call: extractors that put each handler's precondition in its signature.
//! [`CurrentUser`] needs a valid token. When a request carries several, one is used, in this
//! order: the bearer token (`Authorization: Bearer`); then the host app's session cookie
//! (`MUXD_SESSION_COOKIE`, e.g. Clerk's `__session`: the freshest statement of who is signed in);
//! then muxd's own session cookie (set by the token exchange, `POST /api/session`, or `muxd dev`'s
//! sign-in). Over https (`X-Forwarded-Proto: https`, or an https `Origin`) muxd's own cookie is
//! `__Host-muxd_session` (`Secure`, `Path=/`, no `Domain`: no other host can set or shadow it)
//! and only that name is read; over plain http it is `muxd_session`. A write signed in by a
//! cookie must come from muxd's own origin or one in `MUXD_CORS_ORIGINS` (its `Origin`, else its
//! `Referer`): a page of another site can make the browser send the cookie, but not fake that.
//! [`AdminUser`] also needs the admin role. The external id is mapped to muxd's internal user on
//! first sight.

use std::sync::Arc;
use std::time::{Duration, SystemTime};

use axum::extract::{FromRef, FromRequestParts};
use axum::http::header::{HOST, ORIGIN, REFERER};
use axum::http::request::Parts;
use axum::http::HeaderMap;
use axum_extra::extract::cookie::{Cookie, SameSite};
use axum_extra::extract::CookieJar;
use axum_extra::headers::authorization::Bearer;
use axum_extra::headers::{Authorization, HeaderMapExt};
use url::Url;

use super::ApiError;
use muxd_core::config::BrowserSettings;
use muxd_core::identity::Identity;
use muxd_store::{Role, Store, User};

/// The cookie muxd keeps a browser's token in over plain http (set by the token exchange and
/// `muxd dev`).
pub const SESSION_COOKIE: &str = "muxd_session";
/// The same over https: the `__Host-` prefix makes the browser refuse it unless it is `Secure`,
/// `Path=/` and without `Domain`, so a neighbouring host cannot plant one.
pub const SECURE_SESSION_COOKIE: &str = "__Host-muxd_session";

/// Checks tokens and maps their subject to a muxd user.
#[derive(Clone, Debug)]
pub struct Authenticator {
    pub identity: Arc<Identity>,
    pub store: Store,
    pub browser: Arc<BrowserSettings>,
}

/// Where a request's token came from.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum Source {
    Bearer,
    Cookie,
}

/// A signed-in user, and when the credential that signed them in expires.
#[derive(Debug, Clone)]
pub struct CurrentUser(pub User, pub SystemTime);

/// A signed-in admin.
#[derive(Debug, Clone)]
pub struct AdminUser(pub User);

impl Authenticator {
    /// The user a token names, created on first sight with the role the token carries, and
    /// when the token expires.
    pub async fn user(&self, token: &str) -> Result<(User, SystemTime), ApiError> {
        let principal = self.identity.verify(token).await.map_err(|error| {
            tracing::debug!(%error, "bearer token refused");
            ApiError::Unauthorized
        })?;
        let role = if principal.admin {
            Role::Admin
        } else {
            Role::User
        };
        let user = match self
            .store
            .user_by_external_id(&principal.external_id)
            .await?
        {
            Some(user) if user.role == role => user,
            _ => self.store.upsert_user(&principal.external_id, role).await?,
        };
        Ok((user, principal.expires_at))
    }
}

/// True when the browser reached muxd over https: a proxy says so in `X-Forwarded-Proto`, or the
/// calling page's origin is https.
pub fn over_https(headers: &HeaderMap) -> bool {
    let header = |name: &str| headers.get(name).and_then(|v| v.to_str().ok());
    header("x-forwarded-proto") == Some("https")
        || header(ORIGIN.as_str()).is_some_and(|o| o.starts_with("https://"))
}

/// muxd's session cookie holding `token`: HttpOnly, `SameSite=Lax`, `Path=/`; over https
/// [`SECURE_SESSION_COOKIE`] and `Secure`, else [`SESSION_COOKIE`]. `max_age`: a persistent
/// cookie; `None`, one that ends with the browser session.
pub fn session_cookie(token: String, https: bool, max_age: Option<Duration>) -> Cookie<'static> {
    let name = if https {
        SECURE_SESSION_COOKIE
    } else {
        SESSION_COOKIE
    };
    let mut cookie = Cookie::build((name, token))
        .path("/")
        .http_only(true)
        .same_site(SameSite::Lax)
        .secure(https)
        .build();
    if let Some(max_age) = max_age {
        let secs = i64::try_from(max_age.as_secs()).unwrap_or(i64::MAX);
        cookie.set_max_age(time::Duration::seconds(secs));
    }
    cookie
}

/// The token of a request, in the order the module docs give: its bearer token, else the host
/// app's session cookie (`host_cookie`), else muxd's own (only [`SECURE_SESSION_COOKIE`] over
/// https; either name otherwise, the prefixed one first).
fn token(parts: &Parts, host_cookie: Option<&str>) -> Option<(String, Source)> {
    if let Some(Authorization(bearer)) = parts.headers.typed_get::<Authorization<Bearer>>() {
        return Some((bearer.token().trim().to_owned(), Source::Bearer));
    }
    let jar = CookieJar::from_headers(&parts.headers);
    let own: &[&str] = if over_https(&parts.headers) {
        &[SECURE_SESSION_COOKIE]
    } else {
        &[SECURE_SESSION_COOKIE, SESSION_COOKIE]
    };
    host_cookie
        .into_iter()
        .chain(own.iter().copied())
        .find_map(|name| jar.get(name))
        .map(|cookie| (cookie.value().to_owned(), Source::Cookie))
}

/// Whether a request may write with cookie credentials: its `Origin` (else its `Referer`'s
/// origin) is muxd's own (the `Host` it was sent to) or one of `allowed`. Reads need no check.
fn same_site(parts: &Parts, allowed: &[String]) -> bool {
    if parts.method.is_safe() {
        return true;
    }
    let header = |name| parts.headers.get(name).and_then(|v| v.to_str().ok());
    let origin = header(ORIGIN)
        .filter(|o| *o != "null")
        .map(str::to_owned)
        .or_else(|| header(REFERER).and_then(origin_of));
    let Some(origin) = origin else {
        return false;
    };
    let own = header(HOST).is_some_and(|host| {
        origin
            .strip_prefix("https://")
            .or_else(|| origin.strip_prefix("http://"))
            == Some(host)
    });
    own || allowed.contains(&origin)
}

/// The origin (`scheme://host[:port]`) of a URL.
fn origin_of(url: &str) -> Option<String> {
    let origin = Url::parse(url).ok()?.origin();
    origin.is_tuple().then(|| origin.ascii_serialization())
}

impl<S> FromRequestParts<S> for CurrentUser
where
    Authenticator: FromRef<S>,
    S: Send + Sync,
{
    type Rejection = ApiError;

    async fn from_request_parts(parts: &mut Parts, state: &S) -> Result<Self, ApiError> {
        let auth = Authenticator::from_ref(state);
        let host_cookie = auth.browser.session_cookie.as_deref();
        let (token, source) = token(parts, host_cookie).ok_or(ApiError::Unauthorized)?;
        if source == Source::Cookie && !same_site(parts, &auth.browser.cors_origins) {
            return Err(ApiError::CrossSite);
        }
        let (user, expires_at) = auth.user(&token).await?;
        Ok(CurrentUser(user, expires_at))
    }
}

impl<S> FromRequestParts<S> for AdminUser
where
    Authenticator: FromRef<S>,
    S: Send + Sync,
{
    type Rejection = ApiError;

    async fn from_request_parts(parts: &mut Parts, state: &S) -> Result<Self, ApiError> {
        let CurrentUser(user, _) = CurrentUser::from_request_parts(parts, state).await?;
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

    fn request(method: &str, headers: &[(&str, &str)]) -> Parts {
        let mut builder = Request::builder().method(method);
        for (name, value) in headers {
            builder = builder.header(*name, *value);
        }
        builder.body(()).unwrap().into_parts().0
    }

    #[test]
    fn a_cookie_write_without_origin_is_judged_by_its_referers_origin() {
        let allowed = ["https://app.example.test".to_owned()];
        let write = |referer: &str| {
            same_site(
                &request("POST", &[("host", "muxd.test"), ("referer", referer)]),
                &allowed,
            )
        };
        assert!(write("https://app.example.test/upload?step=2#file"));
        // The default port and the host's case are not part of an origin.
        assert!(write("https://APP.example.test:443/page"));
        assert!(write("http://muxd.test/campaigns/1/content"));
        assert!(!write("https://app.example.test.evil.test/page"));
        assert!(!write("https://evil.test/?https://app.example.test"));
        assert!(!write("not a url"));
        assert!(!same_site(
            &request("POST", &[("host", "muxd.test")]),
            &allowed
        ));
    }

    #[test]
    fn a_bearer_token_comes_first_then_the_host_apps_cookie_then_muxds() {
        let both = request("GET", &[("cookie", "__session=app; muxd_session=mine")]);
        assert_eq!(
            token(&both, Some("__session")),
            Some(("app".into(), Source::Cookie))
        );
        let mine = request("GET", &[("cookie", "muxd_session=mine")]);
        assert_eq!(
            token(&mine, Some("__session")),
            Some(("mine".into(), Source::Cookie))
        );
        let app = request("GET", &[("cookie", "__session=app")]);
        assert_eq!(
            token(&app, None),
            None,
            "the host cookie only when configured"
        );
        let bearer = request(
            "GET",
            &[
                ("authorization", "Bearer abc"),
                ("cookie", "__session=app; muxd_session=x"),
            ],
        );
        assert_eq!(
            token(&bearer, Some("__session")),
            Some(("abc".into(), Source::Bearer))
        );
    }

    #[test]
    fn over_https_only_the_host_prefixed_cookie_is_muxds() {
        let cookies = ("cookie", "muxd_session=planted; __Host-muxd_session=mine");
        let https = ("x-forwarded-proto", "https");
        let secure = request("GET", &[cookies, https]);
        assert_eq!(token(&secure, None), Some(("mine".into(), Source::Cookie)));
        let planted = request("GET", &[("cookie", "muxd_session=planted"), https]);
        assert_eq!(token(&planted, None), None);
        let page = request(
            "POST",
            &[
                ("cookie", "muxd_session=planted"),
                ("origin", "https://app.example"),
            ],
        );
        assert_eq!(
            token(&page, None),
            None,
            "an https page's request is over https"
        );
        let plain = request("GET", &[("cookie", "muxd_session=plain")]);
        assert_eq!(token(&plain, None), Some(("plain".into(), Source::Cookie)));
    }

    #[test]
    fn the_session_cookie_is_host_prefixed_and_secure_over_https() {
        let secure = session_cookie("t".into(), true, None).to_string();
        assert!(secure.starts_with("__Host-muxd_session=t;"), "{secure}");
        for attribute in ["HttpOnly", "SameSite=Lax", "Secure", "Path=/"] {
            assert!(secure.contains(attribute), "{secure}");
        }
        assert!(!secure.contains("Domain"), "{secure}");
        let plain = session_cookie("t".into(), false, Some(Duration::from_secs(60))).to_string();
        assert!(plain.starts_with("muxd_session=t;"), "{plain}");
        assert!(plain.contains("Max-Age=60"), "{plain}");
        assert!(!plain.contains("Secure"), "{plain}");
    }

    #[test]
    fn cookie_writes_need_muxds_own_origin_or_an_allowed_one() {
        let allowed = ["https://app.example.com".to_owned()];
        let host = ("host", "muxd.example.com");
        for (method, headers, ok) in [
            ("GET", vec![host], true),
            ("POST", vec![host], false),
            (
                "POST",
                vec![host, ("origin", "https://muxd.example.com")],
                true,
            ),
            (
                "DELETE",
                vec![host, ("origin", "https://app.example.com")],
                true,
            ),
            (
                "PATCH",
                vec![host, ("origin", "https://evil.example")],
                false,
            ),
            ("POST", vec![host, ("origin", "null")], false),
            (
                "POST",
                vec![host, ("referer", "https://muxd.example.com/campaigns/1")],
                true,
            ),
            (
                "POST",
                vec![host, ("referer", "https://evil.example/x")],
                false,
            ),
        ] {
            assert_eq!(
                same_site(&request(method, &headers), &allowed),
                ok,
                "{method} {headers:?}"
            );
        }
    }
}
