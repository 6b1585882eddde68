//! Without an MP4 (`MUXD_MP4_RENDITIONS=false`) and with `MUXD_PLAYER=mux-player`, a ready card
//! plays through `<mux-player>` with the asset's playback id (loaded from jsDelivr as Mux
//! documents; offline here, so the test checks the element muxd puts on the page, not playback).

use serde_json::json;

use super::driver::{Browser, Width};
use super::page::card;
use muxd_testkit::app::TestApp;

const FILE: &str = "tiny-2s-320x240.mp4";

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn browser_a_video_without_an_mp4_gets_mux_player() {
    let Some(browser) = Browser::start("mux-player", Width::Desktop).await else {
        return;
    };
    let settings = [
        ("MUXD_MP4_RENDITIONS", "false"),
        ("MUXD_PLAYER", "mux-player"),
    ];
    let app = TestApp::dev_with_settings(&settings).await;
    browser.sign_in(&app, false).await;
    browser.pick_file(FILE).await;
    let id = browser.wait_for_card(FILE, "READY").await;
    let player = browser
        .execute(
            &format!(
                "const p = {}.querySelector('mux-player');
                 return p && [p.getAttribute('playback-id'), p.getAttribute('stream-type')];",
                card(FILE)
            ),
            json!([]),
        )
        .await;
    let demo = app.demo.as_ref().unwrap();
    let asset = app
        .wait_for(&demo.user_external_id, &id, |s| s == "READY")
        .await;
    assert_eq!(player, json!([asset["playbackId"], "on-demand"]));
    browser.shot("mux-player").await;
}
