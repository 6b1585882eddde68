//! Assets made from a URL (`POST /video/v1/assets`): the emulator downloads a file served by a
//! local "remote" server, then processes it like an upload; bad inputs end `errored`, bad
//! requests are 400s. Also `?download=` on static rendition URLs.

use std::sync::atomic::{AtomicUsize, Ordering};
use std::sync::Arc;
use std::time::Duration;

use axum::http::StatusCode as AxumStatus;
use axum::routing::get;
use axum::Router;
use reqwest::{Method, StatusCode};
use serde_json::{json, Value};

use crate::harness::{config, eventually, fixture, header, TestEmu};
use crate::receiver::Receiver;
use crate::signing::{create_key, token};

/// Serves `/good.mp4` and `/notes.txt` from the fixtures; everything else is 404.
async fn remote() -> String {
    let app = Router::new()
        .route(
            "/good.mp4",
            get(|| async { fixture("tiny-2s-320x240.mp4") }),
        )
        .route("/notes.txt", get(|| async { fixture("not-a-video.txt") }))
        .fallback(|| async { AxumStatus::NOT_FOUND });
    let listener = tokio::net::TcpListener::bind("127.0.0.1:0").await.unwrap();
    let base = format!("http://{}", listener.local_addr().unwrap());
    tokio::spawn(async move { axum::serve(listener, app).await.unwrap() });
    base
}

async fn emulator(allow_private_inputs: bool, receiver: &Receiver) -> TestEmu {
    let mut cfg = config();
    cfg.allow_private_inputs = allow_private_inputs;
    cfg.webhook_urls = vec![receiver.url.clone()];
    TestEmu::with(cfg).await
}

async fn create(emu: &TestEmu, body: Value) -> (StatusCode, Value) {
    let r = emu
        .api(Method::POST, "/video/v1/assets")
        .json(&body)
        .send()
        .await
        .unwrap();
    (r.status(), r.json().await.unwrap())
}

async fn finished(emu: &TestEmu, id: &str) -> Value {
    eventually(&format!("asset {id} finished"), || async {
        Some(emu.asset(id).await).filter(|a| a["status"] != "preparing")
    })
    .await
}

