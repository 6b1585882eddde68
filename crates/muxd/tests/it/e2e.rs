//! End to end over real HTTP: a user gets an upload from muxd, PUTs a real file to the emulator
//! (whole, or in UpChunk-style chunks), the emulator probes it and sends signed webhooks, and the
//! row ends READY with the manifest's figures, or ERROR with Mux's message. Also cancel, timeout
//! (which Mux reports only when asked: muxd learns it by resync), and deletion reaching Mux.

use std::time::Duration;

use reqwest::{Method, StatusCode};

use crate::media::{fixture, manifest};
use muxd_testkit::app::TestApp;
use muxd_testkit::app_test;

/// UpChunk's smallest chunk (256 KiB), so most fixtures take several chunks and some a partial last.
const CHUNK: usize = 256 * 1024;

async fn put_whole(app: &TestApp, url: &str, bytes: Vec<u8>) {
    let response = app.http.put(url).body(bytes).send().await.unwrap();
    assert_eq!(response.status(), StatusCode::OK);
}

async fn put_chunked(app: &TestApp, url: &str, bytes: &[u8]) {
    if bytes.is_empty() {
        return put_whole(app, url, Vec::new()).await;
    }
    for (n, chunk) in bytes.chunks(CHUNK).enumerate() {
        let start = n * CHUNK;
        let end = start + chunk.len() - 1;
        let response = app
            .http
            .put(url)
            .header(
                "content-range",
                format!("bytes {start}-{end}/{}", bytes.len()),
            )
            .body(chunk.to_vec())
            .send()
            .await
            .unwrap();
        let last = end + 1 == bytes.len();
        let expected = if last {
            StatusCode::OK
        } else {
            StatusCode::PERMANENT_REDIRECT
        };
        assert_eq!(response.status(), expected, "chunk {n}");
    }
}

fn finished(status: &str) -> bool {
    matches!(status, "READY" | "ERROR")
}

app_test!(
    every_fixture_reaches_its_manifest_outcome_single_and_chunked,
    |app: TestApp| async move {
        for entry in manifest() {
            let file = entry["file"].as_str().unwrap();
            for chunked in [false, true] {
                let (id, url) = app.create_upload("user_e2e", file).await;
                let bytes = fixture(file);
                if chunked {
                    put_chunked(&app, &url, &bytes).await;
                } else {
                    put_whole(&app, &url, bytes).await;
                }
                let asset = app.wait_for("user_e2e", &id, finished).await;
                let case = format!("{file} (chunked: {chunked})");
                match entry["expect"].as_str().unwrap() {
                    "ready" => {
                        assert_eq!(asset["status"], "READY", "{case}: {asset}");
                        let duration = asset["duration"].as_f64().unwrap();
                        assert!(
                            (duration - entry["duration_s"].as_f64().unwrap()).abs() < 0.1,
                            "{case}: duration {duration}"
                        );
                        assert_eq!(asset["aspectRatio"], entry["aspect_ratio"], "{case}");
                        let playback = asset["playbackUrl"].as_str().unwrap();
                        let media = app.http.get(playback).send().await.unwrap();
                        assert_eq!(media.status(), StatusCode::OK, "{case}: playback");
                        // The MP4 rendition is offered once Mux says it is ready, moments after
                        // the asset; an audio-only file has none (Mux skips it).
                        if entry["video"].is_null() {
                            assert!(asset["mp4Url"].is_null(), "{case}: {asset}");
                            continue;
                        }
                        let offered = app.wait_for_mp4("user_e2e", &id).await;
                        let mp4 = app
                            .http
                            .get(offered["mp4Url"].as_str().unwrap())
                            .send()
                            .await
                            .unwrap();
                        assert_eq!(mp4.status(), StatusCode::OK, "{case}: mp4 rendition");
                        let bytes = mp4.bytes().await.unwrap();
                        assert_eq!(
                            bytes.len(),
                            fixture(file).len(),
                            "{case}: mp4 rendition bytes"
                        );
                    }
                    _ => {
                        assert_eq!(asset["status"], "ERROR", "{case}: {asset}");
                        assert_eq!(asset["error"]["type"], "invalid_input", "{case}");
                        assert!(
                            !asset["error"]["message"].as_str().unwrap().is_empty(),
                            "{case}"
                        );
                    }
                }
            }
        }
    }
);

