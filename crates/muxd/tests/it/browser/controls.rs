//! The uploader's controls on a slow upload: pause then resume (the card's badge says the upload
//! is paused meanwhile), the network dropping then coming back, and cancel (which also deletes
//! the video, here and on Mux).

use mux_emulator::UploadStatus;
use reqwest::{Method, StatusCode};

use super::driver::{Browser, Width};
use muxd_testkit::app::TestApp;
use muxd_testkit::webdriver::Network;

const FILE: &str = "hd-10s-1280x720.mp4";
/// Slow enough that the test acts while the upload is under way.
const CRAWL: u32 = 32 * 1024;

/// A signed-in browser uploading [`FILE`] in 256 KiB chunks at [`CRAWL`], once some of it is sent.
async fn slow_upload(test: &str) -> Option<(Browser, TestApp)> {
    let browser = Browser::start(test, Width::Desktop).await?;
    let app = TestApp::spawn_dev().await;
    browser.sign_in(&app, false).await;
    browser.set_chunk_kib(256).await;
    browser.set_network(Network::SlowUpload(CRAWL)).await;
    browser.pick_file(FILE).await;
    browser.wait_for_upload(FILE, "uploading").await;
    browser
        .wait_for(
            "some of the file to be sent",
            &format!(
                "({}).querySelector('progress').value > 0",
                super::page::upload_card(FILE)
            ),
        )
        .await;
    browser.shot("uploading").await;
    Some((browser, app))
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn browser_pause_then_resume_completes() {
    let Some((browser, _app)) = slow_upload("pause-resume").await else {
        return;
    };
    browser.upload_button(FILE, "Pause").await.click().await;
    browser.wait_for_upload(FILE, "paused").await;
    browser.wait_for_badge(FILE, "Upload paused").await;
    browser.shot("paused").await;
    let paused_at = browser.upload_percent(FILE).await;
    assert!(paused_at < 100.0, "paused at {paused_at} %");

    browser.set_network(Network::Normal).await;
    browser.upload_button(FILE, "Resume").await.click().await;
    browser.wait_for_one_card(FILE, "READY").await;
    browser.shot("ready").await;
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn browser_offline_mid_upload_then_online_completes() {
    let Some((browser, _app)) = slow_upload("offline-online").await else {
        return;
    };
    browser.set_network(Network::Offline).await;
    browser.wait_for_upload(FILE, "offline").await;
    browser.shot("offline").await;

    browser.set_network(Network::Normal).await;
    browser.wait_for_one_card(FILE, "READY").await;
    browser.shot("ready").await;
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn browser_cancel_stops_the_upload_and_deletes_the_video() {
    let Some((browser, app)) = slow_upload("cancel").await else {
        return;
    };
    let id = browser
        .wait_for(
            "the upload to have a video",
            &format!("({}).dataset.asset", super::page::upload_card(FILE)),
        )
        .await;
    browser.upload_button(FILE, "Cancel").await.click().await;
    browser.wait_for_no_card(FILE).await;
    browser
        .wait_for(
            "the upload's panel to go with its card",
            &format!("!({})", super::page::upload_card(FILE)),
        )
        .await;
    browser.shot("cancelled").await;

    let demo = app.demo.as_ref().unwrap();
    let user = Some((demo.user_external_id.as_str(), false));
    let path = format!("/api/creative-assets/{}", id.as_str().unwrap());
    let (status, _) = app.call(Method::GET, &path, user, None).await;
    assert_eq!(status, StatusCode::NOT_FOUND);
    super::wait::until("the Mux upload to be cancelled", async || {
        app.emulator
            .uploads()
            .iter()
            .all(|u| u.status == UploadStatus::Cancelled)
    })
    .await;
}
