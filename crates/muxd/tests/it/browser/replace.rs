//! Replacing a READY video through its card's "Replace video": the card keeps playing the old
//! video (same `<video>` source, still Ready) and says the new one is being processed until Mux
//! has made it, then the same card (same element, same asset id) plays the new playback id; a
//! new file Mux cannot read leaves the old video playing and the card says why.

use std::time::Duration;

use reqwest::Method;
use serde_json::{json, Value};

use super::axe::axe_script;
use super::driver::{Browser, Width};
use super::page::{card, fixture_path, ready_video, send_video};
use muxd_testkit::app::TestApp;

const NAME: &str = "Launch teaser";
/// How long, on the emulator's clock, Mux takes to process a file in the first test.
const PROCESSING: Duration = Duration::from_secs(3600);

/// The asset `id` as the demo user's API shows it.
async fn view(app: &TestApp, id: &str) -> Value {
    let user = app.demo.as_ref().unwrap().user_external_id.as_str();
    let path = format!("/api/creative-assets/{id}");
    app.call(Method::GET, &path, Some((user, false)), None)
        .await
        .1
}

/// What the card named [`NAME`] shows: its asset id, status, badge, video source, replacement
/// message and whether it is the element marked by [`mark_card`].
async fn shown(browser: &Browser) -> Value {
    let js = format!(
        "const c = {}; return {{id: c.dataset.asset, status: c.dataset.status,
           badge: c.querySelector('.badge').textContent,
           src: c.querySelector('video')?.getAttribute('src') ?? null,
           replacing: c.querySelector('.replacing').hidden ? '' : c.querySelector('.replacing').textContent,
           marked: c.__marked === true}};",
        card(NAME)
    );
    browser.execute(&js, json!([])).await
}

/// Marks the card's element, so a test can tell it is the same one later.
async fn mark_card(browser: &Browser) {
    let js = format!("({}).__marked = true;", card(NAME));
    browser.execute(&js, json!([])).await;
}

