//! Supplied text tracks (docs/mux-facts.md §10): `POST /video/v1/assets/{id}/tracks` with the
//! URL of a WebVTT or SRT file, fetched from a local "remote" server (`allow_private_inputs`),
//! served back as WebVTT; bad files and URLs end `errored`; `DELETE` removes a track with
//! `video.asset.track.deleted`; text tracks survive a restart on a kept data dir.

use std::time::Duration;

use axum::http::StatusCode as AxumStatus;
use axum::routing::get;
use axum::Router;
use reqwest::{Method, StatusCode};
use serde_json::{json, Value};

use crate::harness::TestEmu;
use crate::receiver::Receiver;
use crate::text_tracks::{
    finished_track, id, text_file, text_tracks, track_event, upload, with_receiver,
};

const VTT: &str = "WEBVTT\n\n00:00.500 --> 00:01.500\nHello <i>world</i>\n";
const SRT: &str =
    "1\n00:00:00,000 --> 00:00:01,000\nFirst\n\n2\n00:00:01,000 --> 00:00:02,000\nSecond\nline\n";

/// Serves `/subs.vtt`, `/subs.srt` and `/bad.vtt` (not captions); everything else is 404.
async fn remote() -> String {
    let app = Router::new()
        .route("/subs.vtt", get(|| async { VTT }))
        .route("/subs.srt", get(|| async { SRT }))
        .route("/bad.vtt", get(|| async { "this is not a caption file" }))
        .fallback(|| async { AxumStatus::NOT_FOUND });
    let listener = tokio::net::TcpListener::bind("127.0.0.1:0").await.unwrap();
    let base = format!("http://{}", listener.local_addr().unwrap());
    tokio::spawn(async move { axum::serve(listener, app).await.unwrap() });
    base
}

async fn add_track(emu: &TestEmu, asset_id: &str, body: Value) -> (StatusCode, Value) {
    let r = emu
        .api(Method::POST, &format!("/video/v1/assets/{asset_id}/tracks"))
        .json(&body)
        .send()
        .await
        .unwrap();
    (r.status(), r.json().await.unwrap_or(Value::Null))
}

fn subtitles(url: String, language: &str) -> Value {
    json!({"url": url, "type": "text", "text_type": "subtitles", "language_code": language,
           "name": format!("{language} subs"), "closed_captions": true, "passthrough": "mine"})
}

async fn ready_emulator(receiver: &Receiver) -> (TestEmu, Value) {
    let mut cfg = with_receiver(receiver);
    cfg.allow_private_inputs = true;
    let emu = TestEmu::with(cfg).await;
    let asset = upload(
        &emu,
        "tiny-2s-320x240.mp4",
        json!({"playback_policies": ["public"]}),
    )
    .await;
    (emu, asset)
}

#[tokio::test]
async fn supplied_webvtt_and_srt_turn_ready_and_are_served_as_webvtt() {
    let (receiver, remote) = (Receiver::spawn().await, remote().await);
    let (emu, asset) = ready_emulator(&receiver).await;
    let (asset_id, pid) = (id(&asset), asset["playback_ids"][0]["id"].as_str().unwrap());

    let (status, body) = add_track(
        &emu,
        &asset_id,
        subtitles(format!("{remote}/subs.vtt"), "fr"),
    )
    .await;
    assert_eq!(status, StatusCode::CREATED, "{body}");
    let vtt_track = body["data"].clone();
    assert_eq!(vtt_track["status"], "preparing");
    assert_eq!(
        (
            vtt_track["text_source"].clone(),
            vtt_track["closed_captions"].clone(),
            vtt_track["passthrough"].clone()
        ),
        (json!("uploaded"), json!(true), json!("mine"))
    );
    let (status, body) = add_track(
        &emu,
        &asset_id,
        subtitles(format!("{remote}/subs.srt"), "es"),
    )
    .await;
    assert_eq!(status, StatusCode::CREATED, "{body}");
    let srt_track = body["data"].clone();

    for (track, vtt, txt) in [
        (&vtt_track, "WEBVTT\n\n00:00:00.500 --> 00:00:01.500\nHello <i>world</i>\n", "Hello world\n"),
        (
            &srt_track,
            "WEBVTT\n\n00:00:00.000 --> 00:00:01.000\nFirst\n\n00:00:01.000 --> 00:00:02.000\nSecond\nline\n",
            "First\nSecond line\n",
        ),
    ] {
        let track_id = id(track);
        let done = finished_track(&emu, &asset_id, &track_id).await;
        assert_eq!(done["status"], "ready", "{done}");
        track_event(&receiver, "video.asset.track.created", &track_id).await;
        let ready = track_event(&receiver, "video.asset.track.ready", &track_id).await;
        assert_eq!(ready["data"]["asset_id"], asset_id.as_str());
        let (status, content_type, body) = text_file(&emu, pid, &format!("{track_id}.vtt"), None).await;
        assert_eq!((status, content_type.as_deref(), body.as_str()), (StatusCode::OK, Some("text/vtt"), vtt));
        let (status, _, body) = text_file(&emu, pid, &format!("{track_id}.txt"), None).await;
        assert_eq!((status, body.as_str()), (StatusCode::OK, txt));
    }
    let asset = emu.asset(&asset_id).await;
    let kinds: Vec<&str> = asset["tracks"]
        .as_array()
        .unwrap()
        .iter()
        .map(|t| t["type"].as_str().unwrap())
        .collect();
    assert_eq!(
        kinds,
        ["video", "audio", "text", "text"],
        "text tracks after the others"
    );
}

