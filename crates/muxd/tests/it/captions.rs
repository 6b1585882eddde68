//! Captions over real HTTP against the emulator, on both databases: generated captions asked for
//! at upload turn ready after the video and show in the view (with their WebVTT, the emulator's
//! cues), the host app's webhook and the history; a silent video's are skipped and it stays
//! READY; a supplied SRT becomes a WebVTT track that replaces the language's old one once ready,
//! while a malformed file is refused naming its line and the old track plays on; captions are
//! deleted and generated for an existing video; and a campaign is searched by what is said in its
//! videos, the match first with the cue's time.

use mux_emulator::{FaultConfig, WebhookFaults};
use reqwest::{Method, StatusCode};
use serde_json::{json, Value};

use crate::replace::{put, view, OWNER};
use muxd_testkit::app::{Backend, TestApp};
use muxd_testkit::app_test;
use muxd_testkit::databases::eventually;

/// An app whose uploads ask for English captions, with loopback webhook endpoints allowed.
async fn spawn_with_captions(backend: Backend) -> Option<TestApp> {
    TestApp::spawn_with_settings(
        backend,
        &[
            ("MUXD_CAPTIONS", "en"),
            ("MUXD_WEBHOOK_ALLOW_PRIVATE_URLS", "true"),
        ],
    )
    .await
}

/// Uploads fixture `file` as [`OWNER`] named `name` and waits until it is READY.
async fn ready(app: &TestApp, file: &str, name: &str) -> Value {
    let (id, url) = app.create_upload(OWNER, name).await;
    put(app, &url, file).await;
    let asset = app.wait_for(OWNER, &id, |s| s == "READY").await;
    assert_eq!(asset["status"], "READY", "{asset}");
    asset
}

/// Waits until asset `id` has a caption of `language` whose status is `status`; returns it.
async fn caption(app: &TestApp, id: &str, language: &str, status: &str) -> Value {
    let mut found = Value::Null;
    eventually(&format!("{language} captions {status}"), async || {
        let asset = view(app, id).await;
        found = asset["captions"]
            .as_array()
            .unwrap()
            .iter()
            .find(|c| c["language"] == language && c["status"] == status)
            .cloned()
            .unwrap_or(Value::Null);
        !found.is_null()
    })
    .await;
    found
}

/// The body of `url` (a track's file), which must be served.
async fn text(app: &TestApp, url: &Value) -> String {
    let response = app.http.get(url.as_str().unwrap()).send().await.unwrap();
    assert_eq!(response.status(), StatusCode::OK, "{url}");
    response.text().await.unwrap()
}

/// PUTs a caption file as the owner; the status and answer.
async fn supply(
    app: &TestApp,
    id: &str,
    language: &str,
    kind: &str,
    body: &str,
) -> (StatusCode, Value) {
    let response = app
        .http
        .put(format!(
            "{}/api/creative-assets/{id}/captions/{language}",
            app.base
        ))
        .bearer_auth(app.token(OWNER, false))
        .header("content-type", kind)
        .body(body.to_owned())
        .send()
        .await
        .unwrap();
    let status = response.status();
    (status, response.json().await.unwrap_or(Value::Null))
}

/// The owner's search of their videos for `q`.
async fn search(app: &TestApp, q: &str) -> Vec<Value> {
    let path = format!("/api/creative-assets?q={}", q.replace(' ', "%20"));
    let (status, page) = app
        .call(Method::GET, &path, Some((OWNER, false)), None)
        .await;
    assert_eq!(status, StatusCode::OK, "{page}");
    page["data"].as_array().unwrap().clone()
}

