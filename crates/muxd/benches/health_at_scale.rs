//! Reads at scale (`cargo bench -p muxd --bench health_at_scale`): with `ROWS`
//! `creative_assets` rows (a month of uploads over 100 owners and their campaigns: mostly READY,
//! some ERROR, DELETED and TIMED_OUT, 1 % in flight, some of those stuck or without an asset), on
//! SQLite and PostgreSQL, it reports
//! 1. the reads that must not grow with the table, each called directly: a user's and a
//!    campaign's list, every admin filter, health's figures, the reconciler's look for due rows
//!    (target p50 < 5 ms);
//! 2. `GET /api/health/mux-system` latency, one client (health shares one read a second among
//!    all who ask);
//! 3. webhook ack latency with no other load (idle), one delivery at a time;
//! 4. the same with `POLLERS` clients polling health back to back, and health's latency meanwhile
//!    (target: ack p50 at most 2x idle), then with the pollers each polling every `PACE`.
//!
//! `MUXD_BENCH_ROWS` overrides `ROWS` (e.g. 1000000 gives 10,000 in flight). The load generator
//! runs in the same process on the same 2 cores, so every figure includes its cost.

use muxd_domain::ExternalUserId;
use std::sync::atomic::{AtomicBool, Ordering};
use std::sync::Arc;
use std::time::{Duration, Instant};

use muxd_core::config::DatabaseUrl;
use muxd_core::service::health_figures::RECENT_MS;
use muxd_domain::{AssetId, AssetStatus, CampaignId, UserId};
use muxd_store::asset_list::AssetFilter;
use muxd_store::{now_ms, Role, Store};
use muxd_testkit::bench::{self, percentile, signed};
use muxd_testkit::databases::exec;
use serde_json::{json, Value};

const ROWS: u64 = 200_000;
const POLLERS: usize = 8;
/// How often each poller polls in phase 4.
const PACE: Duration = Duration::from_millis(50);
/// Health requests timed in phase 1.
const HEALTH_SAMPLES: usize = 500;
/// Rows whose three events are delivered in each of phases 2 and 3.
const WEBHOOK_ROWS: usize = 200;
/// Runs of each read in the reads phase.
const SAMPLES: usize = 200;

/// Owners (each with one campaign) the filled rows are spread over.
const OWNERS: usize = 100;
/// Rows per `INSERT` while filling.
const CHUNK: u64 = 1_000;

