//! Signed playback on the content page: with `MUXD_PLAYBACK_POLICY=signed` (the emulator checks
//! tokens as Mux does), an uploaded video's card shows its poster, loaded with muxd's token, and
//! the video plays with its own token.

use serde_json::json;

use super::driver::{Browser, Width};
use super::page::card;
use muxd_testkit::app::TestApp;

const FILE: &str = "tiny-2s-320x240.mp4";

/// Whether the card's poster loaded: its URL is fetched as an image, as the player does.
const POSTER_LOADS: &str = r#"
const done = arguments[arguments.length - 1];
const image = new Image();
image.onload = () => done(image.naturalWidth > 0 ? "loaded" : "empty");
image.onerror = () => done("failed");
image.src = arguments[0];
"#;

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn browser_a_signed_video_shows_its_poster_and_plays() {
    let Some(browser) = Browser::start("signed-poster-plays", Width::Desktop).await else {
        return;
    };
    let app = TestApp::dev_with_settings(&[("MUXD_PLAYBACK_POLICY", "signed")]).await;
    browser.sign_in(&app, false).await;
    browser.pick_file(FILE).await;
    browser.wait_for_card(FILE, "READY").await;
    let video = format!("{}.querySelector('video')", card(FILE));
    let urls = browser
        .execute(
            &format!(
                "const v = {video}; return [v.getAttribute('src'), v.getAttribute('poster')];"
            ),
            json!([]),
        )
        .await;
    let (src, poster) = (urls[0].as_str().unwrap(), urls[1].as_str().unwrap());
    assert!(src.contains("?token="), "{src}");
    assert!(poster.contains("/thumbnail.png?token="), "{poster}");

    let loaded = browser.execute_async(POSTER_LOADS, json!([poster])).await;
    assert_eq!(loaded, "loaded", "the poster with its token");
    let bare = poster.split('?').next().unwrap();
    let refused = browser.execute_async(POSTER_LOADS, json!([bare])).await;
    assert_eq!(refused, "failed", "the poster without a token");
    browser.shot("poster").await;

    let played = browser
        .execute_async(
            &format!(
                "const done = arguments[arguments.length - 1]; const v = {video}; v.muted = true;
                 v.play().then(() => done('playing'), e => done(String(e)));"
            ),
            json!([]),
        )
        .await;
    assert_eq!(played, "playing");
    browser
        .wait_for(
            "the signed video to advance",
            &format!("{video}.currentTime > 0.5"),
        )
        .await;
    browser.shot("playing").await;
}