app_test!(
    an_upload_cancelled_on_mux_becomes_cancelled,
    |app: TestApp| async move {
        let (id, _) = app.create_upload("user_cancel", "never-sent.mp4").await;
        let (_, asset) = app
            .call(
                Method::GET,
                &format!("/api/creative-assets/{id}"),
                Some(("user_cancel", false)),
                None,
            )
            .await;
        let upload_id = asset["muxUploadId"].as_str().unwrap();
        let response = app
            .http
            .put(format!(
                "{}/video/v1/uploads/{upload_id}/cancel",
                app.emulator.base_url()
            ))
            .basic_auth("emulator", Some("emulator-secret"))
            .send()
            .await
            .unwrap();
        assert_eq!(response.status(), StatusCode::OK);
        let asset = app.wait_for("user_cancel", &id, |s| s == "CANCELLED").await;
        assert_eq!(asset["status"], "CANCELLED", "{asset}");
    }
);

app_test!(
    a_timed_out_upload_is_found_by_resync,
    |app: TestApp| async move {
        let (id, _) = app.create_upload("user_timeout", "forgotten.mp4").await;
        app.emulator.advance_clock(Duration::from_secs(3601));
        let (status, body) = app
            .call(
                Method::POST,
                &format!("/api/debug/mux-assets/{id}/resync"),
                Some(("user_admin", true)),
                None,
            )
            .await;
        assert_eq!(status, StatusCode::OK, "{body}");
        assert_eq!(body["asset"]["status"], "TIMED_OUT", "{body}");
        let history = app.store.asset_events(id.parse().unwrap()).await.unwrap();
        assert_eq!(history.last().unwrap().cause, "poll");
    }
);

app_test!(
    deleting_a_ready_asset_deletes_it_on_mux,
    |app: TestApp| async move {
        let (id, url) = app.create_upload("user_delete", "tiny.mp4").await;
        put_whole(&app, &url, fixture("tiny-2s-320x240.mp4")).await;
        let asset = app.wait_for("user_delete", &id, finished).await;
        let mux_asset = asset["muxAssetId"].as_str().unwrap().to_owned();
        assert!(app.emulator.asset(&mux_asset).is_some());
        let (status, body) = app
            .call(
                Method::DELETE,
                &format!("/api/creative-assets/{id}"),
                Some(("user_delete", false)),
                None,
            )
            .await;
        assert_eq!(status, StatusCode::OK, "{body}");
        assert_eq!(body["muxDeletion"], "done");
        assert!(
            app.emulator.asset(&mux_asset).is_none(),
            "the Mux asset still exists"
        );
        let (status, _) = app
            .call(
                Method::GET,
                &format!("/api/creative-assets/{id}"),
                Some(("user_delete", false)),
                None,
            )
            .await;
        assert_eq!(status, StatusCode::NOT_FOUND);
    }
);

app_test!(
    deleting_while_mux_is_down_is_finished_later,
    |app: TestApp| async move {
        let (id, url) = app.create_upload("user_later", "tiny.mp4").await;
        put_whole(&app, &url, fixture("tiny-2s-320x240.mp4")).await;
        let asset = app.wait_for("user_later", &id, finished).await;
        let mux_asset = asset["muxAssetId"].as_str().unwrap().to_owned();
        app.add_fault(serde_json::json!({"method": "DELETE", "path": "/video/v1/assets/**", "kind": "error", "status": 503})).await;
        let (status, body) = app
            .call(
                Method::DELETE,
                &format!("/api/creative-assets/{id}"),
                Some(("user_later", false)),
                None,
            )
            .await;
        assert_eq!(status, StatusCode::ACCEPTED, "{body}");
        assert_eq!(body["muxDeletion"], "pending");
        assert!(app.emulator.asset(&mux_asset).is_some());
        app.emulator.clear_faults();
        // A sweep after the wait the failed attempt set (an hour at most) finishes it. The
        // background sweep (every 10 s, on the real clock) may have got there first: what
        // matters is that it is finished, once.
        let later = muxd_store::now_ms() + 3_600_000;
        let finished = app.app.deletions.finish_pending(later).await.unwrap();
        assert!(finished <= 1, "finished {finished} times");
        assert!(
            app.emulator.asset(&mux_asset).is_none(),
            "the deferred deletion never reached Mux"
        );
        let pending = app.store.pending_deletions(later, 10).await.unwrap();
        assert!(pending.is_empty(), "{pending:?}");
    }
);
