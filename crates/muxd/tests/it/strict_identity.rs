//! Bearer tokens as `muxd serve` checks them, strict by default: only the configured issuer and
//! audience (a token for another service, or naming none, is refused; `*` accepts any), `nbf`
//! and `exp` with a small leeway, an `azp` only when it is one of `MUXD_CORS_ORIGINS`, and the
//! admin role only from `MUXD_ADMIN_IDS` or the claim `MUXD_ADMIN_CLAIM` names.

use jsonwebtoken::{encode, EncodingKey, Header};
use reqwest::StatusCode;
use serde_json::{json, Value};

use muxd_testkit::app::{TestApp, APP_ORIGIN, AUDIENCE, ISSUER, SERVE_HS256_SECRET};

fn now() -> i64 {
    muxd_store::now_ms() / 1000
}

/// An HS256 token the test app's key signs for `sub`: its issuer, its audience, an hour to live,
/// then `changes` over them (a `null` removes the claim).
fn token(sub: &str, changes: Value) -> String {
    let mut claims = json!({"sub": sub, "iss": ISSUER, "aud": AUDIENCE, "exp": now() + 3600});
    for (name, value) in changes.as_object().unwrap() {
        match value {
            Value::Null => claims.as_object_mut().unwrap().remove(name),
            _ => claims
                .as_object_mut()
                .unwrap()
                .insert(name.clone(), value.clone()),
        };
    }
    let key = EncodingKey::from_secret(SERVE_HS256_SECRET.as_bytes());
    encode(&Header::default(), &claims, &key).unwrap()
}

/// The status of `GET path` with `token`.
async fn get(app: &TestApp, path: &str, token: &str) -> StatusCode {
    app.http
        .get(format!("{}{path}", app.base))
        .bearer_auth(token)
        .send()
        .await
        .unwrap()
        .status()
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn only_tokens_for_muxd_from_its_issuer_in_their_time_and_from_its_origins_sign_in() {
    let app = TestApp::spawn_with_serve_identity(&[]).await;
    let assets = "/api/creative-assets";
    let now = now();
    for (changes, want) in [
        (json!({}), StatusCode::OK),
        (json!({"aud": "another-service"}), StatusCode::UNAUTHORIZED),
        (
            json!({"aud": ["another-service"]}),
            StatusCode::UNAUTHORIZED,
        ),
        (json!({"aud": null}), StatusCode::UNAUTHORIZED),
        (
            json!({"aud": ["another-service", AUDIENCE]}),
            StatusCode::OK,
        ),
        (
            json!({"iss": "https://another-issuer.example"}),
            StatusCode::UNAUTHORIZED,
        ),
        (json!({"iss": null}), StatusCode::UNAUTHORIZED),
        (json!({"exp": null}), StatusCode::UNAUTHORIZED),
        (json!({"exp": now - 120}), StatusCode::UNAUTHORIZED),
        (json!({"exp": now - 5}), StatusCode::OK),
        (json!({"nbf": now + 600}), StatusCode::UNAUTHORIZED),
        (json!({"nbf": now + 5}), StatusCode::OK),
        (
            json!({"azp": "https://evil.example"}),
            StatusCode::UNAUTHORIZED,
        ),
        (json!({"azp": APP_ORIGIN}), StatusCode::OK),
    ] {
        let token = token("user_strict", changes.clone());
        assert_eq!(get(&app, assets, &token).await, want, "{changes}");
    }
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_star_accepts_any_issuer_and_audience() {
    let app =
        TestApp::spawn_with_serve_identity(&[("MUXD_JWT_ISSUER", "*"), ("MUXD_JWT_AUDIENCE", "*")])
            .await;
    for changes in [
        json!({}),
        json!({"iss": "https://anyone.example", "aud": "anything"}),
        json!({"iss": null, "aud": null}),
    ] {
        let token = token("user_star", changes.clone());
        let status = get(&app, "/api/creative-assets", &token).await;
        assert_eq!(status, StatusCode::OK, "{changes}");
    }
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_role_claim_makes_an_admin_only_when_muxd_admin_claim_trusts_it() {
    let admin_only = "/api/debug/mux-assets";
    let role_admin = token("user_claims", json!({"role": "admin"}));
    let untrusting = TestApp::spawn_with_serve_identity(&[("MUXD_ADMIN_IDS", "user_listed")]).await;
    assert_eq!(
        get(&untrusting, admin_only, &role_admin).await,
        StatusCode::FORBIDDEN,
        "a role claim made an admin without MUXD_ADMIN_CLAIM"
    );
    let listed = token("user_listed", json!({}));
    assert_eq!(get(&untrusting, admin_only, &listed).await, StatusCode::OK);

    let trusting = TestApp::spawn_with_serve_identity(&[("MUXD_ADMIN_CLAIM", "role=admin")]).await;
    for (changes, want) in [
        (json!({"role": "admin"}), StatusCode::OK),
        (json!({"role": ["editor", "admin"]}), StatusCode::OK),
        (json!({"role": "editor"}), StatusCode::FORBIDDEN),
        (json!({"role": "ADMIN"}), StatusCode::FORBIDDEN),
        (json!({}), StatusCode::FORBIDDEN),
    ] {
        let token = token("user_claims", changes.clone());
        assert_eq!(get(&trusting, admin_only, &token).await, want, "{changes}");
    }
}
