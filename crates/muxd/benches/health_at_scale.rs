//! Anonymous reads at scale (`cargo bench -p muxd --bench health_at_scale`): with `ROWS`
//! `creative_assets` rows (a month of uploads: mostly READY, some ERROR, DELETED and TIMED_OUT, a
//! few hundred in flight), on SQLite and PostgreSQL, it reports
//! 1. `GET /api/health/mux-system` latency, one client (target p50 < 5 ms), and the database read
//!    behind it on its own (health shares one read a second among all who ask);
//! 2. webhook ack latency with no other load (idle), one delivery at a time;
//! 3. the same with `POLLERS` clients polling health back to back, and health's latency meanwhile
//!    (target: ack p50 at most 2x idle);
//! 4. the same with the pollers each polling every `PACE` (a monitoring set-up).
//!
//! `MUXD_BENCH_ROWS` overrides `ROWS` (e.g. 1000000). The load generator runs in the same process
//! on the same 2 cores, so every figure includes its cost.

mod common;

use std::sync::atomic::{AtomicBool, Ordering};
use std::sync::Arc;
use std::time::{Duration, Instant};

use common::{percentile, signed};
use muxd::config::DatabaseUrl;
use muxd::domain::AssetId;
use muxd::store::{now_ms, Db, NewAsset, Role, Store};
use serde_json::json;
use sqlx::Executor;

const ROWS: u64 = 200_000;
const POLLERS: usize = 8;
/// How often each poller polls in phase 4.
const PACE: Duration = Duration::from_millis(50);
/// Health requests timed in phase 1.
const HEALTH_SAMPLES: usize = 500;
/// Rows whose three events are delivered in each of phases 2 and 3.
const WEBHOOK_ROWS: usize = 200;

/// `rows` rows over the last 30 days for `owner`, in one statement both databases run: every
/// 500th row in flight, then by remainder ERROR (invalid_input or a system error), DELETED,
/// TIMED_OUT, and READY for the rest.
async fn fill(store: &Store, owner: &str, rows: u64) {
    let now = now_ms();
    let sql = format!(
        "INSERT INTO creative_assets (id, owner_id, name, passthrough, mux_upload_id, mux_asset_id,
            mux_processing_status, error_type, ready_at, last_event_at, created_at, updated_at)
         WITH RECURSIVE n(i) AS (SELECT 1 UNION ALL SELECT i + 1 FROM n WHERE i < {rows})
         SELECT 'bench-' || i, '{owner}', 'video ' || i, 'bench-' || i, 'up-bench-' || i,
            'as-bench-' || i, status, CASE WHEN status = 'ERROR' THEN kind END,
            CASE WHEN status = 'READY' THEN at + 60000 END, at + 60000, at, at + 60000
         FROM (SELECT i,
                {now} - (i * 2592000000 / {rows}) AS at,
                CASE WHEN i % 500 = 0 THEN 'MUX_PROCESSING'
                     WHEN i % 500 = 1 THEN 'AWAITING_UPLOAD'
                     WHEN i % 20 = 2 THEN 'ERROR'
                     WHEN i % 20 = 3 THEN 'DELETED'
                     WHEN i % 20 = 4 THEN 'TIMED_OUT'
                     ELSE 'READY' END AS status,
                CASE WHEN i % 40 = 2 THEN 'invalid_input' ELSE 'internal' END AS kind
               FROM n) AS rows_to_add"
    );
    for statement in [sql.as_str(), "ANALYZE"] {
        match store.db() {
            Db::Sqlite(pool) => pool.execute(statement).await.map(drop),
            Db::Postgres(pool) => pool.execute(statement).await.map(drop),
        }
        .unwrap();
    }
}

/// Fresh rows, and their ready path's three events in delivery order.
async fn deliveries(store: &Store, owner: muxd::domain::UserId, tag: &str) -> Vec<Vec<u8>> {
    let mut events = Vec::new();
    for n in 0..WEBHOOK_ROWS {
        let id = AssetId::new();
        let new = NewAsset {
            id,
            owner_id: owner,
            campaign_id: None,
            influencer_id: None,
            name: "w".into(),
            description: None,
        };
        store.insert_asset(&new).await.unwrap();
        let (upload, asset) = (format!("up-{tag}-{n}"), format!("as-{tag}-{n}"));
        store.set_upload(id, &upload, "https://u").await.unwrap();
        let row = id.to_string();
        let steps = [
            (
                "video.upload.asset_created",
                json!({"id": upload, "status": "asset_created", "asset_id": asset, "new_asset_settings": {"passthrough": row}}),
            ),
            (
                "video.asset.created",
                json!({"id": asset, "upload_id": upload, "status": "preparing", "passthrough": row}),
            ),
            (
                "video.asset.ready",
                json!({"id": asset, "upload_id": upload, "status": "ready", "passthrough": row, "duration": 10.0, "playback_ids": [{"id": format!("pb-{tag}-{n}"), "policy": "public"}]}),
            ),
        ];
        for (step, (kind, data)) in steps.into_iter().enumerate() {
            events.push(
                serde_json::to_vec(&json!({"type": kind, "id": format!("evt-{tag}-{n}-{step}"),
                    "created_at": "2026-11-23T10:00:00.000000Z", "object": {"type": "asset", "id": asset},
                    "environment": {"name": "Bench", "id": "b"}, "data": data, "attempts": []}))
                .unwrap(),
            );
        }
    }
    events
}

