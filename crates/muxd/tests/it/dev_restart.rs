//! `muxd dev` run twice in one folder, as every newcomer does: the second run still plays what
//! the first made (its emulator kept state and media beside `muxd.db`), hands out ids the first
//! never used, and its webhooks are taken, not dropped as duplicates.

use reqwest::header::{COOKIE, ORIGIN, SET_COOKIE};
use reqwest::redirect::Policy;
use reqwest::StatusCode;
use serde_json::{json, Value};

use crate::media::fixture;
use crate::process::{start, Running};
use muxd_testkit::databases::{eventually, TempDir};

/// A running `muxd dev` signed in as the demo user.
struct Dev {
    _running: Running,
    base: String,
    cookie: String,
    campaign: String,
    http: reqwest::Client,
}

impl Dev {
    async fn start(dir: &TempDir) -> Dev {
        let (running, line) =
            start(dir, &["dev"], &[("MUXD_LISTEN", "127.0.0.1:0")], "Open ").await;
        let login = line.split("Open ").nth(1).unwrap();
        let login = login.split_whitespace().next().unwrap().to_owned();
        let base = login.split("/dev/login").next().unwrap().to_owned();
        let http = reqwest::Client::builder()
            .redirect(Policy::none())
            .build()
            .unwrap();
        let response = http.get(&login).send().await.unwrap();
        let cookie = response.headers()[SET_COOKIE].to_str().unwrap();
        let cookie = cookie.split(';').next().unwrap().to_owned();
        let page = response.headers()["location"].to_str().unwrap();
        let campaign = page
            .trim_start_matches("/campaigns/")
            .trim_end_matches("/content")
            .to_owned();
        Dev {
            _running: running,
            base,
            cookie,
            campaign,
            http,
        }
    }

    async fn get(&self, path: &str) -> Value {
        let url = format!("{}{path}", self.base);
        let response = self.http.get(url).header(COOKIE, &self.cookie).send().await;
        response.unwrap().json().await.unwrap()
    }

    /// Uploads a fixture and waits for READY; returns the asset.
    async fn upload_until_ready(&self) -> Value {
        let created: Value = self
            .http
            .post(format!("{}/api/mux/create-video-upload", self.base))
            .header(COOKIE, &self.cookie)
            .header(ORIGIN, self.base.as_str())
            .json(
                &json!({"name": "tiny.mp4", "fileSize": 1024, "campaignId": self.campaign, "fileType": "video/mp4"}),
            )
            .send()
            .await
            .unwrap()
            .json()
            .await
            .unwrap();
        let url = created["url"].as_str().expect("an upload URL");
        let put = self.http.put(url).body(fixture("tiny-2s-320x240.mp4"));
        assert_eq!(put.send().await.unwrap().status(), StatusCode::OK);
        let path = format!("/api/creative-assets/{}", created["id"].as_str().unwrap());
        eventually("the upload reaching READY with its MP4", async || {
            self.get(&path).await["mp4Url"].is_string()
        })
        .await;
        self.get(&path).await
    }

    /// The bytes of an asset's MP4, as a page's player fetches them.
    async fn play(&self, asset: &Value) -> Vec<u8> {
        let url = asset["mp4Url"].as_str().expect("a playable URL");
        let response = self.http.get(url).send().await.unwrap();
        assert!(
            response.status().is_success(),
            "{url}: {}",
            response.status()
        );
        response.bytes().await.unwrap().to_vec()
    }
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn muxd_dev_run_twice_in_one_folder_keeps_playing_and_takes_new_webhooks() {
    let dir = TempDir::new().unwrap();
    let first = Dev::start(&dir).await;
    let earlier = first.upload_until_ready().await;
    assert_eq!(first.play(&earlier).await, fixture("tiny-2s-320x240.mp4"));
    drop(first);

    let second = Dev::start(&dir).await;
    let id = earlier["id"].as_str().unwrap();
    let again = second.get(&format!("/api/creative-assets/{id}")).await;
    assert_eq!(again["status"], "READY");
    assert_eq!(second.play(&again).await, fixture("tiny-2s-320x240.mp4"));
    let newer = second.upload_until_ready().await;
    assert_ne!(newer["muxUploadId"], earlier["muxUploadId"]);
    assert_ne!(newer["muxAssetId"], earlier["muxAssetId"]);
    drop(second);

    // READY came by webhook, and no delivery of the second run was taken for a duplicate.
    let url = format!("sqlite://{}", dir.path().join("muxd.db").display());
    let store = muxd_store::Store::connect(&muxd_core::config::DatabaseUrl::parse(&url).unwrap())
        .await
        .unwrap();
    let newer_id = newer["id"].as_str().unwrap().parse().unwrap();
    let events = store.asset_events(newer_id).await.unwrap();
    let ready = events
        .iter()
        .find(|e| e.to_status.as_str() == "READY")
        .unwrap();
    assert_eq!(ready.cause, "webhook", "{events:?}");
    let duplicates = muxd_testkit::databases::count(
        &store,
        "SELECT COUNT(*) FROM webhook_events WHERE deliveries > 1",
    )
    .await;
    assert_eq!(duplicates, 0, "a new run's event was taken for an old one");
    store.close().await;
}