app_test!(
    generated_captions_turn_ready_after_the_video_and_show_everywhere,
    spawn = spawn_with_captions,
    |app: TestApp| async move {
        let (hooks, url) = crate::replace::receiver().await;
        let (status, endpoint) = app
            .as_app_backend(
                Method::POST,
                "/api/app/webhook-endpoints",
                Some(json!({"url": url, "eventTypes": []})),
            )
            .await;
        assert_eq!(status, StatusCode::CREATED, "{endpoint}");
        let asset = ready(&app, "hd-10s-1280x720.mp4", "Summer launch").await;
        let id = asset["id"].as_str().unwrap();
        assert_eq!(asset["captionsAsked"], "en", "{asset}");
        let track = caption(&app, id, "en", "ready").await;
        assert_eq!(track["source"], "generated", "{track}");
        // The emulator transcribes a fixture as its manifest says.
        let said = transcript_of("hd-10s-1280x720.mp4");
        let vtt = text(&app, &track["vttUrl"]).await;
        assert!(vtt.starts_with("WEBVTT"), "{vtt}");
        assert!(vtt.contains("00:00:06.000 --> 00:00:08.000"), "{vtt}");
        let transcript = text(&app, &track["transcriptUrl"]).await;
        assert_eq!(transcript.lines().collect::<Vec<_>>(), said, "{transcript}");

        // The host app hears which captions changed; the history says so too.
        let track_id = track["id"].as_str().unwrap().to_owned();
        eventually("asset.updated naming the captions", async || {
            hooks.lock().unwrap().iter().any(|hook| {
                hook["type"] == "asset.updated"
                    && hook["captions"]
                        .as_array()
                        .is_some_and(|c| c.contains(&json!(track_id)))
                    && hook["data"]["captions"][0]["status"] == "ready"
            })
        })
        .await;
        let history = app.store.asset_events(id.parse().unwrap()).await.unwrap();
        assert!(
            history.iter().any(|e| e.cause_ref.contains(&track_id)),
            "{history:?}"
        );

        // Found by what is said, with the cue's time.
        let found = eventually_found(&app, "summer sale").await;
        assert_eq!(found[0]["id"], id);
        let matches = found[0]["matches"].as_array().unwrap();
        assert!(
            matches[0]["text"].as_str().unwrap().contains("summer sale"),
            "{matches:?}"
        );
        assert!(matches[0]["startSeconds"].as_f64().is_some());
        assert!(search(&app, "zebra quantum").await.is_empty());
    }
);

/// What the fixtures manifest says the emulator's generated captions of `file` say.
pub fn transcript_of(file: &str) -> Vec<String> {
    let files = crate::media::manifest();
    let entry = files.iter().find(|f| f["file"] == file).expect("a fixture");
    serde_json::from_value(entry["transcript"].clone()).expect("a transcript")
}

/// Searches until the transcripts are indexed (the captions job runs each second).
async fn eventually_found(app: &TestApp, q: &str) -> Vec<Value> {
    let mut found = Vec::new();
    eventually(
        &format!("a search for {q:?} finding something"),
        async || {
            found = search(app, q).await;
            !found.is_empty()
        },
    )
    .await;
    found
}

app_test!(
    a_silent_video_s_captions_are_skipped_and_it_stays_ready,
    spawn = spawn_with_captions,
    |app: TestApp| async move {
        let asset = ready(&app, "vertical-3s-720x1280-noaudio.mov", "No sound").await;
        let id = asset["id"].as_str().unwrap();
        let track = caption(&app, id, "en", "skipped").await;
        assert!(track["vttUrl"].is_null(), "{track}");
        let after = view(&app, id).await;
        assert_eq!(after["status"], "READY", "{after}");
        assert!(after["playbackUrl"].is_string());
    }
);

const SRT: &str = "1\r\n00:00:00,500 --> 00:00:02,000\r\nHello from the beach\r\n\r\n2\r\n00:00:02,500 --> 00:00:04,000\r\nBuy one, get one free\r\n";
const BROKEN_SRT: &str =
    "1\n00:00:00,500 --> 00:00:02,000\nfine\n\n2\n00:00:03,000 -> nonsense\nbad\n";
const VTT: &str = "WEBVTT\n\n00:00.000 --> 00:01.500\nA second take\n";

app_test!(
    a_supplied_srt_becomes_a_webvtt_track_and_a_broken_file_changes_nothing,
    |app: TestApp| async move {
        let asset = ready(&app, "tiny-2s-320x240.mp4", "Beach day").await;
        let id = asset["id"].as_str().unwrap();
        assert!(asset["captions"].as_array().unwrap().is_empty(), "{asset}");
        let (status, now) = supply(&app, id, "en", "application/x-subrip", SRT).await;
        assert_eq!(status, StatusCode::OK, "{now}");
        // Mux's answer was "preparing"; the emulator's ready webhook (100 ms on) may already
        // have been applied when the answer is read, on a busy machine.
        let made = now["captions"][0]["status"].as_str();
        assert!(matches!(made, Some("preparing" | "ready")), "{now}");
        assert_eq!(now["captions"][0]["source"], "supplied", "{now}");
        let first = caption(&app, id, "en", "ready").await;
        let vtt = text(&app, &first["vttUrl"]).await;
        assert!(vtt.starts_with("WEBVTT"), "{vtt}");
        assert!(vtt.contains("00:00:00.500 --> 00:00:02.000"), "{vtt}");
        assert!(vtt.contains("Buy one, get one free"), "{vtt}");

        // A malformed file is refused, naming the line; the track plays on.
        let (status, refused) = supply(&app, id, "en", "application/x-subrip", BROKEN_SRT).await;
        assert_eq!(status, StatusCode::BAD_REQUEST, "{refused}");
        let message = refused["error"]["message"].as_str().unwrap();
        assert!(message.contains("line 6"), "{message}");
        let (status, refused) = supply(&app, id, "en", "text/plain", VTT).await;
        assert_eq!(status, StatusCode::BAD_REQUEST, "{refused}");
        let still = view(&app, id).await;
        assert_eq!(still["captions"].as_array().unwrap().len(), 1, "{still}");
        assert_eq!(still["captions"][0]["id"], first["id"]);

        // A new file for the language replaces the old track once it is ready.
        let (status, now) = supply(&app, id, "en", "text/vtt", VTT).await;
        assert_eq!(status, StatusCode::OK, "{now}");
        eventually("the new captions alone", async || {
            let captions = view(&app, id).await["captions"].clone();
            let list = captions.as_array().unwrap();
            list.len() == 1 && list[0]["id"] != first["id"] && list[0]["status"] == "ready"
        })
        .await;
        assert!(eventually_found(&app, "second take").await[0]["id"] == id);
        assert!(search(&app, "beach buy")
            .await
            .iter()
            .all(|a| a["id"] != id || a["matches"].as_array().unwrap().is_empty()));

        // Deleted, then gone.
        let path = format!("/api/creative-assets/{id}/captions/en");
        let (status, now) = app
            .call(Method::DELETE, &path, Some((OWNER, false)), None)
            .await;
        assert_eq!(status, StatusCode::OK, "{now}");
        assert!(now["captions"].as_array().unwrap().is_empty(), "{now}");
        let (status, _) = app
            .call(Method::DELETE, &path, Some((OWNER, false)), None)
            .await;
        assert_eq!(status, StatusCode::NOT_FOUND);
    }
);

