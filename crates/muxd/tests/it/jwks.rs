//! Bearer tokens checked against a JWKS URL (`MUXD_JWT_JWKS_URL`), served here by a small
//! identity provider that counts its fetches: the JWKS is fetched at start-up; a key rotation at
//! the provider needs no restart (an unknown key id fetches it again, and the dropped key stops
//! verifying); however many requests miss together, one fetch; a failed refetch keeps the held
//! keys; a start-up that cannot fetch it fails naming the setting.

use std::sync::atomic::{AtomicUsize, Ordering};
use std::sync::{Arc, Mutex};
use std::time::Instant;

use axum::extract::State;
use axum::http::StatusCode;
use axum::routing::get;
use axum::Router;
use jsonwebtoken::{encode, Algorithm, EncodingKey, Header};
use muxd::config::IdentitySettings;
use muxd::identity::{Identity, JWKS_REFETCH_INTERVAL};
use serde_json::json;

/// Key "a": the identity tests' key pair, and its JWK modulus (`tests/fixtures/jwt/test-jwks.json`).
const KEY_A_PEM: &str = include_str!("../fixtures/jwt/test-private.pem");
const KEY_A_N: &str = "s_xpzrcSmex0kF8Fzjz5b0HFG4T3IpU2wC5ZD5iFje4yivJEqXUDsqSfLPBJSxygx96vvNtozFq8dyLRGZYJxKF_nsBq-HgeosrnXAHqpv5_rxD_eYLTrKqFsgC0Ym745lYCzH0X9t97pO0SDsQxIeLeNydNtMUtKg05kWsW-J3g0F9UEm_OGrXFDGYeub6NFhoYnFK2QZEsebJzW0s0u4y9duIlCoq2M84uBks2LdWoMf9X3mEtOBxynUm8UiS-ChFYCe-faz_Dmq1y2IcqJwzXhxVMdZpc03dUxGCOyIOh5bMCF9KgQYv5Xq9LbQZOz6Xm1cRYZZ5FlfmyaXq7SQ";

/// Key "b", the one the provider rotates to, and its JWK modulus.
const KEY_B_PEM: &str = include_str!("fixtures/jwks-key-b.pem");
const KEY_B_N: &str = "rWHE-3IantqGcdIddoAYoHt2o0xumG_ALy--gnLvTKgBoKkF5G1y7Q0RuQ3Uw3FCwpbOsGU87pLtGghVdY6CxAvFYGbsioCmPVFrP1Y8OWv5Wv1vTSJVJ7YsVWgDMeGfSIynJ66Xadsj-ubHeLgWlc-VOxAcm75aLEWXOfrUWvJjmask4TxlhJc3CG1tqM8xwcvLv6JQz7pvhx9E4c3lsdwSBnNz0q2j98bdm-vxEMZcODec13bBwRKojOVbqZZuIrAmMBul5FS2jmyZUPwGJXkeZP_gLvD7WE-4mJe9LyLQVCxLfJVXl5BSz79IQHL0aDw8S7hsB280TG6v6Jv4dQ";

/// The identity provider's JWKS endpoint: what it answers now, and how often it was asked.
#[derive(Clone, Default)]
struct Provider {
    answer: Arc<Mutex<(StatusCode, String)>>,
    fetches: Arc<AtomicUsize>,
}

impl Provider {
    /// Serves a JWKS of these `(kid, modulus)` RSA keys.
    fn serve(&self, keys: &[(&str, &str)]) {
        let keys: Vec<_> = keys
            .iter()
            .map(|(kid, n)| {
                json!({"kty": "RSA", "kid": kid, "use": "sig", "alg": "RS256", "n": n, "e": "AQAB"})
            })
            .collect();
        *self.answer.lock().unwrap() = (StatusCode::OK, json!({ "keys": keys }).to_string());
    }

    /// Answers 500 from now on.
    fn fail(&self) {
        *self.answer.lock().unwrap() = (StatusCode::INTERNAL_SERVER_ERROR, "down".to_owned());
    }

    fn fetches(&self) -> usize {
        self.fetches.load(Ordering::SeqCst)
    }

    /// Listens on a free port; returns the JWKS URL.
    async fn start(&self) -> String {
        let app = Router::new()
            .route("/.well-known/jwks.json", get(jwks))
            .with_state(self.clone());
        let listener = tokio::net::TcpListener::bind("127.0.0.1:0").await.unwrap();
        let url = format!(
            "http://{}/.well-known/jwks.json",
            listener.local_addr().unwrap()
        );
        tokio::spawn(async move { axum::serve(listener, app).await.unwrap() });
        url
    }
}

/// Counted before it answers, so a fetch that returned has been counted.
async fn jwks(State(provider): State<Provider>) -> (StatusCode, String) {
    provider.fetches.fetch_add(1, Ordering::SeqCst);
    provider.answer.lock().unwrap().clone()
}

fn settings(url: &str) -> IdentitySettings {
    IdentitySettings {
        jwks_url: Some(url.to_owned()),
        ..Default::default()
    }
}

/// An RS256 token for `sub`, signed with `pem`, naming key `kid`.
fn token(pem: &str, kid: &str, sub: &str) -> String {
    let mut header = Header::new(Algorithm::RS256);
    header.kid = Some(kid.to_owned());
    let claims = json!({ "sub": sub, "exp": 4_000_000_000u64 });
    encode(
        &header,
        &claims,
        &EncodingKey::from_rsa_pem(pem.as_bytes()).unwrap(),
    )
    .unwrap()
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
    *provider.answer.lock().unwrap() = (StatusCode::OK, "<html>login</html>".to_owned());
    let url = provider.start().await;
    let error = Identity::from_settings(&settings(&url)).await.unwrap_err();
    let message = format!("{error:#}");
    assert!(message.contains("MUXD_JWT_JWKS_URL"), "{message}");
    assert!(message.contains("not a JWKS document"), "{message}");
}
