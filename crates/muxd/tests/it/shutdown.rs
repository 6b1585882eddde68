//! `muxd serve` stopped by SIGTERM, as an orchestrator stops it, on SQLite and on PostgreSQL, in
//! each situation that could hold a shutdown open: idle (spare uploads kept on Mux), under
//! webhook load, with live streams open, with Mux unreachable (a request and a job waiting on
//! it), and with the host app's endpoint hanging mid-delivery. Each time the process must exit 0
//! within its grace (`MUXD_SHUTDOWN_GRACE_SECS`), say in its log that it is shutting down and
//! that it stopped, and every webhook it acknowledged must be in its database.

use std::sync::atomic::{AtomicUsize, Ordering};
use std::sync::{Arc, Mutex};
use std::time::Duration;

use futures_util::StreamExt;
use mux_emulator::{EmulatorConfig, EmulatorHandle, UploadStatus};
use muxd_core::config::DatabaseUrl;
use muxd_store::Store;
use serde_json::json;
use tokio::net::TcpListener;

use crate::process::Running;
use muxd_testkit::app::Backend;
use muxd_testkit::databases::{eventually, PgDatabase, TempDir};

const JWT_SECRET: &str = "shutdown-test-secret-of-at-least-32-bytes";
const ISSUER: &str = "muxd-shutdown-test";
const AUDIENCE: &str = "muxd";
const WEBHOOK_SECRET: &str = "whsec_shutdown";
const GRACE_SECS: u64 = 3;
/// How long past its grace the test waits for the exit before failing: process start-up of the
/// check itself and a loaded machine, never muxd's own work.
const SLACK: Duration = Duration::from_secs(10);

#[derive(Clone, Copy, Debug, PartialEq, Eq)]
enum Scenario {
    Idle,
    WebhookLoad,
    LiveStreams,
    MuxUnreachable,
    EndpointHanging,
}

macro_rules! shutdown_test {
    ($($name:ident: $scenario:expr;)*) => {$(
        mod $name {
            use super::*;

            #[tokio::test(flavor = "multi_thread", worker_threads = 2)]
            async fn sqlite() {
                sigterm(Backend::Sqlite, $scenario).await;
            }
            #[tokio::test(flavor = "multi_thread", worker_threads = 2)]
            async fn postgres() {
                sigterm(Backend::Postgres, $scenario).await;
            }
        }
    )*};
}

shutdown_test! {
    idle: Scenario::Idle;
    under_webhook_load: Scenario::WebhookLoad;
    with_live_streams_open: Scenario::LiveStreams;
    with_mux_unreachable: Scenario::MuxUnreachable;
    with_an_endpoint_hanging: Scenario::EndpointHanging;
}

fn token(subject: &str) -> String {
    let exp = muxd_store::now_ms() / 1000 + 3600;
    let claims = json!({"sub": subject, "exp": exp, "iss": ISSUER, "aud": AUDIENCE});
    let key = jsonwebtoken::EncodingKey::from_secret(JWT_SECRET.as_bytes());
    jsonwebtoken::encode(&jsonwebtoken::Header::default(), &claims, &key).unwrap()
}

/// A TCP server that accepts connections and never answers: Mux or an endpoint that hangs.
/// Returns its address and how many connections it has taken.
async fn black_hole() -> (String, Arc<Mutex<usize>>) {
    let listener = TcpListener::bind("127.0.0.1:0").await.unwrap();
    let addr = listener.local_addr().unwrap();
    let accepted = Arc::new(Mutex::new(0));
    let count = accepted.clone();
    tokio::spawn(async move {
        let mut held = Vec::new();
        while let Ok((socket, _)) = listener.accept().await {
            *count.lock().unwrap() += 1;
            held.push(socket);
        }
    });
    (format!("http://{addr}"), accepted)
}

/// The database for one run and what keeps it alive.
async fn database(backend: Backend, dir: &TempDir) -> Option<(DatabaseUrl, Option<PgDatabase>)> {
    match backend {
        Backend::Sqlite => {
            let url = format!("sqlite://{}", dir.path().join("muxd.db").display());
            Some((DatabaseUrl::parse(&url).unwrap(), None))
        }
        Backend::Postgres => {
            let db = PgDatabase::create().await?;
            Some((db.url.clone(), Some(db)))
        }
    }
}

