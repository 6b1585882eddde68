//! The content page's "Or paste a link" form, against a file server on this machine: a link to a
//! video file becomes exactly one card that reaches Ready and plays; a link to a web page is
//! refused with muxd's 400 message next to the field, and makes no card. axe finds nothing
//! serious in either state.

use reqwest::{Method, StatusCode};
use serde_json::json;

use super::axe::axe_script;
use super::driver::{Browser, Width};
use super::page::card;
use crate::links::file_server;
use muxd_testkit::app::TestApp;

const FILE: &str = "tiny-2s-320x240.mp4";

/// Pastes `url` in the link field and presses "Add from link".
async fn paste_link(browser: &Browser, url: &str) {
    browser.find("#link-url").await.send_keys(url).await;
    browser
        .find_js("[...document.querySelectorAll('.link-form button')].find(b => b.textContent === 'Add from link')")
        .await
        .click()
        .await;
}

/// How many asset cards the page shows.
async fn cards(browser: &Browser) -> serde_json::Value {
    browser
        .execute(
            "return document.querySelectorAll('[data-asset][data-status]').length;",
            json!([]),
        )
        .await
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn browser_a_pasted_link_becomes_one_card_that_plays_and_a_bad_one_says_why() {
    let Some(axe) = axe_script() else {
        return;
    };
    let Some(browser) = Browser::start("paste-a-link", Width::Desktop).await else {
        return;
    };
    let app = TestApp::spawn_dev().await;
    let files = file_server().await;
    browser.sign_in(&app, false).await;
    let before = cards(&browser).await.as_u64().unwrap();

    paste_link(&browser, &format!("{files}/files/{FILE}")).await;
    browser.wait_for_one_card(FILE, "READY").await;
    assert_eq!(
        cards(&browser).await,
        json!(before + 1),
        "one link, one card"
    );
    let video = format!("{}.querySelector('video')", card(FILE));
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
            "the video to advance",
            &format!("{video}.currentTime > 0.5"),
        )
        .await;
    browser.shot("link-ready-playing").await;
    browser
        .assert_accessible(&axe, "a card made from a link")
        .await;

    let page = format!("{files}/page");
    let user = app.demo.as_ref().unwrap().user_external_id.as_str();
    let campaign = format!("/api/campaigns/{}", app.demo.as_ref().unwrap().campaign_id);
    let (_, campaign) = app
        .call(Method::GET, &campaign, Some((user, false)), None)
        .await;
    let body = json!({"url": page, "campaignId": campaign["id"]});
    let (status, refused) = app
        .call(
            Method::POST,
            "/api/mux/create-video-from-url",
            Some((user, false)),
            Some(body),
        )
        .await;
    assert_eq!(status, StatusCode::BAD_REQUEST, "{refused}");
    let message = refused["error"]["message"].as_str().unwrap();
    paste_link(&browser, &page).await;
    let said = browser
        .wait_for(
            "the link's refusal next to the field",
            "!document.getElementById('link-error').hidden && document.getElementById('link-error').textContent",
        )
        .await;
    assert_eq!(said, json!(message), "the field says muxd's 400 message");
    let invalid = browser
        .execute(
            "return document.getElementById('link-url').getAttribute('aria-invalid');",
            json!([]),
        )
        .await;
    assert_eq!(invalid, "true");
    assert_eq!(
        cards(&browser).await,
        json!(before + 1),
        "a refused link makes no card"
    );
    browser.shot("link-refused").await;
    browser.assert_accessible(&axe, "a refused link").await;
    assert!(browser.same_document().await, "the page reloaded");
}
