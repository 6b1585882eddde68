//! Browsers under `serve`: CORS for the configured origin only (the pages' public static files
//! for any origin); the host app's session cookie accepted like a bearer token;
//! cookie-authenticated writes refused unless they come from muxd's own origin or an allowed one
//! (nothing is created by a refused one); the token exchange that sets muxd's own HttpOnly
//! session cookie, and signing out of it.

use reqwest::header::{
    ACCESS_CONTROL_ALLOW_CREDENTIALS, ACCESS_CONTROL_ALLOW_METHODS, ACCESS_CONTROL_ALLOW_ORIGIN,
    COOKIE, ORIGIN, SET_COOKIE,
};
use reqwest::{Method, StatusCode};
use serde_json::{json, Value};

use muxd_testkit::app::{TestApp, APP_ORIGIN, HOST_SESSION_COOKIE};
use muxd_testkit::app_test;

const USER: &str = "user_browser";

/// Creates an upload with `cookie` and `origin` headers (either may be absent).
async fn create_by_cookie(
    app: &TestApp,
    cookie: &str,
    origin: Option<&str>,
) -> (StatusCode, Value) {
    let mut request = app
        .http
        .post(format!("{}/api/mux/create-video-upload", app.base))
        .header(COOKIE, cookie)
        .json(&json!({"name": "cookie.mp4", "fileType": "video/mp4", "fileSize": 1024}));
    if let Some(origin) = origin {
        request = request.header(ORIGIN, origin);
    }
    let response = request.send().await.unwrap();
    (
        response.status(),
        response.json().await.unwrap_or(Value::Null),
    )
}

/// How many assets `USER` sees.
async fn assets(app: &TestApp) -> usize {
    let (status, body) = app
        .call(
            Method::GET,
            "/api/creative-assets",
            Some((USER, false)),
            None,
        )
        .await;
    assert_eq!(status, StatusCode::OK, "{body}");
    body["data"].as_array().map_or(0, Vec::len)
}

app_test!(
    cors_answers_the_configured_origin_only,
    |app: TestApp| async move {
        let preflight = |origin: &'static str| {
            app.http
                .request(
                    Method::OPTIONS,
                    format!("{}/api/creative-assets/x", app.base),
                )
                .header(ORIGIN, origin)
                .header("access-control-request-method", "PATCH")
                .header(
                    "access-control-request-headers",
                    "authorization,content-type",
                )
                .send()
        };
        let allowed = preflight(APP_ORIGIN).await.unwrap();
        assert!(allowed.status().is_success(), "{}", allowed.status());
        let headers = allowed.headers();
        assert_eq!(headers[ACCESS_CONTROL_ALLOW_ORIGIN], APP_ORIGIN);
        assert_eq!(headers[ACCESS_CONTROL_ALLOW_CREDENTIALS], "true");
        let methods = headers[ACCESS_CONTROL_ALLOW_METHODS].to_str().unwrap();
        assert!(methods.contains("PATCH"), "{methods}");

        let refused = preflight("https://evil.example").await.unwrap();
        assert!(refused.headers().get(ACCESS_CONTROL_ALLOW_ORIGIN).is_none());

        // The pages' public files load from any origin (no credentials), so an uploader on a
        // page muxd refuses still loads and says so; an allowed origin is named.
        let module = |origin: &'static str| {
            app.http
                .get(format!("{}/static/muxd-uploader.js", app.base))
                .header(ORIGIN, origin)
                .send()
        };
        let anywhere = module("https://evil.example").await.unwrap();
        assert_eq!(anywhere.headers()[ACCESS_CONTROL_ALLOW_ORIGIN], "*");
        let named = module(APP_ORIGIN).await.unwrap();
        assert_eq!(named.headers()[ACCESS_CONTROL_ALLOW_ORIGIN], APP_ORIGIN);

        let read = app
            .http
            .get(format!("{}/api/creative-assets", app.base))
            .bearer_auth(app.token(USER, false))
            .header(ORIGIN, APP_ORIGIN)
            .send()
            .await
            .unwrap();
        assert_eq!(read.status(), StatusCode::OK);
        assert_eq!(read.headers()[ACCESS_CONTROL_ALLOW_ORIGIN], APP_ORIGIN);
    }
);

app_test!(
    the_host_apps_cookie_signs_in_and_its_writes_need_an_allowed_origin,
    |app: TestApp| async move {
        let cookie = format!("{HOST_SESSION_COOKIE}={}", app.token(USER, false));
        let read = app
            .http
            .get(format!("{}/api/creative-assets", app.base))
            .header(COOKIE, &cookie)
            .send()
            .await
            .unwrap();
        assert_eq!(read.status(), StatusCode::OK);

        for origin in [None, Some("https://evil.example"), Some("null")] {
            let (status, body) = create_by_cookie(&app, &cookie, origin).await;
            assert_eq!(status, StatusCode::FORBIDDEN, "{origin:?}: {body}");
            assert_eq!(body["error"]["type"], "cross_site_request", "{body}");
        }
        assert_eq!(assets(&app).await, 0, "a refused write created nothing");

        let own = app.base.clone();
        for origin in [APP_ORIGIN, own.as_str()] {
            let (status, body) = create_by_cookie(&app, &cookie, Some(origin)).await;
            assert_eq!(status, StatusCode::CREATED, "{origin}: {body}");
        }
        assert_eq!(assets(&app).await, 2);

        // A bearer token is not sent by browsers on their own: no origin needed.
        app.create_upload(USER, "bearer.mp4").await;
        assert_eq!(assets(&app).await, 3);
    }
);

