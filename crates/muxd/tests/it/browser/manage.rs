//! Managing a ready video from its card: rename in place, delete through the confirmation
//! dialog, and a second tab of the same page seeing a rename live.

use reqwest::{Method, StatusCode};

use super::driver::{Browser, Width};
use super::page::ready_video;
use muxd_testkit::app::TestApp;
use muxd_testkit::webdriver::ENTER;

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn browser_rename_and_delete_through_the_page() {
    let Some(browser) = Browser::start("rename-delete", Width::Desktop).await else {
        return;
    };
    let app = TestApp::spawn_dev().await;
    let asset = ready_video(&app, "teaser.mp4", "tiny-2s-320x240.mp4").await;
    browser.sign_in(&app, false).await;
    browser.wait_for_card("teaser.mp4", "READY").await;
    browser.shot("ready").await;

    browser
        .card_button("teaser.mp4", "Rename")
        .await
        .click()
        .await;
    browser
        .wait_for(
            "the rename field to have the focus",
            "document.activeElement.type === 'text'",
        )
        .await;
    browser.shot("renaming").await;
    browser.press(&format!("Spring teaser{ENTER}")).await;
    browser.wait_for_card("Spring teaser", "READY").await;
    browser.shot("renamed").await;
    let demo = app.demo.as_ref().unwrap();
    let user = Some((demo.user_external_id.as_str(), false));
    let path = format!("/api/creative-assets/{}", asset["id"].as_str().unwrap());
    let (_, saved) = app.call(Method::GET, &path, user, None).await;
    assert_eq!(saved["name"], "Spring teaser");

    browser
        .card_button("Spring teaser", "Delete")
        .await
        .click()
        .await;
    browser
        .wait_for(
            "the delete dialog to open",
            "document.getElementById('delete-dialog').open",
        )
        .await;
    browser.shot("asking").await;
    browser
        .find("#delete-dialog [data-confirm]")
        .await
        .click()
        .await;
    browser.wait_for_no_card("Spring teaser").await;
    browser
        .wait_for(
            "the dialog to close",
            "!document.getElementById('delete-dialog').open",
        )
        .await;
    browser.shot("deleted").await;
    let (status, _) = app.call(Method::GET, &path, user, None).await;
    assert_eq!(status, StatusCode::NOT_FOUND);
    let mux_asset = asset["muxAssetId"].as_str().unwrap();
    super::wait::until("the Mux asset to be deleted", async || {
        app.emulator.asset(mux_asset).is_none()
    })
    .await;
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn browser_a_second_tab_sees_a_rename_live() {
    let Some(browser) = Browser::start("second-tab", Width::Desktop).await else {
        return;
    };
    let app = TestApp::spawn_dev().await;
    ready_video(&app, "teaser.mp4", "tiny-2s-320x240.mp4").await;
    browser.sign_in(&app, false).await;
    let first = browser.tab().await;
    let page = browser.current_url().await;
    browser.new_tab().await;
    browser.navigate(&page).await;
    browser.wait_until_ready().await;
    browser.wait_for_card("teaser.mp4", "READY").await;
    let second = browser.tab().await;

    browser.switch_to(&first).await;
    browser
        .card_button("teaser.mp4", "Rename")
        .await
        .click()
        .await;
    browser
        .wait_for(
            "the rename field to have the focus",
            "document.activeElement.type === 'text'",
        )
        .await;
    browser.press(&format!("Renamed elsewhere{ENTER}")).await;
    browser.wait_for_card("Renamed elsewhere", "READY").await;
    browser.shot("renamed-in-first-tab").await;

    browser.switch_to(&second).await;
    browser.wait_for_card("Renamed elsewhere", "READY").await;
    assert!(browser.same_document().await, "the second tab reloaded");
    browser.shot("second-tab-sees-it").await;
    browser.close_tab().await;
    browser.switch_to(&first).await;
    assert!(browser.same_document().await, "the first tab reloaded");
}
