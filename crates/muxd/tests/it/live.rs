//! `GET /api/live`, the server-sent-events stream pages watch: it pushes the caller's changes as
//! they happen, a reconnect resumes with what changed meanwhile, and another user's changes never
//! reach it (proved by ordering, not by waiting: the stream delivers changes in the order they
//! were made, so a change of the other user's made first would arrive before one of the caller's).

use std::time::Duration;

use reqwest::{Method, StatusCode};
use serde_json::{json, Value};

use crate::media::fixture;
use muxd_testkit::app::TestApp;
use muxd_testkit::app_test;

/// One SSE frame: its `event:` kind, its `data:` parsed, and its text as sent.
struct Frame {
    kind: String,
    data: Value,
    text: String,
}

/// Reads SSE frames until one of `event` arrives for `id`; returns every frame read, that one
/// last. Fails after 20 s.
async fn frames_until(
    response: &mut reqwest::Response,
    buffer: &mut String,
    event: &str,
    id: &str,
) -> Vec<Frame> {
    let deadline = tokio::time::Instant::now() + Duration::from_secs(20);
    let mut frames = Vec::new();
    loop {
        while let Some(end) = buffer.find("\n\n") {
            let text: String = buffer.drain(..end + 2).collect();
            let field = |name: &str| {
                text.lines()
                    .find_map(|l| l.strip_prefix(name))
                    .map(|v| v.trim().to_owned())
            };
            let kind = field("event:").unwrap_or_default();
            let data = field("data:").map_or(Value::Null, |d| {
                serde_json::from_str(&d).unwrap_or(Value::Null)
            });
            let found = kind == event && data["id"] == id;
            frames.push(Frame { kind, data, text });
            if found {
                return frames;
            }
        }
        let chunk = tokio::time::timeout_at(deadline, response.chunk())
            .await
            .unwrap_or_else(|_| panic!("no {event} event for {id} within 20 s"))
            .unwrap()
            .expect("stream open");
        buffer.push_str(&String::from_utf8_lossy(&chunk));
    }
}

/// Reads SSE frames until one of `event` arrives for `id`; returns its data.
async fn next_event(
    response: &mut reqwest::Response,
    buffer: &mut String,
    event: &str,
    id: &str,
) -> Value {
    let frames = frames_until(response, buffer, event, id).await;
    frames.into_iter().last().expect("the frame found").data
}

/// Opens `GET /api/live` as `owner`, with `query` (e.g. `?since=0`); subscribed once it answers.
async fn open(app: &TestApp, owner: &str, query: &str) -> reqwest::Response {
    let stream = app
        .http
        .get(format!("{}/api/live{query}", app.base))
        .bearer_auth(app.token(owner, false))
        .send()
        .await
        .unwrap();
    assert_eq!(stream.status(), StatusCode::OK);
    stream
}

/// Renames asset `id` as its owner: a change the live stream announces.
async fn rename(app: &TestApp, owner: &str, id: &str, name: &str) {
    let path = format!("/api/creative-assets/{id}");
    let body = Some(json!({ "name": name }));
    let (status, reply) = app
        .call(Method::PATCH, &path, Some((owner, false)), body)
        .await;
    assert_eq!(status, StatusCode::OK, "{reply}");
}

app_test!(
    the_live_stream_pushes_changes_and_resumes,
    |app: TestApp| async move {
        let token = app.token("user_live", false);
        let mut stream = open(&app, "user_live", "").await;
        let (id, url) = app.create_upload("user_live", "live.mp4").await;
        app.http
            .put(&url)
            .body(fixture("tiny-2s-320x240.mp4"))
            .send()
            .await
            .unwrap();
        let mut buffer = String::new();
        let mut seen = Vec::new();
        loop {
            let asset = next_event(&mut stream, &mut buffer, "asset", &id).await;
            seen.push(asset["status"].as_str().unwrap().to_owned());
            if asset["status"] == "READY" {
                break;
            }
        }
        assert!(seen.contains(&"MUX_PROCESSING".to_owned()), "{seen:?}");
        drop(stream);
        // A reconnect from before the upload replays the asset's current state.
        let mut resumed = app
            .http
            .get(format!("{}/api/live", app.base))
            .bearer_auth(&token)
            .header("last-event-id", "0")
            .send()
            .await
            .unwrap();
        let replayed = next_event(&mut resumed, &mut String::new(), "asset", &id).await;
        assert_eq!(replayed["status"], "READY");

        // Another user's stream hears nothing of user_live's assets: not in its catch-up read
        // (`since=0` covers `again.mp4`, made before it opened) and not live (the rename after).
        let (other_id, _) = app.create_upload("user_live", "again.mp4").await;
        let mut elsewhere = open(&app, "user_elsewhere", "?since=0").await;
        rename(&app, "user_live", &id, "renamed.mp4").await;
        // Then a change of its own: everything of user_live's would have come before it.
        let (mine, _) = app.create_upload("user_elsewhere", "mine.mp4").await;
        rename(&app, "user_elsewhere", &mine, "mine-renamed.mp4").await;
        let frames = frames_until(&mut elsewhere, &mut String::new(), "asset", &mine).await;
        for frame in &frames {
            assert!(
                !frame.text.contains(&id) && !frame.text.contains(&other_id),
                "user_elsewhere was sent user_live's asset ({} frame): {}",
                frame.kind,
                frame.text
            );
        }
    }
);

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_live_stream_ends_when_the_token_that_opened_it_expires() {
    let app = TestApp::spawn(muxd_testkit::app::Backend::Sqlite)
        .await
        .expect("SQLite is always available");
    // Valid for about 3 s (whole seconds): the stream must end then, not stay open for good.
    let token = app.identity.sign("user_expiring", false, 3).unwrap();
    let opened = tokio::time::Instant::now();
    let mut stream = app
        .http
        .get(format!("{}/api/live", app.base))
        .bearer_auth(&token)
        .send()
        .await
        .unwrap();
    assert_eq!(stream.status(), StatusCode::OK);
    let deadline = opened + Duration::from_secs(15);
    let mut frames = String::new();
    loop {
        let chunk = tokio::time::timeout_at(deadline, stream.chunk())
            .await
            .unwrap_or_else(|_| panic!("the stream outlived its token by 12 s: {frames}"));
        match chunk {
            Ok(Some(chunk)) => frames.push_str(&String::from_utf8_lossy(&chunk)),
            // Ended, cleanly or not: the browser's EventSource reconnects with a fresh token.
            Ok(None) | Err(_) => break,
        }
    }
    assert!(frames.contains("event: ready"), "{frames}");
    assert!(
        opened.elapsed() >= Duration::from_secs(1),
        "ended before the token expired"
    );
}