/// `rows` rows over the last 30 days, spread over [`OWNERS`] owners and their campaigns: 1 % in
/// flight (a tenth of those stuck, a fifth without an asset), then by remainder ERROR
/// (invalid_input or a system error), DELETED, TIMED_OUT, and READY for the rest. Returns the
/// owners and campaigns.
async fn fill(store: &Store, rows: u64) -> Vec<(UserId, CampaignId)> {
    let mut owners = Vec::with_capacity(OWNERS);
    for k in 0..OWNERS {
        let user = store
            .upsert_user(
                &ExternalUserId::parse(&format!("bench-owner-{k}")).unwrap(),
                Role::User,
            )
            .await
            .unwrap();
        let campaign = store.create_campaign(user.id, "bench").await.unwrap();
        owners.push((user.id, campaign.id));
    }
    let now = now_ms();
    let month = 30 * 24 * 3_600_000_i64;
    for start in (0..rows).step_by(CHUNK as usize) {
        let mut values = Vec::with_capacity(CHUNK as usize);
        for i in start..(start + CHUNK).min(rows) {
            let (owner, campaign) = owners[i as usize % OWNERS];
            let at = now - (i as i64 * month / rows as i64);
            let (status, kind) = match (i % 100, i % 20) {
                (0, _) => ("MUX_PROCESSING", "NULL"),
                (1, _) => ("AWAITING_UPLOAD", "NULL"),
                (_, 2) if i % 40 == 2 => ("ERROR", "'invalid_input'"),
                (_, 2) => ("ERROR", "'internal'"),
                (_, 3) => ("DELETED", "NULL"),
                (_, 4) => ("TIMED_OUT", "NULL"),
                _ => ("READY", "NULL"),
            };
            let in_flight = i % 100 < 2;
            let asset = if in_flight && i % 500 == 1 {
                "NULL".to_owned()
            } else {
                format!("'as-bench-{i}'")
            };
            let stuck = if in_flight && i % 1000 < 2 {
                (at + 600_000).to_string()
            } else {
                "NULL".into()
            };
            let ready = if status == "READY" {
                (at + 60_000).to_string()
            } else {
                "NULL".into()
            };
            let id = AssetId::new();
            values.push(format!(
                "('{id}', '{owner}', '{campaign}', 'video {i}', '{id}', 'up-bench-{i}', 'https://u', {asset}, '{status}', {kind}, {ready}, {stuck}, {last}, {at}, {last})",
                last = at + 60_000
            ));
        }
        let sql = format!(
            "INSERT INTO creative_assets (id, owner_id, campaign_id, name, passthrough, mux_upload_id,
                upload_url, mux_asset_id, mux_processing_status, error_type, ready_at, stuck_since,
                last_event_at, created_at, updated_at) VALUES {}",
            values.join(", ")
        );
        exec(store, &sql).await;
    }
    // SQLite: what muxd's hourly refresh does; PostgreSQL: what autovacuum does soon after.
    store.refresh_statistics().await.unwrap();
    if store.backend() == muxd_core::config::Backend::Postgres {
        exec(store, "ANALYZE").await;
    }
    owners
}

/// Sorted latencies of `SAMPLES` runs of `read`.
async fn time<F: AsyncFn() -> usize>(read: F) -> (Vec<Duration>, usize) {
    let mut latencies = Vec::with_capacity(SAMPLES);
    let mut found = 0;
    for _ in 0..SAMPLES {
        let t = Instant::now();
        found = read().await;
        latencies.push(t.elapsed());
    }
    latencies.sort();
    (latencies, found)
}

/// The reads that must not grow with the table: lists for users, campaigns and every admin
/// filter, health's figures, and the reconciler's look for due rows.
async fn reads(store: &Store, owners: &[(UserId, CampaignId)]) -> Value {
    let (owner, campaign) = owners[7];
    let page = |filter: AssetFilter| AssetFilter {
        limit: 50,
        ..filter
    };
    let lists = [
        (
            "a user's list",
            page(AssetFilter {
                owner: Some(owner),
                ..Default::default()
            }),
        ),
        (
            "a campaign's list",
            page(AssetFilter {
                campaign: Some(campaign),
                ..Default::default()
            }),
        ),
        (
            "admin: all",
            page(AssetFilter {
                include_deleted: true,
                include_unsent: true,
                ..Default::default()
            }),
        ),
        (
            "admin: status READY",
            page(AssetFilter {
                status: Some(AssetStatus::Ready),
                include_deleted: true,
                include_unsent: true,
                ..Default::default()
            }),
        ),
        (
            "admin: owner",
            page(AssetFilter {
                owner: Some(owner),
                include_deleted: true,
                include_unsent: true,
                ..Default::default()
            }),
        ),
        (
            "admin: stuck",
            page(AssetFilter {
                stuck_only: true,
                include_deleted: true,
                include_unsent: true,
                ..Default::default()
            }),
        ),
        (
            "admin: orphaned",
            page(AssetFilter {
                orphaned_before: Some(now_ms() - 3_600_000),
                include_deleted: true,
                include_unsent: true,
                ..Default::default()
            }),
        ),
    ];
    let mut figures = serde_json::Map::new();
    for (what, filter) in lists {
        let (latencies, found) =
            time(async || store.list_assets(&filter).await.unwrap().len()).await;
        figures.insert(what.into(), report(what, &latencies, found));
    }
    let (latencies, _) = time(async || {
        store.health_figures(now_ms() - RECENT_MS).await.unwrap();
        1
    })
    .await;
    figures.insert(
        "health's figures".into(),
        report("health's figures", &latencies, 1),
    );
    let (latencies, found) = time(async || {
        let now = now_ms();
        store
            .due_for_poll(now, now - 60_000, 50)
            .await
            .unwrap()
            .len()
    })
    .await;
    figures.insert(
        "reconciler: rows due".into(),
        report("reconciler: rows due", &latencies, found),
    );
    Value::Object(figures)
}

