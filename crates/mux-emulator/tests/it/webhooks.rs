//! Webhooks received by an in-test receiver: event sequences, envelope and data shapes,
//! signatures checked by independent code, and targets/secret changed at runtime.

use std::collections::HashSet;

use mux_emulator::{EmulatorConfig, FaultConfig};
use reqwest::Method;
use serde_json::json;

use crate::harness::{config, fixture, TestEmu};
use crate::receiver::{verify, Receiver};

pub const SECRET: &str = "whsec-test";

pub async fn emu_with(receiver: &Receiver, tweak: impl FnOnce(&mut EmulatorConfig)) -> TestEmu {
    let mut cfg = config();
    cfg.webhook_urls = vec![receiver.url.clone()];
    cfg.signing_secret = SECRET.into();
    cfg.environment_name = "Test".into();
    cfg.environment_id = "env123".into();
    tweak(&mut cfg);
    TestEmu::with(cfg).await
}

fn is_iso(s: &str) -> bool {
    s.len() == 27 && s.ends_with('Z') && s.as_bytes()[10] == b'T' && s.as_bytes()[19] == b'.'
}

#[tokio::test]
async fn a_direct_upload_sends_the_mux_sequence_signed_and_shaped_like_mux() {
    let receiver = Receiver::spawn().await;
    let emu = emu_with(&receiver, |_| {}).await;
    let upload = emu.create_public_upload("row-42").await;
    emu.put_whole(
        upload["url"].as_str().unwrap(),
        fixture("hd-10s-1280x720.mp4"),
    )
    .await;
    let ready = receiver.wait_for_type("video.asset.ready").await;

    assert_eq!(
        receiver.types(),
        [
            "video.upload.created",
            "video.upload.asset_created",
            "video.asset.created",
            "video.asset.ready"
        ]
    );
    let mut ids = HashSet::new();
    for r in receiver.received() {
        assert!(
            verify(&r.signature, &r.body, SECRET),
            "signature of {}",
            r.json()["type"]
        );
        assert!(!verify(&r.signature, &r.body, "another-secret"));
        let e = r.json();
        assert!(uuid::Uuid::parse_str(e["id"].as_str().unwrap()).is_ok());
        assert!(
            ids.insert(e["id"].as_str().unwrap().to_owned()),
            "event ids are unique"
        );
        assert!(
            is_iso(e["created_at"].as_str().unwrap()),
            "{}",
            e["created_at"]
        );
        assert_eq!(e["environment"], json!({"name": "Test", "id": "env123"}));
        assert_eq!(e["attempts"], json!([]));
        for key in ["request_id", "accessor", "accessor_source"] {
            assert!(e[key].is_null() && e.get(key).is_some(), "{key}");
        }
        assert_eq!(e["object"]["id"], e["data"]["id"]);
    }
    let created = &receiver.received()[1].json();
    assert_eq!(created["object"]["type"], "upload");
    assert_eq!(created["data"]["status"], "asset_created");
    let ready = ready.json();
    assert_eq!(ready["object"]["type"], "asset");
    let data = &ready["data"];
    assert!(
        data["created_at"].is_u64(),
        "webhook created_at is a number"
    );
    assert_eq!(data["upload_id"], upload["id"]);
    assert_eq!(data["passthrough"], "row-42");
    assert_eq!(data["aspect_ratio"], "16:9");
    assert_eq!(data["resolution_tier"], "720p");
    assert_eq!(data["playback_ids"][0]["policy"], "public");
}

#[tokio::test]
async fn unreadable_files_send_asset_errored_then_upload_errored() {
    let receiver = Receiver::spawn().await;
    let emu = emu_with(&receiver, |_| {}).await;
    let upload = emu.create_public_upload("bad").await;
    emu.put_whole(upload["url"].as_str().unwrap(), fixture("not-a-video.txt"))
        .await;
    let errored = receiver.wait_for_type("video.upload.errored").await.json();
    let asset_errored = receiver.wait_for_type("video.asset.errored").await.json();
    assert_eq!(asset_errored["data"]["errors"]["type"], "invalid_input");
    assert_eq!(
        asset_errored["data"]["progress"],
        json!({"state": "errored", "progress": -1})
    );
    assert_eq!(errored["data"]["error"]["type"], "invalid_input");
    assert!(
        errored["data"]["error"]["message"].is_string(),
        "upload error has a singular message"
    );
    assert_eq!(
        errored["data"]["status"], "asset_created",
        "the upload keeps its asset"
    );
}

