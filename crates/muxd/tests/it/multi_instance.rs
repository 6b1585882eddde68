//! Several instances on one PostgreSQL, as processes: three `muxd serve` and one `muxd emulator`.
//! A page's live stream on one instance sees changes applied by another (LISTEN/NOTIFY); uploads
//! are created on one and their webhooks land on another; when that one is killed, the emulator's
//! webhooks go to a survivor and work goes on. PostgreSQL is required under `CI=true`.

use futures_util::StreamExt;
use muxd_core::identity::Identity;
use serde_json::{json, Value};

use crate::chaos_suite::procs::{free_port, start_emulator, Serve, JWT_SECRET};
use crate::media::fixture;
use muxd_testkit::databases::{eventually, PgDatabase, TempDir};

/// A page's `/api/live` stream: the assets it has been told about, by id, latest view last.
struct LiveFeed {
    views: std::sync::Arc<std::sync::Mutex<Vec<Value>>>,
}

impl LiveFeed {
    /// Opens the stream on `base` as the holder of `token`, reading it in the background.
    async fn open(http: &reqwest::Client, base: &str, token: &str) -> LiveFeed {
        let response = http
            .get(format!("{base}/api/live"))
            .bearer_auth(token)
            .send()
            .await
            .unwrap();
        assert!(response.status().is_success(), "{}", response.status());
        let views = std::sync::Arc::<std::sync::Mutex<Vec<Value>>>::default();
        let sink = views.clone();
        let mut bytes = response.bytes_stream();
        let (ready, is_ready) = tokio::sync::oneshot::channel();
        let mut ready = Some(ready);
        tokio::spawn(async move {
            let mut text = String::new();
            while let Some(Ok(chunk)) = bytes.next().await {
                text.push_str(&String::from_utf8_lossy(&chunk));
                while let Some(end) = text.find("\n\n") {
                    let frame: String = text.drain(..end + 2).collect();
                    if frame.contains("event: ready") {
                        if let Some(ready) = ready.take() {
                            let _ = ready.send(());
                        }
                    }
                    let data = frame.lines().find_map(|l| l.strip_prefix("data: "));
                    if let (true, Some(data)) = (frame.contains("event: asset"), data) {
                        sink.lock()
                            .unwrap()
                            .push(serde_json::from_str(data).unwrap());
                    }
                }
            }
        });
        is_ready.await.expect("the live stream said ready");
        LiveFeed { views }
    }

    /// The latest status this page was told for asset `id`.
    fn status(&self, id: &str) -> Option<String> {
        let views = self.views.lock().unwrap();
        views
            .iter()
            .rev()
            .find(|v| v["id"] == id)
            .and_then(|v| v["status"].as_str().map(str::to_owned))
    }
}

/// Creates an upload on `base` as `token`'s holder and sends a small file to it; returns the id.
async fn upload(http: &reqwest::Client, base: &str, token: &str) -> String {
    let created: Value = http
        .post(format!("{base}/api/mux/create-video-upload"))
        .bearer_auth(token)
        .json(&json!({"name": "multi.mp4", "fileType": "video/mp4", "fileSize": 1024}))
        .send()
        .await
        .unwrap()
        .json()
        .await
        .unwrap();
    let url = created["url"].as_str().expect("an upload URL");
    let sent = http
        .put(url)
        .body(fixture("tiny-2s-320x240.mp4"))
        .send()
        .await
        .unwrap();
    assert!(sent.status().is_success());
    created["id"].as_str().unwrap().to_owned()
}

/// Points the emulator's webhooks at `base`.
async fn webhooks_to(http: &reqwest::Client, emulator: &str, base: &str) {
    let set = http
        .put(format!("{emulator}/_emulator/webhooks"))
        .json(&json!({"urls": [format!("{base}/api/webhooks/mux")]}))
        .send()
        .await
        .unwrap();
    assert!(set.status().is_success());
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn three_instances_share_live_changes_and_go_on_when_one_is_killed() {
    let Some(db) = PgDatabase::create().await else {
        return;
    };
    let dir = TempDir::new().unwrap();
    let logs = dir.path().join("logs");
    std::fs::create_dir_all(&logs).unwrap();
    let ports = [free_port(), free_port(), free_port()];
    let first_hook = format!("http://127.0.0.1:{}/api/webhooks/mux", ports[2]);
    let (_emulator, emulator) = start_emulator(&dir, 7, &first_hook).await;
    let http = reqwest::Client::new();
    let mut instances = Vec::new();
    for (n, port) in ports.into_iter().enumerate() {
        let log_dir = logs.join(format!("muxd-{n}"));
        std::fs::create_dir_all(&log_dir).unwrap();
        let mut serve = Serve::new(&emulator, db.url.expose(), port, &log_dir);
        serve.start(&http).await;
        instances.push(serve);
    }
    let (a, b) = (instances[0].base.clone(), instances[1].base.clone());
    let token = Identity::dev(JWT_SECRET.as_bytes())
        .sign("multi-user", false, 3600)
        .unwrap();

    // The page is on A; the upload is created on B; its webhooks land on C (the emulator's
    // first target).
    let page = LiveFeed::open(&http, &a, &token).await;
    let first = upload(&http, &b, &token).await;
    eventually("A's page seeing C's READY", async || {
        page.status(&first).as_deref() == Some("READY")
    })
    .await;

    // C is killed; the emulator now delivers to B; an upload created on A is applied on B and
    // the page on A still follows.
    instances[2].kill9();
    webhooks_to(&http, &emulator, &b).await;
    let second = upload(&http, &a, &token).await;
    eventually("A's page seeing B's READY after C died", async || {
        page.status(&second).as_deref() == Some("READY")
    })
    .await;
}