/// Presses the card's "Replace video" and picks fixture `file` in the file dialog it opens (through
/// the card's file input: WebDriver cannot drive the operating system's dialog).
async fn replace_with(browser: &Browser, file: &str) {
    let visible = format!(
        "[...({}).querySelectorAll('button')].some(b => b.textContent === 'Replace video' && !b.hidden)",
        card(NAME)
    );
    browser
        .wait_for("the card to offer Replace video", &visible)
        .await;
    // The button opens the card's file input; the dialog itself is the operating system's.
    let picker = format!("({}).querySelector('input[type=file]')", card(NAME));
    let intercept = format!(
        "{picker}.addEventListener('click', e => {{ e.preventDefault(); window.__picker = true; }}, {{once: true}});"
    );
    browser.execute(&intercept, json!([])).await;
    browser
        .card_button(NAME, "Replace video")
        .await
        .click()
        .await;
    browser
        .wait_for(
            "Replace video to open the file dialog",
            "window.__picker === true",
        )
        .await;
    browser
        .find_js(&picker)
        .await
        .send_keys(&fixture_path(file))
        .await;
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn browser_replacing_a_video_keeps_the_old_one_playing_until_the_new_one_is_ready() {
    let Some(axe) = axe_script() else {
        return;
    };
    let Some(browser) = Browser::start("replace-keeps-old", Width::Desktop).await else {
        return;
    };
    let app = TestApp::dev_with_processing_delay(PROCESSING).await;
    let user = app.demo.as_ref().unwrap().user_external_id.clone();
    let id = send_video(&app, NAME, "tiny-2s-320x240.mp4").await;
    app.wait_for(&user, &id, |s| s == "MUX_PROCESSING").await;
    app.emulator.advance_clock(PROCESSING);
    let old = app.wait_for(&user, &id, |s| s == "READY").await;
    assert_eq!(old["status"], "READY", "{old}");
    browser.sign_in(&app, false).await;
    assert_eq!(browser.wait_for_card(NAME, "READY").await, id);
    mark_card(&browser).await;
    let before = shown(&browser).await;
    let old_src = before["src"].as_str().expect("a video").to_owned();
    assert!(
        old_src.contains(old["playbackId"].as_str().unwrap()),
        "{before} {old}"
    );
    browser.shot("ready-old").await;

    replace_with(&browser, "hd-10s-1280x720.mp4").await;
    let message = format!(
        "({})?.querySelector('.replacing:not([hidden])')?.textContent === 'Processing the new video'",
        card(NAME)
    );
    browser
        .wait_for("the card to say the new video is being processed", &message)
        .await;
    let during = view(&app, &id).await;
    assert_eq!(during["replacement"]["status"], "processing", "{during}");
    let replacing = shown(&browser).await;
    assert_eq!(
        replacing,
        json!({"id": id, "status": "READY", "badge": "Ready", "src": old_src,
               "replacing": "Processing the new video", "marked": true}),
        "while the new video is processed the card plays the old one"
    );
    browser.shot("replacing").await;
    browser
        .assert_accessible(&axe, "a card replacing its video")
        .await;

    app.emulator.advance_clock(PROCESSING);
    let changed = format!(
        "(({0})?.querySelector('video')?.getAttribute('src') ?? {1}) !== {1}",
        card(NAME),
        json!(old_src)
    );
    browser
        .wait_for("the card to play the new video", &changed)
        .await;
    let now = view(&app, &id).await;
    assert!(now["replacement"].is_null(), "{now}");
    let new_id = now["playbackId"].as_str().unwrap();
    assert_ne!(new_id, old["playbackId"].as_str().unwrap(), "{now}");
    let after = shown(&browser).await;
    assert_eq!(
        (
            &after["id"],
            &after["status"],
            &after["replacing"],
            &after["marked"]
        ),
        (&json!(id), &json!("READY"), &json!(""), &json!(true)),
        "the same card, ready, no longer replacing: {after}"
    );
    assert!(
        after["src"].as_str().unwrap().contains(new_id),
        "the card plays the new playback id {new_id}: {after}"
    );
    browser.shot("replaced").await;
    assert!(browser.same_document().await, "the page reloaded");
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn browser_a_broken_replacement_leaves_the_old_video_and_says_why() {
    let Some(browser) = Browser::start("replace-broken", Width::Desktop).await else {
        return;
    };
    let app = TestApp::spawn_dev().await;
    let old = ready_video(&app, NAME, "tiny-2s-320x240.mp4").await;
    let id = old["id"].as_str().unwrap();
    browser.sign_in(&app, false).await;
    browser.wait_for_card(NAME, "READY").await;
    mark_card(&browser).await;
    let old_src = shown(&browser).await["src"]
        .as_str()
        .expect("a video")
        .to_owned();

    replace_with(&browser, "truncated.mp4").await;
    let failed = format!(
        "({})?.querySelector('.replacing:not([hidden])')?.textContent.startsWith('The new video could not be used')",
        card(NAME)
    );
    browser
        .wait_for("the card to say the new video failed", &failed)
        .await;
    browser.shot("replacement-failed").await;
    let now = view(&app, id).await;
    assert_eq!(now["replacement"]["status"], "error", "{now}");
    let why = now["replacement"]["error"]["message"].as_str().unwrap();
    let after = shown(&browser).await;
    assert_eq!(
        (
            &after["status"],
            &after["badge"],
            &after["src"],
            &after["marked"]
        ),
        (
            &json!("READY"),
            &json!("Ready"),
            &json!(old_src),
            &json!(true)
        ),
        "the old video stays: {after}"
    );
    assert!(
        after["replacing"].as_str().unwrap().contains(why),
        "the card says Mux's reason {why:?}: {after}"
    );
    assert_eq!(now["playbackId"], old["playbackId"], "{now}");
    assert!(browser.same_document().await, "the page reloaded");
}
