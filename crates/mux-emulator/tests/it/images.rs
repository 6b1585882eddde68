//! The image host's answers before a picture exists: 404 for unknown ids and files, 412 while
//! the asset is preparing, 400 once it errored; and 400 for parameters out of range.

use std::time::Duration;

use reqwest::StatusCode;

use crate::harness::{config, fixture, TestEmu};
use crate::signing::ready_playback_id;

async fn status(emu: &TestEmu, path: &str) -> StatusCode {
    emu.client.get(emu.url(path)).send().await.unwrap().status()
}

#[tokio::test]
async fn images_are_404_then_412_then_400_for_errored_assets() {
    let processing = Duration::from_secs(600);
    let mut cfg = config();
    cfg.processing_delay = processing;
    let emu = TestEmu::with(cfg).await;
    assert_eq!(
        status(&emu, "/image/nosuchplaybackid/thumbnail.jpg").await,
        StatusCode::NOT_FOUND
    );

    let upload = emu.create_public_upload("not a video").await;
    emu.put_whole(upload["url"].as_str().unwrap(), fixture("not-a-video.txt"))
        .await;
    let asset_id = emu.upload(upload["id"].as_str().unwrap()).await["asset_id"]
        .as_str()
        .expect("an asset once the upload is complete")
        .to_owned();
    let pid = emu.asset(&asset_id).await["playback_ids"][0]["id"]
        .as_str()
        .unwrap()
        .to_owned();
    for file in ["thumbnail.png", "storyboard.vtt", "animated.gif"] {
        let path = format!("/image/{pid}/{file}");
        assert_eq!(
            status(&emu, &path).await,
            StatusCode::PRECONDITION_FAILED,
            "{file}"
        );
    }

    emu.handle.advance_clock(processing);
    let errored = emu.wait_for_asset(upload["id"].as_str().unwrap()).await;
    assert_eq!(errored["status"], "errored");
    assert_eq!(
        status(&emu, &format!("/image/{pid}/thumbnail.png")).await,
        StatusCode::BAD_REQUEST
    );
    assert_eq!(
        status(&emu, &format!("/stream/{pid}.m3u8")).await,
        StatusCode::PRECONDITION_FAILED,
        "streams stay 412"
    );
}

#[tokio::test]
async fn bad_parameters_and_unknown_files_are_refused() {
    let emu = TestEmu::spawn().await;
    let pid = ready_playback_id(&emu, "public").await;
    for query in [
        "width=0",
        "width=abc",
        "height=99999",
        "time=-1",
        "fit_mode=zoom",
        "rotate=45",
    ] {
        let path = format!("/image/{pid}/thumbnail.jpg?{query}");
        assert_eq!(
            status(&emu, &path).await,
            StatusCode::BAD_REQUEST,
            "{query}"
        );
    }
    let path = format!("/image/{pid}/storyboard.vtt?format=gif");
    assert_eq!(status(&emu, &path).await, StatusCode::BAD_REQUEST);
    let path = format!("/image/{pid}/poster.jpg");
    assert_eq!(status(&emu, &path).await, StatusCode::NOT_FOUND);
}
