//! Replacing a video in place when things go wrong, on both databases: the new file's webhooks
//! reordered and duplicated, or all dropped (the reconciler polls the pending take like any
//! upload), end as a clean swap; a replacement whose upload create fails ambiguously frees the
//! card at once and is settled by the reconciler like any unsent upload; deleting a card
//! gives up its pending replacement on Mux too; and a new file counts against the per-minute
//! upload limit.

use std::time::Duration;

use mux_emulator::{FaultConfig, WebhookFaults};
use muxd_domain::schedule::Schedule;
use muxd_store::now_ms;
use reqwest::StatusCode;
use serde_json::{json, Value};

use crate::replace::{new_file, put, ready_asset, replace, until_swapped, view, OWNER};
use muxd_testkit::app::TestApp;
use muxd_testkit::app_test;
use muxd_testkit::databases::eventually;

fn webhook_faults(app: &TestApp, webhooks: WebhookFaults) {
    app.emulator.set_faults(FaultConfig {
        webhooks,
        ..Default::default()
    });
}

/// The end state of a good replacement of `first`: the new video, nothing pending, and the old
/// Mux asset deleted through the deletion job.
async fn swapped_cleanly(app: &TestApp, first: &Value) {
    let id = first["id"].as_str().unwrap();
    let now = until_swapped(app, id, &first["playbackId"]).await;
    assert!(now["replacement"].is_null(), "{now}");
    assert!(now["version"].as_i64() > first["version"].as_i64(), "{now}");
    let old = first["muxAssetId"].as_str().unwrap();
    eventually("the old Mux asset deleted", async || {
        app.app.deletions.finish_pending(now_ms()).await.unwrap();
        app.emulator.asset(old).is_none()
    })
    .await;
    let new = now["muxAssetId"].as_str().unwrap();
    assert!(
        app.emulator.asset(new).is_some(),
        "the new asset was deleted"
    );
    assert_eq!(view(app, id).await["playbackId"], now["playbackId"]);
}

app_test!(
    a_replacements_webhooks_reordered_and_duplicated_end_in_the_same_swap,
    |app: TestApp| async move {
        let first = ready_asset(&app, "tiny-2s-320x240.mp4").await;
        webhook_faults(
            &app,
            WebhookFaults {
                duplicate_rate: 1.0,
                reorder_window_ms: 300,
                ..Default::default()
            },
        );
        let (status, started) =
            replace(&app, OWNER, first["id"].as_str().unwrap(), new_file()).await;
        assert_eq!(status, StatusCode::CREATED, "{started}");
        put(
            &app,
            started["url"].as_str().unwrap(),
            "hd-10s-1280x720.mp4",
        )
        .await;
        swapped_cleanly(&app, &first).await;
        assert!(
            app.emulator.deliveries().iter().any(|d| d.duplicate),
            "no webhook was sent twice"
        );
    }
);

app_test!(
    with_webhooks_dropped_the_reconciler_finishes_the_replacement,
    |app: TestApp| async move {
        let first = ready_asset(&app, "tiny-2s-320x240.mp4").await;
        let id = first["id"].as_str().unwrap();
        webhook_faults(
            &app,
            WebhookFaults {
                drop_rate: 1.0,
                ..Default::default()
            },
        );
        let (status, started) = replace(&app, OWNER, id, new_file()).await;
        assert_eq!(status, StatusCode::CREATED, "{started}");
        let upload_id = started["uploadId"].as_str().unwrap().to_owned();
        put(
            &app,
            started["url"].as_str().unwrap(),
            "hd-10s-1280x720.mp4",
        )
        .await;
        eventually("Mux finishing the new asset", async || {
            let upload = app.emulator.upload(&upload_id).unwrap();
            upload
                .asset_id
                .and_then(|asset| app.emulator.asset(&asset))
                .is_some_and(|asset| asset.status == mux_emulator::AssetStatus::Ready)
        })
        .await;
        let waiting = view(&app, id).await;
        assert_eq!(
            waiting["playbackId"], first["playbackId"],
            "a webhook got through"
        );
        assert_eq!(waiting["replacement"]["status"], "uploading", "{waiting}");
        let eager = Schedule {
            grace: Duration::ZERO,
            ..Schedule::default()
        };
        let outcome = app
            .app
            .reconciler(eager)
            .run_once("instance-a", now_ms())
            .await
            .unwrap();
        assert_eq!(outcome.changed, 1, "{outcome:?}");
        swapped_cleanly(&app, &first).await;
    }
);

