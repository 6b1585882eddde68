//! Outbound webhook delivery latency, on SQLite and PostgreSQL (`cargo bench -p muxd --bench
//! outbound_delivery`): the time from a change to an asset (its commit, the message's
//! `timestamp`) to the host app's receiver having it, while Mux webhooks arrive at `RATE` a second
//! (open loop) and every change is sent to one endpoint on loopback. The receiver is in this
//! process and answers at once; the target is p95 ≤ 1 s.

use std::sync::{Arc, Mutex};
use std::time::{Duration, SystemTime};

use axum::body::Bytes;
use axum::extract::State;
use axum::http::StatusCode;
use axum::routing::post;
use muxd_core::config::DatabaseUrl;
use muxd_core::identity::Identity;
use muxd_domain::outbound::DeliveryStatus;
use muxd_testkit::bench::{self, percentile, signed};
use serde_json::{json, Value};

const ROWS: usize = 500;
/// Mux webhooks a second; each changes one asset, and each change is one outbound message.
const RATE: f64 = 200.0;

/// Starts a receiver that keeps each message's latency (arrival − `timestamp`); returns its URL.
async fn receiver(latencies: Arc<Mutex<Vec<Duration>>>) -> String {
    async fn take(State(latencies): State<Arc<Mutex<Vec<Duration>>>>, body: Bytes) -> StatusCode {
        let arrived = SystemTime::now();
        let body: Value = serde_json::from_slice(&body).unwrap();
        let changed = time::OffsetDateTime::parse(
            body["timestamp"].as_str().unwrap(),
            &time::format_description::well_known::Rfc3339,
        )
        .unwrap();
        let latency = time::OffsetDateTime::from(arrived) - changed;
        latencies
            .lock()
            .unwrap()
            .push(latency.try_into().unwrap_or_default());
        StatusCode::NO_CONTENT
    }
    let app = axum::Router::new()
        .route("/hooks", post(take))
        .with_state(latencies);
    let listener = tokio::net::TcpListener::bind("127.0.0.1:0").await.unwrap();
    let url = format!("http://{}/hooks", listener.local_addr().unwrap());
    tokio::spawn(async move { axum::serve(listener, app).await });
    url
}

async fn bench(label: &str, url: DatabaseUrl) -> Value {
    let app = bench::app_with(&url, &[("MUXD_WEBHOOK_ALLOW_PRIVATE_URLS", "true")]).await;
    let events = bench::ready_path_workload(&app.store, "ob", ROWS).await;
    let base = bench::serve(&app).await;
    let latencies = Arc::new(Mutex::new(Vec::new()));
    let hooks = receiver(latencies.clone()).await;
    let http = reqwest::Client::new();
    let token = Identity::dev(b"bench")
        .sign("bench_admin", true, 3600)
        .unwrap();
    let endpoint = http
        .post(format!("{base}/api/app/webhook-endpoints"))
        .bearer_auth(token)
        .json(&json!({"url": hooks}))
        .send()
        .await
        .unwrap();
    assert_eq!(endpoint.status(), 201, "{:?}", endpoint.text().await);
    // The rows' creation was marked before the endpoint existed; they are not sent.
    let total = events.len();
    let webhook_url = format!("{base}/api/webhooks/mux");
    let gap = Duration::from_secs_f64(1.0 / RATE);
    let mut tick = tokio::time::interval(gap);
    let mut sends = Vec::with_capacity(total);
    for body in events {
        tick.tick().await;
        let request = signed(&http, &webhook_url, body);
        sends.push(tokio::spawn(async move {
            assert!(request.send().await.unwrap().status().is_success());
        }));
    }
    for send in sends {
        send.await.unwrap();
    }
    // Done when nothing is pending and nothing arrived for a second (not every event is a
    // change: `asset.created` after `upload.asset_created` tells nothing new).
    let deadline = tokio::time::Instant::now() + Duration::from_secs(120);
    let mut seen = 0;
    loop {
        tokio::time::sleep(Duration::from_secs(1)).await;
        let now_seen = latencies.lock().unwrap().len();
        let pending = app
            .store
            .deliveries(None, Some(DeliveryStatus::Pending), 1, 0)
            .await
            .unwrap();
        if (now_seen == seen && pending.is_empty()) || tokio::time::Instant::now() > deadline {
            break;
        }
        seen = now_seen;
    }
    let mut sorted = latencies.lock().unwrap().clone();
    sorted.sort();
    let received = sorted.len();
    let (p50, p95, p99) = (
        percentile(&sorted, 0.50),
        percentile(&sorted, 0.95),
        percentile(&sorted, 0.99),
    );
    let max = sorted.last().map_or(0.0, |d| d.as_secs_f64() * 1000.0);
    println!("{label}:");
    println!(
        "  {received} changes from {total} Mux events at {RATE}/s, all delivered: change → receiver p50 {p50:.1} ms  p95 {p95:.1} ms  p99 {p99:.1} ms  max {max:.1} ms (target p95 ≤ 1000 ms)"
    );
    json!({
        "mux_events": total,
        "changes_delivered": received,
        "rate_per_s": RATE,
        "latency_ms": {"p50": p50, "p95": p95, "p99": p99, "max": max},
    })
}

#[tokio::main]
async fn main() {
    bench::on_each_database("outbound_delivery", bench).await;
}