/// Signed `video.asset.ready` events for assets muxd does not know (stored as unmatched), sent
/// as fast as answered from four connections until muxd stops answering; returns the ids of the
/// events answered 2xx, and a count of them so far.
fn webhook_load(base: &str) -> (tokio::task::JoinHandle<Vec<String>>, Arc<AtomicUsize>) {
    let url = format!("{base}/api/webhooks/mux");
    let counted = Arc::new(AtomicUsize::new(0));
    let count = counted.clone();
    let task = tokio::spawn(async move {
        let senders = (0..4).map(|sender| {
            let (url, count) = (url.clone(), count.clone());
            async move {
                let http = reqwest::Client::new();
                let mut acknowledged = Vec::new();
                for n in 0.. {
                    let id = format!("evt-shutdown-{sender}-{n}");
                    let body = json!({"type": "video.asset.ready", "id": id,
                        "data": {"id": format!("asset-{sender}-{n}"), "status": "ready"}});
                    let body = serde_json::to_vec(&body).unwrap();
                    let t = muxd_store::now_ms() / 1000;
                    let v1 = muxd_domain::signature::sign(WEBHOOK_SECRET.as_bytes(), t, &body);
                    let sent = http
                        .post(&url)
                        .header("mux-signature", format!("t={t},v1={v1}"))
                        .header("content-type", "application/json")
                        .body(body)
                        .send()
                        .await;
                    match sent {
                        Ok(answer) if answer.status().is_success() => {
                            count.fetch_add(1, Ordering::Relaxed);
                            acknowledged.push(id);
                        }
                        Ok(_) => {}
                        Err(_) => break,
                    }
                }
                acknowledged
            }
        });
        futures_util::future::join_all(senders)
            .await
            .into_iter()
            .flatten()
            .collect()
    });
    (task, counted)
}

