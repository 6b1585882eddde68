//! What a video costs and what a brand can take away: a campaign's `videoQuality` and
//! `maxResolutionTier` (else the deployment's defaults) reach Mux on every create and are kept on
//! the asset Mux makes (checked on the emulator, as Mux's SDK would read it), an unknown value is
//! a 400 naming it that stores nothing, and a READY video with its MP4 offers `downloadUrl`,
//! which the stream host answers as an attachment; without MP4 renditions the view says why not.

use reqwest::{header, Method, StatusCode};
use serde_json::{json, Value};

use crate::media::fixture;
use muxd_testkit::app::{Backend, TestApp};
use muxd_testkit::app_test;

const OWNER: &str = "user_encoding";

/// Puts the host app's campaign `id` owned by [`OWNER`] with `extra` fields.
async fn put_campaign(app: &TestApp, id: &str, extra: Value) -> (StatusCode, Value) {
    let mut body = json!({"name": "Launch", "ownerId": OWNER});
    body.as_object_mut()
        .unwrap()
        .extend(extra.as_object().unwrap().clone());
    app.as_app_backend(Method::PUT, &format!("/api/app/campaigns/{id}"), Some(body))
        .await
}

/// Uploads `file` as `name` (into `campaign`, if any) and waits until it is READY.
async fn ready_video(app: &TestApp, name: &str, campaign: Option<&str>) -> Value {
    let mut body = json!({"name": name, "fileType": "video/mp4", "fileSize": 1024});
    if let Some(campaign) = campaign {
        body["campaignId"] = json!(campaign);
    }
    let create = "/api/mux/create-video-upload";
    let (status, created) = app
        .call(Method::POST, create, Some((OWNER, false)), Some(body))
        .await;
    assert_eq!(status, StatusCode::CREATED, "{created}");
    let put = app
        .http
        .put(created["url"].as_str().unwrap())
        .body(fixture("tiny-2s-320x240.mp4"));
    assert_eq!(put.send().await.unwrap().status(), StatusCode::OK);
    let id = created["id"].as_str().unwrap();
    let ready = app.wait_for(OWNER, id, |s| s == "READY").await;
    assert_eq!(ready["status"], "READY", "{ready}");
    ready
}

app_test!(
    a_campaign_chooses_the_encoding_mux_is_asked_for,
    |app: TestApp| async move {
        let (status, campaign) = put_campaign(
            &app,
            "camp-4k",
            json!({"videoQuality": "premium", "maxResolutionTier": "2160p"}),
        )
        .await;
        assert_eq!(status, StatusCode::OK, "{campaign}");
        assert_eq!(campaign["videoQuality"], "premium");
        assert_eq!(campaign["maxResolutionTier"], "2160p");

        let asset = ready_video(&app, "4k.mp4", Some("camp-4k")).await;
        assert_eq!(asset["videoQuality"], "premium", "{asset}");
        assert_eq!(asset["maxResolutionTier"], "2160p", "{asset}");
        let on_mux = app
            .app
            .mux
            .get_asset(asset["muxAssetId"].as_str().unwrap())
            .await
            .unwrap();
        assert_eq!(on_mux.video_quality.as_deref(), Some("premium"));
        assert_eq!(on_mux.max_resolution_tier.as_deref(), Some("2160p"));

        // Outside the campaign: the deployment's defaults, sent all the same.
        let plain = ready_video(&app, "plain.mp4", None).await;
        assert_eq!(plain["videoQuality"], "basic", "{plain}");
        assert_eq!(plain["maxResolutionTier"], "1080p", "{plain}");
        let on_mux = app
            .app
            .mux
            .get_asset(plain["muxAssetId"].as_str().unwrap())
            .await
            .unwrap();
        assert_eq!(on_mux.video_quality.as_deref(), Some("basic"));
        assert_eq!(on_mux.max_resolution_tier.as_deref(), Some("1080p"));
    }
);

app_test!(
    an_unknown_encoding_is_refused_by_name_and_stores_nothing,
    |app: TestApp| async move {
        let (status, _) = put_campaign(&app, "camp-x", json!({"videoQuality": "plus"})).await;
        assert_eq!(status, StatusCode::OK);
        for (field, value) in [("maxResolutionTier", "4k"), ("videoQuality", "ultra")] {
            let (status, body) = put_campaign(&app, "camp-x", json!({ field: value })).await;
            assert_eq!(status, StatusCode::BAD_REQUEST, "{body}");
            let message = body["error"]["message"].as_str().unwrap();
            assert!(
                message.contains(field) && message.contains(&format!("\"{value}\"")),
                "{message}"
            );
        }
        let (_, list) = app
            .as_app_backend(Method::GET, "/api/app/campaigns", None)
            .await;
        let kept = &list["data"][0];
        assert_eq!(kept["videoQuality"], "plus", "{list}");
        assert!(kept["maxResolutionTier"].is_null(), "{list}");
    }
);

app_test!(
    a_ready_video_offers_its_mp4_as_a_download,
    |app: TestApp| async move {
        let asset = ready_video(&app, "Summer sale: take 2", None).await;
        let asset = app.wait_for_mp4(OWNER, asset["id"].as_str().unwrap()).await;
        let download = asset["downloadUrl"].as_str().unwrap();
        assert!(
            download.ends_with("/highest.mp4?download=Summer-sale--take-2.mp4"),
            "{download}"
        );
        assert!(asset["downloadUnavailable"].is_null(), "{asset}");
        let answer = app.http.get(download).send().await.unwrap();
        assert_eq!(answer.status(), StatusCode::OK);
        let disposition = answer.headers()[header::CONTENT_DISPOSITION]
            .to_str()
            .unwrap()
            .to_owned();
        assert_eq!(
            disposition,
            "attachment; filename=\"Summer-sale--take-2.mp4\""
        );
        assert_eq!(
            answer.bytes().await.unwrap().len(),
            fixture("tiny-2s-320x240.mp4").len()
        );
    }
);

async fn spawn_without_mp4(backend: Backend) -> Option<TestApp> {
    TestApp::spawn_with_settings(backend, &[("MUXD_MP4_RENDITIONS", "false")]).await
}

app_test!(
    without_mp4_renditions_the_card_says_how_to_get_a_download,
    spawn = spawn_without_mp4,
    |app: TestApp| async move {
        let asset = ready_video(&app, "clip.mp4", None).await;
        assert!(asset["downloadUrl"].is_null(), "{asset}");
        let why = asset["downloadUnavailable"].as_str().unwrap();
        assert!(why.contains("MUXD_MP4_RENDITIONS=true"), "{why}");
    }
);
