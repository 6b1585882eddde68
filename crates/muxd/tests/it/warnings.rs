//! Mux's warnings about an asset's input (`video.asset.warning`,
//! `video.asset.non_standard_input_detected`) reach the owner's view in words, each once, without
//! moving the asset's status.

use reqwest::{Method, StatusCode};
use serde_json::json;

use crate::media::fixture;
use crate::webhooks::envelope;
use muxd_testkit::app::TestApp;
use muxd_testkit::app_test;

const OWNER: &str = "user_warned";

app_test!(
    warnings_reach_the_owner_in_words_once,
    |app: TestApp| async move {
        let (id, url) = app.create_upload(OWNER, "odd.mov").await;
        let put = app.http.put(url).body(fixture("tiny-2s-320x240.mp4"));
        assert_eq!(put.send().await.unwrap().status(), StatusCode::OK);
        let ready = app.wait_for(OWNER, &id, |s| s == "READY").await;
        assert_eq!(ready["warnings"], json!([]), "{ready}");
        let asset = ready["muxAssetId"].as_str().unwrap();

        let odd = json!({"id": asset, "status": "preparing", "passthrough": id,
        "non_standard_input_reasons": {"video_codec": "hevc"}});
        let warned = json!({"id": asset, "passthrough": id,
        "warning": {"type": "audio", "message": "The audio track was trimmed to the video's length."}});
        for (n, (kind, data)) in [
            ("video.asset.non_standard_input_detected", &odd),
            ("video.asset.warning", &warned),
            ("video.asset.warning", &warned),
        ]
        .into_iter()
        .enumerate()
        {
            let body = envelope(&format!("evt-warn-{n}"), kind, 30 + n as u32, data.clone());
            assert_eq!(app.post_signed(&body).await, StatusCode::OK);
        }
        let path = format!("/api/creative-assets/{id}");
        let (_, shown) = app
            .call(Method::GET, &path, Some((OWNER, false)), None)
            .await;
        assert_eq!(shown["status"], "READY", "{shown}");
        assert_eq!(
        shown["warnings"],
        json!([
            "The audio track was trimmed to the video's length.",
            "The file is not in a standard format, so Mux converts it first, which takes longer (video codec hevc)."
        ])
    );
    }
);