app_test!(
    a_replacement_whose_upload_may_exist_frees_the_card_and_is_settled,
    |app: TestApp| async move {
        let first = ready_asset(&app, "tiny-2s-320x240.mp4").await;
        let id = first["id"].as_str().unwrap();
        app.add_fault(
            json!({"method": "POST", "path": "/video/v1/uploads", "kind": "error", "status": 503}),
        )
        .await;
        let (status, reply) = replace(&app, OWNER, id, new_file()).await;
        assert_eq!(status, StatusCode::SERVICE_UNAVAILABLE, "{reply}");
        // The owner got no URL: the card is free at once; the unsent take waits for the
        // reconciler, and settling it leaves the newer replacement's status alone.
        let freed = view(&app, id).await;
        assert!(freed["replacement"].is_null(), "{freed}");
        assert_eq!(freed["playbackId"], first["playbackId"]);
        app.emulator.clear_faults();
        let (status, again) = replace(&app, OWNER, id, new_file()).await;
        assert_eq!(status, StatusCode::CREATED, "{again}");
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
        assert_eq!(outcome.settled, 1, "{outcome:?}");
        let now = view(&app, id).await;
        assert_eq!(now["replacement"]["status"], "uploading", "{now}");
    }
);

app_test!(
    deleting_a_card_gives_up_its_replacement_on_mux_too,
    |app: TestApp| async move {
        let first = ready_asset(&app, "tiny-2s-320x240.mp4").await;
        let id = first["id"].as_str().unwrap();
        let (status, started) = replace(&app, OWNER, id, new_file()).await;
        assert_eq!(status, StatusCode::CREATED, "{started}");
        let upload_id = started["uploadId"].as_str().unwrap().to_owned();
        let path = format!("/api/creative-assets/{id}");
        let (status, deleted) = app
            .call(reqwest::Method::DELETE, &path, Some((OWNER, false)), None)
            .await;
        assert!(status.is_success(), "{deleted}");
        eventually(
            "the old asset and the new upload gone from Mux",
            async || {
                app.app.deletions.finish_pending(now_ms()).await.unwrap();
                let cancelled = app
                    .emulator
                    .upload(&upload_id)
                    .is_some_and(|u| u.status == mux_emulator::UploadStatus::Cancelled);
                cancelled
                    && app
                        .emulator
                        .asset(first["muxAssetId"].as_str().unwrap())
                        .is_none()
            },
        )
        .await;
    }
);

app_test!(
    a_new_file_counts_against_the_per_minute_upload_limit,
    spawn = |backend| TestApp::spawn_with_settings(
        backend,
        &[("MUXD_UPLOADS_PER_USER_PER_MINUTE", "2")]
    ),
    |app: TestApp| async move {
        let first = ready_asset(&app, "tiny-2s-320x240.mp4").await;
        let id = first["id"].as_str().unwrap();
        let (status, started) = replace(&app, OWNER, id, new_file()).await;
        assert_eq!(status, StatusCode::CREATED, "{started}");
        let (status, refused) = replace(&app, OWNER, id, new_file()).await;
        assert_eq!(status, StatusCode::TOO_MANY_REQUESTS, "{refused}");
        // The refusal changed nothing: the first new file is still on its way.
        let now = view(&app, id).await;
        assert_eq!(now["replacement"]["status"], "uploading", "{now}");
        assert_eq!(
            app.emulator.uploads().len(),
            2,
            "a refused replace made an upload"
        );
    }
);
