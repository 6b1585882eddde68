//! Bearer tokens checked against a JWKS URL (`MUXD_JWT_JWKS_URL`), served here by the test
//! identity provider (`identity_provider.rs`), which counts its fetches: the JWKS is fetched at
//! start-up; a key rotation at the provider needs no restart (an unknown key id fetches it again,
//! and the dropped key stops verifying); however many requests miss together, one fetch; a failed
//! refetch keeps the held keys; a key the provider revokes stops verifying once the held set is
//! older than the `max-age` the provider gave; a start-up that cannot fetch it fails naming the
//! setting.

use std::sync::Arc;
use std::time::Instant;

use axum::http::StatusCode;
use muxd_core::config::{Accepted, IdentitySettings};
use muxd_core::identity::{Identity, JWKS_REFETCH_INTERVAL};

use crate::identity_provider::{token, Provider, KEY_A_N, KEY_A_PEM, KEY_B_N, KEY_B_PEM};
use muxd_testkit::app::{TestApp, AUDIENCE, ISSUER};
use muxd_testkit::databases::eventually;

fn settings(url: &str) -> IdentitySettings {
    IdentitySettings {
        jwks_url: Some(url.to_owned()),
        issuer: Some(Accepted::Only(ISSUER.into())),
        audience: Some(Accepted::Only(AUDIENCE.into())),
        ..Default::default()
    }
}

