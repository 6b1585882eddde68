//! The upload URL failing: answers worth another try (503) are retried by the uploader on its
//! own, saying so; a refusal (403) stops the upload with its reason and a Retry button, which
//! then finishes it (meanwhile the asset's card says the upload failed). The emulator's faults carry the upload's CORS headers, so the browser reads
//! each status.

use serde_json::json;

use super::driver::{Browser, Width};
use super::page::upload_card;
use muxd_testkit::app::TestApp;

const FILE: &str = "tiny-2s-320x240.mp4";

/// A JavaScript expression: the message the uploader shows for [`FILE`].
fn message() -> String {
    format!(
        "({}).querySelector('.muxd-message').textContent",
        upload_card(FILE)
    )
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn browser_the_uploader_retries_server_errors_on_its_own() {
    let Some(browser) = Browser::start("retry-503", Width::Desktop).await else {
        return;
    };
    let app = TestApp::spawn_dev().await;
    browser.sign_in(&app, false).await;
    app.add_fault(
        json!({"method": "PUT", "path": "/upload/**", "kind": "error", "status": 503, "times": 2}),
    )
    .await;
    browser.pick_file(FILE).await;
    browser
        .wait_for(
            "the uploader to say it tries again",
            &format!("{}.includes('Trying again')", message()),
        )
        .await;
    browser.shot("trying-again").await;
    browser.wait_for_one_card(FILE, "READY").await;
    browser.shot("ready").await;
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn browser_a_refused_upload_says_why_and_retry_finishes_it() {
    let Some(browser) = Browser::start("retry-button", Width::Desktop).await else {
        return;
    };
    let app = TestApp::spawn_dev().await;
    browser.sign_in(&app, false).await;
    app.add_fault(
        json!({"method": "PUT", "path": "/upload/**", "kind": "error", "status": 403, "times": 1}),
    )
    .await;
    browser.pick_file(FILE).await;
    browser.wait_for_upload(FILE, "error").await;
    browser.wait_for_badge(FILE, "Upload failed").await;
    let said = browser
        .wait_for("the reason in words", &format!("{} || ''", message()))
        .await;
    browser.shot("refused").await;
    assert!(
        said.as_str().unwrap().contains("refused"),
        "the uploader said {said}"
    );

    browser.upload_button(FILE, "Retry").await.click().await;
    browser.wait_for_one_card(FILE, "READY").await;
    browser.shot("ready").await;
}
