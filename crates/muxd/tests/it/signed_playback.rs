//! Signed playback against the emulator, which checks tokens as Mux does: with
//! `MUXD_PLAYBACK_POLICY=signed` an upload's playback id is signed, and the owner's view carries
//! short-lived tokens muxd signed with the URL signing key. With them the video plays and the
//! poster and storyboard load; without, with a token for the wrong thing, or once it has
//! expired, the emulator answers 403.

use std::time::Duration;

use reqwest::{Method, StatusCode};
use serde_json::Value;

use crate::media::fixture;
use muxd_testkit::app::{Backend, TestApp};
use muxd_testkit::app_test;

const OWNER: &str = "user_signed";

async fn spawn_signed(backend: Backend) -> Option<TestApp> {
    TestApp::spawn_with_settings(backend, &[("MUXD_PLAYBACK_POLICY", "signed")]).await
}

/// Status and body of a GET of `url` (redirects followed, as a player does).
async fn fetch(app: &TestApp, url: &str) -> (StatusCode, Vec<u8>) {
    let response = app.http.get(url).send().await.unwrap();
    (response.status(), response.bytes().await.unwrap().to_vec())
}

fn without_token(url: &str) -> &str {
    url.split("?token=").next().unwrap()
}

fn token_of(url: &str) -> &str {
    url.split("?token=").nth(1).expect("a token")
}

app_test!(
    a_signed_asset_plays_with_muxds_tokens_only,
    spawn = spawn_signed,
    |app: TestApp| async move {
        let (id, url) = app.create_upload(OWNER, "signed.mp4").await;
        let file = fixture("tiny-2s-320x240.mp4");
        let put = app.http.put(url).body(file.clone());
        assert_eq!(put.send().await.unwrap().status(), StatusCode::OK);
        let asset: Value = app.wait_for_mp4(OWNER, &id).await;
        assert_eq!(asset["status"], "READY", "{asset}");
        let playback = asset["playbackUrl"].as_str().unwrap();
        let mp4 = asset["mp4Url"].as_str().unwrap();
        let poster = asset["thumbnailUrl"].as_str().unwrap();
        let storyboard = asset["storyboardUrl"].as_str().unwrap();
        for url in [playback, mp4, poster, storyboard] {
            assert!(url.contains("?token="), "{url}");
        }

        // With muxd's tokens: the video (HLS redirects to the MP4), the poster, the storyboard.
        assert_eq!(fetch(&app, playback).await, (StatusCode::OK, file.clone()));
        assert_eq!(fetch(&app, mp4).await, (StatusCode::OK, file));
        let (status, image) = fetch(&app, poster).await;
        assert_eq!(status, StatusCode::OK);
        assert!(image.starts_with(b"\x89PNG\r\n\x1a\n"), "not a PNG");
        let (status, vtt) = fetch(&app, storyboard).await;
        assert_eq!(status, StatusCode::OK);
        assert!(
            vtt.starts_with(b"WEBVTT"),
            "{}",
            String::from_utf8_lossy(&vtt)
        );

        // Without a token, or with the poster's token on the video: refused.
        assert_eq!(
            fetch(&app, without_token(playback)).await.0,
            StatusCode::FORBIDDEN
        );
        assert_eq!(
            fetch(&app, without_token(poster)).await.0,
            StatusCode::FORBIDDEN
        );
        let swapped = format!("{}?token={}", without_token(mp4), token_of(poster));
        assert_eq!(fetch(&app, &swapped).await.0, StatusCode::FORBIDDEN);

        // Another user sees no asset, so gets no token.
        let path = format!("/api/creative-assets/{id}");
        let (status, _) = app
            .call(Method::GET, &path, Some(("user_someone_else", false)), None)
            .await;
        assert_eq!(status, StatusCode::NOT_FOUND);

        // Tokens are short-lived: two hours on, the same URLs are refused.
        app.emulator.advance_clock(Duration::from_secs(2 * 3600));
        assert_eq!(fetch(&app, mp4).await.0, StatusCode::FORBIDDEN);
        assert_eq!(fetch(&app, poster).await.0, StatusCode::FORBIDDEN);
    }
);
