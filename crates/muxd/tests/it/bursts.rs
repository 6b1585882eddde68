//! A burst of users beyond Mux's POST rate (≈1/s) must not fail: muxd paces its calls to Mux's
//! limits and queues within the caller's deadline, so the emulator, enforcing Mux-like rate
//! limits, never answers 429 and every user gets an upload URL.

use reqwest::{Method, StatusCode};
use serde_json::json;

use muxd_testkit::app::{Backend, TestApp};

/// More than the emulator's POST burst allowance (5) plus muxd's own (3).
const USERS: usize = 10;

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_burst_of_uploads_beyond_the_post_rate_all_succeed_without_429() {
    let Some(app) = TestApp::spawn_paced(Backend::Sqlite).await else {
        return;
    };
    app.emulator.set_rate_limits(true);
    let app = std::sync::Arc::new(app);
    let mut users = Vec::new();
    for n in 0..USERS {
        let app = app.clone();
        users.push(tokio::spawn(async move {
            let owner = format!("user_burst_{n}");
            app.call(
                Method::POST,
                "/api/mux/create-video-upload",
                Some((&owner, false)),
                Some(json!({"name": "b.mp4", "fileSize": 1024})),
            )
            .await
        }));
    }
    for user in users {
        let (status, body) = user.await.unwrap();
        assert_eq!(status, StatusCode::CREATED, "{body}");
    }
    let throttled: Vec<_> = app
        .emulator
        .request_log()
        .into_iter()
        .filter(|r| r.status == Some(429))
        .collect();
    assert!(
        throttled.is_empty(),
        "Mux (the emulator) rate-limited muxd: {throttled:?}"
    );
}
