//! `muxd serve` stopped by SIGTERM, as an orchestrator stops it: open live streams end (so the
//! server can drain), the process exits cleanly, and the spare uploads it kept on Mux are
//! cancelled rather than left to time out.

use futures_util::StreamExt;
use mux_emulator::{EmulatorConfig, UploadStatus};
use serde_json::json;

use crate::harness::{eventually, TempDir};
use crate::process::Running;

const JWT_SECRET: &str = "shutdown-test-secret-of-32-bytes-or-more";
const ISSUER: &str = "https://identity.shutdown.test";
const AUDIENCE: &str = "muxd";

fn token() -> String {
    let exp = muxd::store::now_ms() / 1000 + 3600;
    let claims = json!({"sub": "user_shutdown", "exp": exp, "iss": ISSUER, "aud": AUDIENCE});
    let key = jsonwebtoken::EncodingKey::from_secret(JWT_SECRET.as_bytes());
    jsonwebtoken::encode(&jsonwebtoken::Header::default(), &claims, &key).unwrap()
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn sigterm_ends_live_streams_exits_cleanly_and_cancels_spare_uploads() {
    let emulator = mux_emulator::start_on_ephemeral_port(EmulatorConfig {
        signing_secret: "whsec_shutdown".into(),
        ..EmulatorConfig::default()
    })
    .await
    .unwrap();
    let dir = TempDir::new().unwrap();
    let addr = std::net::TcpListener::bind("127.0.0.1:0")
        .unwrap()
        .local_addr()
        .unwrap();
    let defaults = EmulatorConfig::default();
    let database = format!("sqlite://{}", dir.path().join("muxd.db").display());
    let stream_base = format!("{}/stream", emulator.base_url());
    let env = [
        ("DATABASE_URL", database.as_str()),
        ("MUX_BASE_URL", &emulator.base_url()),
        ("MUX_TOKEN_ID", &defaults.token_id),
        ("MUX_TOKEN_SECRET", &defaults.token_secret),
        ("MUX_WEBHOOK_SIGNING_SECRET", "whsec_shutdown"),
        ("MUXD_JWT_HS256_SECRET", JWT_SECRET),
        ("MUXD_JWT_ISSUER", ISSUER),
        ("MUXD_JWT_AUDIENCE", AUDIENCE),
        ("MUXD_LISTEN", &addr.to_string()),
        ("MUXD_STREAM_BASE_URL", &stream_base),
        ("MUXD_UPLOAD_POOL_SIZE", "2"),
    ];
    let mut running = Running::spawn(&dir, &["serve"], &env);
    let base = format!("http://{addr}");
    let http = reqwest::Client::new();
    let health = format!("{base}/api/health/mux-system");
    eventually("muxd serving", async || {
        http.get(&health).send().await.is_ok()
    })
    .await;
    eventually("two spare uploads on Mux", async || {
        emulator.uploads().len() == 2
    })
    .await;

    let live = http
        .get(format!("{base}/api/live"))
        .bearer_auth(token())
        .send()
        .await
        .unwrap();
    assert!(live.status().is_success());
    let mut stream = live.bytes_stream();
    let first = stream.next().await.unwrap().unwrap();
    assert!(String::from_utf8_lossy(&first).contains("ready"));

    let status = std::process::Command::new("kill")
        .args(["-TERM", &running.pid().to_string()])
        .status()
        .unwrap();
    assert!(status.success());
    // The live stream ends instead of holding the shutdown open.
    let ended = tokio::time::timeout(std::time::Duration::from_secs(30), async {
        while let Some(chunk) = stream.next().await {
            if chunk.is_err() {
                break;
            }
        }
    })
    .await;
    assert!(ended.is_ok(), "the live stream never ended");
    eventually("muxd exiting", async || running.exited().is_some()).await;
    assert!(running.exited().unwrap().success(), "a clean exit");
    let uploads = emulator.uploads();
    assert!(
        uploads.iter().all(|u| u.status == UploadStatus::Cancelled),
        "spare uploads left on Mux: {uploads:?}"
    );
}
