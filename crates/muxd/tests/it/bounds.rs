//! Bounds on what one user can make muxd do: an edit that changes nothing writes nothing; edits
//! per minute; open live streams per user; uploads per minute, counted in the database so the
//! limit holds however many instances share it.

use muxd_domain::ExternalUserId;
use std::time::Duration;

use muxd_domain::AssetId;
use muxd_store::NewAsset;
use reqwest::{Method, Response, StatusCode};
use serde_json::json;
use tokio::sync::broadcast::error::TryRecvError;

use muxd_testkit::app::{Backend, TestApp};
use muxd_testkit::app_test;
use muxd_testkit::databases::{count, eventually};

const OWNER: &str = "user_bounds";

/// The `Retry-After` of a response, in seconds.
fn retry_after(response: &Response) -> u64 {
    response.headers()["retry-after"]
        .to_str()
        .unwrap()
        .parse()
        .unwrap()
}

app_test!(
    an_edit_that_changes_nothing_writes_nothing,
    spawn = |backend| TestApp::spawn_with_settings(
        backend,
        &[
            ("MUXD_EDITS_PER_USER_PER_MINUTE", "0"),
            ("MUXD_WEBHOOK_ALLOW_PRIVATE_URLS", "true"),
        ]
    ),
    |app: TestApp| async move {
        let endpoint = json!({"url": "http://127.0.0.1:9/hooks"});
        let (status, _) = app
            .as_app_backend(Method::POST, "/api/app/webhook-endpoints", Some(endpoint))
            .await;
        assert_eq!(status, StatusCode::CREATED);
        let (id, _) = app.create_upload(OWNER, "still.mp4").await;
        let path = format!("/api/creative-assets/{id}");
        let me = Some((OWNER, false));
        // A real edit first: it is announced, so the dispatcher does make update messages.
        let edit = json!({"name": "final.mp4", "description": "kept"});
        let (status, _) = app.call(Method::PATCH, &path, me, Some(edit)).await;
        assert_eq!(status, StatusCode::OK);
        let updates = format!(
            "SELECT COUNT(*) FROM outbound_messages WHERE asset_id = '{id}' AND event_type = 'asset.updated'"
        );
        eventually("the real edit's outbound message", async || {
            count(&app.store, &updates).await == 1
        })
        .await;
        let events = format!("SELECT COUNT(*) FROM asset_events WHERE asset_id = '{id}'");
        let events_before = count(&app.store, &events).await;
        let asset_id = AssetId::parse(&id).unwrap();
        let version = app.store.asset(asset_id).await.unwrap().unwrap().version;
        let mut live = app.app.live.subscribe();

        for n in 0..100 {
            let same = match n % 3 {
                0 => json!({}),
                1 => json!({"name": " final.mp4 "}),
                _ => json!({"description": "kept"}),
            };
            let (status, view) = app.call(Method::PATCH, &path, me, Some(same)).await;
            assert_eq!(status, StatusCode::OK, "{view}");
            assert_eq!(view["name"], "final.mp4", "{view}");
            assert_eq!(view["description"], "kept", "{view}");
        }
        // The dispatcher runs every second and on each change: give it the time to make any.
        tokio::time::sleep(Duration::from_millis(1500)).await;
        let after = app.store.asset(asset_id).await.unwrap().unwrap();
        assert_eq!(after.version, version, "the version moved");
        assert_eq!(
            count(&app.store, &events).await,
            events_before,
            "asset_events written"
        );
        assert_eq!(
            count(&app.store, &updates).await,
            1,
            "outbound messages made"
        );
        assert_eq!(
            live.try_recv().unwrap_err(),
            TryRecvError::Empty,
            "live change sent"
        );
    }
);

