//! Retention under a steady stream of webhooks, on SQLite and PostgreSQL (`cargo bench -p muxd
//! --bench retention`). For each database, two phases of the same open-loop load (`RATE` events/s
//! of the ready path for `SECONDS` s, signed, over loopback HTTP):
//! 1. without pruning: the received-webhook and history tables grow with every event;
//! 2. with the pruning step run every `PRUNE_EVERY` and a retention of `KEEP` (in production
//!    retention is days and the job runs every ten minutes; shortened here so a long run fits in
//!    seconds): the tables must stay flat, near what `KEEP` plus one pruning period of traffic
//!    leaves, and webhook ack p99 must not move.
//!
//! Each phase reports ack p50/p95/p99 and each table's row count sampled every second (first,
//! largest from the third second on, last). The load generator runs in the same process, on the same cores.

use std::time::{Duration, Instant};

use muxd_core::config::DatabaseUrl;
use muxd_core::service::retention::Retention;
use muxd_store::retention::Prunable;
use muxd_store::{now_ms, Db, Store};
use muxd_testkit::bench::{self, percentile, ready_path_workload, signed};
use serde_json::{json, Value};

const RATE: f64 = 300.0;
const SECONDS: u64 = 12;
const KEEP: Duration = Duration::from_secs(2);
const PRUNE_EVERY: Duration = Duration::from_secs(1);
const TABLES: [&str; 2] = ["webhook_events", "asset_events"];

async fn rows_in(store: &Store, table: &str) -> i64 {
    let sql = format!("SELECT COUNT(*) FROM {table}");
    match store.db() {
        Db::Sqlite(pool) => sqlx::query_scalar(&sql).fetch_one(pool).await.unwrap(),
        Db::Postgres(pool) => sqlx::query_scalar(&sql).fetch_one(pool).await.unwrap(),
    }
}

/// One phase: the load, with the pruner beside it when `prune`.
async fn phase(store: &Store, base: &str, tag: &str, prune: bool) -> Value {
    let rows = (RATE * SECONDS as f64 / 3.0) as usize;
    let bodies = ready_path_workload(store, tag, rows).await;
    let retention = Retention {
        store: store.clone(),
        keep: [
            (Prunable::WebhookEvents, Some(KEEP)),
            (Prunable::AssetHistory, Some(KEEP)),
            (Prunable::OutboundMessages, Some(KEEP)),
        ],
    };
    if prune {
        // The first pass clears what the phase before left (its cost is the backlog's, measured
        // separately); the phase then measures pruning as it runs day to day: every pass takes
        // what became old since the last.
        let started = Instant::now();
        let pruned = retention.run_once(now_ms()).await.unwrap();
        println!("  backlog: {pruned:?} in {:?}", started.elapsed());
    }
    let pruner = prune.then(|| {
        tokio::spawn(async move {
            loop {
                retention.run_once(now_ms()).await.unwrap();
                tokio::time::sleep(PRUNE_EVERY).await;
            }
        })
    });
    let sampler = {
        let store = store.clone();
        tokio::spawn(async move {
            let mut samples: Vec<[i64; 2]> = Vec::new();
            loop {
                samples.push([
                    rows_in(&store, TABLES[0]).await,
                    rows_in(&store, TABLES[1]).await,
                ]);
                if samples.len() as u64 > SECONDS {
                    return samples;
                }
                tokio::time::sleep(Duration::from_secs(1)).await;
            }
        })
    };
    let http = reqwest::Client::new();
    let url = format!("{base}/api/webhooks/mux");
    let start = tokio::time::Instant::now();
    let mut sends = Vec::with_capacity(bodies.len());
    for (n, body) in bodies.into_iter().enumerate() {
        tokio::time::sleep_until(start + Duration::from_secs_f64(n as f64 / RATE)).await;
        let request = signed(&http, &url, body);
        sends.push(tokio::spawn(async move {
            let sent = Instant::now();
            let answer = request.send().await.unwrap();
            assert!(answer.status().is_success(), "{}", answer.status());
            sent.elapsed()
        }));
    }
    let mut latencies = Vec::with_capacity(sends.len());
    for send in sends {
        latencies.push(send.await.unwrap());
    }
    latencies.sort();
    let samples = sampler.await.unwrap();
    if let Some(pruner) = pruner {
        pruner.abort();
    }
    let tables: serde_json::Map<String, Value> = TABLES
        .iter()
        .enumerate()
        .map(|(n, table)| {
            let series: Vec<i64> = samples.iter().map(|s| s[n]).collect();
            // From the third second on, once the retention has passed.
            let summary = json!({
                "first": series[0],
                "largest_after_2s": series[2..].iter().max(),
                "last": series[series.len() - 1],
            });
            ((*table).to_owned(), summary)
        })
        .collect();
    let result = json!({
        "pruning": prune,
        "events": latencies.len(),
        "ack_ms": {
            "p50": percentile(&latencies, 0.5),
            "p95": percentile(&latencies, 0.95),
            "p99": percentile(&latencies, 0.99),
        },
        "rows": tables,
    });
    println!("  {}", serde_json::to_string(&result).unwrap());
    result
}

async fn bench(label: &str, url: DatabaseUrl) -> Value {
    println!("{label}: {RATE} events/s for {SECONDS} s, retention {KEEP:?}, pruned every {PRUNE_EVERY:?}");
    let app = bench::app(&url).await;
    let base = bench::serve(&app).await;
    let without = phase(&app.store, &base, "keep", false).await;
    let with = phase(&app.store, &base, "prune", true).await;
    json!({"without_pruning": without, "with_pruning": with})
}

#[tokio::main(flavor = "multi_thread", worker_threads = 2)]
async fn main() {
    bench::on_each_database("retention", bench).await;
}
