//! Playback: the MP4 with Range support, and HLS answering 412 before ready, 404 for unknown ids.

use std::time::Duration;

use reqwest::StatusCode;

use crate::harness::{config, fixture, header, TestEmu};

#[tokio::test]
async fn hls_is_412_until_ready_then_redirects_to_the_mp4() {
    // Processing waits on the emulator's clock: it stays `preparing` until the test advances it.
    let processing = Duration::from_secs(600);
    let mut cfg = config();
    cfg.processing_delay = processing;
    let emu = TestEmu::with(cfg).await;
    let no_redirects = reqwest::Client::builder()
        .redirect(reqwest::redirect::Policy::none())
        .build()
        .unwrap();

    let unknown = no_redirects
        .get(emu.url("/stream/nosuchplaybackid.m3u8"))
        .send()
        .await
        .unwrap();
    assert_eq!(unknown.status(), StatusCode::NOT_FOUND);

    let upload = emu.create_public_upload("p").await;
    let put = emu
        .put_whole(
            upload["url"].as_str().unwrap(),
            fixture("tiny-2s-320x240.mp4"),
        )
        .await;
    assert_eq!(put.status(), StatusCode::OK);
    // The asset exists once the last byte is answered.
    let asset_id = emu.upload(upload["id"].as_str().unwrap()).await["asset_id"]
        .as_str()
        .expect("an asset once the upload is complete")
        .to_owned();
    let preparing = emu.asset(&asset_id).await;
    assert_eq!(preparing["status"], "preparing");
    let pid = preparing["playback_ids"][0]["id"]
        .as_str()
        .unwrap()
        .to_owned();
    let early = no_redirects
        .get(emu.url(&format!("/stream/{pid}.m3u8")))
        .send()
        .await
        .unwrap();
    assert_eq!(early.status(), StatusCode::PRECONDITION_FAILED);

    emu.handle.advance_clock(processing);
    emu.wait_for_asset(upload["id"].as_str().unwrap()).await;
    let ready = no_redirects
        .get(emu.url(&format!("/stream/{pid}.m3u8")))
        .send()
        .await
        .unwrap();
    assert!(ready.status().is_redirection(), "{}", ready.status());
    assert_eq!(
        header(&ready, "location"),
        Some(format!("/stream/{pid}/highest.mp4"))
    );
}

#[tokio::test]
async fn the_mp4_supports_ranges() {
    let emu = TestEmu::spawn().await;
    let bytes = fixture("hd-10s-1280x720.mp4");
    let upload = emu.create_public_upload("range").await;
    emu.put_whole(upload["url"].as_str().unwrap(), bytes.clone())
        .await;
    let asset = emu.wait_for_asset(upload["id"].as_str().unwrap()).await;
    let url = emu.url(&format!(
        "/stream/{}/highest.mp4",
        asset["playback_ids"][0]["id"].as_str().unwrap()
    ));

    let whole = emu.client.get(&url).send().await.unwrap();
    assert_eq!(whole.status(), StatusCode::OK);
    assert_eq!(header(&whole, "content-type").as_deref(), Some("video/mp4"));
    assert_eq!(header(&whole, "accept-ranges").as_deref(), Some("bytes"));

    let part = emu
        .client
        .get(&url)
        .header("range", "bytes=100-199")
        .send()
        .await
        .unwrap();
    assert_eq!(part.status(), StatusCode::PARTIAL_CONTENT);
    assert_eq!(
        header(&part, "content-range"),
        Some(format!("bytes 100-199/{}", bytes.len()))
    );
    assert_eq!(part.bytes().await.unwrap().as_ref(), &bytes[100..200]);

    let missing = emu
        .client
        .get(emu.url("/stream/unknownpid/highest.mp4"))
        .send()
        .await
        .unwrap();
    assert_eq!(missing.status(), StatusCode::NOT_FOUND);
}
