//! Outbound webhooks to the host app, checked by a receiver that verifies every message with an
//! independent Standard Webhooks implementation (the `standardwebhooks` crate): an upload's
//! changes arrive signed, in the app's filter; an outage is ridden out by retries; a spent
//! schedule fails the delivery, which a replay sends again; bad endpoints are refused by name
//! with nothing stored. (`outbound_kill`: a `muxd dev` killed with SIGKILL loses nothing it had
//! to send.)

use std::sync::atomic::{AtomicBool, Ordering};
use std::sync::{Arc, Mutex};
use std::time::SystemTime;

use axum::body::Bytes;
use axum::extract::State;
use axum::http::{HeaderMap, StatusCode as AxumStatus};
use axum::routing::post;
use axum::Router;
use reqwest::{Method, StatusCode};
use serde_json::{json, Value};
use time::format_description::well_known::Rfc3339;
use time::OffsetDateTime;

use crate::media::fixture;
use muxd_testkit::app::{Backend, TestApp};
use muxd_testkit::app_test;
use muxd_testkit::databases::eventually;

const OWNER: &str = "user_outbound";

/// One message the receiver took (answered 2xx).
#[derive(Clone, Debug)]
pub(crate) struct Received {
    pub(crate) id: String,
    pub(crate) body: Value,
    /// Seconds from the change (`timestamp`) to its arrival here.
    pub(crate) latency: f64,
}

/// A host app's webhook receiver on `127.0.0.1:0`: verifies each request with the secret it is
/// given, answers 503 while `failing`, and keeps what it took.
#[derive(Clone, Default)]
pub(crate) struct Receiver {
    pub(crate) secret: Arc<Mutex<Option<String>>>,
    pub(crate) failing: Arc<AtomicBool>,
    pub(crate) taken: Arc<Mutex<Vec<Received>>>,
    pub(crate) refused: Arc<Mutex<u32>>,
    pub(crate) unverified: Arc<Mutex<Vec<String>>>,
}

impl Receiver {
    /// Starts it; returns it and its URL.
    pub(crate) async fn start() -> (Receiver, String) {
        let receiver = Receiver::default();
        let app = Router::new()
            .route("/hooks", post(take))
            .with_state(receiver.clone());
        let listener = tokio::net::TcpListener::bind("127.0.0.1:0").await.unwrap();
        let url = format!("http://{}/hooks", listener.local_addr().unwrap());
        tokio::spawn(async move { axum::serve(listener, app).await });
        (receiver, url)
    }

    pub(crate) fn trust(&self, secret: &str) {
        *self.secret.lock().unwrap() = Some(secret.to_owned());
    }

    pub(crate) fn taken(&self) -> Vec<Received> {
        self.taken.lock().unwrap().clone()
    }

    /// The types taken for asset `id`, in arrival order.
    pub(crate) fn types_for(&self, id: &str) -> Vec<String> {
        self.taken()
            .iter()
            .filter(|r| r.body["data"]["id"] == id)
            .map(|r| r.body["type"].as_str().unwrap().to_owned())
            .collect()
    }

    pub(crate) fn assert_all_verified(&self) {
        let unverified = self.unverified.lock().unwrap();
        assert!(unverified.is_empty(), "unverified messages: {unverified:?}");
    }
}

async fn take(State(receiver): State<Receiver>, headers: HeaderMap, body: Bytes) -> AxumStatus {
    if receiver.failing.load(Ordering::SeqCst) {
        *receiver.refused.lock().unwrap() += 1;
        return AxumStatus::SERVICE_UNAVAILABLE;
    }
    let secret = receiver.secret.lock().unwrap().clone().unwrap_or_default();
    let verified = standardwebhooks::Webhook::new(&secret)
        .map_err(|e| format!("{e:?}"))
        .and_then(|hook| hook.verify(&body, &headers).map_err(|e| format!("{e:?}")));
    if let Err(why) = verified {
        receiver.unverified.lock().unwrap().push(why);
        return AxumStatus::BAD_REQUEST;
    }
    let body: Value = serde_json::from_slice(&body).unwrap();
    let changed = OffsetDateTime::parse(body["timestamp"].as_str().unwrap(), &Rfc3339).unwrap();
    let now = OffsetDateTime::from(SystemTime::now());
    receiver.taken.lock().unwrap().push(Received {
        id: headers["webhook-id"].to_str().unwrap().to_owned(),
        latency: (now - changed).as_seconds_f64(),
        body,
    });
    AxumStatus::NO_CONTENT
}

