//! Replacing a video in place (`POST /api/creative-assets/{id}/replace`) over real HTTP against
//! the emulator, on both databases: the card keeps its id, name and history and plays its old
//! video until the new one is READY, then plays the new one (version up, the swap in its history,
//! `asset.updated` with `replaced: true` for the host app), and the old Mux asset is deleted
//! through the deletion job without its late `video.asset.deleted` touching the card; a broken
//! new file leaves the old video READY and playable, with the reason on the card; a new
//! replacement supersedes one whose file has not arrived and waits for one being processed; and
//! what may not be replaced is refused by status. Faults (webhooks reordered, duplicated, dropped) are in
//! `replace_faults.rs`.

use std::sync::{Arc, Mutex};

use axum::routing::post;
use axum::Router;
use muxd_store::now_ms;
use reqwest::header::{COOKIE, ORIGIN};
use reqwest::{Method, StatusCode};
use serde_json::{json, Value};

use crate::media::fixture;
use crate::webhooks::envelope;
use muxd_testkit::app::{Backend, TestApp, HOST_SESSION_COOKIE};
use muxd_testkit::app_test;
use muxd_testkit::databases::{count, eventually};

pub const OWNER: &str = "user_replace";

/// The owner's view of asset `id`.
pub async fn view(app: &TestApp, id: &str) -> Value {
    let path = format!("/api/creative-assets/{id}");
    let (status, asset) = app
        .call(Method::GET, &path, Some((OWNER, false)), None)
        .await;
    assert_eq!(status, StatusCode::OK, "{asset}");
    asset
}

/// Uploads fixture `file` as [`OWNER`] and waits until it is READY; returns its view.
pub async fn ready_asset(app: &TestApp, file: &str) -> Value {
    let (id, url) = app.create_upload(OWNER, file).await;
    put(app, &url, file).await;
    let asset = app.wait_for(OWNER, &id, |s| s == "READY").await;
    assert_eq!(asset["status"], "READY", "{asset}");
    asset
}

/// PUTs fixture `file` to an upload URL.
pub async fn put(app: &TestApp, url: &str, file: &str) {
    let response = app.http.put(url).body(fixture(file)).send().await.unwrap();
    assert_eq!(response.status(), StatusCode::OK, "PUT {file}");
}

/// Asks to replace asset `id` as `who` with `body`.
pub async fn replace(app: &TestApp, who: &str, id: &str, body: Value) -> (StatusCode, Value) {
    let path = format!("/api/creative-assets/{id}/replace");
    app.call(Method::POST, &path, Some((who, false)), Some(body))
        .await
}

/// A good new file's announcement.
pub fn new_file() -> Value {
    json!({"fileSize": 933_541, "fileType": "video/mp4", "fileName": "take-two.mp4"})
}

/// Waits until the card plays a video other than `old_playback`, checking at every look that
/// until then it is READY and still plays the old one; returns the new view.
pub async fn until_swapped(app: &TestApp, id: &str, old_playback: &Value) -> Value {
    let mut now = Value::Null;
    eventually("the card playing its new video", async || {
        now = view(app, id).await;
        assert_eq!(now["status"], "READY", "the card left READY: {now}");
        assert!(now["playbackUrl"].is_string(), "{now}");
        now["playbackId"] != *old_playback
    })
    .await;
    now
}

/// The bodies a host app's endpoint took, unverified (signatures are `outbound.rs`'s concern).
pub async fn receiver() -> (Arc<Mutex<Vec<Value>>>, String) {
    let taken: Arc<Mutex<Vec<Value>>> = Arc::default();
    let keep = taken.clone();
    let app = Router::new().route(
        "/hooks",
        post(move |body: axum::body::Bytes| {
            let keep = keep.clone();
            async move {
                keep.lock()
                    .unwrap()
                    .push(serde_json::from_slice(&body).unwrap());
                axum::http::StatusCode::NO_CONTENT
            }
        }),
    );
    let listener = tokio::net::TcpListener::bind("127.0.0.1:0").await.unwrap();
    let url = format!("http://{}/hooks", listener.local_addr().unwrap());
    tokio::spawn(async move { axum::serve(listener, app).await });
    (taken, url)
}

async fn spawn_with_loopback_hooks(backend: Backend) -> Option<TestApp> {
    TestApp::spawn_with_settings(backend, &[("MUXD_WEBHOOK_ALLOW_PRIVATE_URLS", "true")]).await
}

