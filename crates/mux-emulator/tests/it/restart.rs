//! Restarts: with a data dir, uploads, assets and media survive and the next run carries on
//! (new ids, new event ids, unfinished work finished); without one, a fresh emulator still never
//! hands out the ids of an earlier one.

use std::collections::HashSet;
use std::path::Path;
use std::time::Duration;

use mux_emulator::EmulatorConfig;
use reqwest::StatusCode;
use serde_json::Value;

use crate::harness::{config, fixture, TestEmu};
use crate::receiver::Receiver;

const MEDIA: &str = "tiny-2s-320x240.mp4";

/// An emulator keeping its state in `dir`, under a fixed seed (the case where a restart could
/// most easily repeat itself), sending webhooks to `receiver`.
fn kept_in(dir: &Path, receiver: &Receiver) -> EmulatorConfig {
    let mut cfg = config();
    cfg.data_dir = Some(dir.to_owned());
    cfg.seed = Some(42);
    cfg.webhook_urls = vec![receiver.url.clone()];
    cfg
}

fn text(v: &Value) -> String {
    v.as_str()
        .unwrap_or_else(|| panic!("a string: {v}"))
        .to_owned()
}

/// Uploads the fixture and waits for a ready asset; returns (upload, asset).
async fn upload_ready(emu: &TestEmu, passthrough: &str) -> (Value, Value) {
    let upload = emu.create_public_upload(passthrough).await;
    let put = emu.put_whole(&text(&upload["url"]), fixture(MEDIA)).await;
    assert_eq!(put.status(), StatusCode::OK);
    let asset = emu.wait_for_asset(&text(&upload["id"])).await;
    assert_eq!(asset["status"], "ready", "{asset}");
    (upload, asset)
}

/// Every id in an upload and its asset.
fn ids_of(upload: &Value, asset: &Value) -> Vec<String> {
    let mut ids = vec![text(&upload["id"]), text(&asset["id"])];
    ids.extend(
        asset["playback_ids"]
            .as_array()
            .unwrap()
            .iter()
            .map(|p| text(&p["id"])),
    );
    ids.extend(
        asset["tracks"]
            .as_array()
            .unwrap()
            .iter()
            .map(|t| text(&t["id"])),
    );
    ids
}

#[tokio::test]
async fn state_and_media_survive_a_restart_and_no_id_is_handed_out_twice() {
    let dir = tempfile::tempdir().unwrap();
    let receiver = Receiver::spawn().await;

    let first = TestEmu::with(kept_in(dir.path(), &receiver)).await;
    let (upload, asset) = upload_ready(&first, "before").await;
    receiver.wait_for_type("video.asset.ready").await;
    let first_ids = ids_of(&upload, &asset);
    let first_events: HashSet<String> = receiver
        .received()
        .iter()
        .map(|r| text(&r.json()["id"]))
        .collect();
    first.handle.shutdown().await;

    let second = TestEmu::with(kept_in(dir.path(), &receiver)).await;
    assert_eq!(
        second.asset(&first_ids[1]).await,
        asset,
        "the asset, as it was"
    );
    let again = second.upload(&first_ids[0]).await;
    assert_eq!(again["status"], "asset_created");
    assert_eq!(again["asset_id"], asset["id"]);
    let playback = second
        .client
        .get(second.url(&format!("/stream/{}/highest.mp4", first_ids[2])))
        .send()
        .await
        .unwrap();
    assert_eq!(playback.status(), StatusCode::OK);
    assert_eq!(playback.bytes().await.unwrap().as_ref(), fixture(MEDIA));

    let (upload2, asset2) = upload_ready(&second, "after").await;
    let events = receiver
        .wait_until("the second run's ready event", |r| {
            r.iter()
                .filter(|r| r.json()["type"] == "video.asset.ready")
                .count()
                >= 2
        })
        .await;
    for id in ids_of(&upload2, &asset2) {
        assert!(
            !first_ids.contains(&id),
            "{id} was handed out by the first run"
        );
    }
    // The first run had stopped before the second started, so what came after is the second's.
    let second_events = &events[first_events.len()..];
    assert!(!second_events.is_empty());
    for event in second_events {
        let id = text(&event.json()["id"]);
        assert!(
            !first_events.contains(&id),
            "event id {id} was sent by the first run"
        );
    }
    let (_, listed) = second.get_json("/video/v1/assets").await;
    let listed: Vec<Value> = listed["data"]
        .as_array()
        .unwrap()
        .iter()
        .map(|a| a["id"].clone())
        .collect();
    assert_eq!(
        listed,
        [asset2["id"].clone(), asset["id"].clone()],
        "newest first, both runs"
    );
}

#[tokio::test]
async fn a_restart_finishes_what_the_last_run_left_undone() {
    let dir = tempfile::tempdir().unwrap();
    let receiver = Receiver::spawn().await;
    // The first run never gets to finish processing: its delay is far longer than the test.
    let mut slow = kept_in(dir.path(), &receiver);
    slow.processing_delay = Duration::from_secs(600);
    let first = TestEmu::with(slow).await;
    let processed = first.create_public_upload("processing").await;
    first
        .put_whole(&text(&processed["url"]), fixture(MEDIA))
        .await;
    let waiting = first.create_public_upload("waiting").await;
    let asset_id = text(&first.upload(&text(&processed["id"])).await["asset_id"]);
    assert_eq!(first.asset(&asset_id).await["status"], "preparing");
    first.handle.shutdown().await;

    let second = TestEmu::with(kept_in(dir.path(), &receiver)).await;
    assert_eq!(
        second.wait_for_asset(&text(&processed["id"])).await["status"],
        "ready"
    );
    // The waiting upload's URL now points at the new port, and takes the file.
    let url = text(&second.upload(&text(&waiting["id"])).await["url"]);
    assert!(url.starts_with(&second.handle.base_url()), "{url}");
    assert_eq!(
        second.put_whole(&url, fixture(MEDIA)).await.status(),
        StatusCode::OK
    );
    assert_eq!(
        second.wait_for_asset(&text(&waiting["id"])).await["status"],
        "ready"
    );
}

#[tokio::test]
async fn fresh_emulators_on_the_default_seed_never_repeat_ids() {
    let first = TestEmu::spawn().await;
    let a = text(&first.create_upload(serde_json::json!({})).await["id"]);
    first.handle.shutdown().await;
    let second = TestEmu::spawn().await;
    let b = text(&second.create_upload(serde_json::json!({})).await["id"]);
    assert_ne!(a, b, "a restart handed out the same first upload id");
}
