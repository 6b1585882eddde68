//! Direct uploads: every fixture by single PUT, cancel, timeout, tokens, CORS, validation.

use mux_emulator::{ApiFaultAction, ApiFaultRule, FaultConfig};
use reqwest::{Method, StatusCode};
use serde_json::json;

use crate::harness::{assert_matches_manifest, fixture, header, manifest, TestEmu};

#[tokio::test]
async fn every_fixture_through_a_single_put() {
    let emu = TestEmu::spawn().await;
    for entry in manifest() {
        let name = entry["file"].as_str().unwrap();
        let upload = emu.create_public_upload(name).await;
        assert_eq!(upload["status"], "waiting");
        let url = upload["url"].as_str().unwrap();
        assert!(
            url.starts_with(&format!("{}/upload/", emu.handle.base_url())),
            "{url}"
        );

        let r = emu.put_whole(url, fixture(name)).await;
        assert_eq!(r.status(), StatusCode::OK, "{name}");

        let asset = emu.wait_for_asset(upload["id"].as_str().unwrap()).await;
        assert_matches_manifest(&asset, &entry);
        assert_eq!(asset["upload_id"], upload["id"]);
        assert_eq!(asset["passthrough"], name);
        assert_eq!(asset["playback_ids"][0]["policy"], "public");
        assert!(
            asset["created_at"].is_string(),
            "REST created_at is a numeric string"
        );
        let finished = emu.upload(upload["id"].as_str().unwrap()).await;
        assert_eq!(finished["status"], "asset_created");
        assert!(
            finished.get("url").is_none(),
            "no url once the asset exists"
        );
    }
}

#[tokio::test]
async fn cancel_only_while_waiting_and_then_the_url_refuses() {
    let emu = TestEmu::spawn().await;
    let upload = emu.create_public_upload("c").await;
    let id = upload["id"].as_str().unwrap();
    let cancel = |id: String| {
        emu.api(Method::PUT, &format!("/video/v1/uploads/{id}/cancel"))
            .send()
    };

    let r = cancel(id.to_owned()).await.unwrap();
    assert_eq!(r.status(), StatusCode::OK);
    assert_eq!(
        r.json::<serde_json::Value>().await.unwrap()["data"]["status"],
        "cancelled"
    );

    let again = cancel(id.to_owned()).await.unwrap();
    assert_eq!(again.status(), StatusCode::FORBIDDEN);
    let body: serde_json::Value = again.json().await.unwrap();
    assert_eq!(
        body["error"]["messages"][0],
        "Cancellation no longer possible"
    );

    let put = emu
        .put_whole(
            upload["url"].as_str().unwrap(),
            fixture("tiny-2s-320x240.mp4"),
        )
        .await;
    assert_eq!(put.status(), StatusCode::FORBIDDEN);
    assert!(
        emu.handle.assets().is_empty(),
        "a cancelled upload creates no asset"
    );

    let done = emu.create_public_upload("d").await;
    emu.put_whole(
        done["url"].as_str().unwrap(),
        fixture("tiny-2s-320x240.mp4"),
    )
    .await;
    let r = cancel(done["id"].as_str().unwrap().to_owned())
        .await
        .unwrap();
    assert_eq!(
        r.status(),
        StatusCode::FORBIDDEN,
        "asset_created cannot be cancelled"
    );
}

#[tokio::test]
async fn uploads_time_out_even_if_nobody_puts() {
    let emu = TestEmu::spawn().await;
    let upload = emu
        .create_upload(json!({"timeout": 60, "cors_origin": "*"}))
        .await;
    assert_eq!(upload["timeout"], 60);
    let id = upload["id"].as_str().unwrap().to_owned();

    // Advancing the clock through the control API applies timeouts at once; the background
    // sweep that does it when nobody asks is unit-tested on virtual time (`app.rs`).
    let r = emu
        .client
        .post(emu.url("/_emulator/clock/advance"))
        .json(&json!({"seconds": 61}))
        .send()
        .await
        .unwrap();
    assert_eq!(r.status(), StatusCode::OK);
    assert_eq!(
        emu.handle.upload(&id).unwrap().status,
        mux_emulator::UploadStatus::TimedOut
    );
    assert_eq!(emu.upload(&id).await["status"], "timed_out");

    let put = emu
        .put_whole(
            upload["url"].as_str().unwrap(),
            fixture("tiny-2s-320x240.mp4"),
        )
        .await;
    assert_eq!(put.status(), StatusCode::FORBIDDEN);
    let r = emu
        .api(Method::PUT, &format!("/video/v1/uploads/{id}/cancel"))
        .send()
        .await
        .unwrap();
    assert_eq!(r.status(), StatusCode::FORBIDDEN);
}

#[tokio::test]
async fn upload_url_needs_its_token() {
    let emu = TestEmu::spawn().await;
    let upload = emu.create_public_upload("t").await;
    let url = upload["url"].as_str().unwrap();
    let bad = url.replace("token=", "token=x");
    assert_eq!(
        emu.put_whole(&bad, vec![1, 2, 3]).await.status(),
        StatusCode::FORBIDDEN
    );
    let missing = emu
        .put_whole(&emu.url("/upload/nosuchupload?token=a"), vec![1])
        .await;
    assert_eq!(missing.status(), StatusCode::NOT_FOUND);
}

