//! Dropping files on the uploader, as a user drags them from their desktop: three real fixtures
//! dropped at once end as exactly three cards, each going from its upload's progress to READY
//! (or, for the broken one, to Mux's error in words) without a reload, with no other card or
//! uploader item for them on the page. axe finds nothing serious in these states, and the page
//! has one polite live region.

use serde_json::json;

use super::axe::axe_script;
use super::driver::{Browser, Width};
use super::page::{card, fixture_path};
use muxd_testkit::app::TestApp;
use muxd_testkit::webdriver::Network;

const FILES: [(&str, &str); 3] = [
    ("tiny-2s-320x240.mp4", "READY"),
    ("hd-10s-1280x720.mp4", "READY"),
    ("truncated.mp4", "ERROR"),
];

/// Drops the files a hidden input holds on the first uploader's drop zone (WebDriver cannot
/// drag from the desktop; a `DataTransfer` with the same `File`s is what the browser hands over).
const DROP: &str = r#"
const files = document.getElementById("drag-source").files;
const dt = new DataTransfer();
for (const file of files) dt.items.add(file);
const zone = document.querySelector("muxd-uploader .muxd-drop");
for (const type of ["dragenter", "dragover", "drop"]) {
  zone.dispatchEvent(new DragEvent(type, { dataTransfer: dt, bubbles: true, cancelable: true }));
}
return files.length;
"#;

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn browser_three_dropped_files_end_as_three_cards() {
    let Some(axe) = axe_script() else {
        return;
    };
    let Some(browser) = Browser::start("drop-three-files", Width::Desktop).await else {
        return;
    };
    let app = TestApp::spawn_dev().await;
    browser.sign_in(&app, false).await;
    browser
        .execute(
            "const i = document.createElement('input'); i.type = 'file'; i.multiple = true;
             i.id = 'drag-source'; i.hidden = true; document.body.append(i);",
            json!([]),
        )
        .await;
    let paths: Vec<String> = FILES.iter().map(|(f, _)| fixture_path(f)).collect();
    browser
        .find("#drag-source")
        .await
        .send_keys(&paths.join("\n"))
        .await;
    browser.set_network(Network::SlowUpload(64 * 1024)).await;
    assert_eq!(browser.execute(DROP, json!([])).await, json!(3));
    // While sending, each file's progress is in its asset's card, not in a list of its own.
    browser
        .wait_for(
            "an asset card to show its file's progress",
            "[...document.querySelectorAll('[data-asset][data-status] progress')].some(p => p.value > 0 && p.value < p.max)",
        )
        .await;
    browser.shot("sending").await;
    browser
        .assert_accessible(&axe, "cards sending their files")
        .await;
    browser.set_network(Network::Normal).await;
    for (file, status) in FILES {
        browser.wait_for_one_card(file, status).await;
    }
    let cards = browser
        .execute(
            "return document.querySelectorAll('[data-asset][data-status]').length;",
            json!([]),
        )
        .await;
    assert_eq!(cards, json!(3), "three files, three cards");
    let error = browser
        .execute(
            &format!("return ({}).textContent;", card("truncated.mp4")),
            json!([]),
        )
        .await;
    assert!(
        error.as_str().unwrap().contains("Error: "),
        "the broken file's card says why in words: {error}"
    );
    // Screen readers hear it all through one polite live region, which spoke of the files.
    let regions = browser
        .execute(
            "const regions = document.querySelectorAll('[aria-live=polite], [role=status], [role=log]');
             return {count: regions.length, said: regions[0]?.textContent || ''};",
            json!([]),
        )
        .await;
    assert_eq!(regions["count"], 1, "one polite live region: {regions}");
    assert!(
        FILES
            .iter()
            .any(|(f, _)| regions["said"].as_str().unwrap().contains(f)),
        "the live region names a file: {regions}"
    );
    browser.shot("ready-and-error").await;
    browser
        .assert_accessible(&axe, "ready and failed cards")
        .await;
    assert!(browser.same_document().await, "the page reloaded");
}
