//! Upload limits: the file types a client may announce (`MUXD_UPLOAD_TYPES`) and the videos one
//! user may have in one campaign (`MUXD_UPLOADS_PER_USER_PER_CAMPAIGN`); a refused create says
//! why in plain words and leaves no row. And the longest video kept (`MUXD_MAX_DURATION_SECS`),
//! known only once Mux has processed it.

use reqwest::{Method, StatusCode};
use serde_json::{json, Value};

use muxd_store::webhooks::WebhookFilter;

use muxd_testkit::app::TestApp;
use muxd_testkit::app_test;
use muxd_testkit::databases::eventually;

const USER: (&str, bool) = ("user_limits", false);
const TYPES: &[(&str, &str)] = &[("MUXD_UPLOAD_TYPES", "video/mp4,video/quicktime")];
const QUOTA: &[(&str, &str)] = &[("MUXD_UPLOADS_PER_USER_PER_CAMPAIGN", "2")];

async fn create(app: &TestApp, body: Value) -> (StatusCode, Value) {
    app.call(
        Method::POST,
        "/api/mux/create-video-upload",
        Some(USER),
        Some(body),
    )
    .await
}

async fn rows(app: &TestApp) -> usize {
    let (_, list) = app
        .call(Method::GET, "/api/creative-assets", Some(USER), None)
        .await;
    list["data"].as_array().map_or(0, Vec::len)
}

/// Makes the app's campaign `id`, owned by [`USER`].
async fn campaign(app: &TestApp, id: &str) {
    let (status, _) = app
        .call(
            Method::PUT,
            &format!("/api/app/campaigns/{id}"),
            Some(("limits_admin", true)),
            Some(json!({"name": id, "ownerId": USER.0})),
        )
        .await;
    assert_eq!(status, StatusCode::OK);
}

app_test!(
    only_the_accepted_types_are_taken,
    spawn = |backend| TestApp::spawn_with_settings(backend, TYPES),
    |app: TestApp| async move {
        let (status, body) = create(
            &app,
            json!({"name": "a.webm", "fileSize": 1024, "fileType": "video/webm"}),
        )
        .await;
        assert_eq!(status, StatusCode::BAD_REQUEST, "{body}");
        let message = body["error"]["message"].as_str().unwrap();
        assert!(
            message.contains(
                "video/webm files are not accepted here (accepted: video/mp4, video/quicktime)"
            ),
            "{message}"
        );
        for kind in ["video/mp4", "video/quicktime", ""] {
            let body = json!({"name": "ok", "fileSize": 1024, "fileType": kind});
            let (status, body) = create(&app, body).await;
            assert_eq!(status, StatusCode::CREATED, "{kind}: {body}");
        }
        assert_eq!(rows(&app).await, 3, "the refused create left no row");
    }
);

app_test!(
    the_per_campaign_quota_needs_a_campaign_and_holds,
    spawn = |backend| TestApp::spawn_with_settings(backend, QUOTA),
    |app: TestApp| async move {
        // Without a campaign the quota could be sidestepped: refused, naming the field.
        let (status, body) = create(&app, json!({"name": "free.mp4", "fileSize": 1024})).await;
        assert_eq!(status, StatusCode::BAD_REQUEST, "{body}");
        assert!(
            body["error"]["message"]
                .as_str()
                .unwrap()
                .contains("campaignId is required"),
            "{body}"
        );
        campaign(&app, "c-quota").await;
        campaign(&app, "c-other").await;
        let into = json!({"name": "q.mp4", "fileSize": 1024, "campaignId": "c-quota"});
        let (_, first) = create(&app, into.clone()).await;
        let (status, _) = create(&app, into.clone()).await;
        assert_eq!(status, StatusCode::CREATED);
        let (status, body) = create(&app, into.clone()).await;
        assert_eq!(status, StatusCode::BAD_REQUEST, "{body}");
        assert!(
            body["error"]["message"]
                .as_str()
                .unwrap()
                .contains("the limit is 2 per person"),
            "{body}"
        );
        assert_eq!(rows(&app).await, 2, "the refused create left no row");

        // Another campaign has its own quota; a deleted video frees a place.
        let other = json!({"name": "o.mp4", "fileSize": 1024, "campaignId": "c-other"});
        let (status, _) = create(&app, other).await;
        assert_eq!(status, StatusCode::CREATED);
        let id = first["id"].as_str().unwrap();
        let (status, _) = app
            .call(
                Method::DELETE,
                &format!("/api/creative-assets/{id}"),
                Some(USER),
                None,
            )
            .await;
        assert!(status.is_success(), "{status}");
        let (status, body) = create(&app, into).await;
        assert_eq!(status, StatusCode::CREATED, "{body}");
    }
);

// A 10 s video under a 5 s limit ends in error saying why, and is deleted on Mux; Mux's
// deletion webhook changes nothing the owner sees; a 2 s video is kept.
app_test!(
    a_video_over_the_duration_limit_is_refused_in_words_and_deleted_on_mux,
    spawn = |backend| TestApp::spawn_with_settings(backend, &[("MUXD_MAX_DURATION_SECS", "5")]),
    |app: TestApp| async move {
        let upload = async |name: &str, file: &str| {
            let (id, url) = app.create_upload(USER.0, name).await;
            let put = app.http.put(url).body(crate::media::fixture(file));
            assert_eq!(put.send().await.unwrap().status(), StatusCode::OK);
            id
        };
        let long = upload("long.mp4", "hd-10s-1280x720.mp4").await;
        let short = upload("short.mp4", "tiny-2s-320x240.mp4").await;

        let refused = app.wait_for(USER.0, &long, |s| s == "ERROR").await;
        assert_eq!(refused["error"]["type"], "duration_limit", "{refused}");
        assert_eq!(
            refused["error"]["message"],
            "This video is 10 s long; videos here may be at most 5 s. It was not kept."
        );
        assert!(refused["playbackUrl"].is_null(), "{refused}");
        let mux_asset = refused["muxAssetId"].as_str().unwrap().to_owned();
        eventually("the refused asset deleted on Mux", async || {
            app.app
                .mux
                .get_asset(&mux_asset)
                .await
                .is_err_and(|e| e.status() == Some(404))
        })
        .await;
        eventually("Mux's video.asset.deleted stored", async || {
            let filter = WebhookFilter {
                event_type: Some("video.asset.deleted".into()),
                limit: 10,
                ..Default::default()
            };
            let events = app.store.webhook_events(&filter).await.unwrap();
            events
                .iter()
                .any(|e| e.object_id.as_deref() == Some(mux_asset.as_str()))
        })
        .await;
        let path = format!("/api/creative-assets/{long}");
        let (_, after) = app.call(Method::GET, &path, Some(USER), None).await;
        assert_eq!(after["status"], "ERROR", "{after}");
        assert_eq!(after["error"]["type"], "duration_limit");

        let kept = app.wait_for(USER.0, &short, |s| s == "READY").await;
        assert_eq!(kept["status"], "READY", "{kept}");
    }
);
