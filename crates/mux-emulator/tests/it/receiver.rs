//! A webhook receiver in the test process, and signature checking written independently of the
//! emulator (HMAC-SHA256 over "{t}.{body}", docs/mux-facts.md §6.1).

use std::collections::VecDeque;
use std::sync::{Arc, Mutex};
use std::time::{Duration, Instant};

use axum::body::Bytes;
use axum::extract::State;
use axum::http::{HeaderMap, StatusCode};
use axum::routing::post;
use axum::Router;
use hmac::{Hmac, Mac};
use serde_json::Value;
use sha2::Sha256;

use crate::harness::PATIENCE;

#[derive(Clone, Debug)]
pub struct Received {
    pub signature: String,
    pub body: Bytes,
    pub at: Instant,
}

impl Received {
    pub fn json(&self) -> Value {
        serde_json::from_slice(&self.body).unwrap()
    }
}

#[derive(Default)]
struct Inner {
    received: Vec<Received>,
    /// Statuses to answer with, in order; 200 once empty.
    script: VecDeque<u16>,
}

#[derive(Clone, Default)]
pub struct Receiver {
    inner: Arc<Mutex<Inner>>,
    pub url: String,
}

impl Receiver {
    pub async fn spawn() -> Self {
        let mut receiver = Receiver::default();
        let listener = tokio::net::TcpListener::bind("127.0.0.1:0").await.unwrap();
        receiver.url = format!("http://{}/hook", listener.local_addr().unwrap());
        let app = Router::new()
            .route("/hook", post(hook))
            .with_state(receiver.clone());
        tokio::spawn(async move { axum::serve(listener, app).await.unwrap() });
        receiver
    }

    /// Answer the next requests with these statuses.
    pub fn script(&self, statuses: &[u16]) {
        self.inner.lock().unwrap().script.extend(statuses);
    }

    pub fn received(&self) -> Vec<Received> {
        self.inner.lock().unwrap().received.clone()
    }

    pub fn types(&self) -> Vec<String> {
        self.received()
            .iter()
            .map(|r| r.json()["type"].as_str().unwrap().to_owned())
            .collect()
    }

    /// Waits until `pred` holds for what has been received.
    pub async fn wait_until(
        &self,
        what: &str,
        pred: impl Fn(&[Received]) -> bool,
    ) -> Vec<Received> {
        let deadline = Instant::now() + PATIENCE;
        loop {
            let received = self.received();
            if pred(&received) {
                return received;
            }
            assert!(
                Instant::now() < deadline,
                "waited {PATIENCE:?} for {what} in vain; got {:?}",
                self.types()
            );
            tokio::time::sleep(Duration::from_millis(25)).await;
        }
    }

    pub async fn wait_for_type(&self, event_type: &str) -> Received {
        let received = self
            .wait_until(event_type, |r| {
                r.iter().any(|x| x.json()["type"] == event_type)
            })
            .await;
        received
            .into_iter()
            .find(|x| x.json()["type"] == event_type)
            .unwrap()
    }
}

async fn hook(State(receiver): State<Receiver>, headers: HeaderMap, body: Bytes) -> StatusCode {
    let signature = headers
        .get("mux-signature")
        .map(|v| v.to_str().unwrap().to_owned())
        .unwrap_or_default();
    let mut inner = receiver.inner.lock().unwrap();
    inner.received.push(Received {
        signature,
        body,
        at: Instant::now(),
    });
    StatusCode::from_u16(inner.script.pop_front().unwrap_or(200)).unwrap()
}

/// Verifies a `mux-signature` header: any `v1` matching HMAC-SHA256(secret, "{t}.{body}").
pub fn verify(header: &str, body: &[u8], secret: &str) -> bool {
    let mut t = None;
    let mut v1 = Vec::new();
    for part in header.split(',') {
        match part.split_once('=') {
            Some(("t", value)) => t = Some(value.to_owned()),
            Some(("v1", value)) => v1.push(value.to_owned()),
            _ => {}
        }
    }
    let Some(t) = t else { return false };
    let expected = hmac_hex(secret, &t, body);
    v1.contains(&expected)
}

fn hmac_hex(secret: &str, t: &str, body: &[u8]) -> String {
    let mut mac = Hmac::<Sha256>::new_from_slice(secret.as_bytes()).unwrap();
    mac.update(format!("{t}.").as_bytes());
    mac.update(body);
    hex::encode(mac.finalize().into_bytes())
}

#[test]
fn independent_verifier_matches_the_published_vector() {
    let header = "t=1565125718,v1=854ece4c22acef7c66b57d4e504153bc512595e8e9c772ece2a68150548c19a7";
    assert!(verify(header, br#"{"test":"body"}"#, "SuperSecret123"));
    assert!(!verify(header, br#"{"test":"body2"}"#, "SuperSecret123"));
    assert!(!verify(header, br#"{"test":"body"}"#, "OtherSecret"));
    let several = "t=1565125718,v1=invalid,v2=x,v1=854ece4c22acef7c66b57d4e504153bc512595e8e9c772ece2a68150548c19a7";
    assert!(verify(several, br#"{"test":"body"}"#, "SuperSecret123"));
}
