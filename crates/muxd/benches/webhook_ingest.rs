//! Verified webhook ingestion, on SQLite and PostgreSQL (`cargo bench -p muxd --bench
//! webhook_ingest`). For each database it measures, in one run:
//! 1. bare: the same store-and-apply transactions muxd runs per event (`Ingestor::ingest`), called
//!    directly with no HTTP and no signature check (group commit included), by `CONCURRENCY`
//!    workers;
//! 2. HTTP: signed deliveries to `POST /api/webhooks/mux` on loopback by `CONCURRENCY` clients
//!    (each verified, stored, applied, acknowledged), throughput and ack latency;
//! 3. paced: HTTP deliveries at `PACED_RATE` events/s (open loop), reporting p50/p99 latency.
//!
//! Each event is one step of a realistic upload (asset_created, asset.created, asset.ready) for a
//! pre-created row. The load generator runs in the same process, on the same 2 cores, so the HTTP
//! figures include its cost. PostgreSQL: `MUXD_TEST_POSTGRES_URL` (default local, trust auth).
//! On PostgreSQL it also reports the server's CPU per event (every `postgres` process's user +
//! system time from /proc, before and after each phase; the server must be on this machine).

use std::sync::Arc;
use std::time::{Duration, Instant};

use muxd_core::config::DatabaseUrl;
use muxd_store::now_ms;
use muxd_testkit::bench::{self, percentile, signed};
use serde_json::{json, Value};
use tokio::sync::Mutex;

const ROWS: usize = 1_000;
const CONCURRENCY: usize = 32;
const PACED_SECONDS: u64 = 5;
const PACED_RATE: f64 = 300.0;

/// CPU seconds used so far by every PostgreSQL server process on this machine (Linux /proc;
/// `None` elsewhere). Clock ticks are Linux's fixed USER_HZ of 100.
fn postgres_cpu_secs() -> Option<f64> {
    let mut ticks = 0u64;
    for entry in std::fs::read_dir("/proc").ok()?.flatten() {
        let Ok(stat) = std::fs::read_to_string(entry.path().join("stat")) else {
            continue;
        };
        // pid (comm) state ppid … utime(14) stime(15): fields after the closing parenthesis.
        let Some((head, rest)) = stat.rsplit_once(')') else {
            continue;
        };
        if !head.ends_with("(postgres") {
            continue;
        }
        let fields: Vec<&str> = rest.split_whitespace().collect();
        let field = |n: usize| {
            fields
                .get(n)
                .and_then(|f| f.parse::<u64>().ok())
                .unwrap_or(0)
        };
        ticks += field(11) + field(12);
    }
    Some(ticks as f64 / 100.0)
}

/// Milliseconds of PostgreSQL CPU per event between two readings.
fn cpu_ms_per_event(before: Option<f64>, after: Option<f64>, events: usize) -> Option<f64> {
    Some((after? - before?) * 1000.0 / events as f64)
}

/// Runs `work` over `items` with `CONCURRENCY` workers; returns (events/s, sorted latencies).
async fn drive<F, Fut>(items: Vec<Vec<u8>>, work: F) -> (f64, Vec<Duration>)
where
    F: Fn(Vec<u8>) -> Fut + Send + Sync + 'static,
    Fut: std::future::Future<Output = ()> + Send,
{
    let total = items.len();
    let queue = Arc::new(Mutex::new(items.into_iter()));
    let work = Arc::new(work);
    let started = Instant::now();
    let mut workers = Vec::new();
    for _ in 0..CONCURRENCY {
        let (queue, work) = (queue.clone(), work.clone());
        workers.push(tokio::spawn(async move {
            let mut latencies = Vec::new();
            loop {
                let Some(item) = queue.lock().await.next() else {
                    return latencies;
                };
                let t = Instant::now();
                work(item).await;
                latencies.push(t.elapsed());
            }
        }));
    }
    let mut latencies = Vec::with_capacity(total);
    for worker in workers {
        latencies.extend(worker.await.unwrap());
    }
    let rate = total as f64 / started.elapsed().as_secs_f64();
    latencies.sort();
    (rate, latencies)
}

async fn bench(label: &str, url: DatabaseUrl) -> Value {
    let state = bench::app(&url).await;
    let store = state.store.clone();

    let postgres = url.backend() == muxd_core::config::Backend::Postgres;
    let db_cpu = || postgres.then(postgres_cpu_secs).flatten();

    // 1. Bare transactions.
    let events = bench::ready_path_workload(&store, "bare", ROWS).await;
    let bare_events = events.len();
    let ingest = state.ingest.clone();
    let bare_cpu = db_cpu();
    let (bare_rate, _) = drive(events, move |body| {
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
    let (http_rate, latencies) = drive(events, move |body| {
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
    let interval = Duration::from_secs_f64(1.0 / PACED_RATE);
    let mut ticker = tokio::time::interval(interval);
    ticker.set_missed_tick_behavior(tokio::time::MissedTickBehavior::Burst);
    let mut sends = Vec::with_capacity(count);
    for body in events.into_iter().take(count) {
        ticker.tick().await;
        let request = signed(&http, &endpoint, body);
        sends.push(tokio::spawn(async move {
            let t = Instant::now();
            assert!(request.send().await.unwrap().status().is_success());
            t.elapsed()
        }));
    }
    let mut paced = Vec::with_capacity(count);
    for send in sends {
        paced.push(send.await.unwrap());
    }
    paced.sort();

    println!("{label}:");
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
    })
}

#[tokio::main]
async fn main() {
    bench::on_each_database("webhook_ingest", bench).await;
}