/// Prints one read's figures and returns them.
fn report(what: &str, latencies: &[Duration], found: usize) -> Value {
    let (p50, p99) = (percentile(latencies, 0.5), percentile(latencies, 0.99));
    println!("  {what:24} p50 {p50:6.2} ms  p99 {p99:6.2} ms  ({found} rows)");
    json!({"ms": {"p50": p50, "p99": p99}, "rows": found})
}

/// Fresh rows, and their ready path's three events in delivery order.
async fn deliveries(store: &Store, owner: UserId, tag: &str) -> Vec<Vec<u8>> {
    let mut events = Vec::new();
    for n in 0..WEBHOOK_ROWS {
        let upload = format!("up-{tag}-{n}");
        let id = bench::row_with_upload(store, owner, &upload).await;
        events.extend((0..3).map(|step| bench::ready_path_event(id, &upload, step)));
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
    let body: Value = response.json().await.unwrap();
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

async fn bench(label: &str, url: DatabaseUrl) -> Value {
    let rows = std::env::var("MUXD_BENCH_ROWS")
        .ok()
        .and_then(|n| n.parse().ok())
        .unwrap_or(ROWS);
    let filler = Store::connect(&url).await.unwrap();
    filler.migrate().await.unwrap();
    let filled = Instant::now();
    let owners = fill(&filler, rows).await;
    let fill_secs = filled.elapsed().as_secs_f64();
    filler.close().await;
    // Started after the fill, as muxd runs after its hourly statistics refresh.
    let app = bench::app(&url).await;
    let store = app.store.clone();
    let user = store
        .upsert_user(&ExternalUserId::parse("user_bench").unwrap(), Role::User)
        .await
        .unwrap();
    println!("{label}, {rows} rows (filled in {fill_secs:.1} s):");
    let reads = reads(&store, &owners).await;
    let base = bench::serve(&app).await;
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

    // 2. Webhook acks, idle.
    let events = deliveries(&store, user.id, "idle").await;
    let idle = deliver(&http, &endpoint, events).await;

    // 3. and 4. Webhook acks while POLLERS clients poll health, back to back, then paced.
    let events = deliveries(&store, user.id, "busy").await;
    let (busy, polled) = while_polling(&http, &endpoint, &health_url, events, None).await;
    let events = deliveries(&store, user.id, "paced").await;
    let (paced, _) = while_polling(&http, &endpoint, &health_url, events, Some(PACE)).await;

    let (idle_p50, busy_p50) = (percentile(&idle, 0.5), percentile(&busy, 0.5));
    println!(
        "  health, one client ({HEALTH_SAMPLES}):   p50 {:.2} ms  p99 {:.2} ms  max {:.2} ms",
        percentile(&alone, 0.5),
        percentile(&alone, 0.99),
        percentile(&alone, 1.0)
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
    let ms = |sorted: &[Duration]| json!({"p50": percentile(sorted, 0.5), "p99": percentile(sorted, 0.99), "max": percentile(sorted, 1.0)});
    json!({
        "rows": rows,
        "reads": reads,
        "health_one_client_ms": ms(&alone),
        "webhook_ack_idle_ms": ms(&idle),
        "webhook_ack_while_polled_ms": ms(&busy),
        "health_while_polled_ms": ms(&polled),
        "webhook_ack_while_polled_paced_ms": ms(&paced),
        "pollers": POLLERS,
    })
}

#[tokio::main]
async fn main() {
    bench::on_each_database("health_at_scale", bench).await;
}
