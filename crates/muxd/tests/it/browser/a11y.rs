//! Accessibility and small screens: axe finds no serious or critical violation on the content
//! page (with an upload under way and a ready video) or on any admin page, and at 360 px wide
//! no page scrolls sideways.

use super::admin_pages::ADMIN_PAGES;
use super::axe::axe_script;
use super::driver::{Browser, Width};
use super::page::ready_video;
use super::wait::slug;
use muxd_testkit::app::TestApp;
use muxd_testkit::webdriver::Network;

/// Signs in as the demo user, with a ready video on the page and another upload crawling along.
async fn busy_content_page(browser: &Browser, app: &TestApp) {
    ready_video(app, "teaser.mp4", "tiny-2s-320x240.mp4").await;
    browser.sign_in(app, false).await;
    browser.wait_for_card("teaser.mp4", "READY").await;
    browser.set_network(Network::SlowUpload(16 * 1024)).await;
    browser.pick_file("hd-10s-1280x720.mp4").await;
    browser
        .wait_for_upload("hd-10s-1280x720.mp4", "uploading")
        .await;
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn browser_axe_finds_nothing_serious_on_any_page() {
    let Some(axe) = axe_script() else {
        return;
    };
    let Some(browser) = Browser::start("axe", Width::Desktop).await else {
        return;
    };
    let app = TestApp::spawn_dev().await;
    busy_content_page(&browser, &app).await;
    browser.shot("content").await;
    browser.assert_accessible(&axe, "the content page").await;
    browser.set_network(Network::Normal).await;
    browser.sign_in(&app, true).await;
    for (path, _) in ADMIN_PAGES {
        browser.open_admin(&app, path).await;
        browser.shot(&slug(path)).await;
        browser.assert_accessible(&axe, path).await;
    }
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn browser_pages_fit_a_phone_screen() {
    let Some(browser) = Browser::start("phone", Width::Phone).await else {
        return;
    };
    let app = TestApp::spawn_dev().await;
    busy_content_page(&browser, &app).await;
    browser.shot("content").await;
    browser.assert_fits("the content page").await;
    browser.set_network(Network::Normal).await;
    browser.sign_in(&app, true).await;
    for (path, _) in ADMIN_PAGES {
        browser.open_admin(&app, path).await;
        browser.shot(&slug(path)).await;
        browser.assert_fits(path).await;
    }
}

impl Browser {
    /// Fails if the page is wider than the window (it would scroll sideways).
    async fn assert_fits(&self, page: &str) {
        let widths = self
            .execute(
                "return [document.documentElement.scrollWidth, document.documentElement.clientWidth];",
                serde_json::json!([]),
            )
            .await;
        assert!(
            widths[0].as_u64() <= widths[1].as_u64(),
            "{page} is wider than the window (scroll width, window width): {widths}"
        );
    }
}
