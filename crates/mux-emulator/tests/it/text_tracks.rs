//! Generated captions (docs/mux-facts.md §10): asked for on an upload's input or with
//! `generate-subtitles`, `preparing` with the asset and `ready` (or `skipped` without audio) a
//! little after it, announced by `video.asset.track.*` webhooks, served as `.vtt`/`.txt` with
//! the stream's token check. Shared helpers for `text_tracks_supplied` too.

use std::time::Duration;

use mux_emulator::EmulatorConfig;
use reqwest::{Method, StatusCode};
use serde_json::{json, Value};

use crate::harness::{config, eventually, fixture, header, TestEmu};
use crate::receiver::Receiver;
use crate::signing::{create_key, now_s, sign};

pub const HD: &str = "hd-10s-1280x720.mp4";

/// The harness config sending webhooks to `receiver`, with the fixtures' transcripts.
pub fn with_receiver(receiver: &Receiver) -> EmulatorConfig {
    let mut cfg = config();
    cfg.webhook_urls = vec![receiver.url.clone()];
    let manifest = std::fs::read_to_string(crate::harness::fixtures_dir().join("manifest.json"));
    cfg.transcripts = mux_emulator::transcripts::from_manifest(&manifest.unwrap()).unwrap();
    cfg
}

/// Uploads `file` with `settings` as `new_asset_settings` and waits for the finished asset.
pub async fn upload(emu: &TestEmu, file: &str, settings: Value) -> Value {
    let upload = emu
        .create_upload(json!({"new_asset_settings": settings}))
        .await;
    let put = emu
        .put_whole(upload["url"].as_str().unwrap(), fixture(file))
        .await;
    assert_eq!(put.status(), StatusCode::OK);
    let asset = emu.wait_for_asset(upload["id"].as_str().unwrap()).await;
    assert_eq!(asset["status"], "ready", "{asset}");
    asset
}

pub fn text_tracks(asset: &Value) -> Vec<Value> {
    let tracks = asset["tracks"].as_array().cloned().unwrap_or_default();
    tracks.into_iter().filter(|t| t["type"] == "text").collect()
}

pub fn id(v: &Value) -> String {
    v["id"].as_str().unwrap().to_owned()
}

/// Polls the asset until its text track `track_id` has left `preparing`.
pub async fn finished_track(emu: &TestEmu, asset_id: &str, track_id: &str) -> Value {
    eventually(&format!("track {track_id} finished"), || async {
        let asset = emu.asset(asset_id).await;
        text_tracks(&asset)
            .into_iter()
            .find(|t| t["id"] == track_id && t["status"] != "preparing")
    })
    .await
}

/// The webhook of `event_type` about track `track_id`, once received.
pub async fn track_event(receiver: &Receiver, event_type: &str, track_id: &str) -> Value {
    let matches = |r: &crate::receiver::Received| {
        let body = r.json();
        body["type"] == event_type && body["data"]["id"] == track_id
    };
    let received = receiver
        .wait_until(&format!("{event_type} of {track_id}"), |all| {
            all.iter().any(matches)
        })
        .await;
    received.into_iter().find(matches).unwrap().json()
}

/// `GET /stream/{pid}/text/{file}` with an optional token: (status, content type, body).
pub async fn text_file(
    emu: &TestEmu,
    pid: &str,
    file: &str,
    token: Option<&str>,
) -> (StatusCode, Option<String>, String) {
    let r = crate::signing::get(emu, &format!("/stream/{pid}/text/{file}"), token).await;
    let content_type = header(&r, "content-type");
    (r.status(), content_type, r.text().await.unwrap())
}

