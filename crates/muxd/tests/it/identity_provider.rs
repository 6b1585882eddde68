//! A test identity provider: two RS256 key pairs ("a" and "b", with their JWK moduli), a JWKS
//! endpoint on a free port that serves whichever keys a test names (or fails), optionally with a
//! `Cache-Control: max-age`, and counts its fetches, and RS256 tokens (its issuer, muxd's
//! audience) signed with either key. The JWKS tests rotate keys with it; the
//! browser tests sign a host app's users in with it (muxd under `MUXD_JWT_JWKS_URL`).

use std::sync::atomic::{AtomicUsize, Ordering};
use std::sync::{Arc, Mutex};

use axum::extract::State;
use axum::http::header::CACHE_CONTROL;
use axum::http::StatusCode;
use axum::response::{IntoResponse, Response};
use axum::routing::get;
use axum::Router;
use jsonwebtoken::{encode, Algorithm, EncodingKey, Header};
use serde_json::json;

/// Key "a": the identity tests' key pair, and its JWK modulus (`tests/fixtures/jwt/test-jwks.json`).
pub const KEY_A_PEM: &str = include_str!("../fixtures/jwt/test-private.pem");
pub const KEY_A_N: &str = "s_xpzrcSmex0kF8Fzjz5b0HFG4T3IpU2wC5ZD5iFje4yivJEqXUDsqSfLPBJSxygx96vvNtozFq8dyLRGZYJxKF_nsBq-HgeosrnXAHqpv5_rxD_eYLTrKqFsgC0Ym745lYCzH0X9t97pO0SDsQxIeLeNydNtMUtKg05kWsW-J3g0F9UEm_OGrXFDGYeub6NFhoYnFK2QZEsebJzW0s0u4y9duIlCoq2M84uBks2LdWoMf9X3mEtOBxynUm8UiS-ChFYCe-faz_Dmq1y2IcqJwzXhxVMdZpc03dUxGCOyIOh5bMCF9KgQYv5Xq9LbQZOz6Xm1cRYZZ5FlfmyaXq7SQ";

/// Key "b", the one the provider rotates to, and its JWK modulus.
pub const KEY_B_PEM: &str = include_str!("fixtures/jwks-key-b.pem");
pub const KEY_B_N: &str = "rWHE-3IantqGcdIddoAYoHt2o0xumG_ALy--gnLvTKgBoKkF5G1y7Q0RuQ3Uw3FCwpbOsGU87pLtGghVdY6CxAvFYGbsioCmPVFrP1Y8OWv5Wv1vTSJVJ7YsVWgDMeGfSIynJ66Xadsj-ubHeLgWlc-VOxAcm75aLEWXOfrUWvJjmask4TxlhJc3CG1tqM8xwcvLv6JQz7pvhx9E4c3lsdwSBnNz0q2j98bdm-vxEMZcODec13bBwRKojOVbqZZuIrAmMBul5FS2jmyZUPwGJXkeZP_gLvD7WE-4mJe9LyLQVCxLfJVXl5BSz79IQHL0aDw8S7hsB280TG6v6Jv4dQ";

use muxd_testkit::app::{AUDIENCE, ISSUER};

/// The identity provider's JWKS endpoint: what it answers now, how long it says to keep it, and
/// how often it was asked.
#[derive(Clone, Default)]
pub struct Provider {
    answer: Arc<Mutex<(StatusCode, String)>>,
    fetches: Arc<AtomicUsize>,
    /// Sent as `Cache-Control: max-age=…` (none by default).
    max_age_secs: Option<u64>,
}

impl Provider {
    /// A provider whose answers say `Cache-Control: max-age=<secs>`.
    pub fn with_max_age(secs: u64) -> Provider {
        Provider {
            max_age_secs: Some(secs),
            ..Provider::default()
        }
    }

    /// Serves a JWKS of these `(kid, modulus)` RSA keys.
    pub fn serve(&self, keys: &[(&str, &str)]) {
        let keys: Vec<_> = keys
            .iter()
            .map(|(kid, n)| {
                json!({"kty": "RSA", "kid": kid, "use": "sig", "alg": "RS256", "n": n, "e": "AQAB"})
            })
            .collect();
        *self.answer.lock().unwrap() = (StatusCode::OK, json!({ "keys": keys }).to_string());
    }

    /// Answers 500 from now on.
    pub fn fail(&self) {
        self.answer_with(StatusCode::INTERNAL_SERVER_ERROR, "down");
    }

    /// Answers `status` with `body` from now on.
    pub fn answer_with(&self, status: StatusCode, body: &str) {
        *self.answer.lock().unwrap() = (status, body.to_owned());
    }

    pub fn fetches(&self) -> usize {
        self.fetches.load(Ordering::SeqCst)
    }

    /// Listens on a free port; returns the JWKS URL.
    pub async fn start(&self) -> String {
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
async fn jwks(State(provider): State<Provider>) -> Response {
    provider.fetches.fetch_add(1, Ordering::SeqCst);
    let answer = provider.answer.lock().unwrap().clone();
    match provider.max_age_secs {
        Some(secs) => {
            ([(CACHE_CONTROL, format!("public, max-age={secs}"))], answer).into_response()
        }
        None => answer.into_response(),
    }
}

/// An RS256 token for `sub` from this provider ([`ISSUER`], for [`AUDIENCE`]), signed with
/// `pem`, naming key `kid`.
pub fn token(pem: &str, kid: &str, sub: &str) -> String {
    let mut header = Header::new(Algorithm::RS256);
    header.kid = Some(kid.to_owned());
    let claims = json!({ "sub": sub, "exp": 4_000_000_000u64, "iss": ISSUER, "aud": AUDIENCE });
    encode(
        &header,
        &claims,
        &EncodingKey::from_rsa_pem(pem.as_bytes()).unwrap(),
    )
    .unwrap()
}
