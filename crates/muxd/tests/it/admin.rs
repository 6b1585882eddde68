//! Admin tools over HTTP: the webhook event log with its filters, replay of a stored event that
//! re-applies it, and the asset list's owner and orphaned-upload filters.

use muxd_domain::ExternalUserId;
use reqwest::{Method, StatusCode};
use serde_json::{json, Value};

use muxd_testkit::app::TestApp;
use muxd_testkit::app_test;

const ADMIN: Option<(&str, bool)> = Some(("user_admin", true));

async fn get(app: &TestApp, path: &str) -> Value {
    let (status, body) = app.call(Method::GET, path, ADMIN, None).await;
    assert_eq!(status, StatusCode::OK, "{path}: {body}");
    body
}

app_test!(
    the_event_log_filters_and_replay_reapplies,
    |app: TestApp| async move {
        let unknown = serde_json::to_vec(
            &json!({"type": "video.live_stream.idle", "id": "evt-ls", "data": {"id": "ls"}}),
        )
        .unwrap();
        assert_eq!(app.post_signed(&unknown).await, StatusCode::OK);
        let early = serde_json::to_vec(
            &json!({"type": "video.upload.asset_created", "id": "evt-orphan",
        "data": {"id": "up-admin", "asset_id": "as-admin", "status": "asset_created"}}),
        )
        .unwrap();
        assert_eq!(app.post_signed(&early).await, StatusCode::OK);

        let ignored = get(&app, "/api/debug/webhook-events?outcome=ignored").await;
        let ids: Vec<_> = ignored["data"]
            .as_array()
            .unwrap()
            .iter()
            .map(|e| e["event_id"].clone())
            .collect();
        assert_eq!(ids, [json!("evt-ls")]);
        let by_type = get(
            &app,
            "/api/debug/webhook-events?type=video.upload.asset_created",
        )
        .await;
        assert_eq!(by_type["data"].as_array().unwrap().len(), 1);
        assert!(
            by_type["data"][0].get("payload").is_none(),
            "the log lists events without their payloads"
        );
        let (status, _) = app
            .call(
                Method::GET,
                "/api/debug/webhook-events?outcome=bogus",
                ADMIN,
                None,
            )
            .await;
        assert_eq!(status, StatusCode::BAD_REQUEST);

        // The row appears later by a path that does not settle (e.g. another instance's insert);
        // replaying the stored event applies it.
        let user = app
            .store
            .upsert_user(
                &ExternalUserId::parse("user_replay").unwrap(),
                muxd_store::Role::User,
            )
            .await
            .unwrap();
        let id = muxd_domain::AssetId::new();
        app.store
            .insert_asset(&muxd_store::NewAsset {
                id,
                owner_id: user.id,
                campaign_id: None,
                influencer_id: None,
                name: "r".into(),
                description: None,
                file_size: None,
                encoding: None,
            })
            .await
            .unwrap();
        app.store
            .set_upload(id, "up-admin", "https://u")
            .await
            .unwrap();
        let (status, replayed) = app
            .call(
                Method::POST,
                "/api/debug/webhook-events/evt-orphan/replay",
                ADMIN,
                None,
            )
            .await;
        assert_eq!(status, StatusCode::OK, "{replayed}");
        assert_eq!(replayed["outcome"], "applied");
        assert_eq!(replayed["assetId"], id.to_string());
        let row = app.store.asset(id).await.unwrap().unwrap();
        assert_eq!(row.facts.mux_asset_id.as_deref(), Some("as-admin"));
        let (status, _) = app
            .call(
                Method::POST,
                "/api/debug/webhook-events/evt-missing/replay",
                ADMIN,
                None,
            )
            .await;
        assert_eq!(status, StatusCode::NOT_FOUND);
    }
);

app_test!(
    the_asset_list_filters_by_owner_and_orphaned_uploads,
    |app: TestApp| async move {
        let (mine, _) = app.create_upload("user_listed", "a.mp4").await;
        app.create_upload("user_unlisted", "b.mp4").await;
        let listed = get(&app, "/api/debug/mux-assets?owner=user_listed").await;
        let ids: Vec<_> = listed["data"]
            .as_array()
            .unwrap()
            .iter()
            .map(|a| a["asset"]["id"].clone())
            .collect();
        assert_eq!(ids, [json!(mine)]);
        assert_eq!(
            get(&app, "/api/debug/mux-assets").await["data"]
                .as_array()
                .unwrap()
                .len(),
            2
        );
        // Nothing is an orphan yet: an upload becomes one after an hour without an asset.
        assert!(
            get(&app, "/api/debug/mux-assets?orphaned=true").await["data"]
                .as_array()
                .unwrap()
                .is_empty()
        );
        muxd_testkit::databases::exec(
            &app.store,
            &format!(
                "UPDATE creative_assets SET created_at = created_at - 7200000 WHERE id = '{mine}'"
            ),
        )
        .await;
        let orphans = get(&app, "/api/debug/mux-assets?orphaned=true").await;
        let ids: Vec<_> = orphans["data"]
            .as_array()
            .unwrap()
            .iter()
            .map(|a| a["asset"]["id"].clone())
            .collect();
        assert_eq!(ids, [json!(mine)]);
        let (status, _) = app
            .call(
                Method::GET,
                "/api/debug/mux-assets?owner=user_nobody",
                ADMIN,
                None,
            )
            .await;
        assert_eq!(status, StatusCode::NOT_FOUND);
    }
);