/// Registers `url` for `types` (all when empty); returns the endpoint's id and secret.
async fn register(app: &TestApp, url: &str, types: &[&str]) -> (String, String) {
    let (status, endpoint) = app
        .as_app_backend(
            Method::POST,
            "/api/app/webhook-endpoints",
            Some(json!({"url": url, "eventTypes": types, "description": "the app"})),
        )
        .await;
    assert_eq!(status, StatusCode::CREATED, "{endpoint}");
    (
        endpoint["id"].as_str().unwrap().to_owned(),
        endpoint["secret"].as_str().unwrap().to_owned(),
    )
}

/// Uploads a real fixture as [`OWNER`] and waits for READY; returns the asset id.
async fn upload_until_ready(app: &TestApp) -> String {
    let (id, url) = app.create_upload(OWNER, "outbound.mp4").await;
    let put = app.http.put(url).body(fixture("tiny-2s-320x240.mp4"));
    assert_eq!(put.send().await.unwrap().status(), StatusCode::OK);
    let asset = app.wait_for(OWNER, &id, |s| s == "READY").await;
    assert_eq!(asset["status"], "READY", "{asset}");
    id
}

/// A test app whose endpoints may be on loopback, retrying on `schedule`.
async fn spawn_with_schedule(backend: Backend, schedule: &str) -> Option<TestApp> {
    TestApp::spawn_with_settings(
        backend,
        &[
            ("MUXD_WEBHOOK_ALLOW_PRIVATE_URLS", "true"),
            ("MUXD_WEBHOOK_RETRY_SCHEDULE", schedule),
        ],
    )
    .await
}

app_test!(
    an_uploads_changes_reach_the_app_signed_and_filtered,
    spawn = |backend| spawn_with_schedule(backend, "100ms,200ms,400ms"),
    |app: TestApp| async move {
        let (everything, everything_url) = Receiver::start().await;
        let (only_ready, only_ready_url) = Receiver::start().await;
        let (_, secret) = register(&app, &everything_url, &[]).await;
        everything.trust(&secret);
        let (_, secret) = register(&app, &only_ready_url, &["asset.ready"]).await;
        only_ready.trust(&secret);

        let id = upload_until_ready(&app).await;
        eventually("asset.ready reaching both receivers", async || {
            everything
                .types_for(&id)
                .contains(&"asset.ready".to_owned())
                && only_ready
                    .types_for(&id)
                    .contains(&"asset.ready".to_owned())
        })
        .await;
        everything.assert_all_verified();
        only_ready.assert_all_verified();
        assert_eq!(
            everything.types_for(&id),
            ["asset.created", "asset.processing", "asset.ready"]
        );
        assert_eq!(only_ready.types_for(&id), ["asset.ready"]);
        let ready = only_ready.taken().pop().unwrap();
        assert_eq!(ready.body["data"]["status"], "READY");
        assert_eq!(ready.body["data"]["name"], "outbound.mp4");
        assert!(
            ready.body["data"]["playbackId"].is_string(),
            "{}",
            ready.body
        );
        let latencies: Vec<String> = everything
            .taken()
            .iter()
            .map(|r| format!("{:.0} ms", r.latency * 1000.0))
            .collect();
        eprintln!("outbound delivery latency, change to receipt: {latencies:?}");

        // A rename is an update; a delete is a deletion.
        let path = format!("/api/creative-assets/{id}");
        let (status, _) = app
            .call(
                Method::PATCH,
                &path,
                Some((OWNER, false)),
                Some(json!({"name": "renamed.mp4"})),
            )
            .await;
        assert_eq!(status, StatusCode::OK);
        let (status, _) = app
            .call(Method::DELETE, &path, Some((OWNER, false)), None)
            .await;
        assert!(status.is_success(), "{status}");
        eventually("the rename and the deletion arriving", async || {
            everything.types_for(&id).len() == 5
        })
        .await;
        assert_eq!(
            &everything.types_for(&id)[3..],
            ["asset.updated", "asset.deleted"]
        );
        assert_eq!(everything.taken()[3].body["data"]["name"], "renamed.mp4");
        assert_eq!(only_ready.types_for(&id), ["asset.ready"]);

        // The log has one delivered delivery per message and endpoint, once each attempt's
        // outcome is recorded (just after the receiver has answered).
        eventually("six deliveries logged as delivered", async || {
            let (_, log) = app
                .as_app_backend(
                    Method::GET,
                    "/api/app/webhook-deliveries?status=delivered",
                    None,
                )
                .await;
            log["data"].as_array().map(Vec::len) == Some(6)
        })
        .await;
    }
);