app_test!(
    the_token_exchange_sets_muxds_session_cookie,
    |app: TestApp| async move {
        let url = format!("{}/api/session", app.base);
        let exchanged = app
            .http
            .post(&url)
            .bearer_auth(app.token(USER, false))
            .send()
            .await
            .unwrap();
        assert_eq!(exchanged.status(), StatusCode::OK);
        let set = exchanged.headers()[SET_COOKIE].to_str().unwrap().to_owned();
        for attribute in ["muxd_session=", "HttpOnly", "SameSite=Lax", "Path=/"] {
            assert!(set.contains(attribute), "{set}");
        }
        assert!(!set.contains("Secure"), "plain http: {set}");
        let body: Value = exchanged.json().await.unwrap();
        assert_eq!(body["user"]["externalId"], USER);

        let session = set.split(';').next().unwrap().to_owned();
        let read = app
            .http
            .get(format!("{}/api/creative-assets", app.base))
            .header(COOKIE, &session)
            .send()
            .await
            .unwrap();
        assert_eq!(read.status(), StatusCode::OK);

        let behind_tls = app
            .http
            .post(&url)
            .bearer_auth(app.token(USER, false))
            .header("x-forwarded-proto", "https")
            .send()
            .await
            .unwrap();
        assert!(behind_tls.headers()[SET_COOKIE]
            .to_str()
            .unwrap()
            .contains("; Secure"));

        let missing = app.http.post(&url).send().await.unwrap();
        assert_eq!(missing.status(), StatusCode::BAD_REQUEST);
        let bad = app
            .http
            .post(&url)
            .bearer_auth("not-a-token")
            .send()
            .await
            .unwrap();
        assert_eq!(bad.status(), StatusCode::UNAUTHORIZED);
        assert!(bad.headers().get(SET_COOKIE).is_none());

        let out = app.http.delete(&url).send().await.unwrap();
        assert_eq!(out.status(), StatusCode::NO_CONTENT);
        assert!(out.headers()[SET_COOKIE]
            .to_str()
            .unwrap()
            .contains("Max-Age=0"));
    }
);

app_test!(
    over_https_muxds_cookie_is_a_host_prefixed_cookie_and_the_only_one_read,
    |app: TestApp| async move {
        let url = format!("{}/api/session", app.base);
        let exchanged = app
            .http
            .post(&url)
            .bearer_auth(app.token(USER, false))
            .header(ORIGIN, APP_ORIGIN)
            .send()
            .await
            .unwrap();
        assert_eq!(exchanged.status(), StatusCode::OK);
        let set = exchanged.headers()[SET_COOKIE].to_str().unwrap().to_owned();
        assert!(set.starts_with("__Host-muxd_session="), "{set}");
        for attribute in ["Secure", "Path=/", "HttpOnly", "SameSite=Lax"] {
            assert!(set.contains(attribute), "{set}");
        }
        assert!(!set.contains("Domain"), "{set}");
        let session = set.split(';').next().unwrap().to_owned();
        let token = session.split_once('=').unwrap().1.to_owned();

        let read = |cookie: String| {
            app.http
                .get(format!("{}/api/creative-assets", app.base))
                .header(COOKIE, cookie)
                .header("x-forwarded-proto", "https")
                .send()
        };
        assert_eq!(
            read(session.clone()).await.unwrap().status(),
            StatusCode::OK
        );
        // A cookie without the prefix may have been set by a neighbouring host: not read.
        let unprefixed = read(format!("muxd_session={token}")).await.unwrap();
        assert_eq!(unprefixed.status(), StatusCode::UNAUTHORIZED);

        let out = app
            .http
            .delete(&url)
            .header("x-forwarded-proto", "https")
            .send()
            .await
            .unwrap();
        let cleared: Vec<_> = out
            .headers()
            .get_all(SET_COOKIE)
            .iter()
            .map(|v| v.to_str().unwrap().to_owned())
            .collect();
        assert!(
            cleared
                .iter()
                .any(|c| c.starts_with("__Host-muxd_session=;") && c.contains("Max-Age=0")),
            "{cleared:?}"
        );
    }
);

app_test!(
    the_host_apps_cookie_wins_over_muxds_own,
    |app: TestApp| async move {
        // The host app's cookie says an admin is signed in now; muxd's older one a user.
        let cookie = format!(
            "muxd_session={}; {HOST_SESSION_COOKIE}={}",
            app.token(USER, false),
            app.token("user_admin_now", true)
        );
        let admin_only = app
            .http
            .get(format!("{}/api/debug/mux-assets", app.base))
            .header(COOKIE, cookie)
            .send()
            .await
            .unwrap();
        assert_eq!(admin_only.status(), StatusCode::OK);
    }
);