app_test!(
    a_replaced_video_plays_until_the_new_one_is_ready_then_the_old_is_deleted,
    spawn = spawn_with_loopback_hooks,
    |app: TestApp| async move {
        let (hooks, url) = receiver().await;
        let (status, endpoint) = app
            .as_app_backend(
                Method::POST,
                "/api/app/webhook-endpoints",
                Some(json!({"url": url, "eventTypes": []})),
            )
            .await;
        assert_eq!(status, StatusCode::CREATED, "{endpoint}");
        let first = ready_asset(&app, "tiny-2s-320x240.mp4").await;
        let id = first["id"].as_str().unwrap();
        let old_asset = first["muxAssetId"].as_str().unwrap().to_owned();

        let mut live = app.app.live.subscribe();
        let (status, started) = replace(&app, OWNER, id, new_file()).await;
        assert_eq!(status, StatusCode::CREATED, "{started}");
        assert_eq!(started["id"], id);
        assert!(started["uploadId"].is_string() && started["url"].is_string());
        let card = &started["asset"];
        assert_eq!(card["replacement"]["status"], "uploading", "{card}");
        assert_eq!(
            (&card["status"], &card["playbackId"]),
            (&json!("READY"), &first["playbackId"])
        );
        let (_, list) = app
            .call(
                Method::GET,
                "/api/creative-assets",
                Some((OWNER, false)),
                None,
            )
            .await;
        assert_eq!(list["data"].as_array().unwrap().len(), 1, "{list}");

        put(
            &app,
            started["url"].as_str().unwrap(),
            "hd-10s-1280x720.mp4",
        )
        .await;
        let now = until_swapped(&app, id, &first["playbackId"]).await;
        assert_eq!((&now["id"], &now["name"]), (&first["id"], &first["name"]));
        assert_eq!(now["campaignId"], first["campaignId"]);
        assert!(now["version"].as_i64() > first["version"].as_i64(), "{now}");
        assert!(
            now["replacement"].is_null() && now["replacedAt"].is_string(),
            "{now}"
        );
        assert_ne!(now["muxAssetId"], first["muxAssetId"]);
        assert!(
            (now["duration"].as_f64().unwrap() - 10.0).abs() < 0.1,
            "{now}"
        );
        let media = app.http.get(now["playbackUrl"].as_str().unwrap());
        assert_eq!(media.send().await.unwrap().status(), StatusCode::OK);
        // Live pages hear of the new file's progress as changes of the card, never of a take.
        let mut heard = 0;
        while let Ok(change) = live.try_recv() {
            assert_eq!(change.asset_id.to_string(), id, "a page heard of a take");
            heard += 1;
        }
        assert!(heard > 0, "no live change while the card took its new file");
        let history = app.store.asset_events(id.parse().unwrap()).await.unwrap();
        assert!(history.iter().any(|e| e.cause == "replace"), "{history:?}");

        // The old Mux asset goes through the deletion job; its late `video.asset.deleted` lands
        // on the take that holds it now, never on the card.
        eventually("the old Mux asset deleted", async || {
            app.app.deletions.finish_pending(now_ms()).await.unwrap();
            app.emulator.asset(&old_asset).is_none()
        })
        .await;
        let deleted_events = format!(
            "SELECT COUNT(*) FROM webhook_events WHERE event_type = 'video.asset.deleted'
             AND object_id = '{old_asset}' AND outcome = 'applied'"
        );
        eventually("the old asset's deletion heard", async || {
            count(&app.store, &deleted_events).await > 0
        })
        .await;
        let after = view(&app, id).await;
        assert_eq!(
            (&after["status"], &after["playbackId"]),
            (&json!("READY"), &now["playbackId"])
        );

        eventually("asset.updated with the replaced marker", async || {
            hooks.lock().unwrap().iter().any(|hook| {
                hook["type"] == "asset.updated"
                    && hook["data"]["replaced"] == true
                    && hook["data"]["playbackId"] == now["playbackId"]
            })
        })
        .await;
        let heard = hooks.lock().unwrap().clone();
        assert!(
            heard.iter().all(|hook| hook["data"]["id"] == id),
            "the host app heard of a row other than the card: {heard:?}"
        );
    }
);

app_test!(
    a_broken_new_file_leaves_the_old_video_playing_and_says_why,
    |app: TestApp| async move {
        let first = ready_asset(&app, "tiny-2s-320x240.mp4").await;
        let id = first["id"].as_str().unwrap();
        let (status, started) = replace(&app, OWNER, id, new_file()).await;
        assert_eq!(status, StatusCode::CREATED, "{started}");
        put(&app, started["url"].as_str().unwrap(), "random-bytes.mp4").await;
        let mut now = Value::Null;
        eventually("the replacement failing", async || {
            now = view(&app, id).await;
            now["replacement"]["status"] == "error"
        })
        .await;
        assert_eq!(
            now["replacement"]["error"]["type"], "invalid_input",
            "{now}"
        );
        assert!(now["replacement"]["error"]["message"]
            .as_str()
            .is_some_and(|m| !m.is_empty()));
        assert_eq!(
            (&now["status"], &now["playbackId"], &now["muxAssetId"]),
            (&json!("READY"), &first["playbackId"], &first["muxAssetId"])
        );
        assert!(now["replacedAt"].is_null(), "{now}");
        let media = app.http.get(now["playbackUrl"].as_str().unwrap());
        assert_eq!(media.send().await.unwrap().status(), StatusCode::OK);

        // After a failure the owner may try again, and again: a new replacement supersedes one
        // whose file has not arrived, whose upload is cancelled.
        let (status, again) = replace(&app, OWNER, id, new_file()).await;
        assert_eq!(status, StatusCode::CREATED, "{again}");
        assert_eq!(again["asset"]["replacement"]["status"], "uploading");
        let (status, third) = replace(&app, OWNER, id, new_file()).await;
        assert_eq!(status, StatusCode::CREATED, "{third}");
        let superseded = again["uploadId"].as_str().unwrap();
        eventually("the superseded upload cancelled", async || {
            app.app.deletions.finish_pending(now_ms()).await.unwrap();
            app.emulator
                .upload(superseded)
                .is_some_and(|u| u.status == mux_emulator::UploadStatus::Cancelled)
        })
        .await;
        let now = view(&app, id).await;
        assert_eq!(now["replacement"]["status"], "uploading", "{now}");
    }
);