#[tokio::test]
async fn a_key_rotation_needs_no_restart_and_the_dropped_key_stops_verifying() {
    let provider = Provider::default();
    provider.serve(&[("a", KEY_A_N)]);
    let url = provider.start().await;
    let identity = Identity::from_settings(&settings(&url)).await.unwrap();
    assert_eq!(provider.fetches(), 1, "fetched once at start-up");

    let principal = identity
        .verify(&token(KEY_A_PEM, "a", "user_a"))
        .await
        .unwrap();
    assert_eq!(principal.external_id, "user_a");
    assert!(!principal.admin);
    assert_eq!(provider.fetches(), 1, "a held key needs no fetch");

    // The provider rotates to key "b" only; muxd keeps running.
    provider.serve(&[("b", KEY_B_N)]);
    let principal = identity
        .verify(&token(KEY_B_PEM, "b", "user_b"))
        .await
        .unwrap();
    let refetched = Instant::now();
    assert_eq!(principal.external_id, "user_b");
    assert_eq!(
        provider.fetches(),
        2,
        "the unknown key id fetched the JWKS again"
    );

    // The fetched set replaced the held one: key "a" is gone.
    assert!(
        identity
            .verify(&token(KEY_A_PEM, "a", "user_a"))
            .await
            .is_err(),
        "a key the provider dropped still verifies"
    );
    assert!(
        identity
            .verify(&token(KEY_A_PEM, "b", "user_a"))
            .await
            .is_err(),
        "a token signed with key a but naming b verifies"
    );
    if refetched.elapsed() < JWKS_REFETCH_INTERVAL {
        assert_eq!(
            provider.fetches(),
            2,
            "a second unknown key id within {JWKS_REFETCH_INTERVAL:?} fetched again"
        );
    }
    assert_eq!(
        identity
            .verify(&token(KEY_B_PEM, "b", "user_b"))
            .await
            .unwrap()
            .external_id,
        "user_b"
    );
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn fifty_tokens_with_an_unknown_key_id_fetch_the_jwks_once() {
    let provider = Provider::default();
    provider.serve(&[("a", KEY_A_N)]);
    let url = provider.start().await;
    let identity = Arc::new(Identity::from_settings(&settings(&url)).await.unwrap());
    let before = provider.fetches();

    let unknown = token(KEY_A_PEM, "zzz", "user_z");
    let checks: Vec<_> = (0..50)
        .map(|_| {
            let (identity, unknown) = (identity.clone(), unknown.clone());
            tokio::spawn(async move { identity.verify(&unknown).await.is_err() })
        })
        .collect();
    for check in checks {
        assert!(
            check.await.unwrap(),
            "a token naming an unknown key id verified"
        );
    }
    assert_eq!(
        provider.fetches() - before,
        1,
        "50 misses together make one fetch (the first refetch after start-up is at once)"
    );

    // A held key id still verifies, with no fetch.
    assert_eq!(
        identity
            .verify(&token(KEY_A_PEM, "a", "user_a"))
            .await
            .unwrap()
            .external_id,
        "user_a"
    );
    assert_eq!(provider.fetches() - before, 1);
}

#[tokio::test]
async fn a_failed_refetch_keeps_the_held_keys_and_refuses_the_token() {
    let provider = Provider::default();
    provider.serve(&[("a", KEY_A_N)]);
    let url = provider.start().await;
    let identity = Identity::from_settings(&settings(&url)).await.unwrap();

    provider.fail();
    assert!(identity
        .verify(&token(KEY_B_PEM, "b", "user_b"))
        .await
        .is_err());
    assert_eq!(provider.fetches(), 2, "the unknown key id tried a refetch");
    assert_eq!(
        identity
            .verify(&token(KEY_A_PEM, "a", "user_a"))
            .await
            .unwrap()
            .external_id,
        "user_a",
        "the held keys were dropped by a failed refetch"
    );
}

#[tokio::test]
async fn a_jwks_url_that_fails_at_start_up_stops_start_up_naming_the_setting() {
    let provider = Provider::default();
    provider.fail();
    let url = provider.start().await;
    let error = Identity::from_settings(&settings(&url)).await.unwrap_err();
    let message = format!("{error:#}");
    assert!(message.contains("MUXD_JWT_JWKS_URL"), "{message}");
    assert!(message.contains(&url), "{message}");
    assert!(message.contains("500"), "{message}");
    assert_eq!(provider.fetches(), 1);

    // A document that is not a JWKS fails start-up too.
    let provider = Provider::default();
    provider.answer_with(StatusCode::OK, "<html>login</html>");
    let url = provider.start().await;
    let error = Identity::from_settings(&settings(&url)).await.unwrap_err();
    let message = format!("{error:#}");
    assert!(message.contains("MUXD_JWT_JWKS_URL"), "{message}");
    assert!(message.contains("not a JWKS document"), "{message}");
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_revoked_key_stops_verifying_once_the_jwks_max_age_has_passed() {
    let provider = Provider::with_max_age(1);
    provider.serve(&[("a", KEY_A_N), ("b", KEY_B_N)]);
    let url = provider.start().await;
    let app = TestApp::spawn_with_serve_identity(&[("MUXD_JWT_JWKS_URL", &url)]).await;
    let status = async |token: &str| {
        app.http
            .get(format!("{}/api/creative-assets", app.base))
            .bearer_auth(token)
            .send()
            .await
            .unwrap()
            .status()
    };
    let (with_a, with_b) = (
        token(KEY_A_PEM, "a", "user_a"),
        token(KEY_B_PEM, "b", "user_b"),
    );
    assert_eq!(status(&with_a).await, StatusCode::OK);

    // The provider revokes key "a"; no token names a key muxd lacks, so only the age of the
    // held set can make muxd fetch it again.
    provider.serve(&[("b", KEY_B_N)]);
    eventually("the revoked key refused", async || {
        status(&with_a).await == StatusCode::UNAUTHORIZED
    })
    .await;
    assert_eq!(status(&with_b).await, StatusCode::OK);

    // The provider fails: once the set is stale again muxd tries, fails and keeps its keys.
    provider.fail();
    let before = provider.fetches();
    eventually("a failed refetch that kept the keys", async || {
        // The request first: it is what makes muxd fetch again.
        let verified = status(&with_b).await == StatusCode::OK;
        verified && provider.fetches() > before
    })
    .await;
}
