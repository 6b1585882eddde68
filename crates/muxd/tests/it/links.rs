//! A video from a link (`POST /api/mux/create-video-from-url`), against a file server on this
//! machine (the tests allow private addresses, as `muxd dev` does): a good file becomes a READY
//! asset named after its file, through the same lifecycle as an upload; a file Mux cannot read
//! and a link Mux cannot fetch end ERROR with Mux's reason in words; a link that is gone, private,
//! a web page, too large or not http(s) is a 400 that stores nothing; by default a private
//! address is refused, naming the setting that allows it; and when every webhook is lost, the
//! reconciler finishes a video from a link by reading its asset.

use std::time::Duration;

use axum::http::{header, HeaderMap, Method as HttpMethod, StatusCode as HttpStatus};
use axum::routing::get;
use axum::Router;
use mux_emulator::{AssetStatus, FaultConfig, WebhookFaults};
use muxd_domain::schedule::Schedule;
use muxd_store::now_ms;
use reqwest::{Method, StatusCode};
use serde_json::{json, Value};
use tokio::net::TcpListener;

use crate::media::fixture;
use muxd_testkit::app::{Backend, TestApp};
use muxd_testkit::app_test;
use muxd_testkit::databases::eventually;

const OWNER: &str = "user_links";

/// Serves `/files/{name}` from the media fixtures as `video/mp4`, `/page` as a web page,
/// `/private` as 403, `/huge.mp4` as a 50 GB file (HEAD only), and `/head-only.mp4` whose HEAD
/// says a video but whose GET is 404. Returns its base URL.
pub async fn file_server() -> String {
    let router = Router::new()
        .route(
            "/files/{name}",
            get(
                |axum::extract::Path(name): axum::extract::Path<String>| async move {
                    ([(header::CONTENT_TYPE, "video/mp4")], fixture(&name))
                },
            ),
        )
        .route(
            "/page",
            get(|| async { ([(header::CONTENT_TYPE, "text/html")], "<html></html>") }),
        )
        .route("/private", get(|| async { HttpStatus::FORBIDDEN }))
        .route(
            "/huge.mp4",
            get(|method: HttpMethod| async move {
                let mut headers = HeaderMap::new();
                headers.insert(header::CONTENT_TYPE, "video/mp4".parse().unwrap());
                headers.insert(header::CONTENT_LENGTH, "50000000000".parse().unwrap());
                assert_eq!(
                    method,
                    HttpMethod::HEAD,
                    "only a HEAD is sent for a refused file"
                );
                (headers, "")
            }),
        )
        .route(
            "/head-only.mp4",
            get(|method: HttpMethod| async move {
                match method {
                    HttpMethod::HEAD => (HttpStatus::OK, [(header::CONTENT_TYPE, "video/mp4")]),
                    _ => (
                        HttpStatus::NOT_FOUND,
                        [(header::CONTENT_TYPE, "text/plain")],
                    ),
                }
            }),
        );
    let listener = TcpListener::bind("127.0.0.1:0").await.unwrap();
    let base = format!("http://{}", listener.local_addr().unwrap());
    tokio::spawn(async move { axum::serve(listener, router).await });
    base
}

async fn from_link(app: &TestApp, body: Value) -> (StatusCode, Value) {
    app.call(
        Method::POST,
        "/api/mux/create-video-from-url",
        Some((OWNER, false)),
        Some(body),
    )
    .await
}

/// How many assets [`OWNER`] has.
async fn owned(app: &TestApp) -> usize {
    let (_, page) = app
        .call(
            Method::GET,
            "/api/creative-assets",
            Some((OWNER, false)),
            None,
        )
        .await;
    page["data"].as_array().unwrap().len()
}

app_test!(a_link_becomes_a_ready_video, |app: TestApp| async move {
    let files = file_server().await;
    let url = format!("{files}/files/tiny-2s-320x240.mp4?X-Signature=secret");
    let (status, created) = from_link(&app, json!({"url": url})).await;
    assert_eq!(status, StatusCode::CREATED, "{created}");
    let asset = &created["asset"];
    assert_eq!(asset["name"], "tiny-2s-320x240.mp4", "{asset}");
    assert_eq!(asset["status"], "MUX_PROCESSING", "{asset}");
    assert!(asset["uploadUrl"].is_null(), "{asset}");
    let id = created["id"].as_str().unwrap();
    let ready = app.wait_for(OWNER, id, |s| s == "READY").await;
    assert_eq!(ready["status"], "READY", "{ready}");
    assert!(
        ready["duration"]
            .as_f64()
            .is_some_and(|d| (d - 2.0).abs() < 0.1),
        "{ready}"
    );
    let played = app
        .http
        .get(ready["playbackUrl"].as_str().unwrap())
        .send()
        .await
        .unwrap();
    assert_eq!(played.status(), StatusCode::OK);
    // The pre-signed query is a credential: the row keeps the link without it.
    let row = app
        .app
        .store
        .asset(id.parse().unwrap())
        .await
        .unwrap()
        .unwrap();
    assert_eq!(
        row.source_url.as_deref(),
        Some(format!("{files}/files/tiny-2s-320x240.mp4").as_str())
    );
});