app_test!(
    edits_past_the_per_minute_limit_are_told_when_to_come_back,
    spawn =
        |backend| TestApp::spawn_with_settings(backend, &[("MUXD_EDITS_PER_USER_PER_MINUTE", "3")]),
    |app: TestApp| async move {
        let (id, _) = app.create_upload(OWNER, "busy.mp4").await;
        let path = format!("/api/creative-assets/{id}");
        for n in 0..3 {
            let rename = json!({"name": format!("busy-{n}.mp4")});
            let (status, _) = app
                .call(Method::PATCH, &path, Some((OWNER, false)), Some(rename))
                .await;
            assert_eq!(status, StatusCode::OK);
        }
        let refused = app
            .http
            .patch(format!("{}{path}", app.base))
            .bearer_auth(app.token(OWNER, false))
            .json(&json!({"name": "one-too-many.mp4"}))
            .send()
            .await
            .unwrap();
        assert_eq!(refused.status(), StatusCode::TOO_MANY_REQUESTS);
        // 3 a minute: the next one in about 20 s.
        assert!((1..=20).contains(&retry_after(&refused)));
        let (other, _) = app.create_upload("user_bounds_other", "calm.mp4").await;
        let rename = Some(json!({"name": "calm-2.mp4"}));
        let who = Some(("user_bounds_other", false));
        let path = format!("/api/creative-assets/{other}");
        let (status, _) = app.call(Method::PATCH, &path, who, rename).await;
        assert_eq!(status, StatusCode::OK, "another user is not held back");
    }
);

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn live_streams_are_capped_per_user_and_a_closed_one_frees_its_place() {
    let app = TestApp::spawn(Backend::Sqlite).await.unwrap();
    let open = async |who: &str| {
        app.http
            .get(format!("{}/api/live", app.base))
            .bearer_auth(app.token(who, false))
            .send()
            .await
            .unwrap()
    };
    let mut streams = Vec::new();
    for _ in 0..8 {
        let stream = open(OWNER).await;
        assert_eq!(stream.status(), StatusCode::OK);
        streams.push(stream);
    }
    let refused = open(OWNER).await;
    assert_eq!(refused.status(), StatusCode::TOO_MANY_REQUESTS);
    assert!(retry_after(&refused) >= 1);
    let other = open("user_bounds_other").await;
    assert_eq!(
        other.status(),
        StatusCode::OK,
        "another user is not held back"
    );
    drop(streams.pop());
    eventually("the closed stream's place taken again", async || {
        let stream = open(OWNER).await;
        let opened = stream.status() == StatusCode::OK;
        streams.push(stream);
        opened
    })
    .await;
}

app_test!(
    the_per_minute_create_limit_is_counted_in_the_database,
    spawn = |backend| TestApp::spawn_with_settings(
        backend,
        &[("MUXD_UPLOADS_PER_USER_PER_MINUTE", "4")]
    ),
    |app: TestApp| async move {
        // On PostgreSQL, creates race on two instances; SQLite has one.
        let second = app.another_instance().await;
        let bases = [app.base.clone(), second.unwrap_or_else(|| app.base.clone())];
        let token = app.token(OWNER, false);
        let attempts = (0..10).map(|n| {
            let request = app
                .http
                .post(format!("{}/api/mux/create-video-upload", bases[n % 2]))
                .bearer_auth(&token)
                .json(&json!({"name": format!("race-{n}.mp4"), "fileSize": 1024}));
            async move { request.send().await.unwrap() }
        });
        let answers = futures_util::future::join_all(attempts).await;
        let created: Vec<&Response> = answers
            .iter()
            .filter(|a| a.status() == StatusCode::CREATED)
            .collect();
        assert_eq!(created.len(), 4, "exactly the limit, over every instance");
        for refused in answers.iter().filter(|a| a.status() != StatusCode::CREATED) {
            assert_eq!(refused.status(), StatusCode::TOO_MANY_REQUESTS);
            // The first create leaves the window in a minute.
            assert!((50..=60).contains(&retry_after(refused)));
        }

        // Rows any instance wrote count, whatever this process remembers; deleted ones too.
        let user = app
            .store
            .ensure_user(&ExternalUserId::parse("user_bounds_elsewhere").unwrap())
            .await
            .unwrap();
        let mut ids = Vec::new();
        for n in 0..4 {
            let id = AssetId::new();
            let new = NewAsset {
                id,
                owner_id: user.id,
                campaign_id: None,
                influencer_id: None,
                name: format!("elsewhere-{n}.mp4"),
                description: None,
                file_size: Some(1024),
                encoding: None,
            };
            app.store.insert_asset(&new).await.unwrap();
            app.store
                .set_upload(id, &format!("up-{n}"), "http://up")
                .await
                .unwrap();
            ids.push(id);
        }
        let first = ids[0];
        let (status, _) = app
            .call(
                Method::DELETE,
                &format!("/api/creative-assets/{first}"),
                Some(("user_bounds_elsewhere", false)),
                None,
            )
            .await;
        assert!(status.is_success(), "{status}");
        let (status, body) = app
            .call(
                Method::POST,
                "/api/mux/create-video-upload",
                Some(("user_bounds_elsewhere", false)),
                Some(json!({"name": "fifth.mp4", "fileSize": 1024})),
            )
            .await;
        assert_eq!(status, StatusCode::TOO_MANY_REQUESTS, "{body}");
    }
);
