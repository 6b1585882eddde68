//! Holes that faults and a hostile or hurried client opened in "never loses track", each closed
//! and proven here: an event that cannot be applied is kept as `failed` (not lost, not a 500); an
//! event and a row learning its key at the same moment never miss each other; a deletion whose
//! upload became an asset deletes that asset; health tells a user's broken file from a failing
//! system. (A user who creates too fast is told when to come back: `bounds`.)

use muxd_domain::event::ErrorSource;
use muxd_domain::ExternalUserId;
use muxd_domain::{AssetId, ErrorInfo, LifecycleEvent};
use muxd_store::webhooks::WebhookFilter;
use muxd_store::{now_ms, NewAsset, Outcome, Role, Store};
use reqwest::{Method, StatusCode};
use serde_json::json;

use crate::store::webhook_cause;
use muxd_testkit::app::TestApp;
use muxd_testkit::app_test;
use muxd_testkit::databases::{eventually, store_test};

const USER: &str = "user_tracking";

async fn row(store: &Store, owner: &str, upload: Option<&str>) -> AssetId {
    let user = store
        .upsert_user(&ExternalUserId::parse(owner).unwrap(), Role::User)
        .await
        .unwrap();
    let id = AssetId::new();
    store
        .insert_asset(&NewAsset {
            id,
            owner_id: user.id,
            campaign_id: None,
            influencer_id: None,
            name: "t.mp4".into(),
            description: None,
            file_size: None,
            encoding: None,
        })
        .await
        .unwrap();
    if let Some(upload) = upload {
        store.set_upload(id, upload, "https://u").await.unwrap();
    }
    id
}

app_test!(
    an_event_that_cannot_be_applied_is_kept_as_failed_with_its_reason,
    |app: TestApp| async move {
        // Row A owns upload "up-dup"; an event names row B by passthrough and "up-dup" as its
        // upload: B cannot learn an upload id another row holds.
        row(&app.store, USER, Some("up-dup")).await;
        let b = row(&app.store, USER, None).await;
        let body = json!({"type": "video.upload.created", "id": "evt-cannot-apply",
            "created_at": "2026-11-26T10:00:00Z", "object": {"type": "upload", "id": "up-dup"},
            "data": {"id": "up-dup", "status": "waiting", "new_asset_settings": {"passthrough": b.to_string()}}});
        let status = app.post_signed(body.to_string().as_bytes()).await;
        assert_eq!(status, StatusCode::OK, "kept, so Mux need not retry");
        let stored = app
            .store
            .webhook_event("evt-cannot-apply")
            .await
            .unwrap()
            .unwrap();
        assert_eq!(stored.outcome, Outcome::Failed);
        let detail = stored.detail.unwrap_or_default();
        assert!(!detail.is_empty(), "the reason is kept for admins");
        let failed = app
            .store
            .webhook_events(&WebhookFilter {
                outcome: Some(Outcome::Failed),
                limit: 10,
                ..Default::default()
            })
            .await
            .unwrap();
        assert_eq!(failed.len(), 1);
        // A second delivery of the same event is a duplicate, not a second failure.
        assert_eq!(
            app.post_signed(body.to_string().as_bytes()).await,
            StatusCode::OK
        );
        assert_eq!(app.stored_events().await, 1);
    }
);

store_test!(
    an_event_and_its_row_learning_the_key_never_miss_each_other,
    super::an_event_and_its_row_learning_the_key_never_miss_each_other
);
async fn an_event_and_its_row_learning_the_key_never_miss_each_other(store: Store) {
    let ingest = muxd_core::service::ingest::Ingestor::new(
        store.clone(),
        Default::default(),
        "https://stream.example".into(),
    );
    for n in 0..40 {
        let id = row(&store, USER, None).await;
        let upload = format!("up-race-{n}");
        let body = json!({"type": "video.upload.asset_created", "id": format!("evt-race-{n}"),
            "created_at": "2026-11-26T10:00:00Z", "object": {"type": "upload", "id": upload},
            "data": {"id": upload, "status": "asset_created", "asset_id": format!("as-race-{n}")}})
        .to_string();
        // The event (matching by upload id only) and the create storing that upload id race.
        let (delivered, learned) = tokio::join!(ingest.ingest(body.as_bytes(), now_ms()), async {
            store.set_upload(id, &upload, "https://u").await.unwrap();
            ingest.settle(id).await
        });
        delivered.unwrap();
        learned.unwrap();
        let asset = store.asset(id).await.unwrap().unwrap();
        assert_eq!(
            asset.facts.mux_asset_id.as_deref(),
            Some(format!("as-race-{n}").as_str()),
            "round {n}: the event was lost between the two transactions"
        );
    }
}

app_test!(
    deleting_an_upload_that_became_an_asset_deletes_the_asset,
    |app: TestApp| async move {
        // Mux's webhooks are lost, so muxd never learns the asset id of the upload.
        app.emulator.set_faults(mux_emulator::FaultConfig {
            webhooks: mux_emulator::WebhookFaults {
                drop_rate: 1.0,
                ..Default::default()
            },
            ..Default::default()
        });
        let (id, url) = app.create_upload(USER, "gone.mp4").await;
        let put = app
            .http
            .put(&url)
            .body(crate::media::fixture("tiny-2s-320x240.mp4"))
            .send()
            .await
            .unwrap();
        assert!(put.status().is_success());
        let made = async || app.emulator.assets().len() == 1;
        eventually("Mux making the asset", made).await;
        let (status, reply) = app
            .call(
                Method::DELETE,
                &format!("/api/creative-assets/{id}"),
                Some((USER, false)),
                None,
            )
            .await;
        assert_eq!(status, StatusCode::OK, "{reply}");
        assert_eq!(reply["muxDeletion"], "done");
        assert!(
            app.emulator.assets().is_empty(),
            "the asset is gone from Mux"
        );
    }
);

app_test!(
    health_tells_a_broken_file_from_a_failing_system,
    |app: TestApp| async move {
        let error = |kind: &str| LifecycleEvent::UploadErrored {
            error: ErrorInfo {
                kind: kind.into(),
                message: "m".into(),
                source: ErrorSource::Upload,
            },
        };
        let stream = "https://stream.example";
        for n in 0..5 {
            let id = row(&app.store, USER, Some(&format!("up-bad-file-{n}"))).await;
            let event = error("invalid_input");
            app.store
                .apply(id, &event, now_ms(), &webhook_cause(n), stream)
                .await
                .unwrap();
        }
        // Health's figures may be up to a second old: wait until they count the five.
        let counted = async || app.health().await["processing"]["recentErrors"] == 5;
        eventually("five users' files failing, in health", counted).await;
        assert_eq!(
            app.health().await["status"],
            "healthy",
            "users' files are not system errors"
        );
        for n in 0..5 {
            let id = row(&app.store, USER, Some(&format!("up-system-{n}"))).await;
            let event = error("internal_error");
            app.store
                .apply(id, &event, now_ms(), &webhook_cause(10 + n), stream)
                .await
                .unwrap();
        }
        // Health's figures may be up to a second old.
        let degraded = async || app.health().await["status"] == "degraded";
        eventually("health degraded by system errors", degraded).await;
        assert_eq!(app.health().await["processing"]["recentSystemErrors"], 5);
    }
);