app_test!(
    what_mux_cannot_fetch_or_read_ends_in_words,
    |app: TestApp| async move {
        let files = file_server().await;
        for (path, kind) in [
            ("/files/not-a-video.txt", "invalid_input"),
            ("/head-only.mp4", "download_failed"),
        ] {
            let body = json!({"url": format!("{files}{path}"), "name": path});
            let (status, created) = from_link(&app, body).await;
            assert_eq!(status, StatusCode::CREATED, "{created}");
            let id = created["id"].as_str().unwrap();
            let failed = app.wait_for(OWNER, id, |s| s == "ERROR").await;
            assert_eq!(failed["status"], "ERROR", "{failed}");
            assert_eq!(failed["error"]["type"], kind, "{failed}");
            assert!(
                failed["error"]["message"]
                    .as_str()
                    .is_some_and(|m| m.len() > 10),
                "{failed}"
            );
        }
    }
);

app_test!(
    a_bad_link_is_refused_in_words_and_stores_nothing,
    |app: TestApp| async move {
        let files = file_server().await;
        for (url, says) in [
            (format!("{files}/nothing-here.mp4"), "404"),
            (format!("{files}/private"), "403"),
            (format!("{files}/page"), "web page"),
            (format!("{files}/huge.mp4"), "the limit is"),
            ("ftp://example.com/clip.mp4".to_owned(), "http or https"),
            ("not a link".to_owned(), "not a URL"),
        ] {
            let (status, body) = from_link(&app, json!({"url": url})).await;
            assert_eq!(status, StatusCode::BAD_REQUEST, "{url}: {body}");
            let message = body["error"]["message"].as_str().unwrap();
            assert!(message.contains(says), "{url}: {message}");
        }
        assert_eq!(owned(&app).await, 0);
    }
);

async fn spawn_strict(backend: Backend) -> Option<TestApp> {
    TestApp::spawn_with_settings(backend, &[("MUXD_INPUT_ALLOW_PRIVATE_URLS", "false")]).await
}

app_test!(
    a_private_address_is_refused_by_default,
    spawn = spawn_strict,
    |app: TestApp| async move {
        let files = file_server().await;
        let url = format!("{files}/files/tiny-2s-320x240.mp4");
        let (status, body) = from_link(&app, json!({"url": url})).await;
        assert_eq!(status, StatusCode::BAD_REQUEST, "{body}");
        let message = body["error"]["message"].as_str().unwrap();
        assert!(
            message.contains("MUXD_INPUT_ALLOW_PRIVATE_URLS"),
            "{message}"
        );
        assert_eq!(owned(&app).await, 0);
    }
);

app_test!(
    a_link_whose_webhooks_are_lost_is_finished_by_the_reconciler,
    |app: TestApp| async move {
        app.emulator.set_faults(FaultConfig {
            webhooks: WebhookFaults {
                drop_rate: 1.0,
                ..Default::default()
            },
            ..Default::default()
        });
        let files = file_server().await;
        let url = format!("{files}/files/tiny-2s-320x240.mp4");
        let (status, created) = from_link(&app, json!({"url": url})).await;
        assert_eq!(status, StatusCode::CREATED, "{created}");
        let id: muxd_domain::AssetId = created["id"].as_str().unwrap().parse().unwrap();
        eventually("Mux finishing the asset", async || {
            app.emulator
                .assets()
                .iter()
                .any(|a| a.status == AssetStatus::Ready)
        })
        .await;
        let row = app.store.asset(id).await.unwrap().unwrap();
        assert_eq!(
            row.facts.status.as_str(),
            "MUX_PROCESSING",
            "a webhook got through"
        );
        let schedule = Schedule {
            grace: Duration::ZERO,
            ..Schedule::default()
        };
        let outcome = app
            .app
            .reconciler(schedule)
            .run_once("instance-a", now_ms())
            .await
            .unwrap();
        assert_eq!((outcome.polled, outcome.changed), (1, 1), "{outcome:?}");
        let row = app.store.asset(id).await.unwrap().unwrap();
        assert_eq!(row.facts.status.as_str(), "READY");
    }
);
