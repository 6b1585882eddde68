//! The signing keys API: create returns the private key once; get, list (also at the older
//! `/video/v1` address) and delete; keys survive a restart on a kept data dir.

use base64::engine::general_purpose::STANDARD;
use base64::Engine;
use reqwest::{Method, StatusCode};
use serde_json::Value;

use crate::harness::{config, TestEmu};
use crate::signing::{create_key, ready_playback_id, token};

#[tokio::test]
async fn keys_are_created_read_listed_and_deleted() {
    let emu = TestEmu::spawn().await;
    let key = create_key(&emu).await;
    let id = key["id"].as_str().unwrap();
    assert!(
        key["created_at"].as_str().unwrap().parse::<u64>().is_ok(),
        "{key}"
    );
    let pem = String::from_utf8(
        STANDARD
            .decode(key["private_key"].as_str().unwrap())
            .unwrap(),
    )
    .unwrap();
    assert!(
        pem.starts_with("-----BEGIN RSA PRIVATE KEY-----\n"),
        "{pem}"
    );
    let other = create_key(&emu).await;

    let (status, got) = emu.get_json(&format!("/system/v1/signing-keys/{id}")).await;
    assert_eq!(status, StatusCode::OK);
    assert_eq!(got["data"]["id"], key["id"]);
    assert_eq!(got["data"]["created_at"], key["created_at"]);
    assert!(got["data"].get("private_key").is_none(), "only on create");

    for list in ["/system/v1/signing-keys", "/video/v1/signing-keys"] {
        let (status, listed) = emu.get_json(list).await;
        assert_eq!(status, StatusCode::OK);
        let ids: Vec<&Value> = listed["data"]
            .as_array()
            .unwrap()
            .iter()
            .map(|k| &k["id"])
            .collect();
        assert_eq!(ids, [&other["id"], &key["id"]], "{list}: newest first");
        assert!(listed["data"][0].get("private_key").is_none());
    }
    let (_, second_page) = emu.get_json("/system/v1/signing-keys?limit=1&page=2").await;
    assert_eq!(second_page["data"][0]["id"], key["id"]);

    let deleted = emu
        .api(Method::DELETE, &format!("/video/v1/signing-keys/{id}"))
        .send()
        .await
        .unwrap();
    assert_eq!(deleted.status(), StatusCode::NO_CONTENT);
    let (status, _) = emu.get_json(&format!("/system/v1/signing-keys/{id}")).await;
    assert_eq!(status, StatusCode::NOT_FOUND);
    let again = emu
        .api(Method::DELETE, &format!("/system/v1/signing-keys/{id}"))
        .send()
        .await
        .unwrap();
    assert_eq!(again.status(), StatusCode::NOT_FOUND);

    let anonymous = emu
        .client
        .post(emu.url("/system/v1/signing-keys"))
        .send()
        .await
        .unwrap();
    assert_eq!(anonymous.status(), StatusCode::UNAUTHORIZED);
}

#[tokio::test]
async fn keys_survive_a_restart_on_a_kept_data_dir() {
    let dir = tempfile::tempdir().unwrap();
    let mut cfg = config();
    cfg.data_dir = Some(dir.path().to_owned());
    let first = TestEmu::with(cfg.clone()).await;
    let key = create_key(&first).await;
    let playback_id = ready_playback_id(&first, "signed").await;
    first.handle.shutdown().await;

    let second = TestEmu::with(cfg).await;
    let (status, _) = second
        .get_json(&format!(
            "/system/v1/signing-keys/{}",
            key["id"].as_str().unwrap()
        ))
        .await;
    assert_eq!(status, StatusCode::OK);
    let mp4 = second
        .client
        .get(second.url(&format!("/stream/{playback_id}/highest.mp4")))
        .query(&[("token", token(&key, &playback_id, "v"))])
        .send()
        .await
        .unwrap();
    assert_eq!(
        mp4.status(),
        StatusCode::OK,
        "the kept public key still verifies"
    );
}