#[tokio::test]
async fn a_malformed_file_or_a_missing_one_ends_errored() {
    let (receiver, remote) = (Receiver::spawn().await, remote().await);
    let (emu, asset) = ready_emulator(&receiver).await;
    let asset_id = id(&asset);
    for (file, kind) in [
        ("bad.vtt", "invalid_input"),
        ("missing.vtt", "download_failed"),
    ] {
        let (status, body) =
            add_track(&emu, &asset_id, subtitles(format!("{remote}/{file}"), "en")).await;
        assert_eq!(status, StatusCode::CREATED, "{body}");
        let track_id = id(&body["data"]);
        let track = finished_track(&emu, &asset_id, &track_id).await;
        assert_eq!(track["status"], "errored", "{file}: {track}");
        assert_eq!(track["error"]["type"], kind, "{file}");
        let errored = track_event(&receiver, "video.asset.track.errored", &track_id).await;
        assert_eq!(errored["data"]["error"]["type"], kind);
    }
}

#[tokio::test]
async fn bad_requests_and_assets_that_are_not_ready_are_400s() {
    let (receiver, remote) = (Receiver::spawn().await, remote().await);
    let (emu, asset) = ready_emulator(&receiver).await;
    let asset_id = id(&asset);
    let url = format!("{remote}/subs.vtt");
    for body in [
        json!({"url": url, "type": "audio", "text_type": "subtitles", "language_code": "en"}),
        json!({"url": url, "type": "text", "text_type": "subtitles"}),
        json!({"url": "not a url", "type": "text", "text_type": "subtitles", "language_code": "en"}),
        json!({"url": url, "type": "text", "text_type": "subtitles", "language_code": "en", "closed_captions": "yes"}),
    ] {
        let (status, reply) = add_track(&emu, &asset_id, body.clone()).await;
        assert_eq!(status, StatusCode::BAD_REQUEST, "{body}: {reply}");
        assert_eq!(reply["error"]["type"], "invalid_parameters");
    }
    let (status, _) = add_track(&emu, "Unknown00", subtitles(url.clone(), "en")).await;
    assert_eq!(status, StatusCode::NOT_FOUND);

    // An asset whose input cannot be downloaded ends errored, and takes no tracks.
    let r = emu
        .api(Method::POST, "/video/v1/assets")
        .json(&json!({"inputs": [{"url": format!("{remote}/missing.mp4")}]}))
        .send()
        .await
        .unwrap();
    let errored = id(&r.json::<Value>().await.unwrap()["data"]);
    crate::harness::eventually("the asset errored", || async {
        Some(()).filter(|_| {
            emu.handle
                .asset(&errored)
                .is_some_and(|a| a.status == mux_emulator::AssetStatus::Errored)
        })
    })
    .await;
    let (status, reply) = add_track(&emu, &errored, subtitles(url, "en")).await;
    assert_eq!(status, StatusCode::BAD_REQUEST, "{reply}");
}

#[tokio::test]
async fn deleting_a_track_removes_it_and_sends_track_deleted() {
    let (receiver, remote) = (Receiver::spawn().await, remote().await);
    let (emu, asset) = ready_emulator(&receiver).await;
    let (asset_id, pid) = (id(&asset), asset["playback_ids"][0]["id"].as_str().unwrap());
    let (_, body) = add_track(
        &emu,
        &asset_id,
        subtitles(format!("{remote}/subs.vtt"), "fr"),
    )
    .await;
    let track_id = id(&body["data"]);
    finished_track(&emu, &asset_id, &track_id).await;

    let delete = |track: String| {
        let path = format!("/video/v1/assets/{asset_id}/tracks/{track}");
        let request = emu.api(Method::DELETE, &path);
        async move { request.send().await.unwrap().status() }
    };
    assert_eq!(delete(track_id.clone()).await, StatusCode::NO_CONTENT);
    let deleted = track_event(&receiver, "video.asset.track.deleted", &track_id).await;
    assert_eq!(deleted["data"]["asset_id"], asset_id.as_str());
    assert_eq!(deleted["data"]["type"], "text");
    assert!(text_tracks(&emu.asset(&asset_id).await).is_empty());
    let (status, _, _) = text_file(&emu, pid, &format!("{track_id}.vtt"), None).await;
    assert_eq!(status, StatusCode::NOT_FOUND);
    assert_eq!(delete(track_id).await, StatusCode::NOT_FOUND, "gone");
    let video = id(&asset["tracks"][0]);
    assert_eq!(
        delete(video).await,
        StatusCode::BAD_REQUEST,
        "text tracks only"
    );
}

#[tokio::test]
async fn a_generated_track_preparing_at_a_restart_finishes_after_it() {
    let dir = tempfile::tempdir().unwrap();
    let receiver = Receiver::spawn().await;
    let kept = |delay: Duration| {
        let mut cfg = with_receiver(&receiver);
        cfg.data_dir = Some(dir.path().to_owned());
        cfg.text_track_delay = delay;
        cfg
    };
    let first = TestEmu::with(kept(Duration::from_secs(3600))).await;
    let asset = upload(
        &first,
        "tiny-2s-320x240.mp4",
        json!({"playback_policies": ["public"],
               "inputs": [{"generated_subtitles": [{"language_code": "en", "name": "English"}]}]}),
    )
    .await;
    let track_id = id(&text_tracks(&asset)[0]);
    assert_eq!(text_tracks(&asset)[0]["status"], "preparing");
    first.handle.shutdown().await;

    let second = TestEmu::with(kept(Duration::from_millis(50))).await;
    let track = finished_track(&second, &id(&asset), &track_id).await;
    assert_eq!(track["status"], "ready", "{track}");
    let pid = asset["playback_ids"][0]["id"].as_str().unwrap();
    let (status, _, txt) = text_file(&second, pid, &format!("{track_id}.txt"), None).await;
    assert_eq!(
        (status, txt.as_str()),
        (StatusCode::OK, "hello from the tiny clip\n")
    );
}
