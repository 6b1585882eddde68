//! Captions in the browser: a READY card's `<video>` carries its generated captions as a
//! `<track>` whose cues are the emulator's, and the search box finds the video by a phrase said in
//! it, with a "Play from" button that plays the card's video from that cue.

use serde_json::{json, Value};

use super::driver::{Browser, Width};
use super::page::{card, ready_video};
use muxd_testkit::app::TestApp;

const NAME: &str = "Summer launch";

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn browser_captions_play_and_search_finds_the_line() {
    let Some(browser) = Browser::start("captions", Width::Desktop).await else {
        return;
    };
    let app = TestApp::dev_with_settings(&[("MUXD_CAPTIONS", "en")]).await;
    let asset = ready_video(&app, NAME, "hd-10s-1280x720.mp4").await;
    let id = asset["id"].as_str().unwrap().to_owned();
    let user = app.demo.as_ref().unwrap().user_external_id.clone();
    let mut track = Value::Null;
    muxd_testkit::databases::eventually("the captions ready", async || {
        let (_, now) = app
            .call(
                reqwest::Method::GET,
                &format!("/api/creative-assets/{id}"),
                Some((&user, false)),
                None,
            )
            .await;
        track = now["captions"][0].clone();
        track["status"] == "ready"
    })
    .await;
    let vtt = app
        .http
        .get(track["vttUrl"].as_str().unwrap())
        .send()
        .await
        .unwrap()
        .text()
        .await
        .unwrap();
    let expected = crate::captions::transcript_of("hd-10s-1280x720.mp4");
    assert_eq!(cue_texts(&vtt), expected, "{vtt}");

    // The transcript is indexed once the captions job has run: the campaign's search finds it.
    let campaign = app.demo.as_ref().unwrap().campaign_id.to_string();
    muxd_testkit::databases::eventually("the campaign's search finding the phrase", async || {
        let path = format!("/api/creative-assets?campaignId={campaign}&q=code%20sunny");
        let (_, page) = app
            .call(reqwest::Method::GET, &path, Some((&user, false)), None)
            .await;
        page["data"][0]["id"] == json!(id)
    })
    .await;
    browser.sign_in(&app, false).await;
    let cues = browser
        .wait_for(
            "the card's video to have its captions' cues",
            &format!(
                "(() => {{ const v = ({})?.querySelector('video'); const t = v?.textTracks[0];
                    if (!t) return null; t.mode = 'hidden';
                    return t.cues && t.cues.length ? [...t.cues].map(c => c.text) : null; }})()",
                card(NAME)
            ),
        )
        .await;
    assert_eq!(
        cues,
        json!(expected),
        "the player's cues are the emulator's"
    );
    let label = browser
        .execute(
            &format!(
                "return ({}).querySelector('video track').label;",
                card(NAME)
            ),
            json!([]),
        )
        .await;
    assert_eq!(label, track["name"]);
    browser.shot("captions-on-the-card").await;

    // Search for a phrase said six seconds in; play from there.
    let input = browser.find("#search-q").await;
    input.send_keys("code sunny").await;
    browser
        .find("#search button[type=submit]")
        .await
        .click()
        .await;
    let button = browser
        .wait_for(
            "a result with a Play from button",
            "[...document.querySelectorAll('#search-results button')].find(b => b.textContent.startsWith('Play from'))?.textContent",
        )
        .await;
    assert_eq!(button, json!("Play from 0:06"));
    let line = browser
        .execute(
            "return document.querySelector('#search-results .match q').textContent;",
            json!([]),
        )
        .await;
    assert!(line.as_str().unwrap().contains("code sunny"), "{line}");
    browser
        .find_js("[...document.querySelectorAll('#search-results button')].find(b => b.textContent.startsWith('Play from'))")
        .await
        .click()
        .await;
    let at = browser
        .wait_for(
            "the video to play from the cue",
            &format!(
                "(() => {{ const v = ({})?.querySelector('video'); return v && v.currentTime >= 6 ? v.currentTime : null; }})()",
                card(NAME)
            ),
        )
        .await;
    assert!(at.as_f64().unwrap() < 10.0, "{at}");
    browser.shot("search-played-from-the-cue").await;
}

/// The cue texts of a WebVTT file, in order.
fn cue_texts(vtt: &str) -> Vec<String> {
    vtt.replace("\r\n", "\n")
        .split("\n\n")
        .filter(|block| block.contains("-->"))
        .map(|block| {
            block
                .lines()
                .skip_while(|line| !line.contains("-->"))
                .skip(1)
                .collect::<Vec<_>>()
                .join("\n")
        })
        .collect()
}