app_test!(
    deliveries_ride_out_an_outage_and_replay_after_giving_up,
    spawn = |backend| spawn_with_schedule(backend, "50ms,100ms"),
    |app: TestApp| async move {
        let (receiver, url) = Receiver::start().await;
        let (endpoint, secret) = register(&app, &url, &["asset.created"]).await;
        receiver.trust(&secret);

        // Two failures, then the receiver is back: the third attempt delivers.
        receiver.failing.store(true, Ordering::SeqCst);
        let (first, _) = app.create_upload(OWNER, "outage.mp4").await;
        eventually("two refused attempts", async || {
            *receiver.refused.lock().unwrap() >= 2
        })
        .await;
        receiver.failing.store(false, Ordering::SeqCst);
        eventually("the created message arriving", async || {
            receiver.types_for(&first) == ["asset.created"]
        })
        .await;

        // Always failing: the schedule is spent after three attempts and the delivery fails.
        receiver.failing.store(true, Ordering::SeqCst);
        let refused_before = *receiver.refused.lock().unwrap();
        let (second, _) = app.create_upload(OWNER, "gives-up.mp4").await;
        let query = format!("/api/app/webhook-deliveries?endpointId={endpoint}&status=failed");
        let mut failed = Value::Null;
        eventually("the delivery failing for good", async || {
            failed = app.as_app_backend(Method::GET, &query, None).await.1;
            failed["data"].as_array().is_some_and(|d| d.len() == 1)
        })
        .await;
        assert_eq!(*receiver.refused.lock().unwrap() - refused_before, 3);
        let delivery = failed["data"][0]["id"].as_i64().unwrap();
        assert_eq!(failed["data"][0]["attempts"], 3);
        assert_eq!(failed["data"][0]["lastStatus"], 503);

        // Replayed once the receiver is back, it is delivered; its log keeps every attempt.
        receiver.failing.store(false, Ordering::SeqCst);
        let replay = format!("/api/app/webhook-deliveries/{delivery}/replay");
        let (status, _) = app.as_app_backend(Method::POST, &replay, None).await;
        assert_eq!(status, StatusCode::ACCEPTED);
        eventually("the replayed message arriving", async || {
            receiver.types_for(&second) == ["asset.created"]
        })
        .await;
        let detail = format!("/api/app/webhook-deliveries/{delivery}");
        let mut shown = Value::Null;
        eventually("the log recording the delivery", async || {
            shown = app.as_app_backend(Method::GET, &detail, None).await.1;
            shown["delivery"]["status"] == "delivered"
        })
        .await;
        let codes: Vec<&Value> = shown["attempts"]
            .as_array()
            .unwrap()
            .iter()
            .map(|a| &a["statusCode"])
            .collect();
        assert_eq!(codes, [&json!(503), &json!(503), &json!(503), &json!(204)]);
        assert_eq!(shown["payload"]["type"], "asset.created");
        receiver.assert_all_verified();
    }
);

