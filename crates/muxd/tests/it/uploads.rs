//! `POST /api/mux/create-video-upload` when things go wrong: bad input gets a clear 400 and no
//! row; Mux refusing leaves no orphan row; Mux failing in a way that may have created the upload
//! shows the user no card, and the reconciler settles the row (finding the upload on Mux by
//! passthrough and cancelling it), so nothing is lost track of.

use muxd_domain::ExternalUserId;
use std::time::Duration;

use muxd_domain::schedule::Schedule;
use muxd_domain::AssetId;
use muxd_store::{now_ms, NewAsset, Role};
use reqwest::{Method, StatusCode};
use serde_json::{json, Value};

use muxd_testkit::app::TestApp;
use muxd_testkit::app_test;
use muxd_testkit::databases::eventually;

const USER: Option<(&str, bool)> = Some(("user_uploads", false));

async fn my_assets(app: &TestApp) -> Vec<Value> {
    let (_, list) = app
        .call(Method::GET, "/api/creative-assets", USER, None)
        .await;
    list["data"].as_array().unwrap().clone()
}

app_test!(
    bad_input_gets_a_clear_400_and_no_row,
    |app: TestApp| async move {
        let cases = [
            (json!({}), "name is required"),
            (json!({"name": "   "}), "name is required"),
            (json!({"name": "x".repeat(256)}), "at most 255"),
            (json!({"name": "a.mp4"}), "fileSize is required"),
            (
                json!({"name": "a.mp4", "fileSize": null}),
                "fileSize is required",
            ),
            (
                json!({"name": "a.pdf", "fileSize": 1024, "fileType": "application/pdf"}),
                "files are not accepted here (accepted: video/*, audio/*)",
            ),
            (json!({"name": "a.mp4", "fileSize": 0}), "the file is empty"),
            (
                json!({"name": "a.mp4", "fileSize": 20_000_000_000u64}),
                "the limit is",
            ),
            (
                json!({"name": "a.mp4", "fileSize": 1024, "campaignId": "no such id!"}),
                "campaignId must be 1 to 128",
            ),
            (
                json!({"name": "a.mp4", "fileSize": 1024, "campaignId": uuid::Uuid::new_v4()}),
                "no such campaign",
            ),
            (
                json!({"name": "a.mp4", "fileSize": 1024, "influencerId": uuid::Uuid::new_v4()}),
                "needs a campaignId",
            ),
        ];
        for (body, message) in cases {
            let (status, reply) = app
                .call(
                    Method::POST,
                    "/api/mux/create-video-upload",
                    USER,
                    Some(body.clone()),
                )
                .await;
            assert_eq!(status, StatusCode::BAD_REQUEST, "{body}: {reply}");
            assert!(
                reply["error"]["message"]
                    .as_str()
                    .unwrap()
                    .contains(message),
                "{body}: {reply}"
            );
        }
        let response = app
            .http
            .post(format!("{}/api/mux/create-video-upload", app.base))
            .bearer_auth(app.token("user_uploads", false))
            .header("content-type", "application/json")
            .body("{not json")
            .send()
            .await
            .unwrap();
        assert_eq!(response.status(), StatusCode::BAD_REQUEST);
        let reply: Value = response.json().await.unwrap();
        assert_eq!(reply["error"]["type"], "invalid_parameters", "{reply}");
        assert!(
            my_assets(&app).await.is_empty(),
            "a refused request left a row"
        );
        assert!(
            app.emulator.uploads().is_empty(),
            "a refused request reached Mux"
        );
    }
);

app_test!(
    mux_refusing_leaves_no_orphan_row,
    |app: TestApp| async move {
        app.add_fault(
            json!({"method": "POST", "path": "/video/v1/uploads", "kind": "error", "status": 400}),
        )
        .await;
        let (status, reply) = app
            .call(
                Method::POST,
                "/api/mux/create-video-upload",
                USER,
                Some(json!({"name": "a.mp4", "fileSize": 1024})),
            )
            .await;
        assert_eq!(status, StatusCode::BAD_GATEWAY, "{reply}");
        assert_eq!(reply["error"]["type"], "mux_rejected");
        assert!(
            my_assets(&app).await.is_empty(),
            "an orphan row was left behind"
        );
    }
);