async fn sigterm(backend: Backend, scenario: Scenario) {
    let dir = TempDir::new().unwrap();
    let Some((database_url, _pg)) = database(backend, &dir).await else {
        return;
    };
    let emulator: Option<EmulatorHandle> = match scenario {
        Scenario::MuxUnreachable => None,
        _ => Some(
            mux_emulator::start_on_ephemeral_port(EmulatorConfig {
                signing_secret: WEBHOOK_SECRET.into(),
                ..EmulatorConfig::default()
            })
            .await
            .unwrap(),
        ),
    };
    let (mux_hole, mux_calls) = black_hole().await;
    let mux_base = emulator.as_ref().map_or(mux_hole, EmulatorHandle::base_url);
    let addr = std::net::TcpListener::bind("127.0.0.1:0")
        .unwrap()
        .local_addr()
        .unwrap();
    let base = format!("http://{addr}");
    let defaults = EmulatorConfig::default();
    let (database, listen) = (database_url.expose().to_owned(), addr.to_string());
    let stream_base = format!("{mux_base}/stream");
    let grace = GRACE_SECS.to_string();
    let env = [
        ("DATABASE_URL", database.as_str()),
        ("MUX_BASE_URL", &mux_base),
        ("MUX_TOKEN_ID", &defaults.token_id),
        ("MUX_TOKEN_SECRET", &defaults.token_secret),
        ("MUX_WEBHOOK_SIGNING_SECRET", WEBHOOK_SECRET),
        ("MUXD_JWT_HS256_SECRET", JWT_SECRET),
        ("MUXD_JWT_ISSUER", ISSUER),
        ("MUXD_JWT_AUDIENCE", AUDIENCE),
        ("MUXD_ADMIN_IDS", "user_admin"),
        ("MUXD_LISTEN", &listen),
        ("MUXD_STREAM_BASE_URL", &stream_base),
        ("MUXD_UPLOAD_POOL_SIZE", "2"),
        ("MUXD_WEBHOOK_ALLOW_PRIVATE_URLS", "true"),
        ("MUXD_SHUTDOWN_GRACE_SECS", &grace),
        ("RUST_LOG", "info"),
    ];
    let log_path = dir.path().join("serve.log");
    let mut running = Running::spawn_logged(&dir, &["serve"], &env, &log_path);
    let pid = running.pid();
    let http = reqwest::Client::new();
    let readyz = format!("{base}/readyz");
    eventually("muxd ready", async || {
        let answer = http.get(&readyz).send().await;
        answer.is_ok_and(|a| a.status().is_success())
    })
    .await;

    let mut streams = Vec::new();
    let mut load = None;
    let mut pending = None;
    match scenario {
        Scenario::Idle => {
            let emulator = emulator.as_ref().unwrap();
            eventually("two spare uploads on Mux", async || {
                emulator.uploads().len() == 2
            })
            .await;
        }
        Scenario::WebhookLoad => {
            let (sent, acknowledged) = webhook_load(&base);
            eventually("webhooks being stored", async || {
                acknowledged.load(Ordering::Relaxed) > 20
            })
            .await;
            load = Some(sent);
        }
        Scenario::LiveStreams => {
            for _ in 0..3 {
                let live = http
                    .get(format!("{base}/api/live"))
                    .bearer_auth(token("user_live"))
                    .send()
                    .await
                    .unwrap();
                assert!(live.status().is_success(), "{}", live.status());
                let mut stream = live.bytes_stream();
                let first = stream.next().await.unwrap().unwrap();
                assert!(String::from_utf8_lossy(&first).contains("ready"));
                streams.push(stream);
            }
        }
        Scenario::MuxUnreachable => {
            let create = http
                .post(format!("{base}/api/mux/create-video-upload"))
                .bearer_auth(token("user_waiting"))
                .json(&json!({"name": "waits.mp4", "fileType": "video/mp4", "fileSize": 1000}))
                .send();
            pending = Some(tokio::spawn(create));
            eventually("muxd waiting on Mux", async || {
                *mux_calls.lock().unwrap() >= 2
            })
            .await;
        }
        Scenario::EndpointHanging => {
            let (endpoint, deliveries) = black_hole().await;
            let made = http
                .post(format!("{base}/api/app/webhook-endpoints"))
                .bearer_auth(token("user_admin"))
                .json(&json!({"url": format!("{endpoint}/hook")}))
                .send()
                .await
                .unwrap();
            assert!(made.status().is_success(), "{}", made.status());
            let created = http
                .post(format!("{base}/api/mux/create-video-upload"))
                .bearer_auth(token("user_creator"))
                .json(&json!({"name": "told.mp4", "fileType": "video/mp4", "fileSize": 1000}))
                .send()
                .await
                .unwrap();
            assert!(created.status().is_success(), "{}", created.status());
            eventually("a delivery hanging on the endpoint", async || {
                *deliveries.lock().unwrap() >= 1
            })
            .await;
        }
    }

    let status = std::process::Command::new("kill")
        .args(["-TERM", &pid.to_string()])
        .status()
        .unwrap();
    assert!(status.success());
    let deadline = std::time::Instant::now() + Duration::from_secs(GRACE_SECS) + SLACK;
    let exit = loop {
        if let Some(exit) = running.exited() {
            break exit;
        }
        let log = std::fs::read_to_string(&log_path).unwrap_or_default();
        assert!(
            std::time::Instant::now() < deadline,
            "{scenario:?} on {backend:?}: muxd serve did not exit within its {GRACE_SECS} s grace; its log:\n{log}"
        );
        tokio::time::sleep(Duration::from_millis(50)).await;
    };
    let log = std::fs::read_to_string(&log_path).unwrap();
    assert!(
        exit.success(),
        "{scenario:?} on {backend:?}: {exit}; log:\n{log}"
    );
    for said in ["shutting down", "stopped"] {
        assert!(
            log.contains(said),
            "{scenario:?}: the log never says {said:?}:\n{log}"
        );
    }

    for mut stream in streams {
        let mut rest = String::new();
        while let Some(Ok(chunk)) = stream.next().await {
            rest.push_str(&String::from_utf8_lossy(&chunk));
        }
        assert!(
            rest.contains("event: reconnect"),
            "no reconnect hint: {rest}"
        );
    }
    if let Some(load) = load {
        let acknowledged = load.await.unwrap();
        assert!(!acknowledged.is_empty());
        let store = Store::connect(&database_url).await.unwrap();
        for id in &acknowledged {
            let stored = store.webhook_event(id).await.unwrap();
            assert!(stored.is_some(), "acknowledged webhook {id} was lost");
        }
        store.close().await;
    }
    if let Some(pending) = pending {
        let answer = pending.await.unwrap();
        assert!(
            answer.as_ref().map_or(true, |a| !a.status().is_success()),
            "a create that waited on an unreachable Mux cannot have succeeded: {answer:?}"
        );
    }
    if scenario == Scenario::Idle {
        let uploads = emulator.as_ref().unwrap().uploads();
        assert!(
            uploads.iter().all(|u| u.status == UploadStatus::Cancelled),
            "spare uploads left on Mux: {uploads:?}"
        );
    }
}