#[tokio::test]
async fn a_good_url_becomes_a_ready_asset_that_plays_and_downloads() {
    let (receiver, remote) = (Receiver::spawn().await, remote().await);
    let emu = emulator(true, &receiver).await;
    let (status, body) = create(
        &emu,
        json!({"inputs": [{"url": format!("{remote}/good.mp4")}],
               "playback_policies": ["public", "signed"], "passthrough": "p-1",
               "video_quality": "plus", "max_resolution_tier": "1440p",
               "static_renditions": [{"resolution": "highest"}]}),
    )
    .await;
    assert_eq!(status, StatusCode::CREATED, "{body}");
    let created = &body["data"];
    assert_eq!(created["status"], "preparing");
    assert_eq!(created["ingest_type"], "on_demand_url");
    let id = created["id"].as_str().unwrap();

    let asset = finished(&emu, id).await;
    assert_eq!(asset["status"], "ready", "{asset}");
    assert_eq!(asset["video_quality"], "plus");
    assert_eq!(asset["max_resolution_tier"], "1440p");
    assert_eq!(asset["passthrough"], "p-1");
    assert!(asset.get("upload_id").is_none());
    receiver.wait_for_type("video.asset.ready").await;
    let types = receiver.types();
    let at = |t: &str| types.iter().position(|x| x == t).unwrap();
    assert!(
        at("video.asset.created") < at("video.asset.ready"),
        "{types:?}"
    );
    receiver
        .wait_for_type("video.asset.static_rendition.ready")
        .await;

    let ids = asset["playback_ids"].as_array().unwrap();
    let pid = |policy: &str| {
        ids.iter().find(|p| p["policy"] == policy).unwrap()["id"]
            .as_str()
            .unwrap()
            .to_owned()
    };
    let public = pid("public");
    let r = emu
        .client
        .get(emu.url(&format!("/stream/{public}/highest.mp4?download=clip.mp4")))
        .send()
        .await
        .unwrap();
    assert_eq!(r.status(), StatusCode::OK);
    assert_eq!(
        header(&r, "content-disposition").as_deref(),
        Some("attachment; filename=\"clip.mp4\"")
    );
    assert_eq!(
        r.bytes().await.unwrap().to_vec(),
        fixture("tiny-2s-320x240.mp4")
    );

    let quoted = emu
        .client
        .get(emu.url(&format!("/stream/{public}/highest.mp4")))
        .query(&[("download", "my \"clip\".mp4")])
        .send()
        .await
        .unwrap();
    assert_eq!(
        header(&quoted, "content-disposition").as_deref(),
        Some(r#"attachment; filename="my \"clip\".mp4""#)
    );
    let control = emu
        .client
        .get(emu.url(&format!("/stream/{public}/highest.mp4?download=a%0Ab.mp4")))
        .send()
        .await
        .unwrap();
    assert_eq!(control.status(), StatusCode::BAD_REQUEST);

    let signed = pid("signed");
    let path = format!("/stream/{signed}/highest.mp4?download=clip.mp4");
    let r = emu.client.get(emu.url(&path)).send().await.unwrap();
    assert_eq!(
        r.status(),
        StatusCode::FORBIDDEN,
        "a signed id still needs its token"
    );
    let key = create_key(&emu).await;
    let r = emu
        .client
        .get(emu.url(&path))
        .query(&[("token", token(&key, &signed, "v"))])
        .send()
        .await
        .unwrap();
    assert_eq!(r.status(), StatusCode::OK);
    assert_eq!(
        header(&r, "content-disposition").as_deref(),
        Some("attachment; filename=\"clip.mp4\"")
    );
}

#[tokio::test]
async fn unreachable_non_media_and_private_inputs_end_errored() {
    let (receiver, remote) = (Receiver::spawn().await, remote().await);
    let emu = emulator(true, &receiver).await;
    let errored = |url: String| {
        let emu = &emu;
        async move {
            let (status, body) = create(emu, json!({"input": url})).await;
            assert_eq!(status, StatusCode::CREATED, "{body}");
            finished(emu, body["data"]["id"].as_str().unwrap()).await
        }
    };
    let missing = errored(format!("{remote}/missing.mp4")).await;
    assert_eq!(missing["status"], "errored");
    assert_eq!(missing["errors"]["type"], "download_failed", "{missing}");
    let message = missing["errors"]["messages"][0].as_str().unwrap();
    assert!(
        message.starts_with("could not download the input file"),
        "{message}"
    );
    assert!(message.contains("404"), "{message}");

    let text = errored(format!("{remote}/notes.txt")).await;
    assert_eq!(text["errors"]["type"], "invalid_input", "{text}");
    receiver.wait_for_type("video.asset.errored").await;

    let strict = emulator(false, &receiver).await;
    let (_, body) = create(
        &strict,
        json!({"inputs": [{"url": format!("{remote}/good.mp4")}]}),
    )
    .await;
    let refused = finished(&strict, body["data"]["id"].as_str().unwrap()).await;
    assert_eq!(refused["errors"]["type"], "download_failed", "{refused}");
    let message = refused["errors"]["messages"][0].as_str().unwrap();
    assert!(
        message.contains("127.0.0.1 is a loopback, private"),
        "{message}"
    );
}

#[tokio::test]
async fn bad_requests_are_400s_naming_the_field() {
    let receiver = Receiver::spawn().await;
    let emu = emulator(true, &receiver).await;
    let url = json!([{"url": "https://example.com/a.mp4"}]);
    for (body, field) in [
        (json!({"playback_policies": ["public"]}), "inputs"),
        (json!({"inputs": []}), "inputs"),
        (
            json!({"inputs": [{"url": "ftp://example.com/a.mp4"}]}),
            "inputs[0].url",
        ),
        (json!({"inputs": [{"url": "/a.mp4"}]}), "inputs[0].url"),
        (json!({"input": "file:///etc/passwd"}), "input"),
        (
            json!({"inputs": url, "video_quality": "ultra"}),
            "video_quality",
        ),
        (
            json!({"inputs": url, "max_resolution_tier": "4k"}),
            "max_resolution_tier",
        ),
        (json!({"inputs": url, "meta": {"title": 5}}), "meta.title"),
    ] {
        let (status, answer) = create(&emu, body.clone()).await;
        assert_eq!(status, StatusCode::BAD_REQUEST, "{body}");
        assert_eq!(answer["error"]["type"], "invalid_parameters", "{answer}");
        let message = answer["error"]["messages"][0].as_str().unwrap();
        assert!(message.starts_with(field), "{body}: {message}");
    }
    let (_, list) = emu.get_json("/video/v1/assets").await;
    assert_eq!(list["data"], json!([]), "no asset was made");
}

/// A restart on the same data dir finishes URL-made assets: one whose input was downloaded is
/// processed, one whose download was cut off is downloaded again.
#[tokio::test]
async fn a_restart_resumes_url_assets() {
    let calls = Arc::new(AtomicUsize::new(0));
    let counted = calls.clone();
    // The first request for /stalls.mp4 never answers; later ones do.
    let app = Router::new()
        .route(
            "/good.mp4",
            get(|| async { fixture("tiny-2s-320x240.mp4") }),
        )
        .route(
            "/stalls.mp4",
            get(move || async move {
                if counted.fetch_add(1, Ordering::SeqCst) == 0 {
                    std::future::pending::<()>().await;
                }
                fixture("tiny-2s-320x240.mp4")
            }),
        );
    let listener = tokio::net::TcpListener::bind("127.0.0.1:0").await.unwrap();
    let remote = format!("http://{}", listener.local_addr().unwrap());
    tokio::spawn(async move { axum::serve(listener, app).await.unwrap() });
    let dir = tempfile::tempdir().unwrap();
    let kept = |delay: Duration| {
        let mut cfg = config();
        cfg.data_dir = Some(dir.path().to_owned());
        cfg.allow_private_inputs = true;
        cfg.processing_delay = delay;
        cfg
    };

    let first = TestEmu::with(kept(Duration::from_secs(3600))).await;
    let input = |name: &str| json!({"inputs": [{"url": format!("{remote}/{name}")}]});
    let (_, downloaded) = create(&first, input("good.mp4")).await;
    let downloaded = downloaded["data"]["id"].as_str().unwrap().to_owned();
    let (_, cut_off) = create(&first, input("stalls.mp4")).await;
    let cut_off = cut_off["data"]["id"].as_str().unwrap().to_owned();
    let on_disk = dir.path().join("media").join(format!("{downloaded}.input"));
    eventually(
        "the first input downloaded and the second requested",
        || async { (on_disk.is_file() && calls.load(Ordering::SeqCst) == 1).then_some(()) },
    )
    .await;
    assert_eq!(first.asset(&downloaded).await["status"], "preparing");
    first.handle.shutdown().await;

    let second = TestEmu::with(kept(Duration::from_millis(50))).await;
    for id in [&downloaded, &cut_off] {
        let asset = finished(&second, id).await;
        assert_eq!(asset["status"], "ready", "{asset}");
    }
    assert_eq!(
        calls.load(Ordering::SeqCst),
        2,
        "only the cut-off input was fetched again"
    );
}