/// Delivers `events` one at a time; returns the sorted ack latencies.
async fn deliver(http: &reqwest::Client, endpoint: &str, events: Vec<Vec<u8>>) -> Vec<Duration> {
    let mut latencies = Vec::with_capacity(events.len());
    for body in events {
        let t = Instant::now();
        let status = signed(http, endpoint, body).send().await.unwrap().status();
        assert!(status.is_success(), "webhook answered {status}");
        latencies.push(t.elapsed());
    }
    latencies.sort();
    latencies
}

/// One health request; panics unless it answers 200 with figures read from the database.
async fn health(http: &reqwest::Client, url: &str) -> Duration {
    let t = Instant::now();
    let response = http.get(url).send().await.unwrap();
    assert!(response.status().is_success(), "{}", response.status());
    let body: serde_json::Value = response.json().await.unwrap();
    assert_eq!(body["database"]["connected"], true, "{body}");
    t.elapsed()
}

/// Delivers `events` while `POLLERS` clients poll health, back to back or every `pace`; returns
/// the sorted ack latencies and health latencies.
async fn while_polling(
    http: &reqwest::Client,
    endpoint: &str,
    health_url: &str,
    events: Vec<Vec<u8>>,
    pace: Option<Duration>,
) -> (Vec<Duration>, Vec<Duration>) {
    let stop = Arc::new(AtomicBool::new(false));
    let mut pollers = Vec::new();
    for _ in 0..POLLERS {
        let (http, url, stop) = (reqwest::Client::new(), health_url.to_owned(), stop.clone());
        pollers.push(tokio::spawn(async move {
            let mut seen = Vec::new();
            while !stop.load(Ordering::Relaxed) {
                seen.push(health(&http, &url).await);
                if let Some(pace) = pace {
                    tokio::time::sleep(pace).await;
                }
            }
            seen
        }));
    }
    let acks = deliver(http, endpoint, events).await;
    stop.store(true, Ordering::Relaxed);
    let mut polled = Vec::new();
    for poller in pollers {
        polled.extend(poller.await.unwrap());
    }
    polled.sort();
    (acks, polled)
}

async fn bench(label: &str, url: DatabaseUrl) {
    let rows = std::env::var("MUXD_BENCH_ROWS")
        .ok()
        .and_then(|n| n.parse().ok())
        .unwrap_or(ROWS);
    let app = common::app(&url).await;
    let store = app.store.clone();
    let user = store.upsert_user("user_bench", Role::User).await.unwrap();
    let filled = Instant::now();
    fill(&store, &user.id.to_string(), rows).await;
    let fill_secs = filled.elapsed().as_secs_f64();
    let base = common::serve(&app).await;
    let (health_url, endpoint) = (
        format!("{base}/api/health/mux-system"),
        format!("{base}/api/webhooks/mux"),
    );
    let http = reqwest::Client::new();

    // 1. Health, one client.
    let mut alone = Vec::with_capacity(HEALTH_SAMPLES);
    for _ in 0..HEALTH_SAMPLES {
        alone.push(health(&http, &health_url).await);
    }
    alone.sort();
    let mut reads = Vec::with_capacity(HEALTH_SAMPLES);
    for _ in 0..HEALTH_SAMPLES {
        let t = Instant::now();
        store.health_figures(now_ms() - 3_600_000).await.unwrap();
        reads.push(t.elapsed());
    }
    reads.sort();

    // 2. Webhook acks, idle.
    let events = deliveries(&store, user.id, "idle").await;
    let idle = deliver(&http, &endpoint, events).await;

    // 3. and 4. Webhook acks while POLLERS clients poll health, back to back, then paced.
    let events = deliveries(&store, user.id, "busy").await;
    let (busy, polled) = while_polling(&http, &endpoint, &health_url, events, None).await;
    let events = deliveries(&store, user.id, "paced").await;
    let (paced, _) = while_polling(&http, &endpoint, &health_url, events, Some(PACE)).await;

    let (idle_p50, busy_p50) = (percentile(&idle, 0.5), percentile(&busy, 0.5));
    println!("{label}, {rows} rows (filled in {fill_secs:.1} s):");
    println!(
        "  health, one client ({HEALTH_SAMPLES}):   p50 {:.2} ms  p99 {:.2} ms  max {:.2} ms",
        percentile(&alone, 0.5),
        percentile(&alone, 0.99),
        percentile(&alone, 1.0)
    );
    println!(
        "  health's database read, uncached: p50 {:.2} ms  p99 {:.2} ms",
        percentile(&reads, 0.5),
        percentile(&reads, 0.99)
    );
    println!(
        "  webhook ack, idle ({}):      p50 {idle_p50:.2} ms  p99 {:.2} ms  max {:.2} ms",
        idle.len(),
        percentile(&idle, 0.99),
        percentile(&idle, 1.0)
    );
    println!(
        "  webhook ack, {POLLERS} pollers ({}):  p50 {busy_p50:.2} ms  p99 {:.2} ms  max {:.2} ms  p50 ratio to idle {:.2}",
        busy.len(),
        percentile(&busy, 0.99),
        percentile(&busy, 1.0),
        busy_p50 / idle_p50
    );
    println!(
        "  health meanwhile ({} polls): p50 {:.2} ms  p99 {:.2} ms",
        polled.len(),
        percentile(&polled, 0.5),
        percentile(&polled, 0.99)
    );
    println!(
        "  webhook ack, {POLLERS} pollers every {} ms: p50 {:.2} ms  p99 {:.2} ms  p50 ratio to idle {:.2}",
        PACE.as_millis(),
        percentile(&paced, 0.5),
        percentile(&paced, 0.99),
        percentile(&paced, 0.5) / idle_p50
    );
    store.close().await;
}

#[tokio::main]
async fn main() {
    common::on_each_database(bench).await;
}
