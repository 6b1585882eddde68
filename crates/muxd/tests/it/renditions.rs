//! MP4 static renditions only when configured (`MUXD_MP4_RENDITIONS`): asked for, the `highest`
//! MP4 is offered (`mp4Url`) once Mux says it is ready (`video.asset.static_rendition.ready`),
//! whichever arrives first; not asked for, Mux is not asked, no `mp4Url` is offered, and the
//! content page plays HLS with Mux Player (`MUXD_PLAYER=mux-player`): one pinned file with its
//! integrity hash, which its CSP lets load, and nothing else from that CDN.

use muxd_web::pages::mux_player;
use reqwest::{Method, StatusCode};
use serde_json::{json, Value};

use crate::media::fixture;
use crate::webhooks::envelope;
use muxd_testkit::app::{Backend, TestApp};
use muxd_testkit::app_test;

const OWNER: &str = "user_renditions";

async fn ready_upload(app: &TestApp) -> Value {
    let (id, url) = app.create_upload(OWNER, "clip.mp4").await;
    let put = app.http.put(url).body(fixture("tiny-2s-320x240.mp4"));
    assert_eq!(put.send().await.unwrap().status(), StatusCode::OK);
    let asset = app.wait_for(OWNER, &id, |s| s == "READY").await;
    assert_eq!(asset["status"], "READY", "{asset}");
    asset
}

app_test!(
    an_asked_for_mp4_is_offered_once_mux_says_it_is_ready,
    |app: TestApp| async move {
        let asset = ready_upload(&app).await;
        let shown = app.wait_for_mp4(OWNER, asset["id"].as_str().unwrap()).await;
        let mux = app
            .app
            .mux
            .get_asset(asset["muxAssetId"].as_str().unwrap())
            .await
            .unwrap();
        assert!(mux.mp4_ready(), "Mux was asked for the rendition: {mux:?}");
        let mp4 = shown["mp4Url"].as_str().unwrap();
        assert!(mp4.ends_with("/highest.mp4"), "{mp4}");
    }
);

app_test!(
    a_rendition_event_before_the_asset_is_ready_still_counts,
    |app: TestApp| async move {
        let (id, _) = app.create_upload(OWNER, "early.mp4").await;
        let (_, row) = app
            .call(
                Method::GET,
                &format!("/api/creative-assets/{id}"),
                Some((OWNER, false)),
                None,
            )
            .await;
        let upload = row["muxUploadId"].as_str().unwrap();
        let asset = format!("as-early-{}", &id[..8]);
        let events = [
            (
                "video.upload.asset_created",
                json!({"id": upload, "status": "asset_created", "asset_id": asset}),
            ),
            (
                "video.asset.static_rendition.ready",
                json!({"id": "rend-1", "asset_id": asset,
                "name": "highest.mp4", "ext": "mp4", "status": "ready", "resolution": "highest",
                "type": "standard"}),
            ),
            (
                "video.asset.ready",
                json!({"id": asset, "upload_id": upload, "status": "ready",
                "duration": 2.0, "playback_ids": [{"id": format!("pb-{asset}"), "policy": "public"}]}),
            ),
        ];
        for (n, (kind, data)) in events.into_iter().enumerate() {
            let body = envelope(&format!("evt-rend-{id}-{n}"), kind, 10 + n as u32, data);
            assert_eq!(app.post_signed(&body).await, StatusCode::OK);
        }
        let shown = app.wait_for(OWNER, &id, |s| s == "READY").await;
        assert!(
            shown["mp4Url"]
                .as_str()
                .is_some_and(|u| u.ends_with("/highest.mp4")),
            "{shown}"
        );
    }
);

async fn spawn_without_mp4(backend: Backend) -> Option<TestApp> {
    TestApp::spawn_with_settings(
        backend,
        &[
            ("MUXD_MP4_RENDITIONS", "false"),
            ("MUXD_PLAYER", "mux-player"),
        ],
    )
    .await
}

app_test!(
    without_renditions_mux_is_not_asked_and_pages_load_mux_player,
    spawn = spawn_without_mp4,
    |app: TestApp| async move {
        let asset = ready_upload(&app).await;
        assert!(asset["mp4Url"].is_null(), "{asset}");
        assert!(asset["playbackUrl"].is_string(), "{asset}");
        let mux = app
            .app
            .mux
            .get_asset(asset["muxAssetId"].as_str().unwrap())
            .await
            .unwrap();
        assert_eq!(mux.static_renditions, None, "Mux was asked for a rendition");

        let page = app
            .http
            .get(format!("{}/campaigns/any/content", app.base))
            .send()
            .await
            .unwrap();
        let policy = page.headers()["content-security-policy"]
            .to_str()
            .unwrap()
            .to_owned();
        // The one pinned file, with its integrity hash; the policy names that file, not the CDN.
        let url = format!(
            "https://cdn.jsdelivr.net/npm/@mux/mux-player@{}/dist/mux-player.js",
            mux_player::VERSION
        );
        assert!(mux_player::INTEGRITY.starts_with("sha384-"));
        let script_src = policy
            .split(';')
            .find_map(|d| d.trim().strip_prefix("script-src "))
            .unwrap_or_default();
        assert_eq!(
            script_src.split(' ').collect::<Vec<_>>(),
            ["'self'", &url],
            "{policy}"
        );
        let html = page.text().await.unwrap();
        let tag = format!(
            r#"<script src="{url}" integrity="{}" crossorigin="anonymous" defer></script>"#,
            mux_player::INTEGRITY
        );
        assert!(html.contains(&tag), "{html}");
        assert!(html.contains(r#"data-player="mux-player""#), "{html}");
    }
);
