//! Uploading through the content page: a real fixture picked in the file input shows its
//! progress, then its card turns READY without a reload and the video plays; a broken fixture
//! shows Mux's error in words.

use serde_json::json;

use super::driver::{Browser, Width};
use super::page::card;
use muxd_testkit::app::TestApp;
use muxd_testkit::webdriver::Network;

/// Slow enough that a test sees an upload in progress, fast enough to finish on its own.
const SLOW_UPLOAD: u32 = 64 * 1024;

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn browser_upload_shows_progress_then_ready_and_plays() {
    let Some(browser) = Browser::start("upload-ready-plays", Width::Desktop).await else {
        return;
    };
    let app = TestApp::spawn_dev().await;
    browser.sign_in(&app, false).await;
    browser.shot("signed-in").await;

    browser.set_network(Network::SlowUpload(SLOW_UPLOAD)).await;
    browser.pick_file("hd-10s-1280x720.mp4").await;
    browser
        .wait_for(
            "the upload's progress to show",
            "[...document.querySelectorAll('progress')].some(p => p.value > 0 && p.value < p.max)",
        )
        .await;
    browser.shot("uploading").await;
    browser.set_network(Network::Normal).await;

    let id = browser
        .wait_for_one_card("hd-10s-1280x720.mp4", "READY")
        .await;
    browser.shot("ready").await;
    assert!(browser.same_document().await, "the page reloaded");

    let video = format!("{}.querySelector('video')", card("hd-10s-1280x720.mp4"));
    let played = browser
        .execute_async(
            &format!(
                "const done = arguments[arguments.length - 1]; const v = {video}; v.muted = true;
                 v.play().then(() => done('playing'), e => done(String(e)));"
            ),
            json!([]),
        )
        .await;
    assert_eq!(played, "playing", "asset {id}");
    browser
        .wait_for(
            "the video to advance",
            &format!("{video}.currentTime > 0.5"),
        )
        .await;
    browser.shot("playing").await;
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn browser_a_broken_file_shows_its_error_in_words() {
    let Some(browser) = Browser::start("upload-broken", Width::Desktop).await else {
        return;
    };
    let app = TestApp::spawn_dev().await;
    browser.sign_in(&app, false).await;
    browser.pick_file("truncated.mp4").await;
    let id = browser.wait_for_one_card("truncated.mp4", "ERROR").await;
    browser.shot("error").await;
    let demo = app.demo.as_ref().unwrap();
    let asset = app
        .wait_for(&demo.user_external_id, &id, |s| s == "ERROR")
        .await;
    let message = asset["error"]["message"].as_str().unwrap();
    let text = browser
        .execute(
            &format!("return ({}).textContent;", card("truncated.mp4")),
            json!([]),
        )
        .await;
    assert!(
        text.as_str().unwrap().contains(message),
        "the card does not say {message:?}: {text}"
    );
}
