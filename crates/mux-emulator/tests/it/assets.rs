//! Assets: list paging and cursor, `upload_id` filter, update, delete, playback ids, auth and
//! Mux-shaped errors.

use reqwest::{Method, StatusCode};
use serde_json::{json, Value};

use crate::harness::{fixture, TestEmu, TOKEN_ID};

/// Uploads the tiny fixture `n` times; returns (upload id, asset id) newest last.
async fn make_assets(emu: &TestEmu, n: usize) -> Vec<(String, String)> {
    let mut made = Vec::new();
    for i in 0..n {
        let upload = emu.create_public_upload(&format!("asset-{i}")).await;
        emu.put_whole(
            upload["url"].as_str().unwrap(),
            fixture("tiny-2s-320x240.mp4"),
        )
        .await;
        let id = upload["id"].as_str().unwrap().to_owned();
        let asset = emu.wait_for_asset(&id).await;
        made.push((id, asset["id"].as_str().unwrap().to_owned()));
    }
    made
}

fn ids(list: &Value) -> Vec<String> {
    list["data"]
        .as_array()
        .unwrap()
        .iter()
        .map(|a| a["id"].as_str().unwrap().to_owned())
        .collect()
}

#[tokio::test]
async fn list_by_page_by_cursor_and_by_upload_id() {
    let emu = TestEmu::spawn().await;
    let made = make_assets(&emu, 5).await;
    let newest_first: Vec<String> = made.iter().rev().map(|(_, a)| a.clone()).collect();

    let (_, page2) = emu.get_json("/video/v1/assets?limit=2&page=2").await;
    assert_eq!(ids(&page2), newest_first[2..4]);

    let mut walked = Vec::new();
    let mut path = "/video/v1/assets?limit=2".to_owned();
    loop {
        let (status, page) = emu.get_json(&path).await;
        assert_eq!(status, StatusCode::OK);
        walked.extend(ids(&page));
        match page["next_cursor"].as_str() {
            Some(cursor) => path = format!("/video/v1/assets?limit=2&cursor={cursor}"),
            None => break,
        }
    }
    assert_eq!(
        walked, newest_first,
        "the cursor walks every asset once, in order"
    );

    let (_, filtered) = emu
        .get_json(&format!("/video/v1/assets?upload_id={}", made[1].0))
        .await;
    assert_eq!(ids(&filtered), [made[1].1.clone()]);
    assert!(filtered["next_cursor"].is_null());

    let (status, bad) = emu.get_json("/video/v1/assets?cursor=not-a-cursor").await;
    assert_eq!(status, StatusCode::BAD_REQUEST);
    assert_eq!(bad["error"]["type"], "invalid_parameters");
}

#[tokio::test]
async fn update_delete_and_playback_ids() {
    let emu = TestEmu::spawn().await;
    let (_, asset_id) = make_assets(&emu, 1).await.remove(0);
    let path = format!("/video/v1/assets/{asset_id}");

    let r = emu
        .api(Method::PATCH, &path)
        .json(&json!({"passthrough": "renamed", "meta": {"title": "T"}, "status": "ignored"}))
        .send()
        .await
        .unwrap();
    assert_eq!(r.status(), StatusCode::OK);
    let updated: Value = r.json().await.unwrap();
    assert_eq!(updated["data"]["passthrough"], "renamed");
    assert_eq!(updated["data"]["meta"]["title"], "T");
    assert_eq!(updated["data"]["status"], "ready");
    let bad = emu
        .api(Method::PATCH, &path)
        .json(&json!({"passthrough": 5}))
        .send()
        .await
        .unwrap();
    assert_eq!(bad.status(), StatusCode::BAD_REQUEST);

    let r = emu
        .api(Method::POST, &format!("{path}/playback-ids"))
        .json(&json!({"policy": "signed"}))
        .send()
        .await
        .unwrap();
    assert_eq!(r.status(), StatusCode::CREATED);
    let created: Value = r.json().await.unwrap();
    assert_eq!(created["data"]["policy"], "signed");
    let pid = created["data"]["id"].as_str().unwrap().to_owned();
    let (status, got) = emu.get_json(&format!("{path}/playback-ids/{pid}")).await;
    assert_eq!(
        (status, got["data"]["policy"].clone()),
        (StatusCode::OK, json!("signed"))
    );
    let (_, lookup) = emu.get_json(&format!("/video/v1/playback-ids/{pid}")).await;
    assert_eq!(
        lookup["data"]["object"],
        json!({"type": "asset", "id": asset_id})
    );
    let r = emu
        .api(Method::DELETE, &format!("{path}/playback-ids/{pid}"))
        .send()
        .await
        .unwrap();
    assert_eq!(r.status(), StatusCode::NO_CONTENT);
    let (status, _) = emu.get_json(&format!("/video/v1/playback-ids/{pid}")).await;
    assert_eq!(status, StatusCode::NOT_FOUND);

    let r = emu.api(Method::DELETE, &path).send().await.unwrap();
    assert_eq!(r.status(), StatusCode::NO_CONTENT);
    assert!(r.bytes().await.unwrap().is_empty());
    let (status, body) = emu.get_json(&path).await;
    assert_eq!(status, StatusCode::NOT_FOUND);
    assert_eq!(
        body,
        json!({"error": {"type": "not_found", "messages": ["The requested resource either doesn't exist or you don't have access to it."]}})
    );
}

#[tokio::test]
async fn bad_credentials_get_muxs_401() {
    let emu = TestEmu::spawn().await;
    let unauthorized =
        json!({"error": {"type": "unauthorized", "messages": ["Unauthorized request"]}});
    for request in [
        emu.client.get(emu.url("/video/v1/assets")),
        emu.client
            .get(emu.url("/video/v1/assets"))
            .basic_auth(TOKEN_ID, Some("wrong")),
        emu.client
            .get(emu.url("/video/v1/assets"))
            .bearer_auth("token"),
        emu.client
            .post(emu.url("/video/v1/uploads"))
            .basic_auth("other", Some("x"))
            .json(&json!({})),
    ] {
        let r = request.send().await.unwrap();
        assert_eq!(r.status(), StatusCode::UNAUTHORIZED);
        assert_eq!(r.json::<Value>().await.unwrap(), unauthorized);
    }
}

#[tokio::test]
async fn malformed_ids_and_unknown_paths() {
    let emu = TestEmu::spawn().await;
    let (status, body) = emu.get_json("/video/v1/assets/not-an-id!").await;
    assert_eq!(status, StatusCode::BAD_REQUEST);
    assert_eq!(
        body,
        json!({"error": {"type": "invalid_parameters", "messages": ["Failed to parse ID"]}})
    );
    let (status, body) = emu.get_json("/video/v1/assets/abc123").await;
    assert_eq!(
        (status, body["error"]["type"].clone()),
        (StatusCode::NOT_FOUND, json!("not_found"))
    );
    let (status, _) = emu.get_json("/video/v1/nothing-here").await;
    assert_eq!(status, StatusCode::NOT_FOUND);
    let r = emu
        .api(Method::PATCH, "/video/v1/assets/abc123")
        .body("[1,")
        .send()
        .await
        .unwrap();
    assert_eq!(r.status(), StatusCode::BAD_REQUEST);
}
