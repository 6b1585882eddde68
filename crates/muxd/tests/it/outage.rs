//! Database outage: while PostgreSQL is unreachable the webhook endpoint answers 503 (so Mux
//! retries) and health says unhealthy; once it is back, the retried deliveries land and every
//! event that was acknowledged is in the database. Nothing acknowledged is lost.

use reqwest::StatusCode;
use serde_json::json;

use crate::media::fixture;
use muxd_testkit::app::{Backend, TestApp};
use muxd_testkit::databases::eventually;

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn webhooks_get_503_while_the_database_is_down_and_land_after() {
    let Some(app) = TestApp::spawn_behind_proxy(Backend::Postgres).await else {
        return;
    };
    let proxy = app.proxy.as_ref().unwrap();
    let (id, url) = app.create_upload("user_outage", "tiny.mp4").await;

    proxy.break_networking();
    let body = serde_json::to_vec(
        &json!({"type": "video.asset.updated", "id": "evt-outage", "data": {"id": "x"}}),
    )
    .unwrap();
    assert_eq!(
        app.post_signed(&body).await,
        StatusCode::SERVICE_UNAVAILABLE
    );
    // Health's figures may be up to a second old: it turns unhealthy within that.
    let health = format!("{}/api/health/mux-system", app.base);
    let unhealthy = async || {
        let response = app.http.get(&health).send().await.unwrap();
        response.status() == StatusCode::SERVICE_UNAVAILABLE
    };
    eventually("health unhealthy while the database is cut", unhealthy).await;
    // Mux (the emulator) finishes the upload while muxd cannot store anything.
    let response = app
        .http
        .put(&url)
        .body(fixture("tiny-2s-320x240.mp4"))
        .send()
        .await
        .unwrap();
    assert_eq!(response.status(), StatusCode::OK);
    // Wait until a delivery has met the outage (refused with 503).
    let met_outage = |app: &TestApp| {
        app.emulator.deliveries().iter().any(|d| {
            d.attempts
                .iter()
                .any(|a| a.response_status_code == Some(503))
        })
    };
    eventually("a delivery meeting the outage", async || met_outage(&app)).await;

    proxy.restore_networking();
    // The emulator retries; every event lands and the row reaches READY.
    let asset = app.wait_for("user_outage", &id, |s| s == "READY").await;
    assert_eq!(asset["status"], "READY", "{asset}");
    for delivery in app.emulator.deliveries() {
        if delivery.attempts.iter().any(|a| {
            a.response_status_code
                .is_some_and(|s| (200..300).contains(&s))
        }) {
            let stored = app.store.webhook_event(&delivery.event_id).await.unwrap();
            assert!(
                stored.is_some(),
                "acknowledged event {} is not stored",
                delivery.event_id
            );
        }
    }
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn readiness_follows_the_database_and_liveness_does_not() {
    let Some(app) = TestApp::spawn_behind_proxy(Backend::Postgres).await else {
        return;
    };
    let proxy = app.proxy.as_ref().unwrap();
    let probe = async |path: &str| {
        let url = format!("{}{path}", app.base);
        app.http.get(url).send().await.unwrap().status()
    };
    assert_eq!(probe("/readyz").await, StatusCode::OK);
    proxy.break_networking();
    eventually("not ready while the database is cut", async || {
        probe("/readyz").await == StatusCode::SERVICE_UNAVAILABLE
    })
    .await;
    assert_eq!(probe("/livez").await, StatusCode::OK, "alive all the same");
    proxy.restore_networking();
    eventually("ready again", async || {
        probe("/readyz").await == StatusCode::OK
    })
    .await;
}
