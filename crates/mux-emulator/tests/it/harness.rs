//! `TestEmu`: an emulator on an ephemeral port plus one helper per endpoint, and `eventually`,
//! the one way a test waits.
//!
//! No test sleeps to prove that something did not happen, or asserts how long something took:
//! it waits for a condition (a delivery recorded, an event received, a status reached) with a
//! generous deadline, or drives time with the emulator's clock (`advance_clock`).

use std::future::Future;
use std::path::PathBuf;
use std::time::{Duration, Instant};

use mux_emulator::{EmulatorConfig, EmulatorHandle};
use reqwest::{Client, Response, StatusCode};
use serde_json::{json, Value};

pub const TOKEN_ID: &str = "test-id";
pub const TOKEN_SECRET: &str = "test-secret";

pub struct TestEmu {
    pub handle: EmulatorHandle,
    pub client: Client,
}

pub fn config() -> EmulatorConfig {
    EmulatorConfig {
        token_id: TOKEN_ID.into(),
        token_secret: TOKEN_SECRET.into(),
        processing_delay: Duration::from_millis(50),
        webhook_time_scale: 0.001,
        ..EmulatorConfig::default()
    }
}

/// How long a test waits for a condition before failing: generous, for a busy 2-core machine.
pub const PATIENCE: Duration = Duration::from_secs(15);
/// How often a waiting test looks again.
const POLL: Duration = Duration::from_millis(25);

/// Polls `probe` until it returns `Some`, failing the test after `PATIENCE`.
pub async fn eventually<T, F, Fut>(what: &str, mut probe: F) -> T
where
    F: FnMut() -> Fut,
    Fut: Future<Output = Option<T>>,
{
    let deadline = Instant::now() + PATIENCE;
    loop {
        if let Some(found) = probe().await {
            return found;
        }
        assert!(
            Instant::now() < deadline,
            "waited {PATIENCE:?} for {what} in vain"
        );
        tokio::time::sleep(POLL).await;
    }
}

impl TestEmu {
    pub async fn spawn() -> Self {
        Self::with(config()).await
    }

    pub async fn with(config: EmulatorConfig) -> Self {
        let handle = mux_emulator::start_on_ephemeral_port(config)
            .await
            .expect("emulator starts");
        Self {
            handle,
            client: Client::new(),
        }
    }

    pub fn url(&self, path: &str) -> String {
        format!("{}{path}", self.handle.base_url())
    }

    pub fn api(&self, method: reqwest::Method, path: &str) -> reqwest::RequestBuilder {
        self.client
            .request(method, self.url(path))
            .basic_auth(TOKEN_ID, Some(TOKEN_SECRET))
    }

    pub async fn create_upload(&self, body: Value) -> Value {
        let r = self
            .api(reqwest::Method::POST, "/video/v1/uploads")
            .json(&body)
            .send()
            .await
            .unwrap();
        assert_eq!(r.status(), StatusCode::CREATED);
        r.json::<Value>().await.unwrap()["data"].clone()
    }

    /// A public upload with a passthrough, as muxd creates them.
    pub async fn create_public_upload(&self, passthrough: &str) -> Value {
        self.create_upload(json!({
            "cors_origin": "https://app.example",
            "new_asset_settings": {"playback_policies": ["public"], "passthrough": passthrough}
        }))
        .await
    }

    pub async fn get_json(&self, path: &str) -> (StatusCode, Value) {
        let r = self.api(reqwest::Method::GET, path).send().await.unwrap();
        let status = r.status();
        (status, r.json().await.unwrap_or(Value::Null))
    }

    pub async fn upload(&self, id: &str) -> Value {
        self.get_json(&format!("/video/v1/uploads/{id}")).await.1["data"].clone()
    }

    pub async fn asset(&self, id: &str) -> Value {
        self.get_json(&format!("/video/v1/assets/{id}")).await.1["data"].clone()
    }

    /// Polls the upload until it has an asset, then the asset until it leaves `preparing`.
    pub async fn wait_for_asset(&self, upload_id: &str) -> Value {
        eventually(
            &format!("a finished asset from upload {upload_id}"),
            || async {
                let asset_id = self.upload(upload_id).await["asset_id"]
                    .as_str()?
                    .to_owned();
                Some(self.asset(&asset_id).await).filter(|a| a["status"] != "preparing")
            },
        )
        .await
    }