app_test!(
    mux_failing_ambiguously_shows_no_card_and_the_reconciler_settles_it,
    |app: TestApp| async move {
        app.add_fault(
            json!({"method": "POST", "path": "/video/v1/uploads", "kind": "error", "status": 503}),
        )
        .await;
        let (status, reply) = app
            .call(
                Method::POST,
                "/api/mux/create-video-upload",
                USER,
                Some(json!({"name": "a.mp4", "fileSize": 1024})),
            )
            .await;
        assert_eq!(status, StatusCode::SERVICE_UNAVAILABLE, "{reply}");
        let message = reply["error"]["message"].as_str().unwrap();
        assert!(!message.contains("Some("), "{message}");
        // Mux may have made the upload: the row waits, unseen by its owner, for the reconciler.
        assert!(
            my_assets(&app).await.is_empty(),
            "a card the user never asked for"
        );
        let unsent = app.store.unsent_before(now_ms() + 1, 10).await.unwrap();
        assert_eq!(unsent.len(), 1);
        app.emulator.clear_faults();
        let schedule = Schedule {
            unsent_grace: Duration::ZERO,
            ..Schedule::default()
        };
        let outcome = app
            .app
            .reconciler(schedule)
            .run_once("a", now_ms() + 1)
            .await
            .unwrap();
        assert_eq!(outcome.settled, 1);
        assert!(app.store.asset(unsent[0].id).await.unwrap().is_none());
        // Mux recovers: the next create succeeds.
        let (status, reply) = app
            .call(
                Method::POST,
                "/api/mux/create-video-upload",
                USER,
                Some(json!({"name": "b.mp4", "fileSize": 1024})),
            )
            .await;
        assert_eq!(status, StatusCode::CREATED, "{reply}");
        assert_eq!(my_assets(&app).await.len(), 1);
    }
);

app_test!(
    a_create_interrupted_on_mux_is_found_by_passthrough_and_cancelled,
    |app: TestApp| async move {
        // A row whose create reached Mux but died before storing the upload id.
        let user = app
            .store
            .upsert_user(&ExternalUserId::parse("user_uploads").unwrap(), Role::User)
            .await
            .unwrap();
        let id = AssetId::new();
        app.store
            .insert_asset(&NewAsset {
                id,
                owner_id: user.id,
                campaign_id: None,
                influencer_id: None,
                name: "lost.mp4".into(),
                description: None,
                file_size: None,
                encoding: None,
            })
            .await
            .unwrap();
        let mux = app.app.mux.clone();
        let request = mux_api::CreateUploadRequest {
            new_asset_settings: mux_api::NewAssetSettings {
                passthrough: Some(id.to_string()),
                ..Default::default()
            },
            ..Default::default()
        };
        let upload = mux.create_upload(&request).await.unwrap();
        let schedule = Schedule {
            unsent_grace: Duration::ZERO,
            ..Schedule::default()
        };
        let settled = async || {
            app.app
                .reconciler(schedule.clone())
                .run_once("a", now_ms() + 1)
                .await
                .unwrap()
                .settled
                == 1
                || app.store.asset(id).await.unwrap().is_none()
        };
        eventually("the interrupted create settled", settled).await;
        let on_mux = app.emulator.uploads();
        let mine = on_mux.iter().find(|u| u.id == upload.id).unwrap();
        assert_eq!(mine.status, mux_emulator::UploadStatus::Cancelled);
    }
);

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_spare_upload_from_the_pool_serves_a_user_and_its_early_events_apply() {
    let Some(app) = TestApp::spawn_with_pool(muxd_testkit::app::Backend::Sqlite, 2).await else {
        return;
    };
    // The pool fills in the background, one spare per second at most.
    eventually("the pool filling", async || app.app.uploads.pool.len() == 2).await;
    let spares: Vec<String> = app.emulator.uploads().into_iter().map(|u| u.id).collect();
    // Mux has already told us about the spares; no row exists for them yet.
    let filter = muxd_store::webhooks::WebhookFilter {
        outcome: Some(muxd_store::Outcome::Unmatched),
        limit: 10,
        ..Default::default()
    };
    let told = async || app.store.webhook_events(&filter).await.unwrap().len() == 2;
    eventually("Mux's events about the spares arriving", told).await;
    let (status, created) = app
        .call(
            Method::POST,
            "/api/mux/create-video-upload",
            USER,
            Some(json!({"name": "fast.mp4", "fileSize": 1024})),
        )
        .await;
    assert_eq!(status, StatusCode::CREATED, "{created}");
    let upload_id = created["uploadId"].as_str().unwrap();
    assert!(
        spares.iter().any(|s| s == upload_id),
        "not served from the pool"
    );
    assert_eq!(
        app.emulator.uploads().len(),
        2,
        "a new upload was made while a spare was ready"
    );
    // The spare's `video.upload.created`, unmatched until now, applied to the new row.
    let id = created["id"].as_str().unwrap();
    let stored = app
        .store
        .webhook_events(&muxd_store::webhooks::WebhookFilter {
            limit: 10,
            ..Default::default()
        })
        .await
        .unwrap();
    let applied = stored
        .iter()
        .find(|e| e.object_id.as_deref() == Some(upload_id))
        .expect("the spare's event is stored");
    assert_eq!(applied.outcome, muxd_store::Outcome::Applied);
    assert_eq!(applied.asset_id.map(|a| a.to_string()).as_deref(), Some(id));
    // And the upload works end to end.
    app.http
        .put(created["url"].as_str().unwrap())
        .body(crate::media::fixture("tiny-2s-320x240.mp4"))
        .send()
        .await
        .unwrap();
    let asset = app.wait_for("user_uploads", id, |s| s == "READY").await;
    assert_eq!(asset["status"], "READY", "{asset}");
}
