//! Dropping files on the uploader, as a user drags them from their desktop: two real fixtures
//! dropped at once each get a card, upload, and turn READY on the page without a reload.

use serde_json::json;

use super::driver::{Browser, Width};
use super::page::fixture_path;
use crate::app::TestApp;

const FILES: [&str; 2] = ["tiny-2s-320x240.mp4", "hd-10s-1280x720.mp4"];

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
async fn browser_two_dropped_files_upload_to_ready() {
    let Some(browser) = Browser::start("drop-two-files", Width::Desktop).await else {
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
    let paths: Vec<String> = FILES.iter().map(|f| fixture_path(f)).collect();
    browser
        .find("#drag-source")
        .await
        .send_keys(&paths.join("\n"))
        .await;
    assert_eq!(browser.execute(DROP, json!([])).await, json!(2));
    browser.shot("dropped").await;
    for file in FILES {
        browser.wait_for_card(file, "READY").await;
    }
    browser.shot("both-ready").await;
    assert!(browser.same_document().await, "the page reloaded");
}
