//! Verified webhook ingestion, on SQLite and PostgreSQL (`cargo bench -p muxd --bench
//! webhook_ingest`). For each database it measures, in one run:
//! 1. bare: the same store-and-apply transactions muxd runs per event (`Ingestor::ingest`), called
//!    directly with no HTTP and no signature check (group commit included), by `CONCURRENCY`
//!    workers;
//! 2. HTTP: signed deliveries to `POST /api/webhooks/mux` on loopback by `CONCURRENCY` clients
//!    (each verified, stored, applied, acknowledged), throughput and ack latency;
//! 3. paced: HTTP deliveries at `PACED_RATE` events/s (open loop), reporting p50/p99 latency;
//! 4. as Mux sends, to `muxd serve` as a process of its own: events in a random order per row
//!    with duplicates, saturated; and a steady 300 events/s with nobody listening, with live
//!    pages, with an outbound endpoint; each with muxd's and PostgreSQL's CPU, the database's and
//!    the log's bytes and the WAL per event (`served.rs`); beside them what muxd costs idle and,
//!    on PostgreSQL, the floor: a bare round trip and a bare commit at the same rate (`floor.rs`).
//!
//! `MUXD_BENCH_SERVED_ONLY=1` runs 4 alone; `MUXD_BENCH_DATABASES=postgres` (or `sqlite`) one
//! database alone.
//!
//! In 1-3 each event is one step of a realistic upload (asset_created, asset.created,
//! asset.ready) for a pre-created row. The load generator runs in the same process, on the same 2 cores, so the HTTP
//! figures include its cost. PostgreSQL: `MUXD_TEST_POSTGRES_URL` (default local, trust auth).
//! On PostgreSQL it also reports the server's CPU per event (every `postgres` process's user +
//! system time from /proc, before and after each phase; the server must be on this machine).

mod floor;
mod load;
mod profile;
mod served;
mod traffic;

use muxd_core::config::DatabaseUrl;
use muxd_store::now_ms;
use muxd_testkit::bench::{self, percentile, signed};
use muxd_testkit::procs::{cpu_ms_per_event, postgres_cpu_secs};
use serde_json::{json, Value};

use load::{closed_loop, open_loop};

const ROWS: usize = 1_000;
const CONCURRENCY: usize = 32;
const PACED_SECONDS: u64 = 5;
const PACED_RATE: f64 = 300.0;

async fn bench(label: &str, url: DatabaseUrl) -> Value {
    let postgres = url.backend() == muxd_core::config::Backend::Postgres;
    println!("{label}:");
    if std::env::var("MUXD_BENCH_SERVED_ONLY").is_ok_and(|v| v == "1") {
        println!("  as Mux sends, to muxd serve:");
        return json!({"as_mux_sends": served::run(&url, postgres).await});
    }
    let state = bench::app(&url).await;
    let store = state.store.clone();

    let db_cpu = || postgres.then(postgres_cpu_secs).flatten();

    // 1. Bare transactions.
    let events = bench::ready_path_workload(&store, "bare", ROWS).await;
    let bare_events = events.len();
    let ingest = state.ingest.clone();
    let bare_cpu = db_cpu();
    let (bare_rate, _) = closed_loop(events, CONCURRENCY, move |body| {
        let ingest = ingest.clone();
        async move {
            ingest.ingest(&body, now_ms()).await.unwrap();
        }
    })
    .await;
    let bare_cpu = cpu_ms_per_event(bare_cpu, db_cpu(), bare_events);

    // 2. Verified HTTP at full speed.
    let endpoint = format!("{}/api/webhooks/mux", bench::serve(&state).await);
    let http = reqwest::Client::builder()
        .pool_max_idle_per_host(CONCURRENCY)
        .build()
        .unwrap();
    let events = bench::ready_path_workload(&store, "http", ROWS).await;
    let http_events = events.len();
    let http_cpu = db_cpu();
    let (client, target) = (http.clone(), endpoint.clone());
    let (http_rate, latencies) = closed_loop(events, CONCURRENCY, move |body| {
        let request = signed(&client, &target, body);
        async move {
            let status = request.send().await.unwrap().status();
            assert!(status.is_success(), "{status}");
        }
    })
    .await;
    let http_cpu = cpu_ms_per_event(http_cpu, db_cpu(), http_events);

    // 3. Paced, open loop.
    let events = bench::ready_path_workload(&store, "paced", ROWS).await;
    let count = events
        .len()
        .min((PACED_RATE * PACED_SECONDS as f64) as usize);
    let paced = open_loop(
        &http,
        &endpoint,
        events.into_iter().take(count).collect(),
        PACED_RATE,
    )
    .await;

    println!("  bare store+apply:      {bare_rate:8.0} events/s");
    println!(
        "  verified HTTP (max):   {http_rate:8.0} events/s  ack p50 {:.2} ms  p99 {:.2} ms  ratio to bare {:.2}",
        percentile(&latencies, 0.5),
        percentile(&latencies, 0.99),
        http_rate / bare_rate
    );
    if let (Some(bare), Some(http)) = (bare_cpu, http_cpu) {
        println!("  PostgreSQL CPU per event: bare {bare:.3} ms, verified HTTP {http:.3} ms");
    }
    println!(
        "  verified HTTP at {PACED_RATE:.0}/s ({count} events): ack p50 {:.2} ms  p99 {:.2} ms",
        percentile(&paced, 0.5),
        percentile(&paced, 0.99)
    );
    store.close().await;
    println!("  as Mux sends, to muxd serve:");
    let as_mux_sends = served::run(&url, postgres).await;
    json!({
        "concurrency": CONCURRENCY,
        "bare": {"events": bare_events, "events_per_s": bare_rate, "db_cpu_ms_per_event": bare_cpu},
        "http": {
            "events": http_events,
            "events_per_s": http_rate,
            "ratio_to_bare": http_rate / bare_rate,
            "ack_ms": {"p50": percentile(&latencies, 0.5), "p99": percentile(&latencies, 0.99)},
            "db_cpu_ms_per_event": http_cpu,
        },
        "paced": {
            "rate_per_s": PACED_RATE,
            "events": count,
            "ack_ms": {"p50": percentile(&paced, 0.5), "p99": percentile(&paced, 0.99)},
        },
        "as_mux_sends": as_mux_sends,
    })
}

#[tokio::main]
async fn main() {
    bench::on_each_database("webhook_ingest", bench).await;
}