#[tokio::test]
async fn cors_preflight_and_exposed_range() {
    let emu = TestEmu::spawn().await;
    let upload = emu.create_public_upload("cors").await;
    let url = upload["url"].as_str().unwrap();
    let pre = emu
        .client
        .request(Method::OPTIONS, url)
        .header("origin", "https://app.example")
        .header("access-control-request-method", "PUT")
        .header(
            "access-control-request-headers",
            "content-type,content-range",
        )
        .send()
        .await
        .unwrap();
    assert!(pre.status().is_success());
    assert_eq!(
        header(&pre, "access-control-allow-origin").as_deref(),
        Some("https://app.example")
    );
    let methods = header(&pre, "access-control-allow-methods").unwrap();
    assert!(methods.contains("PUT"));
    let allowed = header(&pre, "access-control-allow-headers")
        .unwrap()
        .to_lowercase();
    assert!(allowed.contains("content-type") && allowed.contains("content-range"));

    let other = emu
        .client
        .request(Method::OPTIONS, url)
        .header("origin", "https://evil.example")
        .send()
        .await
        .unwrap();
    assert_eq!(header(&other, "access-control-allow-origin"), None);

    let chunk = emu
        .client
        .put(url)
        .header("origin", "https://app.example")
        .header("content-range", "bytes 0-9/20")
        .body(vec![0u8; 10])
        .send()
        .await
        .unwrap();
    assert_eq!(chunk.status(), StatusCode::PERMANENT_REDIRECT);
    assert_eq!(
        header(&chunk, "access-control-expose-headers").as_deref(),
        Some("Range")
    );
    assert_eq!(header(&chunk, "range").as_deref(), Some("bytes=0-9"));
}

/// A faulted answer (503, 429 …) to an upload URL still carries its CORS headers, so a browser
/// reads the status and retries instead of seeing a network error (status 0).
#[tokio::test]
async fn a_faulted_upload_answer_keeps_its_cors_headers() {
    let emu = TestEmu::spawn().await;
    let upload = emu.create_public_upload("cors-fault").await;
    let url = upload["url"].as_str().unwrap();
    emu.handle.set_faults(FaultConfig {
        api: vec![ApiFaultRule {
            method: Some("PUT".into()),
            path: "/upload/**".into(),
            rate: 1.0,
            times: Some(1),
            action: ApiFaultAction::Error {
                status: 503,
                retry_after_s: None,
            },
        }],
        ..Default::default()
    });
    let put = || {
        emu.client
            .put(url)
            .header("origin", "https://app.example")
            .header("content-range", "bytes 0-9/20")
            .body(vec![0u8; 10])
            .send()
    };
    let faulted = put().await.unwrap();
    assert_eq!(faulted.status(), StatusCode::SERVICE_UNAVAILABLE);
    assert_eq!(
        header(&faulted, "access-control-allow-origin").as_deref(),
        Some("https://app.example")
    );
    let retried = put().await.unwrap();
    assert_eq!(retried.status(), StatusCode::PERMANENT_REDIRECT);
}

#[tokio::test]
async fn create_validates_like_mux_and_ignores_unknown_fields() {
    let emu = TestEmu::spawn().await;
    let ok = emu.create_upload(json!({"cors_origin": "*", "surprise": {"a": 1}, "new_asset_settings": {"playback_policy": "signed", "extra": true}})).await;
    assert_eq!(
        ok["new_asset_settings"]["extra"], true,
        "settings are echoed"
    );
    assert_eq!(
        ok["new_asset_settings"]["video_quality"], "basic",
        "defaults filled"
    );

    for bad in [
        json!({"timeout": 59}),
        json!({"timeout": 604_801}),
        json!({"timeout": "soon"}),
        json!({"new_asset_settings": {"playback_policies": ["private"]}}),
        json!({"new_asset_settings": {"passthrough": "x".repeat(256)}}),
        json!({"new_asset_settings": "public"}),
    ] {
        let r = emu
            .api(Method::POST, "/video/v1/uploads")
            .json(&bad)
            .send()
            .await
            .unwrap();
        assert_eq!(r.status(), StatusCode::BAD_REQUEST, "{bad}");
        let body: serde_json::Value = r.json().await.unwrap();
        assert_eq!(body["error"]["type"], "invalid_parameters", "{bad}");
        assert!(body["error"]["messages"].is_array());
    }
    let r = emu
        .api(Method::POST, "/video/v1/uploads")
        .body("{not json")
        .send()
        .await
        .unwrap();
    assert_eq!(r.status(), StatusCode::BAD_REQUEST);
    assert_eq!(
        r.json::<serde_json::Value>().await.unwrap()["error"]["type"],
        "invalid_parameters"
    );
}

#[tokio::test]
async fn list_uploads_pages_newest_first() {
    let emu = TestEmu::spawn().await;
    let mut ids = Vec::new();
    for i in 0..5 {
        ids.push(
            emu.create_public_upload(&format!("u{i}")).await["id"]
                .as_str()
                .unwrap()
                .to_owned(),
        );
    }
    let (status, page1) = emu.get_json("/video/v1/uploads?limit=2&page=1").await;
    assert_eq!(status, StatusCode::OK);
    let got: Vec<&str> = page1["data"]
        .as_array()
        .unwrap()
        .iter()
        .map(|u| u["id"].as_str().unwrap())
        .collect();
    assert_eq!(got, [ids[4].as_str(), ids[3].as_str()]);
    let (_, page3) = emu.get_json("/video/v1/uploads?limit=2&page=3").await;
    assert_eq!(page3["data"].as_array().unwrap().len(), 1);
    let (_, page4) = emu.get_json("/video/v1/uploads?limit=2&page=4").await;
    assert!(
        page4["data"].as_array().unwrap().is_empty(),
        "mux-node stops on an empty page"
    );
    let (status, _) = emu.get_json("/video/v1/uploads?limit=0").await;
    assert_eq!(status, StatusCode::BAD_REQUEST);
}