#[tokio::test]
async fn generated_captions_turn_ready_after_the_asset_with_webhooks_and_signed_files() {
    let receiver = Receiver::spawn().await;
    let mut cfg = with_receiver(&receiver);
    // Long enough to see the track preparing on a ready asset; the test skips it by the clock.
    cfg.text_track_delay = Duration::from_secs(3600);
    let emu = TestEmu::with(cfg).await;
    let key = create_key(&emu).await;
    let subtitles =
        json!([{"language_code": "en", "name": "English (generated)", "passthrough": "cc"}]);
    let asset = upload(
        &emu,
        HD,
        json!({"playback_policies": ["signed"], "inputs": [{"generated_subtitles": subtitles}]}),
    )
    .await;
    let asset_id = id(&asset);
    let tracks = text_tracks(&asset);
    assert_eq!(tracks.len(), 1, "{asset}");
    let track_id = id(&tracks[0]);
    assert_eq!(
        tracks[0],
        json!({"id": track_id, "type": "text", "text_type": "subtitles",
               "text_source": "generated_vod", "language_code": "en",
               "name": "English (generated)", "closed_captions": false, "passthrough": "cc",
               "status": "preparing"}),
        "preparing while the asset is ready"
    );
    let pid = asset["playback_ids"][0]["id"].as_str().unwrap().to_owned();
    let video = sign(
        &key,
        &json!({"sub": pid, "aud": "v", "exp": now_s() + 86_400}),
    );
    let (status, _, _) = text_file(&emu, &pid, &format!("{track_id}.vtt"), Some(&video)).await;
    assert_eq!(status, StatusCode::NOT_FOUND, "not ready yet");

    emu.handle.advance_clock(Duration::from_secs(3600));
    let track = finished_track(&emu, &asset_id, &track_id).await;
    assert_eq!(track["status"], "ready", "{track}");

    let ready = track_event(&receiver, "video.asset.track.ready", &track_id).await;
    let mut expected = track.clone();
    expected["asset_id"] = json!(asset_id);
    assert_eq!(ready["data"], expected);
    assert_eq!(ready["object"], json!({"type": "asset", "id": asset_id}));
    let created = track_event(&receiver, "video.asset.track.created", &track_id).await;
    assert_eq!(created["data"]["status"], "preparing");
    assert_eq!(created["data"]["asset_id"], asset_id.as_str());
    let types = receiver.types();
    let at = |t: &str| types.iter().position(|x| x == t).unwrap();
    assert!(at("video.asset.created") < at("video.asset.track.created"));
    assert!(
        at("video.asset.ready") < at("video.asset.track.ready"),
        "{types:?}"
    );

    let (status, content_type, vtt) =
        text_file(&emu, &pid, &format!("{track_id}.vtt"), Some(&video)).await;
    assert_eq!(status, StatusCode::OK);
    assert_eq!(content_type.as_deref(), Some("text/vtt"));
    assert!(
        vtt.starts_with("WEBVTT\n\n00:00:00.000 --> 00:00:02.000\nwelcome to the summer sale\n"),
        "{vtt}"
    );
    let duration = asset["duration"].as_f64().unwrap();
    let last = format!("00:00:08.000 --> 00:00:{:06.3}\nsee you soon\n", duration);
    assert!(
        vtt.ends_with(&last),
        "the last cue ends at the duration: {vtt}"
    );
    let (status, content_type, txt) =
        text_file(&emu, &pid, &format!("{track_id}.txt"), Some(&video)).await;
    assert_eq!(status, StatusCode::OK);
    assert!(content_type.unwrap().starts_with("text/plain"));
    assert_eq!(
        txt,
        "welcome to the summer sale\nevery jacket is half price\nthis week only\nuse the code sunny\nsee you soon\n"
    );

    for token in [
        None,
        Some(sign(
            &key,
            &json!({"sub": pid, "aud": "t", "exp": now_s() + 86_400}),
        )),
    ] {
        let (status, _, _) =
            text_file(&emu, &pid, &format!("{track_id}.vtt"), token.as_deref()).await;
        assert_eq!(status, StatusCode::FORBIDDEN, "a video token is needed");
    }
    let (status, _, _) = text_file(&emu, &pid, "Unknown00.vtt", Some(&video)).await;
    assert_eq!(status, StatusCode::NOT_FOUND);
}

#[tokio::test]
async fn a_file_without_audio_gets_its_captions_skipped() {
    let receiver = Receiver::spawn().await;
    let emu = TestEmu::with(with_receiver(&receiver)).await;
    let asset = upload(
        &emu,
        "vertical-3s-720x1280-noaudio.mov",
        json!({"playback_policies": ["public"],
               "inputs": [{"generated_subtitles": [{"language_code": "de", "name": "Deutsch"}]}]}),
    )
    .await;
    let track_id = id(&text_tracks(&asset)[0]);
    let track = finished_track(&emu, &id(&asset), &track_id).await;
    assert_eq!(track["status"], "skipped", "{track}");
    let skipped = track_event(&receiver, "video.asset.track.skipped", &track_id).await;
    assert_eq!(skipped["data"]["status"], "skipped");
    let pid = asset["playback_ids"][0]["id"].as_str().unwrap();
    let (status, _, _) = text_file(&emu, pid, &format!("{track_id}.vtt"), None).await;
    assert_eq!(status, StatusCode::NOT_FOUND);
}

