//! Helpers for signed playback: signing keys through the API, tokens minted as a Mux customer
//! mints them (RS256 with the key's private half, `kid` in the header), uploads with a policy,
//! and a PNG header check.

use std::time::{SystemTime, UNIX_EPOCH};

use base64::engine::general_purpose::STANDARD;
use base64::Engine;
use jsonwebtoken::{Algorithm, EncodingKey, Header};
use reqwest::{Method, StatusCode};
use serde_json::{json, Value};

use crate::harness::{fixture, TestEmu};

/// The fixture the signed tests play: 2 s of 320×240.
pub const MEDIA: &str = "tiny-2s-320x240.mp4";

/// `POST /system/v1/signing-keys`: `{id, created_at, private_key}`.
pub async fn create_key(emu: &TestEmu) -> Value {
    let r = emu
        .api(Method::POST, "/system/v1/signing-keys")
        .send()
        .await
        .unwrap();
    assert_eq!(r.status(), StatusCode::CREATED);
    r.json::<Value>().await.unwrap()["data"].clone()
}

/// Seconds since the epoch, by the test's (real) clock.
pub fn now_s() -> u64 {
    SystemTime::now()
        .duration_since(UNIX_EPOCH)
        .unwrap()
        .as_secs()
}

/// A token for `claims` signed with `key` (as created), naming it in the header's `kid`.
pub fn sign(key: &Value, claims: &Value) -> String {
    let pem = STANDARD
        .decode(key["private_key"].as_str().unwrap())
        .unwrap();
    let mut header = Header::new(Algorithm::RS256);
    header.kid = Some(key["id"].as_str().unwrap().to_owned());
    jsonwebtoken::encode(&header, claims, &EncodingKey::from_rsa_pem(&pem).unwrap()).unwrap()
}

/// A token for `playback_id` and `aud`, valid for an hour.
pub fn token(key: &Value, playback_id: &str, aud: &str) -> String {
    sign(
        key,
        &json!({"sub": playback_id, "aud": aud, "exp": now_s() + 3600}),
    )
}

/// Uploads the fixture with `policy` and waits for the ready asset; returns its playback id.
pub async fn ready_playback_id(emu: &TestEmu, policy: &str) -> String {
    let upload = emu
        .create_upload(json!({"new_asset_settings": {"playback_policy": [policy]}}))
        .await;
    let put = emu
        .put_whole(upload["url"].as_str().unwrap(), fixture(MEDIA))
        .await;
    assert_eq!(put.status(), StatusCode::OK);
    let asset = emu.wait_for_asset(upload["id"].as_str().unwrap()).await;
    assert_eq!(asset["status"], "ready", "{asset}");
    assert_eq!(asset["playback_ids"][0]["policy"], policy);
    asset["playback_ids"][0]["id"].as_str().unwrap().to_owned()
}

/// The width and height of a PNG, after checking its signature and that IHDR comes first.
pub fn png_size(bytes: &[u8]) -> (u32, u32) {
    assert_eq!(bytes[..8], *b"\x89PNG\r\n\x1a\n", "PNG signature");
    assert_eq!(&bytes[12..16], b"IHDR");
    let be = |at: usize| u32::from_be_bytes(bytes[at..at + 4].try_into().unwrap());
    assert_eq!(bytes[bytes.len() - 8..bytes.len() - 4], *b"IEND");
    (be(16), be(20))
}

/// A client that shows redirects instead of following them.
pub fn no_redirects() -> reqwest::Client {
    reqwest::Client::builder()
        .redirect(reqwest::redirect::Policy::none())
        .build()
        .unwrap()
}

/// The status and the 403's reason (its `error.messages[0]`, empty if absent).
pub async fn status_and_reason(r: reqwest::Response) -> (StatusCode, String) {
    let status = r.status();
    let body: Value = r.json().await.unwrap_or(Value::Null);
    let reason = body["error"]["messages"][0]
        .as_str()
        .unwrap_or("")
        .to_owned();
    (status, reason)
}

/// `GET path`, with `?token=` if given (added to any query the path has).
pub async fn get(emu: &TestEmu, path: &str, token: Option<&str>) -> reqwest::Response {
    let request = emu.client.get(emu.url(path));
    let request = match token {
        Some(t) => request.query(&[("token", t)]),
        None => request,
    };
    request.send().await.unwrap()
}