    pub async fn put_whole(&self, url: &str, bytes: Vec<u8>) -> Response {
        self.client.put(url).body(bytes).send().await.unwrap()
    }

    pub async fn put_chunk(&self, url: &str, bytes: &[u8], start: u64, total: u64) -> Response {
        let end = start + bytes.len() as u64 - 1;
        self.client
            .put(url)
            .header("content-range", format!("bytes {start}-{end}/{total}"))
            .header("content-type", "video/mp4")
            .body(bytes.to_vec())
            .send()
            .await
            .unwrap()
    }

    /// Sends `bytes` in `chunk`-sized PUTs as UpChunk does, checking 308 + Range for all but the
    /// last chunk and 200 for the last.
    pub async fn put_chunked(&self, url: &str, bytes: &[u8], chunk: usize) {
        let total = bytes.len() as u64;
        let mut start = 0usize;
        while start < bytes.len() {
            let end = (start + chunk).min(bytes.len());
            let r = self
                .put_chunk(url, &bytes[start..end], start as u64, total)
                .await;
            if end == bytes.len() {
                assert_eq!(r.status(), StatusCode::OK, "final chunk");
            } else {
                assert_eq!(
                    r.status(),
                    StatusCode::PERMANENT_REDIRECT,
                    "chunk at {start}"
                );
                assert_eq!(header(&r, "range"), Some(format!("bytes=0-{}", end - 1)));
            }
            start = end;
        }
    }
}

pub fn header(r: &Response, name: &str) -> Option<String> {
    r.headers()
        .get(name)
        .map(|v| v.to_str().unwrap().to_owned())
}

pub fn fixtures_dir() -> PathBuf {
    PathBuf::from(env!("CARGO_MANIFEST_DIR")).join("../../fixtures/media")
}

/// The `files` entries of the fixtures' manifest.json.
pub fn manifest() -> Vec<Value> {
    let text = std::fs::read_to_string(fixtures_dir().join("manifest.json")).unwrap();
    serde_json::from_str::<Value>(&text).unwrap()["files"]
        .as_array()
        .unwrap()
        .clone()
}

pub fn fixture(name: &str) -> Vec<u8> {
    std::fs::read(fixtures_dir().join(name)).unwrap()
}

/// Checks a finished asset against its manifest entry.
pub fn assert_matches_manifest(asset: &Value, entry: &Value) {
    let name = entry["file"].as_str().unwrap();
    if entry["expect"] == "errored" {
        assert_eq!(asset["status"], "errored", "{name}: {asset}");
        assert_eq!(asset["errors"]["type"], "invalid_input", "{name}");
        assert!(!asset["errors"]["messages"][0].as_str().unwrap().is_empty());
        return;
    }
    assert_eq!(asset["status"], "ready", "{name}: {asset}");
    let duration = asset["duration"].as_f64().unwrap();
    assert!(
        (duration - entry["duration_s"].as_f64().unwrap()).abs() < 0.1,
        "{name}: {duration}"
    );
    assert_eq!(
        asset["aspect_ratio"].as_str(),
        entry["aspect_ratio"].as_str(),
        "{name}"
    );
    let tracks = asset["tracks"].as_array().unwrap();
    let video = tracks.iter().find(|t| t["type"] == "video");
    match entry["video"].as_object() {
        Some(v) => {
            let t = video.unwrap_or_else(|| panic!("{name}: no video track"));
            assert_eq!(t["max_width"], v["width"], "{name}");
            assert_eq!(t["max_height"], v["height"], "{name}");
            let fps = t["max_frame_rate"].as_f64().unwrap();
            assert!(
                (fps - v["fps"].as_f64().unwrap()).abs() < 0.5,
                "{name}: {fps}"
            );
            assert_ne!(asset["resolution_tier"], "audio-only");
        }
        None => {
            assert!(video.is_none(), "{name}");
            assert_eq!(asset["resolution_tier"], "audio-only", "{name}");
        }
    }
    let audio = tracks.iter().find(|t| t["type"] == "audio");
    match entry["audio"].as_object() {
        Some(a) => assert_eq!(audio.unwrap()["max_channels"], a["channels"], "{name}"),
        None => assert!(audio.is_none(), "{name}"),
    }
}
