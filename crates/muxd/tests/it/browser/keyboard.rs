//! Keyboard only: Tab reaches the uploader's file input (the picker itself is the browser's:
//! WebDriver hands the focused input its file), the upload's Pause in the asset's card (which
//! hands the focus to Resume, Resume back to Pause, and finishing to the card's Rename), the
//! card's Rename and Delete and the dialog's buttons, each worked with Enter.

use serde_json::json;

use super::driver::{Browser, Width};
use super::page::fixture_path;
use super::wait::slug;
use muxd_testkit::app::TestApp;
use muxd_testkit::webdriver::{Network, ENTER, TAB};

const FILE: &str = "hd-10s-1280x720.mp4";
/// More Tab presses than any of these pages needs to reach anything.
const MAX_TABS: usize = 60;

impl Browser {
    /// Presses Tab until the focused element satisfies `js` (a predicate on `el`); fails after
    /// [`MAX_TABS`] presses, naming `what`.
    async fn tab_to(&self, what: &str, js: &str) {
        let check = format!("const el = document.activeElement; return !!({js});");
        for _ in 0..MAX_TABS {
            self.press(TAB).await;
            if self.execute(&check, json!([])).await == true {
                return;
            }
        }
        self.shot(&format!("unreachable-{}", slug(what))).await;
        panic!("Tab never reached {what} ({MAX_TABS} presses)");
    }

    /// Fails unless the focused element satisfies `js` (a predicate on `el`), naming `what`.
    async fn assert_focus(&self, what: &str, js: &str) {
        let check = format!("const el = document.activeElement; return !!({js});");
        if self.execute(&check, json!([])).await != true {
            self.shot(&format!("focus-lost-{}", slug(what))).await;
            let focused = self
                .execute(
                    "return document.activeElement.outerHTML.slice(0, 120);",
                    json!([]),
                )
                .await;
            panic!("the focus is not on {what} but on {focused}");
        }
    }
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn browser_keyboard_alone_uploads_pauses_resumes_renames_and_deletes() {
    let Some(browser) = Browser::start("keyboard", Width::Desktop).await else {
        return;
    };
    let app = TestApp::spawn_dev().await;
    browser.sign_in(&app, false).await;

    browser
        .tab_to(
            "the file input",
            "el.matches('muxd-uploader input[type=file]')",
        )
        .await;
    browser.shot("file-input-focused").await;
    browser.set_network(Network::SlowUpload(32 * 1024)).await;
    browser.active().await.send_keys(&fixture_path(FILE)).await;
    browser.wait_for_upload(FILE, "uploading").await;

    let on_upload =
        |label: &str| format!("el.closest('[data-file]') && el.textContent === '{label}'");
    browser.tab_to("Pause", &on_upload("Pause")).await;
    browser.press(ENTER).await;
    browser.wait_for_upload(FILE, "paused").await;
    // Pause hid itself: the focus went to Resume, not to <body>.
    browser.assert_focus("Resume", &on_upload("Resume")).await;
    browser.wait_for_badge(FILE, "Upload paused").await;
    browser.shot("paused").await;
    browser.press(ENTER).await;
    browser.wait_for_upload(FILE, "uploading").await;
    browser.assert_focus("Pause", &on_upload("Pause")).await;
    browser.set_network(Network::Normal).await;
    browser.wait_for_one_card(FILE, "READY").await;
    // Finishing hid Pause and the panel left the card: the focus went to the card's Rename.
    let on_card = |label: &str| {
        format!("el.closest('[data-asset][data-status]') && el.textContent === '{label}'")
    };
    browser.assert_focus("Rename", &on_card("Rename")).await;
    browser.shot("ready").await;
    browser.press(ENTER).await;
    browser
        .wait_for(
            "the rename field to have the focus",
            "document.activeElement.type === 'text'",
        )
        .await;
    browser.press(&format!("By keyboard{ENTER}")).await;
    browser.wait_for_card("By keyboard", "READY").await;
    browser.shot("renamed").await;

    browser.tab_to("Delete", &on_card("Delete")).await;
    browser.press(ENTER).await;
    browser
        .wait_for(
            "the delete dialog to open",
            "document.getElementById('delete-dialog').open",
        )
        .await;
    browser
        .tab_to(
            "the dialog's Delete",
            "el.matches('#delete-dialog [data-confirm]')",
        )
        .await;
    browser.shot("dialog").await;
    browser.press(ENTER).await;
    browser.wait_for_no_card("By keyboard").await;
    browser.shot("deleted").await;
}
