//! A READY card offers its MP4 as "Download" (the view's `downloadUrl`) and says how it was
//! encoded ("1080p · basic"); the link answers as an attachment.

use reqwest::{header, StatusCode};
use serde_json::json;

use super::driver::{Browser, Width};
use super::page::{card, ready_video};
use muxd_testkit::app::TestApp;

const NAME: &str = "Summer sale";

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn browser_a_ready_card_offers_its_download() {
    let Some(browser) = Browser::start("download", Width::Desktop).await else {
        return;
    };
    let app = TestApp::spawn_dev().await;
    let asset = ready_video(&app, NAME, "tiny-2s-320x240.mp4").await;
    let user = app.demo.as_ref().unwrap().user_external_id.clone();
    let asset = app.wait_for_mp4(&user, asset["id"].as_str().unwrap()).await;
    let url = asset["downloadUrl"]
        .as_str()
        .expect("a download")
        .to_owned();
    browser.sign_in(&app, false).await;
    let href = browser
        .wait_for(
            "the card to offer Download",
            &format!(
                "[...({}).querySelectorAll('a')].find(a => a.textContent === 'Download' && !a.hidden)?.href",
                card(NAME)
            ),
        )
        .await;
    assert_eq!(href, json!(url), "Download is the view's downloadUrl");
    let quality = format!(
        "{} · {}",
        asset["maxResolutionTier"].as_str().unwrap(),
        asset["videoQuality"].as_str().unwrap()
    );
    let shown = browser
        .execute(
            &format!(
                "return ({}).querySelector('.quality').textContent;",
                card(NAME)
            ),
            json!([]),
        )
        .await;
    assert_eq!(shown, json!(quality), "{asset}");
    browser.shot("download-offered").await;

    let answer = app.http.get(&url).send().await.unwrap();
    assert_eq!(answer.status(), StatusCode::OK);
    let disposition = answer.headers()[header::CONTENT_DISPOSITION]
        .to_str()
        .unwrap()
        .to_owned();
    assert!(
        disposition.starts_with("attachment"),
        "the link downloads: {disposition}"
    );
}
