//! The authorization matrix: anonymous, owner, another user and admin against every endpoint.
//! Anonymous → 401; another user's asset → 404 (ids reveal nothing); non-admins on admin
//! endpoints → 403; health and metrics are public; webhooks are authenticated by signature.

use reqwest::{Method, StatusCode};
use serde_json::json;

use muxd_testkit::app::TestApp;
use muxd_testkit::app_test;
use muxd_testkit::databases::eventually;

const OWNER: (&str, bool) = ("user_owner", false);
const OTHER: (&str, bool) = ("user_other", false);
const ADMIN: (&str, bool) = ("user_admin", true);

app_test!(
    every_endpoint_answers_each_caller_as_specified,
    |app: TestApp| async move {
        let (id, _) = app.create_upload(OWNER.0, "mine.mp4").await;
        // The emulator's `video.upload.created` gives the admin an event to replay.
        eventually("the emulator's webhook arriving", async || {
            app.stored_events().await > 0
        })
        .await;
        let filter = muxd_store::webhooks::WebhookFilter {
            limit: 1,
            ..Default::default()
        };
        let event_id = app.store.webhook_events(&filter).await.unwrap()[0]
            .event_id
            .clone();
        let asset = format!("/api/creative-assets/{id}");
        let patch = Some(json!({"name": "renamed"}));
        let upload = Some(json!({"name": "x.mp4", "fileSize": 1024}));
        // (method, path, body, [anonymous, owner, other, admin])
        let matrix: Vec<(Method, String, Option<serde_json::Value>, [u16; 4])> = vec![
            (
                Method::POST,
                "/api/mux/create-video-upload".into(),
                upload,
                [401, 201, 201, 201],
            ),
            (
                Method::GET,
                "/api/creative-assets".into(),
                None,
                [401, 200, 200, 200],
            ),
            (Method::GET, asset.clone(), None, [401, 200, 404, 404]),
            (Method::PATCH, asset.clone(), patch, [401, 200, 404, 404]),
            (
                Method::GET,
                "/api/debug/mux-assets".into(),
                None,
                [401, 403, 403, 200],
            ),
            (
                Method::GET,
                "/api/debug/webhook-events".into(),
                None,
                [401, 403, 403, 200],
            ),
            (
                Method::GET,
                "/api/debug/processing-times".into(),
                None,
                [401, 403, 403, 200],
            ),
            (
                Method::POST,
                format!("/api/debug/webhook-events/{event_id}/replay"),
                None,
                [401, 403, 403, 200],
            ),
            (
                Method::POST,
                format!("/api/debug/mux-assets/{id}/resync"),
                None,
                [401, 403, 403, 200],
            ),
            (
                Method::POST,
                "/api/debug/verify-mux-playback-ids".into(),
                Some(json!({})),
                [401, 403, 403, 200],
            ),
            (
                Method::GET,
                "/api/health/mux-system".into(),
                None,
                [200, 200, 200, 200],
            ),
            (Method::GET, "/metrics".into(), None, [200, 200, 200, 200]),
            (Method::DELETE, asset.clone(), None, [401, 200, 404, 404]),
        ];
        for (method, path, body, expected) in matrix {
            // The owner goes last on DELETE so the others meet a live asset.
            for (who, want) in [
                (None, expected[0]),
                (Some(OTHER), expected[2]),
                (Some(ADMIN), expected[3]),
                (Some(OWNER), expected[1]),
            ] {
                let (status, reply) = app.call(method.clone(), &path, who, body.clone()).await;
                assert_eq!(status.as_u16(), want, "{method} {path} as {who:?}: {reply}");
            }
        }
        // The owner's list holds only the owner's assets.
        let (_, list) = app
            .call(Method::GET, "/api/creative-assets", Some(OTHER), None)
            .await;
        assert!(list["data"]
            .as_array()
            .unwrap()
            .iter()
            .all(|a| a["id"] != id.as_str()));
        // A token signed with another key, or expired, is anonymous.
        let forged = muxd_core::identity::Identity::dev(b"someone-else")
            .sign(OWNER.0, true, 60)
            .unwrap();
        let response = app
            .http
            .get(format!("{}/api/creative-assets", app.base))
            .bearer_auth(forged)
            .send()
            .await
            .unwrap();
        assert_eq!(response.status(), StatusCode::UNAUTHORIZED);
        let live = app
            .http
            .get(format!("{}/api/live", app.base))
            .send()
            .await
            .unwrap();
        assert_eq!(live.status(), StatusCode::UNAUTHORIZED);
    }
);