#[tokio::test]
async fn subtitles_can_be_generated_later_from_the_audio_track_only() {
    let receiver = Receiver::spawn().await;
    let emu = TestEmu::with(with_receiver(&receiver)).await;
    let asset = upload(
        &emu,
        "tiny-2s-320x240.mp4",
        json!({"playback_policies": ["public"]}),
    )
    .await;
    let asset_id = id(&asset);
    let track_of = |kind: &str| {
        let tracks = asset["tracks"].as_array().unwrap();
        id(tracks.iter().find(|t| t["type"] == kind).unwrap())
    };
    let generate = |track: String, body: Value| {
        let path = format!("/video/v1/assets/{asset_id}/tracks/{track}/generate-subtitles");
        let request = emu.api(Method::POST, &path).json(&body);
        async move {
            let r = request.send().await.unwrap();
            (r.status(), r.json::<Value>().await.unwrap_or(Value::Null))
        }
    };
    let english = json!({"generated_subtitles": [{"language_code": "en", "name": "English"}]});

    let (status, body) = generate(track_of("video"), english.clone()).await;
    assert_eq!(status, StatusCode::BAD_REQUEST, "{body}");
    assert_eq!(body["error"]["type"], "invalid_parameters");
    let (status, _) = generate("Unknown00".into(), english.clone()).await;
    assert_eq!(status, StatusCode::NOT_FOUND);
    let (status, _) = generate(
        track_of("audio"),
        json!({"generated_subtitles": [{"language_code": "xx"}]}),
    )
    .await;
    assert_eq!(status, StatusCode::BAD_REQUEST, "unknown language");

    let (status, body) = generate(track_of("audio"), english).await;
    assert_eq!(status, StatusCode::CREATED, "{body}");
    let made = body["data"].as_array().unwrap();
    assert_eq!(made.len(), 1);
    assert_eq!(made[0]["status"], "preparing");
    assert_eq!(made[0]["text_source"], "generated_vod");
    let track_id = id(&made[0]);
    track_event(&receiver, "video.asset.track.created", &track_id).await;
    let track = finished_track(&emu, &asset_id, &track_id).await;
    assert_eq!(track["status"], "ready", "{track}");
    track_event(&receiver, "video.asset.track.ready", &track_id).await;
    let pid = asset["playback_ids"][0]["id"].as_str().unwrap();
    let (status, _, txt) = text_file(&emu, pid, &format!("{track_id}.txt"), None).await;
    assert_eq!(
        (status, txt.as_str()),
        (StatusCode::OK, "hello from the tiny clip\n")
    );

    let path = format!(
        "/video/v1/assets/Unknown00/tracks/{}/generate-subtitles",
        track_of("audio")
    );
    let r = emu
        .api(Method::POST, &path)
        .json(&json!({}))
        .send()
        .await
        .unwrap();
    assert_eq!(r.status(), StatusCode::NOT_FOUND);
}

#[tokio::test]
async fn an_unknown_language_is_a_400_on_uploads_and_url_assets() {
    let emu = TestEmu::spawn().await;
    let inputs = json!([{"generated_subtitles": [{"language_code": "klingon", "name": "?"}]}]);
    let r = emu
        .api(Method::POST, "/video/v1/uploads")
        .json(&json!({"new_asset_settings": {"inputs": inputs}}))
        .send()
        .await
        .unwrap();
    assert_eq!(r.status(), StatusCode::BAD_REQUEST);
    let body: Value = r.json().await.unwrap();
    assert_eq!(body["error"]["type"], "invalid_parameters");
    assert!(body["error"]["messages"][0]
        .as_str()
        .unwrap()
        .contains("language_code"));

    let r = emu
        .api(Method::POST, "/video/v1/assets")
        .json(&json!({"inputs": [{"url": "https://example.com/a.mp4",
                                   "generated_subtitles": [{"language_code": "xx"}]}]}))
        .send()
        .await
        .unwrap();
    assert_eq!(r.status(), StatusCode::BAD_REQUEST);
    assert!(emu.handle.assets().is_empty(), "nothing was made");
}

#[tokio::test]
async fn webhook_faults_apply_to_track_events() {
    let receiver = Receiver::spawn().await;
    let emu = TestEmu::with(with_receiver(&receiver)).await;
    emu.handle.set_faults(mux_emulator::FaultConfig {
        webhooks: mux_emulator::WebhookFaults {
            duplicate_rate: 1.0,
            ..Default::default()
        },
        ..Default::default()
    });
    let asset = upload(
        &emu,
        "tiny-2s-320x240.mp4",
        json!({"inputs": [{"generated_subtitles": [{"language_code": "en"}]}]}),
    )
    .await;
    let track_id = id(&text_tracks(&asset)[0]);
    let copies = receiver
        .wait_until("two copies of track.ready", |all| {
            let ready = |r: &&crate::receiver::Received| {
                let body = r.json();
                body["type"] == "video.asset.track.ready" && body["data"]["id"] == track_id
            };
            all.iter().filter(ready).count() == 2
        })
        .await;
    let ready: Vec<Value> = copies
        .iter()
        .map(|r| r.json())
        .filter(|b| b["type"] == "video.asset.track.ready")
        .collect();
    assert_eq!(ready[0]["id"], ready[1]["id"], "the same event twice");
    assert_eq!(
        ready[0]["data"]["name"], "en (generated)",
        "the default name"
    );
}