app_test!(
    a_new_file_being_processed_holds_the_card_until_it_is_done,
    |app: TestApp| async move {
        let first = ready_asset(&app, "tiny-2s-320x240.mp4").await;
        let id = first["id"].as_str().unwrap();
        // Only the webhook below speaks for Mux.
        app.emulator.set_faults(mux_emulator::FaultConfig {
            webhooks: mux_emulator::WebhookFaults {
                drop_rate: 1.0,
                ..Default::default()
            },
            ..Default::default()
        });
        let (status, started) = replace(&app, OWNER, id, new_file()).await;
        assert_eq!(status, StatusCode::CREATED, "{started}");
        let upload = started["uploadId"].as_str().unwrap();
        let data =
            json!({"id": upload, "asset_id": "asset-being-processed", "status": "asset_created"});
        let arrived = envelope("evt-replace-1", "video.upload.asset_created", 1, data);
        assert!(app.post_signed(&arrived).await.is_success());
        let now = view(&app, id).await;
        assert_eq!(now["replacement"]["status"], "processing", "{now}");
        assert_eq!(
            (&now["status"], &now["playbackId"]),
            (&json!("READY"), &first["playbackId"])
        );
        let (status, busy) = replace(&app, OWNER, id, new_file()).await;
        assert_eq!(status, StatusCode::CONFLICT, "{busy}");
        assert_eq!(busy["error"]["type"], "conflict");
        assert!(busy["error"]["message"]
            .as_str()
            .unwrap()
            .contains("being processed"));
    }
);

app_test!(
    what_may_not_be_replaced_is_refused_by_status,
    |app: TestApp| async move {
        let ready = ready_asset(&app, "tiny-2s-320x240.mp4").await;
        let id = ready["id"].as_str().unwrap();
        for (body, message) in [
            (json!({}), "fileSize is required"),
            (json!({"fileSize": 0}), "the file is empty"),
            (json!({"fileSize": 20_000_000_000u64}), "the limit is"),
            (
                json!({"fileSize": 1024, "fileType": "application/pdf"}),
                "not accepted here",
            ),
        ] {
            let (status, reply) = replace(&app, OWNER, id, body.clone()).await;
            assert_eq!(status, StatusCode::BAD_REQUEST, "{body}: {reply}");
            let text = reply["error"]["message"].as_str().unwrap();
            assert!(text.contains(message), "{body}: {reply}");
        }
        for (who, target) in [
            ("someone_else", id.to_owned()),
            (OWNER, uuid::Uuid::new_v4().to_string()),
            (OWNER, "not-an-id".to_owned()),
        ] {
            let (status, reply) = replace(&app, who, &target, new_file()).await;
            assert_eq!(status, StatusCode::NOT_FOUND, "{who} {target}: {reply}");
        }
        let path = format!("/api/creative-assets/{id}/replace");
        let (status, _) = app.call(Method::POST, &path, None, Some(new_file())).await;
        assert_eq!(status, StatusCode::UNAUTHORIZED);
        let by_cookie = app
            .http
            .post(format!("{}{path}", app.base))
            .header(
                COOKIE,
                format!("{HOST_SESSION_COOKIE}={}", app.token(OWNER, false)),
            )
            .header(ORIGIN, "https://evil.example")
            .json(&new_file());
        assert_eq!(
            by_cookie.send().await.unwrap().status(),
            StatusCode::FORBIDDEN
        );

        let (waiting, _) = app.create_upload(OWNER, "not-sent-yet.mp4").await;
        let (status, reply) = replace(&app, OWNER, &waiting, new_file()).await;
        assert_eq!(status, StatusCode::CONFLICT, "{reply}");
        assert!(reply["error"]["message"]
            .as_str()
            .unwrap()
            .contains("AWAITING_UPLOAD"));
        // Nothing refused reached Mux or left a take behind; the ready card is untouched.
        assert_eq!(
            app.emulator.uploads().len(),
            2,
            "a refused replace made an upload"
        );
        let now = view(&app, id).await;
        assert!(
            now["replacement"].is_null() && now["version"] == ready["version"],
            "{now}"
        );
        let (status, deleted) = app
            .call(
                Method::DELETE,
                &format!("/api/creative-assets/{id}"),
                Some((OWNER, false)),
                None,
            )
            .await;
        assert!(status.is_success(), "{deleted}");
        let (status, _) = replace(&app, OWNER, id, new_file()).await;
        assert_eq!(
            status,
            StatusCode::NOT_FOUND,
            "a deleted card cannot be replaced"
        );
    }
);