app_test!(
    bad_endpoints_are_refused_by_name_and_nothing_is_stored,
    |app: TestApp| async move {
        let (_, url) = Receiver::start().await;
        let cases = [
            (json!({"url": url}), "MUXD_WEBHOOK_ALLOW_PRIVATE_URLS"),
            (json!({"url": "http://169.254.169.254/latest"}), "private"),
            (json!({"url": "ftp://93.184.216.34/"}), "http or https"),
            (json!({"description": "no url"}), "url is required"),
            (
                json!({"url": "https://93.184.216.34/", "eventTypes": ["asset.redy"]}),
                "\"asset.redy\"",
            ),
            (
                json!({"url": "https://93.184.216.34/", "eventTypes": vec!["asset.ready"; 17]}),
                "at most 16",
            ),
            (
                json!({"url": "https://93.184.216.34/", "secret": ""}),
                "must not be empty",
            ),
            (
                json!({"url": "https://93.184.216.34/", "secret": "hunter2"}),
                "whsec_",
            ),
            (
                json!({"url": "https://93.184.216.34/", "colour": "red"}),
                "colour",
            ),
        ];
        for (body, words) in cases {
            let (status, answer) = app
                .as_app_backend(
                    Method::POST,
                    "/api/app/webhook-endpoints",
                    Some(body.clone()),
                )
                .await;
            assert_eq!(status, StatusCode::BAD_REQUEST, "{body} → {answer}");
            let message = answer["error"]["message"].as_str().unwrap_or_default();
            assert!(
                message.contains(words),
                "{body} → {answer} (wanted {words:?})"
            );
        }
        let (_, list) = app
            .as_app_backend(Method::GET, "/api/app/webhook-endpoints", None)
            .await;
        assert_eq!(list["data"], json!([]));

        // A public address is taken; its secret is shown to the admin once asked, never in lists.
        let (status, made) = app
            .as_app_backend(
                Method::POST,
                "/api/app/webhook-endpoints",
                Some(json!({"url": "https://93.184.216.34/hooks"})),
            )
            .await;
        assert_eq!(status, StatusCode::CREATED, "{made}");
        assert!(made["secret"].as_str().unwrap().starts_with("whsec_"));
        let (_, list) = app
            .as_app_backend(Method::GET, "/api/app/webhook-endpoints", None)
            .await;
        assert_eq!(list["data"].as_array().unwrap().len(), 1);
        assert!(list["data"][0].get("secret").is_none(), "{list}");
        let path = format!(
            "/api/app/webhook-endpoints/{}",
            made["id"].as_str().unwrap()
        );
        let (status, answer) = app
            .as_app_backend(Method::PATCH, &path, Some(json!({"eventTypes": ["nope"]})))
            .await;
        assert_eq!(status, StatusCode::BAD_REQUEST, "{answer}");
        let (status, changed) = app
            .as_app_backend(Method::PATCH, &path, Some(json!({"disabled": true})))
            .await;
        assert_eq!(status, StatusCode::OK);
        assert_eq!(changed["disabled"], true);
        assert_eq!(changed["eventTypes"], json!([]));

        // Users are not admins.
        let (status, _) = app
            .call(
                Method::GET,
                "/api/app/webhook-endpoints",
                Some((OWNER, false)),
                None,
            )
            .await;
        assert_eq!(status, StatusCode::FORBIDDEN);
        let (status, _) = app.as_app_backend(Method::DELETE, &path, None).await;
        assert_eq!(status, StatusCode::NO_CONTENT);
        let (status, _) = app.as_app_backend(Method::GET, &path, None).await;
        assert_eq!(status, StatusCode::NOT_FOUND);
    }
);