#[tokio::test]
async fn cancel_update_and_delete_events() {
    let receiver = Receiver::spawn().await;
    let emu = emu_with(&receiver, |_| {}).await;
    let cancelled = emu.create_public_upload("x").await;
    emu.api(
        Method::PUT,
        &format!(
            "/video/v1/uploads/{}/cancel",
            cancelled["id"].as_str().unwrap()
        ),
    )
    .send()
    .await
    .unwrap();
    let event = receiver
        .wait_for_type("video.upload.cancelled")
        .await
        .json();
    assert_eq!(event["data"]["status"], "cancelled");

    let upload = emu.create_public_upload("y").await;
    emu.put_whole(
        upload["url"].as_str().unwrap(),
        fixture("tiny-2s-320x240.mp4"),
    )
    .await;
    let asset = emu.wait_for_asset(upload["id"].as_str().unwrap()).await;
    let path = format!("/video/v1/assets/{}", asset["id"].as_str().unwrap());
    emu.api(Method::PATCH, &path)
        .json(&json!({"passthrough": "z"}))
        .send()
        .await
        .unwrap();
    let updated = receiver.wait_for_type("video.asset.updated").await.json();
    assert_eq!(updated["data"]["passthrough"], "z");
    emu.api(Method::DELETE, &path).send().await.unwrap();
    let deleted = receiver.wait_for_type("video.asset.deleted").await.json();
    assert_eq!(deleted["object"]["id"], asset["id"]);
}

#[tokio::test]
async fn targets_and_secret_change_at_runtime() {
    let first = Receiver::spawn().await;
    let emu = emu_with(&first, |_| {}).await;
    emu.create_public_upload("a").await;
    first.wait_until("first event", |r| r.len() == 1).await;

    let second = Receiver::spawn().await;
    emu.handle.add_webhook_url(second.url.clone());
    emu.handle.set_signing_secret("rotated");
    emu.create_public_upload("b").await;
    let got = second
        .wait_until("event at the new target", |r| r.len() == 1)
        .await;
    assert!(verify(&got[0].signature, &got[0].body, "rotated"));
    first
        .wait_until("second event at the first target", |r| r.len() == 2)
        .await;

    let r = emu
        .client
        .put(emu.url("/_emulator/webhooks"))
        .json(&json!({"urls": [second.url]}))
        .send()
        .await
        .unwrap();
    assert!(r.status().is_success());
    emu.handle.set_faults(FaultConfig::default());
    emu.create_public_upload("c").await;
    second.wait_until("third event", |r| r.len() == 2).await;
    assert_eq!(
        first.received().len(),
        2,
        "the removed target gets nothing more"
    );
}

#[tokio::test]
async fn signatures_carry_the_real_time_after_the_clock_is_advanced() {
    let receiver = Receiver::spawn().await;
    let emu = emu_with(&receiver, |_| {}).await;
    emu.handle
        .advance_clock(std::time::Duration::from_secs(7200));
    emu.create_public_upload("after-advance").await;
    let created = receiver.wait_for_type("video.upload.created").await;
    let t: u64 = created
        .signature
        .split(',')
        .find_map(|part| part.strip_prefix("t="))
        .and_then(|t| t.parse().ok())
        .expect("a t= in the signature");
    let now = std::time::SystemTime::now()
        .duration_since(std::time::UNIX_EPOCH)
        .unwrap()
        .as_secs();
    // Within any receiver's tolerance (Mux's libraries: 300 s), not two hours ahead.
    assert!(t.abs_diff(now) <= 60, "signed at {t}, now {now}");
}
