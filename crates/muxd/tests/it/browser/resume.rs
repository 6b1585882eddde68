//! A reload mid-upload: the page comes back, the uploader asks the upload URL what arrived and
//! sends only the rest; every byte of the file was taken exactly once, and Mux stored the file.

use super::driver::{Browser, Width};
use super::netlog::{chunks, Chunk};
use crate::media::fixture;
use muxd_testkit::app::TestApp;
use muxd_testkit::webdriver::Network;

const FILE: &str = "hd-10s-1280x720.mp4";

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn browser_reload_mid_upload_resumes_from_the_offset() {
    let Some(browser) = Browser::start("reload-resume", Width::Desktop).await else {
        return;
    };
    let app = TestApp::spawn_dev().await;
    browser.sign_in(&app, false).await;
    browser.set_chunk_kib(256).await;
    browser.set_network(Network::SlowUpload(96 * 1024)).await;
    browser.pick_file(FILE).await;
    browser
        .wait_for(
            "a chunk to be taken and remembered",
            "JSON.parse(localStorage.getItem('muxd-uploader:pending') || '[]').some(r => r.offset > 0)",
        )
        .await;
    browser.shot("uploading").await;
    let before = chunks(&browser.devtools_events().await);
    browser.reload().await;

    browser.set_network(Network::Normal).await;
    browser.wait_until_ready().await;
    browser.shot("reloaded").await;
    let id = browser.wait_for_card(FILE, "READY").await;
    browser.shot("ready").await;
    let after = chunks(&browser.devtools_events().await);

    println!("chunks before the reload: {before:?}\nchunks after it: {after:?}");
    let size = fixture(FILE).len() as u64;
    let taken_before: Vec<Chunk> = before.iter().copied().filter(Chunk::accepted).collect();
    let offset = taken_before
        .last()
        .expect("a chunk taken before the reload")
        .end
        + 1;
    let first_after = after.first().expect("chunks sent after the reload");
    assert_eq!(
        first_after.start, offset,
        "after the reload the upload did not go on from byte {offset}: {after:?}"
    );
    let taken: Vec<Chunk> = taken_before
        .into_iter()
        .chain(after.iter().copied().filter(Chunk::accepted))
        .collect();
    let mut next = 0;
    for chunk in &taken {
        assert_eq!(chunk.start, next, "a gap or a byte sent twice: {taken:?}");
        next = chunk.end + 1;
    }
    assert_eq!(next, size, "not every byte arrived: {taken:?}");

    // What Mux stored is the file, byte for byte.
    let demo = app.demo.as_ref().unwrap();
    let asset = app.wait_for_mp4(&demo.user_external_id, &id).await;
    let mp4 = app.http.get(asset["mp4Url"].as_str().unwrap()).send().await;
    let stored = mp4.unwrap().bytes().await.unwrap();
    assert!(
        stored == fixture(FILE),
        "the stored file differs from the one picked"
    );
}