app_test!(
    captions_are_generated_for_an_existing_video_and_refused_where_they_cannot_be,
    |app: TestApp| async move {
        let asset = ready(&app, "tiny-2s-320x240.mp4", "Made before captions").await;
        let id = asset["id"].as_str().unwrap();
        let path = format!("/api/creative-assets/{id}/captions/en/generate");
        let (status, now) = app
            .call(Method::POST, &path, Some((OWNER, false)), None)
            .await;
        assert_eq!(status, StatusCode::OK, "{now}");
        // Mux's answer was "preparing"; the emulator's ready webhook (100 ms on) may already
        // have been applied when the answer is read, on a busy machine.
        let made = now["captions"][0]["status"].as_str();
        assert!(matches!(made, Some("preparing" | "ready")), "{now}");
        caption(&app, id, "en", "ready").await;
        let (status, again) = app
            .call(Method::POST, &path, Some((OWNER, false)), None)
            .await;
        assert_eq!(status, StatusCode::CONFLICT, "{again}");
        let bad = format!("/api/creative-assets/{id}/captions/xx/generate");
        let (status, _) = app
            .call(Method::POST, &bad, Some((OWNER, false)), None)
            .await;
        assert_eq!(status, StatusCode::BAD_REQUEST);
        // Someone else's video is not there; one still processing takes no captions yet.
        let (status, _) = app
            .call(Method::POST, &path, Some(("someone_else", false)), None)
            .await;
        assert_eq!(status, StatusCode::NOT_FOUND);
        let (pending, _) = app.create_upload(OWNER, "not sent").await;
        let (status, body) = supply(&app, &pending, "en", "text/vtt", VTT).await;
        assert_eq!(status, StatusCode::CONFLICT, "{body}");
        let huge = format!(
            "WEBVTT\n\n{}",
            "00:00.000 --> 00:01.000\nla la la\n\n".repeat(20_000)
        );
        let (status, _) = supply(&app, id, "en", "text/vtt", &huge).await;
        assert_eq!(status, StatusCode::PAYLOAD_TOO_LARGE);
    }
);

app_test!(
    a_track_whose_webhooks_are_lost_is_found_by_reading_the_asset,
    spawn = |backend| TestApp::spawn_with_settings(backend, &[("MUXD_RECONCILE_GRACE_SECS", "1")]),
    |app: TestApp| async move {
        let asset = ready(&app, "hd-10s-1280x720.mp4", "Quiet hooks").await;
        let id = asset["id"].as_str().unwrap();
        app.emulator.set_faults(FaultConfig {
            webhooks: WebhookFaults {
                drop_rate: 1.0,
                ..Default::default()
            },
            ..Default::default()
        });
        let path = format!("/api/creative-assets/{id}/captions/en/generate");
        let (status, now) = app
            .call(Method::POST, &path, Some((OWNER, false)), None)
            .await;
        assert_eq!(status, StatusCode::OK, "{now}");
        // Mux never says the track is ready; the captions job reads the asset once it is quiet.
        caption(&app, id, "en", "ready").await;
        assert_eq!(eventually_found(&app, "half price").await[0]["id"], id);
    }
);
