//! Outbound webhooks survive a crash: a `muxd dev` killed with SIGKILL while its receiver is down
//! loses nothing it had to send (`outbound`'s receiver checks every message).

use std::collections::HashMap;
use std::sync::atomic::Ordering;
use std::time::Duration;

use reqwest::StatusCode;
use serde_json::{json, Value};

use crate::media::fixture;
use crate::outbound::Receiver;
use crate::process::start;
use muxd_testkit::databases::{eventually, TempDir};

/// `muxd dev` with its receiver down is killed with SIGKILL, and started again in its folder:
/// when the receiver comes back it gets every message, each id at most twice.
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn nothing_is_lost_when_muxd_is_killed() {
    let dir = TempDir::new().unwrap();
    let (receiver, url) = Receiver::start().await;
    receiver.failing.store(true, Ordering::SeqCst);
    let env = [
        ("MUXD_LISTEN", "127.0.0.1:0"),
        ("MUXD_WEBHOOK_ALLOW_PRIVATE_URLS", "true"),
        ("MUXD_WEBHOOK_RETRY_SCHEDULE", "100ms,200ms,300ms,300ms,300ms,300ms,300ms,300ms,300ms,300ms,300ms,300ms,300ms,300ms,300ms,300ms,300ms,300ms,300ms,300ms"),
    ];
    let dev = Dev::start(&dir, &env).await;
    let (status, endpoint) = dev
        .admin_post("/api/app/webhook-endpoints", json!({"url": url}))
        .await;
    assert_eq!(status, StatusCode::CREATED, "{endpoint}");
    receiver.trust(endpoint["secret"].as_str().unwrap());
    let mut ids = Vec::new();
    for n in 0..3 {
        ids.push(dev.upload_until_ready(&format!("kill-{n}.mp4")).await);
    }
    eventually("attempts refused while the receiver is down", async || {
        *receiver.refused.lock().unwrap() >= 3
    })
    .await;
    drop(dev); // SIGKILL

    let dev = Dev::start(&dir, &env).await;
    receiver.failing.store(false, Ordering::SeqCst);
    for id in &ids {
        eventually("every change of every upload arriving", async || {
            receiver
                .types_for(id)
                .iter()
                .filter(|t| *t != "asset.processing")
                .count()
                >= 2
                && receiver.types_for(id).contains(&"asset.ready".to_owned())
        })
        .await;
    }
    receiver.assert_all_verified();
    let mut copies: HashMap<String, u32> = HashMap::new();
    for taken in receiver.taken() {
        *copies.entry(taken.id).or_default() += 1;
    }
    assert!(copies.values().all(|n| *n <= 2), "{copies:?}");
    for id in &ids {
        let types = receiver.types_for(id);
        for kind in ["asset.created", "asset.processing", "asset.ready"] {
            assert!(types.contains(&kind.to_owned()), "{id}: {types:?}");
        }
    }
    drop(dev);
}

/// A `muxd dev` process, signed in as its demo admin.
struct Dev {
    _running: crate::process::Running,
    base: String,
    cookie: String,
    http: reqwest::Client,
}

impl Dev {
    async fn start(dir: &TempDir, env: &[(&str, &str)]) -> Dev {
        let (running, line) = start(dir, &["dev"], env, "Open ").await;
        let login = line
            .split("Open ")
            .nth(1)
            .unwrap()
            .split_whitespace()
            .next()
            .unwrap();
        let base = login.split("/dev/login").next().unwrap().to_owned();
        let http = reqwest::Client::builder()
            .redirect(reqwest::redirect::Policy::none())
            .timeout(Duration::from_secs(30))
            .build()
            .unwrap();
        let response = http
            .get(format!("{base}/dev/login?as=admin"))
            .send()
            .await
            .unwrap();
        let cookie = response.headers()["set-cookie"].to_str().unwrap();
        let cookie = cookie.split(';').next().unwrap().to_owned();
        Dev {
            _running: running,
            base,
            cookie,
            http,
        }
    }

    async fn admin_post(&self, path: &str, body: Value) -> (StatusCode, Value) {
        let response = self
            .http
            .post(format!("{}{path}", self.base))
            .header("cookie", &self.cookie)
            .header("origin", &self.base)
            .json(&body)
            .send()
            .await
            .unwrap();
        (
            response.status(),
            response.json().await.unwrap_or(Value::Null),
        )
    }

    async fn upload_until_ready(&self, name: &str) -> String {
        let (status, created) = self
            .admin_post(
                "/api/mux/create-video-upload",
                json!({"name": name, "fileType": "video/mp4", "fileSize": 1024}),
            )
            .await;
        assert_eq!(status, StatusCode::CREATED, "{created}");
        let url = created["url"].as_str().unwrap();
        let put = self.http.put(url).body(fixture("tiny-2s-320x240.mp4"));
        assert_eq!(put.send().await.unwrap().status(), StatusCode::OK);
        let id = created["id"].as_str().unwrap().to_owned();
        let path = format!("{}/api/creative-assets/{id}", self.base);
        eventually("the upload reaching READY", async || {
            let response = self
                .http
                .get(&path)
                .header("cookie", &self.cookie)
                .send()
                .await;
            let asset: Value = response.unwrap().json().await.unwrap_or(Value::Null);
            asset["status"] == "READY"
        })
        .await;
        id
    }
}
