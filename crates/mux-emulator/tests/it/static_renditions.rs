//! Static renditions requested with `new_asset_settings.static_renditions`: the per-file
//! `video.asset.static_rendition.*` events after `video.asset.ready`, and the files on the asset;
//! none of either when none were requested.

use std::time::Duration;

use reqwest::{Method, StatusCode};
use serde_json::{json, Value};

use crate::harness::{eventually, fixture, TestEmu};
use crate::receiver::Receiver;
use crate::webhooks::emu_with;

fn types_after_ready(receiver: &Receiver) -> Vec<String> {
    let types = receiver.types();
    let ready = types.iter().position(|t| t == "video.asset.ready").unwrap();
    types[ready..].to_vec()
}

#[tokio::test]
async fn requested_highest_mp4_is_announced_after_ready_and_listed_on_the_asset() {
    let receiver = Receiver::spawn().await;
    let emu = emu_with(&receiver, |c| {
        c.processing_delay = Duration::from_secs(3600)
    })
    .await;
    let upload = emu
        .create_upload(json!({"cors_origin": "*", "new_asset_settings": {
            "playback_policies": ["public"], "passthrough": "row-7",
            "static_renditions": [{"resolution": "highest"}]}}))
        .await;
    assert_eq!(
        upload["new_asset_settings"]["static_renditions"],
        json!([{"resolution": "highest"}])
    );
    emu.put_whole(
        upload["url"].as_str().unwrap(),
        fixture("hd-10s-1280x720.mp4"),
    )
    .await;
    let upload_id = upload["id"].as_str().unwrap();
    let asset_id = eventually("the asset id", || async {
        emu.upload(upload_id).await["asset_id"]
            .as_str()
            .map(str::to_owned)
    })
    .await;
    let preparing = emu.asset(&asset_id).await;
    assert_eq!(preparing["status"], "preparing");
    let files = &preparing["static_renditions"]["files"];
    assert_eq!(files[0]["status"], "preparing");
    assert_eq!(files[0]["name"], "highest.mp4");

    emu.handle.advance_clock(Duration::from_secs(3601));
    let ready = receiver
        .wait_for_type("video.asset.static_rendition.ready")
        .await
        .json();
    assert_eq!(
        types_after_ready(&receiver),
        [
            "video.asset.ready",
            "video.asset.static_rendition.created",
            "video.asset.static_rendition.ready"
        ]
    );
    let created = receiver
        .wait_for_type("video.asset.static_rendition.created")
        .await
        .json();
    let file_id = files[0]["id"].as_str().unwrap();
    for (event, status) in [(&created, "preparing"), (&ready, "ready")] {
        assert_eq!(event["object"], json!({"type": "asset", "id": asset_id}));
        let data = &event["data"];
        assert_eq!(data["id"], file_id);
        assert_eq!(data["asset_id"], asset_id.as_str());
        assert_eq!(data["status"], status);
        assert_eq!(data["type"], "standard");
        assert_eq!(data["resolution"], "highest");
        assert_eq!(data["name"], "highest.mp4");
        assert_eq!(data["ext"], "mp4");
    }
    assert_eq!(
        (
            ready["data"]["width"].clone(),
            ready["data"]["height"].clone()
        ),
        (json!(1280), json!(720))
    );

    let asset = emu.asset(&asset_id).await;
    assert_eq!(asset["status"], "ready");
    let mut listed = ready["data"].clone();
    listed.as_object_mut().unwrap().remove("asset_id");
    assert_eq!(asset["static_renditions"], json!({"files": [listed]}));
    let playback_id = asset["playback_ids"][0]["id"].as_str().unwrap();
    let r = emu
        .client
        .get(emu.url(&format!("/stream/{playback_id}/highest.mp4")))
        .send()
        .await
        .unwrap();
    assert_eq!(r.status(), StatusCode::OK);
}

#[tokio::test]
async fn a_rendition_passthrough_is_its_own_and_a_missing_track_is_skipped() {
    let receiver = Receiver::spawn().await;
    let emu = emu_with(&receiver, |_| {}).await;
    let upload = emu
        .create_upload(json!({"new_asset_settings": {
            "playback_policies": ["public"], "passthrough": "asset-pt",
            "static_renditions": [{"resolution": "audio-only", "passthrough": "file-pt"},
                                  {"resolution": "highest"}]}}))
        .await;
    let entry = crate::harness::manifest()
        .into_iter()
        .find(|e| e["video"].is_object() && e["audio"].is_null() && e["expect"] != "errored")
        .expect("a video-only fixture");
    emu.put_whole(
        upload["url"].as_str().unwrap(),
        fixture(entry["file"].as_str().unwrap()),
    )
    .await;
    receiver
        .wait_until("two rendition outcomes", |r| {
            r.iter()
                .filter(|x| {
                    let t = x.json()["type"].as_str().unwrap().to_owned();
                    t.ends_with("static_rendition.ready") || t.ends_with("static_rendition.skipped")
                })
                .count()
                == 2
        })
        .await;
    let skipped = receiver
        .wait_for_type("video.asset.static_rendition.skipped")
        .await
        .json();
    assert_eq!(skipped["data"]["name"], "audio.m4a");
    assert_eq!(skipped["data"]["passthrough"], "file-pt");
    let ready = receiver
        .wait_for_type("video.asset.static_rendition.ready")
        .await
        .json();
    assert_eq!(ready["data"]["name"], "highest.mp4");
    assert!(
        ready["data"].get("passthrough").is_none(),
        "not the asset's"
    );
}

#[tokio::test]
async fn without_static_renditions_there_are_no_files_and_no_events() {
    let receiver = Receiver::spawn().await;
    let emu = emu_with(&receiver, |_| {}).await;
    let upload = emu.create_public_upload("plain").await;
    emu.put_whole(
        upload["url"].as_str().unwrap(),
        fixture("tiny-2s-320x240.mp4"),
    )
    .await;
    let asset = emu.wait_for_asset(upload["id"].as_str().unwrap()).await;
    assert_eq!(asset["status"], "ready");
    assert!(asset.get("static_renditions").is_none(), "{asset}");
    // First attempts go out in order: once this later event is in, any rendition event would be.
    emu.api(
        Method::PATCH,
        &format!("/video/v1/assets/{}", asset["id"].as_str().unwrap()),
    )
    .json(&json!({"passthrough": "later"}))
    .send()
    .await
    .unwrap();
    receiver.wait_for_type("video.asset.updated").await;
    assert_eq!(
        types_after_ready(&receiver),
        ["video.asset.ready", "video.asset.updated"]
    );
}

#[tokio::test]
async fn bad_static_renditions_are_refused() {
    let emu = TestEmu::spawn().await;
    for settings in [
        json!({"static_renditions": [{"resolution": "4k"}]}),
        json!({"static_renditions": {"resolution": "highest"}}),
        json!({"static_renditions": [{"resolution": "highest"}], "mp4_support": "capped-1080p"}),
    ] {
        let r = emu
            .api(Method::POST, "/video/v1/uploads")
            .json(&json!({"new_asset_settings": settings}))
            .send()
            .await
            .unwrap();
        assert_eq!(r.status(), StatusCode::BAD_REQUEST, "{settings}");
        let body: Value = r.json().await.unwrap();
        assert_eq!(body["error"]["type"], "invalid_parameters");
    }
}
